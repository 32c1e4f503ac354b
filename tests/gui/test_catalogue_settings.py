"""File → Catalogue Settings…: the language and script the descriptions are written in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QPushButton
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.services.description_language import DescriptionLanguage
from catalog_app.ui.catalogue_settings_dialog import READ_ONLY, CatalogueSettingsDialog
from catalog_app.ui.main_window import MainWindow
from catalog_app.ui.operations import Operations

CTRL = Qt.KeyboardModifier.ControlModifier


def type_over(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    qtbot.keyClick(combo, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(combo, text)


def ok_button(dialog: CatalogueSettingsDialog) -> QPushButton:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert button is not None
    return button


def opened_dialog(qtbot: QtBot, window: MainWindow, path: Path) -> CatalogueSettingsDialog:
    assert window.open_catalogue(path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.catalogue_settings_action.trigger()
    dialog = window.findChild(CatalogueSettingsDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.language.isEnabled)  # read off the GUI thread
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def test_the_language_is_chosen_by_name_and_the_script_typed_as_a_code(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue
) -> None:
    path = catalogue.path
    catalogue.close()
    dialog = opened_dialog(qtbot, window, path)
    assert dialog.language.currentText() == "English (en)"
    assert dialog.script.currentText() == "Latin (Latn)"

    type_over(qtbot, dialog.language, "Persian")
    type_over(qtbot, dialog.script, "arab")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: window.findChild(CatalogueSettingsDialog) is None)  # closed
    assert window.catalogue is not None
    assert window.catalogue.description_language.get() == DescriptionLanguage("fa", "Arab")
    assert window.statusBar().currentMessage() == "Descriptions are in Persian in Arabic script"


def test_a_code_that_is_none_is_explained_and_nothing_is_kept(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue
) -> None:
    path = catalogue.path
    catalogue.close()
    dialog = opened_dialog(qtbot, window, path)
    type_over(qtbot, dialog.language, "english2")
    qtbot.keyClick(dialog.language, Qt.Key.Key_Return)

    qtbot.waitUntil(dialog.message.isVisible)
    assert "'english2' is not a valid code" in dialog.message.text()
    assert dialog.isVisible()
    assert ok_button(dialog).isEnabled()  # to correct and try again
    assert window.catalogue is not None
    assert window.catalogue.description_language.get() == DescriptionLanguage("en", "Latn")


def test_a_read_only_catalogue_shows_its_setting_without_changing_it(
    qtbot: QtBot, catalogue: Catalogue
) -> None:
    catalogue.description_language.set("fa", "Arab")
    path = catalogue.path
    catalogue.close()
    with Catalogue.open(path, readonly=True) as readonly:
        dialog = CatalogueSettingsDialog(readonly, Operations(synchronous=True))
        qtbot.addWidget(dialog)
        assert dialog.language.code() == "fa"
        assert dialog.script.currentText() == "Arabic (Arab)"
        assert dialog.message.text() == READ_ONLY
        assert not ok_button(dialog).isEnabled()


def test_the_menu_item_is_offered_only_while_a_catalogue_is_open(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue
) -> None:
    assert not window.catalogue_settings_action.isEnabled()  # the settings are a catalogue's
    path = catalogue.path
    catalogue.close()
    assert window.open_catalogue(path)
    assert window.catalogue_settings_action.isEnabled()
