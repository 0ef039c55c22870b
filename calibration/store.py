"""Saving and loading calibrations: camera per camera name, neutral and scale per profile.

A single JSON file, ``calibrations.json`` in the user config directory
(``platformdirs.user_config_dir("posture-feedback")``, or the directory given), shaped::

    {"version": 1,
     "camera":  {"<camera name>": {...CameraCalibration...}},
     "neutral": {"<profile>": {"sitting": {...NeutralPosture...}, "standing": {...}}},
     "scale":   {"<profile>": {...ScaleCalibration...}}}

Writes go to a temporary file that then replaces the old one, so a crash never leaves a
half-written file; a damaged file is reported (``CalibrationError``) and never overwritten.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

from posture_feedback.calibration.camera import CalibrationError, CameraCalibration
from posture_feedback.calibration.neutral import NeutralPosture
from posture_feedback.calibration.scale import ScaleCalibration

APP_NAME = "posture-feedback"
FILENAME = "calibrations.json"
ENV_CONFIG_DIR = "POSTURE_FEEDBACK_CONFIG_DIR"
DEFAULT_PROFILE = "default"


def default_path() -> Path:
    """``calibrations.json`` in ``$POSTURE_FEEDBACK_CONFIG_DIR`` or the platform's user config directory."""
    env = os.environ.get(ENV_CONFIG_DIR)
    base = Path(env).expanduser() if env else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    return base / FILENAME


class CalibrationStore:
    """Calibrations in one JSON file (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"version": 1, "camera": {}, "neutral": {}, "scale": {}}
        if self.path.is_dir():  # said "[Errno 21] Is a directory: '…'" (audit 28)
            raise CalibrationError(f"calibration file {self.path} is a folder: give a .json file (--store FILE)")
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CalibrationError(f"cannot read calibration file {self.path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise CalibrationError(f"cannot read calibration file {self.path}: {exc}") from None
        except RecursionError:
            raise CalibrationError(f"calibration file {self.path} is damaged (nested too deeply)") from None
        if not isinstance(data, dict):
            raise CalibrationError(f"calibration file {self.path} is damaged (not a JSON object)")
        for key in ("camera", "neutral", "scale"):
            data.setdefault(key, {})
            if not isinstance(data[key], dict):
                raise CalibrationError(f"calibration file {self.path} is damaged ({key!r} is not a JSON object)")
        return data

    def _entry(self, section: str, *keys: str) -> Any:
        """The stored entry at section/keys…, None if absent; a damaged entry is a CalibrationError."""
        node: Any = self._load()[section]
        for key in keys:
            if not isinstance(node, dict):
                raise CalibrationError(f"calibration file {self.path} is damaged ({section!r} entry is not an object)")
            node = node.get(key)
            if node is None:
                return None
        return node

    def _parse(self, cls: Any, data: Any, entry: str = "") -> Any:
        """``cls.from_dict(data)``; anything wrong is one ``CalibrationError`` naming the file and the entry."""
        where = f" {entry}" if entry else ""
        try:
            if not isinstance(data, dict):
                raise TypeError("not an object")
            return cls.from_dict(data)
        except CalibrationError as exc:
            why = str(exc).removeprefix("damaged camera calibration record: ")
            raise CalibrationError(f"calibration file {self.path}: entry{where} is damaged ({why})") from None
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise CalibrationError(
                f"calibration file {self.path} has a damaged {cls.__name__} entry{where} ({exc})"
            ) from None

    def _save(self, data: dict[str, Any]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".calibrations.", suffix=".json", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(data, f, indent=2, sort_keys=True)
                os.replace(tmp, self.path)
            except BaseException:  # a failed or interrupted save leaves no temporary file behind
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise CalibrationError(f"cannot write calibration file {self.path}: {exc.strerror or exc}") from None

    def dump(self) -> dict[str, Any]:
        """Everything stored (a copy of the file's content; empty sections when there is no file)."""
        return self._load()

    # Camera -----------------------------------------------------------------
    def save_camera(self, calibration: CameraCalibration, camera: str | None = None) -> None:
        """Store a camera calibration under ``camera`` (default: ``calibration.camera``)."""
        key = camera or calibration.camera
        if not key:
            raise CalibrationError("a camera calibration needs a camera name to be stored")
        data = self._load()
        data["camera"][key] = calibration.to_dict()
        self._save(data)

    def load_camera(self, camera: str) -> CameraCalibration | None:
        """The stored calibration of this camera, None if it has none."""
        d = self._entry("camera", camera)
        return self._parse(CameraCalibration, d, f"camera {camera!r}") if d is not None else None

    def cameras(self) -> list[str]:
        return sorted(self._load()["camera"])

    # Neutral ----------------------------------------------------------------
    def save_neutral(self, neutral: NeutralPosture, profile: str = DEFAULT_PROFILE) -> None:
        data = self._load()
        data["neutral"].setdefault(profile, {})[neutral.posture] = neutral.to_dict()
        self._save(data)

    def load_neutral(self, posture: str, profile: str = DEFAULT_PROFILE) -> NeutralPosture | None:
        d = self._entry("neutral", profile, posture)
        return self._parse(NeutralPosture, d, f"neutral {profile!r} {posture!r}") if d is not None else None

    # Scale ------------------------------------------------------------------
    def save_scale(self, scale: ScaleCalibration, profile: str = DEFAULT_PROFILE) -> None:
        data = self._load()
        data["scale"][profile] = scale.to_dict()
        self._save(data)

    def load_scale(self, profile: str = DEFAULT_PROFILE) -> ScaleCalibration | None:
        d = self._entry("scale", profile)
        return self._parse(ScaleCalibration, d, f"scale {profile!r}") if d is not None else None


# Database (profile) storage ------------------------------------------------------------------------
# With a profile, calibrations are also kept in the SQLite database (``posture_feedback.storage``)
# as ``Calibration`` rows of kind "camera" (keyed by camera name), "neutral" (payload["posture"])
# or "scale"; the newest of a kind is the one in use.

CalibrationItem = CameraCalibration | NeutralPosture | ScaleCalibration


def _kind(item: CalibrationItem) -> str:
    if isinstance(item, CameraCalibration):
        return "camera"
    if isinstance(item, NeutralPosture):
        return "neutral"
    return "scale"


def save_to_database(db: Any, profile_id: int, item: CalibrationItem) -> None:
    """Store a calibration with a profile in the database (``storage.Database``); a camera calibration's and
    a neutral's camera also in the row's ``camera`` column (a neutral set with a camera holds for it only)."""
    camera = item.camera if isinstance(item, CameraCalibration | NeutralPosture) else None
    db.add_calibration(profile_id, _kind(item), item.to_dict(), camera=camera or None)


def load_from_database(
    db: Any, profile_id: int, kind: str, *, camera: str | None = None, posture: str | None = None
) -> CalibrationItem | None:
    """The profile's newest calibration of a kind (camera: of that camera; neutral: of that posture), or None."""
    if kind == "neutral":
        rows = [c for c in db.calibrations(profile_id) if c.kind == "neutral"]
        rows = [c for c in rows if posture is None or c.payload.get("posture") == posture]
        return NeutralPosture.from_dict(rows[-1].payload) if rows else None
    row = db.latest_calibration(profile_id, kind, camera=camera)
    if row is None:
        return None
    return CameraCalibration.from_dict(row.payload) if kind == "camera" else ScaleCalibration.from_dict(row.payload)
