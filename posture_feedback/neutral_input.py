"""A person's saved neutral for commands that judge recordings (``analyze --neutral FILE`` / ``--profile NAME``).

Accepted files (UTF-8 JSON), all written by ``posture-feedback calibrate neutral``:

* the ``--json`` output, ``{"neutral": {...}}``;
* a bare neutral record, ``{"angles": {...}, "posture": "standing", ...}``;
* the calibration store ``calibrations.json`` (``{"version": 1, "neutral": {PROFILE: {POSTURE: {...}}}}``):
  the ``default`` profile (or the only one), and the posture asked for (or the only one).

Anything else is a ``NeutralInputError`` with a one-line reason; nothing is guessed and there is
no silent fallback to "no neutral".
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from posture_feedback.calibration.camera import CalibrationError
from posture_feedback.calibration.neutral import NeutralPosture
from posture_feedback.errors import PostureFeedbackError

#: Largest neutral file read (bytes); a real one is about 1 kB.
MAX_BYTES = 1_000_000


class NeutralInputError(PostureFeedbackError):
    """A neutral file or profile that cannot be used (one-line message naming it and why)."""


def _pick(options: dict[str, Any], wanted: str | None, what: str, where: str) -> Any:
    if wanted is not None and wanted in options:
        return options[wanted]
    if wanted is None and len(options) == 1:
        return next(iter(options.values()))
    have = ", ".join(sorted(options)) or "none"
    need = f"{what} {wanted!r}" if wanted else f"one {what} (there are several)"
    raise NeutralInputError(f"{where}: no {need} in this file (it has: {have})")


def neutral_from_json(data: Any, where: str, posture: str | None = None) -> NeutralPosture:
    """The neutral in a parsed JSON document of any accepted shape (see the module docstring)."""
    if not isinstance(data, dict):
        raise NeutralInputError(f"{where}: not a neutral file (expected a JSON object)")
    if "version" in data and isinstance(data.get("neutral"), dict) and "angles" not in data["neutral"]:
        profiles = data["neutral"]
        profile = profiles.get("default") if "default" in profiles else _pick(profiles, None, "profile", where)
        if not isinstance(profile, dict):
            raise NeutralInputError(f"{where}: damaged neutral entry")
        if posture is not None and posture not in profile and len(profile) == 1:
            record = next(iter(profile.values()))  # the only one: used, and its posture is reported
        else:
            record = _pick(profile, posture, "neutral for posture", where)
    elif isinstance(data.get("neutral"), dict):
        record = data["neutral"]
    elif "angles" in data:
        record = data
    else:
        raise NeutralInputError(f"{where}: not a neutral file (no 'angles'; write one with "
                                "`posture-feedback calibrate neutral --json > FILE`)")  # fmt: skip
    try:
        neutral = NeutralPosture.from_dict(record)
    except CalibrationError as exc:
        raise NeutralInputError(f"{where}: {exc}") from None
    if not neutral.angles:
        raise NeutralInputError(f"{where}: the neutral has no angles")
    return neutral


def load_neutral_file(path: str | os.PathLike[str], posture: str | None = None) -> NeutralPosture:
    """Read a neutral file (see the module docstring); ``posture`` chooses in a calibration store."""
    p = Path(path)
    where = f"--neutral {p}"
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise NeutralInputError(f"{where}: file not found") from None
    except IsADirectoryError:
        raise NeutralInputError(f"{where}: is a folder, not a file") from None
    except OSError as exc:
        raise NeutralInputError(f"{where}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise NeutralInputError(f"{where}: {len(raw)} bytes is too large for a neutral file")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise NeutralInputError(f"{where}: not UTF-8 text") from None
    except (ValueError, RecursionError) as exc:
        raise NeutralInputError(f"{where}: not valid JSON ({str(exc)[:80]})") from None
    return neutral_from_json(data, where, posture)


def posture_of_targets(name: str | None) -> str | None:
    """'standing' or 'sitting' for a preset/target-set name that says so, else None."""
    n = (name or "").lower()
    if n.startswith("standing"):
        return "standing"
    if n.startswith("sitting"):
        return "sitting"
    return None


__all__ = ["NeutralInputError", "load_neutral_file", "neutral_from_json", "posture_of_targets"]
