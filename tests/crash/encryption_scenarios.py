"""`catalog encrypt` and `catalog decrypt`: killed at any moment, they leave one working
catalogue at the path, plain or encrypted, holding everything it held, and no plain copy of
an original beside an encrypted catalogue once it has been opened again."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from catalog_app.cli.passphrase import PASSPHRASE_ENV
from catalog_app.ingest.store import INCOMING, store_root
from catalog_app.services import Catalogue
from catalog_app.storage.keys import key_file_path
from tests.crash import checks
from tests.crash.catalogue_scenarios import source_catalogue
from tests.crash.checks import expect
from tests.crash.harness import Killed, catalog_argv, environment, run
from tests.crash.scenario import Case, Scenario, copy_catalogue, new_case

PASSPHRASE = "crash test passphrase"
COUNTED = ("units", "files", "audit_log")


@contextlib.contextmanager
def _passphrase() -> Iterator[None]:
    """`catalog` run in this process is given the passphrase as a script gives it."""
    before = os.environ.get(PASSPHRASE_ENV)
    os.environ[PASSPHRASE_ENV] = PASSPHRASE
    try:
        yield
    finally:
        if before is None:
            del os.environ[PASSPHRASE_ENV]
        else:
            os.environ[PASSPHRASE_ENV] = before


def _counts(db: Path) -> dict[str, int]:
    with _passphrase():
        code, out, err = checks.run_catalog("--db", str(db), "stats", "--json")
    expect(code == 0, f"catalog stats failed: {err.strip()}")
    counts = json.loads(out)["counts"]
    return {table: int(counts[table]) for table in COUNTED if table != "audit_log"}


def _copy_files(source: Path, target: Path) -> None:
    """A closed encrypted catalogue copied as files: it, its key file and its store."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    shutil.copyfile(key_file_path(source), key_file_path(target))
    shutil.copytree(store_root(source), store_root(target), symlinks=True)


class _Conversion(Scenario):
    """A conversion of a copy of the source catalogue; `encrypted` is the form it makes."""

    encrypted: bool
    counts: dict[str, int]
    plain_digests: set[str]

    def build(self, root: Path) -> None:
        source = source_catalogue(root)
        self.counts = {t: n for t, n in checks.counts(source, COUNTED).items() if t != "audit_log"}
        self.plain_digests = set(checks.stored_originals(source))
        if not self.encrypted:
            template = root / "encrypted.sqlite"
            if not template.exists():
                copy_catalogue(source, template)
                env = {**environment(root / "home"), PASSPHRASE_ENV: PASSPHRASE}
                made = run(catalog_argv(template, "encrypt"), env, root)
                expect(made.returncode == 0, f"encrypting the template: {made.describe()}")

    def case(self, root: Path, work: Path) -> Case:
        db = work / "catalogue.sqlite"
        if self.encrypted:
            copy_catalogue(source_catalogue(root), db)
        else:
            _copy_files(root / "encrypted.sqlite", db)
        case = new_case(work, db, catalog_argv(db, "encrypt" if self.encrypted else "decrypt"))
        case.env[PASSPHRASE_ENV] = PASSPHRASE
        return case

    def _whole(self, case: Case) -> bool:
        """One working catalogue holding everything; returns whether it is encrypted."""
        db = case.db
        expect(db.is_file(), "the catalogue is gone")
        with _passphrase():
            for command in ("check", "verify"):
                code, _, err = checks.run_catalog("--db", str(db), command)
                expect(code == 0, f"catalog {command} after the kill: {err.strip()[-1500:]}")
        expect(_counts(db) == self.counts, "records or originals were lost")
        encrypted = Catalogue.is_encrypted(db)
        root = store_root(db)
        incoming = root / INCOMING
        stored = [p for p in root.rglob("*") if p.is_file() and incoming not in p.parents]
        expect(len(stored) == len(self.plain_digests), f"{len(stored)} files in the store")
        if encrypted:
            plain = sorted(str(p) for p in stored if checks.sha256_file(p) in self.plain_digests)
            expect(not plain, f"plain copies beside the encrypted catalogue: {plain[:3]}")
        else:
            checks.whole_catalogue(db)
            checks.store_has_no_leftovers(db)
        left = sorted(p.name for p in db.parent.glob(f".{db.name}.partial-*"))
        expect(not left, f"a conversion's leftovers remain beside the catalogue: {left}")
        return encrypted

    def remember(self, case: Case) -> None:
        expect(self._whole(case) == self.encrypted, "the conversion did not happen")

    def after_kill(self, case: Case, killed: Killed) -> None:
        self._whole(case)

    def rerun(self, case: Case, killed: Killed) -> None:
        again = case.run()
        expect(again.returncode == 0, f"the re-run failed: {again.describe()}")
        expect(self._whole(case) == self.encrypted, "the re-run did not finish the conversion")


class Encrypt(_Conversion):
    name = "encrypt"
    kills = 5
    encrypted = True


class Decrypt(_Conversion):
    name = "decrypt"
    kills = 4
    encrypted = False
