"""Editing target ranges in the app: a table of targets with low / high / tolerance spin boxes.

Values are degrees (offsets from the neutral for relative targets). A bound can be switched off
("none" = no minimum / no maximum). The edited set is validated by the core (``targets.Target``
raises ``TargetFileError`` with a one-line message) and saved with ``targets.save_targets``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PyQt6.QtGui import QShowEvent
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from posture_feedback.targets import TargetFileError, TargetSet, save_targets

_NONE = -361.0  # spin-box minimum, shown as "none" (beyond MAX_ABS_DEG, so never a real bound)


def _spin(value: float | None, allow_none: bool) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setDecimals(1)
    box.setSingleStep(0.5)
    box.setSuffix("°")
    if allow_none:
        box.setRange(_NONE, 360.0)
        box.setSpecialValueText("none")
        box.setValue(_NONE if value is None else value)
    else:
        box.setRange(0.0, 90.0)
        box.setValue(value or 0.0)
    return box


class TargetEditDialog(QDialog):
    """Edit the ranges of a target set; ``edited_set()`` is the result, ``save_to()`` writes it."""

    COLUMNS = ("Target", "Angle", "Low", "High", "Tolerance")

    def __init__(self, target_set: TargetSet, save_path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Target ranges — {target_set.label or target_set.name}")
        self.original = target_set
        self.save_path = save_path
        self.saved_to: Path | None = None
        layout = QVBoxLayout(self)
        note = "Degrees. 'none' = no limit on that side."
        if any(t.relative for t in target_set.targets):
            note += " Relative targets: offsets from your neutral."
        layout.addWidget(QLabel(note))
        self.table = QTableWidget(len(target_set.targets), len(self.COLUMNS), self)
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.spins: list[tuple[QDoubleSpinBox, QDoubleSpinBox, QDoubleSpinBox]] = []
        from PyQt6.QtWidgets import QTableWidgetItem

        for row, t in enumerate(target_set.targets):
            self.table.setItem(row, 0, QTableWidgetItem(t.display_name))
            self.table.setItem(row, 1, QTableWidgetItem(t.angle + (" (relative)" if t.relative else "")))
            lo, hi, tol = _spin(t.low, True), _spin(t.high, True), _spin(t.tolerance, False)
            for col, box in zip((2, 3, 4), (lo, hi, tol), strict=True):
                self.table.setCellWidget(row, col, box)
            self.spins.append((lo, hi, tol))
        self._fit_table()
        layout.addWidget(self.table)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #d55e00")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton("Save to file…")
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self._save_clicked)
        layout.addWidget(buttons)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        """Fit the table again once the window's style is known: in large type (18 pt) the columns measured
        before it hid High and Tolerance behind a horizontal scroll bar (662 px)."""
        self._fit_table()
        self.adjustSize()
        super().showEvent(event)

    def _fit_table(self) -> None:
        """The table wide and tall enough for every column and row at the current font."""
        table = self.table
        table.ensurePolished()
        for box in self.spins:
            for spin in box:
                spin.ensurePolished()
        table.resizeColumnsToContents()
        table.resizeRowsToContents()
        frame = 2 * table.frameWidth()
        width = table.verticalHeader().sizeHint().width() + table.horizontalHeader().length() + frame
        height = table.horizontalHeader().sizeHint().height() + table.verticalHeader().length() + frame
        table.setMinimumWidth(max(640, width))
        table.setMinimumHeight(min(600, height))

    def edited_set(self) -> TargetSet:
        """The target set with the spin-box values (raises ``TargetFileError`` if invalid)."""
        targets = []
        for t, (lo, hi, tol) in zip(self.original.targets, self.spins, strict=True):
            low = None if lo.value() <= _NONE else lo.value()
            high = None if hi.value() <= _NONE else hi.value()
            targets.append(replace(t, low=low, high=high, tolerance=tol.value()))
        name = self.original.name if self.original.name.endswith("-custom") else f"{self.original.name}-custom"
        return replace(self.original, name=name, targets=tuple(targets))

    def _accept(self) -> None:
        try:
            self.edited_set()
        except TargetFileError as exc:
            self.error.setText(str(exc))
            return
        self.accept()

    def save_to(self, path: Path) -> Path:
        """Validate and write the edited set as TOML (``targets.save_targets``)."""
        edited = self.edited_set()
        save_targets(edited, path)
        self.saved_to = Path(path)
        return self.saved_to

    def _save_clicked(self) -> None:
        path = self.save_path
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, "Save target ranges", f"{self.original.name}-custom.toml",
                                                    "Target files (*.toml)")  # fmt: skip
            if not chosen:
                return
            path = Path(chosen)
        try:
            self.save_to(path)
        except TargetFileError as exc:
            self.error.setText(str(exc))
            return
        except OSError as exc:  # said "[Errno 13] Permission denied: '…'" (audit 28)
            self.error.setText(f"Not saved: cannot write {path}: {exc.strerror or exc}")
            return
        QMessageBox.information(self, "Saved", f"Target ranges saved to {path}")
