"""Profiles in the app: choose, create and delete one, and see where the data lives.

``ProfileDialog(db)`` lists the profiles of the storage ``Database``; "New…" creates one,
"Delete…" asks for confirmation (naming what will be removed, from ``Database.row_counts``) and
then calls ``Database.delete_profile``, which removes the profile and every record of it.
``ProfilePicker`` is the compact row (combo box + "Profiles…") that the exercise and evaluation
windows put on their first page; ``open_database`` opens the default database (``--data-dir`` >
``POSTURE_FEEDBACK_DATA_DIR`` > the platform's data folder) and ``profile_for_name`` finds or
creates a profile given on the command line.

The questions (``ask_name``, ``confirm_delete``) are methods so that scripted use and tests can
answer them without a modal dialog.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QShowEvent
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from posture_feedback.storage import Database, DuplicateError, NotFoundError, Profile, StorageError
from posture_feedback.ui.readable import grow_to_fit, readable

#: What ``row_counts`` keys mean, for the delete confirmation.
_COUNT_NAMES = (
    ("assessments", "evaluation"), ("sessions", "exercise session"), ("repetitions", "repetition"),
    ("calibrations", "calibration"), ("plans", "plan"), ("monitor_stats", "posture-monitor day"),
    ("snapshots", "snapshot"),
)  # fmt: skip


def open_database(data_dir: str | None = None) -> Database:
    """The profile database in ``data_dir`` (or the default data folder); ``StorageError`` if it cannot be used."""
    return Database.open_default(data_dir)


def profile_for_name(db: Database, name: str) -> Profile:
    """The profile named ``name`` (case-insensitive), created if there is none."""
    try:
        return db.profile_by_name(name)
    except NotFoundError:
        try:
            return db.create_profile(name)
        except DuplicateError:  # another app instance created it in between: use theirs
            return db.profile_by_name(name)


def describe_counts(counts: dict[str, int]) -> str:
    """'3 evaluations, 12 exercise sessions, …' (only non-zero kinds), or 'no recorded data'."""
    parts = []
    for key, noun in _COUNT_NAMES:
        n = counts.get(key, 0)
        if n:
            parts.append(f"{n} {noun}{'' if n == 1 else 's'}")
    return ", ".join(parts) if parts else "no recorded data"


class ProfileDialog(QDialog):
    """Choose / create / delete a profile (see the module docstring)."""

    def __init__(self, db: Database, current_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Profiles")
        readable(self)
        self.resize(520, 420)
        col = QVBoxLayout(self)
        col.addWidget(QLabel("Each person has a profile: their evaluations, exercise sessions and settings."))
        self.list = QListWidget(self)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        col.addWidget(self.list, 1)
        self.detail_label = QLabel("")
        self.detail_label.setWordWrap(True)
        col.addWidget(self.detail_label)
        self.large_check = QCheckBox("Large type, high contrast (the windows opened for this profile)")
        self.large_check.toggled.connect(self._set_large_type)
        col.addWidget(self.large_check)
        row = QHBoxLayout()
        self.new_button = QPushButton("New…")
        self.new_button.clicked.connect(self.new_profile)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setToolTip("Delete the profile and all of its data from this computer")
        self.delete_button.clicked.connect(self.delete_selected)
        row.addWidget(self.new_button)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        col.addLayout(row)
        self.where_label = QLabel(f"Data is stored on this computer only, in:<br><b>{db.path}</b>")
        self.where_label.setWordWrap(True)
        self.where_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        col.addWidget(self.where_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Use this profile")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        col.addWidget(self.buttons)
        self.list.currentItemChanged.connect(lambda *_: self._show_detail())
        self.refresh(current_id)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        """Tall enough for the wrapped description (at 18 pt "No images are stored." was cut in 420 px)."""
        grow_to_fit(self)
        super().showEvent(event)

    # -- list -------------------------------------------------------------------------------
    def refresh(self, select_id: int | None = None) -> None:
        self.list.clear()
        for p in self.db.list_profiles():
            item = QListWidgetItem(p.name)
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.list.addItem(item)
            if p.id == select_id:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._show_detail()

    def selected_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def selected_profile(self) -> Profile | None:
        pid = self.selected_id()
        return None if pid is None else self.db.get_profile(pid)

    def _show_detail(self) -> None:
        pid = self.selected_id()
        has = pid is not None
        self.delete_button.setEnabled(has)
        self.large_check.setEnabled(has)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(has)
        if not has:
            self.detail_label.setText("No profile yet: create one with New…")
            return
        p = self.db.get_profile(pid)
        self.large_check.blockSignals(True)
        self.large_check.setChecked(bool(p.settings.get("large_type", False)))
        self.large_check.blockSignals(False)
        self.detail_label.setText(
            f"<b>{p.name}</b> — created {p.created_at:%Y-%m-%d}; {describe_counts(self.db.row_counts(pid))}."
            + (" Snapshots (images) are stored." if p.snapshots_enabled else " No images are stored.")
        )

    def _set_large_type(self, on: bool) -> None:
        pid = self.selected_id()
        if pid is None:
            return
        try:
            self.db.update_profile_settings(pid, large_type=bool(on))
        except StorageError as exc:
            self.show_error(str(exc))

    # -- questions (overridable) --------------------------------------------------------
    def name_dialog(self) -> QInputDialog:
        """The "New profile" question (not yet shown)."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle("New profile")
        dialog.setLabelText("Name of the person:")
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        return readable(dialog)

    def ask_name(self, typed: str = "") -> str | None:
        """The name typed in the "New profile" question (``typed`` already in its box), None if cancelled."""
        dialog = self.name_dialog()
        dialog.setTextValue(typed)
        return dialog.textValue() if dialog.exec() else None

    def delete_box(self, profile: Profile, counts: dict[str, int]) -> QMessageBox:
        """The delete confirmation (not yet shown): names the person and what will be erased."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete profile",
            f"Delete {profile.name} and all of their data ({describe_counts(counts)})?\n\n"
            "This cannot be undone: the records are erased from the database file.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText("Delete")
        return readable(box)

    def confirm_delete(self, profile: Profile, counts: dict[str, int]) -> bool:
        box = self.delete_box(profile, counts)
        return box.exec() == QMessageBox.StandardButton.Yes

    def show_error(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Critical, "Profiles", message, QMessageBox.StandardButton.Ok, self)
        readable(box).exec()

    # -- actions -----------------------------------------------------------------------
    def new_profile(self) -> Profile | None:
        """Ask for a name and create the profile. A duplicate or empty name is refused with its message and
        the question comes back with the name as typed, to correct it (it was lost, audit 30); Cancel ends."""
        typed = ""
        while True:
            name = self.ask_name(typed)
            if name is None:
                return None
            try:
                profile = self.db.create_profile(name)
            except StorageError as exc:
                self.show_error(str(exc))
                typed = name
                continue
            self.refresh(profile.id)
            return profile

    def delete_selected(self) -> bool:
        """After confirmation, delete the selected profile and everything recorded for it."""
        profile = self.selected_profile()
        if profile is None:
            return False
        if not self.confirm_delete(profile, self.db.row_counts(profile.id)):
            return False
        try:
            self.db.delete_profile(profile.id)
        except StorageError as exc:
            self.show_error(str(exc))
            return False
        self.refresh()
        return True


class ProfilePicker(QWidget):
    """'Profile: [combo] [Profiles…]' plus where the data lives; ``profileChanged(id or -1)``."""

    profileChanged = pyqtSignal(int)

    def __init__(self, db: Database | None, parent: QWidget | None = None, error: str = "") -> None:
        super().__init__(parent)
        self.db = db
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Profile:"))
        self.combo = QComboBox(self)
        # Its width from the window, not from its longest item, and "Profiles…" on the line below: at 18 pt the
        # button covered the combo box in the evaluation window's 430 px side panel.
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(6)
        self.combo.currentIndexChanged.connect(lambda _i: self.profileChanged.emit(self.current_id() or -1))
        row.addWidget(self.combo, 1)
        col.addLayout(row)
        self.manage_button = QPushButton("Profiles…")
        self.manage_button.clicked.connect(self.manage)
        buttons = QHBoxLayout()
        buttons.addWidget(self.manage_button)
        buttons.addStretch(1)
        col.addLayout(buttons)
        self.where_label = QLabel("")
        self.where_label.setWordWrap(True)
        self.where_label.setStyleSheet("color: #aaa; font-size: 9pt")
        col.addWidget(self.where_label)
        if db is None:
            self.combo.setEnabled(False)
            self.manage_button.setEnabled(False)
            self.where_label.setText(f"Results will not be saved: {error}")
            self.where_label.setStyleSheet("color: #ff9090")
        else:
            self.where_label.setText(f"Saved on this computer: {db.path}")
            self.refresh()

    def refresh(self, select_id: int | None = None) -> None:
        if self.db is None:
            return
        keep = select_id if select_id is not None else self.current_id()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem("No profile, not saved", -1)  # short: whole in large type at 1366 px
        self.combo.setItemData(0, "Without a profile the results are not saved", Qt.ItemDataRole.ToolTipRole)
        for p in self.db.list_profiles():
            self.combo.addItem(p.name, p.id)
        i = self.combo.findData(keep if keep is not None else -1)
        self.combo.setCurrentIndex(i if i >= 0 else (1 if self.combo.count() > 1 else 0))
        self.combo.blockSignals(False)
        self.profileChanged.emit(self.current_id() or -1)

    def current_id(self) -> int | None:
        data = self.combo.currentData()
        return None if data is None or int(data) < 0 else int(data)

    def current_name(self) -> str | None:
        return self.combo.currentText() if self.current_id() is not None else None

    def select(self, profile_id: int) -> None:
        self.refresh(profile_id)

    def manage(self) -> None:
        if self.db is None:
            return
        dialog = ProfileDialog(self.db, self.current_id(), self)
        if dialog.exec():
            self.refresh(dialog.selected_id())
        else:
            self.refresh()
