"""The trend charts' panels share one time axis: every stored point stays on it.

An audit (2026-12-07): after a new posture screen, the PDF's "Posture and movement measures over time"
showed an x axis of 5-11 Dec only; the craniovertebral-angle panel, with values on 27 Oct, 10 Nov and
24 Nov, was empty. A measure with a single evaluation (head tilt) set "a week around it" on the axis
all panels share. Hand-built points: three CVA values over a month and one head tilt.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import matplotlib.dates as mdates

from posture_feedback.reports import charts
from posture_feedback.storage.models import RomPoint


def _p(when: datetime, name: str, value: float) -> RomPoint:
    return RomPoint(when, 1, name, None, value, 2.0, "deg", None, 4.0, "posture_screen")


def test_every_point_is_inside_the_shared_axis():
    day = datetime(2026, 10, 27, 10, tzinfo=timezone.utc)
    pts = [_p(day, "craniovertebral_angle", 42.3), _p(day + timedelta(days=14), "craniovertebral_angle", 44.8),
           _p(day + timedelta(days=28), "craniovertebral_angle", 46.2),
           _p(day + timedelta(days=40), "head_tilt", -3.0)]  # fmt: skip
    fig = charts.rom_figure(pts, fig=charts.new_figure())
    lo, hi = fig.axes[0].get_xlim()
    for p in pts:
        assert lo <= mdates.date2num(p.when) <= hi, p
    assert all(ax.get_xlim() == (lo, hi) for ax in fig.axes)  # one shared axis
    # a single evaluation alone still gets its week around it
    one = charts.rom_figure([_p(day, "head_tilt", -3.0)], fig=charts.new_figure())
    lo, hi = one.axes[0].get_xlim()
    assert mdates.num2date(lo) == day - timedelta(days=3) and mdates.num2date(hi) == day + timedelta(days=4)
