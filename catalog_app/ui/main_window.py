"""The main window: collection tree, the selected record, and the File menu.

An encrypted catalogue is opened once its passphrase is typed (the unlock dialog), and can be
locked (File → Lock, or after a time without use): the window then closes it, forgets what it
showed of it, and shows the lock screen until the passphrase is typed again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QCursor,
    QGuiApplication,
    QIcon,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from catalog_app import __version__
from catalog_app.domain.records import SearchResults
from catalog_app.errors import CatalogError
from catalog_app.paths import bundled
from catalog_app.services import Catalogue
from catalog_app.services.browse import View
from catalog_app.services.identity import UNNAMED, person_name
from catalog_app.services.originals import forget_viewable_copies
from catalog_app.services.saved_searches import SavedSearch
from catalog_app.ui import heap
from catalog_app.ui.automatic_backups import AutomaticBackupScheduler
from catalog_app.ui.backup_dialog import BackupDialog, choose_backup_folder
from catalog_app.ui.batch_edit import BatchEditCommand, BatchEditDialog
from catalog_app.ui.catalogue_settings_dialog import CatalogueSettingsDialog
from catalog_app.ui.changes import Changes, counted
from catalog_app.ui.collection_tree import CollectionTree
from catalog_app.ui.detail.pane import DetailPane
from catalog_app.ui.drop import FileDropTarget
from catalog_app.ui.errors import show_problem
from catalog_app.ui.export_dialog import ExportDialog
from catalog_app.ui.focus_return import FocusReturn
from catalog_app.ui.hierarchy import (
    QUERY_ROLE,
    UNIT_ID_ROLE,
    VIEW_ROLE,
    HierarchyModel,
)
from catalog_app.ui.icons import icon
from catalog_app.ui.idle_lock import IdleWatch
from catalog_app.ui.import_dialog import ImportDialog, choose_import_paths
from catalog_app.ui.lock_screen import LockScreen
from catalog_app.ui.new_encrypted_dialog import NewEncryptedCatalogueDialog
from catalog_app.ui.operations import Operations, Outcome, Report, WriteOp
from catalog_app.ui.preferences_dialog import PreferencesDialog
from catalog_app.ui.records_model import READ_IN_PLACE_UP_TO, RecordsModel
from catalog_app.ui.records_view import RecordsView
from catalog_app.ui.saved_search_dialog import SavedSearchDialog
from catalog_app.ui.seal_dialog import SealDialog
from catalog_app.ui.search_help import SearchHelpDialog
from catalog_app.ui.search_panel import SearchPanel, search_bar
from catalog_app.ui.settings import UiSettings
from catalog_app.ui.shortcuts import REDO_KEYS, Key, WindowKeysFirst, key_sequences
from catalog_app.ui.toolbar import main_toolbar
from catalog_app.ui.undo import CreateRecord, OperationStack, SetWithdrawn
from catalog_app.ui.unlock_dialog import UnlockDialog
from catalog_app.ui.verify_panel import VerifyPanel

FILE_FILTER = "Catalogues (*.sqlite *.db);;All files (*)"
EMPTY_CATALOGUE = (
    "<h3>This catalogue has no records yet.</h3>"
    "<p>Records you create or import appear under All records, and in the tree on the left.</p>"
)
NO_CATALOGUE = "<h3>No catalogue is open.</h3><p>Use File → Open or File → New.</p>"
NO_NAME = (
    f"Your name is not set, so changes are recorded as '{UNNAMED}': give it in Edit → Preferences."
)
LOCKED_IDLE = "It was locked after {minutes} minutes without use."
LOST_EDIT = "A change the record refused (it was marked there) was not kept."
UNSAVED_EDIT = (
    "A change in this record cannot be saved yet (the record says why): correct it or undo "
    "it with Ctrl+Z, then lock."
)
LISTED_RESULTS = 2_000  # enough to browse; beyond that, narrow the search
DEFAULT_SIZE = (1440, 900)  # the first run's, if the screen has the room
SCREEN_MARGIN = 16
TITLE_BAR = 32  # the window manager's title bar and frame, outside the window's own size
WINDOW_FRAME = 8  # the frame's left and right edges


_COUNTED = (("units", "record"), ("files", "original"), ("agents", "agent"))


def default_pane_sizes(width: int) -> list[int]:
    """The tree, the list and the record for a window `width` wide, before the person moves
    them: room for the list's default columns and for every tab of the record."""
    tree, records = width * 12 // 100, width * 45 // 100
    return [tree, records, width - tree - records]


