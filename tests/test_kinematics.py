"""Exact tests of the canonical angles on constructed landmarks, and one real-model check."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posture_feedback import landmarks as lm
from posture_feedback.kinematics import (
    ANGLE_JOINTS,
    HEAD_BY_LENGTH_SIN,
    TILT_DEPTH_WEIGHT,
    VALID_MAX_UNCERTAINTY,
    compute_angles,
    hybrid_points,
    pose_with_angles,
)
from posture_feedback.types import ANGLE_NAMES, Landmarks, View
from posture_feedback.view import DEFAULT_UP, classify_view

AZIMUTHS = (0.0, 30.0, -45.0, 90.0, -90.0, 135.0, 180.0)


def angles(lms: Landmarks, view: View = View.OBLIQUE, **kw) -> dict[str, float]:
    return compute_angles(lms, view, **kw).as_dict()


def rot_x(deg: float) -> np.ndarray:
    a = math.radians(deg)
    return np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])


def rot_z(deg: float) -> np.ndarray:
    a = math.radians(deg)
    return np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])


# (builder keyword arguments, angle name, expected degrees)
CASES = [
    ({"left_arm": (0, 0, 0)}, "left_elbow_flexion", 0.0),
    ({"left_arm": (30, 0, 90)}, "left_elbow_flexion", 90.0),
    ({"right_arm": (45, 90, 120)}, "right_elbow_flexion", 120.0),
    ({"left_arm": (90, 0, 0)}, "left_shoulder_elevation", 90.0),
    ({"right_arm": (90, 90, 0)}, "right_shoulder_elevation", 90.0),
    ({"left_arm": (180, 0, 0)}, "left_shoulder_elevation", 180.0),
    ({"right_arm": (35, 40, 10)}, "right_shoulder_elevation", 35.0),
    ({"left_leg": (90, 0)}, "left_hip_flexion", 90.0),
    ({"right_leg": (25, 0), "trunk_lean": 20}, "right_hip_flexion", 45.0),
    ({"left_leg": (0, 0)}, "left_knee_flexion", 0.0),
    ({"left_leg": (40, 90)}, "left_knee_flexion", 90.0),
    ({"right_leg": (10, 65)}, "right_knee_flexion", 65.0),
    ({"trunk_lean": 0}, "trunk_inclination", 0.0),
    ({"trunk_lean": 30}, "trunk_inclination", 30.0),
    ({"trunk_lean": -15}, "trunk_inclination", 15.0),
    ({"shoulder_tilt": 8}, "shoulder_tilt", 8.0),
    ({"shoulder_tilt": -12}, "shoulder_tilt", -12.0),
    ({"pelvic_tilt": 5}, "pelvic_tilt", 5.0),
    ({"pelvic_tilt": -90}, "pelvic_tilt", -90.0),
    ({"head_tilt": 20}, "head_tilt", 20.0),
    ({"head_lean": 0}, "craniovertebral_angle", 90.0),
    ({"head_lean": 40}, "craniovertebral_angle", 50.0),
    ({"head_lean": -10, "trunk_lean": 25}, "craniovertebral_angle", 100.0),
    ({"head_lean": 90}, "craniovertebral_angle", 0.0),
]


#: Face-on and from the back the head line's depth is √(length² − image part²)
#: (``kinematics.head_by_length``): at an upright head that is the root of a rounding error.
HEAD_ABS = 1e-4


@pytest.mark.parametrize("azimuth", AZIMUTHS)
@pytest.mark.parametrize(("kw", "name", "expected"), CASES)
def test_each_angle_exact_from_every_direction(kw, name, expected, azimuth):
    if kw.get("head_lean", 0) < 0 and abs(math.cos(math.radians(azimuth))) > HEAD_BY_LENGTH_SIN[0]:
        pytest.skip("a head leaning back seen face-on or from the back reads as its mirror (test_kinematics: "
                    "test_head_leaning_back_face_on_is_covered_not_measured)")  # fmt: skip
    lms = pose_with_angles(azimuth_deg=azimuth, **kw)
    assert angles(lms, azimuth_deg=azimuth)[name] == pytest.approx(expected, abs=HEAD_ABS if "cranio" in name else 1e-6)


@pytest.mark.parametrize("azimuth", AZIMUTHS)
def test_neutral_pose_gives_zero_flexions_and_level_lines(azimuth):
    got = angles(pose_with_angles(azimuth_deg=azimuth), azimuth_deg=azimuth)
    for name in ANGLE_NAMES:
        if name != "craniovertebral_angle":
            assert got[name] == pytest.approx(0.0, abs=HEAD_ABS if name == "head_forward_lean" else 1e-6), name
    assert got["craniovertebral_angle"] == pytest.approx(90.0, abs=HEAD_ABS)


def test_craniovertebral_angle_without_azimuth_uses_the_shoulder_line():
    lms = pose_with_angles(azimuth_deg=70.0, head_lean=35.0)
    assert angles(lms)["craniovertebral_angle"] == pytest.approx(55.0, abs=1e-6)


def test_left_side_higher_is_positive_in_image_coordinates():
    """Face-on, the person's left is on image right; a higher point has a smaller y."""
    pts = {
        "left_shoulder": (400, 190), "right_shoulder": (240, 210),
        "left_hip": (380, 400), "right_hip": (260, 390),
        "left_ear": (340, 100), "right_ear": (300, 100),
    }  # fmt: skip
    got = angles(Landmarks.from_points(pts), View.FRONT)
    assert got["shoulder_tilt"] == pytest.approx(math.degrees(math.atan2(20, 160)))
    assert got["pelvic_tilt"] == pytest.approx(-math.degrees(math.atan2(10, 120)))
    assert got["head_tilt"] == pytest.approx(0.0)
    # Seen from behind the left shoulder is on image left: still positive when it is higher.
    back = {"left_shoulder": (240, 190), "right_shoulder": (400, 210)}
    assert angles(Landmarks.from_points(back), View.BACK)["shoulder_tilt"] == pytest.approx(
        math.degrees(math.atan2(20, 160))
    )


