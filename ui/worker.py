"""Capture and inference off the GUI thread.

``FrameWorker`` owns one source and one ``Pipeline`` on a plain Python thread. For each frame
it runs ``Pipeline.process``, renders the overlays at display size (``render.render_for_display``)
and publishes the result as the *newest* frame: if the GUI has not taken the previous one yet,
it is replaced (never queued), so what is shown is never older than one frame. The GUI is told
with the ``frameReady`` signal (at most one pending at a time) and takes the frame with
``take_latest()``.

User intent (a click on a person, new targets, a neutral) is queued as commands and applied on
the worker thread between frames, so the pipeline is only ever touched by one thread.
``stop()`` ends the thread, closes the source (releasing the camera) and the model.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from PyQt6.QtCore import QObject, pyqtSignal

from posture_feedback.annotate import Annotator
from posture_feedback.errors import CameraDisconnected, PostureFeedbackError
from posture_feedback.types import FrameResult
from posture_feedback.ui.render import Rendered, render_for_display

log = logging.getLogger(__name__)

#: What a worker can be given as its source: a spec for ``sources.open_source`` (camera index,
#: path, ``"sample"``) or a callable that opens and returns a frame source (tests, fakes).
SourceSpec = Any


@dataclass
class WorkerStats:
    """Counters of the live path (read on the GUI thread; written by the worker).

    Attributes:
        processed: frames run through the pipeline.
        proc_fps: processing rate, frames per second (exponential moving average).
        pipeline_ms: milliseconds in ``Pipeline.process`` for the last frame.
        render_ms: milliseconds drawing and converting the last frame.
        replaced: rendered frames overwritten before the GUI took them (display drops).
        source_dropped: frames the live source captured but nobody read (newest-frame-wins).
    """

    processed: int = 0
    proc_fps: float = math.nan
    pipeline_ms: float = math.nan
    render_ms: float = math.nan
    replaced: int = 0
    source_dropped: int = 0


def describe_source(spec: SourceSpec) -> str:
    """A short user-facing name for a source spec."""
    if callable(spec):
        return getattr(spec, "__name__", "custom source")
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        return f"camera {int(spec)}"
    if str(spec) == "sample" or str(spec).startswith("sample:"):
        return "sample video"
    return Path(str(spec)).name


def camera_name(spec: SourceSpec) -> str:
    """The live camera a spec opens ("camera 0", as ``describe_source``), "" for a recording: what a
    neutral posture is kept with (``calibration.neutral.NeutralPosture.camera``)."""
    return describe_source(spec) if is_camera_spec(spec) else ""


def is_camera_spec(spec: SourceSpec) -> bool:
    """True when the spec names a camera index."""
    return isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit())


class FrameWorker(QObject):
    """Runs source → pipeline → overlays on a background thread (see module docstring).

    Args:
        source: source spec or opener callable (see ``SourceSpec``).
        make_pipeline: creates the pipeline (called on the worker thread: loading the model
            takes a moment and must not block the GUI).
        realtime: play video files at their own rate with newest-frame-wins, like a camera.
        loop: restart a video file at its end.
        max_frames: stop processing after this many frames (the last one stays displayed).
    """

    frameReady = pyqtSignal()
    sourceOpened = pyqtSignal(str, bool, float)  # name, is_live, fps
    sourceFailed = pyqtSignal(str)  # the source could not be opened
    disconnected = pyqtSignal(str)  # a live camera stopped mid-session
    ended = pyqtSignal()  # a finite source reached its end
    maxFramesReached = pyqtSignal(int)
    failed = pyqtSignal(str)  # the pipeline could not start (model) or crashed
    neutralCaptured = pyqtSignal(object, object)  # NeutralPosture, the person's landmarks at the end (or None)
    neutralFailed = pyqtSignal(str)
    targetRequested = pyqtSignal(bool)  # a click found a person to follow (True) or nobody (False)
    stopped = pyqtSignal()

    def __init__(
        self,
        source: SourceSpec,
        make_pipeline: Callable[[], Any],
        *,
        realtime: bool = True,
        loop: bool = True,
        max_frames: int | None = None,
        annotators: Sequence[Annotator] = (),
        mirror: bool = False,
        display_box: tuple[int, int] = (960, 720),
    ) -> None:
        super().__init__()
        self.source_spec = source
        self._make_pipeline = make_pipeline
        self.realtime = realtime
        self.loop = loop
        self.max_frames = max_frames
        # Display settings, read by the worker thread each frame (plain attribute swaps are atomic).
        self.annotators: tuple[Annotator, ...] = tuple(annotators)
        self.mirror = mirror
        self.display_box = display_box
        self.paused = False
        #: Seconds between processed frames at least (None = as fast as frames come).
        self.min_interval_s: float | None = None
        #: Seconds between processed frames while nobody is in view (CPU back-off; None = no back-off).
        self.idle_interval_s: float | None = None
        self.stats = WorkerStats()
        self.source_name = describe_source(source)
        self.is_live = False
        self._commands: queue.SimpleQueue[Callable[[Any], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._latest: Rendered | None = None
        self._notified = False
        self._stop = threading.Event()
        self._source: Any = None
        self._thread: threading.Thread | None = None
        self._neutral_capture: tuple[float, str, list[FrameResult]] | None = None
        self.current_interval_s = 0.0  #: pacing interval in force for the last frame (seconds)
        self.reached_end = False  #: a finite source (video without loop, image) delivered its last frame

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        """Open the source and the model and start processing, on a new thread."""
        if self._thread is not None:
            raise RuntimeError("FrameWorker.start() called twice")
        self._thread = threading.Thread(target=self._run, name=f"frame-worker:{self.source_name}", daemon=True)
        self._thread.start()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout_s: float = 5.0) -> bool:
        """Stop the thread, close the source (releases the camera) and the model; True when stopped."""
        self._stop.set()
        with self._lock:
            source = self._source
        if source is not None and getattr(source, "is_live", False):
            # Live sources are built to be closed from another thread: this wakes a blocked read().
            try:
                source.close()
            except Exception as exc:  # never let a driver error keep the window from closing
                log.warning("closing %s: %s", self.source_name, exc)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)
            return not self._thread.is_alive()
        return True

    # -- intent from the GUI (applied on the worker thread) ----------------------------
    def request_target(self, point_xy: tuple[float, float]) -> None:
        """Make the person at this pixel of the (unmirrored) frame the target; ``targetRequested``
        tells whether anyone was there (False: nobody near the point, nothing changed)."""
        self._commands.put(lambda p: self.targetRequested.emit(bool(p.request_target(point_xy))))

    def set_targets(self, target_set: Any, neutral: Mapping[str, float] | None = None) -> None:
        self._commands.put(lambda p: p.set_targets(target_set, neutral))

    def set_neutral(self, neutral: Mapping[str, float] | None) -> None:
        self._commands.put(lambda p: p.set_neutral(neutral))

    def capture_neutral(self, seconds: float, posture: str, view: Any = None) -> None:
        """Average the angles over the next ``seconds`` seconds; ``neutralCaptured`` gives the result.

        ``view``: the view the capture must be in (the preset's view; None: front or side). The core
        refuses a capture that is not still or not in that view (``neutralFailed`` with the reason)."""

        def begin(_p: Any) -> None:
            self._neutral_view = view
            self._neutral_capture = (time.perf_counter() + seconds, posture, [])

        self._commands.put(begin)

    def take_latest(self) -> Rendered | None:
        """The newest rendered frame not yet taken (None if none)."""
        with self._lock:
            item, self._latest = self._latest, None
            self._notified = False
        return item

    # -- the thread --------------------------------------------------------------------
    def _open(self) -> Any:
        if callable(self.source_spec):
            return self.source_spec()
        from posture_feedback.sources import open_source

        live_file = self.realtime and not is_camera_spec(self.source_spec)
        return open_source(self.source_spec, realtime=live_file, loop=self.loop)

    def _run(self) -> None:
        pipeline = None
        source = None
        try:
            try:
                source = self._open()
            except PostureFeedbackError as exc:
                self.sourceFailed.emit(str(exc))
                return
            except Exception as exc:  # an unexpected driver/OpenCV error: say so, don't crash
                self.sourceFailed.emit(f"{self.source_name} could not be opened: {exc}")
                return
            with self._lock:
                self._source = source
            self.is_live = bool(getattr(source, "is_live", False))
            self.source_name = getattr(source, "name", self.source_name) or self.source_name
            if self._stop.is_set():
                return
            self.sourceOpened.emit(self.source_name, self.is_live, float(getattr(source, "fps", 30.0)))
            try:
                pipeline = self._make_pipeline()
            except PostureFeedbackError as exc:
                self.failed.emit(str(exc))
                return
            self._loop(source, pipeline)
        except Exception as exc:  # report, never take the GUI down
            log.exception("frame worker failed")
            self.failed.emit(f"processing stopped: {type(exc).__name__}: {exc}")
        finally:
            if pipeline is not None:
                pipeline.close()
            if source is not None:
                try:
                    source.close()
                except Exception as exc:
                    log.warning("closing %s: %s", self.source_name, exc)
            with self._lock:
                self._source = None
            self.stopped.emit()

    def _loop(self, source: Any, pipeline: Any) -> None:
        ema_dt = math.nan
        last_done = math.nan
        while not self._stop.is_set():
            while True:
                try:
                    self._commands.get_nowait()(pipeline)
                except queue.Empty:
                    break
            if self.paused:
                if self.is_live:
                    self._read(source)  # keep the camera drained so resuming shows the present
                else:
                    self._stop.wait(0.05)
                continue
            t_start = time.perf_counter()
            frame = self._read(source)
            if frame is None:
                return
            t_read = time.perf_counter()
            result = pipeline.process(frame)
            t_proc = time.perf_counter()
            self._collect_neutral(result)
            rendered = render_for_display(result, self.annotators, self.mirror, self.display_box)
            t_rend = time.perf_counter()
            rendered = replace(rendered, processed_at=t_proc, rendered_at=t_rend)
            st = self.stats
            st.processed += 1
            st.pipeline_ms = (t_proc - t_read) * 1000.0
            st.render_ms = (t_rend - t_proc) * 1000.0
            st.source_dropped = int(getattr(source, "dropped", 0))
            if last_done == last_done:
                dt = t_rend - last_done
                ema_dt = dt if ema_dt != ema_dt else 0.9 * ema_dt + 0.1 * dt
                st.proc_fps = 1.0 / ema_dt if ema_dt > 0 else math.nan
            last_done = t_rend
            self._publish(rendered)
            if self.max_frames is not None and st.processed >= self.max_frames:
                self.maxFramesReached.emit(st.processed)
                return
            self._pace(t_start, result.person_found)

    def _read(self, source: Any) -> Any:
        try:
            frame = source.read()
        except CameraDisconnected as exc:
            if not self._stop.is_set():
                self.disconnected.emit(str(exc))
            return None
        if frame is None and not self._stop.is_set():
            self.reached_end = True
            self.ended.emit()
        return frame

    def _pace(self, t_start: float, person_found: bool) -> None:
        interval = self.min_interval_s or 0.0
        if not person_found and self.idle_interval_s:
            interval = max(interval, self.idle_interval_s)
        self.current_interval_s = interval
        wait = t_start + interval - time.perf_counter()
        if wait > 0:
            self._stop.wait(wait)

    def _publish(self, rendered: Rendered) -> None:
        with self._lock:
            if self._latest is not None:
                self.stats.replaced += 1
            self._latest = rendered
            notify = not self._notified
            self._notified = True
        if notify:
            self.frameReady.emit()

    def _collect_neutral(self, result: FrameResult) -> None:
        cap = self._neutral_capture
        if cap is None:
            return
        until, posture, items = cap
        light = replace(result, frame=replace(result.frame, image=np.empty((0, 0, 3), np.uint8)), people=[])
        items.append(light)
        if time.perf_counter() < until:
            return
        self._neutral_capture = None
        try:
            from posture_feedback.calibration.neutral import capture_neutral

            posture_obj = capture_neutral(items, posture, view=getattr(self, "_neutral_view", None))
        except (PostureFeedbackError, ValueError) as exc:  # CalibrationError: too few frames with a person
            self.neutralFailed.emit(str(exc))
            return
        last = next((r.landmarks for r in reversed(items) if r.landmarks is not None), None)
        self.neutralCaptured.emit(posture_obj, last)
