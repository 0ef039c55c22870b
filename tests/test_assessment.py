"""Assessment: peaks, view gate and refusal, posture/ROM/movement measures on constructed poses, MDC, record, report."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posture_feedback import landmarks as lm
from posture_feedback.assessment import measures as ms
from posture_feedback.assessment.movement import movement_screen
from posture_feedback.assessment.peaks import find_peaks, peak_spread
from posture_feedback.assessment.posture import posture_screen
from posture_feedback.assessment.record import AssessmentRecord, verdict
from posture_feedback.assessment.report import write_html_report
from posture_feedback.assessment.rom import ROM_TESTS, RomTestError, angle_trace, rom_test
from posture_feedback.assessment.uncertainty import compare_measures, mdc95, plane_uncertainty
from posture_feedback.assessment.viewgate import ViewGate, WrongViewError, check_view, view_instruction
from posture_feedback.kinematics import NECK_SHOULDER_RATIO, compute_angles, pose_with_angles
from posture_feedback.storage.models import Measure
from posture_feedback.types import Frame, FrameResult, Landmarks, View
from posture_feedback.view import classify_view

FPS = 30.0
BLANK = np.zeros((480, 640, 3), np.uint8)


def result(pose: Landmarks | None, i: int, up: np.ndarray | None = None) -> FrameResult:
    """A pipeline-like result for a constructed pose (view, azimuth and angles computed as the pipeline does)."""
    frame = Frame(image=BLANK, index=i, timestamp_s=i / FPS, captured_at=0.0, source="constructed")
    if pose is None:
        return FrameResult(frame=frame)
    view, az = classify_view(pose, up=up)
    return FrameResult(
        frame=frame, people=[pose], target_index=0, landmarks=pose, view=view,
        angles=compute_angles(pose, view, azimuth_deg=az, up=up), azimuth_deg=az,
    )  # fmt: skip


def sequence(poses: list[Landmarks | None]) -> list[FrameResult]:
    return [result(p, i) for i, p in enumerate(poses)]


def reps_trace(peaks: list[float], low: float = 10.0, ramp: int = 12, hold: int = 3) -> list[float]:
    """Up-hold-down ramps from ``low`` to each peak value (degrees), one list entry per frame."""
    out: list[float] = [low] * 5
    for p in peaks:
        out += list(np.linspace(low, p, ramp))[1:] + [p] * hold + list(np.linspace(p, low, ramp))[1:] + [low] * 4
    return out


def drifting(n: int, px_per_frame: float = 6.0) -> list[Landmarks]:
    """A person facing the camera drifting sideways (6 px per frame ≈ 0.7 body heights per second)."""
    out = []
    for i in range(n):
        p = pose_with_angles()
        image = p.image.copy()
        image[:, 0] += px_per_frame * i
        out.append(p.with_arrays(image=image))
    return out


# -- peaks ----------------------------------------------------------------------------------------


def test_peaks_one_per_repetition_with_exact_values():
    trace = reps_trace([120.0, 150.0, 135.0])
    peaks = find_peaks(trace, min_prominence=20.0)
    assert [p.value for p in peaks] == pytest.approx([120.0, 150.0, 135.0])
    assert all(p.returned for p in peaks)
    assert peak_spread(peaks) == pytest.approx(np.std([120, 150, 135], ddof=1))
    for p in peaks:
        assert trace[p.index] == pytest.approx(p.value)
        assert p.start < p.index < p.end


def test_peaks_hysteresis_ignores_jitter_and_small_bumps():
    trace = reps_trace([100.0, 100.0])
    noisy = [v + (3.0 if i % 2 else -3.0) for i, v in enumerate(trace)]  # ±3° jitter everywhere
    bump = [10.0] * 5 + [18.0, 22.0, 18.0] + [10.0] * 5  # a 12° twitch: not a repetition
    peaks = find_peaks(noisy + bump, min_prominence=20.0)
    assert len(peaks) == 2
    assert all(abs(p.value - 100.0) <= 3.0 for p in peaks)


def test_peaks_skip_nan_and_flag_a_final_peak_not_returned():
    trace = reps_trace([90.0]) + list(np.linspace(10, 80, 10))
    trace[12] = math.nan
    trace[13] = math.nan
    peaks = find_peaks(trace, min_prominence=20.0)
    assert len(peaks) == 2
    assert peaks[0].value == pytest.approx(90.0) and peaks[0].returned
    assert not peaks[1].returned and peaks[1].value == pytest.approx(80.0, abs=8.0)
    assert find_peaks([math.nan] * 10) == []


# -- uncertainty, MDC, record ---------------------------------------------------------------------


def test_mdc_and_change_only_beyond_it():
    assert mdc95(2.0) == pytest.approx(1.96 * math.sqrt(2) * 2.0)
    # knee: the stored MDC (7) is above the tool's own limit 1.96*sqrt(2^2+2^2) = 5.54: the MDC decides.
    # cva: 1.96*sqrt(3^2+3^2) = 8.32 > MDC 4: the tool's own error decides, a 3 deg drop is noise.
    # hip: 12 deg is beyond both MDCs (6) but not beyond 1.96*sqrt(5^2+5^2) = 13.86: not a change.
    before = [Measure("knee_flexion", 100.0, 2.0, "left", mdc=6.0), Measure("cva", 50.0, 3.0, mdc=4.0),
              Measure("hip", 100.0, 5.0, mdc=6.0)]  # fmt: skip
    after = [Measure("knee_flexion", 108.0, 2.0, "left", mdc=7.0), Measure("cva", 47.0, 3.0, mdc=4.0),
             Measure("hip", 112.0, 5.0, mdc=6.0)]  # fmt: skip
    changes = {c.label: c for c in compare_measures(before, after)}
    knee = changes["knee_flexion (left)"]
    assert knee.is_change and knee.mdc == 7.0 and knee.threshold_source == "stored MDC"
    assert not changes["cva"].is_change and changes["cva"].mdc == pytest.approx(1.96 * math.sqrt(18))
    assert changes["cva"].threshold_source == "this tool's uncertainty"
    assert not changes["hip"].is_change and changes["hip"].mdc == pytest.approx(1.96 * math.sqrt(50))
    assert "no detectable change" in changes["cva"].describe()


def test_one_change_rule_for_evaluation_and_history():
    """The evaluation's comparison and the history/report summary give the same verdict on the same pair."""
    from datetime import datetime, timedelta, timezone

    from posture_feedback.assessment.change import is_real_change
    from posture_feedback.reports.summary import measure_changes
    from posture_feedback.storage.models import RomPoint

    t0 = datetime(2026, 1, 5, tzinfo=timezone.utc)
    for (v0, u0, m0), (v1, u1, m1) in [((100, 2, 6), (108, 2, 7)), ((50, 3, 4), (47, 3, 4)), ((100, 5, 6), (112, 5, 6)),
                                       ((100, 1, None), (104, 1, None))]:  # fmt: skip
        (ev,) = compare_measures([Measure("m", v0, u0, mdc=m0)], [Measure("m", v1, u1, mdc=m1)])
        later = t0 + timedelta(days=9)
        (hist,) = measure_changes([RomPoint(t0, 1, "m", None, v0, u0, "deg", None, m0),
                                   RomPoint(later, 2, "m", None, v1, u1, "deg", None, m1)])  # fmt: skip
        assert ev.is_change == hist.significant == is_real_change(v0, v1, u0, u1, m0, m1)
        assert ev.mdc == pytest.approx(hist.threshold)
    # judged as written, one decimal: 10.0 -> 17.48 against a stored MDC of 7.46 reads "+7.5, MDC 7.5" on
    # every surface, so no change (the raw 7.48 > 7.46 said "change" beside it); 10.0 -> 17.56: "+7.6"
    for v1, real in ((17.48, False), (17.56, True)):
        (ev,) = compare_measures([Measure("m", 10.0, 1.0, mdc=7.46)], [Measure("m", v1, 1.0, mdc=7.46)])
        (hist,) = measure_changes([RomPoint(t0, 1, "m", None, 10.0, 1.0, "deg", None, 7.46),
                                   RomPoint(later, 2, "m", None, v1, 1.0, "deg", None, 7.46)])  # fmt: skip
        assert ev.is_change is hist.significant is real, (v1, ev.describe())
        assert f"({v1 - 10.0:+.1f}, threshold 7.5" in ev.describe()
    # nothing to judge: no uncertainty and no MDC on either side. The history says "cannot judge"; the evaluation's
    # comparison (assess's "since previous:" line, report.html) said "no detectable change" (review 29)
    (ev,) = compare_measures([Measure("m", 10.0, math.nan)], [Measure("m", 30.0, math.nan)])
    (hist,) = measure_changes([RomPoint(t0, 1, "m", None, 10.0, math.nan, "deg", None, None),
                               RomPoint(later, 2, "m", None, 30.0, math.nan, "deg", None, None)])  # fmt: skip
    assert ev.is_change is hist.significant is None
    assert ev.describe().endswith(": cannot judge"), ev.describe()
    # a value the later evaluation marked invalid: not judged either (it read "no detectable change" for +20)
    (ev,) = compare_measures([Measure("m", 10.0, 1.0, mdc=5.0)], [Measure("m", 30.0, 1.0, mdc=5.0, valid=False)])
    assert ev.is_change is None and ev.describe().endswith(": cannot judge"), ev.describe()


