"""Stored measure points as this version states them (for the tables, the trend charts and the PDF).

A record keeps what was stored when it was made. Where this version withdrew a norm or widened an
uncertainty, every report reads the older points the way it reads new ones:

* a measure this version gives no norm (``has_no_verdict``: e.g. the shoulder–ear angle, once
  judged by the C7–tragus CVA norm) loses its stored norm and range;
* a 30-second chair-stand count stored with ± 0 (before 2026-12) takes this version's ± 1 stand
  (``chair_stand.COUNT_UNCERTAINTY``) and its MDC, and loses the range's midpoint stored as its
  "typical" value (Rikli & Jones publish the range only), so an old "19 -> 18 stands: change" is
  judged by this version's rule.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

from posture_feedback.assessment.chair_stand import COUNT_UNCERTAINTY
from posture_feedback.assessment.change import tool_mdc
from posture_feedback.assessment.references import has_no_verdict
from posture_feedback.storage import Database
from posture_feedback.storage.models import Assessment, RomPoint

#: Counted measures (``COUNT_UNCERTAINTY`` applies).
COUNTS = frozenset({"thirty_second_chair_stand"})


def counted_now(name: str, uncertainty: float, mdc: float | None, reference: float | None) -> dict:
    """The fields of a stored count as this version states them (``uncertainty``, ``mdc``,
    ``reference``, in the measure's unit); unchanged for other measures."""
    if name not in COUNTS:
        return {"uncertainty": uncertainty, "mdc": mdc, "reference": reference}
    u = COUNT_UNCERTAINTY if not math.isfinite(uncertainty) else max(uncertainty, COUNT_UNCERTAINTY)
    floor = tool_mdc(COUNT_UNCERTAINTY)
    return {"uncertainty": u, "mdc": floor if mdc is None or not math.isfinite(mdc) else max(mdc, floor),
            "reference": None}  # fmt: skip


def assessment_as_now(a: Assessment) -> Assessment:
    """A stored assessment with its chair-stand counts' ± and MDC as this version states them (``a``
    itself when it holds none)."""
    if not any(m.name in COUNTS for m in a.measures):
        return a
    return replace(a, measures=tuple(replace(m, **counted_now(m.name, m.uncertainty, m.mdc, m.reference))
                                     if m.name in COUNTS else m for m in a.measures))  # fmt: skip


def stored_points(db: Database, profile_id: int, name: str, start: date | None, end: date | None) -> list[RomPoint]:
    """``Database.rom_over_time`` of one measure, as this version states it (module docstring)."""
    rows = db.rom_over_time(profile_id, name, start=start, end=end)
    if has_no_verdict(name):
        rows = [replace(p, reference=None, reference_low=None, reference_high=None) for p in rows]
    if name in COUNTS:
        rows = [replace(p, **counted_now(name, p.uncertainty, p.mdc, p.reference)) for p in rows]
    return rows
