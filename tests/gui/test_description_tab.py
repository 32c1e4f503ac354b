"""The Description tab driven as an archivist would: typing, tabbing out, undo and redo."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeyEvent, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from catalog_app.domain.isad import AREAS
from catalog_app.domain.records import UnitDetail
from catalog_app.services import Catalogue
from catalog_app.ui.detail import description_tab
from catalog_app.ui.detail.description_tab import (
    DescriptionTab,
    LineField,
    NewTerm,
    NewTermDialog,
    TextField,
)
from catalog_app.ui.settings import UiSettings
from tests.gui.helpers import undo_host

CTRL = Qt.KeyboardModifier.ControlModifier
# The offscreen platform cannot raise the completion popup; harmless there.
POPUP_WARNINGS = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@dataclass
class Form:
    tab: DescriptionTab
    stack: QUndoStack
    unit: UnitDetail
    catalogue: Catalogue

    def line(self, name: str) -> QLineEdit:
        field = self.tab.fields[name]
        assert isinstance(field, LineField)
        return field.line

    def text(self, name: str) -> QTextEdit:
        field = self.tab.fields[name]
        assert isinstance(field, TextField)
        return field.text

    def stored(self) -> UnitDetail:
        return self.catalogue.units.get(self.unit.id)


def type_text(qtbot: QtBot, editor: QWidget, text: str) -> None:
    """Type `text` key by key; Persian letters arrive as key presses carrying their text
    (QTest's keyClicks only knows Latin-1 keys)."""
    if text.isascii():
        qtbot.keyClicks(editor, text)
        return
    for char in text:
        key = Qt.Key.Key_Return if char == "\n" else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                editor, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char)
            )


def retype(qtbot: QtBot, editor: QWidget, text: str) -> None:
    """Click into a field, select what is there and type over it."""
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClick(editor, Qt.Key.Key_A, CTRL)
    type_text(qtbot, editor, text)


def show_all(qtbot: QtBot, form: Form, area: str) -> None:
    """Click an area's "Show all elements", as a person does to reach an empty element."""
    toggle = form.tab.areas[area].toggle
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert form.tab.areas[area].unfolded


def press(qtbot: QtBot, key: Qt.Key, modifiers: Qt.KeyboardModifier) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, key, modifiers)


@pytest.fixture
def form(qtbot: QtBot, catalogue: Catalogue, undo_stack: QUndoStack) -> Iterator[Form]:
    """The tab in a window with the undo and redo shortcuts the main window provides."""
    unit = catalogue.units.create(
        {"title": "Letters from Evin", "date_expression": "1988", "extent": "3 pages"}
    )
    catalogue.units.create({"title": "Another record", "reference_code": "TAKEN-1"})
    stack = undo_stack
    host = undo_host(qtbot, stack)
    tab = DescriptionTab(catalogue, stack)
    QVBoxLayout(host).addWidget(tab)
    host.resize(700, 500)
    host.show()
    host.activateWindow()
    qtbot.waitUntil(host.isActiveWindow)
    tab.show_unit(unit.id)
    yield Form(tab, stack, unit, catalogue)
    stack.clear()


def test_the_form_shows_the_record(form: Form) -> None:
    assert form.line("title").text() == "Letters from Evin"
    assert form.line("reference_code").text() == form.unit.reference_code
    assert form.line("date_expression").text() == "1988"
    assert form.tab.fields["date_expression"].message.text() == "Means: 1988"
    assert form.tab.fields["level"].value() == "item"


def test_a_field_is_saved_when_left_and_undo_redo_go_through_the_catalogue(
    qtbot: QtBot, form: Form
) -> None:
    with qtbot.waitSignal(form.tab.changed) as changed:
        retype(qtbot, form.line("title"), "Letters from Evin prison")
        press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    assert changed.args == [form.unit.id]
    assert form.stored().title == "Letters from Evin prison"
    assert form.stack.count() == 1

    # Undo from another text field: it has no typing of its own, so Ctrl+Z reaches the stack.
    form.line("extent").setFocus()
    qtbot.waitUntil(form.line("extent").hasFocus)
    press(qtbot, Qt.Key.Key_Z, CTRL)
    assert form.stored().title == "Letters from Evin"
    assert form.line("title").text() == "Letters from Evin"

    press(qtbot, Qt.Key.Key_Z, CTRL_SHIFT)
    assert form.stored().title == "Letters from Evin prison"
    assert form.line("title").text() == "Letters from Evin prison"


