"""Importing files and folders: originals stored bit-exact, text extracted in worker
processes under time and memory limits, descriptions pre-filled, and everything written in
batched transactions."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog_app import __version__, clear_copies
from catalog_app.domain.dates import DateError, parse_date
from catalog_app.domain.records import ImportItem, ImportReport
from catalog_app.domain.vocabulary import (
    AccessStatus,
    AgentKind,
    DateKind,
    EventOutcome,
    EventType,
    Level,
    TitleSource,
)
from catalog_app.errors import CatalogError, DiskFull
from catalog_app.ingest import store
from catalog_app.ingest.limits import Limits
from catalog_app.ingest.pool import ExtractionPool
from catalog_app.ingest.prepare import (
    PLAIN,
    ImportTask,
    Prepared,
    TaskKeys,
    close_connections,
    display_path,
    prepare,
)
from catalog_app.ingest.walk import Candidate, collect
from catalog_app.logs import private
from catalog_app.services.identity import host_name
from catalog_app.services.import_writer import BatchWriter
from catalog_app.services.lookup import find_unit
from catalog_app.services.refcodes import next_reference_codes
from catalog_app.storage import derived, models
from catalog_app.storage.bulk import insert_audited
from catalog_app.storage.types import utcnow

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

Progress = Callable[[int, int], bool]
BATCH_SIZE = 500
BATCH_SECONDS = 1.0
PROGRESS_SECONDS = 0.1
TOOL = f"catalog-app {__version__}"
# Extraction runs in worker processes, under the time and memory limits. True runs it in
# this process instead, without them: for a debugger, and for tests that patch a reader.
IN_PROCESS = False
_log = logging.getLogger(__name__)

Folders = tuple[str, ...]


@dataclass
class _Run:
    catalogue_path: Path
    store_root: Path
    parents: dict[Folders, int | None]  # folder units found or made so far
    has_subfolders: set[Folders] = field(default_factory=set)
    items: dict[int, ImportItem] = field(default_factory=dict)
    agents: dict[tuple[str, str], int] = field(default_factory=dict)
    agents_loaded: bool = False
    new_copies: set[str] = field(default_factory=set)  # stored by this run: kept if catalogued
    staged: set[str] = field(default_factory=set)  # copies staged, not yet settled (see store)


class _StoreFull(Exception):
    """The disk of the store of originals filled while a worker wrote a copy."""


class _InProcess:
    """The pool's interface, with every file read here, one after the other."""

    def __init__(self, tasks: list[ImportTask], keys: TaskKeys) -> None:
        self._tasks = tasks
        self._keys = keys

    def results(self) -> Generator[tuple[int, Prepared]]:
        try:
            for index, task in enumerate(self._tasks):
                yield index, prepare(task, keys=self._keys)
        finally:
            close_connections()

    def results_or_idle(self, idle: float | None) -> Generator[tuple[int, Prepared] | None]:
        yield from self.results()  # each file is read here: never idle between them

    def finish(self) -> list[tuple[int, Prepared]]:
        return []


def extractor(
    tasks: list[ImportTask], workers: int, limits: Limits, keys: TaskKeys = PLAIN
) -> ExtractionPool | _InProcess:
    """What reads `tasks`: worker processes under `limits`, or this process in tests."""
    if IN_PROCESS:
        return _InProcess(tasks, keys)
    return ExtractionPool(tasks, workers, limits, keys)


def extract_one(task: ImportTask, limits: Limits | None = None, keys: TaskKeys = PLAIN) -> Prepared:
    """Store and read one file as an import does: in a worker, under the same limits."""
    limits = limits or Limits.from_environment()
    [(_, prepared)] = list(extractor([task], 1, limits, keys).results())
    return prepared


def task_keys(catalogue: Catalogue) -> TaskKeys:
    """The keys an import into `catalogue` works with (none for a plain catalogue)."""
    if catalogue.keys is None:
        return PLAIN
    return TaskKeys(store=catalogue.store_key, database=catalogue.keys.database)


