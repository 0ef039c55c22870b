"""``PoseEstimator.forget``: a used VIDEO-mode model behaves as a freshly made one.

The follower's spare models are recycled this way instead of being made anew (follow.py), so the
claim is checked against the real thing: a fresh model on the same crop of the sports sample.
"""

from __future__ import annotations

import cv2
import numpy as np

from posture_feedback.pose import PoseEstimator, PoseOptions, RunningMode
from posture_feedback.types import Frame


def _frames(path, indices):
    cap = cv2.VideoCapture(str(path))
    out, k = {}, 0
    while len(out) < len(indices):
        ok, image = cap.read()
        if not ok:
            break
        if k in indices:
            out[k] = image
        k += 1
    cap.release()
    return out


def _points(model: PoseEstimator, image: np.ndarray, t: float, crop=None) -> np.ndarray | None:
    if crop is not None:
        x0, y0, x1, y1 = crop
        image = np.ascontiguousarray(image[y0:y1, x0:x1])
    found = model.detect(Frame(image, 0, t, 0.0, "test"))
    return found[0].image[:, :2] if found else None


def test_a_forgotten_model_finds_the_person_on_a_new_crop_as_a_fresh_model_does(sports_video):
    frames = _frames(sports_video, set(range(40, 60)) | {100})
    h, w = frames[100].shape[:2]
    crop = (w // 4, 0, 3 * w // 4, h)  # the man at frame 100, in a crop the model never saw
    opts = PoseOptions(max_people=1, mode=RunningMode.VIDEO)
    with PoseEstimator(opts) as used, PoseEstimator(opts) as kept, PoseEstimator(opts) as fresh:
        seen = 0
        for k in range(40, 60):  # both track the man on the whole frame first
            seen += _points(used, frames[k], k / 30) is not None
            _points(kept, frames[k], k / 30)
        assert seen >= 15
        used.forget()
        after = _points(used, frames[100], 1.0, crop)
        want = _points(fresh, frames[100], 1.0, crop)
        assert want is not None and after is not None
        assert np.abs(after - want).max() < 0.5  # pixels: the same detection, no smoothing history
        # without forgetting, the tracking region of the whole frame does not fit the crop
        stale = _points(kept, frames[100], 1.0, crop)
        assert stale is None or np.abs(stale - want).max() > 5.0
