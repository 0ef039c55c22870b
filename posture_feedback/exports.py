"""Exports for the lab tools: OpenSim TRC markers and OpenSim storage (.mot) angles.

OpenSim, Pose2Sim, Sports2D and OpenCap read markers as TRC and coordinates as ``.mot``; Kinovea
and spreadsheets read either as tab-separated text with time first. The TRC writer is fed one
``FrameResult`` at a time and writes the file on ``close()`` (the header states the number of
frames, so rows are kept until then: 33 × 3 floats per frame, under 1 kB).

**TRC** (``TrcWriter``): the tracked person's 33 BlazePose landmarks, ``landmarks.NAMES`` in order,
in **metres**, one row per frame, ``Frame#`` from 1, ``Time`` in seconds of the recording. The
coordinates are MediaPipe's world landmarks turned so that **Y is up**: X ≈ the image's right, Y =
up, Z ≈ towards the camera; a right-handed frame, the model's own rotated 180° about X. "Up" is the
world's vertical where ``analyze`` knows it (the scene's vertical lines, or a stored camera
calibration: ``up``), so that OpenSim's gravity (−Y) points down even from a tilted camera: the
landmarks are first turned by the smallest rotation that takes that vertical to the camera's up
(``level_rotation``). Without it (``--camera level``) Y is the camera's up. (Until 2026-12-07 it
was always the camera's up: on the lab's cam01, pitched 23° and rolled −13°, an upright man's trunk
leaned 28° in the TRC where the CSV said 3°.) The origin is the centre of the hips *in every frame*
(MediaPipe world landmarks are hip-centred): the markers show the body's shape and joint motion,
not the person's travel across the room. A landmark whose confidence (min of visibility and
presence) is below ``min_visibility``, and every landmark of a frame without a person, is written
as ``NaN`` (OpenSim's reader takes it as a missing marker): never a guess.
``DataRate``/``CameraRate`` are the source's frame rate in Hz.

**MOT** (``mot_from_angle_csv``): the angles of the angle CSV (the same columns and values, after
any filtering ``analyze`` applied to it) in degrees, OpenSim storage format version 1
(``inDegrees=yes``), ``time`` first; angles that were not measured are ``NaN`` (the CSV leaves
them empty). Angle definitions: docs/angles.md.

References: OpenSim documentation, "Marker (.trc) Files" and "Storage (.sto) Files" / "Motion
(.mot) Files" (OpenSim 4 user guide, simtk-confluence.stanford.edu).
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from posture_feedback.errors import PostureFeedbackError
from posture_feedback.landmarks import NAMES
from posture_feedback.output_files import OutputFile
from posture_feedback.types import FrameResult

#: MediaPipe world (x right, y down, z away from the camera) → TRC (X right, Y up, Z towards the camera).
WORLD_TO_TRC = np.diag([1.0, -1.0, -1.0])
#: A level camera's up in MediaPipe world axes.
LEVEL_UP = np.array([0.0, -1.0, 0.0])


def level_rotation(up: np.ndarray | None) -> np.ndarray:
    """(3, 3) rotation of MediaPipe world coordinates taking the world's vertical ``up`` (a unit
    vector in those axes; None = a level camera) to ``LEVEL_UP``, by the smallest angle (about the
    axis up × LEVEL_UP, Rodrigues), so the image's right stays as near as it can."""
    if up is None:
        return np.eye(3)
    u = np.asarray(up, dtype=float)
    u = u / np.linalg.norm(u)
    axis = np.cross(u, LEVEL_UP)
    sin, cos = float(np.linalg.norm(axis)), float(u @ LEVEL_UP)
    if sin < 1e-12:
        return np.eye(3) if cos > 0 else np.diag([1.0, -1.0, -1.0])  # upside down: half a turn about x
    k = np.array([[0.0, -axis[2], axis[1]], [axis[2], 0.0, -axis[0]], [-axis[1], axis[0], 0.0]])
    return np.eye(3) + k + k @ k * ((1.0 - cos) / sin**2)


def _number(value: float, digits: int) -> str:
    return "NaN" if not math.isfinite(value) else f"{value:.{digits}f}"


