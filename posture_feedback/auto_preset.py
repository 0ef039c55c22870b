"""The ``auto`` preset: the built-in target set that fits what the camera sees, chosen as it goes.

``AutoPresetSelector.update(result)`` reads one ``FrameResult`` and returns the concrete preset
to use (``sitting-front``, ``sitting-side``, ``standing-front``, ``standing-side``) when it should
change, else None. Three things decide it:

* **posture**, from the hip and knee angles: sitting when both the hip flexion and the knee
  flexion (each the mean of the sides that may read it, ``posture_angle``: valid, degrees) exceed
  ``SIT_MIN_DEG`` (45°), standing when both are below it. Rationale, not a norm: upright standing
  reads about 0–15° at both joints and chair sitting about 90°; 45° is half-way. Hips or knees out
  of view (a laptop webcam framing head to chest, ``framing.Framing.HEAD_CHEST``), a missing or
  not valid angle (the model still settling on a newly found person, left and right in doubt), an
  unclear view (``View.UNKNOWN``), or hip and knee disagreeing give no posture reading: the last
  one is kept, and ``sitting`` is assumed until the first reading (below; a webcam framing head to
  chest is a desk). Before, the angles were read whether valid or not: on the sports sample the
  man's frame 9 (oblique, mid-stride, still settling: hips 57/73°, knees 59/64°, not valid) read
  "sitting", was adopted at once, and the standing reading from frame 10 then had to hold 2 s
  (sitting targets for frames 0-89; now standing from frame 17).
* **view**: front or back → the ``-front`` set, side → the ``-side`` set; oblique and unknown
  keep the current one (``front`` is assumed until the first front, back or side view).
* **framing** (``framing.classify_framing``): reported in ``AutoPresetSelector.framing`` so the
  monitor can switch to the laptop signals when the hips are out of view.

``AutoTargets`` applies the same choice to a recording's pipeline (``analyze --targets auto``),
with each posture's neutral.

``AutoPresetSelector.reason`` says why, in words for the user, after each frame with a person:
how the posture was got (read from the hips and knees, or why not: "hips out of view: sitting
assumed", "... kept" once one was read) and, when the view judges nothing (oblique or unknown:
every preset's targets need a front, back or side view), what to do ("turn to face the camera
or side-on"). Before, the window showed "Automatic: Sitting posture (front)" for a standing man
cropped at the chest, and blank gauges for a whole oblique clip, with no reason (a seventeenth audit).

An assumed value (nothing read yet) gives way to a reading as soon as it has been read
``FIRST_READINGS`` (5) times in a row (frames reading nothing neither confirm nor break the run),
not to one frame's reading. After that a new
choice must hold for ``hold_s`` seconds (default 2 s) before it is returned, so a passing arm or
a turn of the body does not flip the targets. (Before, the assumption was treated as a reading:
on lab_two_people_cam02 the standing person's first frame read hip 49° and knee 15° (no posture),
and the standing reading from the fifth frame then had to hold 2 s, longer than the clip; on the
sports sample the standing man's first frame had no knee angle and he got the sitting targets
until 3.6 s.) The posture and the view's side hold apart
(a turn does not restart a posture change); a frame that reads no posture neither confirms nor
cancels a change under way, and one with no reading for ``hold_s`` lapses.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from posture_feedback.framing import Framing, classify_framing
from posture_feedback.kinematics import VALID_MAX_UNCERTAINTY
from posture_feedback.presets import PRESETS, get_preset
from posture_feedback.targets import TargetSet
from posture_feedback.types import FrameResult, View

#: The preset name the user picks to get this behaviour.
AUTO = "auto"
#: Hip and knee flexion (degrees) above which a person is sitting (see the module docstring).
SIT_MIN_DEG = 45.0
#: The posture assumed until the hips and knees give a reading (a webcam framing head to chest is a desk).
ASSUMED_POSTURE = "sitting"
#: Readings in a row (frames with a reading; at 30 fps 5 frames are 0.17 s) that replace an assumed
#: value: one frame's reading is not enough (the sports sample's frame 9, module docstring).
FIRST_READINGS = 5
#: Views in which the hip and knee flexion give a posture reading (an unclear view: none).
READ_VIEWS = frozenset({View.FRONT, View.BACK, View.SIDE, View.OBLIQUE})
#: A capture's posture (``capture_posture``): the share of its readings that must agree, as the
#: neutral's in-view rule asks of its frames (``calibration.neutral.MIN_FRACTION``, 80 %).
CAPTURE_AGREE = 0.8


def posture_from_angles(hip_flexion: float, knee_flexion: float) -> str | None:
    """"sitting", "standing" or None (either angle missing, or they disagree)."""
    if not (math.isfinite(hip_flexion) and math.isfinite(knee_flexion)):
        return None
    if hip_flexion > SIT_MIN_DEG and knee_flexion > SIT_MIN_DEG:
        return "sitting"
    if hip_flexion < SIT_MIN_DEG and knee_flexion < SIT_MIN_DEG:
        return "standing"
    return None


def why_no_posture(framing: Framing, hip_flexion: float, knee_flexion: float, *,
                   view: View = View.FRONT, measured: bool = True) -> str:  # fmt: skip
    """Why a frame gives no posture reading, in words ("hips out of view"). ``hip_flexion`` and
    ``knee_flexion``: the valid values (degrees, NaN where not valid); ``measured``: False when an
    angle was not measured at all (else a NaN here means measured but not valid)."""
    if framing is Framing.NONE:
        return "shoulders not both in view"
    if framing is Framing.HEAD_CHEST:
        return "hips out of view"
    if framing is Framing.UPPER:
        return "knees out of view"
    if view not in READ_VIEWS:
        return "no posture read"  # the view advice (view_advice) says why
    if not (math.isfinite(hip_flexion) and math.isfinite(knee_flexion)):
        return "hip or knee angle not measured" if not measured else "hip or knee angle not reliable"
    return "hip and knee angles disagree"


def view_advice(view: View) -> str | None:
    """What to do when the view judges none of the presets' targets (oblique, unknown), else None."""
    if view is View.OBLIQUE:
        return "oblique view, not judged: turn to face the camera or side-on"
    if view is View.UNKNOWN:
        return "view unclear, not judged: face the camera or turn side-on"
    return None


