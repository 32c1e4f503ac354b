"""A new archivist's first day in the window, from the keyboard alone: import documents at
the top level, find them under All records, batch-edit two of them, turn to the second page
of a PDF in its preview, and export an AtoM CSV whose archival history holds the custody
events. Also: the keyboard goes back where it was once a dialog closes."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.services.browse import View
from catalog_app.ui import main_window as main_window_module
from catalog_app.ui.batch_edit import BatchEditDialog
from catalog_app.ui.export_dialog import ExportDialog
from catalog_app.ui.import_dialog import ImportDialog
from catalog_app.ui.main_window import MainWindow
from tests.documents import ENGLISH, html_page
from tests.preview_documents import GREEN, coloured_pdf, near

D = TypeVar("D", bound=QDialog)
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
MOST_TABS = 12  # more presses of Tab than any widget here is away from the last


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "the keyboard is nowhere: keys go nowhere"
    return widget


def _key(
    qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """Press a key where the keyboard is, as a person does."""
    qtbot.keyClick(_focused(), key, modifier)


def _type(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(_focused(), text)


def _tab_to(qtbot: QtBot, widget: QWidget) -> None:
    """Press Tab until `widget` has the keyboard."""
    for _ in range(MOST_TABS):
        if widget.hasFocus():
            return
        _key(qtbot, Qt.Key.Key_Tab)
    assert widget.hasFocus(), f"Tab never reaches {widget.objectName() or widget}"


@contextmanager
def _answering(kind: type[D], answer: Callable[[D], None]) -> Iterator[list[D]]:
    """Answer the next dialog of `kind` with `answer` (keys) once it is shown and has the
    keyboard. A modal dialog runs its own event loop inside the key press that opens it, so
    a timer keeps looking for it meanwhile; the dialogs answered are listed."""
    answered: list[D] = []
    timer = QTimer()
    timer.setInterval(20)

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        focused = QApplication.focusWidget()
        if not isinstance(dialog, kind) or focused is None or focused.window() is not dialog:
            return
        timer.stop()
        answered.append(dialog)
        try:
            answer(dialog)
        except BaseException:
            dialog.reject()  # a failed answer must not leave the test waiting on the dialog
            raise

    timer.timeout.connect(look)
    timer.start()
    try:
        yield answered
    finally:
        timer.stop()


class WindowsShown(QObject):
    """Records the names of the windows of their own (top-level widgets) shown meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            self.shown.append(f"{type(watched).__name__} {watched.objectName()}".strip())
        return False

    def others(self) -> list[str]:
        """Those that are neither a dialog nor a menu."""
        return [name for name in self.shown if not name.endswith(("Dialog", "Menu"))]


@pytest.fixture
def windows_shown() -> Iterator[WindowsShown]:
    recorder = WindowsShown()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(recorder)
    yield recorder
    app.removeEventFilter(recorder)


