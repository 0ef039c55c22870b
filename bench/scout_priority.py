#!/usr/bin/env python3
"""Benchmark: the follower's model call beside a multi-person pass, pass at the same or a lower priority.

Outside Qt, so that only the two models share the cores: the single-person model (VIDEO mode)
runs on the sports sample paced as a 30 fps camera on this thread, and every 0.5 s a
multi-person pass (IMAGE mode) runs on a worker thread whose model was made at nice 0, or at
nice +10 (``thread_priority.lower_thread_priority``), or no pass runs. The three take turns,
150 frames each, ``--rounds`` times. Prints the follower's call median / p95 (ms) over all frames,
frames with a pass beside them, and frames without.

    python bench/scout_priority.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posture_feedback.pose import PoseEstimator, PoseOptions, RunningMode  # noqa: E402
from posture_feedback.thread_priority import lower_thread_priority  # noqa: E402
from posture_feedback.types import Frame  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--video", type=Path, default=ROOT / "sample_videos" / "sports2d_demo.mp4")
    args = parser.parse_args()
    cap = cv2.VideoCapture(str(args.video))
    frames = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(cv2.resize(image, (640, 360)))  # the sample's aspect ratio
    cap.release()
    pools = {n: ThreadPoolExecutor(1, initializer=lower_thread_priority, initargs=(n,)) for n in (0, 10)}
    scouts = {n: pools[n].submit(PoseEstimator, PoseOptions(max_people=2, mode=RunningMode.IMAGE)).result()
              for n in (0, 10)}  # fmt: skip
    results: dict[str, list[tuple[float, bool]]] = {"nice 0": [], "nice 10": [], "no pass": []}
    ts, fi = 0.0, 0
    for _ in range(args.rounds):
        for name, nice in (("nice 0", 0), ("nice 10", 10), ("no pass", None)):
            follower = PoseEstimator(PoseOptions(max_people=1, mode=RunningMode.VIDEO))
            pending, last = None, -1e9
            t0 = time.perf_counter()
            for k in range(150):
                image = frames[fi % len(frames)]
                fi += 1
                while time.perf_counter() < t0 + k / 30:
                    time.sleep(0.001)
                now = time.perf_counter()
                if nice is not None and now - last >= 0.5 and (pending is None or pending.done()):
                    pending, last = pools[nice].submit(scouts[nice].detect, Frame(image, k, ts, now, "bench")), now
                busy = pending is not None and not pending.done()
                a = time.perf_counter()
                ts += 1 / 30
                follower.detect(Frame(image, k, ts, a, "bench"))
                b = time.perf_counter()
                busy = busy or (pending is not None and not pending.done())
                if k >= 10:
                    results[name].append(((b - a) * 1000.0, busy))
            follower.close()
    for pool in pools.values():
        pool.shutdown()
    for scout in scouts.values():
        scout.close()

    def q(v: np.ndarray) -> str:
        return f"{np.percentile(v, 50):.1f} / {np.percentile(v, 95):.1f}" if len(v) else "-"

    print(f"follower model call, median / p95 ms, {args.rounds} rounds × 150 frames at 30 fps, 640×360")
    for name, xs in results.items():
        ms = np.array([x for x, _ in xs])
        busy = np.array([b for _, b in xs])
        print(f"{name:>8}: all {q(ms)} | beside a pass ({busy.sum()} frames) {q(ms[busy])} | without {q(ms[~busy])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
