"""The mirror window: live picture with overlays, one gauge per target, one cue, and the status line.

The window only displays what the core computed (``FrameResult``: angles, ``TargetState`` list,
cue) and forwards intent to the worker thread (click on a person → ``Pipeline.request_target``;
preset, edited ranges, neutral → ``Pipeline.set_targets``). Nothing is measured here.

Latency is measured end to end for each frame shown: from ``Frame.captured_at`` (the moment
the frame was read from the camera) to the end of painting it (``time.perf_counter``).
"""

from __future__ import annotations

import collections
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PyQt6.QtCore import QStandardPaths, Qt, QTimer
from PyQt6.QtGui import QAction, QCloseEvent, QGuiApplication, QResizeEvent
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QStatusBar,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from posture_feedback.annotate import AngleAnnotator, SkeletonAnnotator
from posture_feedback.auto_preset import AUTO, AutoPresetSelector, view_advice
from posture_feedback.calibration.neutral import refusal_reason
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.exercises.events import CORRECTION, NEUTRAL
from posture_feedback.feedback import cue_verdict, nobody_followed_text, uncertain_text
from posture_feedback.framing import Framing, classify_framing
from posture_feedback.presets import PRESETS, get_preset
from posture_feedback.targets import TargetSet, load_targets, relative_without_neutral
from posture_feedback.types import FrameResult, Verdict
from posture_feedback.ui.feature_menus import install_feature_menus
from posture_feedback.ui.gauges import GaugePanel
from posture_feedback.ui.ghost import AnchoredGhostAnnotator, GhostPose
from posture_feedback.ui.options import DEFAULT_PRESET, AppOptions
from posture_feedback.ui.render import Rendered
from posture_feedback.ui.session_base import display_box, make_cue_label, save_window_png, stop_worker
from posture_feedback.ui.shortcuts import SHORTCUTS, HelpDialog, add_shortcut_actions
from posture_feedback.ui.sound import Sounds
from posture_feedback.ui.source_page import SourcePage
from posture_feedback.ui.storage_link import open_profile, profile_flag
from posture_feedback.ui.video_view import VideoView
from posture_feedback.ui.worker import FrameWorker, camera_name, describe_source, is_camera_spec
from posture_feedback.words import without_negative_zero

log = logging.getLogger(__name__)

_OUT = (Verdict.LOW, Verdict.HIGH)
_CUE_STYLE = "QLabel {{ background: #202024; color: {colour}; font-size: {size}pt; font-weight: bold; padding: 8px }}"
#: Seconds a message of the window's own ("Neutral set — ranges now follow your own posture", a failed
#: capture) holds the cue line before the pipeline's cues take it back: nine words at a slow reading
#: pace of about 2.5 words/s (this tool's own value). Replaced on the next frame, it was gone within a
#: second (an audit, 2026-12).
MESSAGE_HOLD_S = 4.0
PROCESSING_FAILED = "Processing could not start"  #: the page title when the model or pipeline fails
NOBODY_TEXT = nobody_followed_text(0)  #: "Step into view": only when nobody at all is in view
#: The worker signals the window connects (disconnected when the worker stops).
_WORKER_SIGNALS = ("frameReady", "sourceOpened", "sourceFailed", "disconnected", "ended", "failed", "neutralCaptured",
                   "neutralFailed", "targetRequested")  # fmt: skip


def make_pipeline_factory(options: AppOptions, target_set: TargetSet | None, neutral: dict[str, float] | None):
    """A function building the pipeline on the worker thread with the app's model options."""

    def make() -> Any:
        from posture_feedback.pipeline import Pipeline, PipelineOptions, with_side_doubt
        from posture_feedback.pose import PoseOptions

        pipe_options = options.pipeline
        if pipe_options is None:
            if options.max_people < 1:
                raise PostureFeedbackError("--max-people must be at least 1")
            pipe_options = PipelineOptions(pose=PoseOptions(model=options.model, max_people=options.max_people))
        if options.camera_up is not None:
            pipe_options = replace(pipe_options, up=options.camera_up, up_uncertainty_deg=options.camera_up_uncertainty)
        if pipe_options.follow.enabled and options.realtime:  # live: the multi-person pass on the other core
            # Not for --frames N (scripted, every frame processed): on a thread the pass lands on
            # whichever frame is current when it finishes, so with two people in view each run showed
            # another picture (an audit: four therapist shots, goniometer 35-41°); in line it is
            # reproducible to the pixel.
            pipe_options = replace(pipe_options, follow=replace(pipe_options.follow, background=True))
        # live: frames dropped, the sides settle slower (a config's 0 turns it off)
        return Pipeline(with_side_doubt(pipe_options, options.realtime), target_set, neutral)

    return make


def initial_target_set(options: AppOptions) -> tuple[TargetSet | None, str | None]:
    """(target set, preset name or None) from the options: explicit set, then file, then preset."""
    if options.target_set is not None:
        return options.target_set, None
    if options.targets_file is not None:
        return load_targets(options.targets_file), None
    name = options.preset or DEFAULT_PRESET
    if name == "none":
        return None, "none"
    return get_preset(name), name


#: How ``not_judged_advice`` and the ``auto`` selector's reason start when the framing leaves out the hips.
HIPS_OUT = "Hips out of view: "


def not_judged_advice(result: FrameResult, names: Mapping[str, str] | None = None) -> str | None:
    """Why targets of a chosen set read "—": the view ("oblique view, not judged: turn to face the camera or
    side-on", ``auto_preset.view_advice``, when no target is judged), or the hips out of the picture ("Hips out
    of view: Hips level, Trunk centred not judged", ``names``: target id → its display name). None when
    nobody is followed (the cue line says so) or neither is the reason. The therapist view of the two-person
    lab clip showed four empty gauges, and of the desk crop two, with nothing saying why (audit 30)."""
    if not result.person_found or not result.targets:
        return None
    if all(s.verdict is Verdict.UNKNOWN for s in result.targets):
        advice = view_advice(result.view)
        if advice is not None:
            return advice
    unknown = [s for s in result.targets if s.verdict is Verdict.UNKNOWN and s.low == s.low]  # (not "set neutral")
    if unknown and classify_framing(result.landmarks) is Framing.HEAD_CHEST:
        shown = ", ".join((names or {}).get(s.target, s.target.replace("_", " ")) for s in unknown)
        return f"{HIPS_OUT}{shown} not judged"
    return None


