"""The window's icons, chosen in one place: Phosphor icons through qtawesome (fonts shipped in
its wheel, so every desktop shows the same), or the desktop theme's icon of the same meaning
when the icon font cannot be loaded."""

from __future__ import annotations

import logging
from functools import cache

import qtawesome as qta
from PySide6.QtGui import QIcon

log = logging.getLogger(__name__)

# name -> (qtawesome icon, freedesktop theme icon)
ICONS: dict[str, tuple[str, str]] = {
    "new_catalogue": ("ph.file-plus", "document-new"),
    "open_catalogue": ("ph.folder-open", "document-open"),
    "new_record": ("ph.plus-circle", "list-add"),
    "import_files": ("ph.file-arrow-down", "document-import"),
    "import_folder": ("ph.folder-plus", "folder-new"),
    "save": ("ph.floppy-disk", "document-save"),
    "undo": ("ph.arrow-counter-clockwise", "edit-undo"),
    "redo": ("ph.arrow-clockwise", "edit-redo"),
    "batch_edit": ("ph.note-pencil", "edit-select-all"),
    "export": ("ph.export", "document-export"),
    "verify": ("ph.shield-check", "security-high"),
    "back_up": ("ph.archive-box", "drive-harddisk"),
    "lock": ("ph.lock", "system-lock-screen"),
    "find": ("ph.magnifying-glass", "edit-find"),
    "next_record": ("ph.caret-down", "go-down"),
    "previous_record": ("ph.caret-up", "go-up"),
    "refresh": ("ph.arrows-clockwise", "view-refresh"),
    "preferences": ("ph.gear", "preferences-system"),
    "help": ("ph.question", "help-contents"),
}


@cache
def icon(name: str) -> QIcon:
    """The icon for one of ICONS' names (needs a QApplication)."""
    font_icon, theme_icon = ICONS[name]
    try:
        found: QIcon = qta.icon(font_icon)
        return found
    # qtawesome raises bare Exceptions (FontError among them) for a font it cannot load.
    except Exception:
        log.warning("icon font not loaded; using the desktop theme's %s", theme_icon)
        return QIcon.fromTheme(theme_icon)
