"""Exercise signals for one frame: the canonical angles plus a few derived measures.

Canonical angles (``types.ANGLE_NAMES``, degrees) are taken from the ``AngleTable`` only where
valid for the current view (NaN otherwise). Derived signals, computed from landmarks:

==========================  =========================================================================
``left_shoulder_hike``      the shoulder line's tilt against the trunk: degrees by which the left shoulder
                            sits higher than the perpendicular to the trunk line (mid-hip → mid-shoulder)
                            through the mid-shoulder, in the image plane; > 0 = hitched. A whole trunk
                            leaning sideways tilts both lines together and reads 0. Front/back view, and
                            only with both shoulders and both hips confident and inside the image: without
                            the hips a trunk lean cannot be told from a hitch, and nothing is judged (NaN)
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

Upper-body signals (a laptop webcam's framing: head, shoulders and elbows, hips out of the frame).
They use only landmarks that are confident *and inside the image* (``laptop_signals.in_frame``:
the model's guesses for parts below the desk edge never count), image pixels (x right, y down,
never mirrored), and are NaN unless the person is seen face-on or from the back (they are
frontal-plane measures). ``n`` is the shoulder line's normal pointing to the head side, ``w`` the
shoulder width (left − right shoulder, px); the tilt of a left − right line is
``atan2(−Δy, |Δx|)``, + = the person's left point higher (as ``laptop_signals``).

==================================  =================================================================
``neck_bend_left``                  side-bend of the head towards the person's left, degrees:
                                    −(ear-line tilt − shoulder-line tilt); + = the left ear
                                    nearer the left shoulder
``neck_bend_right``                 the same towards the right (= ear-line tilt − shoulder-line tilt)
``ear_shoulder_gap``                mean over both sides of the ear's height above its own shoulder
                                    along ``n``, in % of ``w``; smaller = shoulders nearer the ears
                                    (a shrug), or a dropped head
``left_arm_raise``                  the upper arm (shoulder → elbow) from the shoulder line's
                                    downward normal ``−n``, turned towards that side's outward
                                    direction (away from the other shoulder), degrees in the image
                                    plane: 0 = hanging, 90 = out to the side at shoulder height,
                                    180 = overhead; −90…270 (negative = across the body). Seen
                                    face-on this is abduction; flexion (towards the camera) barely
                                    changes it
``right_arm_raise``                 the same for the right arm
``trunk_forward_lean_hips_seen``    ``trunk_forward_lean`` (degrees, side view), but NaN unless a hip
                                    landmark is confident and inside the image: with the hips below
                                    the frame edge the trunk line rests on a guessed hip
==================================  =================================================================

The ear signals are NaN when the ears are implausible: an ear not above its own shoulder, or the
ears closer together than ``MIN_EAR_SPAN`` shoulder widths. ``*_arm_raise`` is NaN when the upper arm
is shorter in the image than ``MIN_UPPER_ARM`` shoulder widths (pointing at or away from the camera,
or a guessed elbow folded onto the chest).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.laptop_signals import in_frame
from posture_feedback.types import ANGLE_NAMES, AngleTable, Landmarks, View

_SIDED = ("shoulder_hike", "hip_hike", "knee_valgus", "foot_lift", "knee_lift", "arm_raise")
DERIVED_NAMES: tuple[str, ...] = (
    *(f"{s}_{n}" for n in _SIDED for s in ("left", "right")),
    "trunk_lean_left",
    "trunk_lean_right",
    "ankle_separation",
    "neck_bend_left",
    "neck_bend_right",
    "ear_shoulder_gap",
    "trunk_forward_lean_hips_seen",
)
#: Every signal an exercise definition may use.
SIGNAL_NAMES: frozenset[str] = frozenset(ANGLE_NAMES) | frozenset(DERIVED_NAMES)

MIN_CONFIDENCE = 0.5
#: Ear-to-ear distance (fraction of the shoulder width) below which the ears are not used: about
#: 0.3–0.45 face-on (head breadth about 15 cm, shoulder landmarks about 35 cm apart; 0.20–0.31 in the
#: accuracy set's reference); under 0.15 the ears have collapsed onto each other (a mislocated ear, or
#: a head turned more than about 60°), which on the pixelated-face webcam crop gave false side-bends.
MIN_EAR_SPAN = 0.15
#: Upper-arm length in the image (shoulder → elbow, fraction of the shoulder width) below which
#: ``*_arm_raise`` is not measured. Face-on the upper arm reads 0.7–0.8 shoulder widths (median over
#: the frames of the desk, upper, bundled webcam and sports clips; 10th percentile 0.54–0.71); below
#: half of that (0.35) it points more than about 60° out of the image plane, where its image direction
#: says little about how far it is raised, or the arm is outside the frame and the model has folded a
#: guessed elbow onto the chest: at the desk crop's edge (``data/webcam/desk.mp4`` frames 49–53, the
#: man's right arm out of the picture) the guessed elbow read 0.20–0.28 and a "hanging" −15…+18°,
#: which ended one arm raise early and reported it as two.
MIN_UPPER_ARM = 0.35


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
    if frontal:
        hike = shoulder_hike_to_trunk(landmarks)
        out["left_shoulder_hike"], out["right_shoulder_hike"] = hike, -hike
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
    if frontal:
        out.update(upper_body_signals(landmarks))
    return out


def shoulder_hike_to_trunk(landmarks: Landmarks) -> float:
    """Degrees by which the left shoulder sits above the perpendicular to the trunk line (mid-hip →
    mid-shoulder) through the mid-shoulder, in the image plane (face-on or from the back; the caller
    checks the view): asin(shoulder line · trunk line), unit vectors, + = the left shoulder higher
    along the trunk. A rigid sideways lean of the whole trunk turns both lines alike and reads 0;
    a hitch of the left shoulder by θ reads θ. NaN unless both shoulders and both hips are confident
    and inside the image (``laptop_signals.in_frame``): the shoulder line's tilt against the camera's
    horizontal, which this replaces, read a 40° trunk lean as a 40° hitch of the upper shoulder
    (a new-user audit, 2026-12-07), and without the hips the two cannot be told apart."""
    idx = [lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP]
    if not in_frame(landmarks, MIN_CONFIDENCE)[idx].all():
        return math.nan
    p = landmarks.image[idx, :2].astype(float)
    sh = p[0] - p[1]
    trunk = (p[0] + p[1]) / 2 - (p[2] + p[3]) / 2
    ns, nt = float(np.hypot(*sh)), float(np.hypot(*trunk))
    if ns == 0 or nt == 0:
        return math.nan
    return math.degrees(math.asin(max(-1.0, min(1.0, float(sh @ trunk) / (ns * nt)))))


def _tilt(v: np.ndarray) -> float:
    """Tilt (degrees) of a left − right vector in image pixels: + = the left point higher."""
    return math.degrees(math.atan2(-float(v[1]), abs(float(v[0]))))


def upper_body_signals(landmarks: Landmarks) -> dict[str, float]:
    """``neck_bend_*``, ``ear_shoulder_gap`` and ``*_arm_raise`` of one frame (module docstring;
    the caller checks the view). Needs both shoulders in the frame; NaN where a landmark is not."""
    names = ("neck_bend_left", "neck_bend_right", "ear_shoulder_gap", "left_arm_raise", "right_arm_raise")
    out = dict.fromkeys(names, math.nan)
    ok = in_frame(landmarks, MIN_CONFIDENCE)
    p = landmarks.image[:, :2].astype(float)
    if not (ok[lm.LEFT_SHOULDER] and ok[lm.RIGHT_SHOULDER]):
        return out
    sh = p[lm.LEFT_SHOULDER] - p[lm.RIGHT_SHOULDER]  # towards the person's left
    w = float(np.hypot(*sh))
    if w == 0:
        return out
    n = np.array([sh[1], -sh[0]]) / w
    if n[1] > 0:  # the head side is image up
        n = -n
    if ok[lm.LEFT_EAR] and ok[lm.RIGHT_EAR]:
        gaps = [
            float((p[e] - p[s]) @ n) / w
            for e, s in ((lm.LEFT_EAR, lm.LEFT_SHOULDER), (lm.RIGHT_EAR, lm.RIGHT_SHOULDER))
        ]
        face = float(np.hypot(*(p[lm.LEFT_EAR] - p[lm.RIGHT_EAR]))) / w
        if min(gaps) > 0 and face >= MIN_EAR_SPAN:  # module docstring: implausible ears are not used
            bend_right = _tilt(p[lm.LEFT_EAR] - p[lm.RIGHT_EAR]) - _tilt(sh)
            out["neck_bend_right"], out["neck_bend_left"] = bend_right, -bend_right
            out["ear_shoulder_gap"] = 100.0 * (gaps[0] + gaps[1]) / 2
    for side, s_i, e_i, outward in (
        ("left", lm.LEFT_SHOULDER, lm.LEFT_ELBOW, sh / w),
        ("right", lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW, -sh / w),
    ):
        if ok[e_i]:
            arm = p[e_i] - p[s_i]
            if np.hypot(*arm) >= MIN_UPPER_ARM * w:  # module docstring: a foreshortened arm is not measured
                a = math.degrees(math.atan2(float(arm @ outward), float(arm @ -n)))
                out[f"{side}_arm_raise"] = a + 360.0 if a < -90.0 else a
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
    pelvis = values.get("pelvic_tilt", math.nan)
    values["left_hip_hike"], values["right_hip_hike"] = pelvis, -pelvis
    d = derived_signals(landmarks, view)
    for k, v in d.items():
        if k not in values:
            values[k] = v
    values["trunk_forward_lean_hips_seen"] = _with_hips_seen(values.get("trunk_forward_lean", math.nan), landmarks)
    return values


#: 80% half-widths of the signals derived from landmarks, in each signal's unit (degrees, % of the
#: shoulder width for ``ear_shoulder_gap``, fractions of leg length for the lifts and the ankle
#: separation), both sides pooled: the 80th percentile of |error| of the model's landmarks against the
#: 4-camera reference's, projected into each view and put through ``derived_signals``, over every
#: frame the pipeline followed the right person in (``python bench/derived_signals.py``,
#: ``bench/results/derived_signals.json``, 2026-12-06; rerun 2026-12-07 with the shoulder hike against
#: the trunk, the others unchanged). The frontal ones come from 3 face-on or
#: from-the-back person-views (200–210 frames each), the lifts from all 8 (614 frames). Per
#: person-view the coverage of these is 54–100% (frontal) and 0–100% (lifts: a back-oblique view with
#: the model's left and right legs mirrored reads the other foot; no constant covers a mirror).
DERIVED_UNCERTAINTY: dict[str, float] = {
    "trunk_lean": 8.8,
    "shoulder_hike": 4.0,
    "neck_bend": 7.2,
    "arm_raise": 4.7,
    "ear_shoulder_gap": 5.4,
    "knee_valgus": 7.4,
    "ankle_separation": 0.055,
    "foot_lift": 0.083,
    "knee_lift": 0.10,
}
#: The same for the *change* of a derived signal from the person's own start (the error minus its
#: median over the clip's first 15 frames, same bench): what an exercise with ``baseline_s`` counts.
#: Not smaller except for the trunk lean (the model's errors here are not a steady offset).
DERIVED_CHANGE_UNCERTAINTY: dict[str, float] = {
    "trunk_lean": 5.5,
    "shoulder_hike": 5.0,
    "neck_bend": 6.7,
    "arm_raise": 5.9,
    "ear_shoulder_gap": 6.4,
    "knee_valgus": 10.9,
    "ankle_separation": 0.064,
    "foot_lift": 0.12,
    "knee_lift": 0.092,
}


def derived_base(name: str) -> str:
    """'left_arm_raise' → 'arm_raise', 'trunk_lean_right' → 'trunk_lean' (``DERIVED_UNCERTAINTY``'s keys)."""
    for prefix in ("left_", "right_"):
        name = name.removeprefix(prefix)
    for suffix in ("_left", "_right"):
        name = name.removesuffix(suffix)
    return name


#: ``DERIVED_UNCERTAINTY`` and ``DERIVED_CHANGE_UNCERTAINTY`` by signal name, both sides (built once:
#: ``signal_uncertainties`` runs every frame).
_DERIVED_UNC: dict[str, float] = {
    n: DERIVED_UNCERTAINTY[b] for n in DERIVED_NAMES if (b := derived_base(n)) in DERIVED_UNCERTAINTY
}
_DERIVED_CHANGE_UNC: dict[str, float] = {
    n: DERIVED_CHANGE_UNCERTAINTY[b] for n in DERIVED_NAMES if (b := derived_base(n)) in DERIVED_CHANGE_UNCERTAINTY
}


def signal_uncertainties(angles: AngleTable | None) -> dict[str, float]:
    """The 80% half-widths of the signals, in their units: for the canonical angles and those that
    follow from one (the hip hikes from the pelvic tilt, ``trunk_forward_lean_hips_seen``),
    ``AngleTable.uncertainty`` where the angle is valid; for the signals derived from landmarks,
    ``DERIVED_UNCERTAINTY`` (measured against the 4-camera reference). Empty without a table."""
    if angles is None:
        return {}
    out = dict(_DERIVED_UNC)
    out.update({a.name: a.uncertainty for a in angles if a.valid})
    if "pelvic_tilt" in out:
        out["left_hip_hike"] = out["right_hip_hike"] = out["pelvic_tilt"]
    if "trunk_forward_lean" in out:
        out["trunk_forward_lean_hips_seen"] = out["trunk_forward_lean"]
    return out


def change_uncertainties(uncertainties: Mapping[str, float]) -> dict[str, float]:
    """``uncertainties`` (``signal_uncertainties``) for signals counted as a change from the person's
    resting value (``baseline_s``): the derived signals take ``DERIVED_CHANGE_UNCERTAINTY``; the
    canonical angles keep their own (no change model has been measured for them: wider, not narrower)."""
    return {n: _DERIVED_CHANGE_UNC.get(n, u) for n, u in uncertainties.items()}


def _with_hips_seen(value: float, landmarks: Landmarks | None) -> float:
    """``value`` when at least one hip landmark is confident and inside the image, else NaN."""
    if landmarks is None or math.isnan(value):
        return math.nan
    ok = in_frame(landmarks, MIN_CONFIDENCE)
    return value if (ok[lm.LEFT_HIP] or ok[lm.RIGHT_HIP]) else math.nan


def signal_value(values: Mapping[str, float], template: str, side: str) -> float:
    """Value of a signal template for ``side`` (``left``/``right``); NaN when unknown."""
    other = "right" if side == "left" else "left"
    return float(values.get(template.replace("{side}", side).replace("{other}", other), math.nan))
