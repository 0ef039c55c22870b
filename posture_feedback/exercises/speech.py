"""Spoken guidance, core side: the ``Speaker`` protocol and the non-Qt speakers.

The runner's events carry a ``speech`` text; whoever shows the session passes those texts to a
``Speaker``. The desktop app uses Qt's text-to-speech (``posture_feedback.ui``); here are
``EspeakSpeaker`` (the ``espeak-ng``/``espeak`` program, run in the background so speaking
never blocks the frame loop) and ``NullSpeaker`` (silent; records what it was asked to say).
Saying something new interrupts an utterance still running: the count must be current.

``say(text, tone)`` also gets the event's ``tone`` (``events.GOOD``, ``CORRECTION`` or ``NEUTRAL``,
decided by the core from the event's kind and verdict): speakers with words ignore it, a speaker
without words plays it (``ui.speech_qt.ToneSpeaker``).
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Protocol, runtime_checkable

from posture_feedback.errors import PostureFeedbackError
from posture_feedback.exercises.events import NEUTRAL
from posture_feedback.telemetry import user_environment


class SpeechUnavailable(PostureFeedbackError):
    """No speech engine is installed."""


@runtime_checkable
class Speaker(Protocol):
    """Something that can say short texts (with the event's tone), with mute and volume (0.0–1.0)."""

    def say(self, text: str, tone: str = NEUTRAL) -> None: ...

    def set_muted(self, muted: bool) -> None: ...

    def set_volume(self, volume: float) -> None: ...


class NullSpeaker:
    """Says nothing; keeps what it was asked to say (unless muted) in ``spoken``, its tones in ``tones``."""

    def __init__(self) -> None:
        self.spoken: list[str] = []
        self.tones: list[str] = []
        self.muted = False
        self.volume = 1.0

    def say(self, text: str, tone: str = NEUTRAL) -> None:
        if not self.muted and text:
            self.spoken.append(text)
            self.tones.append(tone)

    def set_muted(self, muted: bool) -> None:
        self.muted = bool(muted)

    def set_volume(self, volume: float) -> None:
        self.volume = min(1.0, max(0.0, float(volume)))


class EspeakSpeaker:
    """Speaks through the ``espeak-ng`` (or ``espeak``) program in a background process.

    Args:
        binary: program to run; default: ``espeak-ng`` or ``espeak`` found on PATH.
        voice: espeak voice name (``en``, ``en-gb``, ``fr`` ...).
        rate: words per minute.

    Raises:
        SpeechUnavailable: when no espeak program is found.
    """

    def __init__(self, binary: str | None = None, voice: str = "en", rate: int = 160) -> None:
        found = binary or shutil.which("espeak-ng") or shutil.which("espeak")
        if not found or not shutil.which(found):
            raise SpeechUnavailable(
                "espeak-ng is not installed (install it, e.g. 'apt install espeak-ng', for spoken guidance)"
            )
        self.binary = shutil.which(found) or found
        self.voice = voice
        self.rate = rate
        self.muted = False
        self.volume = 1.0
        self._proc: subprocess.Popen[bytes] | None = None

    def command(self, text: str) -> list[str]:
        """The command line that speaks ``text`` (espeak amplitude 0–200, 100 = normal)."""
        amp = round(self.volume * 100)
        return [self.binary, "-v", self.voice, "-s", str(self.rate), "-a", str(amp), "--", text]

    def say(self, text: str, tone: str = NEUTRAL) -> None:
        """Speak ``text`` (``tone`` is not heard: the words say it)."""
        if self.muted or not text or self.volume <= 0:
            return
        self.stop()
        try:
            self._proc = subprocess.Popen(
                self.command(text), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env=user_environment(),  # the user's proxies, not the closed port that keeps telemetry local
            )
        except OSError as exc:
            raise SpeechUnavailable(f"cannot run {self.binary}: {exc.strerror or exc}") from None

    def stop(self) -> None:
        """Interrupt the utterance still running, if any."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._proc = None

    def wait(self, timeout: float | None = None) -> None:
        """Block until the current utterance has finished (for tests and command-line use)."""
        if self._proc is not None:
            self._proc.wait(timeout=timeout)

    def set_muted(self, muted: bool) -> None:
        self.muted = bool(muted)
        if self.muted:
            self.stop()

    def set_volume(self, volume: float) -> None:
        self.volume = min(1.0, max(0.0, float(volume)))

    def close(self) -> None:
        self.stop()


def default_speaker() -> Speaker:
    """``EspeakSpeaker`` when espeak is installed, else a silent ``NullSpeaker``."""
    try:
        return EspeakSpeaker()
    except SpeechUnavailable:
        return NullSpeaker()
