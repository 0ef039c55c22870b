"""The posture monitor's time in good posture per hour: the query on a real SQLite file with hour rows
inserted by hand, the chart's bars (the data behind them, not pixels), an empty day said in words, and
the same chart in the monitor's "Today by hour" dialog, the history page and the PDF report."""

from __future__ import annotations

import math
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from posture_feedback.monitor_hours import day_by_hour, day_from_totals, latest_monitored_day
from posture_feedback.reports import charts
from posture_feedback.storage import Database

DAY = date(2026, 3, 24)
#: Hand-written rows: (day, hour, seconds watched, seconds in good posture, seconds judged).
ROWS = [
    (DAY, 9, 1800.0, 1200.0, 1500.0),  # 30 min watched, 20 good, 5 faults, 5 not judged: 20/25 = 80%
    (DAY, 10, 3600.0, 2700.0, 3000.0),  # 60 min, 45 good, 5 faults, 10 not judged: 45/50 = 90%
    (DAY, 14, 600.0, 0.0, 600.0),  # 10 min, all faults: 0%
    (DAY - timedelta(days=1), 9, 3600.0, 3600.0, 3600.0),  # another day: not shown
]
#: The day's minutes per hour 0-23, worked out by hand from ROWS.
WATCHED_MIN = [0.0] * 9 + [30.0, 60.0, 0.0, 0.0, 0.0, 10.0] + [0.0] * 9
GOOD_MIN = [0.0] * 9 + [20.0, 45.0, 0.0, 0.0, 0.0, 0.0] + [0.0] * 9
FAULT_MIN = [0.0] * 9 + [5.0, 5.0, 0.0, 0.0, 0.0, 10.0] + [0.0] * 9
NOT_JUDGED_MIN = [0.0] * 9 + [5.0, 10.0, 0.0, 0.0, 0.0, 0.0] + [0.0] * 9
#: The day: 6000 s watched, 3900 good, 5100 judged: 900 s not judged, 1200 s faults, 3900/5100 = 76% good
DAY_TEXT = ("1 h 40 min watched: good posture confirmed 1 h 05 min, not judged 15 min, faults 20 min; "
            "good 76% of the judged time")  # fmt: skip
GOOD, FAULT, NOT_JUDGED = "good posture confirmed", "fault confirmed", "not judged (± reaches past a threshold)"


