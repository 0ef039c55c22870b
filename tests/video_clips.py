"""Writing short test videos (mp4v) from images: one helper for the fixtures that need a clip."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np


def write_clip(path: Path, images: Iterable[np.ndarray], fps: float = 30.0) -> Path:
    """Write ``images`` (BGR, all of one size) to ``path`` as an mp4v video at ``fps`` frames/s; returns ``path``."""
    import cv2

    writer = None
    for image in images:
        if writer is None:
            h, w = image.shape[:2]
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        writer.write(image)
    if writer is not None:
        writer.release()
    return path
