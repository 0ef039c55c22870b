"""The posture monitor: a compact window (and tray icon) that watches while you work at a laptop.

It runs the same worker and pipeline as the mirror window, but paced for background use:
``ACTIVE_FPS`` frames per second while someone is in view and ``IDLE_FPS`` when nobody is
(inference backs off when you leave the desk); while the screen is locked, where the operating
system says so (``screen_lock.py``), the camera is closed and nothing is counted.

By default (no ``--targets``/``target_set``, preset ``auto``) it is the **laptop coach**: a guided
start ("sit tall, look at the screen, hold still", ``neutral_seconds``, stillness and view checked
by ``laptop_signals.guided_neutral``, refused with the reason otherwise) takes the person's
neutral, stored per profile and camera; then every frame's ``laptop_signals`` go to the core's
``monitor_rules.LaptopRules``, which says when to alert (sustained deviation, named in plain
words), warn ("too close to the screen"), or offer a micro-break exercise, and counts the time in
good posture per day and per hour (saved with ``--profile``; "Today by hour" charts the hours of a
day, ``monitor_hours_dialog.HoursDialog``). With explicit targets the alerts come
from ``feedback.DeviationMonitor`` as before (``--alert-after`` seconds, ``--alert-threshold``
degrees beyond the range). Alerts are gentle: a line of text, a tray notification where there is
a tray, and a soft sound unless muted. The window only shows what the core decided.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from dataclasses import replace
from typing import Any

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QCloseEvent, QColor, QIcon, QPainter, QPixmap
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from posture_feedback import laptop_signals as ls
from posture_feedback.annotate import SkeletonAnnotator
from posture_feedback.calibration.neutral import refusal_reason
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.exercises.events import CORRECTION, NEUTRAL
from posture_feedback.feedback import Alert, DeviationMonitor
from posture_feedback.monitor_hours import (
    DayByHour,
    day_by_hour,
    day_from_totals,
    format_duration,
    good_share,
    split_text,
)  # fmt: skip
from posture_feedback.monitor_rules import (
    CUE_READABLE_S,
    Event,
    LaptopRules,
    RuleOptions,
    break_offer,
    library_exercises,
    signal_of,
)  # fmt: skip
from posture_feedback.presets import get_preset
from posture_feedback.side_words import side_word
from posture_feedback.storage import MonitorDay
from posture_feedback.types import FrameResult, Verdict
from posture_feedback.ui.main_window import initial_target_set, make_pipeline_factory
from posture_feedback.ui.options import AppOptions
from posture_feedback.ui.screen_lock import screen_locked
from posture_feedback.ui.sound import Sounds
from posture_feedback.ui.storage_link import MonitorTotals, open_profile, profile_flag
from posture_feedback.ui.video_view import VideoView
from posture_feedback.ui.worker import FrameWorker, camera_name, describe_source, is_camera_spec
from posture_feedback.words import without_negative_zero

ACTIVE_FPS = 10.0  #: frames per second processed while someone is in view
IDLE_FPS = 1.0  #: frames per second while nobody is in view (CPU back-off)
ALERT_READABLE_S = CUE_READABLE_S  #: seconds an alert's words stay up at most, while what they name lasts
#: The status line while a reading's ± holds its threshold (no verdict either way: ``LaptopRules.unsure``).
UNSURE_TEXT = "Watching (not judged: a reading's ± reaches past its threshold)"
LOCK_POLL_MS = 5000  #: how often the OS is asked whether the screen is locked
GUIDED_TEXT = "Sit tall, look at the screen, hold still…"
#: Seconds a person is seen (past the model's first frames, ``FrameResult.acquiring``) before the
#: guided start begins by itself: the model's points still settle at first.
GUIDED_SETTLE_S = 1.0
#: The status line on the model's first frames of a newly followed person: no reading yet.
ACQUIRING_TEXT = "Watching (finding you: not judged yet)"
#: The status line on a first run (no neutral) until the guided start begins by itself.
FINDING_TEXT = "Hold on, finding you…"
#: The longest phrase the monitor says: its alerts' first phrases ("You are too close to the screen",
#: before the dash) have up to 7 words, and one cut short ("You are too close to the") is no cue.
SPOKEN_MAX_WORDS = 8
#: Short words for the signals shown under the status line (units in laptop_signals.SIGNALS).
SIGNAL_WORDS = {"head_drop": "head", "lean_in": "lean", "shoulder_raise": "shoulders", "neck_side_bend": "tilt"}
#: What each reading of the readings line is, its unit and sign (docs/laptop_coach.md, "Signals"): the line's
#: tooltip, so "head +29 ±27%" says what the 29 is of (audit 30: units never explained).
SIGNAL_HELP = (
    "Each reading is the change from your neutral, with the ± this camera measurement carries (90% bound):\n"
    "head: how far your head has dropped, in % of your shoulder width (+ = lower: forward head, looking down)\n"
    "lean: how much wider your shoulders look, in % (+ = nearer the screen)\n"
    "shoulders: how far your ears came nearer your shoulders, in % of your shoulder width (+ = shoulders up)\n"
    "tilt: your head's side-bend against your shoulder line, in degrees, with the ear that is up"
)


class _RulesCounters:
    """``LaptopRules``' totals under the names ``MonitorTotals.flush`` and the window read."""

    def __init__(self, rules: LaptopRules) -> None:
        self.rules = rules

    def slots(self) -> dict[tuple[dt.date, int], list[float]]:
        """(day, hour) → [observed_s, good_s, judged_s] (``LaptopRules.totals``)."""
        return self.rules.totals

    def alerts_by_day(self) -> dict[dt.date, int]:
        """Local day → alerts (``LaptopRules.alerts``)."""
        return self.rules.alerts

    @property
    def judged_s(self) -> float:
        """Seconds judged today (good posture or a fault confirmed)."""
        return self.rules.day_judged_s()

    @property
    def observed_s(self) -> float:
        return self.rules.day_totals()[0]

    @property
    def good_s(self) -> float:
        return self.rules.day_totals()[1]

    @property
    def alerts_today(self) -> int:
        return self.rules.events_today


