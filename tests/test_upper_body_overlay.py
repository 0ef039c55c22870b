"""The skeleton overlay draws no guessed hips: with the hips out of view (``framing.py``) no hip,
knee or ankle joint or bone is drawn; with them in view they are (one truth per frame)."""

from __future__ import annotations

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.annotate import GhostAnnotator, SkeletonAnnotator, drawn_joints, render
from posture_feedback.framing import Framing, classify_framing
from posture_feedback.types import Frame, FrameResult, Landmarks, View

W, H = 640, 480
#: A person face-on, shoulders 80 px apart (so framing's edge margin is 0.25 × 80 = 20 px).
UPPER_BODY = {
    "nose": (320, 230), "left_ear": (340, 235), "right_ear": (300, 235),
    "left_shoulder": (360, 300), "right_shoulder": (280, 300),
    "left_elbow": (380, 380), "right_elbow": (260, 380),
    "left_wrist": (390, 440), "right_wrist": (250, 440),
}  # fmt: skip
LOWER = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")


def _pose(hip_y: float, knee_y: float | None = None) -> Landmarks:
    """UPPER_BODY with hips at ``hip_y`` (image px; may be inside the frame near its bottom edge, as the
    model puts hips hidden by a desk) and knees/ankles 80/160 px lower unless ``knee_y`` is given."""
    knee_y = hip_y + 80 if knee_y is None else knee_y
    pts = dict(UPPER_BODY)
    pts |= {"left_hip": (345, hip_y), "right_hip": (295, hip_y), "left_knee": (345, knee_y),
            "right_knee": (295, knee_y), "left_ankle": (345, knee_y + 80),
            "right_ankle": (295, knee_y + 80)}  # fmt: skip
    return Landmarks.from_points(pts, image_size=(W, H))


def _result(person: Landmarks) -> FrameResult:
    frame = Frame(np.zeros((H, W, 3), np.uint8), 0, 0.0, 0.0, "test")
    return FrameResult(frame=frame, people=[person], target_index=0, landmarks=person, view=View.FRONT)


def _lit(img: np.ndarray, x: float, y: float, r: int = 2) -> bool:
    x, y = int(round(x)), int(round(y))
    return bool(img[max(y - r, 0) : y + r + 1, max(x - r, 0) : x + r + 1].max() > 100)


def _mid(a: str, b: str, points: Landmarks) -> tuple[float, float]:
    xy = points.xy
    return tuple((xy[lm.INDEX[a]] + xy[lm.INDEX[b]]) / 2)  # type: ignore[return-value]


def test_hips_inside_the_frame_but_at_its_edge_are_not_drawn() -> None:
    # hips 10 px above the bottom edge (inside the image, within the 20 px margin): the desk framing
    person = _pose(hip_y=470)
    assert classify_framing(person) is Framing.HEAD_CHEST
    ok = drawn_joints(person)
    assert not ok[[lm.INDEX[n] for n in LOWER]].any()
    assert ok[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_ELBOW, lm.NOSE]].all()
    for mirror in (False, True):
        img = render(_result(person), [SkeletonAnnotator()], mirror=mirror)
        fx = (lambda x: W - 1 - x) if mirror else (lambda x: x)
        x, y = _mid("left_hip", "right_hip", person)
        assert not _lit(img, fx(x), y), "hip line drawn"
        # the trunk sides (shoulder → hip) end at the guessed hips: not drawn either
        for side in ("left", "right"):
            x, y = _mid(f"{side}_shoulder", f"{side}_hip", person)
            assert not _lit(img, fx(x), y), f"{side} trunk side drawn"
        # what is measured is still drawn: the shoulder line and the upper arms
        x, y = _mid("left_shoulder", "right_shoulder", person)
        assert _lit(img, fx(x), y)
        x, y = _mid("left_shoulder", "left_elbow", person)
        assert _lit(img, fx(x), y)


def test_hips_below_the_frame_edge_leave_the_bottom_rows_dark() -> None:
    person = _pose(hip_y=540)  # below the 480 px frame: the segments would cross the bottom rows
    img = render(_result(person), [SkeletonAnnotator()])
    # rows 455-479 between the arms (x 270-370) would hold only the trunk sides running to the hips
    assert img[455:, 270:371].max() == 0
    assert SkeletonAnnotator(hide_out_of_view=False).annotate(np.zeros((H, W, 3), np.uint8),
                                                              _result(person))[455:, 270:371].max() > 100  # fmt: skip


def test_hips_in_view_are_drawn_and_knees_below_the_frame_are_not() -> None:
    person = _pose(hip_y=400, knee_y=475)  # hips 80 px inside the frame, knees at its edge
    assert classify_framing(person) is Framing.UPPER
    ok = drawn_joints(person)
    assert ok[[lm.LEFT_HIP, lm.RIGHT_HIP]].all()
    assert not ok[[lm.LEFT_KNEE, lm.RIGHT_KNEE, lm.LEFT_ANKLE, lm.RIGHT_ANKLE]].any()
    img = render(_result(person), [SkeletonAnnotator()])
    assert _lit(img, *_mid("left_hip", "right_hip", person))
    assert _lit(img, *_mid("left_shoulder", "left_hip", person))
    assert not _lit(img, *_mid("left_hip", "left_knee", person), r=1)


