"""A recording in which nobody is ever in view measures nothing, and says so.

An audit: ``exercise … --headless --out r.json`` on a video with nobody in it wrote
``"status": "completed"`` with no repetition and no sign that nobody was seen (only the console's
"person found: 0 (0%)"), and with ``--profile`` the history kept it as a completed session, a
session done for adherence. Now the JSON says ``"status": "nobody_found"`` with the frames read and
the frames with a person, the CSV has one ``nobody_found`` row per set, the summary says nothing
was measured, and the session is not stored (a planned day stays not done).
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import cv2
import pytest
from video_clips import write_clip

from posture_feedback.cli import main
from posture_feedback.storage import Database

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"


@pytest.fixture(scope="module")
def empty_room(tmp_path_factory) -> Path:
    """2 s at 30 fps of the lab's background: the top right of cam01's first frame (ceiling, wall
    cameras, a door; 488 × 640 px), where nobody stands."""
    cap = cv2.VideoCapture(str(SAMPLES / "lab_two_people_cam01.mp4"))
    ok, frame = cap.read()
    cap.release()
    assert ok
    room = frame[0:640, 600:1088].copy()
    return write_clip(tmp_path_factory.mktemp("nobody") / "empty_room.mp4", [room] * 60)


def test_nobody_in_view_is_reported_and_not_stored_as_done(tmp_path, empty_room, capsys) -> None:
    d = str(tmp_path / "data")
    plan = tmp_path / "plan.toml"
    plan.write_text('title = "Raises"\n[[exercise]]\nname = "seated_arm_raise"\nsets = 1\nreps = 5\n', encoding="utf-8")
    assert main(["profile", "create", "--profile", "Pat", "--data-dir", d]) == 0
    assert main(["profile", "add-plan", "--profile", "Pat", str(plan), "--data-dir", d]) == 0  # every day planned
    capsys.readouterr()
    out_json = tmp_path / "r.json"
    argv = ["exercise", "--profile", "Pat", "--video", str(empty_room), "--headless", "--data-dir", d,
            "--pain-before", "3", "--out", str(out_json)]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "frames: 60   person found: 0 (0%)" in printed
    assert "session: nobody was in view in any frame: nothing measured (60 frames read)" in printed
    assert "session: completed" not in printed and "session: stopped" not in printed
    assert "not recorded in Pat's history (nor the ratings given): nobody was in view" in printed
    doc = json.loads(out_json.read_text())
    assert doc["status"] == "nobody_found" and doc["frames"] == 60 and doc["frames_with_person"] == 0
    assert doc["reps"] == [] and [s["count"] for s in doc["sets"]] == [0]
    assert all(s["end_reason"] != "complete" for s in doc["sets"])
    # the history and adherence: no session, today's planned session not done
    with Database.open_default(d) as db:
        pat = db.profile_by_name("Pat")
        assert db.sessions(pat.id) == []
        (today,) = db.adherence(pat.id, date.today(), date.today())
        assert (today.planned, today.done, today.stopped, today.extra) == (1, 0, 0, 0)


def test_the_csv_says_so_for_each_set(tmp_path, empty_room, capsys) -> None:
    """A single exercise counted to the recording's end on both sides: two sets, two rows saying that
    nobody was found (an empty CSV read as two sets done with no repetition)."""
    out = tmp_path / "r.csv"
    assert main(["exercise", "seated_arm_raise", "--video", str(empty_room), "--headless", "--out", str(out)]) == 0
    assert "every repetition in the recording counted" not in capsys.readouterr().out  # not "completed"
    rows = list(csv.DictReader(out.open(newline="", encoding="utf-8")))
    assert [(r["side"], r["rep"], r["verdict"]) for r in rows] == [("left", "", "nobody_found"),
                                                                   ("right", "", "nobody_found")]  # fmt: skip
    assert all(r["issues"] == "nobody was in view in any frame: nothing measured" for r in rows)


def test_a_recording_with_the_person_is_still_stored_and_completed(tmp_path, capsys) -> None:
    """The control: the desk sample (a person in every frame) stores its session, status completed."""
    d = str(tmp_path / "data")
    assert main(["profile", "create", "--profile", "Pat", "--data-dir", d]) == 0
    out = tmp_path / "r.json"
    argv = ["exercise", "seated_arm_raise", "--video", str(SAMPLES / "lab_desk_webcam.mp4"), "--headless",
            "--max-frames", "30", "--profile", "Pat", "--data-dir", d, "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    doc = json.loads(out.read_text())
    assert doc["status"] == "completed" and doc["frames"] == 30 and doc["frames_with_person"] > 0
    with Database.open_default(d) as db:
        (session,) = db.sessions(db.profile_by_name("Pat").id)
        assert session.status == "completed"
