"""Exercises measure against the camera's vertical as `analyze` and the app do: the scene's, a stored
calibration's (`--camera NAME`), or a level camera assumed only when asked (`--camera level`) or when
nothing else is known. Before 2026-12-07 they always assumed a level camera (±20° on every angle against
the vertical), so `upright_sitting` could time nothing on the sports sample.

The world: in ``sports2d_demo.mp4`` (30 frames/s) the man stands side-on and upright from about frame 100
and bends forward into a handstand from about frame 150 (5 s): his trunk passes 45° by frame 160.
"""

from __future__ import annotations

import json
from pathlib import Path

from posture_feedback.cli import main


def _hold(tmp_path: Path, sports_video: Path, capsys, *extra: str) -> tuple[dict, str]:
    out = tmp_path / f"hold{len(extra)}.json"
    code = main(["exercise", "upright_sitting", "--headless", "--video", str(sports_video), "--out", str(out), *extra])
    assert code == 0
    text = capsys.readouterr().out
    return json.loads(out.read_text())["sets"][0]["hold"], text


def test_the_scenes_vertical_times_the_upright_frames_and_the_bend_breaks_the_hold(tmp_path, sports_video, capsys):
    hold, text = _hold(tmp_path, sports_video, capsys)
    assert "camera vertical from the scene: roll" in text.splitlines()[0]
    assert hold["held_s"] > 0.5 and hold["too_uncertain_s"] == 0.0
    assert hold["breaks"] >= 1 and 4.8 <= hold["first_break_t"] <= 5.6  # he bends forward from about 5 s


def test_camera_level_assumes_a_level_camera_and_says_so(tmp_path, sports_video, capsys):
    hold, text = _hold(tmp_path, sports_video, capsys, "--camera", "level")
    assert text.splitlines()[0].startswith("camera assumed level (--camera level): angles against the vertical")
    assert hold["held_s"] == 0.0 and hold["too_uncertain_s"] > 1.0  # ±25° against a 22° band: nothing can be timed


def test_an_unknown_camera_name_is_one_line(tmp_path, sports_video, capsys):
    code = main(["exercise", "upright_sitting", "--headless", "--video", str(sports_video), "--camera", "nosuch"])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no camera calibration named 'nosuch'" in err[0]


def test_the_window_refuses_an_unknown_camera_name_before_it_opens(capsys):
    assert main(["exercise", "upright_sitting", "--source", "sample", "--camera", "nosuch"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no camera calibration named 'nosuch'" in err[0]


def test_a_demonstration_from_a_folder_of_frames_takes_the_sessions_level_camera(tmp_path, sports_video, capsys):
    """A folder of frames (maybe of several cameras) gets a level camera in a session, as in ``analyze``; its
    demonstration (``--save-demo``) read the scene's lines of the folder instead (roll −1.8° on 40 frames of
    the sports sample), against c723abf's "the same camera vertical as the sessions it sets targets for"."""
    import cv2

    frames = tmp_path / "frames"
    frames.mkdir()
    cap = cv2.VideoCapture(str(sports_video))
    for i in range(12):
        ok, img = cap.read()
        assert ok
        cv2.imwrite(str(frames / f"f{i:04d}.png"), img)
    cap.release()
    main(["exercise", "seated_arm_raise", "--headless", "--video", str(frames), "--save-demo",
          str(tmp_path / "demo.npz")])  # fmt: skip  (no raise in 12 frames: refused after the camera line)
    demo_line = capsys.readouterr().out.splitlines()[0]
    main(["exercise", "seated_arm_raise", "--headless", "--video", str(frames)])
    session_line = capsys.readouterr().out.splitlines()[0]
    assert demo_line == session_line == (
        "camera vertical: level camera assumed (no scene estimate for images or live sources)"
    )
