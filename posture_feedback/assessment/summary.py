"""Turning per-frame (or per-repetition) values into one reported ``Measure`` with its uncertainty and MDC."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from posture_feedback.assessment.change import tool_mdc
from posture_feedback.assessment.record import worded_verdict
from posture_feedback.assessment.references import Reference
from posture_feedback.assessment.uncertainty import combine, mdc95, sem
from posture_feedback.calibration.camera import CameraCalibration, robust_keep
from posture_feedback.storage.models import Measure

#: The verdict of a measure reported without a norm (no reference taken the way this tool measures).
NO_VERDICT = "no verdict (no norm for this measure)"
#: Smallest outlier window for static captures (degrees or cm).
MIN_WINDOW = 2.0


@dataclass(frozen=True, slots=True)
class FrameStats:
    """A static capture's value: mean of the kept frames, median per-frame uncertainty, SD, count."""

    value: float
    model_uncertainty: float
    spread: float
    n: int
    kept: tuple[int, ...]  #: indices (into the input) of the frames kept

    @property
    def measured(self) -> bool:
        return self.n > 0 and math.isfinite(self.value)


def frame_stats(values: Sequence[float], uncertainties: Sequence[float]) -> FrameStats:
    """Mean of the finite values after dropping those beyond 3 robust SDs; NaN stats when none."""
    v = np.asarray(values, dtype=float)
    u = np.asarray(uncertainties, dtype=float)
    ok = np.flatnonzero(np.isfinite(v))
    if len(ok) == 0:
        return FrameStats(math.nan, math.nan, math.nan, 0, ())
    keep = ok[robust_keep(v[ok], floor=MIN_WINDOW)]
    kv = v[keep]
    ku = u[keep]
    ku = ku[np.isfinite(ku)]
    return FrameStats(
        value=float(kv.mean()),
        model_uncertainty=float(np.median(ku)) if len(ku) else math.nan,
        spread=float(kv.std(ddof=1)) if len(kv) > 1 else 0.0,
        n=int(len(kv)),
        kept=tuple(int(i) for i in keep),
    )


def camera_uncertainty(calibration: CameraCalibration | None) -> float:
    """± degrees a frontal lean measured against the vertical inherits from the camera roll, the
    figure the pipeline's own angles carry (``kinematics.angle_uncertainty``): 20° for a camera
    assumed level (``LEVEL_UP_UNCERTAINTY_DEG``, as ``assess`` says when it starts), else the
    calibration's own stated roll ± (``CameraCalibration.up_uncertainty``, at least 3°). Until
    2026-12 it was the frame-to-frame SD over √n: a scene calibration stored at ±16.9° (SD 8.46°
    over 8 frames of one still scene) counted ±3.0°."""
    from posture_feedback.kinematics import LEVEL_UP_UNCERTAINTY_DEG

    if calibration is None or calibration.skipped:
        return LEVEL_UP_UNCERTAINTY_DEG
    return calibration.up_uncertainty()[0]


def build_measure(
    name: str,
    value: float,
    model_uncertainty: float,
    spread: float,
    reference: Reference,
    *,
    side: str | None = None,
    camera_unc: float = math.nan,
    valid: bool = True,
    **detail: Any,
) -> tuple[Measure, dict[str, Any]]:
    """The ``Measure`` (value ± uncertainty, reference, MDC) and its detail dict (verdict, SEM source...).

    The stored MDC is ``max(this tool's 1.96·√2·u, the MDC95 borrowed from the clinical method)``
    (``change``); ``mdc_source`` in the details says which, and names the borrowed instrument.
    A reference without a range (``low`` and ``high`` None) gives the verdict ``NO_VERDICT``; a
    performance test's reference (``Reference.words``) its own words for below and above the range,
    and ``verdict_tone`` says which colour the verdict takes (``record.worded_verdict``).
    """
    unc = combine(model_uncertainty, spread, camera_unc)
    s = sem(reference.sem_floor, spread)
    borrowed = mdc95(s)
    own = tool_mdc(unc)
    parts = [x for x in (borrowed, own) if math.isfinite(x)]
    mdc = max(parts) if parts else math.nan
    if math.isfinite(own) and own >= borrowed:
        mdc_source = "this tool's own uncertainty (1.96 x sqrt 2 x u)"
    else:
        mdc_source = f"borrowed from another instrument: {reference.sem_source} (SEM floor {reference.sem_floor:.2f})"
    tone = ""
    if not valid:
        word = "not valid in this view"
    elif reference.low is None and reference.high is None and math.isfinite(value):
        word = NO_VERDICT
    else:
        word, tone = worded_verdict(value, unc, reference.low, reference.high, reference.words, reference.better)
    m = Measure(
        name=name,
        value=float(value),
        uncertainty=unc,
        side=side,
        unit=reference.unit,
        reference=reference.typical,
        reference_low=reference.low,
        reference_high=reference.high,
        reference_source=reference.citation(),
        mdc=mdc,
        valid=valid,
    )
    d = {
        "verdict": word,
        "verdict_tone": tone,
        "model_uncertainty": model_uncertainty,
        "spread": spread,
        "camera_uncertainty": camera_unc,
        "sem": s,
        "sem_floor": reference.sem_floor,
        "sem_source": reference.sem_source,
        "mdc_tool": own,
        "mdc_borrowed": borrowed,
        "mdc_source": mdc_source,
        "reference_note": reference.note,
        "reference_is_tool_tolerance": reference.tolerance_is_tool,
        **detail,
    }
    return m, d
