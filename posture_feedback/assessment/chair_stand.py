"""Rising from a chair: stands, seat-off, the timed five-times sit-to-stand and the 30-second chair stand.

**Hip height.** Per frame, ``h`` = how far the mid-hip is above the mid-ankle (image rows,
pixels), divided by the standing leg length (the 95th percentile of that distance over the
recording, i.e. its value when standing). ``h`` ≈ 1 standing and ≈ 0.5 seated on a chair of
usual height; a running median of 3 frames removes single-frame glitches. The camera is
assumed roughly level. Frames without a person are NaN and never counted.

**Stands** (``find_stands``), thresholds of this tool (not published values):

* seated: ``h ≤ SEATED_H`` (0.70); standing: ``h ≥ STANDING_H`` (0.90); a stand is a
  seated → standing transition, a sit-down the reverse (hysteresis: nothing in between counts);
  ``h`` uses the lower ankle (the foot on the ground). A transition during which a foot leaves
  the ground or travels (``movement_check.feet_moved``) is a jump or a step, not a stand.
* **seat-off**: the first frame after the seated run where the hips are more than
  ``SEAT_OFF_RISE`` (5 % of the leg length) above their seated level (median ``h`` over the
  last 0.5 s of the seated run): the moment the buttocks leave the seat, kinematically.
* **movement onset** (start of the timed tests): the first frame, before the first seat-off,
  where the nose has moved more than ``ONSET_MOVE`` (5 % of the leg length) from where it
  rested while seated (the forward lean that starts every rise). A video has no "go": the
  stopwatch's reaction time is not in our time.

Limitation: the chair is not seen; a deep squat (hips below ``SEATED_H``) with the feet in place
reads as sitting.

**Timed tests** (``five_times_sit_to_stand``, ``thirty_second_chair_stand``): arms crossed,
standard chair (about 43 cm). 5xSTS: from movement onset until seated again after the fifth
stand (Csuka & McCarty 1985 protocol); when the recording ends before that sit-down, until the
fifth full stand, flagged. Norm: Bohannon 2006, a time above the age group's value is "worse than
average". 30-s chair stand: full stands completed within 30 s of movement onset; one more
stand more than halfway up at 30 s counts (Rikli & Jones protocol). The count carries ± one stand
(``COUNT_UNCERTAINTY``, derived at the constant), so a one- or two-stand difference between two
evaluations is not a change by the tool's rule (``change``: beyond 1.96·√(1² + 1²) = 2.77 stands). Norm: the 25th–75th
percentile range of Rikli & Jones 1999 by age (60–94) and sex. Without an age (and, for the
30-s test, the sex) within the norms' range, the value is reported without a verdict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.assessment.movement_check import feet_moved
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.types import FrameResult

SEATED_H = 0.70
STANDING_H = 0.90
SEAT_OFF_RISE = 0.05
ONSET_MOVE = 0.05
SEATED_LEVEL_S = 0.5
MIN_CONFIDENCE = 0.5
THIRTY_S = 30.0



class ChairStandError(PostureFeedbackError):
    """The chair test cannot be scored from the recording (the message says why)."""


@dataclass(frozen=True, slots=True)
class Stand:
    """One rise from the chair; indices into the results.

    ``seated_again`` is the first seated frame of the sit-down after this stand (None if the
    recording ends before it).
    """

    seated_start: int
    onset: int
    seat_off: int
    standing: int
    seated_again: int | None
    seated_level: float  #: median hip height while seated (leg lengths)


@dataclass(frozen=True, slots=True)
class ChairStands:
    """The stands of a recording, with the per-frame hip height ``h`` (leg lengths) and times (s)."""

    stands: tuple[Stand, ...]
    h: np.ndarray
    t: np.ndarray
    leg_px: float
    rejected: tuple[str, ...] = ()  #: why seated → standing transitions were not counted as stands


def _mid(xy: np.ndarray, conf: np.ndarray, a: int, b: int) -> np.ndarray | None:
    ok = [i for i in (a, b) if conf[i] >= MIN_CONFIDENCE]
    return xy[ok].mean(axis=0) if ok else None


def hip_height_px(result: FrameResult) -> float:
    """Lower ankle's row minus mid-hip row (pixels, > 0 when the hips are above the feet); NaN if not visible."""
    m = result.landmarks
    if m is None:
        return math.nan
    c = m.confidence()
    hip = _mid(m.xy, c, lm.LEFT_HIP, lm.RIGHT_HIP)
    ankles = [m.xy[i, 1] for i in (lm.LEFT_ANKLE, lm.RIGHT_ANKLE) if c[i] >= MIN_CONFIDENCE]
    return math.nan if hip is None or not ankles else float(max(ankles) - hip[1])


def _median3(x: np.ndarray) -> np.ndarray:
    """Running median of 3 samples (ends repeated)."""
    p = np.concatenate([x[:1], x, x[-1:]])
    return np.median(np.stack([p[:-2], p[1:-1], p[2:]]), axis=0)


