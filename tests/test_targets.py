"""Targets: zones, hysteresis, minimum duration, neutral, view validity, and the TOML file format."""

from __future__ import annotations

import math
import os
import string
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posture_feedback.targets import (
    MAX_FILE_BYTES,
    Target,
    TargetEvaluator,
    TargetFileError,
    TargetSet,
    dumps_targets,
    evaluate_once,
    load_targets,
    loads_targets,
    save_targets,
    target_set_from_dict,
)
from posture_feedback.types import ANGLE_NAMES, AngleTable, Verdict, View

CVA = "craniovertebral_angle"


def table(invalid: tuple[str, ...] = (), **values: float) -> AngleTable:
    """An angle table with the given angles (degrees) measured and valid (except ``invalid``)."""
    a = AngleTable.empty()
    for name, v in values.items():
        i = ANGLE_NAMES.index(name)
        a.values[i] = v
        a.valid[i] = name not in invalid and not math.isnan(v)
    return a


def one(target: Target, neutral=None) -> TargetEvaluator:
    return TargetEvaluator(TargetSet("t", [target]), neutral)


def run(ev: TargetEvaluator, angle: str, values, view=View.SIDE, fps: float = 10.0):
    """Feed values at ``fps``; returns the shown verdict of the (only) target after each frame."""
    return [ev.update(table(**{angle: v}), view, i / fps)[0].verdict for i, v in enumerate(values)]


def run_cue(ev: TargetEvaluator, angle: str, values, view=View.SIDE, fps: float = 10.0):
    """Feed values at ``fps``; returns the debounced cue verdict after each frame, and checks on the way
    that the shown verdict is the plain zone of the shown value (hysteresis never reaches it)."""
    out = []
    for i, v in enumerate(values):
        (s,) = ev.update(table(**{angle: v}), view, i / fps)
        assert s.verdict is plain_zone(s.value, s.low, s.high, ev.target_set.targets[0].tolerance)
        out.append(s.cue_verdict)
    return out


def plain_zone(v: float, lo: float, hi: float, tol: float) -> Verdict:
    """The documented zones, written out by hand (not with the code under test)."""
    if math.isnan(v):
        return Verdict.UNKNOWN
    if v < lo - tol or v > hi + tol:
        return Verdict.LOW if v < lo else Verdict.HIGH
    if v < lo or v > hi:
        return Verdict.NEAR
    return Verdict.IN_RANGE


def fwd_head(**kw) -> Target:
    base = dict(id="fh", angle=CVA, low=50.0, tolerance=4.0, cue_low="Head back", hysteresis=0.0, min_duration_s=0.0)
    base.update(kw)
    return Target(**base)


# --------------------------------------------------------------------------- zones


@pytest.mark.parametrize(
    ("value", "verdict", "cue"),
    [
        (60.0, Verdict.IN_RANGE, None),
        (70.0, Verdict.IN_RANGE, None),  # upper bound of the range
        (50.0, Verdict.IN_RANGE, None),  # bounds are inclusive
        (49.99, Verdict.NEAR, "Head back"),
        (46.0, Verdict.NEAR, "Head back"),  # low - tolerance is still near
        (45.99, Verdict.LOW, "Head back"),
        (70.01, Verdict.NEAR, "Too upright"),
        (74.0, Verdict.NEAR, "Too upright"),
        (74.01, Verdict.HIGH, "Too upright"),
    ],
)
def test_zone_of_each_value(value, verdict, cue):
    ev = one(fwd_head(high=70.0, cue_high="Too upright", priority=7))
    (s,) = ev.update(table(craniovertebral_angle=value), View.SIDE, 0.0)
    assert s.verdict is verdict
    assert s.cue == cue
    assert s.value == value
    assert (s.low, s.high) == (50.0, 70.0)
    assert (s.target, s.angle, s.priority) == ("fh", CVA, 7)


