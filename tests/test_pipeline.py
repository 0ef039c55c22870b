"""The whole per-frame chain on real video: stages wired in order, target switching, timings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from posture_feedback.pipeline import Pipeline, PipelineOptions, analyze_video
from posture_feedback.presets import get_preset
from posture_feedback.sources import open_source
from posture_feedback.targets import Target, TargetSet
from posture_feedback.types import ANGLE_NAMES, Verdict


def test_switching_target_person_by_click(lab_video: Path) -> None:
    """Two people in frame: the largest is picked first; a click on the other makes them the target."""
    with open_source(lab_video) as src, Pipeline() as pipeline:
        results = []
        for frame in src:
            if frame.index == 40:
                first = results[-1]
                assert len(first.people) == 2 and first.target_index is not None
                other = first.people[1 - first.target_index]
                assert pipeline.request_target(tuple(other.center()))
            results.append(pipeline.process(frame))
            if frame.index >= 70:
                break
    before = {r.landmarks.track_id for r in results[20:40] if r.landmarks is not None}
    after = {r.landmarks.track_id for r in results[45:] if r.landmarks is not None}
    assert len(before) == 1 and len(after) == 1 and before != after
    # The new target is the person that was clicked: their trunk centre is where the click was.
    clicked_at = np.asarray(other.center())
    new = results[41].landmarks
    assert new is not None and np.linalg.norm(new.center() - clicked_at) < 0.1 * max(new.image_size)


def test_request_target_far_from_everyone_is_refused(lab_video: Path) -> None:
    with open_source(lab_video) as src, Pipeline() as pipeline:
        for frame in src:
            pipeline.process(frame)
            if frame.index >= 5:
                break
        assert not pipeline.request_target((5.0, 5.0))


def test_targets_verdicts_and_cue_on_real_video(sports_video: Path) -> None:
    impossible = Target(id="knee", angle="left_knee_flexion", low=150.0, high=170.0, tolerance=5.0,
                        cue_low="Bend your knee much more", cue_high="Straighten", min_duration_s=0.2)  # fmt: skip
    easy = Target(id="elbow", angle="right_elbow_flexion", low=-30.0, high=180.0, tolerance=5.0,
                  cue_low="x", cue_high="y", min_duration_s=0.2)  # fmt: skip
    results = analyze_video(sports_video, target_set=TargetSet(name="t", targets=[impossible, easy]), max_frames=60)
    knee = [r.targets[0].verdict for r in results[20:] if r.person_found]
    elbow = [r.targets[1].verdict for r in results[20:] if r.person_found]
    assert knee.count(Verdict.LOW) > 0.8 * len(knee)
    assert Verdict.LOW not in elbow and Verdict.HIGH not in elbow
    assert results[-1].cue == "Bend your knee much more"


def test_timings_and_angle_table_shape(sports_video: Path) -> None:
    results = analyze_video(sports_video, target_set=get_preset("standing"), max_frames=20)
    found = [r for r in results if r.person_found]
    assert found
    for r in found:
        assert r.angles.names == ANGLE_NAMES and r.angles.values.shape == (len(ANGLE_NAMES),)
        assert r.timings_ms["pose"] > 0 and r.timings_ms["post"] >= 0
        assert r.landmarks is not None and r.landmarks.track_id >= 0


def test_image_mode_for_still_image(street_image: Path) -> None:
    results = analyze_video(street_image)
    assert len(results) == 1 and results[0].person_found
    assert np.isfinite(results[0].angles.values).sum() >= 8


@pytest.mark.parametrize("max_people", [1, 3])
def test_max_people_option(lab_video: Path, max_people: int) -> None:
    from posture_feedback.pose import PoseOptions

    results = analyze_video(lab_video, PipelineOptions(pose=PoseOptions(max_people=max_people)), max_frames=30)
    assert max(len(r.people) for r in results) <= max_people
    assert sum(r.person_found for r in results) >= 25


def test_start_with_the_person_at_a_pixel(lab_video: Path) -> None:
    """`analyze --person X,Y`: the man behind (not the larger woman in front) is followed from the start."""
    with open_source(lab_video) as src, Pipeline() as default, Pipeline() as chosen:
        chosen.start_with_person_at((540.0, 700.0))  # on the man, who is detected from frame ~8 on
        pairs = [(default.process(f), chosen.process(f)) for f in src if f.index < 40]
    firsts = [c for _, c in pairs if c.landmarks is not None]
    assert pairs[0][1].landmarks is None  # nobody at that pixel yet: no target rather than the wrong one
    assert len(firsts) >= 25
    for d, c in pairs[20:]:
        assert c.landmarks is not None and d.landmarks is not None
        x0, y0, x1, y1 = c.landmarks.bbox()
        assert x0 <= 540 <= x1 and y0 <= 700 <= y1
        assert np.linalg.norm(c.landmarks.center() - d.landmarks.center()) > 200  # a different person


def test_analyze_person_option(lab_video: Path, tmp_path: Path, capsys) -> None:
    from posture_feedback.cli import main

    assert main(["analyze", "--video", str(lab_video), "--person", "nope", "--out", str(tmp_path / "x.csv")]) == 2
    assert "is not X,Y in pixels" in capsys.readouterr().err
    out = tmp_path / "p.csv"
    args = ["analyze", "--video", str(lab_video), "--person", "540,700", "--max-frames", "30", "--out", str(out),
            "--no-progress"]  # fmt: skip
    assert main(args) == 0
    rows = out.read_text().splitlines()[1:]
    assert rows[0].split(",")[2] == "0" and rows[-1].split(",")[2] == "1"
