"""The evaluation window writes a ROM result with the decimals its verdict was judged on.

An audit (2026-12-07): trunk lateral flexion on the accuracy set's ``upper.mp4`` crop (the man leans
42° to his left; 4-camera reference 42.4° at the peak's frame), camera roll given (+2.6°, the true
one): 41.2 ± 9.6°, "within" the AAOS norm (≥ 31.5°). The window wrote "left: best 41° ± 10° — within",
which reads [31, 51]: reaching below the norm, an "uncertain" to the reader, and gave the norm as
"normal ≥ 32°" (it is 31.5°, 90 % of 35°). The console, the results table and the report write
41.2 ± 9.6 and 31.5.

Real model on the real crop, the real window offscreen (pytest-qt).
"""

from __future__ import annotations

from pathlib import Path

import pytest

UPPER = Path(__file__).resolve().parents[2] / "shared" / "accuracy" / "data" / "webcam" / "upper.mp4"


@pytest.fixture(autouse=True)
def _config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("POSTURE_FEEDBACK_CONFIG_DIR", str(tmp_path / "config"))


@pytest.mark.skipif(not UPPER.exists(), reason="the accuracy set (../shared/accuracy) is not present")
def test_the_window_s_rom_line_keeps_the_decimal_its_verdict_needs(qtbot, tmp_path):
    from posture_feedback.assessment.rom import ROM_TESTS
    from posture_feedback.calibration.camera import CameraCalibration
    from posture_feedback.pipeline import PipelineOptions, analyze_video
    from posture_feedback.ui.assessment_flow import RomRecording
    from posture_feedback.ui.assessment_window import AssessmentOptions, AssessmentWindow

    cal = CameraCalibration(roll_deg=2.6, n_frames=1, axis="manual", camera="manual")
    results = analyze_video(UPPER, PipelineOptions(up=cal.up_vector(), up_uncertainty_deg=cal.up_uncertainty()))
    options = AssessmentOptions(source=str(UPPER), profile="Ann", data_dir=str(tmp_path / "data"),
                                out_dir=str(tmp_path / "eval"), realtime=False, loop=False, max_frames=1)  # fmt: skip
    window = AssessmentWindow(options)
    qtbot.addWidget(window)
    window.flow.calibration = cal
    window.rom = RomRecording(ROM_TESTS["trunk_lateral_flexion"], ("left",), up=cal.up_vector(), results=results)
    record = window.finish_rom()
    assert record is not None
    m = record.measure("trunk_lateral_flexion", "left")
    verdict = record.details[m.label]["verdict"]
    assert abs(m.value - 42.4) <= m.uncertainty  # the reference at the peak (source frame 48)
    shown = f"left: best {m.value:.1f}° ± {m.uncertainty:.1f}°</b> — {verdict}"
    assert shown in window.rom_result.text(), window.rom_result.text()
    if verdict == "within":  # the interval written is inside the norm too
        assert round(m.value, 1) - round(m.uncertainty, 1) >= m.reference_low
    assert "normal ≥ 31.5°" in window.rom_result.text()  # the cut-off judged, not "≥ 32°"