def test_full_body_in_view_draws_the_legs() -> None:
    full = Landmarks.from_points(
        {**{k: (x, y - 250) for k, (x, y) in UPPER_BODY.items()}, "left_hip": (345, 200), "right_hip": (295, 200),
         "left_knee": (345, 290), "right_knee": (295, 290), "left_ankle": (345, 380), "right_ankle": (295, 380)},
        image_size=(W, H),
    )  # fmt: skip
    assert classify_framing(full) is Framing.FULL
    assert drawn_joints(full)[[lm.INDEX[n] for n in LOWER]].all()
    img = render(_result(full), [SkeletonAnnotator()])
    assert _lit(img, *_mid("left_knee", "left_ankle", full))


def test_the_ghost_of_a_demonstration_is_not_a_measurement_and_keeps_its_legs() -> None:
    person = _pose(hip_y=470)
    img = render(_result(person), [GhostAnnotator(ghost=person, opacity=1.0)])
    assert _lit(img, *_mid("left_hip", "right_hip", person))


def test_the_bundled_desk_sample_draws_no_hips() -> None:
    """The real model on the bundled webcam crop (head to the lower ribs, hips below the frame,
    ``sample_videos/README.md``): the model still returns confident hips *inside* the frame near its
    bottom edge; from frame 4 on (frames 0-3: the model's start-up misplacement, docs/laptop_coach.md)
    the framing is head_chest and no hip or leg joint is drawn, the shoulders are."""
    from posture_feedback.pipeline import iter_results
    from posture_feedback.resources import sample_video

    results = list(iter_results(sample_video("lab_desk_webcam.mp4"), max_frames=40))[4:]
    people = [r.landmarks for r in results if r.landmarks is not None]
    assert len(people) >= 30
    hips = [lm.LEFT_HIP, lm.RIGHT_HIP]
    guessed_inside = [p for p in people if ((p.confidence()[hips] >= 0.5) & (p.image[hips, 1] < H)).all()]
    assert len(guessed_inside) >= 5  # what the overlay used to draw (9 of frames 4-39 when written)
    for p in people:
        assert classify_framing(p) is Framing.HEAD_CHEST
        assert not drawn_joints(p)[[lm.INDEX[n] for n in LOWER]].any()
        assert drawn_joints(p)[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER]].all()


def test_the_monitors_display_path_hides_them_too(qtbot) -> None:  # noqa: ANN001 - qtbot: a QApplication
    """``ui.render.render_for_display`` scales the frame and landmarks to the monitor's 360×200 box
    before drawing: the framing decision is the same at display size."""
    from posture_feedback.ui.render import render_for_display

    person = _pose(hip_y=470)
    shown = render_for_display(_result(person), (SkeletonAnnotator(),), mirror=False, box=(360, 200))
    s = shown.scale
    assert s < 0.5
    img = shown.image
    x, y = _mid("left_hip", "right_hip", person)
    assert not _lit(img, x * s, y * s, r=1)
    x, y = _mid("left_shoulder", "right_shoulder", person)
    assert _lit(img, x * s, y * s, r=1)
    inside = _pose(hip_y=400, knee_y=475)
    shown = render_for_display(_result(inside), (SkeletonAnnotator(),), mirror=True, box=(360, 200))
    x, y = _mid("left_hip", "right_hip", inside)
    assert _lit(shown.image, shown.image.shape[1] - 1 - x * shown.scale, y * shown.scale, r=1)


def _face_on_chest() -> Landmarks:
    """UPPER_BODY with the face where the model put it on a twentieth audit's zoomed clip: ears 50 px and
    the nose 130 px below the shoulders (the real face unfound), hips out of the frame."""
    pts = dict(UPPER_BODY)
    pts |= {"left_ear": (345, 350), "right_ear": (295, 350), "nose": (320, 430)}
    return Landmarks.from_points(pts, image_size=(W, H))


def test_a_face_the_model_put_below_the_shoulders_is_not_drawn() -> None:
    """A twentieth audit saw a white "V" on the chest of the zoomed clip: the bones ear → nose of a
    face the model placed below both shoulders. It is not drawn; a face above them is."""
    from posture_feedback.annotate import ARM_JOINTS, FACE_JOINTS
    from posture_feedback.garbled_face import face_below_shoulders

    def confident(person: Landmarks) -> np.ndarray:
        return person.confidence() >= 0.5

    assert lm.LEFT_HIP not in ARM_JOINTS and lm.RIGHT_HIP not in ARM_JOINTS
    chest = _face_on_chest()
    assert face_below_shoulders(chest, confident(chest))
    ok = drawn_joints(chest)
    assert not ok[list(FACE_JOINTS)].any() and ok[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER]].all()
    img = render(_result(chest), [SkeletonAnnotator()])
    for side in ("left", "right"):
        assert not _lit(img, *_mid(f"{side}_ear", "nose", chest)), f"{side} ear → nose drawn"
    assert _lit(img, *_mid("left_shoulder", "right_shoulder", chest))
    upright = _pose(hip_y=540)  # the face above the shoulders: drawn, bones and all
    assert not face_below_shoulders(upright, confident(upright))
    assert _lit(render(_result(upright), [SkeletonAnnotator()]), *_mid("left_ear", "nose", upright))
    # a person lying across the picture (shoulder line 90° from level): "below" means nothing there
    lying = Landmarks.from_points({"left_shoulder": (300, 200), "right_shoulder": (300, 280), "nose": (240, 400),
                                   "left_ear": (250, 380), "right_ear": (250, 390)}, image_size=(W, H))  # fmt: skip
    assert not face_below_shoulders(lying, confident(lying))


