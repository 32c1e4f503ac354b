"""Typed access to the window's persistent settings (QSettings), declared in one place."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from catalog_app import APP_NAME
from catalog_app.services.backups import DEFAULT_KEEP

MAX_RECENT = 8
MAX_AUTOMATIC_BACKUPS = 90
DEFAULT_LOCK_MINUTES = 15
MAX_LOCK_MINUTES = 24 * 60


class UiSettings:
    def __init__(self, settings: QSettings | None = None) -> None:
        self._s = settings or QSettings(APP_NAME, APP_NAME)

    def _strings(self, key: str) -> list[str]:
        value = self._s.value(key, [])
        if isinstance(value, str):  # a list of one, as an INI file gives it back
            value = [value]
        if not isinstance(value, list):
            return []
        return [str(item) for item in value if item]

    def recent_catalogues(self) -> list[Path]:
        return [Path(item) for item in self._strings("catalogues/recent")]

    def remember_catalogue(self, path: Path) -> None:
        recent = [p for p in self.recent_catalogues() if p != path]
        self._s.setValue("catalogues/recent", [str(p) for p in [path, *recent][:MAX_RECENT]])

    def forget_catalogue(self, path: Path) -> None:
        self._s.setValue(
            "catalogues/recent", [str(p) for p in self.recent_catalogues() if p != path]
        )

    def geometry(self) -> QByteArray | None:
        value = self._s.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def window_state(self) -> QByteArray | None:
        value = self._s.value("window/state")
        return value if isinstance(value, QByteArray) else None

    def splitter_state(self) -> QByteArray | None:
        value = self._s.value("window/splitter")
        return value if isinstance(value, QByteArray) else None

    def save_window(self, geometry: QByteArray, state: QByteArray, splitter: QByteArray) -> None:
        self._s.setValue("window/geometry", geometry)
        self._s.setValue("window/state", state)
        self._s.setValue("window/splitter", splitter)

    def records_header(self, columns: list[str]) -> QByteArray | None:
        """The records table's columns: order, widths, hidden ones and the sort; None if it
        was saved for other `columns` (titles) than these."""
        value = self._s.value("records/header")
        if not isinstance(value, QByteArray) or self._strings("records/columns") != columns:
            return None
        return value

    def save_records_header(self, state: QByteArray, columns: list[str]) -> None:
        self._s.setValue("records/header", state)
        self._s.setValue("records/columns", columns)

    def toolbar_shown(self) -> bool:
        value = self._s.value("window/toolbar", True)
        return value not in (False, "false", "0", 0)

    def set_toolbar_shown(self, shown: bool) -> None:
        self._s.setValue("window/toolbar", shown)

    def unfolded_description_areas(self) -> list[str]:
        """The ISAD(G) areas ("3.3") whose every element the Description tab shows."""
        return self._strings("description/unfolded")

    def set_unfolded_description_areas(self, areas: list[str]) -> None:
        self._s.setValue("description/unfolded", areas)

    def user_name(self) -> str:
        """The person at the window, as preferences give it: recorded with every change,
        event and assessment (services.identity.person_name decides when it is empty)."""
        value = self._s.value("user/name", "")
        return value if isinstance(value, str) else ""

    def set_user_name(self, name: str) -> None:
        self._s.setValue("user/name", name)

    def backups_to_keep(self) -> int:
        """How many automatic backups of each catalogue to keep; 0 makes none."""
        value = self._s.value("backups/keep", DEFAULT_KEEP)
        try:
            number = int(str(value))
        except ValueError:
            return DEFAULT_KEEP
        return max(0, min(MAX_AUTOMATIC_BACKUPS, number))

    def set_backups_to_keep(self, number: int) -> None:
        self._s.setValue("backups/keep", max(0, min(MAX_AUTOMATIC_BACKUPS, number)))

    def lock_after_minutes(self) -> int:
        """Minutes without use after which an open encrypted catalogue is locked; 0: never."""
        value = self._s.value("security/lock_after_minutes", DEFAULT_LOCK_MINUTES)
        try:
            minutes = int(str(value))
        except ValueError:
            return DEFAULT_LOCK_MINUTES
        return max(0, min(MAX_LOCK_MINUTES, minutes))

    def set_lock_after_minutes(self, minutes: int) -> None:
        self._s.setValue("security/lock_after_minutes", max(0, min(MAX_LOCK_MINUTES, minutes)))

    def sync(self) -> None:
        self._s.sync()
