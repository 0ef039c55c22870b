"""The app's link to the profile database: open it for ``--profile``, and save posture-monitor time.

Optional: without ``--profile`` the mirror and the monitor work as before and nothing is stored.
With it, the main window gets a History tab (``ui.history_view.HistoryView``) and the monitor adds
its seconds watched / judged / in good posture / alerts to the day's and the hour's totals in the
database (``Database.add_monitor_time``, ``add_monitor_hour``), so "good posture today" spans
sessions and shows in the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from posture_feedback.storage import Database, MonitorDay, StorageError
from posture_feedback.ui.options import AppOptions


@dataclass
class ProfileLink:
    """An open database and the profile whose data the app reads and writes."""

    db: Database
    profile_id: int
    profile_name: str

    def close(self) -> None:
        self.db.close()


def open_profile(options: AppOptions) -> ProfileLink | None:
    """The database and profile for ``options.profile`` (created if new); None without ``--profile``.

    Raises ``StorageError`` (one-line message) when the data folder or database cannot be used.
    """
    if not options.profile:
        return None
    from posture_feedback.ui.profile_dialog import profile_for_name

    db = Database.open_default(options.data_dir)
    try:
        profile = profile_for_name(db, options.profile)
    except StorageError:
        db.close()
        raise
    return ProfileLink(db, profile.id, profile.name)


class MonitorCounts(Protocol):
    """What ``MonitorTotals.flush`` reads from a monitor's counters (``ui.monitor._RulesCounters``,
    ``feedback.DeviationMonitor``)."""

    def slots(self) -> Mapping[tuple[dt.date, int | None], Sequence[float]]:
        """(day, hour) → [observed_s, good_s, judged_s] since the monitor started (hour None: a day
        total with no hours); never reset at midnight, so each key's last seconds are still there."""
        ...

    def alerts_by_day(self) -> Mapping[dt.date, int]:
        """Local day → alerts given that day."""
        ...


class MonitorTotals:
    """Adds the monitor's new seconds since the last flush to the database, per ``(day, hour)``.

    ``flush(counts)`` is called every minute and on close; for every (day, hour) key it writes the
    difference since the last call to that hour (``Database.add_monitor_hour``) and their sum to the
    day (``add_monitor_time``), so nothing is counted twice, each second goes to the day and hour it
    was counted in (also across midnight: the hours and the day agree), and at most a minute is lost
    if the computer crashes. ``earlier``: what earlier sessions stored for a day, read before this
    monitor saved to it (the day the monitor started on at once).
    """

    def __init__(self, link: ProfileLink, today: dt.date | None = None) -> None:
        self.link = link
        self._day = today or dt.date.today()
        self._saved: dict[tuple[dt.date, int | None], tuple[float, float, float]] = {}
        self._alerts_saved: dict[dt.date, int] = {}
        self._earlier: dict[dt.date, MonitorDay] = {}
        self.earlier(self._day)  # read before this monitor saves anything to the day

    def earlier(self, day: dt.date) -> MonitorDay:
        """What was stored for ``day`` before this monitor saved anything to it (read once per day;
        ``judged_s`` None where an older version stored it)."""
        if day not in self._earlier:
            rows = self.link.db.monitor_by_day(self.link.profile_id, day, day)
            self._earlier[day] = rows[0] if rows else MonitorDay(day, 0.0, 0.0, 0, 0.0)
        return self._earlier[day]

    def flush(self, monitor: MonitorCounts) -> None:
        """Store what ``monitor`` counted since the last flush, per (day, hour) and per day."""
        days: dict[dt.date, list[float]] = {}
        for key, v in list(monitor.slots().items()):
            day, hour = key
            self.earlier(day)  # before this monitor adds to it
            obs, good, judged = float(v[0]), float(v[1]), float(v[2])
            done = self._saved.get(key, (0.0, 0.0, 0.0))
            if obs < done[0]:  # the counters were reset: all they hold now is new
                done = (0.0, 0.0, 0.0)
            d_obs, d_good, d_judged = obs - done[0], good - done[1], judged - done[2]
            if d_obs <= 0:
                continue
            d_judged = min(max(d_judged, 0.0), d_obs)
            d_good = min(max(d_good, 0.0), d_judged)
            if hour is not None:
                self.link.db.add_monitor_hour(self.link.profile_id, day, hour, d_obs, d_good, judged_s=d_judged)
            total = days.setdefault(day, [0.0, 0.0, 0.0, 0.0])
            total[0] += d_obs
            total[1] += d_good
            total[2] += d_judged
            self._saved[key] = (obs, good, judged)
        for day, n in list(monitor.alerts_by_day().items()):
            self.earlier(day)
            done_n = self._alerts_saved.get(day, 0)
            d_alerts = n - done_n if n >= done_n else n  # fewer than saved: the counters were reset
            if d_alerts > 0:
                days.setdefault(day, [0.0, 0.0, 0.0, 0.0])[3] += d_alerts
            self._alerts_saved[day] = n
        for day, (d_obs, d_good, d_judged, d_alerts) in sorted(days.items()):
            self.link.db.add_monitor_time(self.link.profile_id, day, d_obs, d_good, alerts=int(d_alerts),
                                          judged_s=d_judged)  # fmt: skip


def profile_flag(link: ProfileLink | None, key: str) -> bool:
    """A profile's on/off setting (``large_type``, ``spoken_guidance``…); False without a profile or on error."""
    if link is None:
        return False
    try:
        return bool(link.db.get_profile(link.profile_id).settings.get(key, False))
    except StorageError:
        return False
