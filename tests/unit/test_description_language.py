"""The language and script of description: a catalogue setting, checked, audited, kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog_app.errors import ValidationError
from catalog_app.services import Catalogue
from catalog_app.services.description_language import DescriptionLanguage


def test_a_new_catalogue_is_described_in_english_until_told_otherwise(tmp_path: Path) -> None:
    with Catalogue.open(tmp_path / "c.sqlite", create=True, actor="tester") as cat:
        assert cat.description_language.get() == DescriptionLanguage("en", "Latn")
        assert cat.description_language.set("FA", "arab") == DescriptionLanguage("fa", "Arab")
    with Catalogue.open(tmp_path / "c.sqlite", actor="tester") as cat:
        assert cat.description_language.get() == DescriptionLanguage("fa", "Arab")
        settings_rows = [row for row in cat.audit.recent() if row.table_name == "settings"]
        assert {row.actor for row in settings_rows} == {"tester"}
        assert len(settings_rows) >= 2


def test_a_bad_code_is_refused_and_neither_is_kept(tmp_path: Path) -> None:
    with Catalogue.open(tmp_path / "c.sqlite", create=True, actor="tester") as cat:
        with pytest.raises(ValidationError, match="Persian"):
            cat.description_language.set("Persian", "Arab")
        with pytest.raises(ValidationError, match="'Arabic'"):
            cat.description_language.set("fa", "Arabic")
        assert cat.description_language.get() == DescriptionLanguage()
