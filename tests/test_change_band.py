"""The trend charts' shaded band is the change threshold the tables judge with (audit 32).

The band was the first measurement ± its MDC. On the sample profile with a real ROM test added (the real
model on the sports sample's jumping jacks), the right shoulder abduction went 124.5 ± 4.5° → 164.2 ±
28.9°: far outside a ±10° band, a change to the eye, beside the history's "no detectable change" (its
threshold max(1.96·√(4.5² + 28.9²), 10, 80.1) = 80.1°). Now the band over each later point is that
point's threshold, so inside is "no detectable change" and outside is "change", as the tables say.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from posture_feedback.assessment.change import is_real_change
from posture_feedback.cli import main
from posture_feedback.reports.charts import change_band, history_figures, measure_points
from posture_feedback.storage import Database


@pytest.fixture(scope="module")
def demo(clips, tmp_path_factory):
    data = tmp_path_factory.mktemp("band")
    assert main(["profile", "create", "--profile", "Demo", "--sample-data", "--data-dir", str(data)]) == 0
    assert main(["assess", "rom", "shoulder_abduction", "--video", str(clips["front"]), "--side", "both",
                 "--profile", "Demo", "--data-dir", str(data), "--out", str(data / "rom")]) == 0  # fmt: skip
    return data


def test_every_point_is_outside_the_band_exactly_when_the_tables_call_it_a_change(demo) -> None:
    with Database.open_default(demo) as db:
        pid = db.profile_by_name("Demo").id
        points = measure_points(db, pid, None, None, rom=True) + measure_points(db, pid, None, None, rom=False)
    groups = defaultdict(list)
    for p in points:
        groups[(p.name, p.side)].append(p)
    judged = 0
    for pts in groups.values():
        pts = sorted(pts, key=lambda p: p.when)
        if len(pts) < 2:
            continue
        xs, half = change_band(pts)
        base = pts[0]
        for p, h in zip(pts[1:], half[1:], strict=True):
            outside = round(abs(p.value - base.value), 1) > round(h, 1)
            assert outside == is_real_change(base.value, p.value, base.uncertainty, p.uncertainty, base.mdc, p.mdc)
            judged += 1
    assert judged >= 10
    right = sorted(groups[("shoulder_abduction", "right")], key=lambda p: p.when)
    first, last = right[0], right[-1]
    assert last.uncertainty > 15 and abs(last.value - first.value) > first.mdc  # outside the old ±MDC band
    assert is_real_change(first.value, last.value, first.uncertainty, last.uncertainty, first.mdc, last.mdc) is False


def test_the_history_chart_draws_that_band(demo, capsys) -> None:
    capsys.readouterr()
    assert main(["history", "--profile", "Demo", "--data-dir", str(demo)]) == 0
    (line,) = [x for x in capsys.readouterr().out.splitlines() if "shoulder abduction (right):" in x]
    assert line.endswith("no detectable change)")
    with Database.open_default(demo) as db:
        pid = db.profile_by_name("Demo").id
        fig = history_figures(db, pid)["rom"]
        right = sorted((p for p in measure_points(db, pid, None, None, rom=True)
                        if (p.name, p.side) == ("shoulder_abduction", "right")), key=lambda p: p.when)  # fmt: skip
    ax = next(a for a in fig.get_axes() if "abduction" in a.get_ylabel().lower())
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("right ± change threshold") for t in labels), labels
    _, half = change_band(right)
    tops = [np.max(c.get_paths()[0].vertices[:, 1]) for c in ax.collections if c.get_paths()]
    assert any(abs(t - (right[0].value + max(half))) < 1e-6 for t in tops)  # the band reaches the last threshold
    assert right[-1].value < right[0].value + max(half)  # the last point inside it: no detectable change
