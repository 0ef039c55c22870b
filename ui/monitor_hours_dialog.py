"""The posture monitor's "Today by hour" dialog: minutes watched per hour of a day, in three parts
(good posture confirmed, faults, not judged).

It only shows what the core counted (``monitor_rules.LaptopRules``) and stored
(``monitor_hours``): the chart is ``reports.charts.monitor_hours_figure`` in the history page's
``HoursPanel``, so the dialog, the history page and the PDF report draw the same figure.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from posture_feedback.monitor_hours import DayByHour
from posture_feedback.ui.history_view import HoursPanel


class HoursDialog(QDialog):
    """A day's time in good posture per hour (default today), with a day picker.

    Args:
        load: the day's totals for a local day (see ``HoursPanel``).
        day: the day shown first (default today).
    """

    def __init__(self, load: Callable[[date], DayByHour], day: date | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Posture monitor: time watched by hour")
        self.setObjectName("MonitorHoursDialog")
        self.panel = HoursPanel(load, day)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        refresh = buttons.addButton("Refresh", QDialogButtonBox.ButtonRole.ActionRole)
        refresh.clicked.connect(self.panel.refresh)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel, 1)
        layout.addWidget(buttons)
        from posture_feedback.ui.accessibility import in_large_type

        if in_large_type(self):  # the monitor's large type: the chart's text is drawn larger too
            self.panel.refresh()  # (its first drawing came before it was in this dialog)
            self.resize(1000, 760)
        else:
            self.resize(760, 440)
