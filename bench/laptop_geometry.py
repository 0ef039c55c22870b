#!/usr/bin/env python3
"""The laptop coach's signal *definitions* seen by a laptop-like webcam (developer check).

``bench/laptop_signals.py`` checks the signals on crops of cam02, a camera 18° above and 3 m in
front of the person. A laptop webcam is different: about 0.7 m in front, near shoulder height,
looking slightly up at the face. Here the 4-camera reference's 3D landmarks (person ``main``)
are projected into such a virtual camera (pinhole, 640×480, 70° diagonal field of view, principal
point at the centre, aimed at the neutral head), the very same ``raw_signals`` /
``relative_signals`` are computed from the projections, and each is compared (Pearson r) with
what it stands for in 3D (``laptop_signals.world_signals`` with this camera's position). No
model is involved: this checks the definitions under the use case's geometry; the model's
landmark error comes on top (``bench/laptop_signals.py``).

Camera heights relative to the neutral mid-shoulder point: ``--heights`` (metres, default
-0.1,0.1,0.3: below the shoulders, between shoulders and chin, at eye level); distance ``--distance``.

    python bench/laptop_geometry.py [--accuracy-dir ../shared/accuracy] [--distance 0.7]
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


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_laptop_signals", ROOT / "bench" / "laptop_signals.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def look_at(centre: np.ndarray, target: np.ndarray) -> np.ndarray:
    """World → camera rotation (rows: camera x right, y down, z forward), world z up."""
    z = target - centre
    z /= np.linalg.norm(z)
    x = np.cross(z, [0.0, 0.0, 1.0])
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    return np.vstack([x, y, z])


def project(X: np.ndarray, centre: np.ndarray, R: np.ndarray, f: float, size=(640, 480)) -> np.ndarray:
    """(T,33,3) world metres → (T,33,2) pixels; NaN where missing or behind the camera."""
    c = (X - centre) @ R.T
    with np.errstate(invalid="ignore", divide="ignore"):
        px = f * c[..., :2] / c[..., 2:3] + np.array(size) / 2.0
    px[~(c[..., 2] > 0.05)] = np.nan
    return px


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accuracy-dir", type=Path, default=ROOT.parent / "shared" / "accuracy")
    ap.add_argument("--distance", type=float, default=0.7, help="camera in front of the neutral shoulders (m)")
    ap.add_argument("--heights", default="-0.1,0.1,0.3", help="camera heights above the neutral shoulders (m)")
    ap.add_argument("--neutral-frames", type=int, default=6)
    ap.add_argument("--neutral-start", type=int, default=10)
    a = ap.parse_args()
    acc = a.accuracy_dir.resolve()
    if not (acc / "data" / "reference.npz").exists():
        print(f"bench/laptop_geometry.py: error: no accuracy set at {acc}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(acc))
    import acclib as A  # noqa: N812

    bench = _bench_module()
    X = np.load(acc / "data" / "reference.npz")["main_X"]  # (100,33,3) metres, z up, 60 fps
    n0, k0 = a.neutral_frames, a.neutral_start
    neutral = slice(k0, k0 + n0)
    shoulders = np.nanmean((X[neutral, 11] + X[neutral, 12]) / 2, axis=0)
    head = np.nanmean((X[neutral, 0] + X[neutral, 7] + X[neutral, 8]) / 3, axis=0)
    toward = A.load_qca()["cam02"]["centre"] - shoulders  # he faces cam02
    toward[2] = 0.0
    toward /= np.linalg.norm(toward)
    f = 0.5 * math.hypot(640, 480) / math.tan(math.radians(35.0))
    print(f"virtual laptop webcam {a.distance:g} m in front of the neutral shoulders, 640×480, 70° diagonal, "
          f"aimed at the neutral head; r of the image signal against its 3D meaning ({len(X)} frames)")  # fmt: skip
    print(f"{'height (m)':>10s} " + " ".join(f"{k:>14s}" for k in LS.SIGNAL_NAMES))
    for dz in (float(v) for v in a.heights.split(",")):
        centre = shoulders + a.distance * toward + np.array([0.0, 0.0, dz])
        R = look_at(centre, head)
        px = project(X, centre, R, f)
        proj = bench.series([bench.raw_from_points(p) for p in px], n0, k0)
        world = bench.world_signals(X, n0, k0, cam_centre=centre)
        rs = [bench.compare(proj[k], world[k])["r"] for k in LS.SIGNAL_NAMES]
        print(f"{dz:>10.2f} " + " ".join(f"{r:>14.2f}" for r in rs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
