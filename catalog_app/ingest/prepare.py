"""Everything done to one file before it reaches the catalogue: store a bit-exact copy,
identify it, extract its text and harvest a description. Runs in worker processes."""

from __future__ import annotations

import errno
import hashlib
import logging
import signal
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from catalog_app.domain.folding import FoldedText
from catalog_app.domain.records import displayable
from catalog_app.ingest import store
from catalog_app.ingest.decode import NotText, decode_text
from catalog_app.ingest.docx import extract_docx
from catalog_app.ingest.extracted import Extracted, capped
from catalog_app.ingest.harvest import (
    HarvestedAgent,
    dates_from_text,
    harvested_agents,
    meaningful_title,
    title_from_name,
    title_from_text,
)
from catalog_app.ingest.html import extract_html
from catalog_app.ingest.languages import detect
from catalog_app.ingest.limits import (
    READER_FAILED,
    Limits,
    TooLarge,
    megabytes,
    too_large,
    too_slow,
)
from catalog_app.ingest.ocr import extract_image
from catalog_app.ingest.odf import extract_odf
from catalog_app.ingest.pdf import extract_pdf
from catalog_app.ingest.sniff import Kind, media_kind, sniff
from catalog_app.logs import private
from catalog_app.storage import driver

HEAD_BYTES = 8192
MAX_TEXT_BYTES = 64 << 20
IN_MEMORY_BYTES = 16 << 20
_CLAIMS_TEXT = {".txt", ".text", ".md", ".csv", ".tsv", ".srt", ".vtt", ".html", ".htm"}
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportTask:
    path: str
    store_root: str
    catalogue: str
    # The import that settles a small file's staged copy (`store.stage_bytes`); 0: none, the
    # copy is stored and flushed at once.
    owner: int = 0


@dataclass(frozen=True, repr=False)
class TaskKeys:
    """What an import of an encrypted catalogue needs to store and look up its files: the
    store's key and the database's (raw key, salt). Both None for a plain catalogue. Handed
    to a worker over its task pipe, never in its arguments, environment or a file."""

    store: store.StoreKey | None = None
    database: tuple[bytes, bytes] | None = None

    def __repr__(self) -> str:  # never show key material in a log or traceback
        return "TaskKeys(<hidden>)" if self.store or self.database else "TaskKeys(plain)"


PLAIN = TaskKeys()


@dataclass
class Prepared:
    """A file ready to be catalogued, a duplicate of one already there, or a failure."""

    path: str
    outcome: str  # "ready", "duplicate" or "failed"
    reason: str | None = None
    original_name: str = ""
    sha256: str | None = None
    size: int = 0
    stored_path: str | None = None
    mime: str = "application/octet-stream"
    media_kind: str | None = None
    modified_at: datetime | None = None
    text: str | None = None
    text_method: str | None = None
    title: str = ""
    date_expression: str | None = None
    languages: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    url: str | None = None
    warnings: list[str] = field(default_factory=list)
    existing_unit_id: int | None = None
    new_copy: bool = False  # this run wrote the stored copy (removed if never catalogued)
    staged: str | None = None  # the copy's temporary name until the import settles it
    original_path: str = ""  # where it was taken from, in full, as text people read
    folded: FoldedText | None = None  # its text as the index takes it (None: no text)
    disk_full: bool = False  # the store's disk filled while the copy was written

    def without_text(self, warning: str) -> Prepared:
        """This file catalogued from its name alone, its text not extracted."""
        self.text, self.text_method = None, f"none: {warning.removeprefix('text not extracted: ')}"
        self.folded = None
        self.title = title_from_name(self.original_name)
        self.warnings = [warning]
        return self

    @property
    def agents(self) -> list[HarvestedAgent]:
        """The agents to link: authors and publisher, each of the kind harvesting judged."""
        return harvested_agents(self.authors, self.publisher)

    @property
    def harvested_fields(self) -> list[str]:
        fields = ["title"]
        if self.date_expression:
            fields.append("date_expression")
        if self.languages:
            fields.append("languages")
        if self.scripts:
            fields.append("scripts")
        if self.url:
            fields.append("source_url")
        return fields


def display_name(path: Path) -> str:
    """The file's name as valid text, even when the disk holds undecodable bytes (written
    as \\xNN escapes, so the name can still be told apart and recovered)."""
    return displayable(path.name)


def display_path(path: Path) -> str:
    return displayable(str(path))


_connections: dict[str, driver.Connection] = {}