def test_plane_uncertainty_grows_with_obliqueness():
    face_on = plane_uncertainty("frontal", 0.0, 1.0)
    oblique = plane_uncertainty("frontal", 45.0, 1.0)
    side_on = plane_uncertainty("sagittal", 90.0, 1.0)
    assert face_on == pytest.approx(side_on)
    assert oblique > face_on
    assert plane_uncertainty("frontal", 0.0, 0.5) > face_on


def test_verdict_and_record_json_round_trip(tmp_path):
    # range [-2, 2]; value ± uncertainty by hand
    assert verdict(1.0, 0.5, -2.0, 2.0) == "within"  # [0.5, 1.5]: inside
    assert verdict(1.0, 3.0, -2.0, 2.0) == "uncertain"  # [-2, 4]: in the range and beyond it
    assert verdict(-1.0, 20.2, -2.0, 2.0) == "uncertain"  # the audit's pelvic tilt: was "within"
    assert verdict(4.0, 3.0, -2.0, 2.0) == "uncertain"  # [1, 7]
    assert verdict(9.0, 3.0, -2.0, 2.0) == "outside"  # [6, 12]: wholly beyond
    assert verdict(1.0, math.nan, -2.0, 2.0) == "within"  # no uncertainty: the value alone
    assert verdict(30.0, 5.0, 20.0, None) == "within"  # an open range: [25, 35] above 20
    assert verdict(math.nan, 3.0, -2.0, 2.0) == "not measured"
    # judged on the numbers as printed (one decimal): -24.64 ± 22.62 reaches -2.02, but its line reads
    # "-24.6 ± 22.6", reaching -2.0, inside -2...2; 1.04 ± 0.97 reaches 2.01 but reads "1.0 ± 1.0", [0, 2]
    assert verdict(-24.64, 22.62, -2.0, 2.0) == "uncertain"
    assert verdict(-24.66, 22.63, -2.0, 2.0) == "outside"  # "-24.7 ± 22.6": up to -2.1
    assert verdict(1.04, 0.97, 0.0, 2.0) == "within"
    assert verdict(1.06, 0.97, 0.0, 2.0) == "uncertain"  # "1.1 ± 1.0": up to 2.1
    rec = AssessmentRecord(kind="rom", title="t", measures=[Measure("x", math.nan, math.nan, "left", mdc=3.0)])
    rec.details["x (left)"] = {"peaks": [{"frame": 3, "value": 1.5}]}
    path = rec.save_json(tmp_path / "r.json")
    back = AssessmentRecord.load_json(path)
    assert math.isnan(back.measures[0].value) and back.measures[0].side == "left"
    assert back.details == rec.details