def posture_angle(result: FrameResult, name: str) -> float:
    """``name``'s value in ``result`` (degrees) if it may read a posture, else NaN: a valid value, or
    one whose only fault is the bound on every angle (``PipelineOptions.bound_every_angle``, ``analyze --valid-only``;
    ± over ``VALID_MAX_UNCERTAINTY``, 15°: meant for a value reported on its own, it leaves the knees,
    base ±14.5°, almost never valid, yet ±20–30° still tells ~10° from ~90°); never on a frame whose
    every angle is invalid for a reason of its own (``result.acquiring``: the model still settling
    on a newly found person; ``result.sides_in_doubt``)."""
    a = result.angles[name]
    if a.valid:
        return a.value
    if result.acquiring or result.sides_in_doubt or not a.measured:
        return math.nan
    return a.value if a.uncertainty > VALID_MAX_UNCERTAINTY else math.nan


def _mean(*values: float) -> float:
    vals = [v for v in values if math.isfinite(v)]
    return sum(vals) / len(vals) if vals else math.nan


@dataclass(frozen=True, slots=True)
class FramePosture:
    """One frame's posture reading (``frame_posture``).

    Attributes:
        read: "sitting", "standing", or None (no reading: see ``why``).
        hip, knee: the mean hip and knee flexion that may read a posture (``posture_angle``; degrees,
            NaN where none).
        measured: both were measured, valid or not.
        framing: the frame's framing (``framing.classify_framing``).
        view: the frame's view.
    """

    read: str | None
    hip: float
    knee: float
    measured: bool
    framing: Framing
    view: View

    @property
    def why(self) -> str:
        """Why there is no reading, in words ("hips out of view"); "" when there is one."""
        if self.read is not None:
            return ""
        return why_no_posture(self.framing, self.hip, self.knee, view=self.view, measured=self.measured)


