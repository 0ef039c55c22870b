"""Exercises on a real recording with the real model.

sports2d_demo.mp4, frames 0–99 (30 fps): a man on a platform facing the camera does two jumping
jacks: arms down (frame 6) → overhead (~24) → down (~42) → overhead (~57) → down (~78), then
turns away (checked by eye on saved frames). The arm movement is a bilateral lateral raise, so
the lateral_raise exercise must count exactly 2 repetitions.
"""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from posture_feedback.cli import main
from posture_feedback.exercises.demonstration import compare_rep, demonstration_from_results
from posture_feedback.exercises.events import RepEvent
from posture_feedback.exercises.library import get_exercise
from posture_feedback.exercises.plan import parse_plan
from posture_feedback.exercises.runner import SessionRunner
from posture_feedback.exercises.signals import compute_signals
from posture_feedback.exercises.tracker import ExerciseTracker
from posture_feedback.pipeline import analyze_video

FRAMES = 100
# Jumping-jack arms rest slightly out from the body (measured 23–45° in the frames before the first
# jack), so the therapist's plan widens the start range; the built-in "arms by the sides" start is
# ≤ 25°, and a rep only counts once the start position has been seen.
PLAN = """\
title = "Jumping-jack arms"
countdown_s = 0
instruction_s = 0

[[exercise]]
name = "lateral_raise"
sets = 1
reps = 100

[exercise.phases.down]
max = 40
"""


@pytest.fixture(scope="session")
def jumping_jacks(sports_video):
    return analyze_video(sports_video, max_frames=FRAMES)


def run_plan(results, text):
    runner = SessionRunner(parse_plan(text))
    events = runner.start(results[0].frame.timestamp_s)
    for r in results:
        events += runner.feed(r)
    events += runner.stop(results[-1].frame.timestamp_s)
    return runner, [e.rep for e in events if isinstance(e, RepEvent)]


def test_jumping_jacks_count_once_the_front_view_is_established(jumping_jacks):
    """Count only what is seen: in frames 0–21 the model has not settled (left/right labels mirrored,
    azimuth jumping 147°, −46°, 164°, −3°, 91°), so the view is not yet FRONT and the first jack
    (frames 6–42), whose start was not seen, is not counted. The second one is."""
    from posture_feedback.types import View

    assert sum(r.person_found for r in jumping_jacks) >= 90
    first_front = next(i for i, r in enumerate(jumping_jacks) if r.view is View.FRONT)
    assert 10 <= first_front <= 25
    assert all(r.view is View.FRONT for r in jumping_jacks[first_front:])
    runner, reps = run_plan(jumping_jacks, PLAN)
    assert [r.counted for r in reps] == [True]
    assert runner.result.sets[0].count == 1
    (second,) = reps
    # arms overhead at ~1.9 s, down again at ~2.6 s
    assert 1.4 <= second.start_t < 1.9 < second.end_t <= 2.7
    assert second.peak > 120  # both arms well above shoulder height
    assert second.time_in_range_s > 0.3


