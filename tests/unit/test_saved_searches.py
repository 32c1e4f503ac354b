"""Saved searches: named queries kept in the catalogue, audited, and checked as they are saved."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from catalog_app.errors import CatalogueReadOnly, ValidationError
from catalog_app.services import Catalogue
from catalog_app.services.saved_searches import SETTING, SavedSearch


def _settings_audit(catalogue: Catalogue) -> list[tuple[str, str]]:
    with catalogue.db.read() as session:
        rows = session.connection().execute(
            text("SELECT action, reason FROM audit_log WHERE table_name = 'settings' ORDER BY id")
        )
        return [(str(action), str(reason)) for action, reason in rows]


def test_saved_searches_are_listed_by_name_and_kept_in_the_catalogue(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    searches = catalogue.saved_searches
    searches.save("persian letters", "letter lang:fa")
    searches.save("Evin", '"evin prison" review:needed')
    assert searches.all() == [
        SavedSearch("Evin", '"evin prison" review:needed'),
        SavedSearch("persian letters", "letter lang:fa"),
    ]
    copy = tmp_path / "copy.sqlite"
    catalogue.close()
    shutil.copyfile(catalogue.path, copy)
    with Catalogue.open(copy, actor="someone else") as elsewhere:
        assert [s.name for s in elsewhere.saved_searches.all()] == ["Evin", "persian letters"]


def test_names_are_tidied_and_unique_whatever_their_case(catalogue: Catalogue) -> None:
    searches = catalogue.saved_searches
    assert searches.save("  Mothers'   statements ", "mother*") == SavedSearch(
        "Mothers' statements", "mother*"
    )
    with pytest.raises(ValidationError, match="already a saved search"):
        searches.save("MOTHERS' STATEMENTS", "other")
    with pytest.raises(ValidationError, match="needs a name"):
        searches.save("   ", "mother*")
    with pytest.raises(ValidationError, match="at most 100 characters"):
        searches.save("x" * 101, "mother*")


def test_a_search_that_does_not_parse_is_refused_with_the_reason(catalogue: Catalogue) -> None:
    with pytest.raises(ValidationError, match=r"cannot be saved: .*quotation mark"):
        catalogue.saved_searches.save("broken", '"evin')
    with pytest.raises(ValidationError, match="no search to save"):
        catalogue.saved_searches.save("empty", "  ")
    assert catalogue.saved_searches.all() == []


def test_renaming_changing_and_deleting(catalogue: Catalogue) -> None:
    searches = catalogue.saved_searches
    searches.save("Evin", "evin")
    searches.save("Khavaran", "khavaran")
    assert searches.change("evin", new_name="Evin prison") == SavedSearch("Evin prison", "evin")
    assert searches.change("Evin prison", query="evin date:1988") == SavedSearch(
        "Evin prison", "evin date:1988"
    )
    assert searches.change("Khavaran", new_name="KHAVARAN").name == "KHAVARAN"  # its own name
    with pytest.raises(ValidationError, match="already a saved search named 'Evin prison'"):
        searches.change("KHAVARAN", new_name="evin PRISON")
    with pytest.raises(ValidationError, match="cannot be saved"):
        searches.change("KHAVARAN", query="(unclosed")
    searches.delete("evin prison")
    assert searches.all() == [SavedSearch("KHAVARAN", "khavaran")]
    with pytest.raises(ValidationError, match="no saved search named 'Evin prison'"):
        searches.delete("Evin prison")
    with pytest.raises(ValidationError, match="no saved search named 'gone'"):
        searches.change("gone", query="x")


def test_every_change_is_one_audited_write(catalogue: Catalogue) -> None:
    before = _settings_audit(catalogue)
    searches = catalogue.saved_searches
    searches.save("Evin", "evin")
    searches.change("Evin", new_name="Evin prison")
    searches.delete("Evin prison")
    assert _settings_audit(catalogue)[len(before) :] == [
        ("add", "saved search added"),
        ("update", "saved search changed"),
        ("update", "saved search deleted"),
    ]
    assert catalogue.integrity_problems() == []


def test_a_damaged_setting_keeps_what_can_be_read(catalogue: Catalogue) -> None:
    catalogue.set_setting(SETTING, '[{"name": "Evin", "query": "evin"}, {"name": 3}, "junk"]')
    assert catalogue.saved_searches.all() == [SavedSearch("Evin", "evin")]
    catalogue.set_setting(SETTING, "not json")
    assert catalogue.saved_searches.all() == []


def test_a_read_only_catalogue_lists_but_does_not_save(catalogue: Catalogue) -> None:
    catalogue.saved_searches.save("Evin", "evin")
    path = catalogue.path
    catalogue.close()
    with Catalogue.open(path, readonly=True) as readonly:
        assert [s.name for s in readonly.saved_searches.all()] == ["Evin"]
        with pytest.raises(CatalogueReadOnly):
            readonly.saved_searches.save("Khavaran", "khavaran")
