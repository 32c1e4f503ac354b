"""The operations lane: work off the GUI thread, outcomes delivered on it, one writer at a
time, writes saying what they changed, and the undo stack's steps as writes on it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from functools import partial

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from catalog_app.errors import CatalogueLocked, ValidationError
from catalog_app.services import Catalogue
from catalog_app.ui.changes import Changes
from catalog_app.ui.operations import (
    INTERNAL_ERROR,
    Operations,
    Outcome,
    QueryOp,
    Report,
    WriteOp,
)
from catalog_app.ui.undo import OperationStack, StackCommand

TaskRunner = Operations


def no_result(result: object) -> None:
    pytest.fail(f"expected a failure, got {result!r}")


def no_error(message: str) -> None:
    pytest.fail(f"unexpected failure: {message}")


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    assert tasks.wait_for_done(5000)


def test_work_runs_off_the_gui_thread_and_its_result_arrives_on_it(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    worked_on: list[threading.Thread] = []
    delivered: list[tuple[object, threading.Thread]] = []

    def work() -> int:
        worked_on.append(threading.current_thread())
        return 42

    runner.run(work, lambda result: delivered.append((result, threading.current_thread())), print)
    assert runner.busy()
    qtbot.waitUntil(lambda: bool(delivered))
    assert worked_on[0] is not threading.main_thread()
    assert delivered == [(42, threading.main_thread())]
    assert not runner.busy()


def test_a_user_facing_error_arrives_as_its_own_message(qtbot: QtBot, runner: TaskRunner) -> None:
    def work() -> None:
        raise CatalogueLocked("The catalogue is locked by another program; close it and retry.")

    errors: list[str] = []
    runner.run(work, no_result, errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert errors == ["The catalogue is locked by another program; close it and retry."]


def test_a_bug_is_logged_with_its_traceback_and_reported_in_plain_words(
    qtbot: QtBot, runner: TaskRunner, caplog: pytest.LogCaptureFixture
) -> None:
    def work() -> None:
        raise KeyError("surprise")

    errors: list[str] = []
    with caplog.at_level(logging.ERROR, logger="catalog_app.ui.tasks"):
        runner.run(work, no_result, errors.append)
        qtbot.waitUntil(lambda: bool(errors))
    assert errors == [INTERNAL_ERROR]
    assert "an internal error" in errors[0].lower()
    (record,) = caplog.records
    assert record.exc_info is not None
    assert record.exc_info[0] is KeyError


def test_writes_run_one_at_a_time(qtbot: QtBot, runner: TaskRunner) -> None:
    assert runner.writer.maxThreadCount() == 1
    running = 0
    most = 0
    lock = threading.Lock()
    done: list[int] = []

    def write(number: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return number

    for number in range(4):
        runner.run(partial(write, number), done.append, no_error, write=True)
    qtbot.waitUntil(lambda: len(done) == 4)
    assert most == 1
    assert done == [0, 1, 2, 3]  # in the order they were asked for


def test_only_the_latest_of_superseded_tasks_is_delivered(qtbot: QtBot, runner: TaskRunner) -> None:
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []
    shown: list[str] = []

    def search(word: str) -> str:
        ran.append(word)
        if word == "p":
            started.set()
            release.wait(5)
        return word

    runner.readers.setMaxThreadCount(1)  # so "pri" waits while "p" runs

    def type_(word: str) -> None:
        runner.run_latest("search", partial(search, word), shown.append, no_error)

    type_("p")
    assert started.wait(5)
    type_("pri")
    type_("pris")
    release.set()
    qtbot.waitUntil(lambda: not runner.busy())
    assert shown == ["pris"]  # "p" finished after being superseded: dropped
    assert ran == ["p", "pris"]  # "pri" was superseded before it started: never ran


def test_forget_drops_a_pending_outcome(qtbot: QtBot, runner: TaskRunner) -> None:
    shown: list[int] = []
    runner.run_latest("counts", lambda: 7, shown.append, no_error)
    runner.forget("counts")
    qtbot.waitUntil(lambda: not runner.busy())
    assert shown == []


def test_progress_is_reported_and_cancel_stops_the_task(qtbot: QtBot, runner: TaskRunner) -> None:
    progress: list[tuple[int, int]] = []
    results: list[int] = []
    started = threading.Event()
    proceed = threading.Event()

    def long_job(report: Report) -> int:
        done = 0
        for done in range(1, 1001):
            if not report(done, 1000):
                break
            if done == 2:
                started.set()
                proceed.wait(5)
        return done

    handle = runner.run_reporting(
        long_job, results.append, no_error, lambda d, t: progress.append((d, t))
    )
    assert started.wait(5)
    handle.cancel()
    proceed.set()
    qtbot.waitUntil(lambda: bool(results))
    assert results == [3]
    assert handle.cancelled
    assert progress == [(1, 1000), (2, 1000), (3, 1000)]


def test_tasks_read_the_catalogue_from_their_own_thread(
    qtbot: QtBot, runner: TaskRunner, catalogue: Catalogue
) -> None:
    parent = catalogue.units.create({"title": "Fonds"}).id
    child = catalogue.units.create({"title": "Item"}, parent_id=parent).id
    found: list[list[int]] = []
    runner.run(lambda: list(catalogue.browse.ids(parent)), found.append, no_error)
    renamed: list[str] = []
    runner.run(
        lambda: catalogue.units.update(child, {"title": "Renamed"}).title,
        renamed.append,
        no_error,
        write=True,
    )
    qtbot.waitUntil(lambda: bool(found and renamed))
    assert found == [[child]]
    assert renamed == ["Renamed"]


def test_wait_for_done_lets_started_work_finish(runner: TaskRunner) -> None:
    finished = threading.Event()

    def save() -> None:
        time.sleep(0.1)
        finished.set()

    runner.run(save, lambda _: None, no_error, write=True)
    assert runner.wait_for_done(5000)
    assert finished.is_set()


def test_synchronous_mode_runs_in_place_for_tests() -> None:
    runner = TaskRunner(synchronous=True)
    delivered: list[tuple[object, threading.Thread]] = []
    runner.run(lambda: "now", lambda r: delivered.append((r, threading.current_thread())), print)
    assert delivered == [("now", threading.main_thread())]

    errors: list[str] = []
    runner.run(lambda: 1 / 0, no_result, errors.append)
    assert errors == [INTERNAL_ERROR]

    progress: list[tuple[int, int]] = []

    def job(report: Report) -> str:
        report(1, 2)
        return "cancelled" if not report(2, 2) else "done"

    outcome: list[str] = []
    handle = runner.run_reporting(
        job, outcome.append, no_error, lambda d, t: progress.append((d, t))
    )
    assert progress == [(1, 2), (2, 2)]
    assert outcome == ["done"]
    assert not handle.cancelled
    assert not runner.busy()


# -- writes and what they changed --------------------------------------------------------------


def test_a_write_says_what_it_changed_after_its_success(qtbot: QtBot, runner: Operations) -> None:
    heard: list[object] = []
    writing: list[bool] = []
    runner.changed.connect(heard.append)
    runner.writing.connect(writing.append)
    changes = Changes.of("Saved", changed=[7])

    WriteOp(lambda _report: Outcome("value", changes)).success(heard.append).run_in_background(
        runner
    )
    assert runner.writing_now
    qtbot.waitUntil(lambda: not runner.busy())
    assert heard == ["value", changes]  # the caller first, then the views
    assert writing == [True, False]


def test_a_refused_write_without_its_own_failure_goes_to_the_window(
    qtbot: QtBot, runner: Operations
) -> None:
    refused: list[str] = []
    runner.refused.connect(refused.append)

    def work(_report: Report) -> Outcome[None]:
        raise ValidationError("the date 1988-22 has no month 22")

    WriteOp(work).run_in_background(runner)
    qtbot.waitUntil(lambda: bool(refused))
    assert refused == ["the date 1988-22 has no month 22"]
    assert not runner.writing_now


def test_a_query_op_reads_on_a_reader_thread(qtbot: QtBot, runner: Operations) -> None:
    found: list[threading.Thread] = []
    QueryOp(lambda _report: threading.current_thread()).success(found.append).run_in_background(
        runner
    )
    qtbot.waitUntil(lambda: bool(found))
    assert found[0] is not threading.main_thread()


def test_a_long_write_shows_a_busy_cursor_until_it_ends(qtbot: QtBot, runner: Operations) -> None:
    release = threading.Event()
    WriteOp(lambda _report: Outcome(release.wait(5))).run_in_background(runner)
    qtbot.waitUntil(lambda: QGuiApplication.overrideCursor() is not None, timeout=3000)
    release.set()
    qtbot.waitUntil(lambda: QGuiApplication.overrideCursor() is None)
    assert not runner.busy()


class Counter(StackCommand):
    """A step that adds one to a list's first number (and undo takes it away), waiting for
    `gate` first; `refuse` makes its next write fail."""

    def __init__(self, numbers: list[int], gate: threading.Event) -> None:
        super().__init__("Count")
        self.numbers, self.gate, self.refuse = numbers, gate, False

    def _by(self, step: int) -> Changes:
        assert self.gate.wait(5)
        if self.refuse:
            raise ValidationError("not now")
        self.numbers[0] += step
        return Changes.of("Counted", changed=[self.numbers[0]])

    def apply(self, report: Report) -> Changes:
        return self._by(1)

    def revert(self, report: Report) -> Changes:
        return self._by(-1)


def test_a_step_is_pushed_after_its_write_and_undo_waits_for_writes(
    qtbot: QtBot, runner: Operations
) -> None:
    stack = OperationStack(runner)
    host = QWidget()
    qtbot.addWidget(host)
    undo, redo = stack.createUndoAction(host, "&Undo"), stack.createRedoAction(host, "&Redo")
    gate = threading.Event()
    numbers = [0]

    stack.submit(Counter(numbers, gate))
    assert stack.count() == 0  # not before the write succeeded
    gate.set()
    qtbot.waitUntil(lambda: stack.count() == 1)
    assert numbers == [1]
    assert undo.isEnabled()
    assert undo.text() == "&Undo Count"

    gate.clear()
    stack.submit(Counter(numbers, gate))  # held on the writer thread
    assert runner.writing_now
    assert not undo.isEnabled()  # the stack never runs a step over a write in flight
    stack.undo()
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy())
    assert numbers == [2]
    assert stack.count() == 2
    assert stack.index() == 2

    stack.undo()
    assert stack.index() == 2  # it moves only once the write is done
    qtbot.waitUntil(lambda: stack.index() == 1)
    assert numbers == [1]
    assert redo.isEnabled()
    assert redo.text() == "&Redo Count"


def test_an_undo_the_catalogue_refuses_moves_nothing_and_says_why(
    qtbot: QtBot, runner: Operations
) -> None:
    stack = OperationStack(runner)
    refused: list[str] = []
    runner.refused.connect(refused.append)
    gate = threading.Event()
    gate.set()
    numbers = [0]
    command = Counter(numbers, gate)
    stack.submit(command)
    qtbot.waitUntil(lambda: stack.count() == 1)

    command.refuse = True
    stack.undo()
    qtbot.waitUntil(lambda: bool(refused))
    assert refused == ["Could not undo “Count”: not now"]
    assert stack.index() == 1
    assert numbers == [1]


def test_progress_counts_bytes_beyond_two_gigabytes(qtbot: QtBot, runner: TaskRunner) -> None:
    """A backup of a big catalogue reports bytes: more than a 32-bit int holds."""
    big = 3 * 2**31
    progress: list[tuple[int, int]] = []
    results: list[str] = []

    def backup_like(report: Report) -> str:
        report(big - 1, big)
        return "written"

    runner.run_reporting(
        backup_like,
        results.append,
        no_error,
        lambda d, t: progress.append((d, t)),
        write=True,
    )
    qtbot.waitUntil(lambda: bool(results))
    assert progress == [(big - 1, big)]
