"""The built wheel: one top-level import name, the UI/calibration/data packages, working resource paths."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
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
        "posture_feedback/sample_videos/lab_desk_webcam.mp4",
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
    assert Path(out[1]) == tmp_path / "posture_feedback" / "sample_videos" / "lab_desk_webcam.mp4"
    assert (Path(out[0]) / "pose_landmarker_full.task").is_file()


# ---------------------------------------------------------------------------------------------- the lock file


def _lock_pins() -> dict[str, tuple[str, list[str]]]:
    """``requirements.lock`` as {normalised name: (version, [sha256, ...])}."""
    text = (ROOT / "requirements.lock").read_text().replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, rest = line.split("==", 1)
        version = rest.split()[0]
        pins[_norm(name)] = (version, re.findall(r"--hash=sha256:([0-9a-f]{64})", rest))
    return pins


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["test"]]


def test_every_locked_package_is_pinned_with_a_hash() -> None:
    pins = _lock_pins()
    assert pins
    for name, (version, hashes) in pins.items():
        assert re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version), (name, version)
        assert hashes, f"{name} has no --hash (pip --require-hashes would refuse the whole lock)"
    for tool in ("pip", "setuptools", "wheel"):  # the editable install builds with the locked tools
        assert tool in pins


def test_the_lock_satisfies_pyproject() -> None:
    """Each dependency of pyproject.toml (and the test extra) is in the lock at a version its range allows."""
    from packaging.requirements import Requirement

    pins = _lock_pins()
    for text in _pyproject_requirements():
        req = Requirement(text)
        assert _norm(req.name) in pins, f"{req.name} is missing from requirements.lock: run `python3 dev.py lock`"
        version = pins[_norm(req.name)][0]
        assert req.specifier.contains(version, prereleases=True), f"lock has {req.name}=={version}, needs {req}"


def test_dependencies_have_upper_bounds() -> None:
    """A fresh install never jumps to a release with a changed API (mediapipe and ruff: within a minor)."""
    from packaging.requirements import Requirement

    for text in _pyproject_requirements():
        req = Requirement(text)
        assert any(s.operator in ("<", "<=", "~=", "==") for s in req.specifier), f"{req} has no upper bound"
    bounds = {Requirement(t).name: str(Requirement(t).specifier) for t in _pyproject_requirements()}
    assert "<1.3" in bounds["mediapipe"]


def test_dev_py_reinstalls_when_the_lock_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """dev.py's re-install stamp covers the lock: a changed lock means a new install."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("dev_under_test", ROOT / "dev.py")
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    lock = tmp_path / "requirements.lock"
    lock.write_text((ROOT / "requirements.lock").read_text())
    monkeypatch.setattr(dev, "LOCK", lock)
    before = dev.install_digest(use_lock=True)
    lock.write_text(lock.read_text().replace("numpy==", "numpy==0.0.0+", 1))
    assert dev.install_digest(use_lock=True) != before
    assert dev.install_digest(use_lock=False) == dev.install_digest(use_lock=False) != before
