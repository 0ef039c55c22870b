"""How much of the person the camera frames, and what that means for the angles that need the hips.

A laptop webcam usually frames head to chest: the hips are below the desk edge. The model still
returns hip landmarks there, often *inside* the frame near its bottom edge and with a high
presence (on the accuracy set's desk crop, head to the lower ribs, the model put both hips inside
the 480 px frame in 50% of the frames, 80–100 px above where the 4-camera reference projects
them). So a joint counts as in view only when it is confident and at least ``EDGE_MARGIN`` shoulder
widths inside the image edges.

Framings (``classify_framing``):

* ``head_chest``: the shoulders are in view, the hips are not (the laptop framing);
* ``upper``: hips in view, knees not;
* ``full``: hips and knees in view;
* ``none``: not even both shoulders in view.

``apply_framing`` makes the angle table honest for the framing: with the hips out of view the
angles that use a hip landmark as a joint (hip and knee flexion, shoulder elevation, pelvic tilt)
are missing, and the trunk lines (``trunk_inclination``, ``trunk_forward_lean``,
``trunk_lateral_lean``) keep their value but are not valid and carry ``HIPS_OUT_UNCERTAINTY`` more
degrees of uncertainty (``trunk_forward_lean``: ``HIPS_OUT_UNCERTAINTY_BY_ANGLE``): never a
confident guess.
"""

from __future__ import annotations

import enum
import math

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.types import AngleTable, Landmarks

#: A joint this many shoulder widths (or less) from an image edge is not counted as in view.
#: 0.25 keeps the hips of the accuracy set's upper crop (head to mid-thigh) in view in 90% of its
#: frames and out of view in 95% of the desk crop's (bench/laptop_signals.py data).
EDGE_MARGIN = 0.25
#: Degrees added to the trunk lines' uncertainty when the hips are out of view: the extra error of
#: ``trunk_inclination`` on the desk crop (hips out, MAE 11.7°) over the upper crop (hips in, 4.6°),
#: ``python ../shared/accuracy/webcam.py --score DIR`` when it was set (2026-12-06); at 133b141, with
#: the scene's vertical applied, the same score gives 8.4° against 2.3° (6.1° more), still within it.
HIPS_OUT_UNCERTAINTY = 7.0
#: The same for ``trunk_forward_lean``, a depth measurement face-on, whose guessed hips cost more:
#: MAE 26.4° on the desk crop against 11.2° on the upper crop (2026-12-07, frames with a
#: reference); with 7° its ± held the error in 67% of the desk crop's frames, with 15° in 84%.
HIPS_OUT_UNCERTAINTY_BY_ANGLE: dict[str, float] = {"trunk_forward_lean": 15.0}

#: Angles with a hip landmark as one of their joints: missing when the hips are out of view.
HIP_JOINT_ANGLES: frozenset[str] = frozenset(
    {
        "left_hip_flexion",
        "right_hip_flexion",
        "left_knee_flexion",
        "right_knee_flexion",
        "left_shoulder_elevation",
        "right_shoulder_elevation",
        "pelvic_tilt",
    }
)
#: Trunk lines (mid-hip → mid-shoulder): kept, but invalid and more uncertain with the hips out of view.
TRUNK_ANGLES: frozenset[str] = frozenset({"trunk_inclination", "trunk_forward_lean", "trunk_lateral_lean"})


class Framing(str, enum.Enum):
    """How much of the person is in the frame."""

    FULL = "full"
    UPPER = "upper"
    HEAD_CHEST = "head_chest"
    NONE = "none"

    def __str__(self) -> str:
        return self.value


def in_view(landmarks: Landmarks, min_visibility: float = 0.5, margin: float = EDGE_MARGIN) -> np.ndarray:
    """(33,) True where a landmark is confident and at least ``margin`` shoulder widths inside the
    image edges (the shoulder width in pixels; 0 px margin when the shoulders are not both seen)."""
    w, h = landmarks.image_size
    xy = landmarks.image[:, :2]
    conf = landmarks.confidence() >= min_visibility
    sw = 0.0
    if conf[lm.LEFT_SHOULDER] and conf[lm.RIGHT_SHOULDER]:
        sw = float(np.hypot(*(xy[lm.LEFT_SHOULDER] - xy[lm.RIGHT_SHOULDER])))
    m = margin * sw if math.isfinite(sw) else 0.0
    x, y = xy[:, 0], xy[:, 1]
    inside = (x >= m) & (x <= w - m) & (y >= m) & (y <= h - m)
    return conf & inside & np.isfinite(xy).all(axis=1)


def hips_in_view(landmarks: Landmarks, min_visibility: float = 0.5) -> bool:
    """Both hips confident and clear of the image edges (``in_view``)."""
    ok = in_view(landmarks, min_visibility)
    return bool(ok[lm.LEFT_HIP] and ok[lm.RIGHT_HIP])


def classify_framing(landmarks: Landmarks | None, min_visibility: float = 0.5) -> Framing:
    """The framing of one frame (see the module docstring)."""
    if landmarks is None:
        return Framing.NONE
    # shoulders and the head may touch the edge: only the lower joints need the margin
    near = in_view(landmarks, min_visibility, margin=0.0)
    if not (near[lm.LEFT_SHOULDER] and near[lm.RIGHT_SHOULDER]):
        return Framing.NONE
    ok = in_view(landmarks, min_visibility)
    if not (ok[lm.LEFT_HIP] and ok[lm.RIGHT_HIP]):
        return Framing.HEAD_CHEST
    if ok[lm.LEFT_KNEE] or ok[lm.RIGHT_KNEE]:
        return Framing.FULL
    return Framing.UPPER


def apply_framing(table: AngleTable, landmarks: Landmarks | None, min_visibility: float = 0.5) -> AngleTable:
    """The table made honest for the framing (module docstring); unchanged when the hips are in view."""
    if landmarks is None or hips_in_view(landmarks, min_visibility):
        return table
    values, valid, unc = table.values.copy(), table.valid.copy(), table.uncertainty.copy()
    for i, name in enumerate(table.names):
        if name in HIP_JOINT_ANGLES:
            values[i], valid[i], unc[i] = math.nan, False, math.nan
        elif name in TRUNK_ANGLES and not math.isnan(values[i]):
            valid[i] = False
            extra = HIPS_OUT_UNCERTAINTY_BY_ANGLE.get(name, HIPS_OUT_UNCERTAINTY)
            unc[i] = (unc[i] if math.isfinite(unc[i]) else 0.0) + extra
    return AngleTable(values=values, valid=valid, uncertainty=unc, names=table.names)