@pytest.fixture
def documents(tmp_path: Path) -> list[Path]:
    """A day's first documents: a plain text, a captured web page and a scanned statement
    of three pages, the second green."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    note = folder / "note.txt"
    note.write_text(f"Notes from the visit\n\n{ENGLISH}", encoding="utf-8")
    page = folder / "capture.html"
    page.write_bytes(html_page(title="Families gather at Khavaran"))
    return [note, page, coloured_pdf(folder / "statement.pdf")]


@pytest.fixture
def empty_window(
    qtbot: QtBot,
    window: MainWindow,
    catalogue: Catalogue,
    documents: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> MainWindow:
    """The window on a new, empty catalogue, with the keyboard; File → Import Files… picks
    the documents."""
    monkeypatch.setattr(main_window_module, "choose_import_paths", lambda *_a, **_k: documents)
    path = catalogue.path
    catalogue.close()
    assert window.open_catalogue(path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.tree)
    return window


def _import(qtbot: QtBot, window: MainWindow) -> ImportDialog:
    """Ctrl+I, wait for the import to finish, Return closes its summary."""
    _key(qtbot, Qt.Key.Key_I, CTRL)
    dialog = window.import_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.is_finished, timeout=60_000)
    assert dialog.report is not None
    assert dialog.report.count("imported") == 3
    qtbot.waitUntil(lambda: _focused().window() is dialog)
    _key(qtbot, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    return dialog


def _listed(window: MainWindow) -> list[int]:
    return [window.records.unit_id(row) for row in range(window.records.rowCount())]


def test_opening_a_catalogue_leaves_the_keyboard_in_the_window(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, windows_shown: WindowsShown
) -> None:
    """No part of the record's tabs is a window of its own for a moment (which takes the
    keyboard from the main window), nor is the keyboard given to the hidden lock screen."""
    path = catalogue.path
    catalogue.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert window.open_catalogue(path)
    assert windows_shown.others() == []
    assert _focused().isVisible()


def test_the_keyboard_goes_back_to_the_tree_once_the_import_dialog_closes(
    qtbot: QtBot, empty_window: MainWindow
) -> None:
    _import(qtbot, empty_window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is empty_window.tree)
    assert empty_window.isActiveWindow()


@pytest.fixture
def listing(qtbot: QtBot, empty_window: MainWindow) -> MainWindow:
    """The window listing the documents imported, the keyboard in the list."""
    window = empty_window
    _import(qtbot, window)
    qtbot.waitUntil(lambda: len(_listed(window)) == 3 and not window.tasks.busy())
    _tab_to(qtbot, window.records_view)
    return window


def test_the_keyboard_goes_back_to_the_list_once_a_modal_dialog_closes(
    qtbot: QtBot, listing: MainWindow
) -> None:
    window = listing
    with _answering(BatchEditDialog, lambda dialog: _key(qtbot, Qt.Key.Key_Escape)) as seen:
        _key(qtbot, Qt.Key.Key_B, CTRL)
    assert len(seen) == 1
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.records_view)


def test_home_and_end_in_the_list_go_to_the_first_and_last_record_and_tab_leaves_it(
    qtbot: QtBot, listing: MainWindow
) -> None:
    window = listing
    listed = _listed(window)
    _key(qtbot, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: window.current_unit() == listed[2])
    _key(qtbot, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: window.current_unit() == listed[0])
    _key(qtbot, Qt.Key.Key_End, SHIFT)
    assert window.records_view.selected_ids() == listed
    assert window.current_unit() == listed[2]
    _key(qtbot, Qt.Key.Key_Tab)  # on to the record's tabs, the records chosen unchanged
    assert window.detail is not None
    assert window.detail.isAncestorOf(_focused())
    assert window.current_unit() == listed[2]
    assert window.records_view.selected_ids() == listed


def _batch_edit_to_restricted(qtbot: QtBot, dialog: BatchEditDialog) -> None:
    _tab_to(qtbot, dialog.access_box)
    _key(qtbot, Qt.Key.Key_Space)
    assert dialog.access_box.isChecked()
    _tab_to(qtbot, dialog.access)
    _type(qtbot, "restricted")
    assert dialog.access.currentText() == "restricted"
    _key(qtbot, Qt.Key.Key_Return)


def _export_atom(qtbot: QtBot, dialog: ExportDialog, output: Path) -> None:
    assert dialog.chosen_format() == "csv"
    _tab_to(qtbot, dialog.profile)
    _type(qtbot, "AtoM")
    assert dialog.profile.currentData() == "atom"
    _tab_to(qtbot, dialog.include_restricted)
    _key(qtbot, Qt.Key.Key_Space)
    assert dialog.include_restricted.isChecked()
    _tab_to(qtbot, dialog.output)
    _type(qtbot, str(output))
    _key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result_ is not None, timeout=30_000)
    _key(qtbot, Qt.Key.Key_Escape)


def test_a_first_working_day_without_the_mouse(
    qtbot: QtBot, empty_window: MainWindow, windows_shown: WindowsShown, tmp_path: Path
) -> None:
    window = empty_window
    report = _import(qtbot, window).report
    assert report is not None
    pdf_id = next(item.id for item in report.items if item.path.endswith("statement.pdf"))
    assert pdf_id is not None

    # All records lists what was imported at the top level.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.tree)
    _key(qtbot, Qt.Key.Key_Home)
    assert window.tree.currentIndex() == window.hierarchy.view_index(View.ALL)
    qtbot.waitUntil(lambda: len(_listed(window)) == 3 and not window.tasks.busy())
    assert set(_listed(window)) == set(report.new_ids)

    # The first two, batch-edited to restricted.
    _tab_to(qtbot, window.records_view)
    _key(qtbot, Qt.Key.Key_Home)
    _key(qtbot, Qt.Key.Key_Down, SHIFT)
    two = _listed(window)[:2]
    assert window.records_view.selected_ids() == two
    with _answering(BatchEditDialog, lambda d: _batch_edit_to_restricted(qtbot, d)) as edited:
        _key(qtbot, Qt.Key.Key_B, CTRL)
    assert len(edited) == 1
    catalogue = window.catalogue
    assert catalogue is not None
    qtbot.waitUntil(
        lambda: (
            not window.tasks.busy()
            and [catalogue.units.get(i).access_status for i in two] == ["restricted"] * 2
        )
    )

    # The statement's second page, in the Originals tab's preview.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.records_view)
    _key(qtbot, Qt.Key.Key_Home)
    for _ in range(2):
        if window.current_unit() == pdf_id:
            break
        _key(qtbot, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.current_unit() == pdf_id)
    pane = window.detail
    assert pane is not None
    _tab_to(qtbot, pane.tabBar())
    for _ in range(pane.count()):
        if pane.currentWidget() is pane.originals:
            break
        _key(qtbot, Qt.Key.Key_Right)
    assert pane.currentWidget() is pane.originals
    preview = pane.originals.preview
    qtbot.waitUntil(lambda: preview.pages == 3, timeout=30_000)
    _tab_to(qtbot, preview.canvas)
    with qtbot.waitSignal(preview.shown, timeout=30_000):
        _key(qtbot, Qt.Key.Key_PageDown)
    assert preview.page_index == 1
    pixmap = preview.canvas.pixmap()
    assert pixmap is not None
    image = pixmap.toImage()
    centre = image.pixelColor(image.width() // 2, image.height() // 2)
    assert near((centre.red(), centre.green(), centre.blue()), GREEN)

    # An AtoM CSV of the whole catalogue, restricted records too.
    output = tmp_path / "finding-aid.csv"
    with _answering(ExportDialog, lambda d: _export_atom(qtbot, d, output)) as exported:
        _key(qtbot, Qt.Key.Key_E, CTRL)
    assert len(exported) == 1
    assert exported[0].result_ is not None
    assert exported[0].result_.records == 3
    with output.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3
    statement = next(row for row in rows if "statement" in row["title"])
    history = statement["archivalHistory"]
    assert "Custody events recorded in the catalogue" in history
    assert "ingestion" in history
    qtbot.waitUntil(lambda: QApplication.focusWidget() is preview.canvas)
    assert windows_shown.others() == []  # nothing took the keyboard on the way
