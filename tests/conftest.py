"""Shared fixtures. Qt must run offscreen here (no display): set before any Qt import."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GLOG_minloglevel", "2")

# As the command line and the app do at start-up, before any thread runs (see startup.py): the
# environment is never changed later, on a worker thread, by a PoseEstimator.
from posture_feedback.startup import prepare_process_environment  # noqa: E402

prepare_process_environment()

# Never touch the user's real profile database, calibrations or model cache from a test run.
import tempfile  # noqa: E402

_SANDBOX = tempfile.mkdtemp(prefix="posture-feedback-tests-")
os.environ["POSTURE_FEEDBACK_DATA_DIR"] = os.path.join(_SANDBOX, "data")
os.environ["POSTURE_FEEDBACK_CONFIG_DIR"] = os.path.join(_SANDBOX, "config")
os.environ["POSTURE_FEEDBACK_CACHE"] = os.path.join(_SANDBOX, "cache")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_videos"


@pytest.fixture(scope="session")
def sports_video() -> Path:
    """1768×994, 30 fps, 230 frames: a man facing the camera, then a woman walking side-on (frames ~70–190)."""
    return SAMPLES / "sports2d_demo.mp4"


@pytest.fixture(scope="session")
def lab_video() -> Path:
    """1088×1920, 60 fps, 100 frames: a man on a platform, a woman in front, a third person behind."""
    return SAMPLES / "lab_two_people_cam01.mp4"


@pytest.fixture(scope="session")
def lab_video_front() -> Path:
    """The same lab scene from the camera in front of the man (cam02)."""
    return SAMPLES / "lab_two_people_cam02.mp4"


@pytest.fixture(scope="session")
def street_image() -> Path:
    """810×1080 still with several people, one fully visible."""
    return SAMPLES / "street_people.jpg"
