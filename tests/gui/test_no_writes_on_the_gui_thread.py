"""Writes the window makes run on the operations lane's writer, never on the GUI thread:
naming a new creator, place or subject in the form (and undoing and redoing it), the audit
seal (read after the writes asked for before it), and the catalogue's settings."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenu, QWidget
from pytestqt.qtbot import QtBot

from catalog_app.domain.records import UnitDetail
from catalog_app.services import Catalogue
from catalog_app.services.description_language import DescriptionLanguage
from catalog_app.ui.catalogue_settings_dialog import CatalogueSettingsDialog
from catalog_app.ui.detail import description_tab
from catalog_app.ui.detail.access_points import AccessPointEditor, NewTerm
from catalog_app.ui.main_window import MainWindow
from tests.gui.gui_thread_guard import no_writes_on_gui_thread, statements_by_thread
from tests.gui.helpers import record_shown

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
POPUP_WARNINGS = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")


@dataclass(frozen=True)
class Opened:
    window: MainWindow
    unit_id: int

    @property
    def catalogue(self) -> Catalogue:
        assert self.window.catalogue is not None
        return self.window.catalogue

    def stored(self) -> UnitDetail:
        return self.catalogue.units.get(self.unit_id)


@pytest.fixture
def opened(qtbot: QtBot, window: MainWindow, catalogue: Catalogue) -> Opened:
    unit_id = catalogue.units.create({"title": "Letters from Evin"}).id
    path = catalogue.path
    catalogue.close()
    assert window.open_catalogue(path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.show_unit(unit_id)
    record_shown(qtbot, window.detail)
    return Opened(window, unit_id)


def settled(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.tasks.busy())


def press(qtbot: QtBot, where: QWidget, keys: QKeySequence) -> None:
    where.setFocus()
    qtbot.waitUntil(where.hasFocus)
    qtbot.keySequence(where, keys)


def linked(opened: Opened, kind: str) -> list[str]:
    stored = opened.stored()
    if kind == "agent":
        return [a.authorised_name for a in stored.agents]
    return [t.name for t in (stored.places if kind == "place" else stored.subjects)]


def known(opened: Opened, kind: str) -> list[str]:
    """The names of the catalogue's agents, places or subjects."""
    terms = opened.catalogue.terms
    if kind == "agent":
        return [a.authorised_name for a in opened.catalogue.agents.find("Mothers")]
    return [t.name for t in (terms.places() if kind == "place" else terms.subjects())]


@POPUP_WARNINGS
@pytest.mark.parametrize("editor_name", ["creators", "agents", "places", "subjects"])
def test_a_new_name_typed_in_the_form_is_made_and_linked_on_the_writer(
    qtbot: QtBot, opened: Opened, monkeypatch: pytest.MonkeyPatch, editor_name: str
) -> None:
    window = opened.window
    asked: list[str] = []

    def agree(_parent: QWidget, what: str, name: str) -> NewTerm:
        asked.append(what)
        return NewTerm(name, "organisation", ("مادران خاوران",) if what != "subject" else ())

    monkeypatch.setattr(description_tab, "ask_new_term", agree)
    form = record_shown(qtbot, window.detail).description
    editor: AccessPointEditor = getattr(form, editor_name)
    kind = editor.kind
    name = "Mothers of Khavaran"

    with no_writes_on_gui_thread() as statements:
        editor.entry.setFocus()
        qtbot.waitUntil(editor.entry.hasFocus)
        qtbot.keyClicks(editor.entry, name)
        qtbot.keyClick(editor.entry, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: [p.name for p in editor.points()] == [name])
        settled(qtbot, window)
    assert statements.writes_elsewhere  # it was written, on the writer
    assert asked == [kind]
    assert editor.entry.text() == ""
    assert linked(opened, kind) == [name]
    assert known(opened, kind) == [name]
    assert window.undo_action.isEnabled()  # pushed once written
    assert window.undo_action.text() == f"&Undo Add {kind} {editor.points()[0].label}"

    with no_writes_on_gui_thread() as statements:
        press(qtbot, window.records_view, QKeySequence(QKeySequence.StandardKey.Undo))
        qtbot.waitUntil(lambda: editor.points() == [])
        settled(qtbot, window)
    assert statements.writes_elsewhere
    assert linked(opened, kind) == []
    assert known(opened, kind) == [name]  # the name stays in the catalogue's list

    with no_writes_on_gui_thread():
        press(qtbot, window.records_view, window.redo_action.shortcut())
        qtbot.waitUntil(lambda: [p.name for p in editor.points()] == [name])
        settled(qtbot, window)
    assert linked(opened, kind) == [name]
    assert known(opened, kind) == [name]  # linked again, not made again


