#!/usr/bin/env python3
"""The upper-body exercise signals against the 4-camera reference (developer check).

For the laptop-webcam crops of the front view in ``../shared/accuracy/data/webcam`` (``desk``: head
to the lower ribs, hips OUT of view; ``upper``: head to mid-thigh; 640×480, 30 fps, 100 frames), the
product's pipeline runs on the video (cached with ``bench/laptop_signals.py``'s cache) and
``exercises.signals.upper_body_signals`` gives ``left/right_arm_raise``, ``neck_bend_right`` and
``ear_shoulder_gap`` per frame (the tracked person's landmarks before smoothing, the pipeline's view).
They are compared with

* **projected**: the reference's 3D landmarks projected into the crop (as ``bench/laptop_signals.py``),
  through the same function: checks the landmarks, not the definition;
* **3D**: what each signal stands for, in the world (metres, z up). Arm raise: in the person's
  frontal plane (spanned by the shoulder line and the trunk line mid-hip → mid-shoulder: the
  reference has the hips), the angle of the upper arm from the shoulder line's normal pointing
  away from the head, towards that side (the man leans his trunk up to 43°, so an angle from the
  *vertical* would measure the lean, not the arm; the product's signal is relative to the shoulder
  line, i.e. the body). Neck bend right = elevation of the ear line minus that of the shoulder
  line; ear–shoulder gap = the ears' mean height above their own shoulders, % of the shoulder width.

Then the exercises are counted on the product's frames and on the 3D reference's values
(``ExerciseTracker``, the front view, the clip's 30 fps times): ``seated_arm_raise`` per side
(absolute phases) and the baseline-relative ones (first 2 s of the clip as rest).

    python bench/upper_body_exercises.py [--accuracy-dir ../shared/accuracy]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posture_feedback.exercises.library import get_exercise  # noqa: E402
from posture_feedback.exercises.signals import upper_body_signals  # noqa: E402
from posture_feedback.exercises.tracker import ExerciseTracker  # noqa: E402
from posture_feedback.types import Landmarks, View  # noqa: E402

NAMES = ("left_arm_raise", "right_arm_raise", "neck_bend_right", "ear_shoulder_gap")
FPS = 30.0


def _bench_laptop():
    spec = importlib.util.spec_from_file_location("bench_laptop", ROOT / "bench" / "laptop_signals.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def product_series(d: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], list[View]]:
    size = tuple(int(v) for v in d["size"])
    out = {k: [] for k in NAMES}
    views = []
    for i in range(len(d["raw_img"])):
        img = d["raw_img"][i]
        view = View(str(d["view"][i]))
        views.append(view)
        s = dict.fromkeys(NAMES, math.nan)
        if np.isfinite(img).all() and view in (View.FRONT, View.BACK):
            lmk = Landmarks(image=img, world=img / 1000, visibility=d["raw_vis"][i], presence=d["raw_pres"][i],
                            image_size=size)  # fmt: skip
            s.update(upper_body_signals(lmk))
        for k in NAMES:
            out[k].append(s[k])
    return {k: np.array(v) for k, v in out.items()}, views


def projected_series(px: np.ndarray) -> dict[str, np.ndarray]:
    out = {k: [] for k in NAMES}
    for p in px:
        ok = np.isfinite(p).all(-1)
        image = np.zeros((33, 3))
        image[:, :2] = np.nan_to_num(p)
        conf = ok.astype(float)
        s = upper_body_signals(Landmarks(image=image, world=image / 1000, visibility=conf, presence=conf,
                                         image_size=(640, 480)))  # fmt: skip
        for k in NAMES:
            out[k].append(s[k])
    return {k: np.array(v) for k, v in out.items()}


def world_series(X: np.ndarray) -> dict[str, np.ndarray]:
    up = np.array([0.0, 0.0, 1.0])
    L, R = X[:, 11], X[:, 12]
    sh = L - R
    w = np.linalg.norm(sh, axis=1)

    def elev(v):
        horiz = np.linalg.norm(v - (v @ up)[:, None] * up, axis=1)
        return np.degrees(np.arctan2(v @ up, horiz))

    out = {}
    across = sh / w[:, None]  # towards the person's left
    trunk = (L + R) / 2 - (X[:, 23] + X[:, 24]) / 2
    head_side = trunk - np.sum(trunk * across, 1)[:, None] * across  # the shoulder line's normal in the frontal plane
    head_side /= np.linalg.norm(head_side, axis=1, keepdims=True)
    for side, s_i, e_i, sign in (("left", 11, 13, 1.0), ("right", 12, 14, -1.0)):
        arm = X[:, e_i] - X[:, s_i]
        a = np.degrees(np.arctan2(sign * np.sum(arm * across, 1), -np.sum(arm * head_side, 1)))
        out[f"{side}_arm_raise"] = np.where(a < -90, a + 360, a)
    out["neck_bend_right"] = elev(X[:, 7] - X[:, 8]) - elev(sh)
    out["ear_shoulder_gap"] = 100 * (((X[:, 7] - L) @ up) + ((X[:, 8] - R) @ up)) / 2 / w
    return out


def compare(pred: np.ndarray, ref: np.ndarray) -> dict[str, float]:
    both = np.isfinite(pred) & np.isfinite(ref)
    res = {"coverage": float(np.isfinite(pred).mean()), "n": int(both.sum())}
    if both.sum() >= 5:
        p, q = pred[both], ref[both]
        res.update(r=float(np.corrcoef(p, q)[0, 1]), mae=float(np.mean(np.abs(p - q))),
                   ref_min=float(np.min(q)), ref_max=float(np.max(q)))  # fmt: skip
    return res


def count(name: str, side: str, values: dict[str, np.ndarray], views: list[View] | None = None) -> dict:
    tr = ExerciseTracker(get_exercise(name), side)
    n = len(next(iter(values.values())))
    for i in range(n):
        vals = {k: float(v[i]) for k, v in values.items()}
        tr.update(i / FPS, vals, views[i] if views else View.FRONT)
    return {"count": tr.count, "reps": [(round(r.start_t, 2), round(r.end_t, 2), r.verdict.value, round(r.peak, 1))
                                        for r in tr.reps]}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accuracy-dir", type=Path, default=ROOT.parent / "shared" / "accuracy")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/posture_feedback_bench_laptop"))
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "upper_body_exercises.json")
    a = ap.parse_args()
    acc = a.accuracy_dir.resolve()
    if not (acc / "data" / "reference.npz").exists():
        print(f"bench/upper_body_exercises.py: error: no accuracy set at {acc}", file=sys.stderr)
        return 2
    BL = _bench_laptop()
    results: dict[str, dict] = {}
    for crop in ("desk", "upper"):
        d = BL.product_landmarks(acc / "data" / "webcam" / f"{crop}.mp4", a.cache / f"{crop}.npz")
        pred, views = product_series(d)
        ref_px, ref_X = BL.reference_crop_points(acc, crop)
        proj = projected_series(ref_px)
        world = world_series(ref_X)
        res: dict[str, dict] = {"signals": {}, "counts": {}}
        print(f"== {crop}: views {', '.join(f'{v.value} {views.count(v)}' for v in sorted(set(views), key=str))}")
        for k in NAMES:
            res["signals"][k] = {"projected": compare(pred[k], proj[k]), "3d": compare(pred[k], world[k])}
            p, w3 = res["signals"][k]["projected"], res["signals"][k]["3d"]
            nan = math.nan
            print(f"  {k:18s} coverage {p['coverage']:.0%}  vs projected r {p.get('r', nan):.2f} "
                  f"MAE {p.get('mae', nan):.1f}  vs 3D r {w3.get('r', nan):.2f} MAE {w3.get('mae', nan):.1f} "
                  f"(3D range {w3.get('ref_min', nan):.0f}..{w3.get('ref_max', nan):.0f})")  # fmt: skip
        runs = (("seated_arm_raise", "left"), ("seated_arm_raise", "right"), ("neck_side_bend", "left"),
                ("neck_side_bend", "right"), ("shoulder_rolls", "both"))  # fmt: skip
        for name, side in runs:
            ours = count(name, side, pred, views)
            ref = count(name, side, world)
            res["counts"][f"{name}:{side}"] = {"product": ours, "reference_3d": ref}
            print(f"  {name}:{side:5s} product {ours['count']} {ours['reps']}  reference {ref['count']} {ref['reps']}")
        results[crop] = res
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=1))
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
