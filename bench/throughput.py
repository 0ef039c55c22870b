#!/usr/bin/env python3
"""Benchmark: ``posture-feedback analyze`` throughput on a recording, and how it scales with length.

The bundled sample is concatenated with itself 1×, 4× and 16× into temporary videos (re-encoded
once with OpenCV, same size and frame rate). Each is analysed by the real command line in a fresh
process (``posture-feedback analyze --video VIDEO --out CSV``), and for each run we record:

* wall time of the whole process (start-up, model load, decoding, pipeline, CSV) in seconds;
* frames per second end to end, and the command's own processing rate (printed in its summary,
  start-up excluded);
* per-frame cost in milliseconds (processing only): flat across lengths means linear scaling;
* the process's peak resident memory (MB), from ``wait4``'s rusage: flat means no per-frame
  state kept for the whole video.

Writes ``bench/results/throughput.json``.

    python bench/throughput.py [--factors 1 4 16] [--video PATH] [--max-people 2]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

from posture_feedback.resources import sample_video

RESULTS = Path(__file__).resolve().parent / "results"
_spec = importlib.util.spec_from_file_location("bench_common", Path(__file__).with_name("common.py"))
common = importlib.util.module_from_spec(_spec)  # bench/common.py, loaded by path: bench/ is not a package
_spec.loader.exec_module(common)


def concatenate(video: Path, factors: list[int], out_dir: Path) -> dict[int, Path]:
    """Write ``video`` repeated k times for every k in ``factors`` (one decoding pass); returns k → path."""
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    cap.release()
    writers = {
        k: cv2.VideoWriter(str(out_dir / f"loop{k}x.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), fps, size) for k in factors
    }
    for lap in range(max(factors)):
        cap = cv2.VideoCapture(str(video))
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            for k, w in writers.items():
                if lap < k:
                    w.write(frame)
        cap.release()
    for w in writers.values():
        w.release()
    return {k: out_dir / f"loop{k}x.mp4" for k in factors}


def count_frames(path: Path) -> int:
    cap = cv2.VideoCapture(str(path))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    return n


def run_analyze_rss(video: Path, out_csv: Path, max_people: int, model: str) -> dict:
    """One ``analyze`` process: wall seconds, its printed processing rate, peak RSS (MB) and CPU seconds."""
    cmd = [sys.executable, "-m", "posture_feedback.cli", "analyze", "--video", str(video), "--out", str(out_csv),
           "--no-progress", "--max-people", str(max_people), "--model", model]  # fmt: skip
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"analyze failed ({proc.returncode}): {errors.strip()[-500:]}")
    m = re.search(r"frames: (\d+).*?processing: ([\d.]+) frames/s \(([\d.]+) ms/frame\)", text)
    if not m:
        raise RuntimeError(f"cannot parse the analyze summary: {text[:300]}")
    frames = int(m.group(1))
    return {
        "frames": frames,
        "wall_s": wall,
        "end_to_end_fps": frames / wall,
        "processing_fps": float(m.group(2)),
        "processing_ms_per_frame": float(m.group(3)),
        "peak_rss_mb": usage.ru_maxrss / 1024.0,  # Linux: kilobytes
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=sample_video("sports2d_demo.mp4"))
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--max-people", type=int, default=2)
    parser.add_argument("--model", default="full")
    parser.add_argument("--out", type=Path, default=RESULTS / "throughput.json")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="pf-throughput-") as tmp:
        t0 = time.perf_counter()
        videos = concatenate(args.video, sorted(set(args.factors)), Path(tmp))
        print(f"concatenated {sorted(videos)}× in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        for k, path in sorted(videos.items()):
            r = run_analyze_rss(path, Path(tmp) / f"loop{k}x.csv", args.max_people, args.model)
            r["factor"] = k
            r["video_frames"] = count_frames(path)
            rows.append(r)
            print(f"{k:>3}×  frames {r['frames']:>6}  wall {r['wall_s']:7.1f} s  end-to-end {r['end_to_end_fps']:6.1f} "
                  f"frames/s  processing {r['processing_ms_per_frame']:6.2f} ms/frame  peak RSS "
                  f"{r['peak_rss_mb']:6.0f} MB", file=sys.stderr)  # fmt: skip
    base = rows[0]
    for r in rows:
        r["per_frame_cost_vs_shortest"] = r["processing_ms_per_frame"] / base["processing_ms_per_frame"]
    longest = rows[-1]
    extra_frames = longest["frames"] - base["frames"]
    rss_per_1000 = (longest["peak_rss_mb"] - base["peak_rss_mb"]) / extra_frames * 1000 if extra_frames else 0.0
    doc = {
        "meta": common.machine_meta(video=args.video.name, max_people=args.max_people, model=args.model),
        "results": rows,
        "summary": {
            "per_frame_cost_ratio_longest_vs_shortest": longest["per_frame_cost_vs_shortest"],
            "peak_rss_growth_mb_per_1000_frames": rss_per_1000,
        },
    }
    return common.write_result(args.out, doc)


if __name__ == "__main__":
    main()
