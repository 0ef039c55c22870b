#!/usr/bin/env python3
"""How far the person method's body axis is from the true vertical (developer check).

``calibrate camera --method person`` takes the camera's roll from the image direction of the body
axis (mid-ankle or mid-hip → mid-shoulder) and its pitch from the same axis in the model's world
landmarks (``calibration.camera.estimate_camera``). Its stated ± was twice the frame-to-frame
spread alone, so a still image stated ±0.1–0.2°. This measures the model's own error against the
true vertical of the 4-camera reference (``reference.npz``'s ``up_cam``), per frame, over the
frames ``estimate_camera`` keeps, for captures where a person stands:

* cam01 and cam02 (the man, front-oblique and front), as recorded and mirrored (a mirror image has
  the same pitch and the opposite roll);
* the woman in a 528×640 crop of cam04 at (560, 340) (she stands upright, arms moving), as
  recorded and mirrored, and frame 50 of it held still for 105 frames at 30 fps, and its mirror.

cam03 (the man balancing, from the back) is printed too but left out of the pooled figures: his
axis moves 10–20° (the spread rule refuses it); cam04's man is beyond the ±30° roll limit.
The pooled 95th percentile of |error| per axis is ``camera.PERSON_MODEL_ERROR_DEG``.

    python bench/person_vertical.py [--accuracy-dir ../shared/accuracy]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posture_feedback.calibration import camera as C  # noqa: E402
from posture_feedback.calibration.capture import capture_results  # noqa: E402
from posture_feedback.calibration.vertical import roll_pitch_of  # noqa: E402

WOMAN_BOX = (560, 340, 528, 640)  # x, y, w, h in cam04 pixels
STILL_FRAME = 50
POOLED = ("cam01", "cam01_m", "cam02", "cam02_m", "woman04", "woman04_m")


def _write(path: Path, frames: list[np.ndarray], fps: float) -> Path:
    import cv2

    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        out.write(f)
    out.release()
    return path


def _read(path: Path) -> tuple[list[np.ndarray], float]:
    import cv2

    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS)
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f)
    return frames, fps


def captures(accuracy: Path, folder: Path) -> dict[str, tuple[Path, float, float]]:
    """name → (video, true roll, true pitch) in degrees."""
    ref = np.load(accuracy / "data" / "reference.npz")
    truth = {v: roll_pitch_of(ref["up_cam"][i]) for i, v in enumerate(ref["views"])}
    out = {}
    for view in ("cam01", "cam02", "cam03"):
        frames, fps = _read(accuracy / "data" / "videos" / f"{view}.mp4")
        roll, pitch = truth[view]
        out[view] = (accuracy / "data" / "videos" / f"{view}.mp4", roll, pitch)
        out[view + "_m"] = (_write(folder / f"{view}_m.mp4", [f[:, ::-1] for f in frames], fps), -roll, pitch)
    frames, fps = _read(accuracy / "data" / "videos" / "cam04.mp4")
    x, y, w, h = WOMAN_BOX
    woman = [np.ascontiguousarray(f[y : y + h, x : x + w]) for f in frames]
    roll, pitch = truth["cam04"]
    out["woman04"] = (_write(folder / "woman04.mp4", woman, fps), roll, pitch)
    out["woman04_m"] = (_write(folder / "woman04_m.mp4", [f[:, ::-1] for f in woman], fps), -roll, pitch)
    still = woman[STILL_FRAME]
    out["still_woman"] = (_write(folder / "still.mp4", [still] * 105, 30.0), roll, pitch)
    out["still_woman_m"] = (_write(folder / "still_m.mp4", [still[:, ::-1]] * 105, 30.0), -roll, pitch)
    return out


def frame_errors(video: Path, roll: float, pitch: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per axis: (roll errors, pitch errors) in degrees over the frames ``estimate_camera`` keeps."""
    results, _ = capture_results(video, seconds=3.0)
    axes = [C._frame_axes(r.landmarks, C.MIN_CONFIDENCE) for r in results if r.landmarks is not None]
    out = {}
    for key in ("ankle", "hip"):
        pairs = [a[key] for a in axes if key in a]
        if len(pairs) < C.MIN_FRAMES:
            continue
        img = np.array([p[0] for p in pairs])
        wld = np.array([p[1] for p in pairs])
        r = C.image_tilt_deg(img)
        wn = wld / np.linalg.norm(wld, axis=1, keepdims=True)
        p = np.degrees(np.arcsin(np.clip(-wn[:, 2], -1.0, 1.0)))
        keep = C.robust_keep(r)
        out[key] = (r[keep] - roll, p[keep] - pitch)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accuracy-dir", type=Path, default=ROOT.parent / "shared" / "accuracy")
    a = ap.parse_args()
    pooled: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {"ankle": [], "hip": []}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (video, roll, pitch) in captures(a.accuracy_dir, Path(tmp)).items():
            for axis, (er, ep) in frame_errors(video, roll, pitch).items():
                sd_r, sd_p = float(er.std(ddof=1)), float(ep.std(ddof=1))
                stated = C.person_uncertainty_pair(sd_r, sd_p, axis)
                p95_r, p95_p = (float(np.percentile(np.abs(e), 95)) for e in (er, ep))
                print(f"{name:14s} {axis:5s} {len(er):3d} frames: mean error roll {er.mean():+5.1f}° pitch "
                      f"{ep.mean():+5.1f}° (SD {sd_r:4.1f} / {sd_p:4.1f}; P95 |error| {p95_r:4.1f} / {p95_p:4.1f}); "
                      f"± now {stated[0]:4.1f} / {stated[1]:4.1f}, before {2 * math.hypot(sd_r, sd_p):4.1f}")
                if name in POOLED:
                    pooled[axis].append((er, ep))
    for axis, parts in pooled.items():
        er = np.abs(np.concatenate([p[0] for p in parts]))
        ep = np.abs(np.concatenate([p[1] for p in parts]))
        q = lambda v: " / ".join(f"{x:.1f}" for x in np.percentile(v, [90, 95, 99, 100]))  # noqa: E731
        print(f"pooled {axis} ({len(er)} frames), |error| P90 / P95 / P99 / max: roll {q(er)}; pitch {q(ep)}")


if __name__ == "__main__":
    main()
