"""Dropping files and folders from the desktop or a file manager onto a window."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QWidget

DropCallback = Callable[[list[Path]], None]
_DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove)


def paths_from_mime(mime: QMimeData | None) -> list[Path]:
    """The local files and folders a drag carries, in order, each once; web links and
    other URLs are left out."""
    if mime is None or not mime.hasUrls():
        return []
    paths: list[Path] = []
    for url in mime.urls():
        local = url.toLocalFile() if url.isLocalFile() else ""
        if local and Path(local) not in paths:
            paths.append(Path(local))
    return paths


class FileDropTarget(QObject):
    """Makes `widget` accept drags of local files and folders and hand them to `on_drop`.

    Installed as an event filter, so it also works on widgets with drop handling of their
    own (text fields, views): drags carrying local files are taken here, anything else
    (dragged text, web links) goes on to the widget as before. Lives as long as `widget`.
    """

    def __init__(self, widget: QWidget, on_drop: DropCallback) -> None:
        super().__init__(widget)
        self._on_drop = on_drop
        self._enabled = True
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def is_enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, enabled: bool) -> None:
        """While disabled (no catalogue open, an import running) file drags are refused."""
        self._enabled = enabled

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(event, QDropEvent) or not self._enabled:
            return False
        paths = paths_from_mime(event.mimeData())
        if not paths:
            return False
        if event.type() in _DRAG_EVENTS:
            event.acceptProposedAction()
            return True
        if event.type() == QEvent.Type.Drop:
            event.acceptProposedAction()
            self._on_drop(paths)
            return True
        return False
