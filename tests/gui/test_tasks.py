"""Background tasks: work off the GUI thread, outcomes delivered on it, one writer at a time."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from functools import partial

import pytest
from pytestqt.qtbot import QtBot

from catalog_app.errors import CatalogueLocked
from catalog_app.services import Catalogue
from catalog_app.ui.tasks import INTERNAL_ERROR, Report, TaskRunner


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

    def type_(word: str) -> None:
        # On the writer (one thread), so "pri" waits while "p" runs and is replaced by "pris".
        runner.run_latest("search", partial(search, word), shown.append, no_error, write=True)

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