# -- view gate and refusal ------------------------------------------------------------------------


def test_view_instructions():
    assert view_instruction(View.SIDE, View.FRONT) == "Turn side-on to the camera"
    assert "left side" in view_instruction(View.SIDE, View.FRONT, side="left")
    assert view_instruction(View.SIDE, View.SIDE, azimuth_deg=-90.0, side="left").startswith("Turn around")
    assert view_instruction(View.SIDE, View.SIDE, azimuth_deg=90.0, side="left") is None
    assert view_instruction(View.FRONT, View.BACK) == "Turn around to face the camera"
    assert view_instruction(View.FRONT, View.UNKNOWN).startswith("Step into view")
    # oblique from behind (120–150°) is not "a little" from facing the camera (a fifth audit)
    assert view_instruction(View.FRONT, View.OBLIQUE, azimuth_deg=126.0) == "Turn around to face the camera"
    assert view_instruction(View.FRONT, View.OBLIQUE, azimuth_deg=-40.0).startswith("Turn a little more")


def test_view_gate_waits_for_right_view_then_still():
    side = [pose_with_angles(azimuth_deg=90.0)] * 10
    front = [pose_with_angles()] * 40
    results = sequence(side + front)
    gate = ViewGate(View.FRONT, hold_s=0.5)
    states = [gate.update(r) for r in results]
    assert states[0].message == "Turn to face the camera" and not states[0].ready
    first_ready = next(i for i, s in enumerate(states) if s.ready)
    assert states[10].message == "Hold still"  # the turn itself is movement
    assert first_ready == 11 + 15  # then 0.5 s at 30 fps of a still front view
    assert all(s.ready for s in states[first_ready:])
    # Moving (the whole body drifting sideways) never gets ready.
    gate.reset()
    states = [gate.update(r) for r in sequence(drifting(20))]
    assert any(s.message == "Hold still" for s in states)
    assert not any(s.ready for s in states)


