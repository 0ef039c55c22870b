"""The movement screen: overhead squat, single-leg squat or sit-to-stand, seen from the front and the side.

Squats: candidate repetitions are the peaks of knee flexion (``peaks.find_peaks``; the stance
knee for the single-leg squat), counted only in frames of the required view. A candidate is a
repetition only when ``movement_check.check_squat`` finds the movement really there (deep
enough, feet on the ground, hips down, upright, seen throughout); when none is, the screen is
refused with the reason ("no squat found: the right foot left the ground ..."), never scored.
At the bottom of each repetition (the peak frame and ``BOTTOM_WINDOW_S`` either side) the
classic compensations are measured; the worst repetition is reported, with its frame index,
and every repetition's value is kept in the details.

Sit-to-stand: the repetitions are the rises from the chair (``chair_stand.find_stands``) and
every measure is taken around **seat-off** (± ``BOTTOM_WINDOW_S``), when the hips leave the
seat and the load on the knees is highest, not at the knee-flexion peak (which is sitting).
Front: knee valgus, hip shift (seat-off minus seated), left-right knee asymmetry; side:
``trunk_forward_lean_at_seat_off`` and ``knee_flexion_at_seat_off`` (information, no norm).

Front view (person facing the camera):

* ``knee_valgus`` (per side, degrees): the knee caving in, i.e. moving medially relative to
  the hip–ankle line: the image-plane bend of hip → knee → ankle towards the midline
  (``exercises.signals`` ``{side}_knee_valgus``, > 0 = knee inside the line).
* ``hip_shift`` (cm): mid-hip relative to mid-ankle along the person's left, at the bottom
  minus at the start of the same repetition (> 0 = shifted to the person's left).
* ``left_right_asymmetry`` (degrees, bilateral tests): |left − right knee flexion| at the bottom.

Side view:

* ``trunk_forward_lean_excess`` (degrees): trunk forward lean minus shin forward lean at the
  bottom (> 0 = the trunk leans further forward than the shins; a parallel trunk and shin is
  the usual squat pattern).
* ``arms_forward`` (degrees, overhead squat): 180 − shoulder elevation of the arm nearer the
  camera at the bottom: how far the arms fell forward from the line of the trunk.
* ``squat_depth`` (degrees, information): knee flexion at the bottom.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.assessment import measures as ms
from posture_feedback.assessment import snapshots as snap
from posture_feedback.assessment.chair_stand import ChairStandError, Stand, find_stands
from posture_feedback.assessment.movement_check import SquatRule, check_squat
from posture_feedback.assessment.peaks import Peak, find_peaks
from posture_feedback.assessment.posture import OFFSET_BASE_CM, OFFSET_DEPTH_CM
from posture_feedback.assessment.record import AssessmentRecord
from posture_feedback.assessment.references import MOVEMENT_REFERENCES, Reference
from posture_feedback.assessment.summary import build_measure
from posture_feedback.assessment.uncertainty import LENGTH_UNCERTAINTY_FRACTION, combine, plane_uncertainty
from posture_feedback.assessment.viewgate import check_view, view_instruction
from posture_feedback.calibration.camera import CameraCalibration
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.exercises.signals import derived_signals
from posture_feedback.types import FrameResult, View

BOTTOM_WINDOW_S = 0.2
DEPTH_REFERENCE = Reference(None, None, None, "deg", "AAOS 1965", "knee flexion at the bottom (information only)")
SEAT_OFF_REFERENCE = Reference(None, None, None, "deg", "tool", "at seat-off (information only: no norm)")
#: What makes a squat repetition (``movement_check``): name, least knee flexion at the bottom (deg),
#: least hip drop (leg lengths). Tool's screening choices.
SQUAT_RULES: dict[str, SquatRule] = {
    "overhead_squat": SquatRule("squat", 40.0, 0.10),
    "single_leg_squat": SquatRule("single-leg squat", 30.0, 0.05),
}


@dataclass(frozen=True)
class MovementTest:
    name: str
    title: str
    instruction: str
    bilateral: bool
    arms_overhead: bool
    min_prominence: float = 25.0


MOVEMENT_TESTS: dict[str, MovementTest] = {
    t.name: t
    for t in (
        MovementTest(
            "overhead_squat", "Overhead squat",
            "Feet shoulder-width apart, arms straight overhead. Squat as deep as is comfortable and stand up. "
            "Five times, first facing the camera, then side-on.",
            bilateral=True, arms_overhead=True,
        ),
        MovementTest(
            "single_leg_squat", "Single-leg squat",
            "Stand on your {side} leg, hands on your hips. Bend the knee as far as is comfortable and stand up. "
            "Five times, first facing the camera, then side-on.",
            bilateral=False, arms_overhead=False, min_prominence=15.0,
        ),
        MovementTest(
            "sit_to_stand", "Sit to stand",
            "Sit on a chair, arms crossed on your chest. Stand up fully and sit down again. Five times, first "
            "facing the camera, then side-on.",
            bilateral=True, arms_overhead=False,
        ),
    )
}  # fmt: skip


class MovementScreenError(PostureFeedbackError):
    """The movement screen cannot be measured (unknown test, no repetition found)."""


def _in_view(r: FrameResult, view: View) -> bool:
    return r.landmarks is not None and view_instruction(view, r.view, r.azimuth_deg) is None


def _knee_trace(results: Sequence[FrameResult], sides: Sequence[str], view: View) -> np.ndarray:
    """Mean knee flexion of ``sides`` per frame (degrees); NaN where not measured or not in ``view``."""
    out = np.full(len(results), np.nan)
    for i, r in enumerate(results):
        if not _in_view(r, view):
            continue
        vals = [r.angles.value(f"{s}_knee_flexion", require_valid=True) for s in sides]
        vals = [v for v in vals if math.isfinite(v)]
        if vals:
            out[i] = float(np.mean(vals))
    return out


def _bottom_frames(results: Sequence[FrameResult], index: int, start: int, end: int) -> list[int]:
    t0 = results[index].frame.timestamp_s
    return [i for i in range(start, end + 1) if abs(results[i].frame.timestamp_s - t0) <= BOTTOM_WINDOW_S]


def _reps(
    record: AssessmentRecord, results: Sequence[FrameResult], test: MovementTest, side: str | None, view: View
) -> list[Peak]:
    """The squat repetitions really in the recording; ``MovementScreenError`` with the reason when none is."""
    sides = ("left", "right") if test.bilateral else (side,)
    rule = SQUAT_RULES[test.name]
    trace = _knee_trace(results, sides, view)
    kept, rejected = [], []
    for p in find_peaks(trace, min_prominence=test.min_prominence):
        r = results[p.index]
        knees = {s: r.angles.value(f"{s}_knee_flexion", require_valid=True) for s in sides}
        knees = {s: v for s, v in knees.items() if math.isfinite(v)} or {"measured": p.value}
        free = None if test.bilateral else ("right" if side == "left" else "left")
        reason = check_squat(results, p, knees, rule, view, planted=sides, free=free)
        if reason is None:
            kept.append(p)
        else:
            rejected.append((p, reason))
    record.inputs[f"{view.value}_rejected"] = [
        {"frame": results[p.index].frame.index, "knee_flexion": p.value, "reason": why} for p, why in rejected
    ]
    if kept:
        return kept
    if rejected:
        why = max(rejected, key=lambda x: x[0].value)[1]
    else:
        top = float(np.nanmax(trace)) if np.isfinite(trace).any() else math.nan
        seen = "was never measured" if not math.isfinite(top) else f"never exceeded {top:.0f}°"
        why = (
            f"knee flexion {seen} in the {view.value} view (a {rule.what} bends the knees at least "
            f"{rule.min_depth_deg:.0f}° and back, by {test.min_prominence:g}° or more)"
        )
    raise MovementScreenError(f"no {rule.what} found in the {view.value} recording: {why}")


def _worst(per_rep: list[tuple[float, float, int]], signed: bool = False) -> tuple[float, float, int, float]:
    """(value, uncertainty, frame, rep spread) of the repetition with the largest (absolute) value."""
    ok = [x for x in per_rep if math.isfinite(x[0])]
    if not ok:
        return math.nan, math.nan, -1, math.nan
    v, u, f = max(ok, key=lambda x: abs(x[0]) if signed else x[0])
    spread = float(np.std([x[0] for x in ok], ddof=1)) if len(ok) > 1 else math.nan
    return v, u, f, spread


def _add(record: AssessmentRecord, name: str, side: str | None, worst, view: str, per_rep, ref: Reference) -> None:
    v, u, frame, spread = worst
    m, d = build_measure(
        name, v, u, spread, ref, side=side, valid=math.isfinite(v), view=view, frame=frame,
        repetitions=[{"value": x[0], "uncertainty": x[1], "frame": x[2]} for x in per_rep],
    )  # fmt: skip
    record.measures.append(m)
    record.details[m.label] = d


def _events(record, results, test: MovementTest, side: str | None, view: View) -> list[tuple[int, int, int, int]]:
    """(measure frame, start frame, window start, window end) per repetition: the bottom of a squat, or the
    seat-off of a rise from the chair (start = the seated frame before it)."""
    if test.name != "sit_to_stand":
        return [(p.index, p.start, p.start, p.end) for p in _reps(record, results, test, side, view)]
    masked = [r if _in_view(r, view) else replace(r, landmarks=None) for r in results]
    try:
        stands: tuple[Stand, ...] = find_stands(masked).stands
    except ChairStandError as exc:
        raise MovementScreenError(f"no sit-to-stand found in the {view.value} recording: {exc}") from None
    if not stands:
        cs = find_stands(masked)
        why = cs.rejected[0] if cs.rejected else (
            "the hips never rose from a seated height (at most 0.70 of the standing leg length above the feet) "
            "to standing (at least 0.90)"
        )
        raise MovementScreenError(f"no sit-to-stand found in the {view.value} recording: {why}")
    record.inputs[f"{view.value}_seat_off_frames"] = [results[s.seat_off].frame.index for s in stands]
    return [(s.seat_off, s.seated_start, s.seated_start, s.standing) for s in stands]


def _front(record, results, test: MovementTest, side: str | None, up) -> int:
    sides = ("left", "right") if test.bilateral else (side,)
    events = _events(record, results, test, side, View.FRONT)
    valgus = {s: [] for s in ("left", "right")}
    shift, asym = [], []
    for index, start, w0, w1 in events:
        frames = _bottom_frames(results, index, w0, w1)
        for s in sides:
            best = (math.nan, math.nan, -1)
            for i in frames:
                r = results[i]
                val = derived_signals(r.landmarks, r.view)[f"{s}_knee_valgus"]
                if math.isfinite(val) and not (val <= best[0]):
                    conf = float(r.landmarks.confidence()[[lm.LEFT_KNEE, lm.RIGHT_KNEE]].min())
                    unc = plane_uncertainty("frontal", r.azimuth_deg, conf, like=f"{s}_knee_flexion")
                    best = (val, unc, r.frame.index)
            valgus[s].append(best)
        r, r0 = results[index], results[start]  # the bottom (or seat-off), and the start of this repetition
        hs, _ = ms.offset_cm(r.landmarks, "hip", "ankle", r.azimuth_deg, up, along="left")
        hs -= ms.offset_cm(r0.landmarks, "hip", "ankle", r0.azimuth_deg, up, along="left")[0]
        cos_a = abs(math.sin(math.radians(r.azimuth_deg))) if math.isfinite(r.azimuth_deg) else 1.0
        shift.append(
            (hs, OFFSET_BASE_CM + LENGTH_UNCERTAINTY_FRACTION * abs(hs) + OFFSET_DEPTH_CM * cos_a, r.frame.index)
        )
        if test.bilateral:
            kl, kr = r.angles["left_knee_flexion"], r.angles["right_knee_flexion"]
            asym.append((abs(kl.value - kr.value), combine(kl.uncertainty, kr.uncertainty), r.frame.index))
    for s in sides:
        _add(record, "knee_valgus", s, _worst(valgus[s]), "front", valgus[s], MOVEMENT_REFERENCES["knee_valgus"])
    _add(record, "hip_shift", None, _worst(shift, signed=True), "front", shift, MOVEMENT_REFERENCES["hip_shift"])
    if test.bilateral:
        _add(record, "left_right_asymmetry", None, _worst(asym), "front", asym,
             MOVEMENT_REFERENCES["left_right_asymmetry"])  # fmt: skip
    record.inputs["front_repetitions"] = len(events)
    if test.name == "sit_to_stand":
        return events[0][0]
    knee = _knee_trace([results[e[0]] for e in events], sides, View.FRONT)
    return events[int(np.nanargmax(knee))][0] if np.isfinite(knee).any() else events[0][0]


def _side(record, results, test: MovementTest, side: str | None, up) -> int:
    events = _events(record, results, test, side, View.SIDE)
    lean, arms, depth, trunk = [], [], [], []
    for index, _start, _w0, _w1 in events:
        r = results[index]
        near = "left" if (math.isfinite(r.azimuth_deg) and r.azimuth_deg > 0) else "right"
        leg = near if test.bilateral else side
        _, trunk_fwd, conf_t = ms.trunk_leans(r.landmarks, r.azimuth_deg, up)
        u_trunk = plane_uncertainty("sagittal", r.azimuth_deg, conf_t)
        k = r.angles[f"{leg}_knee_flexion"]
        depth.append((k.value if k.valid else math.nan, k.uncertainty, r.frame.index))
        if test.name == "sit_to_stand":
            trunk.append((trunk_fwd, u_trunk, r.frame.index))
            continue
        shin, conf_s = ms.shin_forward_lean(r.landmarks, leg, r.azimuth_deg, up)
        u = combine(u_trunk, plane_uncertainty("sagittal", r.azimuth_deg, conf_s, like=f"{leg}_knee_flexion"))
        lean.append((trunk_fwd - shin, u, r.frame.index))
        if test.arms_overhead:
            a = r.angles[f"{near}_shoulder_elevation"]
            arms.append((180.0 - a.value, a.uncertainty, r.frame.index))
    record.inputs["side_repetitions"] = len(events)
    if test.name == "sit_to_stand":
        _add(record, "trunk_forward_lean_at_seat_off", None, _worst(trunk), "side", trunk, SEAT_OFF_REFERENCE)
        _add(record, "knee_flexion_at_seat_off", None, _worst(depth), "side", depth, SEAT_OFF_REFERENCE)
        return events[0][0]
    _add(record, "trunk_forward_lean_excess", None, _worst(lean), "side", lean,
         MOVEMENT_REFERENCES["trunk_forward_lean_excess"])  # fmt: skip
    if test.arms_overhead:
        _add(record, "arms_forward", None, _worst(arms), "side", arms, MOVEMENT_REFERENCES["arms_forward"])
    _add(record, "squat_depth", None if test.bilateral else side, _worst(depth), "side", depth, DEPTH_REFERENCE)
    return max(zip(events, depth, strict=True), key=lambda x: x[1][0] if math.isfinite(x[1][0]) else -1.0)[0][0]


def _overlay(record: AssessmentRecord, r: FrameResult, view: str, roll: float) -> snap.Overlay:
    ov = snap.Overlay()
    xy = r.landmarks.xy
    vt = snap.world_direction_px(roll, vertical=True)
    if view == "front":
        for hip, knee, ankle in (
            (lm.LEFT_HIP, lm.LEFT_KNEE, lm.LEFT_ANKLE),
            (lm.RIGHT_HIP, lm.RIGHT_KNEE, lm.RIGHT_ANKLE),
        ):
            ov.reference(xy[hip], xy[ankle])  # the hip–ankle line the knee should stay on
            ov.line(xy[hip], xy[knee])
            ov.line(xy[knee], xy[ankle])
        mid_a = (xy[lm.LEFT_ANKLE] + xy[lm.RIGHT_ANKLE]) / 2
        mid_h = (xy[lm.LEFT_HIP] + xy[lm.RIGHT_HIP]) / 2
        ov.reference(mid_a, mid_a + vt * float(np.linalg.norm(mid_h - mid_a)) * 1.3)
        ov.points.append((tuple(mid_h), snap.FLAG_COLOUR))
    else:
        near = "left" if (math.isfinite(r.azimuth_deg) and r.azimuth_deg > 0) else "right"
        i = 0 if near == "left" else 1
        sh, hp, kn, an = (ms.PAIRS[p][i] for p in ("shoulder", "hip", "knee", "ankle"))
        ov.line(xy[hp], xy[sh])
        ov.line(xy[an], xy[kn])
        el = lm.LEFT_ELBOW if near == "left" else lm.RIGHT_ELBOW
        wr = lm.LEFT_WRIST if near == "left" else lm.RIGHT_WRIST
        ov.line(xy[sh], xy[el], snap.REFERENCE_COLOUR)
        ov.line(xy[el], xy[wr], snap.REFERENCE_COLOUR)
        ov.reference(xy[an], xy[an] + vt * float(np.linalg.norm(xy[sh] - xy[an])))
    for m in record.measures:
        if record.details[m.label].get("view") == view:
            ov.panel.append(
                f"{m.label}: {snap.fmt(m.value, m.uncertainty, m.unit)} [{record.details[m.label]['verdict']}] "
                f"frame {record.details[m.label].get('frame', '?')}"
            )
    return ov


def movement_screen(
    test_name: str,
    front: Sequence[FrameResult] | None,
    side_view: Sequence[FrameResult] | None,
    *,
    side: str | None = None,
    calibration: CameraCalibration | None = None,
    out_dir: str | Path | None = None,
    inputs: dict[str, Any] | None = None,
) -> AssessmentRecord:
    """Measure the compensations of a movement test from a front and/or a side recording.

    ``side`` is the stance leg of the single-leg squat ("left"/"right"). Raises
    ``WrongViewError`` for a recording in the wrong view and ``MovementScreenError`` when the
    test is unknown or no repetition is found.
    """
    test = MOVEMENT_TESTS.get(test_name)
    if test is None:
        raise MovementScreenError(f"unknown movement test {test_name!r} (available: {', '.join(MOVEMENT_TESTS)})")
    if not test.bilateral and side not in ("left", "right"):
        raise MovementScreenError(f"{test.name} needs the stance leg: side 'left' or 'right'")
    if front is None and side_view is None:
        raise MovementScreenError("the movement screen needs a front recording, a side recording, or both")
    up = None if calibration is None or calibration.skipped else calibration.up_vector()
    roll = calibration.roll_deg if calibration is not None else 0.0
    title = f"Movement screen: {test.title}" + (f" ({side} leg)" if not test.bilateral else "")
    record = AssessmentRecord(kind="movement", title=title, inputs=dict(inputs or {}))
    record.inputs.update({"test": test.name, "instruction": test.instruction.format(side=side or "")})
    if calibration is not None and not calibration.skipped:
        record.calibration["camera"] = calibration.to_dict()
    for view, results in (("front", front), ("side", side_view)):
        if results is None:
            continue
        check_view(results, View.FRONT if view == "front" else View.SIDE)
        idx = (_front if view == "front" else _side)(record, results, test, side, up)
        if out_dir is not None:
            img = snap.render(
                results[idx],
                _overlay(record, results[idx], view, roll),
                title=f"{test.title}, {view} view, "
                + ("first seat-off" if test.name == "sit_to_stand" else "deepest repetition")
                + f" (frame {results[idx].frame.index})",
            )
            fname = f"movement_{test.name}_{view}.png"
            snap.save_png(img, Path(out_dir) / fname)
            record.snapshots.append(fname)
            for m in record.measures:
                if record.details[m.label].get("view") == view:
                    record.details[m.label]["snapshot"] = fname
    return record
