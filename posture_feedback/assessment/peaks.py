"""Repetition peaks of an angle trace: hysteresis (zig-zag) peak detection with a minimum prominence.

A range-of-motion test is a few repetitions of "move as far as you can, and back". Each
repetition is a peak of the angle trace. A peak counts only when the trace rose at least
``min_prominence`` degrees above the trough before it and then fell at least
``min_prominence`` below it again (hysteresis: jitter around the top never makes two peaks); a
final peak the trace never came down from counts too (flagged ``returned=False``).

The trace is first smoothed with a running median of ``smooth`` samples (odd; 1 = none) so a
single-frame landmark glitch cannot become the peak; the reported peak value is the smoothed
value (degrees). NaN samples (angle not measured) are skipped, never interpolated. Indices
refer to the input sequence.

This differs from ``exercises.reps.RepCounter``, which counts repetitions between known start
and target ranges; an assessment does not know the person's range in advance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Peak:
    """One repetition's peak.

    Attributes:
        index: index of the peak sample in the input trace.
        value: smoothed angle at the peak (degrees).
        start: index of the trough before the peak.
        end: index of the trough after it (== index of the last sample if it never came back).
        prominence: peak minus the higher of the two troughs (degrees).
        returned: False when the trace ended before falling back by ``min_prominence``.
    """

    index: int
    value: float
    start: int
    end: int
    prominence: float
    returned: bool = True


def running_median(values: np.ndarray, width: int) -> np.ndarray:
    """Running median over ``width`` samples (odd), edges use the available samples."""
    if width <= 1 or len(values) < 3:
        return values.astype(float).copy()
    h = width // 2
    out = np.empty(len(values), dtype=float)
    for i in range(len(values)):
        out[i] = float(np.median(values[max(0, i - h) : i + h + 1]))
    return out


def find_peaks(values: Sequence[float], *, min_prominence: float = 15.0, smooth: int = 3) -> list[Peak]:
    """The repetition peaks of an angle trace (degrees); see the module docstring."""
    if min_prominence <= 0:
        raise ValueError("min_prominence must be positive")
    raw = np.asarray(values, dtype=float)
    idx = np.flatnonzero(np.isfinite(raw))
    if len(idx) < 3:
        return []
    v = running_median(raw[idx], smooth)
    peaks: list[Peak] = []
    trough_i, trough_v = 0, v[0]
    cand_i, cand_v = 0, v[0]
    seeking_peak = True
    prev_peak: tuple[int, float, int, float] | None = None  # (cand_i, cand_v, trough_i, trough_v) awaiting its end
    for k in range(1, len(v)):
        x = v[k]
        if seeking_peak:
            if x > cand_v:
                cand_i, cand_v = k, x
            if cand_v - trough_v >= min_prominence and x <= cand_v - min_prominence:
                prev_peak = (cand_i, cand_v, trough_i, trough_v)
                seeking_peak = False
                trough_i, trough_v = k, x
            elif x < trough_v:
                trough_i, trough_v = k, x
                cand_i, cand_v = k, x
        else:
            if x < trough_v:
                trough_i, trough_v = k, x
            if x >= trough_v + min_prominence:
                assert prev_peak is not None
                peaks.append(_peak(idx, prev_peak, trough_i, trough_v, True))
                prev_peak = None
                seeking_peak = True
                cand_i, cand_v = k, x
    if prev_peak is not None:
        peaks.append(_peak(idx, prev_peak, trough_i, trough_v, True))
    elif seeking_peak and cand_v - trough_v >= min_prominence and cand_i > trough_i:
        peaks.append(
            Peak(int(idx[cand_i]), float(cand_v), int(idx[trough_i]), int(idx[-1]), float(cand_v - trough_v), False)
        )
    return peaks


def _peak(idx: np.ndarray, prev: tuple[int, float, int, float], end_i: int, end_v: float, returned: bool) -> Peak:
    ci, cv, ti, tv = prev
    return Peak(int(idx[ci]), float(cv), int(idx[ti]), int(idx[end_i]), float(cv - max(tv, end_v)), returned)


def best_peak(peaks: Sequence[Peak]) -> Peak | None:
    """The highest peak, None when there are none."""
    return max(peaks, key=lambda p: p.value) if peaks else None


def peak_spread(peaks: Sequence[Peak]) -> float:
    """SD (ddof=1) of the peak values (degrees): the repetition-to-repetition variability; NaN below 2 peaks."""
    if len(peaks) < 2:
        return math.nan
    return float(np.std([p.value for p in peaks], ddof=1))
