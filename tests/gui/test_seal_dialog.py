"""Help → Catalogue Seal: the seal shown with the keyboard, and copied with one key."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QMenu
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.ui.main_window import MainWindow


@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")
def test_the_seal_is_shown_from_the_help_menu_and_copied(
    qtbot: QtBot, window: MainWindow, described: Catalogue
) -> None:
    expected = described.audit.seal()
    path = described.path
    described.close()
    assert window.open_catalogue(path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    qtbot.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_C)
    qtbot.waitUntil(lambda: window.seal_dialog is not None and window.seal_dialog.isVisible())
    dialog = window.seal_dialog
    assert dialog is not None
    assert dialog.code.text() == expected.code
    assert f"({expected.rows:,} changes)" in dialog.findChildren(QLabel)[0].text()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Copy is the default button
    assert QGuiApplication.clipboard().text() == expected.code
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
