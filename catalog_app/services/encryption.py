"""Turning a plain catalogue into an encrypted one and back, and changing its passphrase.

A conversion writes the new form beside the old one, checks it, and only then swaps it in,
so that a crash at any moment leaves one working catalogue at the path:

1. the catalogue is taken for this program alone (out of WAL mode, which SQLite allows only
   to the last connection, then an exclusive lock), so no other program writes to the old
   form while the new one is made;
2. every original is written to the store in its new form under its new name, beside its old
   copy (a plain catalogue never refers to a sealed name, nor the other way round), and
   checked against its recorded SHA-256;
3. the database is copied into the new form (SQLCipher's `sqlcipher_export`), its audit chain
   re-keyed after being proved intact, its records pointed at the new copies of the originals
   (an audited change), and the copy checked as `catalog check` would;
4. the new key file is written (encrypting) and the new database renamed over the old one:
   that rename is the moment of change. A key file beside a database that opens without a key
   is one an interrupted conversion left, and is removed when the catalogue is next opened;
5. the old copies of the originals and (decrypting) the key file are removed. Should a crash
   come first, the list of what is left to remove is kept in the store, and the next opening
   finishes the job.

What the disk held before can still be read from it afterwards by someone who takes the
disk: removing a file does not overwrite it. Encrypting a catalogue protects what is written
from then on; for what was written before, full-disk encryption is the answer.
"""

from __future__ import annotations

import glob
import json
import logging
import os
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from catalog_app import staging
from catalog_app.errors import CatalogError, CatalogueLocked, CatalogueNotFound, ValidationError
from catalog_app.ingest import store
from catalog_app.storage import driver, keys
from catalog_app.storage.errors import translate_sqlite_error

# SQLAlchemy, the models and the audit chain are imported by the conversions that use them:
# every opening of a catalogue runs finish_interrupted, and a search loads none of them.

log = logging.getLogger(__name__)

Progress = Callable[[int, int], bool]
LEFTOVERS = ".left-by-conversion"  # in the store: old copies still to remove, one a line
_BATCH = 5_000


@dataclass(frozen=True)
class ConversionReport:
    path: Path
    encrypted: bool  # the form it has now
    originals: int
    already: bool = False  # it had that form before: nothing was done

    def summary(self) -> str:
        if self.already:
            form = "encrypted" if self.encrypted else "not encrypted"
            return f"{self.path} is already {form}; nothing to do."
        if self.encrypted:
            return (
                f"Encrypted {self.path} and its {self.originals:,} originals. Keep the "
                f"passphrase and the key file {keys.key_file_path(self.path).name} safe: "
                "without either, nobody can open the catalogue. Backups and exports made "
                "before now are still plain: replace or destroy them."
            )
        return f"Decrypted {self.path} and its {self.originals:,} originals."


@dataclass(frozen=True)
class _Original:
    id: int
    sha256: str
    relative: str


def encrypt(path: Path, passphrase: str, report: Progress | None = None) -> ConversionReport:
    """Encrypt the plain catalogue at `path` with `passphrase` (see the module's steps)."""
    path = _existing(path)
    existing = keys.read_key_file(path)
    if existing is not None and not _plain(path):
        keys.unlock(existing, passphrase, path).forget()  # WrongPassphrase if it is not
        return ConversionReport(path, True, 0, already=True)
    key_file, new = keys.create(passphrase)
    try:
        count = _convert(path, None, new, key_file, report)
    finally:
        new.forget()
    return ConversionReport(path, True, count)


def decrypt(path: Path, passphrase: str, report: Progress | None = None) -> ConversionReport:
    """Turn the encrypted catalogue at `path` back into a plain one."""
    path = _existing(path)
    key_file = keys.read_key_file(path)
    if key_file is None or _plain(path):
        return ConversionReport(path, False, 0, already=True)
    old = keys.unlock(key_file, passphrase, path)
    try:
        count = _convert(path, old, None, None, report)
    finally:
        old.forget()
    return ConversionReport(path, False, count)


