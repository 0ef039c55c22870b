"""Typed, checked access to the fields of an exchange document (JSON loaded from a file we did not write).

Every accessor raises :class:`ExchangeFormatError` naming the file, the field's path and what was
expected, so a damaged or hostile file never gets further than parsing (and nothing is written).
"""

from __future__ import annotations

import base64
import binascii
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

from posture_feedback.storage.errors import ExchangeFormatError

INT64 = 2**63 - 1


class DocReader:
    """Field accessors for one file; ``where`` arguments are dotted paths used in error messages."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, what: str) -> ExchangeFormatError:
        return ExchangeFormatError(f"{self.path}: {where}: {what}"[:400].replace("\n", " "))

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected an object, got {type(value).__name__}")
        return value

    def arr(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, got {type(value).__name__}")
        return value

    def field(self, d: dict[str, Any], key: str, where: str) -> Any:
        if key not in d:
            raise self.fail(f"{where}.{key}", "missing")
        return d[key]

    def text(self, d: dict[str, Any], key: str, where: str, optional: bool = False) -> str | None:
        v = d.get(key) if optional else self.field(d, key, where)
        if v is None and optional:
            return None
        if not isinstance(v, str):
            raise self.fail(f"{where}.{key}", f"expected text, got {type(v).__name__}")
        return v

    def integer(
        self, d: dict[str, Any], key: str, where: str, optional: bool = False, low: int = -INT64, high: int = INT64
    ) -> int | None:
        v = d.get(key) if optional else self.field(d, key, where)
        if v is None and optional:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(f"{where}.{key}", f"expected a whole number, got {type(v).__name__}")
        if not low <= v <= high:
            raise self.fail(f"{where}.{key}", f"{v} is outside {low}..{high}")
        return v

    def number(
        self, d: dict[str, Any], key: str, where: str, optional: bool = True, low: float = -math.inf,
        high: float = math.inf, why: str = "",
    ) -> float | None:
        """A finite number in ``low..high``, or None when ``optional`` and null/missing (the caller maps None
        to NaN). ``why``: what the range is (said with it when the value is outside, e.g. "a fraction")."""
        v = d.get(key) if optional else self.field(d, key, where)
        if v is None and optional:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise self.fail(f"{where}.{key}", f"expected a number, got {type(v).__name__}")
        try:
            x = float(v)
        except OverflowError as exc:
            raise self.fail(f"{where}.{key}", "number too large") from exc
        if not math.isfinite(x):
            raise self.fail(f"{where}.{key}", "expected a finite number")
        if not low <= x <= high:
            allowed = f"{low:g}..{high:g}" if math.isfinite(low) and math.isfinite(high) else (
                f">= {low:g}" if math.isfinite(low) else f"<= {high:g}")  # fmt: skip
            raise self.fail(f"{where}.{key}", f"{v} is outside the allowed {allowed}" + (f" ({why})" if why else ""))
        return x

    def nan_number(
        self, d: dict[str, Any], key: str, where: str, low: float = -math.inf, high: float = math.inf, why: str = ""
    ) -> float:
        """A finite number in ``low..high``, NaN when null or missing."""
        x = self.number(d, key, where, low=low, high=high, why=why)
        return math.nan if x is None else x

    def boolean(self, d: dict[str, Any], key: str, where: str) -> bool:
        v = self.field(d, key, where)
        if not isinstance(v, bool):
            raise self.fail(f"{where}.{key}", f"expected true or false, got {type(v).__name__}")
        return v

    def when(self, d: dict[str, Any], key: str, where: str, optional: bool = False) -> datetime | None:
        v = self.text(d, key, where, optional)
        if v is None:
            return None
        try:
            t = datetime.fromisoformat(v)
        except ValueError as exc:
            raise self.fail(f"{where}.{key}", f"{v[:40]!r} is not an ISO 8601 time") from exc
        return t if t.tzinfo is not None else t.astimezone()

    def day(self, d: dict[str, Any], key: str, where: str) -> date:
        v = self.text(d, key, where)
        try:
            return date.fromisoformat(v or "")
        except ValueError as exc:
            raise self.fail(f"{where}.{key}", f"{(v or '')[:40]!r} is not a date (YYYY-MM-DD)") from exc

    def choice(self, d: dict[str, Any], key: str, where: str, allowed: tuple[str, ...]) -> str:
        v = self.text(d, key, where)
        if v not in allowed:
            raise self.fail(f"{where}.{key}", f"{str(v)[:40]!r} is not one of {', '.join(allowed)}")
        return v

    def mapping(self, d: dict[str, Any], key: str, where: str) -> dict[str, Any]:
        """A free-form JSON object (extras, records)."""
        return self.obj(self.field(d, key, where), f"{where}.{key}")

    def texts(self, d: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        items = self.arr(self.field(d, key, where), f"{where}.{key}")
        if not all(isinstance(x, str) for x in items):
            raise self.fail(f"{where}.{key}", "expected a list of texts")
        return tuple(items)

    def weekdays(self, d: dict[str, Any], key: str, where: str) -> tuple[int, ...]:
        items = self.arr(self.field(d, key, where), f"{where}.{key}")
        if not all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 6 for x in items):
            raise self.fail(f"{where}.{key}", "expected weekdays 0 (Monday) to 6 (Sunday)")
        return tuple(sorted(set(items)))

    def blobs(self, d: dict[str, Any], key: str, where: str) -> dict[str, bytes]:
        """An object of file name → base64 text."""
        files = self.mapping(d, key, where)
        out = {}
        for name, data in files.items():
            if not isinstance(data, str):
                raise self.fail(f"{where}.{key}.{name}", "expected base64 text")
            try:
                out[name] = base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise self.fail(f"{where}.{key}.{name}", "not valid base64") from exc
        return out