def test_an_arm_joint_outside_the_picture_is_not_drawn() -> None:
    """The model gives elbows and wrists outside the picture confidently (the bundled desk sample: the
    right elbow up to 81 px left of the frame at 0.52-0.76, frames 78-90): no joint and no bone to it.
    One inside the picture, even at its edge, is drawn (the desk sample's arms hang to its bottom edge)."""
    pts = dict(UPPER_BODY)
    pts |= {"right_elbow": (-40, 380), "right_wrist": (-90, 430), "left_elbow": (380, 470)}
    person = Landmarks.from_points(pts, image_size=(W, H))
    ok = drawn_joints(person)
    assert not ok[[lm.RIGHT_ELBOW, lm.RIGHT_WRIST]].any()
    assert ok[lm.LEFT_ELBOW]  # 10 px above the bottom edge, inside the picture
    img = render(_result(person), [SkeletonAnnotator()])
    assert not _lit(img, *_mid("right_shoulder", "right_elbow", person)), "bone to an elbow outside drawn"
    assert _lit(img, *_mid("left_shoulder", "left_elbow", person))


def test_the_real_models_face_on_the_chest_of_a_near_person_is_not_drawn(tmp_path) -> None:
    """The real model on the webcam box of the bundled cam02 frame 10 (the man upright, face-on), then the
    same seen 1.45× nearer, as the twentieth audit's clip: on the near frames the model puts the face on
    the chest, below both shoulders, confidently. The overlay, in the windows' display path
    (``render_for_display``, as the mirror and the monitor draw it), leaves it out; on the upright
    frames the face is drawn."""
    import cv2
    from laptop_frames import box, source_frame

    from posture_feedback.annotate import FACE_JOINTS
    from posture_feedback.pipeline import iter_results
    from posture_feedback.ui.render import render_for_display

    src = source_frame(10)
    clip = tmp_path / "near.mp4"
    out = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"mp4v"), 10.0, (W, H))
    for frame in [box(src)] * 12 + [box(src, 420 / 1.45)] * 20:
        out.write(frame)
    out.release()
    results = list(iter_results(clip))
    upright = [r for r in results[:12] if r.landmarks is not None and not r.acquiring]
    assert upright and all(drawn_joints(r.landmarks)[lm.NOSE] for r in upright)
    near = [r for r in results[12:] if r.landmarks is not None]
    def below(p: Landmarks) -> bool:  # nose and ears lower in the picture than both shoulders
        y = p.image[:, 1]
        return bool((y[[lm.NOSE, lm.LEFT_EAR, lm.RIGHT_EAR]] > y[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER]].max()).all())

    on_chest = [r for r in near if below(r.landmarks)]
    assert len(on_chest) >= len(near) // 2, "the model found the face here: this test's premise is gone"
    for r in on_chest:
        p = r.landmarks
        assert (p.confidence()[[lm.NOSE, lm.LEFT_EAR, lm.RIGHT_EAR]] >= 0.5).all()  # what used to be drawn
        assert not drawn_joints(p)[list(FACE_JOINTS)].any()
        shown = render_for_display(r, (SkeletonAnnotator(),), mirror=True, box=(360, 200))
        bare = render_for_display(r, (), mirror=True, box=(360, 200)).image.astype(int)
        drawn = np.abs(shown.image.astype(int) - bare).max(axis=2)  # what the overlay changed
        s, w = shown.scale, shown.image.shape[1]
        for ear in (lm.LEFT_EAR, lm.RIGHT_EAR):  # the V's arms, in the mirrored display picture
            x, y = (p.image[ear, :2] + p.image[lm.NOSE, :2]) / 2
            xi, yi = int(round(w - 1 - x * s)), int(round(y * s))
            assert drawn[yi - 1 : yi + 2, xi - 1 : xi + 2].max() < 20, "ear → nose drawn on the chest"
        x, y = (p.image[lm.LEFT_SHOULDER, :2] + p.image[lm.RIGHT_SHOULDER, :2]) / 2  # the shoulders are
        assert drawn[int(round(y * s)) - 1 : int(round(y * s)) + 2,
                     int(round(w - 1 - x * s)) - 1 : int(round(w - 1 - x * s)) + 2].max() > 60  # fmt: skip