def view_text(result: FrameResult) -> str:
    """'View: front (+12°)': the view and the person's facing azimuth (degrees, rounded; an azimuth
    that rounds to zero reads "+0°", never "-0°", audit 30), and whether left and right are in doubt."""
    azimuth = result.azimuth_deg
    found = result.person_found
    return (
        f"View: {result.view.value}"
        + (f" ({without_negative_zero(azimuth):+.0f}°)" if found and not math.isnan(azimuth) else "")
        + (" — left and right in doubt: not judged" if found and result.sides_in_doubt else "")
    )


class LiveStats:
    """End-to-end latency and displayed-frame counts of the frames shown (GUI thread only)."""

    def __init__(self, keep_all: bool = False) -> None:
        self.recent_ms: collections.deque[float] = collections.deque(maxlen=300)
        self.shown_at: collections.deque[float] = collections.deque(maxlen=120)
        self.all_ms: list[float] | None = [] if keep_all else None
        self.shown = 0

    def add(self, latency_ms: float, t: float) -> None:
        self.recent_ms.append(latency_ms)
        self.shown_at.append(t)
        self.shown += 1
        if self.all_ms is not None:
            self.all_ms.append(latency_ms)

    def shown_fps(self) -> float:
        if len(self.shown_at) < 2 or self.shown_at[-1] <= self.shown_at[0]:
            return math.nan
        return (len(self.shown_at) - 1) / (self.shown_at[-1] - self.shown_at[0])

    def latency(self, q: float = 50.0) -> float:
        return float(np.percentile(self.recent_ms, q)) if self.recent_ms else math.nan


