"""Target ranges for joint angles, their TOML file format, and per-frame verdicts.

A *target* is one canonical angle (``types.ANGLE_NAMES``) with a range in degrees, a tolerance band
outside it, the cue to show when below or above, and two anti-flicker settings for the cue
(hysteresis in degrees, minimum duration in seconds). The verdict shown beside a value is always
that value's verdict (``classify``); only cues are debounced. A ``TargetSet`` groups targets (a
preset, or a file the user edited).
``TargetEvaluator`` turns an ``AngleTable`` into one ``TargetState`` per target per frame.

Zones of a measured value ``v`` against the effective range ``[low, high]`` and tolerance ``tol``
(all degrees; a missing bound is -inf / +inf)::

    LOW  < low - tol <=  NEAR  < low <=  IN_RANGE  <= high <  NEAR  <= high + tol <  HIGH

File format (see docs/targets.md): UTF-8 TOML, top-level ``name``, ``label``, ``description``,
``view`` and an array of tables ``[[targets]]``. Reading needs ``tomllib`` (Python >= 3.11) or, on
Python 3.10, the ``tomli`` package. Writing is done here by hand (the schema is flat).
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import MISSING, dataclass, fields, replace
from pathlib import Path
from typing import Any

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10 needs the tomli package
    import tomli as tomllib  # type: ignore[no-redef]

from posture_feedback.errors import PostureFeedbackError
from posture_feedback.shoulder_cue import SHOULDER_ANGLE, TRUNK_ANGLE, shoulder_level_cue
from posture_feedback.types import ANGLE_NAMES, AngleTable, TargetState, Verdict, View

#: Views a target may be evaluated in (``View.UNKNOWN`` is never one: nothing can be judged there).
EVALUABLE_VIEWS: frozenset[View] = frozenset({View.FRONT, View.BACK, View.SIDE, View.OBLIQUE})

# Limits that keep files sane (everything is in degrees or seconds).
MAX_ABS_DEG = 360.0  #: |low|, |high| at most this (degrees)
MAX_TOLERANCE_DEG = 90.0
MAX_HYSTERESIS_DEG = 45.0
MAX_DURATION_S = 3600.0
MAX_PRIORITY = 1000
MAX_TEXT = 2000  #: characters in a label, cue, description or source
MAX_TARGETS = 100
MAX_FILE_BYTES = 1_000_000
_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class TargetFileError(PostureFeedbackError, ValueError):
    """A target file (or dict) that cannot be used, with where and why in a one-line message.

    Attributes:
        file: path (or ``<string>`` / ``<dict>``) of the input.
        line: 1-based line number of the offending key when it could be found, else None.
        field: the offending key, e.g. ``targets[2].low`` (``""`` for the file as a whole).
        problem: what is wrong.
        allowed: what would be accepted (``""`` when not applicable).
    """

    def __init__(self, file: str, field: str, problem: str, allowed: str = "", line: int | None = None) -> None:
        self.file = str(file)
        self.line = line
        self.field = field
        self.problem = problem
        self.allowed = allowed
        where = self.file if line is None else f"{self.file}:{line}"
        msg = f"{where}: {field + ': ' if field else ''}{problem}"
        if allowed:
            msg += f" (allowed: {allowed})"
        super().__init__(msg)


@dataclass(frozen=True)
class Target:
    """One angle with a target range.

    Attributes:
        id: unique name within its set (letters, digits, ``_ . -``), e.g. ``"forward_head"``.
        angle: canonical angle name (``types.ANGLE_NAMES``).
        low: range minimum in degrees, None = no minimum. Offset from neutral if ``relative``.
        high: range maximum in degrees, None = no maximum. Offset from neutral if ``relative``.
        tolerance: degrees outside the range still counted ``NEAR`` (>= 0).
        relative: ``low``/``high`` are offsets from the person's calibrated neutral for this angle;
            without a neutral for it the verdict is ``UNKNOWN``.
        cue_low: text shown when the value is below the range ("Lift your chin").
        cue_high: text shown when the value is above the range.
        priority: larger = more important when choosing the one cue to show.
        hysteresis: degrees by which a boundary must be crossed before the *cue* changes zone (>= 0);
            never delays the verdict shown beside the value.
        min_duration_s: seconds a zone that would start a new cue must persist before the cue is
            given (>= 0); never delays the verdict shown beside the value.
        views: views in which the target is evaluated; in any other view the verdict is ``UNKNOWN``.
        label: human name ("Head over shoulders").
        source: where the default range comes from (citation or rationale), free text.
    """

    id: str
    angle: str
    low: float | None = None
    high: float | None = None
    tolerance: float = 2.0
    relative: bool = False
    cue_low: str = ""
    cue_high: str = ""
    priority: int = 0
    hysteresis: float = 1.0
    min_duration_s: float = 0.5
    views: frozenset[View] = EVALUABLE_VIEWS
    label: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        # Accept any iterable of View/str for convenience; store a frozenset of View.
        try:
            object.__setattr__(self, "views", frozenset(View(v) for v in self.views))
        except (ValueError, TypeError):
            raise TargetFileError(
                "<Target>", f"{self.id}.views", f"invalid views {self.views!r}", _VIEW_NAMES
            ) from None
        problems = _target_problems({f.name: getattr(self, f.name) for f in fields(self)})
        if problems:
            fld, problem, allowed = problems[0]
            raise TargetFileError("<Target>", f"{self.id or '?'}.{fld}", problem, allowed)

    @property
    def display_name(self) -> str:
        """``label`` if set, else the id."""
        return self.label or self.id


@dataclass(frozen=True)
class TargetSet:
    """A named group of targets (a preset or a user's file).

    Attributes:
        name: short machine name ("sitting-side").
        targets: the targets, in display order (a tuple; any sequence is accepted).
        label: human name ("Sitting posture, side view").
        description: one or two sentences for the user.
        view: the view the person should present for this set (None = any; each target still
            declares its own ``views``).
    """

    name: str
    targets: tuple[Target, ...] = ()
    label: str = ""
    description: str = ""
    view: View | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "targets", tuple(self.targets))
        if self.view is not None:
            object.__setattr__(self, "view", View(self.view))
        seen: set[str] = set()
        for t in self.targets:
            if t.id in seen:
                raise TargetFileError("<TargetSet>", f"{t.id}", "duplicate target id", "unique ids")
            seen.add(t.id)

    def __len__(self) -> int:
        return len(self.targets)

    def __iter__(self) -> Iterator[Target]:
        return iter(self.targets)

    def get(self, target_id: str) -> Target:
        """The target with this id (KeyError listing the ids otherwise)."""
        for t in self.targets:
            if t.id == target_id:
                return t
        raise KeyError(f"no target {target_id!r} in {self.name!r} (ids: {', '.join(t.id for t in self.targets)})")

    def with_target(self, target: Target) -> TargetSet:
        """A copy with the target of the same id replaced (or appended if new)."""
        ids = [t.id for t in self.targets]
        if target.id in ids:
            targets = tuple(target if t.id == target.id else t for t in self.targets)
        else:
            targets = (*self.targets, target)
        return replace(self, targets=targets)

    def angles(self) -> tuple[str, ...]:
        """The distinct angle names used, in target order."""
        return tuple(dict.fromkeys(t.angle for t in self.targets))

    def views_used(self) -> frozenset[View]:
        """Union of the targets' views."""
        out: set[View] = set()
        for t in self.targets:
            out |= t.views
        return frozenset(out)

    def tolerances(self) -> dict[str, float]:
        """target id → tolerance in degrees (for ``feedback.CueSelector``)."""
        return {t.id: t.tolerance for t in self.targets}


# --------------------------------------------------------------------------- validation


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


class _Fields:
    """Attribute access to a dict of Target fields (so one checker serves files and constructors)."""

    def __init__(self, d: Mapping[str, Any]) -> None:
        self.__dict__.update(d)


def _target_problems(values: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(field, problem, allowed) for each thing wrong with these Target field values."""
    t: Any = _Fields(values)
    out: list[tuple[str, str, str]] = []
    if not isinstance(t.id, str) or not _ID_RE.match(t.id):
        out.append(("id", f"invalid id {t.id!r}", "1-64 letters, digits, '_', '.', '-'"))
    if t.angle not in ANGLE_NAMES:
        out.append(("angle", f"unknown angle {t.angle!r}", ", ".join(ANGLE_NAMES)))
    for name in ("low", "high"):
        v = getattr(t, name)
        if v is not None and (not _is_number(v) or not math.isfinite(v) or abs(v) > MAX_ABS_DEG):
            out.append((name, f"{v!r} is not a finite number of degrees within ±{MAX_ABS_DEG:g}", "a number"))
    if t.low is None and t.high is None:
        out.append(("low", "neither low nor high is set", "low, high or both"))
    elif t.low is not None and t.high is not None and _is_number(t.low) and _is_number(t.high) and t.low > t.high:
        out.append(("low", f"low ({t.low:g}) is greater than high ({t.high:g})", "low <= high"))
    for name, hi in (
        ("tolerance", MAX_TOLERANCE_DEG),
        ("hysteresis", MAX_HYSTERESIS_DEG),
        ("min_duration_s", MAX_DURATION_S),
    ):
        v = getattr(t, name)
        if not _is_number(v) or not math.isfinite(v) or not 0 <= v <= hi:
            out.append((name, f"{v!r} is out of range", f"a number from 0 to {hi:g}"))
    if not isinstance(t.priority, int) or isinstance(t.priority, bool) or abs(t.priority) > MAX_PRIORITY:
        out.append(("priority", f"{t.priority!r} is not an integer within ±{MAX_PRIORITY}", "an integer"))
    if not isinstance(t.relative, bool):
        out.append(("relative", f"{t.relative!r} is not true/false", "true or false"))
    for name in ("cue_low", "cue_high", "label", "source"):
        v = getattr(t, name)
        if not isinstance(v, str) or len(v) > MAX_TEXT:
            out.append((name, f"not a string of at most {MAX_TEXT} characters", "text"))
    if not t.views or View.UNKNOWN in t.views:
        out.append(("views", "must list at least one view and not 'unknown'", _VIEW_NAMES))
    return out


_VIEW_NAMES = ", ".join(v.value for v in View if v is not View.UNKNOWN)
_TOP_KEYS = {"name": str, "label": str, "description": str, "view": str, "targets": list}
_TARGET_KEYS: dict[str, str] = {
    "id": "text",
    "angle": "text",
    "low": "number",
    "high": "number",
    "tolerance": "number",
    "relative": "bool",
    "cue_low": "text",
    "cue_high": "text",
    "priority": "int",
    "hysteresis": "number",
    "min_duration_s": "number",
    "views": "views",
    "label": "text",
    "source": "text",
}


_TARGET_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Target) if f.default is not MISSING}


def _key(k: Any) -> str:
    """A key as shown in a message: plain if it is a simple name, else quoted (never a line break)."""
    s = str(k)[:80]
    return s if re.fullmatch(r"[A-Za-z0-9_-]+", s) else repr(s)


class _Locator:
    """Finds the line of a key in the TOML text (best effort) for error messages."""

    def __init__(self, text: str | None) -> None:
        self.lines = text.splitlines() if text else []
        self.headers = [i for i, ln in enumerate(self.lines) if re.match(r"\s*\[\[\s*targets\s*\]\]", ln)]

    def find(self, key: str, target_index: int | None = None) -> int | None:
        if not self.lines:
            return None
        if target_index is None:
            start, stop = 0, (self.headers[0] if self.headers else len(self.lines))
        else:
            if target_index >= len(self.headers):
                return None
            start = self.headers[target_index]
            nxt = target_index + 1
            stop = self.headers[nxt] if nxt < len(self.headers) else len(self.lines)
            if key == "":
                return start + 1
        pat = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for i in range(start, stop):
            if pat.match(self.lines[i]):
                return i + 1
        return None if target_index is None else start + 1


def target_set_from_dict(data: Any, file: str = "<dict>", text: str | None = None, default_name: str = "") -> TargetSet:
    """Validate a parsed TOML document (nested dicts/lists) into a ``TargetSet``.

    Raises ``TargetFileError`` for anything wrong; never another exception type.
    ``text`` (the TOML source) is only used to report line numbers.
    """
    loc = _Locator(text)

    def err(
        fld: str, problem: str, allowed: str = "", ti: int | None = None, key: str | None = None
    ) -> TargetFileError:
        return TargetFileError(file, fld, problem, allowed, loc.find(key if key is not None else fld, ti))

    if not isinstance(data, Mapping):
        raise err("", f"expected a table at the top level, got {type(data).__name__}", "a TOML document")
    for k in data:
        if k not in _TOP_KEYS:
            raise err(_key(k), "unknown key", ", ".join(_TOP_KEYS), key=str(k))
    for k, typ in _TOP_KEYS.items():
        if k in data and not isinstance(data[k], typ):
            raise err(k, f"expected {'text' if typ is str else 'an array of tables [[targets]]'}, got "
                      f"{type(data[k]).__name__}", "text" if typ is str else "[[targets]] tables")  # fmt: skip
    for k in ("name", "label", "description"):
        if k in data and len(data[k]) > MAX_TEXT:
            raise err(k, f"longer than {MAX_TEXT} characters", "shorter text")
    name = data.get("name", default_name)
    if not name:
        raise err("name", "missing", 'a short name such as "sitting-side"')
    view: View | None = None
    if "view" in data:
        try:
            view = View(data["view"])
        except ValueError:
            raise err("view", f"unknown view {data['view'][:40]!r}", _VIEW_NAMES) from None
        if view is View.UNKNOWN:
            raise err("view", "'unknown' is not a view a person can present", _VIEW_NAMES)
    raw_targets = data.get("targets", [])
    if not raw_targets:
        raise err("targets", "no targets", "at least one [[targets]] table", key="")
    if len(raw_targets) > MAX_TARGETS:
        raise err("targets", f"{len(raw_targets)} targets", f"at most {MAX_TARGETS}", key="")
    targets: list[Target] = []
    seen: dict[str, int] = {}
    for i, rt in enumerate(raw_targets):
        prefix = f"targets[{i}]"
        if not isinstance(rt, Mapping):
            raise err(prefix, f"expected a table, got {type(rt).__name__}", "[[targets]] tables", key="targets")
        kw: dict[str, Any] = {}
        for k, v in rt.items():
            kind = _TARGET_KEYS.get(k)
            if kind is None:
                raise err(f"{prefix}.{_key(k)}", "unknown key", ", ".join(_TARGET_KEYS), i, str(k))
            fld = f"{prefix}.{k}"
            if kind == "text" and not isinstance(v, str):
                raise err(fld, f"expected text, got {type(v).__name__}", "a quoted string", i, k)
            if kind == "number" and not _is_number(v):
                raise err(fld, f"expected a number, got {type(v).__name__}", "a number of degrees or seconds", i, k)
            if kind == "int" and (not isinstance(v, int) or isinstance(v, bool)):
                raise err(fld, f"expected an integer, got {type(v).__name__}", "an integer", i, k)
            if kind == "bool" and not isinstance(v, bool):
                raise err(fld, f"expected true or false, got {type(v).__name__}", "true or false", i, k)
            if kind == "views":
                if not isinstance(v, list) or not v:
                    raise err(fld, "expected a non-empty array of view names", _VIEW_NAMES, i, k)
                views = []
                for x in v:
                    if not isinstance(x, str) or x not in _VIEW_NAMES.split(", "):
                        raise err(fld, f"unknown view {str(x)[:40]!r}", _VIEW_NAMES, i, k)
                    views.append(View(x))
                v = frozenset(views)
            if kind == "number":
                try:
                    v = float(v)
                except OverflowError:  # an integer too large for a float
                    v = math.inf
            kw[k] = v
        for req in ("id", "angle"):
            if req not in kw:
                raise err(f"{prefix}.{req}", "missing", 'id = "..."' if req == "id" else ", ".join(ANGLE_NAMES), i, "")
        tid = kw["id"]
        if tid in seen:
            raise err(f"{prefix}.id", f"duplicate id {tid[:64]!r} (also targets[{seen[tid]}])", "unique ids", i, "id")
        seen[tid] = i
        problems = _target_problems({**_TARGET_DEFAULTS, **kw})
        if problems:
            f, problem, allowed = problems[0]
            raise err(f"{prefix}.{f}", problem, allowed, i, f)
        targets.append(Target(**kw))
    return TargetSet(
        name=name, targets=tuple(targets), label=data.get("label", ""), description=data.get("description", ""),
        view=view,
    )  # fmt: skip


def loads_targets(text: str, file: str = "<string>", default_name: str = "") -> TargetSet:
    """Parse TOML text into a ``TargetSet`` (``TargetFileError`` on any problem)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise TargetFileError(file, "", f"not valid TOML: {e}", "TOML syntax", int(m.group(1)) if m else None) from None
    except (RecursionError, ValueError, TypeError, OverflowError) as e:
        raise TargetFileError(file, "", f"not valid TOML: {type(e).__name__}", "TOML syntax") from None
    return target_set_from_dict(data, file, text, default_name)


def load_targets(path: str | os.PathLike[str]) -> TargetSet:
    """Read a target file (UTF-8 TOML). Raises ``TargetFileError`` with file, line, field and reason."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise TargetFileError(str(p), "", "file not found") from None
    except IsADirectoryError:
        raise TargetFileError(str(p), "", "is a directory, not a file") from None
    except OSError as e:
        raise TargetFileError(str(p), "", f"cannot read: {e.strerror or e}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise TargetFileError(str(p), "", f"file is {len(raw)} bytes", f"at most {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise TargetFileError(str(p), "", f"not UTF-8 text (byte {e.start})", "UTF-8 text", line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return loads_targets(text, str(p), default_name=p.stem)


# --------------------------------------------------------------------------- writing


def _toml_str(s: str) -> str:
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\u{o:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_float(x: float) -> str:
    r = repr(float(x))
    return r if any(c in r for c in ".en") else r + ".0"


def dumps_targets(target_set: TargetSet) -> str:
    """The TOML text of a target set (``loads_targets`` reads it back equal)."""
    lines = [f"name = {_toml_str(target_set.name)}"]
    if target_set.label:
        lines.append(f"label = {_toml_str(target_set.label)}")
    if target_set.description:
        lines.append(f"description = {_toml_str(target_set.description)}")
    if target_set.view is not None:
        lines.append(f"view = {_toml_str(target_set.view.value)}")
    for t in target_set.targets:
        lines += ["", "[[targets]]", f"id = {_toml_str(t.id)}", f"angle = {_toml_str(t.angle)}"]
        if t.label:
            lines.append(f"label = {_toml_str(t.label)}")
        if t.low is not None:
            lines.append(f"low = {_toml_float(t.low)}")
        if t.high is not None:
            lines.append(f"high = {_toml_float(t.high)}")
        lines.append(f"tolerance = {_toml_float(t.tolerance)}")
        lines.append(f"relative = {'true' if t.relative else 'false'}")
        lines.append(f"cue_low = {_toml_str(t.cue_low)}")
        lines.append(f"cue_high = {_toml_str(t.cue_high)}")
        lines.append(f"priority = {int(t.priority)}")
        lines.append(f"hysteresis = {_toml_float(t.hysteresis)}")
        lines.append(f"min_duration_s = {_toml_float(t.min_duration_s)}")
        views = [v.value for v in View if v in t.views]
        lines.append("views = [" + ", ".join(_toml_str(v) for v in views) + "]")
        if t.source:
            lines.append(f"source = {_toml_str(t.source)}")
    return "\n".join(lines) + "\n"


def save_targets(target_set: TargetSet, path: str | os.PathLike[str]) -> None:
    """Write a target set as UTF-8 TOML, atomically (a temp file renamed over the old one)."""
    p = Path(path)
    text = dumps_targets(target_set)
    fd, tmp = tempfile.mkstemp(prefix=p.name + ".", suffix=".tmp", dir=p.parent if str(p.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# --------------------------------------------------------------------------- evaluation

_EPS_S = 1e-9  # seconds: float slack so that 0.3 - 0.1 counts as 0.2
#: Decimals a value is rounded to before it is judged (the CSV's precision), so that the value
#: written beside a verdict is exactly the value the verdict was computed on.
VALUE_DECIMALS = 2
#: The same for the uncertainty that may leave a verdict undecided (the CSV's ``unc_`` precision).
UNCERTAINTY_DECIMALS = 1

# Internal zones, ordered along the value axis (NEAR split by side so the cue direction is known).
_UNKNOWN, _LOW, _NEAR_LOW, _IN, _NEAR_HIGH, _HIGH = range(6)
_VERDICT = {
    _UNKNOWN: Verdict.UNKNOWN,
    _LOW: Verdict.LOW,
    _NEAR_LOW: Verdict.NEAR,
    _IN: Verdict.IN_RANGE,
    _NEAR_HIGH: Verdict.NEAR,
    _HIGH: Verdict.HIGH,
}


def _zone_bounds(zone: int, lo: float, hi: float, tol: float) -> tuple[float, float]:
    """The closed interval of values belonging to a zone (degrees)."""
    if zone == _LOW:
        return -math.inf, lo - tol
    if zone == _NEAR_LOW:
        return lo - tol, lo
    if zone == _IN:
        return lo, hi
    if zone == _NEAR_HIGH:
        return hi, hi + tol
    return hi + tol, math.inf


def _classify(v: float, lo: float, hi: float, tol: float) -> int:
    if v < lo:
        return _LOW if v < lo - tol else _NEAR_LOW
    if v > hi:
        return _HIGH if v > hi + tol else _NEAR_HIGH
    return _IN


def classify(value: float, low: float, high: float, tolerance: float) -> Verdict:
    """The verdict of a value (degrees) against ``[low, high]`` and a tolerance band: the one rule.

    ``out_low < low − tol <= near < low <= in_range <= high < near <= high + tol < out_high``;
    a missing bound is −inf/+inf; NaN value or bounds give ``UNKNOWN``.
    """
    if value != value or low != low or high != high:
        return Verdict.UNKNOWN
    return _VERDICT[_classify(value, low, high, tolerance)]


def undecided(value: float, uncertainty: float, low: float, high: float, tolerance: float) -> bool:
    """True when ``value ± uncertainty`` (degrees, the 80% interval) holds both a value in
    ``[low, high]`` and one beyond the tolerance band (below ``low − tolerance`` or above
    ``high + tolerance``): the measurement cannot tell "in range" from "out", so no verdict is
    given (``Verdict.UNCERTAIN``). An interval that stays within the tolerance band, or wholly
    outside the range, keeps its verdict: the tolerance is the error a verdict may carry.
    NaN or zero uncertainty decides nothing (False)."""
    if not uncertainty > 0 or value != value:
        return False
    a, b = value - uncertainty, value + uncertainty
    reaches_range = a <= high and b >= low
    reaches_out = a < low - tolerance or b > high + tolerance
    return reaches_range and reaches_out


def wider_than_near_band(uncertainty: float, tolerance: float) -> bool:
    """True when a value's ± (``uncertainty``, the 80% half-width, degrees) is wider than its target's
    near band (``tolerance``, degrees). It decides only whether a verdict's ± is written beside its
    number ("−41° ±8° LOW"): a verdict that stands (not ``undecided``: its interval does not hold
    both an in-range value and one beyond the near band) keeps its colour, shape and cue however
    wide its ±; only an undecided value (``Verdict.UNCERTAIN``) is grey. Before, such a verdict was
    drawn grey yet cued and written LOW in the CSV: two truths in one frame. NaN: False."""
    return math.isfinite(uncertainty) and uncertainty > tolerance


def round_value(value: float) -> float:
    """A value rounded to ``VALUE_DECIMALS`` (degrees), the way the CSV writes it."""
    return float(f"{value:.{VALUE_DECIMALS}f}") if value == value else math.nan


def value_text(state: TargetState, decimals: int = 0) -> str:
    """The state's value as text with the fewest decimals (from ``decimals``) whose reading has
    the same verdict as the state, so "5°" is never shown beside "HIGH" for 5.3° against a
    range up to 5°. ``"—"`` when unknown. No unit."""
    v = state.value
    if state.verdict is Verdict.UNKNOWN or v != v:
        return "—"
    text = f"{v:.{decimals}f}"
    if state.verdict.judged:  # (an uncertain value has no verdict to read against)
        for d in range(decimals, max(decimals, VALUE_DECIMALS) + 1):
            text = f"{v:.{d}f}"
            if classify(float(text), state.low, state.high, state.tolerance) is state.verdict:
                break
    if text.startswith("-"):
        text = "−" + text[1:]
    return text if text not in ("−0", "−0.0", "−0.00") else text[1:]


def uncertainty_text(state: TargetState, uncertainty: float = math.nan) -> str:
    """The state's ± (``uncertainty``, degrees; the state's own where NaN) as text, no unit, written
    beside ``value_text(state)``: see ``pm_texts``, whose ± this is when the value keeps its decimals.
    ``""`` when no ± is known."""
    return pm_texts(state, uncertainty)[1]


def pm_texts(state: TargetState, uncertainty: float = math.nan) -> tuple[str, str]:
    """The state's value and ± (``uncertainty``, degrees; the state's own where NaN) as the pair of
    texts written together ("−10", "6.6"; no unit), with the fewest decimals whose written interval
    reads as the verdict does: undecided for ``Verdict.UNCERTAIN``, decided for a verdict.

    First the value as ``value_text`` writes it with a ± of 0, else 1 decimal: "−10° ±7° LOW" for
    −10 ± 6.6° against −3…3° reads −17…−3°, reaching the range (an "UNSURE" to the reader); it is
    written "−10° ±6.6° LOW" (audit 27). Where no ± reads right beside the whole-degree value, the
    value takes a decimal too: an undecided hip tilt of 0.4 ± 4.8° against −3…3° (near band 2°) was
    written "0° ±4.8° UNSURE", which reads −4.8…4.8°, inside the near band: decided (audit 32); it is
    written "0.4° ±5° UNSURE" (−4.6…5.4°). ``("—", "")`` / ``(value, "")`` when unknown / no ±."""
    vt = value_text(state)
    u = uncertainty if math.isfinite(uncertainty) else state.uncertainty
    if not math.isfinite(u) or vt == "—":
        return vt, ""
    lo = state.low if state.low == state.low else -math.inf
    hi = state.high if state.high == state.high else math.inf
    want = state.verdict is Verdict.UNCERTAIN
    for dv in range(VALUE_DECIMALS + 1):
        text = value_text(state, dv)
        v = float(text.replace("−", "-"))
        for du in range(max(dv, 1) + 1):
            ut = f"{u:.{du}f}"
            if undecided(v, float(ut), lo, hi, state.tolerance) == want:
                return text, ut
    return vt, f"{u:.1f}"


def _severity(zone: int) -> int:
    """Distance of a known zone from in-range along the axis (0 in range, 1 near, 2 out)."""
    return abs(zone - _IN)


def _same_side_or_in(new: int, old: int) -> bool:
    """True when ``new`` lies between ``old`` and in-range (inclusive): a cue ends or eases."""
    return (new - _IN) * (old - _IN) >= 0 and _severity(new) <= _severity(old)


class _TrackState:
    __slots__ = ("instant", "reported", "candidate", "candidate_since")

    def __init__(self) -> None:
        self.instant = _UNKNOWN  # zone after hysteresis, this frame
        self.reported = _UNKNOWN  # debounced zone (hysteresis + minimum duration for new cues)
        self.candidate = _UNKNOWN
        self.candidate_since = math.nan


class TargetEvaluator:
    """Per-frame verdicts for a target set; cues debounced by hysteresis and minimum duration.

    ``update`` is stateful: call it once per frame with increasing ``t`` (seconds).

    One truth per frame (``TargetState``): ``value`` is this frame's angle (degrees, rounded to
    ``VALUE_DECIMALS``) and ``verdict`` is ``classify(value, low, high, tolerance)``, with no
    memory: what is shown beside a number is always that number's verdict. The anti-flicker
    settings act only on ``cue_verdict`` and ``cue`` (what the person is told, and its sound):

    * The value is *unknown* when NaN, marked not valid in the ``AngleTable``, when the frame's
      view is not in ``target.views``, or when the target is relative and no neutral is known for
      its angle. Unknown is immediate for the verdict and for the cue (nothing is judged on a
      person or angle that is not seen).
    * The verdict is *uncertain* (``Verdict.UNCERTAIN``, value kept) when the angle's 80%
      uncertainty (``AngleTable.uncertainty``) leaves it open whether the value is in range or
      beyond the tolerance band (``undecided``). Like unknown, it is immediate and gives no cue:
      a cue on a number that may be right is a cue that may train the wrong movement.
    * Hysteresis: the cue's zone is kept while the value stays within that zone widened by
      ``hysteresis`` degrees on both sides; beyond that the value's plain zone is taken.
    * Minimum duration: a zone that would start a *new* cue (further from the range than the
      current one, or on the other side of it) must persist ``min_duration_s`` seconds, and the
      value must be in it at that moment, before it counts; a zone closer to the range (the
      person corrects) counts at once. The first known zone (from unknown) counts at once.
    * ``cue`` is the cue of the debounced zone (``cue_low`` below the range, ``cue_high`` above,
      near included), None in range, when unknown or empty, and whenever the value itself lies on
      the other side of the range (a cue never points against the number). A ``shoulder_tilt``
      target's words follow the frame's trunk line (``shoulder_cue``): without it the cue describes
      ("your right shoulder is higher"), with a lean that explains the tilt it names the trunk.
    * ``TargetState.low``/``high`` are the effective bounds (neutral added for relative
      targets; -inf/+inf for a missing bound; NaN when a relative target has no neutral).
    """

    def __init__(self, target_set: TargetSet, neutral: Mapping[str, float] | None = None) -> None:
        self.target_set = target_set
        self._targets: tuple[Target, ...] = tuple(target_set.targets)
        self._neutral: dict[str, float] = {}
        self._bounds: list[tuple[float, float]] = []
        self._names: tuple[str, ...] | None = None
        self._index: list[int] = []
        self._tracks: list[_TrackState] = []
        self.set_neutral(neutral)

    @property
    def neutral(self) -> dict[str, float]:
        """angle name → neutral degrees (a copy)."""
        return dict(self._neutral)

    def missing_neutral(self) -> tuple[str, ...]:
        """Ids of the relative targets that have no neutral for their angle (their verdict stays unknown)."""
        return tuple(t.id for t, (lo, _hi) in zip(self._targets, self._bounds, strict=True) if lo != lo)

    def set_neutral(self, neutral: Mapping[str, float] | None) -> None:
        """Set the person's calibrated neutral (angle name → degrees; NaN entries ignored). Resets state."""
        self._neutral = {k: float(v) for k, v in (neutral or {}).items() if v is not None and math.isfinite(float(v))}
        bounds = []
        for t in self._targets:
            lo = -math.inf if t.low is None else t.low
            hi = math.inf if t.high is None else t.high
            if t.relative:
                n = self._neutral.get(t.angle)
                if n is None:
                    lo = hi = math.nan
                else:
                    lo, hi = lo + n, hi + n
            bounds.append((lo, hi))
        self._bounds = bounds
        self.reset()

    def reset(self) -> None:
        """Forget all history (as if no frame had been seen)."""
        self._tracks = [_TrackState() for _ in self._targets]

    def _indices(self, names: tuple[str, ...]) -> list[int]:
        if names is not self._names:
            pos = {n: i for i, n in enumerate(names)}
            self._index = [pos.get(t.angle, -1) for t in self._targets]
            self._names = names
        return self._index

    def _shoulder_words(self, cue: str, side: int, target: Target, value: float, angles: AngleTable) -> str:
        """A shoulder-level ``cue``'s words for this frame's trunk line (``shoulder_cue``): ``value``
        is the shoulder tilt (degrees), ``side`` -1 for the cue below the range, +1 above."""
        try:
            trunk = angles[TRUNK_ANGLE]
            lean, lean_u = (trunk.value if trunk.valid else math.nan), trunk.uncertainty
        except (KeyError, ValueError):  # a table without the trunk line
            lean, lean_u = math.nan, math.nan
        if target.relative:  # changes from the neutral (no neutral lean: the trunk cannot explain a change)
            value -= self._neutral.get(target.angle, math.nan)
            lean -= self._neutral.get(TRUNK_ANGLE, math.nan)
        return shoulder_level_cue(cue, side, value, lean, relative=target.relative, lean_uncertainty=lean_u)

    def update(self, angles: AngleTable, view: View, t: float) -> list[TargetState]:
        """Evaluate every target on one frame. ``t`` in seconds, non-decreasing."""
        idx = self._indices(angles.names)
        values = angles.values
        valid = angles.valid
        uncertainty = angles.uncertainty
        out: list[TargetState] = []
        view = View(view)
        for k, target in enumerate(self._targets):
            tr = self._tracks[k]
            lo, hi = self._bounds[k]
            tol = target.tolerance
            i = idx[k]
            v = math.nan
            if i >= 0 and view in target.views and valid[i] and lo == lo:  # lo == lo: not NaN
                v = round_value(float(values[i]))
            if v != v:  # unknown: nothing is judged, no cue
                tr.instant = tr.reported = tr.candidate = _UNKNOWN
                out.append(TargetState(target.id, target.angle, math.nan, Verdict.UNKNOWN, lo, hi, None,
                                       target.priority, tol, Verdict.UNKNOWN))  # fmt: skip
                continue
            u = round(float(uncertainty[i]), UNCERTAINTY_DECIMALS)
            if undecided(v, u, lo, hi, tol):  # known value, no verdict and no cue
                tr.instant = tr.reported = tr.candidate = _UNKNOWN
                out.append(TargetState(target.id, target.angle, v, Verdict.UNCERTAIN, lo, hi, None, target.priority,
                                       tol, Verdict.UNCERTAIN, u))  # fmt: skip
                continue
            plain = _classify(v, lo, hi, tol)
            # Hysteresis (for the cue only).
            if tr.instant == _UNKNOWN:
                zone = plain
            else:
                a, b = _zone_bounds(tr.instant, lo, hi, tol)
                h = target.hysteresis
                zone = tr.instant if h > 0 and a - h <= v <= b + h else plain
            tr.instant = zone
            # Minimum duration, for zones that would start a new cue.
            if zone == tr.reported:
                tr.candidate = zone
            elif tr.reported == _UNKNOWN or target.min_duration_s <= 0 or _same_side_or_in(zone, tr.reported):
                tr.reported = tr.candidate = zone
            else:
                if zone != tr.candidate:
                    tr.candidate = zone
                    tr.candidate_since = t
                # A new cue starts only while the value itself is in the new zone (not merely within
                # hysteresis of it): debouncing may delay a cue, never start one the number contradicts.
                if t - tr.candidate_since >= target.min_duration_s - _EPS_S and zone == plain:
                    tr.reported = zone
            rep = tr.reported
            cue = None
            if rep < _IN and not v > hi:
                cue = target.cue_low or None
            elif rep > _IN and not v < lo:
                cue = target.cue_high or None
            if cue is not None and target.angle == SHOULDER_ANGLE:  # a trunk lean is not a hitch (shoulder_cue)
                cue = self._shoulder_words(cue, -1 if rep < _IN else 1, target, v, angles)
            out.append(TargetState(target.id, target.angle, v, _VERDICT[plain], lo, hi, cue, target.priority, tol,
                                   _VERDICT[rep], u))  # fmt: skip
        return out


