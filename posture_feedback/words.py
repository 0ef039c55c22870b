"""Small wording helpers shared by the command line, the reports and the windows."""

from __future__ import annotations

#: What a person reads for a stored measure or angle whose own name would mislead. The head angle runs from the
#: shoulder *joint* to the ear, on this tool's own scale (upright sitting about 70–80°), not the clinical C7–tragus
#: craniovertebral angle (about 50°, Lau 2009): named "craniovertebral angle" in the app, ``history`` and the
#: reports, a clinician read it against that norm (audit 31). Data keep the name (CSV column, JSON, database).
MEASURE_WORDS: dict[str, str] = {"craniovertebral_angle": "head angle (shoulder–ear)"}


def measure_words(name: str, side: str | None = None) -> str:
    """The name a person reads for measure ``name`` (``MEASURE_WORDS``, else the name itself, underscores and all:
    callers that write names with spaces replace them), with its side in brackets."""
    words = MEASURE_WORDS.get(name, name)
    return f"{words} ({side})" if side else words


def count_noun(n: int, singular: str, plural: str | None = None) -> str:
    """``'1 session'``, ``'2 sessions'``, ``'0 sessions'`` (``plural`` for irregular nouns; default + "s").

    `history` read "1 sessions" after one session (a new-user audit)."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def without_negative_zero(value: float, digits: int = 0) -> float:
    """``value``, or 0.0 where it prints as zero with ``digits`` decimals: "-0" is no reading (a fifteenth
    audit saw "Now: -0 ±6 % shoulder width" and "tilt -0 ±16°"). NaN and infinities pass through."""
    return 0.0 if value == value and abs(value) != float("inf") and round(value, digits) == 0 else value
