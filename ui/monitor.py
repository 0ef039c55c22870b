"""The posture monitor: a compact window (and tray icon) that watches while you work.

It runs the same worker and pipeline as the mirror window, but paced for background use:
``ACTIVE_FPS`` frames per second while someone is in view and ``IDLE_FPS`` when nobody is
(the CPU backs off when you leave the desk). Alerts come from the core's
``feedback.DeviationMonitor``: only when a deviation persists (``--alert-after`` seconds,
``--alert-threshold`` degrees beyond the range), with growing intervals between reminders. The
window shows the day's time in good posture. Alerts are gentle: a line of text, a tray
notification where there is a tray, and a soft sound unless muted.
"""

from __future__ import annotations

import math
import time
from typing import Any

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QCloseEvent, QColor, QIcon, QPainter, QPixmap
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPushButton, QSystemTrayIcon, QVBoxLayout, QWidget

from posture_feedback.annotate import SkeletonAnnotator
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.feedback import Alert, DeviationMonitor
from posture_feedback.presets import get_preset
from posture_feedback.types import FrameResult, Verdict
from posture_feedback.ui.main_window import initial_target_set, make_pipeline_factory
from posture_feedback.ui.options import AppOptions
from posture_feedback.ui.sound import Sounds
from posture_feedback.ui.storage_link import MonitorTotals, open_profile
from posture_feedback.ui.video_view import VideoView
from posture_feedback.ui.worker import FrameWorker, describe_source, is_camera_spec

ACTIVE_FPS = 10.0  #: frames per second processed while someone is in view
IDLE_FPS = 1.0  #: frames per second while nobody is in view (CPU back-off)


