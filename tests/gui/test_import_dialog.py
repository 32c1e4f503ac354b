"""Importing from the window as a person would: choose or drop files, watch the progress,
cancel, and read the summary."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from catalog_app.ingest.prepare import PLAIN, ImportTask, Prepared, TaskKeys, prepare
from catalog_app.services import Catalogue
from catalog_app.services import ingest as ingest_service
from catalog_app.ui.changes import Changes
from catalog_app.ui.drop import FileDropTarget, paths_from_mime
from catalog_app.ui.import_dialog import ImportDialog, choose_import_paths, progress_text
from catalog_app.ui.operations import INTERNAL_ERROR, Operations
from tests.documents import ENGLISH, html_page

StartImport = Callable[..., ImportDialog]


@pytest.fixture
def lane(catalogue: Catalogue) -> Iterator[Operations]:
    """The window's operations lane, whose writer runs the imports; emptied before the
    catalogue closes."""
    operations = Operations()
    yield operations
    operations.wait_for_done()


@pytest.fixture
def start_import(qtbot: QtBot, catalogue: Catalogue, lane: Operations) -> StartImport:
    def start(
        paths: list[Path],
        parent_unit_id: int | None = None,
        *,
        workers: int | None = None,
        into: Catalogue | None = None,
    ) -> ImportDialog:
        dialog = ImportDialog(
            into or catalogue, paths, parent_unit_id, operations=lane, workers=workers
        )
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return start


def _wait_for_summary(qtbot: QtBot, dialog: ImportDialog) -> None:
    qtbot.waitUntil(dialog.is_finished, timeout=30_000)
    assert dialog.summary_page.isVisible()
    assert not dialog.progress_page.isVisible()


def _documents(folder: Path, count: int, *, word: str = "palimpsest") -> list[Path]:
    folder.mkdir(exist_ok=True)
    made = []
    for number in range(count):
        if number % 4 == 3:
            path = folder / f"page{number:03d}.html"
            path.write_bytes(html_page(title=f"Page {number} {word}"))
        else:
            path = folder / f"doc{number:03d}.txt"
            path.write_text(f"Document {number} {word}\n\n{ENGLISH}", encoding="utf-8")
        made.append(path)
    return made


def _problem_rows(dialog: ImportDialog) -> list[tuple[str, str, str]]:
    model = dialog.problems
    return [
        (
            str(model.index(row, 0).data()),
            str(model.index(row, 1).data()),
            str(model.index(row, 2).data()),
        )
        for row in range(model.rowCount(QModelIndex()))
    ]


def test_progress_shows_files_done_rate_and_time_left() -> None:
    assert progress_text(412, 1000, 412 / 37) == "412 of 1,000 files · 37 files/s · about 16 s left"
    assert progress_text(3, 600, 2.0) == "3 of 600 files · 1.5 files/s · about 7 min left"
    assert progress_text(0, 1, 0.0) == "0 of 1 file"
    assert progress_text(10, 10, 1.0) == "10 of 10 files · 10 files/s"


def test_an_imported_folder_is_summarised_and_its_records_are_in_the_catalogue(
    qtbot: QtBot, catalogue: Catalogue, start_import: StartImport, tmp_path: Path
) -> None:
    fonds = catalogue.units.create({"title": "Press cuttings", "level": "fonds"})
    _documents(tmp_path / "incoming", 20)
    new_ids: list[list[int]] = []

    # Enough files for worker processes, started from a thread of a Qt program.
    dialog = start_import([tmp_path / "incoming"], fonds.id, workers=2)
    dialog.imported.connect(new_ids.append)
    _wait_for_summary(qtbot, dialog)

    assert dialog.progress_label.text().startswith("20 of 20 files")
    assert dialog.headline.text() == "Import finished: 20 files looked at."
    assert (dialog.imported_label.text(), dialog.duplicate_label.text()) == ("20", "0")
    assert dialog.failed_label.text() == "0"
    assert dialog.problems.rowCount(QModelIndex()) == 0
    assert not dialog.problems_view.isVisible()
    assert dialog.report is not None
    assert new_ids == [dialog.report.new_ids]
    assert len(new_ids[0]) == 20
    records = [catalogue.units.get(unit_id) for unit_id in new_ids[0]]
    assert {r.parent_id for r in records} == {fonds.id}
    assert "Page 3 palimpsest" in {r.title for r in records}
    assert catalogue.search.count("palimpsest") == 20

    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_importing_the_same_files_again_lists_them_as_duplicates(
    qtbot: QtBot, start_import: StartImport, tmp_path: Path
) -> None:
    files = _documents(tmp_path / "incoming", 3)
    first = start_import(files, workers=1)
    _wait_for_summary(qtbot, first)
    assert first.report is not None
    codes = {item.path: item.reference_code for item in first.report.items}

    again = start_import(files, workers=1)
    _wait_for_summary(qtbot, again)

    assert (again.imported_label.text(), again.duplicate_label.text()) == ("0", "3")
    assert again.problems_view.isVisible()
    rows = _problem_rows(again)
    assert [(path, outcome) for path, outcome, _ in rows] == [
        (str(path), "Already catalogued") for path in files
    ]
    for path, _, reason in rows:
        assert reason == f"the same bytes are already catalogued as {codes[path]}"


def test_files_that_cannot_be_read_are_listed_as_failed_with_the_reason(
    qtbot: QtBot, catalogue: Catalogue, start_import: StartImport, tmp_path: Path
) -> None:
    folder = tmp_path / "incoming"
    _documents(folder, 1)
    (folder / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    (folder / "empty.txt").write_bytes(b"")

    dialog = start_import([folder, tmp_path / "never-there.txt"], workers=1)
    _wait_for_summary(qtbot, dialog)

    assert (dialog.imported_label.text(), dialog.failed_label.text()) == ("1", "3")
    reasons = {
        Path(path).name: (outcome, reason) for path, outcome, reason in _problem_rows(dialog)
    }
    assert reasons == {
        "never-there.txt": ("Failed", "no such file or folder"),
        "empty.txt": ("Failed", "the file is empty (0 bytes)"),
        "gone.txt": ("Failed", "it is a link to a file that does not exist"),
    }
    assert catalogue.stats().counts["units"] == 1


def _slow_preparation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each file takes a little while, so a cancel always lands before the end."""

    def slow(task: ImportTask, keys: TaskKeys = PLAIN) -> Prepared:
        time.sleep(0.01)
        return prepare(task, keys=keys)

    monkeypatch.setattr(ingest_service, "IN_PROCESS", True)  # where the patch reaches
    monkeypatch.setattr(ingest_service, "prepare", slow)
    monkeypatch.setattr(ingest_service, "BATCH_SIZE", 25)