class MainWindow(QMainWindow):
    def __init__(self, settings: UiSettings | None = None, *, synchronous: bool = False) -> None:
        heap.set_aside_what_start_up_loaded()
        super().__init__()
        self.settings = settings or UiSettings()
        self.catalogue: Catalogue | None = None
        self.seal_dialog: SealDialog | None = None
        # The one operations lane: every read and write the window does off the GUI thread.
        self.tasks = Operations(self, synchronous=synchronous)
        self.tasks.changed.connect(self._changes_made)
        self.tasks.refused.connect(self._command_failed)
        self.tasks.activity.connect(self._show_activity)
        self.undo_stack = OperationStack(self.tasks, self)
        self.detail: DetailPane | None = None
        self.import_dialog: ImportDialog | None = None
        self.unlock_dialog: UnlockDialog | None = None
        self.locked_path: Path | None = None  # the catalogue the lock screen asks for
        self._selection_when_locked: int | None = None
        self.setWindowIcon(QIcon(str(bundled("resources") / "icons" / "catalog-app.svg")))

        self.hierarchy = HierarchyModel()
        self.tree = CollectionTree(self.hierarchy)
        self.tree.expanded.connect(self.hierarchy.load_children)
        self.tree.selectionModel().currentChanged.connect(self._tree_selected)

        self.search = SearchPanel()
        self.search.query_changed.connect(self.run_search)
        self.records = RecordsModel(parent=self, runner=self.tasks)
        self.records.sorting.connect(lambda busy: self._show_busy(busy, "Sorting…"))
        self.records.loading.connect(lambda busy: self._show_busy(busy, "Reading the records…"))
        self.records.problem.connect(
            lambda message: show_problem(self, "Sort", CatalogError(message))
        )
        self.records_view = RecordsView(self.records, self.settings)
        self.records_view.current_unit_changed.connect(self._record_selected)
        self.records_view.selectionModel().selectionChanged.connect(
            lambda *_: self._enable_record_actions()
        )
        self.records_view.doubleClicked.connect(lambda _index: self._focus_description())
        self._set_up_views()

        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.tree)
        left.addWidget(self.search.facets_view)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)
        middle = QWidget()
        column = QVBoxLayout(middle)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(search_bar(self.search))
        column.addWidget(self.records_view)
        self.detail_holder = QStackedWidget()
        self.record_view = QTextBrowser()  # shown while no catalogue is open
        self.record_view.setObjectName("record")
        self.record_view.setOpenLinks(False)
        self.detail_holder.addWidget(self.record_view)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.detail_holder)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setStretchFactor(2, 2)
        self.lock_screen = LockScreen(self.tasks)
        self.lock_screen.unlocked.connect(self._unlocked)
        self.lock_screen.failed.connect(
            lambda error: show_problem(self, "Cannot unlock the catalogue", error)
        )
        self.central = QStackedWidget()
        self.central.addWidget(self.splitter)
        self.central.addWidget(self.lock_screen)
        self.setCentralWidget(self.central)
        self.idle = IdleWatch(self, minutes=self.settings.lock_after_minutes())
        self.idle.idle.connect(self._idle)
        self.drop_target = FileDropTarget(self, self.import_paths)
        self.focus_return = FocusReturn(self, fallback=self.tree)

        self.path_label = QLabel()
        self.counts_label = QLabel()
        self.statusBar().addWidget(self.path_label, 1)
        self.statusBar().addPermanentWidget(self.counts_label)
        self.automatic_backups = AutomaticBackupScheduler(self, self.tasks, self.settings)
        self.statusBar().addPermanentWidget(self.automatic_backups.label)
        self.verification = VerifyPanel(self, self.tasks)
        self.statusBar().addPermanentWidget(self.verification.label)
        self.backup_dialog: BackupDialog | None = None
        self.search_help: SearchHelpDialog | None = None
        self._build_menus()
        self._restore_layout()
        self._show_catalogue()

    # -- menus ---------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: object,
        *keys: Key,
        icon_name: str | None = None,
    ) -> QAction:
        """An action of the window: `keys` are its shortcuts (a standard key stands for all
        the platform binds it to; none is repeated), `icon_name` one of icons.ICONS."""
        action = QAction(text, self)
        if keys:
            action.setShortcuts(key_sequences(*keys))
        if icon_name is not None:
            action.setIcon(icon(icon_name))
        action.triggered.connect(slot)
        self._keyed_actions.append(action)
        return action

    def _build_menus(self) -> None:
        keys = QKeySequence.StandardKey
        self._keyed_actions: list[QAction] = []
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = self._action(
            "&New Catalogue…", self.choose_new_catalogue, keys.New, icon_name="new_catalogue"
        )
        self.open_action = self._action(
            "&Open Catalogue…", self.choose_catalogue, keys.Open, icon_name="open_catalogue"
        )
        self.new_encrypted_action = self._action(
            "New Encr&ypted Catalogue…", self.choose_new_encrypted_catalogue
        )
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.new_encrypted_action)
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        self.import_files_action = self._action(
            "&Import Files…", self.choose_import_files, "Ctrl+I", icon_name="import_files"
        )
        self.import_folder_action = self._action(
            "Import &Folder…",
            self.choose_import_folder,
            "Ctrl+Shift+I",
            icon_name="import_folder",
        )
        file_menu.addAction(self.import_files_action)
        file_menu.addAction(self.import_folder_action)
        self.export_action = self._action("&Export…", self.export, "Ctrl+E", icon_name="export")
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        self.backup_action = self._action(
            "&Back Up Catalogue…", self.choose_backup, icon_name="back_up"
        )
        file_menu.addAction(self.backup_action)
        self.verify_action = self._action(
            "&Verify Originals…", self.verification.show_dialog, "Ctrl+Shift+V", icon_name="verify"
        )
        file_menu.addAction(self.verify_action)
        self.catalogue_settings_action = self._action(
            "Catalogue &Settings…", self.edit_catalogue_settings
        )
        file_menu.addAction(self.catalogue_settings_action)
        file_menu.addSeparator()
        self.lock_action = self._action(
            "&Lock Catalogue", lambda: self.lock(), "Ctrl+L", icon_name="lock"
        )
        self.lock_action.setStatusTip("Close the encrypted catalogue until its passphrase is typed")
        file_menu.addAction(self.lock_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, keys.Quit))

        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts(key_sequences(keys.Undo))
        self.undo_action.setIcon(icon("undo"))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(key_sequences(*REDO_KEYS))
        self.redo_action.setIcon(icon("redo"))
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        self.save_action = self._action(
            "&Save Record", self.save_record, keys.Save, icon_name="save"
        )
        self.new_record_action = self._action(
            "New &Record", self.new_record, "Ctrl+Shift+N", icon_name="new_record"
        )
        self.new_like_action = self._action(
            "New Record &Like This One", self.new_record_like, "Ctrl+D"
        )
        self.batch_action = self._action(
            "&Batch Edit Selected…", self.batch_edit, "Ctrl+B", icon_name="batch_edit"
        )
        self.withdraw_action = self._action("&Withdraw Selected", self.withdraw_selected, "Del")
        self.rename_action = self._action("Edit &Title", self._focus_title, "F2")
        for action in (self.withdraw_action, self.rename_action):
            # Only where records are listed: text fields keep Delete and F2 for themselves.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.records_view.addAction(action)
            self.tree.addAction(action)
            self._keyed_actions.remove(action)
        for action in (
            self.save_action,
            self.new_record_action,
            self.new_like_action,
            self.batch_action,
            self.withdraw_action,
            self.rename_action,
        ):
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        edit_menu.addAction(
            self._action("&Preferences…", self.edit_preferences, icon_name="preferences")
        )
        self.record_actions = [
            self.save_action,
            self.new_like_action,
            self.batch_action,
            self.withdraw_action,
            self.rename_action,
        ]
        self.catalogue_actions = [
            self.backup_action,
            self.export_action,
            self.verify_action,
            self.catalogue_settings_action,  # shown, not changeable, in a read-only one
        ]
        # Only for a catalogue that can be written to (not one opened read-only).
        self.writing_actions = [
            self.import_files_action,
            self.import_folder_action,
            self.new_record_action,
        ]

        view_menu = self.menuBar().addMenu("&View")
        self.refresh_action = self._action(
            "&Refresh", self.refresh_from_catalogue, keys.Refresh, icon_name="refresh"
        )
        view_menu.addAction(self.refresh_action)
        self.catalogue_actions.append(self.refresh_action)

        go_menu = self.go_menu = self.menuBar().addMenu("&Go")
        # Alt+Page Down/Up: keys no text box, list or desktop takes, so they work in the form.
        self.next_record_action = self._action(
            "&Next Record", lambda: self.step_record(1), "Alt+PgDown", icon_name="next_record"
        )
        self.previous_record_action = self._action(
            "&Previous Record",
            lambda: self.step_record(-1),
            "Alt+PgUp",
            icon_name="previous_record",
        )
        go_menu.addAction(self.next_record_action)
        go_menu.addAction(self.previous_record_action)
        self.catalogue_actions += [self.next_record_action, self.previous_record_action]

        search_menu = self.menuBar().addMenu("&Search")
        self.find_action = self._action("&Find…", self.focus_search, keys.Find, icon_name="find")
        search_menu.addAction(self.find_action)
        search_menu.addAction(self.save_search_action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self._action("&Search Syntax", self._search_help, icon_name="help"))
        help_menu.addAction(self._action("&About", self._about))
        self.seal_action = self._action("&Catalogue Seal…", self.show_seal)
        help_menu.addAction(self.seal_action)
        self.catalogue_actions.append(self.seal_action)

        self.toolbar = main_toolbar(
            self,
            [
                self.new_record_action,
                self.import_files_action,
                self.import_folder_action,
                self.save_action,
                None,
                self.undo_action,
                self.redo_action,
                None,
                self.batch_action,
                self.export_action,
                self.verify_action,
                self.backup_action,
                self.lock_action,
                None,
                self.find_action,
            ],
        )
        toolbar_shown = self.toolbar.toggleViewAction()
        toolbar_shown.setText("&Toolbar")
        toolbar_shown.triggered.connect(self.settings.set_toolbar_shown)
        view_menu.addSeparator()
        view_menu.addAction(toolbar_shown)
        # Undo and Redo stay out: a text field undoes its own typing first (DescriptionTab).
        self.window_keys = WindowKeysFirst(self, lambda: self._keyed_actions)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.window_keys)

    def step_record(self, step: int) -> None:
        """Go to the next (1) or previous (-1) record of the list, saving what is being typed
        first, as choosing it with the mouse does; the focus stays where it is."""
        rows = self.records.rowCount()
        if rows == 0:
            return
        current = self.records_view.currentIndex()
        row = current.row() + step if current.isValid() else 0
        if not 0 <= row < rows:
            self.statusBar().showMessage(
                "This is the last record." if step > 0 else "This is the first record.", 3000
            )
            return
        focused = QApplication.focusWidget()
        self.records_view.selectRow(row)
        self.records_view.scrollTo(self.records.index(row, 0))
        if focused is not None and focused.isVisible():
            focused.setFocus()  # selecting a row does not move the focus; a refresh might

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_catalogues()
        if not recent:
            none = self.recent_menu.addAction("(none yet)")
            none.setEnabled(False)
        for path in recent:
            action = self.recent_menu.addAction(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_catalogue(p))

    def show_seal(self) -> None:
        """Help → Catalogue Seal: read on the writer, after the writes asked for before it
        (the record's save just now), so that the seal pins them too."""
        catalogue = self.catalogue
        if catalogue is None:
            return
        self.save_record()
        self.tasks.run(
            catalogue.audit.seal,
            lambda seal: self._show_seal(catalogue, seal.code, seal.rows),
            lambda message: show_problem(self, "Catalogue Seal", CatalogError(message)),
            write=True,
        )

    def _show_seal(self, catalogue: Catalogue, code: str, rows: int) -> None:
        if self.catalogue is catalogue:  # not one closed or locked meanwhile
            self.seal_dialog = SealDialog(code, rows, self)
            self.seal_dialog.open()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Catalog",
            f"<b>Catalog</b> {__version__}<br>Archival description, provenance and source "
            "reliability in one catalogue file.",
        )

    # -- catalogues ----------------------------------------------------------------------

    def choose_catalogue(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open Catalogue", "", FILE_FILTER)
        if name:
            self.open_catalogue(Path(name))

    def choose_new_catalogue(self) -> None:
        path = self._new_catalogue_path("New Catalogue")
        if path is not None:
            self.open_catalogue(path, create=True)

    def choose_new_encrypted_catalogue(self) -> None:
        path = self._new_catalogue_path("New Encrypted Catalogue")
        if path is None:
            return
        dialog = NewEncryptedCatalogueDialog(self.tasks, path, self)
        dialog.created.connect(self._opened)
        dialog.failed.connect(lambda error: self._open_failed(path, error))
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.open()

    def _new_catalogue_path(self, title: str) -> Path | None:
        """Where the person wants a new catalogue, if there is none there yet."""
        name, _ = QFileDialog.getSaveFileName(self, title, "catalogue.sqlite", FILE_FILTER)
        if not name:
            return None
        path = Path(name)
        if path.exists():
            show_problem(
                self,
                "New Catalogue",
                CatalogError(
                    f"{path} already exists; open it with File → Open, or choose a new name."
                ),
            )
            return None
        return path

    def choose_backup(self) -> None:
        if self.catalogue is None:
            return
        self.save_record()
        destination = choose_backup_folder(self, self.catalogue.path)
        if destination is None:
            return
        if self.backup_dialog is not None:
            self.backup_dialog.deleteLater()  # the last one, closed: it is modal
        dialog = BackupDialog(self.catalogue, self.tasks, destination, self)
        dialog.backed_up.connect(lambda summary: self.statusBar().showMessage(summary, 15000))
        self.backup_dialog = dialog
        dialog.open()
        dialog.start()

    def open_catalogue(self, path: Path, *, create: bool = False) -> bool:
        """Open (or create) a catalogue and show it; on failure keep the current one.

        An encrypted catalogue asks for its passphrase first, in the unlock dialog, and is
        shown once it opens: False here means it is not open (yet).
        """
        if Catalogue.is_encrypted(path):
            self.ask_passphrase(path)
            return False
        try:
            catalogue = Catalogue.open(path, create=create, actor=self.person())
        except CatalogError as error:
            self._open_failed(path, error)
            return False
        self._opened(catalogue)
        return True

    def ask_passphrase(self, path: Path) -> None:
        """Show the unlock dialog for the encrypted catalogue at `path`; Cancel keeps what the
        window shows now."""
        if self.unlock_dialog is not None:
            self.unlock_dialog.reject()
            self.unlock_dialog.deleteLater()
        dialog = UnlockDialog(self.tasks, path, self)
        dialog.unlocked.connect(self._opened)
        dialog.failed.connect(lambda error: self._open_failed(path, error))
        dialog.finished.connect(lambda _result: self.activateWindow())
        self.unlock_dialog = dialog
        dialog.open()

    def _dialog_closed(self, dialog: QDialog) -> None:
        dialog.deleteLater()
        self.activateWindow()  # the keyboard is the window's again, with no window manager too

    def _open_failed(self, path: Path, error: CatalogError) -> None:
        show_problem(self, "Cannot open catalogue", error)
        if not path.exists():
            self.settings.forget_catalogue(path)

    def _opened(self, catalogue: Catalogue) -> None:
        self.set_catalogue(catalogue)
        if catalogue.upgrade_backup is not None:
            self.statusBar().showMessage(
                f"Upgraded the catalogue; the previous version is kept at "
                f"{catalogue.upgrade_backup}",
                15000,
            )

    def set_catalogue(self, catalogue: Catalogue | None) -> None:
        self._leave_catalogue()
        self.catalogue = catalogue
        if catalogue is not None:
            self._leave_lock_screen()
            catalogue.actor = self.person()
            self.settings.remember_catalogue(catalogue.path)
            self.detail = DetailPane(
                catalogue, self.undo_stack, assessor=catalogue.actor, runner=self.tasks
            )
            # The window's Save (Ctrl+S) serves every tab; two actions on one key would
            # cancel each other out.
            self.detail.description.save_action.setShortcut(QKeySequence())
            self.detail.description.remember_folding(self.settings)
            self.detail.changed.connect(self._record_changed)
            self.detail.open_unit.connect(self.show_unit)
            self.detail_holder.addWidget(self.detail)
            self.detail_holder.setCurrentWidget(self.detail)
        self._show_catalogue()
        if catalogue is not None and not catalogue.readonly and catalogue.actor == UNNAMED:
            self.statusBar().showMessage(NO_NAME, 15000)
        self.automatic_backups.set_catalogue(catalogue)
        self.verification.set_catalogue(catalogue)
        self.idle.watch(catalogue is not None and catalogue.encrypted)

    def _leave_catalogue(self) -> None:
        """Save what is being typed, let background work finish, and close the catalogue."""
        if self.detail is not None:
            self.detail.save()
        for key in ("search", "facets", "counts", "records-sort"):
            self.tasks.forget(key)  # their answers are about this catalogue
        self.automatic_backups.stop()
        self.verification.stop()
        if self.backup_dialog is not None and self.backup_dialog.running():
            self.backup_dialog.reject()  # stops it; nothing is kept
        self.tasks.wait_for_done()
        self.undo_stack.clear()  # its commands act on this catalogue
        if self.detail is not None:
            # Off the screen first: taking away the focused pane moves the focus, which
            # would have the pane show another record on its way out.
            self.detail_holder.setCurrentWidget(self.record_view)
            self.detail_holder.removeWidget(self.detail)
            self.detail.deleteLater()
            self.detail = None
        self.records.set_catalogue(None)
        if self.catalogue is not None:
            self.catalogue.close()
            self.catalogue = None
        forget_viewable_copies()

    # -- locking -------------------------------------------------------------------------

    def lock(self, *, idle: bool = False) -> bool:
        """Close the open encrypted catalogue, forgetting its keys and everything the window
        showed of it, and show the lock screen until its passphrase is typed again.

        Refused (False, said in a message) while an import or a backup runs, or while the
        record holds a change it cannot save yet. Locking for lack of use (`idle`) waits
        for the import or backup to end, but leaves an unsavable change out.
        """
        catalogue = self.catalogue
        if catalogue is None or not catalogue.encrypted:
            return False
        busy = self._lock_blocker()
        if busy is not None:
            if idle:
                self.idle.watch(True)  # try again after another while without use
            else:
                show_problem(self, "Lock", CatalogError(busy))
            return False
        if self.detail is not None:
            self.detail.save()
        if self.tasks.writing_now:
            # The save (or another write) is on its way: lock once it has landed, so that
            # a value the record refuses is known, and nothing is written after the lock.
            self._lock_when_written(idle=idle)
            return False
        return self._lock_now(catalogue.path, idle=idle)

    def _lock_when_written(self, *, idle: bool) -> None:
        def written(busy: bool) -> None:
            if busy:
                return
            self.tasks.writing.disconnect(written)
            if self.catalogue is not None and self.catalogue.encrypted:
                self._lock_now(self.catalogue.path, idle=idle)

        self.tasks.writing.connect(written)

    def _refused_in_form(self) -> bool:
        description = None if self.detail is None else self.detail.description
        return description is not None and any(f.refused for f in description.fields.values())

    def _lock_now(self, path: Path, *, idle: bool) -> bool:
        saved = not self._refused_in_form()
        if not saved and not idle:
            show_problem(self, "Lock", CatalogError(UNSAVED_EDIT))
            return False
        selection = self.current_unit()
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()  # they show what the catalogue holds
        self.set_catalogue(None)
        self.search.box.setText("")  # unlike clear(), leaves no undo history of the query
        self.statusBar().clearMessage()
        self.locked_path, self._selection_when_locked = path, selection
        notes = [LOCKED_IDLE.format(minutes=self.idle.minutes)] if idle else []
        notes += [] if saved else [LOST_EDIT]
        self.lock_screen.show_locked(path, " ".join(notes))
        self.central.setCurrentWidget(self.lock_screen)
        self.setWindowTitle(f"{path.name} (locked) — Catalog")
        self.path_label.setText(f"{path} (locked)")
        self.lock_screen.focus()
        return True

    def _lock_blocker(self) -> str | None:
        """Why the catalogue cannot be locked right now, if it cannot."""
        if self.import_dialog is not None and self.import_dialog.is_running():
            return "An import is running: lock when it has finished, or stop it first."
        if self.backup_dialog is not None and self.backup_dialog.running():
            return "A backup is being written: lock when it has finished."
        return None

    def _idle(self) -> None:
        self.lock(idle=True)

    def _unlocked(self, catalogue: Catalogue) -> None:
        """The lock screen's passphrase opened the catalogue: show it as it was."""
        selection = self._selection_when_locked
        self._opened(catalogue)
        if selection is None:
            return
        try:
            catalogue.units.get(selection)
        except CatalogError:
            return  # gone meanwhile (another program): the catalogue's top is shown
        self.show_unit(selection)

    def _leave_lock_screen(self) -> None:
        self.lock_screen.leave()
        self.locked_path = self._selection_when_locked = None
        self.central.setCurrentWidget(self.splitter)

    def _show_catalogue(self) -> None:
        catalogue = self.catalogue
        self.hierarchy.set_catalogue(catalogue)
        self.records.set_catalogue(catalogue)
        self.search.reset()
        writable = catalogue is not None and not catalogue.readonly
        for action in self.catalogue_actions:
            action.setEnabled(catalogue is not None)
        for action in self.writing_actions:
            action.setEnabled(writable)
        self.search.box.setEnabled(catalogue is not None)
        self.lock_action.setEnabled(catalogue is not None and catalogue.encrypted)
        self.drop_target.set_enabled(writable)
        self._enable_record_actions()
        if catalogue is None:
            self.setWindowTitle("Catalog")
            self.path_label.setText("No catalogue open")
            self.counts_label.clear()
            self.record_view.setHtml(NO_CATALOGUE)
            self.detail_holder.setCurrentWidget(self.record_view)
            return
        suffix = " [read-only]" if catalogue.readonly else ""
        self.setWindowTitle(f"{catalogue.path.name}{suffix} — Catalog")
        self.path_label.setText(str(catalogue.path) + suffix)
        self.refresh_counts()
        self.tree.expand(self.hierarchy.folder_index())
        self.tree.setCurrentIndex(self.hierarchy.view_index(View.ALL))  # lists every record
        if not self.hierarchy.top_units():
            self.record_view.setHtml(EMPTY_CATALOGUE)
            self.detail_holder.setCurrentWidget(self.record_view)

    def refresh_counts(self) -> None:
        catalogue = self.catalogue
        if catalogue is None:
            return

        def shown(counts: tuple[dict[str, int], dict[View, int]]) -> None:
            tables, views = counts
            self.counts_label.setText(
                " · ".join(counted(tables[key], word) for key, word in _COUNTED)
            )
            self.hierarchy.set_counts(views)

        self.tasks.run_latest(
            "counts",
            lambda: (catalogue.stats().counts, catalogue.browse.view_counts()),
            shown,
            lambda _message: None,
        )

    def _view_counts_follow(self, changes: Changes) -> None:
        """After an edit (records changed, none added or removed), the views' counts: a
        checked record leaves Needs review. Additions and removals recount everything."""
        catalogue = self.catalogue
        if catalogue is None or changes.structure or not changes.changed:
            return
        self.tasks.run_latest(
            "view-counts", catalogue.browse.view_counts, self.hierarchy.set_counts, lambda _m: None
        )

    # -- choosing records ----------------------------------------------------------------

    def _tree_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        """Choosing in the tree lists records in the middle: a view's, a saved search's
        results, or a record's contents; a record that holds none lists the level it is in,
        with it selected (so that the records beside it can join the selection)."""
        if self.catalogue is None or self.tree.reloading:
            return  # a reload keeps the choice: nothing the person chose has changed
        view, query = current.data(VIEW_ROLE), current.data(QUERY_ROLE)
        unit_id = current.data(UNIT_ID_ROLE)
        if view is not None:
            self._list_view(View(view))
        elif isinstance(query, str):
            if query != self.search.query:
                self.search.set_query(query)
        elif unit_id is not None:
            if not self.search.query:
                self._list_unit(int(unit_id), current.parent().data(UNIT_ID_ROLE))
            self._show_record(int(unit_id))

    def _list_view(self, view: View) -> None:
        catalogue = self.catalogue
        if catalogue is None:
            return
        if self.search.query:  # the view lists its own records, not the search's
            self.tasks.forget("search")
            self.search.reset()
            if self.detail is not None:
                self.detail.set_search_terms("")
        self._first_listed_wanted = True
        size = catalogue.browse.view_count(view, up_to=READ_IN_PLACE_UP_TO + 1)
        self.records.set_view(view, size)

    def _list_unit(self, unit_id: int, parent_id: int | None) -> None:
        if self.catalogue is not None and self.catalogue.browse.count(unit_id):
            self.records.set_parent(unit_id)
            return
        self.records.set_parent(parent_id)
        row = self.records.row_of(unit_id)
        if row is not None:
            self.records_view.selectRow(row)
            self.records_view.scrollTo(self.records.index(row, 0))

    def _list_tree_choice(self) -> None:
        """The search was emptied: list what the tree's choice lists again."""
        current = self.tree.currentIndex()
        if isinstance(current.data(QUERY_ROLE), str):  # that saved search no longer applies
            self.tree.setCurrentIndex(self.hierarchy.view_index(View.ALL))
        elif current.data(VIEW_ROLE) is not None:
            self._list_view(View(current.data(VIEW_ROLE)))
        elif current.data(UNIT_ID_ROLE) is not None:
            self._list_unit(int(current.data(UNIT_ID_ROLE)), current.parent().data(UNIT_ID_ROLE))
        else:
            self.records.set_parent(None)

    def _select_first_listed(self) -> None:
        """A view's records arrived: its first is shown, unless the record that was chosen
        is among them (the list then kept it selected)."""
        if not self._first_listed_wanted or not self.records.rowCount():
            return
        self._first_listed_wanted = False
        if not self.records_view.selected_ids():
            self.records_view.selectRow(0)

    # -- views and saved searches --------------------------------------------------------

    def _set_up_views(self) -> None:
        """The tree's views and saved searches: Save Search… by the search box, the tree's
        keys and menu for the saved searches, and the views' counts following each change."""
        self.hierarchy.rename_requested.connect(self.rename_search)
        self.tree.delete_search.connect(self.delete_search)
        self.tree.edit_search.connect(self.edit_search)
        self.tree.save_search.connect(self.save_search)
        self.save_search_action = QAction("Save Searc&h…", self)
        self.save_search_action.setStatusTip(
            "Keep the search under Saved searches in the tree (it is saved in the catalogue)"
        )
        self.save_search_action.setEnabled(False)
        self.save_search_action.triggered.connect(self.save_search)
        self.search.box.textChanged.connect(lambda _text: self._enable_save_search())
        self.search.add_button(self.save_search_action)
        self.tasks.changed.connect(self._view_counts_follow)
        self.records.modelReset.connect(self._select_first_listed)
        self._first_listed_wanted = False
        self.search_dialog: SavedSearchDialog | None = None

    def _enable_save_search(self) -> None:
        writable = self.catalogue is not None and not self.catalogue.readonly
        self.save_search_action.setEnabled(writable and bool(self.search.box.text().strip()))

    def save_search(self) -> None:
        """Name the search in the box and keep it in the catalogue (Search → Save Search…)."""
        query = self.search.box.text().strip()
        if self.catalogue is None or self.catalogue.readonly or not query:
            return
        dialog = self._search_dialog("", query, editing=False)
        dialog.chosen.connect(
            lambda name, typed: self._write_searches(
                lambda c: c.saved_searches.save(name, typed),
                f"Saved the search '{' '.join(name.split())}'",
                dialog,
            )
        )

    def edit_search(self, name: str) -> None:
        """Change a saved search's name or query (its menu's Edit Search…)."""
        if self.catalogue is None or self.catalogue.readonly:
            return
        try:
            saved = self.catalogue.saved_searches.get(name)
        except CatalogError as error:
            show_problem(self, "Edit Search", error)
            return
        dialog = self._search_dialog(saved.name, saved.query, editing=True)
        dialog.chosen.connect(
            lambda new_name, query: self._write_searches(
                lambda c: c.saved_searches.change(name, new_name=new_name, query=query),
                f"Changed the saved search '{name}'",
                dialog,
                shown=name,
            )
        )

    def rename_search(self, name: str, new_name: str) -> None:
        """A saved search renamed in place in the tree (F2)."""
        self._write_searches(
            lambda c: c.saved_searches.change(name, new_name=new_name),
            f"Renamed the saved search '{name}'",
            shown=name,
        )

    def delete_search(self, name: str) -> None:
        """Delete a saved search (Delete on it in the tree, or its menu), once confirmed."""
        if self.catalogue is None or self.catalogue.readonly:
            return
        answer = QMessageBox.question(
            self,
            "Delete saved search",
            f"Delete the saved search '{name}'? The records it finds stay as they are.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._write_searches(
            lambda c: c.saved_searches.delete(name),
            f"Deleted the saved search '{name}'",
            shown=name,
        )

    def _search_dialog(self, name: str, query: str, *, editing: bool) -> SavedSearchDialog:
        if self.search_dialog is not None:
            self.search_dialog.deleteLater()
        dialog = SavedSearchDialog(name, query, editing=editing, parent=self)
        dialog.finished.connect(lambda _result: self._search_dialog_closed(dialog))
        self.search_dialog = dialog
        dialog.open()
        return dialog

    def _search_dialog_closed(self, dialog: SavedSearchDialog) -> None:
        if self.search_dialog is dialog:
            self.search_dialog = None
        self._dialog_closed(dialog)

    def _write_searches(
        self,
        work: Callable[[Catalogue], SavedSearch | None],
        status: str,
        dialog: SavedSearchDialog | None = None,
        *,
        shown: str | None = None,
    ) -> None:
        """One write of the saved searches through the lane; then the tree shows them. The
        saved search `shown`, if it was chosen, stays chosen under its new name (with its new
        query run)."""
        catalogue = self.catalogue
        if catalogue is None or catalogue.readonly:
            return
        chosen = self.tree.current_search() == shown and shown is not None

        def write(_report: Report) -> Outcome[SavedSearch | None]:
            return Outcome(work(catalogue), Changes.of(status))

        def done(saved: SavedSearch | None) -> None:
            if self.catalogue is not catalogue:
                return
            self.hierarchy.reload()
            self.tree.expand(self.hierarchy.folder_index())
            if dialog is not None and dialog is self.search_dialog:
                dialog.saved()
            if chosen:  # under its new name; a deleted one gives way to the folder
                self.tree.setCurrentIndex(
                    self.hierarchy.search_index(saved.name)
                    if saved is not None
                    else self.hierarchy.folder_index()
                )
                if saved is not None and saved.query != self.search.query:
                    self.search.set_query(saved.query)

        def failed(message: str) -> None:
            if dialog is not None and dialog is self.search_dialog:
                dialog.refused(message)
            else:
                self._command_failed(message)

        WriteOp(write).success(done).failure(failed).run_in_background(self.tasks)

    def _record_selected(self, unit_id: int | None) -> None:
        if unit_id is not None:
            self._show_record(unit_id)
        self._enable_record_actions()

    def _show_record(self, unit_id: int | None) -> None:
        if self.detail is None:
            return
        shown = self.detail.description.unit_id
        if unit_id != shown and shown is not None and not self.detail.description.can_leave():
            self.show_unit(shown)  # a value there was refused: back to it
            return
        if unit_id != self.detail.unit_id:
            self.detail.show_unit(unit_id)
        self.detail_holder.setCurrentWidget(self.detail)
        self._enable_record_actions()

    def show_unit(self, unit_id: int) -> None:
        """Go to a record: select it in the list if it is there, else show it alone."""
        row = self.records.row_of(unit_id)
        if row is None:
            self.search.reset()
            if self.detail is not None:
                self.detail.set_search_terms("")
            try:
                parent = self.catalogue.units.get(unit_id).parent_id if self.catalogue else None
            except CatalogError as error:
                show_problem(self, "Go to record", error)
                return
            self.records.set_parent(parent)
            row = self.records.row_of(unit_id)
        if row is not None:
            self.records_view.selectRow(row)
            self.records_view.scrollTo(self.records.index(row, 0))
        self._show_record(unit_id)

    def current_unit(self) -> int | None:
        return self.detail.unit_id if self.detail is not None else None

    def _enable_record_actions(self) -> None:
        writable = self.catalogue is not None and not self.catalogue.readonly
        has_record = writable and self.current_unit() is not None
        for action in self.record_actions:
            action.setEnabled(has_record)
        self.batch_action.setEnabled(writable and bool(self.records_view.selected_ids()))
        self.withdraw_action.setEnabled(writable and bool(self.records_view.selected_ids()))

    def _record_changed(self, unit_id: int) -> None:
        """A tab of the record saved a change: the lane's `changed` refreshes the views."""

    def _changes_made(self, changes: Changes) -> None:
        """A write succeeded: the tree, the list and the counts show what it changed, a new
        record is chosen, one removed gives way to its neighbour (or parent), and the status
        bar says what was done."""
        current = self.current_unit()
        gone = current is not None and current in changes.removed
        neighbour = self._neighbour(current) if gone and current is not None else None
        self.records.follow(changes)
        if changes.structure:
            self.hierarchy.reload()
            self.refresh_counts()
        if changes.changed:
            self.hierarchy.refresh_units(changes.changed)
        if gone:
            self._choose_only(neighbour if neighbour is not None else changes.focus)
        elif changes.added and changes.focus is not None:
            self._choose_only(changes.focus)
        if changes.status:
            self.statusBar().showMessage(changes.status, 8000)

    def _neighbour(self, unit_id: int) -> int | None:
        """The record listed after `unit_id` (or before it), to go to when it is gone."""
        row = self.records.row_of(unit_id)
        if row is None:
            return None
        for other in (row + 1, row - 1):
            if 0 <= other < self.records.rowCount():
                return self.records.unit_id(other)
        return None

    def _choose_only(self, unit_id: int | None) -> None:
        """Make `unit_id` the one chosen record: the only row selected and the current one
        (a key held down, such as the Ctrl of Ctrl+D, must not add it to the selection).
        None: no record is shown."""
        if unit_id is None:
            self.records_view.clearSelection()
            if self.detail is not None:
                self.detail.show_unit(None)
            self._enable_record_actions()
            return
        self.show_unit(unit_id)
        row = self.records.row_of(unit_id)
        if row is not None:
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
            self.records_view.selectionModel().setCurrentIndex(
                self.records.index(row, 0), flags | QItemSelectionModel.SelectionFlag.Rows
            )
        self._enable_record_actions()

    def _show_activity(self, text: str) -> None:
        """A long write's progress ("Editing 10,000 records… 4,000 of 10,000")."""
        if text:
            self.statusBar().showMessage(text)
        else:
            self.statusBar().clearMessage()

    def refresh_from_catalogue(self) -> None:
        """Show what other programs (an import from the command line) changed meanwhile."""
        if self.catalogue is None:
            return
        if self.detail is not None:
            self.detail.save()
            self.detail.show_unit(self.detail.unit_id)  # the record as stored now, too
        self.hierarchy.reload()
        if self.search.query:
            self.run_search(self.search.query)
        else:
            self.records.reload()
        self.refresh_counts()
        self.statusBar().showMessage("Shown as saved in the catalogue now", 4000)

    def _show_busy(self, busy: bool, message: str) -> None:
        if busy:
            self.statusBar().showMessage(message)
        else:
            self.statusBar().clearMessage()

    # -- searching -----------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.box.setFocus()
        self.search.box.selectAll()

    def run_search(self, query: str) -> None:
        catalogue = self.catalogue
        if catalogue is None:
            return
        if self.detail is not None:
            self.detail.set_search_terms(query)
        if not query:
            self.tasks.forget("search")
            self.search.clear_results()
            self._list_tree_choice()
            return
        self.search.searching()
        self.tasks.forget("facets")
        self.tasks.run_latest(
            "search",
            lambda: catalogue.search.search(
                query, limit=LISTED_RESULTS, snippets=False, facets=False
            ),
            lambda results: self._show_results(catalogue, results),
            self.search.show_error,
        )

    def _show_results(self, catalogue: Catalogue, results: SearchResults) -> None:
        self.records.set_ids(results.ids)
        self.search.show_results(results, len(results.ids))
        if results.ids:
            self.records_view.selectRow(0)
        # Facets next, so that the list does not wait for them.
        self.tasks.run_latest(
            "facets",
            lambda: catalogue.search.search(results.query, limit=1, snippets=False),
            self.search.show_facets,
            lambda _message: None,
        )

    # -- importing -----------------------------------------------------------------------

    def choose_import_files(self) -> None:
        self.import_paths(choose_import_paths(self))

    def choose_import_folder(self) -> None:
        self.import_paths(choose_import_paths(self, folder=True))

    def import_paths(self, paths: list[Path]) -> None:
        """Import files or folders (chosen, or dropped on the window) under the collection
        chosen in the tree."""
        if not paths or self.catalogue is None or self.catalogue.readonly:
            return
        if self.import_dialog is not None and self.import_dialog.is_running():
            self.statusBar().showMessage("An import is already running.", 5000)
            return
        current = self.tree.currentIndex().data(UNIT_ID_ROLE)
        dialog = ImportDialog(
            self.catalogue,
            paths,
            int(current) if current is not None else None,
            self,
            operations=self.tasks,
        )
        self.import_dialog = dialog  # what it adds reaches the views through the lane
        dialog.show()

    def export(self) -> None:
        if self.catalogue is None:
            return
        self.save_record()
        current = self.tree.currentIndex()
        unit_id = current.data(UNIT_ID_ROLE)
        chosen = (int(unit_id), str(current.data())) if unit_id is not None else None
        ExportDialog(self.catalogue, self.tasks, collection=chosen, parent=self).exec()

    # -- editing -------------------------------------------------------------------------

    def _command_failed(self, message: str) -> None:
        show_problem(self, "Could not save", CatalogError(message))

    def save_record(self) -> None:
        if self.detail is not None:
            self.detail.save()

    def _focus_description(self) -> None:
        if self.detail is not None:
            self.detail.setCurrentWidget(self.detail.description)

    def _focus_title(self) -> None:
        if self.detail is not None:
            self._focus_description()
            title = self.detail.description.fields["title"].editor
            title.setFocus()

    def new_record(self) -> None:
        if self.catalogue is None or self.catalogue.readonly:
            return
        current = self.tree.currentIndex().data(UNIT_ID_ROLE)
        command = CreateRecord(
            self.catalogue,
            lambda c: c.units.create(
                {"title": "New record"}, parent_id=int(current) if current else None
            ),
            self._created,
        )
        self.undo_stack.submit(command)

    def new_record_like(self) -> None:
        unit_id = self.current_unit()
        if self.catalogue is None or unit_id is None:
            return
        self.save_record()
        command = CreateRecord(
            self.catalogue, lambda c: c.units.create_like(unit_id), self._created
        )
        self.undo_stack.submit(command)  # after the save above: writes keep their order

    def _created(self, changes: Changes) -> None:
        """The new record is chosen (by `_changes_made`): its title is ready for typing."""
        if changes.added:
            self._focus_title()

    def withdraw_selected(self) -> None:
        ids = self.records_view.selected_ids()
        if self.catalogue is None or not ids:
            return
        answer = QMessageBox.question(
            self,
            "Withdraw records",
            f"Withdraw {counted(len(ids))}? They stay in the catalogue with their history, "
            "are left out of finding aids, and can be reinstated with Undo.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.undo_stack.submit(SetWithdrawn(self.catalogue, ids, True, self._rows_changed))

    def _rows_changed(self, changes: Changes) -> None:
        """After a write from the menus: the record shown again if it was among them (the
        list and tree follow the lane's `changed`)."""
        if self.detail is not None and self.detail.unit_id in changes.changed:
            self.detail.show_unit(self.detail.unit_id)

    def batch_edit(self) -> None:
        ids = self.records_view.selected_ids()
        if self.catalogue is None or not ids:
            return
        self.save_record()
        dialog = BatchEditDialog(self.catalogue, ids, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.undo_stack.submit(
            BatchEditCommand(
                self.catalogue,
                ids,
                dialog.change(),
                self._rows_changed,
                new_subjects=dialog.new_subjects(),
            )
        )

    def edit_preferences(self) -> None:
        if PreferencesDialog(self.settings, self).exec() != QDialog.DialogCode.Accepted:
            return
        if self.catalogue is not None:  # the next change is recorded under the new name
            self.catalogue.actor = self.person()
        if self.detail is not None:
            self.detail.reliability.set_assessor(self.catalogue_actor())
        self.automatic_backups.settings_changed()
        self.idle.set_minutes(self.settings.lock_after_minutes())

    def person(self) -> str:
        """The name the window records changes under: the one in Edit → Preferences."""
        return person_name(self.settings.user_name())

    def catalogue_actor(self) -> str:
        return self.catalogue.actor if self.catalogue is not None else ""

    def _search_help(self) -> None:
        if self.search_help is None:
            self.search_help = SearchHelpDialog(self)
        self.search_help.show()
        self.search_help.raise_()
        self.search_help.activateWindow()

    # -- window state --------------------------------------------------------------------

    def _fit_default_size(self) -> None:
        """The first-run size: roomy, but inside the free area (less panels) of the screen the
        window opens on, with a margin and room for the title bar (a 1366x768 laptop too)."""
        screen = QGuiApplication.screenAt(QCursor.pos()) or self.screen()
        free = screen.availableGeometry()
        width = min(DEFAULT_SIZE[0], free.width() - 2 * SCREEN_MARGIN - WINDOW_FRAME)
        height = min(DEFAULT_SIZE[1], free.height() - 2 * SCREEN_MARGIN - TITLE_BAR)
        self.resize(width, height)
        self.move(  # the frame's top left corner
            free.x() + (free.width() - width - WINDOW_FRAME) // 2,
            free.y() + (free.height() - height - TITLE_BAR) // 2,
        )

    def _restore_layout(self) -> None:
        """The window as it was left; on the first run, a size that fits the screen and panes
        that show the list's default columns and every tab of the record."""
        geometry = self.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self._fit_default_size()
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        self.toolbar.setVisible(self.settings.toolbar_shown())
        splitter = self.settings.splitter_state()
        if splitter is None or not self.splitter.restoreState(splitter):
            self.splitter.setSizes(default_pane_sizes(self.width()))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.import_dialog is not None and self.import_dialog.is_running():
            self.import_dialog.cancel()
            self.statusBar().showMessage("Stopping the import first…", 5000)
            event.ignore()
            return
        self.records_view.save_header()
        self.settings.save_window(self.saveGeometry(), self.saveState(), self.splitter.saveState())
        self.settings.sync()
        self._leave_catalogue()
        super().closeEvent(event)

    def edit_catalogue_settings(self) -> None:
        """File → Catalogue Settings…: the language and script the descriptions are in."""
        if self.catalogue is None:
            self.statusBar().showMessage("Open a catalogue first: settings are its own.", 5000)
            return
        dialog = CatalogueSettingsDialog(self.catalogue, self.tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
