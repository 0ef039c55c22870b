"""Treatment plans: a TOML file of exercises in order, validated before any session starts.

Format (see docs/plan_format.md)::

    title = "Shoulder programme, week 1"
    patient = "J. Smith"          # optional
    countdown_s = 3               # optional, seconds before each set
    rest_between_s = 30           # optional, rest between exercises

    [[exercise]]
    name = "lateral_raise"        # a built-in, or: file = "my_exercise.toml" (relative to the plan)
    side = "left"                 # left | right | both
    sets = 3
    reps = 10                     # reps/gait exercises; hold_s for hold/balance (and a march's duration)
    rest_s = 45                   # rest between sets
    [exercise.phases.up]          # override a phase of the definition
    min = 70

Every problem raises ``PlanError`` with file, line, field, what is wrong and what is allowed.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from posture_feedback.exercises.definitions import (
    PLAN_BASIS,
    ExerciseDefinition,
    Range,
    Tempo,
    check_phases,
    load_definition,
)
from posture_feedback.exercises.errors import PlanError
from posture_feedback.exercises.library import WITHDRAWN, builtin_names, get_exercise
from posture_feedback.exercises.tomlfile import Fields, Source, dump_toml, parse_toml

SIDE_CHOICES = ("left", "right", "both")
#: The largest sets per exercise, repetitions per set and hold (seconds) of a plan item in a plan
#: file; ``MAX_SETS`` bounds ``exercise --sets`` too.
MAX_SETS = 100
MAX_REPS = 1000
MAX_HOLD_S = 3600.0
_PLAN_KEYS = (
    "title", "patient", "countdown_s", "instruction_s", "rest_between_s", "days", "notes", "precautions", "feedback",
    "exercise",
)  # fmt: skip
#: Planned days: the plan's ``days`` field, Monday first (index = ``date.weekday()``).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: How feedback is given (docs/feedback_schedule.md): on every repetition, only outside the tolerance
#: band, only as a summary after each set, or faded from the first to the last over sessions.
FEEDBACK_MODES = ("concurrent", "bandwidth", "summary", "faded")
_FEEDBACK_KEYS = ("mode", "bandwidth_deg", "concurrent_sessions", "bandwidth_sessions")
_ITEM_KEYS = (
    "name", "file", "side", "sets", "reps", "hold_s", "rest_s", "count_compensated", "notes",
    "phases", "tempo", "hysteresis", "demonstration",
)  # fmt: skip


@dataclass(frozen=True)
class PlanItem:
    """One exercise of a plan, with the plan's overrides already applied to ``exercise``.

    Attributes:
        exercise: the effective definition (phases/tempo/hysteresis overridden by the plan).
        ref: the built-in name or the definition file as written in the plan.
        sets: number of sets (a sided exercise on ``both`` sides with ``each`` mode does every
            set on the left, then on the right).
        reps: repetitions (steps for ``gait``) per set; None for holds.
        hold_s: seconds to hold (hold/balance) or to march (gait); None for reps.
        rest_s: rest between sets (seconds).
        side: ``left``, ``right`` or ``both``.
        count_compensated: count reps that show a compensation.
        notes: free text from the therapist.
        demonstration: path of a recorded therapist demonstration (``.npz``, see
            ``demonstration.save_demonstration``): its ranges and tempo become the target (explicit
            phase/tempo overrides still win), its ghost is shown and each rep is compared with it.
        demonstration_ref: that path as written in the plan ("" without one): what a stored plan
            version keeps the file under (``profile add-plan``).
    """

    exercise: ExerciseDefinition
    ref: str
    sets: int = 1
    reps: int | None = 10
    hold_s: float | None = None
    rest_s: float = 30.0
    side: str = "both"
    count_compensated: bool = False
    notes: str = ""
    demonstration: Path | None = None
    demonstration_ref: str = ""

    @property
    def sides(self) -> tuple[str, ...]:
        """The side of each pass through the sets: (``left``, ``right``) for ``both`` in ``each`` mode."""
        d = self.exercise
        if d.sided and d.kind != "gait" and self.side == "both" and d.both == "each":
            return ("left", "right")
        return (self.side if d.sided and d.kind != "gait" else "both",)


@dataclass(frozen=True)
class FeedbackSchedule:
    """How the session gives feedback, and how that fades over sessions (docs/feedback_schedule.md).

    Attributes:
        mode: ``concurrent`` (every repetition), ``bandwidth`` (silent while within ``bandwidth_deg``
            of the target range), ``summary`` (knowledge of results after each set only) or
            ``faded`` (concurrent for the first ``concurrent_sessions`` sessions of the plan, then
            bandwidth for ``bandwidth_sessions``, then summary).
        bandwidth_deg: the tolerance band in degrees (signal units) around the target range.
        concurrent_sessions, bandwidth_sessions: the fading steps, in sessions of this plan.
    """

    mode: str = "concurrent"
    bandwidth_deg: float = 5.0
    concurrent_sessions: int = 2
    bandwidth_sessions: int = 3

    def mode_for_session(self, number: int) -> str:
        """The feedback of the plan's ``number``-th session (1 = the first): ``concurrent``,
        ``bandwidth`` or ``summary``."""
        if self.mode != "faded":
            return self.mode
        if number <= self.concurrent_sessions:
            return "concurrent"
        if number <= self.concurrent_sessions + self.bandwidth_sessions:
            return "bandwidth"
        return "summary"


@dataclass
class Plan:
    """A treatment plan: exercises in order plus session timing (seconds).

    ``days``: the planned weekdays (0 = Monday … 6 = Sunday), None when the plan does not say;
    ``notes`` and ``precautions``: shown to the patient before the first exercise and on demand;
    ``feedback``: the feedback schedule.
    """

    items: list[PlanItem]
    title: str = "Exercise plan"
    patient: str = ""
    countdown_s: float = 3.0
    instruction_s: float = 6.0
    rest_between_s: float = 30.0
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    days: tuple[int, ...] | None = None
    notes: str = ""
    precautions: str = ""
    feedback: FeedbackSchedule = field(default_factory=FeedbackSchedule)

    @classmethod
    def single(cls, name_or_path: str, **item: Any) -> Plan:
        """A plan of one exercise with its defaults (``item`` overrides PlanItem fields)."""
        d = get_exercise(name_or_path)
        base = default_item(d, name_or_path)
        return cls(items=[replace(base, **item)], title=d.title)


def default_item(defn: ExerciseDefinition, ref: str | None = None) -> PlanItem:
    """A plan item with the definition's default sets, reps/hold and rest."""
    timed = defn.kind in ("hold", "balance")
    return PlanItem(
        exercise=defn,
        ref=ref or defn.name,
        sets=defn.sets,
        reps=None if timed else defn.reps,
        hold_s=defn.hold_s if timed else None,
        rest_s=defn.rest_s,
        side="both",
    )


