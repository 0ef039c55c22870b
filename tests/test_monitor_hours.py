"""Storage migration 3: the laptop monitor's time in good posture per hour (additive schema change)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from posture_feedback.storage import SCHEMA_VERSION, Database, StorageError, schema


def test_migration_from_v2_keeps_day_totals_and_adds_hours(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    raw = sqlite3.connect(path)
    raw.executescript(schema.V1)
    raw.executescript(schema.V2)
    raw.execute("INSERT INTO profiles (name, created_at) VALUES ('Ann', '2026-01-02T10:00:00+01:00')")
    raw.execute(
        "INSERT INTO monitor_stats (profile_id, day, monitored_s, good_s, alerts) VALUES (1, '2026-01-02', 600, 420, 2)"
    )
    raw.execute("PRAGMA user_version = 2")
    raw.commit()
    raw.close()
    with Database(path) as d:
        assert d.schema_version == SCHEMA_VERSION >= 3
        ann = d.profile_by_name("Ann")
        (day,) = d.monitor_by_day(ann.id)
        assert (day.monitored_s, day.good_s, day.alerts) == (600, 420, 2)
        assert d.monitor_by_hour(ann.id) == []
        d.add_monitor_hour(ann.id, date(2026, 1, 2), 9, 60.0, 45.0)
        h = d.add_monitor_hour(ann.id, date(2026, 1, 2), 9, 30.0, 30.0)
        assert (h.hour, h.monitored_s, h.good_s) == (9, 90.0, 75.0)
        assert h.good_fraction == pytest.approx(75 / 90)
        assert d.integrity_check() == "ok"


def test_hours_are_per_profile_ordered_and_deleted_with_the_profile(tmp_path: Path) -> None:
    with Database(tmp_path / "db.sqlite3") as d:
        a, b = d.create_profile("A"), d.create_profile("B")
        d.add_monitor_hour(a.id, date(2026, 1, 3), 14, 10.0, 5.0)
        d.add_monitor_hour(a.id, date(2026, 1, 2), 23, 10.0, 10.0)
        d.add_monitor_hour(b.id, date(2026, 1, 2), 8, 10.0, 0.0)
        assert [(h.day.day, h.hour) for h in d.monitor_by_hour(a.id)] == [(2, 23), (3, 14)]
        assert [h.hour for h in d.monitor_by_hour(a.id, start=date(2026, 1, 3))] == [14]
        assert d.row_counts(a.id)["monitor_hours"] == 2
        d.delete_profile(a.id)
        assert d.row_counts()["monitor_hours"] == 1


@pytest.mark.parametrize(("hour", "obs", "good"), [(24, 1.0, 0.0), (-1, 1.0, 0.0), (3, 1.0, 2.0), (3, -1.0, 0.0)])
def test_bad_hour_totals_are_refused(tmp_path: Path, hour, obs, good) -> None:
    with Database(tmp_path / "db.sqlite3") as d:
        p = d.create_profile("A")
        with pytest.raises(StorageError):
            d.add_monitor_hour(p.id, date(2026, 1, 2), hour, obs, good)