def test_side_view_test_refuses_front_view_data():
    results = sequence([pose_with_angles(left_arm=(a, 0, 0)) for a in reps_trace([150.0, 150.0])])
    with pytest.raises(WrongViewError, match="Turn side-on"):
        rom_test("shoulder_flexion", {"left": results})
    with pytest.raises(WrongViewError, match="face the camera"):
        check_view(sequence([pose_with_angles(azimuth_deg=90.0)] * 5), View.FRONT)


# -- ROM on constructed poses ---------------------------------------------------------------------


def test_rom_shoulder_flexion_exact_on_constructed_side_view(tmp_path):
    peaks = [140.0, 165.0, 155.0]
    # Camera on the person's left (azimuth +90): left side towards the camera.
    poses = [pose_with_angles(azimuth_deg=90.0, left_arm=(a, 0, 0)) for a in reps_trace(peaks, low=5.0)]
    rec = rom_test("shoulder_flexion", {"left": sequence(poses)}, out_dir=tmp_path)
    m = rec.measure("shoulder_flexion", "left")
    assert m.value == pytest.approx(165.0, abs=1e-6)
    d = rec.details[m.label]
    assert d["n_reps"] == 3
    assert [p["value"] for p in d["peaks"]] == pytest.approx(peaks, abs=1e-6)
    # The AAOS norm was measured supine with a goniometer, this tool measures standing: value, no verdict.
    assert math.isnan(d["percent_of_norm"]) and d["verdict"].startswith("no verdict")
    assert m.reference is None and m.reference_low is None and m.reference_high is None
    assert "supine" in d["reference_note"]
    borrowed = mdc95(math.hypot(4.0 / (1.96 * math.sqrt(2)), np.std(peaks, ddof=1)))  # Boone 1978 floor + spread
    assert m.mdc == pytest.approx(max(borrowed, 1.96 * math.sqrt(2) * m.uncertainty))
    assert m.uncertainty > np.std(peaks, ddof=1)
    assert (tmp_path / d["snapshot"]).is_file()
    with pytest.raises(WrongViewError, match="right side must face"):
        rom_test("shoulder_flexion", {"right": sequence(poses)})


def test_rom_left_right_difference_and_lateral_flexion():
    left = [pose_with_angles(left_arm=(a, 90, 0)) for a in reps_trace([170.0, 170.0])]
    right = [pose_with_angles(right_arm=(a, 90, 0)) for a in reps_trace([150.0, 150.0])]
    rec = rom_test("shoulder_abduction", {"left": sequence(left), "right": sequence(right)})
    assert rec.measure("shoulder_abduction", "left").value == pytest.approx(170.0, abs=1e-6)
    assert rec.measure("shoulder_abduction", "right").value == pytest.approx(150.0, abs=1e-6)
    diff = rec.measure("shoulder_abduction_left_right_difference")
    assert diff.value == pytest.approx(20.0, abs=1e-6)
    with pytest.raises(RomTestError, match="unknown ROM test"):
        rom_test("ankle_wiggle", {"left": sequence(left)})
    with pytest.raises(RomTestError, match="no shoulder abduction \\(left\\) found: the angle never exceeded 0°"):
        rom_test("shoulder_abduction", {"left": sequence([pose_with_angles()] * 40)})