def evaluate_once(target_set: TargetSet, angles: AngleTable, view: View, neutral: Mapping[str, float] | None = None):
    """Stateless verdicts for one frame (no hysteresis history, no minimum duration): for stills."""
    return TargetEvaluator(target_set, neutral).update(angles, view, 0.0)


def relative_without_neutral(target_set: TargetSet | None, neutral: Mapping[str, float] | None) -> tuple[Target, ...]:
    """The relative targets that cannot be judged with this neutral (no finite value for their angle):
    their verdict stays unknown, and the user must be told so (never a silent fallback)."""
    if target_set is None:
        return ()
    n = neutral or {}
    return tuple(
        t for t in target_set.targets
        if t.relative and not (t.angle in n and n[t.angle] is not None and math.isfinite(float(n[t.angle])))
    )  # fmt: skip


def targets_for_angles(target_set: TargetSet, names: Iterable[str]) -> tuple[Target, ...]:
    """The targets of a set that use any of the given angle names."""
    wanted = set(names)
    return tuple(t for t in target_set.targets if t.angle in wanted)


__all__: Sequence[str] = (
    "EVALUABLE_VIEWS",
    "VALUE_DECIMALS",
    "Target",
    "TargetEvaluator",
    "TargetFileError",
    "TargetSet",
    "classify",
    "dumps_targets",
    "evaluate_once",
    "load_targets",
    "loads_targets",
    "pm_texts",
    "save_targets",
    "relative_without_neutral",
    "round_value",
    "target_set_from_dict",
    "targets_for_angles",
    "undecided",
    "value_text",
)
