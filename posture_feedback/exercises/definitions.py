"""Exercise definitions: what an exercise tracks, the phases of a repetition, what to watch.

A definition is data (a TOML file: the built-ins live in ``exercises/data/``; a therapist can
write their own, see docs/exercises.md). Signals are named as in ``signals.py``: a canonical
angle (degrees) or a derived signal; ``{side}`` is replaced by the exercising side
(``left``/``right``) and ``{other}`` by the opposite side.

Kinds:

* ``reps``: a repetition goes from the start phase (``phases[0]``) to the target phase
  (``phases[1]``) and back, on the primary ``signal``; counted by ``reps.RepCounter``.
* ``hold``: the primary signal stays inside ``phases[0]`` (and every extra ``conditions``) for a
  time; timed by ``holds.HoldTimer``.
* ``balance``: a hold (the stance) plus sway of the hip centre (``balance.py``).
* ``gait``: marching; each side's signal goes start → target → start once per step
  (``gait.MarchAnalyzer``).

``baseline_s`` (seconds, ``reps`` only): the primary signal is measured as the change
from the person's own resting value, the median over the first ``baseline_s`` seconds of counted
frames of each set (the person holds their relaxed position); the phases' ranges are then offsets
from it. For measures with no norm on this tool's scale (the shoulder–ear head angle of the chin
tuck), this judges the movement, not the posture.

``basis`` (phases, conditions, compensations, tempo): where a threshold comes from, in words: a
published source and what it was measured with, or "Tool threshold: …" (the tool's own choice and
its reasoning). Every built-in threshold has one (docs/exercises.md lists them); a plan's override
or a therapist's demonstration replaces it with ``PLAN_BASIS``/``DEMONSTRATION_BASIS``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from posture_feedback.exercises.errors import DefinitionError
from posture_feedback.exercises.signals import SIGNAL_NAMES
from posture_feedback.exercises.tomlfile import Fields, Source, parse_toml
from posture_feedback.types import View

KINDS = ("reps", "hold", "balance", "gait")
BOTH_MODES = ("together", "each")
VIEW_NAMES = tuple(v.value for v in View if v is not View.UNKNOWN)
#: The ``basis`` of a threshold a plan sets (``[exercise.phases.NAME]``, ``[exercise.tempo]``).
PLAN_BASIS = "Set in the treatment plan (the therapist's choice for this patient)"
#: The ``basis`` of a threshold taken from a therapist's recorded demonstration.
DEMONSTRATION_BASIS = (
    "From the therapist's recorded demonstration (its rest and peak ± the tolerance; tempo half to twice its pace)"
)
CUE_KEYS = ("more", "less", "slower_out", "slower_back", "faster", "hold_longer", "view")


@dataclass(frozen=True)
class Range:
    """A closed interval of a signal's values; ``-inf``/``inf`` for an open side (signal units, degrees for angles)."""

    low: float = -math.inf
    high: float = math.inf

    def contains(self, value: float, margin: float = 0.0) -> bool:
        """True when ``value`` is inside the range widened by ``margin`` on both sides (False for NaN)."""
        return self.low - margin <= value <= self.high + margin

    def distance(self, value: float) -> float:
        """How far outside the range ``value`` is (0 inside, NaN for NaN)."""
        if math.isnan(value):
            return math.nan
        return max(self.low - value, value - self.high, 0.0)

    def describe(self, signal: str = "", unit: str = "°") -> str:
        """Human text such as ``"left_shoulder_elevation ≥ 150°"``, ``"80–180°"``; a range with a negative
        bound reads ``"-10 to 12°"`` (audit 30: "-10–12°" read as "minus 10 to minus 12")."""
        s = f"{signal} " if signal else ""
        lo, hi = _num(self.low), _num(self.high)
        if math.isinf(self.low) and math.isinf(self.high):
            return f"{s}any value".strip()
        if math.isinf(self.low):
            return f"{s}≤ {hi}{unit}"
        if math.isinf(self.high):
            return f"{s}≥ {lo}{unit}"
        join = " to " if self.low < 0 or self.high < 0 else "–"
        return f"{s}{lo}{join}{hi}{unit}"

    def as_dict(self) -> dict[str, float]:
        d: dict[str, float] = {}
        if not math.isinf(self.low):
            d["min"] = self.low
        if not math.isinf(self.high):
            d["max"] = self.high
        return d


