"""Backups of a catalogue with its originals, restoring them, and automatic backups.

A backup is a BagIt bag in a new folder (see `catalog_app.export.backup_bag`): a snapshot of
the catalogue taken while it stays open, then exactly the originals that snapshot refers to
(they are immutable, so copying them after the snapshot is consistent). It is written in a
hidden sibling folder, flushed, verified by reading every file back from the disk, and only
then renamed into place: a backup folder that exists is complete and verified.

A restore checks every checksum of a backup, the catalogue's own integrity and audit chain,
and that every original the catalogue refers to is there with its recorded SHA-256, before
anything gets a real name; the originals' folder is renamed into place first and the
catalogue file last, so a killed restore never leaves something that looks like a catalogue.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from catalog_app import staging as temporaries
from catalog_app.errors import (
    CatalogError,
    CatalogueReadOnly,
    CatalogueTooNew,
    DiskFull,
    PassphraseNeeded,
    WrongPassphrase,
)
from catalog_app.export import backup_bag
from catalog_app.export.backup_bag import BackupDamaged, PayloadFile
from catalog_app.file_modes import PRIVATE_FILE, PRIVATE_FOLDER, make_private_folder
from catalog_app.ingest import store
from catalog_app.logs import private
from catalog_app.paths import data_dir
from catalog_app.storage import driver
from catalog_app.storage.backup import copy_hashing, link_or_copy, snapshot
from catalog_app.storage.errors import translate_sqlite_error
from catalog_app.storage.keys import KEY_FILE_SUFFIX, CatalogueKeys, key_file_path

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue, Passphrase

log = logging.getLogger(__name__)

Progress = Callable[[int, int], bool]
MB = 1_000_000
_LISTED_PROBLEMS = 10  # bad files named in one message; the rest are counted
_NO_SPACE = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
_STAGED_CATALOGUE = "catalogue.restoring"
_STAGED_STORE = "originals"
_STORE_PLACED = "originals-placed"  # the target's name, written before the store is placed


@dataclass(frozen=True)
class BackupReport:
    catalogue: Path
    path: Path
    originals: int
    bytes: int  # the whole payload: the catalogue file and the originals
    seconds: float
    linked: int = 0  # originals hard-linked from an earlier backup instead of copied
    cancelled: bool = False  # nothing was written
    # Originals missing or altered in the store, so left out (the rest is backed up).
    not_backed_up: tuple[str, ...] = ()

    def summary(self) -> str:
        if self.cancelled:
            return "The backup was stopped; nothing was written."
        line = (
            f"Backed up {self.catalogue} to {self.path}: the catalogue and "
            f"{self.originals:,} originals ({self.bytes / MB:,.1f} MB), verified."
        )
        if self.not_backed_up:
            line += (
                f" {len(self.not_backed_up):,} original(s) could not be backed up because the "
                f"stored copy is missing or altered: {_listed(list(self.not_backed_up))}. "
                "Run catalog verify, and restore them from an earlier backup."
            )
        return line


@dataclass(frozen=True)
class RestoreReport:
    backup: Path
    path: Path
    originals: int
    bytes: int
    seconds: float
    cancelled: bool = False
    not_in_backup: int = 0  # originals already lost when the backup was made

    def summary(self) -> str:
        if self.cancelled:
            return "The restore was stopped; nothing was written."
        line = (
            f"Restored {self.backup} to {self.path}: the catalogue and {self.originals:,} "
            f"originals ({self.bytes / MB:,.1f} MB), every checksum verified."
        )
        if self.not_in_backup:
            line += (
                f" {self.not_in_backup:,} original(s) were already missing or altered when "
                "the backup was made and are not in it; catalog verify names them."
            )
        return line


class _Stopped(Exception):
    pass


@dataclass
class _Progress:
    """Bytes done out of a total, reported through the services' `report` callback."""

    report: Progress | None
    total: int = 0
    done: int = 0

    def add(self, amount: int) -> None:
        self.done += amount
        if self.report is not None and not self.report(self.done, max(self.total, self.done)):
            raise _Stopped