def test_one_sided_ranges_have_infinite_effective_bounds():
    (s,) = one(fwd_head()).update(table(craniovertebral_angle=120.0), View.SIDE, 0.0)
    assert s.verdict is Verdict.IN_RANGE and s.low == 50.0 and s.high == math.inf
    t = Target("lean", "trunk_inclination", high=5.0, tolerance=0.0, cue_high="Sit tall", min_duration_s=0)
    (s,) = one(t).update(table(trunk_inclination=-80.0), View.FRONT, 0.0)
    assert s.verdict is Verdict.IN_RANGE and s.low == -math.inf
    (s,) = one(t).update(table(trunk_inclination=5.01), View.FRONT, 0.0)
    assert s.verdict is Verdict.HIGH  # zero tolerance: no near band
    assert s.cue == "Sit tall"


def test_empty_cue_text_gives_none():
    (s,) = one(fwd_head(cue_low="")).update(table(craniovertebral_angle=30.0), View.SIDE, 0.0)
    assert s.verdict is Verdict.LOW and s.cue is None


# --------------------------------------------------------------------------- hysteresis


def test_jitter_around_boundary_flickers_without_hysteresis():
    jitter = [52.0] + [49.6, 50.4] * 5
    got = run(one(fwd_head()), CVA, jitter)
    assert got.count(Verdict.NEAR) == 5 and got.count(Verdict.IN_RANGE) == 6


def test_hysteresis_holds_state_through_jitter():
    ev = one(fwd_head(hysteresis=1.0))
    jitter = [52.0] + [49.6, 50.4] * 5
    assert run_cue(ev, CVA, jitter) == [Verdict.IN_RANGE] * 11


def test_hysteresis_leaving_needs_crossing_by_the_margin():
    ev = one(fwd_head(hysteresis=1.0))
    # In range; 49.0 is exactly 1° past the boundary (still held); 48.9 leaves.
    got = run_cue(ev, CVA, [52.0, 49.0, 48.9, 50.5, 51.0, 51.1])
    assert got == [
        Verdict.IN_RANGE,
        Verdict.IN_RANGE,
        Verdict.NEAR,
        Verdict.NEAR,  # back inside the range, but not by 1° yet
        Verdict.NEAR,  # 51.0 = boundary + hysteresis: still held
        Verdict.IN_RANGE,
    ]


def test_hysteresis_between_near_and_low():
    ev = one(fwd_head(hysteresis=0.5))
    got = run_cue(ev, CVA, [47.0, 45.6, 45.4, 46.4, 46.6])
    # near band is [46, 50]; leave it downwards below 45.5, come back above 46.5
    assert got == [Verdict.NEAR, Verdict.NEAR, Verdict.LOW, Verdict.LOW, Verdict.NEAR]


def test_large_jump_skips_zones_despite_hysteresis():
    ev = one(fwd_head(hysteresis=1.0, high=60.0))
    assert run(ev, CVA, [55.0, 30.0, 90.0]) == [Verdict.IN_RANGE, Verdict.LOW, Verdict.HIGH]


# --------------------------------------------------------------------------- minimum duration


def test_min_duration_delays_a_new_verdict():
    ev = one(fwd_head(min_duration_s=0.5))
    # 10 fps: in range at t=0..0.4, low from t=0.5; reported low from t=1.0 (0.5 s later).
    got = run_cue(ev, CVA, [55.0] * 5 + [40.0] * 8)
    assert got[:10] == [Verdict.IN_RANGE] * 10
    assert got[10:] == [Verdict.LOW] * 3


def test_min_duration_ignores_brief_excursions():
    ev = one(fwd_head(min_duration_s=0.5))
    seq = [55.0] * 3 + [40.0] * 4 + [55.0] * 3 + [40.0, 47.0, 40.0, 47.0] + [55.0] * 3
    assert set(run_cue(ev, CVA, seq)) == {Verdict.IN_RANGE}


