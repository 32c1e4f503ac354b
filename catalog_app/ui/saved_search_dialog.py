"""The dialog that names a search to save, or edits a saved one's name and query.

OK hands the name and query to the window (`chosen`), which saves them in the catalogue; the
dialog stays open until the catalogue has them (`saved`), or shows why not (`refused`).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from catalog_app.services.saved_searches import MAX_NAME

ERROR_STYLE = "color: #b00020;"


class SavedSearchDialog(QDialog):
    chosen = Signal(str, str)  # name, query

    def __init__(
        self, name: str, query: str, *, editing: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit Saved Search" if editing else "Save Search")
        self.name = QLineEdit(name)
        self.name.setObjectName("saved-search-name")
        self.name.setMaxLength(MAX_NAME)
        self.name.setPlaceholderText("e.g. Letters from Evin, not yet checked")
        self.query = QLineEdit(query)
        self.query.setObjectName("saved-search-query")
        self.problem = QLabel()
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        self.problem.hide()
        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("&Search:", self.query)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for field in (self.name, self.query):
            field.textChanged.connect(self._changed)
        self._changed()
        self.name.setFocus()
        self.name.selectAll()

    def _changed(self) -> None:
        self.problem.hide()
        self.ok_button.setEnabled(bool(self.name.text().strip() and self.query.text().strip()))

    def accept(self) -> None:
        """Ask the window to save; the dialog waits for its answer."""
        if not self.ok_button.isEnabled():
            return
        self.ok_button.setEnabled(False)
        self.chosen.emit(self.name.text(), self.query.text())

    def saved(self) -> None:
        super().accept()

    def refused(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
        self.ok_button.setEnabled(True)
        self.name.setFocus()