def test_ctrl_z_in_a_field_being_typed_in_undoes_the_typing_only(qtbot: QtBot, form: Form) -> None:
    retype(qtbot, form.line("extent"), "4 pages")
    press(qtbot, Qt.Key.Key_Z, CTRL)
    assert form.line("extent").text() == "3 pages"
    assert form.stack.count() == 0


def test_ctrl_s_saves_only_the_changed_fields_as_one_step(qtbot: QtBot, form: Form) -> None:
    show_all(qtbot, form, "3.3")
    retype(qtbot, form.line("extent"), "5 leaves")
    # Typing in a long field without leaving the form first: both go in one save.
    form.text("scope_content").setFocus()
    qtbot.waitUntil(form.text("scope_content").hasFocus)
    qtbot.keyClicks(form.text("scope_content"), "Letters to the family.")
    assert form.stack.count() == 1  # leaving "extent" saved it
    press(qtbot, Qt.Key.Key_S, CTRL)
    assert form.stored().scope_content == "Letters to the family."
    assert form.stack.count() == 2
    assert form.stack.text(1) == "Edit scope and content"
    form.stack.undo()
    assert form.stored().scope_content is None
    assert form.stored().extent == "5 leaves"
    assert form.text("scope_content").toPlainText() == ""


def test_the_date_is_read_back_in_words_and_a_bad_one_is_not_saved(
    qtbot: QtBot, form: Form
) -> None:
    message = form.tab.fields["date_expression"].message
    retype(qtbot, form.line("date_expression"), "1988-07/1988-09?")
    assert message.text() == "Means: between July 1988 and September 1988 (uncertain)"

    retype(qtbot, form.line("date_expression"), "1988-13")
    assert "not a date in EDTF form" in message.text()
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    assert form.stored().date_expression == "1988"
    assert form.stack.count() == 0
    assert form.line("date_expression").text() == "1988-13"  # the typing is kept to fix
    assert "not a date in EDTF form" in message.text()


def test_a_reference_code_in_use_is_refused_with_a_message(qtbot: QtBot, form: Form) -> None:
    message = form.tab.fields["reference_code"].message
    retype(qtbot, form.line("reference_code"), "taken-1")
    assert "already the code of “Another record”" in message.text()
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    assert form.stored().reference_code == form.unit.reference_code
    assert form.stack.count() == 0

    retype(qtbot, form.line("reference_code"), "EVIN-7")
    assert message.text() == ""
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    assert form.stored().reference_code == "EVIN-7"


def test_an_empty_title_and_bad_language_codes_explain_themselves(qtbot: QtBot, form: Form) -> None:
    show_all(qtbot, form, "3.4")
    retype(qtbot, form.line("languages"), "fa, english")
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    assert "'english' is not a valid code" in form.tab.fields["languages"].message.text()
    retype(qtbot, form.line("languages"), "FA, en")
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    assert form.stored().languages == ("fa", "en")
    assert form.line("languages").text() == "fa, en"

    retype(qtbot, form.line("title"), " ")
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    assert form.tab.fields["title"].message.text() == "title cannot be empty"
    assert form.stored().title == "Letters from Evin"


def test_persian_text_is_typed_and_saved_as_it_is(qtbot: QtBot, form: Form) -> None:
    retype(qtbot, form.line("title"), "نامه‌های اوین")
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    assert form.stored().title == "نامه‌های اوین"
    # Direction is left to Qt's bidi handling, never forced left-to-right.
    assert not form.line("title").testAttribute(Qt.WidgetAttribute.WA_SetLayoutDirection)

    show_all(qtbot, form, "3.3")
    scope = form.text("scope_content")
    retype(qtbot, scope, "گزارش درباره گورستان\nA line in English.")
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    assert form.stored().scope_content == "گزارش درباره گورستان\nA line in English."
    persian = scope.document().firstBlock()
    assert persian.textDirection() == Qt.LayoutDirection.RightToLeft
    assert persian.next().textDirection() == Qt.LayoutDirection.LeftToRight
    # Each paragraph hangs on its own side: the Persian one starts at the right edge.
    width = scope.viewport().width()
    assert persian.layout().lineAt(0).naturalTextRect().left() > width / 2
    english = persian.next().layout().lineAt(0).naturalTextRect()
    assert english.left() < width / 2


