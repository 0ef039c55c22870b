"""The benchmark scripts keep working: short real runs of the soak, the stage profiler and the report.

The full measurements take an hour (``python bench/run_all.py``); these runs take seconds and use
the same code paths on the real model and the bundled recording.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench-results")


@pytest.fixture(scope="module")
def soak_doc(results: Path) -> dict:
    """A 10-second soak of the core live path (the default is an hour)."""
    soak = _bench("soak")
    return soak.main(["--minutes", str(10 / 60), "--interval", "1", "--idle-seconds", "0",
                      "--out", str(results / "soak.json")])  # fmt: skip


def test_short_soak_samples_memory(soak_doc: dict, results: Path) -> None:
    m = soak_doc["memory"]
    assert len(m["samples"]) >= 8
    assert m["frames"] > 30 and 0 < m["person_share"] <= 1
    rss = [s["rss_mb"] for s in m["samples"]]
    assert all(50 < r < 4000 for r in rss)  # a real process with the model loaded
    assert [s["frames"] for s in m["samples"]] == sorted(s["frames"] for s in m["samples"])
    assert math.isnan(m["slope_mb_per_hour"]) and m["growth_beyond_noise"] is None  # inside the warm-up: no claim
    assert json.loads((results / "soak.json").read_text())["memory"]["frames"] == m["frames"]


def test_rss_and_trend_fit() -> None:
    soak = _bench("soak")
    assert 10 < soak.rss_mb() < 4000
    t = np.arange(0, 600, 5.0)
    y = 300 + t * (20 / 3600) + np.random.default_rng(0).normal(0, 0.3, t.size)  # 20 MB/hour plus noise
    slope, noise = soak.linear_fit(t, y)
    assert slope * 3600 == pytest.approx(20, abs=2) and noise == pytest.approx(0.3, abs=0.1)


def test_concatenated_videos_have_k_times_the_frames(tmp_path: Path) -> None:
    throughput = _bench("throughput")
    clip = tmp_path / "clip.mp4"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (64, 48))
    for i in range(7):
        writer.write(np.full((48, 64, 3), 20 * i, np.uint8))
    writer.release()
    videos = throughput.concatenate(clip, [1, 3], tmp_path)
    assert {k: throughput.count_frames(p) for k, p in videos.items()} == {1: 7, 3: 21}


@pytest.fixture(scope="module")
def stage_doc(sports_video: Path, results: Path) -> dict:
    """The stage profiler on 20 real frames at 640×480, saved like ``bench/profile.py`` does."""
    profile = _bench("profile")
    frames = profile.load_frames(sports_video, (640, 480), 20)
    st = profile.stage_times(frames, max_people=2)
    (results / "profile.json").write_text(json.dumps({"meta": {}, "sizes": {"640x480": {"stage_timer": st}}}))
    return st


def test_stage_profiler_on_real_frames(stage_doc: dict) -> None:
    st = stage_doc
    stages = st["stages"]
    for name in ("model (detect_for_video)", "person selection", "smoothing", "angles", "view", "targets", "cue"):
        assert name in stages, name  # every stage of Pipeline.process is still reached by the profiler
    assert 0 < st["model_mean_ms"] < stages["pose stage (total)"]["mean_ms"] <= st["total"]["mean_ms"]
    assert 0 < st["not_model_share"] < 0.5


def test_report_from_result_files(soak_doc: dict, stage_doc: dict, results: Path) -> None:
    run_all = _bench("run_all")
    text = run_all.report(results)
    assert "## Memory over a long live session" in text
    assert f"| core | 0 | {soak_doc['memory']['frames']} (" in text
    assert "too short to judge" in text
    assert "## Where the time goes" in text and "| model (detect_for_video) |" in text
