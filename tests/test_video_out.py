"""The annotated video is drawn and encoded on a worker thread: every frame arrives, in order."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from posture_feedback.annotate import InfoAnnotator
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.types import Frame, FrameResult
from posture_feedback.video_out import VIDEO_EXTENSIONS, WRITER_NICE, AnnotatedVideoWriter, check_video_path


def _result(i: int) -> FrameResult:
    img = np.zeros((120, 160, 3), np.uint8)
    img[:, : 10 * (i % 16)] = 255  # a white band whose width encodes the frame number
    return FrameResult(frame=Frame(img, i, i / 10.0, 0.0, "test"))


def test_every_frame_is_written_in_order(tmp_path):
    path = tmp_path / "out.mp4"
    with AnnotatedVideoWriter(path, 10.0, [InfoAnnotator()], max_pending=2) as w:
        for i in range(40):
            w.write(_result(i))
    assert w.frames_written == 40
    if sys.platform.startswith("linux"):  # the writer yields the cores to the model's thread
        assert w.writer_nice is not None and w.writer_nice >= min(19, os.nice(0) + WRITER_NICE)
    cap = cv2.VideoCapture(str(path))
    widths = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        widths.append(int((f[100, :, 0] > 128).sum()))  # row 100 is below the info text
    assert len(widths) == 40
    assert all(abs(w - 10 * (i % 16)) <= 3 for i, w in enumerate(widths))


def test_unwritable_path_is_a_one_line_error_at_the_first_frame(tmp_path):
    w = AnnotatedVideoWriter(Path("/proc/out.mp4"), 10.0, [])  # /proc takes no new file, even from root
    with pytest.raises(PostureFeedbackError, match="cannot write the annotated video /proc/out.mp4"):
        w.write(_result(0))


@pytest.mark.parametrize("name", ["c.png", "c.JPG", "c.txt", "c.unknownext", "c", "c.webm", "c.gif"])
def test_a_name_that_is_no_video_is_refused_and_nothing_written(tmp_path, name):
    """An audit: `--annotated c.png` wrote an MPEG-4 stream named .png (exit 0). Every name outside
    VIDEO_EXTENSIONS is one line naming the extensions, and no file is made."""
    with pytest.raises(PostureFeedbackError) as err:
        check_video_path(tmp_path / name)
    text = str(err.value)
    assert "\n" not in text and "not a video extension" in text and ".mp4" in text
    with pytest.raises(PostureFeedbackError, match="not a video extension"):
        AnnotatedVideoWriter(tmp_path / name, 10.0, []).write(_result(0))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("ext", VIDEO_EXTENSIONS + (".MP4",))
def test_every_accepted_extension_is_a_video_that_reads_back(tmp_path, ext):
    """What VIDEO_EXTENSIONS promises: each is written and read back frame for frame."""
    path = tmp_path / f"out{ext}"
    check_video_path(path)
    with AnnotatedVideoWriter(path, 10.0, []) as w:
        for i in range(6):
            w.write(_result(i))
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    assert n == 6


def test_a_folder_is_refused(tmp_path):
    (tmp_path / "v.mp4").mkdir()
    with pytest.raises(PostureFeedbackError, match="is a folder"):
        check_video_path(tmp_path / "v.mp4")
