"""Verifying the originals from the window: when the store was last proven and what failed,
in the status bar and in File → Verify Originals, with a run in the background.

A run goes through the window's one runner in steps: the run is started (a write), the
originals still to check are read, then chunk by chunk they are hashed on the reader pool
and the chunk's fixity-check events written on the writer pool. Cancel stops the chunk being
hashed at its next progress report; what was checked is recorded, and the next run carries on.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from catalog_app.domain.fixity import FixityProblem, FixityReport, StoredOriginal
from catalog_app.services import Catalogue
from catalog_app.services.fixity import BATCH, FixityRun, FixityService
from catalog_app.services.rehash import Checked
from catalog_app.ui.tasks import Report, TaskHandle, TaskRunner

NEVER = "Originals never verified"
FAILED_COLOUR = "#b00020"


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def summary_line(report: FixityReport | None) -> str:
    """E.g. "Originals verified 2026-12-03 14:02: 12,000 intact" for the status bar."""
    if report is None:
        return NEVER
    if report.finished_at is None:
        return f"Verification stopped after {report.checked:,} originals"
    when = _when(report.finished_at)
    if not report.problems:
        return f"Originals verified {when}: {report.ok:,} intact"
    parts = [
        f"{len(items):,} {word}"
        for items, word in (
            (report.missing, "missing"),
            (report.altered, "altered"),
            (report.orphaned, "orphaned"),
        )
        if items
    ]
    return f"Originals verified {when}: " + ", ".join(parts)


class VerifyJob(QObject):
    """One verification run carried out through the runner's lanes."""

    progress = Signal(int, int)
    finished = Signal(object)  # FixityReport
    failed = Signal(str)

    def __init__(self, catalogue: Catalogue, runner: TaskRunner, parent: QObject) -> None:
        super().__init__(parent)
        self._service: FixityService = catalogue.fixity
        self._runner = runner
        self._readonly = catalogue.readonly
        self._run: FixityRun | None = None
        self._todo: list[StoredOriginal] = []
        self._next = 0
        self._done = 0
        self._total = 0
        self._began = 0.0
        self._handle: TaskHandle | None = None
        self._stopping = False
        self._abandoned = False
        self.running = False

    def start(self) -> None:
        self.running, self._began = True, time.monotonic()
        self._runner.run(self._service.start, self._started, self._fail, write=not self._readonly)

    def cancel(self) -> None:
        """Stop after recording what was checked; `finished` brings the partial report."""
        self._stopping = True
        if self._handle is not None:
            self._handle.cancel()

    def abandon(self) -> None:
        """The catalogue is closing: stop, and deliver nothing more."""
        self._abandoned = True
        self.cancel()

    def _started(self, run: FixityRun) -> None:
        if self._abandoned:
            return
        self._run = run

        def todo() -> tuple[list[StoredOriginal], int]:
            return self._service.pending(run), self._service.checked_count(run)

        self._runner.run(todo, self._pending_known, self._fail)

    def _pending_known(self, found: tuple[list[StoredOriginal], int]) -> None:
        self._todo, self._done = found
        self._total = self._done + len(self._todo)
        self.progress.emit(self._done, self._total)
        self._check_next()

    def _check_next(self) -> None:
        if self._abandoned:
            return
        run = self._run
        assert run is not None
        seconds = time.monotonic() - self._began
        if self._done >= self._total:
            self._runner.run(
                lambda: self._service.finish(run, seconds=seconds),
                self._finish,
                self._fail,
                write=not self._readonly,
            )
            return
        if self._stopping:
            self._runner.run(
                lambda: self._service.report_of(run, seconds=seconds), self._finish, self._fail
            )
            return
        chunk = self._todo[self._next : self._next + BATCH]
        self._next += len(chunk)
        done, total = self._done, self._total

        def check(report: Report) -> tuple[list[Checked], bool]:
            results: list[Checked] = []
            going = self._service.check(chunk, report, done=done, total=total, into=results)
            return results, going

        self._handle = self._runner.run_reporting(
            check, self._checked, self._fail, self._progressed
        )

    def _progressed(self, done: int, total: int) -> None:
        if not self._abandoned:
            self.progress.emit(done, total)

    def _checked(self, outcome: tuple[list[Checked], bool]) -> None:
        self._handle = None
        if self._abandoned:
            return
        results, going = outcome
        if not going:
            self._stopping = True
        run = self._run
        assert run is not None

        def recorded(_: object) -> None:
            self._done += len(results)
            self._check_next()

        self._runner.run(
            lambda: self._service.record(run, results),
            recorded,
            self._fail,
            write=not self._readonly,
        )

    def _finish(self, report: FixityReport) -> None:
        self.running = False
        if not self._abandoned:
            self.finished.emit(report)

    def _fail(self, message: str) -> None:
        self.running = False
        if not self._abandoned:
            self.failed.emit(message)


def _problem_item(problem: FixityProblem) -> QTreeWidgetItem:
    if problem.actual_sha256 is not None:
        detail = (
            f"SHA-256 now {problem.actual_sha256[:12]}…, recorded {problem.expected_sha256[:12]}…"
        )
    else:
        gone = "is missing" in problem.reason
        detail = ("not in the store" if gone else "cannot be read") + (
            f"; recorded SHA-256 {problem.expected_sha256[:12]}…"
        )
    shown = Path(problem.stored_path).name if problem.stored_path else "(none recorded)"
    item = QTreeWidgetItem(
        [problem.kind, problem.reference_code, problem.original_name, shown, detail]
    )
    item.setToolTip(3, problem.stored_path or "")
    item.setToolTip(4, problem.reason)
    return item


