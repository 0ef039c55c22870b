"""Exercise signals for one frame: the canonical angles plus a few derived measures.

Canonical angles (``types.ANGLE_NAMES``, degrees) are taken from the ``AngleTable`` only where
valid for the current view (NaN otherwise). Derived signals, computed from landmarks:

==========================  =========================================================================
``left_shoulder_hike``      ``shoulder_tilt`` signed for that side: degrees, > 0 = that shoulder higher
``left_hip_hike``           ``pelvic_tilt`` signed the same way (< 0 = that hip drops)
``trunk_lean_left``         lateral lean of the trunk (mid-hip → mid-shoulder) towards the person's left,
                            degrees in the image plane (front/back view only; NaN side-on)
``left_knee_valgus``        knee caving inwards: degrees by which the image-plane hip–knee–ankle line
                            bends towards the midline (> 0 = knee inside; front/back view only)
``left_foot_lift``          height of the left ankle above the right one, as a fraction of leg length
                            (image pixels; > 0 = left foot higher)
``left_knee_lift``          height of the left knee above the right one, as a fraction of leg length,
                            from world landmarks (metres, view-independent)
``ankle_separation``        side-to-side distance of the ankles as a fraction of leg length (image
                            plane, front/back view; ≈ 0 with feet in line, tandem stance)
==========================  =========================================================================

(and the same with ``right_``). Leg length is the longer of the two hip–knee–ankle chains.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.types import ANGLE_NAMES, AngleTable, Landmarks, View

_SIDED = ("shoulder_hike", "hip_hike", "knee_valgus", "foot_lift", "knee_lift")
DERIVED_NAMES: tuple[str, ...] = (
    *(f"{s}_{n}" for n in _SIDED for s in ("left", "right")),
    "trunk_lean_left",
    "trunk_lean_right",
    "ankle_separation",
)
#: Every signal an exercise definition may use.
SIGNAL_NAMES: frozenset[str] = frozenset(ANGLE_NAMES) | frozenset(DERIVED_NAMES)

MIN_CONFIDENCE = 0.5


def _pts(landmarks: Landmarks, idx: list[int], world: bool = False) -> np.ndarray | None:
    conf = landmarks.confidence()[idx]
    if np.any(conf < MIN_CONFIDENCE):
        return None
    arr = landmarks.world if world else landmarks.image
    return arr[idx, :2] if not world else arr[idx]


def _leg_length(p: np.ndarray) -> float:
    """p: hip, knee, ankle (left) then hip, knee, ankle (right); the longer chain's length."""
    left = np.linalg.norm(p[1] - p[0]) + np.linalg.norm(p[2] - p[1])
    right = np.linalg.norm(p[4] - p[3]) + np.linalg.norm(p[5] - p[4])
    return float(max(left, right))


_LEGS = [lm.LEFT_HIP, lm.LEFT_KNEE, lm.LEFT_ANKLE, lm.RIGHT_HIP, lm.RIGHT_KNEE, lm.RIGHT_ANKLE]


def derived_signals(landmarks: Landmarks | None, view: View = View.UNKNOWN) -> dict[str, float]:
    """The landmark-based derived signals (NaN where landmarks are not confident enough)."""
    out = {n: math.nan for n in DERIVED_NAMES}
    if landmarks is None:
        return out
    frontal = view in (View.FRONT, View.BACK)
    trunk = _pts(landmarks, [lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP])
    if trunk is not None and frontal:
        mid_sh = (trunk[0] + trunk[1]) / 2
        mid_hip = (trunk[2] + trunk[3]) / 2
        up = mid_sh - mid_hip
        hip_axis = trunk[2] - trunk[3]  # towards the person's left
        norm = np.linalg.norm(hip_axis)
        if norm > 0 and np.linalg.norm(up) > 0:
            u_left = hip_axis / norm
            lateral = float(np.dot(up, u_left))
            vertical = float(np.linalg.norm(up - lateral * u_left))
            lean = math.degrees(math.atan2(lateral, vertical))
            out["trunk_lean_left"], out["trunk_lean_right"] = lean, -lean
    legs = _pts(landmarks, _LEGS)
    if legs is not None:
        length = _leg_length(legs)
        if length > 0:
            # image y grows downwards
            lift = (legs[5, 1] - legs[2, 1]) / length
            out["left_foot_lift"], out["right_foot_lift"] = lift, -lift
            if frontal:
                out["ankle_separation"] = abs(legs[2, 0] - legs[5, 0]) / length
                for side, (h, k, a), other_hip in (("left", (0, 1, 2), 3), ("right", (3, 4, 5), 0)):
                    out[f"{side}_knee_valgus"] = _valgus(legs[h], legs[k], legs[a], legs[other_hip])
    wlegs = _pts(landmarks, _LEGS, world=True)
    if wlegs is not None:
        length = _leg_length(wlegs)
        if length > 0:
            lift = (wlegs[4, 1] - wlegs[1, 1]) / length  # world y grows downwards
            out["left_knee_lift"], out["right_knee_lift"] = lift, -lift
    return out


def _valgus(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, other_hip: np.ndarray) -> float:
    """Degrees the hip→knee→ankle chain bends towards ``other_hip`` (the midline) at the knee."""
    a = knee - hip
    b = ankle - knee
    if np.linalg.norm(a) == 0 or np.linalg.norm(b) == 0:
        return math.nan
    bend = math.degrees(math.atan2(a[0] * b[1] - a[1] * b[0], float(np.dot(a, b))))
    # the knee is medial when it lies on the midline side of the hip→ankle line
    line = ankle - hip
    side_knee = line[0] * (knee - hip)[1] - line[1] * (knee - hip)[0]
    side_mid = line[0] * (other_hip - hip)[1] - line[1] * (other_hip - hip)[0]
    sign = 1.0 if side_knee * side_mid > 0 else -1.0
    return sign * abs(bend)


def compute_signals(
    angles: AngleTable | None, landmarks: Landmarks | None = None, view: View = View.UNKNOWN
) -> dict[str, float]:
    """All signals of one frame: name → value (NaN = not measurable now)."""
    values: dict[str, float] = {n: math.nan for n in ANGLE_NAMES}
    if angles is not None:
        values.update(angles.as_dict(require_valid=True))
    tilt = values.get("shoulder_tilt", math.nan)
    values["left_shoulder_hike"], values["right_shoulder_hike"] = tilt, -tilt
    pelvis = values.get("pelvic_tilt", math.nan)
    values["left_hip_hike"], values["right_hip_hike"] = pelvis, -pelvis
    d = derived_signals(landmarks, view)
    for k, v in d.items():
        if k not in values:
            values[k] = v
    return values


def signal_value(values: Mapping[str, float], template: str, side: str) -> float:
    """Value of a signal template for ``side`` (``left``/``right``); NaN when unknown."""
    other = "right" if side == "left" else "left"
    return float(values.get(template.replace("{side}", side).replace("{other}", other), math.nan))
