"""Hostile and malformed user files against every loader: only the project's own errors may escape.

Loaders: target files (``targets.load_targets``), treatment plans (``exercises.load_plan`` /
``parse_plan``), exercise definitions (``exercises.definitions.load_definition``), home-programme
and results files (``storage.exchange``: ``read_programme``, ``import_results``) and the calibration
store (``calibration.store.CalibrationStore``). Inputs: random bytes, non-UTF-8, wrong types,
huge numbers, unknown keys, deep nesting. Every error must be a ``PostureFeedbackError`` with a
one-line message, and a failed import must leave the database as it was.

Hypothesis runs derandomized (the same examples every run, so CI is reproducible). The explicit
hostile cases (deep nesting, huge and non-finite numbers, wrong section types) each found a defect
when first written; they stay as regression tests.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posture_feedback.calibration.store import CalibrationStore
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.exercises import load_plan
from posture_feedback.exercises.definitions import load_definition
from posture_feedback.exercises.plan import parse_plan
from posture_feedback.storage import Database
from posture_feedback.storage.exchange import RESULTS_FORMAT, import_results, read_programme
from posture_feedback.targets import load_targets, loads_targets

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _only_our_errors(call, *args: Any) -> Any:
    """Run a loader; a ``PostureFeedbackError`` with a one-line message is fine, anything else fails."""
    try:
        return call(*args)
    except PostureFeedbackError as exc:
        assert str(exc) and "\n" not in str(exc), repr(str(exc))
        return exc


# ---------------------------------------------------------------------------------------------- TOML writer

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(k: str) -> str:
    return k if _BARE.match(k) else _toml_str(k)


def _toml_str(s: str) -> str:
    out = json.dumps(s, ensure_ascii=False)
    return out.replace("\x7f", "\\u007f")


def to_toml_value(v: Any) -> str:
    """Any JSON-like value as a TOML value (inline tables and arrays nest freely)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return _toml_str(v)
    if isinstance(v, list):
        return "[" + ", ".join(to_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {to_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def to_toml(doc: dict[str, Any]) -> str:
    return "".join(f"{_toml_key(k)} = {to_toml_value(v)}\n" for k, v in doc.items())


# ---------------------------------------------------------------------------------------------- strategies

PLAN_KEYS = ["title", "patient", "countdown_s", "instruction_s", "rest_between_s", "exercise"]
ITEM_KEYS = ["name", "file", "side", "sets", "reps", "hold_s", "rest_s", "count_compensated", "notes", "phases",
             "tempo", "hysteresis"]  # fmt: skip
DEF_KEYS = ["name", "title", "description", "kind", "signal", "views", "both", "hysteresis", "instruction", "words",
            "unit", "defaults", "phases", "conditions", "compensations", "tempo", "cues", "min", "max", "hold_s",
            "out_s", "back_s", "cue", "priority", "sets", "reps", "rest_s"]  # fmt: skip
WORDS = ["mini_squat", "lateral_raise", "single_leg_stance", "marching", "left", "right", "both", "reps", "hold",
         "balance", "gait", "{side}_knee_flexion", "left_knee_flexion", "front", "side", "standing", "squat", "up",
         "../../etc/passwd", "/dev/zero", "exercises/x.toml", "", "\u00e9\u4e2d\U0001f600"]  # fmt: skip

# Finite, 64-bit-sized numbers (the non-finite and oversized ones are pinned by explicit tests below).
finite_numbers = (
    st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0, -1, 1, 10**6, 1e308, -1e308, 5e-324, 2**63 - 1])
)
toml_numbers = finite_numbers | st.sampled_from([math.inf, -math.inf, math.nan])
texts = st.text(max_size=12) | st.sampled_from(WORDS)


def json_like(keys: list[str], numbers=finite_numbers, max_leaves: int = 25):
    scalars = st.booleans() | numbers | texts
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(keys) | texts, inner, max_size=5),
        max_leaves=max_leaves,
    )


def plan_docs():
    item = st.dictionaries(st.sampled_from(ITEM_KEYS) | texts, json_like(ITEM_KEYS + DEF_KEYS, toml_numbers),
                           max_size=7)  # fmt: skip
    good_item = st.fixed_dictionaries(
        {"name": st.sampled_from(["mini_squat", "lateral_raise", "single_leg_stance", "marching", "chin_tuck"])},
        optional={k: json_like(DEF_KEYS, toml_numbers, 8) for k in ITEM_KEYS[1:]},
    )
    top = st.dictionaries(st.sampled_from(PLAN_KEYS) | texts, json_like(PLAN_KEYS, toml_numbers, 8), max_size=4)
    return st.builds(lambda t, items: {**t, "exercise": items}, top, st.lists(item | good_item, max_size=3))


# ---------------------------------------------------------------------------------------------- plans