def format_duration(seconds: float) -> str:
    """'1 h 05 min', '12 min', '40 s'."""
    s = int(max(seconds, 0))
    if s >= 3600:
        return f"{s // 3600} h {(s % 3600) // 60:02d} min"
    if s >= 60:
        return f"{s // 60} min"
    return f"{s} s"


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
        self.sounds = Sounds(enabled=opts.sound if opts.sound is not None else True)
        self.last_result: FrameResult | None = None
        self.last_alert: Alert | None = None
        self._alert_shown_at = -math.inf
        self.worker: FrameWorker | None = None
        self.frames_seen = 0
        self.problem: str | None = None  #: what stopped the watching (no camera, camera stopped), None while fine
        self.link = open_profile(opts)
        self.totals = MonitorTotals(self.link) if self.link is not None else None
        self._load_saved_neutral()

        col = QVBoxLayout(self)
        self.video = VideoView(self)
        self.video.setMinimumSize(240, 135)
        self.video.setMaximumHeight(200)
        col.addWidget(self.video)
        self.state_label = QLabel("Starting…")
        self.state_label.setWordWrap(True)
        self.state_label.setStyleSheet("font-size: 15pt; font-weight: bold")
        col.addWidget(self.state_label)
        self.good_label = QLabel("Good posture today: —")
        self.good_label.setStyleSheet("font-size: 11pt")
        col.addWidget(self.good_label)
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
        self.resize(380, 380)

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
        worker.ended.connect(lambda: self._problem("The video ended."))
        worker.neutralCaptured.connect(self._on_neutral)
        worker.neutralFailed.connect(lambda m: self.detail_label.setText(f"Neutral not set: {m}"))
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

    def _problem(self, message: str) -> None:
        self.problem = message
        self.state_label.setText("Not watching")
        self.state_label.setStyleSheet("font-size: 15pt; font-weight: bold; color: #e69f00")
        self.detail_label.setText(message)
        self.video.show_placeholder("No picture")

    # -- frames --------------------------------------------------------------------------
    def _on_frame_ready(self) -> None:
        if self.worker is None:
            return
        rendered = self.worker.take_latest()
        if rendered is None:
            return
        r = rendered.result
        self.last_result = r
        self.frames_seen += 1
        self.video.show_frame(rendered)
        alert = self.monitor.update(r.targets, r.frame.captured_at)
        if alert is not None:
            self.show_alert(alert)
        self._show_state(r)

    def _show_state(self, r: FrameResult) -> None:
        now = time.perf_counter()
        if self.last_alert is not None and now - self._alert_shown_at < 20.0:
            return  # let the alert stay readable
        known = [s for s in r.targets if s.verdict is not Verdict.UNKNOWN]
        if not r.person_found:
            text, colour = "Nobody in view — watching less often", "#aaaaaa"
        elif not known:
            text, colour = "Watching (turn so the camera sees your posture)", "#aaaaaa"
        elif all(s.verdict in (Verdict.IN_RANGE, Verdict.NEAR) for s in known):
            text, colour = "Good posture", "#009e73"
            if self.tray is not None and self.last_alert is not None:
                self.tray.setIcon(_dot_icon(QColor(0, 158, 115)))  # back to green after an alert
        else:
            text, colour = "Watching", "#dddddd"
        self.state_label.setText(text)
        self.state_label.setStyleSheet(f"font-size: 15pt; font-weight: bold; color: {colour}")

    def show_alert(self, alert: Alert) -> None:
        """A gentle alert: text in the window, a tray notification, a soft sound (unless muted)."""
        self.last_alert = alert
        self._alert_shown_at = time.perf_counter()
        self.state_label.setText(alert.message)
        self.state_label.setStyleSheet("font-size: 15pt; font-weight: bold; color: #e69f00")
        self.detail_label.setText(
            f"{alert.angle.replace('_', ' ')}: {alert.deviation_deg:.0f}° beyond the range for "
            f"{format_duration(alert.persisted_s)}"
        )
        self.sounds.left()
        if self.tray is not None:
            self.tray.setIcon(_dot_icon(QColor(230, 159, 0)))
            self.tray.showMessage("Posture check", alert.message, QSystemTrayIcon.MessageIcon.Information, 8000)

    def today_totals(self) -> tuple[float, float]:
        """(seconds in good posture, seconds watched) today, earlier saved sessions included."""
        m = self.monitor
        if self.totals is None:
            return m.good_s, m.observed_s
        return m.good_s + self.totals.earlier_good_s, m.observed_s + self.totals.earlier_observed_s

    def save_totals(self) -> None:
        """Add the time counted since the last save to the profile's day totals (no-op without a profile)."""
        if self.totals is None:
            return
        try:
            self.totals.flush(self.monitor)
        except PostureFeedbackError as exc:  # disk full, database locked: say so, keep watching
            self.detail_label.setText(f"Could not save today's totals: {exc}")

    def _update_totals(self) -> None:
        m = self.monitor
        good, watched = self.today_totals()
        pct = "" if watched <= 0 else f" ({100 * good / watched:.0f}% of the time watched)"
        self.good_label.setText(f"Good posture today: {format_duration(good)}{pct}")
        w = self.worker
        if w is not None and not (self.last_alert and time.perf_counter() - self._alert_shown_at < 20.0):
            rate = (
                "1 frame/s (nobody in view)" if w.current_interval_s >= 1.0 / IDLE_FPS else f"{ACTIVE_FPS:.0f} frames/s"
            )
            ts = self.target_set.label if self.target_set is not None else "no targets"
            self.detail_label.setText(f"{self.source_name} · {ts} · {rate} · alerts today: {m.alerts_today}")

    # -- actions -------------------------------------------------------------------------
    def set_neutral(self) -> None:
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
        except (PostureFeedbackError, ValueError, KeyError):
            return
        if saved is not None and saved.angles:
            self.neutral = dict(saved.angles)
            if self.preset_name not in (None, "none"):
                self.target_set = get_preset(self.preset_name, baseline=True)

    def _set_paused(self, on: bool) -> None:
        if self.worker is not None:
            self.worker.paused = on
        self.state_label.setText("Paused" if on else "Watching")

    # -- shutdown ----------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self.timer.stop()
        self.save_timer.stop()
        if self.tray is not None:
            self.tray.hide()
        self._stop_worker()
        self.save_totals()
        if self.link is not None:
            self.link.close()
            self.link = None
            self.totals = None

    def save_screenshot(self, path: Any) -> Any:
        from posture_feedback.ui.session_base import save_window_png

        return save_window_png(self, path)
