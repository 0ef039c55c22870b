"""`posture-feedback exercise`: listing, argument errors (one line, exit 2), plan errors, app hand-off."""

from __future__ import annotations

import argparse
import json

import pytest

from posture_feedback.cli import main
from posture_feedback.commands import exercise as cmd
from posture_feedback.exercises.library import builtin_names


def test_list_prints_one_exercise_per_line(capsys):
    assert main(["exercise", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(builtin_names()) >= 12
    assert [line.split(" — ")[0] for line in lines] == builtin_names()
    assert all(len(line.split(" — ")) == 2 and line.split(" — ")[1] for line in lines)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["exercise"], "give an exercise name or a plan file"),
        (["exercise", "lateral_rise", "--video", "x.mp4", "--headless"], "unknown exercise 'lateral_rise'"),
        (["exercise", "lateral_raise", "--video", "x.mp4"], "add --headless"),
        (["exercise", "lateral_raise", "--headless"], "--headless needs --video FILE"),
        (
            ["exercise", "lateral_raise", "--video", "x.mp4", "--headless", "--out", "r.txt"],
            "must end in .csv or .json",
        ),
        (["exercise", "tandem_stance", "--side", "left", "--video", "x.mp4", "--headless"], "not done with one side"),
        (["exercise", "upright_sitting", "--reps", "5", "--video", "x.mp4", "--headless"], "--reps must be"),
        (["exercise", "chin_tuck", "--hold", "5", "--video", "x.mp4", "--headless"], "--hold must be"),
        # a plan file's bounds (audit 28: --sets 1000000000 built a billion steps and hung)
        (["exercise", "mini_squat", "--sets", "1000000000", "--video", "x.mp4", "--headless"],
         "--sets must be from 1 to 100, not 1000000000"),
        (["exercise", "mini_squat", "--sets", "0", "--video", "x.mp4", "--headless"], "--sets must be from 1 to 100"),
        (["exercise", "missing_plan.toml", "--video", "x.mp4", "--headless"], "missing_plan.toml: file not found"),
        (["exercise", "lateral_raise", "--video", "does_not_exist.mp4", "--headless"], "does_not_exist.mp4"),
    ],
)
def test_bad_arguments_give_one_clear_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err


