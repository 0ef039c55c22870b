#!/usr/bin/env python3
"""Benchmark: model-only vs whole-pipeline milliseconds per frame, in one run.

For each camera-typical size (640×480, 1280×720) the bundled sample video is cropped to the
size's aspect ratio and resized (so the model sees undistorted people), decoded into memory,
and then, frame by frame and interleaved (so both see the same machine load):

* **model**: BGR→RGB conversion + ``PoseLandmarker.detect_for_video`` on one landmarker
  instance — the least any caller must do to get landmarks;
* **pipeline**: ``Pipeline.process(frame)`` on a second instance — model, landmark
  conversion, person selection, left/right fix, smoothing, view, angles, targets, cue.

Prints medians, p95 and the pipeline/model ratio; writes ``bench/results/pipeline.json``.

    python bench/pipeline.py [--frames 230] [--max-people 2] [--preset standing] [--follow]

With ``--follow`` the pipeline follows one person with the single-person model (``follow.py``)
and the "model" reference is the single-person model (``num_poses=1``): the ratio is then the
cost of the whole following path against the cheapest possible model call. It runs as in the app:
the multi-person passes, probes and spare models on a worker thread (``background``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from posture_feedback.follow import FollowOptions
from posture_feedback.pipeline import Pipeline, PipelineOptions
from posture_feedback.pose import PoseEstimator, PoseOptions
from posture_feedback.presets import get_preset
from posture_feedback.resources import sample_video
from posture_feedback.sources import VideoFileSource
from posture_feedback.types import Frame

SIZES = ((640, 480), (1280, 720))


def crop_resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Centre-crop to the aspect ratio of ``size`` (w, h), then resize to it."""
    w, h = size
    ih, iw = image.shape[:2]
    target = w / h
    if iw / ih > target:
        cw = int(round(ih * target))
        x0 = (iw - cw) // 2
        image = image[:, x0 : x0 + cw]
    else:
        ch = int(round(iw / target))
        y0 = (ih - ch) // 2
        image = image[y0 : y0 + ch]
    return cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)


def load_frames(video: Path, size: tuple[int, int], limit: int) -> list[Frame]:
    frames = []
    with VideoFileSource(video) as src:
        for f in src:
            if len(frames) >= limit:
                break
            frames.append(Frame(crop_resize(f.image, size), f.index, f.timestamp_s, 0.0, f.source))
    return frames


def stats(ms: list[float]) -> dict[str, float]:
    a = np.asarray(ms)
    return {"median_ms": float(np.median(a)), "p95_ms": float(np.percentile(a, 95)), "mean_ms": float(a.mean())}


def bench_size(video: Path, size: tuple[int, int], args: argparse.Namespace) -> dict:
    import mediapipe as mp

    frames = load_frames(video, size, args.frames)
    pose_options = PoseOptions(max_people=args.max_people)
    model = PoseEstimator(PoseOptions(max_people=1) if args.follow else pose_options)
    raw = model._landmarker  # the bare MediaPipe task: what "model only" means
    target_set = get_preset(args.preset) if args.preset else None
    follow = FollowOptions(enabled=args.follow, background=args.follow)  # as the app runs it
    pipeline = Pipeline(PipelineOptions(pose=pose_options, follow=follow), target_set)
    reference = Pipeline(PipelineOptions(pose=pose_options), target_set) if args.follow else None
    model_ms, pipe_ms, post_ms = [], [], []
    found = 0
    tracks: dict[str, list] = {"pipeline": [], "multi": []}
    switches: list[int] = []
    prev_calls: list[str] = []
    clicks: list[int] = []
    click_at = {int(v) for v in args.clicks.split(",") if v} if args.follow else set()
    last = last_ref = None
    for rep in range(args.repeat):
        offset = rep * (frames[-1].timestamp_s + 1.0)
        for f in frames:
            frame = Frame(f.image, f.index, f.timestamp_s + offset, time.perf_counter(), f.source)
            seen = last_ref if last_ref is not None else last  # what the user sees now: fresh detections
            if f.index in click_at and seen is not None and len(seen.people) >= 2:
                # A click on the largest other person where they are in the previous frame (the
                # multi-person model's detections, not the follower's list, whose boxes are from
                # the last pass), in both pipelines: a switch of person.
                others = [q for i, q in enumerate(seen.people) if i != seen.target_index]
                box = lambda q: (q.bbox()[2] - q.bbox()[0]) * (q.bbox()[3] - q.bbox()[1])  # noqa: E731
                point = tuple(float(v) for v in max(others, key=box).center())
                pipeline.request_target(point)
                if reference is not None:
                    reference.request_target(point)
                clicks.append(len(pipe_ms))
            t0 = time.perf_counter()
            rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
            raw.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(frame.timestamp_s * 1000))
            t1 = time.perf_counter()
            result = pipeline.process(frame)
            t2 = time.perf_counter()
            model_ms.append((t1 - t0) * 1000)
            pipe_ms.append((t2 - t1) * 1000)
            post_ms.append(result.timings_ms.get("post", 0.0))
            found += result.person_found
            last = result
            tracks["pipeline"].append(result.landmarks if result.person_found else None)
            calls = getattr(pipeline._estimator, "calls", [])
            if args.follow and "multi" not in calls and ("multi" in prev_calls or "probe" in calls):
                switches.append(len(pipe_ms) - 1)  # a new follower took over from the multi-person model
            prev_calls = list(calls)
            if reference is not None:  # the multi-person model on every frame, for its jitter (not timed)
                r = reference.process(frame)
                last_ref = r
                tracks["multi"].append(r.landmarks if r.person_found else None)
    pipeline.close()
    if reference is not None:
        reference.close()
    model.close()
    m, p = stats(model_ms), stats(pipe_ms)
    return {
        "size": f"{size[0]}x{size[1]}",
        "frames": len(model_ms),
        "person_found": found / len(model_ms),
        "model": m,
        "pipeline": p,
        "post_model_stages": stats(post_ms),
        "ratio_median": p["median_ms"] / m["median_ms"],
        "ratio_mean": p["mean_ms"] / m["mean_ms"],
        "jitter": jitter_report(tracks, switches),
        "jitter_after_clicks": jitter_report(tracks, clicks),
    }


