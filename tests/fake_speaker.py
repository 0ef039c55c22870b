"""A speaker that records what would be said and its tone (no speech engine in tests)."""

from __future__ import annotations


class FakeSpeaker:
    """Records what would be said (``said``) and the tone of each (``tones``)."""

    backend = "fake"

    def __init__(self) -> None:
        self.said: list[str] = []
        self.tones: list[str] = []

    def say(self, text: str, tone: str = "neutral") -> None:
        self.said.append(text)
        self.tones.append(tone)