class ImportService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    @property
    def store_root(self) -> Path:
        return store.store_root(self._cat.path)

    def _own_files(self) -> set[Path]:
        """The catalogue's own files, never taken in when their folder is imported."""
        path = self._cat.path
        own = {path, self.store_root}
        own.update(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))
        return {p.resolve() for p in own}

    def run(
        self,
        paths: Sequence[Path],
        *,
        collection: str | None = None,
        recursive: bool = False,
        flatten: bool = False,
        report: Progress | None = None,
        workers: int | None = None,
        limits: Limits | None = None,
    ) -> ImportReport:
        """Import files and folders under `collection` (a reference code; None: top level).

        Folders become units (series, or files when they hold only documents) unless
        `flatten`. `report(done, total)` is called as work progresses; returning False
        cancels, keeping what was already catalogued. Running the same import again after
        an interruption finishes it without duplicates. `limits` (default: from the
        environment, see `ingest.limits`) bound the time and memory spent on each file.
        """
        limits = limits or Limits.from_environment()
        walk = collect(list(paths), recursive=recursive, exclude=self._own_files())
        store.clear_incoming(self.store_root)
        clear_copies.sweep()  # readers' scratch files of killed workers
        run = self._new_run(walk.files, collection, flatten)
        for number, (path, reason) in enumerate(walk.failures):
            run.items[-1 - number] = ImportItem(display_path(path), "failed", reason=reason)
        owner = os.getpid()  # this process settles the copies the workers stage
        tasks = [
            ImportTask(str(c.path), str(self.store_root), str(self._cat.path), owner)
            for c in walk.files
        ]
        folders = [() if flatten else c.folders for c in walk.files]
        # One more worker than cores: each spends part of its time waiting for the disk.
        cores = os.cpu_count() or 1
        # Each worker holds ~130 MB: more than a few per core only fills the memory.
        count = min(workers or cores + 1, 4 * cores)
        cancelled = self._process(run, tasks, folders, report, count, limits)
        ordered = [run.items[k] for k in sorted(k for k in run.items if k < 0)]
        ordered += [run.items[i] for i in range(len(tasks)) if i in run.items]
        result = ImportReport(
            items=tuple(ordered),
            skipped=tuple(display_path(p) for p in walk.skipped),
            cancelled=cancelled,
        )
        _log_outcome(result)
        return result

    def _process(
        self,
        run: _Run,
        tasks: list[ImportTask],
        folders: list[Folders],
        report: Progress | None,
        workers: int,
        limits: Limits,
    ) -> bool:
        total = len(tasks)
        pending: list[tuple[int, Prepared]] = []
        last_report = time.monotonic()
        last_write: float | None = None  # the first batch's clock starts with its first file
        extraction = extractor(tasks, workers, limits, task_keys(self._cat))
        results = extraction.results_or_idle(BATCH_SECONDS)
        writer = BatchWriter[list[tuple[int, Prepared]]](
            lambda batch: self._write(run, batch, folders)
        )

        def take(index: int, prepared: Prepared) -> None:
            if prepared.new_copy and prepared.stored_path:
                run.new_copies.add(prepared.stored_path)
            if prepared.staged:
                run.staged.add(prepared.staged)
            pending.append((index, prepared))

        def hand_over() -> None:
            nonlocal pending
            if pending:
                batch, pending = pending, []
                writer.put(batch)

        try:
            done = 0
            for result in results:  # None: a second with no file finished (one is slow)
                if result is not None:
                    done += 1
                    last_write = last_write or time.monotonic()
                    take(*result)
                    if result[1].disk_full:
                        raise _StoreFull
                now = time.monotonic()
                due = len(pending) >= BATCH_SIZE or now - (last_write or now) >= BATCH_SECONDS
                if pending and due:
                    hand_over()
                    last_write = time.monotonic()
                if report is not None and (now - last_report >= PROGRESS_SECONDS or done == total):
                    last_report = now
                    if not report(done, total):
                        hand_over()
                        writer.close()
                        return True
            hand_over()
            writer.close()
        except (_StoreFull, DiskFull) as full:
            # The files being read have their originals stored: catalogued as space allows.
            for late in extraction.finish():
                take(*late)
            with contextlib.suppress(DiskFull):
                hand_over()
                writer.close()
            self._salvage(run, writer.unwritten, folders)
            where = self.store_root if isinstance(full, _StoreFull) else self._cat.path
            raise self._disk_full(run, where, total) from None
        finally:
            results.close()
            with contextlib.suppress(BaseException):
                writer.close()  # an error already on its way out stays the one raised
            self._remove_unreferenced(run)
        if report is not None and total == 0:
            report(0, 0)
        return False

    def _salvage(
        self, run: _Run, unwritten: list[list[tuple[int, Prepared]]], folders: list[Folders]
    ) -> None:
        """The disk filled with batches still to write (the workers run ahead of the
        writer): the copies staged for all but the earliest make room for it, which is
        tried once more."""
        if not unwritten:
            return
        later = [p.staged for batch in unwritten[1:] for _, p in batch if p.staged]
        store.discard_staged(run.store_root, later)
        run.staged.difference_update(later)
        with contextlib.suppress(DiskFull):
            self._write(run, unwritten[0], folders)

    @staticmethod
    def _disk_full(run: _Run, where: Path, total: int) -> DiskFull:
        done = sum(1 for item in run.items.values() if item.outcome != "failed")
        return DiskFull(
            f"The disk holding {display_path(where)} is full: {done:,} of {total:,} files were "
            "catalogued before it filled, and nothing was half-written. Free some space and "
            "run the same import again to finish it."
        )

    def _remove_unreferenced(self, run: _Run) -> None:
        """Remove the copies this run stored that no record refers to (files that failed,
        and batches a full disk or an error kept from the catalogue)."""
        store.discard_staged(run.store_root, run.staged)
        run.staged.clear()
        candidates = sorted(run.new_copies)
        referenced: set[str] = set()
        try:
            with self._cat.db.read() as session:
                for start in range(0, len(candidates), 500):
                    chunk = candidates[start : start + 500]
                    referenced.update(
                        session.scalars(
                            select(models.StoredFile.stored_path).where(
                                models.StoredFile.stored_path.in_(chunk)
                            )
                        )
                    )
        except CatalogError:
            _log.warning("unreferenced originals were left in the store", exc_info=True)
            return
        for relative in candidates:
            if relative not in referenced:
                try:
                    store.remove(run.store_root, relative)
                except OSError:
                    _log.warning("could not remove the unreferenced original %s", private(relative))
        run.new_copies.clear()

    # -- folders ---------------------------------------------------------------------------

    def _new_run(self, files: list[Candidate], collection: str | None, flatten: bool) -> _Run:
        """The import's state. Folder units are made with the first file that goes into
        each (in the same transaction), so a failed import leaves no empty folder record."""
        with self._cat.db.read() as session:
            root = find_unit(session, collection) if collection else None
            run = _Run(self._cat.path, self.store_root, {(): root.id if root else None})
        if not flatten:
            paths = {c.folders[:depth] for c in files for depth in range(1, len(c.folders) + 1)}
            run.has_subfolders = {p[:-1] for p in paths}
        return run

    def _folder_units(
        self, session: Session, run: _Run, wanted: set[Folders]
    ) -> dict[Folders, int | None]:
        """Units for these folders and their ancestors, reusing those an earlier run made
        (the mapping to merge into `run.parents` once the transaction is committed)."""
        known = dict(run.parents)
        paths = {p[:depth] for p in wanted for depth in range(1, len(p) + 1)} - known.keys()
        for path in sorted(paths, key=lambda folders: (len(folders), folders)):
            parent_id = known[path[:-1]]
            name = path[-1]
            existing = session.scalar(
                select(models.Unit.id)
                .where(
                    models.Unit.parent_id == parent_id
                    if parent_id
                    else models.Unit.parent_id.is_(None),
                    models.Unit.title == name,
                    models.Unit.level.in_([Level.COLLECTION, Level.SERIES, Level.FILE]),
                )
                .order_by(models.Unit.id)
                .limit(1)
            )
            if existing is None:
                if parent_id is None:
                    level = Level.COLLECTION
                else:
                    level = Level.SERIES if path in run.has_subfolders else Level.FILE
                existing = self._new_folder_unit(session, name, level, parent_id)
            known[path] = existing
        return known

    def _new_folder_unit(
        self, session: Session, name: str, level: Level, parent_id: int | None
    ) -> int:
        parent = session.get(models.Unit, parent_id) if parent_id else None
        position = _next_position(session, parent_id)
        unit = models.Unit(
            parent_id=parent_id,
            level=level.value,
            position=position,
            reference_code=next_reference_codes(session, parent, 1)[0],
            title=name,
            title_source=TitleSource.HARVESTED.value,
            harvested=["title"],
            access_status=parent.access_status if parent else AccessStatus.OPEN.value,
            created_by=self._cat.actor,
            updated_by=self._cat.actor,
        )
        session.add(unit)
        session.flush()
        return unit.id

    # -- writing a batch ---------------------------------------------------------------------

    def _write(
        self, run: _Run, pending: list[tuple[int, Prepared]], folders: list[Folders]
    ) -> None:
        fresh: list[tuple[int, Prepared]] = []
        failed: list[str] = []
        for index, prepared in pending:
            if prepared.outcome == "failed":
                run.items[index] = ImportItem(prepared.path, "failed", reason=prepared.reason)
                if prepared.staged:
                    failed.append(prepared.staged)
            else:
                fresh.append((index, prepared))
        store.discard_staged(run.store_root, failed)
        run.staged.difference_update(failed)
        if not fresh:
            return
        fresh.sort(key=lambda entry: entry[0])  # records in the order of their files
        # Every copy this batch refers to reaches the disk before the records do.
        staged = [
            (p.staged, p.stored_path)
            for _, p in fresh
            if p.staged in run.staged and p.stored_path  # not settled by an earlier try
        ]
        store.settle_staged(run.store_root, staged)
        run.staged.difference_update(name for name, _ in staged)
        agents = dict(run.agents), run.agents_loaded
        try:
            with self._cat.db.write(self._cat.actor, reason="import") as session:
                landed, parents = self._land(session, run, fresh, folders)
        except BaseException:
            run.agents, run.agents_loaded = agents  # those made in it were not saved
            raise
        # Only now, with the transaction committed, are its records and folders real.
        run.parents.update(parents)
        imported: dict[str, tuple[int, str]] = {}
        for index, item, sha256 in landed:
            run.items[index] = item
            if item.outcome == "imported":
                assert item.id is not None
                assert item.reference_code is not None
                imported[sha256] = (item.id, item.reference_code)
        for index, prepared in fresh:  # the same bytes twice in one batch
            if index not in run.items:
                assert prepared.sha256 is not None
                run.items[index] = _duplicate(prepared, *imported[prepared.sha256])

    def _land(
        self,
        session: Session,
        run: _Run,
        fresh: list[tuple[int, Prepared]],
        folders: list[Folders],
    ) -> tuple[list[tuple[int, ImportItem, str]], dict[Folders, int | None]]:
        """Records for the files not yet catalogued; (what each file became, folder units)."""
        known = _catalogued(session, [p.sha256 for _, p in fresh if p.sha256])
        landed: list[tuple[int, ImportItem, str]] = []
        to_insert: list[tuple[int, Prepared]] = []
        claimed: set[str] = set()
        for index, prepared in fresh:
            assert prepared.sha256 is not None
            if prepared.sha256 in known:
                unit_id, code = known[prepared.sha256]
                landed.append((index, _duplicate(prepared, unit_id, code), prepared.sha256))
            elif prepared.sha256 not in claimed:
                claimed.add(prepared.sha256)
                to_insert.append((index, prepared))
        parents = self._folder_units(session, run, {folders[i] for i, _ in to_insert})
        landed += self._insert(session, run, to_insert, [parents[folders[i]] for i, _ in to_insert])
        return landed, parents

    def _insert(
        self,
        session: Session,
        run: _Run,
        batch: list[tuple[int, Prepared]],
        parent_ids: list[int | None],
    ) -> list[tuple[int, ImportItem, str]]:
        by_parent: dict[int | None, list[tuple[int, Prepared]]] = {}
        for (index, prepared), parent_id in zip(batch, parent_ids, strict=True):
            by_parent.setdefault(parent_id, []).append((index, prepared))
        units: list[dict[str, Any]] = []
        order: list[tuple[int, Prepared]] = []
        for parent_id, members in by_parent.items():
            parent = session.get(models.Unit, parent_id) if parent_id else None
            codes = next_reference_codes(session, parent, len(members))
            position = _next_position(session, parent_id)
            access = parent.access_status if parent else AccessStatus.OPEN.value
            for offset, ((index, prepared), code) in enumerate(zip(members, codes, strict=True)):
                units.append(self._unit_row(prepared, parent_id, code, position + offset, access))
                order.append((index, prepared))
        insert_audited(session, models.Unit, units)
        files, events = [], []
        landed: list[tuple[int, ImportItem, str]] = []
        for row, (index, prepared) in zip(units, order, strict=True):
            assert prepared.sha256 is not None
            item = ImportItem(
                prepared.path,
                "imported",
                row["id"],
                row["reference_code"],
                warnings=tuple(prepared.warnings),
            )
            landed.append((index, item, prepared.sha256))
            files.append(self.file_row(prepared, row["id"]))
            events.extend(self.event_rows(prepared, row["id"]))
        insert_audited(session, models.StoredFile, files)
        insert_audited(session, models.ProvenanceEvent, events)
        folded = {row["id"]: p.folded for row, (_, p) in zip(units, order, strict=True) if p.folded}
        derived.mark(session, [row["id"] for row in units], moved=True, folded=folded)
        for row, (_, prepared) in zip(units, order, strict=True):
            self._link_agents(session, run, row["id"], prepared)
        return landed

    def _unit_row(
        self, prepared: Prepared, parent_id: int | None, code: str, position: int, access: str
    ) -> dict[str, Any]:
        try:
            bounds = parse_date(prepared.date_expression)
            date_expression = prepared.date_expression
        except DateError:
            bounds, date_expression = parse_date(None), None
        return {
            "parent_id": parent_id,
            "level": Level.ITEM.value,
            "position": position,
            "reference_code": code,
            "title": prepared.title,
            "title_source": TitleSource.HARVESTED.value,
            "harvested": prepared.harvested_fields,
            "date_expression": date_expression,
            "date_start": bounds.start,
            "date_end": bounds.end,
            "date_kind": DateKind.PUBLICATION.value if date_expression else None,
            "access_status": access,
            "languages": prepared.languages,
            "scripts": prepared.scripts,
            "media_type": prepared.media_kind,
            "source_url": prepared.url or None,
            "version": 1,
            "created_by": self._cat.actor,
            "updated_by": self._cat.actor,
        }

    def file_row(self, prepared: Prepared, unit_id: int) -> dict[str, Any]:
        return {
            "unit_id": unit_id,
            "sha256": prepared.sha256,
            "size": prepared.size,
            "media_type": prepared.mime,
            "original_name": prepared.original_name,
            "original_path": prepared.original_path,
            "original_modified_at": prepared.modified_at,
            "stored_path": prepared.stored_path,
            "extracted_text": prepared.text,
            "text_method": prepared.text_method,
            "text_language": prepared.languages[0] if prepared.languages else None,
            "is_evidentiary": True,
            "added_by": self._cat.actor,
        }

    def event_rows(self, prepared: Prepared, unit_id: int) -> list[dict[str, Any]]:
        now = utcnow()
        note = (
            f"Imported from {prepared.original_path}; "
            f"{prepared.size:,} bytes; SHA-256 {prepared.sha256}; "
            f"text: {prepared.text_method or 'none'}."
        )
        if prepared.warnings:
            note += " Warnings: " + "; ".join(prepared.warnings) + "."
        rows = [
            {
                "unit_id": unit_id,
                "event_type": EventType.INGESTION.value,
                "occurred_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
                "occurred_start": now.date(),
                "agent": self._cat.actor,
                "tool": TOOL,
                "place": host_name(),
                "outcome": (
                    EventOutcome.WARNING if prepared.warnings else EventOutcome.SUCCESS
                ).value,
                "note": note,
                "recorded_by": self._cat.actor,
            }
        ]
        if prepared.url:
            rows.append(
                {
                    "unit_id": unit_id,
                    "event_type": EventType.CAPTURE.value,
                    "source_url": prepared.url,
                    "note": "Address taken from the captured page itself (canonical link).",
                    "recorded_by": self._cat.actor,
                }
            )
        return rows

    def _link_agents(self, session: Session, run: _Run, unit_id: int, prepared: Prepared) -> None:
        linked: set[tuple[int, str]] = set()
        for agent in prepared.agents:  # each of the kind harvesting judged it to be
            agent_id = _agent_named(session, run, agent.name[:500], agent.kind)
            role = agent.role.value
            if (agent_id, role) not in linked:  # "A; a" in a page names one person once
                linked.add((agent_id, role))
                session.add(models.UnitAgent(unit_id=unit_id, agent_id=agent_id, role=role))


