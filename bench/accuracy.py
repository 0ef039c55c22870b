#!/usr/bin/env python3
"""Accuracy of the joint angles against the 4-camera reference in ../shared/accuracy (developer check).

Two sub-commands:

* ``product``: runs ``posture-feedback analyze --validity --uncertainty`` on the 4 views
  (cam01..cam04; ``--person 540,700`` in cam01/02 for ``main``) and scores the CSVs with the
  accuracy set's ``score.py --all`` for both persons (``main``, ``second``), with valid-only MAE
  and uncertainty coverage. This measures the whole tool: person selection, left/right fix,
  camera vertical, filtering, view, angles, validity and uncertainty.
* ``sources``: isolates the kinematics. The pose model runs once per view (VIDEO mode, 3
  poses; cached), the detection matching each reference person is taken (``baseline.py``'s
  ``matched`` selection), and ``kinematics.compute_angles`` runs on three landmark sources:

  - ``world``: MediaPipe's 3D world landmarks alone,
  - ``image``: the 2D image landmarks alone (pixels; depth set to 0; ``up`` projected on the
    image plane),
  - ``hybrid``: image x, y with world depth — what the product uses,

  each with a level camera (``up`` = (0, −1, 0)) and with the camera's true vertical
  (``up_cam`` from the reference, what a perfect camera calibration would give). Prints the
  per-angle MAE (degrees) per person and view, and the median over angles.

    python bench/accuracy.py product [--out DIR] [--rerun]
    python bench/accuracy.py sources [--cache DIR]

Both need the accuracy set at ``--accuracy-dir`` (default ``../shared/accuracy`` next to the
repository); ``sources`` also imports its helpers (numpy, opencv, mediapipe; no scipy).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
VIEWS = ("cam01", "cam02", "cam03", "cam04")
PERSONS = ("main", "second")


#: Where the reference's ``main`` person is (``--person``) in the views where he is not the
#: largest, most central person; elsewhere the default start follows him.
MAIN_AT = {"cam01": "540,700", "cam02": "540,700"}
#: Where ``second`` is in the views where the default start follows ``main`` (as
#: bench/sagittal_face_on.py). In cam03 she is not detected in the first 31 frames, and the
#: point is first inside the man's box: that run follows him for part of the clip.
SECOND_AT = {"cam03": "260,702", "cam04": "764,608"}


def product(acc: Path, out: Path, rerun: bool) -> None:
    """analyze (with --validity --uncertainty) on the 4 views, then score.py --all.

    ``main`` is scored on runs that follow him (``--person`` in cam01/02); ``second`` on runs
    that follow her (the default start in cam01/02, ``--person`` in cam03/04; until 2026-12-07
    the default start's runs, which follow *him* in cam03/04, so her figures there were the
    man's angles scored against her). score.py also prints the valid-only MAE and the
    uncertainty coverage per view.
    """
    exe = Path(sys.executable).with_name("posture-feedback")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "posture_feedback.cli"]
    for person, folder, at in (("main", out / "main", MAIN_AT), ("second", out / "second", SECOND_AT)):
        folder.mkdir(parents=True, exist_ok=True)
        for v in VIEWS:
            csv = folder / f"{v}.csv"
            if rerun or not csv.exists():
                video = acc / "data" / "videos" / f"{v}.mp4"
                extra = ["--person", at[v]] if v in at else []
                subprocess.run([*cmd, "analyze", "--video", str(video), "--out", str(csv), "--validity",
                                "--uncertainty", "--no-progress", *extra], check=True)  # fmt: skip
        print(f"\n=== product, person {person} ===", flush=True)
        subprocess.run([sys.executable, str(acc / "score.py"), "--all", str(folder), "--person", person], check=True)


def _variants(lms):
    """The landmark sources as Landmarks whose ``hybrid_points`` are that source."""
    world_as_image = lms.world * 1000.0  # a scaled copy of the world landmarks: hybrid = world
    flat = lms.world.copy()
    flat[:, 2] = 0.0  # no depth: hybrid = image x, y only
    return {
        "world": lms.with_arrays(image=world_as_image),
        "image": lms.with_arrays(world=flat),
        "hybrid": lms,
    }


def sources(acc: Path, cache: Path) -> None:
    sys.path.insert(0, str(acc))
    os.environ.setdefault("POSE_MODEL", str(ROOT / "models" / "pose_landmarker_full.task"))
    import acclib as A  # noqa: PLC0415  (the accuracy set's helpers)
    import score as S  # noqa: PLC0415
    from baseline import select  # noqa: PLC0415

    from posture_feedback.kinematics import compute_angles
    from posture_feedback.types import ANGLE_NAMES, Landmarks
    from posture_feedback.view import classify_view

    cache.mkdir(parents=True, exist_ok=True)
    ref = np.load(acc / "data" / "reference.npz")
    cams = A.load_qca()
    # mae[(source, up)][(person, view)] = (13,) MAE per angle
    mae: dict[tuple[str, str], dict[tuple[str, str], np.ndarray]] = {}
    for v in VIEWS:
        path = cache / f"pose_{v}_n3.npz"
        if not path.exists():
            print(f"running the pose model on {v} ...", flush=True)
            np.savez_compressed(path, **A.detect_video(str(acc / "data" / "videos" / f"{v}.mp4"), 3))
        det = dict(np.load(path))
        size = (int(det["size"][0]), int(det["size"][1]))
        up_cam = ref["up_cam"][list(ref["views"]).index(v)]
        for person in PERSONS:
            X = ref[f"{person}_X"]
            img, world = select(det, "matched", X, cams[v], A.projection_matrix(cams[v]))
            refang = S.load_reference(person)[0]
            T = len(img)
            vals: dict[tuple[str, str], np.ndarray] = {}
            for f in range(T):
                if not np.isfinite(img[f, 0, 0]):
                    continue
                lms = Landmarks(image=img[f, :, :3], world=world[f], visibility=img[f, :, 3],
                                presence=img[f, :, 4], image_size=size)  # fmt: skip
                for up_name, up in (("level", None), ("camera up", up_cam)):
                    view, az = classify_view(lms, up=up)
                    for src, variant in _variants(lms).items():
                        src_up = up
                        if src == "image" and up is not None:  # the vertical as seen in the image plane
                            src_up = np.array([up[0], up[1], 0.0]) / np.hypot(up[0], up[1])
                        table = compute_angles(variant, view, azimuth_deg=az, up=src_up)
                        vals.setdefault((src, up_name), np.full((T, len(ANGLE_NAMES)), np.nan))[f] = table.values
            for key, arr in vals.items():
                err = np.abs(arr - np.column_stack([refang[k] for k in ANGLE_NAMES]))
                with np.errstate(all="ignore"):
                    m = np.array([np.nanmean(e) if np.isfinite(e).sum() >= 5 else np.nan for e in err.T])
                mae.setdefault(key, {})[(person, v)] = m
    cols = [(p, v) for p in PERSONS for v in VIEWS]
    head = f"{'angle':26s}" + "".join(f"{p[:4]}-{v[-2:]:>3s}" for p, v in cols) + "  median"
    for key, table in mae.items():
        print(f"\n=== source {key[0]}, {key[1]}: MAE (deg) per person-view ===\n{head}")
        for i, name in enumerate(ANGLE_NAMES):
            row = [table[c][i] for c in cols]
            print(f"{name:26s}" + "".join(f"{x:8.1f}" for x in row) + f"{np.nanmedian(row):8.1f}")
        meds = [np.nanmedian(table[c]) for c in cols]
        print(f"{'median over angles':26s}" + "".join(f"{x:8.1f}" for x in meds) + f"{np.median(meds):8.1f}")
    print("\nSummary: median over person-views of the median MAE over angles (mean of all MAEs)")
    for key, table in mae.items():
        meds = [np.nanmedian(table[c]) for c in cols]
        print(f"  {key[0]:7s} {key[1]:10s} {np.median(meds):5.1f}  ({np.nanmean([table[c] for c in cols]):.1f})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=("product", "sources"))
    ap.add_argument("--accuracy-dir", type=Path, default=ROOT.parent / "shared" / "accuracy")
    ap.add_argument("--out", type=Path, default=Path("/tmp/posture-feedback-accuracy/product"))
    ap.add_argument("--cache", type=Path, default=Path("/tmp/posture-feedback-accuracy/cache"))
    ap.add_argument("--rerun", action="store_true", help="re-run analyze even if the CSVs exist")
    a = ap.parse_args()
    if not (a.accuracy_dir / "score.py").exists():
        ap.error(f"no accuracy set at {a.accuracy_dir} (give --accuracy-dir)")
    if a.command == "product":
        product(a.accuracy_dir, a.out, a.rerun)
    else:
        sources(a.accuracy_dir, a.cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
