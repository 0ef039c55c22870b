#!/usr/bin/env python3
"""The sagittal leans seen through depth, against the 4-camera reference (developer check).

``head_forward_lean`` and ``trunk_forward_lean`` are depth measurements seen face-on, from the
back or obliquely. This runs ``posture-feedback analyze --validity --uncertainty`` so that each
of the accuracy set's two people is followed in each of its 4 views (``--person`` where the
default start follows the other one), and on the two laptop-webcam crops of the front view
(``data/webcam/upper.mp4``, ``desk.mp4``; crop frame k is reference frame ``webcam.frame_map()[k]``),
then compares every frame with the reference: MAE, mean signed error (bias), the share of
frames whose error is within the CSV's ``unc_`` (meant to be 80%), the share marked valid, the
MAE of the valid frames, Pearson's r and the reference's SD (a constant at the reference's mean
would have an MAE of about 0.8 SD: where r is low, a small MAE says little). The reference's
median azimuth of the person (0 = camera in front, ±180 = behind) is printed with each row.

    python bench/sagittal_face_on.py [--accuracy-dir ../shared/accuracy] [--out DIR] [--rerun]

Writes ``bench/results/sagittal_face_on.json``. About 2 minutes on 2 cores (10 analyze runs).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import math
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
VIEWS = ("cam01", "cam02", "cam03", "cam04")
ANGLES = ("head_forward_lean", "trunk_forward_lean")
#: Where to start following a person (pixel of the first frame) where the default start follows
#: the other one: the reference's shoulders and hips projected into the view.
START_AT = {
    ("main", "cam01"): "417,610",
    ("main", "cam02"): "584,650",
    ("second", "cam03"): "260,702",
    ("second", "cam04"): "764,608",
}
VIEW_INDEX = {v: i for i, v in enumerate(VIEWS)}


def load_common():
    spec = importlib.util.spec_from_file_location("bench_common", ROOT / "bench" / "common.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def analyze(cmd: list[str], video: Path, out: Path, rerun: bool, extra: list[str]) -> None:
    """``cmd analyze`` on ``video`` into ``out`` (kept unless ``rerun``)."""
    if out.exists() and not rerun:
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([*cmd, "analyze", "--video", str(video), "--out", str(out), "--validity", "--uncertainty",
                    "--no-progress", *extra], check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def read_csv(path: Path, name: str, frames: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value, unc, valid) per CSV frame, NaN / False where nobody or no value."""
    value, unc, valid = np.full(frames, np.nan), np.full(frames, np.nan), np.zeros(frames, bool)
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            k = int(row["frame"])
            if k < frames and row["person"] == "1" and row[name] not in ("", "nan"):
                value[k], unc[k] = float(row[name]), float(row[f"unc_{name}"])
                valid[k] = row[f"valid_{name}"] == "1"
    return value, unc, valid


def reference(acc: Path, person: str, name: str) -> np.ndarray:
    out = np.full(100, np.nan)
    with open(acc / "data" / f"reference_{person}.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row[name] not in ("", "nan"):
                out[int(row["frame"])] = float(row[name])
    return out


def score(value: np.ndarray, unc: np.ndarray, valid: np.ndarray, ref: np.ndarray) -> dict[str, float]:
    both = np.isfinite(value) & np.isfinite(ref)
    if not both.any():
        return {"n": 0}
    err = value[both] - ref[both]
    ok = valid[both]
    return {
        "n": int(both.sum()),
        "mae": float(np.mean(np.abs(err))),
        "bias": float(np.mean(err)),
        "r": float(np.corrcoef(value[both], ref[both])[0, 1]) if both.sum() > 2 else math.nan,
        "ref_sd": float(np.std(ref[both])),
        "unc_cover": float(np.mean(np.abs(err) <= unc[both])),
        "valid_share": float(np.mean(ok)),
        "valid_mae": float(np.mean(np.abs(err[ok]))) if ok.any() else math.nan,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accuracy-dir", type=Path, default=ROOT.parent / "shared" / "accuracy")
    ap.add_argument("--out", type=Path, default=Path("/tmp/posture-feedback-accuracy/sagittal"))
    ap.add_argument("--rerun", action="store_true", help="re-run analyze even if the CSVs exist")
    a = ap.parse_args()
    common = load_common()
    acc = common.accuracy_set(a.accuracy_dir, "bench/sagittal_face_on.py")
    cmd = common.analyze_command()
    sys.path.insert(0, str(acc))
    import webcam  # noqa: PLC0415 (the accuracy set's own module)

    azimuth = np.load(acc / "data" / "reference.npz")
    rows: list[dict] = []
    for person in ("main", "second"):
        for v in VIEWS:
            at = START_AT.get((person, v))
            out = a.out / f"{person}_{v}.csv"
            analyze(cmd, acc / "data" / "videos" / f"{v}.mp4", out, a.rerun, ["--person", at] if at else [])
            az = float(np.nanmedian(azimuth[f"{person}_azimuth"][:, VIEW_INDEX[v]]))
            for name in ANGLES:
                got = score(*read_csv(out, name, 100), reference(acc, person, name))
                rows.append({"clip": f"{v} {person}", "azimuth": az, "angle": name, **got})
    fm = webcam.frame_map()
    for crop in ("upper", "desk"):
        out = a.out / f"webcam_{crop}.csv"
        analyze(cmd, acc / "data" / "webcam" / f"{crop}.mp4", out, a.rerun, [])
        az = float(np.nanmedian(azimuth["main_azimuth"][:, VIEW_INDEX["cam02"]]))
        for name in ANGLES:
            got = score(*read_csv(out, name, len(fm)), reference(acc, "main", name)[fm])
            rows.append({"clip": f"webcam {crop} main", "azimuth": az, "angle": name, **got})

    for name in ANGLES:
        print(f"\n{name}: clip, reference azimuth, MAE, bias, ± coverage, valid share, valid MAE (deg), r, ref SD")
        sel = [r for r in rows if r["angle"] == name and r["n"]]
        for r in sel:
            print(f"  {r['clip']:18s} {r['azimuth']:6.0f} {r['mae']:6.1f} {r['bias']:6.1f} {r['unc_cover']:5.0%} "
                  f"{r['valid_share']:5.0%} {r['valid_mae']:6.1f} {r['r']:5.2f} {r['ref_sd']:5.1f}")  # fmt: skip
        views = [r for r in sel if not r["clip"].startswith("webcam")]
        cover = np.average([r["unc_cover"] for r in sel], weights=[r["n"] for r in sel])
        print(f"  person-views: mean MAE {np.mean([r['mae'] for r in views]):.1f}, "
              f"median {np.median([r['mae'] for r in views]):.1f}; ± coverage over all rows {cover:.0%}")
    common.write_result(ROOT / "bench" / "results" / "sagittal_face_on.json",
                        {"meta": common.machine_meta(), "rows": rows})  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
