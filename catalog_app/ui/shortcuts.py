"""The window's keys: each sequence bound once, and its own shortcuts honoured in text boxes.

Qt treats a sequence bound twice (to one action or two) as ambiguous and runs neither, so the
platform's standard keys and the extra ones people bring from other programs are merged
without repeats. And a line edit on Linux claims some Ctrl keys for moving in the line (Ctrl+E
goes to its end), which would leave File → Export dead while the cursor is in any text box:
`WindowKeysFirst` hands the window's own keys to the window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QWidget

Key = QKeySequence | QKeySequence.StandardKey | str

# Redo as the platform binds it, and as Windows (Ctrl+Y) and macOS or GNOME (Ctrl+Shift+Z)
# programs do, so that whichever a person is used to works here.
REDO_KEYS: tuple[Key, ...] = (QKeySequence.StandardKey.Redo, "Ctrl+Y", "Ctrl+Shift+Z")


def key_sequences(*keys: Key) -> list[QKeySequence]:
    """The sequences for `keys`, in order, each once: a standard key stands for every
    sequence the platform binds it to."""
    found: list[QKeySequence] = []
    for key in keys:
        if isinstance(key, QKeySequence.StandardKey):
            expanded = QKeySequence.keyBindings(key)
        else:
            expanded = [QKeySequence(key)]
        found.extend(s for s in expanded if not s.isEmpty() and s not in found)
    return found


class WindowKeysFirst(QObject):
    """An application event filter: a key that is the shortcut of one of `actions` (enabled)
    goes to that action, even while a text box in `window` has the focus and would take the
    key for itself. Leave out keys a text box should keep (Undo, Delete)."""

    def __init__(self, window: QWidget, actions: Callable[[], Iterable[QAction]]) -> None:
        super().__init__(window)
        self._window = window
        self._actions = actions

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and isinstance(watched, QWidget)
            and watched.window() is self._window
            and self._is_window_key(QKeySequence(event.keyCombination()))
        ):
            event.ignore()  # not overridden: the shortcut runs
            return True
        return False

    def _is_window_key(self, pressed: QKeySequence) -> bool:
        return any(
            action.isEnabled() and pressed in action.shortcuts() for action in self._actions()
        )
