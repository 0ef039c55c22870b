"""How a session felt: pain and effort rated by the patient before and after each session.

* **Pain**: the 11-point numeric rating scale (NRS), 0 = "no pain" to 10 = "worst pain imaginable",
  whole numbers (Hawker et al. 2011, Arthritis Care Res 63:S240; Farrar et al. 2001, Pain 94:149,
  where a change of about 2 points, or 30 %, is clinically important).
* **Effort**: Borg's category-ratio scale CR10, 0 = "nothing at all", 0.5 = "extremely weak (just
  noticeable)", 1 "very weak", 2 "weak (light)", 3 "moderate", 5 "strong (heavy)", 7 "very strong",
  10 = "extremely strong (maximal)"; half points are allowed (Borg 1982, Med Sci Sports Exerc 14:377;
  Borg's Perceived Exertion and Pain Scales, 1998).

The four numbers are stored in the session's ``extras["ratings"]`` (JSON; travels in the results
file), ``None`` where the patient did not rate. Nothing here judges them: they are shown, charted and
reported as given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from posture_feedback.storage.database import Database
from posture_feedback.storage.errors import StorageError

RATING_KEYS = ("pain_before", "pain_after", "effort_before", "effort_after")

#: Verbal anchors shown next to the numbers (the scales' own words).
PAIN_ANCHORS = {0: "no pain", 5: "moderate pain", 10: "worst pain imaginable"}
EFFORT_ANCHORS = {
    0: "nothing at all", 0.5: "extremely weak (just noticeable)", 1: "very weak", 2: "weak (light)",
    3: "moderate", 5: "strong (heavy)", 7: "very strong", 10: "extremely strong (maximal)",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SessionRatings:
    """Pain (NRS 0–10) and effort (Borg CR10) before and after a session; NaN = not rated."""

    pain_before: float = math.nan
    pain_after: float = math.nan
    effort_before: float = math.nan
    effort_after: float = math.nan

    @property
    def any(self) -> bool:
        return any(not math.isnan(v) for v in asdict(self).values())


def check_rating(key: str, value: Any) -> float | None:
    """A rating checked against its scale: pain a whole number 0–10, effort 0–10 in half points; None stays None.

    Raises:
        StorageError: an unknown key or a value outside the scale (the message names the scale).
    """
    if key not in RATING_KEYS:
        raise StorageError(f"unknown rating {key!r} (allowed: {', '.join(RATING_KEYS)})")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise StorageError(f"{key}: {value!r} is not a number")
    v = float(value)
    if key.startswith("pain"):
        if not (0 <= v <= 10 and v == int(v)):
            raise StorageError(f"{key}: {value} is not on the pain scale (allowed: 0..10, whole numbers: NRS)")
    elif not (0 <= v <= 10 and v * 2 == int(v * 2)):
        raise StorageError(f"{key}: {value} is not on the effort scale (allowed: 0..10 in steps of 0.5: Borg CR10)")
    return v


def set_ratings(db: Database, session_id: int, **ratings: float | None) -> SessionRatings:
    """Store some or all of a session's four ratings (others keep their stored value); returns all four."""
    checked = {k: check_rating(k, v) for k, v in ratings.items()}
    current = dict(db.get_session(session_id).extras.get("ratings") or {})
    current.update(checked)
    db.update_session_extras(session_id, {"ratings": current})
    return ratings_from_extras({"ratings": current})


def ratings_from_extras(extras: Mapping[str, Any]) -> SessionRatings:
    """The ratings stored in a session's extras (NaN for any not rated or not valid)."""
    raw = extras.get("ratings") if isinstance(extras, Mapping) else None
    if not isinstance(raw, Mapping):
        return SessionRatings()
    values = {}
    for key in RATING_KEYS:
        try:
            v = check_rating(key, raw.get(key))
        except StorageError:
            v = None
        values[key] = math.nan if v is None else v
    return SessionRatings(**values)