def test_changing_candidate_restarts_the_timer():
    ev = one(fwd_head(min_duration_s=0.3))
    # low for 0.2 s then near for 0.2 s: neither persisted 0.3 s; then near persists.
    got = run_cue(ev, CVA, [55.0, 40.0, 40.0, 47.0, 47.0, 47.0, 47.0])
    assert got == [Verdict.IN_RANGE] * 6 + [Verdict.NEAR]


def test_first_known_verdict_is_reported_at_once():
    ev = one(fwd_head(min_duration_s=5.0))
    assert run(ev, CVA, [math.nan, 40.0]) == [Verdict.UNKNOWN, Verdict.LOW]


def test_dropout_is_unknown_at_once_with_no_stale_value():
    ev = one(fwd_head(min_duration_s=0.2))
    states = [
        ev.update(table(craniovertebral_angle=v), View.SIDE, i / 10) for i, v in enumerate([40.0] + [math.nan] * 2)
    ]
    assert [s[0].verdict for s in states] == [Verdict.LOW, Verdict.UNKNOWN, Verdict.UNKNOWN]
    assert [s[0].cue_verdict for s in states] == [Verdict.LOW, Verdict.UNKNOWN, Verdict.UNKNOWN]
    assert math.isnan(states[1][0].value) and states[1][0].cue is None


def test_shown_verdict_is_never_held_by_hysteresis_or_duration():
    ev = one(fwd_head(hysteresis=1.0, min_duration_s=0.5))
    values = [52.0, 49.6, 50.4, 40.0, 40.0, 55.0]
    assert run(ev, CVA, values) == [plain_zone(v, 50.0, math.inf, 4.0) for v in values]


def test_a_correction_ends_the_cue_at_once_but_a_new_cue_waits():
    ev = one(fwd_head(min_duration_s=0.5))
    got = run_cue(ev, CVA, [40.0, 55.0, 40.0, 40.0, 40.0, 40.0, 40.0, 40.0])
    # first known: at once; back in range: at once; out again: only after 0.5 s (t = 0.2 -> 0.7)
    assert got == [Verdict.LOW, Verdict.IN_RANGE] + [Verdict.IN_RANGE] * 5 + [Verdict.LOW]


def test_the_cue_never_points_against_the_value():
    t = fwd_head(high=60.0, cue_high="Chin down", min_duration_s=1.0, hysteresis=0.0)
    ev = one(t)
    (s,) = ev.update(table(craniovertebral_angle=40.0), View.SIDE, 0.0)
    assert s.cue == "Head back"
    (s,) = ev.update(table(craniovertebral_angle=80.0), View.SIDE, 0.1)  # jumped above the range
    assert s.verdict is Verdict.HIGH and s.cue_verdict is Verdict.LOW and s.cue is None
    (s,) = ev.update(table(craniovertebral_angle=80.0), View.SIDE, 1.1)
    assert s.cue_verdict is Verdict.HIGH and s.cue == "Chin down"


def test_value_is_rounded_as_in_the_csv_and_judged_as_rounded():
    t = Target("lean", "trunk_inclination", high=5.0, tolerance=2.0, cue_high="Sit tall", min_duration_s=0)
    (s,) = one(t).update(table(trunk_inclination=5.004), View.FRONT, 0.0)
    assert s.value == 5.0 and s.verdict is Verdict.IN_RANGE and s.tolerance == 2.0
    (s,) = one(t).update(table(trunk_inclination=5.006), View.FRONT, 0.0)
    assert s.value == 5.01 and s.verdict is Verdict.NEAR


