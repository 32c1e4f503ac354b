"""The log file gives away nothing catalogued once redaction is on, and is its owner's only."""

from __future__ import annotations

import ast
import logging
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

import catalog_app
from catalog_app import logs
from catalog_app.cli.main import main
from catalog_app.services.units import UnitService

# Each stands for a title, a file name, a reference code or a query an archivist would not
# want read off a seized laptop.
CATALOGUE_NAME = "Zephyrine Holdings"
MISSING_CATALOGUE = "Saltmarsh Archive"
DAMAGED_PDF = "Quillfeather Testimony"
EMPTY_FILE = "Marrowdale Letter"
MISSING_FILE = "Vellichor Minutes"
INVENTORY = "Halcyonmere inventory"
REFERENCE = "OBSIDIAN-9"
QUERY = "Nightjarrow"
SECRET_TITLE = "Ravenscourt Affidavit"
DISTINCTIVE = (
    CATALOGUE_NAME,
    MISSING_CATALOGUE,
    DAMAGED_PDF,
    EMPTY_FILE,
    MISSING_FILE,
    INVENTORY,
    REFERENCE,
    QUERY,
    SECRET_TITLE,
)
TAG = re.compile(r"‹(?:\w+, )?redacted [0-9a-f]{6}›")


@pytest.fixture
def plain(monkeypatch: pytest.MonkeyPatch) -> None:
    # Redaction lasts for the life of a process; each test starts from a plain one.
    monkeypatch.setattr(logs, "_redacting", False)


@pytest.fixture
def redacted(plain: None) -> None:
    logs.redact(True)


def _log(home: Path) -> bytes:
    return (home / "logs" / "catalog.log").read_bytes()


def _fail_with_user_errors(folder: Path) -> None:
    """Commands that a person gets wrong, each refused with a message naming what it is about."""
    db = str(folder / f"{CATALOGUE_NAME}.sqlite")
    assert main(["--db", db, "init"]) == 0
    damaged = folder / f"{DAMAGED_PDF}.pdf"
    damaged.write_bytes(b"%PDF-1.4 this is no PDF at all")
    empty = folder / f"{EMPTY_FILE}.txt"
    empty.write_bytes(b"")
    missing = folder / f"{MISSING_FILE}.doc"
    assert main(["--db", db, "import", str(damaged), str(empty), str(missing)]) == 1
    inventory = folder / f"{INVENTORY}.csv"
    inventory.write_text("title,date\nsomething,1999\n", encoding="utf-8")
    assert main(["--db", db, "import-csv", str(inventory)]) == 1
    assert main(["--db", db, "show", REFERENCE]) == 1
    assert main(["--db", db, "search", f'title:"{QUERY}']) == 1
    assert main(["--db", str(folder / f"{MISSING_CATALOGUE}.sqlite"), "stats"]) == 1


