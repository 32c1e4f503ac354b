"""Fixity audits: re-hash every stored original, report what is missing, altered or orphaned,
and record each check as a "fixity check" provenance event.

A run is a value kept in the catalogue (the setting `fixity.current`: its id, scope and start).
Each original's check becomes an event whose `tool` names the run, written in batches with one
audit row per batch. Resuming is by that rule: running again with the same scope while a run is
unfinished checks only the originals that have no event of that run yet; a run with another
scope starts afresh (and the unfinished one is dropped). When every original in scope has been
checked the run is finished: its summary becomes `fixity.last`, which the window shows.

Hashing overlaps reads with a few threads (hashlib releases the GIL on large buffers). Orphans
are looked for only in a whole-catalogue run, and an import running at the same time can make
its fresh copies look orphaned for a moment: verify when nothing is being imported.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from catalog_app.domain.fixity import (
    ALTERED,
    MISSING,
    FixityProblem,
    FixityReport,
    FixityResult,
    OrphanedFile,
    StoredOriginal,
)
from catalog_app.domain.records import displayable
from catalog_app.domain.vocabulary import EventOutcome, EventType
from catalog_app.ingest import store
from catalog_app.logs import private
from catalog_app.services.identity import host_name
from catalog_app.services.ingest import TOOL
from catalog_app.services.lookup import find_unit
from catalog_app.services.rehash import UNAUTHENTIC, Checked, rehash
from catalog_app.storage import models
from catalog_app.storage.bulk import insert_summarised
from catalog_app.storage.models import new_uuid
from catalog_app.storage.types import utcnow

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

Report = Callable[[int, int], bool]

CURRENT_KEY = "fixity.current"
LAST_KEY = "fixity.last"
AUDIT_REASON = "fixity check"
# Events per write transaction (and per chunk the window checks between two writes).
BATCH = 5_000
# Hashing threads: reads overlap while one thread waits on the disk (see bench/verify_bench).
THREADS = 4
# Progress is reported every so many files or bytes, whichever comes first.
REPORT_FILES = 256
REPORT_BYTES = 64 << 20
# Orphaned paths kept in `fixity.last` for the window (the run's report lists them all).
ORPHANS_KEPT = 100
_ALTERED_NOTE = re.compile(rf"now has SHA-256 ([0-9a-f]{{64}})|{re.escape(UNAUTHENTIC)}")


@dataclass
class FixityRun:
    """A run being carried out. Read-only catalogues keep their results here instead."""

    run_id: str
    collection_id: int | None
    collection: str | None
    started_at: datetime
    resumed: bool
    recorded: bool  # False: the catalogue is read-only, nothing is written
    # Every event of the run has a higher id: its queries read only the events since it began,
    # however many earlier runs have added.
    after_event: int = 0
    unrecorded: list[Checked] = field(default_factory=list)

    @property
    def tool(self) -> str:
        return f"{TOOL} verify, run {self.run_id}"

    def state(self) -> str:
        return json.dumps(
            {
                "run": self.run_id,
                "collection_id": self.collection_id,
                "collection": self.collection,
                "started_at": self.started_at.isoformat(),
                "after_event": self.after_event,
            },
            sort_keys=True,
        )

    def events(self) -> dict[str, Any]:
        """Parameters for the queries that find this run's events (`:event`, `:tool`, `:after`)."""
        return {"event": EventType.FIXITY_CHECK.value, "tool": self.tool, "after": self.after_event}


