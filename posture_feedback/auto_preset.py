"""The ``auto`` preset: the built-in target set that fits what the camera sees, chosen as it goes.

``AutoPresetSelector.update(result)`` reads one ``FrameResult`` and returns the concrete preset
to use (``sitting-front``, ``sitting-side``, ``standing-front``, ``standing-side``) when it should
change, else None. Three things decide it:

* **posture**, from the hip and knee angles: sitting when both the hip flexion and the knee
  flexion (each the mean of the measured sides, degrees) exceed ``SIT_MIN_DEG`` (45°), standing
  when both are below it. Rationale, not a norm: upright standing reads about 0–15° at both
  joints and chair sitting about 90°; 45° is half-way. Hips or knees out of view (a laptop
  webcam framing head to chest, ``framing.Framing.HEAD_CHEST``) give no posture reading: the last
  one is kept, and ``sitting`` is assumed at the start (a webcam framing head to chest is a desk).
* **view**: front or back → the ``-front`` set, side → the ``-side`` set; oblique and unknown
  keep the current one.
* **framing** (``framing.classify_framing``): reported in ``AutoPresetSelector.framing`` so the
  monitor can switch to the laptop signals when the hips are out of view.

A new choice must hold for ``hold_s`` seconds (default 2 s) before it is returned, so a passing
arm or a turn of the body does not flip the targets.
"""

from __future__ import annotations

import math

from posture_feedback.framing import Framing, classify_framing
from posture_feedback.types import FrameResult, View

#: The preset name the user picks to get this behaviour.
AUTO = "auto"
#: Hip and knee flexion (degrees) above which a person is sitting (see the module docstring).
SIT_MIN_DEG = 45.0


def posture_from_angles(hip_flexion: float, knee_flexion: float) -> str | None:
    """"sitting", "standing" or None (either angle missing, or they disagree)."""
    if not (math.isfinite(hip_flexion) and math.isfinite(knee_flexion)):
        return None
    if hip_flexion > SIT_MIN_DEG and knee_flexion > SIT_MIN_DEG:
        return "sitting"
    if hip_flexion < SIT_MIN_DEG and knee_flexion < SIT_MIN_DEG:
        return "standing"
    return None


def _mean(*values: float) -> float:
    vals = [v for v in values if math.isfinite(v)]
    return sum(vals) / len(vals) if vals else math.nan


def choose_preset(posture: str, view: View, current: str | None) -> str:
    """The concrete preset for a posture and view (``current``'s view part kept for oblique/unknown)."""
    if view in (View.FRONT, View.BACK):
        side = "front"
    elif view is View.SIDE:
        side = "side"
    else:
        side = current.rsplit("-", 1)[1] if current and "-" in current else "front"
    return f"{posture}-{side}"


class AutoPresetSelector:
    """Follows posture, view and framing frame by frame (see the module docstring)."""

    def __init__(self, hold_s: float = 2.0, posture: str = "sitting") -> None:
        self.hold_s = float(hold_s)
        self.posture = posture  #: last posture read (or assumed)
        self.framing = Framing.NONE  #: framing of the last frame
        self.current: str | None = None  #: the preset in use
        self._candidate: str | None = None
        self._since = 0.0

    def update(self, result: FrameResult) -> str | None:
        """The preset to switch to now, or None to keep the current one."""
        t = result.frame.timestamp_s
        self.framing = classify_framing(result.landmarks)
        if not result.person_found:
            return None
        a = result.angles
        hip = _mean(a.value("left_hip_flexion"), a.value("right_hip_flexion"))
        knee = _mean(a.value("left_knee_flexion"), a.value("right_knee_flexion"))
        read = posture_from_angles(hip, knee) if self.framing is Framing.FULL else None
        posture = read or self.posture
        wanted = choose_preset(posture, result.view, self.current)
        if self.current is None:  # the first frame with a person decides at once
            self.current, self.posture = wanted, posture
            return wanted
        if wanted == self.current:
            self._candidate = None
            return None
        if wanted != self._candidate:
            self._candidate, self._since = wanted, t
            return None
        if t - self._since >= self.hold_s:
            self.current, self.posture, self._candidate = wanted, posture, None
            return wanted
        return None