def _lean_sideways(pose: Landmarks, deg: float, px_per_m: float = 250.0) -> Landmarks:
    """Shift the upper body sideways so that mid-hip → mid-shoulder leans ``deg`` to the person's left (+x)."""
    image, world = pose.image.copy(), pose.world.copy()
    hips = world[[lm.LEFT_HIP, lm.RIGHT_HIP]].mean(axis=0)
    sh = world[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER]].mean(axis=0)
    dx = abs(sh[1] - hips[1]) * math.tan(math.radians(deg))
    upper = [lm.NOSE, *range(1, 11), lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, *range(13, 23)]
    world[upper, 0] += dx
    image[upper, 0] += dx * px_per_m
    return pose.with_arrays(image=image, world=world)


def test_trunk_lateral_flexion_rom_and_sign():
    poses = [_lean_sideways(pose_with_angles(), a) for a in reps_trace([30.0, 25.0], low=0.0)]
    results = sequence(poses)
    vals, _ = angle_trace(results, ROM_TESTS["trunk_lateral_flexion"], "left")
    assert np.nanmax(vals) == pytest.approx(30.0, abs=1e-6)
    rec = rom_test("trunk_lateral_flexion", {"left": results})
    assert rec.measure("trunk_lateral_flexion", "left").value == pytest.approx(30.0, abs=1e-6)
    with pytest.raises(RomTestError):  # leaning left is not lateral flexion to the right
        rom_test("trunk_lateral_flexion", {"right": results})


def test_the_trunk_lateral_flexion_verdict_carries_the_camera_roll_assess_announces():
    """An audit saw "camera assumed level ...: angles against the vertical carry ±20°" followed by
    "16.0° ± 8.8 ... outside" with no camera term: a lean against an unknown vertical can be off
    by the roll. Level camera: 20° in quadrature; calibrated: its error, at least 3°."""
    from posture_feedback.calibration.camera import CameraCalibration

    results = sequence([_lean_sideways(pose_with_angles(), a) for a in reps_trace([30.0, 25.0], low=0.0)])
    level = rom_test("trunk_lateral_flexion", {"left": results})
    m = level.measure("trunk_lateral_flexion", "left")
    d = level.details[m.label]
    assert d["camera_uncertainty"] == 20.0
    assert m.uncertainty >= 20.0  # √(model² + spread² + 20²)
    assert verdict(m.value, m.uncertainty, m.reference_low, m.reference_high) == "uncertain"  # 30 ± ≥20 vs ≥ 31.5
    calibrated = CameraCalibration(roll_deg=0.0, spread=1.0, n_frames=90, axis="scene", camera="cam")
    m2 = rom_test("trunk_lateral_flexion", {"left": results}, calibration=calibrated).measure(
        "trunk_lateral_flexion", "left"
    )
    assert m2.uncertainty < 12.0 and m2.uncertainty < m.uncertainty  # 3° floor instead of 20°
    # a canonical angle (shoulder abduction) carries the camera in its own ±: nothing added
    assert ROM_TESTS["shoulder_abduction"].against_vertical is False


# -- posture screen on constructed poses ----------------------------------------------------------


