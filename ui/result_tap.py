"""Every processed ``FrameResult``, in order, for windows that must see all of them.

The ``FrameWorker`` shows only the newest frame (older ones are replaced, never queued), which
is right for display but not for counting: a repetition or a ROM peak may be in a frame the
GUI never took. ``ResultTap.wrap(make_pipeline)`` wraps the pipeline factory given to the
worker; the wrapped pipeline puts a copy of each result into a thread-safe queue on the worker
thread, and the GUI drains it (``drain()``) and feeds every result to the core (session
runner, view gate, ROM trace) in order.

Copies are light: without ``image_width`` the frame's pixels are dropped; with it, frames are
kept scaled down to at most ``image_width`` pixels wide with their landmarks scaled alike
(``render.scaled_result``: angles, views and verdicts are those of the full frame), enough for
the assessment's annotated snapshots. ``keep_images`` can be switched on only while recording.
``call(command)`` runs ``command(pipeline)`` on the worker thread before the next frame (the
pipeline is only ever touched by that thread).
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from posture_feedback.types import FrameResult
from posture_feedback.ui.render import scaled_result
from posture_feedback.ui.worker import describe_source

_EMPTY = np.empty((0, 0, 3), np.uint8)


def source_name(spec: Any) -> str:
    """A short name of a source spec for the user: the file name of a video, else ``worker.describe_source``."""
    if isinstance(spec, str | Path) and not str(spec).strip().isdigit() and Path(spec).is_file():
        return Path(spec).name
    return describe_source(spec)


class _TappedPipeline:
    """A pipeline that also hands each result to a ``ResultTap``; everything else is the pipeline's."""

    def __init__(self, pipeline: Any, tap: ResultTap) -> None:
        self._pipeline = pipeline
        self._tap = tap

    def process(self, frame: Any) -> FrameResult:
        self._tap.apply_commands(self._pipeline)
        result = self._pipeline.process(frame)
        self._tap.put(result)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pipeline, name)


class ResultTap:
    """Thread-safe queue of light copies of every result (see the module docstring).

    Args:
        image_width: keep frames scaled to at most this many pixels wide (None = no pixels).
        keep_images: whether pixels are kept now (switch on while recording).
    """

    def __init__(self, image_width: int | None = None, keep_images: bool = True) -> None:
        self.image_width = image_width
        self.keep_images = keep_images
        self._queue: queue.SimpleQueue[FrameResult] = queue.SimpleQueue()
        self._commands: queue.SimpleQueue[Callable[[Any], None]] = queue.SimpleQueue()
        self.count = 0

    def call(self, command: Callable[[Any], None]) -> None:
        """Run ``command(pipeline)`` on the worker thread before the next frame (e.g. ``set_camera_up``)."""
        self._commands.put(command)

    def apply_commands(self, pipeline: Any) -> None:
        while True:
            try:
                self._commands.get_nowait()(pipeline)
            except queue.Empty:
                return

    def wrap(self, make_pipeline: Callable[[], Any]) -> Callable[[], Any]:
        """A factory building ``make_pipeline()`` wrapped so that it feeds this tap."""

        def make() -> Any:
            return _TappedPipeline(make_pipeline(), self)

        return make

    def light(self, result: FrameResult) -> FrameResult:
        """The copy that is kept: scaled pixels, or none."""
        width = result.frame.width
        if self.image_width is not None and self.keep_images and width > 0:
            return scaled_result(result, min(1.0, self.image_width / width))
        return replace(result, frame=replace(result.frame, image=_EMPTY))

    def put(self, result: FrameResult) -> None:
        self._queue.put(self.light(result))
        self.count += 1

    def drain(self) -> list[FrameResult]:
        """Every result put since the last call, oldest first."""
        out: list[FrameResult] = []
        while True:
            try:
                out.append(self._queue.get_nowait())
            except queue.Empty:
                return out