class MainWindow(QMainWindow):
    """The mirror window (see module docstring)."""

    def __init__(self, options: AppOptions | None = None) -> None:
        super().__init__()
        self.options = options or AppOptions()
        opts = self.options
        self.setWindowTitle("Posture Feedback")
        self.target_set, self.preset_name = initial_target_set(opts)
        self._names_of: object = False  # the set ``_names`` was built for (False: none yet)
        self._names: dict[str, str] = {}
        self.neutral: dict[str, float] | None = None
        self.ghost: GhostPose | None = None
        self.ghost_visible = True
        self.therapist = False
        self.frozen = False
        self.last_result: FrameResult | None = None
        self.last_rendered: Rendered | None = None
        self.stats = LiveStats(keep_all=opts.record_latency)
        self._mirror_user: bool | None = opts.mirror
        self._verdicts: dict[str, Verdict] = {}
        self._neutral_countdown = 0
        self.worker: FrameWorker | None = None
        self.source_spec: Any = opts.source
        self.sounds = Sounds(enabled=opts.sound if opts.sound is not None else not opts.therapist)
        self._sound_user = opts.sound is not None

        self.link = open_profile(opts)
        #: The profile's accessibility settings (``profile set --large-type on --spoken-guidance on``).
        self.large_type = profile_flag(self.link, "large_type")
        self.spoken: Any = None  # ui.spoken_cues.SpokenCues: says the cue line, one short cue at a time
        self._cue_tone = NEUTRAL  # what the cue line shows: a correction or a neutral message (exercises.events)
        self._message_until = -math.inf  # the window's own message holds the cue line until then (self.clock)
        self.clock = time.monotonic  #: seconds, for the message hold (replaceable in tests)
        if profile_flag(self.link, "spoken_guidance"):
            from posture_feedback.ui.spoken_cues import SpokenCues

            self.spoken = SpokenCues("mirror")
        self.history: QWidget | None = None
        self._neutral_problem: str | None = None
        #: Follows posture, view and framing for the ``auto`` preset (its posture picks the neutral).
        self._auto_selector = AutoPresetSelector()
        #: The posture the neutral in use belongs to ("sitting"/"standing"; the neutral may be None).
        self._neutral_posture: str | None = None
        #: Neutrals set in this session, per posture: (angles, the ghost captured with them).
        self._session_neutrals: dict[str, tuple[dict[str, float], GhostPose | None]] = {}
        #: Which neutral ``self.neutral`` is, in words ("the neutral saved 2026-11-10 (standing)"), None
        #: without one: a failed capture says the targets still follow it.
        self._neutral_in_use: str | None = None
        saved_neutral = self._load_saved_neutral()
        self._build_ui()
        self._build_actions()
        self._show_saved_neutral(saved_neutral)
        self._tell_missing_neutral()
        self.status_timer = QTimer(self)
        self.status_timer.timeout.connect(self._update_status)
        self.status_timer.start(250)
        self.set_therapist(opts.therapist, fullscreen=opts.therapist and opts.screenshot is None)
        self.open_source(opts.source)
        install_feature_menus(self)
        if self.large_type:  # the same large-type, high-contrast mode as the Session menu's windows
            from posture_feedback.ui.accessibility import apply_large_type

            apply_large_type(self)

    # ------------------------------------------------------------------ construction
    def _build_ui(self) -> None:
        # Scoped to the window's own central widget: an unscoped "QLabel { color: #eee }" is inherited by every
        # dialog the window owns (help, profiles, confirmations) and made their text invisible on a light background.
        self.setStyleSheet(
            "QMainWindow, QWidget#central { background: #18181c } QWidget#central QLabel { color: #eee }"
        )
        central = QWidget(self)
        central.setObjectName("central")
        if self.link is None:
            self.setCentralWidget(central)
            self.tabs = None
        else:
            self.tabs = QTabWidget(self)
            self.tabs.addTab(central, "Mirror")
            self.tabs.addTab(QLabel("Loading the history…"), f"History — {self.link.profile_name}")
            self.tabs.currentChanged.connect(self._on_tab_changed)
            self.setCentralWidget(self.tabs)
        row = QHBoxLayout(central)
        row.setContentsMargins(4, 4, 4, 4)

        self.stack = QStackedWidget(self)
        video_page = QWidget()
        col = QVBoxLayout(video_page)
        col.setContentsMargins(0, 0, 0, 0)
        self.video = VideoView(video_page)
        self.video.on_shown = self._on_shown
        self.video.personClicked.connect(self._on_person_clicked)
        self.video.goniometerChanged.connect(self._on_goniometer)
        self.video.resizeEvent = self._video_resized  # type: ignore[method-assign]
        col.addWidget(self.video, 1)
        self.cue_label = make_cue_label(56)
        col.addWidget(self.cue_label)
        self.stack.addWidget(video_page)
        self.source_page = SourcePage(self)
        self.source_page.sourceChosen.connect(self.open_source)
        self.stack.addWidget(self.source_page)
        row.addWidget(self.stack, 1)

        side = QWidget(self)
        side.setFixedWidth(340)
        side_col = QVBoxLayout(side)
        side_col.setContentsMargins(4, 0, 0, 0)
        self.set_label = QLabel("")
        self.set_label.setWordWrap(True)
        self.set_label.setStyleSheet("font-size: 12pt; font-weight: bold")
        side_col.addWidget(self.set_label)
        #: ``auto`` only: why it chose the set ("Hips out of view: sitting assumed"; ``AutoPresetSelector.reason``)
        self.auto_reason_label = QLabel("")
        self.auto_reason_label.setWordWrap(True)
        self.auto_reason_label.setStyleSheet("color: #bbb")
        self.auto_reason_label.setVisible(False)
        side_col.addWidget(self.auto_reason_label)
        self.view_label = QLabel("")
        self.view_label.setStyleSheet("color: #bbb")
        side_col.addWidget(self.view_label)
        self.gauges = GaugePanel(side)
        scroll = QScrollArea(side)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.gauges)
        scroll.setStyleSheet("QScrollArea { border: none; background: transparent }")
        self.gauges.setStyleSheet("background: #18181c")
        side_col.addWidget(scroll, 1)
        self.gonio_label = QLabel("")
        self.gonio_label.setStyleSheet("color: #ffdc28; font-size: 20pt; font-weight: bold")
        self.gonio_label.setVisible(False)
        self.gonio_label.setWordWrap(True)
        side_col.addWidget(self.gonio_label)
        self.unsure_label = QLabel("")  # why a gauge says UNSURE, and what helps (feedback.uncertain_text)
        self.unsure_label.setWordWrap(True)
        self.unsure_label.setStyleSheet("color: #bbb")
        self.unsure_label.setVisible(False)
        side_col.addWidget(self.unsure_label)
        self.neutral_label = QLabel("Neutral: not set (press N)")
        self.neutral_label.setWordWrap(True)
        self.neutral_label.setStyleSheet("color: #bbb")
        side_col.addWidget(self.neutral_label)
        row.addWidget(side)
        self.side_panel = side

        sb = self.statusBar()
        sb.setStyleSheet("QStatusBar { background: #101014; color: #ddd } QLabel { color: #ddd; padding: 0 8px }")
        self.source_status = QLabel("")
        self.fps_status = QLabel("")
        self.latency_status = QLabel("")
        self.people_status = QLabel("")
        self._add_status_labels(sb)
        self._apply_target_set()

    def _add_status_labels(self, sb: QStatusBar) -> None:
        """The four status texts in one row, or, in large type, in two rows (at 18 pt one row was cut)."""
        labels = (self.source_status, self.people_status, self.fps_status, self.latency_status)
        if not self.large_type:
            for w in (self.source_status, self.fps_status, self.latency_status, self.people_status):
                sb.addPermanentWidget(w)
            return
        grid_widget = QWidget(sb)
        grid = QGridLayout(grid_widget)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(0)
        for i, w in enumerate(labels):
            grid.addWidget(w, i // 2, i % 2)
        grid.setColumnStretch(1, 1)
        sb.addPermanentWidget(grid_widget, 1)

    def _toolbar(self, title: str) -> QToolBar:
        """A fixed toolbar added to the window (on a row of its own when the window already has one)."""
        if self.findChildren(QToolBar):
            self.addToolBarBreak()
        tb = QToolBar(title, self)
        tb.setMovable(False)
        tb.setStyleSheet("QToolBar { background: #26262b; spacing: 6px } QLabel, QCheckBox { color: #eee }")
        self.addToolBar(tb)
        return tb

    def _build_actions(self) -> None:
        tb = self._toolbar("Controls")
        tb.addWidget(QLabel(" Targets: "))
        self.preset_combo = QComboBox(self)
        for name, ts in PRESETS.items():
            self.preset_combo.addItem(ts.label or name, name)
        if self.target_set is not None and self.preset_name is None:
            self.preset_combo.insertItem(0, f"{self.target_set.label or self.target_set.name} (file)", "__custom__")
        self.preset_combo.addItem("None (measure only)", "none")
        current = self.preset_name if self.preset_name is not None else "__custom__"
        self.preset_combo.setCurrentIndex(max(0, self.preset_combo.findData(current)))
        self.preset_combo.currentIndexChanged.connect(self._on_preset_changed)
        self._custom_set = self.target_set if self.preset_name is None else None
        tb.addWidget(self.preset_combo)
        self.neutral_button = QPushButton("Set neutral")
        self.neutral_button.setToolTip("Hold your best comfortable posture for 3 seconds (N)")
        self.neutral_button.clicked.connect(self.set_neutral)
        tb.addWidget(self.neutral_button)
        self.edit_button = QPushButton("Edit ranges…")
        self.edit_button.clicked.connect(self.edit_ranges)
        tb.addWidget(self.edit_button)
        if self.large_type:  # at 18 pt one row hid Goniometer, Freeze and Help in the overflow (»): two rows
            tb = self._toolbar("View")
        self.mirror_check = QCheckBox("Mirror")
        self.mirror_check.toggled.connect(self._on_mirror_toggled)
        tb.addWidget(self.mirror_check)
        self.sound_check = QCheckBox("Sound")
        self.sound_check.setChecked(self.sounds.enabled)
        self.sound_check.toggled.connect(self._on_sound_toggled)
        tb.addWidget(self.sound_check)
        self.therapist_check = QCheckBox("Therapist view")
        self.therapist_check.toggled.connect(lambda on: self.set_therapist(on, fullscreen=False))
        tb.addWidget(self.therapist_check)
        self.gonio_button = QPushButton("Goniometer")
        self.gonio_button.setCheckable(True)
        self.gonio_button.toggled.connect(self._set_goniometer)
        tb.addWidget(self.gonio_button)
        self.freeze_button = QPushButton("Freeze")
        self.freeze_button.setCheckable(True)
        self.freeze_button.toggled.connect(self._set_frozen)
        tb.addWidget(self.freeze_button)
        help_button = QPushButton("Help (F1)")
        help_button.clicked.connect(self.show_help)
        tb.addWidget(help_button)

        # Buttons never take the keyboard focus, so Space, F, T… always reach the window's shortcuts.
        for w in (self.neutral_button, self.edit_button, self.mirror_check, self.sound_check, self.therapist_check,
                  self.gonio_button, self.freeze_button, help_button):  # fmt: skip
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.preset_combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

        self.actions_by_name: dict[str, QAction] = add_shortcut_actions(self, SHORTCUTS)

    # ------------------------------------------------------------------ sources & worker
    def open_source(self, spec: Any) -> None:
        """Stop the current source (if any) and start processing ``spec``."""
        self._stop_worker()
        self.source_spec = spec
        self.last_result = None
        self._verdicts = {}
        mirror = self._mirror_user if self._mirror_user is not None else is_camera_spec(spec)
        self.mirror_check.blockSignals(True)
        self.mirror_check.setChecked(mirror)
        self.mirror_check.blockSignals(False)
        self.stack.setCurrentIndex(0)
        self.video.show_placeholder(f"Opening {describe_source(spec)}…")
        opts = self.options
        worker = FrameWorker(
            spec,
            make_pipeline_factory(opts, self.target_set, self.neutral),
            realtime=opts.realtime,
            loop=opts.loop,
            max_frames=opts.max_frames,
            annotators=self._annotators(),
            mirror=mirror,
            display_box=display_box(self.video),
        )
        worker.frameReady.connect(self._on_frame_ready)
        worker.sourceOpened.connect(self._on_source_opened)
        worker.sourceFailed.connect(self._on_source_failed)
        worker.disconnected.connect(self._on_disconnected)
        worker.ended.connect(self._on_ended)
        worker.failed.connect(self._on_failed)
        worker.neutralCaptured.connect(self._on_neutral_captured)
        worker.neutralFailed.connect(self._on_neutral_failed)
        worker.targetRequested.connect(self._on_target_requested)
        self.configure_worker(worker)
        self.worker = worker
        worker.start()

    def configure_worker(self, worker: FrameWorker) -> None:
        """Hook for subclasses (the posture monitor paces its worker)."""

    def _stop_worker(self) -> None:
        if self.worker is not None:
            w, self.worker = self.worker, None
            stop_worker(w, _WORKER_SIGNALS)

    def _annotators(self) -> tuple:
        annotators: list = []
        if self.ghost is not None and self.ghost_visible:
            annotators.append(AnchoredGhostAnnotator(self.ghost))
        annotators += [SkeletonAnnotator(), AngleAnnotator()]
        return tuple(annotators)

    def _refresh_annotators(self) -> None:
        if self.worker is not None:
            self.worker.annotators = self._annotators()

    def _video_resized(self, event: QResizeEvent) -> None:
        VideoView.resizeEvent(self.video, event)
        if self.worker is not None:
            self.worker.display_box = display_box(self.video)

    # ------------------------------------------------------------------ worker signals
    def _on_source_opened(self, name: str, live: bool, fps: float) -> None:
        if self.large_type:  # the file's name, not its folders: a long path was cut at 18 pt
            self.source_status.setToolTip(name)
            name = Path(name).name or name
        self.source_status.setText(f"{name} · {fps:.0f} fps")
        self.video.show_placeholder("Loading the pose model…")

    def _show_page(self, title: str, message: str, retry: Any = None) -> None:
        self.stack.setCurrentIndex(1)
        self.source_page.show_problem(title, message, retry_spec=retry)
        self.cue_label.setText("")

    def _on_source_failed(self, message: str) -> None:
        if is_camera_spec(self.source_spec):
            message = message.split("; try --source")[0]  # the window offers the choices itself
            self._show_page(
                "No webcam could be opened",
                f"{message}.\nYou can try the bundled sample video, another camera, or a video file.",
                retry=self.source_spec,
            )
        else:
            self._show_page("The source could not be opened", message, retry=None)
        self.source_status.setText(f"{describe_source(self.source_spec)}: not available")

    def _on_disconnected(self, message: str) -> None:
        self._show_page(
            "The camera stopped",
            f"{message}.\nYour targets, neutral and today's totals are kept. Plug the camera back in and reconnect, "
            "or choose another source.",
            retry=self.source_spec,
        )
        self.source_status.setText(f"{describe_source(self.source_spec)}: disconnected")

    def _on_ended(self) -> None:
        if self.last_rendered is not None:  # keep the last picture (a still image, or a video's last frame)
            self.people_status.setText("End of the source")
            self.statusBar().showMessage(f"End of {describe_source(self.source_spec)}", 5000)
            return
        self._show_page("The video ended", "Play it again, or choose another source.", retry=self.source_spec)

    def _on_failed(self, message: str) -> None:
        self._show_page(PROCESSING_FAILED, message, retry=self.source_spec)

    def _on_frame_ready(self) -> None:
        worker = self.worker
        if worker is None:
            return
        rendered = worker.take_latest()
        if rendered is None or self.frozen:
            return
        if self.stack.currentIndex() != 0:
            self.stack.setCurrentIndex(0)
        self.last_rendered = rendered
        self.last_result = rendered.result
        self.video.show_frame(rendered)
        self.show_result(rendered.result)
        if self.preset_name == "auto":
            self._follow_auto_preset(rendered.result)

    def _follow_auto_preset(self, result: FrameResult) -> None:
        """The ``auto`` preset: switch to the built-in set that fits posture and view (``auto_preset``),
        and to the neutral of the posture it now judges."""
        selector = self._auto_selector
        chosen = selector.update(result)
        if chosen is None and self.target_set is not None and self.target_set.name == AUTO:
            chosen = selector.current  # reset to "auto" (a new neutral, the menu): re-apply the choice
        if chosen is not None:
            self._neutral_follows_posture()
            self.target_set = get_preset(chosen, baseline=self.neutral is not None)
            self._apply_target_set()
            self.set_label.setText(f"Automatic: {self.target_set.label}")
        reason = selector.reason
        # and which of the chosen set's gauges the framing leaves at "—": "Hips out of view: sitting assumed"
        # said nothing of the "Trunk centred —" beside it (the chosen sets said it since audit 30)
        hips = not_judged_advice(result, self._target_names())
        if hips is not None and hips.startswith(HIPS_OUT):
            reason = f"{reason}; {hips.removeprefix(HIPS_OUT)}" if reason.startswith(HIPS_OUT) else (
                f"{reason}; {hips}" if reason else hips)  # fmt: skip
        if reason != self.auto_reason_label.text():
            self.auto_reason_label.setText(reason)
        self.auto_reason_label.setVisible(bool(reason))

    def show_result(self, result: FrameResult) -> None:
        """Update the side panel, the cue line and the sounds from one frame's result."""
        self.gauges.update_states(result.targets, self.neutral, result.angles if result.person_found else None)
        if self.preset_name != AUTO:  # a chosen set: why every gauge reads "—" (``auto`` says it in its reason)
            advice = not_judged_advice(result, self._target_names())
            if (advice or "") != self.auto_reason_label.text():
                self.auto_reason_label.setText(advice or "")
            self.auto_reason_label.setVisible(advice is not None)
        unsure = uncertain_text(result.targets, result.vertical, self._target_names())
        if (unsure or "") != self.unsure_label.text():
            self.unsure_label.setText(unsure or "")
            self.unsure_label.setVisible(unsure is not None)
        if self._neutral_countdown > 0 or self.clock() < self._message_until:
            pass  # the countdown, or the window's own message (MESSAGE_HOLD_S), owns the cue line
        elif not result.person_found:  # nobody followed: say what to do (the gauges show "—", no verdict)
            self._set_cue(nobody_followed_text(len(result.people), result.target_pending), "#bbbbbb")
        else:  # the pipeline's cue: a correction (CueSelector only cues targets out of range)
            self._set_cue(result.cue or "", "#ffffff", tone=CORRECTION)
        if self.spoken is not None and self._neutral_countdown <= 0:  # the profile's spoken guidance
            self.spoken.update(result.frame.captured_at, self.cue_label.text(), audible=self.sounds.enabled,
                               tone=self._cue_tone)  # fmt: skip
        self.view_label.setText(view_text(result))
        # Sounds follow the debounced cue verdict: like a new cue, a sound may be delayed, never flicker.
        for s in result.targets:
            now = cue_verdict(s)
            before = self._verdicts.get(s.target)
            if before is not None and before != now:
                if now is Verdict.IN_RANGE and before in _OUT:
                    self.sounds.entered()
                elif now in _OUT and before is Verdict.IN_RANGE:
                    self.sounds.left()
            if now.judged:
                self._verdicts[s.target] = now

    def _hold_message(self, text: str, colour: str) -> None:
        """Show the window's own message on the cue line for ``MESSAGE_HOLD_S`` seconds (readable), then
        the pipeline's cues again."""
        self._set_cue(text, colour)
        self._message_until = self.clock() + MESSAGE_HOLD_S

    def _set_cue(self, text: str, colour: str, tone: str = NEUTRAL) -> None:
        """Show ``text`` on the cue line; ``tone`` (``exercises.events``) is what a tones-only speaker plays for it."""
        self._cue_tone = tone
        self.cue_label.setText(text)
        size = 30 if self.therapist or self.large_type else 22
        self.cue_label.setStyleSheet(_CUE_STYLE.format(colour=colour, size=size))

    def _on_shown(self, rendered: Rendered, t: float) -> None:
        self.stats.add((t - rendered.result.frame.captured_at) * 1000.0, t)

    def _update_status(self) -> None:
        w = self.worker
        if w is None:
            return
        st = w.stats
        shown = self.stats.shown_fps()
        self.fps_status.setText(
            f"processing {st.proc_fps:4.1f} fps · shown {shown:4.1f} fps" if st.proc_fps == st.proc_fps else ""
        )
        lat = self.stats.latency(50)
        if lat == lat:
            self.latency_status.setText(f"latency {lat:.0f} ms (p95 {self.stats.latency(95):.0f})")
        r = self.last_result
        if w.paused:
            self.people_status.setText("Paused (Space)")
        elif self.frozen:
            self.people_status.setText("Frozen (F)")
        elif r is not None:
            n = len(r.people)
            if not r.person_found:
                self.people_status.setText(nobody_followed_text(n))
            else:
                self.people_status.setText(f"{n} {'person' if n == 1 else 'people'} in view")

    # ------------------------------------------------------------------ user intent
    def _on_person_clicked(self, x: float, y: float) -> None:
        if self.worker is not None:
            self.worker.request_target((x, y))  # the answer comes back as targetRequested

    def _on_target_requested(self, found: bool) -> None:
        """Whether a click (or T) found someone: never a silent no-op."""
        if found:
            self.statusBar().showMessage("Following the person you clicked", 3000)
        else:
            self.statusBar().showMessage("Nobody there: click on a person to follow them", 4000)

    def _on_preset_changed(self, _index: int) -> None:
        data = self.preset_combo.currentData()
        if data == "__custom__":
            self.target_set, self.preset_name = self._custom_set, None
            self._neutral_follows_posture()
        elif data == "none":
            self.target_set, self.preset_name = None, "none"
        else:
            self.preset_name = data
            self._neutral_follows_posture()
            self.target_set = get_preset(data, baseline=self.neutral is not None)
        self._apply_target_set()

    def _target_names(self) -> dict[str, str]:
        """Target id → its gauge's name (``Target.display_name``) in the set judged now; built once a set,
        not every frame (the panel's reasons ask for it on each)."""
        ts = self.target_set
        if ts is not self._names_of:
            self._names_of = ts
            self._names = {t.id: t.display_name for t in ts.targets} if ts is not None else {}
        return self._names

    def _apply_target_set(self) -> None:
        ts = self.target_set
        self.gauges.set_targets(ts)
        self.set_label.setText(ts.label or ts.name if ts is not None else "Measuring only")
        self.set_label.setToolTip(ts.description if ts is not None else "")
        if self.preset_name != AUTO:
            self.auto_reason_label.setVisible(False)
        self._verdicts = {}
        if self.worker is not None:
            self.worker.set_targets(ts, self.neutral)
        self._tell_missing_neutral()

    def _tell_missing_neutral(self, left_out: Mapping[str, float] | None = None) -> None:
        """Relative targets without a neutral for their angle are not judged: say so, and how to fix it.
        ``left_out``: the angles the neutral just captured left out for their ± (``NeutralPosture.left_out``,
        name → ± degrees), named as such beside their targets."""
        missing = relative_without_neutral(self.target_set, self.neutral)
        if not missing:
            return
        left_out = left_out or {}
        names = ", ".join(
            t.display_name + (f" (left out: ±{left_out[t.angle]:.0f}°)" if t.angle in left_out else "") for t in missing
        )
        problem = getattr(self, "_neutral_problem", None)
        if problem and not self.neutral:  # keep the reason the saved neutral was not used
            self.neutral_label.setText(f"{problem}. Not judged until then: {names}")
            return
        what = "no neutral yet" if not self.neutral else "the neutral has no value for it: set it in the view it needs"
        if self.neutral and any(t.angle in left_out for t in missing):  # calibration.neutral: "Within the bound"
            from posture_feedback.kinematics import UP_DEPENDENT_ANGLES, VALID_MAX_UNCERTAINTY

            what = f"the neutral left it out, its ± over {VALID_MAX_UNCERTAINTY:g}°: "
            if any(t.angle in left_out and t.angle in UP_DEPENDENT_ANGLES for t in missing):
                what += ("angles against the vertical carry the camera's unknown tilt (calibrate the camera: "
                         "`calibrate camera`, then --camera NAME); else ")
            what += "set it in the view it needs, the joints in full view"
        self.neutral_label.setText(f"Not judged until you set your neutral (N): {names} ({what})")

    def apply_target_set(self, target_set: TargetSet | None) -> None:
        """Use this target set from now on (e.g. edited ranges)."""
        self.target_set = target_set
        self.preset_name = None
        self._custom_set = target_set
        if target_set is not None:
            label = f"{target_set.label or target_set.name} (edited)"
            i = self.preset_combo.findData("__custom__")
            self.preset_combo.blockSignals(True)
            if i < 0:
                self.preset_combo.insertItem(0, label, "__custom__")
                i = 0
            else:
                self.preset_combo.setItemText(i, label)
            self.preset_combo.setCurrentIndex(i)
            self.preset_combo.blockSignals(False)
        self._apply_target_set()

    def set_neutral(self) -> None:
        """Capture the person's neutral over ``neutral_seconds`` seconds (N)."""
        if self.worker is None or self._neutral_countdown > 0:
            return
        posture = self._posture()
        seconds = self.options.neutral_seconds
        view = self.target_set.view if self.target_set is not None else None  # the preset's view, if it has one
        self.worker.capture_neutral(seconds, posture, view)
        self._message_until = -math.inf
        self._neutral_countdown = max(1, math.ceil(seconds))
        self._tick_countdown()

    def _tick_countdown(self) -> None:
        if self._neutral_countdown <= 0:
            return
        self._set_cue(f"Hold your best posture… {self._neutral_countdown}", "#ffdc28")
        self._neutral_countdown -= 1
        if self._neutral_countdown > 0:
            QTimer.singleShot(1000, self._tick_countdown)

    def _posture(self) -> str:
        """The posture judged now, whose neutral is used and set (neutrals are kept per posture).

        ``auto``: the selector's posture (read from the hips and knees, or assumed at the start);
        else "standing" for the standing sets (an edited one too: its name starts the same) and
        "sitting" for the rest. Before, ``auto`` always gave "sitting": a neutral set standing was
        stored and used as a sitting one (a seventeenth audit)."""
        if self.preset_name == AUTO:
            return self._auto_selector.posture
        name = self.preset_name or (self.target_set.name if self.target_set is not None else "")
        return "standing" if name.startswith("standing") else "sitting"

    def _neutral_follows_posture(self) -> None:
        """When the posture judged changes (``auto`` switched, another preset chosen), use that posture's
        neutral: the one set this session, else the profile's newest saved one, else none. A sitting
        neutral never judges standing targets (their angles differ: pelvis, trunk)."""
        posture = self._posture()
        if posture == self._neutral_posture:
            return
        old = self._session_neutrals.get(self._neutral_posture or "")
        neutral_ghost = old is not None and old[1] is not None and self.ghost is old[1]
        self.neutral, self._neutral_problem, self._neutral_in_use = None, None, None
        kept = self._session_neutrals.get(posture)
        if kept is not None:
            self.neutral, self._neutral_posture = dict(kept[0]), posture
            self._neutral_in_use = f"the neutral set this session ({posture})"
            self.neutral_label.setText(f"Neutral: set this session ({posture}, {len(self.neutral)} angles) — N to set "
                                       "it again")  # fmt: skip
        else:
            self._show_saved_neutral(self._load_saved_neutral())
        if neutral_ghost:  # the ghost shown was the old posture's neutral: show this posture's, if any
            self.ghost = kept[1] if kept is not None else None
            self._refresh_annotators()

    def _show_saved_neutral(self, saved: Any) -> None:
        """The neutral panel after loading a saved neutral (``_load_saved_neutral``'s result); the caller
        then applies the target set, which says which targets wait for a neutral."""
        if saved is not None:
            with_camera = f" with {saved.camera}" if saved.camera else ""
            self.neutral_label.setText(f"Neutral: saved {saved.created_at[:10]}{with_camera} "
                                       f"({saved.posture}, {len(saved.angles)} angles) — N to set it "
                                       "again")  # fmt: skip
        elif self._neutral_problem:
            self.neutral_label.setText(self._neutral_problem)
        else:
            self.neutral_label.setText(f"Neutral: not set for {self._neutral_posture} (press N)")

    def _source_now(self) -> object:
        """The source open now, else the one asked for (camera 0 is a source: not "or")."""
        spec = getattr(self, "source_spec", None)
        return self.options.source if spec is None else spec

    def _load_saved_neutral(self) -> Any:
        """With a profile: its newest neutral for the posture judged now (``_posture``) becomes the
        baseline (None if none; ``self.neutral`` is left as it was then)."""
        posture = self._neutral_posture = self._posture()
        if self.link is None:
            return None
        from posture_feedback.calibration.store import load_from_database

        try:
            saved = load_from_database(self.link.db, self.link.profile_id, "neutral", posture=posture)
            saved = saved.within_bound() if saved is not None else None  # older records: angles beyond ±15°
        except (PostureFeedbackError, ValueError, KeyError) as exc:
            log.warning("saved neutral not usable: %s", exc)
            self._neutral_problem = f"Saved neutral not usable ({exc}): press N to set it again"
            return None
        if saved is not None and not saved.angles:
            self._neutral_problem = "Saved neutral has no angles: press N to set it again"
            return None
        if saved is None:
            return None
        here = describe_source(self._source_now())
        if not saved.applies_to(here):
            # its tilts were measured with another camera's vertical and place (a seventh audit:
            # a saved neutral was applied to any camera, saying only its date)
            self._neutral_problem = (f"Saved neutral was set with {saved.camera}, not {here}: "
                                     "press N to set it again for this camera")  # fmt: skip
            return None
        self.neutral = dict(saved.angles)
        with_camera = f" with {saved.camera}" if saved.camera else ""
        self._neutral_in_use = f"the neutral saved {saved.created_at[:10]}{with_camera} ({saved.posture})"
        if self.preset_name not in (None, "none"):
            self.target_set = get_preset(self.preset_name, baseline=True)
        return saved

    def _on_neutral_captured(self, posture: Any, landmarks: Any) -> None:
        self._neutral_countdown = 0
        self._neutral_problem = None
        self.neutral = dict(posture.angles)
        self._neutral_posture = posture.posture
        self._neutral_in_use = f"the neutral set this session ({posture.posture})"
        running = self._source_now()
        posture = replace(posture, camera=camera_name(running))  # kept with the camera it holds for
        if self.link is not None:
            from posture_feedback.calibration.store import save_to_database

            try:
                save_to_database(self.link.db, self.link.profile_id, posture)
            except PostureFeedbackError as exc:
                self.statusBar().showMessage(f"Neutral not saved: {exc}", 5000)
        if self.preset_name not in (None, "none"):
            self.target_set = get_preset(self.preset_name, baseline=True)
        if landmarks is not None:
            self.ghost = GhostPose.from_landmarks(landmarks)
            self._refresh_annotators()
        self._session_neutrals[posture.posture] = (dict(self.neutral), self.ghost if landmarks is not None else None)
        self._apply_target_set()
        self.neutral_label.setText(f"Neutral set ({posture.posture}, {len(self.neutral)} angles): "
                                   f"{posture.values_text()}"  # each with its ± (the frames' 80 % half-width)
                                   + (f" {posture.left_out_text()}" if posture.left_out else ""))  # fmt: skip
        self._tell_missing_neutral(posture.left_out)
        self._hold_message("Neutral set — ranges now follow your own posture", "#ffffff")

    def _on_neutral_failed(self, message: str) -> None:
        """A capture failed (e.g. the person left): say why, and which neutral the targets still follow.

        With a neutral in use (saved, or set earlier this session) the targets and the title ("— from
        your neutral") keep following it, so the panel says so; "Neutral not set" beside them read as if
        there were none (an audit, 2026-12)."""
        self._neutral_countdown = 0
        message = refusal_reason(message)  # "Neutral not set: neutral refused: …" said it twice
        if self.neutral and self._neutral_in_use:
            self._hold_message(f"New neutral not captured: still using {self._neutral_in_use}", "#ffdc28")
            self.neutral_label.setText(f"New neutral not captured ({message}); still using {self._neutral_in_use} "
                                       "— N to try again")  # fmt: skip
        else:
            self._hold_message(f"Neutral not set: {message}", "#ffdc28")
            self.neutral_label.setText(f"Neutral not set: {message}")

    def edit_ranges(self) -> None:
        """Open the range editor for the active target set (Ctrl+E)."""
        from posture_feedback.ui.targets_dialog import TargetEditDialog

        if self.target_set is None:
            QMessageBox.information(self, "No targets", "Choose a preset first.")
            return
        dialog = TargetEditDialog(self.target_set, self.options.targets_file, self)
        if dialog.exec():
            self.apply_target_set(dialog.edited_set())

    # ------------------------------------------------------------------ shortcuts
    def toggle_pause(self) -> None:
        if self.worker is not None:
            self.worker.paused = not self.worker.paused
            self._update_status()

    def toggle_freeze(self) -> None:
        self.freeze_button.setChecked(not self.frozen)

    def _set_frozen(self, frozen: bool) -> None:
        self.frozen = frozen
        if not frozen and self.gonio_button.isChecked():
            self.gonio_button.setChecked(False)
        self._update_status()

    def next_person(self) -> None:
        """Make the next person in view the target (T)."""
        r = self.last_result
        if r is None or len(r.people) < 2 or self.worker is None:
            self.statusBar().showMessage("Only one person in view", 2000)
            return
        current = r.target_index if r.target_index is not None else -1
        nxt = r.people[(current + 1) % len(r.people)]
        self.worker.request_target(tuple(float(v) for v in nxt.center()))

    def toggle_fullscreen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def leave_fullscreen(self) -> None:
        if self.gonio_button.isChecked():
            self.gonio_button.setChecked(False)
        elif self.isFullScreen():
            self.showNormal()

    def toggle_mute(self) -> None:
        self.sound_check.setChecked(not self.sounds.enabled)

    def _on_sound_toggled(self, on: bool) -> None:
        self.sounds.enabled = on
        self._sound_user = True

    def toggle_goniometer(self) -> None:
        self.gonio_button.setChecked(not self.gonio_button.isChecked())

    def _set_goniometer(self, on: bool) -> None:
        if on and not self.frozen:
            self.freeze_button.setChecked(True)
        self.video.set_goniometer(on)
        self.gonio_label.setVisible(on)
        self.gonio_label.setText("Goniometer: click 3 points" if on else "")

    def _on_goniometer(self, angle: Any) -> None:
        if angle is None:
            self.gonio_label.setText("Goniometer: click 3 points")
        else:
            self.gonio_label.setText(f"Goniometer: {angle:.1f}°\nflexion (180° − θ): {180 - angle:.1f}°")

    def toggle_mirror(self) -> None:
        self.mirror_check.setChecked(not self.mirror_check.isChecked())

    def _on_mirror_toggled(self, on: bool) -> None:
        self._mirror_user = on
        if self.worker is not None:
            self.worker.mirror = on

    def toggle_therapist(self) -> None:
        self.therapist_check.setChecked(not self.therapist)

    def set_therapist(self, on: bool, fullscreen: bool = False) -> None:
        """Therapist view: large numbers, sound off (unless chosen), goniometer at hand; full screen if asked."""
        self.therapist = on
        if self.therapist_check.isChecked() != on:
            self.therapist_check.blockSignals(True)
            self.therapist_check.setChecked(on)
            self.therapist_check.blockSignals(False)
        big = on or self.large_type  # the profile's large type keeps the large gauges outside the therapist view
        self.gauges.set_large(big)
        self.video.big_text = big
        self.side_panel.setFixedWidth(460 if big else 340)
        if not self._sound_user:
            self.sounds.enabled = not on
            self.sound_check.blockSignals(True)
            self.sound_check.setChecked(self.sounds.enabled)
            self.sound_check.blockSignals(False)
        self._set_cue(self.cue_label.text(), "#ffffff")
        if on and fullscreen:
            self.show_on_best_screen()

    def show_on_best_screen(self) -> None:
        """Full screen on the second monitor if there is one (the therapist's display), else this one."""
        screens = QGuiApplication.screens()
        if len(screens) > 1:
            primary = QGuiApplication.primaryScreen()
            other = next((s for s in screens if s is not primary), screens[1])
            self.move(other.geometry().topLeft())
            if self.windowHandle() is not None:
                self.windowHandle().setScreen(other)
        self.showFullScreen()

    def toggle_ghost(self) -> None:
        if self.ghost is None and self.last_result is not None and self.last_result.landmarks is not None:
            self.ghost = GhostPose.from_landmarks(self.last_result.landmarks)  # hold this pose as the target
            self.ghost_visible = True
            self.statusBar().showMessage("Target pose (ghost) captured from the current pose", 3000)
        else:
            self.ghost_visible = not self.ghost_visible
        self._refresh_annotators()

    def save_screenshot(self, path: Path | None = None) -> Path:
        """Save the window as PNG (Ctrl+S: into the Pictures folder, or the current folder)."""
        if path is None:
            folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation) or ".")
            if not folder.is_dir():
                folder = Path.cwd()
            path = folder / time.strftime("posture-feedback-%Y%m%d-%H%M%S.png")
        path = save_window_png(self, path)
        self.statusBar().showMessage(f"Screenshot saved: {path}", 3000)
        return path

    def show_help(self) -> None:
        HelpDialog(self).exec()

    def quit(self) -> None:
        self.close()

    # ------------------------------------------------------------------ shutdown
    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the worker (closes the camera and the model) and close the profile database."""
        self.status_timer.stop()
        self._stop_worker()
        if self.spoken is not None:
            self.spoken.close()
            self.spoken = None
        if self.link is not None:
            self.link.close()
            self.link = None

    def _on_tab_changed(self, index: int) -> None:
        """Build the History tab when it is first opened (charts take a moment; matplotlib loads then)."""
        if index != 1 or self.history is not None or self.link is None or self.tabs is None:
            return
        try:
            from posture_feedback.ui.history_view import HistoryView

            self.history = HistoryView(self.link.db, self.link.profile_id)
        except (ImportError, PostureFeedbackError) as exc:
            self.history = QLabel(f"The history cannot be shown: {exc}")
        self.tabs.blockSignals(True)
        self.tabs.removeTab(1)
        self.tabs.insertTab(1, self.history, f"History — {self.link.profile_name}")
        self.tabs.setCurrentIndex(1)
        self.tabs.blockSignals(False)

    # ------------------------------------------------------------------ demo / scripted use
    def place_goniometer_on(self, names: tuple[str, str, str] | None = None) -> bool:
        """Goniometer on three landmarks of the tracked person, as if clicked there (screenshots, demos).

        ``names``: (arm end, vertex, arm end) landmark names; None = the most flexed of the knees,
        elbows and hips that the core measured in this frame.
        """
        from posture_feedback import landmarks as lm
        from posture_feedback.kinematics import ANGLE_JOINTS

        r = self.last_result
        if r is None or r.landmarks is None:
            return False
        if names is None:
            candidates = [n for n in ANGLE_JOINTS if n.endswith(("knee_flexion", "elbow_flexion", "hip_flexion"))]
            measured = [(r.angles.value(n), n) for n in candidates if r.angles.value(n) == r.angles.value(n)]
            if not measured:
                return False
            vertex, a, b = ANGLE_JOINTS[max(measured)[1]][:3]
            points = [r.landmarks.xy[i] for i in (a, vertex, b)]
        else:
            points = [r.landmarks.xy[lm.INDEX[n]] for n in names]
        self.gonio_button.setChecked(True)
        for x, y in points:
            self.video.add_goniometer_point(float(x), float(y))
        return self.video.gonio_angle is not None
