"""Therapist demonstration → target, and comparing a patient's repetition with it.

The therapist performs one repetition in front of the camera. From the recording:

* the repetition is found on the exercise's primary signal (rest → peak → rest);
* the phase ranges become ``start ≤ rest + tolerance`` and ``target ≥ peak − tolerance`` (mirrored
  for exercises whose signal falls), clamped to the angle's anatomical range (``anatomy.py``) and
  rounded to whole degrees (the target's near end rounded down, so the demonstrator's own next
  repetition reaches it); the tempo ranges ½×–2× the demonstrated durations;
* a ghost skeleton: the demonstrator's image landmarks per normalised time (0 = start of the
  rep, 1 = end) relative to the hip centre in trunk lengths, re-scaled onto the patient's hip
  centre and trunk length when drawn.

A patient's repetition is time-aligned with the demonstration by dynamic time warping and the
differences become feedback ("Reach higher", "Slower on the way down").
Angles in degrees (signal units), times in seconds, positions in pixels unless stated.
"""

from __future__ import annotations

import json
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.exercises.anatomy import anatomical_range, clamp_round
from posture_feedback.exercises.definitions import (
    DEMONSTRATION_BASIS,
    ExerciseDefinition,
    Range,
    Tempo,
    definition_from_dict,
    definition_to_dict,
)
from posture_feedback.exercises.errors import PlanError
from posture_feedback.exercises.signals import compute_signals
from posture_feedback.exercises.tomlfile import Source
from posture_feedback.exercises.tracker import ExerciseTracker
from posture_feedback.types import FrameResult, Landmarks

GHOST_SAMPLES = 50


class DemonstrationError(PostureFeedbackError):
    """A demonstration cannot be turned into a target (too short, too small a movement, nobody seen)."""


def dtw(a: Sequence[float], b: Sequence[float], band: int | None = None) -> tuple[float, list[tuple[int, int]]]:
    """Dynamic time warping of two 1-D sequences with |a_i − b_j| cost.

    Returns (mean cost along the optimal path, the path as (i, j) pairs from (0, 0) to (n−1, m−1)).
    ``band``: Sakoe–Chiba window half-width in samples (None = unconstrained).
    """
    x, y = np.asarray(a, float), np.asarray(b, float)
    n, m = len(x), len(y)
    if n == 0 or m == 0:
        raise ValueError("dtw needs two non-empty sequences")
    cost = np.abs(x[:, None] - y[None, :])
    if band is not None:
        w = max(band, abs(n - m))
        i, j = np.indices((n, m))
        cost = np.where(np.abs(i * (m / n) - j) <= w, cost, np.inf)
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0.0
    for i in range(1, n + 1):
        row, prev = acc[i], acc[i - 1]
        for j in range(1, m + 1):
            row[j] = cost[i - 1, j - 1] + min(prev[j], row[j - 1], prev[j - 1])
    path = [(n - 1, m - 1)]
    i, j = n, m
    while (i, j) != (1, 1):
        steps = ((i - 1, j - 1), (i - 1, j), (i, j - 1))
        i, j = min((s for s in steps if s[0] >= 1 and s[1] >= 1), key=lambda s: acc[s])
        path.append((i - 1, j - 1))
    path.reverse()
    return float(acc[n, m] / len(path)), path


def _fill_nan(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, float).copy()
    ok = ~np.isnan(v)
    if not ok.any():
        return v
    idx = np.arange(len(v))
    v[~ok] = np.interp(idx[~ok], idx[ok], v[ok])
    return v


def find_rep(values: Sequence[float], increasing: bool = True, settle: float = 0.1) -> tuple[int, int, int]:
    """(start, peak, end) sample indices of the main repetition in a trace.

    The peak is the furthest point towards the target; the repetition starts at the last sample
    before it within ``settle`` × amplitude of the rest level before the peak, and ends at the first
    such sample after it (the last sample if the trace ends before returning).
    """
    v = _fill_nan(np.asarray(values, float))
    if np.isnan(v).all() or len(v) < 3:
        raise DemonstrationError("the demonstration has too few measured samples")
    p = v if increasing else -v
    k = int(np.argmax(p))
    before, after = p[: k + 1], p[k:]
    amp = p[k] - min(before.min(), after.min())
    lo_b = before.min() + settle * amp
    lo_a = after.min() + settle * amp
    starts = np.nonzero(before <= lo_b)[0]
    ends = np.nonzero(after <= lo_a)[0]
    start = int(starts[-1]) if len(starts) else 0
    end = k + int(ends[0]) if len(ends) else len(p) - 1
    return start, k, end