def test_posture_screen_exact_on_constructed_front_and_side(tmp_path):
    front = sequence([_lean_sideways(pose_with_angles(shoulder_tilt=5.0, pelvic_tilt=-3.0, head_tilt=4.0), 6.0)] * 80)
    side = sequence([pose_with_angles(azimuth_deg=90.0, trunk_lean=8.0, head_lean=40.0)] * 80)
    rec = posture_screen(front, side, out_dir=tmp_path)
    got = {m.name: m for m in rec.measures}
    assert got["shoulder_tilt"].value == pytest.approx(5.0, abs=1e-6)
    assert got["pelvic_tilt"].value == pytest.approx(-3.0, abs=1e-6)
    assert got["trunk_lateral_lean"].value == pytest.approx(6.0, abs=1e-6)
    assert got["craniovertebral_angle"].value == pytest.approx(50.0, abs=1e-6)
    assert got["trunk_inclination"].value == pytest.approx(8.0, abs=1e-6)
    # mid-ear = mid-shoulder + NECK_SHOULDER_RATIO × 0.36 m (the constructed shoulder width) along
    # the head line leaning 40° forward → 100 × 0.2124 × sin 40° cm in front.
    neck_cm = 100.0 * NECK_SHOULDER_RATIO * 0.36
    assert got["ear_shoulder_offset"].value == pytest.approx(neck_cm * math.sin(math.radians(40.0)), abs=1e-6)
    assert got["ear_shoulder_offset"].unit == "cm"
    # 5° is 3° outside ±2°, but less than its uncertainty (model + 2° uncalibrated roll): not distinguishable.
    assert got["shoulder_tilt"].uncertainty > 3.0
    assert rec.details["shoulder_tilt"]["verdict"] == "uncertain"
    # the shoulder–ear head angle has no norm on its own scale (C7–tragus norms do not apply)
    assert rec.details["craniovertebral_angle"]["verdict"].startswith("no verdict")
    assert any("not calibrated" in w for w in rec.warnings)
    assert sorted(rec.snapshots) == ["posture_front.png", "posture_side.png"]
    report = write_html_report([rec], tmp_path / "report.html")
    text = report.read_text(encoding="utf-8")
    for name in ("shoulder tilt", "head angle (shoulder–ear)", "ear shoulder offset", "Lau", "MDC95"):
        assert name in text
    assert text.count("data:image/png;base64,") == 2


def test_posture_screen_refuses_wrong_view_and_restless_person():
    side = sequence([pose_with_angles(azimuth_deg=90.0)] * 60)
    with pytest.raises(WrongViewError, match="face the camera"):
        posture_screen(side, None)
    restless = sequence(drifting(60))
    from posture_feedback.assessment.posture import PostureScreenError

    with pytest.raises(PostureScreenError, match="no still front view"):
        posture_screen(restless, None, hold_s=1.0)


# -- movement screen on constructed squats --------------------------------------------------------


def _planted(pose: Landmarks, ankle_row: float) -> Landmarks:
    """The pose moved up or down in the image so that its lower ankle is on ``ankle_row`` (feet on the floor;
    ``pose_with_angles`` keeps the hips fixed instead)."""
    image = pose.image.copy()
    image[:, 1] += ankle_row - image[[lm.LEFT_ANKLE, lm.RIGHT_ANKLE], 1].max()
    return pose.with_arrays(image=image)


def _squat(q: float, az: float = 0.0, valgus_px: float = 0.0, trunk: float = 0.0) -> Landmarks:
    pose = pose_with_angles(azimuth_deg=az, trunk_lean=trunk, left_leg=(q, 2 * q), right_leg=(q, 2 * q))
    if valgus_px:
        image = pose.image.copy()
        image[lm.LEFT_KNEE, 0] -= valgus_px  # the person's left knee moves towards the midline (−x)
        pose = pose.with_arrays(image=image)
    return _planted(pose, 440.0)


