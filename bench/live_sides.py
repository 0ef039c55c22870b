#!/usr/bin/env python3
"""Left and right read from behind when a live camera drops frames (developer check).

Live, the camera's newest frame wins and the pipeline sees about every other frame. On the
bundled jumping-jacks clip (``sample_videos/sports2d_demo.mp4``; the man faces the camera from
frame 16 to 90) the model then labelled the first second after it found him as seen from
behind, and the whole-body mirror guard settled on it: every side reversed. This replays the
clip and its left-right mirror image (``cv2.flip``) through the pipeline, each frame after the
first kept with probability ``--keep`` (a seeded random draw, ``--seeds``), with and without the
live windows' side doubt (``PipelineOptions.side_doubt_s`` = ``pipeline.LIVE_SIDE_DOUBT_S``), and
counts the frames 16–90 that are classified as a back view *with a sided angle valid* (a side
named on a person who faces the camera), and the face-on frames with no side judged (the price).

    python bench/live_sides.py [--seeds 6] [--keep 0.5] [--frames 90]

Writes ``bench/results/live_sides.json``. About 1–2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posture_feedback.pipeline import LIVE_SIDE_DOUBT_S, Pipeline, PipelineOptions  # noqa: E402
from posture_feedback.sources import open_source  # noqa: E402

SIDED = ("left_shoulder_elevation", "right_shoulder_elevation", "shoulder_tilt")
FACE_ON_FROM = 16  # the man faces the camera from this frame of the clip


def load_common():
    spec = importlib.util.spec_from_file_location("bench_common", ROOT / "bench" / "common.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def flipped_copy(video: Path, out: Path, frames: int) -> Path:
    """The first ``frames`` + 1 frames of ``video`` mirrored left to right (``cv2.flip``)."""
    import cv2

    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS)
    writer = None
    for _ in range(frames + 1):
        ok, img = cap.read()
        if not ok:
            break
        if writer is None:
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (img.shape[1], img.shape[0]))
        writer.write(cv2.flip(img, 1))
    cap.release()
    if writer is not None:
        writer.release()
    return out


def replay(video: Path, seed: int, keep: float, frames: int, doubt_s: float) -> dict[str, int]:
    """One live-like replay: frames seen, back views with a side valid, face-on frames without a side."""
    rng = random.Random(seed)
    seen = wrong = unsided = 0
    with open_source(video) as src, Pipeline(PipelineOptions(side_doubt_s=doubt_s)) as pipe:
        for i, frame in enumerate(src):
            if i > frames:
                break
            if i > 0 and rng.random() > keep:
                continue  # dropped: a live camera's newest frame wins
            r = pipe.process(frame)
            if i < FACE_ON_FROM or not r.person_found:
                continue
            seen += 1
            sided = [r.angles.valid[r.angles.names.index(n)] for n in SIDED]
            if r.view.value == "back" and any(sided):
                wrong += 1
            if r.view.value == "front" and not any(sided):
                unsided += 1
    return {"frames_seen": seen, "back_with_side": wrong, "front_without_side": unsided}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=6)
    ap.add_argument("--keep", type=float, default=0.5, help="probability a frame is processed (default 0.5)")
    ap.add_argument("--frames", type=int, default=90)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "live_sides.json")
    a = ap.parse_args()
    common = load_common()
    original = ROOT / "sample_videos" / "sports2d_demo.mp4"
    with tempfile.TemporaryDirectory() as tmp:
        clips = {"original": original, "mirrored": flipped_copy(original, Path(tmp) / "flipped.mp4", a.frames)}
        runs: dict[str, dict] = {}
        for clip, path in clips.items():
            for label, doubt in (("no_doubt", 0.0), ("live_doubt", LIVE_SIDE_DOUBT_S)):
                rows = [replay(path, seed, a.keep, a.frames, doubt) for seed in range(1, a.seeds + 1)]
                runs[f"{clip}/{label}"] = {"per_seed": rows,
                                           "back_with_side": [r["back_with_side"] for r in rows],
                                           "front_without_side": [r["front_without_side"] for r in rows]}  # fmt: skip
                run = runs[f"{clip}/{label}"]
                print(f"{clip:9s} {label:10s} back views with a side valid per seed: {run['back_with_side']}  "
                      f"face-on frames without a side: {run['front_without_side']}  "
                      f"(frames seen {[r['frames_seen'] for r in rows]})")
    meta = common.machine_meta(seeds=a.seeds, keep=a.keep, frames=a.frames, live_side_doubt_s=LIVE_SIDE_DOUBT_S)
    common.write_result(a.out, {"meta": meta, "runs": runs})
    return 0


if __name__ == "__main__":
    sys.exit(main())
