"""The keyboard goes back to the window once one of its dialogs closes.

A window manager gives the focus back by activating the window again; not every one does
(nor Qt's offscreen platform), and then keys pressed after an import or an export went
nowhere. `FocusReturn` activates the window again and puts the focus where it was before
the dialog opened (the tree, the list or the field being typed in), or, when that is no
longer on the screen, on `fallback`.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget


def _usable(widget: QWidget | None) -> bool:
    return widget is not None and widget.isVisible() and widget.isEnabled()


class FocusReturn(QObject):
    def __init__(self, window: QWidget, fallback: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._fallback = fallback
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if new is not None or old is None:
            return
        closing = old.window()
        owner = closing.parentWidget()
        if closing is self._window or owner is None or owner.window() is not self._window:
            return
        # Once the dialog has gone: hidden now, it may still be on its way out.
        QTimer.singleShot(0, self, lambda: self._give_back(closing))

    def _give_back(self, closing: QWidget) -> None:
        if shiboken6.isValid(closing) and closing.isVisible():
            return  # still open: another program was chosen, the keys are its
        if (
            QApplication.focusWidget() is not None
            or QApplication.activeModalWidget() is not None
            or not self._window.isVisible()
        ):
            return
        was = self._window.focusWidget()
        target = was if was is not None and _usable(was) else self._fallback
        self._window.activateWindow()
        if _usable(target):
            target.setFocus()