@POPUP_WARNINGS
def test_a_place_made_in_the_form_is_suggested_and_found_again(
    qtbot: QtBot, opened: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = opened.window
    monkeypatch.setattr(description_tab, "ask_new_term", lambda _p, _w, name: NewTerm(name))
    form = record_shown(qtbot, window.detail).description
    entry = form.places.entry
    entry.setFocus()
    qtbot.waitUntil(entry.hasFocus)
    qtbot.keyClicks(entry, "Khavaran")
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: [p.name for p in form.places.points()] == ["Khavaran"])
    settled(qtbot, window)
    assert "Khavaran" in form.places.suggestions.stringList()

    # Unlinked and typed again: the place made a moment ago is found, nobody is asked.
    monkeypatch.setattr(description_tab, "ask_new_term", lambda *args: pytest.fail("asked"))
    form.places.list.setCurrentRow(0)
    form.places.list.setFocus()
    qtbot.keyClick(form.places.list, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: form.places.points() == [])
    settled(qtbot, window)
    entry.setFocus()
    qtbot.keyClicks(entry, "khavaran")
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: [p.name for p in form.places.points()] == ["Khavaran"])
    settled(qtbot, window)
    assert [t.name for t in opened.catalogue.terms.places()] == ["Khavaran"]


@POPUP_WARNINGS
def test_a_new_name_refused_says_why_and_leaves_nothing_to_undo(
    qtbot: QtBot, opened: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = opened.window
    opened.catalogue.units.delete(opened.unit_id)  # e.g. from the command line meanwhile
    monkeypatch.setattr(description_tab, "ask_new_term", lambda _p, _w, name: NewTerm(name))
    form = record_shown(qtbot, window.detail).description
    entry = form.subjects.entry
    entry.setFocus()
    qtbot.waitUntil(entry.hasFocus)
    qtbot.keyClicks(entry, "Mass graves")
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    qtbot.waitUntil(form.error_label.isVisible)
    settled(qtbot, window)
    assert "record" in form.error_label.text()
    assert not window.undo_stack.canUndo()


@POPUP_WARNINGS
def test_the_seal_is_read_off_the_gui_thread_after_the_save_typed_before_it(
    qtbot: QtBot, opened: Opened
) -> None:
    window = opened.window
    before = opened.catalogue.audit.seal()
    title = record_shown(qtbot, window.detail).description.fields["title"].editor
    title.setFocus()
    qtbot.waitUntil(title.hasFocus)
    qtbot.keyClick(title, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(title, "Letters from Evin, 1988")

    with statements_by_thread() as statements:
        qtbot.keyClick(window, Qt.Key.Key_H, ALT)  # Help → Catalogue Seal…
        qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
        qtbot.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_C)
        qtbot.waitUntil(lambda: window.seal_dialog is not None and window.seal_dialog.isVisible())
        settled(qtbot, window)
    assert statements.writes_on_gui_thread == []
    assert [s for s in statements.on_gui_thread if "audit_log" in s] == []  # the seal's reads
    assert statements.writes_elsewhere  # the title was saved
    assert opened.stored().title == "Letters from Evin, 1988"
    dialog = window.seal_dialog
    assert dialog is not None
    sealed = opened.catalogue.audit.seal()
    assert sealed.rows > before.rows  # the save is in it
    assert dialog.code.text() == sealed.code


@POPUP_WARNINGS
def test_the_catalogue_settings_are_written_off_the_gui_thread(
    qtbot: QtBot, opened: Opened
) -> None:
    window = opened.window
    with no_writes_on_gui_thread() as statements:
        qtbot.keyClick(window, Qt.Key.Key_F, ALT)  # File → Catalogue Settings…
        qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
        qtbot.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_S)
        qtbot.waitUntil(lambda: window.findChild(CatalogueSettingsDialog) is not None)
        dialog = window.findChild(CatalogueSettingsDialog)
        assert dialog is not None
        qtbot.waitUntil(dialog.language.isEnabled)
        language = dialog.language
        language.setFocus()
        qtbot.waitUntil(language.hasFocus)
        qtbot.keyClick(language, Qt.Key.Key_A, CTRL)
        qtbot.keyClicks(language, "Persian")
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.findChild(CatalogueSettingsDialog) is None)
        settled(qtbot, window)
    assert statements.writes_elsewhere
    assert opened.catalogue.description_language.get() == DescriptionLanguage("fa", "Latn")
