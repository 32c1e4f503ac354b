"""Noticing that nobody has used the program for a while (to lock an encrypted catalogue)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

# What counts as someone using the program: moving the pointer alone does not.
_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)
MSECS_A_MINUTE = 60_000


class IdleWatch(QObject):
    """Emits `idle` once the program has had no input for the set time while watching.

    It watches every window of the application (an event filter on it); `watch(False)`
    stops it, and so does an interval of 0 minutes. `restarts` counts the times input
    started the wait again (for tests, which fire `timer.timeout` themselves).
    """

    idle = Signal()

    def __init__(self, parent: QObject | None = None, *, minutes: int = 0) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        self.restarts = 0
        self._watching = False
        self._minutes = 0
        self.set_minutes(minutes)
        application = QCoreApplication.instance()
        if application is not None:
            application.installEventFilter(self)

    @property
    def minutes(self) -> int:
        return self._minutes

    def set_minutes(self, minutes: int) -> None:
        self._minutes = max(0, minutes)
        self.timer.setInterval(self._minutes * MSECS_A_MINUTE)
        self._apply()

    def watch(self, watching: bool) -> None:
        """Start (or stop) waiting for the program to stay unused."""
        self._watching = watching
        self._apply()

    def _apply(self) -> None:
        if self._watching and self._minutes > 0:
            self.timer.start()
        else:
            self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT and self.timer.isActive():
            self.timer.start()
            self.restarts += 1
        return False
