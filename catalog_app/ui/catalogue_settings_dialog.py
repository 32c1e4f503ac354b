"""File → Catalogue Settings…: what holds for the whole catalogue rather than one record.

The language and script the descriptions are written in (ISO 639 / ISO 15924), which finding
aids declare; the language of the material is each record's own (ISAD(G) 3.4.3). Each is
chosen by name from the common ones, or typed as a code. Read and written on the window's
operations lane; the catalogue checks the codes and audits the change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from catalog_app.domain.languages import language_name, script_names
from catalog_app.services import Catalogue
from catalog_app.services.description_language import DescriptionLanguage
from catalog_app.ui.changes import Changes
from catalog_app.ui.detail.description_fields import ERROR_STYLE
from catalog_app.ui.operations import Operations, Outcome, QueryOp, Report, WriteOp

# Languages and scripts descriptions are often written in; any other is typed as its code.
COMMON_LANGUAGES = (
    "en", "fa", "ar", "fr", "de", "es", "it", "nl", "pt", "ru", "tr", "az", "ku", "ckb",
    "ur", "ps", "he", "hy", "ka", "zh", "ja",
)  # fmt: skip
COMMON_SCRIPTS = (
    "Latn", "Arab", "Cyrl", "Hebr", "Armn", "Geor", "Grek", "Deva", "Hani",
)  # fmt: skip
READ_ONLY = "This catalogue is open read-only: its settings are shown, not changed."
CHOOSE = "Choose the {what} the descriptions are written in."


def script_name(code: str) -> str:
    return script_names([code])


class CodeChooser(QComboBox):
    """A language or script chosen by name ("Persian (fa)", "Persian"), or typed as a code."""

    def __init__(
        self, codes: Sequence[str], name_of: Callable[[str], str], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self._name_of = name_of
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        if (completer := self.completer()) is not None:
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
        for code in codes:
            self._add(code)

    def _add(self, code: str) -> None:
        name = self._name(code)
        self.addItem(f"{name} ({code})" if name != code else code, code)

    def _name(self, code: str) -> str:
        return self._name_of(code)

    def set_code(self, code: str) -> None:
        if self.findData(code) < 0:
            self._add(code)
        self.setCurrentIndex(self.findData(code))

    def code(self) -> str:
        """The code chosen: of the item whose text or name was typed, else the text itself."""
        text = " ".join(self.currentText().split())
        for index in range(self.count()):
            code = str(self.itemData(index))
            if text.casefold() in (self.itemText(index).casefold(), self._name(code).casefold()):
                return code
        return text


class CatalogueSettingsDialog(QDialog):
    saved = Signal(object)  # the DescriptionLanguage kept

    def __init__(
        self, catalogue: Catalogue, lane: Operations, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Catalogue Settings")
        self.setMinimumWidth(460)
        self._catalogue = catalogue
        self._lane = lane
        self.language = CodeChooser(COMMON_LANGUAGES, language_name, self)
        self.language.setObjectName("description_language")
        self.script = CodeChooser(COMMON_SCRIPTS, script_name, self)
        self.script.setObjectName("description_script")
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        intro = QLabel(
            "The language and script the catalogue's descriptions are written in (the "
            "language of the material is each record's own). Finding aids declare them."
        )
        intro.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow("Language of description", self.language)
        form.addRow("Script of description", self.script)
        form.addRow(self.message)
        form.addRow(self.buttons)
        self._ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self._set_busy(True)
        QueryOp(lambda _report: catalogue.description_language.get()).success(self._show).failure(
            self._refused
        ).run_in_background(lane)

    def _show(self, chosen: DescriptionLanguage) -> None:
        self.language.set_code(chosen.language)
        self.script.set_code(chosen.script)
        self._set_busy(False)
        if self._catalogue.readonly:
            self._say(READ_ONLY, error=False)
            self._ok.setEnabled(False)

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.language, self.script, self._ok):
            widget.setEnabled(not busy)

    def accept(self) -> None:
        language, script = self.language.code(), self.script.code()
        chosen = ((language, "language", self.language), (script, "script", self.script))
        for code, what, chooser in chosen:
            if not code:
                self._say(CHOOSE.format(what=what))
                chooser.setFocus()
                return
        catalogue = self._catalogue

        def work(_report: Report) -> Outcome[DescriptionLanguage]:
            chosen = catalogue.description_language.set(language, script)
            words = f"{language_name(chosen.language)} in {script_name(chosen.script)} script"
            return Outcome(chosen, Changes.of(f"Descriptions are in {words}"))

        self._set_busy(True)
        WriteOp(work).success(self._saved).failure(self._refused).run_in_background(self._lane)

    def _saved(self, chosen: DescriptionLanguage) -> None:
        self.saved.emit(chosen)
        super().accept()

    def _refused(self, message: str) -> None:
        self._set_busy(False)
        self._say(message)

    def _say(self, text: str, *, error: bool = True) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.show()
