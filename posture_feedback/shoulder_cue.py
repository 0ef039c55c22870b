"""The words of a shoulder-level cue, made honest about what tilts the shoulder line.

``shoulder_tilt`` is the shoulder line against the horizontal (+ = the person's left shoulder
higher). A tilt has two causes that look alike on it: a shoulder hitched or dropped (the shoulder
line tilts against the trunk), or the whole trunk leaning sideways with square shoulders (a lean
towards the person's left, ``trunk_lateral_lean`` +L, lowers the left shoulder: tilt ≈ −L). The
built-in cues ("let your right shoulder drop") prescribe the first, which trains the wrong
movement when it is the second: a review saw "Level your shoulders — let your right shoulder
drop" on the desk sample while the man leaned his whole trunk ~40° and the trunk line was not
measured (hips out of view). Exercises had the same fault (commit 994878e: a hitch measured
against the trunk, none judged without the hips).

So ``shoulder_level_cue`` chooses the words from the trunk line in the same frame (degrees):

* trunk line not measured (``trunk_lateral_lean`` not valid: hips out of view, side-on, ...), a
  lean and a hitch cannot be told apart: describe, do not prescribe —
  "Level your shoulders — your right shoulder is higher";
* with the lean's 80% uncertainty ``u``: where the lean's interval reaches both sides of "half of
  the tilt towards the lower shoulder", which it is cannot be told: describe, as above (a review
  saw "your trunk leans to your left" beside the trunk's own "7° ±8° UNSURE");
* trunk measured, leaning surely towards the lower shoulder, by more than half of the tilt: name
  the trunk — "Level your shoulders — your trunk leans to your left". This includes a lean larger
  than the tilt (the shoulders then tilt the *other* way against the trunk: telling the person to
  drop the higher shoulder would push an already lowered one further; a review found the first
  version, which named the trunk only while ``|tilt + lean|`` was under half the tilt, doing so).
  Rationale, not a norm: "more than half" is where the lean is the larger part of what is seen;
* trunk measured and surely not explaining the tilt (upright, or leaning towards the higher
  shoulder, which makes the hitch against the trunk larger still): the target's own cue (a hitch: "let your
  right shoulder drop").

For a target judged from the person's neutral (``relative``) the tilt and the lean are changes
from the neutral's, and the words say so ("... higher than at your neutral"); without a neutral
trunk lean the trunk cannot explain a change, and the cue describes. Sides are the person's
anatomical ones (``side_words``), decided by the sign of the value, not by the cue's side of the
range; where they disagree (a custom range that does not hold level) the target's own words are
kept.
"""

from __future__ import annotations

import math

#: The canonical angle whose targets get these words, and the trunk line read beside it.
SHOULDER_ANGLE = "shoulder_tilt"
TRUNK_ANGLE = "trunk_lateral_lean"
#: Part of the tilt the lean must account for to be named as its cause (rationale above).
EXPLAINED_FRACTION = 0.5


def _side(value: float) -> str:
    """The person's side named by a signed frontal angle: + = left (side_words convention)."""
    return "left" if value > 0 else "right"


def shoulder_level_cue(
    own_cue: str,
    cue_side: int,
    tilt: float,
    lean: float = math.nan,
    *,
    relative: bool = False,
    lean_uncertainty: float = 0.0,
) -> str:
    """The words to show for a shoulder-level cue (see the module docstring).

    Args:
        own_cue: the target's own cue for this side (``cue_low``/``cue_high``): a hitch's words.
        cue_side: -1 for the cue below the range (the right shoulder too high), +1 above it.
        tilt: ``shoulder_tilt`` in degrees, or its change from the neutral when ``relative``.
        lean: ``trunk_lateral_lean`` in degrees (or its change from the neutral), NaN when the
            trunk line is not measured in this frame (or the neutral has none).
        relative: the target is judged from the person's neutral.
        lean_uncertainty: the lean's ± (degrees, 80%; 0 or NaN: taken as exact).
    """
    if not math.isfinite(tilt) or tilt == 0.0 or (tilt > 0) != (cue_side > 0):
        return own_cue  # the value's side and the cue's disagree (a range not holding level): keep its words
    head = own_cue.split(" — ", 1)[0] if " — " in own_cue else "Level your shoulders"
    neutral = " than at your neutral" if relative else ""
    describe = f"{head} — your {_side(tilt)} shoulder is higher{neutral}"
    if not math.isfinite(lean):  # a lean and a hitch cannot be told apart: say what is seen
        return describe
    u = lean_uncertainty if math.isfinite(lean_uncertainty) and lean_uncertainty > 0 else 0.0
    towards_lower = -math.copysign(1.0, tilt) * lean  # the lean's part towards the lower shoulder (degrees)
    half = EXPLAINED_FRACTION * abs(tilt)
    if towards_lower - u > half:  # surely a lean towards the lower shoulder, more than half of the tilt
        more = "more " if relative else ""
        return f"{head} — your trunk leans {more}to your {_side(lean)}{neutral}"
    if towards_lower + u < half:  # surely not: upright, or leaning towards the higher shoulder: a hitch
        return own_cue
    return describe  # the lean's interval reaches both: which it is cannot be told


__all__ = ["EXPLAINED_FRACTION", "SHOULDER_ANGLE", "TRUNK_ANGLE", "shoulder_level_cue"]
