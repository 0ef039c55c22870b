"""What the exercise and evaluation windows share (and, for the small helpers, the mirror window).

``SessionWindow`` is the base of ``ExerciseWindow`` and ``AssessmentWindow``: window title and
style, the profile database (opened here, or given), the live ``VideoView`` whose size the worker
renders to, the ``FrameWorker`` wrapped by a ``ResultTap`` (every result reaches ``_drain()`` in
order), stopping it, the screenshot, and closing. ``SessionScreenshotDriver`` is the base of their
scripted offscreen runs and ``launch_session`` starts either window from the command line.

The helper functions (``display_box``, ``stop_worker``, ``make_cue_label``, ``cue_style``,
``save_window_png``) are used by the mirror window too.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QCloseEvent, QResizeEvent
from PyQt6.QtWidgets import QApplication, QBoxLayout, QLabel, QMainWindow, QSizePolicy, QWidget

from posture_feedback.errors import PostureFeedbackError
from posture_feedback.storage import StorageError
from posture_feedback.ui.options import AppOptions
from posture_feedback.ui.profile_dialog import open_database, profile_for_name
from posture_feedback.ui.result_tap import ResultTap, source_name
from posture_feedback.ui.video_view import VideoView
from posture_feedback.ui.worker import FrameWorker, is_camera_spec

log = logging.getLogger(__name__)

#: The worker signals a session window connects (all are disconnected when the worker stops).
SESSION_SIGNALS = ("frameReady", "sourceOpened", "sourceFailed", "failed", "disconnected", "ended", "maxFramesReached")


def display_box(video: QWidget) -> tuple[int, int]:
    """The size (pixels) the worker renders frames to for this view: at least 320 × 240."""
    return max(320, video.width()), max(240, video.height())


def stop_worker(worker: FrameWorker, signals: Iterable[str]) -> None:
    """Disconnect these signals (by name) of the worker, then stop it (a warning if it does not stop in time)."""
    for name in signals:
        try:
            getattr(worker, name).disconnect()
        except TypeError:  # nothing connected
            pass
    if not worker.stop():
        log.warning("the frame worker did not stop within its timeout")


def cue_style(colour: str, size: int) -> str:
    """The style sheet of the large message line under the video (``size`` in points)."""
    return f"background: #202024; color: {colour}; font-size: {size}pt; font-weight: bold; padding: 6px"


def make_cue_label(min_height: int) -> QLabel:
    """The empty, centred, wrapping message line under the video (``min_height`` in pixels)."""
    label = QLabel("")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setMinimumHeight(min_height)
    # it takes the height its wrapped text needs (the picture gives way): a long message at 18 pt lost
    # its first words above the label's top (a twelfth-audit leftover, large type)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return label


def save_window_png(widget: QWidget, path: str | Path) -> Path:
    """Save ``widget`` as PNG at ``path`` (folders created); raises ``PostureFeedbackError`` if it cannot."""
    from posture_feedback.cv_paths import native_path

    native_path(path)  # Qt saved a name that is not UTF-8 under another name (with U+FFFD) and said it was written
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if widget.layout() is not None:  # lay out text set in this same event first, as the screen will show it
        widget.layout().activate()
    if not widget.grab().save(str(path)):
        raise PostureFeedbackError(f"could not write the screenshot {path}")
    return path


@dataclass
class SessionOptions:
    """How a session window (exercises, evaluation) starts: the fields both share.

    Attributes:
        source: camera index, video path or ``"sample"``.
        profile: profile name to save to (created if missing; None = choose in the window).
        data_dir: the database folder (None = storage's default).
        model, max_people: pose model options.
        realtime: play video files at their own rate (a camera stand-in); False = every frame.
        loop: restart video files at their end.
        max_frames: stop processing after this many frames.
        mirror: flip the picture; None = mirrored for a camera, not for a video.
        scene_vertical: without ``camera_up``, estimate the camera's vertical from the scene's lines
            over the first 1.5 s (``PipelineOptions.scene_vertical``, as the app); False = a level
            camera is assumed (±20° on every angle against the vertical).
        camera_up, camera_up_uncertainty: a stored calibration's vertical and its (roll, pitch) ±
            (``commands.analyze.camera_up``); None = none.
        follow: follow one person at the single-person model's cost (``FollowOptions.enabled``);
            None = the pipeline's default (off).
    """

    source: Any = 0
    profile: str | None = None
    data_dir: str | None = None
    model: str = "full"
    max_people: int = 2
    realtime: bool = True
    loop: bool = True
    max_frames: int | None = None
    mirror: bool | None = None
    scene_vertical: bool = False
    camera_up: Any = None
    camera_up_uncertainty: Any = None
    follow: bool | None = None


class SessionWindow(QMainWindow):
    """Base of the exercise and evaluation windows (see the module docstring).

    Subclasses call ``_setup_session`` first, create ``self.timer`` and the video with ``_add_video``,
    and define ``_drain()`` (feed the tap's results in order) and ``_on_source_problem(message)``.
    """

    timer: QTimer

    def _setup_session(self, options: SessionOptions, db: Any, title: str, style: str) -> None:
        """Options, title, style, and the database: ``db`` if given, else opened (``db_error`` says why not)."""
        self.options = options
        self.setWindowTitle(title)
        self.setStyleSheet(style)
        self.source_spec: Any = self.options.source
        self.db = db
        self.db_error = ""
        self._own_db = False
        if self.db is None:
            try:
                self.db = open_database(self.options.data_dir)
                self._own_db = True
            except StorageError as exc:
                self.db_error = str(exc)
        self.worker: FrameWorker | None = None
        self.tap: ResultTap | None = None
        self.last_rendered: Any = None
        self.frames_fed = 0

    def _start_timer_and_profile(self, tick: Callable[[], Any], interval_ms: int) -> str | None:
        """Call ``tick`` every ``interval_ms`` milliseconds (``self.timer``) and choose ``options.profile`` in
        ``self.picker``; returns why that profile cannot be chosen (None when it is, or none was asked for)."""
        self.timer = QTimer(self)
        self.timer.timeout.connect(tick)
        self.timer.start(interval_ms)
        if self.options.profile and self.db is not None:
            try:
                self.picker.select(profile_for_name(self.db, self.options.profile).id)
            except StorageError as exc:
                return str(exc)
        return None

    def apply_profile_large_type(self) -> bool:
        """The large-type, high-contrast mode (``ui/accessibility.py``) when ``options.profile`` has it on, as the
        Session menu's route gives it; whether it was applied. The command line's route had no such step: the
        exercise and evaluation windows of a large-type profile opened in small text."""
        from posture_feedback.ui.accessibility import apply_large_type, large_type_enabled

        if not self.options.profile or self.db is None:
            return False
        try:
            on = large_type_enabled(self.db.profile_by_name(self.options.profile))
        except StorageError:
            return False
        if on:
            apply_large_type(self)
        return on

    def _add_video(self, parent: QWidget, layout: QBoxLayout, cue_min_height: int) -> QLabel:
        """Add the live view (``self.video``, which the worker renders to) to ``layout``, and under it the
        message line (``cue_min_height`` pixels at least), which is returned."""
        self.video = VideoView(parent)
        self.video.resizeEvent = self._video_resized  # type: ignore[method-assign]
        self.video.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        layout.addWidget(self.video, 1)
        label = make_cue_label(cue_min_height)
        layout.addWidget(label)
        return label

    @staticmethod
    def _show_message(label: QLabel, text: str, colour: str, size: int) -> None:
        """Show ``text`` on the message line in ``colour`` at ``size`` points."""
        label.setText(text)
        label.setStyleSheet(cue_style(colour, size))

    def _video_resized(self, event: QResizeEvent) -> None:
        VideoView.resizeEvent(self.video, event)
        if self.worker is not None:
            self.worker.display_box = display_box(self.video)

    # ------------------------------------------------------------------ worker
    def _start_worker(self, tap: ResultTap, annotators: tuple) -> FrameWorker:
        """Open ``source_spec`` in a worker whose pipeline feeds ``tap`` (mirrored for a camera unless chosen)."""
        from posture_feedback.ui.main_window import make_pipeline_factory

        spec = self.source_spec
        opts = self.options
        mirror = opts.mirror if opts.mirror is not None else is_camera_spec(spec)
        from posture_feedback.pipeline import PipelineOptions
        from posture_feedback.pose import PoseOptions

        pipeline = None  # (max_people < 1: the factory refuses it on the worker, which reports it)
        if opts.max_people >= 1:
            pipeline = PipelineOptions(pose=PoseOptions(model=opts.model, max_people=opts.max_people),
                                       scene_vertical=opts.scene_vertical and opts.camera_up is None)  # fmt: skip
            if opts.follow is not None:
                pipeline = replace(pipeline, follow=replace(pipeline.follow, enabled=opts.follow))
        app_options = AppOptions(source=spec, model=opts.model, max_people=opts.max_people, realtime=opts.realtime,
                                 pipeline=pipeline, camera_up=opts.camera_up,
                                 camera_up_uncertainty=opts.camera_up_uncertainty)  # fmt: skip
        self.tap = tap
        self.video.show_placeholder(f"Opening {source_name(spec)}…")
        worker = FrameWorker(
            spec,
            tap.wrap(make_pipeline_factory(app_options, None, None)),
            realtime=opts.realtime,
            loop=opts.loop,
            max_frames=opts.max_frames,
            annotators=annotators,
            mirror=mirror,
            display_box=display_box(self.video),
        )
        worker.frameReady.connect(self._on_frame_ready)
        worker.sourceOpened.connect(self._on_source_opened)
        for sig in (worker.sourceFailed, worker.failed, worker.disconnected):
            sig.connect(self._on_source_problem)
        worker.ended.connect(self._on_ended)
        worker.maxFramesReached.connect(lambda _n: self._drain())
        self.worker = worker
        worker.start()
        return worker

    def _stop_worker(self) -> None:
        if self.worker is not None:
            w, self.worker = self.worker, None
            stop_worker(w, SESSION_SIGNALS)

    def _on_source_opened(self, name: str, live: bool, fps: float) -> None:
        """The source is open (``name``, live camera or not, frames per second); nothing to do by default."""

    def _on_source_problem(self, message: str) -> None:
        raise NotImplementedError

    def _on_ended(self) -> None:
        self._drain()

    def _on_frame_ready(self) -> None:
        worker = self.worker
        if worker is None:
            return
        rendered = worker.take_latest()
        self._drain()
        if rendered is not None:
            self.last_rendered = rendered
            self.video.show_frame(rendered)

    def _drain(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ shutdown
    def save_screenshot(self, path: str | Path) -> Path:
        return save_window_png(self, path)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the timer and the camera, end what runs (``_end_session``), close the database if opened here."""
        self.timer.stop()
        self._stop_worker()
        self._end_session()
        if self._own_db and self.db is not None:
            self.db.close()
            self.db = None

    def _end_session(self) -> None:
        """Hook: finish what is in progress before the database closes."""


class SessionScreenshotDriver:
    """Base of the scripted offscreen runs: ``_poll`` (every 50 ms) decides when, ``_save_and_quit`` ends.

    Args:
        window: the session window.
        path: PNG to write.
        timeout_s: seconds after which the subclass's ``_poll`` gives up.
    """

    def __init__(self, window: SessionWindow, path: Path, timeout_s: float = 180.0) -> None:
        self.window = window
        self.path = path
        self.deadline = time.perf_counter() + timeout_s
        self.exit_code: int | None = None
        self.message = ""
        self.saved = False  #: the screenshot was written (also when the run failed: it shows why)
        self._script()
        self.timer = QTimer()
        self.timer.timeout.connect(self._poll)
        self.timer.start(50)

    def _script(self) -> None:
        """Hook: drive the window before polling starts."""

    def _poll(self) -> None:
        raise NotImplementedError

    def _show_latest(self) -> None:
        """Show the frame the worker rendered last, if the window has not taken it yet."""
        w = self.window
        if w.worker is not None:
            take = w.worker.take_latest()
            if take is not None:
                w.last_rendered = take
                w.video.show_frame(take)

    def _save_and_quit(self, exit_code: int, message: str = "") -> None:
        """Refresh and save the window, close it and leave the event loop with ``exit_code`` (2 if not saved)."""
        w = self.window
        w._refresh()  # noqa: SLF001 - the driver belongs to the session windows
        QApplication.processEvents()
        try:
            w.save_screenshot(self.path)
            self.exit_code, self.message = exit_code, message
            self.saved = True
        except PostureFeedbackError as exc:
            self.message, self.exit_code = str(exc), 2
        w.close()
        QApplication.instance().exit(self.exit_code)


def launch_session(
    build: Callable[[Any, int | None, bool], SessionWindow],
    driver_class: type[SessionScreenshotDriver],
    source: str,
    frames: int | None,
    screenshot: str | None,
    check: Callable[[], Any] | None = None,
) -> int:
    """Run a session window on ``source`` until it closes; returns the exit code.

    ``build(spec, max_frames, scripted)`` makes the window. With ``screenshot`` (offscreen where there
    is no display) the run is scripted by ``driver_class`` on ``frames`` frames (default 90). ``check``
    runs after the display check and before any window opens (it raises to refuse).
    """
    from posture_feedback.ui.app import ensure_qapplication, require_display

    offscreen = require_display(screenshot)
    if check is not None:
        check()
    spec: Any = int(source) if isinstance(source, str) and source.strip().isdigit() else source
    scripted = screenshot is not None
    if scripted and frames is None:
        frames = 90
    if scripted and not isinstance(spec, int):  # a file that cannot be used: one error line, before any window
        from posture_feedback.sources import open_source

        open_source(spec).close()
    app = ensure_qapplication(offscreen=offscreen)
    window = build(spec, frames, scripted)
    window.apply_profile_large_type()  # the profile's large type, as the Session menu's route gives it
    driver = None
    if scripted:
        window.resize(1280, 760)
        driver = driver_class(window, Path(screenshot))
    window.show()
    from posture_feedback.ui.app import InterruptCloses

    with InterruptCloses(app, window) as interrupt:  # Ctrl-C closes the window as by hand
        code = app.exec()
    window.shutdown()
    if interrupt.hit:
        raise KeyboardInterrupt  # cli: "posture-feedback: interrupted", exit 130
    if driver is not None:
        # where the screenshot is, also when it shows why the run failed ("the screenshot shows the
        # window" named no file; the mirror says it in both cases; audit 28)
        if driver.saved:
            print(f"screenshot: {driver.path}")
        if driver.message:
            print(f"posture-feedback: {driver.message}", file=sys.stderr)
        if driver.exit_code is None:
            return 1
        return driver.exit_code
    return int(code)
