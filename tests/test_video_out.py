"""The annotated video is drawn and encoded on a worker thread: every frame arrives, in order."""

from __future__ import annotations

import os
import sys

import cv2
import numpy as np
import pytest

from posture_feedback.annotate import InfoAnnotator
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.types import Frame, FrameResult
from posture_feedback.video_out import WRITER_NICE, AnnotatedVideoWriter


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
    w = AnnotatedVideoWriter(tmp_path / "out.unknownext", 10.0, [])
    with pytest.raises(PostureFeedbackError, match="cannot write the annotated video"):
        w.write(_result(0))
