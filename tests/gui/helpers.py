"""Small things GUI tests share: a widget on screen with the focus, the window's undo keys,
waiting for the record chosen to be shown."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtGui import QKeySequence, QUndoStack
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from catalog_app.ui.detail.pane import DetailPane

W = TypeVar("W", bound=QWidget)


def on_screen(qtbot: QtBot, widget: W, width: int, height: int) -> W:
    """Show a widget as the active window (keyboard focus works as for a person)."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


def undo_host(qtbot: QtBot, stack: QUndoStack) -> QWidget:
    """A window holding Undo and Redo on their standard keys, as the main window does."""
    host = QWidget()
    qtbot.addWidget(host)
    for action, keys in (
        (stack.createUndoAction(host), QKeySequence.StandardKey.Undo),
        (stack.createRedoAction(host), QKeySequence.StandardKey.Redo),
    ):
        action.setShortcuts(keys)
        host.addAction(action)
    return host


def record_shown(qtbot: QtBot, pane: DetailPane | None) -> DetailPane:
    """Wait until the detail pane shows the record chosen last (it reads it off the GUI
    thread) and return it."""
    assert pane is not None
    qtbot.waitUntil(lambda: (pane.detail.id if pane.detail else None) == pane.unit_id)
    return pane