def test_right_angle_elbow_from_image_points():
    pts = {"left_shoulder": (300, 100), "left_elbow": (300, 200), "left_wrist": (400, 200)}
    got = angles(Landmarks.from_points(pts), View.FRONT)
    assert got["left_elbow_flexion"] == pytest.approx(90.0)
    assert math.isnan(got["right_elbow_flexion"])


@pytest.mark.parametrize("name", ANGLE_NAMES)
def test_missing_vertex_gives_nan_never_a_guess(name):
    lms = pose_with_angles(azimuth_deg=20.0, left_arm=(40, 0, 30), right_leg=(30, 30), head_lean=20)
    joints = ANGLE_JOINTS[name]
    # Hide the joints of the angle, both sides for the mid-point angles (they fall back on one side).
    hide = list(joints)
    vis = lms.visibility.copy()
    vis[hide] = 0.3
    table = compute_angles(lms.with_arrays(visibility=vis), View.OBLIQUE, azimuth_deg=20.0)
    a = table[name]
    assert math.isnan(a.value) and not a.valid and math.isnan(a.uncertainty)
    # Angles that do not use the hidden joints are still measured.
    for other in ANGLE_NAMES:
        if not set(ANGLE_JOINTS[other]) & set(hide):
            assert table[other].measured, other


def test_presence_counts_like_visibility():
    lms = pose_with_angles()
    pres = lms.presence.copy()
    pres[lm.LEFT_KNEE] = 0.1
    got = angles(lms.with_arrays(presence=pres))
    assert math.isnan(got["left_knee_flexion"]) and math.isnan(got["left_hip_flexion"])
    assert got["right_knee_flexion"] == pytest.approx(0.0, abs=1e-6)


def test_side_on_trunk_and_cva_fall_back_on_the_near_side():
    lms = pose_with_angles(azimuth_deg=90.0, trunk_lean=20.0, head_lean=30.0)
    vis = lms.visibility.copy()
    vis[[lm.RIGHT_SHOULDER, lm.RIGHT_HIP, lm.RIGHT_EAR]] = 0.1  # far side hidden (camera on the left)
    table = compute_angles(lms.with_arrays(visibility=vis), View.SIDE, azimuth_deg=90.0)
    assert table["trunk_inclination"].value == pytest.approx(20.0, abs=1e-6)
    assert table["craniovertebral_angle"].value == pytest.approx(60.0, abs=1e-6)
    assert table["craniovertebral_angle"].valid
    assert not table["shoulder_tilt"].measured


HEAD = {"craniovertebral_angle", "head_forward_lean"}
LINES = {"shoulder_tilt", "pelvic_tilt", "head_tilt", "trunk_lateral_lean"}


