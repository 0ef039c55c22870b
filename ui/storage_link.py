"""The app's link to the profile database: open it for ``--profile``, and save posture-monitor time.

Optional: without ``--profile`` the mirror and the monitor work as before and nothing is stored.
With it, the main window gets a History tab (``ui.history_view.HistoryView``) and the monitor adds
its seconds watched / in good posture / alerts to the day's totals in the database
(``Database.add_monitor_time``), so "good posture today" spans sessions and shows in the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from posture_feedback.storage import Database, StorageError
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


class MonitorTotals:
    """Adds the monitor's new seconds since the last flush to the database (``DeviationMonitor`` counters).

    ``flush(monitor)`` is called every minute and on close; it writes the differences since the last
    call, so nothing is counted twice and at most a minute is lost if the computer crashes.
    """

    def __init__(self, link: ProfileLink, today: dt.date | None = None) -> None:
        self.link = link
        self._day = today or dt.date.today()
        self._observed = self._good = 0.0
        self._alerts = 0
        days = link.db.monitor_by_day(link.profile_id, self._day, self._day)
        #: Totals of today stored by earlier sessions (seconds), for "good posture today".
        self.earlier_observed_s = sum(d.monitored_s for d in days)
        self.earlier_good_s = sum(d.good_s for d in days)
        self.earlier_alerts = sum(d.alerts for d in days)  #: today's alerts stored by earlier sessions

    def flush(self, monitor: Any) -> None:
        """Store what ``monitor`` (a ``DeviationMonitor``) counted since the last flush."""
        observed, good, alerts = monitor.observed_s, monitor.good_s, monitor.alerts_today
        if observed < self._observed:  # the monitor's day rolled over (or it was reset): start anew
            self._observed = self._good = 0.0
            self._alerts = 0
            self._day = dt.date.today()
            self.earlier_observed_s = self.earlier_good_s = 0.0
            self.earlier_alerts = 0
        d_obs, d_good, d_alerts = observed - self._observed, good - self._good, alerts - self._alerts
        if d_obs <= 0 and d_alerts <= 0:
            return
        self.link.db.add_monitor_time(self.link.profile_id, self._day, max(d_obs, 0.0),
                                      min(max(d_good, 0.0), max(d_obs, 0.0)), max(d_alerts, 0))  # fmt: skip
        self._observed, self._good, self._alerts = observed, good, alerts


def profile_flag(link: ProfileLink | None, key: str) -> bool:
    """A profile's on/off setting (``large_type``, ``spoken_guidance``…); False without a profile or on error."""
    if link is None:
        return False
    try:
        return bool(link.db.get_profile(link.profile_id).settings.get(key, False))
    except StorageError:
        return False
