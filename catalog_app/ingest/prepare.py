"""Everything done to one file before it reaches the catalogue: store a bit-exact copy,
identify it, extract its text and harvest a description. Runs in worker processes."""

from __future__ import annotations

import hashlib
import signal
import sqlite3
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from catalog_app.ingest import store
from catalog_app.ingest.decode import NotText, decode_text
from catalog_app.ingest.docx import extract_docx
from catalog_app.ingest.extracted import Extracted, capped
from catalog_app.ingest.harvest import (
    dates_from_text,
    meaningful_title,
    title_from_name,
    title_from_text,
)
from catalog_app.ingest.html import extract_html
from catalog_app.ingest.languages import detect
from catalog_app.ingest.ocr import extract_image
from catalog_app.ingest.pdf import extract_pdf
from catalog_app.ingest.sniff import Kind, media_kind, sniff

HEAD_BYTES = 8192
MAX_TEXT_BYTES = 64 << 20
IN_MEMORY_BYTES = 16 << 20
_CLAIMS_TEXT = {".txt", ".text", ".md", ".csv", ".tsv", ".srt", ".vtt", ".html", ".htm"}


@dataclass(frozen=True)
class ImportTask:
    path: str
    store_root: str
    catalogue: str


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

    @property
    def harvested_fields(self) -> list[str]:
        fields = ["title"]
        if self.date_expression:
            fields.append("date_expression")
        if self.languages:
            fields.append("languages")
        if self.scripts:
            fields.append("scripts")
        return fields


def display_name(path: Path) -> str:
    """The file's name as valid text, even when the disk holds undecodable bytes."""
    return path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def display_path(path: Path) -> str:
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


_connections: dict[str, sqlite3.Connection] = {}


def catalogued_unit(catalogue: str, sha256: str) -> int | None:
    """The record already holding these bytes, read straight from the catalogue file so a
    duplicate is known before any work is spent on it."""
    connection = _connections.get(catalogue)
    if connection is None:
        connection = sqlite3.connect(f"file:{catalogue}?mode=ro", uri=True, check_same_thread=False)
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


def _failed(task: ImportTask, reason: str) -> Prepared:
    return Prepared(
        path=task.path, outcome="failed", reason=reason, original_name=display_name(Path(task.path))
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


def _extract(kind: Kind, stored: Path, data: bytes | None) -> Extracted:
    if kind is Kind.TEXT:
        return _extract_text_file(stored, data)
    if kind is Kind.HTML:
        return extract_html(_read_text_bytes(stored, data)[0])
    if kind is Kind.PDF:
        return extract_pdf(stored)
    if kind is Kind.DOCX:
        return extract_docx(stored)
    if kind is Kind.IMAGE:
        return extract_image(stored)
    return Extracted(method="none: not a text format")


def prepare(task: ImportTask) -> Prepared:
    """Store and describe one file. Never raises: problems come back as a failed result."""
    try:
        return _prepare(task)
    except Exception as exc:  # one bad file must not stop the batch
        return _failed(task, f"it could not be processed ({type(exc).__name__}: {exc})")


def _prepare(task: ImportTask) -> Prepared:
    source = Path(task.path)
    name = display_name(source)
    problem, size, modified = _check_source(source)
    if problem:
        return _failed(task, problem)
    root = Path(task.store_root)
    data: bytes | None = None
    try:
        if size <= IN_MEMORY_BYTES:
            # Small files (nearly all): read once, and a duplicate is never written at all.
            data = source.read_bytes()
            sha256 = hashlib.sha256(data).hexdigest()
            existing = catalogued_unit(task.catalogue, sha256) if data else None
            stored = (
                store.Stored(sha256, len(data), store.relative_path(sha256))
                if existing is not None
                else store.put_bytes(data, root, sha256)
            )
        else:
            stored = store.put(source, root)
            existing = catalogued_unit(task.catalogue, stored.sha256)
    except FileNotFoundError:
        return _failed(task, "the file disappeared while it was being read")
    except PermissionError:
        return _failed(task, "permission denied")
    except OSError as exc:
        return _failed(task, f"it could not be read or stored ({exc.strerror or exc})")
    if stored.size == 0:
        return _failed(task, "the file is empty (0 bytes)")
    prepared = Prepared(
        path=task.path,
        outcome="ready",
        original_name=name,
        sha256=stored.sha256,
        size=stored.size,
        stored_path=stored.relative_path,
        modified_at=modified,
    )
    if existing is not None:
        prepared.outcome, prepared.existing_unit_id = "duplicate", existing
        return prepared
    copy = root / stored.relative_path
    if data is None:
        with copy.open("rb") as reader:
            head = reader.read(HEAD_BYTES)
    else:
        head = data[:HEAD_BYTES]
    kind, prepared.mime = sniff(head, name)
    try:
        extracted = _extract(kind, copy, data)
    except NotText as exc:
        extension = source.suffix.lower()
        if extension in _CLAIMS_TEXT:
            return _failed(task, f"the name says text ({extension}) but {exc}")
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
    return prepared
