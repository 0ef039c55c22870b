"""The per-frame angle CSV written by ``posture-feedback analyze``.

Columns, in order: ``frame`` (0-based source frame index), ``time_s`` (seconds),
``person`` (1 if the target person was found, else 0), ``view`` (front/back/side/oblique/
unknown), then one column per canonical angle in degrees (``types.ANGLE_NAMES``), empty where
not measurable; then extra columns: ``azimuth_deg`` (camera direction from the person's
facing, degrees), ``people`` (number of people detected in the frame, the followed one
included), ``track_id`` (which pick of the followed person this row belongs to: 0 for the first,
a new number each time ``person.PersonSelector`` picks afresh, i.e. at the start, after the person
has been missing for more than ``SelectionOptions.lost_timeout_s`` (1 s), or after a click on
someone; empty in rows with ``person`` 0. Rows with the same ``track_id`` are one continuous
track; a new id may be the same person found again or someone else, so compare series only
within one id), and with ``include_validity`` one ``valid_<angle>`` column (1/0: meaningful in
this view and ± within ``kinematics.VALID_MAX_UNCERTAINTY``); with
targets, one ``target_<id>`` column per target (verdict) and ``cue`` (with ``judged_with``, first
a ``judged_with`` column: the set each row was judged with, for ``--targets auto``; a target not
in that set is empty); with ``laptop_signals``
the laptop coach's person-relative signals (``laptop_signals.SIGNALS``: ``head_drop``,
``lean_in``, ``face_closer``, ``shoulder_raise``, ``neck_side_bend``, ``head_rotation``; units in
docs/laptop_coach.md) against a neutral from the recording's first second, empty where not
measurable (rows are held back until that neutral exists; call ``finish()`` at the end), and with
``include_validity`` / ``include_uncertainty`` one ``valid_<signal>`` (1/0) and ``unc_<signal>`` (its
measured 90% bound, ``laptop_signals.SIGNAL_UNCERTAINTY``, in the signal's unit) column each. The
model's first frames of a newly followed person (``FrameResult.acquiring``,
``kinematics.ACQUISITION_FRAMES``) judge nothing: their signals, ± and validity are left empty / 0
and they are not part of the neutral's first second (a thirteenth audit saw head_drop 72, 71, 69…
in frames 0-7 of a motionless person, with no validity or ±).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from pathlib import Path
from typing import IO, NamedTuple

import numpy as np

from posture_feedback.types import ANGLE_NAMES, AngleTable, FrameResult

BASE_COLUMNS: tuple[str, ...] = ("frame", "time_s", "person", "view", *ANGLE_NAMES)


def _fmt(value: float, digits: int = 2) -> str:
    return "" if value is None or math.isnan(value) else f"{value:.{digits}f}"


class AngleCsvWriter:
    """Writes one row per ``FrameResult``; the header is written with the first row."""

    def __init__(
        self,
        out: IO[str],
        target_ids: Iterable[str] = (),
        include_validity: bool = False,
        valid_only: bool = False,
        laptop_signals: bool = False,
        include_uncertainty: bool = False,
        judged_with: bool = False,
    ) -> None:
        self._writer = csv.writer(out, lineterminator="\n")
        self._targets = list(target_ids)
        self._validity = include_validity
        self._valid_only = valid_only
        self._uncertainty = include_uncertainty
        self._judged_with = judged_with and bool(self._targets)
        header = [*BASE_COLUMNS, "azimuth_deg", "people", "track_id"]
        if include_validity:
            header += [f"valid_{n}" for n in ANGLE_NAMES]
        if include_uncertainty:
            header += [f"unc_{n}" for n in ANGLE_NAMES]
        if self._targets:
            header += ["judged_with"] if self._judged_with else []
            header += [f"target_{t}" for t in self._targets] + ["cue"]
        self._laptop = None
        if laptop_signals:
            from posture_feedback import laptop_signals as ls

            self._laptop = _LaptopColumns(ls, include_validity, include_uncertainty)
            header += list(ls.SIGNAL_NAMES)
            if include_validity:
                header += [f"valid_{k}" for k in ls.SIGNAL_NAMES]
            if include_uncertainty:
                header += [f"unc_{k}" for k in ls.SIGNAL_NAMES]
        self._writer.writerow(header)

    def write(self, result: FrameResult, angles: AngleTable | None = None, judged_with: str | None = None) -> None:
        """One row; ``angles`` replaces ``result.angles`` (e.g. filtered over the recording);
        ``judged_with``: the name of the target set this frame was judged with."""
        found = result.person_found
        angles = result.angles if angles is None else angles
        row: list[str | int] = [result.frame.index, f"{result.frame.timestamp_s:.4f}", int(found), result.view.value]
        for name in ANGLE_NAMES:
            a = angles[name]
            row.append(_fmt(a.value) if found and (a.valid or not self._valid_only) else "")
        track = result.landmarks.track_id if result.landmarks is not None else ""
        row += [_fmt(result.azimuth_deg, 1) if found else "", len(result.people), track]
        if self._validity:
            row += [int(angles[n].valid) if found else "" for n in ANGLE_NAMES]
        if self._uncertainty:
            row += [_fmt(angles[n].uncertainty, 1) if found else "" for n in ANGLE_NAMES]
        if self._targets:
            states = {s.target: s.verdict.value for s in result.targets}
            row += [judged_with or ""] if self._judged_with else []
            row += [states.get(t, "") for t in self._targets] + [result.cue or ""]
        if self._laptop is not None:
            for r in self._laptop.add(row, result):
                self._writer.writerow(r)
            return
        self._writer.writerow(row)

    def finish(self) -> None:
        """Write the rows still held back (laptop signals: the recording ended before a neutral existed)."""
        if self._laptop is not None:
            for r in self._laptop.finish():
                self._writer.writerow(r)


class _LaptopColumns:
    """The laptop-signal columns: raw quantities per frame, signals once the first second's neutral exists."""

    def __init__(self, ls, validity: bool = False, uncertainty: bool = False) -> None:  # noqa: ANN001 - the module
        self.ls = ls
        self.validity = validity
        self.uncertainty = uncertainty
        self.neutral = ls.FirstSecondsNeutral()
        self.median = ls.RawMedian()
        self.pending: list[tuple[list, dict[str, float] | None]] = []

    def _cells(self, raw: dict[str, float] | None, neutral) -> list[str]:  # noqa: ANN001
        """The signal cells of one row (``raw`` None: an acquisition frame, nothing judged)."""
        names = self.ls.SIGNAL_NAMES
        sig = None if neutral is None or raw is None else self.ls.relative_signals(raw, neutral)
        ok = {k: sig is not None and math.isfinite(sig[k]) for k in names}
        cells = [_fmt(sig[k]) if ok[k] else "" for k in names]
        if self.validity:  # 1: measured against the neutral, outside the acquisition frames
            cells += [int(ok[k]) for k in names]
        if self.uncertainty:
            cells += [_fmt(self.ls.SIGNAL_UNCERTAINTY.get(k, math.nan), 1) if ok[k] else "" for k in names]
        return cells

    def add(self, row: list, result: FrameResult) -> list[list]:
        t = result.frame.timestamp_s
        if result.acquiring:  # the model still converges: not a reading, nor part of the neutral or the median
            self.pending.append((row, None))
            return self.finish() if self.neutral.neutral is not None else []
        raw = self.median.update(t, self.ls.raw_signals(result.landmarks, result.view))
        neutral = self.neutral.update(raw, t)
        self.pending.append((row, raw))
        return self.finish() if neutral is not None else []

    def finish(self) -> list[list]:
        neutral = self.neutral.finish()
        out = [row + self._cells(raw, neutral) for row, raw in self.pending]
        self.pending.clear()
        return out