def top_span(values: Sequence[float], increasing: bool = True, settle: float = 0.1) -> tuple[int, int]:
    """First and last index of the contiguous stretch around the peak within ``settle`` × amplitude
    of it (the plateau at the target: the way out ends at the first, the way back starts after the last)."""
    v = _fill_nan(np.asarray(values, float))
    p = v if increasing else -v
    k = int(np.argmax(p))
    level = p[k] - settle * (p[k] - p.min())
    a = k
    while a > 0 and p[a - 1] >= level:
        a -= 1
    b = k
    while b < len(p) - 1 and p[b + 1] >= level:
        b += 1
    return a, b


@dataclass(frozen=True)
class GhostTrajectory:
    """The demonstrator's skeleton over one repetition, body-size normalised.

    ``points``: (samples, 33, 2) image landmarks relative to the hip centre, in trunk lengths
    (mid-hip → mid-shoulder distance), at normalised times ``u`` (0..1); ``valid``: (33,) which
    landmarks were seen well enough throughout.
    """

    u: np.ndarray
    points: np.ndarray
    valid: np.ndarray

    def at(self, u: float, patient: Landmarks, mirror_x: bool = False) -> np.ndarray:
        """(33, 2) pixel positions of the ghost at normalised time ``u``, placed on the patient's hip
        centre and scaled to the patient's trunk length; NaN for landmarks not in the ghost.
        ``mirror_x`` flips left/right (the patient faces the other way)."""
        u = min(1.0, max(0.0, float(u)))
        i = int(np.clip(np.searchsorted(self.u, u, side="right") - 1, 0, len(self.u) - 2))
        span = float(self.u[i + 1] - self.u[i])
        w = 0.0 if span <= 0 else (u - float(self.u[i])) / span
        pts = self.points[i] * (1.0 - w) + self.points[i + 1] * w
        if mirror_x:
            pts[:, 0] = -pts[:, 0]
        centre, size = _hip_centre_and_trunk(patient)
        out = centre + pts * size
        out[~self.valid] = np.nan
        return out

    def landmarks_at(self, u: float, patient: Landmarks, mirror_x: bool = False) -> Landmarks:
        """The ghost at ``u`` as ``Landmarks`` in the patient's pixels (for ``annotate.GhostAnnotator``);
        landmarks not in the ghost get visibility 0."""
        xy = self.at(u, patient, mirror_x)
        image = np.zeros((lm.NUM_LANDMARKS, 3))
        image[:, :2] = np.nan_to_num(xy)
        vis = self.valid.astype(float)
        return Landmarks(image=image, world=image / 1000.0, visibility=vis, presence=vis.copy(),
                         image_size=patient.image_size)  # fmt: skip


def _hip_centre_and_trunk(landmarks: Landmarks) -> tuple[np.ndarray, float]:
    xy = landmarks.xy
    hip = (xy[lm.LEFT_HIP] + xy[lm.RIGHT_HIP]) / 2
    sh = (xy[lm.LEFT_SHOULDER] + xy[lm.RIGHT_SHOULDER]) / 2
    return hip, float(np.linalg.norm(sh - hip))


def build_ghost(
    times: np.ndarray, landmarks: Sequence[Landmarks | None], samples: int = GHOST_SAMPLES
) -> GhostTrajectory:
    """A ghost from per-frame landmarks over one repetition (``times`` in seconds, same length)."""
    keep = [i for i, x in enumerate(landmarks) if x is not None]
    if len(keep) < 2:
        raise DemonstrationError("nobody was seen during the demonstration")
    t = np.asarray(times, float)[keep]
    u_src = (t - t[0]) / max(t[-1] - t[0], 1e-9)
    sizes = [_hip_centre_and_trunk(landmarks[i])[1] for i in keep]
    size = float(np.median(sizes))
    if size <= 0:
        raise DemonstrationError("the demonstrator's trunk is not visible")
    norm = np.stack([(landmarks[i].xy - _hip_centre_and_trunk(landmarks[i])[0]) / size for i in keep])
    conf = np.stack([landmarks[i].confidence() for i in keep])
    u = np.linspace(0.0, 1.0, samples)
    pts = np.empty((samples, lm.NUM_LANDMARKS, 2))
    for j in range(lm.NUM_LANDMARKS):
        for c in range(2):
            pts[:, j, c] = np.interp(u, u_src, norm[:, j, c])
    return GhostTrajectory(u=u, points=pts, valid=np.median(conf, axis=0) >= 0.5)


