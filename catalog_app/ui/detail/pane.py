"""The detail pane: the selected record in tabs (Description, Provenance, Reliability, Text,
Originals, Relations) and a read-only Summary of all of it.

Every tab takes `(catalogue, undo_stack, parent)`, has `TITLE`, `show_unit(unit_id | None)`
and a `changed(int)` signal for changes it saved.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QTabWidget, QTextBrowser, QWidget

from catalog_app.errors import CatalogError
from catalog_app.services import Catalogue
from catalog_app.ui.detail.description_tab import DescriptionTab
from catalog_app.ui.detail.originals_tab import OriginalsTab
from catalog_app.ui.detail.provenance_tab import ProvenanceTab
from catalog_app.ui.detail.relations_tab import RelationsTab
from catalog_app.ui.detail.reliability_tab import ReliabilityTab
from catalog_app.ui.detail.text_tab import TextTab
from catalog_app.ui.record_html import record_html

NO_RECORD = "<h3>No record is selected.</h3><p>Choose one in the tree or the list.</p>"


class DetailPane(QTabWidget):
    changed = Signal(int)  # a tab saved a change to this record
    open_unit = Signal(int)  # a relation was followed

    def __init__(
        self,
        catalogue: Catalogue,
        undo_stack: QUndoStack,
        parent: QWidget | None = None,
        *,
        assessor: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("detail")
        self.setDocumentMode(True)
        self.catalogue = catalogue
        self.description = DescriptionTab(catalogue, undo_stack)
        self.provenance = ProvenanceTab(catalogue, undo_stack)
        self.reliability = ReliabilityTab(catalogue, undo_stack, assessor=assessor)
        self.text = TextTab(catalogue, undo_stack)
        self.originals = OriginalsTab(catalogue, undo_stack)
        self.relations = RelationsTab(catalogue, undo_stack)
        self.summary = QTextBrowser()
        self.summary.setObjectName("record")
        self.summary.setOpenLinks(False)
        self.tabs: list[
            DescriptionTab | ProvenanceTab | ReliabilityTab | TextTab | OriginalsTab | RelationsTab
        ] = [
            self.description,
            self.provenance,
            self.reliability,
            self.text,
            self.originals,
            self.relations,
        ]
        for tab in self.tabs:
            self.addTab(tab, tab.TITLE)
            tab.changed.connect(self._tab_changed)
        self.addTab(self.summary, "Summary")
        self.relations.open_unit.connect(self.open_unit)
        self.unit_id: int | None = None
        self.show_unit(None)

    def show_unit(self, unit_id: int | None) -> None:
        """Show a record in every tab (the Description tab saves what was being typed)."""
        self.unit_id = unit_id
        for tab in self.tabs:
            tab.show_unit(unit_id)
        self._show_summary()

    def save(self) -> bool:
        return self.description.save()

    def set_search_terms(self, query: str) -> None:
        self.text.set_search_terms(query)

    def _tab_changed(self, unit_id: int) -> None:
        if unit_id == self.unit_id:
            for tab in self.tabs:
                if tab is not self.sender():
                    tab.show_unit(unit_id)
            self._show_summary()
        self.changed.emit(unit_id)

    def _show_summary(self) -> None:
        if self.unit_id is None:
            self.summary.setHtml(NO_RECORD)
            return
        try:
            self.summary.setHtml(record_html(self.catalogue.units.get(self.unit_id)))
        except CatalogError as error:
            self.summary.setPlainText(str(error))
