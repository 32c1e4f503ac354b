"""The main window: collection tree, the selected record, and the File menu."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTextBrowser,
    QTreeView,
)

from catalog_app import __version__
from catalog_app.errors import CatalogError
from catalog_app.paths import bundled
from catalog_app.services import Catalogue
from catalog_app.ui.errors import show_problem
from catalog_app.ui.hierarchy import UNIT_ID_ROLE, HierarchyModel
from catalog_app.ui.record_html import record_html
from catalog_app.ui.settings import UiSettings

FILE_FILTER = "Catalogues (*.sqlite *.db);;All files (*)"
EMPTY_CATALOGUE = (
    "<h3>This catalogue has no records yet.</h3>"
    "<p>Records you create or import appear in the tree on the left.</p>"
)
NO_CATALOGUE = "<h3>No catalogue is open.</h3><p>Use File → Open or File → New.</p>"


class MainWindow(QMainWindow):
    def __init__(self, settings: UiSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or UiSettings()
        self.catalogue: Catalogue | None = None
        self.setWindowIcon(QIcon(str(bundled("resources") / "icons" / "catalog-app.svg")))
        self.resize(1100, 700)

        self.hierarchy = HierarchyModel()
        self.tree = QTreeView()
        self.tree.setObjectName("hierarchy")
        self.tree.setModel(self.hierarchy)
        self.tree.setUniformRowHeights(True)
        self.tree.expanded.connect(self.hierarchy.load_children)
        self.tree.selectionModel().currentChanged.connect(self._show_selected)

        self.record_view = QTextBrowser()
        self.record_view.setObjectName("record")
        self.record_view.setOpenLinks(False)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.record_view)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([360, 740])
        self.setCentralWidget(self.splitter)

        self.path_label = QLabel()
        self.counts_label = QLabel()
        self.statusBar().addWidget(self.path_label, 1)
        self.statusBar().addPermanentWidget(self.counts_label)
        self._build_menus()
        self._restore_layout()
        self._show_catalogue()

    # -- menus ---------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: object,
        shortcut: QKeySequence | QKeySequence.StandardKey | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = self._action(
            "&New Catalogue…", self.choose_new_catalogue, QKeySequence.StandardKey.New
        )
        self.open_action = self._action(
            "&Open Catalogue…", self.choose_catalogue, QKeySequence.StandardKey.Open
        )
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        self.backup_action = self._action("&Back Up Catalogue…", self.choose_backup)
        file_menu.addAction(self.backup_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit))
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self._action("&About", self._about))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_catalogues()
        if not recent:
            none = self.recent_menu.addAction("(none yet)")
            none.setEnabled(False)
        for path in recent:
            action = self.recent_menu.addAction(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_catalogue(p))

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
        name, _ = QFileDialog.getSaveFileName(
            self, "New Catalogue", "catalogue.sqlite", FILE_FILTER
        )
        if not name:
            return
        path = Path(name)
        if path.exists():
            show_problem(
                self,
                "New Catalogue",
                CatalogError(
                    f"{path} already exists; open it with File → Open, or choose a new name."
                ),
            )
            return
        self.open_catalogue(path, create=True)

    def choose_backup(self) -> None:
        if self.catalogue is None:
            return
        suggestion = self.catalogue.path.with_name(self.catalogue.path.stem + "-backup.sqlite")
        name, _ = QFileDialog.getSaveFileName(
            self, "Back Up Catalogue", str(suggestion), FILE_FILTER
        )
        if not name:
            return
        try:
            written = self.catalogue.backup(Path(name))
        except CatalogError as error:
            show_problem(self, "Back Up Catalogue", error)
            return
        self.statusBar().showMessage(f"Backed up to {written}", 8000)

    def open_catalogue(self, path: Path, *, create: bool = False) -> bool:
        """Open (or create) a catalogue and show it; on failure keep the current one."""
        try:
            catalogue = Catalogue.open(path, create=create)
        except CatalogError as error:
            show_problem(self, "Cannot open catalogue", error)
            if not path.exists():
                self.settings.forget_catalogue(path)
            return False
        self.set_catalogue(catalogue)
        if catalogue.upgrade_backup is not None:
            self.statusBar().showMessage(
                f"Upgraded the catalogue; the previous version is kept at "
                f"{catalogue.upgrade_backup}",
                15000,
            )
        return True

    def set_catalogue(self, catalogue: Catalogue | None) -> None:
        if self.catalogue is not None:
            self.catalogue.close()
        self.catalogue = catalogue
        if catalogue is not None:
            self.settings.remember_catalogue(catalogue.path)
        self._show_catalogue()

    def _show_catalogue(self) -> None:
        catalogue = self.catalogue
        self.hierarchy.set_catalogue(catalogue)
        self.backup_action.setEnabled(catalogue is not None)
        if catalogue is None:
            self.setWindowTitle("Catalog")
            self.path_label.setText("No catalogue open")
            self.counts_label.clear()
            self.record_view.setHtml(NO_CATALOGUE)
            return
        suffix = " [read-only]" if catalogue.readonly else ""
        self.setWindowTitle(f"{catalogue.path.name}{suffix} — Catalog")
        self.path_label.setText(str(catalogue.path) + suffix)
        self.refresh_counts()
        if self.hierarchy.rowCount():
            self.tree.setCurrentIndex(self.hierarchy.index(0, 0))
        else:
            self.record_view.setHtml(EMPTY_CATALOGUE)

    def refresh_counts(self) -> None:
        if self.catalogue is None:
            return
        counts = self.catalogue.stats().counts
        self.counts_label.setText(
            f"{counts['units']:,} records · {counts['files']:,} originals · "
            f"{counts['agents']:,} agents"
        )

    def _show_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        unit_id = current.data(UNIT_ID_ROLE)
        if self.catalogue is None or unit_id is None:
            return
        try:
            unit = self.catalogue.units.get(int(unit_id))
        except CatalogError as error:
            self.record_view.setPlainText(str(error))
            return
        self.record_view.setHtml(record_html(unit))

    # -- window state --------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.splitter_state()
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.save_window(self.saveGeometry(), self.saveState(), self.splitter.saveState())
        self.settings.sync()
        if self.catalogue is not None:
            self.catalogue.close()
            self.catalogue = None
        super().closeEvent(event)
