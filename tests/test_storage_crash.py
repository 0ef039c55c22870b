"""Durability and concurrency on a real file with real processes: kill -9 mid-session, readers during writes,
two app instances writing at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from posture_feedback.storage import Database, DatabaseBusyError

# A session writer: one repetition per loop, committed by add_repetition; prints each committed index.
WRITER = r"""
import sys, time
from datetime import datetime, timedelta, timezone
from posture_feedback.storage import Database, Repetition

path, name, count, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
db = Database(path)
try:
    profile = db.profile_by_name(name)
except Exception:
    profile = db.create_profile(name)
sid = db.start_session(profile.id, source=name)
set_id = db.add_set(sid, "mini_squat", side="left")
print("session", sid, flush=True)
t0 = datetime(2026, 3, 2, 18, 0, tzinfo=timezone.utc)
i = 0
while count < 0 or i < count:
    i += 1
    if mode == "hold" and i == 6:
        # Leave a repetition uncommitted inside an open write transaction and wait.
        with db._tx() as conn:
            conn.execute("INSERT INTO repetitions (set_id, rep_index, started_at, ended_at) VALUES (?, ?, ?, ?)",
                         (set_id, i, t0.isoformat(), t0.isoformat()))
            print("holding", i, flush=True)
            sys.stdin.readline()
        print("committed", i, flush=True)
        continue
    db.add_repetition(set_id, Repetition(
        i, t0 + timedelta(seconds=4 * i), t0 + timedelta(seconds=4 * i + 3), angle="left_knee_flexion",
        peak_angle=60.0 + i * 0.25, time_in_range_frac=(i % 10) / 10, tempo_s=3.0, quality="good",
        extras={"i": i, "pad": "x" * 200}))
    print("rep", i, flush=True)
    if mode == "step" and i % 5 == 0:
        sys.stdin.readline()
if mode != "kill":
    db.end_session(sid)
    print("done", flush=True)
"""


def _writer(path: Path, name: str, count: int, mode: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), name, str(count), mode],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
    )  # fmt: skip


def _check_rep(rep, i: int) -> None:
    assert rep.index == i
    assert rep.peak_angle == 60.0 + i * 0.25
    assert rep.time_in_range_frac == (i % 10) / 10
    assert rep.extras == {"i": i, "pad": "x" * 200}


def test_kill_9_mid_session_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "pf.sqlite3"
    proc = _writer(path, "Killed", -1, "kill")
    last = 0
    try:
        assert proc.stdout.readline().startswith("session")
        while last < 150:
            line = proc.stdout.readline()
            assert line.startswith("rep"), line + proc.stderr.read()
            last = int(line.split()[1])
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with Database(path) as db:
        assert db.integrity_check() == "ok"
        (session,) = db.sessions(db.profile_by_name("Killed").id)
        assert session.status == "running" and session.ended_at is None  # it never ended
        reps = session.sets[0].repetitions
        # Every repetition reported as committed is there and intact; at most the one in progress is missing.
        assert len(reps) >= last
        for i, rep in enumerate(reps, start=1):
            _check_rep(rep, i)
        # The database is fully usable afterwards.
        db.end_session(session.id, status="aborted")
        assert db.get_session(session.id).status == "aborted"


def test_reader_sees_committed_reps_while_writer_holds_a_transaction(tmp_path: Path) -> None:
    path = tmp_path / "pf.sqlite3"
    proc = _writer(path, "Busy", 10, "hold")
    try:
        assert proc.stdout.readline().startswith("session")
        for i in range(1, 6):
            assert proc.stdout.readline().strip() == f"rep {i}"
        assert proc.stdout.readline().strip() == "holding 6"
        # The writer holds the write lock with repetition 6 uncommitted: reading neither blocks nor sees it.
        with Database(path, busy_timeout_s=2) as reader:
            sid = reader.profile_by_name("Busy").id
            (s,) = reader.sessions(sid)
            assert [r.index for r in s.sets[0].repetitions] == [1, 2, 3, 4, 5]
            # A second writer waits for the busy timeout, then gets a clear error; nothing half-written.
            with Database(path, busy_timeout_s=0.3) as other:
                with pytest.raises(DatabaseBusyError, match="locked by another program"):
                    other.create_profile("Blocked")
            proc.stdin.write("go\n")
            proc.stdin.flush()
            assert proc.stdout.readline().strip() == "committed 6"
            assert [r.index for r in reader.sessions(sid)[0].sets[0].repetitions] == [1, 2, 3, 4, 5, 6]
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            assert out.strip().endswith("done")
            final = reader.sessions(sid)[0]
            assert final.status == "completed" and len(final.sets[0].repetitions) == 10
            assert [p.name for p in reader.list_profiles()] == ["Busy"]
    finally:
        if proc.poll() is None:
            proc.kill()


def test_reading_continuously_while_a_session_writes(tmp_path: Path) -> None:
    path = tmp_path / "pf.sqlite3"
    Database(path).close()
    proc = _writer(path, "Stream", 200, "free")
    try:
        assert proc.stdout.readline().startswith("session")
        with Database(path) as reader:
            seen: list[int] = []
            while proc.poll() is None or not seen or seen[-1] < 200:
                sessions = reader.sessions(reader.profile_by_name("Stream").id)
                reps = sessions[0].sets[0].repetitions if sessions and sessions[0].sets else ()
                for i, rep in enumerate(reps, start=1):
                    _check_rep(rep, i)  # never a half-written repetition
                seen.append(len(reps))
                if proc.poll() is not None and proc.returncode != 0:
                    break
            assert proc.wait(timeout=60) == 0, proc.stderr.read()
            assert seen == sorted(seen) and seen[-1] == 200
            assert reader.integrity_check() == "ok"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_two_instances_write_one_database(tmp_path: Path) -> None:
    path = tmp_path / "pf.sqlite3"
    with Database(path) as db:
        db.create_profile("Left")
        db.create_profile("Right")
    procs = [_writer(path, name, 150, "free") for name in ("Left", "Right")]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.strip().endswith("done")
    with Database(path) as db:
        assert db.integrity_check() == "ok"
        for name in ("Left", "Right"):
            (s,) = db.sessions(db.profile_by_name(name).id)
            assert s.status == "completed"
            for i, rep in enumerate(s.sets[0].repetitions, start=1):
                _check_rep(rep, i)
            assert len(s.sets[0].repetitions) == 150