def frame_posture(result: FrameResult) -> FramePosture:
    """The posture one frame reads from the hips and knees (the rule of the module docstring): only
    with the whole body in view (``Framing.FULL``) in a view of ``READ_VIEWS``; None without a person."""
    framing = classify_framing(result.landmarks)
    if not result.person_found:
        return FramePosture(None, math.nan, math.nan, False, Framing.NONE, result.view)
    a = result.angles
    hip = _mean(*(posture_angle(result, f"{s}_hip_flexion") for s in ("left", "right")))
    knee = _mean(*(posture_angle(result, f"{s}_knee_flexion") for s in ("left", "right")))
    measured = all(math.isfinite(_mean(a.value(f"left_{j}_flexion"), a.value(f"right_{j}_flexion")))
                   for j in ("hip", "knee"))  # fmt: skip
    readable = framing is Framing.FULL and result.view in READ_VIEWS
    return FramePosture(posture_from_angles(hip, knee) if readable else None, hip, knee, measured, framing,
                        result.view)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CapturePosture:
    """The posture a capture (a few seconds of frames) reads (``capture_posture``).

    Attributes:
        posture: "sitting" or "standing" when read, else None.
        counts: readings per posture ({"standing": 80, "sitting": 2}).
        frames: frames with a person.
        why: the reading in words: "standing in 80 of 82 frames", or why there is none.
    """

    posture: str | None
    counts: dict[str, int]
    frames: int
    why: str