def test_choosing_a_level_saves_it(qtbot: QtBot, form: Form) -> None:
    combo = form.tab.fields["level"].editor
    combo.setFocus()
    qtbot.keyClicks(combo, "file")
    assert form.stored().level == "item"  # saved when the field is left, like the others
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    assert form.stored().level == "file"
    assert form.stack.count() == 1
    form.stack.undo()
    assert form.stored().level == "item"
    assert form.tab.fields["level"].value() == "item"


@POPUP_WARNINGS
def test_linking_and_unlinking_a_subject(
    qtbot: QtBot, form: Form, monkeypatch: pytest.MonkeyPatch
) -> None:
    form.catalogue.terms.subject("Executions")
    form.tab.show_unit(form.unit.id)  # the subject list is read when a record is shown
    asked: list[str] = []
    monkeypatch.setattr(description_tab, "ask_new_term", lambda *args: asked.append(args[2]))

    entry = form.tab.subjects.entry
    retype(qtbot, entry, "executions")
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    assert [s.name for s in form.stored().subjects] == ["Executions"]
    assert [p.name for p in form.tab.subjects.points()] == ["Executions"]
    assert entry.text() == ""
    assert asked == []

    form.tab.subjects.list.setCurrentRow(0)
    qtbot.mouseClick(form.tab.subjects.remove_button, Qt.MouseButton.LeftButton)
    assert form.stored().subjects == ()
    assert form.tab.subjects.points() == []

    form.stack.undo()
    assert [s.name for s in form.stored().subjects] == ["Executions"]
    form.stack.undo()
    assert form.stored().subjects == ()
    assert form.tab.subjects.list.count() == 0


@POPUP_WARNINGS
def test_a_new_subject_is_created_only_when_the_person_agrees(
    qtbot: QtBot, form: Form, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: list[NewTerm | None] = [None, NewTerm("Mass graves")]
    monkeypatch.setattr(description_tab, "ask_new_term", lambda *args: answers.pop(0))
    entry = form.tab.subjects.entry
    retype(qtbot, entry, "Mass graves")
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    assert form.catalogue.terms.subjects() == []
    assert form.stored().subjects == ()

    qtbot.keyClick(entry, Qt.Key.Key_Return)
    assert [s.name for s in form.catalogue.terms.subjects()] == ["Mass graves"]
    assert [s.name for s in form.stored().subjects] == ["Mass graves"]


@POPUP_WARNINGS
def test_a_new_agent_comes_with_its_variant_names_and_role(
    qtbot: QtBot, form: Form, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        description_tab,
        "ask_new_term",
        lambda parent, what, name: NewTerm(name, "person", ("روح‌الله خمینی",)),
    )
    form.tab.agents.role.setCurrentText("mentioned")
    retype(qtbot, form.tab.agents.entry, "Ruhollah Khomeini")
    qtbot.keyClick(form.tab.agents.entry, Qt.Key.Key_Return)
    [link] = form.stored().agents
    assert (link.authorised_name, link.role) == ("Ruhollah Khomeini", "mentioned")
    [agent] = form.catalogue.agents.find("روح")
    assert [n.name for n in agent.names] == ["روح‌الله خمینی"]

    # Typing a variant name finds the same agent instead of creating another.
    monkeypatch.setattr(description_tab, "ask_new_term", lambda *args: pytest.fail("asked"))
    form.tab.agents.role.setCurrentText("subject")
    retype(qtbot, form.tab.agents.entry, "روح")
    assert "روح‌الله خمینی" in form.tab.agents.suggestions.stringList()
    retype(qtbot, form.tab.agents.entry, "روح‌الله خمینی")
    qtbot.keyClick(form.tab.agents.entry, Qt.Key.Key_Return)
    assert [(a.agent_id, a.role) for a in form.stored().agents] == [
        (agent.id, "mentioned"),
        (agent.id, "subject"),
    ]
    form.tab.agents.list.setCurrentRow(0)
    qtbot.keyClick(form.tab.agents.list, Qt.Key.Key_Delete)
    assert [a.role for a in form.stored().agents] == ["subject"]


def test_the_new_term_dialog_reads_its_fields(qtbot: QtBot) -> None:
    dialog = NewTermDialog("agent", "Amnesty")
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentText("organisation")
    type_text(qtbot, dialog.variants, "Amnesty International\n\nعفو بین‌الملل")
    assert dialog.term() == NewTerm(
        "Amnesty", "organisation", ("Amnesty International", "عفو بین‌الملل")
    )


def test_a_failed_save_says_why_and_leaves_nothing_to_undo(qtbot: QtBot, form: Form) -> None:
    form.catalogue.units.delete(form.unit.id)  # e.g. from the command line meanwhile
    retype(qtbot, form.line("title"), "Gone")
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    assert form.stack.count() == 0
    assert form.tab.error_label.isVisibleTo(form.tab)
    assert "There is no record" in form.tab.error_label.text()
    assert form.tab.unit_id is None


def test_switching_records_saves_the_field_being_typed(qtbot: QtBot, form: Form) -> None:
    other = form.catalogue.units.find("TAKEN-1")
    retype(qtbot, form.line("extent"), "1 box")
    form.tab.show_unit(other.id)
    assert form.stored().extent == "1 box"
    assert form.line("title").text() == "Another record"
    form.tab.show_unit(None)
    assert not form.line("title").isEnabled() or not form.tab.fields["title"].row.isEnabled()
    assert form.line("title").text() == ""


def test_undo_and_redo_show_the_stored_values_and_drop_a_refused_one(
    qtbot: QtBot, form: Form
) -> None:
    date = form.tab.fields["date_expression"]
    retype(qtbot, form.line("title"), "Letters from Evin prison")
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    retype(qtbot, date.editor, "1988-13")
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)  # refused: kept to fix
    assert "not a date in EDTF form" in date.message.text()

    press(qtbot, Qt.Key.Key_Z, CTRL)  # the next field has no typing: the title's save
    assert form.stored().title == "Letters from Evin"
    assert form.line("title").text() == "Letters from Evin"
    assert form.line("date_expression").text() == "1988"
    assert date.message.text() == "Means: 1988"
    assert not date.refused

    retype(qtbot, date.editor, "1988-13")
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    press(qtbot, Qt.Key.Key_Z, CTRL_SHIFT)
    assert form.line("title").text() == "Letters from Evin prison"
    assert form.line("date_expression").text() == "1988"
    assert date.message.text() == "Means: 1988"


