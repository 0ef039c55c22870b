"""The exercise session window: choose an exercise or a plan, then the session runner drives it.

First page: the built-in exercises (``exercises.library``) or "Open plan…" (a plan or an exercise
definition ``.toml``; a plan that does not validate shows its ``PlanError`` — file, line, field,
problem, what is allowed — and cannot start), the side for a one-sided exercise, and the profile
the results are saved to. Session page: the live mirror (the UI helper's ``FrameWorker`` and
``VideoView``, the core's skeleton and angle annotators, the demonstration's ghost when the plan
item has one), the cue line, and the ``ExercisePanel`` (instruction, countdown, the big
counter, hold bar, target, each repetition with its verdict, rest timer); Pause (Space),
Next (N: end the wait or the set now), Skip exercise (S), Stop (Esc), Mute (M), volume (+/−),
Record demonstration (D: countdown, one repetition by the therapist, D again or 15 s; the core's
``demo_recording`` builds and names it, the window saves it and restarts the runner with it as target).

Every processed frame reaches ``SessionRunner`` in order (``ResultTap``), on one clock: the
frames' own timestamps (video position, or capture time for a camera), extended by the wall
clock while frames stall so rests and countdowns keep running. Every runner event goes to a
``storage.recorder.SessionRecorder``: a set is stored when it starts, each repetition when it
ends (committed at once), the set's summary when it ends; so a crash loses at most the
repetition in progress. Speech goes to ``speech_qt.choose_speaker()``.

``launch_exercise(...)`` opens it from the command line; with ``frames``/``screenshot`` it runs
offscreen, processes that many frames (every frame, without waits) and saves the window.
"""

from __future__ import annotations

import argparse
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QEvent, Qt, QTimer
from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from posture_feedback.annotate import AngleAnnotator, GhostAnnotator, SkeletonAnnotator
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.exercises.demo_recording import (
    DemonstrationRecording,
    demonstration_path,
    demonstration_summary,
    item_with_demonstration,
)
from posture_feedback.exercises.demonstration import save_demonstration
from posture_feedback.exercises.errors import PlanError
from posture_feedback.exercises.events import (
    CueEvent,
    Event,
    HoldEvent,
    InstructionEvent,
    PauseEvent,
    RepEvent,
    RestEvent,
    SessionDone,
    SetDone,
)
from posture_feedback.exercises.library import builtin_names, get_exercise, list_exercises
from posture_feedback.exercises.plan import Plan
from posture_feedback.exercises.runner import RunnerState, RunnerStatus, SessionRunner
from posture_feedback.exercises.thresholds import thresholds_text
from posture_feedback.feedback import vertical_status_text
from posture_feedback.storage import StorageError
from posture_feedback.storage.paths import data_dir as storage_data_dir
from posture_feedback.types import FrameResult
from posture_feedback.ui.exercise_panel import UNSURE_COLOUR, ExercisePanel
from posture_feedback.ui.flow_layout import flow_row
from posture_feedback.ui.profile_dialog import ProfilePicker
from posture_feedback.ui.result_tap import ResultTap, source_name
from posture_feedback.ui.session_base import SessionOptions, SessionScreenshotDriver, SessionWindow, launch_session
from posture_feedback.ui.shortcuts import add_shortcut_actions
from posture_feedback.ui.speech_qt import backend_label, choose_speaker

log = logging.getLogger(__name__)

#: (method name, keys, description) of the session page's shortcuts.
SHORTCUTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("toggle_pause", ("Space",), "Pause / resume"),
    ("next_step", ("N", "Return"), "Next: end the instruction, countdown or rest now (or end the set)"),
    ("skip_exercise", ("S",), "Skip this exercise"),
    ("stop_session", ("Esc",), "Stop the session"),
    ("record_demonstration", ("D",), "Record a demonstration of this exercise / stop recording"),
    ("toggle_mute", ("M",), "Speech on / off"),
    ("volume_up", ("+", "="), "Louder"),
    ("volume_down", ("-",), "Quieter"),
    ("toggle_fullscreen", ("F11",), "Full screen on / off"),
)


def load_exercise_or_plan(what: str | Path | Plan) -> Plan:
    """A ``Plan`` from a built-in exercise name, an exercise definition ``.toml`` or a plan ``.toml``
    (a ``Plan`` already loaded, e.g. with the command line's overrides, is returned as it is).

    Raises ``PlanError`` (file, line, field, problem, allowed) or ``PostureFeedbackError`` (unknown name).
    """
    from posture_feedback.commands.exercise import load_what

    if isinstance(what, Plan):
        return what

    no_overrides = argparse.Namespace(side=None, reps=None, sets=None, hold=None)
    return load_what(str(what), no_overrides, headless=False)


def for_recording(plan: Plan) -> Plan:
    """The plan without instruction, countdown or rest waits (screenshots, recorded videos)."""
    from posture_feedback.commands.exercise import for_recording as core_for_recording

    return core_for_recording(plan)


#: List entries that stand for a stored plan of the profile: this prefix and the plan's database id.
_PLAN_ITEM = "__stored_plan__:"


def plan_summary_html(plan: Plan) -> str:
    """The plan as short HTML: per exercise its side, sets × reps or hold, rest, camera view and what is watched;
    a single exercise also shows its instruction."""
    rows = []
    for it in plan.items:
        d = it.exercise
        what = f"{it.reps} reps" if it.reps else (f"{it.hold_s:g} s" if it.hold_s else "")
        side = f", {it.side}" if d.sided and d.kind != "gait" else ""
        demo = ", with the therapist's demonstration" if it.demonstration is not None else ""
        views = " or ".join(v.value for v in d.views) or "any"
        watch = ", ".join(c.name.replace("_", " ") for c in d.compensations)
        extra = f"camera: {views} view" + (f" · watches: {watch}" if watch else "")
        text = f"<br><span style='color:#ccc'>{_esc(d.instruction_for(it.side))}</span>" if len(plan.items) == 1 else ""
        rows.append(
            f"<li><b>{_esc(d.title)}</b>{side}: {it.sets} × {what}, rest {it.rest_s:g} s{demo}"
            f"<br><span style='color:#aaa; font-size:10pt'>{extra}</span>{text}</li>"
        )
    patient = f" — {_esc(plan.patient)}" if plan.patient else ""
    from posture_feedback.ui.ratings_dialog import plan_notes_html

    notes = plan_notes_html(plan)  # the plan's precautions and notes, before the first exercise
    notes = f"<div style='color:#ffd27f; font-size:13pt'>{notes}</div>" if notes else ""
    return (f"<b style='font-size:14pt'>{_esc(plan.title)}</b>{patient}{notes}"
            f"<ol style='margin-top:4px'>{''.join(rows)}</ol>")  # fmt: skip