@pytest.mark.usefixtures("redacted")
def test_refusals_are_logged_without_the_names_they_quote(
    tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fail_with_user_errors(tmp_path)
    # The person at the terminal is still told in full.
    assert f"{EMPTY_FILE}.txt" in capsys.readouterr().out
    log = _log(isolated_home)
    for word in DISTINCTIVE:
        assert word.encode() not in log, word
    text = log.decode("utf-8")
    for command in ("init", "import", "import-csv", "show", "search", "stats"):
        assert f"INFO catalog_app.cli: catalog {command}\n" in text
    assert "'catalog show' refused: ‹RecordNotFound, redacted " in text
    assert "catalog_app.errors.RecordNotFound: ‹message redacted›" in text
    assert "catalog_app.errors.ValidationError: ‹message redacted›" in text
    assert "could not be catalogued: " in text
    assert len(set(TAG.findall(text))) >= 6
    # The stack frames of the program's code stay, for whoever reads the log.
    assert re.search(r'File ".*catalog_app[/\\]services[/\\]lookup\.py", line \d+, in', text)


@pytest.mark.usefixtures("plain")
def test_a_plain_catalogue_keeps_the_details_that_help_debugging(
    tmp_path: Path, isolated_home: Path
) -> None:
    _fail_with_user_errors(tmp_path)
    text = _log(isolated_home).decode("utf-8")
    assert f"{EMPTY_FILE}.txt could not be catalogued: the file is empty" in text
    assert f"refused: No record has the id or reference code '{REFERENCE}'" in text
    assert f"refused: {INVENTORY}.csv lacks the column(s)" in text
    assert f"There is no catalogue at {tmp_path / MISSING_CATALOGUE}" in text
    assert "redacted" not in text


def _explode(*args: object, **kwargs: object) -> None:
    try:
        raise OSError(2, "No such file or directory", f"{SECRET_TITLE}.pdf")
    except OSError as exc:
        raise RuntimeError(f"cannot show {SECRET_TITLE}") from exc


@pytest.fixture
def broken_show(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    db = str(tmp_path / "catalogue.sqlite")
    assert main(["--db", db, "init"]) == 0
    monkeypatch.setattr(UnitService, "find", _explode)
    return db


@pytest.mark.usefixtures("redacted")
def test_an_internal_error_is_logged_with_its_types_and_frames_but_not_its_messages(
    broken_show: str, isolated_home: Path
) -> None:
    assert main(["--db", broken_show, "show", "1"]) == 70
    text = _log(isolated_home).decode("utf-8")
    assert SECRET_TITLE not in text
    assert "ERROR catalog_app.cli: internal error in 'catalog show'" in text
    assert "\nFileNotFoundError: ‹message redacted›\n" in text
    assert "direct cause of the following exception" in text
    assert "\nRuntimeError: ‹message redacted›" in text
    assert re.search(r'File ".*test_log_privacy\.py", line \d+, in _explode\n', text)


@pytest.mark.usefixtures("plain")
def test_an_internal_error_in_a_plain_catalogue_keeps_its_message(
    broken_show: str, isolated_home: Path
) -> None:
    assert main(["--db", broken_show, "show", "1"]) == 70
    text = _log(isolated_home).decode("utf-8")
    assert f"\nRuntimeError: cannot show {SECRET_TITLE}" in text
    assert "Traceback (most recent call last):" in text


@pytest.mark.usefixtures("redacted")
def test_a_repeated_value_gets_the_same_tag_and_another_value_another(
    isolated_home: Path,
) -> None:
    assert logs.configure_logging() is not None
    log = logging.getLogger("catalog_app.tests")
    for name in (f"{SECRET_TITLE}.pdf", f"{SECRET_TITLE}.pdf", f"{EMPTY_FILE}.txt"):
        log.warning("reading %s failed", logs.private(Path(name)))
    lines = _log(isolated_home).decode("utf-8").splitlines()
    tags = [TAG.findall(line) for line in lines[-3:]]
    assert tags[0] == tags[1] != tags[2]
    assert all(len(found) == 1 for found in tags)


@pytest.mark.usefixtures("redacted")
def test_what_a_library_logs_is_left_out_once_redacting(isolated_home: Path) -> None:
    assert logs.configure_logging() is not None
    logging.getLogger("bagit").warning("%s: Payload-Oxum mismatch", SECRET_TITLE)
    text = _log(isolated_home).decode("utf-8")
    assert SECRET_TITLE not in text
    assert re.search(r"WARNING bagit: ‹redacted [0-9a-f]{6}›\n", text)


def test_redaction_once_on_stays_on(plain: None) -> None:
    assert not logs.redacting()
    assert str(logs.private("x.pdf")) == "x.pdf"
    logs.redact(True)
    logs.redact(True)
    logs.redact(False)
    assert logs.redacting()
    assert TAG.fullmatch(str(logs.private("x.pdf")))
    assert TAG.fullmatch(repr(logs.private("x.pdf")))


@pytest.mark.usefixtures("plain")
def test_the_values_a_failed_statement_was_writing_are_never_logged(isolated_home: Path) -> None:
    assert logs.configure_logging() is not None
    engine = sa.create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE t (title TEXT UNIQUE)"))
        insert = sa.text("INSERT INTO t (title) VALUES (:title)")
        connection.execute(insert, {"title": SECRET_TITLE})
        with pytest.raises(sa.exc.IntegrityError) as caught:
            connection.execute(insert, {"title": SECRET_TITLE})
    assert SECRET_TITLE in str(caught.value)
    logging.getLogger("catalog_app.tests").error("saving failed", exc_info=caught.value)
    text = _log(isolated_home).decode("utf-8")
    assert SECRET_TITLE not in text
    assert "UNIQUE constraint failed: t.title" in text
    assert "[SQL: INSERT INTO t (title) VALUES (?)]" in text


_LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}


def _log_calls_with_computed_messages(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        target = node.func.value
        if node.func.attr not in _LOG_METHODS or not (
            isinstance(target, ast.Name) and target.id in {"log", "_log", "logger", "logging"}
        ):
            continue
        message = node.args[0] if node.args else None
        if not (isinstance(message, ast.Constant) and isinstance(message.value, str)):
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_every_log_message_is_a_fixed_text_with_its_values_as_arguments() -> None:
    # Values reach the log only as arguments, where `private()` and the formatter see them.
    package = Path(catalog_app.__file__).parent
    sources = sorted(package.rglob("*.py"))
    assert len(sources) > 50
    offenders = [hit for source in sources for hit in _log_calls_with_computed_messages(source)]
    assert offenders == []


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("usual_umask")
def test_the_log_is_readable_by_its_owner_only(isolated_home: Path) -> None:
    path = logs.configure_logging()
    assert path is not None
    logging.getLogger("catalog_app.tests").warning("one line")
    assert _mode(path.parent) == 0o700
    assert _mode(path) == 0o600
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, logs.PrivateFileHandler)]
    handler.doRollover()
    logging.getLogger("catalog_app.tests").warning("another line")
    assert _mode(path.with_name(f"{logs.LOG_NAME}.1")) == 0o600
    assert _mode(path) == 0o600


@pytest.mark.usefixtures("usual_umask")
def test_a_log_left_wider_by_an_older_version_is_tightened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "older"
    folder = home / "logs"
    folder.mkdir(parents=True, mode=0o755)
    for name in (logs.LOG_NAME, f"{logs.LOG_NAME}.2"):
        (folder / name).write_text("an older line\n", encoding="utf-8")
        (folder / name).chmod(0o644)
    monkeypatch.setenv("CATALOG_APP_HOME", str(home))
    path = logs.configure_logging()
    assert path == folder / logs.LOG_NAME
    assert _mode(folder) == 0o700
    assert _mode(path) == 0o600
    assert _mode(folder / f"{logs.LOG_NAME}.2") == 0o600
    assert path.read_text(encoding="utf-8").startswith("an older line\n")
