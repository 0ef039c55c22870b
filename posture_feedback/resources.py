"""Paths of the files bundled with the package: the pose model and the sample recordings.

``models/`` and ``sample_videos/`` at the repository root are installed as the data packages
``posture_feedback.model_bundles`` and ``posture_feedback.sample_videos``, so the same lookup works
for a source checkout, ``pip install -e .`` and a built wheel.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from posture_feedback.errors import SourceError

_REPO_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_SAMPLE = "sports2d_demo.mp4"


def _package_dir(package: str, fallback: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if Path(location).is_dir():
                return Path(location)
    return _REPO_ROOT / fallback


def models_dir() -> Path:
    """Folder holding the bundled model bundles (``*.task``)."""
    return _package_dir("posture_feedback.model_bundles", "models")


def sample_videos_dir() -> Path:
    """Folder holding the bundled sample recordings."""
    return _package_dir("posture_feedback.sample_videos", "sample_videos")


def sample_video(name: str = DEFAULT_SAMPLE) -> Path:
    """Path of a bundled sample recording (``sports2d_demo.mp4`` by default)."""
    path = sample_videos_dir() / name
    if not path.is_file():
        available = ", ".join(sorted(p.name for p in sample_videos_dir().glob("*") if p.suffix in {".mp4", ".jpg"}))
        raise SourceError(f"no bundled sample named {name!r} (available: {available or 'none'})")
    return path
