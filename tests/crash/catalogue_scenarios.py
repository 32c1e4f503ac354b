"""Commands that write into a catalogue: import, import-csv, import-bag, reindex, and the
upgrade of an old catalogue by init."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from catalog_app.services import Catalogue
from catalog_app.storage.migrate import head_revision
from tests.crash import checks
from tests.crash.checks import Signature, expect
from tests.crash.harness import Killed, catalog_argv, environment, run
from tests.crash.materials import document_folder, isad_inventory, old_catalogue
from tests.crash.scenario import Case, Scenario, copy_catalogue, new_case
from tests.test_migrations import FIRST_REVISION, Rows, _all_rows


def empty_catalogue(path: Path) -> Path:
    if not path.exists():
        Catalogue.open(path, create=True, actor="crash-tester").close()
    return path


def source_catalogue(root: Path) -> Path:
    """A catalogue with imported documents (and originals) and CSV records, made once
    beside the scenarios' folders (`root` is one of them) for those that read one."""
    folder = root.parent / "source"
    db = folder / "source.sqlite"
    if db.exists():
        return db
    folder.mkdir(parents=True)
    empty_catalogue(db)
    documents = folder / "documents"
    document_folder(documents, texts=12, pages=4, pdfs=2, seed=7)
    inventory = folder / "inventory.csv"
    isad_inventory(inventory, series=4, items=100, seed=7)
    env = environment(folder)
    for argv in (
        catalog_argv(db, "import", "--recursive", documents),
        catalog_argv(db, "import-csv", inventory),
    ):
        finished = run(argv, env, db.parent)
        expect(finished.returncode == 0, f"making the source catalogue: {finished.describe()}")
    return db


def _unit_count(db: Path) -> int:
    return checks.counts(db, ("units",))["units"]


class _IntoCatalogue(Scenario):
    """A command writing records into a copy of a template catalogue."""

    reference: Signature

    def template(self, root: Path) -> Path:
        return root / "template.sqlite"

    def command(self, root: Path, db: Path) -> list[str]:
        raise NotImplementedError

    def case(self, root: Path, work: Path) -> Case:
        db = work / "catalogue.sqlite"
        copy_catalogue(self.template(root), db)
        return new_case(work, db, self.command(root, db))

    def remember(self, case: Case) -> None:
        self.reference = checks.signature(case.db)

    def after_kill(self, case: Case, killed: Killed) -> None:
        checks.whole_catalogue(case.db)
        checks.every_row_audited(case.db)

    def finished_again(self, case: Case) -> None:
        checks.whole_catalogue(case.db)
        checks.every_row_audited(case.db)
        checks.same_result(case.db, self.reference)
        checks.catalog_verify(case.db)  # last: it records a fixity check on each original


class ImportFolder(_IntoCatalogue):
    """`import --recursive` of a folder, text read in this process (`workers` 1) or in a
    pool of extraction processes."""

    def __init__(self, workers: int, kills: int) -> None:
        self.workers = workers
        self.name = "import" if workers == 1 else f"import-{workers}-workers"
        self.kills = kills

    def build(self, root: Path) -> None:
        empty_catalogue(self.template(root))
        document_folder(root / "documents", texts=36, pages=12, pdfs=4, seed=1)

    def command(self, root: Path, db: Path) -> list[str]:
        folder = root / "documents"
        return catalog_argv(db, "import", "--recursive", "--workers", str(self.workers), folder)

    def after_kill(self, case: Case, killed: Killed) -> None:
        super().after_kill(case, killed)
        checks.imported_items_whole(case.db)

    def rerun(self, case: Case, killed: Killed) -> None:
        again = case.run()
        expect(again.returncode == 0, f"the re-run failed: {again.describe()}")
        self.finished_again(case)
        checks.imported_items_whole(case.db)
        empty = checks.empty_folder_records(case.db)
        expect(not empty, f"folder records left empty after the re-run: {empty}")
        checks.store_has_no_leftovers(case.db)


class _AllOrNothing(_IntoCatalogue):
    """An import written in one transaction: after a kill, all of it or none. Run again
    after it had completed, it is refused (exit 1) without writing anything."""

    records: int
    refusal: str  # what the refusal says

    def remember(self, case: Case) -> None:
        super().remember(case)
        self.records = _unit_count(case.db)

    def after_kill(self, case: Case, killed: Killed) -> None:
        super().after_kill(case, killed)
        found = _unit_count(case.db)
        expect(found in (0, self.records), f"{found} of {self.records} records were written")

    def rerun(self, case: Case, killed: Killed) -> None:
        completed = _unit_count(case.db) == self.records
        again = case.run()
        if completed:
            expect(
                again.returncode == 1 and self.refusal in again.stdout + again.stderr,
                f"the re-run of a completed import was not refused: {again.describe()}",
            )
        else:
            expect(again.returncode == 0, f"the re-run failed: {again.describe()}")
        self.finished_again(case)
        checks.store_has_no_leftovers(case.db)


