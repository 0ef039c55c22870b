"""`assess` says which camera vertical it measures against, each part with its own ±.

A sixth audit asked for the line; a twenty-fifth found it printed "pitch +0.0°" for `--roll 2.6`,
which measures no pitch (the calibration's own ±: 20°), so the pitch read as measured.
"""

from __future__ import annotations

from pathlib import Path

from posture_feedback.calibration.camera import CameraCalibration
from posture_feedback.commands.assess import _analyze

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"


def test_a_roll_only_calibration_prints_its_pitch_as_unknown(capsys) -> None:
    calibration = CameraCalibration(roll_deg=2.6, n_frames=1, axis="manual", camera="manual")
    roll_unc, pitch_unc = calibration.up_uncertainty()
    _analyze(str(SAMPLES / "lab_desk_webcam.mp4"), calibration, max_frames=1)
    out = capsys.readouterr().out
    assert f"roll +2.6° (±{roll_unc:.0f}°)" in out
    assert f"pitch +0.0° (±{pitch_unc:.0f}°)" in out and pitch_unc >= 20.0
