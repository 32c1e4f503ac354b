"""Help → Search Syntax: how to write a search, as a page for people (resources/help)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from catalog_app.paths import bundled


def search_syntax_page() -> Path:
    """The page's HTML file; its examples are checked against the real parser by the tests."""
    return bundled("resources") / "help" / "search-syntax.html"


class SearchHelpDialog(QDialog):
    """The page in a browser of its own, beside the window (not modal: a person can keep it
    open while typing searches)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Search Syntax")
        self.browser = QTextBrowser()
        self.browser.setObjectName("search-help")
        self.browser.setOpenLinks(False)  # a link goes to the person's browser, not in here
        self.browser.anchorClicked.connect(QDesktopServices.openUrl)
        self.browser.setHtml(search_syntax_page().read_text(encoding="utf-8"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(720, 640)
