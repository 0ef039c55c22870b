#!/usr/bin/env python3
"""The laptop coach's person-relative signals against the 4-camera reference (developer check).

For each laptop-webcam crop of the front view in ``../shared/accuracy/data/webcam`` (``upper``:
head to mid-thigh; ``desk``: head to the lower ribs, hips out of view; 640×480), the product's
pipeline runs on the video and ``posture_feedback.laptop_signals`` computes every signal against
a neutral taken from the first ``--neutral-frames`` frames. The same quantities are computed
from the reference:

* **projected**: the reference's 3D landmarks (``reference.npz``, person ``main``) projected into
  cam02 with its calibration (``acclib.load_qca``, lens distortion included) and mapped through the
  crop box to the 640×480 frame, then the very same ``raw_signals`` / ``relative_signals`` with the
  neutral from the same first frames. This checks the landmarks, not the definition.
* **3D**: what each signal stands for, in the world (metres, z up): head drop = the fall of
  the nose/mid-ear mean below its neutral height above the shoulder mid-point, in shoulder widths;
  lean in = neutral camera distance of the shoulder mid-point / current − 1; face closer = the
  same for the mid-ear; shoulder raise = the fall of the ears' height above their shoulders, in
  shoulder widths; neck side-bend = change of the ear line's elevation minus the shoulder line's;
  head rotation = change of the nose's offset towards the left ear along the ear line, in ear
  distances; shoulder lift = rise of the shoulder mid-point, in neutral shoulder widths.

Prints, per crop and signal, Pearson's r and the MAE against both, the coverage, and the
frame-to-frame jitter of the product's signal (median |Δ|). Writes ``bench/results/laptop_signals.json``.

    python bench/laptop_signals.py [--accuracy-dir ../shared/accuracy] [--neutral-frames 6] [--neutral-start 0]
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

from posture_feedback import laptop_signals as LS  # noqa: E402
from posture_feedback.types import Landmarks, View  # noqa: E402

CROPS = ("upper", "desk")
CROP_FPS = 30.0  # the webcam crops: every 2nd frame of the 60 fps clip


def load_common():
    spec = importlib.util.spec_from_file_location("bench_common", ROOT / "bench" / "common.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def product_landmarks(video: Path, cache: Path, follow: bool = False) -> dict[str, np.ndarray]:
    """Per frame: the tracked person's smoothed image landmarks (T,33,3) and confidences (``img``,
    ``vis``, ``pres``), the same before smoothing (``raw_*``: ``FrameResult.people[target_index]``,
    after the left/right fix), the view and ``acquiring`` (the model's first frames of a newly followed
    person, ``FrameResult.acquiring``: the product measures nothing there, so neither does this
    bench); cached as npz. ``follow``: the pipeline follows the
    person with the single-person model as the app (and its monitor) do, not the multi-person
    model ``analyze`` uses by default."""
    if cache.exists():
        out = dict(np.load(cache))
        if "acquiring" in out:  # (a cache from before 2026-12-07 lacks it: rebuilt)
            return out
    from posture_feedback.follow import FollowOptions
    from posture_feedback.pipeline import PipelineOptions, iter_results

    keys = ("img", "vis", "pres", "raw_img", "raw_vis", "raw_pres", "view", "acquiring")
    cols: dict[str, list] = {k: [] for k in keys}
    size = (640, 480)
    for r in iter_results(video, PipelineOptions(follow=FollowOptions(enabled=follow))):
        size = (r.frame.width, r.frame.height)
        for prefix, lmk in (("", r.landmarks), ("raw_", r.people[r.target_index] if r.landmarks else None)):
            cols[prefix + "img"].append(np.full((33, 3), np.nan) if lmk is None else lmk.image)
            cols[prefix + "vis"].append(np.zeros(33) if lmk is None else lmk.visibility)
            cols[prefix + "pres"].append(np.zeros(33) if lmk is None else lmk.presence)
        cols["view"].append(str(r.view))
        cols["acquiring"].append(bool(r.acquiring))
    out = {k: np.array(v) for k, v in cols.items()}
    out["size"] = np.array(size)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(cache, **out)
    return out


def reference_crop_points(acc: Path, crop: str) -> tuple[np.ndarray, np.ndarray]:
    """The reference's landmarks per crop frame: (T,33,2) pixels of the 640×480 crop and (T,33,3) world (m, z up)."""
    sys.path.insert(0, str(acc))
    import acclib as A  # noqa: N812
    import cv2
    import webcam as W  # noqa: N812

    ref = np.load(acc / "data" / "reference.npz")
    X = ref["main_X"]  # (100,33,3) metres, z up
    cam = A.load_qca()["cam02"]
    rvec, _ = cv2.Rodrigues(cam["R"])
    flat = np.nan_to_num(X.reshape(-1, 3))
    px, _ = cv2.projectPoints(flat, rvec, cam["t"], cam["K"], cam["dist"])
    px = px.reshape(X.shape[0], 33, 2)
    px[~np.isfinite(X).all(-1)] = np.nan
    x, y, w, h = W.BOXES[crop]
    crop_px = (px - [x, y]) * [640.0 / w, 480.0 / h]
    fm = W.frame_map()
    return crop_px[fm], X[fm]


