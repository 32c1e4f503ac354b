"""The detail pane: the selected record in tabs (Description, Provenance, Reliability, Text,
Originals, Relations) and a read-only Summary of all of it.

Every tab takes `(catalogue, undo_stack, parent)`, has `TITLE`, `show_unit(unit_id | None)`
and a `changed(int)` signal for changes it saved. Choosing a record reads it once, off the GUI
thread (a newer choice drops the answer of an older one), and that one reading fills every
tab through its `show_detail(detail)`. The tabs that read more than the record (the Text tab
its text, the Originals tab its files' checksums and previews) and the Summary are filled
only when they are shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QTabWidget, QTextBrowser, QWidget

from catalog_app.domain.records import TermRecord, UnitDetail
from catalog_app.services import Catalogue
from catalog_app.ui.detail.description_tab import DescriptionTab
from catalog_app.ui.detail.originals_tab import OriginalsTab
from catalog_app.ui.detail.provenance_tab import ProvenanceTab
from catalog_app.ui.detail.relations_tab import RelationsTab
from catalog_app.ui.detail.reliability_tab import ReliabilityTab
from catalog_app.ui.detail.text_tab import TextTab
from catalog_app.ui.record_html import record_html
from catalog_app.ui.tasks import TaskRunner

T = TypeVar("T")
NO_RECORD = "<h3>No record is selected.</h3><p>Choose one in the tree or the list.</p>"
Tab = DescriptionTab | ProvenanceTab | ReliabilityTab | TextTab | OriginalsTab | RelationsTab


class LatestRunner(Protocol):
    """What the pane needs of the window's runner: reads whose superseded answers are dropped."""

    def run_latest(
        self,
        key: str,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[str], None],
    ) -> None: ...


@dataclass(frozen=True)
class Loaded:
    """What one reading of a record gives the tabs: the record with its files, events,
    assessments and relations, and the catalogue's places and subjects the Description tab
    suggests."""

    detail: UnitDetail
    places: list[TermRecord]
    subjects: list[TermRecord]


def load(catalogue: Catalogue, unit_id: int) -> Loaded:
    return Loaded(
        catalogue.units.get(unit_id), catalogue.terms.places(), catalogue.terms.subjects()
    )


class DetailPane(QTabWidget):
    changed = Signal(int)  # a tab saved a change to this record
    open_unit = Signal(int)  # a relation was followed
    shown = Signal(int)  # the record chosen last is now in the tabs (after `show_unit`)

    def __init__(
        self,
        catalogue: Catalogue,
        undo_stack: QUndoStack,
        parent: QWidget | None = None,
        *,
        assessor: str = "",
        runner: LatestRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("detail")
        self.setDocumentMode(True)
        # Labels are never cut short ("Sum"), whatever the style's habit.
        self.tabBar().setElideMode(Qt.TextElideMode.ElideNone)
        self.catalogue = catalogue
        self._runner: LatestRunner = runner or TaskRunner(self)
        self._key = f"detail-{id(self)}"
        self.description = DescriptionTab(catalogue, undo_stack)
        self.provenance = ProvenanceTab(catalogue, undo_stack)
        self.reliability = ReliabilityTab(catalogue, undo_stack, assessor=assessor)
        self.text = TextTab(catalogue, undo_stack)
        self.originals = OriginalsTab(catalogue, undo_stack, runner=self._runner)
        self.relations = RelationsTab(catalogue, undo_stack)
        self.summary = QTextBrowser()
        self.summary.setObjectName("record")
        self.summary.setOpenLinks(False)
        self.tabs: list[Tab] = [
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
        # Never narrower than its labels: a squeezed bar hides its last tabs behind the edge.
        self.setMinimumWidth(self.tabBar().sizeHint().width())
        self.relations.open_unit.connect(self.open_unit)
        self.unit_id: int | None = None
        self.detail: UnitDetail | None = None  # the record in the tabs
        self._unfilled: set[QWidget] = set()  # tabs filled when they are next shown
        self.currentChanged.connect(self._fill_current)
        self.show_unit(None)

    def show_unit(self, unit_id: int | None) -> None:
        """Show a record in every tab (the Description tab saves what was being typed).

        The record is read off the GUI thread; `shown` says when it is on screen."""
        self.unit_id = unit_id
        if unit_id is None:  # an answer still on its way is dropped when it comes
            self._show(None)
        else:
            self._read(unit_id, skip=None)

    def save(self) -> bool:
        return self.description.save()

    def set_search_terms(self, query: str) -> None:
        self.text.set_search_terms(query)

    # -- reading and filling ----------------------------------------------------------------------

    def _read(self, unit_id: int, skip: QObject | None) -> None:
        catalogue = self.catalogue

        def loaded(result: Loaded) -> None:
            if result.detail.id == self.unit_id:
                self._show(result, skip=skip)

        def failed(message: str) -> None:
            if unit_id == self.unit_id:  # e.g. deleted meanwhile: each tab says so its way
                self.detail = None
                for tab in self.tabs:
                    tab.show_unit(unit_id)
                self._unfilled = set()
                self.summary.setPlainText(message)
                self.shown.emit(unit_id)

        self._runner.run_latest(self._key, lambda: load(catalogue, unit_id), loaded, failed)

    def _show(self, loaded: Loaded | None, *, skip: QObject | None = None) -> None:
        detail = loaded.detail if loaded else None
        self.detail = detail
        if loaded is None or skip is not self.description:
            self.description.show_detail(
                detail,
                loaded.places if loaded else None,
                loaded.subjects if loaded else None,
            )
        for tab in (self.provenance, self.reliability, self.relations):
            if tab is not skip:
                tab.show_detail(detail)
        self._unfilled = {self.text, self.originals, self.summary} - {skip}
        self._fill_current()
        if detail is not None:
            self.shown.emit(detail.id)

    def _fill_current(self, _index: int = -1) -> None:
        """Fill the tab on screen if it still shows an earlier record."""
        current = self.currentWidget()
        if current not in self._unfilled:
            return
        self._unfilled.discard(current)
        if current is self.text:
            self.text.show_unit(self.unit_id)
        elif current is self.originals:
            self.originals.show_detail(self.detail)
        elif current is self.summary:
            self._show_summary()

    def _tab_changed(self, unit_id: int) -> None:
        if unit_id == self.unit_id:
            self._read(unit_id, skip=self.sender())  # it shows its change already
        self.changed.emit(unit_id)

    def _show_summary(self) -> None:
        if self.detail is None:
            self.summary.setHtml(NO_RECORD)
            return
        self.summary.setHtml(record_html(self.detail))
