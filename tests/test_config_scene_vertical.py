"""A configuration file's ``scene_vertical = false`` is obeyed by the app and ``analyze`` (an audit: the app
estimated the vertical from the scene whatever the file said, and the generated file said ``false`` while
both commands estimated it)."""

from __future__ import annotations

from pathlib import Path

from posture_feedback.cli import build_parser, main
from posture_feedback.commands.app import options_from_args
from posture_feedback.config import default_config_text

ROOT = Path(__file__).resolve().parents[1]


def _app(*extra: str):
    return options_from_args(build_parser().parse_args(["app", "--source", "sample", *extra]))


def test_the_app_estimates_the_vertical_unless_the_file_or_a_camera_says_otherwise(tmp_path: Path) -> None:
    default, off = tmp_path / "default.toml", tmp_path / "off.toml"
    default.write_text(default_config_text(), encoding="utf-8")
    off.write_text("[pipeline]\nscene_vertical = false\n", encoding="utf-8")
    assert _app().pipeline.scene_vertical is True
    assert _app("--config", str(default)).pipeline.scene_vertical is True  # the generated file leaves it to the app
    assert _app("--config", str(off)).pipeline.scene_vertical is False
    assert not _app("--camera", "level").pipeline.scene_vertical


def test_analyze_with_scene_vertical_false_assumes_a_level_camera_and_says_so(tmp_path: Path, capsys) -> None:
    off = tmp_path / "off.toml"
    off.write_text("[pipeline]\nscene_vertical = false\n", encoding="utf-8")
    video = ROOT / "sample_videos" / "lab_desk_webcam.mp4"
    args = ["analyze", "--video", str(video), "--max-frames", "3", "--out", str(tmp_path / "a.csv"), "--no-progress"]
    assert main([*args, "--config", str(off)]) == 0
    out = capsys.readouterr().out
    assert "camera assumed level (scene_vertical = false in the configuration file)" in out
    assert "camera vertical from the scene" not in out
    assert main(args) == 0
    assert "camera vertical from the scene" in capsys.readouterr().out
