"""Marching in place: steps per side, knee height, cadence and left/right symmetry.

Each side's knee-lift signal (by default ``{side}_knee_lift``: knee height above the other
knee as a fraction of leg length) is counted by its own ``RepCounter``: one "rep" is one step
of that leg (lift and lower). Cadence is steps per minute over both legs; symmetry uses the
Robinson symmetry index ``100 · |L − R| / ((L + R) / 2)`` (0 = perfectly symmetric).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from posture_feedback.exercises.definitions import Range, Tempo
from posture_feedback.exercises.reps import RepCounter, RepResult
from posture_feedback.exercises.signals import signal_value

#: Seconds a knee lift must last (from leaving the start zone to the first sample back in it) to be a
#: step at all; shorter is the model's jump of a knee, reported not at all (``RepCounter.min_attempt_s``).
#: Shorter than the repetitions' 0.3 s: a brisk march lifts each knee for about 0.3 s, of which the
#: part beyond the start zone lasts less: a knee lifted in a 0.3 s half-sine to 0.25 leg lengths is
#: out of the start zone for 0.26 s, and with the 0.3 s rule every such step was dropped without a
#: word (a review, 2026-12-08). A one- or two-frame jump (0.03–0.07 s at 30 frames/s, 0.13 s at 15)
#: is still noise.
MIN_STEP_S = 0.15


def symmetry_index(left: float, right: float) -> float:
    """Robinson symmetry index in percent (0 = equal; NaN if either is missing or both are 0)."""
    if math.isnan(left) or math.isnan(right) or left + right == 0:
        return math.nan
    return 100.0 * abs(left - right) / ((left + right) / 2.0)


def symmetry_uncertainty(left: float, right: float, u_left: float, u_right: float) -> float:
    """The ± (percentage points) of ``symmetry_index(left, right)`` from the two values' ± (same unit as
    the values; 80% half-widths, combined in quadrature, first order): 400 · √(R² u_L² + L² u_R²) / (L + R)².
    NaN when any is missing. Hand-worked: L 0.345 ± 0.10, R 0.357 ± 0.10 leg lengths (the sports sample's
    two counted steps) give an index of 3.5 ± 40%: no asymmetry this measurement can show either way."""
    if not all(math.isfinite(x) for x in (left, right, u_left, u_right)) or left + right == 0:
        return math.nan
    return 400.0 * math.hypot(right * u_left, left * u_right) / (left + right) ** 2


@dataclass(frozen=True)
class GaitResult:
    """Marching summary: steps per side, cadence (steps/min), mean peak knee height per side
    (signal units) and its ± (the median of the counted steps' peak ±, not divided by √n: the
    camera's error repeats from step to step, as the history's mean peaks), symmetry index of knee
    height (percent, with its ± from the heights' ±) and of step count (percent), duration (s)."""

    steps_left: int
    steps_right: int
    cadence_spm: float
    knee_height_left: float
    knee_height_right: float
    height_symmetry: float
    count_symmetry: float
    duration_s: float
    knee_height_left_unc: float = math.nan
    knee_height_right_unc: float = math.nan
    height_symmetry_unc: float = math.nan

    @property
    def steps(self) -> int:
        return self.steps_left + self.steps_right


class MarchAnalyzer:
    """Counts steps of both legs from a per-side signal and summarises the march."""

    def __init__(
        self,
        signal: str,
        start: Range,
        target: Range,
        hysteresis: float = 0.02,
        tempo: Tempo | None = None,
        compensation_min_s: dict[str, float] | None = None,
        count_compensated: bool = True,
    ) -> None:
        self.signal = signal
        self.counters = {
            side: RepCounter(
                start, target, hysteresis, tempo=tempo, min_attempt_s=MIN_STEP_S,
                compensation_min_s=compensation_min_s, count_compensated=count_compensated, side=side,
            )
            for side in ("left", "right")
        }  # fmt: skip
        self._t0: float | None = None
        self._t1: float | None = None
        self.step_times: list[float] = []

    def update(
        self,
        t: float,
        values: Mapping[str, float],
        flags: Iterable[str] = (),
        uncertainties: Mapping[str, float] | None = None,
    ) -> list[RepResult]:
        """Feed one sample of signals (and optionally their 80% half-widths, ``signals.signal_uncertainties``:
        a step short of the target, or past it, by less than its peak's uncertainty is "unsure");
        returns the steps (reps) finished now."""
        unc = uncertainties or {}
        if self._t0 is None:
            self._t0 = t
        self._t1 = t
        flags = tuple(flags)
        out = []
        for side, counter in self.counters.items():
            value, u = signal_value(values, self.signal, side), signal_value(unc, self.signal, side)
            rep = counter.update(t, value, flags, u)
            if rep is not None:
                out.append(rep)
                if rep.counted:
                    self.step_times.append(rep.end_t)
        return out

    @property
    def steps(self) -> int:
        return sum(c.count for c in self.counters.values())

    def result(self) -> GaitResult:
        times = sorted(self.step_times)
        cadence = 60.0 * (len(times) - 1) / (times[-1] - times[0]) if len(times) >= 2 and times[-1] > times[0] else 0.0
        heights, uncs = {}, {}
        for side, c in self.counters.items():
            peaks = [r.peak for r in c.reps if r.counted]
            heights[side] = float(np.mean(peaks)) if peaks else math.nan
            u = [r.peak_uncertainty for r in c.reps if r.counted and math.isfinite(r.peak_uncertainty)]
            uncs[side] = float(np.median(u)) if u else math.nan
        nl, nr = self.counters["left"].count, self.counters["right"].count
        return GaitResult(
            steps_left=nl,
            steps_right=nr,
            cadence_spm=cadence,
            knee_height_left=heights["left"],
            knee_height_right=heights["right"],
            height_symmetry=symmetry_index(heights["left"], heights["right"]),
            count_symmetry=symmetry_index(float(nl), float(nr)),
            duration_s=(self._t1 - self._t0) if self._t0 is not None and self._t1 is not None else 0.0,
            knee_height_left_unc=uncs["left"],
            knee_height_right_unc=uncs["right"],
            height_symmetry_unc=symmetry_uncertainty(heights["left"], heights["right"], uncs["left"], uncs["right"]),
        )