def raw_from_points(px: np.ndarray) -> dict[str, float]:
    """``raw_signals`` of 2D points (33,2) taken as fully confident, face-on (the reference)."""
    ok = np.isfinite(px).all(-1)
    image = np.zeros((33, 3))
    image[:, :2] = np.nan_to_num(px)
    conf = ok.astype(float)
    lmk = Landmarks(image=image, world=image / 1000, visibility=conf, presence=conf, image_size=(640, 480))
    return LS.raw_signals(lmk, View.FRONT)


def world_signals(
    X: np.ndarray, n0: int, start: int = 0, cam_centre: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """The 3D meaning of each signal (see the module docstring), change from the first ``n0`` frames.
    ``cam_centre``: the camera's position (metres, world; default cam02's)."""
    up = np.array([0.0, 0.0, 1.0])
    if cam_centre is None:
        cam_centre = sys.modules["acclib"].load_qca()["cam02"]["centre"]
    L, R = X[:, 11], X[:, 12]
    mid = (L + R) / 2
    w = np.linalg.norm(L - R, axis=1)
    le, re, nose = X[:, 7], X[:, 8], X[:, 0]
    mid_ear = (le + re) / 2
    head = ((nose + mid_ear) / 2 - mid) @ up / w
    dist_sh = np.linalg.norm(mid - cam_centre, axis=1)
    dist_ear = np.linalg.norm(mid_ear - cam_centre, axis=1)
    ear_sh = (((le - L) @ up) + ((re - R) @ up)) / 2 / w

    def elev(v):
        horiz = np.linalg.norm(v - (v @ up)[:, None] * up, axis=1)
        return np.degrees(np.arctan2(v @ up, horiz))

    tilt = elev(le - re) - elev(L - R)
    ears = le - re
    offset = np.sum((nose - mid_ear) * ears, axis=1) / np.sum(ears * ears, axis=1)
    base = lambda a: np.nanmean(a[start : start + n0])  # noqa: E731
    return {
        "head_drop": 100 * (base(head) - head),
        "lean_in": 100 * (base(dist_sh) / dist_sh - 1),
        "face_closer": 100 * (base(dist_ear) / dist_ear - 1),
        "shoulder_raise": 100 * (base(ear_sh) - ear_sh),
        "neck_side_bend": tilt - base(tilt),
        "head_rotation": 100 * (offset - base(offset)),
        "shoulder_lift": 100 * (mid[:, 2] - base(mid[:, 2])) / base(w),
    }


def series(raws: list[dict[str, float]], n0: int, start: int = 0) -> dict[str, np.ndarray]:
    neutral = LS.neutral_from_frames(raws[start : start + n0], min_frames=max(2, n0 // 2))
    rel = [LS.relative_signals(r, neutral) for r in raws]
    return {k: np.array([d[k] for d in rel]) for k in LS.SIGNAL_NAMES}


def compare(pred: np.ndarray, ref: np.ndarray, unc: float = math.nan) -> dict[str, float]:
    """Pearson r, MAE, and the share of frames whose error is within ``unc`` (the product's ±)."""
    both = np.isfinite(pred) & np.isfinite(ref)
    if both.sum() < 5:
        return {"r": math.nan, "mae": math.nan, "n": int(both.sum())}
    err = np.abs(pred[both] - ref[both])
    return {
        "r": float(np.corrcoef(pred[both], ref[both])[0, 1]),
        "mae": float(np.mean(err)),
        "n": int(both.sum()),
        "ref_range": float(np.ptp(ref[both])),
        "within_uncertainty": float(np.mean(err <= unc)) if math.isfinite(unc) else math.nan,
        "error_p90": float(np.percentile(err, 90)),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accuracy-dir", type=Path, default=ROOT.parent / "shared" / "accuracy")
    ap.add_argument("--neutral-frames", type=int, default=6, help="crop frames averaged for the neutral (default 6)")
    ap.add_argument("--neutral-start", type=int, default=0, help="first crop frame of the neutral (default 0)")
    ap.add_argument(
        "--landmarks",
        choices=("raw", "smoothed"),
        default="raw",
        help="the tracked person's landmarks before (raw, what laptop_signals uses) or after smoothing",
    )
    ap.add_argument("--median-s", type=float, default=LS.RAW_MEDIAN_S,
                    help="causal median window over the raw quantities, seconds (0 = none; default as the product)")
    ap.add_argument("--follow", action="store_true",
                    help="follow the person with the single-person model, as the app's monitor does")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/posture_feedback_bench_laptop"))
    ap.add_argument("--out", type=Path, help="result JSON (default bench/results/laptop_signals[_from<K>].json)")
    a = ap.parse_args()
    acc = load_common().accuracy_set(a.accuracy_dir, "bench/laptop_signals.py")
    n0 = a.neutral_frames
    results: dict[str, dict] = {}
    for crop in CROPS:
        cache = a.cache / f"{crop}{'_follow' if a.follow else ''}.npz"
        d = product_landmarks(acc / "data" / "webcam" / f"{crop}.mp4", cache, follow=a.follow)
        size = tuple(int(v) for v in d["size"])
        raws = []
        pre = "raw_" if a.landmarks == "raw" else ""
        median = LS.RawMedian(a.median_s)  # as the monitor and analyze --laptop-signals do
        for i in range(len(d["img"])):
            img = d[pre + "img"][i]
            raw = dict.fromkeys(LS.RAW_NAMES, math.nan)
            if d["acquiring"][i]:  # no reading while the model settles (as analyze and the monitor)
                raws.append(raw)
                continue
            if np.isfinite(img).all():
                lmk = Landmarks(image=img, world=img / 1000, visibility=d[pre + "vis"][i],
                                presence=d[pre + "pres"][i], image_size=size)  # fmt: skip
                raw = LS.raw_signals(lmk, View(str(d["view"][i])))
            raws.append(median.update(i / CROP_FPS, raw))
        k0 = a.neutral_start
        pred = series(raws, n0, k0)
        ref_px, ref_X = reference_crop_points(acc, crop)
        ref_proj = series([raw_from_points(p) for p in ref_px], n0, k0)
        ref_3d = world_signals(ref_X, n0, k0)
        res = {}
        for k in LS.SIGNAL_NAMES:
            p = pred[k]
            jitter = float(np.nanmedian(np.abs(np.diff(p)))) if np.isfinite(p).sum() > 2 else math.nan
            res[k] = {
                "unit": LS.SIGNALS[k],
                "coverage": float(np.isfinite(p).mean()),
                "jitter_median_abs_diff": jitter,
                "projected": compare(p, ref_proj[k], LS.SIGNAL_UNCERTAINTY.get(k, math.nan)),
                "3d": compare(p, ref_3d[k], LS.SIGNAL_UNCERTAINTY.get(k, math.nan)),
                "projected_vs_3d": compare(ref_proj[k], ref_3d[k]),
            }
        results[crop] = res
        print(f"{crop}: {'signal':15s} {'unit':17s} {'cover':>6s} {'r proj':>7s} {'MAE proj':>9s} "
              f"{'r 3D':>6s} {'MAE 3D':>7s} {'ref range':>9s} {'jitter':>7s}")  # fmt: skip
        for k, r in res.items():
            pj, w3 = r["projected"], r["3d"]
            print(f"{crop}: {k:15s} {r['unit']:17s} {r['coverage']:6.0%} {pj['r']:7.2f} {pj['mae']:9.2f} "
                  f"{w3['r']:6.2f} {w3['mae']:7.2f} {pj.get('ref_range', math.nan):9.2f} "
                  f"{r['jitter_median_abs_diff']:7.2f}")  # fmt: skip
    common = load_common()
    meta = common.machine_meta(neutral_frames=n0, neutral_start=a.neutral_start, landmarks=a.landmarks,
                               median_s=a.median_s, follow=a.follow)
    out = (
        a.out
        or ROOT / "bench" / "results"
        / f"laptop_signals{f'_from{a.neutral_start}' if a.neutral_start else ''}{'_follow' if a.follow else ''}.json"
    )
    common.write_result(out, {"meta": meta, "crops": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
