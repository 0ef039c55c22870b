"""Where each exercise threshold comes from (``basis``): every built-in names it, the docs list it, and a plan
or a demonstration that changes a threshold changes its basis with it. A new-user audit (2026-12-07) found
none of the 16 definitions citing a source or calling its phase ranges, compensation limits (shoulder
hitch ≤ 12°, trunk lean ≤ 10°) or tempo bands the tool's own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from exercise_traces import piecewise

from posture_feedback.exercises.definitions import (
    DEMONSTRATION_BASIS,
    PLAN_BASIS,
    definition_from_dict,
    definition_to_dict,
)
from posture_feedback.exercises.demonstration import build_demonstration
from posture_feedback.exercises.errors import DefinitionError
from posture_feedback.exercises.library import get_exercise, list_exercises
from posture_feedback.exercises.plan import load_plan, parse_plan, save_plan
from posture_feedback.exercises.thresholds import (
    NOT_STATED,
    markdown_table,
    signal_words,
    threshold_rows,
    thresholds_text,
)
from posture_feedback.exercises.tomlfile import Source

ROOT = Path(__file__).resolve().parent.parent
TOOL = "Tool threshold (not a published norm): "
PUBLISHED = "From a published range: "


def test_every_built_in_threshold_says_where_it_comes_from():
    for d in list_exercises():
        rows = threshold_rows(d)
        timed = d.kind in ("hold", "balance")  # no tempo
        assert len(rows) == len(d.phases) + len(d.conditions) + len(d.compensations) + (not timed)
        for what, _value, basis in rows:
            assert basis.startswith((TOOL, PUBLISHED)) and len(basis) > len(TOOL) + 20, (d.name, what)
            if basis.startswith(PUBLISHED):  # a published range names its source with a year
                assert re.search(r"\b(19|20)\d\d\b", basis), (d.name, what)
    published = [(d.name, w) for d in list_exercises() for w, _v, b in threshold_rows(d) if b.startswith(PUBLISHED)]
    assert published == [("neck_side_bend", "phase bent")]  # the only one; the docs say so


def test_the_rows_read_as_the_definition_by_hand():
    rows = {what: (value, basis) for what, value, basis in threshold_rows(get_exercise("lateral_raise"))}
    assert rows["phase up"][0] == "{side}_shoulder_elevation 80–180°"
    assert rows["compensation shoulder_hitch"][0] == "{side}_shoulder_hike ≤ 12° allowed"
    assert rows["compensation trunk_leaning"][0] == "trunk_lean_{other} ≤ 10° allowed"
    assert rows["tempo"][0] == "way out 0.6–6 s, way back 0.8–6 s"
    chin = {what: value for what, value, _ in threshold_rows(get_exercise("chin_tuck"))}
    assert chin["phase tucked"] == "head_forward_lean ≤ -6° from the person's start, held 3 s"
    stance = {what: value for what, value, _ in threshold_rows(get_exercise("single_leg_stance"))}
    assert stance["phase on_one_leg"] == "{other}_foot_lift ≥ 0.05 leg lengths"
    text = thresholds_text(get_exercise("seated_arm_raise"), "right")
    assert "compensation shoulder hitch: right shoulder hike ≤ 12° allowed — Tool threshold" in text


def test_the_window_s_lines_name_the_signals_in_words():
    """A review: the tooltip showed "each_shoulder_elevation" and "each_shoulder_hike", names that do not
    exist for the user. Words by hand, for one side and for both."""
    assert signal_words("{side}_shoulder_elevation", "both") == "shoulder elevation (each side)"
    assert signal_words("{side}_shoulder_elevation", "left") == "left shoulder elevation"
    assert signal_words("{other}_foot_lift", "both") == "foot lift (the other side)"
    assert signal_words("{other}_foot_lift", "left") == "right foot lift"
    assert signal_words("trunk_lean_{other}", "right") == "trunk lean to the left"
    assert signal_words("trunk_lean_{side}", "both") == "trunk lean (to each side)"
    assert signal_words("neck_bend_{side}", "right") == "neck bend to the right"
    assert signal_words("ear_shoulder_gap") == "ear–shoulder gap"
    assert signal_words("trunk_forward_lean_hips_seen") == "trunk forward lean (hips in view)"
    text = thresholds_text(get_exercise("lateral_raise"), "both")
    assert "phase up: shoulder elevation (each side) 80–180° — Tool threshold" in text
    for d in list_exercises():
        for side in ("left", "right", "both"):
            for line in thresholds_text(d, side).splitlines():
                what_and_value = line.split(" — ", 1)[0]  # the basis may cite a file (bench/derived_signals.py)
                assert "_" not in what_and_value and "{" not in what_and_value, (d.name, side, line)


def test_the_docs_table_is_the_definitions():
    docs = (ROOT / "docs" / "exercises.md").read_text(encoding="utf-8")
    between = docs.split("<!-- thresholds: generated -->\n", 1)[1].split("\n<!-- /thresholds -->", 1)[0]
    assert between == markdown_table(list_exercises()), "regenerate: python -m posture_feedback.exercises.thresholds"


def test_basis_survives_a_round_trip_and_is_optional_in_a_therapists_file():
    for d in list_exercises():
        back = definition_from_dict(definition_to_dict(d), Source("x.toml", ""))
        assert threshold_rows(back) == threshold_rows(d), d.name
    own = definition_to_dict(get_exercise("forward_reach"))
    for p in own["phases"]:
        del p["basis"]
    mine = definition_from_dict(own, Source("mine.toml", ""))
    assert [b for w, _v, b in threshold_rows(mine) if w.startswith("phase")] == [NOT_STATED, NOT_STATED]
    own["phases"][0]["basis"] = " "
    with pytest.raises(DefinitionError, match="must not be empty"):
        definition_from_dict(own, Source("mine.toml", "", DefinitionError))


def test_a_plan_or_a_demonstration_that_sets_a_threshold_sets_its_basis(tmp_path):
    base = get_exercise("lateral_raise")
    plan = parse_plan('title = "P"\n[[exercise]]\nname = "lateral_raise"\n[exercise.phases.up]\nmin = 70\n'
                      '[exercise.tempo]\nout_s = [1, 4]\n')  # fmt: skip
    d = plan.items[0].exercise
    assert d.phase("up").basis == PLAN_BASIS and d.tempo.basis == PLAN_BASIS
    assert d.phase("down").basis == base.phase("down").basis  # untouched: the definition's own
    own = parse_plan('title = "P"\n[[exercise]]\nname = "lateral_raise"\n[exercise.phases.up]\nmin = 70\n'
                     'basis = "Her other shoulder reached 75° in the assessment of 2026-12-01"\n')  # fmt: skip
    assert own.items[0].exercise.phase("up").basis.startswith("Her other shoulder")
    saved = load_plan(save_plan(own, tmp_path / "own.toml"))
    assert saved.items[0].exercise.phase("up").basis == own.items[0].exercise.phase("up").basis
    assert load_plan(save_plan(plan, tmp_path / "p.toml")).items[0].exercise.phase("up").basis == PLAN_BASIS

    trace = piecewise([(0, 10), (1, 10), (3, 120), (4, 120), (7, 10), (8, 10)])
    times, values = [t for t, _ in trace], [v for _, v in trace]
    demo = build_demonstration(get_exercise("forward_reach"), times, values, tolerance=10)
    assert {p.basis for p in demo.definition.phases} == {DEMONSTRATION_BASIS}
    assert demo.definition.tempo.basis == DEMONSTRATION_BASIS
    assert demo.definition.compensations == get_exercise("forward_reach").compensations  # not demonstrated