def catalogued_unit(
    catalogue: str, sha256: str, database_key: tuple[bytes, bytes] | None = None
) -> int | None:
    """The record already holding these bytes, read straight from the catalogue file so a
    duplicate is known before any work is spent on it."""
    connection = _connections.get(catalogue)
    if connection is None:
        connection = driver.connect(
            Path(catalogue), readonly=True, key=database_key, check_same_thread=False
        )
        connection.execute("PRAGMA busy_timeout = 5000")
        _connections[catalogue] = connection
    row = connection.execute("SELECT unit_id FROM files WHERE sha256 = ?", (sha256,)).fetchone()
    return int(row[0]) if row else None


def close_connections() -> None:
    """Close the read connections opened by `catalogued_unit` in this process."""
    while _connections:
        _, connection = _connections.popitem()
        connection.close()


def ignore_interrupts() -> None:
    """For worker processes: Ctrl-C is the main process's to handle (it stops the pool),
    so workers neither die mid-file nor print tracebacks of their own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def failure(path: str, reason: str) -> Prepared:
    return Prepared(
        path=path, outcome="failed", reason=reason, original_name=display_name(Path(path))
    )


def _check_source(path: Path) -> tuple[str | None, int, datetime | None]:
    """(reason it cannot be imported or None, size, modification time)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            return "it is a link to a file that does not exist", 0, None
        return "the file disappeared before it could be read", 0, None
    except PermissionError:
        return "permission denied", 0, None
    except OSError as exc:
        return f"it could not be read ({exc.strerror or exc})", 0, None
    if not stat.S_ISREG(info.st_mode):
        return "it is not a regular file (a device, pipe or socket)", 0, None
    if info.st_size == 0:
        return "the file is empty (0 bytes)", 0, None
    return None, info.st_size, datetime.fromtimestamp(info.st_mtime, UTC)


def _read_text_bytes(path: Path, data: bytes | None = None) -> tuple[bytes, bool]:
    if data is None:
        with path.open("rb") as reader:
            data = reader.read(MAX_TEXT_BYTES + 1)
    if len(data) <= MAX_TEXT_BYTES:
        return data, False
    data = data[:MAX_TEXT_BYTES]
    for cut in range(4):  # do not end inside a UTF-8 character
        try:
            data[len(data) - cut - 8 : len(data) - cut].decode("utf-8")
            return data[: len(data) - cut], True
        except UnicodeDecodeError:
            continue
    return data, True


def _extract_text_file(path: Path, data: bytes | None) -> Extracted:
    data, truncated = _read_text_bytes(path, data)
    decoded = decode_text(data)
    result = Extracted(method=f"plain text ({decoded.encoding})", warnings=list(decoded.warnings))
    if truncated:
        result.warnings.append(
            f"only the first {MAX_TEXT_BYTES >> 20} MB of the file were read for text"
        )
    result.text = capped(decoded.text, result)
    return result


def _extract(kind: Kind, stored: Path, data: bytes | None, limits: Limits) -> Extracted:
    if kind is Kind.TEXT:
        return _extract_text_file(stored, data)
    if kind is Kind.HTML:
        return extract_html(stored, data, limits.html_main_text_bytes)
    if kind is Kind.PDF:
        return extract_pdf(stored, limits.pdf_pages)
    if kind is Kind.DOCX:
        return extract_docx(stored, limits.docx_xml_bytes)
    if kind is Kind.ODF:
        return extract_odf(stored, limits.docx_xml_bytes)
    if kind is Kind.IMAGE:
        return extract_image(stored, limits.seconds)
    return Extracted(method="none: not a text format")


@dataclass
class Stored:
    """A file whose original is in the store, identified but not yet read for text."""

    prepared: Prepared
    kind: Kind
    copy: Path
    data: bytes | None  # the file's bytes when it was small enough to read whole


def prepare(task: ImportTask, limits: Limits | None = None, keys: TaskKeys = PLAIN) -> Prepared:
    """Store and describe one file in this process. Never raises: problems come back as a
    failed result, or (once the original is stored) as a warning."""
    stage = store_original(task, keys)
    return stage if isinstance(stage, Prepared) else describe(stage, limits or Limits())


def store_original(task: ImportTask, keys: TaskKeys = PLAIN) -> Prepared | Stored:
    """The first step: the bit-exact copy, its checksum and kind. A Prepared result is final
    (failed, or a duplicate); a Stored one goes on to `describe`."""
    try:
        return _store_original(task, keys)
    except Exception:  # one bad file must not stop the batch
        _log.warning("storing %s failed", private(task.path), exc_info=True)
        return failure(task.path, "it could not be stored (see the log file for details)")


