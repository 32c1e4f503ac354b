"""The Originals tab: the record's stored files, whether each copy still matches its
checksum (checked off the GUI thread), a preview of the one chosen, opening a copy of it in
another program, and adding more."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from catalog_app.domain.records import FileRecord, UnitDetail
from catalog_app.errors import CatalogError
from catalog_app.services import Catalogue
from catalog_app.services.originals import FixityResult, OriginalsService
from catalog_app.services.previews import PreviewService
from catalog_app.ui.detail.alive import while_alive
from catalog_app.ui.detail.commands import attach_original
from catalog_app.ui.detail.original_preview import LatestRunner, OriginalPreview
from catalog_app.ui.undo import lane_of

COLUMNS = ("Original name", "Type", "Size", "SHA-256", "Stored copy")
FIXITY_COLUMN = 4
FILE_ID_ROLE = Qt.ItemDataRole.UserRole
CHECKING = "checking…"
LIST_HEIGHT = 96  # the list's first height: its heading and about three files
CHANGED_COLOUR = QColor("#b00020")
ERROR_STYLE = "color: #b00020;"


def readable_size(size: int) -> str:
    amount = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if amount < 1024 or unit == "GB":
            return f"{size:,} bytes" if unit == "bytes" else f"{amount:.1f} {unit}"
        amount /= 1024
    raise AssertionError("unreachable")


class OriginalsTab(QWidget):
    TITLE = "Originals"
    changed = Signal(int)
    checked = Signal(int)  # a file id whose fixity is now shown
    open_settled = Signal()  # an original was handed to its application, or could not be

    def __init__(
        self,
        catalogue: Catalogue,
        undo_stack: QUndoStack,
        parent: QWidget | None = None,
        *,
        runner: LatestRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._originals = OriginalsService(catalogue)
        self._readonly = catalogue.readonly  # then nothing can be added
        self._unit_id: int | None = None
        self._files: dict[int, FileRecord] = {}
        self._items: dict[int, QTreeWidgetItem] = {}  # by file id
        self._adding = 0  # files still being added
        self._add_target = 0  # the record they are added to
        self._problems: list[str] = []
        # The window's lane (a tab on its own: a lane of its own): checksums and the copies
        # Open hands over (decrypted first in an encrypted catalogue) are read on its readers;
        # adding writes to the catalogue, on its writer, in order.
        self._lane = lane_of(undo_stack)

        self.files = QTreeWidget()
        self.files.setObjectName("originals")
        self.files.setHeaderLabels(COLUMNS)
        self.files.setRootIsDecorated(False)
        self.files.setUniformRowHeights(True)
        self.files.setAllColumnsShowFocus(True)
        # Drawn on the window's reader threads (a tab on its own: a lane of its own).
        self.preview = OriginalPreview(PreviewService(catalogue), runner or self._lane)
        self.open_button = QPushButton("&Open")
        self.open_button.setToolTip(
            "Open a copy with the system's default application (the stored copy is never "
            "handed over, so nothing the application does can change it)"
        )
        self.add_button = QPushButton("&Add original…")
        self.check_button = QPushButton("&Check again")
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)

        buttons = QHBoxLayout()
        for button in (self.open_button, self.add_button, self.check_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.files)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([LIST_HEIGHT, 10 * LIST_HEIGHT])
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

        self.files.itemActivated.connect(lambda *_: self.open_current())
        self.files.currentItemChanged.connect(lambda *_: self._current_changed())
        self.open_button.clicked.connect(self.open_current)
        self.add_button.clicked.connect(self.choose_and_add)
        self.check_button.clicked.connect(self.check_fixity)
        self.show_unit(None)

    # -- showing ------------------------------------------------------------------------------

    def show_unit(self, unit_id: int | None, files: Sequence[FileRecord] | None = None) -> None:
        """Show a record's originals (`files`: read with it already, by the detail pane)."""
        self._unit_id = unit_id
        if not self._adding:
            self.message.clear()
        self._reload(files)

    def show_detail(self, detail: UnitDetail | None) -> None:
        """Show a record read already (the detail pane reads it once for every tab)."""
        self.show_unit(detail.id if detail else None, detail.files if detail else None)

    def _reload(self, files: Sequence[FileRecord] | None = None) -> None:
        for file_id in self._items:  # checks of the files shown until now: not wanted
            self._lane.forget(self._fixity_key(file_id))
        # Quiet while the list is filled: the preview hears once which file is current (and
        # keeps what it shows when that is the same file as before).
        self.files.blockSignals(True)
        self.files.clear()
        self._files, self._items = {}, {}
        if files is None and self._unit_id is not None:
            try:
                files = self._originals.files(self._unit_id)
            except CatalogError as error:  # the record was deleted meanwhile
                self._unit_id = None
                self._say(str(error), problem=True)
        for file in files or ():
            self._files[file.id] = file
            item = QTreeWidgetItem(
                [
                    file.original_name,
                    file.media_type,
                    readable_size(file.size),
                    file.sha256,
                    CHECKING,
                ]
            )
            item.setData(0, FILE_ID_ROLE, file.id)
            item.setToolTip(0, file.original_path or file.original_name)
            item.setToolTip(3, file.sha256)
            self.files.addTopLevelItem(item)
            self._items[file.id] = item
        if self._items:
            self.files.setCurrentItem(next(iter(self._items.values())))
        self.files.blockSignals(False)
        self.setEnabled(self._unit_id is not None)
        self._current_changed()
        self.check_fixity()

    def _current_changed(self) -> None:
        self.preview.show_file(self.current_file())
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.current_file() is not None)
        self.check_button.setEnabled(bool(self._files))
        self.add_button.setEnabled(
            self._unit_id is not None and not self._adding and not self._readonly
        )

    def current_file(self) -> FileRecord | None:
        item = self.files.currentItem()
        return self._files.get(item.data(0, FILE_ID_ROLE)) if item else None

    def _say(self, text: str, *, problem: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if problem else "")
        self.message.setText(text)

    # -- fixity -------------------------------------------------------------------------------

    def _fixity_key(self, file_id: int) -> str:
        return f"fixity-{id(self)}-{file_id}"

    def check_fixity(self) -> None:
        """Re-hash every stored copy of the record, off the GUI thread; only the newest
        check of each file is shown."""
        service = self._originals
        for file_id, item in self._items.items():
            item.setText(FIXITY_COLUMN, CHECKING)
            self._lane.run_latest(
                self._fixity_key(file_id),
                partial(service.verify, file_id),
                while_alive(self, self._fixity_known),
                while_alive(self, partial(self._fixity_failed, file_id)),
            )

    def _fixity_known(self, result: FixityResult) -> None:
        item = self._items.get(result.file_id)
        if item is None:
            return  # another record is shown since
        item.setText(FIXITY_COLUMN, result.status)
        item.setToolTip(FIXITY_COLUMN, result.problem or f"SHA-256 {result.actual}")
        if not result.matches:
            item.setForeground(FIXITY_COLUMN, QBrush(CHANGED_COLOUR))
        self.checked.emit(result.file_id)

    def _fixity_failed(self, file_id: int, message: str) -> None:
        if file_id in self._items:
            self._say(f"A stored copy could not be checked: {message}", problem=True)

    # -- opening and adding ---------------------------------------------------------------------

    def open_current(self) -> None:
        """Open a copy of the current original with the system's application for its kind."""
        file = self.current_file()
        if file is None:
            return
        self._lane.run(
            partial(self._originals.viewable_copy, file),
            while_alive(self, partial(self._show_copy, file)),
            while_alive(self, self._open_failed),
        )

    def _show_copy(self, file: FileRecord, path: Path) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self._say(
                f"No application on this computer opens {file.original_name} ({file.media_type}).",
                problem=True,
            )
        self.open_settled.emit()

    def _open_failed(self, message: str) -> None:
        self._say(message, problem=True)  # a bug comes back as plain words too
        self.open_settled.emit()

    def choose_and_add(self) -> None:
        if self._unit_id is None or self._adding or self._readonly:
            return
        names, _ = QFileDialog.getOpenFileNames(self, "Add originals to this record")
        if names:
            self.add_files(self._unit_id, [Path(name) for name in names])

    def add_files(self, unit_id: int, paths: list[Path]) -> None:
        """Store each file and attach it to the record, in the background."""
        service = self._originals
        self._adding, self._problems = len(paths), []
        self._add_target = unit_id
        self._say(f"Adding {len(paths)} original(s)…")
        self._update_buttons()
        added = while_alive(self, lambda _file: self._one_added())
        refused = while_alive(self, self._one_added)
        for path in paths:
            attach_original(service, unit_id, path).success(added).failure(
                refused
            ).run_in_background(self._lane)

    def _one_added(self, problem: str | None = None) -> None:
        """One file added, or not (`problem`: why, in plain words: a bug as an apology)."""
        if problem is not None:
            self._problems.append(problem)
        self._adding -= 1
        if self._adding:
            return
        if self._problems:
            self._say("\n".join(self._problems), problem=True)
        else:
            self.message.clear()
        if self._add_target == self._unit_id:
            self._reload()
        self._update_buttons()
        self.changed.emit(self._add_target)
