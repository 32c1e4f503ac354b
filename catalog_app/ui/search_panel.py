"""The search box (debounced as the person types), what was found, and the facet lists."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from catalog_app.domain.languages import language_name
from catalog_app.domain.records import SearchResults
from catalog_app.search.facet_filters import add_filter, filter_for

DEBOUNCE_MS = 250
PLACEHOLDER = 'Search (Ctrl+F): words, "a phrase", title:…, lang:fa, date:1988..1990'
_FACET_TITLES = {
    "collection": "Collection",
    "decade": "Decade",
    "language": "Language",
    "media_type": "Type",
    "grade": "Reliability",
    "access_status": "Access",
    "review": "Review",
}
_FILTER_ROLE = Qt.ItemDataRole.UserRole + 1
SHOWN_VALUES = 12


def found_text(results: SearchResults, shown: int) -> str:
    """ "about 620,000 found · showing the first 10,000" and the like."""
    total = f"{results.total:,}" if results.total_exact else f"about {results.total:,}"
    text = f"{total} found"
    if shown < results.total:
        text += f" · showing the first {shown:,}"
    if results.fuzzy:
        text += f" · also searched: {', '.join(results.fuzzy)}"
    return text


class SearchPanel(QWidget):
    """The search bar; `facets_view` is placed by the window (beside the tree)."""

    query_changed = Signal(str)  # after typing settles, or Enter; "" when the box is emptied

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QLineEdit()
        self.box.setObjectName("search")
        self.box.setPlaceholderText(PLACEHOLDER)
        self.box.setClearButtonEnabled(True)
        self.status = QLabel()
        self.status.setObjectName("search-status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit)
        self.box.textEdited.connect(lambda _text: self._timer.start())
        self.box.returnPressed.connect(self._emit)
        clear = QAction("Clear search", self.box)
        clear.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        clear.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        clear.triggered.connect(lambda: self.set_query(""))
        self.box.addAction(clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box, 3)
        layout.addWidget(self.status, 2)

        self.facets_view = QTreeWidget()
        self.facets_view.setObjectName("facets")
        self.facets_view.setHeaderHidden(True)
        self.facets_view.setRootIsDecorated(False)
        self.facets_view.setToolTip("Double-click (or Enter) a value to narrow the search to it")
        self.facets_view.itemActivated.connect(self._narrow)
        self.facets_view.hide()
        self._query = ""

    def add_button(self, action: QAction) -> QToolButton:
        """A button for `action` beside the box (e.g. Save Search…)."""
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        layout = self.layout()
        assert isinstance(layout, QHBoxLayout)
        layout.insertWidget(1, button)
        return button

    @property
    def query(self) -> str:
        return self._query

    def set_query(self, text: str) -> None:
        """Put a query in the box and run it now."""
        self.box.setText(text)
        self._emit()

    def reset(self) -> None:
        """Empty the box and forget the query without running anything (e.g. another
        catalogue was opened): the tree drives the list again."""
        self._timer.stop()
        self.box.clear()
        self._query = ""
        self.clear_results()

    def _emit(self) -> None:
        self._timer.stop()
        self._query = self.box.text().strip()
        self.query_changed.emit(self._query)

    def searching(self) -> None:
        self.status.setStyleSheet("")
        self.status.setText("Searching…")

    def show_results(self, results: SearchResults, shown: int) -> None:
        self.status.setStyleSheet("")
        self.status.setText(found_text(results, shown))

    def show_facets(self, results: SearchResults) -> None:
        if results.query == self._query:  # not for a search typed over since
            self._fill_facets(results)

    def show_error(self, message: str) -> None:
        self.status.setStyleSheet("color: #b00020;")
        self.status.setText(message)
        self._clear_facets()

    def clear_results(self) -> None:
        self.status.clear()
        self._clear_facets()

    def _clear_facets(self) -> None:
        self.facets_view.clear()
        self.facets_view.hide()  # the tree gets the room until there is something to narrow

    def _fill_facets(self, results: SearchResults) -> None:
        self.facets_view.clear()
        for name, values in results.facets.items():
            if not values:
                continue
            group = QTreeWidgetItem([_FACET_TITLES.get(name, name)])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for value, count in values[:SHOWN_VALUES]:
                shown = language_name(value) if name == "language" else value
                item = QTreeWidgetItem([f"{shown}   {count:,}"])
                item.setData(0, _FILTER_ROLE, filter_for(name, value))
                if item.data(0, _FILTER_ROLE) is None:
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                group.addChild(item)
            self.facets_view.addTopLevelItem(group)
            group.setExpanded(True)
        if not results.facets_exact and self.facets_view.topLevelItemCount():
            note = QTreeWidgetItem(["(counted over the newest 5,000 matches)"])
            note.setFlags(Qt.ItemFlag.NoItemFlags)
            self.facets_view.addTopLevelItem(note)
        self.facets_view.setVisible(self.facets_view.topLevelItemCount() > 0)

    def _narrow(self, item: QTreeWidgetItem, _column: int) -> None:
        token = item.data(0, _FILTER_ROLE)
        if isinstance(token, str):
            self.set_query(add_filter(self.box.text(), token))


def search_bar(panel: SearchPanel) -> QWidget:
    """The panel with a little breathing room, for the top of the records list."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(4, 4, 4, 2)
    layout.addWidget(panel)
    return holder
