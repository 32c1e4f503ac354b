"""Answers of the operations lane for a tab that may be gone by the time they arrive."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QObject

T = TypeVar("T")


def while_alive(widget: QObject, fn: Callable[[T], object]) -> Callable[[T], None]:
    """`fn`, doing nothing once `widget` is deleted (its record closed, or the window)."""

    def call(value: T) -> None:
        if shiboken6.isValid(widget):
            fn(value)

    return call
