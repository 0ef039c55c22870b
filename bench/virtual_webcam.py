#!/usr/bin/env python3
"""Laptop-webcam framings rendered as a real camera would see them, scored against the reference.

The accuracy set's webcam crops (``data/webcam/upper.mp4``, ``desk.mp4``) cut a box out of cam02's
picture. A crop is not what a camera aimed at the person sees: its principal point lies far from
its centre (cam02 pitches 18° down; the crop's centre ray only 6–8°), and the model's depth, the
scene vertical and the line-of-sight correction all assume a centred one (docs/accuracy.md,
"The trunk line face-on"). A camera *turned* about its optical centre sees exactly a homography
of the original picture, so this renders, from cam02's video and calibration (lens distortion
removed), the picture of a **virtual webcam** at cam02's place: turned to look at the person's
upper body, no roll, principal point at the centre of a 640×480 image, focal length set so that
the framing is

* ``upper``: the top of the head to mid-thigh (hips in view);
* ``desk``: the top of the head to the lower ribs (hips out of view in every frame);

as the crops are, and played as they are (``webcam.frame_map()``: 30 frames/s, every 2nd frame
forward then back). Nothing but the direction and the focal length differs from cam02; the
person stays 3 m away (a laptop is 0.5–0.8 m away: its stronger perspective is not reproduced).

Each framing is analysed with ``posture-feedback analyze --validity --uncertainty
--laptop-signals`` twice: with the scene's vertical (the default) and with the virtual camera's
true vertical stored as a camera calibration (``--camera true``, in a private config folder).
Prints, per framing and vertical, the angles ``webcam.py`` scores (MAE, share of reference frames
with a value, valid-only MAE, share of valid cells, ± coverage), the laptop signals' Pearson r
against the reference's 3D change (``bench/laptop_signals.world_signals``: the camera's centre is
cam02's, so the 3D meaning is the crops') and against the reference's landmarks projected into
the virtual camera, and the virtual camera's pitch. Writes ``bench/results/virtual_webcam.json``.

    python bench/virtual_webcam.py [--accuracy-dir ../shared/accuracy] [--out DIR] [--rerun]

Also runs on the second clip's set (``bench/second_clip.sh`` makes it: ``--accuracy-dir
/tmp/pf_second_clip/acc``). About 1 minute on 2 cores (4 analyze runs of 100 frames).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posture_feedback import laptop_signals as LS  # noqa: E402

SIZE = (640, 480)
#: Framing: world points (metres, z up) at the top and bottom of the picture, from the reference's
#: median skeleton; the top is this far above the nose (the top of the head and a little room).
HEAD_ROOM_M = 0.22
#: Share of the image height the framing fills (the rest is margin, split top and bottom).
FILL = 0.92
ANGLES = ("head_forward_lean", "trunk_forward_lean", "trunk_lateral_lean", "trunk_inclination",
          "shoulder_tilt", "head_tilt")  # fmt: skip
FRAMINGS = ("upper", "desk")
VERTICALS = ("scene", "true")


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def look_at(centre: np.ndarray, target: np.ndarray) -> np.ndarray:
    """World → camera rotation (rows: camera x right, y down, z forward; world z up), no roll."""
    z = (target - centre) / np.linalg.norm(target - centre)
    x = np.cross(z, [0.0, 0.0, 1.0])
    x /= np.linalg.norm(x)
    return np.vstack([x, np.cross(z, x), z])


def framing_points(X: np.ndarray, framing: str) -> tuple[np.ndarray, np.ndarray]:
    """Top and bottom of the framing (world metres) from the median skeleton (T,33,3)."""
    med = np.nanmedian(X, axis=0)
    sh, hip, knee = (med[11] + med[12]) / 2, (med[23] + med[24]) / 2, (med[25] + med[26]) / 2
    top = med[0] + [0.0, 0.0, HEAD_ROOM_M]
    bottom = (hip + knee) / 2 if framing == "upper" else sh + 0.55 * (hip - sh)
    return top, bottom


def virtual_camera(cam: dict, X: np.ndarray, framing: str) -> dict:
    """The virtual webcam at ``cam``'s centre: world→camera rotation ``R``, intrinsics ``K``
    (principal point centred, no distortion), its true vertical as roll/pitch (degrees)."""
    top, bottom = framing_points(X, framing)
    R = look_at(cam["centre"], (top + bottom) / 2)
    ys = [(R @ (p - cam["centre"]))[1] / (R @ (p - cam["centre"]))[2] for p in (top, bottom)]
    f = FILL * SIZE[1] / (ys[1] - ys[0])
    K = np.array([[f, 0, (SIZE[0] - 1) / 2], [0, f, (SIZE[1] - 1) / 2], [0, 0, 1.0]])
    up = R @ np.array([0.0, 0.0, 1.0])
    return {
        "R": R, "K": K, "f": f, "up": up,
        "roll_deg": math.degrees(math.atan2(-up[0], -up[1])),
        "pitch_deg": math.degrees(math.asin(-up[2])),
    }  # fmt: skip


def render(video: Path, cam: dict, virt: dict, frame_map: np.ndarray, out: Path) -> None:
    """Write the virtual webcam's video: cam02's frames (``frame_map`` order, 30 frames/s),
    undistorted and turned; blurred first where the picture shrinks (no aliasing)."""
    import cv2

    frames = []
    cap = cv2.VideoCapture(str(video))
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    R_rel = virt["R"] @ cam["R"].T  # original camera axes → virtual camera axes
    m1, m2 = cv2.initUndistortRectifyMap(cam["K"], cam["dist"], R_rel, virt["K"], SIZE, cv2.CV_32FC1)
    shrink = cam["K"][0, 0] / virt["f"]
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, SIZE)
    for i in frame_map:
        src = frames[i]
        if shrink > 1.3:
            src = cv2.GaussianBlur(src, (0, 0), 0.45 * shrink)
        writer.write(cv2.remap(src, m1, m2, cv2.INTER_LINEAR))
    writer.release()


def write_true_camera(config_dir: Path, virt: dict) -> None:
    """Store the virtual camera's true vertical as camera calibration ``true`` (±0.5°)."""
    from posture_feedback.calibration.camera import CameraCalibration
    from posture_feedback.calibration.store import CalibrationStore

    cal = CameraCalibration(roll_deg=virt["roll_deg"], pitch_deg=virt["pitch_deg"], n_frames=1, axis="known",
                            camera="true", roll_uncertainty_deg=0.5, pitch_uncertainty_deg=0.5)  # fmt: skip
    CalibrationStore(config_dir / "calibrations.json").save_camera(cal)