@FUZZ
@given(doc=plan_docs())
def test_fuzz_plan_structures_only_raise_plan_errors(doc: dict[str, Any], tmp_path: Path) -> None:
    text = to_toml(doc)
    result = _only_our_errors(parse_plan, text, "fuzz.toml", tmp_path)
    if not isinstance(result, PostureFeedbackError):
        assert result.items, "a plan without exercises must be refused"


@FUZZ
@given(data=st.binary(max_size=600))
def test_fuzz_bytes_through_every_file_loader(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "input.toml"
    path.write_bytes(data)
    for loader in (load_plan, load_targets, load_definition):
        _only_our_errors(loader, path)


@FUZZ
@given(doc=st.dictionaries(st.sampled_from(DEF_KEYS) | texts, json_like(DEF_KEYS, toml_numbers), max_size=10))
def test_fuzz_definition_structures(doc: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "my_exercise.toml"
    path.write_text(to_toml(doc), encoding="utf-8")
    _only_our_errors(load_definition, path)
    # The same definition referenced from a plan.
    plan = tmp_path / "plan.toml"
    plan.write_text('[[exercise]]\nfile = "my_exercise.toml"\n', encoding="utf-8")
    _only_our_errors(load_plan, plan)


@pytest.mark.parametrize(
    "text",
    [
        b"\xff\xfe[[exercise]]\nname = 'mini_squat'\n",  # UTF-16 BOM
        "[[exercise]]\nname = 'mini_squat'\nnotes = '\u00e9'\n".encode("latin-1"),
        b'[[exercise]]\nname = "mini\x00squat"\n',
        ("[[exercise]]\nname = 'mini_squat'\n" + "notes = 'x'\n" * 3).encode() + b"\x80",
    ],
)
def test_non_utf8_plan_is_a_clear_error(text: bytes, tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_bytes(text)
    result = _only_our_errors(load_plan, path)
    assert isinstance(result, PostureFeedbackError)
    assert "plan.toml" in str(result)


@pytest.mark.parametrize(
    "extra",
    [
        "sets = 1e308",
        "sets = 99999999999999999999",
        "reps = -9223372036854775808",
        "rest_s = inf",
        "rest_s = nan",
        "rest_s = -inf",
        "sets = 'three'",
        "sets = [3]",
        "sets = {n = 3}",
        "side = 7",
        "unknown_key = 1",
        "phases = 'up'",
        "phases.squat.min = 1e308",
        "phases.squat.min = nan",
        "notes = '" + "x" * 200_000 + "'",
    ],
)
def test_hostile_plan_values_are_clear_errors(extra: str, tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(f"[[exercise]]\nname = 'mini_squat'\n{extra}\n", encoding="utf-8")
    result = _only_our_errors(load_plan, path)
    if not isinstance(result, PostureFeedbackError):  # accepted: then every number must be sane
        item = result.items[0]
        assert 1 <= item.sets <= 10_000 and math.isfinite(item.rest_s)


def test_many_exercises_plan(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text("[[exercise]]\nname = 'mini_squat'\n" * 5000, encoding="utf-8")
    _only_our_errors(load_plan, path)


DEEP_ARRAY_TOML = "x = " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_TABLE_TOML = "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n"


@pytest.mark.parametrize("text", [DEEP_ARRAY_TOML, DEEP_TABLE_TOML], ids=["arrays", "inline-tables"])
def test_deeply_nested_target_file(text: str, tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    assert isinstance(_only_our_errors(load_targets, path), PostureFeedbackError)
    assert isinstance(_only_our_errors(loads_targets, text), PostureFeedbackError)


@pytest.mark.parametrize("loader", ["plan", "definition"])
def test_deeply_nested_plan_and_definition(loader: str, tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(DEEP_ARRAY_TOML, encoding="utf-8")
    result = _only_our_errors(load_plan if loader == "plan" else load_definition, path)
    assert isinstance(result, PostureFeedbackError) and "deep.toml" in str(result)


# ---------------------------------------------------------------------------------------------- calibration store

CAL_KEYS = ["version", "camera", "neutral", "scale", "default", "standing", "sitting", "up", "roll_deg", "pitch_deg",
            "angles", "posture", "mm_per_px", "camera_name"]  # fmt: skip


@FUZZ
@given(doc=json_like(CAL_KEYS) | st.dictionaries(st.sampled_from(CAL_KEYS), json_like(CAL_KEYS), max_size=5))
def test_fuzz_calibration_file(doc: Any, tmp_path: Path) -> None:
    path = tmp_path / "calibrations.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    store = CalibrationStore(path)
    for read in (lambda: store.load_camera("camera 0"), lambda: store.load_neutral("standing"), store.load_scale,
                 store.cameras):  # fmt: skip
        _only_our_errors(read)


@pytest.mark.parametrize(
    "doc",
    [{"scale": []}, {"neutral": {"default": []}}, {"camera": {"camera 0": 1}}],
    ids=["scale", "neutral", "camera"],
)
def test_calibration_sections_of_the_wrong_type(doc: dict, tmp_path: Path) -> None:
    path = tmp_path / "calibrations.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    store = CalibrationStore(path)
    readers = {"camera": lambda: store.load_camera("camera 0"), "neutral": lambda: store.load_neutral("standing"),
               "scale": store.load_scale}  # fmt: skip
    for section, read in readers.items():
        result = _only_our_errors(read)
        if section in doc:  # the damaged section is refused; the others may simply hold nothing
            assert isinstance(result, PostureFeedbackError), section


@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzz_calibration_file_bytes(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "calibrations.json"
    path.write_bytes(data)
    _only_our_errors(CalibrationStore(path).load_scale)


def test_deeply_nested_calibration_file(tmp_path: Path) -> None:
    path = tmp_path / "calibrations.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert isinstance(_only_our_errors(CalibrationStore(path).load_scale), PostureFeedbackError)


# ---------------------------------------------------------------------------------------------- storage exchange

T = "2026-03-02T18:00:00+00:00"
REP = {"index": 1, "started_at": T, "ended_at": T, "angle": "left_knee_flexion", "peak_angle": 60.0,
       "time_in_range_s": None, "time_in_range_frac": None, "tempo_s": 3.0, "quality": "good", "quality_score": None,
       "compensations": [], "extras": {}}  # fmt: skip
SET = {"exercise": "mini_squat", "set_index": 1, "started_at": T, "side": "left", "target_reps": 10,
       "target_hold_s": None, "ended_at": T, "extras": {}, "repetitions": [REP]}  # fmt: skip
SESSION = {"uid": "s-1", "plan_uid": None, "plan_version": None, "started_at": T, "status": "completed", "ended_at": T,
           "source": "camera 0", "notes": "", "extras": {}, "sets": [SET]}  # fmt: skip
RESULTS = {"format": RESULTS_FORMAT, "format_version": 1, "plans": [], "sessions": [SESSION], "assessments": [],
           "monitor": []}  # fmt: skip
RESULT_KEYS = sorted({*REP, *SET, *SESSION, *RESULTS, "day", "monitored_s", "good_s", "alerts", "kind", "record",
                      "measures", "name", "versions", "toml", "schedule_days", "files", "created_at",
                      "version"})  # fmt: skip


@pytest.fixture
def results_db(tmp_path: Path):
    """A database holding one committed session; a failed import must leave it exactly so."""
    with Database(tmp_path / "pf.sqlite3") as db:
        profile = db.create_profile("Patient")
        sid = db.start_session(profile.id, source="kept")
        db.add_set(sid, "mini_squat")
        yield db, profile.id


def _mutate(doc: Any, path: list[Any], value: Any) -> Any:
    """A copy of ``doc`` with the value at ``path`` (keys / indices, wrapping around) replaced."""
    if not path or not isinstance(doc, dict | list) or not doc:
        return value
    if isinstance(doc, dict):
        keys = sorted(doc)
        key = keys[path[0] % len(keys)] if isinstance(path[0], int) else path[0]
        return {**doc, key: _mutate(doc.get(key), path[1:], value)}
    i = path[0] % len(doc) if isinstance(path[0], int) else 0
    return [*doc[:i], _mutate(doc[i], path[1:], value), *doc[i + 1 :]]


@FUZZ
@given(
    path=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=6),
    value=json_like(RESULT_KEYS, max_leaves=10),
)
def test_fuzz_results_import_mutations(path: list[int], value: Any, results_db, tmp_path: Path) -> None:
    """A valid results file with one value somewhere replaced by something hostile."""
    db, pid = results_db
    before = db.row_counts()
    doc = _mutate(RESULTS, path, value)
    file = tmp_path / "results.pfresults.json"
    file.write_text(json.dumps(doc), encoding="utf-8")
    result = _only_our_errors(import_results, db, file, pid)
    if isinstance(result, PostureFeedbackError):
        after = db.row_counts()
        # A refused file adds no partial session: every table is as before, or holds exactly the earlier
        # sessions plus nothing half-written (the integrity check and the kept session prove it).
        assert after["sessions"] in (before["sessions"], before["sessions"] + 1)
        assert db.integrity_check() == "ok"
        assert any(s.source == "kept" for s in db.sessions(pid))


@FUZZ
@given(doc=st.dictionaries(st.sampled_from(RESULT_KEYS) | texts, json_like(RESULT_KEYS), max_size=8))
def test_fuzz_results_documents(doc: dict[str, Any], results_db, tmp_path: Path) -> None:
    db, pid = results_db
    file = tmp_path / "r.json"
    file.write_text(json.dumps({"format": RESULTS_FORMAT, "format_version": 1, **doc}), encoding="utf-8")
    _only_our_errors(import_results, db, file, pid)
    assert db.integrity_check() == "ok"


def test_results_import_round_trip_still_works(results_db, tmp_path: Path) -> None:
    """The fuzz base document itself is valid (else the mutations would test nothing)."""
    db, pid = results_db
    file = tmp_path / "r.json"
    file.write_text(json.dumps(RESULTS), encoding="utf-8")
    summary = import_results(db, file, pid)
    assert summary.sessions_added == 1
    assert [r.peak_angle for r in db.session_by_uid("s-1").sets[0].repetitions] == [60.0]
    assert import_results(db, file, pid).sessions_skipped == 1  # idempotent


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(RESULTS).replace('"index": 1', '"index": 1e400'),
        json.dumps(RESULTS).replace('"target_reps": 10', '"target_reps": 100000000000000000000000000000'),
        json.dumps({**RESULTS, "extras": 0})[:-1] + ', "deep": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ],
    ids=["inf-index", "huge-int", "deep-nesting"],
)
def test_hostile_numbers_and_nesting_in_results(text: str, results_db, tmp_path: Path) -> None:
    db, pid = results_db
    before = db.row_counts()
    file = tmp_path / "r.json"
    file.write_text(text, encoding="utf-8")
    assert isinstance(_only_our_errors(import_results, db, file, pid), PostureFeedbackError)
    assert db.row_counts() == before  # refused as a whole: nothing half-imported


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


MANIFEST = {"format": "posture-feedback-programme", "format_version": 1,
            "plan": {"uid": "p-1", "name": "Week 1", "created_at": T, "version": 1, "version_created_at": T,
                     "schedule_days": [0, 2, 4]}, "files": [], "profile": {"name": "Patient"}}  # fmt: skip


@FUZZ
@given(
    path=st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=4),
    value=json_like(["uid", "name", "version", "schedule_days", "files", "profile", "plan"], max_leaves=8),
    plan=st.binary(max_size=60) | st.just(b"[[exercise]]\nname = 'mini_squat'\n"),
)
def test_fuzz_programme_files(path: list[int], value: Any, plan: bytes, tmp_path: Path) -> None:
    file = tmp_path / "week.pfprogramme"
    manifest = _mutate(MANIFEST, path, value)
    file.write_bytes(_zip({"manifest.json": json.dumps(manifest).encode(), "plan.toml": plan}))
    _only_our_errors(read_programme, file)


@FUZZ
@given(data=st.binary(max_size=400))
def test_fuzz_programme_bytes(data: bytes, tmp_path: Path) -> None:
    file = tmp_path / "x.pfprogramme"
    file.write_bytes(data)
    _only_our_errors(read_programme, file)


@pytest.mark.parametrize(
    "entries",
    [
        {"manifest.json": b"\xff\xfe"},
        {"manifest.json": json.dumps({**MANIFEST, "files": ["../../evil.toml"]}).encode(), "plan.toml": b""},
        {"manifest.json": json.dumps({**MANIFEST, "files": ["/etc/passwd"]}).encode(), "plan.toml": b""},
        {"manifest.json": json.dumps(MANIFEST).encode()},  # no plan.toml
        {"manifest.json": json.dumps(MANIFEST).encode(), "plan.toml": b"\xff\xfe\x00"},
    ],
    ids=["non-utf8-manifest", "path-traversal", "absolute-path", "no-plan", "non-utf8-plan"],
)
def test_hostile_programme_files(entries: dict[str, bytes], tmp_path: Path) -> None:
    file = tmp_path / "week.pfprogramme"
    file.write_bytes(_zip(entries))
    assert isinstance(_only_our_errors(read_programme, file), PostureFeedbackError)
    assert not (tmp_path.parent / "evil.toml").exists()


@pytest.mark.parametrize("manifest", [[], {**MANIFEST, "profile": False}], ids=["manifest-list", "profile-bool"])
def test_programme_manifest_of_the_wrong_type(manifest: Any, tmp_path: Path) -> None:
    file = tmp_path / "week.pfprogramme"
    file.write_bytes(_zip({"manifest.json": json.dumps(manifest).encode(), "plan.toml": b""}))
    assert isinstance(_only_our_errors(read_programme, file), PostureFeedbackError)


def test_toml_writer_round_trips() -> None:
    """The TOML writer used by the fuzzers produces what it was given (else they would fuzz the writer)."""
    import tomllib

    doc = {"a b": [1, 2.5, "x\x7f\u00e9\n", {"k": True, "q-r": []}], "n": -(2**63), "e": {"z": {}}}
    assert tomllib.loads(to_toml(doc)) == doc
