"""Reading and writing the small TOML files of this package (plans, exercise definitions).

* ``parse_toml`` turns text into a dict, syntax errors into ``PlanError`` with the line.
* ``find_line`` locates a field (a path of keys and 0-based array-of-table indices) in the text,
  so validation errors can name the line a therapist has to fix.
* ``Fields`` reads typed fields from one table and reports precise errors.
* ``dump_toml`` writes a dict back (strings, numbers, booleans, lists, tables, arrays of tables).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from posture_feedback.exercises.errors import PlanError

Path = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'))*)\s*=""")


def _split_key(key: str) -> list[str]:
    parts = re.findall(r""""([^"]*)"|'([^']*)'|([A-Za-z0-9_\-]+)""", key)
    return [a or b or c for a, b, c in parts]


def format_path(path: Path) -> str:
    """``("exercise", 1, "sets")`` → ``"exercise[2].sets"`` (indices shown 1-based)."""
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p + 1}]"
        else:
            out += ("." if out else "") + p
    return out


def find_line(text: str, path: Path) -> int | None:
    """1-based line of the field at ``path`` in TOML ``text``; the line of its nearest enclosing
    key or table when the field itself is absent; None when nothing matches."""
    table: list[str | int] = []
    counts: dict[tuple, int] = {}
    best: tuple[int, int] | None = None  # (matched length, line)
    in_multiline = False
    for lineno, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline = False
            continue
        m = _HEADER.match(line)
        if m:
            parts = _split_key(m.group(2))
            resolved: list[str | int] = []
            for i, part in enumerate(parts):
                resolved.append(part)
                key = tuple(parts[: i + 1])
                is_last = i == len(parts) - 1
                if m.group(1) == "[[" and is_last:
                    counts[key] = counts.get(key, -1) + 1
                    resolved.append(counts[key])
                elif key in counts:
                    resolved.append(counts[key])
            table = resolved
            cand: list[str | int] = table
        else:
            k = _KEY.match(line)
            if not k:
                continue
            cand = table + _split_key(k.group(1))
            rest = line[k.end() :]
            if rest.count('"""') % 2 == 1 or rest.count("'''") % 2 == 1:
                in_multiline = True
        n = 0
        for a, b in zip(cand, path, strict=False):
            if a != b:
                break
            n += 1
        if n == len(cand) and n > 0 and (best is None or n > best[0]):
            best = (n, lineno)
    return None if best is None else best[1]


@dataclass
class Source:
    """A file being validated: its name and text, and the error class to raise."""

    file: str
    text: str
    error: type[PlanError] = PlanError

    def fail(self, path: Path, problem: str, allowed: str = "") -> PlanError:
        """An error for the field at ``path`` (returned, for the caller to raise)."""
        return self.error(self.file, find_line(self.text, path), format_path(path), problem, allowed)