def _apply_overrides(defn: ExerciseDefinition, f: Fields, source: Source) -> ExerciseDefinition:
    pf = f.table("phases")
    if pf is not None:
        names = [p.name for p in defn.phases]
        for pname in pf.data:
            if pname not in names:
                raise pf.fail(str(pname), f"{defn.name} has no phase {pname!r}", ", ".join(names))
            one = Fields(pf.data[pname], pf.path + (pname,), source)
            one.check_keys(("min", "max", "hold_s", "basis"))
            old = defn.phase(pname)
            lo = one.number("min", old.range.low, -1e4, 1e4)
            hi = one.number("max", old.range.high, -1e4, 1e4)
            if lo > hi:
                raise one.fail("min", f"min {lo:g} is greater than max {hi:g}", "min ≤ max")
            hold = one.number("hold_s", old.hold_s, 0, 3600, "s")
            defn = defn.with_phase(pname, Range(lo, hi), hold, one.string("basis", PLAN_BASIS))
        check_phases(defn, source, pf.path[:-1], by_name=True)
    tf = f.table("tempo")
    if tf is not None:
        tf.check_keys(("out_s", "back_s", "basis"))
        out = tf.interval("out_s", None, 0, 600, "s")
        back = tf.interval("back_s", None, 0, 600, "s")
        defn = replace(
            defn,
            tempo=Tempo(Range(*out) if out else defn.tempo.out_s, Range(*back) if back else defn.tempo.back_s,
                        tf.string("basis", PLAN_BASIS)),  # fmt: skip
        )
    if f.has("hysteresis"):
        defn = replace(defn, hysteresis=f.number("hysteresis", low=0, high=90))
    return defn


