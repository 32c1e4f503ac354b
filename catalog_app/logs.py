"""The program's log file: where unexpected errors go with their tracebacks.

The log never holds catalogued content (document text, titles, names, notes, queries).
File names, paths and the messages shown to the user help debugging a plain catalogue, so
log calls pass them wrapped in `private()`: written as they are, until an encrypted
catalogue is opened in the process and `redact(True)` turns them into short tags. From
then on tracebacks keep exception types and stack frames but no exception messages.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import logging.handlers
import os
import secrets
import sys
import traceback
from pathlib import Path
from types import TracebackType

from catalog_app import file_modes
from catalog_app.paths import log_dir

LOG_NAME = "catalog.log"
BACKUP_COUNT = 3
OWN_LOGGERS = "catalog_app"

_redacting = False
# Tags are keyed with a secret that lives only in this process: repeats of one value can be
# matched within a run's lines, but a guessed title cannot be hashed to find its tag.
_TAG_KEY = secrets.token_bytes(32)

_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def redact(on: bool = True) -> None:
    """Keep file names, paths, user-facing messages and exception texts out of the log.

    Called when an encrypted catalogue is opened. Calling it again changes nothing, and
    `on=False` does not turn it off: once on, redaction stays on for the life of the process
    (lines already written for a plain catalogue opened earlier are left as they are).
    """
    global _redacting
    _redacting = _redacting or on


def redacting() -> bool:
    """Whether values passed through `private()` are written as tags."""
    return _redacting


class Private:
    """A value for a log call that may give away what is catalogued; see `private()`."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        return _tag(self.value) if _redacting else str(self.value)

    def __repr__(self) -> str:
        return _tag(self.value) if _redacting else repr(self.value)


def private(value: object) -> Private:
    """Wrap a log call's argument (for `%s`) that is sensitive in an encrypted catalogue.

    File names and paths (a file name is often a document's title), reference codes and
    user-facing error messages. Exceptions passed as arguments are treated as private
    whether wrapped or not.
    """
    return value if isinstance(value, Private) else Private(value)


def _tag(value: object) -> str:
    text = f"{type(value).__name__}: {value}" if isinstance(value, BaseException) else str(value)
    digest = hmac.new(_TAG_KEY, text.encode("utf-8", "surrogatepass"), hashlib.sha256)
    kind = f"{type(value).__name__}, " if isinstance(value, BaseException) else ""
    return f"‹{kind}redacted {digest.hexdigest()[:6]}›"


class PrivacyFormatter(logging.Formatter):
    """Formats records and tracebacks, leaving out what `redact()` and the log rules say."""

    def format(self, record: logging.LogRecord) -> str:
        # Not Formatter.format: it reuses `record.exc_text` that another handler may
        # already have rendered in full.
        record.message = self._message(record)
        record.asctime = self.formatTime(record, self.datefmt)
        lines = [self.formatMessage(record)]
        if record.exc_info:
            lines.append(self.formatException(record.exc_info).rstrip("\n"))
        if record.stack_info:
            lines.append(self.formatStack(record.stack_info))
        return "\n".join(lines)

    def _message(self, record: logging.LogRecord) -> str:
        if not _redacting:
            return record.getMessage()
        own = record.name == OWN_LOGGERS or record.name.startswith(OWN_LOGGERS + ".")
        if not own:  # a library's message may quote anything it was handed
            return _tag(record.getMessage())
        if isinstance(record.args, tuple) and record.args:
            args = tuple(private(a) if isinstance(a, BaseException) else a for a in record.args)
            return str(record.msg) % args
        return record.getMessage()

    def formatException(self, ei: _ExcInfo | tuple[None, None, None]) -> str:
        error = ei[1]
        if error is None:
            return ""
        return "".join(_exception_lines(error, _redacting, set()))