def change_passphrase(path: Path, passphrase: str, new_passphrase: str) -> None:
    """Let `new_passphrase` open the encrypted catalogue instead of `passphrase`.

    Only the key file changes (the master key inside it is sealed anew), so this is quick
    whatever the catalogue holds. Backups made before keep opening with the old passphrase.
    """
    path = _existing(path)
    key_file = keys.read_key_file(path)
    if key_file is None or _plain(path):
        raise CatalogError(f"{path} is not encrypted; encrypt it with: catalog encrypt")
    opened = keys.unlock(key_file, passphrase, path)
    try:
        keys.write_key_file(keys.key_file_path(path), keys.rewrap(opened, new_passphrase))
    finally:
        opened.forget()
    log.info("passphrase of an encrypted catalogue changed")


def finish_interrupted(path: Path) -> None:
    """Complete what an interrupted conversion left: called before a catalogue is opened."""
    path = path.absolute()
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.partial-*"):
        if staging.is_leftover(leftover):  # a killed conversion's new form
            staging.remove(leftover)
    key_file = keys.key_file_path(path)
    if not key_file.exists():
        _remove_leftovers(path)
        return
    if not path.exists() or path.stat().st_size == 0:
        log.warning("removing a key file left by a catalogue whose creation was interrupted")
        key_file.unlink(missing_ok=True)
    elif _plain(path):
        log.warning("removing a key file an interrupted conversion left beside a plain catalogue")
        key_file.unlink(missing_ok=True)
    _remove_leftovers(path)


def _existing(path: Path) -> Path:
    path = path.expanduser().absolute()
    if not path.is_file():
        raise CatalogueNotFound(f"There is no catalogue at {path}.")
    finish_interrupted(path)
    return path


def _plain(path: Path) -> bool:
    """Whether the database at `path` opens without a key."""
    try:
        with closing(driver.connect(path, readonly=True)) as connection:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except driver.DatabaseError:
        return False
    return True


def _store_key(catalogue_keys: keys.CatalogueKeys | None) -> store.StoreKey | None:
    return None if catalogue_keys is None else store.StoreKey.of(catalogue_keys)


def _convert(
    path: Path,
    old: keys.CatalogueKeys | None,
    new: keys.CatalogueKeys | None,
    key_file: keys.KeyFile | None,
    report: Progress | None,
) -> int:
    old_key = old.database if old is not None else None
    new_key = new.database if new is not None else None
    folder = staging.staging_path(path)  # swept by the next opening if this one is killed
    folder.mkdir(mode=0o700)
    new_store = folder / "originals"
    swapped = False
    try:
        with closing(_take(path, old_key)) as held:
            originals = _originals(held)
            moved = _copy_originals(path, new_store, originals, old, new, report)
            staged = folder / path.name
            _export(held, staged, new_key)
            if key_file is not None:
                keys.write_key_file(keys.key_file_path(staged), key_file)
            _rechain(staged, new_key, old, new)
            _point_at(staged, moved, new)
            _single_file(staged, new_key)
            if key_file is not None:
                keys.write_key_file(keys.key_file_path(path), key_file)
            root = store.store_root(path)
            root.mkdir(mode=0o700, exist_ok=True)  # a catalogue that never stored an original
            new_names = sorted(set(moved.values()))
            # Listed first: whatever happens from here, the next opening knows what to remove.
            _write_leftovers(
                root,
                encrypted=new is not None,
                old=sorted({o.relative for o in originals}),
                new=new_names,
            )
            _move_into(new_store, root, new_names)
            staged.replace(path)  # the moment the catalogue changes form
            swapped = True
            staging.sync_folder(path.parent)
            held.rollback()
        if key_file is None:
            keys.key_file_path(path).unlink(missing_ok=True)
            staging.sync_folder(path.parent)
    except driver.Error as exc:
        translated = translate_sqlite_error(exc, path)
        if translated is exc:
            raise
        raise translated from exc
    finally:
        staging.remove(folder)
        if not swapped and key_file is not None:
            keys.key_file_path(path).unlink(missing_ok=True)
        _remove_leftovers(path)  # the old copies once swapped; the new ones if not
    log.info("catalogue converted (%s)", "encrypted" if new is not None else "decrypted")
    return len(originals)