class TrcWriter:
    """Markers (metres, Y up) of the tracked person per frame, as an OpenSim ``.trc`` file.

    Args:
        path: the ``.trc`` file to write (on ``close``).
        rate_hz: the source's frame rate (``DataRate`` and ``CameraRate``); must be > 0.
        min_visibility: landmarks less confident than this are written as NaN (the pipeline's threshold).
        up: the world's vertical in MediaPipe world axes (``PipelineOptions.up``); None = a level camera.
    """

    def __init__(
        self, path: str | os.PathLike[str], rate_hz: float, min_visibility: float = 0.5, up: np.ndarray | None = None
    ) -> None:
        if not (math.isfinite(rate_hz) and rate_hz > 0):
            raise PostureFeedbackError(f"--trc: the source has no usable frame rate ({rate_hz!r} Hz)")
        self.path = Path(path)
        self.rate_hz = float(rate_hz)
        self.min_visibility = min_visibility
        #: world → TRC: level the world's vertical (``up``), then turn to Y up, Z towards the camera
        self.to_trc = WORLD_TO_TRC @ level_rotation(up)
        self.times: list[float] = []
        self.rows: list[np.ndarray] = []  #: (33, 3) metres per frame, NaN where missing

    def add(self, result: FrameResult) -> None:
        """One frame: the tracked person's landmarks (all NaN when nobody was found)."""
        markers = np.full((len(NAMES), 3), np.nan)
        lm = result.landmarks
        if lm is not None:
            markers = lm.world.astype(float) @ self.to_trc.T
            markers[lm.confidence() < self.min_visibility] = np.nan
        self.times.append(float(result.frame.timestamp_s))
        self.rows.append(markers)

    def close(self) -> Path:
        """Write the file; returns its path."""
        n = len(self.rows)
        rate = f"{self.rate_hz:.2f}"
        lines = [
            f"PathFileType\t4\t(X/Y/Z)\t{self.path.name}",
            "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
            f"{rate}\t{rate}\t{n}\t{len(NAMES)}\tm\t{rate}\t1\t{n}",
            "Frame#\tTime\t" + "\t".join(f"{name}\t\t" for name in NAMES).rstrip("\t"),
            "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, len(NAMES) + 1)),
            "",
        ]
        for i, (t, markers) in enumerate(zip(self.times, self.rows, strict=True), start=1):
            values = "\t".join(_number(v, 5) for v in markers.ravel())
            lines.append(f"{i}\t{t:.5f}\t{values}")
        _write(self.path, lines)
        return self.path


def mot_from_angle_csv(csv_path: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """Write the angles of an angle CSV (``analyze``'s, after any filtering) as an OpenSim ``.mot`` file.

    Made from the CSV itself so that the two files always hold the same angles: the angle columns
    are those between ``view`` and ``azimuth_deg``; an empty cell (not measured) becomes ``NaN``.
    """
    with open(csv_path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        first, last = header.index("view") + 1, header.index("azimuth_deg")
        names = header[first:last]
        t = header.index("time_s")
        rows = [(float(r[t]), [float(v) if v else math.nan for v in r[first:last]]) for r in reader]
    return write_mot(path, names, [t for t, _ in rows], [v for _, v in rows])


def write_mot(
    path: str | os.PathLike[str], names: Sequence[str], times: Sequence[float], rows: Sequence[Sequence[float]]
) -> Path:
    """An OpenSim storage ``.mot`` file: ``time`` then one column per name, angles in degrees."""
    path = Path(path)
    lines = [
        path.stem,
        "version=1",
        f"nRows={len(rows)}",
        f"nColumns={len(names) + 1}",
        "inDegrees=yes",
        "",
        "Joint angles in degrees from posture-feedback (definitions: docs/angles.md); NaN: not measured.",
        "endheader",
        "time\t" + "\t".join(names),
    ]
    for t, row in zip(times, rows, strict=True):
        lines.append(f"{t:.5f}\t" + "\t".join(_number(v, 4) for v in row))
    _write(path, lines)
    return path


def _write(path: Path, lines: list[str]) -> None:
    """Write the file whole or not at all: under a temporary name beside it (beside the file a
    symbolic link names), then moved into place (a failure keeps the file it would have replaced);
    a named pipe or a device (``/dev/stdout``) is written straight to, never replaced
    (``output_files``)."""
    if path.is_dir():
        raise PostureFeedbackError(f"{path} is a folder: give a file name")
    out = OutputFile(path, straight=True)
    try:
        out.work.parent.mkdir(parents=True, exist_ok=True)
        out.work.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out.commit()
    finally:
        out.discard()
