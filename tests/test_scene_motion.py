"""``scene_motion.MotionWatch``: the share of the picture that changed outside the followed person,
on constructed frames whose changed area is known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from posture_feedback.scene_motion import MotionWatch

W, H = 640, 480


def scene(person_x: int = 100, newcomer: bool = False, brightness: int = 0) -> np.ndarray:
    """A grey room with a dark person (a 100×300 px block at ``person_x``) and, optionally, a
    dark newcomer (a 160×240 px block at the right: 12.5% of the frame)."""
    img = np.full((H, W, 3), 150 + brightness, np.uint8)
    img[100:400, person_x : person_x + 100] = 30
    if newcomer:
        img[200:440, 440:600] = 30
    return img


def share(watch: MotionWatch, img: np.ndarray, box) -> float:
    return watch.changed_share(watch.thumbnail(img), box, (W, H))


def test_nothing_changed_and_nothing_remembered():
    w = MotionWatch()
    assert np.isnan(share(w, scene(), (100, 100, 200, 400)))
    w.remember(w.thumbnail(scene()), (100, 100, 200, 400))
    assert share(w, scene(), (100, 100, 200, 400)) == 0.0


def test_the_followed_person_moving_is_not_a_newcomer():
    w = MotionWatch()
    w.remember(w.thumbnail(scene(person_x=100)), (100, 100, 200, 400))
    # they moved 200 px: their old place and their new one are both left out
    assert share(w, scene(person_x=300), (300, 100, 400, 400)) == 0.0
    # without the remembered box their old place would count
    w.remember(w.thumbnail(scene(person_x=100)), None)
    assert share(w, scene(person_x=300), (300, 100, 400, 400)) > 0.0


def test_a_newcomer_changes_about_their_share_of_the_picture_outside_the_box():
    w = MotionWatch()
    box = (100, 100, 200, 400)
    w.remember(w.thumbnail(scene()), box)
    got = share(w, scene(newcomer=True), box)
    # 160×240 px among the pixels outside the box enlarged by 0.3 × 300 = 90 px a side
    # (280 × 470 px once clipped to the frame): 38400 / 175600 = 0.22; the thumbnail (8 px a
    # pixel) and its blur move the patch's edges by about a thumbnail pixel either way
    outside = W * H - 280 * 470
    assert got == pytest.approx(160 * 240 / outside, abs=0.04)


def test_a_change_of_the_whole_picture_reads_as_global():
    w = MotionWatch()
    w.remember(w.thumbnail(scene()), (100, 100, 200, 400))
    assert share(w, scene(brightness=60), (100, 100, 200, 400)) > 0.9  # exposure, not a newcomer
