#!/usr/bin/env python3
"""Benchmark: other people found by the multi-person pass, with and without the followed person painted over.

Two measures on each bundled clip (real model, no Qt, no timing):

1. **Per frame**: the single-person model (VIDEO mode) follows someone; an IMAGE-mode
   multi-person pass then runs on the frame as it is ("plain"), and with the followed person's
   landmark box painted mid-grey ("box", what ``follow.masked`` does), or only their convex hull
   ("hull"), or the hull dilated by 8 % of the box ("hull+"), or their head ("head"). Counted: frames
   where the pass reports someone other than the followed person (box IoU < 0.3), and detections
   whose body centre lies inside the painted box (which would be phantoms).
2. **Listed by the pipeline**: frames whose result lists two people or more, following with plain
   passes only (``masked_passes=False``), following with masked passes (the default), and the
   multi-person model on every frame (no following).

    python bench/scout_mask.py [--step 2] [--out bench/results/scout_mask.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posture_feedback.follow import FollowOptions, masked  # noqa: E402
from posture_feedback.person import box_iou, invariant_points  # noqa: E402
from posture_feedback.pipeline import Pipeline, PipelineOptions  # noqa: E402
from posture_feedback.pose import PoseEstimator, PoseOptions, RunningMode  # noqa: E402
from posture_feedback.types import Frame, Landmarks  # noqa: E402

CLIPS = ("lab_desk_webcam.mp4", "lab_two_people_cam01.mp4", "lab_two_people_cam02.mp4", "sports2d_demo.mp4")


def _frames(path: Path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    out = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        out.append(image)
    cap.release()
    return out


def _frame(image: np.ndarray, k: int) -> Frame:
    return Frame(np.ascontiguousarray(image), k, k / 30, 0.0, "bench")


def _painted(image: np.ndarray, person: Landmarks) -> dict[str, np.ndarray]:
    """The frame with the person painted over in each of the compared ways."""
    x0, y0, x1, y1 = (int(v) for v in person.bbox(0.3))
    side = max(x1 - x0, y1 - y0)
    hull = cv2.convexHull(person.xy[person.confidence() >= 0.3].astype(np.int32))
    out = {"box": masked(_frame(image, 0), (max(0, x0), max(0, y0), x1, y1)).image}
    m = image.copy()
    cv2.fillConvexPoly(m, hull, (128, 128, 128))
    out["hull"] = m
    area = np.zeros(image.shape[:2], np.uint8)
    cv2.fillConvexPoly(area, hull, 255)
    area = cv2.dilate(area, np.ones((3, 3), np.uint8), iterations=max(1, int(0.08 * side)))
    m = image.copy()
    m[area > 0] = 128
    out["hull+"] = m
    head = person.xy[:11]
    (hx0, hy0), (hx1, hy1) = head.min(0), head.max(0)
    r = max(hx1 - hx0, hy1 - hy0)
    m = image.copy()
    m[max(0, int(hy0 - 1.2 * r)) : int(hy1 + r), max(0, int(hx0 - 0.8 * r)) : int(hx1 + 0.8 * r)] = 128
    out["head"] = m
    return out


def per_frame(images: list[np.ndarray], step: int) -> dict:
    single = PoseEstimator(PoseOptions(mode=RunningMode.VIDEO, max_people=1))
    scout = PoseEstimator(PoseOptions(mode=RunningMode.IMAGE, max_people=2))
    found = {"plain": 0, "box": 0, "hull": 0, "hull+": 0, "head": 0}
    inside = dict.fromkeys(found, 0)
    followed = 0
    for k, image in enumerate(images):
        people = single.detect(_frame(image, k))
        if k % step or not people:
            continue
        followed += 1
        box = people[0].bbox(0.3)
        variants = {"plain": image, **_painted(image, people[0])}
        for name, im in variants.items():
            others = [p for p in scout.detect(_frame(im, k)) if box_iou(p.bbox(0.3), box) < 0.3]
            found[name] += bool(others)
            for p in others:
                cx, cy = np.nanmedian(invariant_points(p)[0], axis=0)
                inside[name] += bool(box[0] <= cx <= box[2] and box[1] <= cy <= box[3])
    single.close()
    scout.close()
    return {"frames_followed": followed, "other_found": found, "inside_painted_box": inside}


def listed(images: list[np.ndarray]) -> dict:
    out = {}
    for name, follow in (("follow_plain", FollowOptions(enabled=True, masked_passes=False)),
                         ("follow_masked", FollowOptions(enabled=True)), ("multi", None)):  # fmt: skip
        options = PipelineOptions(follow=follow) if follow else PipelineOptions()
        with Pipeline(options) as pipe:
            results = [pipe.process(_frame(im, k)) for k, im in enumerate(images)]
        out[name] = {
            "two_or_more": sum(len(r.people) >= 2 for r in results),
            "target_found": sum(r.person_found for r in results),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--step", type=int, default=2, help="per-frame measure on every n-th frame")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scout_mask.json")
    args = parser.parse_args()
    report = {}
    for clip in CLIPS:
        images = _frames(ROOT / "sample_videos" / clip)
        report[clip] = {"frames": len(images), "per_frame": per_frame(images, args.step), "listed": listed(images)}
        r = report[clip]
        print(f"{clip} ({len(images)} frames)")
        print(f"  pass finds someone else, of {r['per_frame']['frames_followed']} followed frames: "
              + ", ".join(f"{k} {v}" for k, v in r["per_frame"]["other_found"].items()))  # fmt: skip
        print("  detections centred inside the painted box: "
              + ", ".join(f"{k} {v}" for k, v in r["per_frame"]["inside_painted_box"].items() if k != "plain"))
        print("  frames listing 2+ people (target found): "
              + ", ".join(f"{k} {v['two_or_more']} ({v['target_found']})" for k, v in r["listed"].items()))
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
