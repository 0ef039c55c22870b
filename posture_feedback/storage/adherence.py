"""Adherence that means something: planned sessions of a plan, matched with that plan's sessions.

A plan plans one session on each of its planned weekdays (the plan file's ``days``, stored with each
version as its schedule), from the day its first version was saved, with the newest version saved on
or before that day, until the day before it was retired (``Database.archive_plan``; a plan archived
before schema version 5, with no date, plans nothing). A planned day is met by a session **of that plan**:

* on the day itself, or else on a day next to it (± ``NEAR_DAYS`` = 1) that is not itself a planned
  day of the plan and whose session is not already counted for another planned day: a Monday
  session done on Tuesday still counts, a Monday session never counts twice;
* **done** when that session was completed (or left ``running`` by a crash with at least one
  repetition recorded: the work was done, the app did not close it);
* **stopped** when the only session for it was stopped before the plan's end (stored ``aborted``):
  shown, not counted as done.

Every other session (no plan, another profile's plan, a second session the same day, one too far
from any planned day) is **extra**: shown on its day, never counted for adherence.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from posture_feedback.storage.models import AdherenceDay

#: A session up to this many days before or after a planned day counts for it.
NEAR_DAYS = 1


def _status(row: Any) -> str | None:
    """done / stopped for a session row, None for one that neither did nor stopped anything."""
    if row["status"] == "completed" or (row["status"] == "running" and row["n_reps"]):
        return "done"
    if row["status"] == "aborted":
        return "stopped"
    return None


def adherence_days(conn: Any, profile_id: int, start: date, end: date) -> list[AdherenceDay]:
    """The adherence table of a profile from ``start`` to ``end`` inclusive (see the module docstring).

    ``conn`` is an open ``sqlite3`` connection to the database (rows as ``sqlite3.Row``).
    """
    versions = conn.execute(
        "SELECT v.plan_id, substr(v.created_at, 1, 10) AS day, v.schedule_days,"
        " CASE WHEN p.archived THEN substr(p.archived_at, 1, 10) END AS retired FROM plan_versions v"
        " JOIN plans p ON p.id = v.plan_id WHERE p.profile_id = ? AND (p.archived = 0 OR p.archived_at IS NOT NULL)"
        " ORDER BY v.version",
        (profile_id,),
    ).fetchall()
    lo, hi = start - timedelta(days=NEAR_DAYS), end + timedelta(days=NEAR_DAYS)
    sessions = conn.execute(
        "SELECT s.id, s.plan_id, s.status, substr(s.started_at, 1, 10) AS day, (SELECT count(*) FROM sets st"
        " JOIN repetitions r ON r.set_id = st.id WHERE st.session_id = s.id) AS n_reps FROM sessions s"
        " WHERE s.profile_id = ? AND substr(s.started_at, 1, 10) BETWEEN ? AND ? ORDER BY s.started_at, s.id",
        (profile_id, lo.isoformat(), hi.isoformat()),
    ).fetchall()
    schedules: dict[int, list[tuple[str, set[int]]]] = defaultdict(list)
    retired: dict[int, date] = {}
    for v in versions:
        schedules[v["plan_id"]].append((v["day"], set(json.loads(v["schedule_days"]))))
        if v["retired"]:
            retired[v["plan_id"]] = date.fromisoformat(v["retired"])

    def planned_days(plan_id: int, first: date, last: date) -> list[date]:
        out, d = [], first
        if plan_id in retired:  # a retired plan plans nothing from the day it was retired
            last = min(last, retired[plan_id] - timedelta(days=1))
        while d <= last:
            active = [days for vday, days in schedules[plan_id] if vday <= d.isoformat()]
            if active and d.weekday() in active[-1]:
                out.append(d)
            d += timedelta(days=1)
        return out

    planned: dict[date, int] = defaultdict(int)
    done: dict[date, int] = defaultdict(int)
    stopped: dict[date, int] = defaultdict(int)
    used: set[int] = set()
    for plan_id in schedules:
        days = planned_days(plan_id, lo, hi)
        day_set = set(days)
        mine = [s for s in sessions if s["plan_id"] == plan_id and _status(s) is not None]
        by_day: dict[date, list[Any]] = defaultdict(list)
        for s in mine:
            by_day[date.fromisoformat(s["day"])].append(s)

        def take(day: date, by_day: dict[date, list[Any]] = by_day) -> Any:
            """The best unused session of this plan on ``day``: a done one before a stopped one."""
            free = [s for s in by_day.get(day, []) if s["id"] not in used]
            free.sort(key=lambda s: _status(s) != "done")
            return free[0] if free else None

        for d in days:  # first the sessions on the planned days themselves
            s = take(d)
            if s is not None:
                used.add(s["id"])
                if start <= d <= end:
                    (done if _status(s) == "done" else stopped)[d] += 1
        for d in days:  # then a missed (or only stopped) planned day takes a session from a day next to it
            if start <= d <= end:
                planned[d] += 1
            met = done[d] if start <= d <= end else 0
            if met:
                continue
            for offset in range(1, NEAR_DAYS + 1):
                near = [n for n in (d - timedelta(days=offset), d + timedelta(days=offset)) if n not in day_set]
                s = next((x for x in map(take, near) if x is not None and _status(x) == "done"), None)
                if s is not None:
                    used.add(s["id"])
                    if start <= d <= end:
                        done[d] += 1
                        if stopped[d]:
                            stopped[d] -= 1  # the day was made up for: no longer only stopped
                    break
    extra: dict[date, int] = defaultdict(int)
    for s in sessions:
        d = date.fromisoformat(s["day"])
        if s["id"] not in used and _status(s) is not None and start <= d <= end:
            extra[d] += 1
    def in_force(day: date) -> bool:
        """Some plan had a version made by ``day`` and was not retired by then."""
        return any(
            any(vday <= day.isoformat() for vday, _ in versions_of) and (pid not in retired or day < retired[pid])
            for pid, versions_of in schedules.items()
        )

    out, d = [], start
    while d <= end:
        out.append(AdherenceDay(d, planned[d], done[d], stopped[d], extra[d], in_plan=in_force(d)))
        d += timedelta(days=1)
    return out