def _exception_lines(error: BaseException, redacted: bool, seen: set[int]) -> list[str]:
    """A traceback as `traceback.format_exception` writes it, minus what must not be logged."""
    seen.add(id(error))
    lines: list[str] = []
    cause, context = error.__cause__, error.__context__
    if cause is not None and id(cause) not in seen:
        lines += _exception_lines(cause, redacted, seen)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif context is not None and not error.__suppress_context__ and id(context) not in seen:
        lines += _exception_lines(context, redacted, seen)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    if error.__traceback__ is not None:
        lines.append("Traceback (most recent call last):\n")
        # File, line, function and source line of each frame; no local values.
        frames = traceback.StackSummary.extract(
            traceback.walk_tb(error.__traceback__), capture_locals=False
        )
        lines += frames.format()
    lines += _headline(error, redacted)
    if isinstance(error, BaseExceptionGroup):
        for number, member in enumerate(error.exceptions, 1):
            lines.append(f"+---------------- {number} ----------------\n")
            member_text = "".join(_exception_lines(member, redacted, seen))
            lines += ["    " + line for line in member_text.splitlines(keepends=True)]
    return lines


def _headline(error: BaseException, redacted: bool) -> list[str]:
    kind = type(error)
    name = kind.__qualname__
    if kind.__module__ not in ("builtins", "__main__"):
        name = f"{kind.__module__}.{name}"
    if redacted:
        return [f"{name}: ‹message redacted›\n" if str(error) else f"{name}\n"]
    statement_error = _statement_error_class()
    if statement_error is not None and isinstance(error, statement_error):
        # Its text lists the statement's bound values: the titles and text being written.
        orig, statement = getattr(error, "orig", None), getattr(error, "statement", None)
        said = f" ({type(orig).__name__}) {orig}" if orig is not None else ""
        return [f"{name}:{said}\n[SQL: {statement}]\n[parameters left out of the log]\n"]
    return traceback.format_exception_only(kind, error)


def _statement_error_class() -> type[Exception] | None:
    # Only SQLAlchemy raises them: if it is not loaded, there are none to format.
    module = sys.modules.get("sqlalchemy.exc")
    found = getattr(module, "StatementError", None) if module is not None else None
    return found if isinstance(found, type) and issubclass(found, Exception) else None


class PrivateFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file readable by its owner only, whatever the umask (its rotated
    copies are renamed from it, so keep its mode)."""

    def _open(self) -> io.TextIOWrapper:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        descriptor = file_modes.private_opener(self.baseFilename, flags)
        try:
            file_modes.make_private(Path(self.baseFilename))  # a log older than this rule
            # Appending always: a rotating handler ignores any other mode.
            return os.fdopen(descriptor, "a", encoding=self.encoding, errors=self.errors)
        except BaseException:
            os.close(descriptor)
            raise


def configure_logging(level: int = logging.INFO) -> Path | None:
    """Log to a rotating file in the user's log folder; returns its path (None if unwritable)."""
    root = logging.getLogger()
    path = log_dir() / LOG_NAME
    for handler in list(root.handlers):
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            if Path(handler.baseFilename) == path.absolute():
                return path
            # The log folder changed (another CATALOG_APP_HOME): follow it.
            root.removeHandler(handler)
            handler.close()
    try:
        file_modes.make_private_folder(path.parent)
        for number in range(1, BACKUP_COUNT + 1):
            rotated = path.with_name(f"{LOG_NAME}.{number}")
            if rotated.exists():
                file_modes.make_private(rotated)
        handler = PrivateFileHandler(
            path,
            maxBytes=2_000_000,
            backupCount=BACKUP_COUNT,
            encoding="utf-8",
            errors="backslashreplace",  # a file name that is not valid UTF-8
        )
    except OSError:
        return None
    handler.setFormatter(PrivacyFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    # Libraries that narrate every file or step at INFO would push the program's own
    # warnings out of the rotating log.
    for chatty in ("bagit", "alembic"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    return path
