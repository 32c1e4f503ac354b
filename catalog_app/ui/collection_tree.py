"""The tree view beside the records (its model is hierarchy.HierarchyModel), with the saved
searches' keys and context menu.

On a saved search, F2 renames it in place and Delete asks to delete it; elsewhere those keys
are the window's (editing a record's title, withdrawing the selected records).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QMenu,
    QTreeView,
    QWidget,
)

from catalog_app.ui.hierarchy import FOLDER_ROLE, SEARCH_ROLE, HierarchyModel, RowKey

AnyIndex = QModelIndex | QPersistentModelIndex
_OWN_KEYS = (Qt.Key.Key_F2, Qt.Key.Key_Delete)


class CollectionTree(QTreeView):
    """`delete_search(name)`, `edit_search(name)`, `save_search()`: asked for from the keys
    or the context menu; the window does them.

    While the model reloads (`reloading` is True), the current row may move or go; the tree
    then chooses the same row again where it now is, and whoever follows the current row
    should wait for the reload to end (nothing the person chose has changed)."""

    delete_search = Signal(str)
    edit_search = Signal(str)
    save_search = Signal()

    def __init__(self, model: HierarchyModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hierarchy = model
        self.setModel(model)
        self.reloading = False
        self._kept: RowKey | None = None
        model.reloading.connect(self._reloading)
        model.rowsInserted.connect(self._show_new_searches)
        self.setObjectName("hierarchy")
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        # Renaming starts from F2 or the menu only: a click chooses the search (and runs it).
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._show_menu)
        self.menu: QMenu | None = None

    def _reloading(self, starting: bool) -> None:
        if starting:
            self.reloading = True
            self._kept = self.hierarchy.key_of(self.currentIndex())
            return
        try:
            again = self.hierarchy.index_of_key(self._kept)
            if again.isValid() and again != self.currentIndex():
                self.setCurrentIndex(again)
        finally:
            self.reloading, self._kept = False, None

    def _show_new_searches(self, parent: QModelIndex, _first: int, _last: int) -> None:
        if parent.isValid() and parent == self.hierarchy.folder_index():
            self.expand(parent)  # a search saved is a search shown

    def current_search(self) -> str | None:
        """The name of the saved search chosen in the tree, if one is."""
        name = self.currentIndex().data(SEARCH_ROLE)
        return name if isinstance(name, str) else None

    def rename_current_search(self) -> None:
        if self.current_search() is not None:
            self.edit(self.currentIndex())

    # -- keys ----------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # The window's F2 and Delete act on records; on a saved search the tree takes them.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in _OWN_KEYS
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and self.state() != QAbstractItemView.State.EditingState
            and self.current_search() is not None
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        name = self.current_search()
        if name is not None and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            if event.key() == Qt.Key.Key_F2:
                self.rename_current_search()
                return
            if event.key() == Qt.Key.Key_Delete:
                self.delete_search.emit(name)
                return
        super().keyPressEvent(event)

    # -- the context menu ----------------------------------------------------------------------

    def make_menu(self, index: AnyIndex) -> QMenu | None:
        """The menu for the row at `index`: a saved search's, or the folder's."""
        name = index.data(SEARCH_ROLE)
        menu = QMenu(self)
        if isinstance(name, str):
            rename = menu.addAction("&Rename")
            rename.setShortcut(Qt.Key.Key_F2)
            rename.triggered.connect(self.rename_current_search)
            edit = menu.addAction("&Edit Search…")
            edit.triggered.connect(lambda: self.edit_search.emit(name))
            delete = menu.addAction("&Delete")
            delete.setShortcut(Qt.Key.Key_Delete)
            delete.triggered.connect(lambda: self.delete_search.emit(name))
        elif index.data(FOLDER_ROLE):
            save = menu.addAction("&Save Current Search…")
            save.triggered.connect(self.save_search.emit)
        else:
            menu.deleteLater()
            return None
        return menu

    def _show_menu(self, position: QPoint) -> None:
        index = self.indexAt(position)
        if not index.isValid():
            return
        self.setCurrentIndex(index)
        if self.menu is not None:
            self.menu.deleteLater()
        self.menu = self.make_menu(index)
        if self.menu is not None:
            self.menu.popup(self.viewport().mapToGlobal(position))
