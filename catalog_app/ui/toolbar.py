"""The window's toolbar: the actions an archivist uses most, as icons with their names and keys
in the tooltip."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QToolBar

ICON_SIZE = 20


def main_toolbar(window: QMainWindow, actions: Sequence[QAction | None]) -> QToolBar:
    """A toolbar of `actions` at the window's top (None: a separator), named for saveState."""
    bar = QToolBar("Toolbar", window)
    bar.setObjectName("main-toolbar")
    bar.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    bar.setMovable(False)
    for action in actions:
        if action is None:
            bar.addSeparator()
            continue
        bar.addAction(action)
        action.setToolTip(tooltip(action))
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    return bar


def tooltip(action: QAction) -> str:
    """'Save Record (Ctrl+S)': the action's name without its mnemonic, and its first key."""
    name = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")
    key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return f"{name} ({key})" if key else name
