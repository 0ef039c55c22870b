"""The upper-body exercises (laptop webcam framing, hips out of the frame): derived-signal geometry on
constructed landmarks with a known side, whole sets through the tracker from landmarks, and the
laptop coach's micro-break offering them."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from posture_feedback.exercises.library import get_exercise
from posture_feedback.exercises.signals import SIGNAL_NAMES, compute_signals, derived_signals
from posture_feedback.exercises.tracker import ExerciseTracker
from posture_feedback.monitor_rules import (
    BREAK_EXERCISES,
    BREAK_MOVE_S,
    LaptopRules,
    RuleOptions,
    break_offer,
    library_exercises,
)  # fmt: skip
from posture_feedback.types import ANGLE_NAMES, AngleTable, Landmarks, View

# Face-on, head to chest in a 640×480 frame (the person's left is image right); no hips, no legs.
# Shoulder width 160 px; ears 100 px above the shoulder line, 60 px apart.
DESK = {
    "nose": (320, 215),
    "left_ear": (350, 200), "right_ear": (290, 200),
    "left_shoulder": (400, 300), "right_shoulder": (240, 300),
    "left_elbow": (410, 420), "right_elbow": (230, 420),
}  # fmt: skip
UPPER = ("neck_bend_left", "neck_bend_right", "ear_shoulder_gap", "left_arm_raise", "right_arm_raise")


def desk(**moves) -> Landmarks:
    pts = dict(DESK)
    pts.update(moves)
    return Landmarks.from_points(pts)


def head_bent(deg: float) -> dict[str, tuple[float, float]]:
    """Ears of a head side-bent by ``deg`` towards the person's *right* (image left, face-on): the
    ear line turns about the mid-ear so that the left ear rises."""
    mid, half = np.array([320.0, 200.0]), 30.0
    v = half * np.array([math.cos(math.radians(deg)), -math.sin(math.radians(deg))])  # y down
    return {"left_ear": tuple(mid + v), "right_ear": tuple(mid - v)}


def test_new_signals_are_known_to_definitions():
    for n in (*UPPER, "trunk_forward_lean_hips_seen"):
        assert n in SIGNAL_NAMES


def test_upright_head_and_hanging_arms():
    s = derived_signals(desk(), View.FRONT)
    assert s["neck_bend_left"] == pytest.approx(0.0, abs=1e-9)
    assert s["neck_bend_right"] == pytest.approx(0.0, abs=1e-9)
    assert s["ear_shoulder_gap"] == pytest.approx(100 * 100 / 160)  # 62.5 % of the shoulder width
    # elbows 10 px outwards over 120 px down: atan(10/120) = 4.76° each, both arms the same sign
    assert s["left_arm_raise"] == pytest.approx(math.degrees(math.atan2(10, 120)))
    assert s["right_arm_raise"] == pytest.approx(math.degrees(math.atan2(10, 120)))


@pytest.mark.parametrize("deg", [10.0, 20.0, 35.0])
def test_head_bent_to_the_persons_right_is_neck_bend_right(deg):
    # face-on, the person's right ear is on image left; bending right brings it down
    s = derived_signals(desk(**head_bent(deg)), View.FRONT)
    assert s["neck_bend_right"] == pytest.approx(deg, abs=1e-9)
    assert s["neck_bend_left"] == pytest.approx(-deg, abs=1e-9)
    s = derived_signals(desk(**head_bent(-deg)), View.FRONT)
    assert s["neck_bend_left"] == pytest.approx(deg, abs=1e-9)


def test_neck_bend_is_relative_to_the_shoulder_line():
    # the whole upper body tilted 10° (left shoulder up) with the head following: no neck bend
    tilt = math.radians(10)
    centre = np.array([320.0, 300.0])
    rot = np.array([[math.cos(tilt), math.sin(tilt)], [-math.sin(tilt), math.cos(tilt)]])  # y down: left up
    pts = {k: tuple(centre + rot @ (np.array(p, float) - centre)) for k, p in DESK.items()}
    s = derived_signals(Landmarks.from_points(pts), View.FRONT)
    assert s["neck_bend_right"] == pytest.approx(0.0, abs=1e-9)
    assert s["ear_shoulder_gap"] == pytest.approx(62.5)  # along the tilted shoulder line's normal
    # the same tilted shoulders with the ears left level: the head bends 10° to the person's right
    # relative to the shoulders (the right shoulder dropped away from the right ear)
    pts.update(left_ear=(350, 200), right_ear=(290, 200))
    s = derived_signals(Landmarks.from_points(pts), View.FRONT)
    assert s["neck_bend_left"] == pytest.approx(10.0, abs=1e-9)


def test_shrug_narrows_the_ear_shoulder_gap():
    s = derived_signals(desk(left_shoulder=(400, 284), right_shoulder=(240, 284)), View.FRONT)
    assert s["ear_shoulder_gap"] == pytest.approx(100 * 84 / 160)  # 52.5 %: 10 points nearer
    # one shoulder only: the mean of the two sides (and the shoulder line tilts)
    s = derived_signals(desk(left_shoulder=(400, 284)), View.FRONT)
    w = math.hypot(160, 16)
    n = np.array([-16.0, -160.0]) / w  # perpendicular to (160, -16), head side
    gaps = [(np.array([350, 200]) - [400, 284]) @ n / w, (np.array([290, 200]) - [240, 300]) @ n / w]
    assert s["ear_shoulder_gap"] == pytest.approx(100 * sum(gaps) / 2)


@pytest.mark.parametrize(
    ("elbow", "expected"),
    [((400, 420), 0.0), ((400 + 120 * math.sin(math.radians(45)), 300 + 120 * math.cos(math.radians(45))), 45.0),
     ((520, 300), 90.0), ((400, 180), 180.0), ((380, 180), 180.0 + math.degrees(math.atan2(20, 120))),
     ((300, 400), -45.0)],
)  # fmt: skip
def test_left_arm_raise_face_on(elbow, expected):
    # face-on the person's left arm goes out to image right
    s = derived_signals(desk(left_elbow=elbow), View.FRONT)
    assert s["left_arm_raise"] == pytest.approx(expected, abs=1e-9)


def test_right_arm_raise_face_on_and_from_the_back():
    s = derived_signals(desk(right_elbow=(120, 300)), View.FRONT)  # out to image left = the person's right
    assert s["right_arm_raise"] == pytest.approx(90.0)
    assert s["left_arm_raise"] < 10.0
    # from the back the person's left is image left: the left arm out to image left is abduction
    back = {"left_shoulder": (240, 300), "right_shoulder": (400, 300), "left_elbow": (120, 300),
            "right_elbow": (400, 420), "left_ear": (290, 200), "right_ear": (350, 200)}  # fmt: skip
    s = derived_signals(Landmarks.from_points(back), View.BACK)
    assert s["left_arm_raise"] == pytest.approx(90.0)
    assert s["right_arm_raise"] == pytest.approx(0.0, abs=1e-9)


def test_upper_body_signals_need_a_frontal_view_and_landmarks_in_the_frame():
    for view in (View.SIDE, View.OBLIQUE, View.UNKNOWN):
        s = derived_signals(desk(), view)
        assert all(math.isnan(s[n]) for n in UPPER), view
    # an elbow guessed below the frame edge (y > 480) is missing, never used
    s = derived_signals(desk(left_elbow=(420, 520)), View.FRONT)
    assert math.isnan(s["left_arm_raise"]) and math.isfinite(s["right_arm_raise"])
    pts = dict(DESK)
    del pts["right_ear"]
    s = derived_signals(Landmarks.from_points(pts), View.FRONT)
    assert math.isnan(s["neck_bend_left"]) and math.isnan(s["ear_shoulder_gap"])
    pts = dict(DESK)
    del pts["left_shoulder"]
    s = derived_signals(Landmarks.from_points(pts), View.FRONT)
    assert all(math.isnan(s[n]) for n in UPPER)


def _angles(**vals: float) -> AngleTable:
    t = AngleTable.empty()
    for k, v in vals.items():
        i = ANGLE_NAMES.index(k)
        t.values[i] = v
        t.valid[i] = True
    return t


def test_trunk_lean_for_thoracic_extension_needs_a_hip_inside_the_frame():
    side_on = {"left_shoulder": (300, 150), "left_ear": (310, 60), "left_hip": (300, 400)}
    s = compute_signals(_angles(trunk_forward_lean=4.0), Landmarks.from_points(side_on), View.SIDE)
    assert s["trunk_forward_lean_hips_seen"] == 4.0
    side_on["left_hip"] = (300, 530)  # below the desk edge of a 480-px frame: a guess
    s = compute_signals(_angles(trunk_forward_lean=4.0), Landmarks.from_points(side_on), View.SIDE)
    assert s["trunk_forward_lean"] == 4.0 and math.isnan(s["trunk_forward_lean_hips_seen"])


# -- whole sets from constructed landmarks -----------------------------------------------------
def run_frames(name: str, side: str, frames: list[tuple[float, Landmarks]], view: View = View.FRONT):
    tr = ExerciseTracker(get_exercise(name), side)
    for t, lms in frames:
        tr.update(t, compute_signals(None, lms, view), view, lms)
    return tr


def timeline(pose, segments, fps: float = 30.0):
    """segments: (seconds, from_amount, to_amount); ``pose(amount)`` gives the landmarks."""
    frames, t = [], 0.0
    for secs, a, b in segments:
        n = round(secs * fps)
        for k in range(n):
            frames.append((t, pose(a + (b - a) * k / n)))
            t += 1 / fps
    return frames


def test_neck_side_bend_counts_the_side_bent_to_from_the_persons_own_rest():
    # rest with the head already 4° to the right (the baseline), then three bends 20° further right
    rest = 4.0
    segs = [(2.5, rest, rest)] + [(1.0, rest, rest + 20), (3.0, rest + 20, rest + 20), (1.0, rest + 20, rest),
                                  (1.0, rest, rest)] * 3  # fmt: skip
    frames = timeline(lambda a: desk(**head_bent(a)), segs)
    right = run_frames("neck_side_bend", "right", frames)
    assert right.baseline == pytest.approx(rest)
    assert right.count == 3
    left = run_frames("neck_side_bend", "left", frames)
    assert left.count == 0 and left.reps == []
    # a bend of 12° from rest stays short of the 15° target: partial
    bent = rest + 12
    segs = [(2.5, rest, rest), (1.0, rest, bent), (3.0, bent, bent), (1.0, bent, rest), (1, rest, rest)]
    right = run_frames("neck_side_bend", "right", timeline(lambda a: desk(**head_bent(a)), segs))
    assert right.count == 0 and [r.verdict.value for r in right.reps] == ["partial"]


def test_shoulder_rolls_count_the_lift_from_the_relaxed_shoulders():
    def pose(lift_px: float) -> Landmarks:
        return desk(left_shoulder=(400, 300 - lift_px), right_shoulder=(240, 300 - lift_px))

    # 20 px of 160 = 12.5 % of the shoulder width, beyond the 8 % target
    segs = [(2.5, 0, 0)] + [(1.0, 0, 20), (2.0, 20, 20), (1.0, 20, 0), (0.5, 0, 0)] * 4
    assert run_frames("shoulder_rolls", "both", timeline(pose, segs)).count == 4
    # 8 px = 5 %: short of the target
    segs = [(2.5, 0, 0)] + [(1.0, 0, 8), (2.0, 8, 8), (1.0, 8, 0), (0.5, 0, 0)] * 2
    assert run_frames("shoulder_rolls", "both", timeline(pose, segs)).count == 0
    # a two-frame jump of the shoulders (a landmark glitch, as seen on the real webcam crop) is no roll
    segs = [(2.5, 0, 0), (1 / 30, 0, 40), (1 / 30, 40, 40), (1 / 30, 40, 0), (1.0, 0, 0)]
    tr = run_frames("shoulder_rolls", "both", timeline(pose, segs))
    assert tr.count == 0 and tr.reps == []  # not even reported: no "Hold your shoulders up" for a glitch


def test_seated_arm_raise_counts_the_arm_raised_to_shoulder_height_not_the_other():
    def pose(deg: float) -> Landmarks:
        a = math.radians(deg)  # the person's left arm, face-on: outwards = image right
        return desk(left_elbow=(400 + 120 * math.sin(a), 300 + 120 * math.cos(a)))

    segs = [(1.0, 5, 5)] + [(1.5, 5, 90), (0.5, 90, 90), (1.5, 90, 5), (0.5, 5, 5)] * 3
    frames = timeline(pose, segs)
    assert run_frames("seated_arm_raise", "left", frames).count == 3
    assert run_frames("seated_arm_raise", "right", frames).count == 0
    # side-on nothing is counted (and the hint asks to face the camera)
    tr = run_frames("seated_arm_raise", "left", frames, view=View.SIDE)
    assert tr.count == 0


# -- the laptop coach's micro-break ----------------------------------------------------------
def test_every_micro_break_exercise_is_a_face_on_built_in_that_needs_no_hips():
    """A laptop webcam sees the person from the front, head to chest: a twentieth audit saw the break
    offer chin tuck first, a side-view exercise that counts nothing face-on."""
    have = library_exercises()
    assert set(BREAK_EXERCISES) <= have
    for name in BREAK_EXERCISES:
        d = get_exercise(name)
        assert d.views and d.instruction
        assert View.FRONT in d.views, (name, d.views)
        assert not any(w in d.signal for w in ("hip", "knee", "ankle", "foot"))


def test_the_monitor_offers_the_face_on_exercises_in_turn():
    rules = LaptopRules(RuleOptions(break_after_s=60.0, duration_s=1e9), available_exercises=library_exercises)
    offered = []
    for k in range(int(60 * 4.5)):
        offered += [e.exercise for e in rules.update(float(k), {}, True) if e.kind == "break"]
    assert offered == ["shoulder_rolls", "neck_side_bend", "shoulder_rolls", "neck_side_bend"]


def _run_the_dose(name: str, sets: int, reps: int, fps: float = 30.0) -> tuple[float, list]:
    """The exercise command's runner on ``name --sets --reps``, fed a face-on signal that does each
    repetition at the offer's stated pace: relaxed 0.3 s past the baseline, then out over 1.5 s, 50%
    beyond the target phase, held its hold + 0.3 s, back over 1.5 s, 0.2 s relaxed. Returns the
    session's seconds and its sets (side, count, end)."""
    import math

    from posture_feedback.exercises.plan import Plan, default_item
    from posture_feedback.exercises.runner import RunnerState, SessionRunner

    d = get_exercise(name)
    runner = SessionRunner(Plan(items=[replace(default_item(d), sets=sets, reps=reps)], title=d.title))
    far = d.phases[-1].range
    target = 1.5 * (far.high if math.isfinite(far.high) else far.low)
    hold = max(p.hold_s for p in d.phases) + 0.3
    move = BREAK_MOVE_S / 2

    def value() -> float:
        if runner.state is not RunnerState.ACTIVE:
            return 0.0
        x = runner.elapsed - d.baseline_s - 0.3
        if x < 0:
            return 0.0
        x %= 2 * move + hold + 0.2
        if x < move:
            return target * x / move
        if x < move + hold:
            return target
        return target * max(0.0, 1 - (x - move - hold) / move)

    t = 0.0
    runner.start(t)
    while runner.state is not RunnerState.DONE and t < 600:
        t += 1 / fps
        side = runner.step.side if runner.step else "both"
        runner.update(t, {d.signal.replace("{side}", side): value()}, View.FRONT)
    return t, [(s.side, s.count, s.end_reason) for s in runner.result.sets]