def test_a_save_keeps_the_refused_value_of_another_field_to_fix(qtbot: QtBot, form: Form) -> None:
    date = form.tab.fields["date_expression"]
    retype(qtbot, date.editor, "1988-13")
    retype(qtbot, form.line("extent"), "4 pages")  # leaving the date: refused
    press(qtbot, Qt.Key.Key_S, CTRL)
    assert form.stored().extent == "4 pages"
    assert form.line("date_expression").text() == "1988-13"
    assert date.refused


# -- the full ISAD(G) description -------------------------------------------------------------


def shown(widget: QWidget) -> bool:
    return widget.isVisibleTo(widget.window())


def test_the_form_has_the_seven_areas_and_names_each_elements_number(form: Form) -> None:
    assert [box.title() for box in form.tab.areas.values()] == [a.name for a in AREAS]
    history = form.tab.fields["administrative_history"]
    assert history.row.toolTip() == "ISAD(G) 3.2.2 Administrative / biographical history"
    assert form.tab.creators.toolTip() == "ISAD(G) 3.2.1 Name of creator(s)"
    numbered = {e.number for a in AREAS for e in a.elements if e.number}
    tips = {w.toolTip() for w in form.tab.findChildren(QWidget) if w.toolTip()}
    assert {n for n in numbered if any(t.startswith(f"ISAD(G) {n} ") for t in tips)} == numbered


def test_empty_optional_elements_are_folded_until_shown_and_the_choice_is_kept(
    qtbot: QtBot, form: Form, ui_settings: UiSettings
) -> None:
    form.tab.remember_folding(ui_settings)
    fields = form.tab.fields
    for essential in ("reference_code", "title", "date_expression", "level", "extent"):
        assert shown(fields[essential].row)
    assert shown(form.tab.creators)
    assert not shown(fields["appraisal"].row)
    assert not shown(fields["originals_location"].row)
    toggle = form.tab.areas["3.3"].toggle
    assert toggle.text() == "Show all elements (4 more)"

    show_all(qtbot, form, "3.3")
    assert shown(fields["appraisal"].row)
    assert shown(fields["scope_content"].row)
    assert not shown(fields["originals_location"].row)  # other areas stay folded
    assert ui_settings.unfolded_description_areas() == ["3.3"]

    # Typed into, the element stays when the area is folded again; so on another record.
    retype(qtbot, form.text("appraisal"), "Kept in full.")
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert ui_settings.unfolded_description_areas() == []
    assert shown(fields["appraisal"].row)
    assert not shown(fields["accruals"].row)
    assert toggle.text() == "Show all elements (3 more)"

    other = DescriptionTab(form.catalogue, form.stack)
    qtbot.addWidget(other)
    ui_settings.set_unfolded_description_areas(["3.5"])
    other.remember_folding(ui_settings)
    other.show_unit(form.unit.id)
    assert other.fields["appraisal"].row.isVisibleTo(other)
    assert other.fields["originals_location"].row.isVisibleTo(other)
    assert not other.fields["accruals"].row.isVisibleTo(other)


