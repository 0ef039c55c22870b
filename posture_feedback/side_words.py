"""Words naming the person's own side or direction for a signed angle ("left up", "leans right").

Every left/right word shown next to a number comes from here, so it has one definition, tested
on constructed poses with a known higher side seen from the front and from the back
(tests/test_side_words.py). Left and right are always the person's anatomical sides: a
mirrored display moves the picture, never the words. Sign conventions are those of
``types.ANGLE_NAMES`` (docs/angles.md):

* ``shoulder_tilt``, ``pelvic_tilt``, ``head_tilt``: + = the person's left shoulder / hip / ear higher;
* ``trunk_lateral_lean``: + = the trunk leans towards the person's left;
* ``trunk_forward_lean``, ``head_forward_lean``: + = forward, − = backward;
* ``neck_side_bend`` (the laptop coach's change from neutral, docs/laptop_coach.md): + = the left ear up.
"""

from __future__ import annotations

import math

#: angle name → (word for a positive value, word for a negative value).
SIDE_WORDS: dict[str, tuple[str, str]] = {
    "shoulder_tilt": ("left up", "right up"),
    "pelvic_tilt": ("left up", "right up"),
    "head_tilt": ("left ear up", "right ear up"),
    "trunk_lateral_lean": ("leans left", "leans right"),
    "trunk_forward_lean": ("forward", "back"),
    "head_forward_lean": ("forward", "back"),
    "neck_side_bend": ("left ear up", "right ear up"),  # the laptop coach's change from neutral (+ = left ear up)
}

#: angle name → (phrase for a positive value, for a negative value): the same sides in whole words, for
#: the reports and the history, where a bare "3.4°" did not say which shoulder was higher.
SIDE_PHRASES: dict[str, tuple[str, str]] = {
    "shoulder_tilt": ("left shoulder higher", "right shoulder higher"),
    "pelvic_tilt": ("left hip higher", "right hip higher"),
    "head_tilt": ("left ear higher", "right ear higher"),
    "trunk_lateral_lean": ("leaning to the left", "leaning to the right"),
    "trunk_forward_lean": ("leaning forward", "leaning back"),
    "head_forward_lean": ("head forward", "head back"),
    "neck_side_bend": ("left ear higher", "right ear higher"),
}

#: Below this many degrees (either sign) no side is named: "level" / "upright".
LEVEL_DEG = 0.5
#: Decimals the reports, the history, the evaluation's terminal lines and its snapshots print a
#: signed angle and its ± with ("22.4 ± 22.4°"): ``side_phrase`` decides on the numbers as printed.
PRINTED_DIGITS = 1


def _within(value: float, uncertainty: float, digits: int | None = None) -> bool:
    """The value's interval (± ``uncertainty``, degrees) holds 0: it cannot say which side.

    With ``digits``, on the numbers as printed with that many decimals: 22.387 ± 22.383 prints
    "22.4 ± 22.4", whose ± reaches 0, so no side is named beside it (a fourteenth audit saw
    "22.4 ± 22.4° (left shoulder higher)"). Without, on the raw numbers."""
    if not math.isfinite(uncertainty):
        return False
    if digits is None:
        return abs(value) <= uncertainty
    return float(f"{abs(value):.{digits}f}") <= float(f"{uncertainty:.{digits}f}")


def side_word(angle: str, value: float, uncertainty: float = math.nan, digits: int | None = None) -> str | None:
    """The side or direction a signed angle's value (degrees) points to, as a short phrase.

    None for an angle without a side (joint flexions), a NaN value, or a value whose ±
    ``uncertainty`` holds 0 (either side is possible: no word rather than a guess), with ``digits``
    on the numbers as printed with that many decimals (the mirror's gauges and labels write whole
    degrees: "3° ±3° OK" for 3.4 ± 3.3 reaches 0, so no "left ear up" beside it; audit 27);
    ``"level"`` (tilts) or ``"upright"`` (leans) when ``|value| < LEVEL_DEG``.
    """
    words = SIDE_WORDS.get(angle)
    if words is None or value != value or _within(value, uncertainty, digits):
        return None
    if abs(value) < LEVEL_DEG:
        return "level" if _level_word(angle) else "upright"
    return words[0] if value > 0 else words[1]


def _level_word(angle: str) -> bool:
    """A tilt (and the neck's side-bend) is "level" near zero; a lean "upright"."""
    return angle.endswith("_tilt") or angle == "neck_side_bend"


def side_phrase(
    angle: str, value: float, uncertainty: float = math.nan, digits: int = PRINTED_DIGITS
) -> str | None:
    """``side_word`` in whole words ("left shoulder higher", "leaning to the right"), by the same rule:
    None for an angle without a side or a NaN value, "level" / "upright" below ``LEVEL_DEG``, and
    "level within its ±" / "upright within its ±" where the value's ± ``uncertainty`` (degrees) holds
    0 as printed with ``digits`` decimals (a review saw "0.8 ± 1.5° (left shoulder higher)", an audit
    "22.4 ± 22.4° (left shoulder higher)" for 22.387 ± 22.383)."""
    words = SIDE_PHRASES.get(angle)
    if words is None or value != value:
        return None
    if _within(value, uncertainty, digits):
        return ("level" if _level_word(angle) else "upright") + " within its ±"
    if abs(float(f"{value:.{digits}f}")) < LEVEL_DEG:  # as printed: 0.46 and 0.5 both print as 0.5
        return "level" if _level_word(angle) else "upright"
    return words[0] if value > 0 else words[1]


def side_text(angle: str, value: float, uncertainty: float = math.nan, digits: int = PRINTED_DIGITS) -> str:
    """' (left shoulder higher)' to write after a signed measure's "value ± uncertainty" (``side_phrase``,
    ' (level within its ±)' where its printed ± holds 0); '' for a measure without a side."""
    phrase = side_phrase(angle, value, uncertainty, digits)
    return f" ({phrase})" if phrase else ""


def sign_convention(angle: str) -> str | None:
    """What a positive value means, for an axis label: "+ = left shoulder higher"; None without a side."""
    words = SIDE_PHRASES.get(angle)
    return None if words is None else f"+ = {words[0]}"


__all__ = [
    "LEVEL_DEG", "PRINTED_DIGITS", "SIDE_PHRASES", "SIDE_WORDS", "side_phrase", "side_text", "side_word",
    "sign_convention",
]