def test_movement_screen_flags_knee_valgus_and_forward_lean(tmp_path):
    qs = reps_trace([45.0, 45.0, 45.0], low=0.0)
    front = sequence([_squat(q, valgus_px=0.5 * q) for q in qs])  # left knee caves in as the squat deepens
    side = sequence([_squat(q, az=90.0, trunk=0.9 * q) for q in qs])
    rec = movement_screen("overhead_squat", front, side, out_dir=tmp_path)
    left, right = rec.measure("knee_valgus", "left"), rec.measure("knee_valgus", "right")
    assert left.value > 8.0 and abs(right.value) < 1e-6
    worst = max(rec.details[left.label]["repetitions"], key=lambda r: r["value"])
    assert rec.details[left.label]["frame"] == worst["frame"]
    assert len(rec.details[left.label]["repetitions"]) == 3
    # Side: trunk leans 0.9·q = 40.5° at the bottom; the shin (ankle → knee) leans by the body-frame geometry.
    q, k = math.radians(45.0), math.radians(90.0)
    d = np.array([0.0, -math.cos(q), math.sin(q)])
    w = np.array([0.0, 0.0, -1.0]) - (np.array([0.0, 0.0, -1.0]) @ d) * d
    shank = math.cos(k) * d + math.sin(k) * w / np.linalg.norm(w)
    shin = math.degrees(math.atan2(-shank[2], -shank[1]))
    lean = rec.measure("trunk_forward_lean_excess")
    assert lean.value == pytest.approx(40.5 - shin, abs=1e-6)
    assert rec.measure("squat_depth").value == pytest.approx(90.0, abs=1e-6)
    assert rec.measure("arms_forward") is not None
    assert sorted(rec.snapshots) == ["movement_overhead_squat_front.png", "movement_overhead_squat_side.png"]
    assert ms.trunk_leans(side[0].landmarks, side[0].azimuth_deg)[1] == pytest.approx(0.0, abs=1e-9)


# -- the real model on the sample video -----------------------------------------------------------


@pytest.fixture(scope="session")
def sports_run(sports_video):
    """Pipeline results of the sample's first 172 frames: facing the camera raising both arms twice
    (frames ~10–90), then side-on with the right side towards the camera, raising the right arm (~95–170)."""
    from posture_feedback.pipeline import analyze_video

    return analyze_video(sports_video, max_frames=172)


def test_real_video_shoulder_abduction_while_jumping(sports_run):
    """Frames 0-95: the man on the box does jumping jacks: his arms abduct (the arm-trunk angle is a real
    abduction, so it is measured), though his feet leave the ground (which would refuse a leg or trunk test)."""
    front = sports_run[:95]
    rec = rom_test("shoulder_abduction", {"left": front, "right": front})
    for side in ("left", "right"):
        m = rec.measure("shoulder_abduction", side)
        d = rec.details[m.label]
        # Two raises (frames ~25 and ~56); a view label flipping to "back" can hide or shift one.
        assert any(130.0 <= p["value"] <= 180.0 and 20 <= p["frame"] <= 65 for p in d["peaks"]), d["peaks"]
        assert d["verdict"].startswith("no verdict")  # AAOS is supine: no norm measured standing
        assert math.isfinite(m.uncertainty) and m.mdc > 0
    with pytest.raises(RomTestError, match="no trunk lateral flexion \\(left\\) found: "):
        rom_test("trunk_lateral_flexion", {"left": front})


def test_real_video_refusal_and_side_view_flexion(sports_run, tmp_path):
    with pytest.raises(WrongViewError, match="Turn side-on"):
        rom_test("shoulder_flexion", {"right": sports_run[:95]})
    # Side-on, the man on the box lifts his arms forwards and overhead (frames ~140-170) before a handstand.
    rec = rom_test("shoulder_flexion", {"right": sports_run[95:]}, out_dir=tmp_path)
    m = rec.measure("shoulder_flexion", "right")
    assert 100.0 <= m.value <= 180.0
    assert 140 <= rec.details[m.label]["best_frame"] <= 170
    report = write_html_report([rec], tmp_path / "report.html")
    assert "shoulder flexion (right)" in report.read_text(encoding="utf-8")


def test_report_change_column_uses_the_mdc(tmp_path):
    def rec(value: float) -> AssessmentRecord:
        r = AssessmentRecord(kind="rom", title="ROM: Knee flexion (left)")
        r.measures.append(Measure("knee_flexion", value, 1.0, "left", reference=135.0, mdc=5.0))
        r.details["knee_flexion (left)"] = {"verdict": "outside"}
        return r

    text = write_html_report([rec(112.0)], tmp_path / "r.html", previous=[rec(100.0)]).read_text(encoding="utf-8")
    assert "100.0 ± 1.0 → 112.0 ± 1.0 deg (+12.0, threshold 5.0, stored MDC): change" in text  # each with its ±
    text = write_html_report([rec(103.0)], tmp_path / "r.html", previous=[rec(100.0)]).read_text(encoding="utf-8")
    assert "(+3.0, threshold 5.0, stored MDC): no detectable change" in text
