"""Fixtures for driving the window: private settings, stubbed dialogs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.ui.main_window import MainWindow
from catalog_app.ui.operations import Operations
from catalog_app.ui.settings import UiSettings
from catalog_app.ui.undo import OperationStack


@pytest.fixture
def ui_settings(tmp_path: Path) -> UiSettings:
    return UiSettings(QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Message boxes the window shows, recorded instead of blocking the test."""
    shown: list[tuple[str, str]] = []

    def record(kind: str) -> object:
        def show(
            parent: object, title: str, text: str, *args: object
        ) -> QMessageBox.StandardButton:
            shown.append((kind, text))
            return QMessageBox.StandardButton.Ok

        return show

    monkeypatch.setattr(QMessageBox, "warning", record("warning"))
    monkeypatch.setattr(QMessageBox, "critical", record("critical"))
    monkeypatch.setattr(QMessageBox, "about", record("about"))
    return shown


@pytest.fixture
def window(
    qtbot: QtBot, ui_settings: UiSettings, messages: list[tuple[str, str]]
) -> Iterator[MainWindow]:
    main = MainWindow(ui_settings)
    qtbot.addWidget(main)
    main.show()
    yield main
    main.close()


@pytest.fixture
def described(catalogue: Catalogue) -> Catalogue:
    from catalog_app.domain.records import NewAssessment, NewEvent
    from catalog_app.domain.reliability import InformationCredibility, SourceReliability

    fonds = catalogue.units.create({"title": "Testimonies", "level": "fonds"})
    series = catalogue.units.create(
        {"title": "Web captures", "level": "series"}, parent_id=fonds.id
    )
    item = catalogue.units.create(
        {"title": "خاوران؛ گورستان بی‌نام", "date_expression": "1988-22", "languages": ["fa"]},
        parent_id=series.id,
    )
    catalogue.provenance.record(
        item.id, NewEvent("capture", occurred_at="2024-03-02", agent="Field team")
    )
    catalogue.reliability.assess(
        item.id,
        NewAssessment(
            SourceReliability.C,
            InformationCredibility.PROBABLY_TRUE,
            affiliation_note="Opposition outlet",
        ),
    )
    catalogue.units.create({"title": "Second fonds", "level": "fonds"})
    return catalogue


@pytest.fixture
def undo_stack() -> QUndoStack:
    """The window's kind of undo stack, on a lane that runs each write in place."""
    return OperationStack(Operations(synchronous=True))
