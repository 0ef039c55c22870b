"""Which view an exercise needs, and what to tell a person seen from another one.

An exercise counts only while the person is seen from one of its ``views`` (its repetitions,
holds and measurements pause otherwise; ``tracker.ExerciseTracker``). ``turn_hint`` says how
to turn: towards the required view nearest to the current one, measured by the typical
|azimuth| of each view class (``view.py``: front 0°, oblique 45°, side 90°, back 180°).
"""

from __future__ import annotations

from collections.abc import Sequence

from posture_feedback.types import View

#: Typical |azimuth| (degrees) of each view class, for "which required view is nearest".
TYPICAL_AZIMUTH_DEG = {View.FRONT: 0.0, View.OBLIQUE: 45.0, View.SIDE: 90.0, View.BACK: 180.0}

STEP_INTO_VIEW = "Step into view of the camera"


def view_ok(required: Sequence[View], current: View) -> bool:
    """True when ``current`` is known and is one of ``required`` (any known view when none is required)."""
    if current is View.UNKNOWN:
        return False
    return not required or current in required


def turn_hint(required: Sequence[View], current: View, side: str = "both") -> str | None:
    """How to turn from ``current`` to the nearest of ``required``; None when the view is right.

    ``side`` (``left``/``right``) adds which side should face the camera side-on.
    """
    if current is View.UNKNOWN:
        return STEP_INTO_VIEW
    if view_ok(required, current):
        return None
    here = TYPICAL_AZIMUTH_DEG[current]
    # nearest required view; ties go to the earlier one in FRONT, SIDE, OBLIQUE, BACK order
    order = [View.FRONT, View.SIDE, View.OBLIQUE, View.BACK]
    goal = min((v for v in order if v in required), key=lambda v: abs(TYPICAL_AZIMUTH_DEG[v] - here))
    amount = abs(TYPICAL_AZIMUTH_DEG[goal] - here)
    if goal is View.FRONT:
        if current is View.BACK:
            return "Counting paused: turn round to face the camera"
        if amount < 60:
            return "Counting paused: turn a little more towards the camera"
        return "Counting paused: turn a quarter turn to face the camera"
    if goal is View.SIDE:
        which = f", your {side} side towards it" if side in ("left", "right") else ""
        if amount < 60:
            return f"Counting paused: turn a little further, side-on to the camera{which}"
        return f"Counting paused: turn a quarter turn, side-on to the camera{which}"
    if goal is View.BACK:
        return "Counting paused: turn your back to the camera"
    return "Counting paused: turn halfway, between facing the camera and side-on"
