"""Plan files: every validation error names file, line, field, the problem and what is allowed;
fuzzing only ever raises PlanError; saving writes a plan that loads back the same."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posture_feedback.errors import PostureFeedbackError
from posture_feedback.exercises.errors import DefinitionError, PlanError
from posture_feedback.exercises.plan import Plan, load_plan, parse_plan, plan_from_dict, save_plan
from posture_feedback.exercises.tomlfile import Source, dump_toml, find_line

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "plans"

GOOD = """\
title = "Test plan"

[[exercise]]
name = "lateral_raise"
side = "left"
sets = 2
reps = 5
rest_s = 10
"""


def err(text: str, file: str = "plan.toml") -> PlanError:
    with pytest.raises(PlanError) as info:
        parse_plan(text, file)
    e = info.value
    assert "\n" not in str(e)
    assert isinstance(e, PostureFeedbackError)
    return e


def test_the_good_plan_parses():
    plan = parse_plan(GOOD)
    item = plan.items[0]
    assert (item.exercise.name, item.side, item.sets, item.reps, item.rest_s) == ("lateral_raise", "left", 2, 5, 10.0)
    assert item.hold_s is None and plan.title == "Test plan"


@pytest.mark.parametrize("name", ["shoulder_week1", "balance_and_gait", "custom_exercise"])
def test_example_plans_load(name):
    plan = load_plan(EXAMPLES / f"{name}.toml")
    assert plan.items


def test_toml_syntax_error_names_the_line():
    e = err(GOOD + "sets = = 3\n")
    assert e.line == 9 and "not valid TOML" in str(e) and str(e).startswith("plan.toml:9:")


def test_not_utf8():
    with pytest.raises(PlanError, match="not UTF-8"):
        parse_plan(b"title = '\xff\xfe'", "x.toml")


def test_missing_plan_file(tmp_path):
    with pytest.raises(PlanError, match="plan file not found") as info:
        load_plan(tmp_path / "nope.toml")
    assert info.value.file.endswith("nope.toml")


def test_unknown_top_level_field_lists_the_allowed_ones():
    e = err('titel = "x"\n' + GOOD)
    assert (e.line, e.field, e.problem) == (1, "titel", "unknown field")
    assert "title" in e.allowed and "rest_between_s" in e.allowed


def test_no_exercises():
    e = err('title = "x"\n')
    assert e.field == "exercise" and "missing" in e.problem
    e = err('title = "x"\nexercise = []\n')
    assert e.line == 2 and "no exercises" in e.problem


def test_exercise_must_be_tables():
    e = err('exercise = ["lateral_raise"]\n')
    assert e.line == 1 and "must be a table" in e.problem


def test_missing_name():
    e = err('title = "x"\n\n[[exercise]]\nsets = 2\n')
    assert e.line == 3 and e.field == "exercise[1].name" and "missing" in e.problem
    assert "lateral_raise" in e.allowed


def test_name_and_file_together():
    e = err('[[exercise]]\nname = "chin_tuck"\nfile = "x.toml"\n')
    assert e.line == 2 and "not both" in e.problem


def test_unknown_exercise_name_lists_the_built_ins():
    e = err(GOOD + '\n[[exercise]]\nname = "lateral_rise"\n')
    assert (e.line, e.field) == (11, "exercise[2].name")
    assert "unknown exercise 'lateral_rise'" in e.problem and "lateral_raise" in e.allowed


def test_unknown_exercise_field_typo():
    e = err(GOOD.replace("reps = 5", "rep = 5"))
    assert (e.line, e.field, e.problem) == (7, "exercise[1].rep", "unknown field")
    assert "reps" in e.allowed


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "problem", "allowed"),
    [
        ("sets = 2", 'sets = "two"', 6, "exercise[1].sets", "must be a whole number, got a string", "1..100"),
        ("sets = 2", "sets = 0", 6, "exercise[1].sets", "0 is out of range", "1..100"),
        ("sets = 2", "sets = 2.5", 6, "exercise[1].sets", "must be a whole number, got a number", "1..100"),
        ("reps = 5", "reps = true", 7, "exercise[1].reps", "must be a whole number, got a boolean", "1..1000"),
        ('side = "left"', 'side = "up"', 5, "exercise[1].side", "unknown value 'up'", "left | right | both"),
        ("rest_s = 10", "rest_s = -5", 8, "exercise[1].rest_s", "-5 is out of range", "0..3600 s"),
        ("rest_s = 10", "rest_s = nan", 8, "exercise[1].rest_s", "nan is out of range", "0..3600 s"),
        ('title = "Test plan"', "title = 3", 1, "title", "must be a string, got an integer", ""),
    ],
)
def test_bad_values(old, new, line, field, problem, allowed):
    e = err(GOOD.replace(old, new))
    assert (e.line, e.field, e.problem, e.allowed) == (line, field, problem, allowed)
    assert str(e) == f"plan.toml:{line}: {field}: {problem}" + (f" (allowed: {allowed})" if allowed else "")


def test_side_for_an_exercise_without_sides():
    e = err('[[exercise]]\nname = "tandem_stance"\nside = "left"\n')
    assert e.line == 3 and "not done with one side" in e.problem and "both" in e.allowed


def test_reps_for_a_timed_exercise():
    e = err('[[exercise]]\nname = "upright_sitting"\nreps = 10\n')
    assert e.line == 3 and "timed hold exercise" in e.problem and "hold_s" in e.allowed


def test_hold_s_for_a_reps_exercise_points_to_the_phase():
    e = err('[[exercise]]\nname = "chin_tuck"\nhold_s = 5\n')
    assert e.line == 3 and "[exercise.phases.tucked] hold_s" in e.allowed


def test_override_of_an_unknown_phase():
    e = err(GOOD + "\n[exercise.phases.top]\nmin = 70\n")
    assert (e.line, e.field) == (10, "exercise[1].phases.top")
    assert "has no phase 'top'" in e.problem and e.allowed == "down, up"


def test_override_that_overlaps_the_start():
    e = err(GOOD + "\n[exercise.phases.up]\nmin = 20\n")
    assert (e.line, e.field) == (10, "exercise[1].phases.up") and "overlaps start" in e.problem


def test_override_min_above_max():
    e = err(GOOD + "\n[exercise.phases.up]\nmin = 120\nmax = 100\n")
    assert e.line == 11 and "greater than max" in e.problem


def test_override_as_inline_table_is_located():
    e = err(GOOD + "phases = { up = { min = 10 } }\n")
    assert e.line == 9 and "overlaps" in e.problem


def test_bad_tempo_interval():
    e = err(GOOD + "\n[exercise.tempo]\nback_s = [5.0, 1.0]\n")
    assert (e.line, e.field) == (11, "exercise[1].tempo.back_s") and "min 5 is greater than max 1" in e.problem
    e = err(GOOD + "\n[exercise.tempo]\nout_s = 3\n")
    assert "two numbers" in e.problem


def test_definition_file_not_found(tmp_path):
    p = tmp_path / "plan.toml"
    p.write_text('[[exercise]]\nfile = "mine.toml"\n')
    with pytest.raises(PlanError) as info:
        load_plan(p)
    assert info.value.line == 2 and "not found" in info.value.problem


def test_bad_definition_file_names_that_file_and_line(tmp_path):
    (tmp_path / "mine.toml").write_text(
        (EXAMPLES / "wall_slide.toml").read_text().replace('kind = "reps"', 'kind = "rep"')
    )
    p = tmp_path / "plan.toml"
    p.write_text('[[exercise]]\nfile = "mine.toml"\n')
    with pytest.raises(DefinitionError) as info:
        load_plan(p)
    e = info.value
    assert e.file.endswith("mine.toml") and e.line == 6 and e.field == "kind"
    assert "unknown value 'rep'" in e.problem and "reps | hold | balance | gait" in e.allowed


def test_definition_with_unknown_signal(tmp_path):
    d = tmp_path / "mine.toml"
    d.write_text(
        (EXAMPLES / "wall_slide.toml").read_text().replace("{side}_shoulder_elevation", "{side}_wrist_flexion")
    )
    p = tmp_path / "plan.toml"
    p.write_text('[[exercise]]\nfile = "mine.toml"\n')
    with pytest.raises(DefinitionError, match=r"mine.toml:7: signal: unknown signal"):
        load_plan(p)


def test_find_line_tracks_arrays_of_tables_and_subtables():
    text = GOOD + '\n[[exercise]]\nname = "chin_tuck"\n\n[exercise.phases.tucked]\nmin = 60\n'
    assert find_line(text, ("exercise", 0, "sets")) == 6
    assert find_line(text, ("exercise", 1, "name")) == 11
    assert find_line(text, ("exercise", 1, "phases", "tucked", "min")) == 14
    assert find_line(text, ("exercise", 1, "reps")) == 10  # absent: its table's header
    assert find_line(text, ("nothing",)) is None


# -- fuzzing -------------------------------------------------------------------------------------
KEYS = ["title", "patient", "exercise", "name", "file", "side", "sets", "reps", "hold_s", "rest_s", "phases",
        "tempo", "up", "down", "min", "max", "out_s", "back_s", "count_compensated", "notes", "hysteresis",
        "demonstration", "x"]  # fmt: skip
leaf = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.text(max_size=12),
    st.sampled_from(["lateral_raise", "chin_tuck", "marching", "left", "both", "up", "tandem_stance"]),
)  # fmt: skip
values = st.recursive(
    leaf,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(KEYS), children, max_size=6),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=6))
def test_random_dicts_only_raise_plan_error(data):
    try:
        plan = plan_from_dict(data, Source("fuzz.toml", ""))
    except PlanError as e:
        assert "\n" not in str(e)
    else:
        assert isinstance(plan, Plan) and plan.items


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_only_raise_plan_error(data):
    try:
        parse_plan(data)
    except PlanError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('[]=."\n abc0123_exercisnam')), max_size=120))
def test_random_plan_like_text_only_raises_plan_error(text):
    try:
        parse_plan(text)
    except PlanError:
        pass


# -- saving --------------------------------------------------------------------------------------
def _summary(plan: Plan):
    return [
        (i.exercise.name, i.side, i.sets, i.reps, i.hold_s, i.rest_s, i.exercise.phases, i.exercise.tempo, i.notes)
        for i in plan.items
    ]


@pytest.mark.parametrize("name", ["shoulder_week1", "balance_and_gait", "custom_exercise"])
def test_save_and_reload_gives_the_same_plan(tmp_path, name):
    plan = load_plan(EXAMPLES / f"{name}.toml")
    out = save_plan(plan, tmp_path / "saved.toml")
    again = load_plan(out)
    assert _summary(again) == _summary(plan)
    assert (again.title, again.patient, again.rest_between_s) == (plan.title, plan.patient, plan.rest_between_s)


def test_saved_overrides_are_written_as_differences(tmp_path):
    plan = load_plan(EXAMPLES / "shoulder_week1.toml")
    data = tomllib.loads(save_plan(plan, tmp_path / "s.toml").read_text())
    raise_item = next(e for e in data["exercise"] if e["name"] == "lateral_raise")
    # with the plan's own words for where its threshold comes from (the tempo has none: the default's)
    assert raise_item["phases"] == {"up": {"min": 70.0, "basis": "Below pain this week (the notes above)"}}
    assert raise_item["tempo"] == {"back_s": [1.0, 6.0]}
    assert "phases" not in data["exercise"][0]


def test_dump_toml_round_trips_awkward_strings():
    data = {"a": 'quote " and \\ back\nslash', "b": [1, 2.5, True], "t": {"x": "é", "y": {"z": 1}},
            "arr": [{"n": 1}, {"n": 2, "sub": {"k": "v"}}]}  # fmt: skip
    assert tomllib.loads(dump_toml(data)) == data


def test_dump_toml_refuses_infinity():
    with pytest.raises(ValueError):
        dump_toml({"x": math.inf})


DEF_KEYS = ["name", "title", "description", "kind", "signal", "views", "both", "hysteresis", "instruction", "words",
            "unit", "defaults", "phases", "conditions", "compensations", "tempo", "cues", "min", "max", "cue",
            "hold_s", "reps", "sets"]  # fmt: skip
def_values = st.recursive(
    st.one_of(leaf, st.sampled_from(["reps", "hold", "front", "side", "{side}_knee_flexion", "trunk_inclination"])),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(DEF_KEYS), children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(DEF_KEYS), def_values, max_size=8))
def test_random_definitions_only_raise_definition_error(data):
    from posture_feedback.exercises.definitions import definition_from_dict

    try:
        definition_from_dict(data, Source("fuzz.toml", "", DefinitionError))
    except DefinitionError as e:
        assert "\n" not in str(e)


def test_every_built_in_definition_round_trips_through_toml():
    from posture_feedback.exercises.definitions import definition_from_dict, definition_to_dict
    from posture_feedback.exercises.library import list_exercises

    for d in list_exercises():
        text = dump_toml(definition_to_dict(d))
        again = definition_from_dict(tomllib.loads(text), Source(d.name, text, DefinitionError))
        assert (again.phases, again.compensations, again.conditions, again.views) == (
            d.phases, d.compensations, d.conditions, d.views,
        )  # fmt: skip
