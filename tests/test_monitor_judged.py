"""The posture monitor's time judged / not judged (storage migration 7), too close never good posture,
and the totals across midnight — on hand-worked numbers (a thirteenth audit)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from posture_feedback.monitor_hours import split_of, split_text
from posture_feedback.monitor_rules import LaptopRules, RuleOptions
from posture_feedback.reports.summary import collect, history_document, text_summary
from posture_feedback.storage import SCHEMA_VERSION, Database, MonitorDay, MonitorHour, schema
from posture_feedback.storage.exchange import export_results, import_results

DAY = dt.date(2026, 12, 6)
#: every watched signal 0 but the head: −3 % with ±27 against its 10 % threshold (not judged)
UNJUDGED = {"head_drop": -3.0, "lean_in": 0.0, "shoulder_raise": 0.0, "neck_side_bend": 0.0}


def _old_file(path: Path) -> None:
    """A database as the code before migration 7 left it (versions 1-6), with a monitored day and hour."""
    raw = sqlite3.connect(path)
    for script in schema.MIGRATIONS[:6]:
        raw.executescript(script)
    raw.execute("INSERT INTO profiles (name, created_at) VALUES ('Ann', '2026-12-06T10:00:00+01:00')")
    raw.execute("INSERT INTO monitor_stats (profile_id, day, monitored_s, good_s, alerts) "
                "VALUES (1, '2026-12-06', 600, 420, 2)")  # fmt: skip
    raw.execute("INSERT INTO monitor_hours (profile_id, day, hour, monitored_s, good_s) "
                "VALUES (1, '2026-12-06', 9, 600, 420)")  # fmt: skip
    raw.execute("PRAGMA user_version = 6")
    raw.commit()
    raw.close()


def test_migration_7_keeps_old_rows_as_not_recorded(tmp_path: Path) -> None:
    path = tmp_path / "v6.sqlite3"
    _old_file(path)
    with Database(path) as db:
        assert db.schema_version == SCHEMA_VERSION >= 7
        ann = db.profile_by_name("Ann")
        (day,) = db.monitor_by_day(ann.id)
        (hour,) = db.monitor_by_hour(ann.id)
        assert (day.monitored_s, day.good_s, day.alerts, day.judged_s) == (600, 420, 2, None)
        assert hour.judged_s is None
        # adding to a day stored before: its judged time stays "not recorded", not a part-sum
        assert db.add_monitor_time(ann.id, DAY, 60.0, 30.0, judged_s=60.0).judged_s is None
        assert db.add_monitor_hour(ann.id, DAY, 9, 60.0, 30.0, judged_s=60.0).judged_s is None
        # a new day records it, and adds it up: 100 + 50 s judged
        db.add_monitor_time(ann.id, DAY + dt.timedelta(days=1), 120.0, 40.0, judged_s=100.0)
        d2 = db.add_monitor_time(ann.id, DAY + dt.timedelta(days=1), 60.0, 10.0, judged_s=50.0)
        assert (d2.monitored_s, d2.good_s, d2.judged_s) == (180.0, 50.0, 150.0)
        text = text_summary(collect(db, ann.id, DAY, DAY))
        assert ("posture monitor: 1 day, 11 min watched: good posture confirmed 7 min; not judged and faults not "
                "recorded (some or all of it stored by an older version)") in text, text  # fmt: skip
        assert "%" not in text.split("posture monitor:")[1].splitlines()[0]  # no share over unknown time
        assert db.integrity_check() == "ok"


def test_the_split_in_words_on_hand_worked_seconds() -> None:
    # 38 s watched, all of it not judged (the audit's case: it read "0% in good posture")
    assert split_text([MonitorDay(DAY, 38.0, 0.0, 0, 0.0)]) == (
        "38 s watched: good posture confirmed 0 s, not judged 38 s, faults 0 s")
    # 600 s watched, 300 good, 500 judged: 100 not judged, 200 faults, good 300/500 = 60% of the judged time;
    # in minutes 5 + 1.67 + 3.33: floored 5 + 1 + 3 = 9 of 10, the largest remainder (not judged) takes the
    # tenth, so the parts add up as written (monitor_hours.parts_that_add_up)
    assert split_text([MonitorHour(DAY, 9, 600.0, 300.0, 500.0)]) == (
        "10 min watched: good posture confirmed 5 min, not judged 2 min, faults 3 min; good 60% of the judged time")
    # a recorded day (600 s, 300 good, 500 judged) and an older one (400 s, 100 good, not recorded)
    rows = [MonitorDay(DAY, 600.0, 300.0, 0, 500.0), MonitorDay(DAY, 400.0, 100.0, 0, None)]
    sp = split_of(rows)
    assert (sp.watched_s, sp.good_s, sp.judged_s, sp.recorded_watched_s, sp.recorded_judged_s) == (
        1000, 400, None, 600, 500)
    assert split_text(rows) == (
        "16 min watched: good posture confirmed 6 min; of the 10 min with the judged time recorded: not judged "
        "1 min, faults 3 min; good 60% of the judged time; the rest stored by an older version (not judged and "
        "faults not recorded)")


def test_unjudged_seconds_are_not_bad_posture_in_history_and_json(tmp_path: Path) -> None:
    """The rules at their measured bounds on a motionless 'head −3 ±27 %' for 38 s at 10 frames/s:
    every interval is watched and none judged; the history says so and gives no share."""
    clock = [dt.datetime(2026, 12, 6, 10, 0, 0)]
    rules = LaptopRules(now=lambda: clock[0])
    for i in range(381):
        clock[0] = dt.datetime(2026, 12, 6, 10, 0, 0) + dt.timedelta(seconds=i / 10)
        rules.update(i / 10, UNJUDGED, True)
    assert rules.totals[(DAY, 10)] == pytest.approx([38.0, 0.0, 0.0])  # [watched, good, judged]
    with Database(tmp_path / "db.sqlite3") as db:
        pid = db.create_profile("Ann").id
        obs, good = rules.day_totals(DAY)
        db.add_monitor_time(pid, DAY, obs, good, judged_s=rules.day_judged_s(DAY))
        data = collect(db, pid, DAY, DAY)
        text = text_summary(data)
        assert "posture monitor: 1 day, 38 s watched: good posture confirmed 0 s, not judged 38 s, faults 0 s" in text
        assert "0%" not in text.split("posture monitor:")[1].splitlines()[0]
        doc = json.loads(json.dumps(history_document(db, data)))
        assert doc["monitor"] | {"per_day": None} == {
            "days": 1, "watched_s": 38, "good_s": 0, "judged_s": 0, "not_judged_s": 38, "fault_s": 0,
            "recorded_watched_s": 38, "recorded_good_s": 0, "recorded_judged_s": 0,
            "good_share_of_judged": None, "per_day": None}  # fmt: skip


def test_results_files_carry_the_judged_time_and_older_files_still_read(tmp_path: Path) -> None:
    with Database(tmp_path / "a.sqlite3") as db:
        pid = db.create_profile("Ann").id
        db.add_monitor_time(pid, DAY, 600.0, 300.0, alerts=1, judged_s=500.0)
        db.add_monitor_hour(pid, DAY, 9, 600.0, 300.0, judged_s=500.0)
        out = export_results(db, pid, tmp_path / "r.json")
    doc = json.loads(out.read_text())
    assert doc["monitor"][0]["judged_s"] == 500.0 and doc["monitor_hours"][0]["judged_s"] == 500.0
    with Database(tmp_path / "b.sqlite3") as db:
        pid = db.create_profile("Ann").id
        import_results(db, out, pid)
        import_results(db, out, pid)  # idempotent
        assert db.monitor_by_day(pid) == [MonitorDay(DAY, 600.0, 300.0, 1, 500.0)]
        assert db.monitor_by_hour(pid) == [MonitorHour(DAY, 9, 600.0, 300.0, 500.0)]
    for row in doc["monitor"] + doc["monitor_hours"]:  # a file written before: no judged_s
        del row["judged_s"]
    (tmp_path / "old.json").write_text(json.dumps(doc))
    with Database(tmp_path / "c.sqlite3") as db:
        pid = db.create_profile("Ann").id
        import_results(db, tmp_path / "old.json", pid)
        assert db.monitor_by_day(pid)[0].judged_s is None and db.monitor_by_hour(pid)[0].judged_s is None
    doc["monitor"][0]["judged_s"] = 700.0  # more than watched
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with Database(tmp_path / "d.sqlite3") as db:
        pid = db.create_profile("Ann").id
        with pytest.raises(Exception, match="judged_s"):
            import_results(db, tmp_path / "bad.json", pid)


def test_too_close_is_never_good_posture() -> None:
    """Thresholds wide enough that no signal deviates (lean in 110 %), and lean +88 ±20 %: the
    too-close rule's whole interval (68-108 %) lies beyond its 25 %. The audit saw "Good posture" in
    green and the seconds counted as good; now they are judged, a fault, not good."""
    clock = [dt.datetime(2026, 12, 6, 10, 0, 0)]
    wide = {"head_drop": 200.0, "lean_in": 110.0, "shoulder_raise": 200.0, "neck_side_bend": 90.0}
    rules = LaptopRules(RuleOptions(thresholds=wide, too_close_s=5.0), now=lambda: clock[0])
    lean = {"head_drop": 0.0, "lean_in": 88.0, "shoulder_raise": 0.0, "neck_side_bend": 0.0}
    for i in range(101):  # 10 s at 10 frames/s
        clock[0] = dt.datetime(2026, 12, 6, 10, 0, 0) + dt.timedelta(seconds=i / 10)
        rules.update(i / 10, lean, True)
    # 88 + 20 = 108 < 110: every signal's whole interval within its threshold, yet too close
    assert rules.too_close_now and not rules.deviating and not rules.unsure
    assert rules.totals[(DAY, 10)] == pytest.approx([10.0, 0.0, 10.0])  # judged (a fault), never good
    assert rules.events_today == 1  # "too close" after 5 s


def test_alerts_today_start_again_at_midnight() -> None:
    clock = [dt.datetime(2026, 12, 6, 23, 59, 50)]
    rules = LaptopRules(RuleOptions(duration_s=5.0, repeat_s=30.0, max_repeat_s=30.0, uncertainty={
        "head_drop": 1.0, "lean_in": 1.0, "shoulder_raise": 1.0, "neck_side_bend": 1.0}), now=lambda: clock[0])
    for i in range(201):  # 20 s, head dropped 30 %: an alert at t = 5 s (23:59:55), none by 00:00:10
        clock[0] = dt.datetime(2026, 12, 6, 23, 59, 50) + dt.timedelta(seconds=i / 10)
        rules.update(i / 10, dict(UNJUDGED, head_drop=30.0), True)
    assert rules.alerts == {DAY: 1}
    assert rules.events_today == 0  # Dec 7: none yet


def test_saved_totals_across_midnight_go_to_their_own_day_and_hour(tmp_path: Path) -> None:
    """The auditor's midnight.py: the real rules at 10 frames/s from 23:57:30 to 00:03:30, leaning in
    by 50 % (beyond 12 % + ±20 % and the too-close 25 % + ±20 %): lean and too close due together at
    t = 5 s and every 30 s after, one cue each time ("too close", ``ALERT_PRIORITY``; a twentieth audit
    saw two counted for one); saved every 60 s as the monitor does. Hand-worked: 1499 intervals of
    0.1 s end before midnight (149.9 s, Dec 6, hour 23); the other 2100 (210.0 s) on Dec 7, hour 0;
    alerts at t = 5, 35, 65, 95, 125 (Dec 6: 5) and 155 … 335 (Dec 7: 7). The day table had 120 s
    for Dec 6 (the last 30 s lost), Dec 7 had Dec 6's alerts added, and "alerts today" counted both."""
    from posture_feedback.ui.monitor import _RulesCounters
    from posture_feedback.ui.storage_link import MonitorTotals, ProfileLink

    start = dt.datetime(2026, 12, 6, 23, 57, 30)
    clock = [start]
    with Database(tmp_path / "db.sqlite3") as db:
        pid = db.create_profile("Zed").id
        rules = LaptopRules(RuleOptions(duration_s=5, repeat_s=30, max_repeat_s=30, break_after_s=1e9),
                            now=lambda: clock[0])  # fmt: skip
        totals = MonitorTotals(ProfileLink(db, pid, "Zed"), today=start.date())
        counters = _RulesCounters(rules)
        shown = []
        for i in range(10 * 60 * 6):
            t = i / 10
            clock[0] = start + dt.timedelta(seconds=t)
            rules.update(t, {"lean_in": 50.0}, True)
            if i % 600 == 599:  # the monitor's save timer: every 60 s
                totals.flush(counters)
                shown.append(counters.alerts_today + totals.earlier(clock[0].date()).alerts)
        days = {d.day: (round(d.monitored_s, 6), round(d.judged_s, 6), d.good_s, d.alerts)
                for d in db.monitor_by_day(pid)}  # fmt: skip
        hours = {(h.day, h.hour): round(h.monitored_s, 6) for h in db.monitor_by_hour(pid)}
    dec7 = DAY + dt.timedelta(days=1)
    assert days == {DAY: (149.9, 149.9, 0.0, 5), dec7: (210.0, 210.0, 0.0, 7)}
    assert hours == {(DAY, 23): 149.9, (dec7, 0): 210.0}  # each day's hours sum to the day
    assert shown == [2, 4, 1, 3, 5, 7]  # "alerts today" from 0 again after midnight


def test_the_window_says_not_recorded_on_the_upgrade_day_as_the_saved_views_do():
    """A fifteenth audit: on the day a database from before schema 7 was upgraded, the window showed "of
    the 18 s with the judged time recorded: not judged 3 s, …" while every saved view (history, PDF, CSV,
    the hours) said "not recorded": the session's seconds go into the day's NULL row, which stays NULL.
    The window now says what will be saved."""
    import datetime as dt
    from types import SimpleNamespace

    from posture_feedback.monitor_hours import split_text
    from posture_feedback.storage.models import MonitorDay
    from posture_feedback.ui.monitor import MonitorWindow

    today = dt.date.today()
    rules = SimpleNamespace(day_totals=lambda day: (18.0, 15.0), events_today=0, day_judged_s=lambda day: 15.0)
    for stored_judged, words in ((None, "not judged and faults not recorded"), (17.0, "not judged 3 s, faults 1 s")):
        earlier = MonitorDay(today, 17.0, 16.0, 0, stored_judged)
        window = SimpleNamespace(rules=rules, _earlier_today=lambda e=earlier: e)
        text = split_text(MonitorWindow.today_split(window))
        assert words in text, text
