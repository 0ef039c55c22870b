"""The per-frame angle CSV written by ``posture-feedback analyze``.

Columns, in order: ``frame`` (0-based source frame index), ``time_s`` (seconds),
``person`` (1 if the target person was found, else 0), ``view`` (front/back/side/oblique/
unknown), then one column per canonical angle in degrees (``types.ANGLE_NAMES``), empty where
not measurable; then extra columns: ``azimuth_deg`` (camera direction from the person's
facing, degrees), ``people`` (number of people detected), ``track_id``, and with
``include_validity`` one ``valid_<angle>`` column (1/0: meaningful in this view); with
targets, one ``target_<id>`` column per target (verdict) and ``cue``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from posture_feedback.types import ANGLE_NAMES, FrameResult

BASE_COLUMNS: tuple[str, ...] = ("frame", "time_s", "person", "view", *ANGLE_NAMES)


def _fmt(value: float, digits: int = 2) -> str:
    return "" if value is None or math.isnan(value) else f"{value:.{digits}f}"


class AngleCsvWriter:
    """Writes one row per ``FrameResult``; the header is written with the first row."""

    def __init__(
        self, out: IO[str], target_ids: Iterable[str] = (), include_validity: bool = False, valid_only: bool = False
    ) -> None:
        self._writer = csv.writer(out, lineterminator="\n")
        self._targets = list(target_ids)
        self._validity = include_validity
        self._valid_only = valid_only
        header = [*BASE_COLUMNS, "azimuth_deg", "people", "track_id"]
        if include_validity:
            header += [f"valid_{n}" for n in ANGLE_NAMES]
        if self._targets:
            header += [f"target_{t}" for t in self._targets] + ["cue"]
        self._writer.writerow(header)

    def write(self, result: FrameResult) -> None:
        found = result.person_found
        angles = result.angles
        row: list[str | int] = [result.frame.index, f"{result.frame.timestamp_s:.4f}", int(found), result.view.value]
        for name in ANGLE_NAMES:
            a = angles[name]
            row.append(_fmt(a.value) if found and (a.valid or not self._valid_only) else "")
        track = result.landmarks.track_id if result.landmarks is not None else ""
        row += [_fmt(result.azimuth_deg, 1) if found else "", len(result.people), track]
        if self._validity:
            row += [int(angles[n].valid) if found else "" for n in ANGLE_NAMES]
        if self._targets:
            states = {s.target: s.verdict.value for s in result.targets}
            row += [states.get(t, "") for t in self._targets] + [result.cue or ""]
        self._writer.writerow(row)


def write_csv(path: str | Path, results: Iterable[FrameResult], **kwargs: object) -> None:
    """Write all results to ``path`` (see ``AngleCsvWriter`` for options)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = AngleCsvWriter(f, **kwargs)  # type: ignore[arg-type]
        for r in results:
            writer.write(r)
