"""The history page: a profile's progress charts in the app (matplotlib's QtAgg canvas).

``HistoryView(db, profile_id)`` is a plain ``QWidget`` for the main window to embed. Tabs: a text
summary, ROM over time (normative value as a dashed line, first value ± the change threshold as a band), posture
measures, exercise sessions (time in range, good repetitions), adherence calendar, posture-monitor
time per day, and the monitor's time per hour of one chosen day (``HoursPanel``; the latest day of
the period with time counted). A period selector limits the charts; the footer says where the data
is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PyQt6.QtCore import QDate, Qt
from PyQt6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from posture_feedback.errors import PostureFeedbackError
from posture_feedback.monitor_hours import DayByHour, day_by_hour, format_duration, latest_monitored_day, split_text
from posture_feedback.reports import charts
from posture_feedback.reports.summary import collect, text_summary
from posture_feedback.storage import Database

#: Period choices: label → days back from today (None = since the first record).
PERIODS: tuple[tuple[str, int | None], ...] = (
    ("Last 4 weeks", 28),
    ("Last 3 months", 91),
    ("Last 12 months", 365),
    ("Everything", None),
)
PANEL_HEIGHT_PX = 190
#: How much larger a chart's text is in large type (``ui.accessibility.in_large_type``): its 8 pt
#: ticks and legend become 16 pt, near the mode's 18 pt smallest text (a thirteenth audit saw the
#: "Today by hour" chart's ticks, bar labels, axis titles and legend stay at about 9 pt there).
LARGE_TYPE_CHART_SCALE = 2.0


class ChartTab(QScrollArea):
    """One figure on a QtAgg canvas, scrollable when it is taller than the tab."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure = Figure(layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.setWidget(self.canvas)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)

    def set_min_height(self, pixels: int) -> None:
        self.canvas.setMinimumHeight(pixels)

    def redraw(self) -> None:
        """Draw now, not queued: a queued draw of a page closed before it runs raised RuntimeError."""
        self.canvas.draw()


class HoursPanel(QWidget):
    """The posture monitor's minutes watched per hour of one day (good posture confirmed, faults, not
    judged), with a day picker; in large type the chart's text is ``LARGE_TYPE_CHART_SCALE`` times larger.

    Args:
        load: the day's totals for a local day (``monitor_hours.day_by_hour`` on the database, or
            the monitor's own counts); called again whenever the day changes or ``refresh`` is called.
        day: the day shown first (default today).
    """

    def __init__(self, load: Callable[[date], DayByHour], day: date | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.load = load
        self.data: DayByHour | None = None
        self.day_edit = QDateEdit()
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("ddd dd MMM yyyy")
        self.day_edit.setMaximumDate(QDate.currentDate())
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.chart = ChartTab()
        top = QHBoxLayout()
        top.addWidget(QLabel("Day:"))
        top.addWidget(self.day_edit)
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.chart, 1)
        self.set_day(day or date.today())
        self.day_edit.dateChanged.connect(lambda _d: self.refresh())

    def day(self) -> date:
        return self.day_edit.date().toPyDate()

    def set_day(self, day: date) -> None:
        """Show ``day`` (redraws once, also when it is the day already shown)."""
        self.day_edit.blockSignals(True)
        self.day_edit.setDate(QDate(day.year, day.month, day.day))
        self.day_edit.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        """Read the chosen day again and redraw."""
        self.data = self.load(self.day())
        d = self.data
        when = d.day.strftime("%a %d %b %Y")
        empty = None
        if d.empty and d.day_total_s == d.day_total_s:  # a day total without its hours (an older results file)
            self.summary.setText(f"{format_duration(d.day_total_s)} watched on {when}; its hours are not stored, "
                                 "only the day's total (from an older results file or the sample data).")  # fmt: skip
            empty = f"No time per hour stored for {when}"  # the chart says what the line above says
        elif d.empty:
            self.summary.setText(f"Nothing monitored on {when}.")
        else:  # confirmed good / not judged / faults: time not judged is not bad posture
            self.summary.setText(f"{when}: {split_text(d.hours)}.")
        from posture_feedback.ui.accessibility import in_large_type

        large = in_large_type(self)
        self.chart.figure.clear()
        charts.monitor_hours_figure(d, fig=self.chart.figure, empty_message=empty,
                                    font_scale=LARGE_TYPE_CHART_SCALE if large else 1.0)  # fmt: skip
        self.chart.set_min_height(int(PANEL_HEIGHT_PX * (2.6 if large else 1.5)))
        self.chart.redraw()