@pytest.mark.parametrize(
    ("value", "low", "high", "verdict", "text"),
    [
        (5.3, -5.0, 5.0, Verdict.NEAR, "5.3"),  # "5" would sit inside the range
        (4.6, -5.0, 5.0, Verdict.IN_RANGE, "5"),
        (12.0, -5.0, 5.0, Verdict.HIGH, "12"),
        (-11.2, -5.0, 5.0, Verdict.LOW, "−11"),
        (5.01, -5.0, 5.0, Verdict.NEAR, "5.01"),
        (-0.2, -5.0, 5.0, Verdict.IN_RANGE, "0"),
    ],
)
def test_value_text_never_reads_against_its_verdict(value, low, high, verdict, text):
    from posture_feedback.targets import value_text
    from posture_feedback.types import TargetState

    s = TargetState("x", "head_tilt", value, verdict, low, high, None, 0, 2.0)
    assert value_text(s) == text

def test_reset_forgets_history():
    ev = one(fwd_head(min_duration_s=1.0))
    run(ev, CVA, [55.0, 40.0])
    ev.reset()
    assert ev.update(table(craniovertebral_angle=40.0), View.SIDE, 0.2)[0].verdict is Verdict.LOW


# --------------------------------------------------------------------------- unknown


def test_unknown_when_nan_invalid_or_wrong_view():
    ev = one(fwd_head(views={View.SIDE}))
    assert ev.update(table(craniovertebral_angle=math.nan), View.SIDE, 0.0)[0].verdict is Verdict.UNKNOWN
    assert ev.update(table(invalid=(CVA,), craniovertebral_angle=40.0), View.SIDE, 0.1)[0].verdict is Verdict.UNKNOWN
    assert ev.update(table(craniovertebral_angle=40.0), View.FRONT, 0.2)[0].verdict is Verdict.UNKNOWN
    assert ev.update(table(craniovertebral_angle=40.0), View.UNKNOWN, 0.3)[0].verdict is Verdict.UNKNOWN
    s = ev.update(table(craniovertebral_angle=40.0), View.SIDE, 0.4)[0]
    assert s.verdict is Verdict.LOW


def test_angle_missing_from_a_custom_table_is_unknown_and_extra_names_work():
    names = ("extra_angle", CVA)
    tab = AngleTable(np.array([1.0, 40.0]), np.array([True, True]), np.full(2, np.nan), names)
    ev = TargetEvaluator(TargetSet("t", [fwd_head(), Target("hd", "head_tilt", low=-5, high=5, min_duration_s=0)]))
    s = ev.update(tab, View.SIDE, 0.0)
    assert [x.verdict for x in s] == [Verdict.LOW, Verdict.UNKNOWN]


# --------------------------------------------------------------------------- relative to neutral


def test_relative_target_uses_neutral():
    t = fwd_head(low=-5.0, high=10.0, relative=True)
    ev = one(t, neutral={CVA: 60.0})
    (s,) = ev.update(table(craniovertebral_angle=54.0), View.SIDE, 0.0)
    assert (s.low, s.high) == (55.0, 70.0)
    assert s.verdict is Verdict.NEAR
    ev.set_neutral({CVA: 58.0})
    (s,) = ev.update(table(craniovertebral_angle=54.0), View.SIDE, 0.1)
    assert (s.low, s.high, s.verdict) == (53.0, 68.0, Verdict.IN_RANGE)


def test_relative_target_without_neutral_is_unknown():
    ev = one(fwd_head(low=-5.0, relative=True), neutral={"head_tilt": 1.0, CVA: math.nan})
    (s,) = ev.update(table(craniovertebral_angle=54.0), View.SIDE, 0.0)
    assert s.verdict is Verdict.UNKNOWN and math.isnan(s.low) and math.isnan(s.high)
    assert ev.neutral == {"head_tilt": 1.0}


def test_absolute_target_ignores_neutral():
    (s,) = one(fwd_head(), neutral={CVA: 80.0}).update(table(craniovertebral_angle=54.0), View.SIDE, 0.0)
    assert (s.low, s.verdict) == (50.0, Verdict.IN_RANGE)