@pytest.mark.parametrize(
    ("view", "azimuth", "invalid"),
    [
        # Face-on, from the back and oblique, the head's sagittal angle is a depth measurement whose
        # 80% uncertainty (head depth term 27.5 deg at sin phi = 1) is beyond the 15 deg bound; the
        # trunk's (base 6.5, depth 4, vertical 3 deg: 8.2 deg) is within it; side-on neither is a
        # depth measurement.
        (View.FRONT, 0.0, HEAD),
        (View.BACK, 180.0, HEAD),
        (View.SIDE, 90.0, LINES),
        (View.OBLIQUE, 45.0, HEAD),
        (View.UNKNOWN, float("nan"), LINES | HEAD | {"craniovertebral_angle", "trunk_forward_lean"}),
    ],
)
def test_validity_by_view_and_uncertainty(view, azimuth, invalid):
    a0 = 0.0 if math.isnan(azimuth) else azimuth
    table = compute_angles(pose_with_angles(azimuth_deg=a0, head_lean=20.0), view, azimuth_deg=azimuth, up=DEFAULT_UP)
    for a in table:
        assert a.measured, a.name
        assert a.valid == (a.name not in invalid), (a.name, a.uncertainty)


def test_depth_measurement_bound():
    """Sagittal angles out of the image plane are valid only within VALID_MAX_UNCERTAINTY."""
    t = compute_angles(pose_with_angles(azimuth_deg=0.0), View.FRONT, azimuth_deg=0.0, up=DEFAULT_UP)
    for name in ("trunk_forward_lean", "head_forward_lean"):
        assert t[name].valid == (t[name].uncertainty <= VALID_MAX_UNCERTAINTY)
    # An unknown camera tilt (level assumed: 20 deg) widens every angle measured against up.
    level = compute_angles(pose_with_angles(azimuth_deg=0.0), View.FRONT, azimuth_deg=0.0)
    assert level["trunk_forward_lean"].uncertainty > t["trunk_forward_lean"].uncertainty + 5
    assert level["left_knee_flexion"].uncertainty == pytest.approx(t["left_knee_flexion"].uncertainty)


def test_the_live_jitter_counts_before_validity_is_decided():
    """A face-on trunk lean (8.2 deg: valid) with 14 deg of live jitter is shown as
    sqrt(8.2^2 + 14^2) = 16.2 deg: beyond the bound, so not valid. Before 2026-12-07 the jitter
    was added after validity, and `analyze --targets` wrote head_forward_lean +-46.5 valid 1."""
    lms = pose_with_angles(azimuth_deg=0.0)
    plain = compute_angles(lms, View.FRONT, azimuth_deg=0.0, up=DEFAULT_UP)
    i = ANGLE_NAMES.index("trunk_forward_lean")
    seen: list[np.ndarray] = []

    def jitter(values: np.ndarray) -> np.ndarray:
        seen.append(values.copy())
        out = np.full(len(values), np.nan)
        out[i] = 14.0
        return out

    shaky = compute_angles(lms, View.FRONT, azimuth_deg=0.0, up=DEFAULT_UP, jitter=jitter)
    assert plain["trunk_forward_lean"].valid and plain["trunk_forward_lean"].uncertainty < 15
    u = shaky["trunk_forward_lean"].uncertainty
    assert u == pytest.approx(math.hypot(plain["trunk_forward_lean"].uncertainty, 14.0))
    assert u > VALID_MAX_UNCERTAINTY and not shaky["trunk_forward_lean"].valid
    np.testing.assert_array_equal(seen[0], plain.values)  # the jitter sees this frame's values
    # NaN jitter adds nothing: every other angle is as without it
    others = [n for n in ANGLE_NAMES if n != "trunk_forward_lean"]
    assert [shaky[n].uncertainty for n in others] == pytest.approx([plain[n].uncertainty for n in others], nan_ok=True)


def test_uncertainty_grows_out_of_the_image_plane_and_with_low_visibility():
    side = compute_angles(pose_with_angles(azimuth_deg=90.0), View.SIDE, azimuth_deg=90.0)
    front = compute_angles(pose_with_angles(azimuth_deg=0.0), View.FRONT, azimuth_deg=0.0)
    # Trunk inclination lives in the sagittal plane: in the image plane side-on, edge-on face-on.
    assert side["trunk_inclination"].uncertainty < front["trunk_inclination"].uncertainty
    # The shoulder line is in the image plane face-on.
    assert front["shoulder_tilt"].uncertainty < side["shoulder_tilt"].uncertainty
    lms = pose_with_angles()
    vis = lms.visibility.copy()
    vis[lm.LEFT_WRIST] = 0.6
    low = compute_angles(lms.with_arrays(visibility=vis), View.FRONT, azimuth_deg=0.0)
    high = compute_angles(lms, View.FRONT, azimuth_deg=0.0)
    assert low["left_elbow_flexion"].uncertainty > high["left_elbow_flexion"].uncertainty
    assert np.all(high.uncertainty > 0)


