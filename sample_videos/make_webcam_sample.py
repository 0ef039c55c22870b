#!/usr/bin/env python3
"""Regenerate ``lab_desk_webcam.mp4``: a laptop-webcam-style crop of ``lab_two_people_cam02.mp4``.

No licensed recording of a seated laptop user is bundled, so the default demo is the closest real
footage: the front view of the man in the pose2sim lab recording (BSD-3-Clause, see README.md),
cropped head to the lower ribs the way a laptop webcam frames a person (hips out of view), 640×480.
The crop box is the accuracy set's ``desk`` box (``../shared/accuracy/webcam.py``): x 387, y 420,
427 × 320 pixels of the 1088×1920 source (4:3), resized with INTER_AREA. The 60 fps clip is written
at 30 fps, every source frame once forward and once backward (0…99, 98…1: 198 frames, 6.6 s), so it
loops without a jump.

    python sample_videos/make_webcam_sample.py [--out sample_videos/lab_desk_webcam.mp4]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "lab_two_people_cam02.mp4"
BOX = (387, 420, 427, 320)  #: x, y, width, height in source pixels
SIZE = (640, 480)
FPS = 30.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=HERE / "lab_desk_webcam.mp4")
    a = ap.parse_args()
    cap = cv2.VideoCapture(str(SOURCE))
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        x, y, w, h = BOX
        frames.append(cv2.resize(f[y : y + h, x : x + w], SIZE, interpolation=cv2.INTER_AREA))
    cap.release()
    if not frames:
        raise SystemExit(f"make_webcam_sample.py: error: cannot read {SOURCE}")
    order = list(range(len(frames))) + list(range(len(frames) - 2, 0, -1))
    out = cv2.VideoWriter(str(a.out), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
    for i in order:
        out.write(frames[i])
    out.release()
    print(f"wrote {a.out}: {len(order)} frames, {SIZE[0]}x{SIZE[1]}, {FPS:.0f} fps")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