def too_few_frames_text(n_frames: int, n_seen: int) -> str:
    """Why fewer than 3 frames show the hips and feet: a still image or a clip of a frame or two is too
    short for a movement (the person may be in full view: an audit saw a still image of a man in full
    view refused as "nobody found"); else nobody, or the hips and feet in too few frames."""
    if n_frames < 3:
        frames = "1 frame (a still image?)" if n_frames == 1 else f"{n_frames} frames"
        return f"the recording has only {frames}: a sit-to-stand is a movement; record the rises"
    if n_seen == 0:
        return "nobody found in the recording: the camera must see the person's hips and feet"
    return (f"the person's hips and feet were in view in only {n_seen} of {n_frames} frames: the camera must "
            "see the person's hips and feet")  # fmt: skip


def find_stands(results: Sequence[FrameResult]) -> ChairStands:
    """The stands (rises from sitting to standing) of a recording; see the module docstring."""
    raw = np.array([hip_height_px(r) for r in results], dtype=float)
    t = np.array([r.frame.timestamp_s for r in results], dtype=float)
    ok = np.isfinite(raw)
    if ok.sum() < 3:
        raise ChairStandError(too_few_frames_text(len(results), int(ok.sum())))
    leg = float(np.percentile(raw[ok], 95))
    if leg <= 0:
        raise ChairStandError("the hips were never above the ankles: the camera must see the person standing")
    h = np.full(len(raw), np.nan)
    h[ok] = _median3(raw[ok]) / leg
    nose = np.array(
        [r.landmarks.xy[lm.NOSE] if r.landmarks is not None else (np.nan, np.nan) for r in results], dtype=float
    )
    stands: list[Stand] = []
    rejected: list[str] = []
    state: str | None = None
    seated_start = -1
    for i in np.flatnonzero(ok):
        if h[i] <= SEATED_H and state != "seated":
            if state == "standing" and stands and stands[-1].seated_again is None:
                s = stands[-1]
                stands[-1] = Stand(s.seated_start, s.onset, s.seat_off, s.standing, int(i), s.seated_level)
            state, seated_start = "seated", int(i)
        elif h[i] >= STANDING_H and state != "standing":
            if state == "seated":
                moved = feet_moved(results, seated_start, int(i), ("left", "right"), "rise from a chair")
                if moved is not None:
                    rejected.append(f"at {t[i]:.1f} s {moved}")
                else:
                    stands.append(_stand(h, t, nose, leg, seated_start, int(i)))
            state = "standing"
    return ChairStands(tuple(stands), h, t, leg, tuple(rejected))


def _stand(h: np.ndarray, t: np.ndarray, nose: np.ndarray, leg: float, seated_start: int, standing: int) -> Stand:
    idx = np.arange(seated_start, standing)
    seated = idx[np.isfinite(h[idx]) & (h[idx] <= SEATED_H)]
    last = seated[-1] if len(seated) else seated_start
    recent = seated[t[seated] >= t[last] - SEATED_LEVEL_S] if len(seated) else np.array([seated_start])
    level = float(np.median(h[recent]))
    at_seat = idx[np.isfinite(h[idx]) & (h[idx] <= level + SEAT_OFF_RISE)]
    seat_off = int(at_seat[-1]) + 1 if len(at_seat) else seated_start
    # Movement onset: the nose leaves where it rested at the start of the seated run.
    rest_idx = seated[t[seated] <= t[seated[0]] + SEATED_LEVEL_S] if len(seated) else np.array([seated_start])
    rest = np.nanmedian(nose[rest_idx], axis=0)
    moved = np.linalg.norm(nose[seated_start:seat_off] - rest, axis=1) / leg
    still = np.flatnonzero(np.isfinite(moved) & (moved <= ONSET_MOVE))
    onset = seated_start + int(still[-1]) + 1 if len(still) else seated_start
    return Stand(seated_start, min(onset, seat_off), seat_off, standing, None, level)


# -- norms ----------------------------------------------------------------------------------------

#: Bohannon 2006: 5xSTS times above these (s) are "worse than average", by age band (inclusive).
FIVE_STS_NORMS: tuple[tuple[int, int, float], ...] = ((60, 69, 11.4), (70, 79, 12.6), (80, 89, 14.8))

#: Rikli & Jones 1999 (J Aging Phys Act 7:162-181): 30-s chair stands, 25th-75th percentile, by sex and age.
CHAIR_STAND_NORMS: dict[str, tuple[tuple[int, int, int, int], ...]] = {
    "female": ((60, 64, 12, 17), (65, 69, 11, 16), (70, 74, 10, 15), (75, 79, 10, 15), (80, 84, 9, 14),
               (85, 89, 8, 13), (90, 94, 4, 11)),
    "male": ((60, 64, 14, 19), (65, 69, 12, 18), (70, 74, 12, 17), (75, 79, 11, 17), (80, 84, 10, 15),
             (85, 89, 8, 14), (90, 94, 7, 12)),
}  # fmt: skip