def test_head_leaning_back_face_on_is_covered_not_measured():
    """Face-on the head line's length gives the size of its lean, not its side: the forward side
    is read (ears in front of the shoulders in every reference frame), and where the model's
    depth has the ears behind, the uncertainty reaches the mirror reading."""
    table = compute_angles(pose_with_angles(head_lean=-10, trunk_lean=25), View.FRONT, azimuth_deg=0.0)
    lean = table["head_forward_lean"]
    assert lean.value == pytest.approx(10.0, abs=1e-3)
    assert lean.uncertainty >= 20.0 - 1e-3
    assert not lean.valid


@pytest.mark.parametrize(("roll", "pitch"), [(15.0, 0.0), (-25.0, 20.0), (0.0, -30.0)])
def test_tilted_camera_with_matching_up_gives_the_same_angles(roll, pitch):
    kw = dict(trunk_lean=12, shoulder_tilt=6, pelvic_tilt=-4, head_tilt=9, head_lean=25, left_arm=(50, 30, 40))
    level = compute_angles(pose_with_angles(azimuth_deg=20.0, **kw), View.FRONT, azimuth_deg=20.0)
    up = rot_z(roll) @ rot_x(pitch) @ np.array([0.0, -1.0, 0.0])
    tilted_lms = pose_with_angles(azimuth_deg=20.0, up=up, **kw)
    tilted = compute_angles(tilted_lms, View.FRONT, azimuth_deg=20.0, up=up)
    tilts = [ANGLE_NAMES.index(n) for n in ("shoulder_tilt", "pelvic_tilt", "head_tilt")]
    rest = [i for i in range(len(ANGLE_NAMES)) if i not in tilts]
    head = [ANGLE_NAMES.index(n) for n in ("craniovertebral_angle", "head_forward_lean")]
    exact = [i for i in rest if i not in head]
    np.testing.assert_allclose(tilted.values[exact], level.values[exact], atol=1e-6)
    # Face-on, the head line's depth is from its length (head_by_length): a camera looking up 30°
    # sees this 25° forward lean leaning 5° away from it, and the mirror (35°) is read; the
    # uncertainty reaches the truth.
    for i in head:
        err = abs(tilted.values[i] - level.values[i])
        assert err < 1e-4 or err <= tilted.uncertainty[i], ANGLE_NAMES[i]
    # The tilts count only TILT_DEPTH_WEIGHT of the left-right line's depth in its height: with
    # exact depth, sin(tilt) loses (1 - w) * lr_z * up_z / |lr| (hand-worked from the geometry).
    w = tilted_lms.world
    for i, (a, b) in zip(tilts, ((lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER), (lm.LEFT_HIP, lm.RIGHT_HIP),
                                  (lm.LEFT_EAR, lm.RIGHT_EAR)), strict=True):  # fmt: skip
        lr = w[a] - w[b]
        true_sin = math.sin(math.radians(level.values[i]))
        lost = (1 - TILT_DEPTH_WEIGHT) * lr[2] * up[2] / np.linalg.norm(lr)
        assert tilted.values[i] == pytest.approx(math.degrees(math.asin(true_sin - lost)), abs=1e-6)
        assert abs(tilted.values[i] - level.values[i]) < 5.0  # at most 4.7 deg in these poses (azimuth 20)
    # Without the matching up the tilts are off by about the roll.
    naive = compute_angles(tilted_lms, View.FRONT, azimuth_deg=20.0)
    if roll:
        assert abs(naive["shoulder_tilt"].value - level["shoulder_tilt"].value) > 0.5 * abs(roll)


def test_in_plane_position_from_the_image_depth_from_the_world():
    """Hybrid points: a world landmark misplaced in the image plane does not matter, its depth does."""
    true = pose_with_angles(azimuth_deg=0.0, left_arm=(20, 0, 90))  # forearm points at the camera
    world = true.world.copy()
    world[lm.LEFT_WRIST, :2] += (0.08, -0.06)  # the model's 3D guess is off in the image plane
    noisy_image_z = true.image.copy()
    noisy_image_z[:, 2] = np.random.default_rng(0).normal(0, 200, 33)  # image z is ignored
    lms = true.with_arrays(world=world, image=noisy_image_z)
    got = angles(lms, View.FRONT, azimuth_deg=0.0)["left_elbow_flexion"]
    world_only = angles(lms.with_arrays(image=world * 1000.0), View.FRONT, azimuth_deg=0.0)["left_elbow_flexion"]
    assert got == pytest.approx(90.0, abs=1.0)
    assert abs(world_only - 90.0) > 5.0
    # Depth comes from the world landmarks: without it the forearm looks short, not bent.
    flat = world.copy()
    flat[:, 2] = 0.0
    assert abs(angles(true.with_arrays(world=flat), View.FRONT)["left_elbow_flexion"] - 90.0) > 30.0