@pytest.mark.parametrize("name", BREAK_EXERCISES)
def test_a_break_offer_takes_about_the_minute_it_says(name):
    """A twentieth audit: "a 1-minute break" offered chin tuck at its defaults (2 sets of 8, 3 s
    holds, 20 s rest: over 2 minutes). Each offer's dose, run by the exercise command's own runner
    at the stated pace, completes every set with every repetition counted face-on, within 15% of
    the offer's estimate, and the estimate rounds to the minute said."""
    offer = break_offer(name)
    took, sets = _run_the_dose(name, offer.sets, offer.reps)
    sides = ("left", "right") if offer.each_side else ("both",)
    assert sets == [(side, offer.reps, "complete") for side in sides for _ in range(offer.sets)]
    assert took == pytest.approx(offer.duration_s, rel=0.15)
    assert offer.minutes == 1 and took < 75.0
    assert offer.command == f"posture-feedback exercise {name} --sets {offer.sets} --reps {offer.reps}"


def test_the_chin_tucks_defaults_were_no_one_minute_break_and_count_nothing_face_on():
    """Why chin tuck is no longer offered: its defaults take over two minutes (estimate 132 s), and
    face-on its runner counts no repetition."""
    offer = break_offer("chin_tuck")
    assert (offer.sets, offer.reps, offer.minutes) == (2, 8, 2)
    _, sets = _run_the_dose("chin_tuck", 1, 2)
    assert [count for _, count, _ in sets] == [0]


