"""The canonical joint angles of one person in one frame (degrees), with validity and uncertainty.

Definitions (all in degrees; "left"/"right" are the person's sides; ``up`` is the world vertical):

==============================  =================================================================
``left/right_elbow_flexion``    180 − ∠(shoulder, elbow, wrist); 0 = straight arm
``left/right_shoulder_elevation`` ∠(elbow − shoulder, hip − shoulder); 0 = arm along the trunk side
                                (flexion seen side-on, abduction seen face-on)
``left/right_hip_flexion``      180 − ∠(shoulder, hip, knee); 0 = upright
``left/right_knee_flexion``     180 − ∠(hip, knee, ankle); 0 = straight leg
``trunk_inclination``           unsigned angle of mid-hip → mid-shoulder from ``up``
``shoulder_tilt``               signed elevation of (left − right shoulder) above the horizontal
                                plane; positive = the person's left shoulder higher
``pelvic_tilt``                 the same for the hips (pelvic obliquity)
``head_tilt``                   the same for the ears
``craniovertebral_angle``       90 − forward lean of mid-shoulder → mid-ear from ``up``, measured in
                                the person's sagittal plane: atan2(v · forward, v · up); 90 = ear
                                straight above the shoulder, smaller = head more forward. **This
                                tool's shoulder-joint → ear angle, not the clinical C7 → tragus
                                craniovertebral angle**: upright sitting reads about 70–80° here,
                                ~50° on the clinical scale. Never judge it with C7–tragus norms.
``trunk_forward_lean``          signed lean of mid-hip → mid-shoulder from ``up`` in the person's
                                sagittal plane: atan2(t · forward, t · up); + forward (slouch, lean
                                in), − backward (recline)
``trunk_lateral_lean``          the same in the frontal plane: atan2(t · left, t · up); + towards
                                the person's left
``head_forward_lean``           signed lean of mid-shoulder → mid-ear from ``up`` in the sagittal
                                plane; + forward; = 90 − ``craniovertebral_angle``
==============================  =================================================================

These match the accuracy set's reference (``shared/accuracy/acclib.compute_angles``) and the
core-pipeline issue's table. Side-on, the far shoulder, hip or ear is often hidden: the trunk
and head lines then use the near side's hip → shoulder and shoulder → ear (the same direction in
the sagittal plane), so ``trunk_inclination`` and ``craniovertebral_angle`` stay measurable.
``forward`` is the facing direction given by the view's azimuth (``posture_feedback.view``), or
without one ``cross(left − right shoulder, up)``.

Landmarks: every angle is computed on ``hybrid_points``: the image landmarks' x, y (pixels,
scaled to metres) with the world landmarks' depth z. Measured against a 4-camera reference
(docs/accuracy.md), this beat the world landmarks alone (median MAE 12.2° against 13.6° over
2 persons × 4 views) and the 2D image landmarks alone (15.0°), and was best or tied for every
angle group; the image z as depth was far worse (18.9°). One exception: face-on and from the
back, the head line's depth comes from its length (``NECK_SHOULDER_RATIO`` shoulder widths) and
the line of sight to the person, not from the model's ears (``head_by_length``).

Validity (``AngleTable.valid``) per view, besides being measured: the tilts and the lateral lean
are not valid side-on (the left-right line points at the camera) nor in ``View.UNKNOWN``; the
sagittal angles (craniovertebral angle, trunk and head forward lean) are not valid in UNKNOWN,
and where their plane is more than 30° out of the image plane (face-on, from the back, oblique)
they are depth measurements, valid only while their uncertainty is within
``VALID_MAX_UNCERTAINTY`` (15°). ``analyze`` applies that bound to every angle it reports on its
own (``bounded``: its ``valid_`` columns and summary; after the zero-phase filter once the jitter
term is known), not to its verdicts, which judge each value's interval as the app does.

Uncertainty (``AngleTable.uncertainty``, degrees, NaN where not measured): the half-width of an
interval meant to hold the true angle 80% of the time (``angle_uncertainty``), the root sum of
squares of a per-angle base, depth (``UNC_DEPTH`` · sin φ; ``UNC_DEPTH_HEAD`` for the head
lines), visibility (``UNC_VISIBILITY`` ·
(1 − c) / (1 − min_visibility)), a back view (``UNC_BACK`` · max(0, −cos azimuth)) and the
camera's vertical (for the angles measured against ``up``: ``UNC_TILT`` · its roll uncertainty ·
cos φ in that root sum, then ``UNC_TILT`` · its pitch uncertainty · sin φ added whole, the pitch's
error being one offset for a whole recording; 20° each when a level camera is assumed, else the
calibration's or the scene's, default 3°). A jitter term (``with_jitter``: the recording's or the
live one) is combined in quadrature with that total afterwards, which takes back a little of the
pitch's share where the jitter is large (a 20° pitch adds 19.3° beside a 4° jitter term, about
18° beside 7°). φ is the angle between
the plane the angle is measured in and the image plane (joint angles: the plane of the two
segments, or the segments' own direction when nearly straight; tilts: the left-right line;
trunk and head lines: the sagittal plane from the azimuth), c the lowest confidence of the
landmarks used. A recording adds the angle's own jitter (``with_jitter``). Fitted on the
4-camera accuracy set with a pinball loss at the 80th percentile; coverage per view and its
leave-one-view-out check are in docs/accuracy.md.

Cost: about 0.1 ms per call (numpy for the 8 joints at once, plain floats for single 3-vectors;
0.10–0.12 ms, best of 5 × 2000 ``timeit`` calls on ``pose_with_angles`` poses face-on, oblique and
side-on, 2026-12-07).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.garbled_face import FACE_LANDMARKS, face_below_shoulders
from posture_feedback.types import ANGLE_INDEX, ANGLE_NAMES, AngleTable, Landmarks, View
from posture_feedback.view import DEFAULT_UP, TOWARDS_CAMERA, cross3

L_SH, R_SH, L_EL, R_EL, L_WR, R_WR = (
    lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_ELBOW, lm.RIGHT_ELBOW, lm.LEFT_WRIST, lm.RIGHT_WRIST,
)  # fmt: skip
L_HIP, R_HIP, L_KNEE, R_KNEE, L_ANK, R_ANK = (
    lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_KNEE, lm.RIGHT_KNEE, lm.LEFT_ANKLE, lm.RIGHT_ANKLE,
)  # fmt: skip
L_EAR, R_EAR = lm.LEFT_EAR, lm.RIGHT_EAR

#: Landmark indices each angle uses. Joint angles: (vertex, end, end). Line tilts: (left, right).
#: ``trunk_inclination``: (left hip, right hip, left shoulder, right shoulder), vertex = mid-hip.
#: ``craniovertebral_angle``: (left shoulder, right shoulder, left ear, right ear), vertex =
#: mid-shoulder. The overlay marks a joint angle at its vertex (with an arc), a tilt at its first
#: (left) joint and a lean at the middle of its line (``annotate.angle_anchor``).
ANGLE_JOINTS: dict[str, tuple[int, ...]] = {
    "left_elbow_flexion": (L_EL, L_SH, L_WR),
    "right_elbow_flexion": (R_EL, R_SH, R_WR),
    "left_shoulder_elevation": (L_SH, L_EL, L_HIP),
    "right_shoulder_elevation": (R_SH, R_EL, R_HIP),
    "left_hip_flexion": (L_HIP, L_SH, L_KNEE),
    "right_hip_flexion": (R_HIP, R_SH, R_KNEE),
    "left_knee_flexion": (L_KNEE, L_HIP, L_ANK),
    "right_knee_flexion": (R_KNEE, R_HIP, R_ANK),
    "trunk_inclination": (L_HIP, R_HIP, L_SH, R_SH),
    "shoulder_tilt": (L_SH, R_SH),
    "pelvic_tilt": (L_HIP, R_HIP),
    "head_tilt": (L_EAR, R_EAR),
    "craniovertebral_angle": (L_SH, R_SH, L_EAR, R_EAR),
    "trunk_forward_lean": (L_HIP, R_HIP, L_SH, R_SH),
    "trunk_lateral_lean": (L_HIP, R_HIP, L_SH, R_SH),
    "head_forward_lean": (L_SH, R_SH, L_EAR, R_EAR),
}

#: Angles that are meaningless side-on (their line points at the camera).
FRONTAL_LINE_ANGLES = frozenset({"shoulder_tilt", "pelvic_tilt", "head_tilt", "trunk_lateral_lean"})
#: Angles whose value or name depends on which side is the person's left: the left_/right_ joints and
#: the frontal lines (their sign names a side).
SIDED_ANGLES = frozenset(n for n in ANGLE_NAMES if n.startswith(("left_", "right_"))) | FRONTAL_LINE_ANGLES
#: Angles measured in the sagittal plane, which is edge-on face-on and from the back (there they
#: rest on the model's depth alone): not valid in those views.
SAGITTAL_ONLY_ANGLES = frozenset({"craniovertebral_angle", "trunk_forward_lean", "head_forward_lean"})

#: Uncertainty model (± degrees, a mean absolute error), see the module docstring: per-angle base
#: error, plus the out-of-image-plane and low-visibility terms. Fitted (least squares on |error|,
#: rounded) to the 4-camera accuracy set with the camera's true vertical (docs/accuracy.md).
BASE_UNCERTAINTY: dict[str, float] = {
    "left_elbow_flexion": 12.0,
    "right_elbow_flexion": 12.0,
    "left_shoulder_elevation": 7.0,
    "right_shoulder_elevation": 7.0,
    "left_hip_flexion": 8.0,
    "right_hip_flexion": 8.0,
    "left_knee_flexion": 9.0,
    "right_knee_flexion": 9.0,
    "trunk_inclination": 5.0,
    "shoulder_tilt": 8.0,
    "pelvic_tilt": 8.0,
    "head_tilt": 9.0,
    "craniovertebral_angle": 10.0,
    "trunk_forward_lean": 5.0,
    "trunk_lateral_lean": 5.0,
    "head_forward_lean": 10.0,
}
DEPTH_UNCERTAINTY = 5.0
VISIBILITY_UNCERTAINTY = 8.0

#: Angles measured against the world vertical: an error in ``up`` goes into them.
UP_DEPENDENT_ANGLES = frozenset({
    "trunk_inclination", "shoulder_tilt", "pelvic_tilt", "head_tilt", "craniovertebral_angle",
    "trunk_forward_lean", "trunk_lateral_lean", "head_forward_lean",
})  # fmt: skip
#: Uncertainty of ``up`` (degrees) when no vertical is known and the camera is assumed level: the
#: tilt of the accuracy set's four calibrated cameras (pitch 18–25°, roll up to 26°), for the roll
#: and the pitch alike.
LEVEL_UP_UNCERTAINTY_DEG = 20.0
#: Uncertainty of ``up`` (degrees) from a camera calibration that states none.
CALIBRATED_UP_UNCERTAINTY_DEG = 3.0
#: The uncertainty of ``up`` as (roll, pitch) in degrees, or one number for both. The roll (about
#: the optical axis) turns every line in the image plane, so it goes into an angle measured in
#: the image plane; the pitch (about the camera's x axis) goes into an angle measured in a plane
#: that holds the optical axis (``angle_uncertainty``). The scene's lines give the roll far
#: better than the pitch (``calibration.vertical``: the roll does not depend on the focal length
#: or the principal point; on the accuracy set's off-centre webcam crops it was 1.2° off while the
#: pitch was 12° off).
UpUncertainty = float | tuple[float, float]

#: 80% uncertainty model (degrees): the terms of ``angle_uncertainty``, fitted (pinball loss at
#: the 80th percentile of |error|) on the 4-camera accuracy set with the camera's true vertical,
#: after ``analyze``'s zero-phase filter (docs/accuracy.md, "Uncertainty"). One base per angle
#: group (both sides, the trunk lines, the tilts, the head lines); rounded. The tilts' fitted base
#: was 0: 2° is a floor (the reference's own noise is about 3°). The head tilt has its own base
#: (since 2026-12-07): its ears are the model's least steady points, and with the 2° floor its
#: *live* per-frame ± covered 70 / 37 / 56 / 82% of the four views' frames and 70 / 89% of the two
#: webcam crops' (the filtered CSV's 77–95%); 7° brings the live coverage to 84 / 64 / 72 / 99% and
#: 82 / 89% (on the second clip, not used to choose it: 59–89% → 79–97%). Measured on pixelated
#: faces; docs/accuracy.md, "The head tilt's own base".
UNC_BASE: dict[str, float] = {
    "left_elbow_flexion": 19.0,
    "right_elbow_flexion": 19.0,
    "left_shoulder_elevation": 9.0,
    "right_shoulder_elevation": 9.0,
    "left_hip_flexion": 10.5,
    "right_hip_flexion": 10.5,
    "left_knee_flexion": 14.5,
    "right_knee_flexion": 14.5,
    "trunk_inclination": 6.5,
    "shoulder_tilt": 2.0,
    "pelvic_tilt": 2.0,
    "head_tilt": 7.0,
    "craniovertebral_angle": 10.0,
    "trunk_forward_lean": 6.5,
    "trunk_lateral_lean": 6.5,
    "head_forward_lean": 10.0,
}
UNC_DEPTH = 4.0
#: The head lines' depth term: the model's ear depth is its least reliable (face-on errors of
#: 30–50° on the accuracy set); the fit gave a base of 0 for them, but with no side view in the
#: set the base of 10° is this tool's assumption, not a measurement.
UNC_DEPTH_HEAD = 27.5
#: The head lines' base where their depth came from their length (``head_by_length``): with it
#: the ± covered 95% of the frames of the accuracy set's 8 person-views and 2 webcam crops
#: (80–100% each; ``bench/sagittal_face_on.py``), where 80% is meant. The base of 10° stays
#: elsewhere (side-on: the set has no side view to measure it on).
UNC_BASE_HEAD_BY_LENGTH = 4.0
UNC_VISIBILITY = 25.0
UNC_BACK = 1.0
UNC_TILT = 1.0
#: Weight of the angle's own jitter (RMS of raw − zero-phase-filtered value over
#: ``smoothing.JITTER_WINDOW_S``), added by ``with_jitter`` where a recording gives it.
UNC_JITTER = 2.6
#: Weight of the live jitter: the running RMS (0.25 s) of the angles of the raw landmarks minus
#: those of the One Euro-smoothed ones (``smoothing.JitterMeter``, added by the pipeline). Live
#: coverage on the accuracy set (scene vertical) went from 70 / 70 / 53 / 75% to about 82 / 86 /
#: 78 / 83% per view (weight 3: 80 / 85 / 75 / 82%; 4: 85 / 88 / 81 / 85%).
UNC_LIVE_JITTER = 3.5
#: A sagittal angle measured through depth (face-on, from the back, oblique) whose 80%
#: uncertainty is larger than this (degrees) is not valid; ``analyze`` applies the bound to
#: every angle of a filtered recording once the jitter term is known.
VALID_MAX_UNCERTAINTY = 15.0
#: Frames of a newly followed person in which the model's landmarks still converge from its
#: detector's rough box (``Pipeline``'s ``acquisition_frames``): about 8 on the accuracy set, at
#: 30 fps (webcam crops) and at 60 fps (cam02) alike, so counted in frames (model calls), not
#: seconds (docs/accuracy.md, "The first frames after the model finds a person").
ACQUISITION_FRAMES = 8
#: Degrees added (in quadrature) to every angle's ± on the first frame of a newly followed
#: person, fading linearly to 0 over ``ACQUISITION_FRAMES``: the first frames' errors on the
#: accuracy set (trunk inclination 32, 28, 25, 23, 19, 15, 11, 7° on frames 0–7 of the webcam
#: upper crop; lateral lean 35, 21, 14° on cam02) against ± of 7–8° once settled.
ACQUISITION_UNCERTAINTY_DEG = 40.0


def bounded(table: AngleTable) -> AngleTable:
    """``table`` with every angle valid only while its ± is within ``VALID_MAX_UNCERTAINTY``
    (degrees; a NaN ± is not within): the validity of a value **read on its own** (``analyze``'s
    ``valid_`` columns, ``--valid-only``, its summary, a drawn angle that has no target). A target's
    verdict does not need it: it judges the value's whole interval (``targets.undecided``), so a
    head tilt of −48 ± 21° is LOW in every surface although ``valid_head_tilt`` is 0."""
    with np.errstate(invalid="ignore"):
        valid = table.valid & (table.uncertainty <= VALID_MAX_UNCERTAINTY)
    return AngleTable(table.values, valid, table.uncertainty, table.names)


def acquisition_uncertainty(frames_since: int, window: int = ACQUISITION_FRAMES) -> float:
    """The ± (degrees) added on the frame ``frames_since`` frames after the person's first:
    ``ACQUISITION_UNCERTAINTY_DEG`` on the first (0), fading linearly to 0 at ``window``."""
    if window <= 0 or not 0 <= frames_since < window:
        return 0.0
    return ACQUISITION_UNCERTAINTY_DEG * (1.0 - frames_since / window)


def with_jitter(uncertainty: np.ndarray, jitter_deg: np.ndarray, weight: float = UNC_JITTER) -> np.ndarray:
    """The 80% uncertainty with the jitter term (``weight`` · jitter) added in quadrature (NaN
    jitter adds nothing). ``UNC_JITTER`` for a recording's jitter around its zero-phase filter,
    ``UNC_LIVE_JITTER`` for the live jitter (``smoothing.JitterMeter``)."""
    j = np.where(np.isfinite(jitter_deg), weight * jitter_deg, 0.0)
    return np.sqrt(uncertainty**2 + j**2)


#: Weight of the model's depth in the vertical component of the tilts' left-right lines (their
#: length keeps all of it). With the camera's true vertical on the accuracy set, the summed MAE of
#: the 3 tilts per view went, from weight 1 to 0.5 (0.25, 0): cam01 27.9 → 15.7° (18.6, 25.2),
#: cam02 17.5 → 14.0° (12.6, 11.9), cam03 57.6 → 42.5° (36.3, 34.1), cam04 22.5 → 8.9° (14.0,
#: 20.8); 0.5 is no worse than 1 on any tilt and view. With a level camera it changes nothing.
TILT_DEPTH_WEIGHT = 0.5
#: sin φ above which a sagittal angle counts as a depth measurement (its plane > 30° from the image plane).
DEPTH_MEASUREMENT_SIN = 0.5
#: Length of the mid-shoulder → mid-ear line in shoulder widths (3D), for the head line's depth seen
#: face-on or from the back (``head_by_length``): the 4-camera reference (MediaPipe's shoulder and
#: ear landmarks, triangulated) gives 0.60 for the man (frame SD 0.04) and 0.58 for the woman (0.03).
NECK_SHOULDER_RATIO = 0.59
#: 80% relative uncertainty of that length for one person in one frame: the two people differ by
#: 4%, one person's frames by 7% SD (shrugging, head turns).
NECK_SHOULDER_RATIO_UNC = 0.10
#: The head line's depth comes from the model below the first sin φ (its sagittal plane within
#: 44° of the image plane), from its length above the second (within 32° of face-on or of the
#: back), blended linearly between (no jump in the value as a person turns). Measured on the
#: accuracy set (2 people × 4 views, and the 2 webcam crops): the length beat the model face-on
#: and from the back (e.g. front view 50.5° → 5.1° MAE) but not obliquely (back-oblique views
#: 8.7 → 14.9° with the length alone, 12.6° blended).
HEAD_BY_LENGTH_SIN = (0.70, 0.85)
_RATIO_STEPS = (NECK_SHOULDER_RATIO_UNC, -NECK_SHOULDER_RATIO_UNC)
_SAGITTAL = np.array([n in SAGITTAL_ONLY_ANGLES for n in ANGLE_NAMES])
_HEAD_LINES = np.array([n in ("craniovertebral_angle", "head_forward_lean") for n in ANGLE_NAMES])
_UP_DEP = np.array([n in UP_DEPENDENT_ANGLES for n in ANGLE_NAMES])
_SIDED_MASK = np.array([n in SIDED_ANGLES for n in ANGLE_NAMES])
_UNC_BASE_ARRAY = np.array([UNC_BASE[n] for n in ANGLE_NAMES])  # ``angle_uncertainty``'s per-angle base
_UNC_DEPTH_ARRAY = np.where(_HEAD_LINES, UNC_DEPTH_HEAD, UNC_DEPTH)


def roll_pitch_uncertainty(up_uncertainty_deg: UpUncertainty) -> tuple[float, float]:
    """(roll, pitch) uncertainty in degrees from one number (both) or a (roll, pitch) pair."""
    if isinstance(up_uncertainty_deg, tuple):
        return float(up_uncertainty_deg[0]), float(up_uncertainty_deg[1])
    return float(up_uncertainty_deg), float(up_uncertainty_deg)


def angle_uncertainty(
    sin_phi: np.ndarray,
    vis_term: np.ndarray,
    up_uncertainty_deg: UpUncertainty,
    azimuth_deg: float = float("nan"),
    depth_deg: np.ndarray | None = None,
) -> np.ndarray:
    """Half-width (degrees) of an interval meant to hold the true angle 80% of the time, per angle.

    Root sum of squares of: the angle's base error, depth (``UNC_DEPTH`` · sin φ; the head lines
    ``UNC_DEPTH_HEAD``), visibility
    (``UNC_VISIBILITY`` · vis_term), a back view (``UNC_BACK`` · max(0, −cos azimuth); NaN
    azimuth counts as a back view) and the camera vertical's roll (``UNC_TILT`` · roll · cos φ);
    then the vertical's pitch (``UNC_TILT`` · pitch · sin φ) is **added** whole. Both for
    ``UP_DEPENDENT_ANGLES``; roll and pitch from ``up_uncertainty_deg``, see ``UpUncertainty``.
    φ is exact to first order: a roll of δ turns an angle measured in a plane at φ to the image
    plane by δ · cos φ, a pitch by δ · sin φ (docs/accuracy.md, "The camera's vertical: roll and
    pitch"). The pitch's error is one offset for every frame of a recording (the scene's bound for
    a focal length nothing confirms is the worst case over a range the camera sits at one point
    of), so it does not average out with the per-frame errors: in quadrature, a virtual webcam
    turned towards the person (``bench/virtual_webcam.py``) had its face-on trunk lean covered in
    70% of frames and *valid* where 13° off; added, 93% and not valid (docs/accuracy.md). ``depth_deg`` (degrees, NaN =
    not given) replaces the depth term where an angle's depth came from a length constraint
    (``head_by_length``), and the head lines' base there is ``UNC_BASE_HEAD_BY_LENGTH``.
    """
    base = _UNC_BASE_ARRAY
    depth = _UNC_DEPTH_ARRAY
    back = max(0.0, -math.cos(math.radians(azimuth_deg))) if math.isfinite(azimuth_deg) else 1.0
    roll, pitch = roll_pitch_uncertainty(up_uncertainty_deg)
    cos_phi2 = np.clip(1.0 - sin_phi * sin_phi, 0.0, 1.0)
    tilt_roll = np.where(_UP_DEP, UNC_TILT * roll * np.sqrt(cos_phi2), 0.0)
    tilt_pitch = np.where(_UP_DEP, UNC_TILT * pitch * sin_phi, 0.0)
    depth_term = depth * sin_phi
    if depth_deg is not None:
        by_length = np.isfinite(depth_deg)
        depth_term = np.where(by_length, depth_deg, depth_term)
        base = np.where(by_length & _HEAD_LINES, UNC_BASE_HEAD_BY_LENGTH, base)
    spread = np.sqrt(
        base**2 + depth_term**2 + (UNC_VISIBILITY * vis_term) ** 2 + (UNC_BACK * back) ** 2 + tilt_roll**2
    )
    return spread + tilt_pitch  # the pitch's error is one offset for the whole recording: added (see docstring)


# The 8 joint angles as (vertex, a, b) index arrays, and whether the value is 180 − ∠.
_JOINT_NAMES = tuple(n for n in ANGLE_NAMES if n.endswith(("_flexion", "_elevation")))
_JOINT_SLOTS = np.array([ANGLE_INDEX[n] for n in _JOINT_NAMES])
_JOINT_IDX = np.array([ANGLE_JOINTS[n] for n in _JOINT_NAMES])  # (8, 3)
_JOINT_V, _JOINT_A, _JOINT_B = (_JOINT_IDX[:, i].copy() for i in range(3))
_JOINT_SUPPLEMENT = np.array([n.endswith("_flexion") for n in _JOINT_NAMES])
_TILT_NAMES = ("shoulder_tilt", "pelvic_tilt", "head_tilt")
_TILT_SLOTS = np.array([ANGLE_INDEX[n] for n in _TILT_NAMES])
_TILT_IDX = np.array([ANGLE_JOINTS[n] for n in _TILT_NAMES])  # (3, 2)
_TILT_L, _TILT_R = _TILT_IDX[:, 0].copy(), _TILT_IDX[:, 1].copy()
_TILT_WEIGHTS = np.array([1.0, 1.0, TILT_DEPTH_WEIGHT])  # per axis, in a tilt's lr · up
_N = len(ANGLE_NAMES)
_TRUNK = ANGLE_INDEX["trunk_inclination"]
_CVA = ANGLE_INDEX["craniovertebral_angle"]
_TFWD = ANGLE_INDEX["trunk_forward_lean"]
_TLAT = ANGLE_INDEX["trunk_lateral_lean"]
_HFWD = ANGLE_INDEX["head_forward_lean"]
# Candidate (lower, upper) landmark pairs for the trunk and head lines, best first:
# mid-points, then the left side, then the right side.
# Each candidate is (lower a, lower b, upper a, upper b): the line runs from the lower pair's
# mid-point to the upper pair's.
_TRUNK_LINES = ((L_HIP, R_HIP, L_SH, R_SH), (L_HIP, L_HIP, L_SH, L_SH), (R_HIP, R_HIP, R_SH, R_SH))
_HEAD_LINE_CANDIDATES = ((L_SH, R_SH, L_EAR, R_EAR), (L_SH, L_SH, L_EAR, L_EAR), (R_SH, R_SH, R_EAR, R_EAR))

_VALID_BY_VIEW: dict[View, np.ndarray] = {}
for _v in View:
    _ok = np.ones(len(ANGLE_NAMES), bool)
    for _n in ANGLE_NAMES:
        if _n in FRONTAL_LINE_ANGLES and _v in (View.SIDE, View.UNKNOWN):
            _ok[ANGLE_INDEX[_n]] = False
        # Face-on and from the back a sagittal angle is a depth measurement: valid only when its
        # uncertainty is within VALID_MAX_UNCERTAINTY (compute_angles), not by the view alone.
        if _n in SAGITTAL_ONLY_ANGLES and _v is View.UNKNOWN:
            _ok[ANGLE_INDEX[_n]] = False
    _VALID_BY_VIEW[_v] = _ok


def forward_from_azimuth(azimuth_deg: float, up: np.ndarray) -> np.ndarray:
    """The person's horizontal facing direction (unit, world-landmark axes) for a camera azimuth.

    Inverse of ``view.azimuth_of``: the direction towards the camera rotated by −azimuth about up.
    """
    ux, uy, uz = float(up[0]), float(up[1]), float(up[2])
    tx, ty, tz = TOWARDS_CAMERA.tolist()
    k = tx * ux + ty * uy + tz * uz
    dx, dy, dz = tx - k * ux, ty - k * uy, tz - k * uz  # towards the camera, made horizontal
    n = math.sqrt(dx * dx + dy * dy + dz * dz)
    dx, dy, dz = dx / n, dy / n, dz / n
    lx, ly, lz = uy * dz - uz * dy, uz * dx - ux * dz, ux * dy - uy * dx  # up × d
    a = math.radians(azimuth_deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([c * dx - s * lx, c * dy - s * ly, c * dz - s * lz])


def hybrid_points(landmarks: Landmarks, use: np.ndarray | None = None) -> np.ndarray:
    """(33, 3) points in metres: image x, y (pixels, scaled to metres) with world-landmark depth z.

    The image landmarks locate the body in the image plane better than the world landmarks
    (which are a learned 3D guess), while only the world landmarks carry a usable depth (the
    image z is far noisier). The scale (metres per pixel) is the least-squares fit of the
    centred world x, y to the centred image x, y over the landmarks in ``use`` (all when fewer
    than 4), i.e. a weak-perspective camera. Axes are the world-landmark axes (x right, y down,
    z away from the camera); the origin is arbitrary (angles only use differences).
    """
    xy = landmarks.image[:, :2]
    w = landmarks.world
    if use is not None and int(np.count_nonzero(use)) >= 4:
        xs, ws = xy[use], w[use, :2]
    else:
        xs, ws = xy, w[:, :2]
    ci = xs - np.add.reduce(xs, axis=0) / len(xs)  # centred (np.mean, at less cost)
    denom = float(np.vdot(ci, ci))
    # (the centred ci sum to 0, so centring ws too would change nothing)
    scale = float(np.vdot(ci, ws)) / denom if denom > 0 else math.nan  # NaN: all at one pixel
    out = np.empty((lm.NUM_LANDMARKS, 3))
    np.multiply(xy, scale, out=out[:, :2])
    out[:, 2] = w[:, 2]
    return out


def _pick_line(
    p: np.ndarray, ok: np.ndarray, candidates: tuple[tuple[int, int, int, int], ...]
) -> tuple[np.ndarray, np.ndarray]:
    """The first candidate line (mid-points, left side, right side) whose landmarks are all ok.

    ``candidates``: (lower a, lower b, upper a, upper b) landmark indices each; the line runs
    from the lower pair's mid-point to the upper pair's. Returns (vector low → high, the 4
    landmark indices used), or (NaN vector, empty indices).
    """
    for a, b, c, d in candidates:
        if ok[a] and ok[b] and ok[c] and ok[d]:
            return 0.5 * (p[c] + p[d] - p[a] - p[b]), np.array((a, b, c, d))
    return np.full(3, np.nan), np.empty(0, int)


def _lean(v: np.ndarray, fwd: np.ndarray, up: np.ndarray) -> float:
    """Forward lean of ``v`` from ``up`` in the plane of ``fwd`` and ``up`` (degrees, + forward)."""
    return math.degrees(math.atan2(_dot(v, fwd), _dot(v, up)))


def _focal_term(
    landmarks: Landmarks,
    head: np.ndarray,
    shoulders: np.ndarray,
    fwd: np.ndarray,
    up: np.ndarray,
    reading: np.ndarray,
    focal_range_px: tuple[float, float],
) -> float:
    """The largest change (degrees) of the head line's forward lean read by ``head_by_length``
    when the focal length is either end of ``focal_range_px`` (pixels) instead of the one that gave
    ``reading``: the line of sight to a person off the image centre turns with the focal length
    (100 px off the centre of a 640×480 frame: 2.3° at 2526 px, an 18° diagonal field of view,
    16.6° at 336 px, 100°). The lean changes monotonically with the ray, so the ends bound it."""
    lean = _lean(reading, fwd, up)
    term = 0.0
    for focal in focal_range_px:
        other, spread = head_by_length(head, shoulders, fwd, up, _ray(landmarks, focal))
        if math.isfinite(spread):
            term = max(term, abs(_lean(other, fwd, up) - lean))
    return term


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """a · b of two 3-vectors, in Python floats (faster than numpy for one pair)."""
    a0, a1, a2 = a.tolist()
    b0, b1, b2 = b.tolist()
    return a0 * b0 + a1 * b1 + a2 * b2


def _ray(landmarks: Landmarks, focal_px: float | None) -> np.ndarray | None:
    """Unit direction (camera axes) from the camera to the mid-shoulder pixel, with the principal
    point at the image centre; None without a focal length or shoulders."""
    if focal_px is None or not math.isfinite(focal_px) or focal_px <= 0:
        return None
    w, h = landmarks.image_size
    image = landmarks.image
    x = 0.5 * (float(image[L_SH, 0]) + float(image[R_SH, 0])) - 0.5 * w
    y = 0.5 * (float(image[L_SH, 1]) + float(image[R_SH, 1])) - 0.5 * h
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    n = math.sqrt(x * x + y * y + focal_px * focal_px)
    return np.array([x / n, y / n, focal_px / n])


def _to_axis(ray: np.ndarray) -> np.ndarray:
    """The rotation (3×3) that turns ``ray`` onto the optical axis (0, 0, 1) by the shortest way."""
    # Rodrigues: I + K + K² / (1 + c), with K the cross-product matrix of v = ray × z = (y, −x, 0)
    # and c = ray · z, written out.
    x, y, c = ray.tolist()
    f = 1.0 / (1.0 + c)
    return np.array([
        [1.0 - x * x * f, -x * y * f, -x],
        [-x * y * f, 1.0 - y * y * f, -y],
        [x, y, 1.0 - (x * x + y * y) * f],
    ])  # fmt: skip


def head_by_length(
    head: np.ndarray, shoulders: np.ndarray, fwd: np.ndarray, up: np.ndarray, ray: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """The mid-shoulder → mid-ear line with its depth from its length, and that depth's error.

    Seen face-on or from the back, the model's depth of the ears is its least reliable (head
    lines 25–35° off on the accuracy set's webcam crops), while the line's image-plane part is
    well seen. Its 3D length is ``NECK_SHOULDER_RATIO`` shoulder widths, so its depth is
    ±√(length² − image part²) (0 when the image part is longer), and the sign that puts the ears
    in front of the shoulders is taken (forward of the shoulder joints in every reference frame
    of both people: 11–60°; the model's own side was wrong on the accuracy set's front view, 5°
    → 42° MAE). Where the model has the ears on the other side, the mirror reading (the head
    leaning back) stays possible and widens the returned change to reach it.
    Foreshortening happens along the line of sight: the image part is
    the part across ``ray``, so ``up`` and ``fwd`` are turned as if the person were on the
    camera's axis (a person 12° above it, on the accuracy set's front view, otherwise reads 12°
    less forward). Without ``ray`` the person is taken to be on the axis.

    Args:
        head: mid-shoulder → mid-ear (``hybrid_points`` axes, metres).
        shoulders: left − right shoulder (same axes; its 3D length is the shoulder width).
        fwd, up: the person's forward and the world vertical (unit, same axes).
        ray: unit direction from the camera to the shoulders (camera axes), or None.

    Returns:
        (the line with its depth replaced, the largest change of its forward lean in degrees
        when the length is ``NECK_SHOULDER_RATIO_UNC`` longer or shorter, or to the mirror
        reading where the model's depth is on its side); (``head``, NaN) where the image does
        not show the ears above the shoulders (a garbled skeleton: the length says nothing).
    """
    turn = None if ray is None else _to_axis(ray)
    if turn is not None:
        fwd, up = turn @ fwd, turn @ up
    hx, hy, hz = head.tolist()
    fx, fy, fz = fwd.tolist()
    ux, uy, uz = up.tolist()
    h_up = hx * ux + hy * uy  # the image part's share of the lean, the same for every depth
    if h_up <= 0.0:  # the ears not above the shoulders in the image
        return head, math.nan
    h_fwd = hx * fx + hy * fy
    sx, sy, sz = shoulders.tolist()
    width = math.sqrt(sx * sx + sy * sy + sz * sz)
    image2 = hx * hx + hy * hy

    def depth(ratio: float, side: float) -> float:
        length = ratio * width
        return side * math.sqrt(max(length * length - image2, 0.0))

    def lean(z: float) -> float:  # forward lean (degrees) of (hx, hy, z)
        return math.degrees(math.atan2(h_fwd + z * fz, h_up + z * uz))

    # the forward side, chosen where the depth is largest (it is 0 when the image shows the whole line)
    longest = NECK_SHOULDER_RATIO * (1.0 + NECK_SHOULDER_RATIO_UNC)
    side = max((1.0, -1.0), key=lambda sd: lean(depth(longest, sd)))
    z = depth(NECK_SHOULDER_RATIO, side)
    reading = lean(z)
    spread = max(abs(lean(depth(NECK_SHOULDER_RATIO * (1.0 + d), side)) - reading) for d in _RATIO_STEPS)
    if z * hz < 0.0:  # the model has the ears on the other side: that reading stays possible
        spread = max(spread, abs(lean(-z) - reading))
    v = np.array([hx, hy, z])
    return (v if turn is None else turn.T @ v), spread


def measure_angles(
    landmarks: Landmarks,
    *,
    azimuth_deg: float = float("nan"),
    up: np.ndarray | None = None,
    min_visibility: float = 0.5,
    focal_px: float | None = None,
    focal_range_px: tuple[float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The canonical angle values with the inputs of the uncertainty model.

    Returns (values, sin_phi, vis_term, depth_deg), each (len(ANGLE_NAMES),): values in degrees
    (NaN where not measurable); sin φ of the angle between each angle's measurement plane and the
    image plane (1 where unknown); the visibility term in [0, 1] ((1 − c) / (1 − min_visibility),
    c = lowest confidence of the landmarks used); the depth term in degrees where a length
    constraint gave the depth (``head_by_length``; NaN elsewhere). See ``compute_angles`` for the
    arguments.
    """
    u = DEFAULT_UP if up is None else np.asarray(up, dtype=float) / np.linalg.norm(up)
    conf = np.minimum(landmarks.visibility, landmarks.presence)
    ok = conf >= min_visibility
    if face_below_shoulders(landmarks, ok):  # the model put the face on the chest: no head angle from it
        ok[list(FACE_LANDMARKS)] = False
    p = hybrid_points(landmarks, ok)
    values = np.full(_N, np.nan)
    sin_phi = np.ones(_N)  # sine of the angle between the measurement plane and the image plane
    depth_deg = np.full(_N, np.nan)  # the depth term where a length constraint gave the depth
    cmin = np.ones(_N)  # lowest confidence of the landmarks used

    # The trunk and head lines: mid-points, or the near side when the far side is hidden.
    trunk, trunk_idx = _pick_line(p, ok, _TRUNK_LINES)
    head, head_idx = _pick_line(p, ok, _HEAD_LINE_CANDIDATES)

    # Unsigned angles between vector pairs, all at once: the 8 joints, then trunk vs up.
    va = np.empty((9, 3))
    vb = np.empty((9, 3))
    va[:8] = p[_JOINT_A] - p[_JOINT_V]
    vb[:8] = p[_JOINT_B] - p[_JOINT_V]
    va[8] = trunk
    vb[8] = u
    normal = cross3(va, vb)
    nn = np.sqrt(np.einsum("ij,ij->i", normal, normal))
    na = np.sqrt(np.einsum("ij,ij->i", va, va))
    nb = np.sqrt(np.einsum("ij,ij->i", vb, vb))
    ang = np.degrees(np.arctan2(nn, np.einsum("ij,ij->i", va, vb)))  # precise near 0° and 180°, unlike arccos
    ang[(na == 0) | (nb == 0)] = np.nan
    joint_ok = ok[_JOINT_IDX].all(axis=1)
    values[_JOINT_SLOTS] = np.where(joint_ok, np.where(_JOINT_SUPPLEMENT, 180.0 - ang[:8], ang[:8]), np.nan)
    cmin[_JOINT_SLOTS] = conf[_JOINT_IDX].min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        plane_sin = np.hypot(normal[:8, 0], normal[:8, 1]) / nn[:8]
        seg_sin = np.maximum(np.abs(va[:8, 2]) / na[:8], np.abs(vb[:8, 2]) / nb[:8])
    # Nearly straight joints have no plane: use how far the segments point out of the image.
    sin_phi[_JOINT_SLOTS] = np.where(nn[:8] > 0.2 * na[:8] * nb[:8], plane_sin, seg_sin)

    # Tilts of the shoulder, hip and ear lines (3 at once): signed elevation above horizontal.
    # elevation = asin(lr · up / |lr|), with the line's depth left out of lr · up
    # (``TILT_DEPTH_WEIGHT``) but kept in its length: with a pitched camera the model's depth along
    # a left-right line is less reliable than the error its omission causes (docs/accuracy.md).
    lr = p[_TILT_L] - p[_TILT_R]
    lr_up = lr @ (u * _TILT_WEIGHTS)
    with np.errstate(invalid="ignore", divide="ignore"):
        lr_len = np.sqrt(np.einsum("ij,ij->i", lr, lr))
        elev = np.degrees(np.arcsin(np.clip(lr_up / lr_len, -1.0, 1.0)))
    values[_TILT_SLOTS] = np.where(ok[_TILT_IDX].all(axis=1), elev, np.nan)
    cmin[_TILT_SLOTS] = conf[_TILT_IDX].min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sin_phi[_TILT_SLOTS] = np.abs(lr[:, 2]) / lr_len

    # Forward direction (horizontal) for the craniovertebral angle and the sagittal plane.
    if math.isfinite(azimuth_deg):
        fwd = forward_from_azimuth(azimuth_deg, u)
    elif ok[L_SH] and ok[R_SH]:
        fwd = cross3(p[L_SH] - p[R_SH], u)
        fwd = fwd - (fwd @ u) * u
        fwd = fwd / np.linalg.norm(fwd)
    else:
        fwd = None
    # The sagittal plane's normal is the person's left-right axis; sin of its angle to the image plane:
    sag_sin = abs(float(fwd[2])) if fwd is not None and np.isfinite(fwd[2]) else 1.0

    if len(trunk_idx):
        values[_TRUNK] = ang[8]
        cmin[_TRUNK] = cmin[_TFWD] = cmin[_TLAT] = conf[trunk_idx].min()
        t_up = _dot(trunk, u)
        if fwd is not None:
            values[_TFWD] = math.degrees(math.atan2(_dot(trunk, fwd), t_up))
            # The lateral lean needs the midline: the near side's hip → shoulder line is not it.
            if len(trunk_idx) == 4 and trunk_idx[0] != trunk_idx[1]:
                values[_TLAT] = math.degrees(math.atan2(_dot(trunk, cross3(u, fwd)), t_up))
    sin_phi[_TRUNK] = sin_phi[_TFWD] = sag_sin
    # The frontal plane's normal is the facing direction: sin of its angle to the image plane.
    sin_phi[_TLAT] = math.sqrt(max(0.0, 1.0 - sag_sin * sag_sin)) if fwd is not None else 1.0
    # Face-on or from the back, the head line's depth from its length, not from the model's ears.
    if len(head_idx) == 4 and head_idx[0] != head_idx[1] and fwd is not None and sag_sin > HEAD_BY_LENGTH_SIN[0]:
        ray = _ray(landmarks, focal_px)
        rebuilt, spread = head_by_length(head, p[L_SH] - p[R_SH], fwd, u, ray)
        if math.isfinite(spread) and focal_range_px is not None and ray is not None:
            spread += _focal_term(landmarks, head, p[L_SH] - p[R_SH], fwd, u, rebuilt, focal_range_px)
        if math.isfinite(spread):
            lo, hi = HEAD_BY_LENGTH_SIN
            w = min(1.0, max(0.0, (sag_sin - lo) / (hi - lo)))
            head = w * rebuilt + (1.0 - w) * head
            depth_deg[_CVA] = depth_deg[_HFWD] = w * spread + (1.0 - w) * UNC_DEPTH_HEAD * sag_sin
    if len(head_idx) and fwd is not None:
        lean = _lean(head, fwd, u)
        # Above 180° the ears would be behind *and below* the shoulders: no head posture (an
        # upside-down or garbled skeleton), so no value rather than a meaningless one.
        if 90.0 - lean <= 180.0:
            values[_CVA] = 90.0 - lean
            values[_HFWD] = lean
        cmin[_CVA] = cmin[_HFWD] = conf[head_idx].min()
    sin_phi[_CVA] = sin_phi[_HFWD] = sag_sin

    vis_term = np.minimum(np.maximum((1.0 - cmin) / max(1.0 - min_visibility, 1e-6), 0.0), 1.0)
    sin_phi[np.isnan(sin_phi)] = 1.0
    return values, sin_phi, vis_term, depth_deg


def without_sides(table: AngleTable) -> AngleTable:
    """``table`` with every ``SIDED_ANGLES`` value marked not valid (kept, with its uncertainty):
    for a frame whose left and right are in doubt (``view.facing_in_doubt``), so that no side is
    named and no sided angle is judged."""
    sided = _SIDED_MASK if table.names == ANGLE_NAMES else np.array([n in SIDED_ANGLES for n in table.names])
    valid = table.valid & ~sided
    return AngleTable(values=table.values, valid=valid, uncertainty=table.uncertainty, names=table.names)


def compute_angles(
    landmarks: Landmarks,
    view: View,
    *,
    azimuth_deg: float = float("nan"),
    up: np.ndarray | None = None,
    min_visibility: float = 0.5,
    up_uncertainty_deg: UpUncertainty | None = None,
    focal_px: float | None = None,
    focal_range_px: tuple[float, float] | None = None,
    jitter: Callable[[np.ndarray], np.ndarray] | None = None,
) -> AngleTable:
    """The canonical angles (``ANGLE_NAMES``, degrees) of one person in one frame.

    Computed on ``hybrid_points`` (image x, y with world depth), see the module docstring.

    Args:
        landmarks: the person's landmarks (world landmarks in metres, image in pixels).
        view: the person's view (``view.classify_view``); decides ``valid``.
        azimuth_deg: the camera azimuth from ``view.classify_view`` (degrees); gives the
            person's forward direction for the craniovertebral angle and the sagittal plane for
            the uncertainty. NaN: forward from the shoulder line.
        up: the world vertical as a unit vector in world-landmark axes (x right, y down, z
            away from the camera); default (0, -1, 0) = level camera.
        min_visibility: landmarks with confidence (min of visibility and presence) below this
            give NaN for every angle that needs them.
        up_uncertainty_deg: uncertainty of ``up`` in degrees, one number or (roll, pitch)
            (``UpUncertainty``); None: ``LEVEL_UP_UNCERTAINTY_DEG`` without ``up``,
            ``CALIBRATED_UP_UNCERTAINTY_DEG`` with it.
        focal_px: the camera's focal length (pixels, principal point at the image centre): the
            line of sight to the person for ``head_by_length``; None: the person is taken to be
            on the camera's axis.
        focal_range_px: the shortest and longest focal length (pixels) the camera may have when
            nothing confirms ``focal_px`` (``calibration.vertical.PLAUSIBLE_FOV_DEG``): the head
            line's depth term then also holds the change of its lean over that range
            (``_focal_term``; a webcam crop or a zoomed camera read as a 70° webcam puts the line of
            sight 5–10° wrong). None: ``focal_px`` is taken as exact.
        jitter: called with the angle values (degrees) before validity is decided; returns the
            uncertainty term to add in quadrature (degrees; NaN adds nothing), e.g. the live
            jitter (``UNC_LIVE_JITTER`` · ``smoothing.JitterMeter``). So a depth measurement is
            judged against ``VALID_MAX_UNCERTAINTY`` with the uncertainty that is shown beside it.

    Returns:
        ``AngleTable`` with values (NaN where not measurable), valid (measured and meaningful
        in this view, see the module docstring) and uncertainty (± degrees, NaN where not
        measured).
    """
    values, sin_phi, vis_term, depth_deg = measure_angles(
        landmarks, azimuth_deg=azimuth_deg, up=up, min_visibility=min_visibility, focal_px=focal_px,
        focal_range_px=focal_range_px,
    )  # fmt: skip
    if up_uncertainty_deg is None:
        up_uncertainty_deg = LEVEL_UP_UNCERTAINTY_DEG if up is None else CALIBRATED_UP_UNCERTAINTY_DEG
    unc = angle_uncertainty(sin_phi, vis_term, up_uncertainty_deg, azimuth_deg, depth_deg)
    if jitter is not None:
        unc = with_jitter(unc, jitter(values), 1.0)
    measured = ~np.isnan(values)
    unc[~measured] = np.nan
    # A sagittal angle seen face-on or from the back (its plane more than 30° out of the image
    # plane) is a depth measurement: valid only within the stated uncertainty bound.
    depth_measurement = _SAGITTAL & (sin_phi > DEPTH_MEASUREMENT_SIN)
    valid = measured & _VALID_BY_VIEW[view] & ~(depth_measurement & ~(unc <= VALID_MAX_UNCERTAINTY))
    return AngleTable(values=values, valid=valid, uncertainty=unc)


def pose_with_angles(
    *,
    azimuth_deg: float = 0.0,
    up: np.ndarray | None = None,
    trunk_lean: float = 0.0,
    trunk_side_lean: float = 0.0,
    shoulder_tilt: float = 0.0,
    pelvic_tilt: float = 0.0,
    head_tilt: float = 0.0,
    head_lean: float = 0.0,
    left_arm: tuple[float, float, float] = (0.0, 0.0, 0.0),
    right_arm: tuple[float, float, float] = (0.0, 0.0, 0.0),
    left_leg: tuple[float, float] = (0.0, 0.0),
    right_leg: tuple[float, float] = (0.0, 0.0),
    image_size: tuple[int, int] = (640, 480),
    px_per_m: float = 250.0,
) -> Landmarks:
    """Constructed landmarks of a person with known angles (for tests, docs and demos).

    All angles in degrees. ``trunk_lean``: forward lean of the trunk (= ``trunk_forward_lean``, and
    ``trunk_inclination`` when there is no side lean); ``trunk_side_lean``: lean towards the
    person's left in the frontal plane (= ``trunk_lateral_lean``);
    ``shoulder_tilt``, ``pelvic_tilt``, ``head_tilt``: left side up (= the canonical tilts);
    ``head_lean``: forward lean of mid-shoulder → mid-ear (``craniovertebral_angle`` = 90 −
    head_lean); arms: (elevation from the trunk side, plane: 0 = forward / 90 = sideways, elbow
    flexion); legs: (thigh flexion forward from the vertical, knee flexion). With no
    trunk lean and no tilts the canonical values equal the parameters (hip flexion = trunk lean +
    thigh flexion). The camera sits at ``azimuth_deg`` (``view`` module convention) with world
    vertical ``up`` (camera axes); the image is an orthographic copy of the world landmarks at
    ``px_per_m`` pixels per metre, hip centre at 60% of the image height.
    """
    u = DEFAULT_UP if up is None else np.asarray(up, dtype=float) / np.linalg.norm(up)
    rad = np.radians
    # Body frame: X = the person's left, Y = up, Z = forward (metres, hip centre at the origin).
    ex, ey, ez = np.eye(3)

    def perp(d: np.ndarray, hint: np.ndarray) -> np.ndarray:
        w = hint - (hint @ d) * d
        if np.linalg.norm(w) < 1e-9:
            w = ey - (ey @ d) * d
        return w / np.linalg.norm(w)

    pts: dict[int, np.ndarray] = {}
    t, sl = rad(trunk_lean), rad(trunk_side_lean)
    mid_sh = np.array([math.tan(sl), 1.0, math.tan(t)])
    mid_sh = 0.5 * mid_sh / np.linalg.norm(mid_sh)
    s, p, h = rad(shoulder_tilt), rad(pelvic_tilt), rad(head_tilt)
    pts[L_SH], pts[R_SH] = (
        mid_sh + 0.18 * np.array([math.cos(s), math.sin(s), 0]),
        mid_sh - 0.18 * np.array([math.cos(s), math.sin(s), 0]),
    )
    pts[L_HIP], pts[R_HIP] = (
        0.18 * np.array([math.cos(p), math.sin(p), 0]),
        -0.18 * np.array([math.cos(p), math.sin(p), 0]),
    )
    c = rad(head_lean)
    # neck as long as ``head_by_length`` takes it: NECK_SHOULDER_RATIO shoulder widths (0.36 m)
    mid_ear = mid_sh + NECK_SHOULDER_RATIO * 0.36 * np.array([0.0, math.cos(c), math.sin(c)])
    pts[L_EAR], pts[R_EAR] = (
        mid_ear + 0.07 * np.array([math.cos(h), math.sin(h), 0]),
        mid_ear - 0.07 * np.array([math.cos(h), math.sin(h), 0]),
    )
    pts[lm.NOSE] = mid_ear + np.array([0.0, -0.02, 0.1])
    for side, (sh, el, wr), arm in ((1, (L_SH, L_EL, L_WR), left_arm), (-1, (R_SH, R_EL, R_WR), right_arm)):
        e, pl, f = rad(arm[0]), rad(arm[1]), rad(arm[2])
        d = np.array([side * math.sin(e) * math.sin(pl), -math.cos(e), math.sin(e) * math.cos(pl)])
        pts[el] = pts[sh] + 0.3 * d
        pts[wr] = pts[el] + 0.27 * (math.cos(f) * d + math.sin(f) * perp(d, ez))
    for hip, kn, an, leg in ((L_HIP, L_KNEE, L_ANK, left_leg), (R_HIP, R_KNEE, R_ANK, right_leg)):
        q, k = rad(leg[0]), rad(leg[1])
        d = np.array([0.0, -math.cos(q), math.sin(q)])
        pts[kn] = pts[hip] + 0.45 * d
        pts[an] = pts[kn] + 0.43 * (math.cos(k) * d + math.sin(k) * perp(d, -ez))
    body = np.zeros((lm.NUM_LANDMARKS, 3))
    for i, name in enumerate(lm.NAMES):  # the remaining landmarks sit on their nearest named joint
        if i in pts:
            body[i] = pts[i]
        elif "eye" in name or "mouth" in name:
            body[i] = pts[lm.NOSE]
        elif name.endswith(("pinky", "index", "thumb")) and "foot" not in name:
            body[i] = pts[L_WR if name.startswith("left") else R_WR]
        else:
            body[i] = pts[L_ANK if name.startswith("left") else R_ANK]
    fwd = forward_from_azimuth(azimuth_deg, u)
    left = cross3(u, fwd)
    world = body @ np.stack([left, u, fwd])
    image = world * px_per_m + np.array([image_size[0] / 2, 0.6 * image_size[1], 0.0])
    ones = np.ones(lm.NUM_LANDMARKS)
    return Landmarks(image=image, world=world, visibility=ones, presence=ones.copy(), image_size=image_size)
