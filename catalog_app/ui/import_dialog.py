"""Importing files from the window: a progress dialog that never freezes the window, a
cancel button, and a summary of what was imported, already there, or could not be read.

The import is a write on the window's operations lane (its one writer thread)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from catalog_app.domain.records import ImportItem, ImportReport
from catalog_app.services import Catalogue
from catalog_app.ui.changes import Changes, counted
from catalog_app.ui.operations import Operations, Outcome, Report, TaskHandle, WriteOp

STOPPED = "The import could not go on: {reason} Files imported before that stay in the catalogue."
# Rates measured over less time than this jump about too much to show.
MIN_RATE_SECONDS = 0.5


# -- wording -------------------------------------------------------------------------------


def _files(count: int) -> str:
    return counted(count, "file")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def progress_text(done: int, total: int, elapsed: float) -> str:
    """E.g. "412 of 1,000 files · 37 files/s · about 16 s left"."""
    text = f"{done:,} of {_files(total)}"
    if done <= 0 or elapsed < MIN_RATE_SECONDS:
        return text
    rate = done / elapsed
    text += f" · {rate:,.0f} files/s" if rate >= 10 else f" · {rate:.1f} files/s"
    if done < total:
        text += f" · about {_duration((total - done) / rate)} left"
    return text


def summary_headline(report: ImportReport) -> str:
    handled = len(report.items)
    if report.cancelled:
        return (
            f"Import cancelled after {_files(handled)}. What was imported stays in the "
            "catalogue; import the same files again to finish (those already imported are "
            "recognised and not added twice)."
        )
    if not handled:
        return "There were no files to import."
    return f"Import finished: {_files(handled)} looked at."


# -- the summary table ---------------------------------------------------------------------


class ProblemsModel(QAbstractTableModel):
    """The duplicate and failed files of an import, with the reason for each."""

    HEADERS = ("File", "Outcome", "Reason")
    OUTCOMES: ClassVar[dict[str, str]] = {"duplicate": "Already catalogued", "failed": "Failed"}

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[ImportItem] = []

    def set_items(self, items: list[ImportItem]) -> None:
        self.beginResetModel()
        self._items = items
        self.endResetModel()

    def item(self, row: int) -> ImportItem:
        return self._items[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        item = self._items[index.row()]
        column = index.column()
        if column == 0:
            return item.path
        if column == 1:
            return self.OUTCOMES.get(item.outcome, item.outcome)
        return item.reason or ""

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


# -- the dialog ----------------------------------------------------------------------------


class ImportDialog(QDialog):
    """Imports `paths` under the record `parent_unit_id` (None: the top level) when first
    shown (or on `start()`), then shows a summary.

    Not modal by default: the window stays usable while the import runs, as a write on
    `operations`, whose `changed` then carries the new records (also when it was cancelled,
    for what was imported until then), as does `imported`. `report` holds the service's
    ImportReport once it is known, `error` the message shown if the import failed.
    """

    imported = Signal(list)

    def __init__(
        self,
        catalogue: Catalogue,
        paths: list[Path],
        parent_unit_id: int | None,
        parent: QWidget | None = None,
        *,
        operations: Operations,
        recursive: bool = True,
        workers: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import")
        self.report: ImportReport | None = None
        self.error: str | None = None
        self._operations = operations
        self._catalogue = catalogue
        self._paths = list(paths)
        self._parent_unit_id = parent_unit_id
        self._recursive = recursive
        self._workers = workers
        self._handle: TaskHandle | None = None
        self._started_at: float | None = None
        self._running = False

        self.progress_page = self._progress_page()
        self.summary_page = self._summary_page()
        self.summary_page.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress_page)
        layout.addWidget(self.summary_page)
        self.resize(560, 130)

    def _progress_page(self) -> QWidget:
        page = QWidget()
        self.progress_label = QLabel("Looking for files…")
        self.progress_label.setObjectName("progress")
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 0)  # busy until the number of files is known
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress_bar)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _summary_page(self) -> QWidget:
        page = QWidget()
        self.headline = QLabel()
        self.headline.setObjectName("headline")
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.imported_label = QLabel()
        self.duplicate_label = QLabel()
        self.failed_label = QLabel()
        self.skipped_label = QLabel()
        self.counts = QWidget()
        counts = self._counts_layout = QFormLayout(self.counts)
        counts.setContentsMargins(0, 0, 0, 0)
        counts.addRow("Imported:", self.imported_label)
        counts.addRow("Already in the catalogue:", self.duplicate_label)
        counts.addRow("Failed:", self.failed_label)
        counts.addRow("System files skipped:", self.skipped_label)

        self.problems = ProblemsModel(self)
        self.problems_view = QTableView()
        self.problems_view.setModel(self.problems)
        self.problems_view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.problems_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.problems_view.setWordWrap(False)
        self.problems_view.verticalHeader().hide()
        header = self.problems_view.horizontalHeader()
        header.setStretchLastSection(True)
        header.resizeSection(0, 300)
        # Sized from the two labels rather than fitted to the rows: there may be thousands.
        outcome_width = max(
            self.problems_view.fontMetrics().horizontalAdvance(label)
            for label in ProblemsModel.OUTCOMES.values()
        )
        header.resizeSection(1, outcome_width + 24)
        self.problems_view.verticalHeader().setDefaultSectionSize(
            self.problems_view.fontMetrics().height() + 8
        )

        self.close_button = QPushButton("Close")
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.headline)
        layout.addWidget(self.counts)
        layout.addWidget(self.problems_view, 1)
        layout.addLayout(buttons)
        return page

    # -- running ---------------------------------------------------------------------------

    def is_running(self) -> bool:
        return self._running

    def is_finished(self) -> bool:
        """The import ended (completed, cancelled or failed) and the summary is showing."""
        return self.report is not None or self.error is not None

    def start(self) -> None:
        """Start the import (once; showing the dialog starts it too)."""
        if self._started_at is not None:
            return
        self._started_at = time.monotonic()
        self._running = True
        self._handle = (
            WriteOp(self._import)
            .success(self._show_report)
            .failure(self._show_failure)
            .progress(self._show_progress)
            .run_in_background(self._operations)
        )

    def _import(self, report: Report) -> Outcome[ImportReport]:
        """On the writer thread: the import, and what it added."""
        collection = None
        if self._parent_unit_id is not None:
            collection = self._catalogue.units.get(self._parent_unit_id).reference_code
        done = self._catalogue.imports.run(
            self._paths,
            collection=collection,
            recursive=self._recursive,
            report=report,
            workers=self._workers,
        )
        new = list(done.new_ids)
        said = f"{_files(len(new))} imported"
        return Outcome(done, Changes.of(said, added=new, focus=new[-1] if new else None))

    def _cancelled(self) -> bool:
        return self._handle is not None and self._handle.cancelled

    def cancel(self) -> None:
        """Stop at the service's next progress report; what was imported stays."""
        if not self._running or self._handle is None:
            return
        self._handle.cancel()
        self.cancel_button.setEnabled(False)
        self.progress_label.setText("Cancelling…")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.start()

    def _show_progress(self, done: int, total: int) -> None:
        if not self._running or self._cancelled():
            return  # after Cancel, keep saying so
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        elapsed = time.monotonic() - (self._started_at or time.monotonic())
        self.progress_label.setText(progress_text(done, total, elapsed))

    def _show_report(self, report: ImportReport) -> None:
        self._running = False
        self.report = report
        self.headline.setText(summary_headline(report))
        self.imported_label.setText(f"{report.count('imported'):,}")
        self.duplicate_label.setText(f"{report.count('duplicate'):,}")
        self.failed_label.setText(f"{report.count('failed'):,}")
        self.skipped_label.setText(f"{len(report.skipped):,}")
        self._counts_layout.setRowVisible(self.skipped_label, bool(report.skipped))
        problems = [i for i in report.items if i.outcome in ProblemsModel.OUTCOMES]
        self.problems.set_items(problems)
        self.problems_view.setVisible(bool(problems))
        self._show_summary()
        self.imported.emit(report.new_ids)

    def _show_failure(self, message: str) -> None:
        """One plain line (the details of a bug are in the log file)."""
        self._running = False
        self.error = STOPPED.format(reason=message)
        self.headline.setText(self.error)
        self.counts.hide()
        self.problems_view.hide()
        self._show_summary()

    def _show_summary(self) -> None:
        self.progress_page.hide()
        self.summary_page.show()
        self.close_button.setFocus()
        if self.problems_view.isVisibleTo(self):
            self.resize(max(self.width(), 860), max(self.height(), 440))
        else:
            self.adjustSize()

    # -- closing ---------------------------------------------------------------------------

    def reject(self) -> None:
        """Escape while importing cancels the import; the dialog stays to show the summary."""
        if self._running:
            self.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._running:
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)


def choose_import_paths(
    parent: QWidget | None, *, folder: bool = False, start_dir: str = ""
) -> list[Path]:
    """Ask for files to import, or (`folder`) one folder; empty when the person cancels."""
    if folder:
        chosen = QFileDialog.getExistingDirectory(parent, "Import Folder", start_dir)
        return [Path(chosen)] if chosen else []
    names, _ = QFileDialog.getOpenFileNames(
        parent,
        "Import Files",
        start_dir,
        "Documents (*.txt *.md *.html *.htm *.pdf *.docx *.png *.jpg *.jpeg *.tif *.tiff);;"
        "All files (*)",
    )
    return [Path(name) for name in names]