def _num(x: float) -> str:
    """A bound for display: at most 2 decimals, no trailing zeros."""
    return f"{round(x, 2):g}"


@dataclass(frozen=True)
class Phase:
    """One phase of an exercise: a range of the primary signal, and how long to stay there (seconds)."""

    name: str
    range: Range
    hold_s: float = 0.0
    basis: str = ""  #: where the range and hold come from (module docstring)


@dataclass(frozen=True)
class Condition:
    """An extra requirement of a hold: ``signal`` (template) inside ``range``."""

    signal: str
    range: Range
    basis: str = ""


@dataclass(frozen=True)
class Compensation:
    """A substitute movement to watch: flagged while ``signal`` is outside ``allowed``.

    ``phases`` limits the check to those phases (empty: the whole repetition or hold);
    ``views`` to those camera views (empty: any view); ``min_s`` is how long (seconds) it must
    be seen within one repetition before the rep is flagged.
    """

    name: str
    signal: str
    allowed: Range
    cue: str
    priority: int = 1
    phases: tuple[str, ...] = ()
    views: tuple[View, ...] = ()
    min_s: float = 0.2
    basis: str = ""  #: where the allowed range comes from (module docstring)


@dataclass(frozen=True)
class Tempo:
    """Allowed durations (seconds) of the way out (start → target) and the way back (target → start)."""

    out_s: Range = Range()
    back_s: Range = Range()
    basis: str = ""


@dataclass(frozen=True)
class ExerciseDefinition:
    """Everything needed to guide, count and judge one exercise (see the module docstring)."""

    name: str
    title: str
    description: str
    kind: str
    signal: str
    phases: tuple[Phase, ...]
    views: tuple[View, ...] = ()
    conditions: tuple[Condition, ...] = ()
    compensations: tuple[Compensation, ...] = ()
    tempo: Tempo = Tempo()
    both: str = "together"
    hysteresis: float = 5.0
    instruction: str = ""
    cues: dict[str, str] = field(default_factory=dict)
    words: tuple[str, str] = ("up", "down")
    unit: str = "°"
    sets: int = 1
    reps: int = 10
    hold_s: float = 0.0
    rest_s: float = 30.0
    source: str = ""
    baseline_s: float = 0.0

    @property
    def sided(self) -> bool:
        """True when the exercise is done with one side (its signals use ``{side}``/``{other}``)."""
        texts = [self.signal, *(c.signal for c in self.conditions), *(c.signal for c in self.compensations)]
        return any("{side}" in t or "{other}" in t for t in texts)

    @property
    def start(self) -> Phase:
        return self.phases[0]

    @property
    def target(self) -> Phase:
        return self.phases[-1]

    @property
    def increasing(self) -> bool:
        """True when the target lies above the start (the signal rises on the way out)."""
        return self.target.range.low > self.start.range.high if len(self.phases) > 1 else True

    def phase(self, name: str) -> Phase:
        for p in self.phases:
            if p.name == name:
                return p
        raise KeyError(name)

    def cue(self, key: str) -> str:
        """A cue text (``more``, ``less``, ``slower_out``, ``slower_back``, ``faster``, ...) with defaults."""
        out, back = self.words
        defaults = {
            "more": "Go a little further",
            "less": "Not quite so far",
            "slower_out": f"Slower on the way {out}",
            "slower_back": f"Slower on the way {back}",
            "faster": "A little quicker",
            "hold_longer": "Hold the position a little longer",
            "view": _view_cue(self.views),
        }
        return self.cues.get(key) or defaults[key]

    def instruction_for(self, side: str) -> str:
        """The instruction text with ``{side}``/``{other}`` filled in. ``both`` for an exercise done one
        side at a time (``both = "each"``) reads as the left side's, then "the same on the right"; for
        one done with both sides together, "both arms" (``fill``). Filling "each" into a one-sided text
        read "lean sideways to the each" and "balance on both legs" (a fourth audit, 2026-12-07)."""
        if side == "both" and self.both == "each" and ("{side}" in self.instruction or "{other}" in self.instruction):
            return f"{fill(self.instruction, 'left')} Then the same on the right side."
        return fill(self.instruction, side)

    def with_phase(
        self, name: str, rng: Range | None = None, hold_s: float | None = None, basis: str | None = None
    ) -> ExerciseDefinition:
        """A copy with one phase's range and/or hold time replaced, and its ``basis`` (who set them now)."""
        phases = tuple(
            replace(p, range=p.range if rng is None else rng, hold_s=p.hold_s if hold_s is None else hold_s,
                    basis=p.basis if basis is None else basis)  # fmt: skip
            if p.name == name
            else p
            for p in self.phases
        )
        return replace(self, phases=phases)