class HistoryView(QWidget):
    """A profile's progress: summary text and charts for a selectable period.

    Args:
        db: the open database (read only here).
        profile_id: the profile to show.
    """

    def __init__(self, db: Database, profile_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.profile_id = profile_id
        self._drawn_large = False  # whether the charts were last drawn in large type
        self.setObjectName("HistoryView")

        self.title = QLabel()
        self.title.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.period = QComboBox()
        for label, _days in PERIODS:
            self.period.addItem(label)
        self.period.setCurrentIndex(1)
        self.period.currentIndexChanged.connect(self.refresh)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.report_button = QPushButton("Save report (PDF)…")
        self.report_button.setToolTip("Write the therapist report of this period as a PDF file")
        self.report_button.clicked.connect(self._ask_report_path)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("Period:"))
        top.addWidget(self.period)
        top.addWidget(self.refresh_button)
        top.addWidget(self.report_button)

        self.tabs = QTabWidget()
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setStyleSheet("font-family: monospace;")
        self.tabs.addTab(self.summary, "Summary")
        self.chart_tabs: dict[str, ChartTab] = {}
        for key, label in (("rom", "Range of motion"), ("posture", "Posture"), ("sessions", "Exercises"),
                           ("ratings", "Pain and effort"), ("adherence", "Adherence"),
                           ("monitor", "Posture monitor")):  # fmt: skip
            tab = ChartTab()
            self.chart_tabs[key] = tab
            self.tabs.addTab(tab, label)
        self.hours = HoursPanel(lambda day: day_by_hour(self.db, self.profile_id, day))
        self.tabs.addTab(self.hours, "Monitor by hour")

        self.where = QLabel()
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where.setStyleSheet("font-size: 9pt;")  # grey on grey measured 4.48:1, below WCAG AA

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.where)
        self.refresh()

    def period_range(self) -> tuple[date | None, date]:
        """The selected period as (first day or None for everything, today)."""
        days = PERIODS[self.period.currentIndex()][1]
        today = date.today()
        return (None if days is None else today - timedelta(days=days - 1)), today

    def save_report(self, path: str | Path) -> Path:
        """Write the PDF report of the selected period (raises ``StorageError`` if it cannot be written)."""
        from posture_feedback.reports.pdf import write_report

        start, end = self.period_range()
        return write_report(self.db, self.profile_id, path, start, end)

    def _ask_report_path(self) -> None:
        name = self.db.get_profile(self.profile_id).name.replace(" ", "_")
        path, _ = QFileDialog.getSaveFileName(self, "Save report", f"report_{name}.pdf", "PDF (*.pdf)")
        if not path:
            return
        try:
            out = self.save_report(path)
        except PostureFeedbackError as exc:
            QMessageBox.warning(self, "Report not saved", str(exc))
            return
        self.where.setText(f"Report saved: {out}   ·   data stored only on this computer: {self.db.path}")

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        """Redraw when shown in another type size than drawn with: the view is built before a window
        (which may be in large type) takes it in."""
        from posture_feedback.ui.accessibility import in_large_type

        if in_large_type(self) != self._drawn_large:
            self.refresh()
        super().showEvent(event)

    def set_profile(self, profile_id: int) -> None:
        self.profile_id = profile_id
        self.refresh()

    def refresh(self) -> None:
        """Re-read the database and redraw every chart."""
        start, end = self.period_range()
        data = collect(self.db, self.profile_id, start, end)
        start, end = data.start, data.end
        self.title.setText(f"{data.profile.name}: progress")
        self.summary.setPlainText(text_summary(data))
        rom = charts.measure_points(self.db, self.profile_id, start, end, rom=True)
        posture = charts.measure_points(self.db, self.profile_id, start, end, rom=False)
        draw = {
            "rom": (lambda f: charts.rom_figure(rom, fig=f), len({p.name for p in rom})),
            "posture": (
                lambda f: charts.rom_figure(posture, fig=f, title="Posture and movement measures"),
                len({p.name for p in posture}),
            ),  # fmt: skip
            "sessions": (lambda f: charts.sessions_figure(data.summaries, fig=f), 2),
            "ratings": (lambda f: charts.ratings_figure(data.sessions, fig=f), 2),
            "adherence": (lambda f: charts.adherence_figure(data.adherence, fig=f), 1.5),
        }
        from posture_feedback.ui.accessibility import in_large_type

        # In large type every chart's text is LARGE_TYPE_CHART_SCALE times larger, and each panel
        # taller to hold it (the "Monitor by hour" tab does the same, ``HoursPanel``).
        self._drawn_large = in_large_type(self)
        scale = LARGE_TYPE_CHART_SCALE if self._drawn_large else 1.0
        draw["monitor"] = (lambda f: charts.monitor_figure(data.monitor, fig=f, font_scale=scale), 1.5)
        for key, (fn, panels) in draw.items():
            tab = self.chart_tabs[key]
            tab.figure.clear()
            fn(tab.figure)
            if key != "monitor":  # it scales its own text (and its legend's columns)
                charts.scale_text(tab.figure, scale)
            tab.set_min_height(int(PANEL_HEIGHT_PX * max(1.5, panels) * (2.2 if scale > 1 else 1.0)))
            tab.redraw()
        self.hours.set_day(latest_monitored_day(self.db, self.profile_id, start, end) or date.today())
        self.where.setText(f"Stored only on this computer: {self.db.path}")
