#!/usr/bin/env python3
"""Benchmark: CPU time per frame of each pose path, all threads counted, paths in turn.

``bench/pipeline.py`` times the main thread only: the following path's multi-person passes run on
a worker thread (the other core) and are not in its figures. This bench charges every path with
all the CPU it uses: ``time.process_time()`` (every thread of the process: ours, MediaPipe's graph
threads, the worker thread) over one pass through the same decoded frames, divided by the frames.
Paths, each a fresh ``Pipeline`` with the *standing* targets, run in turn ``--rounds`` times, so
that all see the same machine (its speed drifts by a third within an hour):

* **model**: the bare single-person model (BGR→RGB + ``detect_for_video``), the least any caller
  pays for landmarks;
* **single**: the whole pipeline with the single-person model (``--max-people 1``);
* **follow**: the app's default live path: one person followed with the single-person model, the
  multi-person pass, probes and spare models on the worker thread (``follow.py``);
* **multi**: the multi-person model on every frame (``--no-follow``).

The first ``--warmup`` frames of each pass are not counted (model start-up); the pass ends when the
worker thread's queued jobs have finished, so their CPU is counted. Prints CPU and wall ms per
frame (median over rounds) and the ratios to the model; writes ``bench/results/cpu_cost.json``.

    python bench/cpu_cost.py [--video PATH] [--frames 230] [--rounds 3] [--sizes 640x480,1280x720]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parents[1]
PATHS = ("model", "single", "follow", "multi")


def load_bench(name: str):
    """A sibling bench script as a module (``bench/`` is not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def drain(pipeline) -> None:
    """Wait until the following path's worker-thread jobs (multi-person pass, probe, spare) are done."""
    est = pipeline._estimator
    for pool in (getattr(est, "_scout_pool", None), getattr(est, "_pool", None)):
        if pool is not None:
            pool.submit(lambda: None).result()  # one worker each, first in first out


def one_pass(path: str, frames: list, warmup: int) -> tuple[float, float]:
    """CPU and wall milliseconds per counted frame of one pass of ``path`` over ``frames``."""
    import mediapipe as mp

    from posture_feedback.follow import FollowOptions
    from posture_feedback.pipeline import Pipeline, PipelineOptions
    from posture_feedback.pose import PoseEstimator, PoseOptions
    from posture_feedback.presets import get_preset
    from posture_feedback.types import Frame

    if path == "model":
        est = PoseEstimator(PoseOptions(max_people=1))
        raw = est._landmarker

        def step(f: Frame) -> None:
            rgb = cv2.cvtColor(f.image, cv2.COLOR_BGR2RGB)
            raw.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(f.timestamp_s * 1000))

        close, settle = est.close, (lambda: None)
    else:
        people = 1 if path == "single" else 2
        options = PipelineOptions(pose=PoseOptions(max_people=people),
                                  follow=FollowOptions(enabled=path == "follow", background=True))  # fmt: skip
        pipeline = Pipeline(options, get_preset("standing"))
        step, close = pipeline.process, pipeline.close
        settle = lambda: drain(pipeline)  # noqa: E731
    for f in frames[:warmup]:
        step(Frame(f.image, f.index, f.timestamp_s, time.perf_counter(), f.source))
    settle()
    c0, w0 = time.process_time(), time.perf_counter()
    for f in frames[warmup:]:
        step(Frame(f.image, f.index, f.timestamp_s, time.perf_counter(), f.source))
    settle()
    c1, w1 = time.process_time(), time.perf_counter()
    close()
    n = len(frames) - warmup
    return (c1 - c0) * 1000.0 / n, (w1 - w0) * 1000.0 / n


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--video", type=Path, default=ROOT / "sample_videos" / "sports2d_demo.mp4")
    parser.add_argument("--frames", type=int, default=230)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="640x480,1280x720")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "cpu_cost.json")
    args = parser.parse_args()
    common = load_bench("common")
    pipeline_bench = load_bench("pipeline")
    out: dict = {}
    for size_text in args.sizes.split(","):
        size = tuple(int(v) for v in size_text.split("x"))
        frames = pipeline_bench.load_frames(args.video, size, args.frames)
        runs: dict[str, list[tuple[float, float]]] = {p: [] for p in PATHS}
        for _ in range(args.rounds):
            for path in PATHS:
                runs[path].append(one_pass(path, frames, args.warmup))
        cpu = {p: statistics.median(c for c, _ in runs[p]) for p in PATHS}
        wall = {p: statistics.median(w for _, w in runs[p]) for p in PATHS}
        out[size_text] = {
            "frames_counted": len(frames) - args.warmup,
            "cpu_ms_per_frame": {p: round(v, 2) for p, v in cpu.items()},
            "cpu_ms_per_round": {p: [round(c, 2) for c, _ in runs[p]] for p in PATHS},
            "wall_ms_per_frame": {p: round(v, 2) for p, v in wall.items()},
            "cpu_ratio_to_model": {p: round(cpu[p] / cpu["model"], 3) for p in PATHS},
            "cpu_ratio_to_single": {p: round(cpu[p] / cpu["single"], 3) for p in PATHS},
            "cpu_ratio_follow_to_model_per_round": [round(f[0] / m[0], 3)
                                                    for f, m in zip(runs["follow"], runs["model"], strict=True)],
        }  # fmt: skip
    print(f"CPU ms per frame, all threads, median of {args.rounds} rounds ({args.video.name}); wall ms in brackets")
    print(f"{'size':<10}" + "".join(f"{p:>16}" for p in PATHS) + f"{'follow/model':>14}{'follow/single':>15}")
    for size_text, r in out.items():
        cells = "".join(f"{r['cpu_ms_per_frame'][p]:>8.2f} ({r['wall_ms_per_frame'][p]:>5.2f})" for p in PATHS)
        print(f"{size_text:<10}{cells}{r['cpu_ratio_to_model']['follow']:>14.3f}{r['cpu_ratio_to_single']['follow']:>15.3f}")
        print(f"{'':<10}follow/model per round: {r['cpu_ratio_follow_to_model_per_round']}")
    sys.stdout.flush()
    common.write_result(args.out, {"benchmark": "CPU per frame, all threads, paths in turn",
                                   "command": "python bench/cpu_cost.py " + " ".join(sys.argv[1:]),
                                   "meta": common.machine_meta(video=args.video.name, rounds=args.rounds),
                                   "results": out})  # fmt: skip
    return 0


if __name__ == "__main__":
    from posture_feedback.native_logs import run_with_python_only_stderr

    sys.exit(run_with_python_only_stderr(run))  # only our own lines on stderr, as the CLI
