"""The built wheel: one top-level import name, the UI/calibration/data packages, working resource paths."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (whl,) = out.glob("posture_feedback-*.whl")
    return whl


def test_only_posture_feedback_is_a_top_level_name(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"posture_feedback"}


def test_wheel_carries_ui_calibration_model_and_samples(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "posture_feedback/ui/__init__.py",
        "posture_feedback/ui/main_window.py",
        "posture_feedback/calibration/__init__.py",
        "posture_feedback/calibration/camera.py",
        "posture_feedback/model_bundles/pose_landmarker_full.task",
        "posture_feedback/sample_videos/sports2d_demo.mp4",
        "posture_feedback/commands/analyze.py",
    ):
        assert required in names, required
    assert any(n.startswith("posture_feedback/exercises/data/") and n.endswith(".toml") for n in names)


def test_resources_resolve_inside_the_unpacked_wheel(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path)
    code = (
        "from posture_feedback.resources import models_dir, sample_video;"
        "import posture_feedback.resources as r;"
        "print(models_dir()); print(sample_video())"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r}); {code}"],
        check=True, capture_output=True, text=True, cwd=tmp_path,
    ).stdout.split()  # fmt: skip
    assert Path(out[0]) == tmp_path / "posture_feedback" / "model_bundles"
    assert Path(out[1]) == tmp_path / "posture_feedback" / "sample_videos" / "sports2d_demo.mp4"
    assert (Path(out[0]) / "pose_landmarker_full.task").is_file()