def parse_toml(text: str, source: Source) -> dict[str, Any]:
    """Parse TOML text; a syntax error becomes a ``PlanError`` naming the line."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise source.error(source.file, None, "", "nested too deeply (at most a few levels are used)") from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = int(m.group(1)) if m else None
        problem = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg) or "invalid TOML"
        raise source.error(source.file, line, "", f"not valid TOML: {problem}") from None


_MISSING = object()


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


class Fields:
    """Typed access to one TOML table at ``path`` with precise errors."""

    def __init__(self, data: Any, path: Path, source: Source) -> None:
        if not isinstance(data, Mapping):
            raise source.fail(path, f"must be a table, got {_type_name(data)}")
        self.data = data
        self.path = path
        self.source = source

    def fail(self, key: str | None, problem: str, allowed: str = "") -> PlanError:
        return self.source.fail(self.path + ((key,) if key else ()), problem, allowed)

    def check_keys(self, allowed: Sequence[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.fail(str(key), "unknown field", ", ".join(allowed))

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str, default: Any) -> Any:
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise self.fail(key, "required field is missing")
        return default

    def string(
        self, key: str, default: Any = _MISSING, choices: Sequence[str] | None = None, allow_empty: bool = False
    ) -> Any:
        v = self._get(key, default)
        if v is default and key not in self.data:
            return v
        if not isinstance(v, str):
            raise self.fail(key, f"must be a string, got {_type_name(v)}", " | ".join(choices) if choices else "")
        if choices is not None and v not in choices:
            raise self.fail(key, f"unknown value {v!r}", " | ".join(choices))
        if not v.strip() and not allow_empty:
            raise self.fail(key, "must not be empty")
        return v

    def integer(self, key: str, default: Any = _MISSING, low: int = 0, high: int = 10_000) -> Any:
        v = self._get(key, default)
        if v is default and key not in self.data:
            return v
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(key, f"must be a whole number, got {_type_name(v)}", f"{low}..{high}")
        if not low <= v <= high:
            raise self.fail(key, f"{v} is out of range", f"{low}..{high}")
        return v

    def number(self, key: str, default: Any = _MISSING, low: float = -1e6, high: float = 1e6, unit: str = "") -> Any:
        v = self._get(key, default)
        if v is default and key not in self.data:
            return v
        return self.check_number(key, v, low, high, unit)

    def check_number(self, key: str, v: Any, low: float, high: float, unit: str = "") -> float:
        u = f" {unit}" if unit else ""
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.fail(key, f"must be a number, got {_type_name(v)}", f"{low:g}..{high:g}{u}")
        if not math.isfinite(v) or not low <= v <= high:
            raise self.fail(key, f"{v} is out of range", f"{low:g}..{high:g}{u}")
        return float(v)

    def boolean(self, key: str, default: Any = _MISSING) -> Any:
        v = self._get(key, default)
        if v is default and key not in self.data:
            return v
        if not isinstance(v, bool):
            raise self.fail(key, f"must be true or false, got {_type_name(v)}", "true | false")
        return v

    def strings(self, key: str, default: Any = _MISSING, choices: Sequence[str] | None = None) -> Any:
        v = self._get(key, default)
        if v is default and key not in self.data:
            return v
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.fail(key, "must be a list of strings", ", ".join(choices) if choices else "")
        for x in v:
            if choices is not None and x not in choices:
                raise self.fail(key, f"unknown value {x!r}", " | ".join(choices))
        return list(v)

    def interval(self, key: str, default: Any = _MISSING, low: float = 0.0, high: float = 1e4, unit: str = "") -> Any:
        """A ``[min, max]`` pair of numbers with min ≤ max."""
        v = self._get(key, default)
        if v is default and key not in self.data:
            return v
        if not isinstance(v, list) or len(v) != 2:
            raise self.fail(key, f"must be a list of two numbers [min, max], got {_type_name(v)}")
        a = self.check_number(key, v[0], low, high, unit)
        b = self.check_number(key, v[1], low, high, unit)
        if a > b:
            raise self.fail(key, f"min {a:g} is greater than max {b:g}", "[min, max] with min ≤ max")
        return (a, b)

    def table(self, key: str) -> Fields | None:
        if key not in self.data:
            return None
        return Fields(self.data[key], self.path + (key,), self.source)

    def tables(self, key: str, required: bool = False) -> list[Fields]:
        """An array of tables (``[[key]]``)."""
        if key not in self.data:
            if required:
                raise self.fail(key, "required list is missing")
            return []
        v = self.data[key]
        if not isinstance(v, list):
            raise self.fail(key, f"must be a list of tables ([[{key}]]), got {_type_name(v)}")
        return [Fields(x, self.path + (key, i), self.source) for i, x in enumerate(v)]


def _toml_scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"cannot write non-finite number {v} to TOML")
        return repr(v)
    if isinstance(v, str):
        esc = v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        return f'"{esc}"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_scalar(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_scalar(x)}" for k, x in v.items()) + " }"
    raise ValueError(f"cannot write {type(v).__name__} to TOML")


def _toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_\-]+", k) else _toml_scalar(k)


def _is_table_array(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(isinstance(x, Mapping) for x in v)


def dump_toml(data: Mapping[str, Any], _prefix: str = "") -> str:
    """TOML text for ``data``; None values are left out. ``tomllib.loads(dump_toml(d)) == d`` for plain data."""
    lines: list[str] = []
    subtables: list[tuple[str, Any]] = []
    for k, v in data.items():
        if v is None:
            continue
        if isinstance(v, Mapping) or _is_table_array(v):
            subtables.append((k, v))
        else:
            lines.append(f"{_toml_key(k)} = {_toml_scalar(v)}")
    out = "\n".join(lines)
    for k, v in subtables:
        name = f"{_prefix}.{_toml_key(k)}" if _prefix else _toml_key(k)
        if isinstance(v, Mapping):
            body = dump_toml(v, name)
            out += f"\n\n[{name}]\n{body}" if out or _prefix else f"[{name}]\n{body}"
        else:
            for item in v:
                body = dump_toml(item, name)
                out += f"\n\n[[{name}]]\n{body}" if out or _prefix else f"[[{name}]]\n{body}"
    return out.strip("\n") + ("\n" if not _prefix else "")
