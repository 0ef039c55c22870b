#!/usr/bin/env python3
"""The laptop coach's signals at the posture monitor's rate, following the person or not (developer check).

The posture monitor processes ``ACTIVE_FPS`` = 10 frames/s. This feeds every 3rd frame of the
accuracy set's laptop-webcam crops (30 frames/s; three interleaved passes, offsets 0, 1, 2) to the
pipeline with the multi-person model on every frame, and with following (the single-person model
and a periodic multi-person pass, the app's default at 30 frames/s), and compares the signals with
the reference's 3D change (``bench/laptop_signals.py``'s ``world_signals``): Pearson r from crop
frame 10 on (the model misplaces the head in the first frames), neutral from crop frames 10–16.

    python bench/monitor_rate.py [--accuracy-dir ../shared/accuracy]

Writes ``bench/results/monitor_rate.json``. About 1 minute.
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


def run(images: list[np.ndarray], ref3: dict, follow: bool, offset: int) -> dict[str, float]:
    from posture_feedback import laptop_signals as LS
    from posture_feedback.follow import FollowOptions
    from posture_feedback.pipeline import Pipeline, PipelineOptions
    from posture_feedback.types import Frame

    idx = list(range(offset, len(images), STEP))
    raws, median = [], LS.RawMedian(LS.RAW_MEDIAN_S)
    with Pipeline(PipelineOptions(follow=FollowOptions(enabled=follow))) as pipe:
        for k in idx:
            r = pipe.process(Frame(images[k], k, k / 30.0, 0.0, "crop"))
            raw = dict.fromkeys(LS.RAW_NAMES, math.nan)
            if r.person_found:
                raw = LS.raw_signals(r.people[r.target_index], r.view)
            raws.append(median.update(k / 30.0, raw))
    neutral = LS.neutral_from_frames([raws[j] for j, k in enumerate(idx) if 10 <= k <= 16], min_frames=1)
    rel = [LS.relative_signals(x, neutral) for x in raws]
    out = {}
    for name in SIGNALS:
        p, q = np.array([d[name] for d in rel]), ref3[name][idx]
        ok = np.isfinite(p) & np.isfinite(q) & (np.array(idx) >= 10)
        out[name] = float(np.corrcoef(p[ok], q[ok])[0, 1]) if ok.sum() > 5 else math.nan
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accuracy-dir", type=Path, default=ROOT.parent / "shared" / "accuracy")
    a = ap.parse_args()
    common, laptop = load("common"), load("laptop_signals")
    acc = common.accuracy_set(a.accuracy_dir, "monitor_rate.py")
    results: dict[str, dict] = {}
    for crop in ("upper", "desk"):
        images = frames(acc / "data" / "webcam" / f"{crop}.mp4")
        _, ref_x = laptop.reference_crop_points(acc, crop)
        ref3 = laptop.world_signals(ref_x, 6, 10)
        for follow in (False, True):
            runs = [run(images, ref3, follow, off) for off in range(STEP)]
            mean = {n: float(np.nanmean([r[n] for r in runs])) for n in SIGNALS}
            results[f"{crop} {'following' if follow else 'multi-person'}"] = {"mean_r": mean, "per_offset": runs}
            cells = [f"{n} {mean[n]:+.2f} ({' '.join(f'{r[n]:+.2f}' for r in runs)})" for n in SIGNALS]
            print(f"{crop:5s} {'following   ' if follow else 'multi-person'} " + "  ".join(cells))
    common.write_result(ROOT / "bench" / "results" / "monitor_rate.json",
                        {"meta": common.machine_meta(step=STEP), "results": results})  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