@dataclass(frozen=True)
class Demonstration:
    """A demonstrated repetition and the target built from it.

    Attributes:
        definition: the exercise with phase ranges and tempo taken from the demonstration.
        side: the side demonstrated (``left``/``right``/``both``).
        tolerance: the chosen tolerance (signal units).
        times: seconds from the start of the repetition; values: the primary signal.
        rest, peak: the demonstrated resting level (median before the movement) and furthest point.
        out_s, back_s: the demonstrated durations of the way out (start → top reached) and the way
            back (top left → start), the top being the stretch within 10 % of the amplitude of the peak.
        ghost: the ghost skeleton, None when built from a bare trace.
    """

    definition: ExerciseDefinition
    side: str
    tolerance: float
    times: np.ndarray
    values: np.ndarray
    rest: float
    peak: float
    out_s: float
    back_s: float
    ghost: GhostTrajectory | None = None

    @property
    def duration_s(self) -> float:
        """Length of the demonstrated repetition (seconds)."""
        return float(self.times[-1]) if len(self.times) else 0.0

    def ghost_u(self, elapsed_s: float) -> float:
        """Normalised ghost time for ``elapsed_s`` seconds into a repetition at the demonstrated pace."""
        d = self.duration_s
        return 0.0 if d <= 0 or math.isnan(elapsed_s) else min(1.0, max(0.0, elapsed_s / d))


def with_demonstrated_target(definition: ExerciseDefinition, demo: Demonstration) -> ExerciseDefinition:
    """``definition`` with the demonstrated phase ranges and tempo as its target (``DemonstrationError`` when the
    demonstration is of another exercise)."""
    if demo.definition.name != definition.name:
        raise DemonstrationError(f"the demonstration is of {demo.definition.name!r}, not {definition.name!r}")
    return replace(definition, phases=demo.definition.phases, tempo=demo.definition.tempo)


def save_demonstration(demo: Demonstration, path: str | Path) -> Path:
    """Write a demonstration (trace, target definition, ghost) to a ``.npz`` file; returns the path."""
    p = Path(path)
    meta = {
        "format": 1, "side": demo.side, "tolerance": demo.tolerance, "rest": demo.rest, "peak": demo.peak,
        "out_s": demo.out_s, "back_s": demo.back_s, "definition": definition_to_dict(demo.definition),
    }  # fmt: skip
    arrays: dict[str, np.ndarray] = {"times": demo.times, "values": demo.values, "meta": np.array(json.dumps(meta))}
    if demo.ghost is not None:
        arrays.update(ghost_u=demo.ghost.u, ghost_points=demo.ghost.points, ghost_valid=demo.ghost.valid)
    from posture_feedback.output_files import OutputFile

    p.parent.mkdir(parents=True, exist_ok=True)
    # beside it, then moved over it once complete: an interrupted save never leaves half a file in
    # place of an earlier demonstration (audit 28)
    target = OutputFile(p)
    try:
        with open(target.work, "wb") as f:
            np.savez_compressed(f, **arrays)
        target.commit()
    except BaseException:
        target.discard()
        raise
    return p


