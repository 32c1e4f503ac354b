"""The agents, places and subjects linked to a record (its access points, and its creators,
ISAD(G) 3.2.1), with the small form that adds a name the catalogue does not know yet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from catalog_app.domain.vocabulary import AgentKind
from catalog_app.ui.detail.description_fields import text_editor
from catalog_app.ui.undo import AccessPoint

MAX_ROWS_SHOWN = 4  # a longer list scrolls

# -- creating authority entries ----------------------------------------------------------------


@dataclass(frozen=True)
class NewTerm:
    """What a person gave for a new agent, place or subject."""

    name: str
    kind: str = ""
    variants: tuple[str, ...] = ()


class NewTermDialog(QDialog):
    """A small form for a new agent (type and variant names), place (variants) or subject."""

    def __init__(self, what: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"New {what}")
        self.name = QLineEdit(name)
        self.kind = QComboBox()
        for kind in AgentKind:
            self.kind.addItem(kind.value)
        self.variants = text_editor()
        self.variants.setPlaceholderText("one per line, in any script")
        form = QFormLayout(self)
        form.addRow(QLabel(f"'{name}' is not in this catalogue yet. Add it?"))
        form.addRow("Name", self.name)
        if what == "agent":
            form.addRow("Type", self.kind)
        if what in ("agent", "place"):
            form.addRow("Other names", self.variants)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def term(self) -> NewTerm:
        variants = (line.strip() for line in self.variants.toPlainText().splitlines())
        return NewTerm(
            self.name.text().strip(), self.kind.currentText(), tuple(v for v in variants if v)
        )


def ask_new_term(parent: QWidget, what: str, name: str) -> NewTerm | None:
    """Ask whether to add `name` as a new `what`; None if the person declines."""
    dialog = NewTermDialog(what, name, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    term = dialog.term()
    return term if term.name else None


# -- the linked agents, places or subjects -----------------------------------------------------


class AccessPointEditor(QWidget):
    """The agents, places or subjects linked to the record, with a line to add one.

    With `fixed_role` every agent added gets that role (the creators, ISAD(G) 3.2.1); else
    the person chooses among `roles`. `name` prefixes the object names (default: `kind`)."""

    add_requested = Signal(str, str)  # name as typed, role ("" for places and subjects)
    remove_requested = Signal(object)  # the AccessPoint

    def __init__(
        self,
        kind: str,
        roles: Sequence[str] = (),
        parent: QWidget | None = None,
        *,
        fixed_role: str = "",
        name: str = "",
    ):
        super().__init__(parent)
        self.kind = kind
        self.fixed_role = fixed_role
        name = name or kind
        self.list = QListWidget()
        self.list.setObjectName(f"{name}_list")
        self.list.installEventFilter(self)
        self.entry = QLineEdit()
        self.entry.setObjectName(f"{name}_entry")
        self.entry.setPlaceholderText("Type a name, press Enter")
        self.suggestions = QStringListModel(self)
        completer = QCompleter(self.suggestions, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.entry.setCompleter(completer)
        self.role = QComboBox()
        self.role.setObjectName(f"{name}_role")
        self.role.addItems(list(roles))
        self.add_button = QPushButton("Add")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName(f"{name}_remove")
        self.entry.returnPressed.connect(self._add)
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)

        row = QHBoxLayout()
        row.addWidget(self.entry, 1)
        row.addWidget(self.role)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(row)
        # Only once it is inside this widget: shown before, it would be a window of its own
        # for a moment, which takes the keyboard from the main window.
        self.role.setVisible(bool(roles))

    def set_points(self, points: Sequence[AccessPoint]) -> None:
        self.list.clear()
        for point in points:
            item = QListWidgetItem(point.name if self.fixed_role else point.label)
            item.setData(Qt.ItemDataRole.UserRole, point)
            self.list.addItem(item)
        # As tall as its names (up to a few), and no empty box when there are none.
        self.list.setVisible(bool(points))
        if points:
            rows = min(len(points), MAX_ROWS_SHOWN)
            frame = 2 * self.list.frameWidth()
            self.list.setFixedHeight(rows * self.list.sizeHintForRow(0) + frame)

    def points(self) -> list[AccessPoint]:
        items = (self.list.item(row) for row in range(self.list.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items]

    def _add(self) -> None:
        name = " ".join(self.entry.text().split())
        if name:
            self.add_requested.emit(name, self.fixed_role or self.role.currentText())

    def _remove(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.remove_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Delete in the list removes the link; claim the key before a window-wide shortcut.
        if watched is self.list and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Delete and event.type() == QEvent.Type.ShortcutOverride:
                event.accept()
                return True
            if event.key() == Qt.Key.Key_Delete and event.type() == QEvent.Type.KeyPress:
                self._remove()
                return True
        return super().eventFilter(watched, event)