def test_a_still_image_is_refused_and_nothing_stored(tmp_path, capsys):
    """Audit 28: `exercise mini_squat --headless --video photo.jpg --profile P` stored a *completed*
    session (1 frame, 0 attempts) that counted for the profile's adherence. A still image is now
    refused in one line before the model runs, and the history stays empty."""
    import cv2
    import numpy as np

    from posture_feedback.storage import Database

    photo = tmp_path / "photo.jpg"
    cv2.imwrite(str(photo), np.full((120, 160, 3), 128, np.uint8))
    data = tmp_path / "data"
    assert main(["profile", "create", "--profile", "Ann", "--data-dir", str(data)]) == 0
    capsys.readouterr()
    code = main(["exercise", "mini_squat", "--headless", "--video", str(photo), "--profile", "Ann",
                 "--data-dir", str(data)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err == f"posture-feedback: error: {photo} is a still image: an exercise is counted on a " \
        "recording (a video, or a folder of its frames)\n", err
    with Database(data / "posture-feedback.sqlite3") as db:
        assert db.row_counts(db.profile_by_name("Ann").id)["sessions"] == 0
    # the window, too: it repeated the picture, and a still of the sports sample's upright man stored a session
    # 'stopped early' with 1 attempt of upright_sitting (review 29)
    code = main(["exercise", "mini_squat", "--source", str(photo), "--profile", "Ann", "--data-dir", str(data),
                 "--frames", "5"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err == f"posture-feedback: error: {photo} is a still image: an exercise is counted on a " \
        "camera or a recording (a video, or a folder of its frames)\n", err
    with Database(data / "posture-feedback.sqlite3") as db:
        assert db.row_counts(db.profile_by_name("Ann").id)["sessions"] == 0


def test_invalid_plan_reports_file_and_line(tmp_path, capsys):
    plan = tmp_path / "plan.toml"
    plan.write_text('title = "x"\n\n[[exercise]]\nname = "lateral_raise"\nsets = "three"\n')
    assert main(["exercise", str(plan), "--video", "x.mp4", "--headless"]) == 2
    err = capsys.readouterr().err
    assert f"{plan}:5: exercise[1].sets: must be a whole number, got a string (allowed: 1..100)" in err


def test_options_for_a_plan_are_refused(tmp_path, capsys):
    plan = tmp_path / "plan.toml"
    plan.write_text('[[exercise]]\nname = "lateral_raise"\n')
    assert main(["exercise", str(plan), "--reps", "3", "--video", "x.mp4", "--headless"]) == 2
    assert "apply to a single exercise" in capsys.readouterr().err


def _args(**kw):
    base = dict(side=None, reps=None, sets=None, hold=None)
    base.update(kw)
    return argparse.Namespace(**base)


def test_single_exercise_overrides_and_recording_defaults():
    plan = cmd.load_what("forward_reach", _args(side="right", reps=4, sets=3), headless=False)
    item = plan.items[0]
    assert (item.side, item.reps, item.sets) == ("right", 4, 3)
    plan = cmd.for_recording(cmd.load_what("marching", _args(hold=20.0), headless=True))
    item = plan.items[0]
    assert (item.hold_s, item.reps, item.sets, item.rest_s) == (20.0, None, 1, 0.0)
    assert (plan.instruction_s, plan.countdown_s, plan.rest_between_s) == (0.0, 0.0, 0.0)
    plan = cmd.load_what("mini_squat", _args(), headless=True)
    assert plan.items[0].reps == 10_000  # a recording: count everything


def test_a_definition_file_runs_as_a_single_exercise(tmp_path):
    from pathlib import Path

    src = Path(__file__).resolve().parent.parent / "examples" / "plans" / "wall_slide.toml"
    plan = cmd.load_what(str(src), _args(reps=3), headless=False)
    assert plan.items[0].exercise.name == "wall_slide" and plan.items[0].reps == 3


def test_without_headless_the_exercise_window_gets_the_plan(monkeypatch, tmp_path):
    import posture_feedback.ui.exercise_window as window

    calls = []
    monkeypatch.setattr(window, "launch_exercise", lambda plan, **kw: calls.append((plan, kw)) or 0)
    shot = tmp_path / "x.png"
    code = main(["exercise", "lateral_raise", "--side", "left", "--source", "sample", "--profile", "Ann",
                 "--frames", "30", "--screenshot", str(shot)])  # fmt: skip
    assert code == 0 and len(calls) == 1
    plan, kw = calls[0]
    assert plan.items[0].exercise.name == "lateral_raise" and plan.items[0].side == "left"
    assert kw["source"] == "sample" and kw["profile"] == "Ann" and kw["frames"] == 30 and kw["screenshot"] == str(shot)


def test_exercise_list_works_as_the_top_level_help_reads(capsys):
    """`posture-feedback --help` says "exercise: guided exercises: list them, ..."; a new user typed
    `exercise list` and got "unknown exercise 'list'"."""
    from posture_feedback.cli import main

    assert main(["exercise", "list"]) == 0
    listed = capsys.readouterr().out
    assert main(["exercise", "--list"]) == 0
    assert listed == capsys.readouterr().out and "side_bend" in listed


def test_tempo_cues_name_the_direction_each_exercise_moves():
    """A fourth audit: a mini squat's way back is standing up, yet a fast rise got "Slower on the
    way down". The way out/back of every built-in rep exercise, by hand from its start phase."""
    from posture_feedback.exercises.library import get_exercise

    expected = {  # (way out, way back)
        "mini_squat": ("down", "up"), "hip_hinge": ("down", "up"), "sit_to_stand": ("up", None),
        "lateral_raise": ("up", "down"), "forward_reach": ("up", "down"), "seated_arm_raise": ("up", "down"),
    }  # fmt: skip
    for name, (out, back) in expected.items():
        d = get_exercise(name)
        assert d.cue("slower_out") == f"Slower on the way {out}", name
        if back is not None:
            assert d.cue("slower_back") == f"Slower on the way {back}", name


def test_side_both_reads_as_a_person_would_do_it():
    """A fourth audit: with side "both", a one-side-at-a-time exercise read "lean sideways to the each"
    and "balance on both legs"; a balance set's JSON named "left:{other}_foot_lift"."""
    from posture_feedback.exercises.holds import condition_label
    from posture_feedback.exercises.library import get_exercise

    side_bend = get_exercise("side_bend").instruction_for("both")
    assert "to the each" not in side_bend and "lean sideways to the left" in side_bend
    assert side_bend.endswith("Then the same on the right side.")
    stance = get_exercise("single_leg_stance").instruction_for("both")
    assert "balance on both legs" not in stance and "balance on your left leg" in stance
    assert "Raise both arms" in get_exercise("lateral_raise").instruction_for("both")  # done together
    assert condition_label("left:{other}_foot_lift") == "right_foot_lift"
    assert condition_label("trunk_lean") == "trunk_lean"


def test_side_on_the_wrong_way_round_says_to_turn_round():
    """A fourth audit: forward reach on the left, the person side-on with the right side towards the
    camera: "Go!" and no count, no hint. Now: counting paused, and how to turn."""
    import math

    from posture_feedback.exercises.library import get_exercise
    from posture_feedback.exercises.tracker import ExerciseTracker
    from posture_feedback.types import ANGLE_NAMES, View

    d = get_exercise("forward_reach")
    tracker = ExerciseTracker(d, "left")
    values = dict.fromkeys(ANGLE_NAMES, math.nan)
    values[d.signal.replace("{side}", "right")] = 20.0  # only the near (right) arm is measured
    upd = tracker.update(0.0, values, View.SIDE)
    assert not upd.counting and upd.turn_hint == "Counting paused: turn round, your left side towards the camera"
    values[d.signal.replace("{side}", "left")] = 20.0  # the left arm seen: no hint
    upd = tracker.update(0.1, values, View.SIDE)
    assert upd.turn_hint is None


def test_balance_and_marching_targets_say_their_unit():
    """A fourth audit: "Target: right foot lift ≥ 0.05" had no unit (fractions of leg length)."""
    from posture_feedback.exercises.library import get_exercise
    from posture_feedback.exercises.tracker import ExerciseTracker

    stance = ExerciseTracker(get_exercise("single_leg_stance"), "left")
    assert stance.target_text() == "right_foot_lift ≥ 0.05 leg lengths"
    assert ExerciseTracker(get_exercise("lateral_raise"), "left").target_text().endswith("°")


def test_a_text_file_is_refused_and_nothing_is_recorded(tmp_path, capsys):
    """A .txt file opens in FFmpeg (its tty demuxer draws the text as frames): a session of it
    must not reach the patient's history."""
    from posture_feedback.storage import Database

    d = str(tmp_path / "d")
    main(["profile", "create", "--profile", "Ann", "--data-dir", d])
    notes = tmp_path / "notes.txt"
    notes.write_text("a plain text file\n" * 40, encoding="utf-8")
    capsys.readouterr()
    code = main(["exercise", "lateral_raise", "--video", str(notes), "--headless", "--profile", "Ann", "--data-dir", d])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err == f"posture-feedback: error: {notes} is a text file, not a video"
    with Database.open_default(d) as db:
        assert db.sessions(db.profile_by_name("Ann").id) == []


def test_headless_hints_say_how_to_choose_a_person_on_a_recording():
    """A recording cannot be clicked: the headless summary names --person, which exercise and
    assess now take (an audit saw "click them to follow" with no way to do so)."""
    from posture_feedback.cli import build_parser
    from posture_feedback.feedback import nobody_followed_text

    one = "1 person in view, not followed: choose them with --person X,Y"
    assert nobody_followed_text(1, False, "--person X,Y") == one
    assert nobody_followed_text(2, False, "--person X,Y") == "2 people in view: choose one with --person X,Y"
    for command in (["exercise", "lateral_raise", "--headless"], ["assess", "rom", "shoulder_abduction"]):
        args = build_parser().parse_args([*command, "--video", "x.mp4", "--person", "540,700"])
        assert args.person == (540.0, 700.0)


def test_a_single_exercise_counted_to_the_recordings_end_is_complete_with_no_target(tmp_path, capsys):
    """A tenth-round audit saw `exercise lateral_raise --profile Dee --video … --headless` store a target
    of 10 000 repetitions and a "stopped" session ("1 stopped early" in history): without --reps the
    recording's every repetition is counted, so its end completes the session and no target is stored.
    With --reps 3 the target is 3 and a recording that ends first is "stopped", as before."""
    from posture_feedback.storage import Database

    d = str(tmp_path / "d")
    main(["profile", "create", "--profile", "Dee", "--data-dir", d])
    capsys.readouterr()
    args = ["exercise", "lateral_raise", "--video", "sample_videos/sports2d_demo.mp4", "--headless",
            "--max-frames", "60", "--profile", "Dee", "--data-dir", d]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert ("session: completed (every repetition in the first 60 frames counted (--max-frames); no target "
            "was set)") in out  # fmt: skip
    assert main([*args, "--reps", "3"]) == 0
    assert "session: stopped before the plan's end" in capsys.readouterr().out
    with Database.open_default(d) as db:
        first, second = sorted(db.sessions(db.profile_by_name("Dee").id), key=lambda s: s.started_at)
        assert first.status == "completed" and [st.target_reps for st in first.sets] == [None]
        assert second.status == "aborted" and [st.target_reps for st in second.sets] == [3]


def test_an_explicit_10000_repetitions_is_a_target_not_counting_to_the_end():
    """The open-ended run is marked, not recognised by its internal number (a review found
    `--reps 10000` taken for it: no target stored, "completed")."""
    import argparse

    from posture_feedback.commands.exercise import COUNT_ALL_REPS, counts_to_the_end, load_what

    def args(reps):
        return argparse.Namespace(side=None, reps=reps, sets=None, hold=None)

    assert counts_to_the_end(load_what("lateral_raise", args(None), headless=True))
    asked = load_what("lateral_raise", args(COUNT_ALL_REPS), headless=True)
    assert asked.items[0].reps == COUNT_ALL_REPS and not counts_to_the_end(asked)
    assert not counts_to_the_end(load_what("lateral_raise", args(None), headless=False))


def test_side_both_on_a_recording_counts_each_side_over_the_whole_recording():
    """Only a single one-side-at-a-time exercise counted to the recording's end needs a pass per side: a
    target (--reps), one side, a both-together exercise, a hold, or a plan file walk the plan in order."""
    from posture_feedback.commands.exercise import load_what, side_passes

    def plan(name, side=None, reps=None, hold=None):
        return load_what(name, argparse.Namespace(side=side, reps=reps, sets=None, hold=hold), headless=True)

    passes = side_passes(plan("seated_arm_raise"))
    assert [p.items[0].side for p in passes] == ["left", "right"] and all(len(p.items) == 1 for p in passes)
    assert [p.items[0].side for p in side_passes(plan("neck_side_bend", "both"))] == ["left", "right"]
    for one in (plan("seated_arm_raise", reps=3), plan("seated_arm_raise", "right"), plan("lateral_raise"),
                plan("single_leg_stance"), load_what("examples/plans/shoulder_week1.toml", argparse.Namespace(
                    side=None, reps=None, sets=None, hold=None), headless=True)):  # fmt: skip
        assert side_passes(one) == [one]


def test_a_headless_side_both_run_counts_the_right_arm_too(tmp_path, capsys):
    """A new-user audit (2026-12-07): `exercise seated_arm_raise --video lab_desk_webcam.mp4 --headless`
    (default --side both) counted the left arm only, the left pass never ending, and said "every
    repetition in the recording counted"; the right arm's attempt showed only with --side right. Real
    model, the whole clip (198 frames: the left arm's first attempt ends at 4.5 s, the right arm's one
    attempt at 6.4 s; before the foreshortened arm was left unmeasured, a guessed elbow at the frame's
    edge ended the right arm's at 3.1 s, and 150 frames were enough):
    the both-sides run has exactly the rows of the --side left and --side right runs, says so, and
    stores one set per side in the history."""
    import csv

    from posture_feedback.storage import Database

    d = str(tmp_path / "d")
    main(["profile", "create", "--profile", "Eve", "--data-dir", d])
    base = ["exercise", "seated_arm_raise", "--video", "sample_videos/lab_desk_webcam.mp4", "--headless",
            "--max-frames", "198"]  # fmt: skip
    capsys.readouterr()
    assert main([*base, "--out", str(tmp_path / "both.csv"), "--profile", "Eve", "--data-dir", d]) == 0
    out = capsys.readouterr().out
    assert ("session: completed (every repetition in the first 198 frames counted (--max-frames), for the left "
            "side and the right side, each over those frames; no target was set)") in out  # fmt: skip
    assert "seated_arm_raise (left) set 1:" in out and "seated_arm_raise (right) set 1:" in out
    assert main([*base, "--side", "right", "--out", str(tmp_path / "right.csv")]) == 0
    with open(tmp_path / "both.csv", encoding="utf-8") as f:
        both = list(csv.DictReader(f))
    with open(tmp_path / "right.csv", encoding="utf-8") as f:
        right = list(csv.DictReader(f))
    assert right and [r for r in both if r["side"] == "right"] == right
    assert any(r["side"] == "left" for r in both)
    with Database.open_default(d) as db:
        (session,) = db.sessions(db.profile_by_name("Eve").id)
        assert session.status == "completed" and [st.side for st in session.sets] == ["left", "right"]
        assert sum(len(st.repetitions) for st in session.sets) == len(both)
        # the stored sets are complete, as the session and the --out JSON say (an audit: the report's
        # JSON export gave each set "end_reason": "stopped" beside the session's "completed")
        assert [st.extras["end_reason"] for st in session.sets] == ["complete", "complete"]
        # the report's repetitions.csv carries each peak's ± as the --out CSV gave it (an audit: the
        # history showed "peak 55 ± 5°" and report --json had peak_unc, the CSV only the bare peak)
        from posture_feedback.reports.export import export_csv

        paths = export_csv(db, db.profile_by_name("Eve").id, tmp_path / "report_csv")
    with open(next(p for p in paths if p.name == "repetitions.csv"), encoding="utf-8") as f:
        stored = list(csv.DictReader(f))
    assert [(r["side"], round(float(r["peak_angle"]), 1), float(r["peak_unc"])) for r in stored] == [
        (r["side"], round(float(r["peak"]), 1), float(r["peak_unc"])) for r in both
    ]
    assert {r["peak_unit"] for r in stored} == {"deg"}


def test_the_report_csv_gives_the_shoulder_rolls_peaks_their_unit(tmp_path, capsys):
    """Audit 27: the shoulder rolls' peaks are in % of the shoulder width (history: "peak -18 ± 6 % shoulder
    width"), but repetitions.csv wrote them bare in "peak_angle", under a docstring saying angles are in
    degrees. Real model on the bundled desk clip: each row now says its unit."""
    import csv

    from posture_feedback.reports.export import export_csv
    from posture_feedback.reports.summary import collect, text_summary
    from posture_feedback.storage import Database

    d = str(tmp_path / "d")
    main(["profile", "create", "--profile", "Sy", "--data-dir", d])
    argv = ["exercise", "shoulder_rolls", "--video", "sample_videos/lab_desk_webcam.mp4", "--headless",
            "--profile", "Sy", "--data-dir", d]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    with Database.open_default(d) as db:
        paths = export_csv(db, db.profile_by_name("Sy").id, tmp_path / "csv")
        history = text_summary(collect(db, db.profile_by_name("Sy").id))
    with open(next(p for p in paths if p.name == "repetitions.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows and {r["peak_unit"] for r in rows} == {"% shoulder width"}
    assert "% shoulder width" in history


def test_the_out_json_and_the_summary_give_one_status(tmp_path, capsys):
    """A review: `exercise seated_arm_raise --video lab_desk_webcam.mp4 --headless --out r.json` printed
    "session: completed" (and the history stores it completed: every repetition in the recording counted,
    no target) while r.json said "status": "stopped", each set "end_reason": "stopped". Real model, the
    whole recording (198 frames): the JSON says completed, each set complete. With --reps 3 the recording
    ends before the target: "stopped" in both."""
    out = tmp_path / "r.json"
    base = ["exercise", "seated_arm_raise", "--video", "sample_videos/lab_desk_webcam.mp4", "--headless"]
    assert main([*base, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "session: completed (every repetition in the recording counted" in printed
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["status"] == "completed"
    assert [s["end_reason"] for s in doc["sets"]] == ["complete", "complete"]
    assert main([*base, "--max-frames", "60", "--reps", "3", "--out", str(out)]) == 0
    assert "session: stopped before the plan's end" in capsys.readouterr().out
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["status"] == "stopped" and [s["end_reason"] for s in doc["sets"]] == ["stopped"]
    # --max-frames: the frames read are what was counted, and the summary says so (a review: it said
    # "every repetition in the recording counted" after the first 60 frames)
    assert main([*base, "--max-frames", "60", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "session: completed (every repetition in the first 60 frames counted (--max-frames)" in printed
    assert "every repetition in the recording" not in printed
    assert json.loads(out.read_text(encoding="utf-8"))["status"] == "completed"


def test_a_profile_deleted_while_its_session_is_recorded_is_said_so(tmp_path, capsys, monkeypatch):
    """Audit 28: `profile delete --yes` (another process) during `exercise … --headless --profile eve`
    ended the run with "no session with id 1". Now the line says what happened; nothing is kept
    (no --out file, no session). The other process is a second connection to the same file, deleting
    the profile as the first event is recorded (the real model on the bundled recording)."""
    from posture_feedback.storage import Database
    from posture_feedback.storage.recorder import SessionRecorder

    data = tmp_path / "data"
    assert main(["profile", "create", "--profile", "eve", "--data-dir", str(data)]) == 0
    capsys.readouterr()
    handle = SessionRecorder.handle

    def handle_after_the_delete(self, event):  # noqa: ANN001
        with Database(data / "posture-feedback.sqlite3") as other:
            if other.list_profiles():
                other.delete_profile(other.profile_by_name("eve").id)
        return handle(self, event)

    monkeypatch.setattr(SessionRecorder, "handle", handle_after_the_delete)
    out = tmp_path / "reps.csv"
    code = main(["exercise", "lateral_raise", "--headless", "--video", "sample", "--max-frames", "30", "--profile",
                 "eve", "--data-dir", str(data), "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err == ("posture-feedback: error: profile 'eve' was deleted while this session was being "
                                 "recorded: nothing of it is kept\n"), err  # fmt: skip
    assert not out.exists()
    with Database(data / "posture-feedback.sqlite3") as db:
        assert db.list_profiles() == [] and db.integrity_check() == "ok"
