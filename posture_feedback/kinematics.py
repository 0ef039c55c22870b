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
                                straight above the shoulder, smaller = head more forward
==============================  =================================================================

These match ``shared/accuracy/acclib.compute_angles``. Side-on, the far shoulder, hip and ear
are often hidden; ``trunk_inclination`` and ``craniovertebral_angle`` then use the near
side's shoulder → ... vector instead of the mid-points (same direction in the sagittal plane),
so they stay measurable. ``forward`` is the facing direction given by the view's azimuth
(``posture_feedback.view``), or, without one, ``cross(left − right shoulder, up)``.

Landmark source per angle: see ``SOURCE`` and docs/angles.md, chosen from measurement against
a 4-camera reference (docs/accuracy.md).

Validity (``AngleTable.valid``) per view, besides being measured: the tilts are not valid
side-on (the left-right line points at the camera); the craniovertebral angle is not valid
face-on or from the back (the sagittal plane is edge-on); the other angles are 3D joint
angles and valid in every view. In ``View.UNKNOWN`` only the joint angles are valid.

Uncertainty (``AngleTable.uncertainty``, ± degrees, NaN where not measured) is a simple
model: ``BASE_UNCERTAINTY + DEPTH_UNCERTAINTY · sin φ + VISIBILITY_UNCERTAINTY · (1 − c) / (1 −
min_visibility)``, where φ is the angle between the plane in which the angle is measured and
the image plane (0 = in the image plane, where the 2D evidence constrains it best) and c the
lowest confidence of the landmarks used.
"""

from __future__ import annotations

import math

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.types import ANGLE_INDEX, ANGLE_NAMES, AngleTable, Landmarks, View
from posture_feedback.view import DEFAULT_UP, TOWARDS_CAMERA

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
#: mid-shoulder. The UI draws the arc at the first joint (or the mid-point of the first two).
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
}

#: Angles that are meaningless side-on (their line points at the camera).
FRONTAL_LINE_ANGLES = frozenset({"shoulder_tilt", "pelvic_tilt", "head_tilt"})
#: Angles that are meaningless face-on or from the back.
SAGITTAL_ONLY_ANGLES = frozenset({"craniovertebral_angle"})

#: Uncertainty model (degrees); see the module docstring.
BASE_UNCERTAINTY = 5.0
DEPTH_UNCERTAINTY = 10.0
VISIBILITY_UNCERTAINTY = 5.0

# The 8 joint angles as (vertex, a, b) index arrays, and whether the value is 180 − ∠.
_JOINT_NAMES = tuple(n for n in ANGLE_NAMES if n.endswith(("_flexion", "_elevation")))
_JOINT_SLOTS = np.array([ANGLE_INDEX[n] for n in _JOINT_NAMES])
_JOINT_IDX = np.array([ANGLE_JOINTS[n] for n in _JOINT_NAMES])  # (8, 3)
_JOINT_SUPPLEMENT = np.array([n.endswith("_flexion") for n in _JOINT_NAMES])
_TILT_NAMES = ("shoulder_tilt", "pelvic_tilt", "head_tilt")
_TILT_SLOTS = np.array([ANGLE_INDEX[n] for n in _TILT_NAMES])
_TILT_IDX = np.array([ANGLE_JOINTS[n] for n in _TILT_NAMES])  # (3, 2)
_TRUNK = ANGLE_INDEX["trunk_inclination"]
_CVA = ANGLE_INDEX["craniovertebral_angle"]
# Candidate (lower, upper) landmark pairs for the trunk and head lines, best first:
# mid-points, then the left side, then the right side.
_TRUNK_LOW = np.array([[L_HIP, R_HIP], [L_HIP, L_HIP], [R_HIP, R_HIP]])
_TRUNK_HIGH = np.array([[L_SH, R_SH], [L_SH, L_SH], [R_SH, R_SH]])
_CVA_LOW = np.array([[L_SH, R_SH], [L_SH, L_SH], [R_SH, R_SH]])
_CVA_HIGH = np.array([[L_EAR, R_EAR], [L_EAR, L_EAR], [R_EAR, R_EAR]])

_VALID_BY_VIEW: dict[View, np.ndarray] = {}
for _v in View:
    _ok = np.ones(len(ANGLE_NAMES), bool)
    for _n in ANGLE_NAMES:
        if _n in FRONTAL_LINE_ANGLES and _v in (View.SIDE, View.UNKNOWN):
            _ok[ANGLE_INDEX[_n]] = False
        if _n in SAGITTAL_ONLY_ANGLES and _v in (View.FRONT, View.BACK, View.UNKNOWN):
            _ok[ANGLE_INDEX[_n]] = False
    _VALID_BY_VIEW[_v] = _ok


def _unit_rows(v: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unsigned angle (degrees) between row vectors a and b (..., 3); NaN if one is zero."""
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.einsum("...i,...i->...", a, b) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
    return np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))