def _view_cue(views: tuple[View, ...]) -> str:
    if views == (View.SIDE,):
        return "Turn side-on to the camera"
    if views and all(v in (View.FRONT, View.BACK) for v in views):
        return "Face the camera"
    return "Step into view of the camera"


def peak_digits(unit: str) -> int:
    """Decimals a value of an exercise's signal is shown with in ``unit`` (``ExerciseDefinition.unit``):
    2 for a ratio without a unit (leg lengths), else 0 (the window, history and the PDF alike)."""
    return 2 if unit == "" else 0


def fill(template: str, side: str) -> str:
    """Replace ``{side}``/``{other}`` (``left``↔``right``).

    For ``both``, "the {side} arm" / "your {side} leg" read "both arms" / "both legs" and any other
    ``{side}`` reads "each", ``{other}`` "other".
    """
    if side in ("left", "right"):
        other = "right" if side == "left" else "left"
        return template.replace("{side}", side).replace("{other}", other)
    text = re.sub(r"\b(?:the|your) \{side\} (\w+)", lambda m: f"both {m.group(1)}s", template)
    return text.replace("{side}", "each").replace("{other}", "other")


def _check_signal(f: Fields, key: str) -> str:
    s = f.string(key)
    names = {fill(s, "left"), fill(s, "right")}
    for n in names:
        if n not in SIGNAL_NAMES:
            raise f.fail(key, f"unknown signal {s!r}", "a canonical angle or derived signal; see docs/exercises.md")
    return s


def _range(f: Fields, what: str, low: float = -1e4, high: float = 1e4) -> Range:
    lo = f.number("min", -math.inf, low, high)
    hi = f.number("max", math.inf, low, high)
    if lo > hi:
        raise f.fail("min", f"min {lo:g} is greater than max {hi:g}", f"{what} with min ≤ max")
    return Range(lo, hi)


def _views(f: Fields, key: str) -> tuple[View, ...]:
    return tuple(View(v) for v in f.strings(key, [], choices=VIEW_NAMES))


def check_phases(defn: ExerciseDefinition, source: Source, path: tuple = (), by_name: bool = False) -> None:
    """Check the phases fit the kind: count and ordering (start and target must not overlap).

    ``by_name``: phases are addressed by name (a plan's ``[exercise.phases.NAME]``), else by index.
    """

    def where(i: int) -> tuple:
        return path + ("phases", defn.phases[i].name if by_name else i)

    need = {"reps": 2, "gait": 2, "hold": 1, "balance": 1}[defn.kind]
    if len(defn.phases) != need:
        raise source.fail(
            path + ("phases",), f"a {defn.kind!r} exercise needs {need} phase(s), got {len(defn.phases)}",
            "reps/gait: start and target phases; hold/balance: one phase",
        )  # fmt: skip
    for i, p in enumerate(defn.phases):
        if math.isinf(p.range.low) and math.isinf(p.range.high):
            raise source.fail(where(i), f"phase {p.name!r} needs min and/or max", "min = ..., max = ...")
    if need == 2:
        a, b = defn.phases[0].range, defn.phases[1].range
        if not (a.high < b.low or b.high < a.low):
            raise source.fail(
                where(1),
                f"target {b.describe()} overlaps start {a.describe()}",
                "target entirely above or below the start range",
            )
        if (a.high < b.low and math.isinf(a.high)) or (b.high < a.low and math.isinf(a.low)):
            raise source.fail(where(0), "the start range must be bounded towards the target")
    if defn.hysteresis < 0:
        raise source.fail(path + ("hysteresis",), "must not be negative")


def is_simple_name(name: str) -> bool:
    """An exercise's name as a definition may have it: letters, digits, ``_`` and ``-``, not empty.

    A therapist's own exercise (a definition ``.toml`` run directly, or one of a programme's
    ``exercises/`` files) is stored under its own name, so any simple name is a legitimate exercise."""
    return name.replace("_", "").replace("-", "").isalnum()


