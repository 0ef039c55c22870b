"""The sample history is consistent with what the docs show and the commands read (a tenth audit: no
per-hour monitor rows, so the PDF said "No time per hour stored in this period" and "Today by hour"
was empty while docs/laptop_coach.md shows the sample's made-up hours; the neutral was stored
without a posture, so `analyze --profile Demo` failed "no saved neutral" beside a Profiles dialog
that counted it).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from matplotlib.table import Table
from matplotlib.text import Text

from posture_feedback.calibration.store import load_from_database
from posture_feedback.monitor_hours import day_by_hour, latest_monitored_day
from posture_feedback.reports.pdf import report_figures
from posture_feedback.storage import Database
from posture_feedback.storage.sample_data import _sample_hours, fill_sample_history

END = date(2026, 3, 27)  # a Friday: six weeks back start on Saturday 14 February


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    db = Database(tmp_path_factory.mktemp("sample") / "pf.sqlite3")
    pid = fill_sample_history(db, "Demo", end=END).id
    yield db, pid
    db.close()


def test_every_monitored_day_has_its_hours_and_they_add_up(sample) -> None:
    db, pid = sample
    days = db.monitor_by_day(pid)
    assert len(days) >= 30
    for d in days:
        hours = [h for h in day_by_hour(db, pid, d.day).hours if h.monitored_s > 0]
        expected = list(range(8, 18)) if d.day.weekday() < 5 else [10, 11]  # weekdays 08-18, weekends 10-12
        assert [h.hour for h in hours] == expected, d.day
        assert sum(h.monitored_s for h in hours) == pytest.approx(d.monitored_s, rel=1e-9)
        assert sum(h.good_s for h in hours) == pytest.approx(d.good_s, rel=1e-9)
        assert all(0 <= h.good_s <= h.monitored_s <= 3600 for h in hours)
    assert latest_monitored_day(db, pid, None, END) == END


def test_the_pdf_shows_the_hours_of_the_last_monitored_day(sample) -> None:
    db, pid = sample
    page = next(f for f in report_figures(db, pid, end=END) if "Adherence and posture monitor" in _text(f))
    text = _text(page)
    assert "No time per hour stored" not in text
    assert "Posture monitor by hour, Fri 27 Mar 2026" in text


def test_today_has_only_the_hours_already_over() -> None:
    import random

    today = date(2026, 12, 7)  # a Monday
    at_9_43 = _sample_hours(today, 4 * 3600.0, 2 * 3600.0, random.Random(1), now=datetime(2026, 12, 7, 9, 43))
    assert [h for h, _, _ in at_9_43] == [8]  # 08:00-09:00 is over, 09:00-10:00 is not
    assert at_9_43[0][1] == pytest.approx(3300.0)  # 4 h squeezed into one hour: at most 55 minutes
    assert at_9_43[0][2] == pytest.approx(1650.0)  # the day's share of good posture kept: half
    assert _sample_hours(today, 3600.0, 1800.0, random.Random(1), now=datetime(2026, 12, 7, 7, 10)) == []
    yesterday = today - timedelta(days=1)  # a Sunday, any time: its two hours
    assert [h for h, _, _ in _sample_hours(yesterday, 1800.0, 900.0, random.Random(1),
                                           now=datetime(2026, 12, 7, 7, 10))] == [10, 11]  # fmt: skip


def test_the_calibrations_are_whole_records_the_commands_read(sample) -> None:
    db, pid = sample
    neutral = load_from_database(db, pid, "neutral", posture="sitting")  # what `analyze --profile` reads
    assert neutral is not None and neutral.posture == "sitting"
    assert neutral.angles == {"trunk_inclination": 3.5, "head_tilt": 1.2, "shoulder_tilt": 0.8}
    assert load_from_database(db, pid, "neutral", posture="standing") is None
    camera = load_from_database(db, pid, "camera", camera="camera 0")
    assert (camera.roll_deg, camera.pitch_deg, camera.camera) == (1.8, -4.0, "camera 0")


def test_analyze_with_the_sample_profile_finds_its_neutral(tmp_path: Path) -> None:
    import argparse

    from posture_feedback.commands.analyze import _profile_neutral

    with Database.open_default(tmp_path / "data") as db:
        fill_sample_history(db, "Demo", end=END)
    args = argparse.Namespace(profile="Demo", data_dir=str(tmp_path / "data"))
    args.video = "clip.mp4"  # a recording: the sample's neutral (set live with camera 0) is used, and says so
    neutral, origin = _profile_neutral(args, None)
    db_file = tmp_path / "data" / "posture-feedback.sqlite3"
    assert origin == f"profile 'Demo' in {db_file}, set with camera 0" and neutral.angles["trunk_inclination"] == 3.5


def _text(fig) -> str:
    texts = [t.get_text() for t in fig.findobj(Text)]
    texts += [c.get_text().get_text() for table in fig.findobj(Table) for c in table.get_celld().values()]
    return " | ".join(t.replace("\n", " ") for t in texts)