#: What a contained plan may name with ``file`` and ``demonstration`` (the message's "allowed" part).
CONTAINED_ALLOWED = (
    'a path relative to the plan, in its folder or below (e.g. "wall_slide.toml" or "exercises/wall_slide.toml"), '
    "so that the file is stored and sent with the plan"
)


def _check_contained(f: Fields, key: str) -> None:
    """``file``/``demonstration`` of a contained plan: relative, without ``..`` (``PlanError`` on the field)."""
    ref = f.string(key)
    rel = PurePosixPath(ref.replace("\\", "/"))
    if rel.is_absolute() or Path(ref).is_absolute() or ".." in rel.parts or (ref[1:2] == ":"):
        raise f.fail(key, f"{ref!r} is outside the plan's folder", CONTAINED_ALLOWED)


def _item(f: Fields, source: Source, base_dir: Path | None, contained: bool = False) -> PlanItem:
    f.check_keys(_ITEM_KEYS)
    if contained:
        for key in ("file", "demonstration"):
            if f.has(key):
                _check_contained(f, key)
    if f.has("name") == f.has("file"):
        raise f.fail("name", "give either name (a built-in exercise) or file (a definition .toml), not both"
                     if f.has("name") else "required field is missing", ", ".join(builtin_names()))  # fmt: skip
    if f.has("name"):
        ref = f.string("name")
        if ref in WITHDRAWN:
            raise f.fail("name", f"{ref!r} was {WITHDRAWN[ref]}", ", ".join(builtin_names()))
        if ref not in builtin_names():
            raise f.fail("name", f"unknown exercise {ref!r}", ", ".join(builtin_names()))
        defn = get_exercise(ref)
    else:
        ref = f.string("file")
        path = Path(ref) if base_dir is None or Path(ref).is_absolute() else base_dir / ref
        if not path.is_file():
            raise f.fail("file", f"exercise definition file not found: {path}", "a path relative to the plan file")
        defn = load_definition(path)
    demo_path, demo_ref = None, ""
    if f.has("demonstration"):
        if defn.kind not in ("reps", "gait"):
            raise f.fail("demonstration", f"{defn.name} is a {defn.kind} exercise: demonstrations are for repetitions")
        rel = demo_ref = f.string("demonstration")
        demo_path = Path(rel) if base_dir is None or Path(rel).is_absolute() else base_dir / rel
        if not demo_path.is_file():
            raise f.fail(
                "demonstration", f"demonstration file not found: {demo_path}", "a .npz path relative to the plan"
            )
        from posture_feedback.exercises.demonstration import load_demonstration, with_demonstrated_target

        demo = load_demonstration(demo_path)
        if demo.definition.name != defn.name:
            raise f.fail("demonstration", f"the demonstration is of {demo.definition.name!r}, not {defn.name!r}")
        # the demonstrated ranges and tempo are the target; explicit overrides below still win
        defn = with_demonstrated_target(defn, demo)
    defn = _apply_overrides(defn, f, source)
    timed = defn.kind in ("hold", "balance")
    side = f.string("side", "both", choices=SIDE_CHOICES)
    if side != "both" and (not defn.sided or defn.kind == "gait"):
        raise f.fail("side", f"{defn.name} is not done with one side", "both (or leave side out)")
    if timed and f.has("reps"):
        raise f.fail("reps", f"{defn.name} is a timed {defn.kind} exercise: it has no repetitions", "hold_s = seconds")
    if defn.kind == "reps" and f.has("hold_s"):
        raise f.fail(
            "hold_s", f"{defn.name} counts repetitions; a hold at the target belongs to its phase",
            f"[exercise.phases.{defn.target.name}] hold_s = seconds",
        )  # fmt: skip
    reps = None if timed else f.integer("reps", defn.reps, 1, MAX_REPS)
    if defn.kind == "gait" and f.has("hold_s") and not f.has("reps"):
        reps = None  # a march of a given duration
    hold_s = f.number("hold_s", defn.hold_s if timed else None, 1, MAX_HOLD_S, "s") if defn.kind != "reps" else None
    if defn.kind == "gait" and not f.has("hold_s"):
        hold_s = None
    return PlanItem(
        exercise=defn,
        ref=ref,
        demonstration=demo_path,
        demonstration_ref=demo_ref,
        sets=f.integer("sets", defn.sets, 1, MAX_SETS),
        reps=reps,
        hold_s=hold_s,
        rest_s=f.number("rest_s", defn.rest_s, 0, 3600, "s"),
        side=side,
        count_compensated=f.boolean("count_compensated", False),
        notes=f.string("notes", ""),
    )


