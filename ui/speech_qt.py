"""Spoken guidance in the app: a Qt text-to-speech ``Speaker`` and the fallbacks.

``choose_speaker()`` picks the first that works on this machine, in this order:

1. ``QtSpeaker``: ``PyQt6.QtTextToSpeech`` when it imports (it needs its system libraries) and
   has an engine;
2. ``EspeakSpeaker`` (core, ``posture_feedback.exercises.speech``): the ``espeak-ng`` program;
3. ``ToneSpeaker``: no words, a short tone per utterance, the one of the event's ``tone`` (decided
   by the core from the event's kind and verdict, ``exercises.events``): high for a good repetition,
   low for a flagged or uncounted one and for a correction, a middle one for announcements
   (instruction, countdown, set done, rest, pause), through ``ui.sound.Sounds`` (QtMultimedia,
   else the system beep, one sound for all three);
4. ``NullSpeaker`` (core): silent, only when asked for (``prefer="silent"``).

Every speaker follows ``posture_feedback.exercises.speech.Speaker`` (``say``, ``set_muted``,
``set_volume`` with volume 0.0–1.0) and has ``backend`` (its name, shown in the window) and
``spoken`` (the last texts it was asked to say while not muted, newest last).
"""

from __future__ import annotations

import collections
import logging
from typing import Any

from posture_feedback.exercises.events import CORRECTION, GOOD, NEUTRAL
from posture_feedback.exercises.speech import EspeakSpeaker, NullSpeaker, Speaker, SpeechUnavailable

log = logging.getLogger(__name__)

#: Backend names, in the order ``choose_speaker`` tries them.
BACKENDS: tuple[str, ...] = ("qt", "espeak", "tones", "silent")


class QtSpeaker:
    """Speaks with Qt's text-to-speech (``QTextToSpeech``); a new text interrupts the current one.

    Raises:
        SpeechUnavailable: QtTextToSpeech does not import here, or has no working engine.
    """

    backend = "qt"

    def __init__(self) -> None:
        try:
            from PyQt6.QtTextToSpeech import QTextToSpeech
        except ImportError as exc:  # the module or its system libraries (e.g. libpulse) are missing
            raise SpeechUnavailable(f"Qt text-to-speech is not available ({exc})") from None
        if not QTextToSpeech.availableEngines():
            raise SpeechUnavailable("Qt text-to-speech has no engine on this system")
        self._tts: Any = QTextToSpeech()
        if self._tts.state() == QTextToSpeech.State.Error:
            raise SpeechUnavailable(f"Qt text-to-speech engine failed: {self._tts.errorString()}")
        self.muted = False
        self.volume = 1.0
        self.spoken: collections.deque[str] = collections.deque(maxlen=50)

    def say(self, text: str, tone: str = NEUTRAL) -> None:
        """Speak ``text`` (``tone`` is not heard: the words say it)."""
        if self.muted or not text or self.volume <= 0:
            return
        self.spoken.append(text)
        self._tts.stop()
        self._tts.say(text)

    def set_muted(self, muted: bool) -> None:
        self.muted = bool(muted)
        if self.muted:
            self._tts.stop()

    def set_volume(self, volume: float) -> None:
        self.volume = min(1.0, max(0.0, float(volume)))
        self._tts.setVolume(self.volume)

    def close(self) -> None:
        self._tts.stop()


class EspeakAppSpeaker(EspeakSpeaker):
    """The core's espeak-ng speaker with the app's ``backend`` and ``spoken`` attributes."""

    backend = "espeak"

    def __init__(self) -> None:
        super().__init__()
        self.spoken: collections.deque[str] = collections.deque(maxlen=50)

    def say(self, text: str, tone: str = NEUTRAL) -> None:
        if not self.muted and text and self.volume > 0:
            self.spoken.append(text)
        try:
            super().say(text, tone)
        except SpeechUnavailable as exc:  # the program vanished: guidance stays on screen
            log.warning("%s", exc)


class ToneSpeaker:
    """No speech engine: one short tone per utterance, the event's ``tone`` (never guessed from the words).

    ``GOOD`` (a good repetition, a hold regained): the high tone; ``CORRECTION`` (a flagged or
    uncounted repetition, a compensation cue, a hold broken): the low tone; ``NEUTRAL``
    (announcements): the middle tone. ``played`` keeps the tones played, newest last.
    """

    backend = "tones"

    def __init__(self) -> None:
        from posture_feedback.ui.sound import Sounds

        self.sounds = Sounds(enabled=True)
        self.muted = False
        self.volume = 1.0
        self.spoken: collections.deque[str] = collections.deque(maxlen=50)
        self.played: collections.deque[str] = collections.deque(maxlen=50)

    @property
    def sound_backend(self) -> str:
        """``qsoundeffect`` (generated tones) or ``beep`` (the system beep)."""
        return self.sounds.backend

    def say(self, text: str, tone: str = NEUTRAL) -> None:
        if self.muted or not text or self.volume <= 0:
            return
        self.spoken.append(text)
        self.played.append(tone)
        if tone == GOOD:
            self.sounds.entered()
        elif tone == CORRECTION:
            self.sounds.left()
        else:
            self.sounds.neutral()

    def set_muted(self, muted: bool) -> None:
        self.muted = bool(muted)
        self.sounds.enabled = not self.muted and self.volume > 0

    def set_volume(self, volume: float) -> None:
        self.volume = min(1.0, max(0.0, float(volume)))
        self.sounds.enabled = not self.muted and self.volume > 0
        for effect in getattr(self.sounds, "_effects", {}).values():  # QSoundEffect objects when available
            effect.setVolume(0.4 * self.volume)


class SilentSpeaker(NullSpeaker):
    """The core's silent speaker, named for the window."""

    backend = "silent"


def choose_speaker(prefer: str | None = None) -> Speaker:
    """The first working speaker from ``prefer`` (one of ``BACKENDS``) onwards, in ``BACKENDS`` order.

    ``prefer=None`` tries Qt text-to-speech first. ``"silent"`` always gives the silent speaker.
    The chosen one's ``backend`` says which it is.
    """
    if prefer is not None and prefer not in BACKENDS:
        raise ValueError(f"unknown speech backend {prefer!r} (allowed: {', '.join(BACKENDS)})")
    order = BACKENDS[BACKENDS.index(prefer) :] if prefer else BACKENDS
    for name in order:
        try:
            if name == "qt":
                return QtSpeaker()
            if name == "espeak":
                return EspeakAppSpeaker()
            if name == "tones":
                return ToneSpeaker()
        except SpeechUnavailable as exc:
            log.info("speech: %s", exc)
            continue
        except Exception as exc:  # an audio stack that fails in an unexpected way must not stop a session
            log.warning("speech backend %s failed: %s", name, exc)
            continue
    return SilentSpeaker()


def backend_label(speaker: Any) -> str:
    """A user-facing name of the speaker's backend."""
    name = getattr(speaker, "backend", "")
    return {
        "qt": "spoken (Qt text-to-speech)",
        "espeak": "spoken (espeak-ng)",
        "tones": "tones only (no speech engine found)",
        "silent": "silent",
    }.get(name, name or type(speaker).__name__)