def test_headless_command_writes_per_rep_csv_and_json(tmp_path, sports_video, capsys):
    plan = tmp_path / "jj.toml"
    plan.write_text(PLAN)
    out = tmp_path / "reps.csv"
    assert main(["exercise", str(plan), "--video", str(sports_video), "--headless", "--max-frames", "100",
                 "--out", str(out)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "lateral_raise (both) set 1: 1 rep counted of 1 attempt" in printed  # the first jack: view not settled
    rows = list(csv.DictReader(out.open()))
    assert [(r["rep"], r["counted"], r["count"]) for r in rows] == [("1", "True", "1")]
    assert float(rows[0]["peak"]) > 120
    # each row says its exercise and set, as the printed summary does (they were "" and 0)
    assert [(r["exercise"], r["set"]) for r in rows] == [("lateral_raise", "1")]


def test_demonstration_from_the_first_jack_judges_the_second(jumping_jacks):
    defn = get_exercise("lateral_raise").with_phase("down", rng=None)
    demo = demonstration_from_results(defn, jumping_jacks[:45], side="both", tolerance=15.0)
    # the demonstrated top (both arms) is ~140°: the target becomes ≥ peak − 15
    assert 120 < demo.peak < 160
    # whole degrees: the target's near end rounded down (anatomy.clamp_round), the start's to the nearest
    assert demo.definition.target.range.low == math.floor(demo.peak - 15.0)
    assert demo.definition.start.range.high == round(demo.rest + 15.0)
    assert demo.ghost is not None
    wrists = demo.ghost.points[:, [15, 16], 1]  # normalised image y of both wrists (down = +)
    assert wrists[0].min() > wrists.min() + 1.0  # the ghost's hands rise more than a trunk length
    # the second jack goes higher (~170°) at a similar speed: no "reach higher"
    later = jumping_jacks[45:95]
    tracker = ExerciseTracker(demo.definition, "both")
    times = [r.frame.timestamp_s for r in later]
    values = [tracker.primary_value(compute_signals(r.angles, r.landmarks, r.view)) if r.person_found else np.nan
              for r in later]  # fmt: skip
    c = compare_rep(demo, times, values)
    assert c.peak_diff > 0
    assert "Lift your arm higher, to shoulder height" not in c.feedback
    assert 0.3 < c.out_ratio < 3.0 and np.isfinite(c.dtw_mean)


def test_headless_json_has_every_rep_and_set(tmp_path, sports_video):
    plan = tmp_path / "jj.toml"
    plan.write_text(PLAN)
    out = tmp_path / "reps.json"
    assert main(["exercise", str(plan), "--video", str(sports_video), "--headless", "--max-frames", "80",
                 "--out", str(out)]) == 0  # fmt: skip
    doc = json.loads(out.read_text())
    assert doc["title"] == "Jumping-jack arms"
    assert doc["sets"][0]["exercise"] == "lateral_raise" and doc["sets"][0]["end_reason"] == "stopped"
    assert doc["sets"][0]["count"] == 1 and [r["count"] for r in doc["reps"]] == [1]
    assert all(r["verdict"] in ("good", "too_fast") for r in doc["reps"])


def test_saved_demonstration_becomes_the_target_of_a_plan(tmp_path, sports_video, jumping_jacks, capsys):
    demo = tmp_path / "jj_demo.npz"
    assert main(["exercise", "lateral_raise", "--video", str(sports_video), "--headless", "--max-frames", "45",
                 "--save-demo", str(demo), "--tolerance", "15"]) == 0  # fmt: skip
    assert "lateral_raise (both) demonstrated: down ≤" in capsys.readouterr().out
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN.replace("[exercise.phases.down]\nmax = 40\n", 'demonstration = "jj_demo.npz"\n'))
    from posture_feedback.exercises.demonstration import load_demonstration
    from posture_feedback.exercises.plan import load_plan

    item = load_plan(plan).items[0]
    # the demonstrated ranges and tempo are the plan item's target
    assert item.exercise.phases == load_demonstration(demo).definition.phases
    runner = SessionRunner(load_plan(plan))
    events = runner.start(0.0)
    for r in jumping_jacks:
        events += runner.feed(r)
    reps = [e for e in events if isinstance(e, RepEvent)]
    # the first jack (the demonstrated rep itself) starts before the front view is settled: only the
    # second is counted and compared
    assert [e.rep.counted for e in reps] == [True]
    assert all(e.comparison is not None for e in reps)
    assert reps[0].comparison.peak_diff > 0.0  # the second jack went higher than the demonstration


def test_face_on_jumping_jacks_are_not_counted_as_forward_reaches(jumping_jacks):
    """The jacks are abduction seen face-on. Forward reach (flexion) needs side view: nothing is
    counted, counting is paused and the window says to turn side-on. Fed as if side-on, the same
    frames reach the flexion target (the second jack, 178°; the unsigned elevation mixes the
    two planes), stopped from counting only by the bent elbows."""
    from posture_feedback.types import View

    text = PLAN.replace("lateral_raise", "forward_reach").replace(
        "[exercise.phases.down]", 'side = "left"\n[exercise.phases.down]'
    )
    runner = SessionRunner(parse_plan(text))
    runner.start(jumping_jacks[0].frame.timestamp_s)
    hints = set()
    for r in jumping_jacks:
        runner.feed(r)
        if r.view is View.FRONT:
            assert not runner.status.counting
            hints.add(runner.status.turn_hint)
    assert runner.status.count == 0
    assert hints == {"Counting paused: turn a quarter turn, side-on to the camera, your left side towards it"}
    # what the old, view-blind counting did with the same frames
    plan = parse_plan(text)
    tr = ExerciseTracker(plan.items[0].exercise, "left")
    for r in jumping_jacks:
        if r.person_found:
            tr.update(r.frame.timestamp_s, compute_signals(r.angles, r.landmarks, r.view), View.SIDE, r.landmarks)
    # the second jack reaches the flexion target; the first one's start fell in the model's first
    # frames (Pipeline's ``acquisition_frames``: no angle valid there), so it is not even seen
    assert [r.peak > 120 for r in tr.reps] == [True]
