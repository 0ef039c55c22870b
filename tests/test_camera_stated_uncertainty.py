"""A stored camera calibration's own ± travels with it: ``analyze --camera``, ``assess`` and the
capture steps use the roll and pitch ± it stated, not a flat 3° (or the roll's SD over √n); and a
scene calibration too uncertain to be of use is refused, as the person method's is.

Expectations are hand-worked from the stored record and the uncertainty model's own formula
(``kinematics.angle_uncertainty``: the vertical's roll enters the root sum as UNC_TILT · roll ·
cos φ, its pitch is added whole as UNC_TILT · pitch · sin φ), and the real model on the bundled
recording.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

from posture_feedback.calibration.camera import CameraCalibration
from posture_feedback.cli import main

#: The record ``calibrate camera data/webcam/desk.mp4 --name desk`` stored before 2026-12 (±16.9°,
#: stored as half the bound in both spreads, no stated ± of its own).
OLD_DESK = {"axis": "scene", "camera": "desk", "created_at": "2026-12-07T10:00:00+00:00", "n_frames": 8,
            "pitch_deg": 4.2, "pitch_spread": 8.46, "roll_deg": 1.5, "spread": 8.46}  # fmt: skip


def test_an_old_scene_record_states_twice_its_spread_for_roll_and_pitch():
    """±16.92° both ways; ``assess`` took 8.46 / √8 = 3.0 → its floor 3.0° before."""
    from posture_feedback.assessment.summary import camera_uncertainty

    cal = CameraCalibration.from_dict(OLD_DESK)
    assert cal.standard_error == pytest.approx(8.46 / math.sqrt(8))  # what assess used
    assert cal.up_uncertainty() == pytest.approx((16.92, 16.92))
    assert camera_uncertainty(cal) == pytest.approx(16.92)


def test_each_kind_of_calibration_states_its_own_pair():
    """Stated ± first; else by method: a person capture the larger of 2·SD and the model's error per
    roll and pitch (ankle axis 5.2° / 6.4°; SD 1 and 4: 5.2°, 8°), --roll DEG measures no pitch
    (roll 3°, pitch 20°, the level camera's), a skipped step 20° both; every figure at least 3°."""
    from posture_feedback.assessment.summary import camera_uncertainty

    stated = CameraCalibration(roll_deg=2.0, n_frames=8, axis="scene", roll_uncertainty_deg=4.0,
                               pitch_uncertainty_deg=9.0)  # fmt: skip
    assert stated.up_uncertainty() == (4.0, 9.0) and camera_uncertainty(stated) == 4.0
    person = CameraCalibration(spread=1.0, pitch_spread=4.0, n_frames=90, axis="ankle")
    assert person.up_uncertainty() == (5.2, 8.0)
    assert CameraCalibration(roll_deg=4.0, n_frames=1, axis="manual").up_uncertainty() == (3.0, 20.0)
    assert CameraCalibration.level("x").up_uncertainty() == (20.0, 20.0)
    tiny = CameraCalibration(n_frames=8, axis="scene", roll_uncertainty_deg=0.4, pitch_uncertainty_deg=1.0)
    assert tiny.up_uncertainty() == (3.0, 3.0)


def test_the_stored_pair_survives_the_file(tmp_path):
    from posture_feedback.calibration.store import CalibrationStore

    store = CalibrationStore(tmp_path / "c.json")
    store.save_camera(CameraCalibration(roll_deg=1.0, n_frames=8, axis="scene", camera="c",
                                        roll_uncertainty_deg=3.5, pitch_uncertainty_deg=8.0))  # fmt: skip
    assert store.load_camera("c").up_uncertainty() == (3.5, 8.0)


def _write_store(config: Path, records: dict) -> None:
    config.mkdir(parents=True, exist_ok=True)
    (config / "calibrations.json").write_text(
        json.dumps({"version": 1, "camera": records, "neutral": {}, "scale": {}}), encoding="utf-8"
    )


def test_a_scene_calibration_too_uncertain_is_refused_and_nothing_stored(tmp_path, capsys):
    """The collage of two scenes was stored at ±50°; now one error line, and no file."""
    store = tmp_path / "c.json"
    collage = Path(__file__).resolve().parents[1] / "sample_videos" / "people_collage.jpg"
    assert main(["calibrate", "camera", str(collage), "--store", str(store)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("posture-feedback: error:") and "not stored" in err[0]
    assert "--method person" in err[0]
    assert not store.exists()


def test_analyze_says_and_uses_the_calibrations_own_pair(tmp_path, monkeypatch, capsys):
    """The same vertical stored twice, roll ±3° and ±9° (pitch ±5° both): face-on, the shoulder
    tilt's ± grows by the roll's share alone: its spread s goes to √(s² + (9² − 3²)·cos²φ), at
    most 72 deg² more and about that face-on (cos φ ≈ 1), and the pitch's part (added whole, the
    same in both) does not change; before, both counted ±3° and came out equal. Real model, 20
    frames."""
    from posture_feedback.commands.analyze import camera_note

    config = tmp_path / "config"
    monkeypatch.setenv("POSTURE_FEEDBACK_CONFIG_DIR", str(config))
    base = {"axis": "scene", "n_frames": 8, "roll_deg": 1.6, "pitch_deg": 4.7, "spread": 1.0, "pitch_spread": 1.0,
            "pitch_uncertainty_deg": 5.0}  # fmt: skip
    _write_store(config, {"r3": {**base, "camera": "r3", "roll_uncertainty_deg": 3.0},
                          "r9": {**base, "camera": "r9", "roll_uncertainty_deg": 9.0}})  # fmt: skip
    assert "(±9.0°)" in camera_note("r9") and "(±5.0°)" in camera_note("r9")
    unc = {}
    for name in ("r3", "r9"):
        out = tmp_path / f"{name}.csv"
        argv = ["analyze", "--video", "sample", "--camera", name, "--uncertainty", "--max-frames", "20",
                "--out", str(out), "--no-progress"]  # fmt: skip
        assert main(argv) == 0
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        unc[name] = np.array([float(r["unc_shoulder_tilt"] or "nan") for r in rows])
    capsys.readouterr()
    both = np.isfinite(unc["r3"]) & np.isfinite(unc["r9"])
    assert both.sum() >= 10
    # the pitch's part p = 5°·sin φ is the same in both: u = s + p, so s3 = u3 − p, s9 = u9 − p, and
    # s9² − s3² ≤ 72 for every p in [0, 5]; face-on (p small) about 72
    u3, u9 = unc["r3"][both], unc["r9"][both]
    assert np.all(u9 > u3)
    gains = [(u9 - p) ** 2 - (u3 - p) ** 2 for p in (0.0, 5.0)]
    rounding = 0.1 * (u9 + u3)  # each ± to 0.05° in the CSV: its square to 0.1·u
    assert np.all(gains[1] <= 72.0 + rounding)  # p ≤ 5 gives the smallest gain: within the roll's share
    assert np.median(gains[0]) > 0.8 * 72.0
