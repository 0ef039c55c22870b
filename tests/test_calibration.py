"""Camera, neutral and scale calibration: exact checks on constructed poses, and the real model on a rotated video."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from posture_feedback import landmarks as lm
from posture_feedback.calibration.camera import (
    CalibrationError,
    CameraCalibration,
    estimate_camera,
    image_tilt_deg,
    rotate_image,
)
from posture_feedback.calibration.neutral import NeutralPosture, capture_neutral
from posture_feedback.calibration.scale import HEIGHT_PER_NOSE_ANKLE, scale_from_height, scale_from_marker
from posture_feedback.calibration.store import CalibrationStore
from posture_feedback.kinematics import compute_angles, pose_with_angles
from posture_feedback.types import ANGLE_INDEX, ANGLE_NAMES, AngleTable, Landmarks, View


def standing(roll: float = 0.0, pitch: float = 0.0, **kw) -> Landmarks:
    """A constructed person standing straight, seen by a camera with this roll and pitch (degrees)."""
    up = CameraCalibration(roll_deg=roll, pitch_deg=pitch).up_vector()
    return pose_with_angles(up=up, image_size=(1280, 720), **kw)


# -- camera: constructed poses --------------------------------------------------------------------


def test_up_vector_of_level_camera_is_minus_y():
    np.testing.assert_allclose(CameraCalibration.level().up_vector(), [0.0, -1.0, 0.0], atol=1e-12)


@pytest.mark.parametrize(("roll", "pitch"), [(0.0, 0.0), (8.0, 0.0), (-12.5, 0.0), (5.0, 10.0), (-3.0, -7.0)])
def test_estimate_camera_recovers_roll_and_pitch_exactly(roll, pitch):
    frames = [standing(roll, pitch)] * 20
    cal = estimate_camera(frames, camera="constructed")
    assert cal.roll_deg == pytest.approx(roll, abs=1e-9)
    assert cal.pitch_deg == pytest.approx(pitch, abs=1e-9)
    assert cal.axis == "ankle"
    assert cal.n_frames == 20 and cal.spread == pytest.approx(0.0, abs=1e-9)
    expected_up = CameraCalibration(roll_deg=roll, pitch_deg=pitch).up_vector()
    np.testing.assert_allclose(cal.up_vector(), expected_up, atol=1e-12)


def test_up_vector_makes_kinematics_level_again():
    """Level shoulders seen by a camera rolled 8°: 8° of tilt without the calibration, 0° with it."""
    pose = standing(8.0, 0.0)
    raw = compute_angles(pose, View.FRONT)
    cal = estimate_camera([pose] * 15)
    fixed = compute_angles(pose, View.FRONT, up=cal.up_vector())
    assert abs(raw.value("shoulder_tilt")) == pytest.approx(8.0, abs=1e-6)
    assert fixed.value("shoulder_tilt") == pytest.approx(0.0, abs=1e-9)
    assert fixed.value("trunk_inclination") == pytest.approx(0.0, abs=1e-6)


def test_hip_axis_used_when_the_legs_are_bent():
    """Sitting (knees bent 90°): the ankle axis is not straight, so the hip → shoulder axis is used."""
    frames = [standing(6.0, 0.0, left_leg=(90, 90), right_leg=(90, 90))] * 15
    cal = estimate_camera(frames, model_error={})  # exact landmarks: the model's error does not apply
    assert cal.axis == "hip"
    assert cal.roll_deg == pytest.approx(6.0, abs=1e-9)


def test_moving_frames_are_dropped():
    still = [standing(4.0)] * 20
    leaning = [standing(25.0)] * 4  # the person swayed for a moment
    cal = estimate_camera(still + leaning)
    assert cal.n_frames == 20
    assert cal.roll_deg == pytest.approx(4.0, abs=1e-9)


def test_level_points_and_line_tilt_correction():
    cal = CameraCalibration(roll_deg=8.0)
    size = (1280, 720)
    rotated = rotate_image(np.zeros((720, 1280, 3), np.uint8), 8.0)
    assert rotated.shape == (720, 1280, 3)
    # A level segment rotated by +8° with OpenCV's matrix comes back level.
    pts = np.array([[500.0, 300.0], [700.0, 300.0]])
    m = cv2.getRotationMatrix2D((640.0, 360.0), 8.0, 1.0)
    rot = pts @ m[:, :2].T + m[:, 2]
    assert image_tilt_deg(np.array([0.0, -1.0]) @ m[:, :2].T) == pytest.approx(8.0)
    back = cal.level_points(rot, size)
    np.testing.assert_allclose(back, pts, atol=1e-9)
    # 2D tilt (left end higher positive): facing the camera a CCW roll lifts the person's left.
    assert cal.correct_line_tilt(8.0, View.FRONT) == pytest.approx(0.0)
    assert cal.correct_line_tilt(-8.0, View.BACK) == pytest.approx(0.0)
    assert cal.correct_line_tilt(3.0, View.SIDE) == 3.0


def test_a_person_who_leaves_part_way_is_refused_as_for_the_neutral():
    """An audit (2026-12) calibrated from a person in view for 1.1 s of a 3 s capture ("34 frames,
    measured"). The neutral's in-view rule now holds here too: in view in >= 80 % of the frames.
    Constructed: 34 frames standing, 56 with nobody (None, as a pipeline result without a person):
    refused with the count; 34 standing and 6 empty (85 %) still calibrate."""
    with pytest.raises(CalibrationError, match=r"camera calibration refused: the person was in view in only 34 of "
                       r"90 frames \(needs 80 %\): stand in full view for the whole capture"):  # fmt: skip
        estimate_camera([standing(4.0)] * 34 + [None] * 56)
    assert estimate_camera([standing(4.0)] * 34 + [None] * 6).roll_deg == pytest.approx(4.0, abs=1e-9)


def test_camera_errors_are_specific():
    with pytest.raises(CalibrationError, match="nobody"):
        estimate_camera([None] * 30)
    with pytest.raises(CalibrationError, match="usable frames"):
        estimate_camera([standing()] * 5)
    with pytest.raises(CalibrationError, match="upright"):
        estimate_camera([standing(60.0)] * 20)


# -- camera: the real model on a rotated sample video ---------------------------------------------

N_FRAMES = 90  # the man stands on the box, facing the camera, in the first 3 s


def _run_rotated(video, angle: float):
    from posture_feedback.pipeline import Pipeline
    from posture_feedback.sources import open_source

    out = []
    with open_source(video) as src, Pipeline() as pipeline:
        for i, frame in enumerate(src):
            if i >= N_FRAMES:
                break
            if angle:
                frame = dataclasses.replace(frame, image=rotate_image(frame.image, angle))
            out.append(pipeline.process(frame))
    return out


@pytest.fixture(scope="session")
def sports_results(sports_video):
    return _run_rotated(sports_video, 0.0)


@pytest.fixture(scope="session")
def sports_results_rot8(sports_video):
    return _run_rotated(sports_video, 8.0)


ROLL_TOLERANCE_DEG = 1.0


def test_real_video_level_camera_reads_about_zero(sports_results):
    cal = estimate_camera(sports_results, camera="sports")
    assert cal.n_frames >= 30
    assert abs(cal.roll_deg) < ROLL_TOLERANCE_DEG
    assert cal.spread < 3.0


def test_real_video_recovers_an_8_degree_roll(sports_results, sports_results_rot8):
    level = estimate_camera(sports_results)
    rolled = estimate_camera(sports_results_rot8)
    assert rolled.n_frames >= 30
    assert rolled.roll_deg == pytest.approx(8.0, abs=ROLL_TOLERANCE_DEG)
    assert rolled.roll_deg - level.roll_deg == pytest.approx(8.0, abs=ROLL_TOLERANCE_DEG)


def test_real_video_shoulder_tilt_corrected_by_up_vector(sports_results_rot8):
    """On the rotated video the median shoulder tilt moves back towards level with the up vector."""
    cal = estimate_camera(sports_results_rot8)
    raw, fixed = [], []
    for r in sports_results_rot8:
        if r.landmarks is None or r.view is not View.FRONT:
            continue
        raw.append(compute_angles(r.landmarks, r.view).value("shoulder_tilt"))
        fixed.append(compute_angles(r.landmarks, r.view, up=cal.up_vector()).value("shoulder_tilt"))
    raw_med, fixed_med = np.nanmedian(raw), np.nanmedian(fixed)
    assert len(raw) >= 20
    assert raw_med > 4.0  # facing the camera, a counter-clockwise roll lifts the person's left (image right)
    assert abs(fixed_med) < abs(raw_med) - 4.0


# -- neutral --------------------------------------------------------------------------------------


def _table(values: dict[str, float], valid: dict[str, bool] | None = None) -> AngleTable:
    t = AngleTable.empty()
    for name, v in values.items():
        i = ANGLE_INDEX[name]
        t.values[i] = v
        t.valid[i] = True if valid is None else valid.get(name, True)
        t.uncertainty[i] = 5.0
    return t


def test_neutral_mean_and_spread_on_constructed_tables():
    tv = 12.0 + 1.5 * np.tile([-1.0, 1.0, -0.5, 0.5, 0.0, 0.3], 10)  # no value beyond 3 robust SDs
    cva = 52.0 + 2.0 * np.tile([0.5, -1.0, 1.0, 0.2, -0.5, 0.0], 10)
    tables = [_table({"trunk_inclination": a, "craniovertebral_angle": b}) for a, b in zip(tv, cva, strict=True)]
    tables[10] = _table({"trunk_inclination": 70.0, "craniovertebral_angle": 52.0})  # a glitch: dropped
    tables += [AngleTable.empty()] * 5  # nobody
    tables += [_table({"shoulder_tilt": 4.0}, {"shoulder_tilt": False})] * 30  # invalid in the view: ignored
    n = capture_neutral(tables, "sitting")
    keep_tv = np.delete(tv, 10)
    assert n.angles["trunk_inclination"] == pytest.approx(keep_tv.mean(), abs=1e-9)
    assert n.spread["trunk_inclination"] == pytest.approx(keep_tv.std(ddof=1), abs=1e-9)
    assert n.n_frames["trunk_inclination"] == 59
    cva[10] = 52.0
    assert n.angles["craniovertebral_angle"] == pytest.approx(cva.mean(), abs=1e-9)
    assert "shoulder_tilt" not in n.angles
    assert set(n.angles) <= set(ANGLE_NAMES)
    assert NeutralPosture.from_dict(json.loads(json.dumps(n.to_dict()))) == n


def test_the_neutrals_uncertainty_is_the_median_of_its_frames_not_divided_by_their_number():
    """Hand-worked: 20 still frames of head tilt 3°, their ± 4, 5, 6, 7 (5 frames each) and one glitch
    frame (30°, ± 50: dropped as movement with its ±): the neutral is 3 ± median(4..7) = 5.5°, not
    5.5 / sqrt(20); an angle whose frames carry no ± (shoulder tilt) gets none; a record without one
    reads as empty and is shown without ±."""
    tables = []
    for k in range(20):
        t = _table({"head_tilt": 3.0, "shoulder_tilt": 1.0, "trunk_inclination": 2.0})
        t.uncertainty[ANGLE_INDEX["head_tilt"]] = 4.0 + k // 5
        t.uncertainty[ANGLE_INDEX["shoulder_tilt"]] = np.nan
        tables.append(t)
    glitch = _table({"head_tilt": 30.0, "trunk_inclination": 2.0})
    glitch.uncertainty[ANGLE_INDEX["head_tilt"]] = 50.0
    n = capture_neutral([*tables[:10], glitch, *tables[10:]], "standing")
    assert n.angles["head_tilt"] == pytest.approx(3.0)
    assert n.uncertainty == {"head_tilt": pytest.approx(5.5), "trunk_inclination": 5.0}  # _table's ± 5
    assert n.values_text() == "head tilt 3 ±6°, shoulder tilt 1°, trunk inclination 2 ±5°"  # 5.5 rounds to 6
    assert NeutralPosture.from_dict(json.loads(json.dumps(n.to_dict()))) == n
    older = {k: v for k, v in n.to_dict().items() if k != "uncertainty"}  # a record from before 2026-12
    assert NeutralPosture.from_dict(older).values_text() == "head tilt 3°, shoulder tilt 1°, trunk inclination 2°"


def test_neutral_needs_enough_frames_and_a_known_posture():
    with pytest.raises(CalibrationError, match="no angle"):
        capture_neutral([_table({"head_tilt": 1.0})] * 5 + [_table({})] * 10, "standing")
    with pytest.raises(CalibrationError, match="posture"):
        capture_neutral([_table({"head_tilt": 1.0})] * 50, "lying")


def test_neutral_from_constructed_poses_through_kinematics():
    pose = pose_with_angles(azimuth_deg=90.0, trunk_lean=7.0, head_lean=38.0)
    up = np.array([0.0, -1.0, 0.0])  # a calibrated camera's vertical (its ± 3°)
    n = capture_neutral([compute_angles(pose, View.SIDE, azimuth_deg=90.0, up=up)] * 20, "standing")
    assert n.angles["trunk_inclination"] == pytest.approx(7.0, abs=1e-6)
    assert n.angles["craniovertebral_angle"] == pytest.approx(52.0, abs=1e-6)
    assert "shoulder_tilt" not in n.angles  # not valid side-on
    # A level camera assumed (its vertical ±20°): the angles against the vertical carry more than
    # analyze's 15° and are left out of the neutral, named with their ±; the joint angles stay.
    level = capture_neutral([compute_angles(pose, View.SIDE, azimuth_deg=90.0)] * 20, "standing")
    assert "trunk_inclination" not in level.angles and level.left_out["trunk_inclination"] > 15.0
    assert level.angles["left_hip_flexion"] == pytest.approx(n.angles["left_hip_flexion"])


# -- scale ----------------------------------------------------------------------------------------


def test_scale_from_height_exact_on_constructed_pose():
    pose = pose_with_angles(px_per_m=400.0, image_size=(1280, 960))
    ankles = [lm.LEFT_ANKLE, lm.RIGHT_ANKLE]
    nose_ankle_px = float(np.linalg.norm(pose.xy[lm.NOSE] - pose.xy[ankles].mean(axis=0)))
    nose_ankle_world = float(np.linalg.norm(pose.world[lm.NOSE] - pose.world[ankles].mean(axis=0)))
    s = scale_from_height([pose] * 12, 1.75)
    assert s.metres_per_pixel == pytest.approx(1.75 / HEIGHT_PER_NOSE_ANKLE / nose_ankle_px, rel=1e-12)
    assert s.world_scale == pytest.approx(1.75 / HEIGHT_PER_NOSE_ANKLE / nose_ankle_world, rel=1e-12)
    assert "nose-to-ankle" in s.assumption
    with pytest.raises(CalibrationError, match="height"):
        scale_from_height([pose] * 12, 175.0)  # centimetres by mistake


def test_scale_from_printed_marker():
    side_px = 160
    marker = cv2.aruco.generateImageMarker(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50), 7, side_px)
    frame = np.full((480, 640, 3), 255, np.uint8)
    frame[100 : 100 + side_px, 200 : 200 + side_px] = marker[:, :, None]
    s = scale_from_marker([frame], 0.08)
    assert s.metres_per_pixel == pytest.approx(0.08 / side_px, rel=0.02)
    assert s.method == "marker"
    with pytest.raises(CalibrationError, match="no ArUco marker"):
        scale_from_marker([np.full((480, 640, 3), 255, np.uint8)], 0.08)


# -- store ----------------------------------------------------------------------------------------


def test_store_round_trip_per_camera_and_profile(tmp_path):
    store = CalibrationStore(tmp_path / "cal.json")
    assert store.load_camera("camera 0") is None
    cam0 = CameraCalibration(roll_deg=3.5, pitch_deg=-2.0, spread=0.8, n_frames=40, camera="camera 0")
    cam1 = CameraCalibration(roll_deg=-1.0, n_frames=30, camera="camera 1")
    store.save_camera(cam0)
    store.save_camera(cam1)
    assert store.load_camera("camera 0") == cam0
    assert store.load_camera("camera 1") == cam1
    assert store.cameras() == ["camera 0", "camera 1"]
    neutral = NeutralPosture({"trunk_inclination": 5.0}, {"trunk_inclination": 1.0}, "sitting")
    store.save_neutral(neutral, profile="ana")
    assert store.load_neutral("sitting", profile="ana") == neutral
    assert store.load_neutral("standing", profile="ana") is None


def test_damaged_store_file_is_reported_and_kept(tmp_path):
    path = tmp_path / "cal.json"
    path.write_text("{not json", encoding="utf-8")
    store = CalibrationStore(path)
    with pytest.raises(CalibrationError, match="cannot read"):
        store.save_camera(CameraCalibration(roll_deg=1.0, n_frames=20, camera="camera 0"))
    assert path.read_text(encoding="utf-8") == "{not json"


def test_calibrations_stored_with_a_profile_in_the_database(tmp_path):
    from posture_feedback.calibration.store import load_from_database, save_to_database
    from posture_feedback.storage import Database

    with Database.open_default(tmp_path / "data") as db:
        pid = db.create_profile("ana").id
        assert load_from_database(db, pid, "camera", camera="camera 0") is None
        cam = CameraCalibration(roll_deg=2.5, pitch_deg=1.0, spread=0.7, n_frames=45, camera="camera 0")
        save_to_database(db, pid, cam)
        save_to_database(db, pid, CameraCalibration(roll_deg=-4.0, n_frames=30, camera="camera 1"))
        sitting = NeutralPosture({"trunk_inclination": 12.0}, {"trunk_inclination": 1.5}, "sitting")
        standing = NeutralPosture({"trunk_inclination": 3.0}, {"trunk_inclination": 0.8}, "standing")
        save_to_database(db, pid, sitting)
        save_to_database(db, pid, standing)
        pose = pose_with_angles(px_per_m=400.0, image_size=(1280, 960))
        scale = scale_from_height([pose] * 12, 1.80)
        save_to_database(db, pid, scale)
    with Database.open_default(tmp_path / "data") as db:  # a new connection reads them back
        assert load_from_database(db, pid, "camera", camera="camera 0") == cam
        assert load_from_database(db, pid, "camera", camera="camera 1").roll_deg == -4.0
        assert load_from_database(db, pid, "neutral", posture="sitting") == sitting
        assert load_from_database(db, pid, "neutral", posture="standing") == standing
        assert load_from_database(db, pid, "scale").metres_per_pixel == pytest.approx(scale.metres_per_pixel)


def test_a_person_capture_that_moves_too_much_is_refused_not_stored():
    """A third audit: on cam03 the balancing man gave roll +22.5° (SD 15.3°) where the true roll is
    +2.8°, stored without a word. Frames alternating ±15° of roll (SD about 15°): refused."""
    from posture_feedback.calibration.camera import MAX_PERSON_UNCERTAINTY_DEG, person_uncertainty_deg

    # the larger of twice the spread and the model's error (ankle: 5.2° / 6.4°): 30.6°
    assert person_uncertainty_deg(15.3, 10.9) == pytest.approx(30.6)
    assert person_uncertainty_deg(15.3, 10.9) > MAX_PERSON_UNCERTAINTY_DEG
    swaying = [standing(15.0 if k % 2 else -15.0, 0.0) for k in range(20)]
    with pytest.raises(CalibrationError, match="moved too much"):
        estimate_camera(swaying)
    steady = [standing(3.0 + (0.5 if k % 2 else -0.5), 0.0) for k in range(20)]  # SD 0.5°: ±1°
    assert estimate_camera(steady).roll_deg == pytest.approx(3.0, abs=1e-6)


# -- the person method's stated ±: the model's own error, measured on the accuracy set -------------

ACCURACY = Path(__file__).resolve().parents[2] / "shared" / "accuracy"


def test_the_person_pair_adds_the_models_own_error_per_axis():
    """Hand-worked: SD 1° / 4° on the ankle axis: roll max(2, 5.2) = 5.2°, pitch max(8, 6.4) = 8°; a
    still (SD 0) states the model's error itself, not ±0; the hip axis's pitch 12.8° alone is over
    the 10° limit."""
    from posture_feedback.calibration.camera import MAX_PERSON_UNCERTAINTY_DEG, person_uncertainty_pair

    assert person_uncertainty_pair(1.0, 4.0, "ankle") == (5.2, 8.0)
    assert person_uncertainty_pair(0.0, 0.0, "ankle") == (5.2, 6.4)
    assert person_uncertainty_pair(0.0, 0.0, "hip")[1] == 12.8 > MAX_PERSON_UNCERTAINTY_DEG
    assert person_uncertainty_pair(1.0, 4.0, "ankle", model_error={}) == (2.0, 8.0)
    cal = estimate_camera([standing(5.0, 10.0)] * 20)  # perfectly still: ±0.0 before
    assert (cal.roll_uncertainty_deg, cal.pitch_uncertainty_deg) == pytest.approx((5.2, 6.4))
    with pytest.raises(CalibrationError, match="hip → shoulder axis"):
        estimate_camera([standing(6.0, 0.0, left_leg=(90, 90), right_leg=(90, 90))] * 15)


def _write_video(path: Path, frames: list, fps: float) -> Path:
    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        out.write(np.ascontiguousarray(f))
    out.release()
    return path


def _frames(path: Path) -> tuple[list, float]:
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS)
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            return frames, fps
        frames.append(f)


@pytest.mark.skipif(not (ACCURACY / "data" / "reference.npz").exists(), reason="shared/accuracy is not present")
def test_a_still_woman_and_her_mirror_image_are_refused_and_cam02_is_covered(tmp_path):
    """Real model. A sixteenth audit: a still woman (frame 50 of a crop of cam04) stated pitch +14.4°
    ±0.2°, her mirror image +6.8° ±0.1° (true 21.8°). Her hip → shoulder axis now states the model's
    own error (pitch ±12.8°) and is refused, both ways. cam02, as recorded and mirrored (a mirror
    image: the same pitch, the opposite roll), is stored, and its stated roll and pitch ± hold the
    true vertical (``reference.npz``)."""
    from posture_feedback.calibration.capture import capture_results
    from posture_feedback.calibration.vertical import roll_pitch_of

    ref = np.load(ACCURACY / "data" / "reference.npz")
    truth = {v: roll_pitch_of(ref["up_cam"][i]) for i, v in enumerate(ref["views"])}
    frames, _ = _frames(ACCURACY / "data" / "videos" / "cam04.mp4")
    still = frames[50][340:980, 560:1088]
    for name, image in (("still", still), ("mirror", still[:, ::-1])):
        video = _write_video(tmp_path / f"{name}.mp4", [image] * 45, 30.0)
        with pytest.raises(CalibrationError, match="hip → shoulder axis"):
            estimate_camera(capture_results(video, seconds=1.4)[0])
    frames, fps = _frames(ACCURACY / "data" / "videos" / "cam02.mp4")
    true_roll, true_pitch = truth["cam02"]
    for sign, video in ((1, ACCURACY / "data" / "videos" / "cam02.mp4"),
                        (-1, _write_video(tmp_path / "cam02_m.mp4", [f[:, ::-1] for f in frames], fps))):  # fmt: skip
        cal = estimate_camera(capture_results(video, seconds=3.0)[0])
        roll_unc, pitch_unc = cal.up_uncertainty()
        assert abs(cal.roll_deg - sign * true_roll) <= roll_unc
        assert abs(cal.pitch_deg - true_pitch) <= pitch_unc
        assert max(roll_unc, pitch_unc) <= 10.0
