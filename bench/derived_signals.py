#!/usr/bin/env python3
"""The exercise signals derived from landmarks, against the 4-camera reference (developer check).

``exercises.signals.derived_signals`` computes image-plane measures (trunk lean to the pelvis,
neck side-bend, arm raise, ear–shoulder gap, knee valgus, ankle separation, foot lift) and one
world-landmark measure (knee lift). An exercise counts repetitions on some of them, so each needs
an uncertainty whose coverage has been checked, as the canonical angles have.

For each of the accuracy set's two people in each of its 4 views, the product pipeline follows
the person (``--person``-style start where the default start follows the other one) and the
signals are computed from its smoothed landmarks; the same function is given the reference's
triangulated landmarks projected into that view with its calibration (image points; the world
points in the camera's axes, metres, for knee lift). So the definitions are the same on both
sides and the error is the model's landmark error. Frames where either side is NaN (side views
for the frontal signals) are left out.

Per signal: the 80th percentile of |error| over all frames (the half-width an 80% interval
needs), the coverage that half-width has in each person-view, and the coverage when it is fitted
on the 3 other views (leave one view out).

    python bench/derived_signals.py [--accuracy-dir ../shared/accuracy] [--cache DIR]

Writes ``bench/results/derived_signals.json``. About 3 minutes on 2 cores (8 pipeline runs).
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
VIEWS = ("cam01", "cam02", "cam03", "cam04")
PEOPLE = ("main", "second")
#: Where to start following a person (pixel of the first frame) where the default start follows
#: the other one (as bench/sagittal_face_on.py).
START_AT = {
    ("main", "cam01"): (417, 610),
    ("main", "cam02"): (584, 650),
    ("second", "cam03"): (260, 702),
    ("second", "cam04"): (764, 608),
}
COVERAGE = 0.8
#: Frames (60 fps: 0.25 s) whose median is the person's "resting" value for the change measures
#: (an exercise with ``baseline_s`` counts the change from the person's own start).
BASELINE_FRAMES = 15


def load_common():
    spec = importlib.util.spec_from_file_location("bench_common", ROOT / "bench" / "common.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def product_frames(video: Path, start: tuple[int, int] | None, cache: Path) -> dict[str, np.ndarray]:
    """The followed person's smoothed landmarks per frame (image, world, visibility, presence), the
    view and the image size; cached as npz."""
    if cache.exists():
        return dict(np.load(cache))
    from posture_feedback.pipeline import Pipeline, PipelineOptions, options_for_source
    from posture_feedback.sources import open_source
    from posture_feedback.types import ANGLE_NAMES

    cols: dict[str, list] = {k: [] for k in ("img", "world", "vis", "pres", "view", "unc", "valid")}
    size = (0, 0)
    with open_source(video) as src, Pipeline(options_for_source(PipelineOptions(), src)) as pipe:
        if start is not None:
            pipe.start_with_person_at(start)
        for frame in src:
            r = pipe.process(frame)
            size = (r.frame.width, r.frame.height)
            lmk = r.landmarks
            cols["img"].append(np.full((33, 3), np.nan) if lmk is None else lmk.image)
            cols["world"].append(np.full((33, 3), np.nan) if lmk is None else lmk.world)
            cols["vis"].append(np.zeros(33) if lmk is None else lmk.visibility)
            cols["pres"].append(np.zeros(33) if lmk is None else lmk.presence)
            cols["view"].append(str(r.view))
            cols["unc"].append(np.asarray(r.angles.uncertainty, float)[: len(ANGLE_NAMES)])
            cols["valid"].append(np.asarray(r.angles.valid, bool)[: len(ANGLE_NAMES)])
    out = {k: np.array(v) for k, v in cols.items()}
    out["size"] = np.array(size)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(cache, **out)
    return out


def reference_points(acc: Path, person: str, view: str) -> tuple[np.ndarray, np.ndarray]:
    """The reference's landmarks in ``view``: (T,33,2) pixels and (T,33,3) camera axes (metres)."""
    sys.path.insert(0, str(acc))
    import acclib as A  # noqa: N812
    import cv2

    X = np.load(acc / "data" / "reference.npz")[f"{person}_X"]  # (T,33,3) metres, world z up
    cam = A.load_qca()[view]
    rvec, _ = cv2.Rodrigues(cam["R"])
    flat = np.nan_to_num(X.reshape(-1, 3))
    px, _ = cv2.projectPoints(flat, rvec, cam["t"], cam["K"], cam["dist"])
    px = px.reshape(X.shape[0], 33, 2)
    cam_xyz = np.einsum("ij,tkj->tki", cam["R"], X) + np.asarray(cam["t"]).reshape(1, 1, 3)
    bad = ~np.isfinite(X).all(-1)
    px[bad] = np.nan
    cam_xyz[bad] = np.nan
    return px, cam_xyz


def other_person(img: np.ndarray, ref_px: np.ndarray) -> bool:
    """True where the followed person's mid-shoulder is more than one reference shoulder width from
    the reference person's (projected): the pipeline follows someone else (or nobody) there. On
    cam03 the second person is not detected for the first 31 frames and the pipeline takes the
    other person until frame 80: those frames measure who is followed, not the landmarks."""
    mid, ref_mid = 0.5 * (img[11, :2] + img[12, :2]), 0.5 * (ref_px[11] + ref_px[12])
    width = float(np.linalg.norm(ref_px[11] - ref_px[12]))
    if not (np.isfinite(mid).all() and np.isfinite(ref_mid).all() and math.isfinite(width)):
        return True
    return float(np.linalg.norm(mid - ref_mid)) > max(width, 1.0)


