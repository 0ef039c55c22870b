"""The posture screen: a still front view and a still side view, measured against reference ranges.

Flow (the app drives it live with ``ViewGate``; ``posture_screen`` does it on recordings):

1. Front: the person faces the camera, arms relaxed. The gate waits until the view is FRONT,
   the whole body visible and still for ``hold_s`` seconds; the next ``capture_s`` seconds of
   still frames are the capture. Measures: ``head_tilt``, ``shoulder_tilt``, ``pelvic_tilt``
   (canonical angles), ``trunk_lateral_lean`` (``measures.trunk_leans``).
2. Side: the person turns side-on. Measures: ``craniovertebral_angle``, ``trunk_inclination``
   (canonical), ``ear_shoulder_offset``, ``shoulder_hip_offset``, ``hip_ankle_offset`` (cm,
   plumb-line alignment, ``measures.offset_cm``).

Each measure is the mean over the capture (frames beyond 3 robust SDs dropped), with the
uncertainty and MDC of ``uncertainty``, the reference of ``references.POSTURE_REFERENCES``, and
an annotated snapshot per view.

**The camera's vertical never comes from the patient's own body here** (``posture_camera``): a
calibration estimated from the body axis of the person being screened, in this session
(``calibration_origin="session"``: the evaluation's own camera step, ``--calibrate-from``),
would absorb a real lateral lean as "camera roll". The screen uses a stored calibration
(``"stored"``: the scene vertical or an earlier ``calibrate camera``), one entered by hand
(``"manual"``), or the level default, and says which in ``record.calibration["camera_source"]``.
The canonical tilts are recomputed from the landmarks with that vertical, whatever vertical the
pipeline that produced the results was given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.assessment import measures as ms
from posture_feedback.assessment import snapshots as snap
from posture_feedback.assessment.record import AssessmentRecord
from posture_feedback.assessment.references import POSTURE_REFERENCES
from posture_feedback.assessment.summary import build_measure, camera_uncertainty, frame_stats
from posture_feedback.assessment.uncertainty import LENGTH_UNCERTAINTY_FRACTION, plane_uncertainty
from posture_feedback.assessment.viewgate import HOLDING, MAX_SPEED, MEASURING, WHOLE_BODY, ViewGate, check_view
from posture_feedback.calibration.camera import CameraCalibration
from posture_feedback.calibration.scale import ScaleCalibration
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.kinematics import LEVEL_UP_UNCERTAINTY_DEG, compute_angles
from posture_feedback.types import FrameResult, View
from posture_feedback.words import measure_words

FRONT_MEASURES: tuple[str, ...] = ("head_tilt", "shoulder_tilt", "pelvic_tilt", "trunk_lateral_lean")
SIDE_MEASURES: tuple[str, ...] = (
    "craniovertebral_angle", "trunk_inclination", "ear_shoulder_offset", "shoulder_hip_offset", "hip_ankle_offset",
)  # fmt: skip
#: The frontal measure the posture screen computes itself against the vertical: it gets the camera
#: roll's uncertainty (``summary.camera_uncertainty``); the canonical tilts carry it already.
OWN_FRONTAL_LEANS = frozenset({"trunk_lateral_lean"})
#: Offsets: landmark error in cm plus the share of the obliqueness (cm per unit sin φ); tool's model.
OFFSET_BASE_CM = 1.5
OFFSET_DEPTH_CM = 3.0
MIN_CAPTURE_FRAMES = 5
OFFSETS = {
    "ear_shoulder_offset": ("ear", "shoulder"),
    "shoulder_hip_offset": ("shoulder", "hip"),
    "hip_ankle_offset": ("hip", "ankle"),
}


#: ``CameraCalibration.axis`` values estimated from a person's body (``calibration.camera.estimate_camera``).
BODY_AXES = frozenset({"ankle", "hip"})
ORIGINS = ("stored", "session", "manual", "scene")


def posture_camera(
    calibration: CameraCalibration | None, origin: str = "stored"
) -> tuple[CameraCalibration | None, str, str | None]:
    """(the calibration the posture screen uses or None for level, where it came from in words, a warning).

    ``origin``: "stored" (loaded from the calibration store or the profile), "session" (measured in this
    evaluation), "manual" (entered by hand), "scene" (the room's vertical lines, measured in this
    evaluation: not the patient's body, so used). A body-axis calibration measured in this session is not used.
    """
    if origin not in ORIGINS:
        raise ValueError(f"calibration origin must be one of {', '.join(ORIGINS)}, not {origin!r}")
    level = (
        "level default (no camera calibration): tilts, leans and offsets include any camera roll "
        f"(±{LEVEL_UP_UNCERTAINTY_DEG:.0f} deg for it)"
    )
    if calibration is None or calibration.skipped:
        return None, level, None
    if calibration.axis in BODY_AXES and origin == "session":
        return None, level, (
            "the camera calibration measured in this session comes from the patient's own body axis and would "
            "hide a real lateral lean: not used by the posture screen (level camera assumed; use a stored or "
            "scene calibration)"
        )  # fmt: skip
    if origin == "manual" or calibration.axis == "manual":
        return calibration, f"camera roll entered by hand ({calibration.roll_deg:+.1f} deg)", None
    if origin == "scene":
        return calibration, "the scene's vertical lines (the room), measured in this evaluation", None
    how = "the scene's vertical lines" if calibration.axis == "scene" else (
        "a standing person's body axis" if calibration.axis in BODY_AXES else calibration.axis
    )  # fmt: skip
    when = f", {calibration.created_at[:10]}" if calibration.created_at else ""
    return calibration, f"stored camera calibration {calibration.camera!r} (from {how}{when})", None


class PostureScreenError(PostureFeedbackError):
    """The recording has no still stretch in the needed view (the message says what to do)."""


def capture_window(
    results: Sequence[FrameResult],
    required: View,
    *,
    side: str | None = None,
    hold_s: float = 1.0,
    capture_s: float = 2.0,
    needs: Sequence[int] = WHOLE_BODY,
    max_speed: float = MAX_SPEED,
) -> list[int]:
    """Indices of the capture: the first run of gate-ready frames reaching ``capture_s``, else the longest run.

    Raises ``WrongViewError`` when the recording is mostly in another view and
    ``PostureScreenError`` when the person never held still long enough.
    """
    check_view(results, required, side=side)
    gate = ViewGate(required, side=side, hold_s=hold_s, needs=needs, max_speed=max_speed)
    runs: list[list[int]] = []
    current: list[int] = []
    last_msg = ""
    for i, r in enumerate(results):
        state = gate.update(r)
        if state.ready:
            current.append(i)
            if results[current[-1]].frame.timestamp_s - results[current[0]].frame.timestamp_s >= capture_s:
                return current
        else:
            # the last instruction that restarted the hold; "Good: hold still" is none (a recording
            # that ends while the person holds still gave "(last instruction: Good: hold still)")
            if state.progress == 0.0 and state.message not in (HOLDING, MEASURING):
                last_msg = state.message
            if current:
                runs.append(current)
                current = []
    if current:
        runs.append(current)
    best = max(runs, key=len) if runs else []
    if len(best) < MIN_CAPTURE_FRAMES:
        if last_msg:
            why = f" (last instruction: {last_msg})"
        else:  # right and still throughout, but too short: a still image, a clip that ends too soon
            span = results[-1].frame.timestamp_s - results[0].frame.timestamp_s if results else 0.0
            why = (f": the recording has {len(results)} frame(s) ({span:.1f} s); record the {required.value} "
                   "view for longer")  # fmt: skip
        raise PostureScreenError(
            f"no still {required.value} view of at least {hold_s:g} s + {MIN_CAPTURE_FRAMES} frames found{why}"
        )
    return best


def _up(calibration: CameraCalibration | None) -> np.ndarray | None:
    return None if calibration is None or calibration.skipped else calibration.up_vector()


def _angles(r: FrameResult, calibration: CameraCalibration | None):
    """The frame's canonical angles with the posture screen's own camera vertical (not the pipeline's)
    and that vertical's own stated (roll, pitch) ± (``CameraCalibration.up_uncertainty``), as the
    pipeline's angles carry it: ``--roll DEG`` measures no pitch (±20°), a stored calibration says its
    own. Until 2026-12-07 the screen took 3° for both whatever the calibration stated."""
    up = _up(calibration)
    unc = None if up is None or calibration is None else calibration.up_uncertainty()
    return compute_angles(r.landmarks, r.view, azimuth_deg=r.azimuth_deg, up=up, up_uncertainty_deg=unc)


def _front(results: Sequence[FrameResult], window: list[int], calibration: CameraCalibration | None):
    up = _up(calibration)
    series: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n in FRONT_MEASURES}
    for i in window:
        r = results[i]
        angles = _angles(r, calibration)
        for n in ("head_tilt", "shoulder_tilt", "pelvic_tilt"):
            a = angles[n]
            series[n][0].append(a.value if a.valid else math.nan)
            series[n][1].append(a.uncertainty)
        lat, _, conf = ms.trunk_leans(r.landmarks, r.azimuth_deg, up)
        series["trunk_lateral_lean"][0].append(lat)
        series["trunk_lateral_lean"][1].append(plane_uncertainty("frontal", r.azimuth_deg, conf))
    return series


def _side(results: Sequence[FrameResult], window: list[int], calibration, world_scale: float):
    """(series per side measure, per offset the rise between its two landmarks per frame in cm)."""
    up = _up(calibration)
    series: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n in SIDE_MEASURES}
    rises: dict[str, list[float]] = {n: [] for n in OFFSETS}
    for i in window:
        r = results[i]
        angles = _angles(r, calibration)
        for n in ("craniovertebral_angle", "trunk_inclination"):
            a = angles[n]
            series[n][0].append(a.value if a.valid else math.nan)
            series[n][1].append(a.uncertainty)
        cos_az = abs(math.cos(math.radians(r.azimuth_deg))) if math.isfinite(r.azimuth_deg) else 1.0
        for n, (first, second) in OFFSETS.items():
            v, _ = ms.offset_cm(r.landmarks, first, second, r.azimuth_deg, up, world_scale)
            series[n][0].append(v)
            u = OFFSET_BASE_CM + LENGTH_UNCERTAINTY_FRACTION * abs(v) + OFFSET_DEPTH_CM * cos_az
            series[n][1].append(u if math.isfinite(v) else math.nan)
            rises[n].append(abs(ms.rise_cm(r.landmarks, first, second, up, world_scale)))
    return series, rises


def offset_camera_uncertainty(rises: Sequence[float], calibration: CameraCalibration | None) -> float:
    """± cm a plumb-line offset inherits from the camera's vertical: the rise between its two
    landmarks (cm, median over the frames) × sin(the roll's ±, ``summary.camera_uncertainty``: 20°
    for a camera assumed level). Side-on the roll turns the forward direction in the image plane;
    the pitch turns it towards the camera and moves the offset far less. Until 2026-12-07 the offsets
    carried none: a side view rolled by ±10° moved the shoulder-hip offset from -8.6 to -0.7 ("within")
    and -17.9 cm ("outside"), each ±2-6 cm (an audit, sports sample)."""
    r = np.asarray(rises, dtype=float)
    r = r[np.isfinite(r)]
    if len(r) == 0:
        return math.nan
    return float(np.median(r)) * math.sin(math.radians(camera_uncertainty(calibration)))


def _summarise(series, window: list[int], view: str, calibration, record: AssessmentRecord, rises=None) -> None:
    for name, (vals, uncs) in series.items():
        st = frame_stats(vals, uncs)
        ref = POSTURE_REFERENCES[name]
        cam = camera_uncertainty(calibration) if name in OWN_FRONTAL_LEANS else math.nan
        if rises and name in rises:  # the offsets: the rise of the kept frames × sin(roll ±)
            cam = offset_camera_uncertainty([rises[name][i] for i in st.kept], calibration)
        m, d = build_measure(
            name, st.value, st.model_uncertainty, st.spread, ref, camera_unc=cam, valid=st.measured,
            view=view, n_frames=st.n, frames=[window[0], window[-1]] if window else [],
        )  # fmt: skip
        record.measures.append(m)
        record.details[m.label] = d


def _front_overlay(r: FrameResult, record: AssessmentRecord, roll: float) -> snap.Overlay:
    ov = snap.Overlay()
    xy = r.landmarks.xy
    size = max(r.frame.width, r.frame.height)
    hz = snap.world_direction_px(roll, vertical=False)
    vt = snap.world_direction_px(roll, vertical=True)
    rows = (
        ("head_tilt", lm.LEFT_EAR, lm.RIGHT_EAR),
        ("shoulder_tilt", lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER),
        ("pelvic_tilt", lm.LEFT_HIP, lm.RIGHT_HIP),
    )
    for name, a, b in rows:
        m = record.measure(name)
        mid = (xy[a] + xy[b]) / 2
        half = 0.6 * float(np.linalg.norm(xy[a] - xy[b])) + 0.03 * size
        ov.reference(mid - hz * half, mid + hz * half)
        ov.line(xy[a], xy[b])
        ov.label(f"{name.replace('_', ' ')}: {snap.fmt(m.value, m.uncertainty, name=name)}",
                 (max(xy[a][0], xy[b][0]) + 0.02 * size, mid[1]))  # fmt: skip
    sh = (xy[lm.LEFT_SHOULDER] + xy[lm.RIGHT_SHOULDER]) / 2
    hp = (xy[lm.LEFT_HIP] + xy[lm.RIGHT_HIP]) / 2
    ov.line(hp, sh)
    ov.reference(hp, hp + vt * float(np.linalg.norm(sh - hp)) * 1.2)
    m = record.measure("trunk_lateral_lean")
    ov.label(f"trunk lateral lean: {snap.fmt(m.value, m.uncertainty, name=m.name)}",
             (min(xy[:, 0][[11, 12, 23, 24]]) - 0.28 * size, hp[1]))  # fmt: skip
    ov.panel.extend(_panel(record, FRONT_MEASURES))
    return ov


def _side_overlay(r: FrameResult, record: AssessmentRecord, roll: float) -> snap.Overlay:
    ov = snap.Overlay()
    m = r.landmarks
    vt = snap.world_direction_px(roll, vertical=True)
    hz = snap.world_direction_px(roll, vertical=False)
    size = max(r.frame.width, r.frame.height)
    c = m.confidence()
    if math.isfinite(r.azimuth_deg):  # azimuth > 0: the camera is on the person's left
        near = "left" if r.azimuth_deg > 0 else "right"
    else:
        near = "left" if c[lm.LEFT_SHOULDER] + c[lm.LEFT_HIP] >= c[lm.RIGHT_SHOULDER] + c[lm.RIGHT_HIP] else "right"
    idx = {p: ms.PAIRS[p][0 if near == "left" else 1] for p in ("ear", "shoulder", "hip", "knee", "ankle")}
    xy = m.xy
    ank, ear = xy[idx["ankle"]], xy[idx["ear"]]
    height = float(np.linalg.norm(ank - ear)) * 1.15
    ov.reference(ank, ank + vt * height)  # plumb line through the ankle
    for p in ("ear", "shoulder", "hip", "ankle"):
        ov.points.append((tuple(xy[idx[p]]), snap.MEASURE_COLOUR))
    ov.line(xy[idx["shoulder"]], ear)
    ov.reference(
        xy[idx["shoulder"]], xy[idx["shoulder"]] + hz * 0.12 * size * np.sign(ear[0] - xy[idx["shoulder"]][0] or 1)
    )
    ov.line(xy[idx["hip"]], xy[idx["shoulder"]])
    cva = record.measure("craniovertebral_angle")
    ov.label(f"CVA: {snap.fmt(cva.value, cva.uncertainty)}", ear + np.array([0.03 * size, -0.02 * size]))
    ti = record.measure("trunk_inclination")
    ov.label(f"trunk: {snap.fmt(ti.value, ti.uncertainty)}", xy[idx["hip"]] + np.array([0.03 * size, 0.0]))
    ov.panel.extend(_panel(record, SIDE_MEASURES))
    return ov


def _panel(record: AssessmentRecord, names: Sequence[str]) -> list[str]:
    out = []
    for n in names:
        m = record.measure(n)
        if m is None:
            continue
        words = measure_words(n).replace("_", " ")  # read by people: "shoulder tilt", not "shoulder_tilt" (audit 30)
        verdict = record.details[m.label]["verdict"]
        out.append(f"{words}: {snap.fmt(m.value, m.uncertainty, m.unit, name=n)} [{verdict}]")
    return out


def _representative(window: list[int], results: Sequence[FrameResult]) -> int:
    return window[len(window) // 2]


def posture_screen(
    front: Sequence[FrameResult] | None,
    side: Sequence[FrameResult] | None,
    *,
    calibration: CameraCalibration | None = None,
    scale: ScaleCalibration | None = None,
    out_dir: str | Path | None = None,
    hold_s: float = 1.0,
    capture_s: float = 2.0,
    max_speed: float = MAX_SPEED,
    inputs: dict[str, Any] | None = None,
    calibration_origin: str = "stored",
    scale_source: str | None = None,
) -> AssessmentRecord:
    """Run the posture screen on the pipeline results of a front and a side recording (either may be None).

    ``calibration`` and ``calibration_origin`` choose the camera vertical (``posture_camera``); the
    canonical tilts are recomputed with it. Snapshots are written to ``out_dir`` when given.
    ``hold_s``, ``capture_s`` and ``max_speed`` (body heights per second) are the view gate's settings.
    ``scale`` (a height scale) turns MediaPipe's metres into the person's; ``scale_source`` says where
    it came from (kept in ``record.calibration["scale_source"]``).
    """
    if front is None and side is None:
        raise PostureScreenError("the posture screen needs a front view, a side view, or both")
    record = AssessmentRecord(kind="posture", title="Posture screen", inputs=dict(inputs or {}))
    calibration, source, warning = posture_camera(calibration, calibration_origin)
    record.calibration["camera_source"] = source
    if warning:
        record.warnings.append(warning)
    roll = calibration.roll_deg if calibration is not None else 0.0
    if calibration is None:
        record.warnings.append(
            "camera not calibrated: the tilts, leans and plumb-line offsets include any camera roll (its "
            f"±{LEVEL_UP_UNCERTAINTY_DEG:.0f} deg is in their uncertainty; calibrate the camera for a verdict)"
        )
    else:
        record.calibration["camera"] = calibration.to_dict()
    world_scale = 1.0
    if scale is not None and math.isfinite(scale.world_scale):
        world_scale = scale.world_scale
        record.calibration["scale"] = scale.to_dict()
        record.calibration["scale_source"] = scale_source or "height given with this screen"
    else:
        record.warnings.append(
            "lengths (cm) use MediaPipe's own metric estimate (about +/-15 %): no height given (--height M, "
            "or a height scale stored with the profile: calibrate scale --height M --profile NAME)"
        )
    for view, results, names in ((View.FRONT, front, FRONT_MEASURES), (View.SIDE, side, SIDE_MEASURES)):
        if results is None:
            continue
        window = capture_window(results, view, hold_s=hold_s, capture_s=capture_s, max_speed=max_speed)
        if view is View.FRONT:
            series, rises = _front(results, window, calibration), None
        else:
            series, rises = _side(results, window, calibration, world_scale)
        _summarise(series, window, view.value, calibration, record, rises)
        rep = _representative(window, results)
        record.inputs[f"{view.value}_frames"] = [results[window[0]].frame.index, results[window[-1]].frame.index]
        for n in names:
            record.details[n]["snapshot_frame"] = results[rep].frame.index
        if out_dir is not None:
            overlay = (_front_overlay if view is View.FRONT else _side_overlay)(results[rep], record, roll)
            img = snap.render(results[rep], overlay, title=f"Posture screen: {view.value} view")
            name = f"posture_{view.value}.png"
            snap.save_png(img, Path(out_dir) / name)
            record.snapshots.append(name)
            for n in names:
                record.details[n]["snapshot"] = name
    return record
