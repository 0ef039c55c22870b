#!/usr/bin/env python3
"""The single-person model's first frames after it finds a person, with and without settling calls.

The live path follows one person with the single-person model (``--follow``, the app's default;
``--max-people 1``). That graph tracks from the person detector's rough box and smooths its own
landmarks, so its first frames after finding someone start far off and converge over a few
frames. ``PoseOptions.settle_calls`` repeats the model on the first frame a person is found in;
this measures how far off the first frames are either way, against the 4-camera reference.

Clips: the accuracy set's two laptop-webcam crops of the front view (``data/webcam/upper.mp4``,
``desk.mp4``, 640×480, 30 fps; reference: the ``main`` person projected into the crop) and its 4
full views (1088×1920, 60 fps; reference: whichever of the two people is nearer). Error per frame:
mean image distance of the nose, both ears and both shoulders from the reference's, in reference
shoulder widths. Also the model's time for the first frame (the settling calls included) and the
median of the next ones.

    python bench/acquisition.py [--accuracy-dir ../shared/accuracy] [--settle 0,4] [--frames 12]

Then the product's following pipeline on every clip (``--follow``, the app's default), whole
clips: the first frame is the multi-person pass's, the second a probe's, then the follower's; the
mean error, the frames more than 0.3 shoulder widths off, and the view per frame.

Writes ``bench/results/acquisition.json``. About 1 minute (one model on one core).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
POINTS = [0, 7, 8, 11, 12]  # nose, ears, shoulders


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def clips(acc: Path) -> list[tuple[str, Path, float, list[np.ndarray]]]:
    """(name, video, fps, reference pixels (T,33,2) of each candidate person)."""
    laptop, derived = load("laptop_signals"), load("derived_signals")
    out = []
    for crop in ("upper", "desk"):
        out.append((f"webcam {crop}", acc / "data" / "webcam" / f"{crop}.mp4", 30.0,
                    [laptop.reference_crop_points(acc, crop)[0]]))  # fmt: skip
    for view in derived.VIEWS:
        refs = [derived.reference_points(acc, p, view)[0] for p in derived.PEOPLE]
        out.append((view, acc / "data" / "videos" / f"{view}.mp4", 60.0, refs))
    return out


def run(video: Path, fps: float, refs: list[np.ndarray], settle: int, frames: int) -> dict:
    import cv2

    from posture_feedback.pose import PoseEstimator, PoseOptions
    from posture_feedback.types import Frame

    cap = cv2.VideoCapture(str(video))
    errors, times = [], []
    with PoseEstimator(PoseOptions(max_people=1, settle_calls=settle)) as model:
        for i in range(frames):
            ok, image = cap.read()
            if not ok:
                break
            t0 = time.perf_counter()
            found = model.detect(Frame(image, i, i / fps, t0))
            times.append((time.perf_counter() - t0) * 1000.0)
            if not found:
                errors.append(float("nan"))
                continue
            p = found[0].image[POINTS, :2]
            errors.append(min(float(np.nanmean(np.linalg.norm(p - r[i][POINTS], axis=1)))
                              / float(np.linalg.norm(r[i][11] - r[i][12])) for r in refs))  # fmt: skip
    cap.release()
    return {"error_sw": errors, "first_call_ms": times[0] if times else float("nan"),
            "later_call_ms_median": float(np.median(times[1:])) if len(times) > 1 else float("nan")}  # fmt: skip


def follow_run(video: Path, refs: list[np.ndarray], settle: int, frames: int) -> dict:
    """The product's following pipeline (``--follow``: the multi-person pass on the first frame,
    then a probe that becomes the follower): the error of the followed person's landmarks as the
    model gave them (``raw``) and after the pipeline's smoothing (``smoothed``)."""
    from posture_feedback.follow import FollowOptions
    from posture_feedback.pipeline import Pipeline, PipelineOptions
    from posture_feedback.pose import PoseOptions
    from posture_feedback.sources import open_source

    raw, smoothed, views = [], [], []
    options = PipelineOptions(pose=PoseOptions(settle_calls=settle), follow=FollowOptions(enabled=True))
    with open_source(video) as src, Pipeline(options) as pipe:
        for i, frame in enumerate(src):
            if i >= min(frames, len(refs[0])):
                break
            r = pipe.process(frame)
            views.append(str(r.view))
            for out, lmk in ((raw, r.people[r.target_index] if r.person_found else None), (smoothed, r.landmarks)):
                out.append(float("nan") if lmk is None else min(
                    float(np.nanmean(np.linalg.norm(lmk.image[POINTS, :2] - ref[i][POINTS], axis=1)))
                    / float(np.linalg.norm(ref[i][11] - ref[i][12])) for ref in refs))  # fmt: skip
    e = np.asarray(raw)
    return {"raw": raw, "smoothed": smoothed, "views": "".join(v[0] for v in views),
            "raw_mean": float(np.nanmean(e)), "raw_frames_over_0.3": int(np.sum(e > 0.3))}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accuracy-dir", type=Path, default=ROOT.parent / "shared" / "accuracy")
    ap.add_argument("--settle", default="0,4", help="settle_calls values to compare (default 0,4)")
    ap.add_argument("--frames", type=int, default=12)
    a = ap.parse_args()
    common = load("common")
    acc = common.accuracy_set(a.accuracy_dir, "acquisition.py")
    settles = [int(s) for s in a.settle.split(",")]
    results: dict[str, dict] = {}
    for name, video, fps, refs in clips(acc):
        results[name] = {}
        for settle in settles:
            r = run(video, fps, refs, settle, a.frames)
            results[name][str(settle)] = r
            e = r["error_sw"]
            print(f"{name:12s} settle {settle}: first frames " + " ".join(f"{x:.2f}" for x in e[:8])
                  + f" | frames 0-2 mean {np.nanmean(e[:3]):.2f}, 6+ {np.nanmean(e[6:]):.2f}"
                  + f" | first call {r['first_call_ms']:.0f} ms, later {r['later_call_ms_median']:.0f} ms")  # fmt: skip
    following: dict[str, dict] = {}
    for name, video, _fps, refs in clips(acc):
        following[name] = {}
        for settle in settles:
            r = following[name][str(settle)] = follow_run(video, refs, settle, 10**6)
            print(f"{name:12s} settle {settle}, following pipeline: raw "
                  + " ".join(f"{x:.2f}" for x in r["raw"][:8]) + " | smoothed "
                  + " ".join(f"{x:.2f}" for x in r["smoothed"][:8])
                  + f" | whole clip: mean {r['raw_mean']:.3f}, frames > 0.3: {r['raw_frames_over_0.3']}, "
                  + f"views {r['views']}")  # fmt: skip
    common.write_result(ROOT / "bench" / "results" / "acquisition.json",
                        {"meta": common.machine_meta(settle=settles, frames=a.frames), "clips": results,
                         "following_pipeline": following})  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
