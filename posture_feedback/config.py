"""Every pipeline parameter in one documented TOML file.

The options live in dataclasses next to the code that uses them (``PoseOptions``,
``SelectionOptions``, ``SmoothingOptions``, ``PipelineOptions``), each documented in its
docstring's ``Attributes:`` section with units. This module turns them into one TOML file
with every parameter, its default and its documentation (``default_config_text()``, shipped
as ``config.default.toml`` at the repository root and printed by ``posture-feedback config``),
and loads such a file back (``load_config``) with precise errors.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import tomllib
from pathlib import Path
from typing import Any

from posture_feedback.errors import PostureFeedbackError
from posture_feedback.follow import FollowOptions
from posture_feedback.person import SelectionOptions
from posture_feedback.pipeline import PipelineOptions
from posture_feedback.pose import PoseOptions, RunningMode
from posture_feedback.smoothing import SmoothingOptions


class ConfigError(PostureFeedbackError):
    """A configuration file that cannot be used; the message names the file, key and problem."""


#: TOML table → (dataclass, attribute of PipelineOptions or None for the top level).
SECTIONS: dict[str, tuple[type, str | None]] = {
    "pipeline": (PipelineOptions, None),
    "pose": (PoseOptions, "pose"),
    "selection": (SelectionOptions, "selection"),
    "smoothing": (SmoothingOptions, "smoothing"),
    "follow": (FollowOptions, "follow"),
}
_NESTED = {"pose", "selection", "smoothing", "follow"}
_SKIP = {"up"}  # set by camera calibration, not by hand


def field_docs(cls: type) -> dict[str, str]:
    """name → documentation text, parsed from the class docstring's ``Attributes:`` section."""
    doc = cls.__doc__ or ""
    lines = doc.splitlines()
    docs: dict[str, str] = {}
    inside, current, indent = False, None, None
    for line in lines:
        if line.strip() == "Attributes:":
            inside = True
            continue
        if not inside:
            continue
        if not line.strip():
            continue
        m = re.match(r"^(\s*)(\w+): (.*)$", line)
        if m and (indent is None or len(m.group(1)) <= indent):
            indent = len(m.group(1))
            current = m.group(2)
            docs[current] = m.group(3).strip()
        elif current is not None:
            docs[current] += " " + line.strip()
    return docs


def _fields(cls: type) -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(cls) if f.name not in _NESTED and f.name not in _SKIP]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return f'"{value.value}"'
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (int, float)):
        return repr(value)
    raise TypeError(f"cannot write {value!r} to TOML")


def _wrap(text: str, width: int = 96) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    if line:
        lines.append(line)
    return lines


def default_config_text() -> str:
    """The whole default configuration as commented TOML (every parameter, its unit and default)."""
    defaults = PipelineOptions()
    out = [
        "# posture-feedback configuration: every pipeline parameter, with its default.",
        "# Use it with `posture-feedback analyze --video VIDEO --config FILE` (and the app's --config).",
        "# Generated from the option dataclasses' docstrings by `posture-feedback config`;",
        '# a parameter set to `"none"` means what its comment says None means (only where it mentions None):',
        "# off for some, a value chosen by the command or the source for others.",
        "",
    ]
    for section, (cls, attr) in SECTIONS.items():
        obj = defaults if attr is None else getattr(defaults, attr)
        first = (cls.__doc__ or "").strip().splitlines()[0]
        out.append(f"[{section}]  # {first}")
        docs = field_docs(cls)
        for f in _fields(cls):
            for line in _wrap(docs.get(f.name, "")):
                out.append(f"# {line}")
            value = getattr(obj, f.name)
            out.append(f"{f.name} = {_toml_value(value) if value is not None else chr(34) + 'none' + chr(34)}")
        out.append("")
    return "\n".join(out)


