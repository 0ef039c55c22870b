"""Small wording helpers shared by the command line, the reports and the windows."""

from __future__ import annotations


def count_noun(n: int, singular: str, plural: str | None = None) -> str:
    """``'1 session'``, ``'2 sessions'``, ``'0 sessions'`` (``plural`` for irregular nouns; default + "s").

    `history` read "1 sessions" after one session (a new-user audit)."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def without_negative_zero(value: float, digits: int = 0) -> float:
    """``value``, or 0.0 where it prints as zero with ``digits`` decimals: "-0" is no reading (a fifteenth
    audit saw "Now: -0 ±6 % shoulder width" and "tilt -0 ±16°"). NaN and infinities pass through."""
    return 0.0 if value == value and abs(value) != float("inf") and round(value, digits) == 0 else value
