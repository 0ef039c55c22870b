"""The posture monitor's time in good posture, hour by hour, for one local day, and how every view words it.

The monitor (``monitor_rules.LaptopRules``) counts seconds watched, judged (a verdict: good posture
or a fault confirmed) and in good posture per local ``(day, hour)``; with a profile they are stored
in the ``monitor_hours`` table (storage migrations 3 and 7, ``Database.add_monitor_hour``). Every
view says the watched time in three parts, ``split_text``: "12 s watched: good posture confirmed 0 s,
not judged 12 s, faults 0 s" (a coach whose ± reaches past a threshold judges nothing, and such
seconds are not bad posture); rows stored before the judged time was recorded say so.
``day_by_hour`` reads one day back from the database,
``day_from_totals`` takes the monitor's own in-memory counts (no profile), and
``latest_monitored_day`` finds the day a history view or report shows by default. Times are
seconds; ``minutes`` turns them into the minutes the chart shows (at most 60 per hour).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

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
    def judged_s(self) -> float | None:
        """Seconds of those with a verdict; None when an hour with time watched has none recorded."""
        return split_of(self.hours).judged_s

    @property
    def good_fraction(self) -> float:
        """Share of the watched time in good posture (0–1), not-judged time included; NaN when nothing
        was watched. Views show ``split_of(day.hours)`` instead."""
        return self.good_s / self.monitored_s if self.monitored_s > 0 else math.nan

    @property
    def empty(self) -> bool:
        """Nothing was watched that day."""
        return self.monitored_s <= 0

    def minutes(self) -> tuple[list[float], list[float]]:
        """(minutes watched, minutes in good posture) for hours 0–23."""
        return [h.monitored_s / 60 for h in self.hours], [h.good_s / 60 for h in self.hours]


class MonitorRow(Protocol):
    """A stored monitor total (``MonitorDay``, ``MonitorHour``): seconds watched, good, judged."""

    @property
    def monitored_s(self) -> float: ...
    @property
    def good_s(self) -> float: ...
    @property
    def judged_s(self) -> float | None: ...


@dataclass(frozen=True, slots=True)
class TimeSplit:
    """Watched time in whole seconds (as ``format_duration`` shows them, so the parts add up):
    good posture confirmed, faults confirmed, not judged.

    Attributes:
        watched_s: seconds watched.
        good_s: seconds in good posture (confirmed: every reading's whole ± interval within its threshold).
        judged_s: seconds with a verdict (good or a fault); None when not recorded (stored before it was).
        recorded_watched_s, recorded_good_s: the watched and good seconds of the rows whose judged time
            is recorded (all of them when ``judged_s`` is not None); 0 when none is.
        recorded_judged_s: the judged seconds of those rows.
    """

    watched_s: int
    good_s: int
    judged_s: int | None
    recorded_watched_s: int = 0
    recorded_good_s: int = 0
    recorded_judged_s: int = 0

    @property
    def not_judged_s(self) -> int | None:
        """Seconds watched without a verdict (None: not recorded)."""
        return None if self.judged_s is None else self.watched_s - self.judged_s

    @property
    def fault_s(self) -> int | None:
        """Seconds with a fault confirmed (too close included; None: not recorded)."""
        return None if self.judged_s is None else self.judged_s - self.good_s

    @property
    def judged_good_share(self) -> float:
        """Good posture confirmed as a share (0–1) of the *judged* time of the rows where it is
        recorded; NaN when less than a second was judged."""
        return good_share(self.recorded_good_s, self.recorded_judged_s)


def split_of(rows: Iterable[MonitorRow]) -> TimeSplit:
    """The watched time of ``rows`` split into confirmed good / faults / not judged (``TimeSplit``).
    A row with time watched and no judged figure makes the whole ``judged_s`` None ("not recorded");
    the rows that have one still give ``recorded_*``."""
    watched = good = r_watched = r_good = r_judged = 0.0
    missing = False
    for r in rows:
        watched += r.monitored_s
        good += r.good_s
        if r.judged_s is None:
            missing = missing or r.monitored_s > 0
        else:
            r_watched += r.monitored_s
            r_good += r.good_s
            r_judged += r.judged_s

    def whole(x: float) -> int:
        return int(max(x, 0.0))

    judged = None if missing else whole(r_judged)
    return TimeSplit(whole(watched), whole(good), judged, whole(r_watched), whole(r_good), whole(r_judged))


def split_text(rows: Iterable[MonitorRow], share: bool = True) -> str:
    """How every view says a monitor time: '12 s watched: good posture confirmed 0 s, not judged 12 s,
    faults 0 s' and, with ``share`` and a second or more judged, '; good 40% of the judged time'.
    Rows stored before the judged time was recorded: '…: good posture confirmed 5 s; not judged and
    faults not recorded (some or all of it stored by an older version)', or for a mix, the split of the
    recorded part."""
    sp = split_of(rows)
    d = format_duration
    head = f"{d(sp.watched_s)} watched: good posture confirmed {d(sp.good_s)}"
    pct = sp.judged_good_share
    tail = f"; good {100 * pct:.0f}% of the judged time" if share and not math.isnan(pct) else ""
    if sp.judged_s is not None:
        good, unjudged, faults = parts_that_add_up(sp.watched_s, (sp.good_s, sp.watched_s - sp.judged_s,
                                                                  sp.judged_s - sp.good_s))  # fmt: skip
        def part(s: int) -> str:  # in the total's own unit: "0 min" beside "31 min", not "0 s"
            return "0 min" if s == 0 and sp.watched_s >= 60 else d(s)

        head = f"{d(sp.watched_s)} watched: good posture confirmed {part(good)}"
        return f"{head}, not judged {part(unjudged)}, faults {part(faults)}{tail}"
    if sp.recorded_watched_s <= 0:
        return f"{head}; not judged and faults not recorded (some or all of it stored by an older version)"
    return (f"{head}; of the {d(sp.recorded_watched_s)} with the judged time recorded: not judged "
            f"{d(sp.recorded_watched_s - sp.recorded_judged_s)}, faults "
            f"{d(sp.recorded_judged_s - sp.recorded_good_s)}{tail}; the rest stored by an older version "
            "(not judged and faults not recorded)")  # fmt: skip


def parts_that_add_up(total_s: float, parts_s: tuple[float, ...]) -> tuple[int, ...]:
    """``parts_s`` (seconds, summing to ``total_s``) rounded to what ``format_duration`` shows of the total
    (whole seconds under a minute, else whole minutes) so that, as shown, they add up to the total as shown:
    the largest remainders take the units that flooring each part loses. "31 min watched: good posture
    confirmed 20 min, not judged 5 min, faults 5 min" read 31 against 30 (audit 30). Returns seconds."""
    total = int(max(total_s, 0))
    unit = 1 if total < 60 else 60
    units = [max(p, 0) / unit for p in parts_s]
    floors = [int(u) for u in units]
    missing = total // unit - sum(floors)
    for i in sorted(range(len(units)), key=lambda k: units[k] - floors[k], reverse=True)[: max(missing, 0)]:
        floors[i] += 1
    return tuple(f * unit for f in floors)


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
    return DayByHour(day, tuple(by_hour.get(h, MonitorHour(day, h, 0.0, 0.0, 0.0)) for h in HOURS))


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
    """A day from ``LaptopRules.totals`` (``(day, hour) → [observed_s, good_s, judged_s]``): the
    monitor's own counts when there is no profile to store them in."""
    rows = [MonitorHour(d, h, float(v[0]), float(v[1]), float(v[2])) for (d, h), v in totals.items() if d == day]
    return _full_day(day, rows)


def latest_monitored_day(db: Database, profile_id: int, start: date | None, end: date | None) -> date | None:
    """The last day between ``start`` and ``end`` (inclusive, None = open) with time counted per hour."""
    days = [h.day for h in db.monitor_by_hour(profile_id, start, end) if h.monitored_s > 0]
    return max(days) if days else None
