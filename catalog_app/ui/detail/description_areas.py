"""One ISAD(G) area of the Description form: the rows of its elements, with the optional
elements that have no value folded away until the person asks for all of them.

An essential element (ISAD(G) 2.4), an element with a value (stored or being typed) and the
row that holds the keyboard focus are always shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QFormLayout, QGroupBox, QLabel, QToolButton, QWidget

from catalog_app.domain.isad import Area, Element

LABEL_WIDTH = 130  # longer labels wrap, so that the fields keep the width
FOLD_TIP = "Show the optional elements of this area that have no value yet"


@dataclass(frozen=True)
class ElementRow:
    element: Element
    widget: QWidget
    has_value: Callable[[], bool]


class AreaBox(QGroupBox):
    unfolded_changed = Signal(bool)  # the person showed (True) or folded the optional elements

    def __init__(self, area: Area, parent: QWidget | None = None) -> None:
        super().__init__(area.name, parent)
        self.area = area
        self.setObjectName(f"area_{area.number}")
        self.setToolTip(f"ISAD(G) {area.number} {area.name} area")
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.rows: list[ElementRow] = []
        self.toggle = QToolButton()
        self.toggle.setObjectName(f"area_{area.number}_all")
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setToolTip(FOLD_TIP)
        self.toggle.toggled.connect(self._toggled)

    def add(
        self, element: Element, label: str, widget: QWidget, has_value: Callable[[], bool]
    ) -> None:
        caption = QLabel(label)
        caption.setWordWrap(True)
        caption.setFixedWidth(LABEL_WIDTH)  # the same in every area, so the fields line up
        caption.setToolTip(element.reference)
        widget.setToolTip(element.reference)
        self.form.addRow(caption, widget)
        self.rows.append(ElementRow(element, widget, has_value))

    def finish(self) -> None:
        """Add the toggle under the rows (last, so that Tab reaches it after them)."""
        self.form.addRow(self.toggle)
        self.refold()

    @property
    def unfolded(self) -> bool:
        return self.toggle.isChecked()

    def set_unfolded(self, unfolded: bool) -> None:
        """Show all elements or fold the empty optional ones, as remembered (no signal)."""
        self.toggle.blockSignals(True)
        self.toggle.setChecked(unfolded)
        self.toggle.blockSignals(False)
        self.refold()

    def refold(self) -> None:
        """Show or fold each row for what its element holds now."""
        foldable: set[str] = set()
        for row in self.rows:
            needed = row.element.essential or row.has_value() or _holds_focus(row.widget)
            if not needed:
                foldable.add(row.element.number or row.element.name)
            self.form.setRowVisible(row.widget, needed or self.unfolded)
        # A toggle that would change nothing is not shown.
        self.toggle.setVisible(bool(foldable))
        if self.unfolded:
            self.toggle.setText("Fold the empty elements")
        else:
            self.toggle.setText(f"Show all elements ({len(foldable)} more)")
        self.toggle.setArrowType(
            Qt.ArrowType.DownArrow if self.unfolded else Qt.ArrowType.RightArrow
        )

    def _toggled(self, unfolded: bool) -> None:
        self.refold()
        self.unfolded_changed.emit(unfolded)


def _holds_focus(widget: QWidget) -> bool:
    focused = QApplication.focusWidget()
    return focused is not None and (focused is widget or widget.isAncestorOf(focused))
