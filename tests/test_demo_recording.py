"""Recording a demonstration live (core, no Qt): countdown, collection limit, errors, file name, target."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from posture_feedback.exercises.demo_recording import (
    DemonstrationRecording,
    demonstration_path,
    demonstration_summary,
    item_with_demonstration,
)
from posture_feedback.exercises.demonstration import DemonstrationError, build_demonstration, save_demonstration
from posture_feedback.exercises.library import get_exercise
from posture_feedback.exercises.plan import Plan
from posture_feedback.types import Frame, FrameResult


def _result(t: float) -> FrameResult:
    return FrameResult(
        frame=Frame(image=np.zeros((4, 4, 3), np.uint8), index=int(t * 10), timestamp_s=t, captured_at=t)
    )


def test_the_countdown_is_dropped_and_the_recording_stops_after_max_s():
    rec = DemonstrationRecording(get_exercise("lateral_raise"), countdown_s=1.0, max_s=2.0)
    assert rec.phase(0.0) == "countdown" and rec.remaining_s(0.0) == 1.0
    times = [10.0 + 0.1 * i for i in range(41)]  # the caller's clock starts anywhere
    done = [rec.add(t, _result(t)) for t in times]
    kept = [r.frame.timestamp_s for r in rec.results]
    assert kept[0] == pytest.approx(11.0) and kept[-1] == pytest.approx(13.0)  # 1 s countdown, then 2 s
    assert len(kept) == 21 and done.index(True) == 31  # complete with the first frame after 2 s
    assert rec.complete and rec.phase(13.5) == "complete"
    assert rec.add(20.0, _result(20.0)) and len(rec.results) == 21  # nothing more once complete


def test_phase_and_remaining_time_during_the_recording():
    rec = DemonstrationRecording(get_exercise("lateral_raise"), countdown_s=3.0, max_s=15.0)
    rec.add(0.0, _result(0.0))
    assert rec.phase(2.0) == "countdown" and rec.remaining_s(2.0) == pytest.approx(1.0)
    assert rec.phase(5.0) == "recording" and rec.remaining_s(5.0) == pytest.approx(13.0)
    rec.stop()
    assert rec.phase(5.0) == "complete"


def test_an_empty_or_nobody_recording_is_a_clear_error():
    rec = DemonstrationRecording(get_exercise("lateral_raise"), countdown_s=3.0)
    rec.add(0.0, _result(0.0))
    with pytest.raises(DemonstrationError, match="nothing was recorded"):
        rec.finish()
    for i in range(1, 40):
        rec.add(3.0 + 0.1 * i, _result(3.0 + 0.1 * i))
    with pytest.raises(DemonstrationError, match="nobody was seen"):
        rec.finish()
    assert len(rec.results) == 39  # kept: nothing is lost


def test_path_next_to_the_plan_or_in_the_data_folder(tmp_path):
    when = dt.datetime(2026, 11, 22, 5, 30, 1)
    plan = tmp_path / "plans" / "ann.toml"
    plan.parent.mkdir()
    plan.write_text("", encoding="utf-8")
    assert demonstration_path("lateral_raise", plan, tmp_path / "data", when) == (
        tmp_path / "plans" / "lateral_raise-demo-20261122-053001.npz"
    )
    expected = tmp_path / "data" / "demonstrations" / "lateral_raise-demo-20261122-053001.npz"
    assert demonstration_path("lateral_raise", "", tmp_path / "data", when) == expected


def _reach_demo():
    times = np.linspace(0.0, 8.0, 241)
    values = np.interp(times, [0, 1, 3, 4, 7, 8], [10, 10, 120, 120, 10, 10])
    return build_demonstration(get_exercise("forward_reach"), times, values, tolerance=10.0, side="left")


def test_summary_states_ranges_and_timing():
    text = demonstration_summary(_reach_demo())
    assert text.startswith("forward_reach (left) demonstrated: ")
    assert "110" in text and "way out 1.6 s, way back 2.4 s" in text


def test_a_saved_demonstration_becomes_the_items_target_as_the_plan_loader_makes_it(tmp_path):
    demo = _reach_demo()
    path = save_demonstration(demo, tmp_path / "reach.npz")
    item = Plan.single("forward_reach").items[0]
    new = item_with_demonstration(item, path)
    assert new.demonstration == path and new.exercise.phases == demo.definition.phases
    assert new.exercise.tempo == demo.definition.tempo and new.sets == item.sets
    (tmp_path / "plan.toml").write_text(
        '[[exercise]]\nname = "forward_reach"\ndemonstration = "reach.npz"\n', encoding="utf-8"
    )
    from posture_feedback.exercises.plan import load_plan

    loaded = load_plan(tmp_path / "plan.toml").items[0]
    assert loaded.exercise == new.exercise  # the same target as the plan loader's
    other = Plan.single("lateral_raise").items[0]
    with pytest.raises(DemonstrationError, match="not 'lateral_raise'"):
        item_with_demonstration(other, path)


def test_an_interrupted_save_keeps_the_earlier_demonstration(tmp_path, monkeypatch):
    """Audit 28: the .npz was written in place, so Ctrl-C (or a full disk) during the save left half a
    file where the therapist's earlier demonstration was. It is written beside it and moved over it
    once complete: interrupted, the earlier file is byte-for-byte kept and nothing is left beside it."""
    path = save_demonstration(_reach_demo(), tmp_path / "reach.npz")
    before = path.read_bytes()

    def interrupted(f, **arrays):  # noqa: ANN001, ANN003
        f.write(b"PK\x03\x04 half")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez_compressed", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_demonstration(_reach_demo(), path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["reach.npz"]