def test_evaluate_once_for_stills():
    ts = TargetSet("t", [fwd_head(min_duration_s=3.0, hysteresis=2.0)])
    assert evaluate_once(ts, table(craniovertebral_angle=45.0), View.SIDE)[0].verdict is Verdict.LOW


def test_states_follow_target_order():
    ts = TargetSet(
        "t",
        [
            Target("b", "head_tilt", low=-5, high=5, min_duration_s=0),
            Target("a", "shoulder_tilt", low=-3, high=3, min_duration_s=0),
        ],
    )
    s = TargetEvaluator(ts).update(table(head_tilt=9.0, shoulder_tilt=0.0), View.FRONT, 0.0)
    assert [(x.target, x.verdict) for x in s] == [("b", Verdict.HIGH), ("a", Verdict.IN_RANGE)]


# --------------------------------------------------------------------------- TOML round trip

WEIRD = 'Quote " back\\slash\nnew line\ttab \x01 ctl — ünïcödé 🙂'


def full_set() -> TargetSet:
    return TargetSet(
        name="my-set",
        label="My set",
        description=WEIRD,
        view=View.SIDE,
        targets=(
            Target(
                "forward_head", CVA, low=-5.0, high=None, tolerance=3.5, relative=True, cue_low=WEIRD,
                cue_high="", priority=-3, hysteresis=0.25, min_duration_s=1.5, views={"side", "oblique"},
                label="Head", source="Yip 2008",
            ),
            Target("lean", "trunk_inclination", high=1e-7, tolerance=0.0, views={View.FRONT}),
            Target("tilt", "head_tilt", low=-359.5, high=360.0, priority=1000),
        ),
    )  # fmt: skip


def test_save_load_round_trip(tmp_path):
    ts = full_set()
    p = tmp_path / "set.toml"
    save_targets(ts, p)
    assert load_targets(p) == ts
    assert p.read_bytes().decode("utf-8")  # UTF-8 text
    save_targets(TargetSet("other", [Target("x", "head_tilt", low=1)]), p)  # replaces atomically
    assert load_targets(p).name == "other"
    assert sorted(os.listdir(tmp_path)) == ["set.toml"]  # no temp file left behind


def test_name_defaults_to_file_stem_and_bom_is_accepted(tmp_path):
    p = tmp_path / "desk.toml"
    p.write_bytes(b'\xef\xbb\xbf[[targets]]\nid = "a"\nangle = "head_tilt"\nlow = -2\nhigh = 2\n')
    ts = load_targets(p)
    assert ts.name == "desk" and ts.targets[0].low == -2.0 and isinstance(ts.targets[0].low, float)
    assert ts.targets[0].views == frozenset({View.FRONT, View.BACK, View.SIDE, View.OBLIQUE})


def test_target_set_helpers():
    ts = full_set()
    assert ts.get("lean").angle == "trunk_inclination"
    with pytest.raises(KeyError, match="forward_head, lean, tilt"):
        ts.get("nope")
    assert ts.angles() == (CVA, "trunk_inclination", "head_tilt")
    assert ts.views_used() == frozenset({View.SIDE, View.OBLIQUE, View.FRONT, View.BACK})
    assert ts.tolerances()["forward_head"] == 3.5
    changed = ts.with_target(Target("lean", "trunk_inclination", high=9.0))
    assert changed.get("lean").high == 9.0 and len(changed) == 3
    assert len(ts.with_target(Target("new", "pelvic_tilt", low=0.0))) == 4


# --------------------------------------------------------------------------- validation errors

GOOD_TARGET = 'id = "a"\nangle = "head_tilt"\nlow = -5.0\nhigh = 5.0\n'


def load_text(tmp_path: Path, text: str | bytes) -> TargetSet:
    p = tmp_path / "t.toml"
    p.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return load_targets(p)


