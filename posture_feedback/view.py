"""Which way a person faces the camera: front, back, side or oblique, and the camera azimuth.

The azimuth is the horizontal angle, in degrees, from the person's facing direction to the
direction from the person towards the camera: 0 = the camera is in front of the person,
+90 = the camera is on the person's left, -90 = on their right, ±180 = behind them. It is
measured in MediaPipe's world-landmark axes (metres; x image-right, y down, z away from the
camera), where the direction towards the camera is -z.

Model (one frame, no history):

1. The person's left-right axis is the visibility-weighted mean of the left-minus-right
   vectors of the shoulders and of the hips (world landmarks), projected on the horizontal
   plane (orthogonal to ``up``). Each pair is used when both its landmarks are in the frame
   (presence >= ``MIN_PRESENCE``) and at least one of them is visible (visibility >=
   ``MIN_VISIBILITY``): side-on, the far shoulder and hip are occluded but the model still
   places them, and the near ones anchor them. Weight = 0.25 + mean visibility of the pair.
2. Facing = ``cross(left - right, up)``, normalised (horizontal).
3. Anatomical check: the nose is in front of the ears. When the nose and both ears are in
   the frame and the horizontal nose offset from the mid-ear point (or mid-shoulder point
   when the ears are not usable) points backwards (dot product with the facing < 0, with at
   least ``MIN_NOSE_OFFSET_M`` of offset), the facing is reversed. The head cannot turn
   more than about 80° on the trunk, so the nose never points backwards in a real pose.
4. Azimuth = atan2(d · left, d · facing) with d = the horizontal direction towards the camera
   and left = up × facing.

Measured on the 4-camera accuracy set (docs/accuracy.md): median azimuth error 10° with a
level camera, 6.5° with the camera's true vertical. Using image-plane cues instead (the
left-right vector of ``kinematics.hybrid_points``: image x, y with world depth) was worse
(12° and 7.6°), so the view uses the world landmarks alone.

Thresholds on |azimuth| (degrees), matching ``View``'s documentation and the accuracy set:
FRONT < 30 ≤ OBLIQUE < 60 ≤ SIDE ≤ 120 < OBLIQUE ≤ 150 < BACK. UNKNOWN (azimuth NaN) when
neither the shoulders nor the hips are usable.
"""

from __future__ import annotations

import math

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.types import Landmarks, View

#: World vertical (up) of a level camera in MediaPipe world-landmark axes (y is down).
DEFAULT_UP = np.array([0.0, -1.0, 0.0])
#: Direction from the person towards the camera in MediaPipe world-landmark axes.
TOWARDS_CAMERA = np.array([0.0, 0.0, -1.0])

#: |azimuth| below this is FRONT (degrees).
FRONT_MAX_DEG = 30.0
#: |azimuth| from this up to ``SIDE_MAX_DEG`` is SIDE (degrees).
SIDE_MIN_DEG = 60.0
SIDE_MAX_DEG = 120.0
#: |azimuth| above this is BACK (degrees).
BACK_MIN_DEG = 150.0

#: A landmark pair is used when both are at least this likely to be inside the frame...
MIN_PRESENCE = 0.5
#: ...and at least one of the two is at least this visible.
MIN_VISIBILITY = 0.5
#: Smallest horizontal nose offset (metres) from the mid-ears that may reverse the facing.
MIN_NOSE_OFFSET_M = 0.02

_PAIRS = np.array([[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER], [lm.LEFT_HIP, lm.RIGHT_HIP]])
_EARS = np.array([lm.LEFT_EAR, lm.RIGHT_EAR])
_SHOULDERS = np.array([lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER])


def cross3(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross product of 3-vectors (rows, ``(..., 3)``); several times faster than np.cross on small arrays."""
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    return np.stack((a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0), axis=-1)


def view_from_azimuth(azimuth_deg: float) -> View:
    """The view class of a camera azimuth in degrees (NaN → UNKNOWN); thresholds above."""
    if not math.isfinite(azimuth_deg):
        return View.UNKNOWN
    a = abs((azimuth_deg + 180.0) % 360.0 - 180.0)
    if a < FRONT_MAX_DEG:
        return View.FRONT
    if a > BACK_MIN_DEG:
        return View.BACK
    if SIDE_MIN_DEG <= a <= SIDE_MAX_DEG:
        return View.SIDE
    return View.OBLIQUE


def facing_direction(landmarks: Landmarks, up: np.ndarray | None = None) -> np.ndarray | None:
    """The person's horizontal facing direction, a unit vector in world-landmark axes.

    None when neither the shoulders nor the hips are usable (see the module docstring).
    """
    u = DEFAULT_UP if up is None else _unit(np.asarray(up, dtype=float))
    w, vis, pres = landmarks.world, landmarks.visibility, landmarks.presence
    in_frame = (pres[_PAIRS] >= MIN_PRESENCE).all(axis=1) & (vis[_PAIRS] >= MIN_VISIBILITY).any(axis=1)
    if not in_frame.any():
        return None
    weight = np.where(in_frame, 0.25 + vis[_PAIRS].mean(axis=1), 0.0)
    lr = (weight[:, None] * (w[_PAIRS[:, 0]] - w[_PAIRS[:, 1]])).sum(axis=0) / weight.sum()
    fwd = cross3(lr, u)
    fwd -= (fwd @ u) * u
    n = np.linalg.norm(fwd)
    if not n > 1e-9:
        return None
    fwd /= n
    # Anatomical check: the nose is in front of the ears (or shoulders).
    if pres[lm.NOSE] >= MIN_PRESENCE:
        ref = _EARS if (pres[_EARS] >= MIN_PRESENCE).all() else _SHOULDERS
        if (pres[ref] >= MIN_PRESENCE).all():
            head = w[lm.NOSE] - w[ref].mean(axis=0)
            head -= (head @ u) * u
            along = float(head @ fwd)
            if along < -MIN_NOSE_OFFSET_M:
                fwd = -fwd
    return fwd


def azimuth_of(fwd: np.ndarray, up: np.ndarray | None = None) -> float:
    """Camera azimuth in degrees for a horizontal unit facing direction (module docstring)."""
    u = DEFAULT_UP if up is None else _unit(np.asarray(up, dtype=float))
    d = TOWARDS_CAMERA - (TOWARDS_CAMERA @ u) * u
    left = cross3(u, fwd)
    return math.degrees(math.atan2(float(d @ left), float(d @ fwd)))


def classify_view(landmarks: Landmarks, *, up: np.ndarray | None = None) -> tuple[View, float]:
    """The view and the camera azimuth (degrees) of one person in one frame.

    ``up`` is the world vertical as a unit vector in world-landmark axes (default: level
    camera, (0, -1, 0)). Returns (View.UNKNOWN, NaN) when too little of the trunk is visible.
    """
    fwd = facing_direction(landmarks, up)
    if fwd is None:
        return View.UNKNOWN, math.nan
    az = azimuth_of(fwd, up)
    return view_from_azimuth(az), az


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v)
    if not n > 0:
        raise ValueError("up must be a non-zero 3-vector")
    return v / n
