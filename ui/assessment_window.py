"""The guided evaluation window (docs/assessment.md, "Guided flow in the app").

Left: the live mirror (the UI helper's ``FrameWorker``/``VideoView`` with the core's skeleton
and angle annotators), a large message line (what to do, or how to turn) and a progress bar.
Right: the steps, in order, each skippable where the guide allows:

1. **Camera** — the room's vertical lines (the pipeline's scene estimate of the first 1.5 s, offered
   once found: not the patient's body, so the posture screen uses it); or stand tall for 3 s:
   ``estimate_camera`` → the roll/pitch, applied to the live
   pipeline (``set_camera_up``), stored per camera (``CalibrationStore``) and with the profile;
   or use the stored one (with its own stated ±); or skip (a level camera: the core adds 20° for
   its roll and pitch, ``kinematics.LEVEL_UP_UNCERTAINTY_DEG``, and the step says so).
2. **Neutral** — 3 s: ``capture_neutral`` (sitting or standing read from the hips and knees, or chosen and
   checked against them; saved with the camera; only angles within analyze's ±15° bound, the text
   names the ones left out).
3. **Posture screen** — front view, then side view, each through the ``ViewGate`` ("Turn to
   face the camera", "Turn side-on…", "Hold still"), then ``posture_screen``.
4. **Range of motion** — choose the test and side; while recording the live angle and each
   repetition's peak; a wrong view shows the how-to-turn message and is not measured; "Stop and
   measure" runs ``rom_test`` (refusal in the wrong view with its message), showing the peak per
   repetition, the best, the left/right difference and the normative value.
5. **Movement screen** — overhead squat, single-leg squat or sit-to-stand: record the front and/or
   the side view (the how-to-turn message while the view is wrong), then ``movement_screen``.
6. **Results** — every measure with ± uncertainty, reference and verdict; "Save" stores the
   records with the profile and writes ``report.html`` (``assessment_storage.save_evaluation``).

Every processed frame reaches the step in order (``ResultTap``); frames are kept (scaled to
480 px wide, for the snapshots) only while a step records. ``launch_assessment(...)`` opens it;
with ``frames``/``screenshot`` it runs offscreen: camera step skipped, a shoulder-abduction test
(both sides, front view) on the first ``frames`` frames, then the window is saved.
"""

from __future__ import annotations

import html
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PyQt6.QtCore import QEvent, Qt, QTimer
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from posture_feedback.annotate import AngleAnnotator, SkeletonAnnotator
from posture_feedback.assessment.movement import MOVEMENT_TESTS
from posture_feedback.assessment.rom import ROM_TESTS
from posture_feedback.assessment_storage import save_evaluation
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.feedback import nobody_followed_text
from posture_feedback.types import FrameResult, View
from posture_feedback.ui.assessment_flow import (
    AssessmentFlow,
    PostureCapture,
    RomRecording,
    TimedCapture,
    ViewRecording,
    measure_rows,
    norm_text,
)
from posture_feedback.ui.flow_layout import flow_row
from posture_feedback.ui.profile_dialog import ProfilePicker
from posture_feedback.ui.result_tap import ResultTap, source_name
from posture_feedback.ui.session_base import SessionOptions, SessionScreenshotDriver, SessionWindow, launch_session
from posture_feedback.ui.vertical_scroll import VerticalScroll
from posture_feedback.ui.worker import camera_name

if TYPE_CHECKING:
    from posture_feedback.calibration.camera import CameraCalibration

log = logging.getLogger(__name__)

STEPS = ("Start", "Camera", "Neutral", "Posture", "Range of motion", "Movement", "Results")
START, CAMERA, NEUTRAL, POSTURE, ROM, MOVEMENT, RESULTS = range(len(STEPS))
CAMERA_TEXT = "Stand tall facing the camera, whole body in view, arms relaxed by your sides. Hold still."
NEUTRAL_TEXT = "{posture} as you usually do, relaxed, facing the camera. Hold still."
SNAPSHOT_WIDTH = 480
GOOD, WARN, BAD = "#46d26a", "#ffdc28", "#ff9090"


@dataclass
class AssessmentOptions(SessionOptions):
    """How the evaluation window starts (see ``SessionOptions`` for the shared fields).

    Attributes:
        out_dir: folder for snapshots and the report (None = ``<data dir>/evaluations/<profile>-<time>``).
        calibration_s, neutral_s: length of the calibration captures (seconds).
        hold_s, capture_s: the view gate's hold and the capture per view of the posture screen (seconds).
        max_recording_s: a ROM recording stops and is measured after this long (seconds).
    """

    out_dir: str | None = None
    scene_vertical: bool = True  # the room's lines from the start: offered in the camera step (SessionOptions)
    calibration_s: float = 3.0
    neutral_s: float = 3.0
    hold_s: float = 1.0
    capture_s: float = 2.0
    max_recording_s: float = 30.0


def _whole_combo(parent: QWidget) -> QComboBox:
    """A choice box as wide as its longest item at its current font (large type included): in a
    row it wraps (``flow_row``) rather than cutting "Shoulder abduction (front view)" short."""
    box = QComboBox(parent)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return box


def _label(text: str = "", size: int = 11, bold: bool = False, colour: str = "#eeeeee") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {colour}; font-size: {size}pt; font-weight: {'bold' if bold else 'normal'}")
    return label


def _fmt(value: float, uncertainty: float = math.nan) -> str:
    """'95° ±6°' (whole degrees, the ± where known); '—' when not measured."""
    if value is None or math.isnan(value):
        return "—"
    return f"{value:.0f}° ±{uncertainty:.0f}°" if math.isfinite(uncertainty) else f"{value:.0f}°"


