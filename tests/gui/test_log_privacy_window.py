"""What the window writes to the log about problems, once an encrypted catalogue is open."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from catalog_app import logs
from catalog_app.errors import CatalogError
from catalog_app.services import Catalogue
from catalog_app.ui.errors import install_excepthook, show_problem
from catalog_app.ui.tasks import failure_message

TAKEN_CODE = "NIGHTJARROW-4"
SECRET_TITLE = "Ravenscourt Affidavit"


@pytest.fixture
def redacted_log(monkeypatch: pytest.MonkeyPatch, isolated_home: Path) -> Path:
    monkeypatch.setattr(logs, "_redacting", False)  # redaction lasts for the process
    logs.redact(True)
    path = logs.configure_logging()
    assert path is not None
    return path


def _refused_edit(catalogue: Catalogue) -> CatalogError:
    catalogue.units.create({"title": SECRET_TITLE, "reference_code": TAKEN_CODE})
    other = catalogue.units.create({"title": "Another record"})
    with pytest.raises(CatalogError) as refused:
        catalogue.units.update(other.id, {"reference_code": TAKEN_CODE})
    assert TAKEN_CODE in str(refused.value)
    return refused.value


def test_a_refused_edit_is_logged_without_what_its_message_quotes(
    catalogue: Catalogue, redacted_log: Path, messages: list[tuple[str, str]]
) -> None:
    error = _refused_edit(catalogue)
    assert TAKEN_CODE in failure_message(error)  # what a background task shows
    show_problem(None, "Could not save", error)
    assert messages == [("warning", str(error))]  # the person is told in full
    text = redacted_log.read_text(encoding="utf-8")
    assert TAKEN_CODE not in text
    assert (
        "WARNING catalog_app.ui.operations: operation refused: ‹ValidationError, redacted " in text
    )
    assert "catalog_app.errors.ValidationError: ‹message redacted›" in text


def test_an_uncaught_exception_is_logged_with_its_type_and_frames_only(
    redacted_log: Path, messages: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    install_excepthook()
    try:
        raise RuntimeError(f"cannot draw {SECRET_TITLE}")
    except RuntimeError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    assert [kind for kind, _ in messages] == ["critical"]
    text = redacted_log.read_text(encoding="utf-8")
    assert SECRET_TITLE not in text
    assert "ERROR catalog_app.ui.errors: uncaught exception" in text
    assert "\nRuntimeError: ‹message redacted›" in text
    assert "in test_an_uncaught_exception_is_logged_with_its_type_and_frames_only\n" in text
