"""Help → Catalogue Seal: the audit chain's seal, to note down or print and keep elsewhere."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

EXPLANATION = (
    "This code pins the catalogue's audit log as it is now ({rows:,} changes). Note it down "
    "or print it, and keep it apart from this computer. Later, <tt>catalog check --seal "
    "CODE</tt> shows whether anything recorded up to now was rewritten or removed, even by "
    "someone who had the catalogue file."
)


class SealDialog(QDialog):
    def __init__(self, code: str, rows: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Catalogue Seal")
        layout = QVBoxLayout(self)
        explanation = QLabel(EXPLANATION.format(rows=rows))
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        self.code = QLineEdit(code)
        self.code.setReadOnly(True)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.code.setFont(font)
        self.code.setAccessibleName("Seal")
        layout.addWidget(self.code)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setDefault(True)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.copy_button.setFocus()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code.text())
        self.copy_button.setText("&Copied")
