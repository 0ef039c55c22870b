"""Spoken guidance first in the mirror and the posture monitor (the profile's ``spoken_guidance``).

The exercise window says its runner's events through ``exercises.spoken_guidance.SpokenGuidance``;
the mirror and the monitor have no runner, so they say the cue they show (the mirror's cue line,
the monitor's alert) through the core's ``CueSpeech``: one short phrase at a time, said once when
it appears, no other within the cool-down (5 s). The speaker is ``speech_qt.choose_speaker()`` (Qt
text-to-speech, espeak-ng, tones), the same fallback as the exercise window.
"""

from __future__ import annotations

from typing import Any

from posture_feedback.exercises.events import NEUTRAL
from posture_feedback.exercises.spoken_guidance import CueSpeech


class SpokenCues:
    """Says the shown cue through ``CueSpeech`` (see the module docstring).

    Args:
        source: the window, for the ``CueEvent`` ("mirror" or "monitor").
        speaker: anything with ``say(text)``; default ``speech_qt.choose_speaker()``.
        cooldown_s: seconds after a spoken cue during which no other is spoken.
        max_words: longest phrase said (the cue's first phrase, ``short_phrase``).
    """

    def __init__(self, source: str, speaker: Any = None, cooldown_s: float = 5.0, max_words: int = 6) -> None:
        if speaker is None:
            from posture_feedback.ui.speech_qt import choose_speaker

            speaker = choose_speaker()
        self.speaker = speaker
        self.cues = CueSpeech(cooldown_s=cooldown_s, max_words=max_words, source=source)

    def update(self, t: float, cue: str | None, audible: bool = True, tone: str = NEUTRAL) -> str | None:
        """The cue shown at ``t`` (s, monotonic); says and returns the phrase when one is due (also when muted).

        ``tone``: what the cue shown is (``exercises.events.CORRECTION`` for a correction, ``NEUTRAL``
        for a message such as "Step into view"), from whoever chose the cue; a tones-only speaker plays it.
        """
        phrase = self.cues.update(t, cue)
        if phrase and audible:
            self.speaker.say(phrase, tone)
        return phrase

    def close(self) -> None:
        close = getattr(self.speaker, "close", None)
        if close is not None:
            close()
