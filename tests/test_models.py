"""Model resolution: the bundled full model, paths, and a clear error when a download is impossible."""

from __future__ import annotations

import os
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
    # a mistyped variant names the choices (audit 28: "model file not found: ful")
    with pytest.raises(ModelError, match=r"unknown model 'ful': give lite, full, heavy or the path of a \.task file"):
        models.resolve_model("ful")
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


def test_native_telemetry_is_kept_on_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    from posture_feedback import pose

    monkeypatch.setenv("no_proxy", "googleapis.com")
    monkeypatch.delenv("POSTURE_FEEDBACK_ALLOW_MEDIAPIPE_TELEMETRY", raising=False)
    assert pose.block_native_telemetry()

    assert os.environ["https_proxy"] == os.environ["HTTPS_PROXY"] == pose.TELEMETRY_SINK
    assert "no_proxy" not in os.environ
    assert pose.TELEMETRY_SINK not in models.USER_PROXIES.values()  # the explicit download keeps the user's proxies


def test_telemetry_block_can_be_lifted(monkeypatch: pytest.MonkeyPatch) -> None:
    from posture_feedback import pose

    monkeypatch.setenv("POSTURE_FEEDBACK_ALLOW_MEDIAPIPE_TELEMETRY", "1")
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    assert not pose.block_native_telemetry()

    assert os.environ["https_proxy"] == "http://proxy.example:3128"