def capture_posture(results: Iterable[FrameResult]) -> CapturePosture:
    """The posture of a capture, read from the hips and knees frame by frame (``frame_posture``).

    Read when at least ``FIRST_READINGS`` frames give a reading and ``CAPTURE_AGREE`` (80 %) of the
    readings agree; else None, with the reason (the commonest reason of the frames without a
    reading, e.g. "hips out of view" for a webcam framing head to chest, or the split readings).
    """
    frames = [frame_posture(r) for r in results if r.person_found]
    counts = Counter(f.read for f in frames if f.read is not None)
    n = sum(counts.values())
    if n < FIRST_READINGS:
        whys = Counter(f.why for f in frames if f.read is None)
        why = whys.most_common(1)[0][0] if whys else "nobody in view"
        return CapturePosture(None, dict(counts), len(frames), f"{why} ({n} of {len(frames)} frames read a posture)")
    posture, most = counts.most_common(1)[0]
    if most < CAPTURE_AGREE * n:
        split = ", ".join(f"{k} in {v}" for k, v in counts.most_common())
        return CapturePosture(None, dict(counts), len(frames), f"hips and knees read {split} frames")
    return CapturePosture(posture, dict(counts), len(frames), f"{posture} in {most} of {len(frames)} frames")


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
    a change with no reading for ``hold_s`` lapses. An ``assumed`` value (a default, nothing read
    yet) gives way to a reading read ``first_readings`` times in a row (``None`` readings skipped),
    with no time to hold."""

    def __init__(self, value: str, assumed: bool = False, first_readings: int = FIRST_READINGS) -> None:
        self.value = value
        self.assumed = assumed
        self.first_readings = max(1, int(first_readings))
        self._candidate: str | None = None
        self._since = 0.0
        self._seen_t = -math.inf
        self._run = 0  #: readings in a row equal to ``_candidate`` (while assumed)

    def update(self, reading: str | None, t: float, hold_s: float) -> bool:
        """True when the value changed now."""
        if reading is None:
            if self._candidate is not None and t - self._seen_t > hold_s:
                self._candidate, self._run = None, 0
            return False
        self._seen_t = t
        if self.assumed:  # nothing read yet: a reading read first_readings times in a row replaces it
            self._run = self._run + 1 if reading == self._candidate else 1
            self._candidate = reading
            if self._run < self.first_readings:
                return False
            changed = reading != self.value
            self.value, self.assumed, self._candidate, self._run = reading, False, None, 0
            return changed
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

    def __init__(
        self, hold_s: float = 2.0, posture: str = ASSUMED_POSTURE, first_readings: int = FIRST_READINGS
    ) -> None:
        self.hold_s = float(hold_s)
        self.framing = Framing.NONE  #: framing of the last frame
        self.current: str | None = None  #: the preset in use
        #: Why (``module docstring``), after the last frame with a person; "" before the first.
        self.reason = ""
        self._posture = _Held(posture, assumed=True, first_readings=first_readings)
        self._side = _Held("front", assumed=True, first_readings=first_readings)

    @property
    def posture(self) -> str:
        """The posture in use (read, or assumed until the first reading)."""
        return self._posture.value

    @property
    def posture_assumed(self) -> bool:
        """True while no posture has been read (``posture`` is the assumption)."""
        return self._posture.assumed

    def _reason(self, read: str | None, hip: float, knee: float, view: View, measured: bool) -> str:
        """``reason`` for a frame: its posture reading ``read`` (None: none, from the valid ``hip``
        and ``knee`` flexion in degrees; ``measured``: both were measured, valid or not) against the
        posture in use, and its ``view``."""
        posture = self._posture.value
        assumed = self._posture.assumed
        if read == posture and not assumed:
            words = f"{posture}, read from the hips and knees"
        elif read is not None and assumed:
            n = self._posture.first_readings
            words = f"{read} read from the hips and knees: {posture} assumed until it is read {n} frames in a row"
        elif read is not None:
            words = f"{read} read from the hips and knees: {posture} kept until it holds {self.hold_s:g} s"
        else:
            held = "assumed" if assumed else "kept"
            why = why_no_posture(self.framing, hip, knee, view=view, measured=measured)
            words = f"{why}: {posture} {held}"
        advice = view_advice(view)
        words = f"{words}; {advice}" if advice else words
        return words[0].upper() + words[1:]

    def update(self, result: FrameResult) -> str | None:
        """The preset to switch to now, or None to keep the current one."""
        t = result.frame.timestamp_s
        self.framing = classify_framing(result.landmarks)
        if not result.person_found:
            return None
        fp = frame_posture(result)
        read, hip, knee, measured = fp.read, fp.hip, fp.knee, fp.measured
        side = {View.FRONT: "front", View.BACK: "front", View.SIDE: "side"}.get(result.view)  # oblique: no reading
        changed = self._posture.update(read, t, self.hold_s)
        changed = self._side.update(side, t, self.hold_s) or changed
        wanted = f"{self._posture.value}-{self._side.value}"
        self.reason = self._reason(read, hip, knee, result.view, measured)
        if self.current is None or (changed and wanted != self.current):  # the first person: at once
            self.current = wanted
            return wanted
        return None


def auto_target_ids() -> tuple[str, ...]:
    """Every target id ``auto`` may judge with (the four sets it chooses from), in display order:
    the columns of ``analyze --targets auto``."""
    ids = [t.id for name in ("sitting", "standing") for t in PRESETS[name].targets]
    return tuple(dict.fromkeys(ids))


class TargetsPort(Protocol):
    """What ``AutoTargets`` drives: ``pipeline.Pipeline.set_targets``."""

    def set_targets(self, target_set: TargetSet | None, neutral: Mapping[str, float] | None = None) -> None: ...


class AutoTargets:
    """``auto`` for a recording (``analyze --targets auto``): the app's choice, frame by frame.

    ``after(result)`` feeds each frame's result to an ``AutoPresetSelector``; when it chooses a new
    set, the pipeline judges the *following* frames with it (as in the app, whose window switches
    after the frame that decided) and with the neutral of its posture from ``neutrals`` ("sitting"/
    "standing" → angles, degrees): the set's "from your neutral" variant when there is one, else its
    absolute ranges. ``name`` is the set in force for the next frame; ``frames`` counts the frames
    judged with each."""

    def __init__(self, pipeline: TargetsPort, neutrals: Mapping[str, Mapping[str, float]] | None = None,
                 hold_s: float = 2.0) -> None:  # fmt: skip
        self.selector = AutoPresetSelector(hold_s=hold_s)
        self.neutrals = {k: dict(v) for k, v in (neutrals or {}).items()}
        self.frames: dict[str, int] = {}
        self._pipeline = pipeline
        self.name = ""
        self._use(f"{self.selector.posture}-front")

    def _use(self, name: str) -> None:
        neutral = self.neutrals.get(name.split("-", 1)[0])
        self._pipeline.set_targets(get_preset(name, baseline=neutral is not None), neutral)
        self.name = name

    def after(self, result: FrameResult) -> None:
        """Count the frame as judged with ``name``; switch for the next frame if the selector chose."""
        self.frames[self.name] = self.frames.get(self.name, 0) + 1
        chosen = self.selector.update(result)
        if chosen is not None and chosen != self.name:
            self._use(chosen)
