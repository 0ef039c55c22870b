#!/usr/bin/env python3
"""Lag and jitter of the live One Euro filter (``smoothing.OneEuroFilter``) and the zero-phase filter.

Synthetic signals in body sizes (the unit ``LandmarkSmoother`` measures speed in), sampled at
30 and 60 fps:

* **lag** (ms): steady-state delay of a ramp at 0.5, 1 and 3 body sizes per second (time the
  filtered ramp trails the true one, after the start-up);
* **jitter**: standard deviation of the output for a still point with white noise of
  0.01 body sizes (about 5 mm), as a fraction of the input noise (1 = no smoothing);
* **sine lag** (ms): delay of a 1 Hz sine of amplitude 0.2 body sizes (a brisk repetition),
  from the phase of the output's best-fitting sine.

The zero-phase Butterworth of recordings (``smoothing.zero_phase_filter``) has no lag by
construction; its jitter ratio is printed for comparison.

    python bench/filtering.py [--out bench/results/filtering.json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posture_feedback.smoothing import OneEuroFilter, SmoothingOptions, zero_phase_filter  # noqa: E402

#: (min_cutoff_hz, beta) candidates; the first is the default of ``SmoothingOptions``.
CANDIDATES = [(SmoothingOptions().min_cutoff_hz, SmoothingOptions().beta), (1.0, 1.0), (1.0, 2.0), (1.5, 2.0),
              (1.0, 3.0), (0.7, 2.0)]  # fmt: skip


def run(f: OneEuroFilter, x: np.ndarray, fps: float) -> np.ndarray:
    return np.array([float(f(np.array([v]), i / fps)[0]) for i, v in enumerate(x)])


def ramp_lag_ms(min_cutoff: float, beta: float, fps: float, speed: float) -> float:
    t = np.arange(int(4 * fps)) / fps
    y = run(OneEuroFilter(min_cutoff, beta), speed * t, fps)
    tail = slice(int(2 * fps), None)
    return float(np.mean(speed * t[tail] - y[tail]) / speed * 1000.0)


def sine_lag_ms(min_cutoff: float, beta: float, fps: float, hz: float = 1.0, amp: float = 0.2) -> float:
    t = np.arange(int(6 * fps)) / fps
    y = run(OneEuroFilter(min_cutoff, beta), amp * np.sin(2 * np.pi * hz * t), fps)[int(2 * fps) :]
    tt = t[int(2 * fps) :]
    a = np.column_stack([np.sin(2 * np.pi * hz * tt), np.cos(2 * np.pi * hz * tt)])
    s, c = np.linalg.lstsq(a, y, rcond=None)[0]
    return float(-math.atan2(c, s) / (2 * np.pi * hz) * 1000.0)


def jitter_ratio(min_cutoff: float, beta: float, fps: float, noise: float = 0.01) -> float:
    x = np.random.default_rng(0).normal(0.0, noise, int(10 * fps))
    y = run(OneEuroFilter(min_cutoff, beta), x, fps)[int(fps) :]
    return float(np.std(y) / noise)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    rows = []
    print(f"{'min_cutoff':>10} {'beta':>5} {'fps':>4} {'lag 0.5/s':>9} {'lag 1/s':>8} {'lag 3/s':>8} "
          f"{'sine 1Hz':>8} {'jitter':>7}")  # fmt: skip
    for mc, beta in CANDIDATES:
        for fps in (30.0, 60.0):
            r = dict(
                min_cutoff_hz=mc,
                beta=beta,
                fps=fps,
                lag_ms={s: round(ramp_lag_ms(mc, beta, fps, s), 1) for s in (0.5, 1.0, 3.0)},
                sine_lag_ms=round(sine_lag_ms(mc, beta, fps), 1),
                jitter_ratio=round(jitter_ratio(mc, beta, fps), 3),
            )
            rows.append(r)
            lag = r["lag_ms"]
            print(f"{mc:10.2f} {beta:5.1f} {fps:4.0f} {lag[0.5]:9.1f} {lag[1.0]:8.1f} {lag[3.0]:8.1f} "
                  f"{r['sine_lag_ms']:8.1f} {r['jitter_ratio']:7.3f}")  # fmt: skip
    for fps in (30.0, 60.0):
        x = np.random.default_rng(0).normal(0.0, 0.01, int(10 * fps))[:, None]
        y, _ = zero_phase_filter(x, fps)
        print(f"zero-phase Butterworth {fps:.0f} fps: lag 0 ms, jitter {np.std(y[int(fps) : -int(fps)]) / 0.01:.3f}")
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
