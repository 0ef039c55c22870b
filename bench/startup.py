#!/usr/bin/env python3
"""Benchmark: start-up, from launch to the first feedback frame (median of ``--repeat`` runs).

* ``analyze``: ``posture-feedback analyze --video sample --max-frames 1`` — process start, imports, model
  load, first frame decoded and run through the pipeline, CSV written, exit;
* ``app``: ``posture-feedback --source sample --frames 1 --screenshot OUT.png`` (offscreen Qt) —
  the window, the worker, the first frame processed and shown, the screenshot saved, exit;
  measured only if the app is built.

And where the time goes, in a fresh process each: ``import posture_feedback.cli``, ``import mediapipe``,
``import cv2``, ``PyQt6.QtWidgets``, ``matplotlib``, creating the PoseLandmarker, and the first
inference (seconds).

Writes ``bench/results/startup.json``.

    python bench/startup.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
_spec = importlib.util.spec_from_file_location("bench_common", Path(__file__).with_name("common.py"))
common = importlib.util.module_from_spec(_spec)  # bench/common.py, loaded by path: bench/ is not a package
_spec.loader.exec_module(common)
CLI = [sys.executable, "-m", "posture_feedback.cli"]

# Runs in a fresh interpreter; prints JSON with seconds per step.
_BREAKDOWN = r"""
import json, sys, time
step = sys.argv[1]
t0 = time.perf_counter()
if step == "cli":
    import posture_feedback.cli
elif step == "mediapipe":
    import mediapipe
elif step == "cv2":
    import cv2
elif step == "qt":
    import PyQt6.QtWidgets
elif step == "matplotlib":
    import matplotlib.pyplot
elif step == "model":
    from posture_feedback.pose import PoseEstimator
    from posture_feedback.sources import open_source
    with open_source("sample:sports2d_demo.mp4") as src:
        for _ in range(60):  # a frame with the walker in view: detector and landmark network both run
            frame = src.read()
    t0 = time.perf_counter()
    est = PoseEstimator()
    t1 = time.perf_counter()
    est.detect(frame)
    t2 = time.perf_counter()
    print(json.dumps({"create_s": t1 - t0, "first_inference_s": t2 - t1}))
    est.close()
    sys.exit(0)
print(json.dumps({"s": time.perf_counter() - t0}))
"""


def _app_available() -> bool:
    try:
        import PyQt6.QtWidgets  # noqa: F401

        import posture_feedback.commands.app  # noqa: F401
    except ImportError:
        return False
    return True


def time_command(args: list[str], repeat: int, env: dict[str, str]) -> dict:
    """Median/min/max wall seconds of a command run ``repeat`` times in a temporary folder."""
    walls = []
    with tempfile.TemporaryDirectory(prefix="pf-startup-") as tmp:
        for _ in range(repeat):
            t0 = time.perf_counter()
            proc = subprocess.run([*CLI, *args], cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
            walls.append(time.perf_counter() - t0)
            if proc.returncode != 0:
                raise RuntimeError(f"{' '.join(args)} failed: {proc.stderr.strip()[-400:]}")
    return {"median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls), "runs_s": walls,
            "command": "posture-feedback " + " ".join(args)}  # fmt: skip


def breakdown(repeat: int, env: dict[str, str]) -> dict:
    out: dict[str, float] = {}
    steps = ["cli", "cv2", "mediapipe", "matplotlib", "model"] + (["qt"] if _app_available() else [])
    for step in steps:
        values: dict[str, list[float]] = {}
        for _ in range(repeat):
            proc = subprocess.run([sys.executable, "-c", _BREAKDOWN, step], env=env, capture_output=True, text=True,
                                  timeout=120)  # fmt: skip
            if proc.returncode != 0:
                raise RuntimeError(f"breakdown {step} failed: {proc.stderr.strip()[-300:]}")
            for k, v in json.loads(proc.stdout.strip().splitlines()[-1]).items():
                values.setdefault(k, []).append(v)
        for k, v in values.items():
            out[f"import_{step}_s" if k == "s" else f"model_{k}"] = statistics.median(v)
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "startup.json")
    args = parser.parse_args(argv)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    doc: dict = {"meta": common.machine_meta(repeat=args.repeat)}
    doc["analyze"] = time_command(
        ["analyze", "--video", "sample:sports2d_demo.mp4", "--max-frames", "1", "--out", "first.csv", "--no-progress"],
        args.repeat,
        env,
    )
    print(f"analyze, first frame: {doc['analyze']['median_s']:.2f} s (median of {args.repeat})", file=sys.stderr)
    if _app_available():
        doc["app"] = time_command(["--source", "sample:sports2d_demo.mp4", "--frames", "1", "--screenshot",
                                   "first.png", "--mute"], args.repeat, env)  # fmt: skip
        print(f"app, first frame shown: {doc['app']['median_s']:.2f} s (median of {args.repeat})", file=sys.stderr)
    doc["breakdown"] = breakdown(args.repeat, env)
    for k, v in doc["breakdown"].items():
        print(f"  {k}: {v:.2f} s", file=sys.stderr)
    return common.write_result(args.out, doc)


if __name__ == "__main__":
    main()
