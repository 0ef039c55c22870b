"""Pain (NRS 0–10, whole numbers) and effort (Borg CR10, 0–10 in half points) before and after a session:
checked against the scales, stored with the session, carried by the results file, in the history text,
the chart and the report; asked for on the command line of a headless session."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from posture_feedback.reports.charts import ratings_figure
from posture_feedback.reports.summary import collect, text_summary
from posture_feedback.storage import Database
from posture_feedback.storage.errors import StorageError
from posture_feedback.storage.exchange import export_results, import_results
from posture_feedback.storage.ratings import check_rating, ratings_from_extras, set_ratings

T0 = datetime(2026, 3, 2, 18, 0).astimezone()


def test_the_scales():
    assert check_rating("pain_before", 0) == 0 and check_rating("pain_after", 10) == 10
    assert check_rating("effort_after", 0.5) == 0.5 and check_rating("effort_before", 7) == 7
    assert check_rating("pain_after", None) is None
    for key, value, scale in (("pain_before", 11, "NRS"), ("pain_before", 2.5, "NRS"), ("pain_after", -1, "NRS"),
                              ("effort_after", 10.5, "Borg CR10"), ("effort_after", 2.25, "Borg CR10")):  # fmt: skip
        with pytest.raises(StorageError, match=scale):
            check_rating(key, value)
    with pytest.raises(StorageError, match="unknown rating"):
        check_rating("mood", 3)
    with pytest.raises(StorageError, match="not a number"):
        check_rating("pain_before", math.nan)


def test_ratings_are_stored_exchanged_and_reported(tmp_path):
    with Database(tmp_path / "a.sqlite3") as db:
        pid = db.create_profile("Ann").id
        for k, (before, after) in enumerate(((6, 4), (5, 3))):
            sid = db.start_session(pid, started_at=T0 + timedelta(days=k))
            set_ratings(db, sid, pain_before=before, effort_before=1)
            db.end_session(sid, ended_at=T0 + timedelta(days=k, minutes=20))
            r = set_ratings(db, sid, pain_after=after, effort_after=5.5)
            assert (r.pain_before, r.pain_after, r.effort_before, r.effort_after) == (before, after, 1, 5.5)
        text = text_summary(collect(db, pid, T0.date(), T0.date() + timedelta(days=3)))
        assert "pain and effort (rated in 2 sessions; medians, before -> after):" in text
        assert "pain (NRS 0-10): 5.5 (n=2) -> 3.5 (n=2)" in text
        assert "effort (Borg CR10): 1 (n=2) -> 5.5 (n=2)" in text
        fig = ratings_figure(db.sessions(pid))
        pain_axes = fig.get_axes()[0]
        before = [ln for ln in pain_axes.get_lines() if ln.get_label() == "before"][0]
        assert list(before.get_ydata()) == [6, 5]
        out = export_results(db, pid, tmp_path / "r.json")
    with Database(tmp_path / "b.sqlite3") as db:
        pid = db.create_profile("Ann").id
        import_results(db, out, pid)
        got = [ratings_from_extras(s.extras) for s in db.sessions(pid)]
        assert [(r.pain_before, r.pain_after) for r in got] == [(6, 4), (5, 3)]


def test_headless_session_takes_the_ratings_and_the_precautions_are_shown(tmp_path, capsys):
    from posture_feedback.cli import main

    d = str(tmp_path / "d")
    plan = tmp_path / "plan.toml"
    plan.write_text('title = "Raises"\nprecautions = "Stop below pain."\nnotes = "Breathe out on the way up."\n'
                    '[[exercise]]\nname = "lateral_raise"\nsets = 1\nreps = 3\n', encoding="utf-8")  # fmt: skip
    main(["profile", "create", "--profile", "Bo", "--data-dir", d])
    main(["profile", "add-plan", "--profile", "Bo", str(plan), "--data-dir", d])
    capsys.readouterr()
    code = main(["exercise", "--profile", "Bo", "--video", "sample", "--headless", "--max-frames", "20",
                 "--pain-before", "4", "--effort-before", "0.5", "--pain-after", "3", "--effort-after", "3",
                 "--data-dir", d])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Bo is doing plan 'Raises' version 1 (its only plan counted for adherence)"
    assert lines[1] == "precautions: Stop below pain." and lines[2] == "notes: Breathe out on the way up."
    with Database.open_default(d) as db:
        (s,) = db.sessions(db.profile_by_name("Bo").id)
        r = ratings_from_extras(s.extras)
        assert (r.pain_before, r.effort_before, r.pain_after, r.effort_after) == (4, 0.5, 3, 3)
    code = main(["exercise", "--profile", "Bo", "--video", "sample", "--headless", "--pain-after", "12",
                 "--data-dir", d])  # fmt: skip
    assert code == 2 and "not on the pain scale" in capsys.readouterr().err
    code = main(["exercise", "lateral_raise", "--video", "sample", "--headless", "--pain-after", "2"])
    assert code == 2 and "add --profile NAME" in capsys.readouterr().err
