"""Overlays on constructed results: bones where the landmarks are, mirroring, verdict shapes, cue banner."""

from __future__ import annotations

import math

import numpy as np

from posture_feedback.annotate import (
    VERDICT_COLOURS,
    AngleAnnotator,
    CueAnnotator,
    GhostAnnotator,
    SkeletonAnnotator,
    _state_per_angle,
    render,
)
from posture_feedback.kinematics import compute_angles
from posture_feedback.types import Frame, FrameResult, Landmarks, TargetState, Verdict, View

W, H = 640, 480
POINTS = {
    "nose": (320, 80), "left_ear": (340, 85), "right_ear": (300, 85),
    "left_shoulder": (360, 150), "right_shoulder": (280, 150),
    "left_elbow": (380, 230), "right_elbow": (260, 230),
    "left_wrist": (390, 300), "right_wrist": (250, 300),
    "left_hip": (345, 300), "right_hip": (295, 300),
    "left_knee": (345, 380), "right_knee": (295, 380),
    "left_ankle": (345, 460), "right_ankle": (295, 460),
}  # fmt: skip


def _result(cue: str | None = None, targets: list[TargetState] | None = None, person: bool = True) -> FrameResult:
    image = np.zeros((H, W, 3), np.uint8)
    frame = Frame(image, 0, 0.0, 0.0, "test")
    if not person:
        return FrameResult(frame=frame)
    lms = Landmarks.from_points(POINTS, image_size=(W, H))
    angles = compute_angles(lms, View.FRONT)
    return FrameResult(frame=frame, people=[lms], target_index=0, landmarks=lms, view=View.FRONT,
                       angles=angles, targets=targets or [], cue=cue)  # fmt: skip


def _lit(img: np.ndarray, x: float, y: float, r: int = 2) -> bool:
    x, y = int(round(x)), int(round(y))
    return bool(img[y - r : y + r + 1, x - r : x + r + 1].max() > 100)


def test_skeleton_drawn_along_bones_and_nowhere_far() -> None:
    img = render(_result(), [SkeletonAnnotator()])
    mid = np.add(POINTS["left_hip"], POINTS["left_knee"]) / 2  # thigh
    assert _lit(img, *mid)
    assert not _lit(img, 40, 40)  # far from the body: untouched
    assert _result().frame.image.max() == 0  # the source frame itself is never drawn on


def test_mirror_flips_positions_not_anatomy() -> None:
    plain = render(_result(), [SkeletonAnnotator()])
    mirrored = render(_result(), [SkeletonAnnotator()], mirror=True)
    x, y = np.add(POINTS["left_hip"], POINTS["left_knee"]) / 2
    assert _lit(mirrored, W - 1 - x, y)
    # the skeleton is the mirror image of the plain one (up to anti-aliasing rounding)
    assert np.abs(mirrored.astype(int) - plain[:, ::-1].astype(int)).max() <= 16
    assert np.abs(mirrored.astype(int) - plain.astype(int)).max() > 200


def _state(angle: str, verdict: Verdict, value: float = 10.0) -> TargetState:
    """A value ±1° (within a 2° near band): drawn in its verdict's colour, as is a wider ± (test_grey_verdicts)."""
    return TargetState(target=angle, angle=angle, value=value, verdict=verdict, low=-5, high=5,
                       cue="cue" if verdict in (Verdict.LOW, Verdict.HIGH) else None, tolerance=2.0,
                       uncertainty=1.0)  # fmt: skip


def test_angle_marker_colour_follows_verdict() -> None:
    for verdict in (Verdict.IN_RANGE, Verdict.NEAR, Verdict.HIGH):
        res = _result(targets=[_state("left_elbow_flexion", verdict)])
        img = render(res, [AngleAnnotator()])
        x, y = POINTS["left_elbow"]
        patch = img[y - 12 : y + 13, x - 12 : x + 13].reshape(-1, 3)
        colour = np.array(VERDICT_COLOURS[verdict])
        assert (np.abs(patch.astype(int) - colour).sum(axis=1) < 30).sum() > 10, verdict


def test_out_of_range_shows_an_arrow_beyond_the_joint() -> None:
    res = _result(targets=[_state("left_elbow_flexion", Verdict.LOW)])
    img = render(res, [AngleAnnotator()])
    x, y = POINTS["left_elbow"]
    assert _lit(img, x, y - 20)  # LOW: arrow points up (raise the value)


def test_cue_banner_and_step_into_view() -> None:
    with_cue = render(_result(cue="Level your shoulders"), [CueAnnotator()])
    assert with_cue[H - 20 :, :].mean() > 20 and with_cue[: H // 2].max() == 0
    nobody = render(_result(person=False), [CueAnnotator()])
    assert nobody[H - 20 :, :].mean() > 20  # "Step into view" banner
    assert render(_result(cue=None), [CueAnnotator()]).max() == 0  # nothing to say: nothing drawn


def test_ghost_is_blended_not_opaque() -> None:
    ghost = Landmarks.from_points({k: (x + 100, y) for k, (x, y) in POINTS.items()}, image_size=(W, H))
    img = render(_result(), [GhostAnnotator(ghost=ghost, opacity=0.5)])
    x, y = np.add(POINTS["left_hip"], POINTS["left_knee"]) / 2 + (100, 0)
    px = img[int(y), int(x)].astype(int)
    assert 0 < px.max() < 255 * 0.6


def test_most_severe_state_wins_per_angle() -> None:
    states = [_state("trunk_inclination", Verdict.IN_RANGE), _state("trunk_inclination", Verdict.HIGH),
              _state("trunk_inclination", Verdict.UNKNOWN)]  # fmt: skip
    assert _state_per_angle(states)["trunk_inclination"].verdict == Verdict.HIGH
    assert math.isfinite(states[0].value)


def test_no_arc_is_drawn_over_a_label(monkeypatch) -> None:
    """Audit 27: on `analyze --annotated` the hip flexion's arc ran through the trunk lean's label, drawn before
    it. Every arc is drawn first, then every label's plate and text."""
    import posture_feedback.annotate as an

    calls: list[str] = []
    real_ellipse, real_plate = an.cv2.ellipse, an._plate
    monkeypatch.setattr(an.cv2, "ellipse", lambda *a, **k: calls.append("arc") or real_ellipse(*a, **k))
    monkeypatch.setattr(an, "_plate", lambda *a, **k: calls.append("label") or real_plate(*a, **k))
    names = ("left_elbow_flexion", "right_elbow_flexion", "left_knee_flexion", "trunk_inclination")
    result = _result()
    result.angles.uncertainty[:] = 5.0  # values precise enough to be drawn on their own (kinematics.bounded)
    render(result, [AngleAnnotator(names)])
    assert calls.count("arc") == 3 and calls.count("label") == 4, calls
    assert calls.index("label") > max(i for i, c in enumerate(calls) if c == "arc"), calls


def test_a_bare_value_is_drawn_only_within_the_bound() -> None:
    """A drawn angle without a target is written without its ± ("41°"), so it is drawn only while
    that ± is within ``kinematics.VALID_MAX_UNCERTAINTY`` (15°), as ``analyze``'s ``valid_`` column
    says of a value on its own; a wider one is left out, not shown as a number it may be 20° from."""
    name = "left_elbow_flexion"
    precise, loose = _result(), _result()
    precise.angles.uncertainty[:] = 14.0
    loose.angles.uncertainty[:] = 16.0
    blank = render(_result(person=False), [AngleAnnotator((name,))])
    assert (render(precise, [AngleAnnotator((name,))]) != blank).any()
    assert (render(loose, [AngleAnnotator((name,))]) == blank).all()
