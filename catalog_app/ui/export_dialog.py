"""File → Export: every format, what to export, whether restricted records and internal
details go too, progress."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from catalog_app.services import Catalogue
from catalog_app.services.exports import (
    DESCRIPTIONS,
    FORMATS,
    SUFFIXES,
    ExportResult,
    ExportService,
)
from catalog_app.ui.tasks import TaskHandle, TaskRunner

PROFILE_LABELS = {
    "isad": "Finding aid for people (ISAD(G) columns, opens in spreadsheets)",
    "atom": "AtoM import CSV (archival description, re-imports exactly)",
}
RESTRICTED_WARNING = (
    "Restricted and confidential records, everything below them, and archivists' notes "
    "will be exported. Make sure the recipient may see them."
)
INTERNAL_WARNING = (
    "The computer's name, login names and the folders files were imported from will be "
    "exported. Make sure the recipient may know them."
)


class ExportDialog(QDialog):
    """Choose a format and scope, then export in the background with progress and Cancel."""

    def __init__(
        self,
        catalogue: Catalogue,
        runner: TaskRunner,
        *,
        collection: tuple[int, str] | None = None,  # (id, "REF  Title") of the chosen one
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self._cat = catalogue
        self._runner = runner
        self._handle: TaskHandle | None = None
        self.result_: ExportResult | None = None

        self.format = QComboBox()
        self.format.setObjectName("format")
        for fmt in FORMATS:
            self.format.addItem(DESCRIPTIONS[fmt], fmt)
        self.profile = QComboBox()
        self.profile.setObjectName("profile")
        for key, label in PROFILE_LABELS.items():
            self.profile.addItem(label, key)
        self.scope = QComboBox()
        self.scope.setObjectName("scope")
        self.scope.addItem("The whole catalogue", None)
        if collection is not None:
            self.scope.addItem(f"{collection[1]} and everything below it", collection[0])
            self.scope.setCurrentIndex(1)
        self.include_restricted = QCheckBox("Include restricted and confidential records")
        self.include_restricted.setObjectName("include_restricted")
        self.warning = QLabel(RESTRICTED_WARNING)
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b00020;")
        self.warning.hide()
        self.include_internal = QCheckBox(
            "Include internal details (computer and login names, local folders)"
        )
        self.include_internal.setObjectName("include_internal")
        self.internal_warning = QLabel(INTERNAL_WARNING)
        self.internal_warning.setWordWrap(True)
        self.internal_warning.setStyleSheet("color: #b00020;")
        self.internal_warning.hide()
        # An encrypted catalogue is exported only when the archivist says it may be in clear.
        self.in_clear = QCheckBox("Write it in clear: anyone who gets the file can read it")
        self.in_clear.setObjectName("in_clear")
        self.in_clear.setToolTip(
            "This catalogue is encrypted; the export will not be. Tick this to write it anyway."
        )
        self.in_clear.setVisible(catalogue.encrypted)
        self.output = QLineEdit()
        self.output.setObjectName("output")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_output)
        where = QHBoxLayout()
        where.addWidget(self.output, 1)
        where.addWidget(browse)

        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("Columns", self.profile)
        form.addRow("Records", self.scope)
        form.addRow("", self.include_restricted)
        form.addRow("", self.warning)
        form.addRow("", self.include_internal)
        form.addRow("", self.internal_warning)
        if catalogue.encrypted:
            form.addRow("", self.in_clear)
        form.addRow("Save to", where)

        self.progress = QProgressBar()
        self.progress.hide()
        self.message = QLabel()
        self.message.setObjectName("export_message")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self._cancel)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.include_restricted.toggled.connect(self.warning.setVisible)
        self.include_internal.toggled.connect(self.internal_warning.setVisible)
        self.output.textChanged.connect(lambda _text: self._update_button())
        self.in_clear.toggled.connect(lambda _on: self._update_button())
        self._format_changed()
        self.resize(620, 300)

    # -- choices ------------------------------------------------------------------------

    def chosen_format(self) -> str:
        return str(self.format.currentData())

    def _format_changed(self) -> None:
        fmt = self.chosen_format()
        self.profile.setEnabled(fmt == "csv")
        current = self.output.text().strip()
        if current and fmt != "bag":
            self.output.setText(str(Path(current).with_suffix(SUFFIXES[fmt])))
        self._update_button()

    def _update_button(self) -> None:
        allowed = self.in_clear.isChecked() or not self._cat.encrypted
        self.export_button.setEnabled(
            bool(self.output.text().strip()) and self._handle is None and allowed
        )

    def _choose_output(self) -> None:
        fmt = self.chosen_format()
        start = str(self._cat.path.with_name(self._cat.path.stem + "-export" + SUFFIXES[fmt]))
        if fmt == "bag":
            chosen = QFileDialog.getExistingDirectory(self, "Folder for the new bag")
            name = str(Path(chosen) / f"{self._cat.path.stem}-bag") if chosen else ""
        else:
            name, _ = QFileDialog.getSaveFileName(self, "Export to", start)
        if name:
            self.output.setText(name)

    def _choices(self) -> tuple[QWidget, ...]:
        return (
            self.format,
            self.profile,
            self.scope,
            self.include_restricted,
            self.include_internal,
            self.in_clear,
        )

    # -- running ------------------------------------------------------------------------

    def start(self) -> None:
        if self._handle is not None or not self.output.text().strip():
            return
        output = Path(self.output.text().strip()).expanduser()
        fmt, profile = self.chosen_format(), str(self.profile.currentData())
        scope = self.scope.currentData()
        include = self.include_restricted.isChecked()
        internal = self.include_internal.isChecked()
        in_clear = self.in_clear.isChecked()
        service = ExportService(self._cat)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.message.setStyleSheet("")
        self.message.setText("Exporting…")
        for widget in self._choices():
            widget.setEnabled(False)
        self._handle = self._runner.run_reporting(
            lambda report: service.export(
                fmt,
                output,
                profile=profile,
                collection=str(scope) if scope is not None else None,
                include_restricted=include,
                include_internal=internal,
                in_clear=in_clear,
                report=report,
            ),
            self._finished,
            self._failed,
            self._progressed,
        )
        self._update_button()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.message.setText(f"{done:,} of {total:,} records")

    def _finished(self, result: ExportResult) -> None:
        self._handle = None
        self.result_ = result
        self.progress.hide()
        lines = [result.summary() + "."]
        lines += [f"Warning: {w}" for w in result.warnings[:20]]
        if len(result.warnings) > 20:
            lines.append(f"… and {len(result.warnings) - 20:,} more warnings.")
        self.message.setText("\n".join(lines))
        self.export_button.hide()
        self.cancel_button.setText("Close")

    def _failed(self, message: str) -> None:
        self._handle = None
        self.progress.hide()
        self.message.setStyleSheet("color: #b00020;")
        self.message.setText(message)
        for widget in self._choices():
            widget.setEnabled(True)
        self.profile.setEnabled(self.chosen_format() == "csv")
        self._update_button()

    def _cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self.message.setText("Stopping…")
            return
        self.reject()