def test_hybrid_points_are_metres_in_world_axes():
    lms = pose_with_angles(azimuth_deg=40.0, left_leg=(30, 20), px_per_m=321.0)
    p = hybrid_points(lms)
    d = p - p[lm.LEFT_HIP]
    w = lms.world - lms.world[lm.LEFT_HIP]
    np.testing.assert_allclose(d, w, atol=1e-9)


def test_angle_joints_cover_every_angle_with_valid_indices():
    assert set(ANGLE_JOINTS) == set(ANGLE_NAMES)
    for name, joints in ANGLE_JOINTS.items():
        assert all(0 <= j < lm.NUM_LANDMARKS for j in joints), name
        assert len(set(joints)) == len(joints), name


# ---------------------------------------------------------------- real model on a real video


#: Frames of sports2d_demo.mp4 where a woman walks side-on across the lawn (towards image left),
#: while a man stands on a box in the background: she is the detection lowest in the image.
WALK_FIRST_FRAME, WALK_FRAMES = 100, 60


@pytest.fixture(scope="module")
def sports_landmarks(sports_video) -> list[Landmarks]:
    """Landmarks of the woman walking side-on in frames 100-159 of sports2d_demo.mp4 (real model)."""
    from posture_feedback.pose import PoseEstimator, PoseOptions
    from posture_feedback.sources import VideoFileSource

    out: list[Landmarks] = []
    with VideoFileSource(sports_video) as source, PoseEstimator(PoseOptions(model="full", max_people=2)) as estimator:
        while (frame := source.read()) is not None and frame.index < WALK_FIRST_FRAME + WALK_FRAMES:
            if frame.index < WALK_FIRST_FRAME:
                continue
            people = estimator.detect(frame)
            if people:  # the walker is the one standing lowest in the image (on the lawn)
                out.append(max(people, key=lambda p: p.image[[lm.LEFT_HIP, lm.RIGHT_HIP], 1].mean()))
    return out


def test_real_video_side_view_and_plausible_angles(sports_landmarks):
    assert len(sports_landmarks) >= 50
    views = [classify_view(x) for x in sports_landmarks]
    side = sum(v is View.SIDE for v, _ in views)
    assert side >= 0.7 * len(views), [v.value for v, _ in views]
    tables = [compute_angles(x, v, azimuth_deg=a) for x, (v, a) in zip(sports_landmarks, views, strict=True)]
    vals = {n: np.array([t.value(n) for t in tables]) for n in ANGLE_NAMES}
    for n in ("left_knee_flexion", "right_knee_flexion", "left_hip_flexion", "right_hip_flexion"):
        v = vals[n][np.isfinite(vals[n])]
        assert len(v) >= 0.8 * len(tables), n
        # A few frames where the model garbles the legs (the walker passes the jumping man) may fall outside.
        assert np.mean((v >= 0) & (v <= 120)) >= 0.9, (n, np.round(v))
        assert np.median(v) < 60, n
    for n in ("left_elbow_flexion", "right_elbow_flexion"):
        v = vals[n][np.isfinite(vals[n])]
        assert np.mean((v >= 0) & (v <= 150)) >= 0.9, n
    trunk = vals["trunk_inclination"][np.isfinite(vals["trunk_inclination"])]
    assert len(trunk) >= 0.9 * len(tables) and np.median(trunk) < 25
    cva = vals["craniovertebral_angle"][np.isfinite(vals["craniovertebral_angle"])]
    assert len(cva) >= 0.5 * len(tables) and 20 < np.median(cva) < 90
    # Walking: the knees bend and straighten, so the knee angle must vary.
    knee = vals["left_knee_flexion"][np.isfinite(vals["left_knee_flexion"])]
    assert np.ptp(knee) > 15


def test_cva_is_missing_when_the_ears_are_behind_and_below_the_shoulders() -> None:
    """An upside-down or garbled head (ears behind and below the shoulders) gives no CVA, not 190°."""
    from posture_feedback.kinematics import compute_angles, pose_with_angles
    from posture_feedback.types import View

    lms = pose_with_angles(azimuth_deg=90.0, head_lean=-100.0)  # head bent back past horizontal
    assert np.isnan(compute_angles(lms, View.SIDE, azimuth_deg=90.0)["craniovertebral_angle"].value)
    ok = pose_with_angles(azimuth_deg=90.0, head_lean=-60.0)
    cva = compute_angles(ok, View.SIDE, azimuth_deg=90.0)["craniovertebral_angle"].value
    assert cva == pytest.approx(150.0, abs=1e-6)
