"""The movement screen: overhead squat, single-leg squat or sit-to-stand, seen from the front and the side.

Repetitions are the peaks of knee flexion (``peaks.find_peaks``; the stance knee for the
single-leg squat). At the bottom of each repetition (the peak frame and ``BOTTOM_WINDOW_S``
either side) the classic compensations are measured; the worst repetition is reported, with
its frame index, and every repetition's value is kept in the details.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.assessment import measures as ms
from posture_feedback.assessment import snapshots as snap
from posture_feedback.assessment.peaks import Peak, find_peaks
from posture_feedback.assessment.posture import OFFSET_BASE_CM, OFFSET_DEPTH_CM
from posture_feedback.assessment.record import AssessmentRecord
from posture_feedback.assessment.references import MOVEMENT_REFERENCES, Reference
from posture_feedback.assessment.summary import build_measure
from posture_feedback.assessment.uncertainty import LENGTH_UNCERTAINTY_FRACTION, combine, plane_uncertainty
from posture_feedback.assessment.viewgate import check_view
from posture_feedback.calibration.camera import CameraCalibration
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.exercises.signals import derived_signals
from posture_feedback.types import FrameResult, View

BOTTOM_WINDOW_S = 0.2
DEPTH_REFERENCE = Reference(None, None, None, "deg", "AAOS 1965", "knee flexion at the bottom (information only)")


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


def _knee_trace(results: Sequence[FrameResult], sides: Sequence[str]) -> np.ndarray:
    out = np.full(len(results), np.nan)
    for i, r in enumerate(results):
        vals = [r.angles.value(f"{s}_knee_flexion", require_valid=True) for s in sides]
        vals = [v for v in vals if math.isfinite(v)]
        if r.landmarks is not None and vals:
            out[i] = float(np.mean(vals))
    return out


def _bottom_frames(results: Sequence[FrameResult], peak: Peak) -> list[int]:
    t0 = results[peak.index].frame.timestamp_s
    return [i for i in range(peak.start, peak.end + 1) if abs(results[i].frame.timestamp_s - t0) <= BOTTOM_WINDOW_S]


def _reps(results: Sequence[FrameResult], sides: Sequence[str], prominence: float, what: str) -> list[Peak]:
    peaks = find_peaks(_knee_trace(results, sides), min_prominence=prominence)
    if not peaks:
        raise MovementScreenError(
            f"no repetition found in the {what} recording (knee flexion must rise and fall by {prominence:g} deg)"
        )
    return peaks


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


def _front(record, results, test: MovementTest, side: str | None, up) -> int:
    sides = ("left", "right") if test.bilateral else (side,)
    peaks = _reps(results, sides, test.min_prominence, "front")
    valgus = {s: [] for s in ("left", "right")}
    shift, asym = [], []
    for p in peaks:
        frames = _bottom_frames(results, p)
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
        r, r0 = results[p.index], results[p.start]  # the bottom, and the standing start of this repetition
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
    record.inputs["front_repetitions"] = len(peaks)
    deepest = max(peaks, key=lambda p: p.value)
    return deepest.index


def _side(record, results, test: MovementTest, side: str | None, up) -> int:
    sides = ("left", "right") if test.bilateral else (side,)
    peaks = _reps(results, sides, test.min_prominence, "side")
    lean, arms, depth = [], [], []
    for p in peaks:
        r = results[p.index]
        near = "left" if (math.isfinite(r.azimuth_deg) and r.azimuth_deg > 0) else "right"
        leg = near if test.bilateral else side
        _, trunk_fwd, conf_t = ms.trunk_leans(r.landmarks, r.azimuth_deg, up)
        shin, conf_s = ms.shin_forward_lean(r.landmarks, leg, r.azimuth_deg, up)
        u = combine(plane_uncertainty("sagittal", r.azimuth_deg, conf_t), plane_uncertainty(
            "sagittal", r.azimuth_deg, conf_s, like=f"{leg}_knee_flexion"))  # fmt: skip
        lean.append((trunk_fwd - shin, u, r.frame.index))
        if test.arms_overhead:
            a = r.angles[f"{near}_shoulder_elevation"]
            arms.append((180.0 - a.value, a.uncertainty, r.frame.index))
        k = r.angles[f"{leg}_knee_flexion"]
        depth.append((k.value, k.uncertainty, r.frame.index))
    _add(record, "trunk_forward_lean_excess", None, _worst(lean), "side", lean,
         MOVEMENT_REFERENCES["trunk_forward_lean_excess"])  # fmt: skip
    if test.arms_overhead:
        _add(record, "arms_forward", None, _worst(arms), "side", arms, MOVEMENT_REFERENCES["arms_forward"])
    _add(record, "squat_depth", None if test.bilateral else side, _worst(depth), "side", depth, DEPTH_REFERENCE)
    record.inputs["side_repetitions"] = len(peaks)
    return max(peaks, key=lambda p: p.value).index


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
                title=f"{test.title}, {view} view, deepest repetition (frame {results[idx].frame.index})",
            )
            fname = f"movement_{test.name}_{view}.png"
            snap.save_png(img, Path(out_dir) / fname)
            record.snapshots.append(fname)
            for m in record.measures:
                if record.details[m.label].get("view") == view:
                    record.details[m.label]["snapshot"] = fname
    return record