def _store_original(task: ImportTask, keys: TaskKeys) -> Prepared | Stored:
    source = Path(task.path)
    name = display_name(source)
    problem, size, modified = _check_source(source)
    if problem:
        return failure(task.path, problem)
    root = Path(task.store_root)
    data: bytes | None = None
    try:
        if size <= IN_MEMORY_BYTES:
            # Small files (nearly all): read once, and a duplicate is never written at all.
            data = source.read_bytes()
            sha256 = hashlib.sha256(data).hexdigest()
            existing = catalogued_unit(task.catalogue, sha256, keys.database) if data else None
            if existing is not None:
                stored = store.Stored(sha256, len(data), store.relative_path(sha256, keys.store))
            elif task.owner:
                stored = store.stage_bytes(data, root, sha256, keys.store, task.owner)
            else:
                stored = store.put_bytes(data, root, sha256, keys.store)
        else:
            stored = store.put(source, root, keys.store)
            existing = catalogued_unit(task.catalogue, stored.sha256, keys.database)
    except FileNotFoundError:
        return failure(task.path, "the file disappeared while it was being read")
    except PermissionError:
        return failure(task.path, "permission denied")
    except OSError as exc:
        failed = failure(task.path, f"it could not be read or stored ({exc.strerror or exc})")
        failed.disk_full = exc.errno in _DISK_FULL
        return failed
    if stored.size == 0:
        empty = failure(task.path, "the file is empty (0 bytes)")
        empty.staged = stored.staged
        return empty
    prepared = Prepared(
        path=task.path,
        outcome="ready",
        original_name=name,
        sha256=stored.sha256,
        size=stored.size,
        stored_path=stored.relative_path,
        modified_at=modified,
        new_copy=stored.new,
        staged=stored.staged,
        original_path=display_path(source.absolute()),
    )
    if existing is not None:
        prepared.outcome, prepared.existing_unit_id = "duplicate", existing
        return prepared
    # A sealed copy cannot be read by the extractors: they read the file just stored from,
    # whose bytes are already on this disk in clear (never a decrypted copy of the store's).
    if keys.store is not None:
        copy = source
    elif stored.staged is not None:
        copy = root / store.INCOMING / stored.staged
    else:
        copy = root / stored.relative_path
    if data is None:
        with copy.open("rb") as reader:
            head = reader.read(HEAD_BYTES)
    else:
        head = data[:HEAD_BYTES]
    kind, prepared.mime = sniff(head, name)
    prepared.media_kind = media_kind(kind, prepared.mime).value
    return Stored(prepared, kind, copy, data)


_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def describe(stage: Stored, limits: Limits) -> Prepared:
    """The second step: text, title, dates and languages. A file whose reader fails or
    exceeds a limit is still catalogued, from its name, with a warning in plain words."""
    prepared = stage.prepared
    try:
        return _describe(stage, limits)
    except TooLarge as exc:
        return prepared.without_text(too_large(str(exc)))
    except TimeoutError:
        return prepared.without_text(too_slow(limits.seconds))
    except MemoryError:
        return prepared.without_text(_out_of_memory(limits))
    except Exception as exc:  # a reader's own failure: its text goes to the log, not the user
        _log.warning("reading %s failed", private(prepared.path), exc_info=True)
        if "memory allocation failed" in str(exc).lower():  # libxml2 at the memory limit
            return prepared.without_text(_out_of_memory(limits))
        return prepared.without_text(READER_FAILED)


def _out_of_memory(limits: Limits) -> str:
    return too_large(f"limit {megabytes(limits.memory_bytes)} of memory")


def _describe(stage: Stored, limits: Limits) -> Prepared:
    prepared, kind, name = stage.prepared, stage.kind, stage.prepared.original_name
    try:
        extracted = _extract(kind, stage.copy, stage.data, limits)
    except NotText as exc:
        extension = Path(prepared.path).suffix.lower()
        if extension in _CLAIMS_TEXT:
            failed = failure(prepared.path, f"the name says text ({extension}) but {exc}")
            failed.stored_path, failed.new_copy = prepared.stored_path, prepared.new_copy
            failed.staged = prepared.staged
            return failed
        kind, prepared.mime = Kind.OTHER, "application/octet-stream"
        extracted = Extracted(method="none: not a text format")
    prepared.media_kind = media_kind(kind, prepared.mime).value
    prepared.text = extracted.text
    prepared.text_method = extracted.method
    prepared.warnings = extracted.warnings
    prepared.authors, prepared.publisher, prepared.url = (
        extracted.authors,
        extracted.publisher,
        extracted.url,
    )
    text = extracted.text or ""
    prepared.title = (
        meaningful_title(extracted.title) or title_from_text(text) or title_from_name(name)
    )
    prepared.date_expression = extracted.date or dates_from_text(text)
    if text:
        prepared.languages, prepared.scripts = detect(text)
        prepared.folded = FoldedText.of(text)
    return prepared
