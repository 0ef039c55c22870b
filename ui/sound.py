"""Short sounds on entering and leaving a target range.

Uses QtMultimedia's ``QSoundEffect`` with generated tones (high pitch = back in range / good, low
pitch = left the range / a correction, a middle pitch = a neutral announcement, for the tones-only
speaker) when QtMultimedia loads on this system; otherwise falls back to ``QApplication.beep()``
(one system beep for all).
"""

from __future__ import annotations

import math
import struct
import tempfile
import wave
from pathlib import Path

from PyQt6.QtWidgets import QApplication


def _tone(path: Path, freq_hz: float, seconds: float = 0.12, rate: int = 22050) -> None:
    n = int(seconds * rate)
    frames = bytearray()
    for i in range(n):
        env = min(1.0, i / 200, (n - i) / 200)  # short fade in/out, no clicks
        frames += struct.pack("<h", int(9000 * env * math.sin(2 * math.pi * freq_hz * i / rate)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))


_TONES: dict[str, Path] = {}


def _tone_files() -> dict[str, Path]:
    """The three tones as WAV files, written once per process into a temporary folder."""
    if not _TONES:
        folder = Path(tempfile.mkdtemp(prefix="posture-feedback-sounds-"))
        for name, freq in (("entered", 880.0), ("left", 330.0), ("neutral", 554.0)):
            _tone(folder / f"{name}.wav", freq)
            _TONES[name] = folder / f"{name}.wav"
    return _TONES


class Sounds:
    """``entered()`` / ``left()`` / ``neutral()`` play the tones; ``enabled`` switches them off (mute)."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.backend = "beep"
        self._effects: dict[str, object] = {}
        try:
            from PyQt6.QtCore import QUrl
            from PyQt6.QtMultimedia import QSoundEffect
        except ImportError:  # no QtMultimedia (or its system libraries) here
            return
        for name, path in _tone_files().items():
            effect = QSoundEffect()
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(0.4)
            self._effects[name] = effect
        self.backend = "qsoundeffect"

    def _play(self, name: str) -> None:
        if not self.enabled:
            return
        effect = self._effects.get(name)
        if effect is not None:
            effect.play()  # type: ignore[attr-defined]
        else:
            QApplication.beep()

    def entered(self) -> None:
        self._play("entered")

    def left(self) -> None:
        self._play("left")

    def neutral(self) -> None:
        self._play("neutral")