def definition_from_dict(data: Any, source: Source) -> ExerciseDefinition:
    """Build and validate a definition from parsed TOML (``DefinitionError`` on any problem)."""
    f = Fields(data, (), source)
    f.check_keys(
        ("name", "title", "description", "kind", "signal", "views", "both", "hysteresis", "instruction", "words",
         "unit", "defaults", "phases", "conditions", "compensations", "tempo", "cues", "baseline_s")
    )  # fmt: skip
    name = f.string("name")
    if not is_simple_name(name):
        raise f.fail("name", f"{name!r} is not a simple name", "letters, digits, _ and -")
    kind = f.string("kind", choices=KINDS)
    phases = []
    for pf in f.tables("phases", required=True):
        pf.check_keys(("name", "min", "max", "hold_s", "basis"))
        phases.append(Phase(pf.string("name"), _range(pf, "a phase range"), pf.number("hold_s", 0.0, 0, 3600, "s"),
                            pf.string("basis", "")))  # fmt: skip
    names = [p.name for p in phases]
    if len(set(names)) != len(names):
        raise f.fail("phases", "phase names must be different", "e.g. down, up")
    conditions = []
    for cf in f.tables("conditions"):
        cf.check_keys(("signal", "min", "max", "basis"))
        rng = _range(cf, "a condition range")
        conditions.append(Condition(_check_signal(cf, "signal"), rng, cf.string("basis", "")))
    comps = []
    for cf in f.tables("compensations"):
        cf.check_keys(("name", "signal", "min", "max", "cue", "priority", "phases", "views", "min_s", "basis"))
        comp = Compensation(
            name=cf.string("name"),
            signal=_check_signal(cf, "signal"),
            allowed=_range(cf, "an allowed range"),
            cue=cf.string("cue"),
            priority=cf.integer("priority", 1, 0, 100),
            phases=tuple(cf.strings("phases", [], choices=names)),
            views=_views(cf, "views"),
            min_s=cf.number("min_s", 0.2, 0, 60, "s"),
            basis=cf.string("basis", ""),
        )
        if math.isinf(comp.allowed.low) and math.isinf(comp.allowed.high):
            raise cf.fail("max", "a compensation needs min and/or max", "min = ..., max = ...")
        comps.append(comp)
    tempo = Tempo()
    tf = f.table("tempo")
    if tf is not None:
        tf.check_keys(("out_s", "back_s", "basis"))
        out = tf.interval("out_s", None, 0, 600, "s")
        back = tf.interval("back_s", None, 0, 600, "s")
        tempo = Tempo(Range(*out) if out else Range(), Range(*back) if back else Range(), tf.string("basis", ""))
    cues = {}
    cf = f.table("cues")
    if cf is not None:
        cf.check_keys(CUE_KEYS)
        cues = {k: cf.string(k) for k in cf.data}
    words = tuple(f.strings("words", ["up", "down"]))
    if len(words) != 2:
        raise f.fail("words", f"needs two words, got {len(words)}", '["up", "down"]')
    df = f.table("defaults")
    d: dict[str, Any] = {}
    if df is not None:
        df.check_keys(("sets", "reps", "hold_s", "rest_s"))
        d = {
            "sets": df.integer("sets", 1, 1, 100),
            "reps": df.integer("reps", 10, 1, 1000),
            "hold_s": df.number("hold_s", 0.0, 0, 3600, "s"),
            "rest_s": df.number("rest_s", 30.0, 0, 3600, "s"),
        }
    defn = ExerciseDefinition(
        name=name,
        title=f.string("title", name.replace("_", " ").capitalize()),
        description=f.string("description"),
        kind=kind,
        signal=_check_signal(f, "signal"),
        phases=tuple(phases),
        views=_views(f, "views"),
        conditions=tuple(conditions),
        compensations=tuple(comps),
        tempo=tempo,
        both=f.string("both", "together", choices=BOTH_MODES),
        hysteresis=f.number("hysteresis", 5.0, 0, 90),
        instruction=f.string("instruction", ""),
        cues=cues,
        words=(words[0], words[1]),
        unit=f.string("unit", "°", allow_empty=True),
        source=source.file,
        baseline_s=f.number("baseline_s", 0.0, 0, 30, "s"),
        **d,
    )
    if defn.baseline_s > 0 and kind != "reps":
        raise f.fail("baseline_s", f"a {kind!r} exercise cannot be relative to a baseline", "kind = 'reps' only")
    if kind in ("hold", "balance") and defn.hold_s <= 0:
        raise f.fail("defaults", f"a {kind!r} exercise needs defaults.hold_s > 0", "hold_s = seconds")
    check_phases(defn, source)
    check_plane(defn, f)
    return defn


