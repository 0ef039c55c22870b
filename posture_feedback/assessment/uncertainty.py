"""How far to trust each reported number: its ± uncertainty and its minimal detectable change.

**Uncertainty (±, same unit as the measure)** of a value reported from several frames::

    u = √(u_model² + u_spread² + u_camera²)

* ``u_model``: the median over the frames used of the per-frame uncertainty. For canonical
  angles it is ``AngleTable.uncertainty`` (kinematics: base + view obliqueness + landmark
  visibility); for the measures this package derives itself it is the same model
  (``plane_uncertainty``) with the angle φ between the measure's plane and the image plane
  taken from the camera azimuth: frontal-plane measures sin φ = |sin azimuth|, sagittal-plane
  measures sin φ = |cos azimuth|.
* ``u_spread``: the frame-to-frame SD over a static capture, or the SD of the repetition peaks
  of a ROM test (the variability a single reading would show).
* ``u_camera``: for the frontal-plane leans this package measures against the vertical itself
  (the posture screen's trunk lean, the ROM test's trunk lateral flexion), the camera roll's
  uncertainty, the same figure the pipeline gives its own angles against the vertical
  (``summary.camera_uncertainty``): ``kinematics.LEVEL_UP_UNCERTAINTY_DEG`` (20°) when the camera is
  assumed level, else the calibration's own stated roll ± (``CameraCalibration.up_uncertainty``),
  at least ``kinematics.CALIBRATED_UP_UNCERTAINTY_DEG`` (3°). The canonical tilts (head, shoulders, pelvis)
  already carry it in ``u_model`` (``kinematics.angle_uncertainty``), so it is not added twice.

Lengths (cm) use ``LENGTH_UNCERTAINTY_FRACTION`` of the body-size scale instead of ``u_model``.

**Minimal detectable change**: ``MDC95 = 1.96 · √2 · SEM`` with
``SEM = √(SEM_floor² + SEM_within²)``: ``SEM_floor`` is the measurement error of the
corresponding clinical method (``references.Reference.sem_floor`` and its source: goniometry
for ROM, photographic posture analysis for posture), since a single webcam is not expected to
repeat better between days than those methods; ``SEM_within`` is this evaluation's own
repeatability (the SD of the repetition peaks, or the frame-to-frame SD of a static capture).
A measure's stored MDC is the larger of that borrowed MDC and this tool's own
``1.96 · √2 · u`` (``change.tool_mdc``). Whether a difference between two evaluations is a
change is decided by the one rule in ``change`` (``compare_measures`` calls it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from posture_feedback.assessment.change import change_threshold, is_real_change
from posture_feedback.kinematics import BASE_UNCERTAINTY, DEPTH_UNCERTAINTY, VISIBILITY_UNCERTAINTY
from posture_feedback.storage.models import Measure

#: Relative uncertainty of lengths from MediaPipe's metric world scale (or a height calibration).
LENGTH_UNCERTAINTY_FRACTION = 0.15
Z95 = 1.96


def combine(*parts: float) -> float:
    """Root sum of squares of the finite parts (NaN parts are skipped; NaN if none is finite)."""
    vals = [p for p in parts if p is not None and math.isfinite(p)]
    return math.sqrt(sum(p * p for p in vals)) if vals else math.nan


def plane_uncertainty(
    plane: str, azimuth_deg: float, confidence: float, like: str = "trunk_inclination", min_visibility: float = 0.5
) -> float:
    """Per-frame ± degrees of an angle measured in the person's "frontal" or "sagittal" plane.

    Same model and constants as ``kinematics`` (base + depth · sin φ + visibility term), with
    the base of the canonical angle ``like`` (the most similar one: trunk_inclination for trunk
    leans, head_tilt for the neck, knee flexion for knee valgus) and φ the angle between that
    plane and the image plane from the camera azimuth (degrees; NaN → sin φ = 1, the worst case).
    """
    if plane not in ("frontal", "sagittal"):
        raise ValueError(f"plane must be 'frontal' or 'sagittal', not {plane!r}")
    if math.isfinite(azimuth_deg):
        a = math.radians(azimuth_deg)
        sin_phi = abs(math.sin(a)) if plane == "frontal" else abs(math.cos(a))
    else:
        sin_phi = 1.0
    vis = min(max((1.0 - confidence) / max(1.0 - min_visibility, 1e-6), 0.0), 1.0)
    return BASE_UNCERTAINTY[like] + DEPTH_UNCERTAINTY * sin_phi + VISIBILITY_UNCERTAINTY * vis


def sem(sem_floor: float, within_sd: float = math.nan) -> float:
    """Standard error of measurement: √(floor² + within²) (within NaN → the floor alone)."""
    return combine(sem_floor, within_sd)


def mdc95(sem_value: float) -> float:
    """Minimal detectable change at 95 % confidence: 1.96 · √2 · SEM."""
    return Z95 * math.sqrt(2.0) * sem_value


def robust_spread(values: Iterable[float]) -> float:
    """SD (ddof=1) of the finite values; 0 for one value, NaN for none."""
    v = np.asarray([x for x in values if math.isfinite(x)], dtype=float)
    if len(v) == 0:
        return math.nan
    return float(v.std(ddof=1)) if len(v) > 1 else 0.0


@dataclass(frozen=True, slots=True)
class Change:
    """The comparison of one measure between two evaluations.

    ``difference`` = after − before (measure's unit); ``is_change`` True only when |difference|
    exceeds ``mdc``, the threshold of ``change.change_threshold`` (which part set it:
    ``threshold_source``), and both values were valid; None when it cannot be judged (a value
    invalid or missing, no threshold: ``change.is_real_change``), "cannot judge" as the history says.
    """

    name: str
    side: str | None
    before: float
    after: float
    difference: float
    mdc: float
    is_change: bool | None
    unit: str = "deg"
    threshold_source: str = ""
    u_before: float = math.nan  #: the earlier value's ± (80% half-width, ``unit``); NaN if not stored
    u_after: float = math.nan  #: the later value's ±

    @property
    def label(self) -> str:
        return f"{self.name} ({self.side})" if self.side else self.name

    def describe(self) -> str:
        """One line: "knee flexion (left): 95.0 ± 2.0 → 110.0 ± 2.5 deg (+15.0, threshold 6.0, stored MDC):
        change", each value with its ± where stored, as the history writes them (the terminal's "since
        previous:" line and report.html wrote the two values bare: audit 32)."""
        from posture_feedback.assessment.change import CHANGE_WORDS

        verdict = CHANGE_WORDS[self.is_change]  # (None: "cannot judge", never "no detectable change")
        src = f", {self.threshold_source}" if self.threshold_source else ""
        from posture_feedback.words import measure_words

        def pm(value: float, u: float) -> str:
            return f"{value:.1f} ± {u:.1f}" if math.isfinite(u) else f"{value:.1f}"

        return (
            f"{measure_words(self.name, self.side).replace('_', ' ')}: {pm(self.before, self.u_before)} → "
            f"{pm(self.after, self.u_after)} {self.unit} "
            f"({self.difference:+.1f}, threshold {self.mdc:.1f}{src}): {verdict}"
        )


def _or_nan(x: float | None) -> float:
    return float(x) if x is not None and math.isfinite(x) else math.nan


def compare_measures(before: Sequence[Measure], after: Sequence[Measure]) -> list[Change]:
    """Pair the measures of two evaluations by (name, side) and decide which differences are changes."""
    old = {(m.name, m.side): m for m in before}
    out = []
    for m in after:
        b = old.get((m.name, m.side))
        if b is None:
            continue
        diff = m.value - b.value
        thr = change_threshold(b.uncertainty, m.uncertainty, b.mdc, m.mdc)
        real = is_real_change(b.value, m.value, b.uncertainty, m.uncertainty, b.mdc, m.mdc, valid=b.valid and m.valid)
        out.append(Change(m.name, m.side, b.value, m.value, diff, thr.value, real, m.unit, thr.source,
                          u_before=_or_nan(b.uncertainty), u_after=_or_nan(m.uncertainty)))  # fmt: skip
    return out