@pytest.fixture
def db_file(tmp_path: Path) -> tuple[Path, int, int]:
    """A real database file: two profiles, the hour rows inserted with plain SQL (not our code)."""
    path = tmp_path / "pf.sqlite3"
    with Database(path) as db:
        ann, other = db.create_profile("Ann").id, db.create_profile("Other").id
    raw = sqlite3.connect(path)
    rows = [(ann, d.isoformat(), h, m, g, j) for d, h, m, g, j in ROWS] + [(other, DAY.isoformat(), 9, 60.0, 0.0, 0.0)]
    raw.executemany(
        "INSERT INTO monitor_hours (profile_id, day, hour, monitored_s, good_s, judged_s) VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    raw.commit()
    raw.close()
    return path, ann, other


def _bars(fig: Figure) -> dict[str, list[tuple[float, float]]]:
    """Label → [(bar centre x, height)] of every bar container in the figure."""
    out = {}
    for ax in fig.get_axes():
        for c in ax.containers:
            if isinstance(c, BarContainer):
                out[c.get_label()] = [(p.get_x() + p.get_width() / 2, p.get_height()) for p in c.patches]
    return out


def _texts(fig: Figure) -> list[str]:
    """The figure's texts, no-break spaces (kept between a number and its unit) read as spaces."""
    texts = [t.get_text() for ax in fig.get_axes() for t in ax.texts] + [ax.get_title() for ax in fig.get_axes()]
    return [t.replace("\u00a0", " ") for t in texts]


def _check_day_chart(fig: Figure) -> None:
    bars = _bars(fig)
    assert [h for _x, h in bars[GOOD]] == pytest.approx(GOOD_MIN)
    assert [h for _x, h in bars[FAULT]] == pytest.approx(FAULT_MIN)
    assert [h for _x, h in bars[NOT_JUDGED]] == pytest.approx(NOT_JUDGED_MIN)
    # the three parts stack up to the minutes watched; bar h spans h:00-h+1:00
    tops = [a + b + c for (_x, a), (_y, b), (_z, c) in zip(bars[GOOD], bars[FAULT], bars[NOT_JUDGED], strict=True)]
    assert tops == pytest.approx(WATCHED_MIN)
    assert [x for x, h in bars[FAULT] if h > 0] == pytest.approx([9.5, 10.5, 14.5])
    texts = _texts(fig)
    assert [t for t in texts if t.endswith("%")] == ["80%", "90%", "0%"]  # good share of each hour's judged time
    title = "\n".join(t for t in texts if t.startswith("Posture monitor by hour"))
    assert ("1 h 40 min watched: good posture confirmed 1 h 05 min, not judged 15 min, faults 20 min" in title
            and "good posture confirmed in 76% of the judged time" in title), title  # fmt: skip


def test_the_query_returns_exactly_the_stored_minutes(db_file) -> None:
    path, ann, other = db_file
    with Database(path) as db:
        d = day_by_hour(db, ann, DAY)
        assert [h.hour for h in d.hours] == list(range(24))
        watched, good = d.minutes()
        assert watched == pytest.approx(WATCHED_MIN)
        assert good == pytest.approx(GOOD_MIN)
        assert (d.monitored_s, d.good_s) == (6000.0, 3900.0)
        assert d.good_fraction == pytest.approx(0.65)
        assert day_by_hour(db, other, DAY).minutes()[0][9] == pytest.approx(1.0)  # profiles kept apart
        assert day_by_hour(db, ann, DAY + timedelta(days=1)).empty
        assert math.isnan(day_by_hour(db, ann, DAY + timedelta(days=1)).good_fraction)
        assert latest_monitored_day(db, ann, None, None) == DAY
        assert latest_monitored_day(db, ann, None, DAY - timedelta(days=1)) == DAY - timedelta(days=1)
        assert latest_monitored_day(db, ann, DAY + timedelta(days=1), None) is None


def test_the_monitors_own_counts_without_a_profile() -> None:
    totals = {(DAY, h): [m, g, j] for d, h, m, g, j in ROWS if d == DAY}
    totals[(DAY - timedelta(days=1), 9)] = [5.0, 5.0, 5.0]
    watched, good = day_from_totals(totals, DAY).minutes()
    assert watched == pytest.approx(WATCHED_MIN) and good == pytest.approx(GOOD_MIN)


def test_the_chart_bars_hold_the_minutes_per_hour(db_file) -> None:
    path, ann, _ = db_file
    with Database(path) as db:
        fig = charts.monitor_hours_figure(day_by_hour(db, ann, DAY))
    _check_day_chart(fig)
    ax = fig.get_axes()[0]
    assert ax.get_xlim() == (8.0, 18.0)  # a working day, which holds every counted hour here
    assert ax.get_ylim()[1] >= 60.0
    assert len(charts.render_png(fig, dpi=40)) > 1000


def test_an_empty_day_says_so_instead_of_an_empty_chart() -> None:
    fig = charts.monitor_hours_figure(day_from_totals({}, DAY))
    assert _bars(fig) == {}
    assert "Nothing monitored on Tue 24 Mar 2026" in _texts(fig)
    assert not fig.get_axes()[0].axison
    fig = charts.monitor_hours_figure(day_from_totals({}, DAY), empty_message="No time per hour stored")
    assert "No time per hour stored" in _texts(fig)


def test_late_hours_widen_the_axis() -> None:
    totals = {(DAY, 22): [600.0, 300.0, 300.0], (DAY, 6): [60.0, 0.0, 0.0]}
    fig = charts.monitor_hours_figure(day_from_totals(totals, DAY))
    assert fig.get_axes()[0].get_xlim() == (6.0, 23.0)


def test_the_dialog_shows_the_chosen_day_and_says_when_it_is_empty(qtbot, db_file, tmp_path) -> None:  # noqa: ANN001
    from PyQt6.QtCore import QDate

    from posture_feedback.ui.monitor_hours_dialog import HoursDialog

    path, ann, _ = db_file
    with Database(path) as db:
        dialog = HoursDialog(lambda d: day_by_hour(db, ann, d), DAY)
        qtbot.addWidget(dialog)
        dialog.show()
        _check_day_chart(dialog.panel.chart.figure)
        assert dialog.panel.summary.text() == f"Tue 24 Mar 2026: {DAY_TEXT}."
        dialog.grab().save(str(tmp_path / "hours_dialog.png"))
        dialog.panel.day_edit.setDate(QDate(2026, 3, 25))  # nothing that day
        assert dialog.panel.summary.text() == "Nothing monitored on Wed 25 Mar 2026."
        assert _bars(dialog.panel.chart.figure) == {}
        assert "Nothing monitored on Wed 25 Mar 2026" in _texts(dialog.panel.chart.figure)


def test_the_monitor_opens_today_by_hour_from_its_own_counts(qtbot, tmp_path) -> None:  # noqa: ANN001
    from posture_feedback.ui.monitor import MonitorWindow
    from posture_feedback.ui.options import AppOptions

    window = MonitorWindow(AppOptions(source=str(tmp_path / "no_such_camera.mp4"), monitor=True, sound=False))
    qtbot.addWidget(window)
    assert window.laptop_mode and window.hours_button.isVisibleTo(window)
    today = date.today()
    window.rules.totals[(today, 9)] = [1800.0, 1200.0, 1500.0]  # what the laptop rules counted (no profile)
    window.rules.totals[(today - timedelta(days=1), 9)] = [600.0, 600.0, 600.0]
    window.hours_button.click()
    dialog = window.hours_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.panel.day() == today
    bars = _bars(dialog.panel.chart.figure)
    assert [h for _x, h in bars[GOOD]] == pytest.approx([0.0] * 9 + [20.0] + [0.0] * 14)
    assert [h for _x, h in bars[FAULT]] == pytest.approx([0.0] * 9 + [5.0] + [0.0] * 14)
    assert [h for _x, h in bars[NOT_JUDGED]] == pytest.approx([0.0] * 9 + [5.0] + [0.0] * 14)
    window.close()


def test_the_monitor_with_a_profile_saves_then_charts_the_stored_hours(qtbot, tmp_path) -> None:  # noqa: ANN001
    from posture_feedback.ui.monitor import MonitorWindow
    from posture_feedback.ui.options import AppOptions

    window = MonitorWindow(AppOptions(source=str(tmp_path / "no_such_camera.mp4"), monitor=True, sound=False,
                                      profile="Ann", data_dir=str(tmp_path)))  # fmt: skip
    qtbot.addWidget(window)
    today = date.today()
    window.link.db.add_monitor_hour(window.link.profile_id, today, 8, 600.0, 600.0, judged_s=600.0)  # earlier
    window.rules.totals[(today, 9)] = [120.0, 60.0, 90.0]  # counted now, not saved yet
    dialog = window.show_hours()
    bars = _bars(dialog.panel.chart.figure)
    assert [h for _x, h in bars[GOOD]][8:10] == pytest.approx([10.0, 1.0])
    assert [h for _x, h in bars[FAULT]][8:10] == pytest.approx([0.0, 0.5])  # 90 - 60 s
    assert [h for _x, h in bars[NOT_JUDGED]][8:10] == pytest.approx([0.0, 0.5])  # 120 - 90 s
    # saved per hour and per day alike (MonitorTotals.flush)
    day = window.link.db.monitor_by_day(window.link.profile_id, today, today)[0]
    assert (day.monitored_s, day.good_s, day.judged_s) == (120.0, 60.0, 90.0)
    window.close()


def test_the_history_page_shows_the_periods_last_monitored_day(qtbot, tmp_path) -> None:  # noqa: ANN001
    from posture_feedback.ui.history_view import HistoryView

    today = date.today()
    with Database(tmp_path / "pf.sqlite3") as db:
        pid = db.create_profile("Ann").id
        for d, h, m, g, j in ROWS:
            shift = today - DAY - timedelta(days=2)  # the chart's day two days ago, inside the period
            db.add_monitor_hour(pid, d + shift, h, m, g, judged_s=j)
        view = HistoryView(db, pid)
        qtbot.addWidget(view)
        assert view.hours.day() == today - timedelta(days=2)
        _check_day_chart(view.hours.chart.figure)
        view.tabs.setCurrentWidget(view.hours)
        view.resize(900, 600)
        view.grab().save(str(tmp_path / "history_hours.png"))


def test_the_pdf_report_charts_the_hours_of_the_last_monitored_day(db_file) -> None:
    from posture_feedback.reports.pdf import report_figures

    path, ann, _ = db_file
    with Database(path) as db:
        db.add_monitor_time(ann, DAY, 6000.0, 3900.0)
        pages = report_figures(db, ann, DAY - timedelta(days=6), DAY + timedelta(days=2))
        page = next(p for p in pages if p._suptitle is not None and p._suptitle.get_text().startswith("Adherence"))
        hours = page.subfigs[2]
        _check_day_chart(hours)
        pages = report_figures(db, ann, DAY + timedelta(days=1), DAY + timedelta(days=5))
        page = next(p for p in pages if p._suptitle is not None and p._suptitle.get_text().startswith("Adherence"))
        assert "No time per hour stored in this period" in _texts(page.subfigs[2])


def test_a_day_with_only_its_total_says_so(qtbot, tmp_path) -> None:  # noqa: ANN001
    """A second audit: a results file from an older version carries day totals only; the clinic's
    by-hour view said "Nothing monitored" on a day the daily chart showed. Now it says why."""
    from posture_feedback.ui.monitor_hours_dialog import HoursDialog

    with Database(tmp_path / "pf.sqlite3") as db:
        pid = db.create_profile("Ann").id
        db.add_monitor_time(pid, DAY, 1500.0, 600.0)  # the day's total, no hour
        assert day_by_hour(db, pid, DAY).day_total_s == 1500.0
        dialog = HoursDialog(lambda d: day_by_hour(db, pid, d), DAY)
        qtbot.addWidget(dialog)
        dialog.show()
        text = dialog.panel.summary.text()
        assert text.startswith("25 min watched on") and "its hours are not stored, only the day's total" in text
        assert "Nothing monitored" not in text
        # the chart under that line says the same, not "Nothing monitored" (a sixth audit)
        chart = " ".join(t.get_text() for t in dialog.panel.chart.figure.findobj(lambda o: hasattr(o, "get_text")))
        assert "No time per hour stored" in chart and "Nothing monitored" not in chart


def test_every_view_writes_the_same_share_of_good_posture() -> None:
    """The monitor said "6 s (40% of the time watched)", its "Today by hour" dialog "6 s of 15 s
    in good posture (42%)" from fractional seconds (a sixth audit): one rule, the whole seconds shown."""
    from posture_feedback.monitor_hours import format_duration, good_share

    assert format_duration(6.6) == "6 s" and format_duration(15.6) == "15 s"
    assert good_share(6.6, 15.6) == 6 / 15
    assert good_share(0.7, 0.9) != good_share(0.7, 0.9)  # under a second watched: no share (NaN)


def test_the_per_day_chart_of_one_day_shows_days_not_clock_times() -> None:
    """A second audit: with one monitored day the daily chart's axis read "15:00 18:00 21:00 Dec-07
    03:00 …", as if the day spanned two dates."""
    from posture_feedback.storage import MonitorDay

    fig = charts.monitor_figure([MonitorDay(DAY, 27.0, 10.0, 0)])
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert labels and not any(":" in t for t in labels)
    assert DAY.strftime("%d %b") in labels


def test_under_a_second_watched_shows_no_share(qtbot, tmp_path) -> None:  # noqa: ANN001
    """The one rule for the share (whole seconds shown) has none under a second: the panel read
    "0 s of 0 s watched (nan%)" (a review of the change)."""
    from posture_feedback.ui.monitor_hours_dialog import HoursDialog

    with Database(tmp_path / "pf.sqlite3") as db:
        pid = db.create_profile("Ann").id
        db.add_monitor_hour(pid, DAY, 9, 0.6, 0.3, judged_s=0.4)
        dialog = HoursDialog(lambda d: day_by_hour(db, pid, d), DAY)
        qtbot.addWidget(dialog)
        dialog.show()
        text = dialog.panel.summary.text()
    assert text == "Tue 24 Mar 2026: 0 s watched: good posture confirmed 0 s, not judged 0 s, faults 0 s."


def test_the_chart_title_gives_the_share_every_view_gives():
    """The dialog's line said 40% for "6 s of 15 s" and the chart title under it 43% (fractional
    seconds): the title now uses ``monitor_hours.good_share`` too (a review of this change)."""
    fig = charts.monitor_hours_figure(day_from_totals({(DAY, 10): [15.4, 6.6, 10.9]}, DAY))
    title = fig.axes[0].get_title().replace("\u00a0", " ")
    # whole seconds: 15 watched, 6 good, 10 judged: 5 not judged, 4 faults, 6/10 = 60% of the judged time
    assert "15 s watched: good posture confirmed 6 s, not judged 5 s, faults 4 s" in title, title
    assert "good posture confirmed in 60% of the judged time" in title, title
    assert [t.get_text() for t in fig.axes[0].texts] == ["60%"]  # the hour's bar label: the same rule


def test_large_type_raises_the_chart_text(qtbot, db_file) -> None:  # noqa: ANN001
    """A thirteenth audit: in large type the "Today by hour" chart's ticks, bar labels, axis titles
    and legend stayed at about 9 pt. In a window in large type they are twice as large (16 pt ticks
    and legend, 15 pt bar labels, 17 pt axis labels) and the title's durations never break."""
    from PyQt6.QtWidgets import QWidget

    from posture_feedback.ui.accessibility import LARGE_TYPE_PROPERTY
    from posture_feedback.ui.monitor_hours_dialog import HoursDialog

    path, ann, _ = db_file
    owner = QWidget()
    owner.setProperty(LARGE_TYPE_PROPERTY, True)
    qtbot.addWidget(owner)
    with Database(path) as db:
        dialog = HoursDialog(lambda d: day_by_hour(db, ann, d), DAY, parent=owner)
        fig = dialog.panel.chart.figure
        ax = fig.get_axes()[0]
        assert min(t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels()) == 16.0
        assert [t.get_fontsize() for t in ax.texts] == [15.0, 15.0, 15.0]
        assert ax.xaxis.label.get_fontsize() == ax.yaxis.label.get_fontsize() == 17.0
        assert {t.get_fontsize() for t in fig.legends[0].get_texts()} == {16.0}
        assert "1\u00a0h\u00a005\u00a0min" in ax.get_title()  # "1 h 05 min" kept on one line
        normal = HoursDialog(lambda d: day_by_hour(db, ann, d), DAY)
        qtbot.addWidget(normal)
        assert normal.panel.chart.figure.get_axes()[0].get_xticklabels()[0].get_fontsize() == 8.0


def test_the_parts_of_a_monitored_time_add_up_as_written():
    """Audit 30: "31 min watched" beside parts written 20 + 5 + 5 min (each floored on its own). Hand-worked:
    1890 s = 31 min 30 s watched, 1230 s good (20.5 min), 330 s not judged and 330 s faults (5.5 min each):
    the largest remainders take the minute flooring lost, so the parts read 21 + 5 + 5 = 31 min."""
    from posture_feedback.monitor_hours import parts_that_add_up

    assert parts_that_add_up(1890, (1230, 330, 330)) == (1260, 300, 300)
    assert parts_that_add_up(45, (10, 20, 15)) == (10, 20, 15)  # under a minute: whole seconds, exact
    for total in range(0, 4000, 37):
        for a in range(0, total + 1, max(total // 7, 1)):
            b = (total - a) // 3
            parts = parts_that_add_up(total, (a, b, total - a - b))
            unit = 1 if total < 60 else 60
            assert sum(parts) == total // unit * unit and all(p % unit == 0 for p in parts), (total, a, parts)