def _move_into(source_root: Path, root: Path, relatives: list[str]) -> None:
    for relative in relatives:
        target = root / relative
        if not target.parent.is_dir():
            target.parent.mkdir(mode=0o700, parents=True)
        (source_root / relative).replace(target)
    store.make_durable()


def _take(path: Path, key: tuple[bytes, bytes] | None) -> driver.Connection:
    """A connection holding the catalogue for this program alone (an open exclusive
    transaction on a rollback-journal database)."""
    connection = driver.connect(path, key=key)
    connection.isolation_level = None
    try:
        connection.execute("PRAGMA busy_timeout = 2000")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if str(mode).lower() != "delete":
            raise _in_use(path)
        connection.execute("BEGIN EXCLUSIVE")
    except driver.OperationalError as exc:
        connection.close()
        raise _in_use(path) from exc
    except BaseException:
        connection.close()
        raise
    return connection


def _in_use(path: Path) -> CatalogueLocked:
    return CatalogueLocked(
        f"{path} is open in another program or window; close it there and run this again. "
        "Nothing was changed."
    )


def _originals(connection: driver.Connection) -> list[_Original]:
    rows = connection.execute(
        "SELECT id, sha256, stored_path FROM files WHERE stored_path IS NOT NULL ORDER BY id"
    ).fetchall()
    return [_Original(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def _copy_originals(
    path: Path,
    new_store: Path,
    originals: list[_Original],
    old: keys.CatalogueKeys | None,
    new: keys.CatalogueKeys | None,
    report: Progress | None,
) -> dict[int, str]:
    """Each original's copy in the new form, written into `new_store`; returns file id ->
    its new relative path."""
    root = store.store_root(path)
    store.clear_incoming(root)
    old_key, new_key = _store_key(old), _store_key(new)
    moved: dict[int, str] = {}
    for done, original in enumerate(originals, 1):
        source = root / original.relative
        try:
            if old_key is None:
                stored = store.put(source, new_store, key=new_key)
            else:
                stored = _unsealed_copy(source, new_store, old_key)
        except FileNotFoundError:
            raise CatalogError(
                f"An original is missing from the store ({original.relative}); run catalog "
                "verify and restore it before converting. Nothing was changed."
            ) from None
        except store.NotAuthentic:
            raise CatalogError(
                f"An original in the store was altered ({original.relative}); run catalog "
                "verify and restore it before converting. Nothing was changed."
            ) from None
        if stored.sha256 != original.sha256:
            raise CatalogError(
                f"An original in the store no longer matches its SHA-256 ({original.relative}); "
                "run catalog verify and restore it before converting. Nothing was changed."
            )
        moved[original.id] = stored.relative_path
        if report is not None and not report(done, len(originals)):
            raise ValidationError("The conversion was stopped; nothing was changed.")
    store.make_durable()
    return moved


def _unsealed_copy(source: Path, root: Path, key: store.StoreKey) -> store.Stored:
    incoming = root / store.INCOMING
    incoming.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = incoming / f"{os.getpid()}-decrypting.part"
    try:
        store.copy_plain(source, temporary, key)
        return store.put(temporary, root)
    finally:
        temporary.unlink(missing_ok=True)


def _export(held: driver.Connection, target: Path, key: tuple[bytes, bytes] | None) -> None:
    """Copy the held database into the new file `target`, encrypted with `key` or plain."""
    version, application = (
        held.execute("PRAGMA user_version").fetchone()[0],
        held.execute("PRAGMA application_id").fetchone()[0],
    )
    held.execute("COMMIT")  # ATTACH cannot happen inside a transaction
    before = held.execute("PRAGMA data_version").fetchone()[0]
    attached_key = f"x'{key[0].hex()}{key[1].hex()}'" if key is not None else ""
    held.execute("ATTACH DATABASE ? AS converted KEY ?", (str(target), attached_key))
    _retake(held, before)
    held.execute("SELECT sqlcipher_export('converted')").fetchall()
    held.execute(f"PRAGMA converted.user_version = {int(version)}")
    held.execute(f"PRAGMA converted.application_id = {int(application)}")
    held.execute("COMMIT")
    held.execute("DETACH DATABASE converted")
    _retake(held, before)


def _retake(held: driver.Connection, version: object) -> None:
    """Take the exclusive lock again, refusing if another program wrote in between."""
    held.execute("BEGIN EXCLUSIVE")
    if held.execute("PRAGMA data_version").fetchone()[0] != version:
        raise CatalogueLocked(
            "Another program wrote to the catalogue while it was being converted; run this "
            "again when it is closed. Nothing was changed."
        )


def _rechain(
    staged: Path,
    key: tuple[bytes, bytes] | None,
    old: keys.CatalogueKeys | None,
    new: keys.CatalogueKeys | None,
) -> None:
    from catalog_app.storage import audit
    from catalog_app.storage.engine import make_engine, writer

    engine = make_engine(staged, key=key)
    try:
        with writer(engine).begin() as connection:
            audit.rechain(
                connection,
                new.chain if new is not None else None,
                current_key=old.chain if old is not None else None,
            )
    finally:
        engine.dispose()


def _point_at(staged: Path, moved: dict[int, str], new: keys.CatalogueKeys | None) -> None:
    """Point the staged copy's records at the new copies of their originals (audited), then
    check it as `catalog check` would."""
    from sqlalchemy import func, select

    from catalog_app.services.catalogue import Catalogue
    from catalog_app.storage import models
    from catalog_app.storage.engine import make_engine

    opened = Catalogue(
        staged,
        make_engine(staged, key=new.database if new is not None else None),
        readonly=False,
        actor="catalog",
        keys=new,
    )
    try:
        items = sorted(moved.items())
        reason = "originals encrypted" if new is not None else "originals decrypted"
        for start in range(0, len(items), _BATCH):
            batch = dict(items[start : start + _BATCH])
            with opened.db.write(opened.actor, reason=reason) as session:
                rows = session.scalars(
                    select(models.StoredFile).where(models.StoredFile.id.in_(list(batch)))
                )
                for row in rows:  # through the ORM, so that each change has its audit row
                    row.stored_path = batch[row.id]
        problems = opened.integrity_problems()
        with opened.db.read() as session:
            stored = session.scalar(
                select(func.count())
                .select_from(models.StoredFile)
                .where(models.StoredFile.stored_path.is_not(None))
            )
    finally:
        opened.close()  # forgets `new` too: the caller is done with the keys by now
    if stored != len(moved):
        problems.append("the number of stored originals changed while converting")
    if problems:
        raise CatalogError(
            "The converted copy did not pass its checks, so nothing was changed: "
            + "; ".join(problems[:5])
        )


def _single_file(database: Path, key: tuple[bytes, bytes] | None) -> None:
    with closing(driver.connect(database, key=key)) as connection:
        connection.execute("PRAGMA journal_mode = DELETE").fetchone()


def _write_leftovers(root: Path, *, encrypted: bool, old: list[str], new: list[str]) -> None:
    """Record, before the swap, which copies to remove after it: the old ones once the
    catalogue has its new form, the new ones if it kept its old form (a crash first)."""
    listing = root / LEFTOVERS
    staged = staging.staging_path(listing)
    text = json.dumps({"encrypted": encrypted, "old": old, "new": new})
    descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as writer_:
        writer_.write(text)
        writer_.flush()
        os.fsync(writer_.fileno())
    staged.replace(listing)
    staging.sync_folder(root)


def _remove_leftovers(path: Path) -> None:
    root = store.store_root(path)
    listing = root / LEFTOVERS
    try:
        recorded = json.loads(listing.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    except (ValueError, OSError):
        log.warning("the list of copies left by a conversion is unreadable; left in place")
        return
    done = path.exists() and (not _plain(path)) == bool(recorded.get("encrypted"))
    for relative in recorded.get("old" if done else "new", []):
        if isinstance(relative, str) and store.safe_relative(relative):
            store.remove(root, relative)
    listing.unlink(missing_ok=True)
    staging.sync_folder(root)
