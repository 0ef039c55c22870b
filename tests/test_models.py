"""Model resolution: the bundled full model, paths, and a clear error when a download is impossible."""

from __future__ import annotations

from pathlib import Path

import pytest

from posture_feedback import models
from posture_feedback.errors import ModelError


def test_bundled_full_model_resolves_and_matches_sha256() -> None:
    path = models.resolve_model("full")
    assert path.name == "pose_landmarker_full.task"
    assert models.sha256_of(path) == models.BUNDLED_SHA256["full"]
    models.check_bundle(path)


def test_explicit_path(tmp_path: Path) -> None:
    assert models.resolve_model(str(models.resolve_model("full"))).is_file()
    with pytest.raises(ModelError, match="not found"):
        models.resolve_model(str(tmp_path / "nope.task"))
    junk = tmp_path / "junk.task"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="not a MediaPipe .task bundle"):
        models.resolve_model(str(junk))


def test_download_failure_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Point the official URL at a closed local port: the same failure a user sees offline.
    monkeypatch.setenv("POSTURE_FEEDBACK_CACHE", str(tmp_path))
    monkeypatch.setitem(models.MODEL_URLS, "lite", "http://127.0.0.1:9/pose_landmarker_lite.task")
    with pytest.raises(ModelError, match="could not download the lite pose model.*offline") as info:
        models.resolve_model("lite", timeout_s=2)
    assert "\n" not in str(info.value)
    assert not list(tmp_path.glob("*.part"))  # no half-written file left behind


def test_download_disabled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTURE_FEEDBACK_CACHE", str(tmp_path))
    with pytest.raises(ModelError, match="not installed"):
        models.resolve_model("heavy", download=False)


def test_cached_model_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTURE_FEEDBACK_CACHE", str(tmp_path))
    cached = tmp_path / "pose_landmarker_lite.task"
    cached.write_bytes(models.resolve_model("full").read_bytes())
    assert models.resolve_model("lite", download=False) == cached