def err_of(tmp_path: Path, text: str | bytes) -> TargetFileError:
    with pytest.raises(TargetFileError) as info:
        load_text(tmp_path, text)
    e = info.value
    assert "\n" not in str(e)  # one line
    assert str(tmp_path / "t.toml") in str(e)
    return e


def test_error_missing_file(tmp_path):
    with pytest.raises(TargetFileError, match="file not found"):
        load_targets(tmp_path / "nope.toml")


def test_error_directory(tmp_path):
    with pytest.raises(TargetFileError, match="is a directory"):
        load_targets(tmp_path)


def test_error_not_utf8_with_line(tmp_path):
    e = err_of(tmp_path, b'name = "a"\n\n# caf\xe9\n')
    assert e.line == 3 and "not UTF-8" in e.problem and e.allowed == "UTF-8 text"


def test_error_toml_syntax_with_line(tmp_path):
    e = err_of(tmp_path, 'name = "a"\n\n[[targets]]\nid = "a\n')
    assert e.line == 4 and "not valid TOML" in str(e)


def test_error_huge_file(tmp_path):
    e = err_of(tmp_path, "#" * (MAX_FILE_BYTES + 1))
    assert "bytes" in e.problem and str(MAX_FILE_BYTES) in e.allowed


def test_error_unknown_top_key(tmp_path):
    e = err_of(tmp_path, 'name = "a"\ncolour = "red"\n[[targets]]\n' + GOOD_TARGET)
    assert (e.field, e.line, e.problem) == ("colour", 2, "unknown key")
    assert "description" in e.allowed and "targets" in e.allowed


@pytest.mark.parametrize(
    ("text", "field", "problem", "allowed"),
    [
        ("name = 3\n", "name", "expected text, got int", "text"),
        ('name = "a"\nview = "sideways"\n', "view", "unknown view 'sideways'", "front, back, side, oblique"),
        ('name = "a"\nview = "unknown"\n', "view", "'unknown' is not a view", "front, back, side, oblique"),
        ('name = "a"\n', "targets", "no targets", "at least one [[targets]] table"),
        ('name = "a"\ntargets = [1, 2]\n', "targets[0]", "expected a table, got int", "[[targets]] tables"),
        ('name = "a"\ntargets = "x"\n', "targets", "expected an array of tables", "[[targets]] tables"),
        ('name = ""\n[[targets]]\n' + GOOD_TARGET, "name", "missing", "a short name"),
        ('description = "' + "x" * 2001 + '"\n', "description", "longer than 2000 characters", "shorter text"),
    ],
)
def test_error_top_level(tmp_path, text, field, problem, allowed):
    e = err_of(tmp_path, text)
    assert e.field == field
    assert problem in e.problem
    assert allowed in e.allowed


TARGET_CASES = [
    # (lines added to a good target / replacing it, field, problem fragment, allowed fragment)
    ('colour = "red"\n', "colour", "unknown key", "cue_low"),
    ('angle = "neck_angle"\n', "angle", "unknown angle 'neck_angle'", ", ".join(ANGLE_NAMES)),
    ("low = 6.0\n", "low", "low (6) is greater than high (5)", "low <= high"),
    ('low = "5"\n', "low", "expected a number, got str", "a number"),
    ("low = true\n", "low", "expected a number, got bool", "a number"),
    ("high = 1e400\n", "high", "not a finite number of degrees", "a number"),
    ("high = nan\n", "high", "not a finite number", "a number"),
    ("low = -361\n", "low", "within ±360", "a number"),
    ("low = 99999999999999999999999999999999\n", "low", "not a finite number", "a number"),
    ("tolerance = -1\n", "tolerance", "-1.0 is out of range", "from 0 to 90"),
    ("hysteresis = 46\n", "hysteresis", "out of range", "from 0 to 45"),
    ("min_duration_s = -0.1\n", "min_duration_s", "out of range", "from 0 to 3600"),
    ("priority = 1.5\n", "priority", "expected an integer, got float", "an integer"),
    ("priority = true\n", "priority", "expected an integer, got bool", "an integer"),
    ("priority = 5000\n", "priority", "not an integer within ±1000", "an integer"),
    ('relative = "yes"\n', "relative", "expected true or false, got str", "true or false"),
    ("cue_low = 3\n", "cue_low", "expected text, got int", "a quoted string"),
    ('views = ["front", "ceiling"]\n', "views", "unknown view 'ceiling'", "front, back, side, oblique"),
    ('views = ["unknown"]\n', "views", "unknown view 'unknown'", "front, back, side, oblique"),
    ("views = []\n", "views", "non-empty array", "front, back, side, oblique"),
    ('views = "front"\n', "views", "non-empty array", "front"),
    ('id = "has space"\n', "id", "invalid id 'has space'", "letters, digits"),
]