# -- the real model on the bundled webcam crop -----------------------------------------------
ACCURACY = Path(__file__).resolve().parents[2] / "shared" / "accuracy"


@pytest.mark.skipif(not (ACCURACY / "data" / "reference.npz").exists(), reason="accuracy set not present")
def test_real_model_arm_raise_follows_the_reference_with_the_hips_out_of_the_frame():
    """The bundled webcam crop (head to the lower ribs, hips out of view; frame k = frame k of the
    accuracy set's cam02). The man raises each arm out to about 70-77° from his body (4-camera
    reference, in his frontal plane relative to the shoulder line, ``bench/upper_body_exercises.py``),
    not to shoulder height: the real model's ``*_arm_raise`` follows it within 8° (mean; measured 6.0°
    left, 4.7° right, coverage 95% and 84%) and its highest value within 5° of the reference's; in
    the reference's frames ``seated_arm_raise`` counts no repetition (any attempt ended is partial)."""
    import importlib.util

    from posture_feedback.pipeline import iter_results
    from posture_feedback.resources import sample_video

    spec = importlib.util.spec_from_file_location(
        "bench_ub", Path(__file__).parents[1] / "bench" / "upper_body_exercises.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    X = np.load(ACCURACY / "data" / "reference.npz")["main_X"]
    ref = bench.world_series(X)  # per source frame; NaN where the reference has no frame
    results = list(iter_results(sample_video("lab_desk_webcam.mp4"), max_frames=99))
    sig = [compute_signals(r.angles, r.landmarks, r.view) if r.landmarks is not None else {} for r in results]
    for side in ("left", "right"):
        ours = np.array([s.get(f"{side}_arm_raise", math.nan) for s in sig])
        theirs = ref[f"{side}_arm_raise"][: len(ours)]
        both = np.isfinite(ours) & np.isfinite(theirs)
        assert np.isfinite(ours).mean() >= 0.75, side  # measured without the hips
        assert both.sum() >= 50
        assert np.mean(np.abs(ours[both] - theirs[both])) < 8.0, side
        assert abs(np.max(ours[both]) - np.max(theirs[both])) < 5.0, side  # how far the arm went
        # frames 0-84 (the reference's; he raises the left arm further after them): no repetition reaches
        # shoulder height in the reference, and none is counted
        assert np.nanmax(theirs[:85]) < 80.0
        tr = ExerciseTracker(get_exercise("seated_arm_raise"), side)
        for r, s in zip(results[:85], sig[:85], strict=True):
            if s:
                tr.update(r.frame.timestamp_s, s, r.view, r.landmarks)
            else:
                tr.pause(r.frame.timestamp_s)
        assert tr.count == 0, side
        assert all(rep.verdict.value == "partial" for rep in tr.reps), side
    # He leans his whole trunk up to 42° to his left (reference), shoulders square to it: the shoulder line's
    # tilt against the camera's horizontal (the old hitch) passes 12° in many frames. The hitch against his
    # trunk is missing while his hips are below the frame (a lean cannot be told from a hitch there), and
    # where they show at the bottom edge it stays inside the 12° limit (measured in 13 of these 99 frames:
    # −3.7° to +10.1°, the +10° in the very first frame; −3.7° with the tilt at −34°; a new-user audit,
    # 2026-12-07)
    tilt = np.array([s.get("shoulder_tilt", math.nan) for s in sig])
    assert np.sum(np.abs(tilt) > 12.0) >= 20
    hike = np.array([s.get("right_shoulder_hike", math.nan) for s in sig])
    assert np.isfinite(hike).sum() <= 20 and np.all(np.abs(hike[np.isfinite(hike)]) < 12.0)


@pytest.mark.skipif(not (ACCURACY / "data" / "webcam" / "desk.mp4").exists(), reason="accuracy set not present")
def test_real_model_a_two_frame_ear_jump_on_the_desk_crop_is_no_shoulder_roll():
    """The accuracy set's desk crop (``data/webcam/desk.mp4``, 100 frames at 30 fps): the man never
    shrugs (looked at frame by frame; frames 92-95 show his shoulders still). The model's ears jump
    for two frames there (ear-shoulder gap 48 -> 25 -> 35 -> 46 % of the shoulder width, 0.067 s):
    until 2026-12-07 a shoulder roll "held too briefly" was reported at 3.1 s with "Hold your shoulders
    up a moment longer before rolling them back" and "Slower on the way down". Nothing is reported now
    (``reps.RepCounter``: an excursion shorter than 0.3 s is noise, partial or not)."""
    from posture_feedback.commands.exercise import for_recording
    from posture_feedback.exercises.events import RepEvent
    from posture_feedback.exercises.plan import Plan, default_item
    from posture_feedback.exercises.runner import SessionRunner
    from posture_feedback.pipeline import iter_results

    defn = get_exercise("shoulder_rolls")
    item = replace(default_item(defn, "shoulder_rolls"), sets=1, reps=1000)
    runner = SessionRunner(for_recording(Plan(items=[item], title=defn.title)))
    events = []
    for k, r in enumerate(iter_results(ACCURACY / "data" / "webcam" / "desk.mp4")):
        events += (runner.start(r.frame.timestamp_s) if k == 0 else []) + runner.feed(r)
    reps = [e for e in events if isinstance(e, RepEvent)]
    assert reps == [], [(e.rep.verdict.value, e.rep.start_t, e.feedback) for e in reps]


@pytest.mark.skipif(not (ACCURACY / "data" / "webcam" / "desk.mp4").exists(), reason="accuracy set not present")
def test_real_model_an_arm_outside_the_desk_crop_does_not_read_as_hanging():
    """The accuracy set's desk crop: every 2nd frame of cam02 forward, then back. The man raises his right
    arm once (4-camera reference: one excursion, 0.23-3.13 s, ``bench/upper_body_exercises.py``); at the
    turn (frames 44-56, looked at one by one) his right arm is outside the picture, his right shoulder at
    its left edge. The model folds a guessed elbow onto his chest there (upper arm 0.20-0.28 shoulder
    widths long in the image, against 0.54-0.90 in 80% of the clip's frames) and it read −15…+18°, a
    hanging arm: until 2026-12-07 the raise was reported as two attempts, each told "Lift your arm
    higher". Now the foreshortened arm is not measured (``signals.MIN_UPPER_ARM``) and the raise is one
    attempt, partial (the reference's arm reaches 71°, short of the 80° target)."""
    from posture_feedback.pipeline import iter_results

    results = list(iter_results(ACCURACY / "data" / "webcam" / "desk.mp4"))
    sig = [compute_signals(r.angles, r.landmarks, r.view) if r.landmarks is not None else {} for r in results]
    right = np.array([s.get("right_arm_raise", math.nan) for s in sig])
    assert np.all(np.isnan(right[44:57]))  # the arm is not in the picture
    assert np.isfinite(right).mean() >= 0.7  # measured in the other frames (73%; out of the picture in 40-62)
    tr = ExerciseTracker(get_exercise("seated_arm_raise"), "right")
    for r, s in zip(results, sig, strict=True):
        if s:
            tr.update(r.frame.timestamp_s, s, r.view, r.landmarks)
        else:
            tr.pause(r.frame.timestamp_s)
    tr.update(results[-1].frame.timestamp_s + 0.2, {"right_arm_raise": 10.0}, View.FRONT)  # back down: ends it
    assert [rep.verdict.value for rep in tr.reps] == ["partial"]
    assert tr.reps[0].start_t < 0.4 and tr.reps[0].end_t > 3.0


def test_the_monitor_window_offer_names_the_sides_in_plain_words():
    pytest.importorskip("PyQt6")
    import ui.monitor as monitor

    window = next(c for c in vars(monitor).values() if isinstance(c, type) and hasattr(c, "_exercise_offer"))
    for name in BREAK_EXERCISES:
        text = window._exercise_offer(name)
        assert "{" not in text and get_exercise(name).title.lower() in text, text
    neck = window._exercise_offer("neck_side_bend")
    assert "tip your left ear towards your left shoulder" in neck and "Then the same on the right side." in neck
    assert neck.startswith("About 1 minute of neck side-bend, 1 set of 3 on each side: ")
    assert neck.endswith("(posture-feedback exercise neck_side_bend --sets 1 --reps 3)")


def test_signals_on_poses_built_from_known_angles():
    """``kinematics.pose_with_angles`` (its own body frame: the person's left, up, forward) builds the
    person; the camera in front (azimuth 0) or on their left (90)."""
    from posture_feedback.kinematics import compute_angles, pose_with_angles

    def sig(view: View = View.FRONT, **kw) -> dict[str, float]:
        lms = pose_with_angles(**kw)
        return compute_signals(compute_angles(lms, view, azimuth_deg=kw.get("azimuth_deg", 0.0)), lms, view)

    assert sig(head_tilt=10)["neck_bend_right"] == pytest.approx(10.0)  # left ear up = bent to the right
    assert sig(head_tilt=-12)["neck_bend_left"] == pytest.approx(12.0)
    assert sig(left_arm=(70, 90, 0))["left_arm_raise"] == pytest.approx(70.0)  # abduction, plane 90°
    assert sig(right_arm=(120, 90, 0))["right_arm_raise"] == pytest.approx(120.0)
    assert sig(left_arm=(60, 0, 0))["left_arm_raise"] == pytest.approx(0.0, abs=1e-6)  # flexion: unseen face-on
    # raised 70° forward the upper arm is 0.29 shoulder widths long in the picture (0.83 hanging): it points
    # at the camera, and its direction in the image says nothing about how far it is raised: not measured
    # (it read 0°, "hanging", before 2026-12-07)
    assert math.isnan(sig(left_arm=(70, 0, 0))["left_arm_raise"])
    # a shoulder line tilted against the trunk shifts the hanging arms by the tilt (hence the hitch check)
    s = sig(shoulder_tilt=8, head_tilt=8)
    assert s["left_arm_raise"] == pytest.approx(-8.0) and s["right_arm_raise"] == pytest.approx(8.0)
    assert s["neck_bend_right"] == pytest.approx(0.0, abs=1e-9)
    for lean in (-8.0, 0.0, 10.0):  # side-on, hips in the frame: the trunk line as it is, + forward
        assert sig(View.SIDE, azimuth_deg=90.0, trunk_lean=lean)["trunk_forward_lean_hips_seen"] == pytest.approx(lean)



def _leaning(lms: Landmarks, deg: float) -> Landmarks:
    """``lms`` with everything above the hips (trunk, head, arms) turned rigidly by ``deg`` about the
    mid-hip in the image plane, towards the person's left when face-on (their left is image right; image
    y down): a pure sideways trunk lean, the hips and legs where they were. The world landmarks (camera
    axes, an orthographic picture here) turn alike."""
    from posture_feedback import landmarks as lm

    keep = [lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_KNEE, lm.RIGHT_KNEE, lm.LEFT_ANKLE, lm.RIGHT_ANKLE,
            lm.LEFT_HEEL, lm.RIGHT_HEEL, lm.LEFT_FOOT_INDEX, lm.RIGHT_FOOT_INDEX]  # fmt: skip
    moving = np.setdiff1d(np.arange(lm.NUM_LANDMARKS), keep)
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    rot = np.array([[c, -s], [s, c]])
    out = []
    for arr in (lms.image.copy(), lms.world.copy()):
        pivot = (arr[lm.LEFT_HIP, :2] + arr[lm.RIGHT_HIP, :2]) / 2
        arr[moving, :2] = (arr[moving, :2] - pivot) @ rot.T + pivot
        out.append(arr)
    return lms.with_arrays(image=out[0], world=out[1])


def _faults_seen(exercise: str, side: str, up: tuple, lean: float = 0.0, shoulder_tilt: float = 0.0,
                 hide_hips: bool = False) -> set[str]:  # fmt: skip
    """The compensations the tracker flags over 1 s with the arm hanging, then 1 s raised to ``up``
    (``kinematics.pose_with_angles``: elevation, plane, elbow), with ``shoulder_tilt`` and the upper body
    leant ``lean``° (``_leaning``) all along; 30 frames a second, face-on, through ``compute_angles`` and
    ``compute_signals`` as the runner does. ``hide_hips``: the picture moved 250 px down, so that the
    hips fall below the 480 px frame and the shoulders stay in it (a desk webcam's framing)."""
    from posture_feedback.exercises.signals import signal_uncertainties
    from posture_feedback.kinematics import compute_angles, pose_with_angles

    tr = ExerciseTracker(get_exercise(exercise), side)
    arm = f"{side}_arm"
    seen: set[str] = set()
    for k in range(60):
        lms = _leaning(pose_with_angles(shoulder_tilt=shoulder_tilt, **{arm: (0.0, 90.0, 0.0) if k < 30 else up}), lean)
        if hide_hips:
            img = lms.image.copy()
            img[:, 1] += 250.0
            lms = lms.with_arrays(image=img)
        table = compute_angles(lms, View.FRONT, azimuth_deg=0.0)
        upd = tr.update(k / 30, compute_signals(table, lms, View.FRONT), View.FRONT, lms, signal_uncertainties(table))
        seen |= {c.name for c in upd.faults}
    assert tr.counter is not None and tr.counter.phase.value in ("out", "target"), exercise  # the raise was seen
    return seen


def test_a_whole_trunk_leaning_sideways_is_not_a_shoulder_hitch():
    """A new-user audit (2026-12-07): the seated arm raise said "Keep your shoulder down, away from your
    ear" to a man whose whole trunk leant 40° (shoulder line −41° to the camera's horizontal, square to
    his trunk), because the hitch was the shoulder line's tilt against the camera's horizontal.
    Hand-worked: a rigid lean of the upper body turns the trunk line and the shoulder line alike:
    asin(shoulder · trunk) = 0, no hitch. The right shoulder raised 20° (``shoulder_tilt`` = −20,
    the shoulders turning about their mid-point, the trunk line unchanged): a hitch of 20°, flagged
    (> 12° by more than the ±4°), with or without a lean under it."""
    from posture_feedback.kinematics import pose_with_angles

    for lean in (-40.0, 15.0, 40.0):
        s = compute_signals(None, _leaning(pose_with_angles(), lean), View.FRONT)
        assert s["left_shoulder_hike"] == pytest.approx(0.0, abs=1e-6), lean
        assert s["right_shoulder_hike"] == pytest.approx(0.0, abs=1e-6), lean
        hitched = compute_signals(None, _leaning(pose_with_angles(shoulder_tilt=-20.0), lean), View.FRONT)
        assert hitched["right_shoulder_hike"] == pytest.approx(20.0, abs=1e-6), lean

    up = (90.0, 90.0, 0.0)  # out to the side at shoulder height
    for exercise in ("seated_arm_raise", "lateral_raise"):
        assert "shoulder_hitch" not in _faults_seen(exercise, "right", up, lean=40.0), exercise
        assert "shoulder_hitch" in _faults_seen(exercise, "right", up, shoulder_tilt=-20.0), exercise
        assert "shoulder_hitch" in _faults_seen(exercise, "right", up, lean=-15.0, shoulder_tilt=-20.0), exercise
    # the lateral raise judges the lean itself as a lean (leaning away from the raised arm: to the left)
    assert "trunk_leaning" in _faults_seen("lateral_raise", "right", up, lean=40.0)
    # Hips below the frame: a lean and a hitch look alike, so neither is judged (no cue rather than a wrong one)
    assert "shoulder_hitch" not in _faults_seen("seated_arm_raise", "right", up, shoulder_tilt=-20.0, hide_hips=True)
    assert "shoulder_hitch" not in _faults_seen("seated_arm_raise", "right", up, lean=40.0, hide_hips=True)
