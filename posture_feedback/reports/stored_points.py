"""Stored measure points as this version states them (for the tables, the trend charts and the PDF).

A record keeps what was stored when it was made. Where this version withdrew a norm or widened an
uncertainty, every report reads the older points the way it reads new ones:

* a measure this version gives no norm (``has_no_verdict``: e.g. the shoulder–ear angle, once
  judged by the C7–tragus CVA norm) loses its stored norm and range;
* a 30-second chair-stand count stored with ± 0 (before 2026-12) takes this version's ± 1 stand
  (``chair_stand.COUNT_UNCERTAINTY``) and its MDC, and loses the range's midpoint stored as its
  "typical" value (Rikli & Jones publish the range only), so an old "19 -> 18 stands: change" is
  judged by this version's rule;
* a measure stored with a source this version no longer cites for it (``FORMER_SOURCES``: the
  movement screen's left − right asymmetry, once cited to Boone 1978, a reliability study) shows
  this version's source.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

from posture_feedback.assessment.chair_stand import COUNT_UNCERTAINTY
from posture_feedback.assessment.change import tool_mdc
from posture_feedback.assessment.references import FORMER_SOURCES, current_reference, has_no_verdict
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


def source_now(name: str, source: str) -> str:
    """A stored measure's source as this version cites it: this version's citation where ``source``
    is one it no longer cites for ``name`` (``FORMER_SOURCES``), else ``source`` unchanged."""
    former = FORMER_SOURCES.get(name)
    ref = current_reference(name)
    if former and ref is not None and source.split(":")[0].strip() in former:
        return ref.citation()
    return source


def _restated(name: str) -> bool:
    return name in COUNTS or name in FORMER_SOURCES


def assessment_as_now(a: Assessment) -> Assessment:
    """A stored assessment with its chair-stand counts' ± and MDC, and its sources, as this version
    states them (``a`` itself when it holds none to restate)."""
    if not any(_restated(m.name) for m in a.measures):
        return a
    return replace(a, measures=tuple(
        replace(m, **counted_now(m.name, m.uncertainty, m.mdc, m.reference),
                reference_source=source_now(m.name, m.reference_source))
        if _restated(m.name) else m for m in a.measures))  # fmt: skip


def stored_points(db: Database, profile_id: int, name: str, start: date | None, end: date | None) -> list[RomPoint]:
    """``Database.rom_over_time`` of one measure, as this version states it (module docstring)."""
    rows = db.rom_over_time(profile_id, name, start=start, end=end)
    if has_no_verdict(name):
        rows = [replace(p, reference=None, reference_low=None, reference_high=None) for p in rows]
    if name in COUNTS:
        rows = [replace(p, **counted_now(name, p.uncertainty, p.mdc, p.reference)) for p in rows]
    if name in FORMER_SOURCES:
        rows = [replace(p, reference_source=source_now(name, p.reference_source)) for p in rows]
    return rows
