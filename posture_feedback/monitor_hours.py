"""The posture monitor's time in good posture, hour by hour, for one local day.

The monitor (``monitor_rules.LaptopRules``) counts seconds watched and seconds in good posture per
local ``(day, hour)``; with a profile they are stored in the ``monitor_hours`` table (storage
migration 3, ``Database.add_monitor_hour``). ``day_by_hour`` reads one day back from the database,
``day_from_totals`` takes the monitor's own in-memory counts (no profile), and
``latest_monitored_day`` finds the day a history view or report shows by default. Times are
seconds; ``minutes`` turns them into the minutes the chart shows (at most 60 per hour).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from posture_feedback.storage import Database, MonitorHour

HOURS = range(24)


@dataclass(frozen=True, slots=True)
class DayByHour:
    """One local day's monitor totals per hour.

    Attributes:
        day: the local day.
        hours: 24 ``MonitorHour`` rows, hour 0 to 23; an hour nothing was counted in has 0 s.
    """

    day: date
    hours: tuple[MonitorHour, ...]
    #: the day's stored total (seconds watched) when no hour of it is stored: a results file from a
    #: version that sent day totals only; NaN otherwise
    day_total_s: float = math.nan

    @property
    def monitored_s(self) -> float:
        """Seconds watched (someone in view, a signal measured) that day."""
        return sum(h.monitored_s for h in self.hours)

    @property
    def good_s(self) -> float:
        """Seconds of those in good posture."""
        return sum(h.good_s for h in self.hours)

    @property
    def good_fraction(self) -> float:
        """Share of the watched time in good posture (0–1); NaN when nothing was watched."""
        return self.good_s / self.monitored_s if self.monitored_s > 0 else math.nan

    @property
    def empty(self) -> bool:
        """Nothing was watched that day."""
        return self.monitored_s <= 0

    def minutes(self) -> tuple[list[float], list[float]]:
        """(minutes watched, minutes in good posture) for hours 0–23."""
        return [h.monitored_s / 60 for h in self.hours], [h.good_s / 60 for h in self.hours]


def format_duration(seconds: float) -> str:
    """'1 h 05 min', '12 min', '40 s' (whole seconds, rounded down)."""
    s = int(max(seconds, 0))
    if s >= 3600:
        return f"{s // 3600} h {(s % 3600) // 60:02d} min"
    if s >= 60:
        return f"{s // 60} min"
    return f"{s} s"


def good_share(good_s: float, watched_s: float) -> float:
    """The share (0–1) in good posture as every view writes it: from the whole seconds
    ``format_duration`` shows, so "6 s of 15 s" reads 40% everywhere (the monitor said 40%, its
    "Today by hour" dialog 42% from fractional seconds: a sixth audit) and "0 s" never reads
    "67%"; NaN when less than a second was watched."""
    good, watched = int(max(good_s, 0)), int(max(watched_s, 0))
    return good / watched if watched > 0 else math.nan


def _full_day(day: date, rows: Sequence[MonitorHour]) -> DayByHour:
    by_hour = {h.hour: h for h in rows if h.day == day}
    return DayByHour(day, tuple(by_hour.get(h, MonitorHour(day, h, 0.0, 0.0)) for h in HOURS))


def day_by_hour(db: Database, profile_id: int, day: date) -> DayByHour:
    """The stored per-hour totals of one profile's local day (``monitor_hours``); with no hour stored,
    the day's own total where one is (``day_total_s``), so that a view can say why it has no hours."""
    full = _full_day(day, db.monitor_by_hour(profile_id, day, day))
    if full.empty:
        totals = [d.monitored_s for d in db.monitor_by_day(profile_id, day, day) if d.monitored_s > 0]
        if totals:
            return DayByHour(day, full.hours, day_total_s=float(totals[0]))
    return full


def day_from_totals(totals: Mapping[tuple[date, int], Sequence[float]], day: date) -> DayByHour:
    """A day from ``LaptopRules.totals`` (``(day, hour) → [observed_s, good_s]``): the monitor's
    own counts when there is no profile to store them in."""
    rows = [MonitorHour(d, h, float(v[0]), float(v[1])) for (d, h), v in totals.items() if d == day]
    return _full_day(day, rows)


def latest_monitored_day(db: Database, profile_id: int, start: date | None, end: date | None) -> date | None:
    """The last day between ``start`` and ``end`` (inclusive, None = open) with time counted per hour."""
    days = [h.day for h in db.monitor_by_hour(profile_id, start, end) if h.monitored_s > 0]
    return max(days) if days else None
