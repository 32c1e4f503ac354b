"""Importing files and folders: originals stored bit-exact, text extracted in worker
processes, descriptions pre-filled, and everything written in batched transactions."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog_app import __version__
from catalog_app.domain.dates import DateError, parse_date
from catalog_app.domain.records import ImportItem, ImportReport
from catalog_app.domain.vocabulary import (
    AccessStatus,
    AgentKind,
    AgentRole,
    DateKind,
    EventOutcome,
    EventType,
    Level,
    TitleSource,
)
from catalog_app.ingest import store
from catalog_app.ingest.prepare import (
    ImportTask,
    Prepared,
    close_connections,
    display_path,
    ignore_interrupts,
    prepare,
)
from catalog_app.ingest.walk import Candidate, collect
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
# Below this many files, starting worker processes costs more than it saves.
POOL_THRESHOLD = 16
TOOL = f"catalog-app {__version__}"


@dataclass
class _Run:
    catalogue_path: Path
    store_root: Path
    parents: dict[tuple[str, ...], int | None]
    items: dict[int, ImportItem] = field(default_factory=dict)
    new_by_sha: dict[str, tuple[int, str]] = field(default_factory=dict)
    agents: dict[tuple[str, str], int] = field(default_factory=dict)
    agents_loaded: bool = False


def _results(tasks: list[ImportTask], workers: int) -> Iterator[Prepared]:
    if workers <= 1 or len(tasks) < POOL_THRESHOLD:
        try:
            yield from map(prepare, tasks)
        finally:
            close_connections()
        return
    # forkserver: workers start clean, never as a copy of a process holding Qt or SQLite
    # (spawn where there is no forkserver, as on Windows).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=ignore_interrupts
    )
    try:
        chunk = max(1, min(32, len(tasks) // (workers * 8)))
        yield from pool.map(prepare, tasks, chunksize=chunk)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


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
    ) -> ImportReport:
        """Import files and folders under `collection` (a reference code; None: top level).

        Folders become units (series, or files when they hold only documents) unless
        `flatten`. `report(done, total)` is called as work progresses; returning False
        cancels, keeping what was already catalogued. Running the same import again after
        an interruption finishes it without duplicates.
        """
        walk = collect(list(paths), recursive=recursive, exclude=self._own_files())
        store.clear_incoming(self.store_root)
        parents = self._folder_units(walk.files, collection, flatten)
        run = _Run(self._cat.path, self.store_root, parents)
        for number, (path, reason) in enumerate(walk.failures):
            run.items[-1 - number] = ImportItem(display_path(path), "failed", reason=reason)
        tasks = [
            ImportTask(str(c.path), str(self.store_root), str(self._cat.path)) for c in walk.files
        ]
        folders = [() if flatten else c.folders for c in walk.files]
        # One more worker than cores: each spends part of its time waiting for the disk.
        default_workers = (os.cpu_count() or 1) + 1
        cancelled = self._process(run, tasks, folders, report, workers or default_workers)
        ordered = [run.items[k] for k in sorted(k for k in run.items if k < 0)]
        ordered += [run.items[i] for i in range(len(tasks)) if i in run.items]
        return ImportReport(
            items=tuple(ordered),
            skipped=tuple(display_path(p) for p in walk.skipped),
            cancelled=cancelled,
        )

    def _process(
        self,
        run: _Run,
        tasks: list[ImportTask],
        folders: list[tuple[str, ...]],
        report: Progress | None,
        workers: int,
    ) -> bool:
        total = len(tasks)
        pending: list[tuple[int, Prepared]] = []
        last_write = last_report = time.monotonic()
        results = _results(tasks, workers)
        try:
            for index, prepared in enumerate(results):
                pending.append((index, prepared))
                now = time.monotonic()
                if len(pending) >= BATCH_SIZE or now - last_write >= BATCH_SECONDS:
                    self._write(run, pending, folders)
                    pending, last_write = [], time.monotonic()
                if report is not None and (
                    now - last_report >= PROGRESS_SECONDS or index + 1 == total
                ):
                    last_report = now
                    if not report(index + 1, total):
                        self._write(run, pending, folders)
                        return True
            self._write(run, pending, folders)
        except BrokenProcessPool as exc:
            # A worker died (a crash inside a PDF or image library, or out of memory): keep
            # what was done, and report the files it did not get to.
            self._write(run, pending, folders)
            for missing in range(total):
                if missing not in run.items:
                    run.items[missing] = ImportItem(
                        tasks[missing].path,
                        "failed",
                        reason=f"the text extraction process stopped unexpectedly ({exc}); "
                        "import this file again on its own",
                    )
        finally:
            if hasattr(results, "close"):
                results.close()
        if report is not None and total == 0:
            report(0, 0)
        return False

    # -- folders ---------------------------------------------------------------------------

    def _folder_units(
        self, files: list[Candidate], collection: str | None, flatten: bool
    ) -> dict[tuple[str, ...], int | None]:
        """Units for the folders files come from, reusing those an earlier run made."""
        with self._cat.db.write(self._cat.actor, reason="import") as session:
            root = find_unit(session, collection) if collection else None
            parents: dict[tuple[str, ...], int | None] = {(): root.id if root else None}
            if flatten:
                return parents
            paths = sorted(
                {c.folders[:depth] for c in files for depth in range(1, len(c.folders) + 1)},
                key=lambda folders: (len(folders), folders),
            )
            has_subfolders = {p[:-1] for p in paths}
            for path in paths:
                parent_id = parents[path[:-1]]
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
                        level = Level.SERIES if path in has_subfolders else Level.FILE
                    existing = self._new_folder_unit(session, name, level, parent_id)
                parents[path] = existing
            return parents

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
        self, run: _Run, pending: list[tuple[int, Prepared]], folders: list[tuple[str, ...]]
    ) -> None:
        if not pending:
            return
        fresh: list[tuple[int, Prepared]] = []
        for index, prepared in pending:
            if prepared.outcome == "failed":
                run.items[index] = ImportItem(prepared.path, "failed", reason=prepared.reason)
            elif prepared.sha256 in run.new_by_sha:
                unit_id, code = run.new_by_sha[prepared.sha256]
                run.items[index] = _duplicate(prepared, unit_id, code)
            else:
                fresh.append((index, prepared))
        if not fresh and all(i in run.items for i, _ in pending):
            return
        store.make_durable()
        with self._cat.db.write(self._cat.actor, reason="import") as session:
            known = _catalogued(session, [p.sha256 for _, p in fresh if p.sha256])
            to_insert: list[tuple[int, Prepared]] = []
            repeats: list[tuple[int, Prepared]] = []
            claimed: set[str] = set()
            for index, prepared in fresh:
                assert prepared.sha256 is not None
                if prepared.sha256 in known:
                    unit_id, code = known[prepared.sha256]
                    run.items[index] = _duplicate(prepared, unit_id, code)
                elif prepared.sha256 in claimed:
                    repeats.append((index, prepared))
                else:
                    claimed.add(prepared.sha256)
                    to_insert.append((index, prepared))
            self._insert(session, run, to_insert, folders)
        for index, prepared in repeats:  # the same bytes twice in one batch
            assert prepared.sha256 is not None
            unit_id, code = run.new_by_sha[prepared.sha256]
            run.items[index] = _duplicate(prepared, unit_id, code)

    def _insert(
        self,
        session: Session,
        run: _Run,
        batch: list[tuple[int, Prepared]],
        folders: list[tuple[str, ...]],
    ) -> None:
        by_parent: dict[int | None, list[tuple[int, Prepared]]] = {}
        for index, prepared in batch:
            by_parent.setdefault(run.parents[folders[index]], []).append((index, prepared))
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
        for row, (index, prepared) in zip(units, order, strict=True):
            assert prepared.sha256 is not None
            run.new_by_sha[prepared.sha256] = (row["id"], row["reference_code"])
            run.items[index] = ImportItem(
                prepared.path,
                "imported",
                row["id"],
                row["reference_code"],
                warnings=tuple(prepared.warnings),
            )
            files.append(self.file_row(prepared, row["id"]))
            events.extend(self.event_rows(prepared, row["id"]))
        insert_audited(session, models.StoredFile, files)
        insert_audited(session, models.ProvenanceEvent, events)
        derived.mark(session, [row["id"] for row in units], moved=True)
        for row, (_, prepared) in zip(units, order, strict=True):
            self._link_agents(session, run, row["id"], prepared)

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
            "original_path": display_path(Path(prepared.path).absolute()),
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
            f"Imported from {display_path(Path(prepared.path).absolute())}; "
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
                "place": os.uname().nodename if hasattr(os, "uname") else None,
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
        wanted = [(name, AgentKind.PERSON, AgentRole.CREATOR) for name in prepared.authors]
        if prepared.publisher:
            wanted.append((prepared.publisher, AgentKind.ORGANISATION, AgentRole.PUBLISHER))
        linked: set[tuple[int, str]] = set()
        for name, kind, role in wanted:
            agent_id = _agent_named(session, run, name[:500], kind)
            if (agent_id, role.value) not in linked:  # "A; a" in a page names one person once
                linked.add((agent_id, role.value))
                session.add(models.UnitAgent(unit_id=unit_id, agent_id=agent_id, role=role.value))


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
