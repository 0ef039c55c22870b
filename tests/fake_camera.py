"""A stand-in capture device for the window tests: real frames of a video, replayed through the
``cv2.VideoCapture`` interface (``CameraSource(0, capture_factory=lambda index: device)``)."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np


def read_frames(video: Path, count: int) -> list[np.ndarray]:
    """``count`` consecutive frames of ``video`` from frame 40, resized to 640 × 360 pixels."""
    cap = cv2.VideoCapture(str(video))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 40)
    frames = [cv2.resize(cap.read()[1], (640, 360)) for _ in range(count)]
    cap.release()
    return frames


class FakeCamera:
    """Replays ``frames`` at 30 frames/s, forever, or only ``good`` of them and then nothing (unplugged)."""

    def __init__(self, frames: list[np.ndarray], good: int | None = None) -> None:
        self.frames = frames
        self.good = good
        self.reads = 0
        self.released = False

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return not self.released

    def read(self):
        threading.Event().wait(1 / 30)
        self.reads += 1
        if self.released or (self.good is not None and self.reads > self.good):
            return False, None
        return True, self.frames[self.reads % len(self.frames)].copy()

    def set(self, prop, value) -> bool:
        return True

    def get(self, prop) -> float:
        h, w = self.frames[0].shape[:2]
        return {cv2.CAP_PROP_FPS: 30.0, cv2.CAP_PROP_FRAME_WIDTH: w, cv2.CAP_PROP_FRAME_HEIGHT: h}.get(prop, 0.0)

    def release(self) -> None:
        self.released = True
