"""Adherence counts only what was planned and done: sessions of that plan, on or next to its planned
days, completed; stopped sessions count as stopped; everything else is extra. Hand-worked calendars
(March 2026: Monday the 2nd), and the plan's ``days`` field, validated, through ``profile add-plan``
to ``history --json``."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from posture_feedback.cli import main
from posture_feedback.exercises.errors import PlanError
from posture_feedback.exercises.plan import parse_plan
from posture_feedback.storage import Database, Repetition

MON = date(2026, 3, 2)
PLAN = 'title = "Raises"\ndays = ["mon", "wed", "fri"]\n[[exercise]]\nname = "lateral_raise"\n'


def at(day: date, hour: int = 18) -> datetime:
    return datetime(day.year, day.month, day.day, hour).astimezone()


def session(db: Database, pid: int, plan_id: int | None, day: date, status: str = "completed", hour: int = 18) -> int:
    sid = db.start_session(pid, plan_id, started_at=at(day, hour))
    set_id = db.add_set(sid, "lateral_raise", started_at=at(day, hour))
    db.add_repetition(set_id, Repetition(1, at(day, hour), at(day, hour) + timedelta(seconds=3)))
    if status != "running":
        db.end_session(sid, status=status, ended_at=at(day, hour) + timedelta(minutes=10))
    return sid


@pytest.fixture
def db(tmp_path):
    with Database(tmp_path / "pf.sqlite3") as db:
        yield db


def table(db: Database, pid: int, first: date = MON, days: int = 7) -> dict[int, tuple[int, int, int, int]]:
    rows = db.adherence(pid, first, first + timedelta(days=days - 1))
    return {d.day.day: (d.planned, d.done, d.stopped, d.extra) for d in rows}


def test_only_the_plans_own_sessions_on_or_near_its_days_count(db):
    pid = db.create_profile("Ann").id
    plan = db.create_plan(pid, "Raises", PLAN, schedule_days=(0, 2, 4), created_at=at(MON, 8))
    other = db.create_plan(pid, "Walks", PLAN, schedule_days=(6,), created_at=at(MON, 8))
    session(db, pid, plan.id, MON)                          # Mon: done on the day
    session(db, pid, plan.id, MON, hour=20)                 # Mon again: extra, never counted twice
    session(db, pid, None, MON + timedelta(days=2))         # Wed: a free session, not the plan's: extra
    session(db, pid, plan.id, MON + timedelta(days=5))      # Sat: next to Fri (missed): counts for Fri
    session(db, pid, other.id, MON + timedelta(days=4))     # Fri: the other plan's session is not this plan's
    t = table(db, pid)
    assert t[2] == (1, 1, 0, 1)
    assert t[4] == (1, 0, 0, 1)  # Wednesday missed: the free session does not count
    assert t[6] == (1, 1, 0, 1)  # Friday made up on Saturday; the Walks session that day is extra
    assert t[7] == (0, 0, 0, 0)  # Saturday's session was counted for Friday
    assert t[8] == (1, 0, 0, 0)  # Sunday: Walks planned, not done
    assert sum(d[0] for d in t.values()) == 4 and sum(d[1] for d in t.values()) == 2


def test_a_stopped_session_counts_as_stopped_not_done(db):
    pid = db.create_profile("Bo").id
    plan = db.create_plan(pid, "Raises", PLAN, schedule_days=(0, 2, 4), created_at=at(MON, 8))
    session(db, pid, plan.id, MON, status="aborted")
    session(db, pid, plan.id, MON + timedelta(days=2), status="aborted")
    session(db, pid, plan.id, MON + timedelta(days=3))  # Thursday, completed: makes up for Wednesday
    session(db, pid, plan.id, MON + timedelta(days=4), status="running")  # crash after a repetition: done
    t = table(db, pid)
    assert t[2] == (1, 0, 1, 0)
    assert t[4] == (1, 1, 0, 0) and t[5] == (0, 0, 0, 0)
    assert t[6] == (1, 1, 0, 0)


def test_planned_days_is_a_validated_plan_field():
    assert parse_plan(PLAN).days == (0, 2, 4)
    assert parse_plan(PLAN.replace('days = ["mon", "wed", "fri"]\n', "")).days is None
    cases = ((' ["mon", "someday"]', "days: unknown value 'someday'"), (" []", "at least one day"),
             (' ["fri", "fri"]', "names a day twice"), (' "mon"', "must be a list of strings"))  # fmt: skip
    for bad, message in cases:
        with pytest.raises(PlanError, match=message) as info:
            parse_plan(PLAN.replace(' ["mon", "wed", "fri"]', bad), "plan.toml")
        assert str(info.value).startswith("plan.toml:2: days:")


def test_add_plan_takes_the_plans_days_and_history_json_reports_them(tmp_path, capsys):
    d = str(tmp_path / "data")
    plan = tmp_path / "raises.toml"
    plan.write_text(PLAN, encoding="utf-8")
    assert main(["profile", "create", "--profile", "Cy", "--data-dir", d]) == 0
    assert main(["profile", "add-plan", "--profile", "Cy", str(plan), "--data-dir", d]) == 0
    assert "planned mon,wed,fri" in capsys.readouterr().out
    assert main(["profile", "add-plan", "--profile", "Cy", str(plan), "--days", "tue", "--data-dir", d]) == 2
    assert "differs from the plan's days = mon,wed,fri" in capsys.readouterr().err
    with Database.open_default(d) as db:
        pid = db.profile_by_name("Cy").id
        (stored,) = db.plans(pid)
        assert db.plan_version(stored.id).schedule_days == (0, 2, 4)
        first_monday = stored.created_at.date() - timedelta(days=stored.created_at.weekday())
        done = session(db, pid, stored.id, first_monday + timedelta(days=7))
        session(db, pid, stored.id, first_monday + timedelta(days=9), status="aborted")
    start, end = first_monday + timedelta(days=7), first_monday + timedelta(days=13)
    capsys.readouterr()
    assert main(["history", "--profile", "Cy", "--json", "--from", str(start), "--to", str(end), "--data-dir", d]) == 0
    doc = json.loads(capsys.readouterr().out)
    with Database.open_default(d) as db:
        uid = db.get_session(done).uid
    s = next(x for x in doc["sessions"] if x["uid"] == uid)
    assert s["plan"] == {"uid": stored.uid, "name": "Raises", "version": 1}
    assert s["status"] == "completed" and s["reps"] == 1
    assert [x["status"] for x in doc["sessions"]] == ["completed", "stopped"]
    (week,) = doc["adherence"]["weeks"]
    assert (week["start"], week["planned"], week["done"], week["stopped"]) == (str(start), 3, 1, 1)
    assert week["rate"] == pytest.approx(1 / 3)