def _dot_icon(colour: QColor) -> QIcon:
    pm = QPixmap(32, 32)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(colour)
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(4, 4, 24, 24)
    p.end()
    return QIcon(pm)


class MonitorWindow(QWidget):
    """Compact posture monitor (see module docstring)."""

    def __init__(self, options: AppOptions | None = None) -> None:
        super().__init__()
        self.options = options or AppOptions(monitor=True)
        opts = self.options
        self.setWindowTitle("Posture monitor")
        self.setStyleSheet("QWidget { background: #18181c; color: #eee } QPushButton { padding: 4px 10px }")
        self.target_set, self.preset_name = initial_target_set(opts)
        self.neutral: dict[str, float] | None = None
        self.monitor = DeviationMonitor(threshold_deg=opts.alert_threshold_deg, duration_s=opts.alert_after_s)
        #: The laptop coach (default): no explicit targets, preset auto (or none given).
        self.laptop_mode = opts.target_set is None and opts.targets_file is None and opts.preset in (None, "auto")
        rule_opts = opts.laptop_rules or RuleOptions(
            duration_s=opts.alert_after_s, break_after_s=60.0 * opts.break_after_min,
            **({"thresholds": dict(opts.laptop_thresholds)} if opts.laptop_thresholds else {}),
        )  # fmt: skip
        self.rules = LaptopRules(rule_opts, available_exercises=library_exercises)
        self.camera_key = describe_source(opts.source)
        self.laptop_neutral: ls.LaptopNeutral | None = None
        # the same filter as ``analyze --laptop-signals``, over as many samples at the monitor's 10 frames/s
        self._raw_median = ls.RawMedian(ls.raw_median_window_s(ACTIVE_FPS))
        self.last_signals: dict[str, float] | None = None
        self.last_event: Event | None = None
        self.guided_message: str | None = None  #: the guided start's outcome (accepted / refused: reason)
        self._capture: list[FrameResult] | None = None  # the guided start's frames while it runs
        self._capture_end = 0.0
        self._settled_since: float | None = None  # when the person was first seen past the acquisition frames
        self.locked = False  #: the screen is locked (the camera is closed)
        self.lock_probe = screen_locked  #: asks the OS (replaceable in tests)
        self.sounds = Sounds(enabled=opts.sound if opts.sound is not None else True)
        self.last_result: FrameResult | None = None
        self.last_alert: Alert | None = None
        self._alert_shown_at = -math.inf
        self._alert_detail = ""  # the detail line under the last alert's words (an offer: its instruction)
        self.worker: FrameWorker | None = None
        self.frames_seen = 0
        self.problem: str | None = None  #: what stopped the watching (no camera, camera stopped), None while fine
        self.link = open_profile(opts)
        self.totals = MonitorTotals(self.link) if self.link is not None else None
        #: The profile's accessibility settings (``profile set --large-type on --spoken-guidance on``).
        self.large_type = profile_flag(self.link, "large_type")
        self.spoken: Any = None  # ui.spoken_cues.SpokenCues: says the alert shown, one short cue at a time
        self.clock = time.perf_counter  #: seconds, for the spoken cues' cool-down (replaceable in tests)
        if profile_flag(self.link, "spoken_guidance"):
            from posture_feedback.ui.spoken_cues import SpokenCues

            self.spoken = SpokenCues("monitor", max_words=SPOKEN_MAX_WORDS)
        self._load_saved_neutral()
        self._load_laptop_neutral()

        col = QVBoxLayout(self)
        self.video = VideoView(self)
        self.video.setMinimumSize(240, 135)
        self.video.setMaximumHeight(200)
        col.addWidget(self.video, 1)  # the picture gives way: the words below are never cut
        self.state_label = QLabel("Starting…")
        self.state_label.setWordWrap(True)
        self.state_label.setStyleSheet(self._state_style("font-size: 15pt; font-weight: bold"))
        col.addWidget(self.state_label)
        self.good_label = QLabel("Good posture today: —")
        self.good_label.setStyleSheet("font-size: 11pt")
        self.good_label.setWordWrap(True)
        col.addWidget(self.good_label)
        self.signals_label = QLabel("")
        self.signals_label.setStyleSheet("font-size: 11pt; color: #ddd")
        self.signals_label.setWordWrap(True)
        self.signals_label.setToolTip(SIGNAL_HELP)
        col.addWidget(self.signals_label)
        self.detail_label = QLabel("")
        self.detail_label.setStyleSheet("color: #aaa")
        self.detail_label.setWordWrap(True)
        col.addWidget(self.detail_label)
        row = QHBoxLayout()
        self.neutral_button = QPushButton("Set neutral")
        self.neutral_button.clicked.connect(self.set_neutral)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._set_paused)
        self.mute_button = QPushButton("Mute")
        self.mute_button.setCheckable(True)
        self.mute_button.setChecked(not self.sounds.enabled)
        self.mute_button.toggled.connect(lambda on: setattr(self.sounds, "enabled", not on))
        for b in (self.neutral_button, self.pause_button, self.mute_button):
            row.addWidget(b)
        col.addLayout(row)
        self.hours_button = QPushButton("Today by hour")
        self.hours_button.setToolTip(
            "Time watched per hour of a day (default today): good posture confirmed, not judged, faults"
        )
        self.hours_button.clicked.connect(self.show_hours)
        self.hours_button.setVisible(self.laptop_mode)  # the hours are the laptop coach's counts
        col.addWidget(self.hours_button)
        self.hours_dialog: Any = None  # monitor_hours_dialog.HoursDialog, once opened
        # the words take the height they need at the window's width; the picture takes what is left
        # (down to its minimum): an alert's two lines were cut under a 200-px picture (a ninth audit)
        for label in (self.state_label, self.good_label, self.signals_label, self.detail_label):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.video.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.resize(380, 420)

        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(_dot_icon(QColor(0, 158, 115)), self)
            menu = QMenu()
            menu.addAction("Show", self.showNormal)
            menu.addAction("Pause / resume", lambda: self.pause_button.toggle())
            menu.addAction("Quit", self.close)
            self.tray.setContextMenu(menu)
            self.tray.setToolTip("Posture monitor")
            self.tray.show()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._update_totals)
        self.timer.start(1000)
        self.save_timer = QTimer(self)
        self.save_timer.timeout.connect(self.save_totals)
        self.save_timer.start(60_000)
        self.lock_timer = QTimer(self)
        self.lock_timer.timeout.connect(self.check_screen_lock)
        self.lock_timer.start(LOCK_POLL_MS)
        if self.large_type:  # the same large-type, high-contrast mode as the Session menu's windows
            from posture_feedback.ui.accessibility import apply_large_type

            apply_large_type(self)
            # Qt kept painting the first sheet of this top-level widget until the event loop ran: apply it once more.
            QTimer.singleShot(0, lambda: apply_large_type(self))
            self.video.setMaximumHeight(240)
            self.resize(520, 560)
        self.open_source(opts.source)

    # -- source ------------------------------------------------------------------------
    def open_source(self, spec: Any) -> None:
        self._stop_worker()
        self.problem = None
        opts = self.options
        mirror = opts.mirror if opts.mirror is not None else is_camera_spec(spec)
        worker = FrameWorker(spec, make_pipeline_factory(opts, self.target_set, self.neutral), realtime=opts.realtime,
                             loop=opts.loop, max_frames=opts.max_frames, annotators=(SkeletonAnnotator(),),
                             mirror=mirror, display_box=(360, 200))  # fmt: skip
        worker.min_interval_s = 1.0 / ACTIVE_FPS
        worker.idle_interval_s = 1.0 / IDLE_FPS
        worker.frameReady.connect(self._on_frame_ready)
        worker.sourceFailed.connect(lambda m: self._problem(f"No camera: {m}"))
        worker.disconnected.connect(lambda m: self._problem(f"The camera stopped: {m}. Today's totals are kept."))
        worker.failed.connect(lambda m: self._problem(m))
        worker.ended.connect(self._ended)
        worker.neutralCaptured.connect(self._on_neutral)
        worker.neutralFailed.connect(
            lambda m: self.detail_label.setText(f"Neutral not set: {refusal_reason(m)}"))
        worker.paused = self.pause_button.isChecked()  # a reopening (after a screen lock) keeps the user's Pause
        self.worker = worker
        self.source_name = describe_source(spec)
        worker.start()

    def _stop_worker(self) -> None:
        if self.worker is not None:
            w, self.worker = self.worker, None
            try:
                w.frameReady.disconnect()
            except TypeError:
                pass
            w.stop()

    def _ended(self) -> None:
        """A recording ran out: not a problem with the source (its last picture and today's totals
        stay). `--monitor --frames N --screenshot` on a shorter video exited 2 with "the source could
        not be used: The video ended." where the mirror exits 0."""
        self.state_label.setText("The video ended")
        self.state_label.setStyleSheet(self._state_style("font-size: 15pt; font-weight: bold; color: #e69f00"))

    def _problem(self, message: str) -> None:
        self.problem = message
        self.state_label.setText("Not watching")
        self.state_label.setStyleSheet(self._state_style("font-size: 15pt; font-weight: bold; color: #e69f00"))
        self.detail_label.setText(message)
        self.video.show_placeholder("No picture")

    # -- frames --------------------------------------------------------------------------
    def _on_frame_ready(self) -> None:
        if self.worker is None:
            return
        rendered = self.worker.take_latest()
        if rendered is None or self.pause_button.isChecked():  # (a frame read before the pause: not counted)
            return
        r = rendered.result
        self.last_result = r
        self.frames_seen += 1
        self.video.show_frame(rendered)
        if not self.laptop_mode:  # the laptop coach alerts from its own signals only (docs/laptop_coach.md)
            alert = self.monitor.update(r.targets, r.frame.captured_at)
            if alert is not None:
                self.show_alert(alert)
        self._laptop_frame(r)
        self._show_state(r)

    def _laptop_frame(self, r: FrameResult) -> None:
        """The laptop coach's part of a frame: the guided start, the signals, the core's rules.

        The model's first frames of a newly followed person (``FrameResult.acquiring``) are no reading:
        they are left out of the guided start's capture, the raw median, the rules and the time counts
        (someone is in view, so the sitting clock runs). A thirteenth audit saw "head −49 ±27% ·
        shoulders −40 ±23%" for a motionless person on frames 4-16, counted good with wide thresholds."""
        t = r.frame.captured_at
        settled = r.person_found and not r.acquiring
        if not settled:
            self._settled_since = None
        elif self._settled_since is None:
            self._settled_since = t
        if self._capture is not None:
            if settled:
                self._capture.append(r)
            # a slow machine gets more time (up to 3×) to collect enough frames
            enough = (
                len(self._capture) >= ls.GUIDED_MIN_FRAMES or t >= self._capture_end + 2 * self.options.neutral_seconds
            )
            if t >= self._capture_end and enough:
                self._finish_guided_start()
        elif (self.laptop_mode and self.laptop_neutral is None and self.guided_message is None and settled
              and t - (self._settled_since or t) >= GUIDED_SETTLE_S):  # fmt: skip
            self.start_guided()  # a person seen a while (past the model's first frames), no stored neutral
        signals = None
        if self.laptop_neutral is not None and self._capture is None and not r.acquiring:
            raw = self._raw_median.update(t, ls.raw_signals(r.landmarks, r.view))
            signals = ls.relative_signals(raw, self.laptop_neutral)
        self.last_signals = signals
        for event in self.rules.update(t, signals, r.person_found):
            if self.laptop_mode or event.kind == "break":
                self.show_event(event)
        self._show_signals()

    def _show_signals(self) -> None:
        s = self.last_signals
        if not self.laptop_mode:
            return
        if s is None and (self.laptop_neutral is None or self._capture is not None):
            self.signals_label.setText(self.guided_message or "")  # no neutral yet: how the guided start went
            return
        s = s or {}  # with a neutral, a frame without a reading (the model finding him again): "—" each
        parts = []
        for k, word in SIGNAL_WORDS.items():
            v = s.get(k, math.nan)
            unit = "°" if k == "neck_side_bend" else "%"
            # each number with its measured 90% bound, the one the rules judge with
            u = self._uncertainty_of(k)
            pm = f"\u00a0±{u:.0f}" if math.isfinite(u) else ""  # no-break spaces: one reading per line
            shown = without_negative_zero(v)  # "-0" is no reading: "+0"
            # the tilt names the person's side, as the mirror does: "tilt -8 ±3° right ear up" (a bare signed
            # tilt said nothing of which ear; audit 30); none while its ± holds 0
            side = side_word(k, v, u, 0) if k == "neck_side_bend" and math.isfinite(v) else None
            side = f"\u00a0{side.replace(' ', chr(0xA0))}" if side else ""
            parts.append(f"{word}\u00a0{shown:+.0f}{pm}{unit}{side}" if math.isfinite(v) else f"{word}\u00a0—")
        beyond = ", ".join(SIGNAL_WORDS[k] for k in self.rules.deviating if k in SIGNAL_WORDS)
        unsure = ", ".join(SIGNAL_WORDS[k] for k in self.rules.unsure if k in SIGNAL_WORDS)
        self.signals_label.setText(
            "From your neutral: " + " · ".join(parts) + (f"  (beyond: {beyond})" if beyond else "")
            + (f"  (not judged: {unsure})" if unsure else "")
        )

    def _show_state(self, r: FrameResult) -> None:
        showing = self._alert_showing(r)
        # what is heard is what is shown: the cue on screen now (an alert, the guided start), said
        # when it appears or, if it came within the speech's cool-down, when that ends and it is still up
        if showing:
            is_break = getattr(self.last_alert, "kind", "") == "break"
            self._say(self.last_alert.message, NEUTRAL if is_break else CORRECTION)
        else:
            self._say(GUIDED_TEXT if self._capture is not None else None)
        if showing:  # the alert stays readable while what it names is still there
            self._set_state(self.last_alert.message, "#e69f00")  # (again: a frame since may have shown another)
            self._set_detail(self._alert_detail)  # with its own details (an offer: its instruction)
            return
        if self._alert_detail and self.detail_label.text() == self._alert_detail:
            self._update_detail()  # the alert's words are gone: its details with them, now
        known = [s for s in r.targets if s.verdict.judged]
        uncertain = any(s.verdict is Verdict.UNCERTAIN for s in r.targets)
        if self.locked:
            text, colour = "Paused while the screen is locked", "#aaaaaa"
        elif self._capture is not None:
            left = max(self._capture_end - r.frame.captured_at, 0.0)
            text, colour = f"{GUIDED_TEXT} {left:.0f} s", "#56b4e9"
        elif not r.person_found:
            text, colour = "Nobody in view — watching less often", "#aaaaaa"
        elif self.laptop_mode and self.laptop_neutral is None and self.guided_message is None:
            # a first run: the guided start begins by itself once he is seen GUIDED_SETTLE_S past the
            # model's first frames; "Press “Set neutral”" just before it did (a twentieth audit)
            text, colour = FINDING_TEXT, "#aaaaaa"
        elif self.laptop_mode and r.acquiring:  # the model's first frames: no reading (FrameResult.acquiring)
            text, colour = ACQUIRING_TEXT, "#aaaaaa"
        elif self.laptop_mode and self.laptop_neutral is None:
            text, colour = "Press “Set neutral” and sit tall, looking at the screen", "#aaaaaa"
        elif self.laptop_mode and self.last_signals is not None:
            measured = any(math.isfinite(v) for v in self.last_signals.values())
            if not measured:
                text, colour = "Watching (face the screen, head and shoulders in view)", "#aaaaaa"
            elif self.rules.deviating or self.rules.too_close_now:  # too close is never good posture
                text, colour = "Watching", "#dddddd"
            elif self.rules.unsure:  # a reading's ± holds its threshold: no verdict either way
                text, colour = UNSURE_TEXT, "#aaaaaa"
            else:
                text, colour = "Good posture", "#009e73"
                if self.tray is not None and self.last_alert is not None:
                    self.tray.setIcon(_dot_icon(QColor(0, 158, 115)))
        elif not known and uncertain and r.vertical == "level":
            text, colour = "Watching (the camera's vertical is unknown: calibrate the camera)", "#aaaaaa"
        elif not known and uncertain:
            text, colour = "Watching (too uncertain to judge from here)", "#aaaaaa"
        elif not known:
            text, colour = "Watching (turn so the camera sees your posture)", "#aaaaaa"
        elif not all(s.verdict in (Verdict.IN_RANGE, Verdict.NEAR) for s in known):
            text, colour = "Watching", "#dddddd"
        elif uncertain:  # the rest in range, one too uncertain to judge: not good posture confirmed
            text, colour = "Watching (one reading too uncertain to judge)", "#aaaaaa"
        else:  # every judged target in range, none too uncertain
            text, colour = "Good posture", "#009e73"
            if self.tray is not None and self.last_alert is not None:
                self.tray.setIcon(_dot_icon(QColor(0, 158, 115)))  # back to green after an alert
        self._set_state(text, colour)

    def _set_state(self, text: str, colour: str) -> None:
        """The status line (10 times a second: the label is touched only when it changes)."""
        style = self._state_style(f"font-size: 15pt; font-weight: bold; color: {colour}")
        if self.state_label.text() != text:
            self.state_label.setText(text)
        if self.state_label.styleSheet() != style:
            self.state_label.setStyleSheet(style)

    def _set_detail(self, text: str) -> None:
        """The detail line (touched only when it changes)."""
        if self.detail_label.text() != text:
            self.detail_label.setText(text)

    def _alert_showing(self, r: FrameResult) -> bool:
        """The last alert's words stay up: shown less than ``ALERT_READABLE_S`` ago, and what they
        name still there in ``r`` (``_alert_holds``)."""
        return (self.last_alert is not None and time.perf_counter() - self._alert_shown_at < ALERT_READABLE_S
                and self._alert_holds(r))  # fmt: skip

    def _alert_holds(self, r: FrameResult) -> bool:
        """The last alert's condition is still there in this frame: its laptop signal still beyond
        its threshold (``LaptopRules.still_holds``), or its target still out of range. Once it is
        not, the state line shows what the numbers say now (one truth per frame)."""
        alert = self.last_alert
        if isinstance(alert, Event):
            return self.rules.still_holds(alert)
        return any(s.target == alert.target and s.verdict in (Verdict.LOW, Verdict.HIGH) for s in r.targets)

    def show_alert(self, alert: Alert) -> None:
        """A gentle alert: text in the window, a tray notification, a soft sound (unless muted)."""
        self.last_alert = alert
        self._alert_shown_at = time.perf_counter()
        self.state_label.setText(alert.message)
        self.state_label.setStyleSheet(self._state_style("font-size: 15pt; font-weight: bold; color: #e69f00"))
        self._alert_detail = alert.detail()  # "shoulder tilt: 32° ±14° beyond the range for 1 s"
        self.detail_label.setText(self._alert_detail)
        self.sounds.left()
        self._say(alert.message, CORRECTION)
        if self.tray is not None:
            self.tray.setIcon(_dot_icon(QColor(230, 159, 0)))
            self.tray.showMessage("Posture check", alert.message, QSystemTrayIcon.MessageIcon.Information, 8000)

    def show_event(self, event: Event) -> None:
        """A laptop-coach event from the core (deviation named in plain words, too close, micro-break)."""
        self.last_event = event
        self.last_alert = event  # type: ignore[assignment]  # keeps the text readable like an alert
        self._alert_shown_at = time.perf_counter()
        self.state_label.setText(event.message)
        self.state_label.setStyleSheet(self._state_style("font-size: 15pt; font-weight: bold; color: #e69f00"))
        if event.kind == "break":  # the offer's instruction (none without an exercise: the usual line)
            self._alert_detail = self._exercise_offer(event.exercise) if event.exercise else ""
        else:
            name = signal_of(event)
            unit = ls.SIGNALS.get(name, "%")
            u = self._uncertainty_of(name)
            pm = f" ±{u:.0f}" if math.isfinite(u) else ""
            word = f"{SIGNAL_WORDS[name]} " if event.kind == "too_close" and name in SIGNAL_WORDS else ""
            self._alert_detail = (f"{word}{event.value:+.0f}{pm} {unit} from your neutral for "
                                  f"{format_duration(event.persisted_s)}")  # fmt: skip
        if self._alert_detail:
            self.detail_label.setText(self._alert_detail)
        else:
            self._update_detail()
        self.sounds.left()
        self._say(event.message, NEUTRAL if event.kind == "break" else CORRECTION)
        if self.tray is not None:
            self.tray.setIcon(_dot_icon(QColor(230, 159, 0)))
            title = "Time for a break" if event.kind == "break" else "Posture check"
            self.tray.showMessage(title, event.message, QSystemTrayIcon.MessageIcon.Information, 8000)

    def _uncertainty_of(self, signal: str) -> float:
        """A reading's measured 90% bound (its unit), the one the rules judge it with."""
        return self.rules.options.uncertainty.get(signal, math.nan)

    def _say(self, text: str | None, tone: str = NEUTRAL) -> None:
        """The profile's spoken guidance: say the cue shown (its first short phrase; 5 s cool-down;
        None: no cue is shown now). ``tone``: ``CORRECTION`` for a posture alert, ``NEUTRAL`` for a
        break or guidance (``exercises.events``)."""
        if self.spoken is not None:
            self.spoken.update(self.clock(), text, audible=self.sounds.enabled, tone=tone)

    def _state_style(self, sheet: str) -> str:
        """The status line's style; in large type its font is raised to the mode's 18 pt."""
        if not getattr(self, "large_type", False):
            return sheet
        from posture_feedback.ui.accessibility import larger_fonts

        return larger_fonts(sheet)

    @staticmethod
    def _exercise_offer(name: str) -> str:
        """The break offer's detail line: how long, the dose, the instruction and the command that
        runs that dose (the core's ``monitor_rules.break_offer``)."""
        offer = break_offer(name)
        if offer is None:  # the offer is a courtesy: a broken definition must not stop the monitor
            return f"Try: {name.replace('_', ' ')}"
        m = offer.minutes
        dose = f"{offer.sets} set{'s' if offer.sets > 1 else ''} of {offer.reps}" + (
            " on each side" if offer.each_side else "")  # fmt: skip
        return (f"About {m} minute{'s' if m > 1 else ''} of {offer.name}, {dose}: {offer.instruction} "
                f"({offer.command})")  # fmt: skip

    # -- the guided start --------------------------------------------------------------------
    def start_guided(self) -> None:
        """'Sit tall, look at the screen, hold still' for ``neutral_seconds``: collect the frames."""
        self._capture = []
        self._capture_end = time.perf_counter() + self.options.neutral_seconds
        self.guided_message = None
        self.state_label.setText(GUIDED_TEXT)
        self._say(GUIDED_TEXT)
        self.state_label.setStyleSheet(self._state_style("font-size: 15pt; font-weight: bold; color: #56b4e9"))

    def _finish_guided_start(self) -> None:
        frames, self._capture = self._capture or [], None
        raws = [ls.raw_signals(r.landmarks, r.view) if r.landmarks is not None else
                dict.fromkeys(ls.RAW_NAMES, math.nan) for r in frames]  # fmt: skip
        try:
            neutral = ls.guided_neutral(raws, [r.view for r in frames], camera=self.camera_key)
        except ls.NeutralRefused as exc:
            self.guided_message = f"Neutral not taken — {exc}. Press “Set neutral” to try again."
            self.state_label.setText("Neutral not taken")
            self.detail_label.setText(self.guided_message)
            return
        self.laptop_neutral = neutral
        self.guided_message = "Neutral set: alerts now compare with your own posture"
        self.detail_label.setText(self.guided_message)
        angles: dict[str, float] = {}
        from posture_feedback.calibration.camera import CalibrationError
        from posture_feedback.calibration.neutral import capture_neutral

        try:
            posture = capture_neutral(frames, "sitting")
            angles = dict(posture.angles)
        except CalibrationError:
            posture = None
        if self.link is not None:
            try:
                ls.save_laptop_neutral(self.link.db, self.link.profile_id, neutral, angles)
                if posture is not None:
                    from posture_feedback.calibration.store import save_to_database

                    posture = replace(posture, camera=camera_name(self.options.source))  # its camera
                    save_to_database(self.link.db, self.link.profile_id, posture)
            except PostureFeedbackError as exc:
                self.detail_label.setText(f"Neutral set but not saved: {exc}")

    def _load_laptop_neutral(self) -> None:
        """With a profile: its newest laptop neutral for this camera."""
        if self.link is None or not self.laptop_mode:
            return
        try:
            self.laptop_neutral = ls.load_laptop_neutral(self.link.db, self.link.profile_id, self.camera_key)
        except (PostureFeedbackError, ValueError, TypeError) as exc:
            self.guided_message = f"Saved neutral not usable ({exc}): press “Set neutral”"
            return
        if self.laptop_neutral is not None:
            self.guided_message = f"Using your saved neutral for {self.camera_key}"

    # -- screen lock ---------------------------------------------------------------------------
    def check_screen_lock(self) -> None:
        """Close the camera while the OS says the screen is locked; reopen it when unlocked."""
        locked = self.lock_probe()
        if locked is None or locked == self.locked:
            return
        self.locked = bool(locked)
        if self.locked:
            self._stop_worker()
            self.rules.pause()
            self.state_label.setText("Paused while the screen is locked")
            self.state_label.setStyleSheet(self._state_style("font-size: 15pt; font-weight: bold; color: #aaaaaa"))
            self.video.show_placeholder("Screen locked")
            self._no_readings("the camera is closed while the screen is locked")
        else:
            self.state_label.setText("Starting…")  # until the reopened camera's first frame
            self.signals_label.setText("")
            self.open_source(self.options.source)
            if self.pause_button.isChecked():
                self._set_paused(True)  # says "Paused" again: the user paused before the lock

    def _no_readings(self, why: str) -> None:
        """No frame is read now (``why``): the last frame's readings and rate are not left up as if
        live (a twentieth audit saw "head +0 ±27% …" and "10 frames/s" over a closed camera)."""
        self.last_signals = None
        self.last_result = None
        self.signals_label.setText(f"No readings: {why}")
        self._update_detail()

    def today_totals(self) -> tuple[float, float]:
        """(seconds in good posture, seconds watched) today, earlier saved sessions included."""
        m = self._counters()
        today = self._earlier_today()
        return m.good_s + today.good_s, m.observed_s + today.monitored_s

    def today_split(self) -> list[MonitorDay]:
        """Today's laptop-coach time as rows ``split_text`` words: what earlier sessions stored
        today (``judged_s`` None where an older version stored it) and this session's counts."""
        day = dt.date.today()
        r = self.rules
        earlier = self._earlier_today()
        # seconds saved into a day row an older version stored stay "not recorded" (NULL), so the window
        # says so too, rather than a split no saved view will show (a fifteenth audit, the upgrade day)
        judged = r.day_judged_s(day) if earlier.judged_s is not None else None
        own = MonitorDay(day, *r.day_totals(day), r.events_today, judged)
        return [earlier, own]

    def _earlier_today(self) -> MonitorDay:
        """What earlier sessions stored for today (nothing without a profile)."""
        day = dt.date.today()
        return self.totals.earlier(day) if self.totals is not None else MonitorDay(day, 0.0, 0.0, 0, 0.0)

    def _counters(self) -> Any:
        """What the day totals come from: the laptop rules by default, the target monitor otherwise."""
        return _RulesCounters(self.rules) if self.laptop_mode else self.monitor

    def save_totals(self) -> None:
        """Add the time counted since the last save to the profile's day and hour totals (no-op without a profile)."""
        if self.totals is None:
            return
        try:
            self.totals.flush(self._counters())  # per (day, hour) for the laptop coach, per day otherwise
        except PostureFeedbackError as exc:  # disk full, database locked: say so, keep watching
            self.detail_label.setText(f"Could not save today's totals: {exc}")

    def _update_totals(self) -> None:
        if self.laptop_mode:  # confirmed good / not judged / faults: unjudged time is not bad posture
            text = re.sub(r"(\d) (s|min|h)\b", "\\1\u00a0\\2", split_text(self.today_split()))  # "0 s" on one line
            self.good_label.setText(f"Today {text}")
        else:
            good, watched = self.today_totals()
            share = good_share(good, watched)  # from the whole seconds shown, as every view
            pct = "" if math.isnan(share) else f" ({100 * share:.0f}% of the time watched)"
            self.good_label.setText(f"Good posture today: {format_duration(good)}{pct}")
        if not (self.last_result is not None and self._alert_showing(self.last_result)):
            self._update_detail()  # (under an alert's words: its own details)

    def _update_detail(self) -> None:
        """The detail line's usual text: the source, the mode, the rate of the frame shown, today's alerts."""
        if self.worker is None and not self.locked:
            return  # no source: the line says why (``_problem``)
        r = self.last_result  # the rate of the frame shown, not a line left from an earlier one
        if self.locked:
            rate = "camera closed (screen locked)"
        elif self.pause_button.isChecked():
            rate = "paused"
        elif r is None:
            rate = "starting"
        elif not r.person_found:  # (no-break: "frames/s" was cut at its "/")
            rate = "1\u00a0frame/\u2060s (nobody in view)"
        else:
            rate = f"{ACTIVE_FPS:.0f}\u00a0frames/\u2060s"
        ts = self.target_set.label if self.target_set is not None else "no targets"
        if self.laptop_mode:
            ts = "laptop coach" + ("" if self.laptop_neutral is not None else " (no neutral yet)")
        alerts = self._counters().alerts_today + self._earlier_today().alerts  # today's only, as the good time
        self._set_detail(f"{self.source_name} · {ts} · {rate} · alerts today: {alerts}")

    # -- time per hour -------------------------------------------------------------------------
    def hours_of(self, day: dt.date) -> DayByHour:
        """A day's seconds watched and in good posture per hour: with a profile the stored totals (what
        was counted since the last save is saved first), without one the monitor's own counts."""
        if self.link is None:
            return day_from_totals(self.rules.totals, day)
        self.save_totals()
        return day_by_hour(self.link.db, self.link.profile_id, day)

    def show_hours(self, day: dt.date | None = None) -> Any:
        """Open (or bring back) the "Today by hour" dialog, showing ``day`` (default today)."""
        from posture_feedback.ui.monitor_hours_dialog import HoursDialog

        if self.hours_dialog is None:
            self.hours_dialog = HoursDialog(self.hours_of, day, parent=self)
        else:
            self.hours_dialog.panel.set_day(day or dt.date.today())
        self.hours_dialog.show()
        self.hours_dialog.raise_()
        return self.hours_dialog

    # -- actions -------------------------------------------------------------------------
    def set_neutral(self) -> None:
        if self.laptop_mode:
            self.start_guided()
            return
        if self.worker is not None:
            posture = "standing" if (self.preset_name or "").startswith("standing") else "sitting"
            self.worker.capture_neutral(self.options.neutral_seconds, posture)
            self.state_label.setText("Hold your best posture for 3 seconds…")

    def _on_neutral(self, posture: Any, _landmarks: Any) -> None:
        self.neutral = dict(posture.angles)
        if self.preset_name not in (None, "none"):
            self.target_set = get_preset(self.preset_name, baseline=True)
        if self.worker is not None:
            self.worker.set_targets(self.target_set, self.neutral)
        self.detail_label.setText("Neutral set: alerts now compare with your own posture")
        if self.link is not None:
            from posture_feedback.calibration.store import save_to_database

            try:
                save_to_database(self.link.db, self.link.profile_id, posture)
            except PostureFeedbackError as exc:
                self.detail_label.setText(f"Neutral set but not saved: {exc}")

    def _load_saved_neutral(self) -> None:
        """With a profile: its newest neutral for this posture becomes the baseline."""
        if self.link is None:
            return
        from posture_feedback.calibration.store import load_from_database

        posture = "standing" if (self.preset_name or "").startswith("standing") else "sitting"
        try:
            saved = load_from_database(self.link.db, self.link.profile_id, "neutral", posture=posture)
            saved = saved.within_bound() if saved is not None else None  # older records: angles beyond ±15°
        except (PostureFeedbackError, ValueError, KeyError):
            return
        if saved is not None and not saved.applies_to(self.camera_key):
            return  # measured with another camera (calibration.neutral.NeutralPosture.camera)
        if saved is not None and saved.angles:
            self.neutral = dict(saved.angles)
            if self.preset_name not in (None, "none"):
                self.target_set = get_preset(self.preset_name, baseline=True)

    def _set_paused(self, on: bool) -> None:
        """The Pause button: no frame is processed, and the paused time is not counted (the rules'
        next interval starts at the first frame after it, as after a screen lock; before, up to
        ``max_gap_s`` of it was added to the time watched on resuming)."""
        if self.worker is not None:
            self.worker.paused = on
        self.rules.pause()
        if on:
            self._set_state("Paused", "#aaaaaa")
            self._no_readings("paused")
        else:
            self._set_state("Watching", "#dddddd")

    # -- shutdown ----------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self.timer.stop()
        self.save_timer.stop()
        self.lock_timer.stop()
        if self.tray is not None:
            self.tray.hide()
        self._stop_worker()
        self.save_totals()
        if self.spoken is not None:
            self.spoken.close()
            self.spoken = None
        if self.link is not None:
            self.link.close()
            self.link = None
            self.totals = None

    def save_screenshot(self, path: Any) -> Any:
        from posture_feedback.ui.session_base import save_window_png

        return save_window_png(self, path)
