"""The "Session" menu of the mirror window: exercises, evaluation, history and profiles.

``install_feature_menus(main_window)`` needs only a ``QMainWindow``; it reads, when present, the
mirror window's ``source_spec`` (the camera or video in use), ``options.model``,
``options.data_dir`` and ``link`` (the ``--profile`` database link: its profile is the first
current one, its database is shared). The
exercise and evaluation windows open on the same source: a camera can be opened by one reader
at a time, and the machine's cores are shared, so the mirror's own processing is stopped while
one of them is open and restarted on the same source when it closes.

The menu remembers the profile last chosen (in any of the windows) and opens the next window
on it. The database is storage's default (``--data-dir`` > ``POSTURE_FEEDBACK_DATA_DIR`` > the
platform's data folder) unless ``data_dir`` is given.
"""

from __future__ import annotations

import logging
from typing import Any

from PyQt6 import sip
from PyQt6.QtCore import QEvent, QObject, Qt, QTimer
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QMainWindow, QMessageBox, QVBoxLayout, QWidget

from posture_feedback.errors import PostureFeedbackError
from posture_feedback.storage import StorageError
from posture_feedback.ui.readable import readable

log = logging.getLogger(__name__)

#: (object name, text, shortcut, method of ``FeatureMenus``)
MENU_ITEMS: tuple[tuple[str, str, str, str], ...] = (
    ("session_exercises", "Exercises…", "Ctrl+Shift+X", "open_exercises"),  # opens on the profile's plan
    ("session_evaluation", "Evaluation…", "Ctrl+Shift+V", "open_evaluation"),
    ("session_history", "History…", "Ctrl+H", "open_history"),
    ("session_profile", "Profile…", "Ctrl+P", "choose_profile"),
    ("session_plan_notes", "Plan notes and precautions…", "Ctrl+Shift+N", "show_plan_notes"),
)