def _chunks(items: Sequence[StoredOriginal], size: int) -> Iterator[Sequence[StoredOriginal]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _settle(writing: Future[None] | None) -> None:
    """Wait for a batch being written (raising what went wrong in it)."""
    if writing is not None:
        writing.result()


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


_log = logging.getLogger(__name__)


class FixityService:
    def __init__(self, catalogue: Catalogue, *, threads: int = THREADS) -> None:
        self._cat = catalogue
        self.threads = threads

    @property
    def store_root(self) -> Path:
        return store.store_root(self._cat.path)

    # -- the whole audit, for the command line ------------------------------------------------

    def verify(self, collection: str | None = None, report: Report | None = None) -> FixityReport:
        """Check every original in scope not yet checked in the current run, then finish it.

        `report(done, total)` returning False stops after recording what was checked; so does
        KeyboardInterrupt (re-raised once the checks made are recorded). Either way the run
        stays unfinished and the next `verify` with the same scope carries on with it.
        """
        began = time.monotonic()
        run = self.start(collection)
        todo = self.pending(run)
        done = self.checked_count(run)
        total = done + len(todo)
        # Each batch's events are written on another thread while the next batch is hashed;
        # batches are written one at a time, in order.
        writing: Future[None] | None = None
        with ThreadPoolExecutor(max_workers=1) as writer:
            for batch in _chunks(todo, BATCH):
                results: list[Checked] = []
                try:
                    going = self.check(batch, report, done=done, total=total, into=results)
                except BaseException:
                    _settle(writing)
                    self.record(run, results)
                    raise
                _settle(writing)
                writing = writer.submit(self.record, run, results)
                done += len(results)
                if not going:
                    _settle(writing)
                    return self.report_of(run, seconds=time.monotonic() - began)
            _settle(writing)
        if report is not None:
            report(total, total)
        return self.finish(run, seconds=time.monotonic() - began)

    # -- the steps, which the window runs on its reader and writer lanes ----------------------

    def start(self, collection: str | None = None) -> FixityRun:
        """The unfinished run with this scope, or a new one (a write, unless read-only)."""
        collection_id, code = None, None
        if collection is not None:
            with self._cat.db.read() as session:
                unit = find_unit(session, collection)
                collection_id, code = unit.id, unit.reference_code
        if self._cat.readonly:
            return FixityRun(new_uuid(), collection_id, code, utcnow(), False, recorded=False)
        with self._cat.db.write(self._cat.actor, reason=AUDIT_REASON) as session:
            last_event = session.execute(text("SELECT max(id) FROM provenance_events")).scalar()
            current = session.get(models.Setting, CURRENT_KEY)
            if current is not None:
                state = json.loads(current.value)
                if state.get("collection_id") == collection_id:
                    return FixityRun(
                        state["run"],
                        collection_id,
                        code,
                        datetime.fromisoformat(state["started_at"]),
                        resumed=True,
                        recorded=True,
                        after_event=int(state.get("after_event", 0)),
                    )
            run = FixityRun(
                new_uuid(), collection_id, code, utcnow(), False, True, int(last_event or 0)
            )
            if current is None:
                session.add(models.Setting(key=CURRENT_KEY, value=run.state()))
            else:
                current.value = run.state()
            return run

    def pending(self, run: FixityRun) -> list[StoredOriginal]:
        """The originals in the run's scope that it has not checked yet, in the order stored."""
        where, params = self._scope(run)
        sql = (
            "SELECT f.id, f.unit_id, u.uuid, u.reference_code, f.original_name, f.stored_path, "
            "f.sha256, f.size FROM files f JOIN units u ON u.id = f.unit_id "
            f"WHERE {where} AND f.id NOT IN (SELECT file_id FROM provenance_events "
            "WHERE id > :after AND event_type = :event AND tool = :tool AND file_id IS NOT NULL) "
            "ORDER BY f.id"
        )
        seen = {c.original.file_id for c in run.unrecorded}
        with self._cat.db.read() as session:
            rows = session.execute(text(sql), params).all()
        return [
            StoredOriginal(
                file_id=int(r[0]),
                unit_id=int(r[1]),
                unit_uuid=str(r[2]),
                reference_code=str(r[3]),
                original_name=str(r[4]),
                stored_path=r[5],
                sha256=str(r[6]),
                size=int(r[7]),
            )
            for r in rows
            if int(r[0]) not in seen
        ]

    def checked_count(self, run: FixityRun) -> int:
        """How many originals the run has checked so far."""
        if not run.recorded:
            return len(run.unrecorded)
        with self._cat.db.read() as session:
            return int(
                session.execute(
                    text(
                        "SELECT count(*) FROM provenance_events "
                        "WHERE id > :after AND event_type = :event AND tool = :tool"
                    ),
                    run.events(),
                ).scalar_one()
            )

    def check(
        self,
        originals: Sequence[StoredOriginal],
        report: Report | None = None,
        *,
        done: int = 0,
        total: int | None = None,
        into: list[Checked] | None = None,
    ) -> bool:
        """Re-hash `originals` on a few threads, appending each outcome to `into` in order.

        No database work: safe on any thread. `report(done + n, total)` returning False
        stops it (the checks already started are finished and kept); returns False then.
        """
        results = into if into is not None else []
        total = len(originals) + done if total is None else total
        since_files = since_bytes = 0

        def take(group: list[Checked]) -> bool:
            nonlocal since_files, since_bytes
            results.extend(group)
            since_files += len(group)
            since_bytes += sum(c.original.size for c in group)
            if report is None or (since_files < REPORT_FILES and since_bytes < REPORT_BYTES):
                return True
            since_files = since_bytes = 0
            return report(done + len(results), total)

        going = rehash(self.store_root, originals, self.threads, take, self._cat.store_key)
        if going and report is not None:
            going = report(done + len(results), total)
        return going

    def record(self, run: FixityRun, checked: Sequence[Checked]) -> None:
        """Write one fixity-check event per original checked, with one audit row (a write)."""
        if not checked:
            return
        if not run.recorded:
            run.unrecorded.extend(checked)
            return
        place = host_name()
        with self._cat.db.write(self._cat.actor, reason=AUDIT_REASON) as session:
            ids = json.dumps([c.original.file_id for c in checked])
            # Another process resuming the same run may have recorded some meanwhile.
            already = {
                int(r[0])
                for r in session.execute(
                    text(
                        "SELECT file_id FROM provenance_events WHERE id > :after "
                        "AND event_type = :event AND tool = :tool "
                        "AND file_id IN (SELECT value FROM json_each(:ids))"
                    ),
                    {**run.events(), "ids": ids},
                )
            }
            rows = [
                self._event_row(run, c, place) for c in checked if c.original.file_id not in already
            ]
            failed = sum(1 for c in checked if not c.result.matches)
            insert_summarised(
                session,
                models.ProvenanceEvent,
                rows,
                row_uuid=run.run_id,
                field=EventType.FIXITY_CHECK.value,
                summary={"run": run.run_id, "ok": len(rows) - failed, "failed": failed},
            )

    def finish(self, run: FixityRun, *, seconds: float = 0.0) -> FixityReport:
        """Look for orphans (whole-catalogue runs), close the run and keep its summary."""
        orphaned = tuple(self.orphans()) if run.collection_id is None else ()
        finished = utcnow()
        report = self.report_of(run, finished_at=finished, orphaned=orphaned, seconds=seconds)
        _log_findings(report)
        if not run.recorded:
            return report
        summary = {
            "run": run.run_id,
            "collection": run.collection,
            "started_at": run.started_at.isoformat(),
            "after_event": run.after_event,
            "finished_at": finished.isoformat(),
            "checked": report.checked,
            "ok": report.ok,
            "missing": len(report.missing),
            "altered": len(report.altered),
            "orphaned": len(orphaned),
            "orphaned_paths": [o.stored_path for o in orphaned[:ORPHANS_KEPT]],
        }
        with self._cat.db.write(self._cat.actor, reason=AUDIT_REASON) as session:
            current = session.get(models.Setting, CURRENT_KEY)
            if current is not None and json.loads(current.value).get("run") == run.run_id:
                session.delete(current)
            last = session.get(models.Setting, LAST_KEY)
            value = json.dumps(summary, ensure_ascii=False, sort_keys=True)
            if last is None:
                session.add(models.Setting(key=LAST_KEY, value=value))
            else:
                last.value = value
        return report

    def last(self) -> FixityReport | None:
        """The most recent finished run (its failures as recorded), or None if never run."""
        value = self._cat.setting(LAST_KEY)
        if value is None:
            return None
        summary: dict[str, Any] = json.loads(value)
        run = FixityRun(
            summary["run"],
            None,
            summary.get("collection"),
            datetime.fromisoformat(summary["started_at"]),
            resumed=False,
            recorded=True,
            after_event=int(summary.get("after_event", 0)),
        )
        orphaned = tuple(
            OrphanedFile(path, 0, Path(path).parent.name == store.INCOMING)
            for path in summary.get("orphaned_paths", [])
        )
        return self.report_of(
            run, finished_at=datetime.fromisoformat(summary["finished_at"]), orphaned=orphaned
        )

    def orphans(self) -> list[OrphanedFile]:
        """Files in the store that no original refers to, and leftover temporary copies."""
        root = str(self.store_root)
        found: list[str] = []  # relative paths, "/"-separated as the catalogue records them
        for folder, _dirs, names in os.walk(root):
            prefix = os.path.relpath(folder, root).replace(os.sep, "/")
            prefix = "" if prefix == "." else prefix + "/"
            found.extend(prefix + name for name in names)
        # Read after the walk: a copy stored and recorded meanwhile is then not called orphaned.
        with self._cat.db.read() as session:
            referenced = {
                str(r[0])
                for r in session.execute(
                    text("SELECT stored_path FROM files WHERE stored_path IS NOT NULL")
                )
            }
        orphaned = []
        for relative in sorted(set(found) - referenced):
            path = Path(root, relative)
            try:
                size = path.stat().st_size
            except OSError:
                continue  # gone meanwhile (an import finishing its copy)
            temporary = relative.startswith(store.INCOMING + "/")
            # A name that is not valid UTF-8 is reported (and recorded) with \xNN escapes.
            orphaned.append(OrphanedFile(displayable(str(path)), size, temporary))
        return orphaned

    # -- reports ------------------------------------------------------------------------------

    def report_of(
        self,
        run: FixityRun,
        *,
        finished_at: datetime | None = None,
        orphaned: tuple[OrphanedFile, ...] = (),
        seconds: float = 0.0,
    ) -> FixityReport:
        """Everything the run has checked so far, failures named."""
        if run.recorded:
            checked, ok, problems = self._recorded_outcomes(run)
        else:
            checked = len(run.unrecorded)
            ok = sum(1 for c in run.unrecorded if c.result.matches)
            problems = [
                self._problem(c.original, c.result) for c in run.unrecorded if not c.result.matches
            ]
        return FixityReport(
            run_id=run.run_id,
            collection=run.collection,
            started_at=run.started_at,
            finished_at=finished_at,
            checked=checked,
            ok=ok,
            missing=tuple(p for p in problems if p.kind == MISSING),
            altered=tuple(p for p in problems if p.kind == ALTERED),
            orphaned=orphaned,
            seconds=seconds,
            recorded=run.recorded,
            resumed=run.resumed,
        )

    def _recorded_outcomes(self, run: FixityRun) -> tuple[int, int, list[FixityProblem]]:
        params = run.events()
        where = "e.id > :after AND e.event_type = :event AND e.tool = :tool"
        with self._cat.db.read() as session:
            counts = session.execute(
                text(
                    "SELECT count(*), coalesce(sum(e.outcome = 'success'), 0) "
                    f"FROM provenance_events e WHERE {where}"
                ),
                params,
            ).one()
            failures = session.execute(
                text(
                    "SELECT e.file_id, e.unit_id, u.uuid, u.reference_code, f.original_name, "
                    "f.stored_path, f.sha256, e.note FROM provenance_events e "
                    "JOIN units u ON u.id = e.unit_id LEFT JOIN files f ON f.id = e.file_id "
                    f"WHERE {where} AND e.outcome = 'failure' ORDER BY e.id"
                ),
                params,
            ).all()
        root = self.store_root
        problems = []
        for file_id, unit_id, uuid, code, name, stored, sha, note in failures:
            altered = _ALTERED_NOTE.search(note or "")
            problems.append(
                FixityProblem(
                    kind=ALTERED if altered else MISSING,
                    reference_code=str(code),
                    record_id=int(unit_id),
                    record_uuid=str(uuid),
                    file_id=int(file_id or 0),
                    original_name=str(name or ""),
                    stored_path=str(root / stored) if stored else None,
                    expected_sha256=str(sha or ""),
                    actual_sha256=altered.group(1) if altered else None,
                    reason=str(note or ""),
                )
            )
        return int(counts[0]), int(counts[1]), problems

    def _problem(self, original: StoredOriginal, result: FixityResult) -> FixityProblem:
        return FixityProblem(
            kind=result.kind or MISSING,
            reference_code=original.reference_code,
            record_id=original.unit_id,
            record_uuid=original.unit_uuid,
            file_id=original.file_id,
            original_name=original.original_name,
            stored_path=str(self.store_root / original.stored_path)
            if original.stored_path
            else None,
            expected_sha256=original.sha256,
            actual_sha256=result.actual if result.kind == ALTERED else None,
            reason=_note(result),
        )

    # -- helpers ------------------------------------------------------------------------------

    def _scope(self, run: FixityRun) -> tuple[str, dict[str, Any]]:
        params = run.events()
        if run.collection_id is None:
            return "1", params
        below = self._cat.browse.ids(run.collection_id, recursive=True)
        params["units"] = json.dumps([run.collection_id, *below])
        return "f.unit_id IN (SELECT value FROM json_each(:units))", params

    def _event_row(self, run: FixityRun, checked: Checked, place: str | None) -> dict[str, Any]:
        result = checked.result
        return {
            "uuid": new_uuid(),
            "unit_id": checked.original.unit_id,
            "file_id": checked.original.file_id,
            "event_type": EventType.FIXITY_CHECK.value,
            "occurred_at": _stamp(checked.at),
            "occurred_start": checked.at.date(),
            "agent": self._cat.actor,
            "tool": run.tool,
            "place": place,
            "source_url": None,
            "outcome": (EventOutcome.SUCCESS if result.matches else EventOutcome.FAILURE).value,
            "note": _note(result),
            "recorded_at": checked.at,
            "recorded_by": self._cat.actor,
        }


def _note(result: FixityResult) -> str:
    if result.matches:
        return f"The stored copy matches its SHA-256 {result.expected}."
    return f"Failed: {result.problem}; expected SHA-256 {result.expected}."


def _log_findings(report: FixityReport) -> None:
    """What the verification found, kept in the log file as well as shown."""
    _log.info(
        "verify: %d checked, %d ok, %d missing, %d altered, %d orphaned",
        report.checked,
        report.ok,
        len(report.missing),
        len(report.altered),
        len(report.orphaned),
    )
    for kind, problems in (("missing", report.missing), ("altered", report.altered)):
        for problem in problems:
            _log.warning(
                "verify: %s original of %s: %s (%s)",
                kind,
                private(problem.reference_code),
                private(problem.original_name),
                private(problem.stored_path),
            )
    for orphan in report.orphaned:
        _log.warning("verify: orphaned file in the store: %s", private(orphan.stored_path))
