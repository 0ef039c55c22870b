"""Postural sway from the hip-centre trajectory, normalised by body size.

The hip centre (mid-point of the hips, image pixels) is sampled while the stance is held.
Positions are divided by the person's trunk length (mid-shoulder to mid-hip, pixels, median
over the recording), so sway is comparable across camera distances: a path length of 0.5
means the hip centre travelled half a trunk length.

* path length: sum of distances between successive positions (trunk lengths);
* 95 % confidence ellipse area: ``π · χ²₀.₉₅(2) · √det Σ`` with Σ the 2×2 covariance of the
  positions (trunk lengths²; χ²₀.₉₅(2) = −2 ln 0.05 ≈ 5.991);
* mean velocity: path length / duration (trunk lengths per second).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.types import Landmarks

CHI2_95_2DOF = -2.0 * math.log(0.05)


def sway_path_length(xy: np.ndarray, body_size: float = 1.0) -> float:
    """Path length of an (n, 2) trajectory divided by ``body_size`` (same units as xy)."""
    xy = np.asarray(xy, float)
    if len(xy) < 2:
        return 0.0
    return float(np.linalg.norm(np.diff(xy, axis=0), axis=1).sum() / body_size)


def sway_ellipse_area(xy: np.ndarray, body_size: float = 1.0, confidence: float = 0.95) -> float:
    """Area of the ``confidence`` prediction ellipse of an (n, 2) trajectory, divided by ``body_size``²."""
    xy = np.asarray(xy, float) / body_size
    if len(xy) < 3:
        return 0.0
    cov = np.cov(xy.T)
    chi2 = -2.0 * math.log(1.0 - confidence)
    return float(math.pi * chi2 * math.sqrt(max(0.0, float(np.linalg.det(cov)))))


@dataclass(frozen=True)
class SwayResult:
    """Sway over a stance: path length (trunk lengths), ellipse area (trunk lengths²),
    mean velocity (trunk lengths/s), duration (s), samples used, body size (pixels)."""

    path_length: float
    ellipse_area: float
    mean_velocity: float
    duration_s: float
    samples: int
    body_size_px: float


class SwayRecorder:
    """Collects hip-centre positions (pixels) and trunk lengths while a stance is held."""

    def __init__(self) -> None:
        self.t: list[float] = []
        self.xy: list[tuple[float, float]] = []
        self.sizes: list[float] = []

    def add_point(self, t: float, x: float, y: float, body_size: float) -> None:
        """Add one hip-centre sample (seconds, pixels) and the trunk length seen then (pixels)."""
        self.t.append(t)
        self.xy.append((x, y))
        if body_size > 0 and math.isfinite(body_size):
            self.sizes.append(body_size)

    def add(self, t: float, landmarks: Landmarks | None, min_confidence: float = 0.5) -> bool:
        """Add the hip centre of ``landmarks``; False (nothing added) if hips or shoulders are not confident."""
        if landmarks is None:
            return False
        idx = [lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP]
        if np.any(landmarks.confidence()[idx] < min_confidence):
            return False
        p = landmarks.xy[idx]
        hip = (p[2] + p[3]) / 2
        size = float(np.linalg.norm((p[0] + p[1]) / 2 - hip))
        self.add_point(t, float(hip[0]), float(hip[1]), size)
        return True

    def result(self) -> SwayResult:
        xy = np.array(self.xy, float).reshape(-1, 2)
        size = float(np.median(self.sizes)) if self.sizes else 1.0
        duration = (self.t[-1] - self.t[0]) if len(self.t) > 1 else 0.0
        path = sway_path_length(xy, size)
        return SwayResult(
            path_length=path,
            ellipse_area=sway_ellipse_area(xy, size),
            mean_velocity=path / duration if duration > 0 else 0.0,
            duration_s=duration,
            samples=len(xy),
            body_size_px=size,
        )