def load_demonstration(path: str | Path) -> Demonstration:
    """Read a demonstration written by ``save_demonstration`` (``PlanError`` if unreadable)."""
    p = Path(path)
    try:
        with np.load(p, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            source = Source(str(p), "", PlanError)
            defn = definition_from_dict(meta["definition"], source)
            ghost = None
            if "ghost_u" in z:
                ghost = GhostTrajectory(u=z["ghost_u"], points=z["ghost_points"], valid=z["ghost_valid"].astype(bool))
            return Demonstration(
                definition=defn, side=str(meta["side"]), tolerance=float(meta["tolerance"]),
                times=z["times"].astype(float), values=z["values"].astype(float), rest=float(meta["rest"]),
                peak=float(meta["peak"]), out_s=float(meta["out_s"]), back_s=float(meta["back_s"]), ghost=ghost,
            )  # fmt: skip
    except FileNotFoundError:
        raise PlanError(str(p), None, "", "demonstration file not found") from None
    except PlanError:
        raise
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:
        # numpy's own words for a damaged file advise loading it "unsafely using allow_pickle": never
        # what a patient should read (an eleventh audit). Only the kind of damage is named.
        raise PlanError(
            str(p), None, "", f"the demonstration file is damaged or is not a demonstration ({type(exc).__name__})",
            "a .npz recorded with `posture-feedback exercise --save-demo` or the app: record it again",
        ) from None


def build_demonstration(
    definition: ExerciseDefinition,
    times: Sequence[float],
    values: Sequence[float],
    tolerance: float = 10.0,
    side: str = "left",
    landmarks: Sequence[Landmarks | None] | None = None,
) -> Demonstration:
    """Turn a demonstrated trace (seconds, signal values; NaN where not measured) into a target.

    Raises ``DemonstrationError`` when the movement is smaller than twice the tolerance (the
    start and target ranges would overlap) or the trace is unusable.
    """
    if definition.kind not in ("reps", "gait"):
        raise DemonstrationError(f"{definition.name} is a {definition.kind} exercise: demonstrations are for reps")
    if tolerance < 0:
        raise DemonstrationError("the tolerance must not be negative")
    t = np.asarray(times, float)
    v = _fill_nan(np.asarray(values, float))
    if len(t) != len(v):
        raise ValueError("times and values must have the same length")
    inc = definition.increasing
    s, k, e = find_rep(v, inc)
    rest = float(np.median(v[: s + 1]))  # the resting level before the movement
    peak = float(v[k])
    sign = 1.0 if inc else -1.0
    if sign * (peak - rest) <= 2 * tolerance:
        raise DemonstrationError(
            f"the demonstration moved only {abs(peak - rest):.0f}{definition.unit}, "
            f"not more than twice the tolerance ({2 * tolerance:g}{definition.unit})"
        )
    limits = anatomical_range(definition.signal, definition.unit)
    if inc:
        start = clamp_round(Range(-math.inf, rest + tolerance), limits, False, False)
        far = max(definition.target.range.high, peak + tolerance)
        # the target's near end is floored (never harder than demonstrated), its far end clamped
        target = clamp_round(Range(min(peak, limits.high) - tolerance, far), limits, True, True)
    else:
        start = clamp_round(Range(rest - tolerance, math.inf), limits, False, False)
        far = min(definition.target.range.low, peak - tolerance)
        target = clamp_round(Range(far, max(peak, limits.low) + tolerance), limits, True, True)
    if not (start.high < target.low if inc else target.high < start.low):
        raise DemonstrationError(
            f"the demonstration moved only {abs(peak - rest):.0f}{definition.unit} within the "
            f"anatomical range {limits.describe()}: start and target would overlap"
        )
    a, b = top_span(v[s : e + 1], inc)
    out_s, back_s = float(t[s + a] - t[s]), float(t[e] - t[s + b])
    # A recording cut off at the top was kept with "way back 0.0 s" and the definition's tempo in
    # its place (a seventh audit): a demonstration is the whole movement, rest → top → rest.
    whole = "record the whole movement: from rest out to the top and back to rest"
    if back_s <= 0 or sign * (v[e] - rest) > 0.5 * sign * (peak - rest):
        raise DemonstrationError(f"the recording ends before the way back to rest: {whole}")
    if out_s <= 0:
        raise DemonstrationError(f"the recording starts at the top, with no way out: {whole}")
    tempo = (
        Tempo(Range(0.5 * out_s, 2.0 * out_s), Range(0.5 * back_s, 2.0 * back_s), DEMONSTRATION_BASIS)
        if out_s > 0 and back_s > 0
        else definition.tempo
    )
    defn = definition.with_phase(definition.start.name, start, basis=DEMONSTRATION_BASIS)
    defn = defn.with_phase(definition.target.name, target, basis=DEMONSTRATION_BASIS)
    defn = replace(defn, tempo=tempo)
    ghost = build_ghost(t[s : e + 1], list(landmarks)[s : e + 1]) if landmarks is not None else None
    return Demonstration(
        definition=defn, side=side, tolerance=tolerance, times=t[s : e + 1] - t[s], values=v[s : e + 1],
        rest=rest, peak=peak, out_s=out_s, back_s=back_s, ghost=ghost,
    )  # fmt: skip


def demonstration_from_results(
    definition: ExerciseDefinition, results: Sequence[FrameResult], side: str = "left", tolerance: float = 10.0
) -> Demonstration:
    """``build_demonstration`` from pipeline results of the recorded demonstration."""
    tracker = ExerciseTracker(definition, side)
    times, values, lms = [], [], []
    for r in results:
        sig = compute_signals(r.angles, r.landmarks, r.view) if r.person_found else {}
        times.append(r.frame.timestamp_s)
        values.append(tracker.primary_value(sig) if sig else math.nan)
        lms.append(r.landmarks)
    return build_demonstration(definition, times, values, tolerance, side, lms)


def _unit(v: np.ndarray) -> np.ndarray:
    lo, hi = float(np.min(v)), float(np.max(v))
    return (v - lo) / (hi - lo) if hi > lo else v - lo


@dataclass(frozen=True)
class Comparison:
    """A patient's repetition against the demonstration.

    ``dtw_mean``: mean |difference| (signal units) along the DTW alignment of the two shapes; ``peak_diff``:
    patient − demonstration at the furthest point, positive = further towards the target;
    ``out_ratio``/``back_ratio``: patient duration / demonstrated duration of each half;
    ``feedback``: what to change, most important first (empty = like the demonstration).
    """

    dtw_mean: float
    peak_diff: float
    out_ratio: float
    back_ratio: float
    feedback: tuple[str, ...]


def compare_rep(
    demo: Demonstration,
    times: Sequence[float],
    values: Sequence[float],
    slow: float = 1.5,
    fast: float = 0.67,
    peak_uncertainty: float = math.nan,
) -> Comparison:
    """Compare one patient repetition (seconds, signal values) with the demonstration.

    The patient's trace is cut to its repetition (``find_rep``), aligned to the demonstration by
    DTW; the start and end of the demonstration's top (``top_span``) are mapped through the
    alignment to split the patient's rep into its way out, top and way back. A half faster than
    ``fast`` × or slower than ``slow`` × the demonstration gets a tempo cue; a peak short of the
    demonstration by more than the tolerance *and* more than the peak's own uncertainty
    (``peak_uncertainty``, the signal's 80% half-width, degrees; NaN: unknown), a "more" cue: a
    counted rep 10° short with ±12° got "Reach higher" (a seventh audit), the same wrong "go
    further" the counter's *unsure* rule prevents (``reps``).
    """
    d = demo.definition
    t = np.asarray(times, float)
    v = _fill_nan(np.asarray(values, float))
    s, _, e = find_rep(v, d.increasing)
    t, v = t[s : e + 1] - t[s], v[s : e + 1]
    # align shapes (each trace scaled to 0 at rest, 1 at its peak) so a smaller movement still
    # lines up phase by phase; the reported difference is in signal units along that alignment
    _, path = dtw(_unit(demo.values), _unit(v))
    mean = float(np.mean([abs(demo.values[i] - v[j]) for i, j in path]))
    a, b = top_span(demo.values, d.increasing)
    k1 = min(j for i, j in path if i == a)
    k2 = max(j for i, j in path if i == b)
    out_ratio = float(t[k1] / demo.out_s) if demo.out_s > 0 else math.nan
    back_ratio = float((t[-1] - t[k2]) / demo.back_s) if demo.back_s > 0 else math.nan
    sign = 1.0 if d.increasing else -1.0
    pat_peak = float(v.max() if d.increasing else v.min())
    peak_diff = sign * (pat_peak - demo.peak)
    fb: list[str] = []
    u = peak_uncertainty if math.isfinite(peak_uncertainty) else 0.0
    if peak_diff < -max(demo.tolerance, u):
        fb.append(d.cue("more"))
    elif peak_diff > max(2 * demo.tolerance, u):
        fb.append(d.cue("less"))
    if back_ratio < fast:
        fb.append(d.cue("slower_back"))
    if out_ratio < fast:
        fb.append(d.cue("slower_out"))
    if out_ratio > slow and back_ratio > slow:
        fb.append(d.cue("faster"))
    return Comparison(
        dtw_mean=mean, peak_diff=peak_diff, out_ratio=out_ratio, back_ratio=back_ratio, feedback=tuple(fb)
    )
