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
arm or a turn of the body does not flip the targets. The posture and the view's side hold apart
(a turn does not restart a posture change); a frame that reads no posture neither confirms nor
cancels a change under way, and one with no reading for ``hold_s`` lapses.
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


class _Held:
    """One part of the choice (the posture, or the view's side) that changes only after a new value
    has held ``hold_s`` seconds; ``None`` readings neither confirm nor cancel a change under way, and
    a change with no reading for ``hold_s`` lapses."""

    def __init__(self, value: str) -> None:
        self.value = value
        self._candidate: str | None = None
        self._since = 0.0
        self._seen_t = -math.inf

    def update(self, reading: str | None, t: float, hold_s: float) -> bool:
        """True when the value changed now."""
        if reading is None:
            if self._candidate is not None and t - self._seen_t > hold_s:
                self._candidate = None
            return False
        self._seen_t = t
        if reading == self.value:
            self._candidate = None
            return False
        if reading != self._candidate:
            self._candidate, self._since = reading, t
            return False
        if t - self._since >= hold_s:
            self.value, self._candidate = reading, None
            return True
        return False


class AutoPresetSelector:
    """Follows posture, view and framing frame by frame (see the module docstring).

    The posture and the view's side (front or side) are held apart: each must hold ``hold_s`` on
    its own. Held together as one preset name, a turn side-on restarted a posture change under way,
    and a frame that read no posture restarted it too, so on the sports sample the therapist view
    stayed on "Sitting posture" for a standing man (a third audit, 2026-12-07)."""

    def __init__(self, hold_s: float = 2.0, posture: str = "sitting") -> None:
        self.hold_s = float(hold_s)
        self.framing = Framing.NONE  #: framing of the last frame
        self.current: str | None = None  #: the preset in use
        self._posture = _Held(posture)
        self._side = _Held("front")

    @property
    def posture(self) -> str:
        """The posture in use (read, or assumed at the start)."""
        return self._posture.value

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
        side = {View.FRONT: "front", View.BACK: "front", View.SIDE: "side"}.get(result.view)  # oblique: no reading
        if self.current is None:  # the first frame with a person decides at once
            if read is not None:
                self._posture.value = read
            if side is not None:
                self._side.value = side
            self.current = f"{self._posture.value}-{self._side.value}"
            return self.current
        changed = self._posture.update(read, t, self.hold_s)
        changed = self._side.update(side, t, self.hold_s) or changed
        wanted = f"{self._posture.value}-{self._side.value}"
        if changed and wanted != self.current:
            self.current = wanted
            return wanted
        return None