@pytest.mark.parametrize(("line", "field", "problem", "allowed"), TARGET_CASES)
def test_error_in_target(tmp_path, line, field, problem, allowed):
    key = line.split("=")[0].strip()
    body = "".join(ln + "\n" for ln in GOOD_TARGET.replace('"a"', '"b"').splitlines() if not ln.startswith(key + " "))
    text = f'name = "a"\n\n[[targets]]\n{GOOD_TARGET}\n[[targets]]\n{body}{line}'
    e = err_of(tmp_path, text)
    assert e.field == f"targets[1].{field}"
    assert problem in e.problem
    assert allowed in e.allowed
    lines = text.splitlines()
    assert e.line is not None and lines[e.line - 1].startswith(key)  # points at the offending line


@pytest.mark.parametrize("missing", ["id", "angle"])
def test_error_missing_required_key(tmp_path, missing):
    body = "".join(ln + "\n" for ln in GOOD_TARGET.splitlines() if not ln.startswith(missing))
    e = err_of(tmp_path, f'name = "a"\n[[targets]]\n{body}')
    assert e.field == f"targets[0].{missing}" and e.problem == "missing" and e.line == 2  # the [[targets]] header


def test_error_neither_bound(tmp_path):
    e = err_of(tmp_path, '[[targets]]\nid = "a"\nangle = "head_tilt"\n')
    assert e.field == "targets[0].low" and "neither low nor high" in e.problem and "low, high or both" in e.allowed


def test_error_unknown_key_with_line_break_stays_on_one_line(tmp_path):
    e = err_of(tmp_path, f'[[targets]]\n{GOOD_TARGET}"bad\\nkey" = 1\n')
    assert e.field == "targets[0].'bad\\nkey'" and e.problem == "unknown key"


def test_error_duplicate_id(tmp_path):
    e = err_of(tmp_path, f"[[targets]]\n{GOOD_TARGET}[[targets]]\n{GOOD_TARGET}")
    assert e.field == "targets[1].id" and "duplicate id 'a' (also targets[0])" in e.problem and e.line == 7


def test_error_too_many_targets(tmp_path):
    text = "".join(f'[[targets]]\nid = "t{i}"\nangle = "head_tilt"\nlow = 0\n' for i in range(101))
    e = err_of(tmp_path, text)
    assert e.field == "targets" and "101 targets" in e.problem and "at most 100" in e.allowed


def test_constructor_validation():
    with pytest.raises(TargetFileError, match=r"x\.angle: unknown angle 'elbow'"):
        Target("x", "elbow", low=0.0)
    with pytest.raises(TargetFileError, match="greater than high"):
        Target("x", "head_tilt", low=3.0, high=2.0)
    with pytest.raises(TargetFileError, match="invalid views"):
        Target("x", "head_tilt", low=0.0, views={"up"})
    with pytest.raises(TargetFileError, match="duplicate target id"):
        TargetSet("s", [Target("x", "head_tilt", low=0.0), Target("x", "shoulder_tilt", low=0.0)])


