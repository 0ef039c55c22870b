"""The posture screen's plumb-line offsets carry the camera vertical's ±, as its angles do.

An audit (2026-12-07) ran ``assess posture --side`` on the bundled sports sample's side-on stretch
(frames 101-170, the man walking on the box, right side to the camera) and on copies rotated by
±10° (a camera rolled by 10°, well inside the ±20° the level default allows): the same posture read
shoulder-hip offset −8.6 ± 4.0 cm "outside", −0.7 ± 2.2 cm "within" and −17.9 ± 5.7 cm "outside".
An offset along the person's forward direction turns with the vertical: the rise between its two
landmarks × sin(roll error) (50 cm × sin 10° ≈ 8.7 cm). Given the true roll (``--roll ±10``) the
rotated copies read −8.9 and −10.0 cm: the roll, nothing else, moved them.

Real model on the real clip; the rotation is the world's (``cv2.warpAffine`` of the frames).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from posture_feedback.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "sample_videos" / "sports2d_demo.mp4"
OFFSETS = ("ear_shoulder_offset", "shoulder_hip_offset", "hip_ankle_offset")


def _clip(path: Path, degrees: float) -> Path:
    """Frames 101-170 of the sample, rotated by ``degrees`` (counter-clockwise) about the centre."""
    import cv2

    cap = cv2.VideoCapture(str(SAMPLE))
    fps = cap.get(cv2.CAP_PROP_FPS)
    w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    i = 0
    while True:
        ok, frame = cap.read()
        if not ok or i > 170:
            break
        if i >= 101:
            out.write(cv2.warpAffine(frame, rot, (w, h)))
        i += 1
    cap.release()
    out.release()
    return path


def _screen(tmp_path: Path, clip: Path, *extra: str) -> dict:
    out = tmp_path / f"out_{clip.stem}{'_'.join(extra)}"
    argv = ["assess", "posture", "--side", str(clip), "--max-speed", "10", "--hold", "0.1", "--capture", "0.3",
            "--out", str(out), "--data-dir", str(tmp_path / "data"), *extra]  # fmt: skip
    assert main(argv) == 0
    record = json.loads((out / "record.json").read_text(encoding="utf-8"))
    return {
        m["name"]: (m["value"], m["uncertainty"], record["details"][m["name"]]["verdict"]) for m in record["measures"]
    }


def test_a_rise_of_50_cm_under_a_level_camera_carries_17_cm():
    """Hand-worked: 50 cm × sin 20° = 17.1 cm; a calibrated roll of ±3°: 2.6 cm."""
    from posture_feedback.assessment.posture import offset_camera_uncertainty
    from posture_feedback.calibration.camera import CameraCalibration

    assert offset_camera_uncertainty([40.0, 50.0, 60.0], None) == pytest.approx(50 * math.sin(math.radians(20)))
    manual = CameraCalibration(roll_deg=1.0, n_frames=1, axis="manual")
    assert offset_camera_uncertainty([50.0], manual) == pytest.approx(50 * math.sin(math.radians(3)))
    assert math.isnan(offset_camera_uncertainty([math.nan], None))


def test_a_rolled_camera_does_not_turn_the_same_posture_s_offsets_from_within_to_outside(tmp_path, capsys):
    """A level camera assumed (``--camera level``): the roll's ±20° is in the offsets' ±."""
    level = _screen(tmp_path, _clip(tmp_path / "r0.mp4", 0.0), "--camera", "level")
    rolled = {d: _screen(tmp_path, _clip(tmp_path / f"r{d:+.0f}.mp4", d), "--camera", "level") for d in (10.0, -10.0)}
    told = {d: _screen(tmp_path, tmp_path / f"r{d:+.0f}.mp4", "--roll", f"{d:g}") for d in (10.0, -10.0)}
    out = capsys.readouterr().out
    # each recording's line says why (until 2026-12-07: "no usable scene lines, --camera, --roll or ...")
    assert out.count("camera assumed level (--camera level): angles against the vertical carry ±20°") == 3, out
    assert "no usable scene lines" not in out
    for name in OFFSETS:
        v0, u0, _ = level[name]
        verdicts = {level[name][2]} | {rolled[d][name][2] for d in rolled}
        assert not {"within", "outside"} <= verdicts, (name, level[name], rolled)  # one posture, one truth
        for d in rolled:
            v, u, _ = rolled[d][name]
            assert abs(v - v0) <= min(u, u0), (name, d, level[name], rolled[d][name])  # each ± holds the other
        for d in told:  # given the true roll, the copies read the unrotated posture
            v, u, _ = told[d][name]
            assert abs(v - v0) <= u, (name, d, level[name], told[d][name])
    # the shoulder-hip offset moves most: the roll, not the model, moved it (audit: -0.7 and -17.9 cm)
    spread = abs(rolled[10.0]["shoulder_hip_offset"][0] - rolled[-10.0]["shoulder_hip_offset"][0])
    assert spread > 10.0


def test_by_default_the_scenes_lines_find_the_roll_and_the_copies_agree(tmp_path, capsys):
    """``assess``'s default since 2026-12-07: the camera's vertical from the scene's lines (as ``analyze``). The
    rotated copies read roll +8.7° and −11.2° (the unrotated clip −2.6°: each within ±3° of 10° apart), and the
    three read one posture: the same verdicts, each value within the others' ± (ear-shoulder 6.8 / 7.0 / 6.7 cm;
    with a level camera assumed, −0.7 and −17.9 cm for the shoulder-hip offset the unrotated clip reads −7.1)."""
    clips = {d: _clip(tmp_path / f"r{d:+.0f}.mp4", d) for d in (0.0, 10.0, -10.0)}
    read = {d: _screen(tmp_path, clip) for d, clip in clips.items()}
    out = capsys.readouterr().out
    assert out.count("camera vertical from the scene's lines: roll") == 3
    for name in OFFSETS:
        assert len({read[d][name][2] for d in read}) == 1, (name, read)  # one posture, one verdict
        for a in read:
            for b in read:
                assert abs(read[a][name][0] - read[b][name][0]) <= read[a][name][1] + 1e-9 or a == b, (name, read)


def test_a_still_image_is_measured_against_a_level_camera_in_one_line(tmp_path, capsys):
    """A still image has no scene estimate (``scene_up_for_source``): one line says so, the reason not nested in
    another "level camera assumed" (until 2026-12-07 two lines, the first "camera assumed level (…jpg: level
    camera assumed (no scene estimate …))", the second "no usable scene lines, --camera, …")."""
    image = Path(__file__).resolve().parents[1] / "sample_videos" / "people_collage.jpg"
    main(["assess", "posture", "--front", str(image), "--out", str(tmp_path / "out"),
          "--data-dir", str(tmp_path / "data")])  # fmt: skip  (no front view in the collage: refused after)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "camera assumed level" in ln]
    assert lines == ["camera assumed level (people_collage.jpg: no scene estimate for images or live sources): "
                     "angles against the vertical carry ±20° for it"]  # fmt: skip