class ImportCsv(_AllOrNothing):
    name = "import-csv"
    kills = 10
    refusal = "nothing was imported"

    def build(self, root: Path) -> None:
        empty_catalogue(self.template(root))
        isad_inventory(root / "inventory.csv", series=4, items=100, seed=2)

    def command(self, root: Path, db: Path) -> list[str]:
        return catalog_argv(db, "import-csv", root / "inventory.csv")


class ImportBag(_AllOrNothing):
    name = "import-bag"
    kills = 10
    refusal = "already has"

    def after_kill(self, case: Case, killed: Killed) -> None:
        super().after_kill(case, killed)
        checks.every_unit_has_event(case.db, "transfer")

    def rerun(self, case: Case, killed: Killed) -> None:
        super().rerun(case, killed)
        checks.every_unit_has_event(case.db, "transfer")

    def build(self, root: Path) -> None:
        empty_catalogue(self.template(root))
        source = source_catalogue(root)
        bag = root / "bag"
        if not bag.exists():
            made = run(catalog_argv(source, "export", "bag", bag), environment(root), root)
            expect(made.returncode == 0, f"making the bag: {made.describe()}")

    def command(self, root: Path, db: Path) -> list[str]:
        return catalog_argv(db, "import-bag", root / "bag")


class Reindex(_IntoCatalogue):
    name = "reindex"
    kills = 8

    def build(self, root: Path) -> None:
        source_catalogue(root)

    def template(self, root: Path) -> Path:
        return source_catalogue(root)

    def command(self, root: Path, db: Path) -> list[str]:
        return catalog_argv(db, "reindex")

    def rerun(self, case: Case, killed: Killed) -> None:
        again = case.run()
        expect(again.returncode == 0, f"the re-run failed: {again.describe()}")
        self.finished_again(case)


def _revision(db: Path) -> str:
    with closing(sqlite3.connect(db)) as connection:
        return str(connection.execute("SELECT version_num FROM alembic_version").fetchone()[0])


class Migration(Scenario):
    """`catalog init` upgrading a catalogue from the first schema revision."""

    name = "migration"
    kills = 10
    rows: Rows

    def build(self, root: Path) -> None:
        template = root / "old.sqlite"
        if not template.exists():
            old_catalogue(template, extra_units=3000)
        self.rows = _all_rows(template)

    def case(self, root: Path, work: Path) -> Case:
        db = work / "catalogue.sqlite"
        copy_catalogue(root / "old.sqlite", db)
        return new_case(work, db, catalog_argv(db, "init"))

    def remember(self, case: Case) -> None:
        expect(_revision(case.db) == head_revision(), "init did not upgrade the catalogue")

    def _backups(self, case: Case) -> list[Path]:
        """The complete copies made before upgrading (named like the catalogue; a `.partial`
        one, or its journal, is not a copy)."""
        return sorted(case.work.glob(f"{case.db.stem}.before-*{case.db.suffix}"))

    def _backups_whole(self, case: Case) -> None:
        for backup in self._backups(case):
            checks.sqlite_integrity(backup)
            expect(_revision(backup) == FIRST_REVISION, f"{backup.name} is not the old version")
            expect(_all_rows(backup) == self.rows, f"{backup.name} lacks rows of the original")

    def _nothing_lost(self, case: Case) -> None:
        found = _all_rows(case.db, like=self.rows)
        lost = [table for table, rows in self.rows.items() if found[table] != rows]
        expect(not lost, f"rows of {lost} changed")

    def after_kill(self, case: Case, killed: Killed) -> None:
        # Only SQLite looks at it: any `catalog` command would upgrade it.
        checks.sqlite_integrity(case.db)
        revision = _revision(case.db)
        expect(revision in (FIRST_REVISION, head_revision()), f"left at revision {revision}")
        if revision != FIRST_REVISION:
            expect(self._backups(case), "upgraded without a complete copy of the old version")
        self._backups_whole(case)
        self._nothing_lost(case)

    def rerun(self, case: Case, killed: Killed) -> None:
        again = case.run()
        expect(again.returncode == 0, f"the re-run failed: {again.describe()}")
        expect(_revision(case.db) == head_revision(), "the re-run did not upgrade")
        expect(self._backups(case), "no copy of the old version was kept")
        self._backups_whole(case)
        self._nothing_lost(case)
        checks.whole_catalogue(case.db)
        wanted = {case.db.name, case.db.name + "-wal", case.db.name + "-shm"}
        wanted |= {"out", "home", case.db.stem + "-originals"}
        wanted |= {p.name for p in self._backups(case)}
        checks.only_these_left(case.work, wanted, "after the re-run")
