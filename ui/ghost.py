"""The semi-transparent target pose ("ghost"), anchored on the person as they move.

A ghost is recorded from landmarks (e.g. the person's neutral at the end of "Set neutral", or a
pose the therapist holds as a model) and stored relative to the trunk: origin at the mid-point
of the hips, unit = trunk length (hips to shoulders) in pixels. Each frame it is placed back on
the tracked person's hips at their current trunk length and drawn by the core's
``GhostAnnotator``. This is a display transform only; nothing is measured from the ghost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.annotate import GhostAnnotator
from posture_feedback.types import FrameResult, Landmarks

_HIPS = [lm.LEFT_HIP, lm.RIGHT_HIP]
_SHOULDERS = [lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER]


def _trunk(person: Landmarks) -> tuple[np.ndarray, float] | None:
    """(hip mid-point in pixels, trunk length in pixels), None when the trunk is not visible."""
    conf = person.confidence()
    if conf[_HIPS + _SHOULDERS].min() < 0.3:
        return None
    hips = person.xy[_HIPS].mean(axis=0)
    length = float(np.linalg.norm(person.xy[_SHOULDERS].mean(axis=0) - hips))
    if length < 1.0:
        return None
    return hips, length


@dataclass(frozen=True)
class GhostPose:
    """A pose relative to the trunk: ``points`` (33, 2) in trunk lengths from the hip mid-point."""

    points: np.ndarray
    visibility: np.ndarray

    @classmethod
    def from_landmarks(cls, person: Landmarks) -> GhostPose | None:
        """The ghost of this person's pose, None if their trunk is not visible."""
        trunk = _trunk(person)
        if trunk is None:
            return None
        hips, length = trunk
        return cls((person.xy - hips) / length, person.confidence().copy())

    def placed_on(self, person: Landmarks) -> Landmarks | None:
        """The ghost in the pixels of ``person``'s image, on their hips at their trunk length."""
        trunk = _trunk(person)
        if trunk is None:
            return None
        hips, length = trunk
        image = np.zeros((33, 3))
        image[:, :2] = self.points * length + hips
        return Landmarks(image, np.zeros((33, 3)), self.visibility, self.visibility, person.image_size)


@dataclass
class AnchoredGhostAnnotator:
    """Draws a ``GhostPose`` on the tracked person (same protocol as the core annotators)."""

    pose: GhostPose | None = None
    opacity: float = 0.45

    def annotate(self, scene: np.ndarray, result: FrameResult, mirror: bool = False) -> np.ndarray:
        if self.pose is None or result.landmarks is None:
            return scene
        ghost = self.pose.placed_on(result.landmarks)
        if ghost is None:
            return scene
        return GhostAnnotator(ghost=ghost, opacity=self.opacity).annotate(scene, result, mirror)