def plan_error_html(exc: PostureFeedbackError) -> str:
    """A precise, readable account of why the plan cannot start."""
    if isinstance(exc, PlanError):
        parts = [("File", exc.file), ("Line", "" if exc.line is None else str(exc.line)), ("Field", exc.field),
                 ("Problem", exc.problem), ("Allowed", exc.allowed)]  # fmt: skip
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{_esc(v)}</td></tr>" for k, v in parts if v)
        return f"<b>This plan cannot start.</b><table>{rows}</table>"
    return f"<b>This cannot start:</b> {_esc(str(exc))}"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class RunnerClock:
    """The session's clock (seconds): frame timestamps, kept monotonic, extended by wall time between frames."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.last_t: float | None = None
        self.last_wall = time.perf_counter()

    def frame(self, timestamp_s: float) -> float:
        """Clock time of a frame with this source timestamp."""
        t = timestamp_s + self.offset
        if self.last_t is not None and t < self.last_t:
            self.offset += self.last_t - t
            t = self.last_t
        self.last_t, self.last_wall = t, time.perf_counter()
        return t

    def now(self) -> float:
        """Clock time now (no frame): the last frame's time plus the wall time since."""
        wall = time.perf_counter()
        t = 0.0 if self.last_t is None else self.last_t + (wall - self.last_wall)
        self.last_t, self.last_wall = t, wall
        return t

    def stalled_s(self) -> float:
        """Wall seconds since the last frame or tick."""
        return time.perf_counter() - self.last_wall


@dataclass
class DemoGhostAnnotator:
    """The demonstration's ghost at ``u`` (set by the window from ``RunnerStatus.ghost_u``), on the person."""

    demonstration: Any = None
    u: float = math.nan
    opacity: float = 0.45

    def annotate(self, scene: Any, result: FrameResult, mirror: bool = False) -> Any:
        demo, u = self.demonstration, self.u
        if demo is None or demo.ghost is None or result.landmarks is None or math.isnan(u):
            return scene
        ghost = demo.ghost.landmarks_at(u, result.landmarks)
        return GhostAnnotator(ghost=ghost, opacity=self.opacity).annotate(scene, result, mirror)


#: The panel's state while the camera or video could not be used (it said "Starting the camera…").
NO_SOURCE_TEXT = "Not started: the camera or video could not be used"


@dataclass
class ExerciseOptions(SessionOptions):
    """How the exercise window starts (see ``SessionOptions`` for the shared fields).

    Attributes:
        what: exercise name, plan/definition file or loaded ``Plan`` to preselect (None = choose in the window).
        speech: speech backend to start from (``speech_qt.BACKENDS``), None = best available.
        no_waits: run the plan without instruction, countdown and rest waits.
        autostart: start the session at once when ``what`` is valid.
        runner: extra keyword arguments for ``SessionRunner`` (e.g. ``time_limit_s``).
    """

    what: str | Path | Plan | None = None
    scene_vertical: bool = True  # the camera's vertical from the scene, as the app (SessionOptions)
    speech: str | None = None
    no_waits: bool = False
    autostart: bool = False
    runner: dict[str, Any] = field(default_factory=dict)


