"""The one rule that decides whether a difference between two measurements is a real change.

Every place that calls a difference a "change" (the evaluation's "change since previous"
column, the history trends, the therapist report and its exports) calls ``change_threshold``
/ ``is_real_change`` here, so they can never disagree.

**Rule.** Two measurements of the same measure (same name, side and unit), ``before`` and
``after``, each with its ± uncertainty ``u`` (this tool's own measurement error: model,
frame-to-frame spread, camera; see ``uncertainty``) and its stored ``mdc``. The difference
``after − before`` is a real change only when both were valid and::

    |after − before| > threshold = max(1.96 · √(u_before² + u_after²),  mdc_before,  mdc_after)

* ``1.96 · √(u_before² + u_after²)`` is the 95 % limit of a difference of two measurements
  made by *this tool* (``TOOL``): a difference below it is within the tool's own error.
* ``mdc_*`` is the minimal detectable change stored with each measure. For the assessment's
  own measures it is ``max(1.96 · √2 · u, MDC95 of the clinical method)``
  (``tool_mdc`` and ``summary.build_measure``); the clinical part is *borrowed from another
  instrument* (goniometry, photographic posture analysis) and every record says so
  (``detail["mdc_source"]``): a webcam is not expected to repeat better than those methods.

The difference and the threshold are compared as every surface writes them, to one decimal
(``side_words.PRINTED_DIGITS``): "+7.5, threshold 7.5" is no change, whatever the digits beyond.

The threshold is never smaller than either part, so a change is called only when it is beyond
this tool's error *and* beyond what the borrowed method could detect. When neither part is
known the change cannot be judged (``is_real_change`` returns None).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Two-sided 95 % normal quantile.
Z95 = 1.96
#: ``ChangeThreshold.source`` values.
TOOL = "this tool's uncertainty"
BORROWED = "stored MDC"
#: The one wording of a change verdict on every surface (terminal, report.html, history, the PDF and the
#: exports): beyond the threshold, within it, not judgeable. An audit (27) found three for one verdict:
#: "no detectable change" (evaluations), "within measurement noise" (history), "within noise" (the PDF).
CHANGE_WORDS: dict[bool | None, str] = {True: "change", False: "no detectable change", None: "cannot judge"}


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def tool_mdc(uncertainty: float) -> float:
    """This tool's own MDC95 for one measure: 1.96 · √2 · u (same unit as u); NaN when u is unknown."""
    return Z95 * math.sqrt(2.0) * uncertainty if _finite(uncertainty) else math.nan


@dataclass(frozen=True, slots=True)
class ChangeThreshold:
    """The smallest |difference| that counts as a real change, and which part set it."""

    value: float  #: same unit as the measure; NaN when it cannot be judged
    source: str  #: ``TOOL`` or ``BORROWED`` ("" when unknown)
    tool_limit: float  #: 1.96 · √(u_before² + u_after²); NaN when an uncertainty is unknown
    stored_mdc: float  #: the larger stored MDC; NaN when none


def change_threshold(
    u_before: float | None, u_after: float | None, mdc_before: float | None = None, mdc_after: float | None = None
) -> ChangeThreshold:
    """The threshold of the module's rule from the two uncertainties and the two stored MDCs."""
    tool = Z95 * math.hypot(u_before, u_after) if _finite(u_before) and _finite(u_after) else math.nan
    mdcs = [float(m) for m in (mdc_before, mdc_after) if _finite(m) and m > 0]
    stored = max(mdcs) if mdcs else math.nan
    if not math.isfinite(tool) and not math.isfinite(stored):
        return ChangeThreshold(math.nan, "", tool, stored)
    if math.isfinite(tool) and (not math.isfinite(stored) or tool >= stored):
        return ChangeThreshold(tool, TOOL, tool, stored)
    return ChangeThreshold(stored, BORROWED, tool, stored)


def is_real_change(
    before: float,
    after: float,
    u_before: float | None,
    u_after: float | None,
    mdc_before: float | None = None,
    mdc_after: float | None = None,
    *,
    valid: bool = True,
) -> bool | None:
    """True when |after − before| exceeds ``change_threshold``; False when it does not; None when it cannot be
    judged (a value is missing or invalid, or no threshold is known)."""
    if not valid or not (_finite(before) and _finite(after)):
        return None
    thr = change_threshold(u_before, u_after, mdc_before, mdc_after)
    if not math.isfinite(thr.value):
        return None
    # judged on the difference and the threshold as every surface writes them, one decimal
    # ("+7.5, threshold 7.5: no detectable change", never "change" for 7.48 against 7.46)
    from posture_feedback.side_words import PRINTED_DIGITS as d

    return round(abs(after - before), d) > round(thr.value, d)
