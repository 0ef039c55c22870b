"""The person's own neutral posture: per-angle mean and spread over a few seconds of relaxed upright posture.

Targets can be set relative to it ("no more than 10° forward of your neutral"):
``Pipeline(neutral=posture.angles)`` / ``TargetEvaluator.set_neutral(posture.angles)``.

Method (``capture_neutral``): over the captured frames, each canonical angle's values that are
measured *and valid in the frame's view* are collected; values more than 3 robust SDs
(1.4826 · MAD, at least 2°) from that angle's median are dropped as movement; the neutral is
the mean of the rest and ``spread`` their SD (degrees). An angle with fewer than
``min_frames`` such values is left out (not guessed): e.g. the craniovertebral angle in a
front-view capture.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from posture_feedback.calibration.camera import CalibrationError, robust_keep
from posture_feedback.types import AngleTable, FrameResult

POSTURES: tuple[str, ...] = ("sitting", "standing")
#: Fewest valid values an angle needs to get a neutral (about 0.5 s at 30 fps).
MIN_FRAMES = 12
#: Smallest outlier window (degrees) around the median.
MIN_OUTLIER_WINDOW_DEG = 2.0


@dataclass(frozen=True, slots=True)
class NeutralPosture:
    """A person's neutral posture.

    Attributes:
        angles: canonical angle name → neutral value (degrees); only the angles measured.
        spread: angle name → frame-to-frame SD over the capture (degrees).
        posture: "sitting" or "standing".
        n_frames: angle name → number of frames the mean is based on.
        view: the view the capture was made in ("front", "side", ...; the most frequent).
        created_at: ISO 8601 time of the capture.
    """

    angles: dict[str, float]
    spread: dict[str, float]
    posture: str
    n_frames: dict[str, int] = field(default_factory=dict)
    view: str = "unknown"
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def __post_init__(self) -> None:
        if self.posture not in POSTURES:
            raise CalibrationError(f"posture must be one of {', '.join(POSTURES)}, not {self.posture!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "angles": dict(self.angles),
            "spread": dict(self.spread),
            "posture": self.posture,
            "n_frames": dict(self.n_frames),
            "view": self.view,
            "created_at": self.created_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NeutralPosture:
        try:
            return cls(
                angles={k: float(v) for k, v in data["angles"].items()},
                spread={k: float(v) for k, v in data.get("spread", {}).items()},
                posture=str(data["posture"]),
                n_frames={k: int(v) for k, v in data.get("n_frames", {}).items()},
                view=str(data.get("view", "unknown")),
                created_at=str(data.get("created_at", "")),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CalibrationError(f"damaged neutral posture record: {exc!r}") from None


def capture_neutral(
    frames: Iterable[AngleTable | FrameResult],
    posture: str,
    *,
    min_frames: int = MIN_FRAMES,
) -> NeutralPosture:
    """The neutral posture from per-frame angle tables (or pipeline results).

    Args:
        frames: the capture, one angle table (or ``FrameResult``) per frame; frames without a
            person (empty tables) contribute nothing.
        posture: "sitting" or "standing".
        min_frames: fewest valid values an angle needs.

    Raises:
        CalibrationError: unknown posture, or no angle measured in at least ``min_frames`` frames.
    """
    if posture not in POSTURES:
        raise CalibrationError(f"posture must be one of {', '.join(POSTURES)}, not {posture!r}")
    values: dict[str, list[float]] = {}
    views: dict[str, int] = {}
    for item in frames:
        table = item.angles if isinstance(item, FrameResult) else item
        if isinstance(item, FrameResult) and item.person_found:
            views[str(item.view)] = views.get(str(item.view), 0) + 1
        for a in table:
            if a.valid and math.isfinite(a.value):
                values.setdefault(a.name, []).append(a.value)
    angles: dict[str, float] = {}
    spread: dict[str, float] = {}
    counts: dict[str, int] = {}
    for name, vals in values.items():
        if len(vals) < min_frames:
            continue
        v = np.asarray(vals)
        v = v[robust_keep(v, floor=MIN_OUTLIER_WINDOW_DEG)]
        if len(v) < min_frames:
            continue
        angles[name] = float(v.mean())
        spread[name] = float(v.std(ddof=1))
        counts[name] = int(len(v))
    if not angles:
        raise CalibrationError(
            f"no angle was measured in {min_frames} or more frames: sit or stand in full view for a few seconds"
        )
    view = max(views, key=views.__getitem__) if views else "unknown"
    return NeutralPosture(angles=angles, spread=spread, posture=posture, n_frames=counts, view=view)