#: Primary signals measured in 3D without a plane: the views must pin the plane down.
PLANE_FREE_SIGNALS = ("shoulder_elevation",)


def check_plane(defn: ExerciseDefinition, f: Fields) -> None:
    """A plane-free primary signal (the upper arm's angle from the trunk, whatever the direction)
    needs views that show one plane: ``["side"]`` for flexion (the sagittal plane), front and/or
    back for abduction (the frontal plane). Face-on, "elevation" mixes flexion and abduction."""
    if not defn.signal.endswith(PLANE_FREE_SIGNALS):
        return
    views = set(defn.views)
    if views == {View.SIDE} or (views and views <= {View.FRONT, View.BACK}):
        return
    raise f.fail(
        "views",
        f"{defn.signal} is the arm's angle from the trunk in any direction; seen from "
        f"{', '.join(v.value for v in defn.views) or 'any view'} it mixes flexion and abduction",
        'views = ["side"] for a flexion exercise, ["front"] (or ["front", "back"]) for abduction',
    )


def load_definition(path: str | Path, error: type[DefinitionError] = DefinitionError) -> ExerciseDefinition:
    """Read and validate an exercise definition TOML file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")  # a byte-order mark (Windows editors) is dropped
    except FileNotFoundError:
        raise error(str(p), None, "", "exercise definition file not found") from None
    except OSError as exc:
        raise error(str(p), None, "", f"cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise error(str(p), None, "", f"cannot read the file: {exc}") from None
    source = Source(str(p), text, error)
    return definition_from_dict(parse_toml(text, source), source)


def definition_to_dict(defn: ExerciseDefinition) -> dict[str, Any]:
    """The TOML-ready dict of a definition (the inverse of ``definition_from_dict``)."""
    d: dict[str, Any] = {
        "name": defn.name,
        "title": defn.title,
        "description": defn.description,
        "kind": defn.kind,
        "signal": defn.signal,
        "views": [v.value for v in defn.views],
        "both": defn.both,
        "hysteresis": defn.hysteresis,
        "instruction": defn.instruction,
        "words": list(defn.words),
        "unit": defn.unit,
        "defaults": {"sets": defn.sets, "reps": defn.reps, "hold_s": defn.hold_s, "rest_s": defn.rest_s},
        "phases": [{"name": p.name, **p.range.as_dict(), "hold_s": p.hold_s, **_basis(p.basis)} for p in defn.phases],
    }
    if defn.baseline_s > 0:
        d["baseline_s"] = defn.baseline_s
    if defn.conditions:
        d["conditions"] = [{"signal": c.signal, **c.range.as_dict(), **_basis(c.basis)} for c in defn.conditions]
    if defn.compensations:
        d["compensations"] = [
            {"name": c.name, "signal": c.signal, **c.allowed.as_dict(), "cue": c.cue, "priority": c.priority,
             "phases": list(c.phases), "views": [v.value for v in c.views], "min_s": c.min_s, **_basis(c.basis)}
            for c in defn.compensations
        ]  # fmt: skip
    t: dict[str, Any] = {}
    for key, r in (("out_s", defn.tempo.out_s), ("back_s", defn.tempo.back_s)):
        if not (math.isinf(r.low) and math.isinf(r.high)):
            t[key] = [0.0 if math.isinf(r.low) else r.low, 600.0 if math.isinf(r.high) else r.high]
    if t:
        d["tempo"] = {**t, **_basis(defn.tempo.basis)}
    if defn.cues:
        d["cues"] = dict(defn.cues)
    return d


def _basis(text: str) -> dict[str, str]:
    """``{"basis": text}``, or nothing for an empty one (a therapist's file without it)."""
    return {"basis": text} if text else {}