class WrittenAngles(NamedTuple):
    """The angles ``filter_angle_csv`` wrote, over the rows with a person (for ``analyze``'s summary)."""

    #: (rows, len(ANGLE_NAMES)) degrees, NaN where the cell is empty.
    values: np.ndarray
    #: (rows, len(ANGLE_NAMES)) bool: the final ``valid_<angle>``; None when the CSV has no such columns.
    valid: np.ndarray | None
    #: (rows, len(ANGLE_NAMES)) degrees: each angle's jitter around the filtered series (NaN: none),
    #: for the validity of a CSV written without ``valid_`` columns (``validity_after_filter``).
    jitter: np.ndarray
    #: (rows, len(ANGLE_NAMES)) bool: cells in a fragment too short to filter (``smoothing.short_runs``).
    fragments: np.ndarray


def validity_after_filter(
    valid: np.ndarray, uncertainty_cells: np.ndarray, jitter: np.ndarray, fragments: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The one rule of ``filter_angle_csv`` for an angle's ± and validity after the zero-phase filter:
    the jitter added to the ± (``kinematics.with_jitter``), and valid only where it was valid before,
    that ± is within ``kinematics.VALID_MAX_UNCERTAINTY`` (NaN: not) and the cell is not in a
    fragment too short to filter (``smoothing.short_runs``: it cannot show its own jitter).

    Args:
        valid: (rows, n) bool, the validity before the filter.
        uncertainty_cells: (rows, n) ± degrees as written in ``unc_<angle>`` (``csv_cells(u, 1)``).
        jitter: (rows, n) degrees (``WrittenAngles.jitter``).
        fragments: (rows, n) bool, ``smoothing.short_runs`` of the values (None: none).

    Returns:
        (± degrees, valid) after the filter, each (rows, n).
    """
    from posture_feedback.kinematics import VALID_MAX_UNCERTAINTY, with_jitter

    unc = with_jitter(np.asarray(uncertainty_cells, dtype=float), jitter)
    with np.errstate(invalid="ignore"):
        within = unc <= VALID_MAX_UNCERTAINTY
    if fragments is not None:
        within &= ~np.asarray(fragments, dtype=bool)
    return unc, np.asarray(valid, dtype=bool) & within


def csv_cells(values: np.ndarray, digits: int) -> np.ndarray:
    """``values`` as their CSV cells read back (rounded as ``_fmt`` writes them; NaN stays NaN)."""
    flat = [_num(_fmt(float(v), digits)) for v in np.asarray(values, dtype=float).ravel()]
    return np.array(flat, dtype=float).reshape(np.shape(values))


def filter_angle_csv(
    path: str | Path,
    fps: float,
    cutoff_hz: float | None = None,
    keep_uncertainty: bool = True,
    valid_only: bool = False,
    keep_validity: bool = True,
) -> WrittenAngles:
    """Rewrite an angle CSV with its angle columns zero-phase filtered over the whole recording.

    ``smoothing.zero_phase_filter`` (cut-off ``smoothing.ZERO_PHASE_CUTOFF_HZ`` unless given) on
    each angle column, over the rows with a person; each angle's jitter is added to its
    ``unc_<angle>`` (``kinematics.with_jitter``) and ``valid_<angle>`` becomes 0 where that
    uncertainty exceeds ``kinematics.VALID_MAX_UNCERTAINTY``. Other columns are left as they
    are. ``valid_only`` is the very last step: every angle cell whose final ``valid_<angle>`` is
    not 1 is emptied, and the cells kept hold exactly the values and ± of the same pass without
    it (the CSV must therefore be written with every value and its ``valid_`` columns: emptying
    cells before the filter broke the runs it filters, left short runs unfiltered and without
    jitter, and so marked cells valid that the full pass did not). ``keep_uncertainty=False`` /
    ``keep_validity=False`` drop the ``unc_`` / ``valid_`` columns afterwards (when they were
    only needed for validity / for ``valid_only``).

    Returns ``WrittenAngles``: the angle values as written, (rows with a person,
    len(ANGLE_NAMES)) degrees, NaN where empty, and each cell's final validity (the
    ``valid_<angle>`` column after the filter; None without those columns) and their jitter, for
    ``analyze``'s summary.
    """
    from posture_feedback.smoothing import ZERO_PHASE_CUTOFF_HZ, short_runs, zero_phase_filter

    path = Path(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if len(rows) < 2:  # nothing but the header: nothing written
        empty = np.empty((0, len(ANGLE_NAMES)))
        return WrittenAngles(empty, None, empty.copy(), np.zeros(empty.shape, bool))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    found = np.array([r[col["person"]] == "1" for r in body])

    def read(name: str) -> np.ndarray:
        i = col[name]
        return np.array([float(r[i]) if r[i] not in ("", "nan") else np.nan for r in body])

    values = np.column_stack([read(n) for n in ANGLE_NAMES])
    values[~found] = np.nan
    filtered, jitter = zero_phase_filter(values, fps, ZERO_PHASE_CUTOFF_HZ if cutoff_hz is None else cutoff_hz)
    fragments = short_runs(values)
    has_unc = all(f"unc_{n}" in col for n in ANGLE_NAMES)
    if valid_only and not all(f"valid_{n}" in col for n in ANGLE_NAMES):
        raise ValueError("valid_only needs the valid_<angle> columns (write the CSV with include_validity)")
    if has_unc:  # the validity this rule gives is applied to the valid_ cells below (1 → 0 only)
        unc, within = validity_after_filter(
            True, np.column_stack([read(f"unc_{n}") for n in ANGLE_NAMES]), jitter, fragments
        )
    for k, r in enumerate(body):
        if not found[k]:
            continue
        for j, n in enumerate(ANGLE_NAMES):
            if r[col[n]] != "":
                r[col[n]] = _fmt(filtered[k, j])
            if has_unc:
                r[col[f"unc_{n}"]] = _fmt(unc[k, j], 1)
                if not within[k, j]:
                    if f"valid_{n}" in col and r[col[f"valid_{n}"]] == "1":
                        r[col[f"valid_{n}"]] = "0"
    if valid_only:  # last: filtering, jitter and validity above saw every value
        for r in body:
            for n in ANGLE_NAMES:
                if r[col[f"valid_{n}"]] != "1":
                    r[col[n]] = ""
    written = np.array([[_num(r[col[n]]) for n in ANGLE_NAMES] for k, r in enumerate(body) if found[k]])
    has_validity = all(f"valid_{n}" in col for n in ANGLE_NAMES)
    valid = (
        np.array([[r[col[f"valid_{n}"]] == "1" for n in ANGLE_NAMES] for k, r in enumerate(body) if found[k]])
        if has_validity
        else None
    )
    dropped = ("unc_",) if has_unc and not keep_uncertainty else ()
    dropped += () if keep_validity else ("valid_",)
    if dropped:
        keep = [i for i, name in enumerate(header) if not name.startswith(dropped)]
        rows = [[r[i] for i in keep] for r in rows]
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    tmp.replace(path)
    shape = (-1, len(ANGLE_NAMES))
    return WrittenAngles(
        written.reshape(shape), None if valid is None else valid.reshape(shape), jitter[found].reshape(shape),
        fragments[found].reshape(shape),
    )  # fmt: skip


def _num(cell: str) -> float:
    return float(cell) if cell not in ("", "nan") else math.nan


def write_csv(path: str | Path, results: Iterable[FrameResult], **kwargs: object) -> None:
    """Write all results to ``path`` (see ``AngleCsvWriter`` for options)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = AngleCsvWriter(f, **kwargs)  # type: ignore[arg-type]
        for r in results:
            writer.write(r)
        writer.finish()
