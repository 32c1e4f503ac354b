"""The names the window's code used before the operations lane: see `catalog_app.ui.operations`."""

from __future__ import annotations

from catalog_app.ui.operations import (
    INTERNAL_ERROR,
    OnError,
    OnProgress,
    Operations,
    Report,
    TaskHandle,
    failure_message,
)

TaskRunner = Operations

__all__ = [
    "INTERNAL_ERROR",
    "OnError",
    "OnProgress",
    "Operations",
    "Report",
    "TaskHandle",
    "TaskRunner",
    "failure_message",
]
