"""The session chart shows a 0 % as a visible mark, distinct from no data, and every session of a day.

An audit (2026-12): a day with one judged repetition, 0 % good, drew nothing in the PDF's "good reps
(% judged)" panel (it looked like no data), and of two sessions that day only one had a place (the
other, stopped before its first repetition, was left out, while the ratings chart beside it showed
both). Here a real SQLite profile has three sessions on one day, stored as the recorder stores them:
one repetition judged "poor", a set with no repetition, and one repetition the camera could not
judge ("unsure"). The chart is rendered to pixels: the 0 % session's place at the panel's floor is
drawn in the verdict red, the other two say why they have no bar, and the labels are those of the
ratings chart.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from PIL import Image

from posture_feedback.reports import charts
from posture_feedback.storage import Database, Repetition

DAY = datetime(2026, 12, 7, 16, 51).astimezone()


def _store(tmp_path) -> list:
    db = Database(tmp_path / "pf.sqlite3")
    pid = db.create_profile("Ann").id
    for k, quality in enumerate(("poor", None, "unsure")):
        t = DAY + timedelta(seconds=40 * k)  # three sessions in the same minute
        sid = db.start_session(pid, None, source="camera 0", started_at=t)
        set_id = db.add_set(sid, "lateral_raise", side="left", target_reps=3, started_at=t)
        if quality is not None:
            db.add_repetition(set_id, Repetition(1, t, t + timedelta(seconds=2), angle="left_shoulder_elevation",
                                                 peak_angle=60.0, peak_unc=8.0, time_in_range_s=0.0,
                                                 time_in_range_frac=0.0, tempo_s=2.0, quality=quality))  # fmt: skip
        db.end_set(set_id, ended_at=t + timedelta(seconds=5))
        db.end_session(sid, ended_at=t + timedelta(seconds=6), status="aborted")
    summaries = db.sessions_between(pid, None, DAY.date())
    db.close()
    return summaries


def test_a_zero_percent_session_is_drawn_and_sessions_without_a_number_say_why(tmp_path):
    summaries = _store(tmp_path)
    assert [(s.n_reps, s.n_judged, s.n_good) for s in summaries] == [(1, 1, 0), (0, 0, 0), (1, 0, 0)]
    fig = charts.sessions_figure(summaries)
    FigureCanvasAgg(fig).draw()
    ax_tir, ax_good = fig.axes[:2]
    labels = [t.get_text() for t in ax_good.get_xticklabels()]
    assert labels == charts.session_labels([s.started_at for s in summaries])  # as the ratings chart labels them
    assert labels == ["07 Dec 16:51", "07 Dec 16:51 #2", "07 Dec 16:52"]
    words = [(round(t.get_position()[0]), t.get_text()) for t in ax_good.texts]
    assert words == [(0, "0%\n0 of 1"), (1, "no reps"), (2, "none judged")]
    assert [(round(t.get_position()[0]), t.get_text()) for t in ax_tir.texts] == [
        (0, "0%"), (1, "no reps"), (2, "none judged")]  # fmt: skip

    # the pixels: the 0 % session's place on the panel's floor is red; the no-data places are not
    png = np.asarray(Image.open(io.BytesIO(charts.render_png(fig, dpi=100))).convert("RGB")).astype(int)
    red = np.array(to_rgb(charts.POOR)) * 255

    def reddish(x: float) -> int:
        px, py = ax_good.transData.transform((x, 0.5))
        py = png.shape[0] - py  # image rows grow downwards
        patch = png[int(py) - 3 : int(py) + 4, int(px) - 15 : int(px) + 16]
        return int((np.abs(patch - red).sum(axis=2) < 60).sum())

    assert reddish(0) > 50  # drawn, in the verdict red
    assert reddish(1) == 0 and reddish(2) == 0