def skipped_camera_text(cal: CameraCalibration) -> str:
    """The camera step's text once it is skipped, with the ± the core then gives every angle measured
    against the vertical: the skipped calibration's own (``CameraCalibration.up_uncertainty``, roll
    and pitch; ``kinematics.LEVEL_UP_UNCERTAINTY_DEG``), the figure the pipeline
    (``kinematics.compute_angles`` without ``up``) and the posture screen (``summary.camera_uncertainty``)
    apply. Until 2026-12 it said "+2° uncertainty on frontal tilts" while the core applied 20°."""
    roll, pitch = cal.up_uncertainty()
    figure = f"±{roll:.0f}°" if round(roll) == round(pitch) else f"±{roll:.0f}° (roll) / ±{pitch:.0f}° (pitch)"
    return (
        "Skipped: the camera is treated as level. Angles measured against the vertical (the trunk's lean, the "
        f"head's tilt and lean, the shoulder and pelvic tilts) carry {figure} for its unknown tilt: calibrate "
        "for verdicts on them."
    )


class AssessmentWindow(SessionWindow):
    """See the module docstring."""

    #: The side panel's width; wider in large type, where its wrapped texts did not fit 768 px in height.
    PANEL_WIDTH = 430
    PANEL_WIDTH_LARGE = 540

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """A new style sheet (``apply_large_type``): the side panel's width for it."""
        if event.type() == QEvent.Type.StyleChange and hasattr(self, "side_panel"):
            from posture_feedback.ui.accessibility import in_large_type

            self.side_panel.setFixedWidth(self.PANEL_WIDTH_LARGE if in_large_type(self) else self.PANEL_WIDTH)
        super().changeEvent(event)

    def __init__(self, options: AssessmentOptions | None = None, db: Any = None) -> None:
        super().__init__()
        self._setup_session(
            options or AssessmentOptions(),
            db,
            "Posture Feedback — Evaluation",
            "QMainWindow, QWidget#central { background: #18181c } QLabel, QCheckBox { color: #eee }"
            " QPushButton { font-size: 11pt; padding: 4px 10px } QListWidget { background: #202026; color: #eee }"
            " QTableWidget { background: #202026; color: #eee; gridline-color: #444 }",
        )
        self.flow = AssessmentFlow(camera=source_name(self.source_spec))
        self.capture: TimedCapture | None = None
        self.capture_kind = ""
        self.posture: PostureCapture | None = None
        self.rom: RomRecording | None = None
        self.last_result: FrameResult | None = None
        self.saved: Any = None
        self._saved_as: tuple[int | None, tuple[Any, ...]] | None = None  # (profile, records) last saved
        self.errors: list[str] = []

        central = QWidget(self)
        central.setObjectName("central")
        self.setCentralWidget(central)
        row = QHBoxLayout(central)
        row.setContentsMargins(6, 6, 6, 6)
        left = QVBoxLayout()
        self.message_label = self._add_video(central, left, 56)
        self.progress = QProgressBar(central)
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(10)
        self.progress.setStyleSheet(
            "QProgressBar { background: #2c2c33; border: none } QProgressBar::chunk { background: #46d26a }"
        )
        left.addWidget(self.progress)
        row.addLayout(left, 1)

        right_widget = QWidget(central)
        right_widget.setFixedWidth(self.PANEL_WIDTH)
        self.side_panel = right_widget
        right = QVBoxLayout(right_widget)
        right.setContentsMargins(8, 0, 0, 0)
        self.steps_label = _label("", 10)
        right.addWidget(self.steps_label)
        self.pages = QStackedWidget(right_widget)
        for build in (self._page_start, self._page_camera, self._page_neutral, self._page_posture, self._page_rom,
                      self._page_movement, self._page_results):  # fmt: skip
            self.pages.addWidget(build())
        # The pages scroll rather than cut their text where it outgrows the panel (large type at 1280×760:
        # a refused range-of-motion test's reason was cut off below its third line).
        self.pages_scroll = VerticalScroll(self.pages, right_widget)
        right.addWidget(self.pages_scroll, 1)
        nav = QHBoxLayout()
        self.back_button = QPushButton("‹ Back")
        self.back_button.clicked.connect(lambda: self.go(self.pages.currentIndex() - 1))
        self.next_button = QPushButton("Next ›")
        self.next_button.clicked.connect(lambda: self.go(self.pages.currentIndex() + 1))
        nav.addWidget(self.back_button)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        right.addLayout(nav)
        row.addWidget(right_widget)

        problem = self._start_timer_and_profile(self._refresh, 200)
        if problem is not None:
            self.errors.append(problem)
        self.go(0)
        self._open_worker()

    # ------------------------------------------------------------------ pages
    def _page(self, title: str) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 4, 0, 0)
        col.addWidget(_label(title, 16, True))
        return page, col

    def _page_start(self) -> QWidget:
        page, col = self._page("Evaluation")
        col.addWidget(_label(
            "A guided screen of posture and range of motion with this camera. Every number is shown with "
            "its uncertainty (±). This is a screening aid, not a diagnosis.", 11, colour="#ccc"))  # fmt: skip
        self.picker = ProfilePicker(self.db, page, error=self.db_error)
        self.picker.profileChanged.connect(lambda _pid: self._load_stored_camera())
        col.addWidget(self.picker)
        self.folder_label = _label("", 9, colour="#aaa")
        col.addWidget(self.folder_label)
        col.addStretch(1)
        begin = QPushButton("Begin")
        begin.setStyleSheet("font-size: 14pt; font-weight: bold; padding: 8px")
        begin.clicked.connect(lambda: self.go(CAMERA))
        col.addWidget(begin)
        return page

    def _page_camera(self) -> QWidget:
        page, col = self._page("1. Camera level")
        col.addWidget(_label(
            "A laptop camera is rarely level; a tilted camera would read as a tilted body. "
            + CAMERA_TEXT, 11, colour="#ccc"))  # fmt: skip
        self.camera_result = _label("", 11)
        col.addWidget(self.camera_result)
        self.calibrate_button = QPushButton(f"Calibrate ({self.options.calibration_s:g} s)")
        self.calibrate_button.clicked.connect(self.start_camera_calibration)
        self.stored_camera_button = QPushButton("Use the stored calibration")
        self.stored_camera_button.clicked.connect(self.use_stored_camera)
        self.stored_camera_button.setVisible(False)
        # the room's vertical lines (the pipeline's scene estimate of the first 1.5 s): offered once found
        self.scene_camera_label = _label("", 10, colour="#ccc")
        self.scene_camera_label.setVisible(False)
        self.scene_camera_button = QPushButton("Use the room's lines")
        self.scene_camera_button.clicked.connect(self.use_scene_camera)
        self.scene_camera_button.setVisible(False)
        skip = QPushButton("Skip (treat the camera as level)")
        skip.clicked.connect(self.skip_calibration)
        col.addWidget(self.scene_camera_label)
        for b in (self.scene_camera_button, self.calibrate_button, self.stored_camera_button, skip):
            col.addWidget(b)
        col.addStretch(1)
        self._stored_camera: Any = None
        self._scene_camera: Any = None  # the room's lines as a CameraCalibration, once the pipeline has them
        self._scene_asked = False
        return page

    def _page_neutral(self) -> QWidget:
        page, col = self._page("2. Neutral posture")
        col.addWidget(_label(
            "Your own relaxed posture, so that later targets can be set relative to it. Optional.", 11,
            colour="#ccc"))  # fmt: skip
        self.neutral_combo = QComboBox(page)
        # read from the hips and knees by default (calibration.neutral, as the mirror's auto preset): the
        # combo defaulted to "Sitting" and a standing person's neutral was saved as sitting (an audit)
        self.neutral_combo.addItem("Sitting or standing: read from the hips and knees", "auto")
        self.neutral_combo.addItem("Sitting", "sitting")
        self.neutral_combo.addItem("Standing", "standing")
        self.neutral_combo.setToolTip("A posture chosen here must agree with the one read from the hips and knees; "
                                      "it is kept as chosen when they are out of view (a desk webcam)")  # fmt: skip
        col.addWidget(self.neutral_combo)
        self.neutral_result = _label("", 11)
        col.addWidget(self.neutral_result)
        capture = QPushButton(f"Capture ({self.options.neutral_s:g} s)")
        capture.clicked.connect(self.start_neutral_capture)
        skip = QPushButton("Skip")
        skip.clicked.connect(self.skip_neutral)
        col.addWidget(capture)
        col.addWidget(skip)
        col.addStretch(1)
        return page

    def _page_posture(self) -> QWidget:
        page, col = self._page("3. Posture screen")
        col.addWidget(_label(
            "Front view, then side view. Stand relaxed; the app waits until the view is right and you are "
            "still, then records.", 11, colour="#ccc"))  # fmt: skip
        self.upper_body_check = QCheckBox("Sitting: head, shoulders and hips only")
        col.addWidget(self.upper_body_check)
        self.posture_stage = _label("", 12, True)
        col.addWidget(self.posture_stage)
        self.posture_result = _label("", 10)
        col.addWidget(self.posture_result)
        start = QPushButton("Start the posture screen")
        start.clicked.connect(self.start_posture)
        skip_view = QPushButton("Skip this view")
        skip_view.clicked.connect(self.skip_posture_view)
        skip = QPushButton("Skip the posture screen")
        skip.clicked.connect(self.skip_posture)
        for b in (start, skip_view, skip):
            col.addWidget(b)
        col.addStretch(1)
        return page

    def _page_rom(self) -> QWidget:
        page, col = self._page("4. Range of motion")
        holder, pick = flow_row(page)  # the two boxes wrap rather than cut their text (large type)
        self.test_combo = _whole_combo(page)
        for t in ROM_TESTS.values():
            self.test_combo.addItem(f"{t.title} ({t.view.value} view)", t.name)
        self.test_combo.currentIndexChanged.connect(lambda _i: self._show_test())
        self.side_combo = _whole_combo(page)
        self.side_combo.currentIndexChanged.connect(lambda _i: self._show_test())
        pick.addWidget(self.test_combo)
        pick.addWidget(self.side_combo)
        col.addWidget(holder)
        self.test_text = _label("", 11, colour="#ddd")
        col.addWidget(self.test_text)
        self.norm_label = _label("", 10, colour="#aaa")
        col.addWidget(self.norm_label)
        held, buttons = flow_row(page)  # the buttons wrap rather than cut their text (large type)
        self.record_button = QPushButton("Start recording")
        self.record_button.clicked.connect(self.start_rom_recording)
        self.measure_button = QPushButton("Stop and measure")
        self.measure_button.clicked.connect(self.finish_rom)
        self.measure_button.setEnabled(False)
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.measure_button)
        col.addWidget(held)
        self.live_label = _label("", 14, True)
        col.addWidget(self.live_label)
        self.peaks_list = QListWidget(page)
        self.peaks_list.setStyleSheet("font-size: 11pt")
        self.peaks_list.setMaximumHeight(170)
        col.addWidget(self.peaks_list)
        self.rom_result = _label("", 11)
        self.rom_result.setTextFormat(Qt.TextFormat.RichText)
        col.addWidget(self.rom_result)
        col.addStretch(1)
        self._show_test()
        return page

    def _page_movement(self) -> QWidget:
        page, col = self._page("5. Movement screen")
        col.addWidget(_label(
            "Squats and sit-to-stand, filmed from the front and from the side: the classic compensations "
            "(knees caving in, trunk leaning forward, arms falling forward, hips shifting, asymmetry).", 11,
            colour="#ccc"))  # fmt: skip
        holder, pick = flow_row(page)
        self.movement_combo = _whole_combo(page)
        for t in MOVEMENT_TESTS.values():
            self.movement_combo.addItem(t.title, t.name)
        self.movement_combo.currentIndexChanged.connect(lambda _i: self._movement_test_changed())
        self.leg_combo = _whole_combo(page)
        self.leg_combo.addItem("left leg", "left")
        self.leg_combo.addItem("right leg", "right")
        self.leg_combo.currentIndexChanged.connect(lambda _i: self._movement_test_changed())
        pick.addWidget(self.movement_combo)
        pick.addWidget(self.leg_combo)
        col.addWidget(holder)
        self.movement_text = _label("", 11, colour="#ddd")
        col.addWidget(self.movement_text)
        held, rec = flow_row(page)
        self.front_button = QPushButton("Record front view")
        self.front_button.clicked.connect(lambda: self.start_movement_recording("front"))
        self.side_button = QPushButton("Record side view")
        self.side_button.clicked.connect(lambda: self.start_movement_recording("side"))
        rec.addWidget(self.front_button)
        rec.addWidget(self.side_button)
        col.addWidget(held)
        self.movement_stop_button = QPushButton("Stop recording")
        self.movement_stop_button.clicked.connect(self.stop_movement_recording)
        self.movement_stop_button.setEnabled(False)
        col.addWidget(self.movement_stop_button)
        self.movement_status = _label("", 11)
        col.addWidget(self.movement_status)
        self.movement_measure_button = QPushButton("Measure")
        self.movement_measure_button.clicked.connect(self.finish_movement)
        self.movement_measure_button.setEnabled(False)
        col.addWidget(self.movement_measure_button)
        self.movement_result = _label("", 10)
        col.addWidget(self.movement_result)
        col.addStretch(1)
        self.movement_recording: ViewRecording | None = None
        self.movement_views: dict[str, list[FrameResult]] = {}
        return page

    def _page_results(self) -> QWidget:
        page, col = self._page("6. Results")
        self.results_table = QTableWidget(0, 4, page)
        self.results_table.setHorizontalHeaderLabels(["Measure", "Value ± u", "Reference", "Verdict"])
        self.results_table.verticalHeader().setVisible(False)
        self.results_table.setWordWrap(True)
        header = self.results_table.horizontalHeader()
        # Measure, value and verdict share the width and wrap; the short reference keeps its own. A value sized to
        # its contents ("-24.6° ± 22.8 (right shoulder higher)") left the verdict "uncert…" (audit 30).
        for j in (0, 1, 3):
            header.setSectionResizeMode(j, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.results_table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.results_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        col.addWidget(self.results_table, 1)
        self.results_notes = _label("", 9, colour="#bbb")
        col.addWidget(self.results_notes)
        self.save_button = QPushButton("Save to the profile and write the report")
        self.save_button.clicked.connect(self.save_results)
        col.addWidget(self.save_button)
        self.saved_label = _label("", 10)
        self.saved_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        col.addWidget(self.saved_label)
        self.open_report_button = QPushButton("Open the report")
        self.open_report_button.clicked.connect(self.open_report)
        self.open_report_button.setVisible(False)
        col.addWidget(self.open_report_button)
        return page

    # ------------------------------------------------------------------ navigation
    def go(self, index: int) -> None:
        """Show step ``index`` (0 = start … 5 = results)."""
        index = max(0, min(len(STEPS) - 1, index))
        self._cancel_recording()
        self.pages.setCurrentIndex(index)
        self.steps_label.setText(
            "  ›  ".join(f"<b style='color:#ffdc28'>{s}</b>" if i == index else s for i, s in enumerate(STEPS))
        )
        self.back_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(STEPS) - 1)
        if index == START:
            self.folder_label.setText(f"Report folder: {self.out_dir()}")
            self._say("Choose the profile, then Begin", "#ffffff")
        elif index == CAMERA:
            self._load_stored_camera()
            self._say(CAMERA_TEXT, "#ffffff")
        elif index == NEUTRAL:
            self._say("Capture your neutral posture, or skip", "#ffffff")
        elif index == POSTURE:
            self._say("Start the posture screen, or skip it", "#ffffff")
        elif index == ROM:
            self._show_test()
            self._say(self.test_text.text(), "#ffffff")
        elif index == MOVEMENT:
            self._show_movement()
            self._say("Choose a movement test, or go on to the results", "#ffffff")
        elif index == RESULTS:
            self.show_results()

    def out_dir(self) -> Path:
        """Where snapshots and the report go (chosen once per evaluation)."""
        if self.flow.out_dir is None:
            if self.options.out_dir:
                self.flow.out_dir = Path(self.options.out_dir)
            else:
                base = self.db.data_dir if self.db is not None else Path.cwd()
                who = (self.picker.current_name() or "evaluation").replace("/", "_")
                self.flow.out_dir = base / "evaluations" / f"{who}-{datetime.now():%Y%m%d-%H%M%S}"
        return self.flow.out_dir

    def _say(self, text: str, colour: str, size: int = 18) -> None:
        self._show_message(self.message_label, text, colour, size)

    # ------------------------------------------------------------------ worker
    def _open_worker(self) -> None:
        tap = ResultTap(image_width=SNAPSHOT_WIDTH, keep_images=False)
        self._start_worker(tap, (SkeletonAnnotator(), AngleAnnotator()))

    def _on_source_opened(self, name: str, _live: bool, _fps: float) -> None:
        self.flow.camera = name or self.flow.camera

    def _on_source_problem(self, message: str) -> None:
        self.video.show_placeholder(message)
        self._say(message, BAD, 13)

    def _drain(self) -> None:
        if self.tap is None:
            return
        self._scene_estimate_arrived()
        for r in self.tap.drain():
            self.frames_fed += 1
            self.last_result = r
            self._offer_scene_camera(r)
            self._feed(r)

    def _lock_choices(self, locked: bool) -> None:
        """Disable the test and side choices while a ROM or movement recording runs: a choice changed
        mid-recording showed another test's words while the recorded one was measured (audit 30)."""
        for combo in (self.test_combo, self.side_combo, self.movement_combo, self.leg_combo):
            combo.setEnabled(not locked)

    def _recording(self, on: bool) -> None:
        if self.tap is not None:
            self.tap.keep_images = on

    def _cancel_recording(self) -> None:
        self.capture = None
        self.posture = None
        if self.rom is not None:
            self.rom = None
            self.record_button.setEnabled(True)
            self.measure_button.setEnabled(False)
            self._lock_choices(False)
        if getattr(self, "movement_recording", None) is not None:
            self.stop_movement_recording()
        self._recording(False)
        self.progress.setValue(0)

    # ------------------------------------------------------------------ per frame
    def _feed(self, r: FrameResult) -> None:
        if self.capture is not None:
            progress = self.capture.feed(r)
            self.progress.setValue(int(1000 * progress))
            left = max(0.0, self.capture.seconds * (1 - progress))
            text = CAMERA_TEXT if self.capture_kind == "camera" else "Hold still"
            nobody = nobody_followed_text(len(r.people))
            self._say(f"{text}  {math.ceil(left)}" if r.person_found else nobody, "#ffffff")
            if self.capture.done:
                self._capture_done()
        elif self.posture is not None:
            st = self.posture.feed(r)
            if st is not None:
                frac = self.posture.captured_s() / self.posture.capture_s if st.ready else st.progress
                self.progress.setValue(int(1000 * min(1.0, frac)))
                self._say(st.message, GOOD if st.ready else (WARN if st.progress > 0 else "#ffffff"))
                self.posture_stage.setText(f"{self.posture.stage.capitalize()} view")
            if self.posture.done:
                self._posture_done()
        elif self.movement_recording is not None:
            mv = self.movement_recording
            mv.feed(r)
            if mv.message:
                self._say(mv.message, BAD)
            else:
                self._say(f"Recording the {self._movement_view} view: do the movement", GOOD)
            self.progress.setValue(int(1000 * min(1.0, mv.duration_s / self.options.max_recording_s)))
            if mv.duration_s >= self.options.max_recording_s:
                self.stop_movement_recording()
        elif self.rom is not None:
            self.rom.feed(r)
            if self.rom.message:
                self._say(self.rom.message, BAD)
            else:
                self._say("Recording: move as far as you can, then back", GOOD)
            if self.rom.duration_s >= self.options.max_recording_s:
                self.finish_rom()

    def _refresh(self) -> None:
        rec = self.rom
        if rec is None:
            return
        parts = [f"{s}: {_fmt(rec.current(s), rec.uncertainty(s))}" for s in rec.sides]
        self.live_label.setText("Now " + ", ".join(parts))
        self.peaks_list.clear()
        for s in rec.sides:  # each peak with its frame's ± (the measured result adds the peaks' spread)
            for i, p in enumerate(rec.peaks(s), 1):
                self.peaks_list.addItem(f"{s} repetition {i}: peak {_fmt(p.value, rec.uncertainty(s, p.index))}")

    # ------------------------------------------------------------------ 1. camera
    def _load_stored_camera(self) -> None:
        from posture_feedback.calibration.store import CalibrationStore, load_from_database

        cal = None
        pid = self.picker.current_id()
        try:
            if self.db is not None and pid is not None:
                cal = load_from_database(self.db, pid, "camera", camera=self.flow.camera)
            if cal is None:
                cal = CalibrationStore().load_camera(self.flow.camera)
        except PostureFeedbackError as exc:
            log.warning("stored calibration: %s", exc)
        self._stored_camera = cal
        if cal is not None and not cal.skipped:
            self.stored_camera_button.setText(
                f"Use the stored calibration (roll {cal.roll_deg:+.1f}°, {cal.created_at[:10]})"
            )
        self.stored_camera_button.setVisible(cal is not None and not cal.skipped)

    def start_camera_calibration(self) -> None:
        self.go(CAMERA)
        self.capture, self.capture_kind = TimedCapture(self.options.calibration_s), "camera"
        self.camera_result.setText("Recording…")

    def _offer_scene_camera(self, r: FrameResult) -> None:
        """Once the pipeline has the room's vertical (``FrameResult.vertical`` "scene"), fetch its estimate from
        the worker and offer it in the camera step, when it is certain enough to store (±10°,
        ``SceneVertical.to_calibration``)."""
        if self._scene_asked or r.vertical != "scene" or self.tap is None:
            return
        self._scene_asked = True
        box: dict[str, Any] = {}

        def fetch(pipeline: Any) -> None:  # on the worker thread
            box["estimate"] = pipeline.scene_vertical

        self._scene_box = box
        self.tap.call(fetch)

    def _scene_estimate_arrived(self) -> None:
        box = getattr(self, "_scene_box", None)
        if not box or "estimate" not in box or self._scene_camera is not None:
            return
        est = box.pop("estimate")
        if est is None:
            return
        try:
            cal = est.to_calibration(camera=self.flow.camera)
        except PostureFeedbackError as exc:  # CalibrationError: the room's lines disagree too much
            log.info("room's lines not offered: %s", exc)
            return
        self._scene_camera = cal
        roll_unc, pitch_unc = cal.up_uncertainty()
        self.scene_camera_label.setText(
            f"The room's vertical lines give the camera roll {cal.roll_deg:+.1f}° ± {roll_unc:.0f}°, pitch "
            f"{cal.pitch_deg:+.1f}° ± {pitch_unc:.0f}°: no need to stand still for it, and the posture screen can "
            "use it (a calibration on your own body would hide a lean)."
        )
        self.scene_camera_label.setVisible(True)
        self.scene_camera_button.setVisible(True)

    def use_scene_camera(self) -> None:
        """The camera's vertical from the room's lines: not the patient's body, so the posture screen uses it."""
        if self._scene_camera is not None:
            cal = self.flow.use_scene_camera(self._scene_camera)
            self._apply_camera(cal, "from the room's vertical lines")
            self._store_calibration(cal, camera=True)
            self.go(NEUTRAL)

    def use_stored_camera(self) -> None:
        if self._stored_camera is not None:
            self._apply_camera(self.flow.use_stored_camera(self._stored_camera), "stored")
            self.go(NEUTRAL)

    def skip_calibration(self) -> None:
        """Skip the camera step: a level camera, whose unknown tilt the core adds to every angle measured
        against the vertical (``CameraCalibration.up_uncertainty`` of a skipped calibration:
        ``kinematics.LEVEL_UP_UNCERTAINTY_DEG``, 20°); the step's text states that figure."""
        cal = self.flow.skip_camera()
        self._apply_camera(cal, "skipped")
        self.go(NEUTRAL)

    def _apply_camera(self, cal: Any, how: str) -> None:
        up = None if cal.skipped else cal.up_vector()
        unc = None if cal.skipped else cal.up_uncertainty()  # the calibration's own ±, not a flat 3°
        if self.tap is not None:
            self.tap.call(lambda p: p.set_camera_up(up, unc))
        if how == "skipped":
            self.camera_result.setText(skipped_camera_text(cal))
        else:
            self.camera_result.setText(
                f"Camera roll {cal.roll_deg:+.1f}° ± {unc[0]:.1f}°, pitch {cal.pitch_deg:+.1f}° ± {unc[1]:.1f}° "
                f"({cal.n_frames} frames, {how})."
                + (" Measured on your own body: the posture screen will not use it (it would hide a lean)."
                   if how == "measured" and cal.axis in ("ankle", "hip") else "")
            )
        self.camera_result.setStyleSheet(f"color: {WARN if how == 'skipped' else GOOD}; font-size: 11pt")

    def _capture_done(self) -> None:
        capture, kind = self.capture, self.capture_kind
        self.capture = None
        self.progress.setValue(0)
        if capture is None:
            return
        if kind == "camera":
            try:
                cal = self.flow.calibrate_camera(capture)
            except PostureFeedbackError as exc:  # CalibrationError: say why; retry or skip
                self.camera_result.setText(f"Not calibrated: {exc}. Try again, or skip.")
                self.camera_result.setStyleSheet(f"color: {BAD}; font-size: 11pt")
                self._say("Calibration failed: try again or skip", BAD)
                return
            self._apply_camera(cal, "measured")
            self._store_calibration(cal, camera=True)
            self._say("Camera calibrated", GOOD)
        else:
            try:
                neutral = self.flow.capture_neutral(capture, self.neutral_combo.currentData(),
                                                    camera=camera_name(self.source_spec))  # fmt: skip
            except PostureFeedbackError as exc:
                self.neutral_result.setText(f"Not captured: {exc}. Try again, or skip.")
                self.neutral_result.setStyleSheet(f"color: {BAD}; font-size: 11pt")
                self._say("Neutral not captured: try again or skip", BAD)
                return
            if self.tap is not None:
                self.tap.call(lambda p: p.set_neutral(dict(neutral.angles)))
            how = ", read from the hips and knees" if self.neutral_combo.currentData() == "auto" else ""
            where = f", {neutral.camera}" if neutral.camera else ""
            self.neutral_result.setText(f"Neutral ({neutral.posture}{how}{where}, {len(neutral.angles)} angles): "
                                        f"{neutral.values_text()}"  # each with its ±
                                        + (f" {neutral.left_out_text()}" if neutral.left_out else ""))  # fmt: skip
            self.neutral_result.setStyleSheet(f"color: {GOOD}; font-size: 11pt")
            self._store_calibration(neutral, camera=False)
            self._say("Neutral captured", GOOD)

    def _store_calibration(self, item: Any, camera: bool) -> None:
        from posture_feedback.calibration.store import CalibrationStore, save_to_database

        try:
            if camera:
                CalibrationStore().save_camera(item)
            pid = self.picker.current_id()
            if self.db is not None and pid is not None:
                save_to_database(self.db, pid, item)
        except PostureFeedbackError as exc:
            self.errors.append(str(exc))
            log.error("saving the calibration: %s", exc)

    # ------------------------------------------------------------------ 2. neutral
    def start_neutral_capture(self) -> None:
        self.go(NEUTRAL)
        self.capture, self.capture_kind = TimedCapture(self.options.neutral_s), "neutral"
        self.neutral_result.setText("Recording…")

    def skip_neutral(self) -> None:
        self.go(POSTURE)

    # ------------------------------------------------------------------ 3. posture screen
    def start_posture(self) -> None:
        self.go(POSTURE)
        self.posture = PostureCapture(self.options.capture_s, self.options.hold_s, self.upper_body_check.isChecked())
        self._recording(True)
        self.posture_result.setText("")

    def skip_posture_view(self) -> None:
        if self.posture is not None:
            self.posture.skip_view()
            if self.posture.done:
                self._posture_done()

    def skip_posture(self) -> None:
        self.go(ROM)

    def _posture_done(self) -> None:
        capture, self.posture = self.posture, None
        self._recording(False)
        self.progress.setValue(0)
        if capture is None:
            return
        try:
            record = self.flow.posture_record(capture)
        except PostureFeedbackError as exc:
            self.posture_result.setText(f"Not measured: {exc}")
            self.posture_result.setStyleSheet(f"color: {BAD}; font-size: 10pt")
            self._say("The posture screen could not be measured", BAD)
            return
        lines = [f"{r['measure']}: {r['value']} ({r['verdict']})" for r in measure_rows(record)]
        self.posture_result.setText("\n".join(lines))
        self.posture_result.setStyleSheet("color: #eee; font-size: 10pt")
        self.posture_stage.setText("Posture screen done")
        self._say("Posture screen done", GOOD)

    # ------------------------------------------------------------------ 4. ROM
    def _show_test(self) -> None:
        name = self.test_combo.currentData()
        if name is None:
            return
        test = ROM_TESTS[name]
        current = self.side_combo.currentData()
        sides = ["left", "right"] + (["both"] if test.view is View.FRONT else [])
        self.side_combo.blockSignals(True)
        self.side_combo.clear()
        for s in sides:
            self.side_combo.addItem("both sides" if s == "both" else f"{s} side", s)
        self.side_combo.setCurrentIndex(max(0, self.side_combo.findData(current)))
        self.side_combo.blockSignals(False)
        side = self.side_combo.currentData()
        self.test_text.setText(test.instruction_for("left and right" if side == "both" else side))
        self.norm_label.setText(f"Needs a {test.view.value} view · {norm_text(name)}")
        pages = getattr(self, "pages", None)  # (not yet while the window is built)
        if pages is not None and pages.currentIndex() == ROM and self.rom is None:  # the big line: this test's words
            self._say(self.test_text.text(), "#ffffff")

    def select_test(self, name: str, side: str) -> None:
        """Choose the ROM test and side (``left``, ``right``, or ``both`` for a front-view test)."""
        self.test_combo.setCurrentIndex(self.test_combo.findData(name))
        self._show_test()
        i = self.side_combo.findData(side)
        if i < 0:
            raise ValueError(f"{name} cannot be measured on {side!r}")
        self.side_combo.setCurrentIndex(i)

    def start_rom_recording(self) -> None:
        if self.pages.currentIndex() != ROM:
            self.go(ROM)
        name, side = self.test_combo.currentData(), self.side_combo.currentData()
        sides = ("left", "right") if side == "both" else (side,)
        self.rom = RomRecording(ROM_TESTS[name], sides, up=self.flow.up)
        self._lock_choices(True)  # the test being recorded is the one shown until it is measured
        self._recording(True)
        self.record_button.setEnabled(False)
        self.measure_button.setEnabled(True)
        self.peaks_list.clear()
        self.rom_result.setText("")

    def finish_rom(self) -> Any:
        """Measure the recording with ``rom_test``; shows the result or the refusal (wrong view, no repetition)."""
        rec, self.rom = self.rom, None
        self._lock_choices(False)
        self._recording(False)
        self.record_button.setEnabled(True)
        self.measure_button.setEnabled(False)
        if rec is None:
            return None
        try:
            record = self.flow.rom_record(rec)
        except PostureFeedbackError as exc:  # WrongViewError says how to turn; RomTestError: no repetition
            self.rom_result.setText(f"<span style='color:{BAD}'><b>Not measured:</b> {exc}</span>")
            self._say(str(exc).split(": ")[-1], BAD, 15)
            self._show_below(self.rom_result)
            return None
        name = rec.test.name
        rows = []
        for m in record.measures:
            d = record.details.get(m.label, {})
            if m.side is None:
                rows.append(f"<b>Left − right: {m.value:+.1f}° ± {m.uncertainty:.1f}°</b> ({d.get('verdict', '')})")
                continue
            peaks = ", ".join(f"{p['value']:.0f}° ± {p['uncertainty']:.0f}°" for p in d.get("peaks", []))
            # one decimal, as the results table and the report: "41° ± 10° — within" against ≥ 31.5° read
            # as reaching below the norm (41.2 ± 9.6 does not)
            rows.append(
                f"<b>{m.side}: best {m.value:.1f}° ± {m.uncertainty:.1f}°</b> — {d.get('verdict', '')}"
                f"<br><span style='color:#bbb'>peaks per repetition: {peaks}</span>"
            )
        rows.append(f"<span style='color:#aaa'>{norm_text(name)}</span>")
        rows.extend(f"<span style='color:{WARN}'>{html.escape(w)}</span>" for w in record.warnings)
        self.rom_result.setText("<br>".join(rows))
        self._say(f"{rec.test.title} measured", GOOD)
        self.live_label.setText(f"{rec.test.title}: measured")
        self.peaks_list.clear()
        for m in record.measures:
            if m.side is not None:
                for i, p in enumerate(record.details[m.label].get("peaks", []), 1):
                    self.peaks_list.addItem(
                        f"{m.side} repetition {i}: peak {p['value']:.0f}° ± {p['uncertainty']:.0f}°"
                    )
        self._show_below(self.rom_result)
        return record

    def _show_below(self, label: QLabel) -> None:
        """Scroll the side panel so that ``label`` (a result or refusal just set) is in view, once laid out."""
        QTimer.singleShot(0, lambda: self.pages_scroll.ensureWidgetVisible(label, 0, 0))

    # ------------------------------------------------------------------ 5. movement screen
    def _show_movement(self) -> None:
        name = self.movement_combo.currentData()
        if name is None:
            return
        test = MOVEMENT_TESTS[name]
        self.leg_combo.setVisible(not test.bilateral)
        leg = self.leg_combo.currentData() if not test.bilateral else ""
        self.movement_text.setText(test.instruction.format(side=leg))
        done = ", ".join(f"{v} view: {len(r)} frames" for v, r in self.movement_views.items())
        self.movement_status.setText(f"Recorded — {done}" if done else "Nothing recorded yet")
        self.movement_measure_button.setEnabled(bool(self.movement_views) and self.movement_recording is None)

    def _movement_test_changed(self) -> None:
        """Another movement test or stance leg chosen: the views recorded for the previous one are dropped
        (they were kept and measured as the new test, audit 30)."""
        if getattr(self, "movement_recording", None) is None:  # (None too while the page is built)
            self.movement_views = {}
        self._show_movement()

    def select_movement(self, name: str, leg: str | None = None) -> None:
        """Choose the movement test (and the stance leg of a single-leg test); earlier recordings are dropped."""
        self.movement_combo.setCurrentIndex(self.movement_combo.findData(name))
        if leg is not None:
            self.leg_combo.setCurrentIndex(self.leg_combo.findData(leg))
        self.movement_views = {}
        self._show_movement()

    def start_movement_recording(self, view: str) -> None:
        """Record the ``front`` or ``side`` part of the movement test (until Stop, or the time limit)."""
        if self.pages.currentIndex() != MOVEMENT:
            self.go(MOVEMENT)
        self.movement_recording = ViewRecording(View.FRONT if view == "front" else View.SIDE)
        self._lock_choices(True)
        self._movement_view = view
        self._recording(True)
        self.front_button.setEnabled(False)
        self.side_button.setEnabled(False)
        self.movement_stop_button.setEnabled(True)
        self.movement_measure_button.setEnabled(False)

    def stop_movement_recording(self) -> None:
        rec, self.movement_recording = self.movement_recording, None
        self._lock_choices(False)
        self._recording(False)
        self.progress.setValue(0)
        self.front_button.setEnabled(True)
        self.side_button.setEnabled(True)
        self.movement_stop_button.setEnabled(False)
        if rec is not None and rec.results:
            self.movement_views[self._movement_view] = rec.results
        self._show_movement()

    def finish_movement(self) -> Any:
        """Measure the recorded views with ``movement_screen``; shows the measures or the refusal."""
        if self.movement_recording is not None:
            self.stop_movement_recording()
        name = self.movement_combo.currentData()
        test = MOVEMENT_TESTS[name]
        leg = None if test.bilateral else self.leg_combo.currentData()
        try:
            record = self.flow.movement_record(
                name, self.movement_views.get("front"), self.movement_views.get("side"), leg
            )
        except PostureFeedbackError as exc:  # WrongViewError (how to turn), MovementScreenError (no repetition)
            self.movement_result.setText(f"Not measured: {exc}")
            self.movement_result.setStyleSheet(f"color: {BAD}; font-size: 10pt")
            self._say(str(exc).split(": ")[-1], BAD, 15)
            self._show_below(self.movement_result)
            return None
        self.movement_views = {}  # measured: the frames (with pixels) are not needed any more
        lines = [f"{r['measure']}: {r['value']} ({r['verdict']})" for r in measure_rows(record)]
        self.movement_result.setText("\n".join(lines))
        self.movement_result.setStyleSheet("color: #eee; font-size: 10pt")
        self._say(f"{test.title} measured", GOOD)
        self._show_movement()
        self.movement_status.setText("Measured. Record again to repeat the test.")
        self._show_below(self.movement_result)
        return record

    # ------------------------------------------------------------------ 6. results
    def show_results(self) -> None:
        records = self.flow.ordered_records()
        rows = [(rec.title, r) for rec in records for r in measure_rows(rec)]
        self.results_table.setRowCount(len(rows))
        for i, (_title, r) in enumerate(rows):
            for j, key in enumerate(("measure", "value", "reference", "verdict")):
                item = QTableWidgetItem(r[key])
                item.setToolTip(f"{r['source']}  MDC {r['mdc']}" if r["source"] else "")
                self.results_table.setItem(i, j, item)
        self.results_table.resizeRowsToContents()
        notes = sorted({w for rec in records for w in rec.warnings})
        self.results_notes.setText(
            ("\n".join(f"Note: {w}" for w in notes) + "\n" if notes else "")
            + "± = measurement uncertainty (view, visibility, spread). A change between two evaluations counts "
            "only beyond the minimal detectable change (MDC)."
        )
        done = self._already_saved(records)
        self.save_button.setEnabled(bool(records) and not done)
        # Without a profile nothing is stored, only the report written: the button and the line say so (they
        # said "save them to the profile" beside "No profile, not saved", audit 30).
        profile = self.picker.current_id() is not None
        self.save_button.setText("Save to the profile and write the report" if profile
                                 else "Write the report (no profile: nothing is saved)")  # fmt: skip
        if not records:
            self._say("No results yet: go back and run a test", "#ffffff")
        elif done:
            self._say(self._saved_words(), GOOD)
        else:
            tests = f"{len(records)} test{'' if len(records) == 1 else 's'}"
            todo = "save them to the profile" if profile else "write the report (no profile: nothing is saved)"
            self._say(f"{len(rows)} measures from {tests}: {todo}", "#ffffff")

    def _already_saved(self, records: Sequence[Any]) -> bool:
        """These very records were saved for the profile now chosen (a second "Save" stored them twice:
        two identical evaluations in the history and the report, the new one "compared" with itself)."""
        if self._saved_as is None:
            return False
        pid, saved = self._saved_as
        return pid == self.picker.current_id() and len(saved) == len(records) and all(
            a is b for a, b in zip(saved, records, strict=True)
        )

    def _saved_words(self) -> str:
        pid = self.picker.current_id()
        return f"Saved with {self.picker.current_name()}" if pid is not None else "Report written (no profile)"

    def save_results(self) -> Any:
        """Store the records with the profile and write the HTML report into the folder; the same
        records saved again for the same profile are not stored twice (returns the first save)."""
        pid = self.picker.current_id()
        records = self.flow.ordered_records()
        if records and self._already_saved(records):
            return self.saved
        try:
            saved = save_evaluation(self.db, pid, records, self.out_dir())
        except PostureFeedbackError as exc:
            self.saved_label.setText(f"Not saved: {exc}")
            self.saved_label.setStyleSheet(f"color: {BAD}; font-size: 10pt")
            return None
        self.saved = saved
        self._saved_as = (pid, tuple(records))
        who = f"with {self.picker.current_name()}" if pid is not None else "(no profile: report only)"
        self.saved_label.setText(f"Saved {who}.\nReport: {saved.report}")
        self.saved_label.setStyleSheet(f"color: {GOOD}; font-size: 10pt")
        self.open_report_button.setVisible(True)
        self.save_button.setEnabled(False)  # until another test is measured or another profile chosen
        self._say(self._saved_words(), GOOD)
        return saved

    def open_report(self) -> None:
        """Open the saved HTML report in the system's browser."""
        if self.saved is not None:
            from posture_feedback.launch import open_document

            if open_document(self.saved.report):  # with the user's environment, not the telemetry block
                return
            from PyQt6.QtCore import QUrl
            from PyQt6.QtGui import QDesktopServices

            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.saved.report)))