def test_cancelling_stops_early_and_keeps_only_whole_records(
    qtbot: QtBot,
    catalogue: Catalogue,
    start_import: StartImport,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _slow_preparation(monkeypatch)
    _documents(tmp_path / "incoming", 300)
    dialog = start_import([tmp_path / "incoming"], workers=1)
    assert dialog.progress_label.text() == "Looking for files…"

    qtbot.waitUntil(lambda: dialog.progress_bar.value() > 0, timeout=10_000)
    assert dialog.progress_bar.maximum() == 300
    assert " of 300 files" in dialog.progress_label.text()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.progress_label.text() == "Cancelling…"
    assert not dialog.cancel_button.isEnabled()
    _wait_for_summary(qtbot, dialog)

    report = dialog.report
    assert report is not None
    assert report.cancelled
    assert dialog.headline.text().startswith("Import cancelled after ")
    imported = report.count("imported")
    assert 0 < imported < 300
    assert dialog.imported_label.text() == str(imported)
    counts = catalogue.stats().counts
    assert counts["units"] == counts["files"] == imported
    assert counts["provenance_events"] == imported  # one ingestion event each
    assert catalogue.search.count("palimpsest") == imported
    assert catalogue.integrity_problems() == []


def test_escape_while_importing_cancels_instead_of_closing(
    qtbot: QtBot, start_import: StartImport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slow_preparation(monkeypatch)
    _documents(tmp_path / "incoming", 150)
    dialog = start_import([tmp_path / "incoming"], workers=1)
    qtbot.waitUntil(lambda: dialog.progress_bar.value() > 0, timeout=10_000)

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert dialog.progress_label.text() == "Cancelling…"
    _wait_for_summary(qtbot, dialog)
    assert dialog.report is not None
    assert dialog.report.cancelled

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_read_only_catalogue_is_explained_in_plain_words(
    qtbot: QtBot, catalogue: Catalogue, start_import: StartImport, tmp_path: Path
) -> None:
    files = _documents(tmp_path / "incoming", 2)
    with Catalogue.open(catalogue.path, readonly=True) as read_only:
        dialog = start_import(files, into=read_only, workers=1)
        _wait_for_summary(qtbot, dialog)

    assert dialog.report is None
    assert dialog.error is not None
    assert dialog.headline.text() == dialog.error
    assert "open read-only; nothing can be changed in it" in dialog.error
    assert not dialog.counts.isVisible()
    assert catalogue.stats().counts["units"] == 0


def test_an_unexpected_error_is_logged_and_shown_without_a_traceback(
    qtbot: QtBot,
    catalogue: Catalogue,
    start_import: StartImport,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the walker fell over")

    monkeypatch.setattr(catalogue.imports, "run", broken)
    dialog = start_import(_documents(tmp_path / "incoming", 1))
    with caplog.at_level(logging.ERROR):
        _wait_for_summary(qtbot, dialog)

    assert INTERNAL_ERROR in dialog.headline.text()
    assert "fell over" not in dialog.headline.text()
    logged = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert logged
    assert logged[0].exc_info is not None
    assert "the walker fell over" in str(logged[0].exc_info[1])


def test_a_missing_library_is_one_plain_line_and_its_details_go_to_the_log(
    qtbot: QtBot,
    catalogue: Catalogue,
    start_import: StartImport,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def without_reader(*args: object, **kwargs: object) -> None:
        raise ImportError("cannot import name 'PdfDocument' from 'pypdfium2'", name="pypdfium2")

    monkeypatch.setattr(catalogue.imports, "run", without_reader)
    dialog = start_import(_documents(tmp_path / "incoming", 1))
    with caplog.at_level(logging.ERROR):
        _wait_for_summary(qtbot, dialog)

    shown = dialog.headline.text()
    assert "\n" not in shown
    assert "reinstall Catalog" in shown
    assert "(pypdfium2)" in shown
    assert "ImportError" not in shown
    assert "cannot import name" not in shown
    logged = [r.exc_info for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
    assert logged
    assert "PdfDocument" in str(logged[0][1])


def test_what_an_import_added_reaches_the_window_through_the_lane(
    qtbot: QtBot, start_import: StartImport, lane: Operations, tmp_path: Path
) -> None:
    changes: list[Changes] = []
    lane.changed.connect(changes.append)
    dialog = start_import(_documents(tmp_path / "incoming", 3), workers=1)
    _wait_for_summary(qtbot, dialog)

    assert dialog.report is not None
    assert len(changes) == 1
    assert changes[0].added == frozenset(dialog.report.new_ids)
    assert changes[0].structure
    assert changes[0].status == "3 files imported"


def test_file_import_asks_for_files_or_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    picked = [str(tmp_path / "a.txt"), str(tmp_path / "b.html")]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *args: (picked, "All files (*)"))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(tmp_path))
    assert choose_import_paths(None) == [Path(p) for p in picked]
    assert choose_import_paths(None, folder=True) == [tmp_path]

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *args: ([], ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: "")
    assert choose_import_paths(None) == []
    assert choose_import_paths(None, folder=True) == []


# -- drag and drop ---------------------------------------------------------------------------


def _mime(*urls: QUrl) -> QMimeData:
    mime = QMimeData()
    mime.setUrls(list(urls))
    return mime


def _drag_onto(widget: QWidget, mime: QMimeData) -> bool:
    """Drag `mime` over `widget` and drop it, as the window system would; whether the
    widget took the drag."""
    centre = QPointF(widget.rect().center())
    enter = QDragEnterEvent(  # a QPoint here, a QPointF for the drop (Qt's own signatures)
        widget.rect().center(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(
        centre,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


def test_only_local_files_are_taken_from_a_drag(tmp_path: Path) -> None:
    mime = _mime(
        QUrl.fromLocalFile(str(tmp_path / "a.txt")),
        QUrl("https://example.org/page.html"),
        QUrl.fromLocalFile(str(tmp_path / "folder")),
        QUrl.fromLocalFile(str(tmp_path / "a.txt")),
    )
    assert paths_from_mime(mime) == [tmp_path / "a.txt", tmp_path / "folder"]
    text = QMimeData()
    text.setText("just words")
    assert paths_from_mime(text) == []
    assert paths_from_mime(None) == []


def test_a_widget_with_a_drop_target_takes_dropped_files(qtbot: QtBot, tmp_path: Path) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.resize(200, 100)
    dropped: list[list[Path]] = []
    target = FileDropTarget(widget, dropped.append)
    assert widget.acceptDrops()

    assert _drag_onto(widget, _mime(QUrl.fromLocalFile(str(tmp_path / "a.txt"))))
    assert dropped == [[tmp_path / "a.txt"]]

    assert not _drag_onto(widget, _mime(QUrl("https://example.org/page.html")))
    target.set_enabled(False)
    assert not _drag_onto(widget, _mime(QUrl.fromLocalFile(str(tmp_path / "b.txt"))))
    assert dropped == [[tmp_path / "a.txt"]]


def test_files_dropped_on_a_window_are_imported(
    qtbot: QtBot, catalogue: Catalogue, start_import: StartImport, tmp_path: Path
) -> None:
    files = _documents(tmp_path / "incoming", 2)
    window = QWidget()
    qtbot.addWidget(window)
    dialogs: list[ImportDialog] = []
    FileDropTarget(window, lambda paths: dialogs.append(start_import(paths, workers=1)))

    assert _drag_onto(window, _mime(*(QUrl.fromLocalFile(str(p)) for p in files)))
    assert len(dialogs) == 1
    _wait_for_summary(qtbot, dialogs[0])
    assert dialogs[0].imported_label.text() == "2"
    assert catalogue.search.count("palimpsest") == 2