def five_sts_norm(age: int | None) -> float | None:
    """Bohannon 2006's time (s) for the age, None outside 60–89 or without an age."""
    if age is None:
        return None
    return next((v for lo, hi, v in FIVE_STS_NORMS if lo <= age <= hi), None)


def chair_stand_norm(age: int | None, sex: str | None) -> tuple[int, int] | None:
    """Rikli & Jones 1999's 25th–75th percentile stands for the age and sex; None outside 60–94 or unknown."""
    if age is None or sex not in CHAIR_STAND_NORMS:
        return None
    return next(((lo_n, hi_n) for lo, hi, lo_n, hi_n in CHAIR_STAND_NORMS[sex] if lo <= age <= hi), None)


# -- the timed tests ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimedResult:
    """A timed chair test: its value (s or stands), ± uncertainty, and where it starts and ends (indices)."""

    value: float
    uncertainty: float
    start: int
    end: int
    stands: int
    note: str


def _frame_period(t: np.ndarray) -> float:
    d = np.diff(t)
    d = d[np.isfinite(d) & (d > 0)]
    return float(np.median(d)) if len(d) else 1.0 / 30.0


#: Detection allowance (s) for where onset and the final sit-down fall (tool's estimate, not validated).
TIMING_ALLOWANCE_S = 0.1


def five_times_sit_to_stand(cs: ChairStands) -> TimedResult:
    """Seconds from movement onset to seated after the fifth stand (or to the fifth stand, flagged)."""
    if len(cs.stands) < 5:
        raise ChairStandError(
            f"only {len(cs.stands)} full stand(s) found: the five-times sit-to-stand needs five "
            f"(hips from at most {SEATED_H:.2f} to at least {STANDING_H:.2f} of the standing leg length)"
        )
    first, fifth = cs.stands[0], cs.stands[4]
    if fifth.seated_again is not None:
        end, note = fifth.seated_again, "onset of the first rise to seated after the fifth stand"
    else:
        end, note = fifth.standing, "onset of the first rise to the fifth full stand (recording ends before sitting)"
    dt = _frame_period(cs.t)
    u = math.hypot(dt, dt) + TIMING_ALLOWANCE_S
    return TimedResult(float(cs.t[end] - cs.t[first.onset]), u, first.onset, end, 5, note)


#: The ± (stands) of a 30-second chair-stand count, from how this tool counts (hand-worked, not a
#: published figure). The window runs from the detected movement onset to 30 s later; onset and end
#: are known to the timing uncertainty of ``five_times_sit_to_stand``, √2 frame periods +
#: ``TIMING_ALLOWANCE_S`` (0.147 s at 30 fps, 0.135 s at 40 fps), far less than half a sit-stand cycle
#: (a stand goes from hips at ``SEATED_H`` to ``STANDING_H`` and back; 1.6 s per cycle for 19 stands
#: in 30 s). So shifting the window's end by its uncertainty moves at most the one stand nearest the
#: 30 s mark across it; the halfway rule decides that same stand on one measured hip height; and a
#: whole count cannot say how much of the stand under way at 30 s was done. Each of these changes the
#: count by one stand, always the same last one: ± 1 stand, whether or not a stand was under way at
#: 30 s (a stand just completed at 29.9 s is as uncertain as one halfway up). A stand missed or added
#: by the seated/standing thresholds is not in it; the record lists each counted stand's frames and
#: the rejected transitions.
COUNT_UNCERTAINTY = 1.0


def thirty_second_chair_stand(cs: ChairStands) -> TimedResult:
    """Full stands within 30 s of movement onset; a stand more than halfway up at 30 s counts."""
    if not cs.stands:
        raise ChairStandError(
            f"no stand found: the hips never went from seated (at most {SEATED_H:.2f} of the standing leg "
            f"length above the ankles) to standing (at least {STANDING_H:.2f})"
        )
    start = cs.stands[0].onset
    t_end = cs.t[start] + THIRTY_S
    if cs.t[-1] < t_end - _frame_period(cs.t):
        raise ChairStandError(
            f"the recording ends {cs.t[-1] - cs.t[start]:.1f} s after the first rise: the 30-second chair stand "
            "needs 30 s"
        )
    full = [s for s in cs.stands if cs.t[s.standing] <= t_end]
    count, note, u = len(full), "stands completed within 30 s of the first rise's onset", COUNT_UNCERTAINTY
    rising = [s for s in cs.stands if cs.t[s.seat_off] <= t_end < cs.t[s.standing]]
    if rising:
        k = int(np.searchsorted(cs.t, t_end))
        k = min(k, len(cs.t) - 1)
        half = (rising[0].seated_level + 1.0) / 2.0
        if math.isfinite(cs.h[k]) and cs.h[k] > half:
            count += 1
            note += "; the last was more than halfway up at 30 s (counted)"
        else:
            note += "; a stand under way at 30 s was less than halfway up (not counted)"
    end = int(np.searchsorted(cs.t, t_end)) - 1
    return TimedResult(float(count), u, start, max(end, start), count, note)