#: shoulders, elbows, wrists, hips, knees
JITTER_POINTS = [11, 12, 13, 14, 15, 16, 23, 24, 25, 26]


def jitter_per_frame(track: list) -> np.ndarray:
    """Per frame t: median over confident body points of |x(t+1) − 2 x(t) + x(t−1)| (image
    pixels) in % of the body size; NaN where the person is missing in any of the three frames
    or followed under another track. A second difference cancels steady motion, so it measures
    the frame-to-frame shake of the shown landmarks."""
    from posture_feedback.person import body_scale

    out = np.full(len(track), np.nan)
    for t in range(1, len(track) - 1):
        a, b, c = track[t - 1], track[t], track[t + 1]
        if a is None or b is None or c is None or not (a.track_id == b.track_id == c.track_id):
            continue
        ok = np.min([x.confidence()[JITTER_POINTS] for x in (a, b, c)], axis=0) >= 0.5
        if ok.sum() < 3:
            continue
        d2 = c.xy[JITTER_POINTS] - 2 * b.xy[JITTER_POINTS] + a.xy[JITTER_POINTS]
        out[t] = 100 * float(np.median(np.linalg.norm(d2[ok], axis=1))) / body_scale(b)
    return out


def jitter_report(tracks: dict[str, list], switches: list[int], window: int = 15) -> dict:
    """Median jitter (% body size) over all frames, and over the ``window`` frames after each
    hand-over from the multi-person model to the follower; for the multi-person model on every
    frame (``multi``) on the same frames."""
    after = sorted({t for s in switches for t in range(s, s + window)})
    rep = {"switches": len(switches)}
    for name, track in tracks.items():
        if not track:
            continue
        j = jitter_per_frame(track)
        sel = j[[t for t in after if t < len(j)]] if after else np.array([])
        rep[name] = {"all_median": float(np.nanmedian(j)), "all_frames": int(np.isfinite(j).sum()),
                     "after_switch_median": float(np.nanmedian(sel)) if np.isfinite(sel).any() else None,
                     "after_switch_frames": int(np.isfinite(sel).sum())}  # fmt: skip
    return rep


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=sample_video("sports2d_demo.mp4"))
    parser.add_argument("--frames", type=int, default=230)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--max-people", type=int, default=2)
    parser.add_argument("--follow", action="store_true", help="follow one person at single-person cost (follow.py)")
    parser.add_argument("--clicks", default="100,160",
                        help="with --follow: frames at which the largest other person is clicked (a switch of person)")
    parser.add_argument("--preset", default="standing", help="target preset evaluated by the pipeline ('' = none)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "pipeline.json")
    args = parser.parse_args()
    rows = [bench_size(args.video, size, args) for size in SIZES]
    print(f"{'size':<10}{'frames':>7}{'model med':>11}{'p95':>7}{'pipe med':>10}{'p95':>7}"
          f"{'post med':>10}{'ratio med':>11}{'ratio mean':>11}")  # fmt: skip
    for r in rows:
        jit = r["jitter"]
        line = ", ".join(f"{k} {v['all_median']:.2f}% (after a hand-over {v['after_switch_median'] or math.nan:.2f}%,"
                         f" {v['after_switch_frames']} frames)"
                         for k, v in jit.items() if isinstance(v, dict))  # fmt: skip
        print(f"{r['size']}: jitter, median |second difference| of body points in % body size: {line};"
              f" {jit['switches']} hand-overs")  # fmt: skip
        jc = r["jitter_after_clicks"]
        after = ", ".join(f"{k} {v['after_switch_median'] or math.nan:.2f}% ({v['after_switch_frames']} frames)"
                          for k, v in jc.items() if isinstance(v, dict))  # fmt: skip
        print(f"{r['size']}: jitter in the 15 frames after {jc['switches']} clicks on another person: {after}")
    for r in rows:
        print(f"{r['size']:<10}{r['frames']:>7}{r['model']['median_ms']:>11.2f}{r['model']['p95_ms']:>7.2f}"
              f"{r['pipeline']['median_ms']:>10.2f}{r['pipeline']['p95_ms']:>7.2f}"
              f"{r['post_model_stages']['median_ms']:>10.2f}"
              f"{r['ratio_median']:>11.3f}{r['ratio_mean']:>11.3f}")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"python": sys.version.split()[0], "machine": platform.machine(), "cpus": os.cpu_count(),
            "max_people": args.max_people, "follow": args.follow, "video": args.video.name}  # fmt: skip
    args.out.write_text(json.dumps({"meta": meta, "results": rows}, indent=2))
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    from posture_feedback.native_logs import run_with_python_only_stderr

    sys.exit(run_with_python_only_stderr(run))  # only our own lines on stderr, as the CLI
