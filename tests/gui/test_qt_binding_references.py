"""The Qt binding keeps Python's reference counts right: PySide6 6.12.0 on Python 3.11 lost a
reference to None on every call returning nothing, and a long session then died with
"Fatal Python error: none_dealloc". This guards the locked version against that bug."""

from __future__ import annotations

import sys

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

CALLS = 2_000


def test_qt_calls_returning_nothing_keep_the_count_of_none(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        label.setText("x")
        QModelIndex().data()
    # Other threads may hold a few more or fewer references meanwhile; a leak loses thousands.
    assert abs(sys.getrefcount(None) - before) < CALLS // 10
