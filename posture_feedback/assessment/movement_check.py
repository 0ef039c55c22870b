"""Is the movement really in the recording? Checks a candidate repetition before anything is scored.

A knee-flexion peak is only a *candidate*: a leap, a step, crawling on all fours or turning
around also bend the knees. ``check_squat`` accepts a candidate as a squat repetition only when
all of these hold (the thresholds are this tool's screening choices, not published values):

==========================  =========================================================================
seen                        at least ``MIN_VIEW_FRACTION`` (80 %) of the frames from the standing
                            start to the standing end are in the required view with the person found
deep enough                 knee flexion at the bottom ≥ ``min_depth_deg`` (each knee of a bilateral
                            squat; the stance knee of a single-leg squat)
feet in place               no planted foot's ankle rises more than ``MAX_FOOT_RISE`` (10 %) of the
                            standing leg length above where it was at the start (a jump or a step),
                            nor travels sideways more than ``MAX_FOOT_TRAVEL`` (25 %) (walking),
                            up to ``STAY_S`` (0.3 s) after the repetition (a dip before a leap fails)
hips go down                the mid-hip drops at least ``min_hip_drop`` leg lengths from the start
one leg (single-leg squat)  the free foot, when visible, is at least ``FREE_FOOT_LIFT`` (5 %) of
                            the leg length above the stance foot at the bottom
stood up again              the knee came back down (a last peak the recording never left fails)
upright enough              at the bottom the trunk is < ``MAX_TRUNK_DEG`` (60°) from vertical and
                            the nose above the hips (on all fours or bent over is not a squat)
==========================  =========================================================================

Heights are image rows (pixels, y down), divided by the standing leg length (hip → ankle, pixels,
at the start of the repetition), so the checks hold at any distance. The camera is assumed
roughly level (a roll of a few degrees changes these heights by a few percent of a leg length).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.assessment.peaks import Peak
from posture_feedback.types import FrameResult, View

MIN_VIEW_FRACTION = 0.8
MAX_FOOT_RISE = 0.10
MAX_FOOT_TRAVEL = 0.25
STAY_S = 0.3
MAX_TRUNK_DEG = 60.0
FREE_FOOT_LIFT = 0.05
MIN_CONFIDENCE = 0.5

_ANKLE = {"left": lm.LEFT_ANKLE, "right": lm.RIGHT_ANKLE}
_HIP = {"left": lm.LEFT_HIP, "right": lm.RIGHT_HIP}


@dataclass(frozen=True, slots=True)
class SquatRule:
    """What makes a repetition of one movement test (degrees; leg lengths)."""

    what: str  #: the movement's name in messages ("squat", "single-leg squat", "sit-to-stand")
    min_depth_deg: float
    min_hip_drop: float


def leg_length_px(result: FrameResult) -> float:
    """Longest visible hip → ankle distance of a frame (pixels); NaN when no leg is visible."""
    m = result.landmarks
    if m is None:
        return math.nan
    c = m.confidence()
    out = [
        float(np.linalg.norm(m.xy[_HIP[s]] - m.xy[_ANKLE[s]]))
        for s in ("left", "right")
        if c[_HIP[s]] >= MIN_CONFIDENCE and c[_ANKLE[s]] >= MIN_CONFIDENCE
    ]
    return max(out) if out else math.nan


def _ankle_y(result: FrameResult, side: str) -> float:
    m = result.landmarks
    if m is None or m.confidence()[_ANKLE[side]] < MIN_CONFIDENCE:
        return math.nan
    return float(m.xy[_ANKLE[side], 1])


def _hip_y(result: FrameResult) -> float:
    m = result.landmarks
    if m is None:
        return math.nan
    c = m.confidence()
    ys = [float(m.xy[_HIP[s], 1]) for s in ("left", "right") if c[_HIP[s]] >= MIN_CONFIDENCE]
    return float(np.mean(ys)) if ys else math.nan


def foot_motion(results: Sequence[FrameResult], start: int, end: int, side: str, leg_px: float) -> tuple[float, float]:
    """(largest vertical move from its row at ``start``, up or down; horizontal range) of one ankle over
    ``start..end``, in leg lengths; NaN when the ankle is not seen in two frames."""
    i = _ANKLE[side]
    pts = np.array([r.landmarks.xy[i] for r in results[start : end + 1]
                    if r.landmarks is not None and r.landmarks.confidence()[i] >= MIN_CONFIDENCE])  # fmt: skip
    if len(pts) < 2 or not leg_px > 0:
        return math.nan, math.nan
    return float(np.abs(pts[:, 1] - pts[0, 1]).max()) / leg_px, float(np.ptp(pts[:, 0])) / leg_px


def feet_moved(results: Sequence[FrameResult], start: int, end: int, sides: Sequence[str], what: str) -> str | None:
    """Why the feet of ``sides`` did not stay in place over ``start..end`` (rose more than ``MAX_FOOT_RISE`` or
    travelled more than ``MAX_FOOT_TRAVEL`` leg lengths), None when they did or are not seen."""
    leg = leg_length_px(results[start])
    for s in sides:
        rise, travel = foot_motion(results, start, end, s, leg)
        if rise > MAX_FOOT_RISE:
            return (
                f"the {s} foot left the ground (ankle moved {100 * rise:.0f} % of the leg length up or down): "
                f"a jump or a step, not a {what}"
            )
        if travel > MAX_FOOT_TRAVEL:
            return f"the {s} foot travelled {100 * travel:.0f} % of the leg length (walking or running), not a {what}"
    return None


def _after(results: Sequence[FrameResult], end: int) -> int:
    """The index ``STAY_S`` seconds after ``end`` (clipped): the person must still be standing then."""
    t = results[end].frame.timestamp_s + STAY_S
    while end + 1 < len(results) and results[end + 1].frame.timestamp_s <= t:
        end += 1
    return end


def view_fraction(results: Sequence[FrameResult], start: int, end: int, view: View) -> float:
    """Share of frames ``start..end`` (inclusive) with the person found and in ``view``."""
    frames = results[start : end + 1]
    if not frames:
        return 0.0
    return sum(r.landmarks is not None and r.view is view for r in frames) / len(frames)


def check_squat(
    results: Sequence[FrameResult],
    peak: Peak,
    knees: dict[str, float],
    rule: SquatRule,
    view: View,
    planted: Sequence[str],
    free: str | None = None,
) -> str | None:
    """None when ``peak`` is a repetition of ``rule``'s movement, else the reason in words.

    ``knees``: side → knee flexion at the bottom (degrees) of the knees that must bend;
    ``planted``: the sides whose foot must stay on the ground; ``free``: the side whose foot must
    be off the ground at the bottom (single-leg squat), when it is visible.
    """
    if not peak.returned:
        return "the recording ends before the person stood up again"
    seen = view_fraction(results, peak.start, peak.end, view)
    if seen < MIN_VIEW_FRACTION:
        frames = results[peak.start : peak.end + 1]
        gone = sum(r.landmarks is None for r in frames) / max(len(frames), 1)
        how = "the person left the picture" if gone >= 1.0 - MIN_VIEW_FRACTION else "the person turned away"
        return f"only {100 * seen:.0f} % of the repetition was seen in the {view.value} view ({how})"
    shallow = {s: v for s, v in knees.items() if not (v >= rule.min_depth_deg)}
    if shallow:
        s, v = next(iter(shallow.items()))
        return f"the {s} knee bent only {v:.0f}° (a {rule.what} needs {rule.min_depth_deg:.0f}°)"
    r0, rb = results[peak.start], results[peak.index]
    leg = leg_length_px(r0)
    if not math.isfinite(leg) or leg <= 0:
        return "the legs were not visible at the start of the repetition"
    moved = feet_moved(results, peak.start, _after(results, peak.end), planted, rule.what)
    if moved is not None:
        return moved
    if free is not None and planted:
        lifted = (_ankle_y(rb, planted[0]) - _ankle_y(rb, free)) / leg
        if math.isfinite(lifted) and lifted < FREE_FOOT_LIFT:
            return f"the {free} foot was on the ground at the bottom: not a {rule.what}"
    drop = (_hip_y(rb) - _hip_y(r0)) / leg
    if not (drop >= rule.min_hip_drop):
        shown = "not measured" if not math.isfinite(drop) else f"{100 * drop:.0f} %"
        return f"the hips did not go down (by {shown} of the leg length, needs {100 * rule.min_hip_drop:.0f} %)"
    trunk = rb.angles.value("trunk_inclination")
    nose_above = rb.landmarks is not None and rb.landmarks.xy[lm.NOSE, 1] < _hip_y(rb)
    if (math.isfinite(trunk) and trunk > MAX_TRUNK_DEG) or not nose_above:
        t = f"{trunk:.0f}°" if math.isfinite(trunk) else "far"
        return f"the trunk was {t} from vertical at the bottom, head not above the hips (on all fours or bent over)"
    return None
