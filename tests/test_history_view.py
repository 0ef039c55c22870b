"""The history page as a real Qt widget, offscreen (pytest-qt), on a real database with the sample history.

Set ``POSTURE_FEEDBACK_SCREENSHOTS=1`` to also save ``docs/screenshots/history.png``.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

pytest.importorskip("PyQt6.QtWidgets")

from PyQt6.QtWidgets import QVBoxLayout, QWidget  # noqa: E402

from posture_feedback.storage import Database  # noqa: E402
from posture_feedback.storage.sample_data import fill_sample_history  # noqa: E402
from posture_feedback.ui.history_view import PERIODS, HistoryView  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Database, int]:
    db = Database(tmp_path_factory.mktemp("history") / "pf.sqlite3")
    pid = fill_sample_history(db, "Sample patient", weeks=10).id
    yield db, pid
    db.close()


def _non_background_fraction(image) -> float:  # noqa: ANN001 - QImage
    w, h = image.width(), image.height()
    bg = image.pixelColor(2, 2)
    step = 7
    differ = total = 0
    for y in range(0, h, step):
        for x in range(0, w, step):
            total += 1
            differ += image.pixelColor(x, y) != bg
    return differ / total


def test_history_view_shows_every_chart(qtbot, sample_db: tuple[Database, int], tmp_path: Path) -> None:  # noqa: ANN001
    db, pid = sample_db
    view = HistoryView(db, pid)
    qtbot.addWidget(view)
    view.resize(1000, 720)
    view.show()
    qtbot.waitExposed(view)
    assert view.title.text() == "Sample patient: progress"
    assert [view.tabs.tabText(i) for i in range(view.tabs.count())] == [
        "Summary", "Range of motion", "Posture", "Exercises", "Pain and effort", "Adherence", "Posture monitor",
        "Monitor by hour",
    ]  # fmt: skip
    assert "planned" in view.summary.toPlainText()
    assert str(db.path) in view.where.text()  # the page says where the data lives
    # Each chart tab draws real axes with data (3 ROM panels, 2 posture panels, 2 exercise panels...).
    assert len(view.chart_tabs["rom"].figure.get_axes()) == 3
    assert len(view.chart_tabs["posture"].figure.get_axes()) == 2
    assert len(view.chart_tabs["sessions"].figure.get_axes()) == 2
    assert len(view.chart_tabs["ratings"].figure.get_axes()) == 2  # pain, effort
    for key, tab in view.chart_tabs.items():
        view.tabs.setCurrentWidget(tab)
        qtbot.wait(10)
        tab.canvas.draw()
        image = tab.canvas.grab().toImage()
        assert image.width() > 300 and image.height() > 200, key
        assert _non_background_fraction(image) > 0.03, f"{key} tab looks empty"
    view.tabs.setCurrentIndex(1)
    shot = view.grab()
    assert shot.save(str(tmp_path / "history.png"))
    if os.environ.get("POSTURE_FEEDBACK_SCREENSHOTS"):
        (ROOT / "docs" / "screenshots").mkdir(parents=True, exist_ok=True)
        assert shot.save(str(ROOT / "docs" / "screenshots" / "history.png"))


def test_period_selector_changes_the_range(qtbot, sample_db: tuple[Database, int]) -> None:  # noqa: ANN001
    db, pid = sample_db
    view = HistoryView(db, pid)
    qtbot.addWidget(view)
    labels = [label for label, _ in PERIODS]
    view.period.setCurrentIndex(labels.index("Last 4 weeks"))
    start, end = view.period_range()
    assert end == date.today() and start == date.today() - timedelta(days=27)
    four_weeks = view.summary.toPlainText()
    assert four_weeks.splitlines()[0].endswith(f"{start.isoformat()} to {end.isoformat()}")
    view.period.setCurrentIndex(labels.index("Everything"))  # signal → refresh
    first_day = db.sessions_between(pid)[0].started_at.date()
    everything = view.summary.toPlainText()
    assert everything.splitlines()[0].startswith(f"Sample patient: {min(first_day, start).isoformat()}")
    assert everything != four_weeks


def test_save_report_from_the_view(qtbot, sample_db: tuple[Database, int], tmp_path: Path) -> None:  # noqa: ANN001
    db, pid = sample_db
    view = HistoryView(db, pid)
    qtbot.addWidget(view)
    out = view.save_report(tmp_path / "r.pdf")
    assert out.read_bytes().startswith(b"%PDF-") and out.stat().st_size > 20_000
    assert view.report_button.isEnabled()


def test_history_view_for_a_new_profile(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    with Database(tmp_path / "pf.sqlite3") as db:
        pid = db.create_profile("Fresh").id
        view = HistoryView(db, pid)
        qtbot.addWidget(view)
        texts = [t.get_text() for ax in view.chart_tabs["rom"].figure.get_axes() for t in ax.texts]
        assert any(t.startswith("No data for this period") for t in texts)
        other = db.create_profile("Other").id
        db.add_monitor_time(other, date.today(), 600.0, 300.0)
        view.set_profile(other)
        assert view.title.text() == "Other: progress"
        assert len(view.chart_tabs["monitor"].figure.get_axes()) == 2  # bars and the % line on a twin axis


def test_large_type_raises_every_charts_text(qtbot, sample_db: tuple[Database, int], tmp_path: Path) -> None:  # noqa: ANN001
    """A review of the thirteenth audit's fix: only the "Monitor by hour" chart's text grew in large
    type; the History tab's other charts kept 7–8 pt ticks and legends in an 18 pt mode. The view is
    built before a large-type window takes it in (as the History window and tab do): shown there,
    every chart's smallest text is at least 14 pt (its 7 pt legends × 2), and none below."""
    from PyQt6.QtWidgets import QMainWindow, QVBoxLayout, QWidget

    from posture_feedback.ui.accessibility import apply_large_type
    from posture_feedback.ui.readable import readable

    db, pid = sample_db
    normal = HistoryView(db, pid)
    qtbot.addWidget(normal)
    small = {key: min(t.get_fontsize() for t in tab.figure.findobj(lambda a: hasattr(a, "get_fontsize")
                                                                    and getattr(a, "get_text", lambda: "")()))
             for key, tab in normal.chart_tabs.items()}  # fmt: skip
    assert all(v <= 8.0 for v in small.values()), small
    # built as the Session menu's History window is (ui/feature_menus.open_history): the view first,
    # then a readable main window holding it, then the profile's large type on that window
    view = HistoryView(db, pid)
    window = readable(QMainWindow())
    qtbot.addWidget(window)
    holder = QWidget(window)
    QVBoxLayout(holder).addWidget(view)
    window.setCentralWidget(holder)
    window.resize(1100, 760)
    apply_large_type(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(300)  # let the charts settle at the window's size before they are looked at
    for key, tab in view.chart_tabs.items():
        tab.canvas.draw()
        texts = [t for t in tab.figure.findobj(lambda a: hasattr(a, "get_fontsize")) if t.get_text()]
        ticks = [t for ax in tab.figure.axes for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]
        assert texts and min(t.get_fontsize() for t in texts + ticks) >= 14.0, (key, sorted(
            (t.get_fontsize(), t.get_text()) for t in texts + ticks)[:3])  # fmt: skip
    hours_ax = view.hours.chart.figure.get_axes()[0]
    assert min(t.get_fontsize() for t in hours_ax.get_xticklabels()) == 16.0
    view.tabs.setCurrentIndex(2)  # posture: the signed measure's two-line label ("+ = left shoulder higher")
    qtbot.wait(200)
    assert window.grab().save(str(tmp_path / "history-large.png"))
    if os.environ.get("POSTURE_FEEDBACK_SCREENSHOTS"):
        assert window.grab().save(str(ROOT / "docs" / "screenshots" / "history-large.png"))


def test_a_posture_screen_s_four_signed_panels_keep_their_labels_apart(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    """Audit 27: two posture screens (head, shoulder, pelvic tilt and trunk lateral lean, the values of
    ``assess posture`` on cam02 frame 72) in the History tab at 1100 × 800: each y label, with its sign
    convention on one line, ran past its 190-pixel panel into the next one's ("Pelvic tilt (°; + = left
    hip higher)" over "Head tilt …"). Real widget offscreen, real SQLite; the labels' drawn extents."""
    from datetime import datetime, timezone

    from posture_feedback.storage.models import Measure

    db = Database(tmp_path / "pf.sqlite3")
    pid = db.create_profile("Pat").id
    values = {"head_tilt": (-18.5, 18.0), "shoulder_tilt": (-27.1, 6.6), "pelvic_tilt": (-9.5, 3.7),
              "trunk_lateral_lean": (21.0, 6.3)}  # fmt: skip
    for day in (3, 5):
        when = datetime.combine(date.today() - timedelta(days=day), datetime.min.time(), timezone.utc)
        db.add_assessment(pid, "posture", {}, [Measure(n, v, u, reference=0.0, reference_low=-2.0, reference_high=2.0)
                                               for n, (v, u) in values.items()], created_at=when)  # fmt: skip
    view = HistoryView(db, pid)
    qtbot.addWidget(view)
    view.resize(1100, 800)
    view.show()
    qtbot.waitExposed(view)
    view.tabs.setCurrentIndex(2)
    tab = view.chart_tabs["posture"]
    tab.canvas.draw()
    renderer = tab.canvas.get_renderer()
    axes = tab.figure.get_axes()
    assert len(axes) == 4
    assert all("+ = " in ax.get_ylabel() for ax in axes)  # each still says which side a + means
    boxes = [ax.yaxis.label.get_window_extent(renderer) for ax in axes]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), [(ax.get_ylabel(), bb.y0, bb.y1) for ax, bb in zip(axes, boxes, strict=True)]
    db.close()


def test_a_new_patient_s_empty_charts_say_what_fills_them(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    """Audit 30: every History tab of a new profile said only "No data for this period". Each empty chart
    now says, under it, where its numbers come from (an evaluation, an exercise session, the plan, the
    monitor), and in large type (text twice as large) every line stays inside its chart."""
    from posture_feedback.ui.accessibility import apply_large_type

    with Database(tmp_path / "pf.sqlite3") as db:
        pid = db.create_profile("Fresh").id
        for large in (False, True):
            host = QWidget()
            qtbot.addWidget(host)
            if large:
                apply_large_type(host)
            view = HistoryView(db, pid, host)
            QVBoxLayout(host).addWidget(view)
            host.resize(1100, 760)
            host.show()
            qtbot.waitExposed(host)
            view.refresh()
            hints = {"rom": "evaluation", "posture": "evaluation", "sessions": "exercise session",
                     "ratings": "asked before and after", "adherence": "plan",
                     "monitor": "posture monitor"}  # fmt: skip
            for key, word in hints.items():
                view.tabs.setCurrentWidget(view.chart_tabs[key])  # shown, at its on-screen size
                qtbot.wait(50)
                fig = view.chart_tabs[key].figure
                fig.canvas.draw()
                renderer = fig.canvas.get_renderer()
                (text,) = [t for ax in fig.get_axes() for t in ax.texts]
                assert text.get_text().startswith("No data for this period") and word in text.get_text(), key
                box, page = text.get_window_extent(renderer), fig.bbox
                assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, (
                    key, large, box, page)
            host.close()
