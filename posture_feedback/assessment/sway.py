"""Postural sway in the horizontal plane, from unsmoothed world landmarks, resampled to a fixed rate (EXPLORATORY).

What is measured: the mid-hip relative to the mid-ankle (a proxy for the centre of mass over the
base of support), from the model's **world** landmarks (metres) of the followed person **before
smoothing** (``FrameResult.people[target_index]``: smoothing would erase the small, fast sway it
is meant to measure), projected on the **horizontal plane** (perpendicular to the camera's world
vertical ``up``) and expressed along the person's forward (antero-posterior, AP) and left
(medio-lateral, ML) directions (``measures.body_axes`` from the camera azimuth). Image
coordinates would mix side-to-side with vertical motion and depend on the distance to the camera.

The trace is resampled by linear interpolation to ``RATE_HZ`` (30 Hz) on a fixed time grid, so
path length and velocity do not depend on the camera's frame rate or dropped frames; a gap of
more than ``MAX_GAP_S`` (0.25 s) without the person is not interpolated over (``SwayError``).

Reported (centimetres, seconds): path length, mean velocity, RMS distance from the mean along AP
and ML, and the 95 % prediction-ellipse area ``π · χ²₀.₉₅(2) · √det Σ`` (cm²).

**Exploratory**: not validated against a force plate; the model's world depth has errors of
centimetres, the same order as quiet-standing sway. Use it to compare a person with themselves
under the same set-up, not with published force-plate norms. ``SwayResult.exploratory`` is always
True and ``NOTE`` says so wherever it is shown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.assessment.measures import body_axes
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.types import FrameResult

RATE_HZ = 30.0
MAX_GAP_S = 0.25
MIN_CONFIDENCE = 0.5
CHI2_95_2DOF = -2.0 * math.log(0.05)
NOTE = (
    "exploratory: centre-of-mass proxy (mid-hip over mid-ankle) from the camera model's 3D landmarks, not "
    "validated against a force plate; compare with the same person's earlier values only"
)


class SwayError(PostureFeedbackError):
    """Sway cannot be measured on these frames (the message says why)."""


@dataclass(frozen=True, slots=True)
class SwayResult:
    """Sway over a stance (cm, s); ``exploratory`` is always True (see the module docstring)."""

    path_length_cm: float
    mean_velocity_cm_s: float
    rms_ap_cm: float
    rms_ml_cm: float
    ellipse_area_cm2: float
    duration_s: float
    samples: int
    rate_hz: float
    exploratory: bool = True
    note: str = NOTE


def _raw(r: FrameResult):
    if r.target_index is None or not (0 <= r.target_index < len(r.people)):
        return None
    return r.people[r.target_index]


def horizontal_trace(results: Sequence[FrameResult], up: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(times s, (n, 2) AP/ML positions cm) of the mid-hip over the mid-ankle, unsmoothed; frames without the
    person, a hidden hip or ankle, or an unknown azimuth are left out."""
    t, pts = [], []
    for r in results:
        m = _raw(r)
        if m is None or not math.isfinite(r.azimuth_deg):
            continue
        idx = [lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_ANKLE, lm.RIGHT_ANKLE]
        if (m.confidence()[idx] < MIN_CONFIDENCE).any():
            continue
        w = m.world
        d = (w[lm.LEFT_HIP] + w[lm.RIGHT_HIP]) / 2 - (w[lm.LEFT_ANKLE] + w[lm.RIGHT_ANKLE]) / 2
        _, fwd, left = body_axes(r.azimuth_deg, up)
        t.append(r.frame.timestamp_s)
        pts.append((100.0 * float(d @ fwd), 100.0 * float(d @ left)))
    return np.asarray(t, dtype=float), np.asarray(pts, dtype=float).reshape(-1, 2)


def resample(t: np.ndarray, xy: np.ndarray, rate_hz: float = RATE_HZ) -> tuple[np.ndarray, np.ndarray]:
    """Linear interpolation of (n, 2) ``xy`` at times ``t`` onto the grid t0, t0 + 1/rate, ... ≤ t_end."""
    if len(t) < 2:
        raise SwayError("sway needs at least two frames with the hips and ankles in view")
    gaps = np.diff(t)
    if (gaps <= 0).any():
        raise SwayError("frame times must increase")
    if gaps.max() > MAX_GAP_S:
        raise SwayError(f"the person was out of view for {gaps.max():.2f} s (more than {MAX_GAP_S:g} s): not filled in")
    grid = t[0] + np.arange(int(math.floor((t[-1] - t[0]) * rate_hz + 1e-9)) + 1) / rate_hz
    return grid, np.column_stack([np.interp(grid, t, xy[:, k]) for k in range(2)])


def sway(results: Sequence[FrameResult], up: np.ndarray | None = None, rate_hz: float = RATE_HZ) -> SwayResult:
    """Sway of a stance (see the module docstring); ``SwayError`` when it cannot be measured."""
    grid, xy = resample(*horizontal_trace(results, up), rate_hz=rate_hz)
    path = float(np.linalg.norm(np.diff(xy, axis=0), axis=1).sum())
    duration = float(grid[-1] - grid[0])
    centred = xy - xy.mean(axis=0)
    rms = np.sqrt((centred**2).mean(axis=0))
    area = math.pi * CHI2_95_2DOF * math.sqrt(max(0.0, float(np.linalg.det(np.cov(xy.T))))) if len(xy) > 2 else 0.0
    return SwayResult(
        path_length_cm=path, mean_velocity_cm_s=path / duration if duration > 0 else math.nan,
        rms_ap_cm=float(rms[0]), rms_ml_cm=float(rms[1]), ellipse_area_cm2=area, duration_s=duration,
        samples=len(grid), rate_hz=rate_hz,
    )  # fmt: skip
