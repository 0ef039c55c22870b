"""Running the pipeline over a few seconds of a camera or a recording, for the calibration steps.

``capture_results("0", seconds=3)`` reads a live camera for 3 s (after an optional countdown
shown by the caller); for a video file it reads the first ``seconds`` seconds from
``start_s``. Every frame goes through ``posture_feedback.pipeline.Pipeline`` (with the given
camera ``up``), so the calibration sees exactly the landmarks and angles the app sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from posture_feedback.types import FrameResult


def capture_results(
    spec: str | int | Path,
    *,
    seconds: float = 3.0,
    start_s: float = 0.0,
    up: np.ndarray | None = None,
    options=None,
    on_frame: Callable[[FrameResult], None] | None = None,
    countdown_s: float = 0.0,
    on_countdown: Callable[[int], None] | None = None,
    focal: tuple[float, tuple[int, int], bool] | None = None,
) -> tuple[list[FrameResult], str]:
    """(pipeline results of ``seconds`` seconds of the source from ``start_s``, the source's name).

    ``options`` is a ``PipelineOptions`` (default: the pipeline's defaults), with ``up`` applied.
    For a live source, the first ``countdown_s`` seconds after it opened are skipped (time for
    the person to get into position), calling ``on_countdown(seconds_left)`` once per second.
    ``focal``: (focal length in pixels, the image size it is for, confirmed) from the scene's
    estimate, as ``analyze`` uses it (``Pipeline.set_focal``), so that a neutral is read as the
    recording's angles will be.
    Raises ``SourceError`` for a source that cannot be opened (before any countdown).
    """
    from posture_feedback.pipeline import Pipeline, PipelineOptions, with_side_doubt
    from posture_feedback.sources import open_source

    opts = replace(options or PipelineOptions(), up=up)
    out: list[FrameResult] = []
    # a live camera drops frames: left and right in doubt for the track's first face-on second
    with open_source(spec) as src, Pipeline(with_side_doubt(opts, src.is_live)) as pipeline:
        name = src.name
        if focal is not None:
            pipeline.set_focal(*focal)
        t_first: float | None = None
        t_open: float | None = None
        announced = None
        for frame in src:
            if not src.is_live and frame.timestamp_s < start_s:
                continue
            if src.is_live and countdown_s > 0:
                t_open = frame.timestamp_s if t_open is None else t_open
                left = countdown_s - (frame.timestamp_s - t_open)
                if left > 0:
                    if on_countdown is not None and announced != int(left) + 1:
                        announced = int(left) + 1
                        on_countdown(announced)
                    continue
            if t_first is None:
                t_first = frame.timestamp_s
            if frame.timestamp_s - t_first > seconds:
                break
            result = pipeline.process(frame)
            out.append(result)
            if on_frame is not None:
                on_frame(result)
    return out, name