class VerifyDialog(QDialog):
    """The last run's outcome and its failures; Verify Now runs a new (or unfinished) one."""

    start_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Verify Originals")
        self.resize(820, 420)
        self.last_label = QLabel(NEVER)
        self.last_label.setObjectName("last_verified")
        self.last_label.setWordWrap(True)
        explanation = QLabel(
            "Every stored original is read again and compared with the SHA-256 recorded when "
            "it was imported. Each check is written to the record's provenance. A stopped run "
            "carries on where it stopped."
        )
        explanation.setWordWrap(True)
        self.failures = QTreeWidget()
        self.failures.setObjectName("failures")
        self.failures.setHeaderLabels(["Problem", "Record", "Original", "Stored copy", "Detail"])
        self.failures.setRootIsDecorated(False)
        self.failures.setUniformRowHeights(True)
        self.progress = QProgressBar()
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.verify_button = QPushButton("&Verify Now")
        self.verify_button.clicked.connect(self.start_requested)
        self.stop_button = QPushButton("&Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.cancel_requested)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.verify_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.stop_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.last_label)
        layout.addWidget(explanation)
        layout.addWidget(self.failures, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.verify_button.setDefault(True)  # only once it is in the dialog

    def show_report(self, report: FixityReport | None) -> None:
        self.last_label.setText(summary_line(report) + ".")
        failing = report is not None and report.problems > 0
        self.last_label.setStyleSheet(f"color: {FAILED_COLOUR};" if failing else "")
        self.failures.clear()
        if report is None:
            return
        items = [_problem_item(p) for p in (*report.missing, *report.altered)]
        for orphan in report.orphaned:
            why = "left by an interrupted import" if orphan.temporary else "no record refers to it"
            item = QTreeWidgetItem(["orphaned", "", "", Path(orphan.stored_path).name, why])
            item.setToolTip(3, orphan.stored_path)
            items.append(item)
        self.failures.addTopLevelItems(items)

    def set_running(self, running: bool) -> None:
        self.verify_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, 0)
            self.status.setText("Verifying…")

    def show_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(f"{done:,} of {total:,} originals checked")


class VerifyPanel(QObject):
    """Owns the status bar's verification label, the dialog and the running job."""

    def __init__(self, window: QWidget, runner: TaskRunner) -> None:
        super().__init__(window)
        self._window = window
        self._runner = runner
        self._catalogue: Catalogue | None = None
        self._job: VerifyJob | None = None
        self.label = QLabel()
        self.label.setObjectName("verification")
        self.dialog = VerifyDialog(window)
        self.dialog.start_requested.connect(self.start)
        self.dialog.cancel_requested.connect(self.cancel)

    def set_catalogue(self, catalogue: Catalogue | None) -> None:
        self.stop()
        self._catalogue = catalogue
        self.label.clear()
        self.dialog.show_report(None)
        self.dialog.status.clear()
        self.dialog.verify_button.setEnabled(catalogue is not None)
        if catalogue is not None:
            self._runner.run(catalogue.fixity.last, self._show_last, self._show_failure)

    def show_dialog(self) -> None:
        if self._catalogue is None:
            return
        self.dialog.show()
        self.dialog.activateWindow()

    def running(self) -> bool:
        return self._job is not None

    def start(self) -> None:
        catalogue = self._catalogue
        if catalogue is None or self._job is not None:
            return
        job = VerifyJob(catalogue, self._runner, self)
        job.progress.connect(self._progressed)
        job.finished.connect(self._finished)
        job.failed.connect(self._failed)
        self._job = job
        self.dialog.set_running(True)
        self.label.setText("Verifying originals…")
        job.start()

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.dialog.status.setText("Stopping after recording what was checked…")

    def stop(self) -> None:
        """Before the catalogue closes: a running job gives up and reports nothing."""
        if self._job is not None:
            self._job.abandon()
            self._job = None
            self.dialog.set_running(False)

    def _show_last(self, report: FixityReport | None) -> None:
        self.label.setText(summary_line(report))
        self.dialog.show_report(report)

    def _show_failure(self, message: str) -> None:
        self.label.setText("")
        self.dialog.status.setText(message)

    def _progressed(self, done: int, total: int) -> None:
        self.dialog.show_progress(done, total)
        self.label.setText(f"Verifying originals: {done:,} of {total:,}")

    def _finished(self, report: FixityReport) -> None:
        self._job = None
        self.dialog.set_running(False)
        self.dialog.show_report(report)
        self.label.setText(summary_line(report))
        if not report.complete:
            self.dialog.status.setText(
                f"Stopped after {report.checked:,} originals; Verify Now carries on."
            )
        elif not report.recorded:
            self.dialog.status.setText(
                "The catalogue is read-only, so these checks were not recorded."
            )
        else:
            self.dialog.status.setText(f"Done in {report.seconds:.1f} s.")
        self.label.setStyleSheet(f"color: {FAILED_COLOUR};" if report.problems else "")

    def _failed(self, message: str) -> None:
        self._job = None
        self.dialog.set_running(False)
        self.dialog.status.setText(message)
        self.label.setText("Verification failed")
