#!/usr/bin/env python3
"""Regenerate ``people_collage.jpg``: a still with several people, from the bundled BSD-3-Clause videos.

The tests and the soak bench need one still image with several people in it, one of them standing
upright and fully visible (IMAGE mode, person selection among several). It replaces
``street_people.jpg``, which came from the AGPL-3.0 ``ultralytics`` package. Two real scenes side by
side, 810×1080 (portrait, the size the old still had):

* left, 330 px: frame 0 of ``lab_two_people_cam01.mp4`` resized to 608×1080 (INTER_AREA), columns
  250–579: the woman standing upright, whole (the one the default start follows), and the edge of
  the man on his platform;
* right, 480 px: frame 120 of ``sports2d_demo.mp4`` resized to 1921×1080 (INTER_AREA), columns
  640–1119: a man standing on a shed roof and a woman walking.

Written as JPEG, quality 90. Both sources: BSD-3-Clause (README.md, LICENSE.txt).

    python sample_videos/make_people_collage.py [--out sample_videos/people_collage.jpg]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent


def _frame(name: str, index: int) -> np.ndarray:
    cap = cv2.VideoCapture(str(HERE / name))
    cap.set(cv2.CAP_PROP_POS_FRAMES, index)
    ok, image = cap.read()
    cap.release()
    if not ok:
        raise SystemExit(f"{name}: no frame {index}")
    return image


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=HERE / "people_collage.jpg")
    a = ap.parse_args()
    lab = cv2.resize(_frame("lab_two_people_cam01.mp4", 0), (608, 1080), interpolation=cv2.INTER_AREA)
    park = cv2.resize(_frame("sports2d_demo.mp4", 120), (1921, 1080), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((1080, 810, 3), np.uint8)
    canvas[:, :330] = lab[:, 250:580]
    canvas[:, 330:] = park[:, 640:1120]
    cv2.imwrite(str(a.out), canvas, [cv2.IMWRITE_JPEG_QUALITY, 90])
    print(f"written {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
