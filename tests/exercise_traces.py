"""Constructed signal traces for the exercise tests (no model involved).

``piecewise(keyframes, fps)`` samples a piecewise-linear trace; ``values_for`` builds a full
signal dict for an exercise where every compensation and condition is comfortably fine, so a
test changes only what it is about.
"""

from __future__ import annotations

import math

import numpy as np

from posture_feedback.exercises.definitions import ExerciseDefinition, Range, fill
from posture_feedback.types import View

FPS = 30.0


def piecewise(keyframes: list[tuple[float, float]], fps: float = FPS) -> list[tuple[float, float]]:
    """(t, value) samples every 1/fps s through the keyframes (t must increase)."""
    ts = np.arange(0.0, keyframes[-1][0] + 1e-9, 1.0 / fps)
    kt, kv = zip(*keyframes, strict=True)
    return [(float(t), float(v)) for t, v in zip(ts, np.interp(ts, kt, kv), strict=True)]


def inside(rng: Range, margin: float) -> float:
    """A value comfortably inside ``rng`` (``margin`` in from the finite bound(s))."""
    if math.isinf(rng.low):
        return rng.high - margin
    if math.isinf(rng.high):
        return rng.low + margin
    return (rng.low + rng.high) / 2


def outside(rng: Range, margin: float) -> float:
    """A value ``margin`` outside the range's finite bound (the high one if both are finite)."""
    return rng.high + margin if not math.isinf(rng.high) else rng.low - margin


def sides(defn: ExerciseDefinition, side: str) -> tuple[str, ...]:
    return ("left", "right") if side == "both" or not defn.sided else (side,)


def names(template: str, defn: ExerciseDefinition, side: str) -> list[str]:
    return sorted({fill(template, s) for s in sides(defn, side)})


def base_values(defn: ExerciseDefinition, side: str) -> dict[str, float]:
    """Every compensation and condition signal inside its allowed range."""
    v: dict[str, float] = {}
    for c in defn.compensations:
        margin = 3.0 if defn.unit else 0.03
        for n in names(c.signal, defn, side):
            v[n] = inside(c.allowed, margin)
    for c in defn.conditions:
        for n in names(c.signal, defn, side):
            v[n] = inside(c.range, 3 * defn.hysteresis + 1)
    return v


def rep_levels(defn: ExerciseDefinition) -> tuple[float, float, float, float]:
    """(start value, start bound, target bound, target value) of a reps exercise."""
    s_rng, g_rng = defn.start.range, defn.target.range
    if defn.increasing:
        s, g, far = s_rng.high, g_rng.low, g_rng.high
        gap = g - s
        tv = min(g + 0.3 * gap, (g + far) / 2) if not math.isinf(far) else g + 0.3 * gap
        return s - 0.3 * gap, s, g, tv
    s, g, far = s_rng.low, g_rng.high, g_rng.low
    gap = s - g
    tv = max(g - 0.3 * gap, (g + far) / 2) if not math.isinf(far) else g - 0.3 * gap
    return s + 0.3 * gap, s, g, tv


def view_for(defn: ExerciseDefinition) -> View:
    return defn.views[0] if defn.views else View.FRONT