@dataclass(frozen=True)
class _Original:
    sha256: str
    size: int
    relative: str  # inside the store
    name: str
    reference_code: str

    def described(self) -> str:
        return f"'{self.name}' of record {self.reference_code}"


def _read_snapshot(
    database: Path, key: tuple[bytes, bytes] | None
) -> tuple[list[_Original], str | None]:
    """The originals the catalogue file `database` (a copy, never the open catalogue) refers
    to, and its schema revision."""
    with closing(driver.connect(database, readonly=True, key=key)) as connection:
        rows = connection.execute(
            "SELECT f.sha256, f.size, f.stored_path, f.original_name, u.reference_code "
            "FROM files f JOIN units u ON u.id = f.unit_id "
            "WHERE f.stored_path IS NOT NULL ORDER BY f.stored_path"
        ).fetchall()
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    originals = [_Original(str(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in rows]
    for original in originals:
        if not store.safe_relative(original.relative):
            raise CatalogError(
                f"The catalogue records a stored copy of {original.described()} outside its "
                f"store ({original.relative}); run catalog check."
            )
    return originals, str(revision[0]) if revision else None


def _no_space(what: str, where: Path) -> DiskFull:
    return DiskFull(
        f"There is not enough space on the disk for the {what} at {where}; nothing was "
        "written. Free some space and run it again."
    )


def _write_error(exc: OSError, what: str, where: Path) -> CatalogError:
    if exc.errno in _NO_SPACE:
        return _no_space(what, where)
    return CatalogError(
        f"Cannot write the {what} to {where} ({exc.strerror or exc}); nothing was written."
    )


def _listed(problems: list[str]) -> str:
    shown = problems[:_LISTED_PROBLEMS]
    more = len(problems) - len(shown)
    return "; ".join(shown) + (f"; and {more:,} more" if more else "")


# -- backing up ------------------------------------------------------------------------------


def write_backup(
    catalogue: Catalogue,
    destination: Path,
    *,
    report: Progress | None = None,
    previous: Path | None = None,
) -> BackupReport:
    """Back the catalogue and its originals up into the new folder `destination`.

    `previous` (an earlier backup of the same catalogue) lends its copies of unchanged
    originals as hard links where the file system allows. `report(done, total)` (bytes)
    returning False stops the backup, leaving nothing behind.
    """
    started = time.monotonic()
    destination = destination.expanduser().absolute()
    if destination.exists() or destination.is_symlink():
        raise CatalogError(f"{destination} already exists; a backup goes into a new folder.")
    if destination.is_relative_to(store.store_root(catalogue.path)):
        raise CatalogError("A backup cannot go inside the catalogue's own folder of originals.")
    parent = destination.parent
    staging = temporaries.staging_path(destination)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _sweep(parent)
        staging.mkdir(mode=PRIVATE_FOLDER)
        payload, linked, left_out = _fill(catalogue, staging, _Progress(report), previous)
        staging.rename(destination)
        temporaries.sync_folder(parent)
    except _Stopped:
        return BackupReport(catalogue.path, destination, 0, 0, 0.0, cancelled=True)
    except DiskFull as exc:  # from SQLite, writing the snapshot
        raise _no_space("backup", destination) from exc
    except OSError as exc:
        raise _write_error(exc, "backup", destination) from exc
    finally:
        temporaries.remove(staging)
    # Less the catalogue file, and an encrypted catalogue's key file.
    originals = len(payload) - (2 if catalogue.encrypted else 1)
    log.info(
        "backed up %s to %s (%d originals, %d linked)",
        private(catalogue.path),
        private(destination),
        originals,
        linked,
    )
    return BackupReport(
        catalogue.path,
        destination,
        originals=originals,
        bytes=sum(entry.size for entry in payload.values()),
        seconds=time.monotonic() - started,
        linked=linked,
        not_backed_up=left_out,
    )


def _fill(
    catalogue: Catalogue, staging: Path, progress: _Progress, previous: Path | None
) -> tuple[dict[str, PayloadFile], int, tuple[str, ...]]:
    """Write the payload and tags of a backup into `staging` and verify them.

    Returns the payload (relative path -> checksum and size), how many originals were
    hard-linked, and the originals left out because their stored copy is missing or altered.
    """
    payload_root = staging / backup_bag.PAYLOAD
    payload_root.mkdir(mode=PRIVATE_FOLDER)
    database = payload_root / catalogue.path.name
    seal = catalogue.audit.seal().code  # before: the snapshot's chain extends it
    key = catalogue.keys.database if catalogue.keys is not None else None
    sealing = catalogue.store_key
    # First: the originals to copy are the ones it names.
    snapshot(catalogue.path, database, key)
    originals, revision = _read_snapshot(database, key)
    database_size = database.stat().st_size
    progress.total = 2 * (database_size + sum(o.size for o in originals))
    store_name = store.store_root(catalogue.path).name
    payload: dict[str, PayloadFile] = {}
    payload[f"{backup_bag.PAYLOAD}/{database.name}"] = PayloadFile(
        store.sha256_of(database, from_disk=True), database_size
    )
    if key is not None:  # the encrypted catalogue opens only with its key file
        key_file = payload_root / key_file_path(catalogue.path).name
        key_digest, key_size = copy_hashing(key_file_path(catalogue.path), key_file)
        payload[f"{backup_bag.PAYLOAD}/{key_file.name}"] = PayloadFile(key_digest, key_size)
    progress.add(database_size)
    source_root = store.store_root(catalogue.path)
    earlier = previous / backup_bag.PAYLOAD / store_name if previous is not None else None
    linked: set[str] = set()
    left_out: list[tuple[_Original, str]] = []
    for original in originals:
        relative = f"{backup_bag.PAYLOAD}/{store_name}/{original.relative}"
        target = staging / relative
        if not target.parent.is_dir():
            make_private_folder(target.parent)
        source = source_root / original.relative
        lent = earlier / original.relative if earlier is not None else None
        try:
            digest, size = link_or_copy(lent, source, target)
        except OSError as exc:
            if exc.errno in _NO_SPACE or exc.filename != str(source):
                raise
            # One lost original must not cost the backup of everything else.
            log.warning("backup: %s cannot be read: %s", private(source), private(exc))
            left_out.append((original, "cannot be read"))
            progress.add(original.size)
            continue
        if digest is None:
            linked.add(relative)
        if not _holds(target, original, digest, sealing):
            log.warning("backup: %s no longer matches its SHA-256", private(source))
            target.unlink()
            linked.discard(relative)
            left_out.append((original, "no longer matches its SHA-256"))
            progress.add(size)
            continue
        if sealing is not None:  # the bag's checksums are of the sealed files it holds
            payload[relative] = PayloadFile(digest or store.sha256_of(target), size)
        else:
            payload[relative] = PayloadFile(original.sha256, size)
        progress.add(size)
    backup_bag.write_tags(
        staging,
        payload,
        catalogue_file=database.name,
        store_folder=store_name,
        schema_revision=revision,
        originals=len(originals) - len(left_out),
        not_backed_up=[original.relative for original, _ in left_out],
        seal=seal,
    )
    store.make_durable()
    problems = _check_files(backup_bag.read(staging), progress)
    relinked = {p.path for p in problems} & linked
    if relinked:  # the earlier backup's copy is damaged: copy from the store instead
        for relative in relinked:
            _replace_with_copy(staging / relative, source_root / relative.split("/", 2)[2])
        linked -= relinked
        store.make_durable()
        problems = _check_files(backup_bag.read(staging), _Progress(None))
    if problems:
        raise CatalogError(
            "The backup did not match what was written when it was read back, so it was not "
            f"kept ({_listed([p.text for p in problems])}); check the disk."
        )
    return payload, len(linked), tuple(f"{o.described()} ({why})" for o, why in left_out)


def _holds(
    copy: Path, original: _Original, digest: str | None, sealing: store.StoreKey | None
) -> bool:
    """Whether `copy` (hashed while copied as `digest`, None when hard-linked) is the
    recorded original. A sealed copy is opened and its plaintext hashed, which also proves
    that it was not tampered with."""
    if sealing is None:
        return digest is None or digest == original.sha256
    try:
        return store.sha256_of(copy, key=sealing) == original.sha256
    except store.NotAuthentic:
        return False


def _replace_with_copy(target: Path, source: Path) -> None:
    target.unlink()
    copy_hashing(source, target)


def _sweep(folder: Path) -> None:
    """Clear what killed backups and restores left in `folder`. A restore killed between its
    two renames has placed the originals' folder of a catalogue that never appeared."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        placed = entry / _STORE_PLACED
        if temporaries.is_leftover(entry) and placed.is_file():
            name = placed.read_text(encoding="utf-8")
            final = folder / name
            ours = "/" not in name and entry.name.startswith(f".{name}.partial-")
            if ours and not final.exists() and not (entry / _STAGED_STORE).exists():
                temporaries.remove(store.store_root(final))
    temporaries.sweep(folder)


# -- checking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    path: str
    text: str


def _check_files(
    contents: backup_bag.BackupContents,
    progress: _Progress,
    copy_to: Callable[[str], Path | None] | None = None,
) -> list[_Problem]:
    """Hash every file the backup lists (from the disk, or while copying it to
    `copy_to(relative)` where that gives a path) and name every file that is wrong."""
    problems = [_Problem(p, f"{p} is missing") for p in contents.missing]
    problems += [_Problem(p, f"{p} is not part of the backup") for p in contents.unexpected]
    for relative, expected in sorted(contents.expected.items()):
        path = contents.root / relative
        if relative in contents.missing:
            continue
        if not path.is_file() or path.is_symlink():
            problems.append(_Problem(relative, f"{relative} is missing"))
            continue
        target = copy_to(relative) if copy_to is not None else None
        try:
            if target is None:
                actual = store.sha256_of(path, from_disk=True)
            else:
                if not target.parent.is_dir():
                    make_private_folder(target.parent)
                actual = copy_hashing(path, target)[0]
        except OSError as exc:
            if target is not None and (exc.errno in _NO_SPACE or exc.filename != str(path)):
                raise
            problems.append(_Problem(relative, f"{relative} cannot be read ({exc.strerror})"))
            continue
        if actual != expected:
            problems.append(_Problem(relative, f"{relative} does not match its checksum"))
        progress.add(path.stat().st_size)
    return problems


# -- restoring -------------------------------------------------------------------------------


def restore(
    backup: Path,
    target: Path,
    *,
    report: Progress | None = None,
    passphrase: Passphrase | None = None,
) -> RestoreReport:
    """Check the backup at `backup` and bring it back as the new catalogue file `target`,
    with its originals in the store beside it. Refuses a damaged backup, naming the bad
    files. `report(done, total)` (bytes) returning False stops, leaving nothing behind.
    A backup of an encrypted catalogue is checked with its `passphrase`, and restored
    encrypted with the same one."""
    started = time.monotonic()
    backup = backup.expanduser().absolute()
    target = target.expanduser().absolute()
    if target.exists() or target.is_symlink():
        raise CatalogError(f"{target} already exists; restore to a new catalogue file.")
    store_target = store.store_root(target)
    parent = target.parent
    staging = temporaries.staging_path(target)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _sweep(parent)
        if store_target.exists() or store_target.is_symlink():
            raise CatalogError(
                f"{store_target} already exists; restore to a catalogue name whose originals "
                "folder is free."
            )
        contents = backup_bag.read(backup)
        staging.mkdir(mode=PRIVATE_FOLDER)
        originals, size, lost = _restore_into(contents, staging, _Progress(report), passphrase)
        (staging / _STORE_PLACED).write_text(target.name, encoding="utf-8")
        temporaries.sync_folder(staging)
        (staging / _STAGED_STORE).rename(store_target)
        staged_key = key_file_path(staging / _STAGED_CATALOGUE)
        if staged_key.exists():
            staged_key.rename(key_file_path(target))
        (staging / _STAGED_CATALOGUE).rename(target)
        temporaries.sync_folder(parent)
    except _Stopped:
        return RestoreReport(backup, target, 0, 0, 0.0, cancelled=True)
    except DiskFull as exc:  # from SQLite, checking the restored copy
        raise _no_space("restored catalogue", target) from exc
    except OSError as exc:
        raise _write_error(exc, "restored catalogue", target) from exc
    finally:
        temporaries.remove(staging)
    log.info("restored %s to %s (%d originals)", private(backup), private(target), originals)
    return RestoreReport(
        backup, target, originals, size, time.monotonic() - started, not_in_backup=lost
    )


def _restore_into(
    contents: backup_bag.BackupContents,
    staging: Path,
    progress: _Progress,
    passphrase: Passphrase | None,
) -> tuple[int, int, int]:
    catalogue_file = contents.catalogue_file
    store_folder = contents.store_folder
    staged_store = staging / _STAGED_STORE
    staged_store.mkdir(mode=PRIVATE_FOLDER)

    def copy_to(relative: str) -> Path | None:
        if relative == catalogue_file:
            return staging / _STAGED_CATALOGUE
        if relative == catalogue_file + KEY_FILE_SUFFIX:
            return key_file_path(staging / _STAGED_CATALOGUE)
        if store_folder is not None and relative.startswith(store_folder + "/"):
            return staged_store / relative[len(store_folder) + 1 :]
        return None

    progress.total = sum(
        (contents.root / p).stat().st_size
        for p in contents.expected
        if p not in contents.missing and (contents.root / p).is_file()
    )
    problems = [p.text for p in _check_files(contents, progress, copy_to)]
    if catalogue_file not in contents.expected:
        problems.insert(0, f"{catalogue_file} (the catalogue) is not listed in it")
    if problems:
        raise BackupDamaged(f"The backup is damaged: {_listed(problems)}. Nothing was restored.")
    staged = staging / _STAGED_CATALOGUE
    staged.chmod(PRIVATE_FILE)  # copied read-only like the originals; a catalogue is written to
    problems, keys = _catalogue_problems(staged, passphrase)
    try:
        return _check_originals(contents, staging, problems, keys)
    finally:
        if keys is not None:
            keys.forget()


def _check_originals(
    contents: backup_bag.BackupContents,
    staging: Path,
    problems: list[str],
    keys: CatalogueKeys | None,
) -> tuple[int, int, int]:
    staged = staging / _STAGED_CATALOGUE
    store_folder = contents.store_folder
    originals = _read_snapshot(staged, keys.database if keys is not None else None)[0]
    sealing = store.StoreKey.of(keys) if keys is not None else None
    lost = 0
    listed = {
        relative[len(store_folder) + 1 :]: digest
        for relative, digest in contents.expected.items()
        if store_folder is not None and relative.startswith(store_folder + "/")
    }
    for original in originals:
        held = listed.get(original.relative)
        if held is None and original.relative in contents.not_backed_up:
            lost += 1  # already lost when the backup was made, and recorded as such
            continue
        if held is None:
            problems.append(f"the original {original.described()} is not in the backup")
        elif not _holds(
            staging / _STAGED_STORE / original.relative,
            original,
            held if sealing is None else None,
            sealing,
        ):
            problems.append(
                f"the backup's copy of {original.described()} is not the recorded original"
            )
    if problems:
        raise BackupDamaged(f"The backup is damaged: {_listed(problems)}. Nothing was restored.")
    _single_file(staged, keys.database if keys is not None else None)
    store.make_durable()
    payload = (p for p in contents.expected if p.startswith(f"{backup_bag.PAYLOAD}/"))
    size = sum((contents.root / p).stat().st_size for p in payload)
    return len(originals) - lost, size, lost


def _single_file(database: Path, key: tuple[bytes, bytes] | None) -> None:
    """Fold any write-ahead log into the file itself, so the file alone is the catalogue."""
    try:
        with closing(driver.connect(database, key=key)) as connection:
            connection.execute("PRAGMA journal_mode = DELETE")
    except driver.Error as exc:
        raise translate_sqlite_error(exc, database) from exc


def _catalogue_problems(
    database: Path, passphrase: Passphrase | None
) -> tuple[list[str], CatalogueKeys | None]:
    """What SQLite and the audit chain find wrong with the staged copy of the catalogue, and
    its keys when it is encrypted (the caller forgets them)."""
    from catalog_app.services.catalogue import Catalogue

    try:
        # Writable: the search index's own check needs to write (and an older format is
        # brought up to date as it is restored). Only the staged copy is touched.
        opened = Catalogue.open(database, passphrase=passphrase)
    except DiskFull:
        raise
    except WrongPassphrase as exc:
        raise WrongPassphrase(
            "The passphrase does not open this backup (it opens with the passphrase the "
            "catalogue had when it was made). Nothing was restored."
        ) from exc
    except PassphraseNeeded as exc:
        raise PassphraseNeeded(
            "The backup is of an encrypted catalogue: give its passphrase (set "
            "CATALOG_PASSPHRASE, or run the command in a terminal). Nothing was restored."
        ) from exc
    except CatalogueTooNew as exc:
        raise CatalogError(
            "The backup was made by a newer version of this program; install that version to "
            "restore it. Nothing was restored."
        ) from exc
    except CatalogError as exc:
        return [f"the catalogue copy cannot be used ({exc})"], None
    keys, opened.keys = opened.keys, None  # kept for checking the originals
    try:
        return [f"the catalogue copy: {p}" for p in opened.integrity_problems()], keys
    except DiskFull:
        if keys is not None:
            keys.forget()
        raise
    except CatalogError as exc:
        return [f"the catalogue copy cannot be used ({exc})"], keys
    except BaseException:
        if keys is not None:
            keys.forget()
        raise
    finally:
        opened.close()


# -- automatic backups -----------------------------------------------------------------------

AUTOMATIC_FOLDER = "backups"
DEFAULT_KEEP = 7
INTERVAL = timedelta(days=1)
_STAMP = "%Y%m%dT%H%M%SZ"
_PREFIX = "backup-"


def automatic_folder(catalogue: Path) -> Path:
    """Where the automatic backups of the catalogue at `catalogue` go: a folder of its own
    in the user's data folder (off the catalogue's drive when that is removable)."""
    absolute = catalogue.expanduser().absolute()
    key = hashlib.sha256(os.fsencode(absolute)).hexdigest()[:10]
    return data_dir() / AUTOMATIC_FOLDER / f"{absolute.stem}-{key}"


class AutomaticBackups:
    """The rotating set of daily backups of one catalogue, in `folder`."""

    def __init__(self, catalogue: Path, folder: Path | None = None) -> None:
        self.catalogue = catalogue
        self.folder = folder or automatic_folder(catalogue)

    def existing(self) -> list[tuple[datetime, Path]]:
        """The complete automatic backups, oldest first."""
        found = []
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return []
        for entry in entries:
            if not entry.name.startswith(_PREFIX) or not entry.is_dir():
                continue
            try:
                made = datetime.strptime(entry.name[len(_PREFIX) :], _STAMP).replace(tzinfo=UTC)
            except ValueError:
                continue
            found.append((made, entry))
        return sorted(found)

    def last(self) -> datetime | None:
        made = self.existing()
        return made[-1][0] if made else None

    def due(self, now: datetime | None = None) -> bool:
        last = self.last()
        return last is None or (now or datetime.now(UTC)) - last >= INTERVAL

    def run(self, catalogue: Catalogue, keep: int, report: Progress | None = None) -> BackupReport:
        """Make a new backup (sharing unchanged originals with the newest one), then keep
        only the newest `keep`."""
        if catalogue.readonly:
            raise CatalogueReadOnly(
                f"The catalogue {catalogue.path} is open read-only; it is not backed up "
                "automatically."
            )
        made = self.existing()
        previous = made[-1][1] if made else None
        name = f"{_PREFIX}{datetime.now(UTC).strftime(_STAMP)}"
        result = write_backup(catalogue, self.folder / name, report=report, previous=previous)
        if not result.cancelled:
            self.rotate(keep)
        return result

    def rotate(self, keep: int) -> list[Path]:
        """Remove all but the newest `keep` automatic backups; the ones removed."""
        made = [path for _when, path in self.existing()]
        surplus = made[: max(0, len(made) - max(keep, 1))]
        for path in surplus:
            temporaries.remove(path)
        return surplus