class FeatureMenus(QObject):
    """Opens the feature windows for a main window (see the module docstring)."""

    def __init__(self, main_window: QMainWindow, data_dir: str | None = None) -> None:
        super().__init__(main_window)
        self.main_window = main_window
        options = getattr(main_window, "options", None)
        link = getattr(main_window, "link", None)  # the mirror's --profile database link, if any
        self.data_dir = data_dir if data_dir is not None else getattr(options, "data_dir", None)
        self.profile_name: str | None = getattr(link, "profile_name", None)
        self.windows: list[QWidget] = []  #: feature windows currently open
        self._db: Any = None
        self._own_db = True
        if link is not None and data_dir is None and getattr(link, "db", None) is not None:
            self._db, self._own_db = link.db, False
        self._stopped_spec: Any = None
        self._stopped = False
        self._closing = False
        main_window.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """The main window is closing: close the feature windows too (and do not restart the mirror)."""
        if event.type() == QEvent.Type.Close:
            if obj is self.main_window:
                self.close()
            elif obj in self.windows:  # a feature window closes: give the mirror its source back after it
                QTimer.singleShot(0, lambda w=obj: self._closed_if_hidden(w))
        return False

    # -- shared ----------------------------------------------------------------------------
    def database(self) -> Any:
        """The profile database (opened once); ``StorageError`` when it cannot be used."""
        if self._db is None:
            from posture_feedback.ui.profile_dialog import open_database

            self._db = open_database(self.data_dir)
        return self._db

    def source_spec(self) -> Any:
        return getattr(self.main_window, "source_spec", 0)

    def model(self) -> str:
        return getattr(getattr(self.main_window, "options", None), "model", "full") or "full"

    def model_options(self) -> dict[str, Any]:
        """The mirror's pose model options for a session window (``SessionOptions``): the model, the people
        detected per frame and whether one person is followed, as ``--model``, ``--max-people``,
        ``--follow``/``--no-follow`` and ``--config`` gave them to the app. Before, only the model was
        passed, and a session window opened from an app started with ``--max-people 1`` ran two."""
        out: dict[str, Any] = {"model": self.model()}
        opts = getattr(self.main_window, "options", None)
        pipeline = getattr(opts, "pipeline", None)
        if pipeline is not None:
            out["max_people"] = pipeline.pose.max_people
        elif opts is not None:
            out["max_people"] = opts.max_people
        if getattr(opts, "follow_asked", None) is not None:  # asked for; else each window's own default
            out["follow"] = bool(opts.follow_asked)
        return out

    def vertical_options(self) -> dict[str, Any]:
        """The mirror's camera vertical for a session window (``SessionOptions``): ``--camera NAME``'s stored
        calibration; a level camera for ``--camera level`` or a configuration's ``scene_vertical = false``;
        else nothing (the windows' default, the scene's lines). Before, the exercise and evaluation windows
        opened from the app read the scene whatever the app was told (review 29)."""
        opts = getattr(self.main_window, "options", None)
        if opts is None:
            return {}
        if getattr(opts, "camera_up", None) is not None:
            return {"scene_vertical": False, "camera_up": opts.camera_up,
                    "camera_up_uncertainty": opts.camera_up_uncertainty}  # fmt: skip
        pipeline = getattr(opts, "pipeline", None)
        if pipeline is not None and not pipeline.scene_vertical:  # --camera level, or the file's false
            return {"scene_vertical": False}
        return {}

    def _error(self, title: str, exc: Exception) -> None:
        log.error("%s: %s", title, exc)
        QMessageBox.critical(self.main_window, title, str(exc))

    def _release_source(self) -> None:
        """Stop the mirror's processing (frees the camera and the CPU) until the feature window closes."""
        if self._stopped:
            return
        mw = self.main_window
        stop = getattr(mw, "_stop_worker", None)  # MainWindow's own way of stopping its worker
        if stop is None and getattr(mw, "worker", None) is None:
            return
        self._stopped_spec = self.source_spec()
        if stop is not None:
            stop()
        else:
            mw.worker.stop()
        self._stopped = True
        video = getattr(mw, "video", None)
        if video is not None and hasattr(video, "show_placeholder"):
            video.show_placeholder("The camera is in use by the exercise or evaluation window")

    def _restore_source(self) -> None:
        if self._closing or not self._stopped or any(w.isVisible() for w in self.windows):
            return
        self._stopped = False
        reopen = getattr(self.main_window, "open_source", None)
        if reopen is not None:
            reopen(self._stopped_spec)

    def _opened(self, window: QWidget) -> None:
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.windows.append(window)
        window.installEventFilter(self)
        window.destroyed.connect(lambda _obj=None, w=window: self._closed(w))
        window.show()

    def _closed_if_hidden(self, window: QWidget) -> None:
        """After a close event: the window is gone unless the close was refused (or it was deleted meanwhile)."""
        if sip.isdeleted(window) or not window.isVisible():
            self._closed(window)

    def _closed(self, window: QWidget) -> None:
        if window in self.windows:
            self.windows.remove(window)
        self._restore_source()

    def _remember_profile(self, picker: Any) -> None:
        name = picker.current_name() if picker is not None else None
        if name:
            self.profile_name = name

    # -- actions -----------------------------------------------------------------------------
    def _open_session(self, window_class: Any, options_class: Any, **options: Any) -> QWidget:
        """A session window (``window_class(options_class(...))``) on the mirror's source and the current profile."""
        self._release_source()
        window = window_class(
            options_class(
                source=self.source_spec(), profile=self.profile_name, data_dir=self.data_dir,
                **self.model_options(), **self.vertical_options(), **options,
            )  # fmt: skip
        )
        window.picker.profileChanged.connect(lambda _pid: self._remember_profile(window.picker))
        self._large_type(window)
        self._opened(window)
        return window

    def _large_type(self, window: QWidget) -> QWidget:
        """The current profile's large-type, high-contrast mode on ``window`` (``ui/accessibility.py``)."""
        from posture_feedback.ui.accessibility import apply_large_type, large_type_enabled

        if self.profile_name is None:
            return window
        try:
            profile = self.database().profile_by_name(self.profile_name)
        except StorageError:
            return window
        return apply_large_type(window, large_type_enabled(profile))

    def open_exercises(self) -> QWidget:
        """The exercise session window on the mirror's source and the current profile."""
        from posture_feedback.ui.exercise_window import ExerciseOptions, ExerciseWindow

        plan = self.active_plan()
        return self._open_session(ExerciseWindow, ExerciseOptions, **({"what": plan} if plan is not None else {}))

    def active_plan(self) -> Any:
        """The current profile's active stored plan, loaded (None without a profile or a plan; an invalid
        stored plan is reported and not run)."""
        from posture_feedback.storage.stored_plans import active_plan, load_stored_plan

        pid = self.current_profile_id()
        if pid is None:
            return None
        try:
            plan = active_plan(self.database(), pid)
            return None if plan is None else load_stored_plan(self.database(), plan.id)
        except (StorageError, PostureFeedbackError) as exc:
            self._error("Exercises", exc)
            return None

    def open_evaluation(self) -> QWidget:
        """The guided evaluation window on the mirror's source and the current profile."""
        from posture_feedback.ui.assessment_window import AssessmentOptions, AssessmentWindow

        return self._open_session(AssessmentWindow, AssessmentOptions)

    def current_profile_id(self) -> int | None:
        """The remembered profile's id (None when none is chosen or it was deleted)."""
        if self.profile_name is None:
            return None
        try:
            return self.database().profile_by_name(self.profile_name).id
        except StorageError:
            return None

    def open_history(self) -> QWidget | None:
        """The history page of the current profile in its own window (asks for a profile first if needed)."""
        from posture_feedback.ui.history_view import HistoryView

        try:
            db = self.database()
            pid = self.current_profile_id()
            if pid is None:
                pid = self.choose_profile()
            if pid is None:
                return None
            view = HistoryView(db, pid)
        except (StorageError, PostureFeedbackError) as exc:
            self._error("History", exc)
            return None
        window = readable(QMainWindow(self.main_window))  # not the dark mirror's inherited style
        window.setWindowTitle(f"Posture Feedback — History of {self.profile_name}")
        holder = QWidget(window)
        QVBoxLayout(holder).addWidget(view)
        window.setCentralWidget(holder)
        window.resize(1100, 760)
        self._large_type(window)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        window.history_view = view  # type: ignore[attr-defined]
        window.show()
        return window

    def choose_profile(self) -> int | None:
        """The profile dialog; returns the chosen profile's id (None if cancelled)."""
        from posture_feedback.ui.profile_dialog import ProfileDialog

        try:
            db = self.database()
        except StorageError as exc:
            self._error("Profiles", exc)
            return None
        dialog = ProfileDialog(db, self.current_profile_id(), self.main_window)
        if not self.exec_dialog(dialog):
            return None
        profile = dialog.selected_profile()
        if profile is None:
            return None
        self.profile_name = profile.name
        status = getattr(self.main_window, "statusBar", None)
        if status is not None:
            status().showMessage(f"Profile: {profile.name}", 4000)
        return profile.id

    def show_plan_notes(self) -> QWidget | None:
        """The current profile's plan precautions and notes (on demand; asks for a profile first if needed)."""
        from posture_feedback.ui.ratings_dialog import PlanNotesDialog

        if self.current_profile_id() is None and self.choose_profile() is None:
            return None
        plan = self.active_plan()
        if plan is None:
            from posture_feedback.storage.stored_plans import no_active_plan_text

            pid = self.current_profile_id()
            try:
                text = no_active_plan_text(self.database(), pid) if pid is not None else ""
            except StorageError:
                text = ""
            QMessageBox.information(self.main_window, "Plan notes", text or f"{self.profile_name} has no plan.")
            return None
        dialog = PlanNotesDialog(plan, self.main_window)
        self._large_type(dialog)
        self.exec_dialog(dialog)
        return dialog

    def exec_dialog(self, dialog: Any) -> bool:
        """Run a modal dialog (a method so that scripted use and tests can answer it)."""
        return bool(dialog.exec())

    def close(self) -> None:
        """Close the feature windows and the database (the main window is closing)."""
        self._closing = True
        for w in list(self.windows):
            w.close()
        if self._db is not None and self._own_db:
            self._db.close()
        self._db = None


def install_feature_menus(main_window: QMainWindow, data_dir: str | None = None) -> None:
    """Add the "Session" menu (Exercises…, Evaluation…, History…, Profile…) to ``main_window``.

    The ``FeatureMenus`` behind it is kept as ``main_window.feature_menus``; its actions as
    ``main_window.feature_actions`` (name → ``QAction``).
    """
    if getattr(main_window, "feature_menus", None) is not None:  # installed already (idempotent)
        return
    features = FeatureMenus(main_window, data_dir)
    bar = main_window.menuBar()
    if not bar.styleSheet():  # match the dark window (a light menu bar over it is glaring)
        bar.setStyleSheet(
            "QMenuBar { background: #26262b; color: #eee } QMenuBar::item:selected { background: #3a3a44 }"
        )
    menu = bar.addMenu("&Session")
    actions: dict[str, QAction] = {}
    for name, text, key, method in MENU_ITEMS:
        action = QAction(text, main_window)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _checked=False, m=method: getattr(features, m)())
        menu.addAction(action)
        actions[name] = action
    main_window.feature_menus = features  # type: ignore[attr-defined]
    main_window.feature_actions = actions  # type: ignore[attr-defined]