class ExerciseWindow(SessionWindow):
    """See the module docstring."""

    #: The session page's panel width; wider in large type (its wrapped 18 pt texts).
    PANEL_WIDTH = 400
    PANEL_WIDTH_LARGE = 520

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """A new style sheet (``apply_large_type``): the session panel and the plan's text for it."""
        if event.type() == QEvent.Type.StyleChange and hasattr(self, "panel"):
            from posture_feedback.ui.accessibility import in_large_type

            if in_large_type(self):
                self._scroll_panel()
            else:
                self.panel.setFixedWidth(self.PANEL_WIDTH)
            if getattr(self, "_plan_html", ""):
                self._set_plan_text(self._plan_html)
        super().changeEvent(event)

    def _set_plan_text(self, html: str) -> None:
        """The plan's summary in the picker; in large type its inline sizes (the 10 pt "camera: side view",
        the 14 pt title) are raised to the mode's 18 pt like every other text (audit 30: a style sheet
        cannot reach a rich text's own font sizes, so they stayed small)."""
        from posture_feedback.ui.accessibility import in_large_type, larger_fonts

        self._plan_html = html
        self.plan_label.setText(larger_fonts(html) if in_large_type(self) else html)

    def _scroll_panel(self) -> None:
        """In large type the panel's 18 pt texts need more than a laptop's height: squeezed, they were drawn
        over each other ("counting paused" over the big count, the instruction cut). Wider, and in a scroll
        area that gives every text its height (a scroll bar when it must)."""
        if getattr(self, "panel_scroll", None) is not None:
            return
        holder = self.panel.parentWidget()
        scroll = QScrollArea(holder)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFixedWidth(self.PANEL_WIDTH_LARGE)
        self.panel.setMinimumWidth(0)
        self.panel.setMaximumWidth(16_777_215)
        self.panel_row.replaceWidget(self.panel, scroll)
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        self.panel_scroll = scroll

    def __init__(self, options: ExerciseOptions | None = None, db: Any = None) -> None:
        super().__init__()
        self._setup_session(
            options or ExerciseOptions(),
            db,
            "Posture Feedback — Exercises",
            "QMainWindow, QWidget#central { background: #18181c } QLabel { color: #eee }"
            " QListWidget { color: #eee; background: #202026; font-size: 11pt }"
            " QPushButton { font-size: 11pt; padding: 4px 10px }",
        )
        self.speaker = choose_speaker(self.options.speech)
        self.plan: Plan | None = None
        self.plan_error: PostureFeedbackError | None = None
        self.source_problem: str | None = None  #: why the camera or video could not be used (None: it could)
        self.runner: SessionRunner | None = None
        self.recorder: Any = None
        self.clock = RunnerClock()
        self.ghost = DemoGhostAnnotator()
        self.events: list[Event] = []  #: every runner event of the current session, in order
        self.storage_errors: list[str] = []
        self.frames_with_person = 0  #: frames of the current session in which a person was found
        #: why the current session is not saved though a profile was chosen ("" while it is or will be)
        self.not_saved = ""
        self._started = False
        self._stopped_by_user = False
        self._plan_running: Plan | None = None
        self._profile_id: int | None = None
        #: The cue line shows a "turn …"/"step into view" cue given with this turn hint (``RunnerStatus.turn_hint``):
        #: it holds only while counting stays paused with that hint (``_cue_for_status``). None: any other cue.
        self._cue_view_hint: str | None = None
        #: The cue line shows the runner's "the camera cannot tell / cannot time this hold" cue: it holds only
        #: while the hold stays unsure (``_cue_for_status``).
        self._cue_unsure_hold = False
        self.demo_recording: DemonstrationRecording | None = None  #: the demonstration being recorded
        self.demo_countdown_s = 3.0  #: get-ready seconds before a demonstration is recorded
        self.demo_max_s = 15.0  #: longest demonstration (seconds after the countdown)
        self.demo_path: Path | None = None  #: the last demonstration saved
        self.demo_error: str = ""  #: why the last recording gave no demonstration ("" when it did)
        self.last_demo_recording: DemonstrationRecording | None = None  #: kept when it gave no demonstration

        central = QWidget(self)
        central.setObjectName("central")
        self.setCentralWidget(central)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(6, 6, 6, 6)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack)
        self.stack.addWidget(self._build_setup_page())
        self.stack.addWidget(self._build_session_page())
        self._build_actions()
        problem = self._start_timer_and_profile(self._on_timer, 100)
        if problem is not None:
            self.set_message(problem, error=True)
        if self.options.what:
            self.choose(self.options.what)
            if self.options.autostart and self.plan is not None:
                self.start_session()

    # ------------------------------------------------------------------ pages
    def _build_setup_page(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        left = QVBoxLayout()
        title = QLabel("Choose an exercise")
        title.setStyleSheet("font-size: 16pt; font-weight: bold")
        left.addWidget(title)
        self.exercise_list = QListWidget(page)
        self.exercise_list.setWordWrap(True)
        self.exercise_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.exercise_list.setSpacing(2)
        for d in list_exercises():
            item = QListWidgetItem(f"{d.title}\n    {d.description}")
            item.setData(Qt.ItemDataRole.UserRole, d.name)
            self.exercise_list.addItem(item)
        self.exercise_list.currentItemChanged.connect(self._on_list_choice)
        self.exercise_list.itemDoubleClicked.connect(lambda _i: self.start_session())
        left.addWidget(self.exercise_list, 1)
        self.open_button = QPushButton("Open plan or exercise file…")
        self.open_button.clicked.connect(self.open_plan_dialog)
        left.addWidget(self.open_button)
        row.addLayout(left, 3)

        right = QVBoxLayout()
        self.plan_label = QLabel("Choose an exercise on the left, or open a therapist's plan.")
        self.plan_label.setWordWrap(True)
        self.plan_label.setStyleSheet("font-size: 12pt")
        self.plan_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plan_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # A plan longer than the column scrolls: squeezed, its last exercise was drawn under the profile row
        # (a three-exercise plan in large type, audit 30).
        self.plan_scroll = QScrollArea(page)
        self.plan_scroll.setWidget(self.plan_label)
        self.plan_scroll.setWidgetResizable(True)
        self.plan_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.plan_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.plan_scroll.setStyleSheet("QScrollArea { border: none; background: transparent }")
        self.plan_scroll.viewport().setAutoFillBackground(False)
        self.plan_label.setAutoFillBackground(False)  # (setWidget turned it on: a light box on the dark window)
        right.addWidget(self.plan_scroll, 1)
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet("QLabel { color: #ffb0b0; background: #3a1c1c; padding: 8px; font-size: 11pt }")
        self.error_label.setVisible(False)
        right.addWidget(self.error_label)
        side_row = QHBoxLayout()
        self.side_label = QLabel("Side:")
        side_row.addWidget(self.side_label)
        self.side_combo = QComboBox(page)
        for s in ("both", "left", "right"):
            self.side_combo.addItem(s, s)
        self.side_combo.currentIndexChanged.connect(self._on_side_changed)
        side_row.addWidget(self.side_combo)
        side_row.addStretch(1)
        right.addLayout(side_row)
        self.picker = ProfilePicker(self.db, page, error=self.db_error)
        self.picker.profileChanged.connect(lambda _pid: self._list_profile_plan())
        right.addWidget(self.picker)
        self._list_profile_plan()
        self.message_label = QLabel("")
        self.message_label.setWordWrap(True)
        right.addWidget(self.message_label)
        self.start_button = QPushButton("Start session")
        self.start_button.setStyleSheet("font-size: 14pt; font-weight: bold; padding: 8px")
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self.start_session)
        right.addWidget(self.start_button)
        self.setup_record_button = QPushButton("Record demonstration (D)")
        self.setup_record_button.setToolTip("Start the camera and record the therapist performing one repetition")
        self.setup_record_button.setEnabled(False)
        self.setup_record_button.clicked.connect(self.record_demonstration)
        right.addWidget(self.setup_record_button)
        row.addLayout(right, 2)
        self._side_visible(False)
        return page

    def _build_session_page(self) -> QWidget:
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        video_col = QVBoxLayout()
        self.cue_label = self._add_video(page, video_col, 60)
        self._show_message(self.cue_label, "", "#fff", 22)
        row.addLayout(video_col, 1)
        self.panel = ExercisePanel(page)
        self.panel.setFixedWidth(self.PANEL_WIDTH)  # wider, in a scroll area, in large type (changeEvent)
        row.addWidget(self.panel)
        self.panel_row = row
        col.addLayout(row, 1)

        # A row that wraps: in large type one row of these made the window 1732 px wide (wider than a laptop).
        bar_holder, bar = flow_row(page)
        self.pause_button = QPushButton("Pause (Space)")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.next_button = QPushButton("Next (N)")
        self.next_button.setToolTip("End the instruction, countdown or rest now; during a set: end the set")
        self.next_button.clicked.connect(self.next_step)
        self.skip_button = QPushButton("Skip exercise (S)")
        self.skip_button.clicked.connect(self.skip_exercise)
        self.stop_button = QPushButton("Stop (Esc)")
        self.stop_button.clicked.connect(self.stop_session)
        self.mute_button = QPushButton("Mute (M)")
        self.mute_button.setCheckable(True)
        self.mute_button.toggled.connect(self._on_mute)
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setValue(80)
        self.volume_slider.setFixedWidth(110)
        self.volume_slider.valueChanged.connect(lambda v: self.speaker.set_volume(v / 100.0))
        self.speaker.set_volume(0.8)
        self.record_button = QPushButton("Record demonstration (D)")
        self.record_button.setToolTip("The therapist performs one repetition: it becomes the target and the ghost")
        self.record_button.clicked.connect(self.record_demonstration)
        self.tolerance_spin = QDoubleSpinBox()
        self.tolerance_spin.setRange(0.0, 45.0)
        self.tolerance_spin.setDecimals(0)
        self.tolerance_spin.setValue(10.0)
        self.tolerance_spin.setSuffix("°")
        self.tolerance_spin.setToolTip("Tolerance around the demonstrated rest and peak (degrees)")
        for w in (self.pause_button, self.next_button, self.skip_button, self.stop_button, self.mute_button):
            bar.addWidget(w)
        bar.addWidget(self.record_button)
        bar.addWidget(self._pair(QLabel("±"), self.tolerance_spin))
        bar.addWidget(self._pair(QLabel("Volume"), self.volume_slider))
        col.addWidget(bar_holder)
        sb = self.statusBar()
        sb.setStyleSheet("QStatusBar { background: #101014; color: #ccc } QLabel { color: #ccc; padding: 0 8px }")
        self.speech_label = QLabel(f"Speech: {backend_label(self.speaker)}")
        self.status_label = QLabel("")
        self.vertical_label = QLabel("")  # where the camera's vertical comes from (feedback.vertical_status_text)
        self._vertical_shown: str | None = None  # the FrameResult.vertical the label says
        sb.addWidget(self.status_label, 1)
        sb.addPermanentWidget(self.vertical_label)
        sb.addPermanentWidget(self.speech_label)
        return page

    @staticmethod
    def _pair(label: QLabel, control: QWidget) -> QWidget:
        """``label`` and its ``control`` kept together on one line of the wrapping button row."""
        pair = QWidget()
        row = QHBoxLayout(pair)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label)
        row.addWidget(control)
        return pair

    def _build_actions(self) -> None:
        self.actions_by_name: dict[str, QAction] = add_shortcut_actions(self, SHORTCUTS)

    # ------------------------------------------------------------------ choosing
    def _on_list_choice(self, item: QListWidgetItem | None, _prev: Any = None) -> None:
        if item is None:
            return
        data = str(item.data(Qt.ItemDataRole.UserRole))
        if data.startswith(_PLAN_ITEM):  # the profile's own plan (home programme), from the database
            from posture_feedback.storage.stored_plans import load_stored_plan

            try:
                self.choose(load_stored_plan(self.db, int(data[len(_PLAN_ITEM) :])))
            except (PostureFeedbackError, StorageError) as exc:
                self.plan, self.plan_error = None, exc
                self.error_label.setText(plan_error_html(exc))
                self.error_label.setVisible(True)
                self.start_button.setEnabled(False)
            return
        self.choose(data)

    def _list_profile_plan(self) -> None:
        """The chosen profile's active plan as the first entry of the list ("Your plan: …")."""
        for row in reversed(range(self.exercise_list.count())):
            if str(self.exercise_list.item(row).data(Qt.ItemDataRole.UserRole)).startswith(_PLAN_ITEM):
                self.exercise_list.takeItem(row)
        pid = self.picker.current_id() if hasattr(self, "picker") else None
        if self.db is None or pid is None:
            return
        from posture_feedback.storage.stored_plans import active_plan

        try:
            plan = active_plan(self.db, pid)
        except StorageError:
            return
        if plan is not None:
            version = self.db.plan_version(plan.id).version
            item = QListWidgetItem(f"Your plan: {plan.name} (version {version})\n    the programme from your therapist")
            item.setData(Qt.ItemDataRole.UserRole, f"{_PLAN_ITEM}{plan.id}")
            self.exercise_list.insertItem(0, item)

    def open_plan_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a plan or an exercise", "", "Plans and exercises (*.toml)")
        if path:
            self.choose(path)

    def choose(self, what: str | Path | Plan) -> Plan | None:
        """Load a built-in name or a plan/definition file; show its summary, or its error (no start)."""
        self.plan, self.plan_error = None, None
        try:
            self.plan = load_exercise_or_plan(what)
        except PostureFeedbackError as exc:
            self.plan_error = exc
            self.error_label.setText(plan_error_html(exc))
            self.error_label.setVisible(True)
            self._set_plan_text(f"<b>{_esc(Path(str(what)).name)}</b>")
            self.start_button.setEnabled(False)
            self.setup_record_button.setEnabled(False)
            self._side_visible(False)
            return None
        self.error_label.setVisible(False)
        self._set_plan_text(plan_summary_html(self.plan))
        self.start_button.setEnabled(True)
        self.setup_record_button.setEnabled(self._demo_item() is not None)
        single = len(self.plan.items) == 1 and self.plan.items[0].exercise.sided and (
            self.plan.items[0].exercise.kind != "gait") and not self.plan.source  # fmt: skip
        self._side_visible(single)
        if single:
            self.side_combo.blockSignals(True)
            self.side_combo.setCurrentIndex(max(0, self.side_combo.findData(self.plan.items[0].side)))
            self.side_combo.blockSignals(False)
        return self.plan

    def _side_visible(self, on: bool) -> None:
        self.side_label.setVisible(on)
        self.side_combo.setVisible(on)

    def _on_side_changed(self, _i: int) -> None:
        if self.plan is not None and len(self.plan.items) == 1:
            item = replace(self.plan.items[0], side=self.side_combo.currentData())
            self.plan = replace(self.plan, items=[item])
            self._set_plan_text(plan_summary_html(self.plan))

    def set_message(self, text: str, error: bool = False) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet(f"color: {'#ff9090' if error else '#bbb'}")

    # ------------------------------------------------------------------ session
    def start_session(self) -> bool:
        """Start the chosen plan: open the source, then the runner starts with the first frame."""
        if self.plan is None or self.runner is not None:
            return False
        plan = for_recording(self.plan) if self.options.no_waits else self.plan
        self._ratings_before = self.ask_ratings("before")
        from posture_feedback.exercises.feedback_schedule import FeedbackFilter

        self.feedback = FeedbackFilter(plan)  # the first session's mode until the profile's history says more
        self.guidance = None
        try:
            self.runner = SessionRunner(plan, **self.options.runner)
        except (PostureFeedbackError, ValueError) as exc:  # e.g. a demonstration file that cannot be read
            self.plan_error = exc if isinstance(exc, PostureFeedbackError) else PostureFeedbackError(str(exc))
            self.error_label.setText(plan_error_html(self.plan_error))
            self.error_label.setVisible(True)
            return False
        self.events = []
        self.frames_fed = 0
        self.frames_with_person = 0
        self.not_saved = ""
        self._started = False
        self._stopped_by_user = False
        self.clock = RunnerClock()
        self.recorder = None
        self._plan_running = plan
        self._profile_id = self.picker.current_id()
        self.panel.clear_reps()
        self.stack.setCurrentIndex(1)
        self._open_worker()
        return True

    def _open_recorder(self) -> None:
        """The session's database record, created with the first frame (a source that never opens leaves none)."""
        pid = self._profile_id
        if self.db is None or pid is None:
            return
        from posture_feedback.storage.recorder import SessionRecorder
        from posture_feedback.storage.stored_plans import stored_identity

        signals = {it.exercise.name: it.exercise.signal for it in self._plan_running.items}  # sides filled per set
        ident = stored_identity(self._plan_running, pid)  # a stored plan of this profile: its uid and version
        try:
            self.recorder = SessionRecorder(self.db, pid, ident.get("plan_id"), source=source_name(self.source_spec),
                                            signals=signals, plan_version=ident.get("plan_version"))  # fmt: skip
            self._store_ratings(getattr(self, "_ratings_before", {}))
            from posture_feedback.exercises.feedback_schedule import FeedbackFilter
            from posture_feedback.storage.stored_plans import plan_session_number

            # this session is stored already: it is the plan's last one
            number = plan_session_number(self.db, pid, self._plan_running) - 1
            self.feedback = FeedbackFilter(self._plan_running, number)
            if self.db.get_profile(pid).settings.get("spoken_guidance"):
                from posture_feedback.exercises.spoken_guidance import SpokenGuidance

                self.guidance = SpokenGuidance()
        except StorageError as exc:
            self._storage_failed(exc)

    def _open_worker(self) -> None:
        worker = self._start_worker(ResultTap(), (self.ghost, SkeletonAnnotator(), AngleAnnotator()))
        worker.maxFramesReached.connect(lambda _n: self._source_finished())

    # ------------------------------------------------------------------ frames and events
    def _drain(self) -> None:
        """Feed every processed result to the runner, in order."""
        if self.tap is None or self.runner is None:
            return
        for r in self.tap.drain():
            t = self.clock.frame(r.frame.timestamp_s)
            if self.demo_recording is not None:  # the therapist's demonstration, not the patient's session
                self.frames_fed += 1
                if self.demo_recording.add(t, r):
                    self.finish_demonstration()
                continue
            runner = self.runner
            if not self._started:
                self._started = True
                self._open_recorder()
                self.handle(runner.start(t))
            self.frames_fed += 1
            self.frames_with_person += bool(r.person_found)
            if r.vertical != self._vertical_shown:  # (per frame: words only when the source changes)
                self._vertical_shown = r.vertical
                short, why = vertical_status_text(r.vertical, level_asked=self._level_asked())
                self.vertical_label.setText(short)
                self.vertical_label.setToolTip(why)
            values = r.angles if r.person_found else None
            self.handle(runner.update(t, values, r.view, r.landmarks, person=r.person_found,
                                      azimuth_deg=r.azimuth_deg,  # the turn hint's distance
                                      vertical=r.vertical))  # the scene's arriving mid-set: a new baseline
        self._refresh()

    def _level_asked(self) -> bool:
        """A level camera was asked for (``--camera level``, ``scene_vertical = false``): no scene, no calibration."""
        return not self.options.scene_vertical and self.options.camera_up is None

    def handle(self, events: list[Event]) -> None:
        """Show, speak and store the runner's events (as the plan's feedback schedule lets them through)."""
        told = getattr(self, "feedback", None)
        if told is not None:
            events = told.apply(events)
        guidance = getattr(self, "guidance", None)  # the profile's "spoken guidance first" setting
        if guidance is not None:
            events = guidance.apply(events)
        for e in events:
            self.events.append(e)
            if e.speech:
                self.speaker.say(e.speech, e.tone)  # the tone the core gave the event (a tones-only speaker plays it)
            if self.recorder is not None:
                try:
                    if isinstance(e, SessionDone) and not self.frames_with_person:
                        self._forget_session()  # nobody in view in any frame: nothing measured
                    else:
                        if isinstance(e, SessionDone) and self._stopped_by_user:
                            self.recorder.close(status="aborted", t=e.t)  # stopped before the plan's end
                        self.recorder.handle(e)
                except StorageError as exc:
                    self._storage_failed(exc)
            self._show_event(e)

    def _show_event(self, e: Event) -> None:
        runner = self.runner
        if isinstance(e, InstructionEvent):
            d = runner.plan.items[e.item_index].exercise if runner else None
            self.panel.show_instruction(e, d.kind if d else "reps", d.unit if d else "°")
            # where each threshold beside the live value comes from (a published source or the tool's own)
            self.panel.target_label.setToolTip(thresholds_text(d, e.side) if d else "")
            self._set_cue(e.text, "#ffffff", size=16)
        elif isinstance(e, RepEvent):
            self.panel.add_rep(e)
            if not e.rep.counted:
                self._set_cue(e.feedback[0] if e.feedback else "Not counted", "#ff9090")
            elif e.feedback:
                self._set_cue(e.feedback[0], "#ffb020")
            else:  # a clean rep: the last attempt's correction no longer applies (it stayed up beside "good")
                self._set_cue(f"✓ {e.rep.count} counted", "#46d26a")
        elif isinstance(e, CueEvent) and e.source == "measurement":  # a hold the camera cannot judge: no verdict, grey
            self._set_cue(e.text, UNSURE_COLOUR, unsure_hold=True)
        elif isinstance(e, CueEvent):
            hint = (self.runner.status.turn_hint or e.text) if self.runner is not None else e.text
            self._set_cue(e.text, "#ffdc28", view_hint=hint if e.source in ("view", "person") else None)
        elif isinstance(e, HoldEvent) and e.kind in ("broken", "resumed", "complete"):
            text = {"broken": "Back into position", "resumed": "Good, keep holding", "complete": "Hold complete"}
            self._set_cue(e.speech or text[e.kind], "#ffdc28" if e.kind == "broken" else "#46d26a")
        elif isinstance(e, SetDone):
            self.panel.add_set(e.result)
        elif isinstance(e, RestEvent):
            self.panel.show_rest(e)
            self._set_cue(f"Rest {e.duration_s:g} s — next: {e.next_title}", "#ffffff", size=18)
        elif isinstance(e, PauseEvent):
            self.pause_button.setText("Resume (Space)" if e.paused else "Pause (Space)")
        elif isinstance(e, SessionDone):
            self._session_done(e)

    def _set_cue(
        self, text: str, colour: str, size: int = 22, view_hint: str | None = None, unsure_hold: bool = False
    ) -> None:
        """Show ``text`` on the cue line. ``view_hint``: the text says how to turn or to step into view, for
        this turn hint of the runner; it is true only while counting stays paused so (``_cue_for_status``).
        ``unsure_hold``: the text says the camera cannot judge the hold; true only while it stays unsure."""
        self._cue_view_hint = view_hint
        self._cue_unsure_hold = unsure_hold
        self._show_message(self.cue_label, text, colour, size)

    def _cue_for_status(self, st: RunnerStatus) -> None:
        """One truth per frame: a view cue on the cue line follows the runner's status, as the panel does.

        A "Counting paused: turn …" cue is a one-shot event, and the runner rate-limits the next one (it
        is spoken); left alone it stayed up beside "Go!", "repetitions counted" once the person had turned,
        and said "a quarter turn" beside the panel's newer "turn round" (an audit, 2026-12-07). So: counting
        again (or the set over) takes it off; a new hint while still paused replaces it, in silence. A
        "The camera cannot tell whether you are in position" cue goes once the hold is judged again (in
        or out) or the set is over."""
        if self._cue_unsure_hold and (st.state is not RunnerState.ACTIVE or st.hold_state != "unsure"):
            self._set_cue("", "#ffffff")
        if self._cue_view_hint is None:
            # counting paused with a turn hint whose (rate-limited) event did not come: the cue line kept the
            # last repetition's "Slower on the way down" beside the panel's "Counting paused: turn a quarter
            # turn" (audit 30); the hint replaces it, in silence
            if st.state is RunnerState.ACTIVE and not st.counting and st.turn_hint:
                self._set_cue(st.turn_hint, "#ffdc28", view_hint=st.turn_hint)
            return
        if st.state is not RunnerState.ACTIVE or st.counting:
            self._set_cue("", "#ffffff")
        elif st.turn_hint and st.turn_hint != self._cue_view_hint:
            self._set_cue(st.turn_hint, "#ffdc28", view_hint=st.turn_hint)

    def _refresh(self) -> None:
        runner = self.runner
        if runner is None:
            return
        st = runner.status
        self.panel.update_status(st)
        if self.source_problem is not None and st.state is RunnerState.IDLE:  # not "Starting the camera…"
            self.panel.state_label.setText(NO_SOURCE_TEXT)
        self._cue_for_status(st)
        self.ghost.demonstration = runner.demonstration
        self.ghost.u = st.ghost_u
        saved = ""
        if self.recorder is not None:
            saved = f"saving to {self.picker.current_name()}"
        elif self.db is None:
            saved = "not saved (no database)"
        elif self.picker.current_name():  # a profile, but no session recording (yet): say that, not "no profile"
            saved = f"nothing to save yet: {self.picker.current_name()}'s session has not started"
        else:
            saved = "not saved (no profile)"
        if self.not_saved:
            saved = f"not saved: {self.not_saved}"
        if self.storage_errors:
            saved = f"not saved: {self.storage_errors[-1]}"
        self.status_label.setText(f"{source_name(self.source_spec)} · {saved}")

    def _on_timer(self) -> None:
        if self.demo_recording is not None:
            self._show_demo_progress()
            return
        runner = self.runner
        if runner is None or not self._started:
            return
        if runner.state is not RunnerState.DONE and not runner.paused and self.clock.stalled_s() > 0.5:
            self.handle(runner.tick(self.clock.now()))
        self._refresh()

    def _forget_session(self) -> None:
        """Nobody was in view in any frame of the session: nothing was measured, so its record (sets,
        ratings) is removed rather than kept as a session done or stopped, as ``exercise --headless``
        does (an audit found such sessions counted for adherence; a review, 2026-12-08, found the
        window still stored them: with nobody in view each set ends at its time limit, "completed")."""
        from posture_feedback.storage.recorder import NOBODY_TEXT

        recorder, self.recorder = self.recorder, None
        self.not_saved = NOBODY_TEXT
        if recorder is not None:
            recorder.discard()

    def _session_done(self, e: SessionDone) -> None:
        sets = e.result.sets
        counted = sum(s.count for s in sets if s.reps)
        head = "Session stopped before the end" if e.result.stopped else "Session complete"
        text = f"{head}: {len(sets)} set{'' if len(sets) == 1 else 's'}"
        if any(s.reps for s in sets):
            text += f", {counted} repetitions counted"
        if self.not_saved:  # nothing was measured: no "complete" for it
            text = f"Nobody was in view: nothing measured, not saved ({len(sets)} set{'' if len(sets) == 1 else 's'})"
        self._set_cue(text, "#aaaaaa" if self.not_saved else ("#ffb020" if e.result.stopped else "#46d26a"))
        self.pause_button.setEnabled(False)
        self.next_button.setEnabled(False)
        self.skip_button.setEnabled(False)
        self.stop_button.setText("Back to exercises (Esc)")
        if self.recorder is not None:  # how it felt afterwards, once the last events are shown
            QTimer.singleShot(0, lambda: self._store_ratings(self.ask_ratings("after")))

    def ask_ratings(self, when: str) -> dict[str, float]:
        """Pain and effort ``before``/``after`` the session (``ui/ratings_dialog.py``); {} when skipped, when
        nothing is saved (no profile), and in scripted runs. A method so that tests can answer it."""
        if self.options.no_waits or self.options.autostart or self.db is None or self.picker.current_id() is None:
            return {}
        from posture_feedback.ui.ratings_dialog import RatingsDialog

        dialog = RatingsDialog(when, self)
        return dialog.ratings() if dialog.exec() else {}

    def _store_ratings(self, ratings: dict[str, float]) -> None:
        if not ratings or self.recorder is None:
            return
        from posture_feedback.storage.ratings import set_ratings

        try:
            set_ratings(self.db, self.recorder.session_id, **ratings)
        except StorageError as exc:
            self._storage_failed(exc)

    def _storage_failed(self, exc: Exception) -> None:
        log.error("storage: %s", exc)
        self.storage_errors.append(str(exc))
        self.recorder = None

    def _source_finished(self) -> None:
        """The video ended (or its frame limit was reached) during a demonstration: use what was recorded."""
        self._drain()
        if self.demo_recording is not None:
            self.finish_demonstration()

    def _on_source_problem(self, message: str) -> None:
        self.source_problem = message
        self.video.show_placeholder(f"{message}\n\nEsc: back to the exercises")
        self._set_cue(message, "#ff9090", size=14)
        self._refresh()  # the status line says what is (not) being saved

    def _on_ended(self) -> None:
        self._drain()
        self._source_finished()
        if self.last_rendered is None:
            self.video.show_placeholder("The video ended.")

    # ------------------------------------------------------------------ controls
    def toggle_pause(self) -> None:
        runner = self.runner
        if runner is None or runner.state in (RunnerState.IDLE, RunnerState.DONE):
            return
        t = self.clock.now()
        if runner.paused:
            self.handle(runner.resume(t))
        else:
            self.handle(runner.pause(t))
        if self.worker is not None:
            self.worker.paused = runner.paused
        self._refresh()

    def next_step(self) -> None:
        """N / Enter: on the first page start the session; in a session end the current wait (or set)."""
        if self.stack.currentIndex() == 0:
            self.start_session()
            return
        if self.runner is not None and self._started and not self.runner.paused:
            self.handle(self.runner.advance(self.clock.now()))
            self._refresh()

    def skip_exercise(self) -> None:
        if self.runner is not None and self._started and not self.runner.paused:
            self.handle(self.runner.skip(self.clock.now()))
            self._refresh()

    def stop_session(self) -> None:
        """Stop the session (the set in progress is saved as ended early); once it is over, back to the choice."""
        runner = self.runner
        if runner is None:
            return
        if runner.state is RunnerState.DONE or not self._started:
            self.back_to_setup()
            return
        self._stopped_by_user = True
        if runner.paused:
            self.handle(runner.resume(self.clock.now()))
        self.handle(runner.stop(self.clock.now()))
        self._refresh()

    def _abort_session(self, on_storage_error: Callable[[StorageError], Any]) -> None:
        """A session still running is stopped (saved as ended early) and its record closed as aborted."""
        runner = self.runner
        if runner is not None and self._started and runner.state is not RunnerState.DONE:
            self._stopped_by_user = True
            self.handle(runner.stop(self.clock.now()))
        if self.recorder is not None and not self.recorder.closed:
            try:
                if not self.frames_with_person:
                    self._forget_session()
                else:
                    self.recorder.close(status="aborted")
            except StorageError as exc:
                on_storage_error(exc)

    def back_to_setup(self) -> None:
        """Leave the session page (after the session, or when the source could not be used): choose again."""
        if self.demo_recording is not None:  # Esc during a recording cancels it (kept, as when it gives none)
            self.last_demo_recording, self.demo_recording = self.demo_recording, None
            self.record_button.setText("Record demonstration (D)")
        self._abort_session(self._storage_failed)
        self._stop_worker()
        self.runner, self.recorder, self.tap, self.last_rendered = None, None, None, None
        for b in (self.pause_button, self.next_button, self.skip_button):
            b.setEnabled(True)
        self.pause_button.setText("Pause (Space)")
        self.stop_button.setText("Stop (Esc)")
        self._set_cue("", "#ffffff")
        self.stack.setCurrentIndex(0)

    # ------------------------------------------------------------------ demonstration
    def _demo_item(self) -> Any:
        """The plan item a demonstration can be recorded for: one built-in exercise with repetitions, else None."""
        plan = self.plan
        if plan is None or len(plan.items) != 1:
            return None
        it = plan.items[0]
        return it if it.ref in builtin_names() and it.exercise.kind in ("reps", "gait") else None

    def record_demonstration(self) -> bool:
        """D: start recording the therapist's demonstration (countdown, then one repetition), or stop it."""
        if self.demo_recording is not None:
            self.finish_demonstration()
            return True
        item = self._demo_item()
        if item is None:
            self.set_message("A demonstration is recorded for one built-in exercise with repetitions.", error=True)
            return False
        if self.stack.currentIndex() == 0 or self.runner is None:
            if not self.start_session():
                return False
        else:
            self._restart_runner()  # the session in progress ends (saved as stopped); the demonstration replaces it
        self.demo_error = ""
        self.demo_recording = DemonstrationRecording(
            get_exercise(item.ref), item.side, countdown_s=self.demo_countdown_s, max_s=self.demo_max_s
        )
        self.record_button.setText("Stop recording (D)")
        self._show_demo_progress()
        return True

    def _show_demo_progress(self) -> None:
        rec = self.demo_recording
        if rec is None:
            return
        t = self.clock.last_t if rec.start_t is not None and self.clock.last_t is not None else 0.0
        left = rec.remaining_s(t)
        if rec.phase(t) == "countdown":
            self._set_cue(f"Demonstration: get ready… {math.ceil(left)}", "#ffdc28")
        else:
            self._set_cue(f"Recording: perform one repetition, then D to stop ({left:.0f} s left)", "#ff9090", 18)

    def finish_demonstration(self) -> None:
        """End the recording: build, show, save the demonstration and make it this exercise's target
        (the runner restarts with it); when it gives none, say why and keep the exercise as it was."""
        rec = self.demo_recording
        if rec is None:
            return
        self.demo_recording = None
        self.record_button.setText("Record demonstration (D)")
        item = self._demo_item()
        try:
            demo = rec.finish(self.tolerance_spin.value())
            folder = self.db.data_dir if self.db is not None else storage_data_dir(self.options.data_dir)
            path = save_demonstration(demo, demonstration_path(demo.definition.name, self.plan.source, folder))
            item = item_with_demonstration(item, path)
        except (PostureFeedbackError, OSError, ValueError) as exc:
            self.last_demo_recording = rec
            self.demo_error = str(exc)
            self._set_cue(f"No demonstration: {exc}. The exercise is unchanged; D to record again.", "#ff9090", 16)
            self.set_message(f"No demonstration: {exc}", error=True)
            return
        self.demo_path = path
        self.plan = replace(self.plan, items=[item])
        self._set_plan_text(plan_summary_html(self.plan))
        self._restart_runner()
        text = f"{demonstration_summary(demo)}. Saved: {path}"
        self._set_cue(text, "#46d26a", 14)
        self.set_message(text)

    def _restart_runner(self) -> None:
        """A new session of ``self.plan`` on the open source: the one in progress is stopped (and saved as such)."""
        self._abort_session(self._storage_failed)
        plan = for_recording(self.plan) if self.options.no_waits else self.plan
        self.runner = SessionRunner(plan, **self.options.runner)
        self.recorder = None
        self.events = []
        self._started = False
        self._stopped_by_user = False
        self._plan_running = plan
        self.panel.clear_reps()
        for b in (self.pause_button, self.next_button, self.skip_button):
            b.setEnabled(True)
        self.stop_button.setText("Stop (Esc)")

    def toggle_mute(self) -> None:
        self.mute_button.setChecked(not self.mute_button.isChecked())

    def _on_mute(self, on: bool) -> None:
        self.speaker.set_muted(on)
        self.mute_button.setText("Unmute (M)" if on else "Mute (M)")

    def volume_up(self) -> None:
        self.volume_slider.setValue(min(100, self.volume_slider.value() + 10))

    def volume_down(self) -> None:
        self.volume_slider.setValue(max(0, self.volume_slider.value() - 10))

    def toggle_fullscreen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    # ------------------------------------------------------------------ shutdown
    def _end_session(self) -> None:
        """A session still running is stopped and saved as not finished; speech stops."""
        self._abort_session(lambda exc: log.error("storage: %s", exc))
        close = getattr(self.speaker, "close", None)
        if close is not None:
            close()


