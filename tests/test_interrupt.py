"""Ctrl-C in the terminal stops the Qt windows as it stops every other command: the window closes
as by hand (what a close saves is saved), "posture-feedback: interrupted" on stderr, exit 130.

The real command line in a subprocess, offscreen, a recording standing in for the camera, and the
real SIGINT; what was saved is read back from the profile's SQLite file."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import cv2
import pytest
from laptop_frames import box, source_frame


@pytest.fixture(scope="module")
def still_clip(tmp_path_factory) -> Path:
    """60 s at 10 frames/s of the man sitting still, face-on (the webcam box of cam02 frame 10)."""
    path = tmp_path_factory.mktemp("clip") / "still.mp4"
    frame = box(source_frame(10))
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10.0, (frame.shape[1], frame.shape[0]))
    for _ in range(600):
        out.write(frame)
    out.release()
    return path


def start(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen([sys.executable, "-m", "posture_feedback.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True)  # fmt: skip


def rows(db: Path, sql: str) -> list:
    """Rows of ``sql`` in the app's database, read-only (nothing while it does not exist yet)."""
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
            return con.execute(sql).fetchall()
    except sqlite3.OperationalError:  # the tables are being made
        return []


def interrupt(proc: subprocess.Popen) -> tuple[int, str, str]:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def test_ctrl_c_closes_the_monitor_saves_its_totals_and_exits_130(still_clip, tmp_path):
    """A twentieth audit: Ctrl-C did nothing to `posture-feedback --monitor` (Qt's event loop kept
    Python's signal handler from running; there was none for the window anyway). The monitor here
    takes its guided start on the clip, watches, and is interrupted long before the recording (600
    frames at its 10 frames/s) ends and before its first one-minute save: the seconds watched are in the
    database because the interrupt closed the window as the close button does."""
    data = tmp_path / "data"
    proc = start(["--monitor", "--source", str(still_clip), "--frames", "600", "--screenshot",
                  str(tmp_path / "shot.png"), "--profile", "Lia", "--data-dir", str(data)])  # fmt: skip
    db = data / "posture-feedback.sqlite3"
    deadline = time.monotonic() + 120
    while not rows(db, "SELECT id FROM calibrations WHERE kind = 'neutral'"):  # the guided start is done
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no neutral taken in 120 s"
        time.sleep(0.3)
    time.sleep(3.0)  # some seconds watched after it
    assert proc.poll() is None  # still running: the clip has not ended
    code, out, err = interrupt(proc)
    assert code == 130, err
    assert err == "posture-feedback: interrupted\n"
    assert "screenshot:" not in out  # no screenshot was made: it was interrupted
    saved = rows(db, f"SELECT monitored_s FROM monitor_stats WHERE day = '{dt.date.today().isoformat()}'")
    assert saved and 1.0 < saved[0][0] < 60.0, saved


def test_ctrl_c_closes_the_mirror_window_too(still_clip, tmp_path):
    """The mirror, interrupted while it processes (600 frames as fast as it can: about 20 s here)."""
    proc = start(["--source", str(still_clip), "--frames", "600", "--screenshot", str(tmp_path / "shot.png"),
                  "--data-dir", str(tmp_path / "data")])  # fmt: skip
    time.sleep(6.0)  # the window is up and processing (the model loads in a few seconds)
    assert proc.poll() is None
    code, out, err = interrupt(proc)
    assert (code, err) == (130, "posture-feedback: interrupted\n")


def test_ctrl_c_on_a_headless_exercise_says_what_the_history_kept(still_clip, tmp_path):
    """Audit 28: Ctrl-C during `exercise NAME --headless --video V --profile P` kept the session in
    the history as stopped (rightly) but said only "posture-feedback: interrupted". Now its one line
    says what was kept, as the finished run's summary does; the session is in the file, stopped, and
    the --out file is not written (nothing half-made)."""
    data = tmp_path / "data"
    created = start(["profile", "create", "--profile", "Lia", "--data-dir", str(data)])
    assert created.wait(timeout=60) == 0, created.communicate()
    out_file = tmp_path / "reps.csv"
    proc = start(["exercise", "upright_sitting", "--headless", "--video", str(still_clip), "--profile", "Lia",
                  "--data-dir", str(data), "--out", str(out_file)])  # fmt: skip
    db = data / "posture-feedback.sqlite3"
    deadline = time.monotonic() + 120
    while not rows(db, "SELECT id FROM sets"):  # the runner has begun its set: frames are being measured
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no set started in 120 s"
        time.sleep(0.3)
    time.sleep(1.0)
    assert proc.poll() is None  # 600 frames: still running
    code, out, err = interrupt(proc)
    assert code == 130, err
    assert err.startswith("posture-feedback: interrupted: recorded in Lia's history: session ")
    assert err.endswith(", stopped, 0 attempts\n") and err.count("\n") == 1, err
    assert rows(db, "SELECT status FROM sessions") == [("aborted",)]  # stored as stopped, said "stopped"
    assert not out_file.exists() and list(tmp_path.glob("reps*")) == []
