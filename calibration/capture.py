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
) -> tuple[list[FrameResult], str]:
    """(pipeline results of ``seconds`` seconds of the source from ``start_s``, the source's name).

    ``options`` is a ``PipelineOptions`` (default: the pipeline's defaults), with ``up`` applied.
    Raises ``SourceError`` for a source that cannot be opened.
    """
    from posture_feedback.pipeline import Pipeline, PipelineOptions
    from posture_feedback.sources import open_source

    opts = replace(options or PipelineOptions(), up=up)
    out: list[FrameResult] = []
    with open_source(spec) as src, Pipeline(opts) as pipeline:
        name = src.name
        t_first: float | None = None
        for frame in src:
            if not src.is_live and frame.timestamp_s < start_s:
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