class _ScreenshotDriver(SessionScreenshotDriver):
    """Waits until the window has processed its frames (every one fed to the runner), saves it, quits."""

    window: ExerciseWindow

    def _poll(self) -> None:
        w = self.window
        worker = w.worker
        done = (
            w.runner is not None
            and worker is not None
            and not worker.is_running()
            and worker.stats.processed > 0
            and w.tap is not None
            and w.frames_fed >= worker.stats.processed
            and w.video.rendered is not None
        )
        timed_out = time.perf_counter() > self.deadline
        plan_failed = w.runner is None and w.plan_error is not None
        no_source = w.source_problem is not None and (worker is None or not worker.is_running())
        if not (plan_failed or no_source or done or timed_out):
            return
        self.timer.stop()
        self._show_latest()
        if plan_failed:
            self._save_and_quit(2, str(w.plan_error))
        elif no_source:  # as the mirror and the monitor say it (a fifteenth audit saw "timed out", exit 1)
            self._save_and_quit(2, f"error: the source could not be used: {w.source_problem} (the screenshot "
                                   "shows the window)")  # fmt: skip
        elif timed_out and not done:
            self._save_and_quit(1, "timed out before the frames were processed; saved what was on screen")
        else:
            self._save_and_quit(0)


def launch_exercise(
    exercise_or_plan: str | Path | Plan,
    source: str = "0",
    profile: str | None = None,
    frames: int | None = None,
    screenshot: str | None = None,
    data_dir: str | None = None,
    camera: str | None = None,
    model: str | None = None,
    max_people: int | None = None,
    follow: bool | None = None,
) -> int:
    """Open the exercise window on ``source`` with this exercise or plan; returns the exit code.

    ``camera``: a stored calibration's name (``calibrate camera``) or ``level``; None = the camera's
    vertical from the scene's lines over the first 1.5 s (as the app). ``model``, ``max_people`` and
    ``follow``: the pose model's options (``exercise --model/--max-people/--follow``); None = the
    window's defaults (the bundled full model, 2 people, not following).

    ``exercise_or_plan``: a built-in name, a plan or exercise-definition ``.toml``, or a loaded
    ``Plan`` (the ``exercise`` command's, with its ``--side/--reps/--sets/--hold`` applied).

    With ``screenshot`` (offscreen where there is no display) it processes ``frames`` frames of
    the source (every frame, no instruction/countdown/rest waits), saves the window as PNG and
    quits. A plan that does not validate raises ``PlanError`` before any window opens.
    """

    vertical: dict[str, Any] = {}
    if camera is not None:
        from posture_feedback.commands.analyze import camera_up, camera_up_uncertainty

        vertical = {"scene_vertical": False, "camera_up": camera_up(camera),
                    "camera_up_uncertainty": camera_up_uncertainty(camera)}  # fmt: skip
    pose = {k: v for k, v in (("model", model), ("max_people", max_people), ("follow", follow)) if v is not None}

    def build(spec: Any, max_frames: int | None, scripted: bool) -> ExerciseWindow:
        return ExerciseWindow(
            ExerciseOptions(
                source=spec, what=exercise_or_plan, profile=profile, data_dir=data_dir, max_frames=max_frames,
                realtime=not scripted, loop=not scripted, no_waits=scripted, autostart=True, **vertical, **pose,
            )
        )  # fmt: skip

    # a bad plan is refused before any window opens, with file, line and field
    return launch_session(
        build, _ScreenshotDriver, source, frames, screenshot, check=lambda: load_exercise_or_plan(exercise_or_plan)
    )
