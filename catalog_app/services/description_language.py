"""The language and script the catalogue's descriptions are written in (ISAD(G) 3.4.3 is the
material's; this is the description's own, EAD's `languagedeclaration` and AtoM's
`languageOfDescription`): one catalogue-wide setting, audited like every other change.

The material of each record has its own languages and scripts (`units.languages`/`scripts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog_app.domain.unit_rules import language_code, script_code

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

LANGUAGE_KEY = "description_language"
SCRIPT_KEY = "description_script"


@dataclass(frozen=True)
class DescriptionLanguage:
    language: str = "en"  # ISO 639
    script: str = "Latn"  # ISO 15924


class DescriptionLanguageService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    def get(self) -> DescriptionLanguage:
        default = DescriptionLanguage()
        return DescriptionLanguage(
            self._cat.setting(LANGUAGE_KEY) or default.language,
            self._cat.setting(SCRIPT_KEY) or default.script,
        )

    def set(self, language: str, script: str) -> DescriptionLanguage:
        """Check and keep both codes (ValidationError, naming the bad one, keeps neither)."""
        chosen = DescriptionLanguage(language_code(language), script_code(script))
        self._cat.set_settings({LANGUAGE_KEY: chosen.language, SCRIPT_KEY: chosen.script})
        return chosen
