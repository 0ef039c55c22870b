"""Small wording helpers shared by the command line, the reports and the windows."""

from __future__ import annotations


def count_noun(n: int, singular: str, plural: str | None = None) -> str:
    """``'1 session'``, ``'2 sessions'``, ``'0 sessions'`` (``plural`` for irregular nouns; default + "s").

    `history` read "1 sessions" after one session (a new-user audit)."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"