class _ScreenshotDriver(SessionScreenshotDriver):
    """Scripted offscreen run: camera skipped, shoulder abduction on both sides over the frames, then the window."""

    window: AssessmentWindow

    def _script(self) -> None:
        window = self.window
        window.skip_calibration()
        window.skip_neutral()
        window.skip_posture()
        window.select_test("shoulder_abduction", "both")
        window.start_rom_recording()

    def _poll(self) -> None:
        w = self.window
        worker = w.worker
        done = worker is not None and not worker.is_running() and worker.stats.processed > 0
        timed_out = time.perf_counter() > self.deadline
        if not (done or timed_out):
            return
        self.timer.stop()
        w._drain()  # noqa: SLF001 - the driver belongs to this module
        self._show_latest()
        record = w.finish_rom()
        if record is not None:
            self._save_and_quit(0)
        else:
            # the label's rich text without its markup: stderr carried "<span style='color:#ff7070'>…"
            from PyQt6.QtGui import QTextDocumentFragment

            plain = QTextDocumentFragment.fromHtml(w.rom_result.text()).toPlainText()
            self._save_and_quit(1, "the ROM test could not be measured on these frames: " + plain)


def launch_assessment(
    source: str = "0",
    profile: str | None = None,
    frames: int | None = None,
    screenshot: str | None = None,
    data_dir: str | None = None,
) -> int:
    """Open the guided evaluation on ``source``; returns the exit code.

    With ``screenshot`` (offscreen where there is no display) it runs the scripted flow on
    ``frames`` frames (default 90): camera step skipped, shoulder abduction on both sides, and
    saves the window as PNG.
    """

    def build(spec: Any, max_frames: int | None, scripted: bool) -> AssessmentWindow:
        return AssessmentWindow(
            AssessmentOptions(
                source=spec,
                profile=profile,
                data_dir=data_dir,
                max_frames=max_frames,
                realtime=not scripted,
                loop=not scripted,
            )  # fmt: skip
        )

    return launch_session(build, _ScreenshotDriver, source, frames, screenshot)