def signals_of(img: np.ndarray, world: np.ndarray, vis: np.ndarray, pres: np.ndarray, size, view: str) -> dict:
    from posture_feedback.exercises.signals import derived_signals
    from posture_feedback.types import Landmarks, View

    seen = np.isfinite(img[:, :2]).all(axis=1) & np.isfinite(world).all(axis=1)
    if not seen.any():
        return {}
    # a landmark the reference did not triangulate (or the model did not give) is not confident
    img, world = np.nan_to_num(img), np.nan_to_num(world)
    vis, pres = np.where(seen, vis, 0.0), np.where(seen, pres, 0.0)
    lmk = Landmarks(image=img, world=world, visibility=vis, presence=pres, image_size=(int(size[0]), int(size[1])))
    return derived_signals(lmk, View(view))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accuracy-dir", type=Path, default=ROOT.parent / "shared" / "accuracy")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/posture-feedback-accuracy/derived"))
    a = ap.parse_args()
    common = load_common()
    acc = common.accuracy_set(a.accuracy_dir, "derived_signals.py")
    from posture_feedback.exercises.signals import DERIVED_NAMES, derived_base

    errors: dict[str, dict[str, np.ndarray]] = {n: {} for n in DERIVED_NAMES}
    others: dict[str, int] = {}
    changes: dict[str, dict[str, np.ndarray]] = {n: {} for n in DERIVED_NAMES}
    for person in PEOPLE:
        for view in VIEWS:
            key = f"{view} {person}"
            prod = product_frames(acc / "data" / "videos" / f"{view}.mp4", START_AT.get((person, view)),
                                  a.cache / f"{view}_{person}.npz")  # fmt: skip
            px, xyz = reference_points(acc, person, view)
            n = min(len(prod["img"]), len(px))
            per: dict[str, list[float]] = {s: [] for s in DERIVED_NAMES}
            others[key] = 0
            for k in range(n):
                if other_person(prod["img"][k], px[k]):  # the pipeline followed someone else here
                    others[key] += 1
                    continue
                v = str(prod["view"][k])
                got = signals_of(prod["img"][k], prod["world"][k], prod["vis"][k], prod["pres"][k], prod["size"], v)
                ref_img = np.zeros((33, 3))
                ref_img[:, :2] = px[k]
                mid_hip = 0.5 * (xyz[k, 23] + xyz[k, 24])
                # camera axes are x right, y down, z away: the model's world axes (origin at mid-hip)
                ref = signals_of(ref_img, xyz[k] - mid_hip, np.ones(33), np.ones(33), prod["size"], v)
                for s in DERIVED_NAMES:
                    g, r = got.get(s, math.nan), ref.get(s, math.nan)
                    if math.isfinite(g) and math.isfinite(r):
                        per[s].append(g - r)
            for s in DERIVED_NAMES:
                if per[s]:
                    errors[s][key] = np.asarray(per[s])
                    e = errors[s][key]
                    if e.size > BASELINE_FRAMES:  # the change from the person's own start
                        changes[s][key] = e[BASELINE_FRAMES:] - np.median(e[:BASELINE_FRAMES])

    results = {}
    for s in DERIVED_NAMES:
        by_clip = errors[s]
        if not by_clip:
            continue
        pooled = np.abs(np.concatenate(list(by_clip.values())))
        half = float(np.quantile(pooled, COVERAGE))
        lovo = {}
        for view in VIEWS:
            fit = [np.abs(e) for k, e in by_clip.items() if not k.startswith(view)]
            test = [np.abs(e) for k, e in by_clip.items() if k.startswith(view)]
            if fit and test:
                h = float(np.quantile(np.concatenate(fit), COVERAGE))
                lovo[view] = float(np.mean(np.concatenate(test) <= h))
        results[s] = {
            "frames": int(pooled.size),
            "half_width_80": half,
            "mae": float(pooled.mean()),
            "per_clip": {k: {"n": int(e.size), "mae": float(np.abs(e).mean()), "bias": float(e.mean()),
                             "coverage": float(np.mean(np.abs(e) <= half))} for k, e in by_clip.items()},  # fmt: skip
            "leave_one_view_out_coverage": lovo,
        }
        cover = [c["coverage"] for c in results[s]["per_clip"].values()]
        print(f"{s:30s} n {pooled.size:4d}  80% half-width {half:7.3f}  MAE {pooled.mean():7.3f}  "
              f"coverage per clip {min(cover):.0%}-{max(cover):.0%}  "
              f"leave-one-view-out {', '.join(f'{v} {c:.0%}' for v, c in lovo.items())}")  # fmt: skip
    # The product's ± per measure (exercises.signals.DERIVED_UNCERTAINTY): both sides pooled.
    pooled: dict[str, float] = {}
    pooled_change: dict[str, float] = {}
    for base in sorted({derived_base(s) for s in results}):
        errs = [np.abs(e) for s in DERIVED_NAMES if derived_base(s) == base for e in errors[s].values()]
        pooled[base] = float(np.quantile(np.concatenate(errs), COVERAGE))
        ch = [np.abs(e) for s in DERIVED_NAMES if derived_base(s) == base for e in changes[s].values()]
        pooled_change[base] = float(np.quantile(np.concatenate(ch), COVERAGE)) if ch else math.nan
        print(f"  {base:30s} both sides: 80% half-width {pooled[base]:.3f}; "
              f"of the change from the first {BASELINE_FRAMES} frames {pooled_change[base]:.3f}")
    print("frames without the reference person followed (nobody, or someone else): "
          + ", ".join(f"{k} {v}" for k, v in others.items()))
    common.write_result(ROOT / "bench" / "results" / "derived_signals.json",
                        {"meta": common.machine_meta(coverage=COVERAGE), "frames_not_followed": others,
                         "half_width_80_both_sides": pooled,
                         "change_half_width_80_both_sides": pooled_change, "signals": results})  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
