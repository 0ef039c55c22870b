"""Which view an exercise needs, and what to tell a person seen from another one.

An exercise counts only while the person is seen from one of its ``views`` (its repetitions,
holds and measurements pause otherwise; ``tracker.ExerciseTracker``). ``turn_hint`` says how
to turn: towards the required view nearest to the current one, measured by the typical |azimuth|
of each view class (``view.py``: front 0°, oblique 45°, side 90°, back 180°), and 135° for an
oblique view from behind (its azimuth beyond 90°), which is far from facing the camera, not "a
little" (a fifth audit, 2026-12-07).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from posture_feedback.types import View

#: Typical |azimuth| (degrees) of each view class, for "which required view is nearest".
TYPICAL_AZIMUTH_DEG = {View.FRONT: 0.0, View.OBLIQUE: 45.0, View.SIDE: 90.0, View.BACK: 180.0}

STEP_INTO_VIEW = "Step into view of the camera"
#: Typical |azimuth| of an oblique view from behind (``view.py``: 120–150°).
BACK_OBLIQUE_AZIMUTH_DEG = 135.0
#: A turn of less than this (degrees) is "a little"; up to 120° "a quarter turn", beyond "turn round"
#: (between the views' typical azimuths: 45° is a little, 90° a quarter turn).
LITTLE_TURN_DEG = 60.0


def view_ok(required: Sequence[View], current: View) -> bool:
    """True when ``current`` is known and is one of ``required`` (any known view when none is required)."""
    if current is View.UNKNOWN:
        return False
    return not required or current in required


def turn_hint(
    required: Sequence[View], current: View, side: str = "both", azimuth_deg: float = math.nan
) -> str | None:
    """How to turn from ``current`` to the nearest of ``required``; None when the view is right.

    ``side`` (``left``/``right``) adds which side should face the camera side-on. ``azimuth_deg``:
    the person's azimuth (``view.py``, degrees; NaN unknown): tells an oblique view from behind.
    """
    if current is View.UNKNOWN:
        return STEP_INTO_VIEW
    if view_ok(required, current):
        return None
    here = TYPICAL_AZIMUTH_DEG[current]
    if current is View.OBLIQUE and math.isfinite(azimuth_deg) and abs(azimuth_deg) > 90.0:
        here = BACK_OBLIQUE_AZIMUTH_DEG  # oblique from behind: far from the front, near the back
    # nearest required view; ties go to the earlier one in FRONT, SIDE, OBLIQUE, BACK order
    order = [View.FRONT, View.SIDE, View.OBLIQUE, View.BACK]
    goal = min((v for v in order if v in required), key=lambda v: abs(TYPICAL_AZIMUTH_DEG[v] - here))
    amount = abs(TYPICAL_AZIMUTH_DEG[goal] - here)
    if goal is View.FRONT:
        if current is View.BACK or amount >= 120:
            return "Counting paused: turn round to face the camera"
        if amount < LITTLE_TURN_DEG:
            return "Counting paused: turn a little more towards the camera"
        return "Counting paused: turn a quarter turn to face the camera"
    if goal is View.SIDE:
        which = f", your {side} side towards it" if side in ("left", "right") else ""
        if amount < LITTLE_TURN_DEG:
            return f"Counting paused: turn a little further, side-on to the camera{which}"
        return f"Counting paused: turn a quarter turn, side-on to the camera{which}"
    if goal is View.BACK:
        if amount < LITTLE_TURN_DEG:
            return "Counting paused: turn a little further, your back to the camera"
        return "Counting paused: turn your back to the camera"
    return "Counting paused: turn halfway, between facing the camera and side-on"
