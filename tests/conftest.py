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
from video_clips import write_clip  # noqa: E402

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
    """810×1080 still with several people, one standing upright and fully visible
    (``sample_videos/people_collage.jpg``, BSD-3-Clause)."""
    return SAMPLES / "people_collage.jpg"


@pytest.fixture(scope="session")
def still_video(tmp_path_factory) -> Path:
    """12 s at 30 fps of one frame of the sports sample (frame 33: the man standing on the box, facing the
    camera), cropped around him (1000 x 560): a person holding still, for captures that must be still (the
    neutral). Measured: front view, trunk SD 0.5° over 2.5 s."""
    import cv2
    import numpy as np

    cap = cv2.VideoCapture(str(SAMPLES / "sports2d_demo.mp4"))
    for _ in range(34):
        ok, img = cap.read()
        assert ok
    cap.release()
    img = np.ascontiguousarray(img[0:560, 350:1350])
    return write_clip(tmp_path_factory.mktemp("still") / "still.mp4", [img] * 360)


@pytest.fixture(scope="session")
def leaving_video(still_video: Path, tmp_path_factory) -> Path:
    """1.5 s of the still man (``still_video``), then 8 s of an empty black room, 30 fps: a person who leaves
    during a capture started while he was in view."""
    import cv2
    import numpy as np

    cap = cv2.VideoCapture(str(still_video))
    ok, img = cap.read()
    cap.release()
    assert ok
    frames = [img] * 45 + [np.zeros_like(img)] * 240
    return write_clip(tmp_path_factory.mktemp("leave") / "leave.mp4", frames)


@pytest.fixture(autouse=True)
def _destroy_closed_widgets_in_their_own_test():
    """After each test (and after pytest-qt has closed its widgets with ``deleteLater``), run the
    deferred deletions now. Otherwise a test's windows are destroyed in the *next* Qt test's event
    loop, where a crash in their destruction would be reported against the wrong test (an
    intermittent segmentation fault was seen there twice, at the start of
    test_ui_sources.py::test_a_still_image_stays_on_screen_after_its_only_frame)."""
    yield
    import sys

    if "PyQt6.QtWidgets" not in sys.modules:
        return
    from PyQt6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


@pytest.fixture(scope="session")
def clips(sports_video: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two clips of the sample at half size: facing the camera (frames 0–79), side-on (frames 96–171)."""
    folder = tmp_path_factory.mktemp("clips")
    import cv2

    cap = cv2.VideoCapture(str(sports_video))
    fps = cap.get(cv2.CAP_PROP_FPS)
    frames = []
    for _ in range(172):
        ok, img = cap.read()
        assert ok
        frames.append(cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2), interpolation=cv2.INTER_AREA))
    cap.release()
    out = {}
    for name, (a, b) in {"front": (0, 80), "side": (96, 172)}.items():
        path = folder / f"{name}.mp4"
        h, w = frames[0].shape[:2]
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        for img in frames[a:b]:
            writer.write(img)
        writer.release()
        out[name] = path
    return out
