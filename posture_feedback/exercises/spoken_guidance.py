"""Spoken guidance first: one short spoken correction at a time, with a cool-down.

For people who cannot read the screen while they move (after a stroke, with Parkinson's, with low
vision): the profile setting ``spoken_guidance`` (``profile set --profile NAME --spoken-guidance on``)
makes the session window pass the runner's events through ``SpokenGuidance`` before they are said
(the mirror and the monitor, which have no runner, say the cue they show through ``CueSpeech``):

* a correction (a live cue, or a repetition's feedback) is spoken as its first short phrase
  (up to ``max_words`` words, cut at the first full stop, comma, semicolon or dash): "Lift your arm higher";
* after a correction, no other correction is spoken for ``cooldown_s`` seconds (the count of a
  repetition still is: "3"), so the patient hears one thing to change, has time to change it, and
  is not talked over;
* instructions, counts, rests and the end of the session are spoken as they are.

What is shown on screen and stored is unchanged. The cool-down default (5 s) is a starting value
for the therapist to adjust, not a measured norm.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from posture_feedback.exercises.events import CueEvent, RepEvent


def short_phrase(text: str, max_words: int = 6) -> str:
    """The first phrase of ``text`` (up to the first '.', ',', ';' or dash '—' / '–'), at most
    ``max_words`` words."""
    first = re.split(r"[.,;—–]", text.strip(), maxsplit=1)[0].strip() or text.strip()
    words = first.split()
    return " ".join(words[:max_words])


class SpokenGuidance:
    """Filters the speech of runner events (see the module docstring).

    Args:
        cooldown_s: seconds after a spoken correction during which no other correction is spoken.
        max_words: longest spoken correction, in words.
    """

    def __init__(self, cooldown_s: float = 5.0, max_words: int = 6) -> None:
        self.cooldown_s = cooldown_s
        self.max_words = max_words
        self._last: float | None = None

    def _may_correct(self, t: float) -> bool:
        return self._last is None or t - self._last >= self.cooldown_s

    def apply(self, events: list[Any]) -> list[Any]:
        out = []
        for e in events:
            if isinstance(e, CueEvent) and e.speech and e.source not in ("summary",):
                if self._may_correct(e.t):
                    self._last = e.t
                    e = replace(e, speech=short_phrase(e.speech, self.max_words))
                else:
                    e = replace(e, speech=None)
            elif isinstance(e, RepEvent) and e.feedback:
                count = str(e.count) if e.rep.counted else ""
                if self._may_correct(e.t):
                    self._last = e.t
                    phrase = short_phrase(e.feedback[0], self.max_words)
                    e = replace(e, speech=f"{count}. {phrase}" if count else phrase)
                else:
                    e = replace(e, speech=count or None)
            out.append(e)
        return out


class CueSpeech:
    """Spoken guidance for the windows without a session runner (the mirror, the posture monitor).

    ``update(t, cue)`` is called with the cue shown now (the mirror's cue line, or the monitor's
    alert; ``""`` or None when there is none) at ``t`` seconds (any monotonic clock). It returns the
    short phrase to say now, or None. A cue is said once, when it appears, as a ``CueEvent`` through
    ``SpokenGuidance`` (its first short phrase; no other cue within ``cooldown_s`` seconds). A cue that
    appears during the cool-down is said when the cool-down ends, if it is still the cue shown then;
    a cue that is already gone is never said (one truth: what is heard is what is on screen).
    """

    def __init__(self, cooldown_s: float = 5.0, max_words: int = 6, source: str = "mirror") -> None:
        self.guidance = SpokenGuidance(cooldown_s=cooldown_s, max_words=max_words)
        self.source = source
        self._current = ""
        self._said = ""  # the cue said last (not said again while it stays on screen)

    def update(self, t: float, cue: str | None) -> str | None:
        """The phrase to say at ``t`` for the cue shown now (see the class docstring), or None."""
        cue = (cue or "").strip()
        if cue != self._current:
            self._current = cue
            if cue != self._said:
                self._said = ""
        if not cue or cue == self._said:
            return None
        event = CueEvent(t=t, speech=cue, text=cue, priority=0, source=self.source)
        spoken = self.guidance.apply([event])[0].speech
        if spoken:
            self._said = cue
        return spoken or None