def plan_from_dict(data: Any, source: Source, base_dir: Path | None = None, *, contained: bool = False) -> Plan:
    """Build and validate a plan from parsed TOML (``contained``: see ``parse_plan``)."""
    f = Fields(data, (), source)
    f.check_keys(_PLAN_KEYS)
    items = [_item(x, source, base_dir, contained) for x in f.tables("exercise", required=True)]
    if not items:
        raise f.fail("exercise", "the plan has no exercises", "one or more [[exercise]] tables")
    return Plan(
        items=items,
        title=f.string("title", "Exercise plan"),
        patient=f.string("patient", ""),
        countdown_s=f.number("countdown_s", 3.0, 0, 60, "s"),
        instruction_s=f.number("instruction_s", 6.0, 0, 600, "s"),
        rest_between_s=f.number("rest_between_s", 30.0, 0, 3600, "s"),
        source=source.file,
        days=_days(f),
        notes=f.string("notes", "", allow_empty=True),
        precautions=f.string("precautions", "", allow_empty=True),
        feedback=_feedback(f),
    )


def _days(f: Fields) -> tuple[int, ...] | None:
    """The ``days`` field: planned weekdays as indices, Monday = 0 (None when absent)."""
    days = f.strings("days", None, WEEKDAYS)
    if days is None:
        return None
    if not days:
        raise f.fail("days", "must name at least one day", ", ".join(WEEKDAYS))
    if len(set(days)) != len(days):
        raise f.fail("days", "names a day twice", ", ".join(WEEKDAYS))
    return tuple(sorted(WEEKDAYS.index(d) for d in days))


def _feedback(f: Fields) -> FeedbackSchedule:
    """The ``[feedback]`` table (defaults: concurrent feedback on every repetition)."""
    t = f.table("feedback")
    if t is None:
        return FeedbackSchedule()
    t.check_keys(_FEEDBACK_KEYS)
    d = FeedbackSchedule()
    return FeedbackSchedule(
        mode=t.string("mode", d.mode, FEEDBACK_MODES),
        bandwidth_deg=t.number("bandwidth_deg", d.bandwidth_deg, 0, 90, "deg"),
        concurrent_sessions=t.integer("concurrent_sessions", d.concurrent_sessions, 0, 1000),
        bandwidth_sessions=t.integer("bandwidth_sessions", d.bandwidth_sessions, 0, 1000),
    )


def decode_plan_text(data: bytes, file: str = "<string>") -> str:
    """A plan file's bytes as text: UTF-8, with or without a byte-order mark (which editors on Windows
    write; it is dropped). ``PlanError`` naming ``file`` when the bytes are not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanError(file, None, "", f"not UTF-8 text (byte {exc.start})", "a UTF-8 TOML file") from None


def read_plan_text(path: str | Path) -> str:
    """The text of a plan file (see ``decode_plan_text``); ``PlanError`` naming the file if it cannot be read."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise PlanError(str(p), None, "", "plan file not found") from None
    except IsADirectoryError:
        raise PlanError(str(p), None, "", "is a folder, not a plan file") from None
    except OSError as exc:
        raise PlanError(str(p), None, "", f"cannot read the plan file: {exc.strerror or exc}") from None
    return decode_plan_text(data, str(p))


def parse_plan(
    text: str | bytes, file: str = "<string>", base_dir: str | Path | None = None, *, contained: bool = False
) -> Plan:
    """Parse and validate plan text (``PlanError`` on any problem).

    ``contained``: the files the plan names (``file``, ``demonstration``) must be in the plan's folder or
    below (relative, no ``..``), as for a plan that is stored and sent with its files (``profile add-plan``,
    ``exercise PLAN.toml``, a programme). The plain loader (and ``save_plan``) also accepts other paths.
    """
    if isinstance(text, bytes):
        text = decode_plan_text(text, file)
    text = text.removeprefix("\ufeff")
    source = Source(file, text, PlanError)
    base = Path(base_dir) if base_dir is not None else None
    return plan_from_dict(parse_toml(text, source), source, base, contained=contained)