def _coerce(section: str, f: dataclasses.Field, value: Any, default: Any, file: str) -> Any:
    where = f"{file}: [{section}] {f.name}"
    if value == "none":
        if default is None or "None" in str(f.type):
            return None
        raise ConfigError(f"{where}: 'none' is not allowed here (expected a value like {default!r})")
    if isinstance(default, enum.Enum) or f.type in ("RunningMode",):
        allowed = [m.value for m in RunningMode]
        if value not in allowed:
            raise ConfigError(f"{where}: {value!r} is not one of {', '.join(allowed)}")
        return RunningMode(value)
    expected: type | tuple[type, ...]
    if isinstance(default, bool):
        expected = bool
    elif isinstance(default, int) and not isinstance(default, bool):
        expected = int
    elif isinstance(default, float) or default is None and "float" in str(f.type):
        expected = (int, float)
    elif default is None and "bool" in str(f.type):
        expected = bool
    elif default is None and "int" in str(f.type):
        expected = int
    else:
        expected = type(default)
    if isinstance(value, bool) and expected is not bool:
        raise ConfigError(f"{where}: expected a number, got {value!r}")
    if not isinstance(value, expected):
        name = expected.__name__ if isinstance(expected, type) else "number"
        raise ConfigError(f"{where}: expected {name}, got {type(value).__name__} {value!r}")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and (value != value or abs(value) > 1e6):
        raise ConfigError(f"{where}: {value!r} is out of range")
    return float(value) if expected == (int, float) else value


def config_from_dict(data: dict[str, Any], file: str = "<config>") -> PipelineOptions:
    """``PipelineOptions`` from a parsed TOML document (unknown tables/keys are errors)."""
    defaults = PipelineOptions()
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise ConfigError(f"{file}: unknown table [{sorted(unknown)[0]}] (allowed: {', '.join(SECTIONS)})")
    parts: dict[str, Any] = {}
    for section, (cls, attr) in SECTIONS.items():
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{file}: [{section}] must be a table")
        obj = defaults if attr is None else getattr(defaults, attr)
        fields = {f.name: f for f in _fields(cls)}
        bad = set(table) - set(fields)
        if bad:
            raise ConfigError(f"{file}: [{section}] unknown key {sorted(bad)[0]!r} (allowed: {', '.join(fields)})")
        values = {k: _coerce(section, fields[k], v, getattr(obj, k), file) for k, v in table.items()}
        try:
            parts[section] = dataclasses.replace(obj, **values)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{file}: [{section}] {exc}") from None
    for section, obj in parts.items():
        _check_ranges(section, obj, file)
    top = parts["pipeline"]
    return dataclasses.replace(
        top, pose=parts["pose"], selection=parts["selection"], smoothing=parts["smoothing"], follow=parts["follow"]
    )


#: Keys whose value is a share or a confidence, in [0, 1].
_UNIT_INTERVAL = frozenset({"min_visibility", "min_detection_confidence", "min_presence_confidence",
                            "min_tracking_confidence", "min_confidence", "same_iou", "motion_share",
                            "motion_global"})  # fmt: skip
#: Keys that must be above 0 (a cut-off frequency, a number of people).
_POSITIVE = frozenset({"min_cutoff_hz", "d_cutoff_hz", "depth_min_cutoff_hz", "visibility_cutoff_hz", "max_people"})
#: Keys that are a factor "either way" (``1/x <= ratio <= x``), so 1 or more.
_AT_LEAST_ONE = frozenset({"max_size_ratio"})


def _check_ranges(section: str, obj: Any, file: str) -> None:
    """One clear line for a value out of its range, before anything uses it: every number of these
    tables is a time, a distance, a share or a count, none negative; shares and confidences lie in
    [0, 1]; cut-offs and ``max_people`` above 0; ``max_size_ratio`` 1 or more. (``min_visibility =
    1.5`` was accepted and hid every angle without a word; ``max_people = 0``, a negative cut-off and
    ``max_size_ratio = 0`` ended in a traceback.)"""
    for f in _fields(type(obj)):
        v = getattr(obj, f.name)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        where = f"{file}: [{section}] {f.name} = {v!r}"
        if f.name in _UNIT_INTERVAL and not 0.0 <= v <= 1.0:
            raise ConfigError(f"{where}: must be between 0 and 1")
        if f.name in _POSITIVE and not v > 0:
            raise ConfigError(f"{where}: must be above 0")
        if f.name in _AT_LEAST_ONE and not v >= 1:  # 0 ended `analyze` in a ZeroDivisionError (audit 28)
            raise ConfigError(f"{where}: must be at least 1 (a factor either way)")
        if v < 0:
            raise ConfigError(f"{where}: must not be negative")


def load_config(path: str | Path) -> PipelineOptions:
    """Read a TOML configuration file (see ``default_config_text`` for every key)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read configuration {p}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: invalid TOML: {exc}") from None
    return config_from_dict(data, str(p))