def test_target_file_error_message_format():
    e = TargetFileError("f.toml", "targets[0].low", "bad", "a number", 7)
    assert str(e) == "f.toml:7: targets[0].low: bad (allowed: a number)"
    assert str(TargetFileError("f.toml", "", "file not found")) == "f.toml: file not found"


# --------------------------------------------------------------------------- fuzz


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400))
def test_fuzz_bytes_only_raise_target_file_error(fuzz_dir, data):
    p = fuzz_dir / "fuzz.toml"
    p.write_bytes(data)
    try:
        ts = load_targets(p)
    except TargetFileError:
        return
    assert isinstance(ts, TargetSet) and len(ts) >= 1


_KEYS = list(ANGLE_NAMES[:2]) + ["id", "angle", "low", "high", "tolerance", "relative", "cue_low", "cue_high"]
_KEYS += ["priority", "hysteresis", "min_duration_s", "views", "label", "source", "name", "view", "targets", "x"]
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([*ANGLE_NAMES, "front", "side", "unknown", "a", ""])
    | st.text(max_size=8)
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=4), inner, max_size=6)
    ),
    max_leaves=20,
)


@settings(max_examples=250, deadline=None)
@given(st.dictionaries(st.sampled_from(_KEYS), _values, max_size=6))
def test_fuzz_dicts_only_raise_target_file_error(data):
    try:
        ts = target_set_from_dict(data)
    except TargetFileError as e:
        assert "\n" not in str(e)
        return
    assert isinstance(ts, TargetSet)


_toml_values = st.sampled_from(
    ['"head_tilt"', '"craniovertebral_angle"', "3", "-2.5", "1e999", "nan", "true", '["front"]', '["side", "x"]',
     '"a"', '""', "[]", "{}", "-400", '"\\u00e9"', "1979-05-27"]
)  # fmt: skip
_lines = st.one_of(
    st.just("[[targets]]"),
    st.just("[targets]"),
    st.builds(lambda k, v: f"{k} = {v}", st.sampled_from(_KEYS), _toml_values),
    st.text(alphabet=string.printable, max_size=12),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_lines, max_size=14))
def test_fuzz_toml_ish_text_only_raises_target_file_error(lines):
    try:
        ts = loads_targets("\n".join(lines) + "\n", default_name="fuzz")
    except TargetFileError:
        return
    assert loads_targets(dumps_targets(ts)) == ts  # whatever is accepted also round-trips


_finite = st.floats(min_value=-360, max_value=360, allow_nan=False)
_text = st.text(max_size=30)


@st.composite
def _targets(draw, i: int) -> Target:
    low, high = draw(
        st.one_of(st.tuples(_finite, st.none()), st.tuples(st.none(), _finite), st.tuples(_finite, _finite))
    )
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Target(
        id=f"t{i}", angle=draw(st.sampled_from(ANGLE_NAMES)), low=low, high=high,
        tolerance=draw(st.floats(0, 90)), relative=draw(st.booleans()), cue_low=draw(_text), cue_high=draw(_text),
        priority=draw(st.integers(-1000, 1000)), hysteresis=draw(st.floats(0, 45)),
        min_duration_s=draw(st.floats(0, 3600)),
        views=draw(st.sets(st.sampled_from([View.FRONT, View.BACK, View.SIDE, View.OBLIQUE]), min_size=1)),
        label=draw(_text), source=draw(_text),
    )  # fmt: skip


@st.composite
def _target_sets(draw) -> TargetSet:
    n = draw(st.integers(1, 4))
    return TargetSet(
        name=draw(st.text(min_size=1, max_size=20)), targets=[draw(_targets(i)) for i in range(n)],
        label=draw(_text), description=draw(_text), view=draw(st.none() | st.sampled_from([View.FRONT, View.SIDE])),
    )  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(_target_sets())
def test_fuzz_round_trip_of_valid_sets(ts):
    assert loads_targets(dumps_targets(ts)) == ts