def read_columns(path: Path, names: list[str]) -> dict[str, np.ndarray]:
    """CSV columns by name (NaN where empty), indexed by the CSV's frame number (100 frames)."""
    out = {k: np.full(100, np.nan) for k in names}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            f = int(float(row["frame"]))
            if not 0 <= f < 100 or str(row.get("person", "1")).strip() in ("0", "0.0"):
                continue
            for k in names:
                try:
                    out[k][f] = float(row.get(k) or "nan")
                except ValueError:
                    pass
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accuracy-dir", type=Path, default=ROOT.parent / "shared" / "accuracy")
    ap.add_argument("--out", type=Path, default=Path("/tmp/pf_virtual_webcam"), help="videos and CSVs")
    ap.add_argument("--result", type=Path, default=ROOT / "bench" / "results" / "virtual_webcam.json")
    ap.add_argument("--rerun", action="store_true", help="render and analyse again even where files exist")
    a = ap.parse_args()
    common = _load("bench_common", ROOT / "bench" / "common.py")
    acc = common.accuracy_set(a.accuracy_dir, "bench/virtual_webcam.py")
    sys.path.insert(0, str(acc))
    import acclib as A  # noqa: N812
    import score as S  # noqa: N812
    import webcam as W  # noqa: N812

    bench = _load("bench_laptop_signals", ROOT / "bench" / "laptop_signals.py")
    cam = A.load_qca()["cam02"]
    X = np.load(acc / "data" / "reference.npz")["main_X"]
    fm = W.frame_map()
    ref, _ = S.load_reference("main")
    seen = np.zeros(100, bool)
    seen[fm] = True
    ref = {k: np.where(seen, v, np.nan) for k, v in ref.items()}
    results: dict = {}
    for framing in FRAMINGS:
        virt = virtual_camera(cam, X, framing)
        video = a.out / f"{framing}.mp4"
        if a.rerun or not video.exists():
            render(acc / "data" / "videos" / "cam02.mp4", cam, virt, fm, video)
        config = a.out / f"config_{framing}"
        config.mkdir(parents=True, exist_ok=True)
        write_true_camera(config, virt)
        # What the signals stand for (3D, the camera's centre is cam02's) and the reference projected.
        Xf = X[fm]
        world = bench.world_signals(Xf, 6, 10, cam_centre=cam["centre"])
        cam_pts = (Xf - cam["centre"]) @ virt["R"].T
        with np.errstate(invalid="ignore", divide="ignore"):
            px = virt["K"][0, 0] * cam_pts[..., :2] / cam_pts[..., 2:3] + virt["K"][:2, 2]
        hips_in = np.isfinite(px[:, 23:25]).all(-1) & (px[:, 23:25, 1] < SIZE[1]) & (px[:, 23:25, 1] >= 0)
        projected = bench.series([bench.raw_from_points(p) for p in px], 6, 10)
        entry = {"pitch_deg": virt["pitch_deg"], "roll_deg": virt["roll_deg"], "focal_px": virt["f"],
                 "frames_with_hips_in_view": float(hips_in.any(-1).mean())}  # fmt: skip
        for vertical in VERTICALS:
            csv_path = a.out / f"{framing}_{vertical}.csv"
            if a.rerun or not csv_path.exists():
                extra = ["--camera", "true"] if vertical == "true" else []
                env = dict(os.environ, POSTURE_FEEDBACK_CONFIG_DIR=str(config))
                subprocess.run([*common.analyze_command(), "analyze", "--video", str(video), "--out", str(csv_path),
                                "--validity", "--uncertainty", "--laptop-signals", "--no-progress", *extra],
                               check=True, stdout=subprocess.DEVNULL, env=env)  # fmt: skip
            pred = S.load_pred(str(csv_path), 100, fm)
            scored = S.score(pred, ref, list(ANGLES))
            sig = read_columns(csv_path, list(LS.SIGNAL_NAMES))
            signals = {k: {"3d": bench.compare(sig[k], world[k], LS.SIGNAL_UNCERTAINTY.get(k, math.nan)),
                           "projected": bench.compare(sig[k], projected[k]),
                           "projected_vs_3d": bench.compare(projected[k], world[k])}
                       for k in LS.SIGNAL_NAMES}  # fmt: skip
            entry[vertical] = {"angles": scored, "signals": signals}
            print(f"{framing} ({vertical} vertical; camera pitch {virt['pitch_deg']:.1f}°, focal {virt['f']:.0f} px, "
                  f"hips in view in {entry['frames_with_hips_in_view']:.0%} of frames)")  # fmt: skip
            print(f"  {'angle':20s} {'MAE':>6s} {'cover':>6s} {'v-MAE':>6s} {'valid':>6s} {'±cov':>6s}")
            for k, r in scored.items():
                print(f"  {k:20s} {r['mae']:6.1f} {r['coverage']:6.0%} {r['valid_mae']:6.1f} "
                      f"{r['valid_share']:6.0%} {r['unc_cover']:6.0%}")  # fmt: skip
            print(f"  {'signal':20s} {'r 3D':>6s} {'r proj':>7s} {'proj~3D':>8s}")
            for k, s in signals.items():
                print(f"  {k:20s} {s['3d']['r']:6.2f} {s['projected']['r']:7.2f} {s['projected_vs_3d']['r']:8.2f}")
        results[framing] = entry
    meta = common.machine_meta(
        accuracy_dir=str(acc), neutral="reference: crop frames 10-15; analyze: the recording's first second"
    )
    common.write_result(a.result, json.loads(json.dumps({"meta": meta, "framings": results}, default=float)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