def test_the_new_elements_are_typed_and_saved(qtbot: QtBot, form: Form) -> None:
    show_all(qtbot, form, "3.5")
    retype(qtbot, form.text("originals_location"), "With the family in Tehran.")
    retype(qtbot, form.text("copies_location"), "Scans at the Boroumand Center.")
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    stored = form.stored()
    assert stored.originals_location == "With the family in Tehran."
    assert stored.copies_location == "Scans at the Boroumand Center."


@POPUP_WARNINGS
def test_creators_are_typed_as_names_and_listed_apart_from_other_names(
    qtbot: QtBot, form: Form, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        description_tab, "ask_new_term", lambda parent, what, name: NewTerm(name, "organisation")
    )
    entry = form.tab.creators.entry
    assert not form.tab.creators.role.isVisibleTo(form.tab)  # the role is "creator"
    retype(qtbot, entry, "Mothers of Khavaran")
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    [link] = form.stored().agents
    assert (link.authorised_name, link.role) == ("Mothers of Khavaran", "creator")
    assert [p.name for p in form.tab.creators.points()] == ["Mothers of Khavaran"]
    assert form.tab.creators.list.item(0).text() == "Mothers of Khavaran"
    assert form.tab.agents.points() == []  # the access points list the other roles

    # The same agent named elsewhere is found, not made again, in another role.
    monkeypatch.setattr(description_tab, "ask_new_term", lambda *args: pytest.fail("asked"))
    form.tab.agents.role.setCurrentText("subject")
    retype(qtbot, form.tab.agents.entry, "mothers of khavaran")
    qtbot.keyClick(form.tab.agents.entry, Qt.Key.Key_Return)
    assert sorted(a.role for a in form.stored().agents) == ["creator", "subject"]
    assert [p.label for p in form.tab.agents.points()] == ["Mothers of Khavaran (subject)"]

    form.tab.creators.list.setCurrentRow(0)
    form.tab.creators.list.setFocus()
    qtbot.keyClick(form.tab.creators.list, Qt.Key.Key_Delete)
    assert [a.role for a in form.stored().agents] == ["subject"]
    assert form.tab.creators.points() == []


def test_the_source_address_is_a_link_opened_only_when_clicked(
    qtbot: QtBot, form: Form, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    address = "https://example.org/khavaran?from=archive"
    form.catalogue.units.update(form.unit.id, {"source_url": address})
    form.tab.show_unit(form.unit.id)
    field = form.tab.fields["source_url"]
    link = form.tab.findChild(QLabel, "source_url_link")
    assert link is not None
    assert shown(field.row)  # in the identity statement, folded or not: it has a value
    assert shown(link)
    assert opened == []  # never loaded by itself

    qtbot.mouseClick(link, Qt.MouseButton.LeftButton, pos=QPoint(4, link.height() // 2))
    assert [url.toString() for url in opened] == [address]

    retype(qtbot, field.editor, "javascript:alert(1)")
    assert not shown(link)


def test_tab_goes_down_the_form_and_keeps_the_field_in_view(qtbot: QtBot, form: Form) -> None:
    for area in ("3.2", "3.3", "3.4", "3.5", "3.6", "3.7"):
        show_all(qtbot, form, area)
    page = form.tab.scroll_area.widget()
    assert page is not None
    viewport = form.tab.scroll_area.viewport()
    first = form.line("reference_code")
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    tops: list[int] = []
    visited: list[str] = []
    focused = QApplication.focusWidget()
    while focused is not None and page.isAncestorOf(focused):
        tops.append(focused.mapTo(page, QPoint(0, 0)).y())
        visited.append(focused.objectName())
        corner = focused.mapTo(viewport, QPoint(0, focused.height() // 2))
        assert viewport.rect().contains(corner), focused.objectName()
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        if focused is first:
            break
    assert tops == sorted(tops)
    assert visited.index("title") < visited.index("creator_entry")
    assert visited.index("creator_entry") < visited.index("administrative_history")
    assert visited.index("agent_entry") < visited.index("archivist_note")
    assert visited[-1] == "area_3.7_all"
