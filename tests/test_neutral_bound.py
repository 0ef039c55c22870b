"""A neutral holds only angles `analyze` can judge: its ± within the 15° validity bound (real model).

An audit (2026-12) ran ``calibrate neutral`` on frame 0 of the accuracy set's ``upper.mp4`` repeated
(an upright man, still): the neutral stored trunk_inclination 44.1 ±26.3°, left_hip_flexion 25.0
±26.2° and the elbows ±19°, angles ``analyze --validity`` marks invalid (±15°,
``kinematics.VALID_MAX_UNCERTAINTY``) in every one of those frames, and ``analyze --profile`` then
judged relative targets from them. The live pipeline bounds only the depth measurements, so
``capture_neutral`` now applies the bound itself (calibration.neutral, "Within the bound"): an
angle enters only with its ± within 15° in most of its frames, and the others are named as left
out. Checked here against what ``analyze --validity`` says of the same frames.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from posture_feedback.cli import main
from posture_feedback.kinematics import VALID_MAX_UNCERTAINTY
from posture_feedback.types import ANGLE_NAMES

UPPER = Path(__file__).resolve().parents[2] / "shared" / "accuracy" / "data" / "webcam" / "upper.mp4"
LEFT_OUT = " Left out (± over 15° in most frames, not judged from this neutral): "


def _still(source: Path, path: Path, frames: int = 120) -> Path:
    """``frames`` copies of the source's first frame at 30 frames/s (a person holding perfectly still)."""
    import cv2

    cap = cv2.VideoCapture(str(source))
    ok, image = cap.read()
    cap.release()
    assert ok, source
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (image.shape[1], image.shape[0]))
    for _ in range(frames):
        out.write(image)
    out.release()
    return path