def load_plan(path: str | Path, *, contained: bool = False) -> Plan:
    """Read and validate a plan file; definition files it names are relative to it (``contained``: see
    ``parse_plan``)."""
    p = Path(path)
    return parse_plan(read_plan_text(p), str(p), p.parent, contained=contained)


def _range_overrides(base: ExerciseDefinition, eff: ExerciseDefinition) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for b, e in zip(base.phases, eff.phases, strict=False):
        d: dict[str, Any] = {}
        if e.range.low != b.range.low and not math.isinf(e.range.low):
            d["min"] = e.range.low
        if e.range.high != b.range.high and not math.isinf(e.range.high):
            d["max"] = e.range.high
        if e.hold_s != b.hold_s:
            d["hold_s"] = e.hold_s
        if d and e.basis not in (b.basis, PLAN_BASIS):  # the plan's own words for its threshold
            d["basis"] = e.basis
        if d:
            out[e.name] = d
    return out


def plan_to_dict(plan: Plan, base_dir: Path | None = None) -> dict[str, Any]:
    """The TOML-ready dict of a plan: overrides are written as differences from the definitions."""
    items = []
    for it in plan.items:
        d: dict[str, Any] = {}
        if it.ref in builtin_names():
            d["name"] = it.ref
            base = get_exercise(it.ref)
        else:
            ref = Path(it.exercise.source) if it.exercise.source else Path(it.ref)
            d["file"] = os.path.relpath(ref.resolve(), base_dir.resolve()) if base_dir is not None else str(ref)
            base = load_definition(ref)
        d["side"] = it.side
        d["sets"] = it.sets
        if it.reps is not None:
            d["reps"] = it.reps
        if it.hold_s is not None:
            d["hold_s"] = it.hold_s
        d["rest_s"] = it.rest_s
        if it.count_compensated:
            d["count_compensated"] = True
        if it.notes:
            d["notes"] = it.notes
        if it.demonstration is not None:
            demo = Path(it.demonstration)
            d["demonstration"] = (
                os.path.relpath(demo.resolve(), base_dir.resolve()) if base_dir is not None else str(demo)
            )
        if it.exercise.hysteresis != base.hysteresis:
            d["hysteresis"] = it.exercise.hysteresis
        phases = _range_overrides(base, it.exercise)
        if phases:
            d["phases"] = phases
        tempo: dict[str, Any] = {}
        for key in ("out_s", "back_s"):
            r, b = getattr(it.exercise.tempo, key), getattr(base.tempo, key)
            if r != b:
                tempo[key] = [0.0 if math.isinf(r.low) else r.low, 600.0 if math.isinf(r.high) else r.high]
        if tempo and it.exercise.tempo.basis not in (base.tempo.basis, PLAN_BASIS):
            tempo["basis"] = it.exercise.tempo.basis
        if tempo:
            d["tempo"] = tempo
        items.append(d)
    out: dict[str, Any] = {"title": plan.title}
    if plan.patient:
        out["patient"] = plan.patient
    out.update(countdown_s=plan.countdown_s, instruction_s=plan.instruction_s, rest_between_s=plan.rest_between_s)
    if plan.days is not None:
        out["days"] = [WEEKDAYS[d] for d in plan.days]
    if plan.notes:
        out["notes"] = plan.notes
    if plan.precautions:
        out["precautions"] = plan.precautions
    if plan.feedback != FeedbackSchedule():
        fb = plan.feedback
        out["feedback"] = {
            "mode": fb.mode, "bandwidth_deg": fb.bandwidth_deg, "concurrent_sessions": fb.concurrent_sessions,
            "bandwidth_sessions": fb.bandwidth_sessions,
        }  # fmt: skip
    out["exercise"] = items
    return out


def save_plan(plan: Plan, path: str | Path) -> Path:
    """Write ``plan`` as TOML to ``path`` (validated by re-reading it); returns the path."""
    p = Path(path)
    text = "# Exercise plan written by posture-feedback; see docs/plan_format.md\n" + dump_toml(
        plan_to_dict(plan, p.parent)
    )
    parse_plan(text, str(p), p.parent)  # never write a plan that would not load
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(p)
    return p