def _duplicate(prepared: Prepared, unit_id: int, code: str) -> ImportItem:
    return ImportItem(
        prepared.path,
        "duplicate",
        unit_id,
        code,
        reason=f"the same bytes are already catalogued as {code}",
    )


def _catalogued(session: Session, hashes: list[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(hashes), 500):
        rows = session.execute(
            select(models.StoredFile.sha256, models.Unit.id, models.Unit.reference_code)
            .join(models.Unit, models.Unit.id == models.StoredFile.unit_id)
            .where(models.StoredFile.sha256.in_(hashes[start : start + 500]))
        )
        found.update({sha: (unit_id, code) for sha, unit_id, code in rows})
    return found


def _next_position(session: Session, parent_id: int | None) -> int:
    where = models.Unit.parent_id == parent_id if parent_id else models.Unit.parent_id.is_(None)
    return (
        int(
            session.scalar(select(func.coalesce(func.max(models.Unit.position), 0)).where(where))
            or 0
        )
        + 1
    )


def _agent_named(session: Session, run: _Run, name: str, kind: AgentKind) -> int:
    """The agent with this authorised or variant name (compared with full Unicode case
    folding, which SQLite's lower() lacks), created if the catalogue has none."""
    if not run.agents_loaded:
        rows = session.execute(
            select(models.Agent.id, models.Agent.authorised_name, models.Agent.kind).union_all(
                select(models.AgentName.agent_id, models.AgentName.name, models.Agent.kind).join(
                    models.Agent, models.Agent.id == models.AgentName.agent_id
                )
            )
        )
        for agent_id, known, known_kind in rows:
            run.agents.setdefault((known.casefold(), known_kind), agent_id)
        run.agents_loaded = True
    key = (name.casefold(), kind.value)
    if key in run.agents:
        return run.agents[key]
    agent = models.Agent(
        authorised_name=name,
        kind=kind.value,
        notes="Created from a name found in an imported document.",
    )
    session.add(agent)
    session.flush()
    run.agents[key] = agent.id
    return agent.id


def _log_outcome(report: ImportReport) -> None:
    """What a person was told about the import, kept in the log file too."""
    _log.info(
        "import: %d imported, %d duplicate(s), %d failed%s",
        report.count("imported"),
        report.count("duplicate"),
        report.count("failed"),
        ", cancelled" if report.cancelled else "",
    )
    for item in report.items:
        if item.outcome == "failed":
            _log.warning(
                "import: %s could not be catalogued: %s", private(item.path), private(item.reason)
            )
        for warning in item.warnings:
            _log.info("import: %s: %s", private(item.path), private(warning))