def _elevation_deg(v: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Signed elevation (degrees) of row vectors v above the plane orthogonal to ``up``."""
    vu = v @ up
    vh = np.linalg.norm(v - vu[..., None] * up, axis=-1)
    return np.degrees(np.arctan2(vu, vh))


def forward_from_azimuth(azimuth_deg: float, up: np.ndarray) -> np.ndarray:
    """The person's horizontal facing direction (unit, world-landmark axes) for a camera azimuth.

    Inverse of ``view.azimuth_of``: the direction towards the camera rotated by −azimuth about up.
    """
    d = TOWARDS_CAMERA - (TOWARDS_CAMERA @ up) * up
    d /= np.linalg.norm(d)
    a = math.radians(azimuth_deg)
    return math.cos(a) * d - math.sin(a) * np.cross(up, d)


def _pick_line(p: np.ndarray, ok: np.ndarray, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, int]:
    """The first candidate line (mid-points, left side, right side) whose landmarks are all ok.

    Returns (vector low → high, candidate index) or (NaN vector, -1).
    """
    avail = ok[low].all(axis=1) & ok[high].all(axis=1)
    if not avail.any():
        return np.full(3, np.nan), -1
    k = int(np.argmax(avail))
    return p[high[k]].mean(axis=0) - p[low[k]].mean(axis=0), k


def compute_angles(
    landmarks: Landmarks,
    view: View,
    *,
    azimuth_deg: float = float("nan"),
    up: np.ndarray | None = None,
    min_visibility: float = 0.5,
) -> AngleTable:
    """The 13 canonical angles (``ANGLE_NAMES``, degrees) of one person in one frame.

    Args:
        landmarks: the person's landmarks (world landmarks in metres, image in pixels).
        view: the person's view (``view.classify_view``); decides ``valid``.
        azimuth_deg: the camera azimuth from ``view.classify_view`` (degrees); gives the
            person's forward direction for the craniovertebral angle and the planes for the
            uncertainty. NaN: forward from the shoulder line.
        up: the world vertical as a unit vector in world-landmark axes (x right, y down, z
            away from the camera); default (0, -1, 0) = level camera.
        min_visibility: landmarks with confidence (min of visibility and presence) below this
            give NaN for every angle that needs them.

    Returns:
        ``AngleTable`` with values (NaN where not measurable), valid (measured and meaningful
        in this view, see the module docstring) and uncertainty (± degrees).
    """
    u = DEFAULT_UP if up is None else np.asarray(up, dtype=float) / np.linalg.norm(up)
    conf = np.minimum(landmarks.visibility, landmarks.presence)
    ok = conf >= min_visibility
    p = landmarks.world
    n = len(ANGLE_NAMES)
    values = np.full(n, np.nan)
    sin_phi = np.ones(n)  # sine of the angle between the measurement plane and the image plane
    cmin = np.ones(n)

    # Joint angles (8 at once).
    v, a, b = _JOINT_IDX[:, 0], _JOINT_IDX[:, 1], _JOINT_IDX[:, 2]
    va, vb = p[a] - p[v], p[b] - p[v]
    ang = _angle_deg(va, vb)
    ang = np.where(_JOINT_SUPPLEMENT, 180.0 - ang, ang)
    values[_JOINT_SLOTS] = np.where(ok[_JOINT_IDX].all(axis=1), ang, np.nan)
    cmin[_JOINT_SLOTS] = conf[_JOINT_IDX].min(axis=1)
    normal = np.cross(va, vb)
    nn = np.linalg.norm(normal, axis=1)
    span = np.linalg.norm(va, axis=1) * np.linalg.norm(vb, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        plane_sin = np.linalg.norm(normal[:, :2], axis=1) / nn
        seg_sin = np.maximum(
            np.abs(va[:, 2]) / np.linalg.norm(va, axis=1), np.abs(vb[:, 2]) / np.linalg.norm(vb, axis=1)
        )
    sin_phi[_JOINT_SLOTS] = np.where(nn > 0.2 * span, plane_sin, seg_sin)

    # Tilts of the shoulder, hip and ear lines (3 at once).
    lr = p[_TILT_IDX[:, 0]] - p[_TILT_IDX[:, 1]]
    values[_TILT_SLOTS] = np.where(ok[_TILT_IDX].all(axis=1), _elevation_deg(lr, u), np.nan)
    cmin[_TILT_SLOTS] = conf[_TILT_IDX].min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sin_phi[_TILT_SLOTS] = np.abs(lr[:, 2]) / np.linalg.norm(lr, axis=1)

    # Forward direction (horizontal) for the craniovertebral angle and the sagittal plane.
    if math.isfinite(azimuth_deg):
        fwd = forward_from_azimuth(azimuth_deg, u)
    elif ok[[L_SH, R_SH]].all():
        fwd = np.cross(p[L_SH] - p[R_SH], u)
        fwd -= (fwd @ u) * u
        fwd = _unit_rows(fwd)
    else:
        fwd = np.full(3, np.nan)
    # The sagittal plane's normal is the person's left; its angle to the image plane:
    sag_sin = abs(float(fwd[2])) if np.isfinite(fwd).all() else 1.0

    trunk, k = _pick_line(p, ok, _TRUNK_LOW, _TRUNK_HIGH)
    values[_TRUNK] = _angle_deg(trunk, u) if k >= 0 else np.nan
    cmin[_TRUNK] = conf[np.r_[_TRUNK_LOW[k], _TRUNK_HIGH[k]]].min() if k >= 0 else 1.0
    sin_phi[_TRUNK] = sag_sin

    head, k = _pick_line(p, ok, _CVA_LOW, _CVA_HIGH)
    if k >= 0 and np.isfinite(fwd).all():
        values[_CVA] = 90.0 - math.degrees(math.atan2(float(head @ fwd), float(head @ u)))
        cmin[_CVA] = conf[np.r_[_CVA_LOW[k], _CVA_HIGH[k]]].min()
    sin_phi[_CVA] = sag_sin

    measured = np.isfinite(values)
    vis_term = np.clip((1.0 - cmin) / max(1.0 - min_visibility, 1e-6), 0.0, 1.0)
    unc = BASE_UNCERTAINTY + DEPTH_UNCERTAINTY * np.nan_to_num(sin_phi, nan=1.0) + VISIBILITY_UNCERTAINTY * vis_term
    return AngleTable(
        values=values,
        valid=measured & _VALID_BY_VIEW[view],
        uncertainty=np.where(measured, unc, np.nan),
    )


def pose_with_angles(
    *,
    azimuth_deg: float = 0.0,
    up: np.ndarray | None = None,
    trunk_lean: float = 0.0,
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

    All angles in degrees. ``trunk_lean``: forward lean of the trunk (= ``trunk_inclination``);
    ``shoulder_tilt``, ``pelvic_tilt``, ``head_tilt``: left side up (= the canonical tilts);
    ``head_lean``: forward lean of mid-shoulder → mid-ear (``craniovertebral_angle`` = 90 −
    head_lean); arms: (elevation from the trunk side, plane: 0 = forward / 90 = sideways, elbow
    flexion); legs: (thigh flexion from the trunk line... of the vertical, knee flexion). With no
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
    t = rad(trunk_lean)
    mid_sh = 0.5 * np.array([0.0, math.cos(t), math.sin(t)])
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
    mid_ear = mid_sh + 0.2 * np.array([0.0, math.cos(c), math.sin(c)])
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
    left = np.cross(u, fwd)
    world = body @ np.stack([left, u, fwd])
    image = world * px_per_m + np.array([image_size[0] / 2, 0.6 * image_size[1], 0.0])
    ones = np.ones(lm.NUM_LANDMARKS)
    return Landmarks(image=image, world=world, visibility=ones, presence=ones.copy(), image_size=image_size)
