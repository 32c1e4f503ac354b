"""Commands that write files from a catalogue: export (every format), backup and restore.
What they write must be absent or complete after a kill; temporaries may be left beside it
only if the next run removes them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from catalog_app.ingest.store import store_root
from tests.crash import checks
from tests.crash.catalogue_scenarios import source_catalogue
from tests.crash.checks import CrashCheckFailed, Signature, expect
from tests.crash.harness import CATALOG, Killed, catalog_argv, environment, run
from tests.crash.scenario import Case, Scenario, copy_catalogue, new_case

OUTPUTS = {
    "csv": "finding-aid.csv",
    "xlsx": "finding-aid.xlsx",
    "ead": "ead.xml",
    "dc": "dublin-core.xml",
    "bag": "package",
}
READERS: dict[str, Callable[[Path], object]] = {
    "csv": checks.csv_rows,
    "xlsx": checks.xlsx_rows,
    "ead": checks.xml_shape,
    "dc": checks.xml_shape,
    "bag": checks.bag_payload,
}


def _read(fmt: str, path: Path) -> object:
    try:
        return READERS[fmt](path)
    except CrashCheckFailed:
        raise
    except Exception as exc:  # any parser's complaint means a partial file
        raise CrashCheckFailed(f"{path.name} cannot be read: {type(exc).__name__}: {exc}") from exc


def _second(path: Path) -> Path:
    """A fresh name beside `path` for running again when `path` was completed."""
    return path.with_name(f"{path.stem}-2{path.suffix}")


def _sqlite_names(db: Path) -> set[str]:
    return {db.name, db.name + "-wal", db.name + "-shm", store_root(db).name}


class _FromSource(Scenario):
    def build(self, root: Path) -> None:
        source_catalogue(root)


class Export(_FromSource):
    def __init__(self, fmt: str, kills: int) -> None:
        self.fmt = fmt
        self.name = f"export-{fmt}"
        self.kills = kills
        self.expected: object = None

    def case(self, root: Path, work: Path) -> Case:
        db = work / "catalogue.sqlite"
        copy_catalogue(source_catalogue(root), db)
        output = work / "out" / OUTPUTS[self.fmt]
        return new_case(work, db, catalog_argv(db, "export", self.fmt, output))

    def output(self, case: Case) -> Path:
        return case.out / OUTPUTS[self.fmt]

    def remember(self, case: Case) -> None:
        self.expected = _read(self.fmt, self.output(case))

    def complete(self, path: Path) -> None:
        expect(_read(self.fmt, path) == self.expected, f"{path.name} is not the whole export")

    def after_kill(self, case: Case, killed: Killed) -> None:
        checks.whole_catalogue(case.db)
        if self.output(case).exists():
            self.complete(self.output(case))

    def rerun(self, case: Case, killed: Killed) -> None:
        output = self.output(case)
        # A bag is written into a new folder only; the other formats replace their file.
        targets = [output]
        if self.fmt == "bag" and output.exists():
            targets.append(_second(output))
        again = case.run(catalog_argv(case.db, "export", self.fmt, targets[-1]))
        expect(again.returncode == 0, f"the re-run failed: {again.describe()}")
        for target in targets:
            self.complete(target)
        checks.only_these_left(case.out, {t.name for t in targets}, "after the re-run")


def backup_whole(backup: Path, reference: Signature, scratch: Path) -> None:
    """A backup folder is a valid bag holding a working copy of the catalogue and every
    original (checked on a copy: opening the one in the bag would add files to it)."""
    checks.bag_payload(backup)
    catalogues = sorted((backup / "data").glob("*.sqlite"))
    expect(len(catalogues) == 1, f"the backup holds {len(catalogues)} catalogue files")
    copy = scratch / catalogues[0].name
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    shutil.copyfile(catalogues[0], copy)
    if store_root(catalogues[0]).is_dir():
        shutil.copytree(store_root(catalogues[0]), store_root(copy))
    checks.whole_catalogue(copy)
    checks.same_result(copy, reference)


class Backup(_FromSource):
    name = "backup"
    kills = 10
    reference: Signature

    def case(self, root: Path, work: Path) -> Case:
        db = work / "catalogue.sqlite"
        copy_catalogue(source_catalogue(root), db)
        return new_case(work, db, catalog_argv(db, "backup", work / "out" / "backup"))

    def remember(self, case: Case) -> None:
        self.reference = checks.signature(case.db)
        backup_whole(case.out / "backup", self.reference, case.work / "scratch")

    def after_kill(self, case: Case, killed: Killed) -> None:
        checks.whole_catalogue(case.db)
        # A backup folder that exists is a complete one: it is written under another name.
        if (case.out / "backup").exists():
            backup_whole(case.out / "backup", self.reference, case.work / "scratch")

    def rerun(self, case: Case, killed: Killed) -> None:
        targets = [case.out / "backup"]
        if targets[0].exists():
            targets.append(case.out / "backup-2")
        again = case.run(catalog_argv(case.db, "backup", targets[-1]))
        expect(again.returncode == 0, f"the re-run failed: {again.describe()}")
        for target in targets:
            backup_whole(target, self.reference, case.work / "scratch")
        checks.only_these_left(case.out, {t.name for t in targets}, "after the re-run")
        checks.whole_catalogue(case.db)


class Restore(_FromSource):
    name = "restore"
    kills = 8
    reference: Signature

    def build(self, root: Path) -> None:
        source = source_catalogue(root)
        self.reference = checks.signature(source)
        made = run(catalog_argv(source, "backup", self._backup(root)), environment(root), root)
        expect(made.returncode == 0, f"the backup to restore failed: {made.describe()}")

    def _backup(self, root: Path) -> Path:
        return root / "backup-to-restore" / "backup"

    def case(self, root: Path, work: Path) -> Case:
        target = work / "out" / "restored.sqlite"
        return new_case(work, target, [*CATALOG, "restore", str(self._backup(root)), str(target)])

    def remember(self, case: Case) -> None:
        self._whole(case.db)

    def _whole(self, db: Path) -> None:
        checks.whole_catalogue(db)
        checks.same_result(db, self.reference)

    def after_kill(self, case: Case, killed: Killed) -> None:
        if case.db.exists():
            self._whole(case.db)

    def rerun(self, case: Case, killed: Killed) -> None:
        targets = [case.db]
        if case.db.exists():
            targets.append(_second(case.db))
        backup = Path(case.argv[-2])
        again = case.run([*CATALOG, "restore", str(backup), str(targets[-1])])
        expect(again.returncode == 0, f"the re-run failed: {again.describe()}")
        for target in targets:
            self._whole(target)
            checks.store_has_no_leftovers(target)
            checks.catalog_verify(target)
        wanted = set().union(*(_sqlite_names(t) for t in targets))
        checks.only_these_left(case.out, wanted, "after the re-run")
        checks.bag_payload(backup)  # restoring never changes the backup
