#!/usr/bin/env python3
"""The laptop coach's signals at the posture monitor's rate, following the person or not (developer check).

The posture monitor processes ``ACTIVE_FPS`` = 10 frames/s. This feeds every 3rd frame of the
accuracy set's laptop-webcam crops (30 frames/s; three interleaved passes, offsets 0, 1, 2) to the
pipeline with the multi-person model on every frame, and with following (the single-person model
and a periodic multi-person pass, the app's default at 30 frames/s), and compares the signals with
the reference's 3D change (``bench/laptop_signals.py``'s ``world_signals``): Pearson r from crop
frame 10 on over the frames the monitor reads (none in the model's first 8 frames of a person,
``FrameResult.acquiring``, as the monitor), neutral from the first 3 frames it reads.

    python bench/monitor_rate.py [--accuracy-dir ../shared/accuracy]

Then the CPU share of each at 10 frames/s, the bundled desk sample playing in real time
(``--cpu-seconds``, default 20 s each).

Writes ``bench/results/monitor_rate.json``. About 2 minutes.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SIGNALS = ("lean_in", "head_drop", "shoulder_raise", "shoulder_lift")
STEP = 3  # 30 → 10 frames/s


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def frames(video: Path) -> list[np.ndarray]:
    import cv2

    cap, out = cv2.VideoCapture(str(video)), []
    while True:
        ok, image = cap.read()
        if not ok:
            return out
        out.append(image)


def run(
    images: list[np.ndarray], ref3: dict, follow: bool, offset: int, median_s: float | None = None
) -> dict[str, float]:
    """r of each signal against the reference's 3D change for one interleaved pass (``median_s``:
    the causal median's window; default the monitor's, ``laptop_signals.raw_median_window_s``)."""
    from posture_feedback import laptop_signals as LS
    from posture_feedback.follow import FollowOptions
    from posture_feedback.pipeline import Pipeline, PipelineOptions
    from posture_feedback.types import Frame

    idx = list(range(offset, len(images), STEP))
    window = LS.raw_median_window_s(30.0 / STEP) if median_s is None else median_s
    raws, median = [], LS.RawMedian(window)
    with Pipeline(PipelineOptions(follow=FollowOptions(enabled=follow))) as pipe:
        for k in idx:
            r = pipe.process(Frame(images[k], k, k / 30.0, 0.0, "crop"))
            raw = dict.fromkeys(LS.RAW_NAMES, math.nan)
            if r.acquiring:  # the model's first frames: the monitor reads nothing, nor feeds its median
                raws.append(raw)
                continue
            if r.person_found:
                raw = LS.raw_signals(r.people[r.target_index], r.view)
            raws.append(median.update(k / 30.0, raw))
    # neutral: the first 3 frames the monitor reads (after the model's first frames, as its guided start)
    read = [x for x in raws if math.isfinite(x.get("shoulder_width_px", math.nan))]
    neutral = LS.neutral_from_frames(read[:3], min_frames=1)
    rel = [LS.relative_signals(x, neutral) for x in raws]
    out = {}
    for name in SIGNALS:
        p, q = np.array([d[name] for d in rel]), ref3[name][idx]
        ok = np.isfinite(p) & np.isfinite(q) & (np.array(idx) >= 10)
        out[name] = float(np.corrcoef(p[ok], q[ok])[0, 1]) if ok.sum() > 5 else math.nan
    return out


def cpu_share(follow: bool, seconds: float, fps: float = 10.0) -> dict[str, float]:
    """CPU time of this process over wall time (1.0 = one core) while the bundled desk sample plays
    in real time (a webcam stand-in, newest frame wins) and the pipeline takes a frame every
    1/``fps`` s, as the monitor's worker paces itself; the multi-person pass of following runs on
    a worker thread (``background``), as live. After a 3 s warm-up."""
    import time

    from posture_feedback.follow import FollowOptions
    from posture_feedback.pipeline import Pipeline, PipelineOptions
    from posture_feedback.resources import sample_video
    from posture_feedback.sources import open_source

    options = PipelineOptions(follow=FollowOptions(enabled=follow, background=follow))
    source = open_source(sample_video("lab_desk_webcam.mp4"), realtime=True, loop=True)
    try:
        with Pipeline(options) as pipe:

            def run_for(s: float) -> int:
                n, end, due = 0, time.perf_counter() + s, time.perf_counter()
                while time.perf_counter() < end:
                    pipe.process(source.read())
                    n += 1
                    due += 1.0 / fps
                    time.sleep(max(0.0, due - time.perf_counter()))
                return n

            run_for(3.0)
            c0, w0 = time.process_time(), time.perf_counter()
            frames = run_for(seconds)
            dc, dw = time.process_time() - c0, time.perf_counter() - w0
    finally:
        source.close()
    return {"cpu_share_of_one_core": dc / dw, "processed_fps": frames / dw, "seconds": dw}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accuracy-dir", type=Path, default=ROOT.parent / "shared" / "accuracy")
    ap.add_argument("--cpu-seconds", type=float, default=20.0, help="per CPU measurement (0 = skip)")
    ap.add_argument("--median-s", type=float, help="causal median window over the raw quantities, seconds "
                    "(default: the monitor's, laptop_signals.raw_median_window_s(10))")
    ap.add_argument("--only", choices=("multi-person", "following"), help="one mode only")
    a = ap.parse_args()
    common, laptop = load("common"), load("laptop_signals")
    acc = common.accuracy_set(a.accuracy_dir, "monitor_rate.py")
    results: dict[str, dict] = {}
    for crop in ("upper", "desk"):
        images = frames(acc / "data" / "webcam" / f"{crop}.mp4")
        _, ref_x = laptop.reference_crop_points(acc, crop)
        ref3 = laptop.world_signals(ref_x, 6, 10)
        for follow in (False, True):
            if a.only and a.only != ("following" if follow else "multi-person"):
                continue
            runs = [run(images, ref3, follow, off, a.median_s) for off in range(STEP)]
            mean = {n: float(np.nanmean([r[n] for r in runs])) for n in SIGNALS}
            results[f"{crop} {'following' if follow else 'multi-person'}"] = {"mean_r": mean, "per_offset": runs}
            cells = [f"{n} {mean[n]:+.2f} ({' '.join(f'{r[n]:+.2f}' for r in runs)})" for n in SIGNALS]
            print(f"{crop:5s} {'following   ' if follow else 'multi-person'} " + "  ".join(cells))
    cpu = {}
    if a.cpu_seconds > 0:
        for follow in (False, True):
            key = "following" if follow else "multi-person"
            cpu[key] = cpu_share(follow, a.cpu_seconds)
            print(f"CPU at 10 frames/s on the desk sample, {key}: {cpu[key]['cpu_share_of_one_core']:.0%} of one core "
                  f"({cpu[key]['processed_fps']:.1f} frames/s processed)")  # fmt: skip
    variant = a.median_s is not None or a.only
    out = ROOT / "bench" / "results" / ("monitor_rate_variant.json" if variant else "monitor_rate.json")
    common.write_result(out,
                        {"meta": common.machine_meta(step=STEP, median_s=a.median_s), "results": results,
                         "cpu": cpu})  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