def _neutral(video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict, str]:
    """`calibrate neutral` on the video for profile Ann: (the stored record, what the command printed)."""
    data, store = str(tmp_path / "data"), tmp_path / "cal.json"
    assert main(["profile", "create", "--profile", "Ann", "--data-dir", data]) == 0
    capsys.readouterr()
    assert main(["calibrate", "neutral", "--video", str(video), "--posture", "standing", "--seconds", "3",
                 "--profile", "Ann", "--data-dir", data, "--store", str(store)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    return json.loads(store.read_text(encoding="utf-8"))["neutral"]["Ann"]["standing"], printed


def _valid_share(video: Path, tmp_path: Path) -> dict[str, float]:
    """Per angle measured by `analyze --validity` on the video's first 90 frames: the share valid."""
    out = tmp_path / "a.csv"
    assert main(["analyze", "--video", str(video), "--validity", "--max-frames", "90", "--no-progress",
                 "-o", str(out)]) == 0  # fmt: skip
    with open(out, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["person"] == "1"]
    share = {}
    for name in ANGLE_NAMES:
        measured = [r for r in rows if r[name]]
        if measured:
            share[name] = sum(r[f"valid_{name}"] == "1" for r in measured) / len(measured)
    return share


def _check_against_analyze(record: dict, printed: str, share: dict[str, float]) -> None:
    """Every angle kept has its ± within the bound and is valid for analyze in most frames; every angle
    analyze never judges valid is not kept; the left-out line names each one left out with its ±."""
    assert record["angles"], record
    for name in record["angles"]:
        assert record["uncertainty"][name] <= VALID_MAX_UNCERTAINTY, (name, record["uncertainty"][name])
        assert share.get(name, 0.0) > 0.5, (name, share.get(name))
    for name, valid in share.items():
        if valid == 0.0:
            assert name not in record["angles"], (name, record["angles"][name])
    for name, u in record.get("left_out", {}).items():
        assert u > VALID_MAX_UNCERTAINTY and name not in record["angles"]
        assert f"{name.replace('_', ' ')} ±{u:.0f}°" in printed, (name, printed)
    if record.get("left_out"):
        assert LEFT_OUT.strip() in printed


@pytest.mark.skipif(not UPPER.exists(), reason="the accuracy set (../shared/accuracy) is not present")
def test_the_audits_upright_man_keeps_only_the_angles_analyze_judges(tmp_path, capsys):
    still = _still(UPPER, tmp_path / "still.mp4")
    record, printed = _neutral(still, tmp_path, capsys)
    share = _valid_share(still, tmp_path)
    _check_against_analyze(record, printed, share)
    for name in ("trunk_inclination", "left_hip_flexion", "left_elbow_flexion", "right_elbow_flexion"):
        assert share[name] == 0.0  # analyze: invalid in every frame (the audit's four)
        assert name not in record["angles"] and record["left_out"][name] > VALID_MAX_UNCERTAINTY, name
    assert {"shoulder_tilt", "trunk_lateral_lean"} <= set(record["angles"])  # face-on, the camera's roll ±3°

    # analyze --profile judges from the angles kept, never from one left out
    capsys.readouterr()
    assert main(["analyze", "--video", str(still), "--targets", "standing-front", "--profile", "Ann",
                 "--data-dir", str(tmp_path / "data"), "--max-frames", "30", "--no-progress",
                 "-o", str(tmp_path / "p.csv")]) == 0  # fmt: skip
    used = next(line for line in capsys.readouterr().err.splitlines() if "neutral from profile 'Ann'" in line)
    assert "shoulder_tilt" in used and not re.search(r"trunk_inclination|hip_flexion|elbow_flexion", used), used


def test_the_bundled_sample_s_still_man_keeps_only_the_angles_analyze_judges(tmp_path, capsys, still_video):
    """The sports sample's man standing on his box (frame 33, cropped, repeated: conftest's still_video)."""
    record, printed = _neutral(still_video, tmp_path, capsys)
    share = _valid_share(still_video, tmp_path)
    _check_against_analyze(record, printed, share)
    assert record["left_out"], printed  # this framing leaves some out (elbows and knees face-on, ±19° and more)


#: The neutral the audit's `calibrate neutral` stored (2026-12-07, before the bound; values and ± as stored).
AUDIT_RECORD = {
    "posture": "standing", "view": "front", "created_at": "2026-12-07T17:55:03+00:00",
    "angles": {"head_tilt": 6.96, "left_elbow_flexion": 16.33, "left_hip_flexion": 24.99, "shoulder_tilt": 5.26,
               "trunk_inclination": 44.14, "trunk_lateral_lean": -4.62},
    "uncertainty": {"head_tilt": 11.78, "left_elbow_flexion": 19.04, "left_hip_flexion": 26.21, "shoulder_tilt": 4.55,
                    "trunk_inclination": 26.30, "trunk_lateral_lean": 9.15},
}  # fmt: skip


def test_a_neutral_stored_before_the_bound_is_used_without_its_angles_beyond_it(tmp_path, capsys, still_video):
    """`analyze --profile` with the audit's stored neutral: the angles stored with a ± over 15° are not
    used as the neutral, and stderr says which were left out; the others are used as stored."""
    from posture_feedback.calibration.neutral import NeutralPosture
    from posture_feedback.calibration.store import save_to_database
    from posture_feedback.storage import Database

    data = tmp_path / "data"
    with Database.open_default(str(data)) as db:
        save_to_database(db, db.create_profile("Ann").id, NeutralPosture.from_dict(AUDIT_RECORD))
    capsys.readouterr()
    assert main(["analyze", "--video", str(still_video), "--targets", "standing-front", "--profile", "Ann",
                 "--data-dir", str(data), "--max-frames", "15", "--no-progress", "-o", str(tmp_path / "a.csv")]) == 0
    err = capsys.readouterr().err.splitlines()
    used = next(line for line in err if "neutral from profile 'Ann'" in line)
    assert used.endswith("head_tilt 7.0 ±11.8°, shoulder_tilt 5.3 ±4.5°, trunk_lateral_lean -4.6 ±9.2°"), used
    assert ("posture-feedback: not in this neutral (± over 15°, not judged from it): left_elbow_flexion ±19.0°, "
            "left_hip_flexion ±26.2°, trunk_inclination ±26.3°") in err, err
