"""A face the model put below the shoulders (``garbled_face``): one rule for what is drawn and what
is measured. Hand-worked poses in image pixels, and the real model on a frame where it does this."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from posture_feedback.annotate import GhostAnnotator, SkeletonAnnotator
from posture_feedback.garbled_face import face_below_shoulders
from posture_feedback.kinematics import compute_angles
from posture_feedback.types import Landmarks, View

UPRIGHT = {  # face-on, shoulders 200 px apart at y = 300
    "left_shoulder": (420.0, 300.0), "right_shoulder": (220.0, 300.0),
    "left_ear": (360.0, 160.0), "right_ear": (280.0, 162.0), "nose": (320.0, 180.0),
    "left_hip": (390.0, 600.0), "right_hip": (250.0, 600.0),
}  # fmt: skip
#: The audit's frame, scaled: ears 0.07-0.1 and the nose 0.37 shoulder widths below the shoulder line.
ON_CHEST = {**UPRIGHT, "left_ear": (360.0, 314.0), "right_ear": (280.0, 320.0), "nose": (320.0, 374.0)}


def pose(points: dict, world_z: float = 0.0) -> Landmarks:
    lmk = Landmarks.from_points(points, image_size=(640, 720))
    world = lmk.image / 1000.0
    world[:, 2] = world_z
    return Landmarks(image=lmk.image, world=world, visibility=lmk.visibility, presence=lmk.presence,
                     image_size=(640, 720))  # fmt: skip


def ok(lmk: Landmarks) -> np.ndarray:
    return lmk.confidence() >= 0.5


def test_a_face_on_the_chest_is_garbled_and_a_face_above_is_not() -> None:
    assert face_below_shoulders(pose(ON_CHEST), ok(pose(ON_CHEST)))
    assert not face_below_shoulders(pose(UPRIGHT), ok(pose(UPRIGHT)))
    one_ear = {k: v for k, v in ON_CHEST.items() if k != "right_ear"}
    assert face_below_shoulders(pose(one_ear), ok(pose(one_ear)))
    # a head leaning 90° forward, face-on: its ears exactly on the shoulder line, the nose below: not garbled
    level = {**UPRIGHT, "left_ear": (360.0, 300.0), "right_ear": (280.0, 300.0), "nose": (320.0, 330.0)}
    assert not face_below_shoulders(pose(level), ok(pose(level)))
    # lying across the picture: "below" means nothing
    lying = {"left_shoulder": (300.0, 200.0), "right_shoulder": (300.0, 400.0), "nose": (200.0, 450.0),
             "left_ear": (220.0, 420.0), "right_ear": (220.0, 440.0)}  # fmt: skip
    assert not face_below_shoulders(pose(lying), ok(pose(lying)))


def test_no_head_angle_is_measured_from_a_face_on_the_chest() -> None:
    """Before: head tilt 6-7° *valid* from ears on the chest (a twenty-second audit), and a neutral
    that stored it. Now the head angles are missing; the shoulders and trunk are measured as before."""
    chest = compute_angles(pose(ON_CHEST), View.FRONT, azimuth_deg=0.0)
    for name in ("head_tilt", "head_forward_lean", "craniovertebral_angle"):
        assert math.isnan(chest[name].value) and not chest[name].valid, name
    upright = compute_angles(pose(UPRIGHT), View.FRONT, azimuth_deg=0.0)
    assert upright["head_tilt"].value == pytest.approx(math.degrees(math.atan2(2.0, 80.0)), abs=0.05)
    assert chest["shoulder_tilt"].value == pytest.approx(upright["shoulder_tilt"].value)
    assert chest["trunk_inclination"].value == pytest.approx(upright["trunk_inclination"].value, abs=1e-6)


def _face_pixels(img: np.ndarray) -> int:
    return int((img[330:390, 270:370].max(axis=2) > 0).sum())  # around the ears and nose on the chest


def test_neither_the_skeleton_nor_the_neutrals_ghost_draws_a_face_on_the_chest() -> None:
    from posture_feedback.types import Frame, FrameResult

    chest = pose(ON_CHEST)
    frame = Frame(image=np.zeros((720, 640, 3), np.uint8), index=0, timestamp_s=0.0, captured_at=0.0)
    result = FrameResult(frame=frame, landmarks=chest, people=[chest], target_index=0)
    skeleton = SkeletonAnnotator(show_others=False).annotate(np.zeros((720, 640, 3), np.uint8), result)
    ghost = GhostAnnotator(ghost=chest, opacity=1.0).annotate(np.zeros((720, 640, 3), np.uint8), result)
    assert _face_pixels(skeleton) == 0 and _face_pixels(ghost) == 0
    shown = GhostAnnotator(ghost=pose(UPRIGHT), opacity=1.0).annotate(np.zeros((720, 640, 3), np.uint8), result)
    assert (shown[150:190, 270:370].max(axis=2) > 0).sum() > 0  # a face above the shoulders is drawn


ACCURACY = Path(__file__).resolve().parents[2] / "shared" / "accuracy"


@pytest.mark.skipif(not (ACCURACY / "data" / "webcam" / "upper.mp4").exists(), reason="accuracy set not present")
def test_real_model_face_on_the_chest_gives_no_head_angle(tmp_path: Path) -> None:
    """Frame 0 of the accuracy set's upper crop held still: the real model puts the face on the
    chest (ears 0.07-0.1 and nose 0.37 shoulder widths below the shoulders, confidence 0.93-0.99)
    for the whole clip. ``analyze`` gave head tilt 7° valid in 112 of 120 rows; now no head angle."""
    import cv2

    from posture_feedback.cli import main

    cap = cv2.VideoCapture(str(ACCURACY / "data" / "webcam" / "upper.mp4"))
    ok_, first = cap.read()
    cap.release()
    assert ok_
    video = tmp_path / "still.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (640, 480))
    for _ in range(40):
        writer.write(first)
    writer.release()
    out = tmp_path / "still.csv"
    assert main(["analyze", "--video", str(video), "--validity", "--out", str(out), "--no-progress"]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 40
    assert not any(r["valid_head_tilt"] == "1" for r in rows)
    assert not any(r["valid_shoulder_tilt"] == "" for r in rows if r["person"] == "1")
