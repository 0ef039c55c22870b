"""Per-frame measures the assessment derives beyond the canonical angle table.

All from ``kinematics.hybrid_points`` (image x, y scaled to metres with world-landmark depth;
MediaPipe axes: x right, y down, z away) and the world vertical ``up`` from the camera
calibration, exactly like the canonical angles; the person's forward and left
directions come from the camera azimuth (``kinematics.forward_from_azimuth``). Angles in
degrees, lengths in centimetres (world metres × ``world_scale`` × 100: MediaPipe estimates a
metric scale from body proportions; a height calibration corrects it).

==========================  ==================================================================
``trunk_lateral_lean``      mid-hip → mid-shoulder from vertical in the frontal plane, signed:
                            positive = leaning to the person's left
``trunk_forward_lean``      the same in the sagittal plane: positive = leaning forward
``shin_forward_lean``       ankle → knee from vertical in the sagittal plane (side given)
``neck_lateral_flexion``    ear line relative to the shoulder line: head_tilt − shoulder_tilt
                            with the sign flipped, positive = head bent towards the left
``*_offset``                horizontal distance along the person's forward direction between
                            two landmarks (cm; positive = the first is in front): ear–shoulder,
                            shoulder–hip, hip–ankle (plumb-line alignment, side view)
``hip_shift``               mid-hip relative to mid-ankle along the person's left (cm)
``rise_cm``                 height of one landmark above another along the vertical (cm): what
                            a camera-vertical error turns into an offset error
==========================  ==================================================================

Knee valgus is ``exercises.signals``' ``{side}_knee_valgus`` (image plane, front view).
"""

from __future__ import annotations

import math

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.kinematics import forward_from_azimuth, hybrid_points
from posture_feedback.types import AngleTable, Landmarks
from posture_feedback.view import DEFAULT_UP

MIN_CONFIDENCE = 0.5
PAIRS: dict[str, tuple[int, int]] = {
    "ear": (lm.LEFT_EAR, lm.RIGHT_EAR),
    "shoulder": (lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER),
    "hip": (lm.LEFT_HIP, lm.RIGHT_HIP),
    "knee": (lm.LEFT_KNEE, lm.RIGHT_KNEE),
    "ankle": (lm.LEFT_ANKLE, lm.RIGHT_ANKLE),
}


def _up(up: np.ndarray | None) -> np.ndarray:
    u = DEFAULT_UP if up is None else np.asarray(up, dtype=float)
    return u / np.linalg.norm(u)


def body_axes(azimuth_deg: float, up: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(up, forward, left) unit vectors in world-landmark axes for a camera azimuth (degrees)."""
    u = _up(up)
    fwd = forward_from_azimuth(azimuth_deg, u)
    return u, fwd, np.cross(u, fwd)


def point(landmarks: Landmarks, part: str, side: str | None = None) -> tuple[np.ndarray, float] | None:
    """Point (metres, ``hybrid_points``) of a body part and its confidence.

    ``side`` None: the mid-point of left and right when both are confident, else the more
    confident one (side-on, the far one is often hidden); "left"/"right": that one. None when
    not confident enough.
    """
    li, ri = PAIRS[part]
    c = landmarks.confidence()
    p = hybrid_points(landmarks, c >= MIN_CONFIDENCE)
    if side == "left" or side == "right":
        i = li if side == "left" else ri
        return (p[i], float(c[i])) if c[i] >= MIN_CONFIDENCE else None
    if c[li] >= MIN_CONFIDENCE and c[ri] >= MIN_CONFIDENCE:
        return (p[li] + p[ri]) / 2.0, float(min(c[li], c[ri]))
    i = li if c[li] >= c[ri] else ri
    return (p[i], float(c[i])) if c[i] >= MIN_CONFIDENCE else None


def _signed(v: np.ndarray, towards: np.ndarray, up: np.ndarray) -> float:
    return math.degrees(math.atan2(float(v @ towards), float(v @ up)))


def trunk_leans(landmarks: Landmarks, azimuth_deg: float, up: np.ndarray | None = None) -> tuple[float, float, float]:
    """(lateral lean to the left, forward lean, confidence) of the trunk in degrees; NaN when not visible."""
    sh, hp = point(landmarks, "shoulder"), point(landmarks, "hip")
    if sh is None or hp is None or not math.isfinite(azimuth_deg):
        return math.nan, math.nan, 0.0
    u, fwd, left = body_axes(azimuth_deg, up)
    v = sh[0] - hp[0]
    return _signed(v, left, u), _signed(v, fwd, u), min(sh[1], hp[1])


def shin_forward_lean(
    landmarks: Landmarks, side: str, azimuth_deg: float, up: np.ndarray | None = None
) -> tuple[float, float]:
    """(forward lean of the shin ankle → knee from vertical, confidence); degrees, NaN when not visible."""
    kn, an = point(landmarks, "knee", side), point(landmarks, "ankle", side)
    if kn is None or an is None or not math.isfinite(azimuth_deg):
        return math.nan, 0.0
    u, fwd, _ = body_axes(azimuth_deg, up)
    return _signed(kn[0] - an[0], fwd, u), min(kn[1], an[1])


def neck_lateral_flexion_left(angles: AngleTable) -> float:
    """Head bent towards the person's left relative to the shoulders (degrees): −(head_tilt − shoulder_tilt)."""
    return -(angles.value("head_tilt") - angles.value("shoulder_tilt"))


def offset_cm(
    landmarks: Landmarks,
    first: str,
    second: str,
    azimuth_deg: float,
    up: np.ndarray | None = None,
    world_scale: float = 1.0,
    *,
    along: str = "forward",
) -> tuple[float, float]:
    """(distance of ``first`` in front of (or left of) ``second`` in cm, confidence); NaN when not visible."""
    a, b = point(landmarks, first), point(landmarks, second)
    if a is None or b is None or not math.isfinite(azimuth_deg):
        return math.nan, 0.0
    _, fwd, left = body_axes(azimuth_deg, up)
    direction = fwd if along == "forward" else left
    scale = world_scale if math.isfinite(world_scale) else 1.0
    return float((a[0] - b[0]) @ direction) * 100.0 * scale, min(a[1], b[1])


def rise_cm(
    landmarks: Landmarks, first: str, second: str, up: np.ndarray | None = None, world_scale: float = 1.0
) -> float:
    """Height of ``first`` above ``second`` along the vertical ``up`` (cm); NaN when not visible.

    A camera vertical wrong by δ turns the forward (and left) direction by δ, which moves an
    ``offset_cm`` between the two by about ``rise · sin δ``: 50 cm from shoulder to hip and a 20°
    unknown roll are 17 cm."""
    a, b = point(landmarks, first), point(landmarks, second)
    if a is None or b is None:
        return math.nan
    scale = world_scale if math.isfinite(world_scale) else 1.0
    return float((a[0] - b[0]) @ _up(up)) * 100.0 * scale
