"""The person's own neutral posture: per-angle mean and spread over a few seconds of relaxed upright posture.

Targets can be set relative to it ("no more than 10° forward of your neutral"):
``Pipeline(neutral=posture.angles)`` / ``TargetEvaluator.set_neutral(posture.angles)``.

Method (``capture_neutral``): over the captured frames, each canonical angle's values that are
measured *and valid in the frame's view* are collected; values more than 3 robust SDs
(1.4826 · MAD, at least 2°) from that angle's median are dropped as movement; the neutral is
the mean of the rest and ``spread`` their SD (degrees). Its ± (``uncertainty``) is the median of
those frames' own ± (the pipeline's 80 % half-width of each value, whose coverage docs/accuracy.md
checks per frame), not divided by the number of frames: on a person holding still the model's
error is mostly the same from frame to frame (a frame-to-frame SD of about 0.5° against a ± of
several degrees), so averaging does not remove it. An older record has none (an empty mapping). An angle with fewer than
``min_frames`` such values is left out (not guessed): e.g. the craniovertebral angle in a
front-view capture.

**Within the bound** (the same as ``analyze``'s validity): a frame's value enters the neutral only
when its ± is within ``kinematics.VALID_MAX_UNCERTAINTY`` (15°), and an angle enters only when
that holds in more than half (``MIN_WITHIN_BOUND_SHARE``) of its frames (measured and valid in
the view) and in at least ``min_frames`` of them; an angle measured in enough frames but failing
this is named in ``left_out`` with the median ± of its frames, and said so by every caller (the
``calibrate neutral`` command, the mirror's "Set neutral", the evaluation window). The live
pipeline bounds only the depth measurements (``PipelineOptions.bound_every_angle`` is
``analyze --valid-only``'s; ``analyze``'s ``valid_`` columns apply ``kinematics.bounded``),
so the rule is applied here. A neutral is the baseline relative targets are judged from: until
2026-12 one upright man's neutral (the accuracy set's ``upper.mp4`` frame 0, repeated) stored
trunk_inclination 44.1 ±26.3° and left_hip_flexion 25.0 ±26.2° (hips below the frame), angles
``analyze --validity`` marks invalid in every one of those frames. A frame whose ± is not stated
(NaN: an angle table built without one) is not left out for it. The stillness rule below still
reads the trunk in every frame valid in its view: its frame-to-frame change, not its absolute error,
tells whether the person moved.

**Trust rule** (a neutral is a reference for every later "relative" cue, so it is taken only
when it is one). The capture is refused with ``CalibrationError`` and the reason in words unless:

1. *In view* (checked first, see 4).
2. *Still*: the trunk (``trunk_inclination``; with the hips out of view, the shoulder line face-on,
   ``STILLNESS_LINES``) varies by less than ``MAX_TRUNK_SD_DEG`` = 2.0°
   (SD of the frames kept after dropping values beyond 3 robust SDs, i.e. a single-frame landmark
   glitch does not count) and at most ``MAX_DROPPED`` = 10 % of its frames are more than
   ``MOVED_DEG`` = 6° from the median (movement); the trunk must be measured in at least
   ``min_frames`` frames.
3. *Long enough* (pipeline results only, they carry time): the frames with a person span at
   least ``MIN_STILL_S`` = 2.0 s (the last frame counted for one frame period).
4. *In view*: a person is found in at least ``MIN_FRACTION`` = 80 % of the frames and, in at
   least 80 % of those, the view is the required one (``view=``: the preset's view, e.g. FRONT for
   ``sitting-front``), or, without a required view, one and the same of FRONT or SIDE (the
   views the presets judge; a back, oblique or unknown view is refused).

The numbers (``trunk_sd``, ``duration_s``, ``view_fraction``) are kept in the record.

**Posture** (``read_posture=True``, pipeline results only; the evaluation window uses it): the
capture's posture is read from the hips and knees as the ``auto`` preset reads it
(``auto_preset.capture_posture``: hip and knee flexion both above 45° sitting, both below
standing, 80 % of at least 5 readings agreeing). ``posture="auto"`` takes the posture read and is
refused when none can be read (hips or knees out of view); a posture chosen by hand is refused
when the capture reads the other one (a standing person's neutral was saved as "sitting", the
evaluation window's default, in an audit of 2026-12), and kept as chosen when none can be read (a
webcam framing head to chest at a desk). Checked after the view, before stillness.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from posture_feedback.calibration.camera import MIN_IN_VIEW_FRACTION, CalibrationError, robust_keep
from posture_feedback.types import AngleTable, FrameResult, View

POSTURES: tuple[str, ...] = ("sitting", "standing")
#: ``capture_neutral(posture=AUTO_POSTURE, read_posture=True)``: the posture read from the capture.
AUTO_POSTURE = "auto"
#: Fewest valid values an angle needs to get a neutral (about 0.5 s at 30 fps).
MIN_FRAMES = 12
#: Smallest outlier window (degrees) around the median.
MIN_OUTLIER_WINDOW_DEG = 2.0
#: Stillness: largest SD of the trunk angle (degrees) over the kept frames, and largest share dropped.
MAX_TRUNK_SD_DEG = 2.0
MAX_DROPPED = 0.10
#: A frame whose trunk angle is further than this (degrees, 3 x the SD limit) from the median is movement.
MOVED_DEG = 3 * MAX_TRUNK_SD_DEG
#: Shortest still capture (seconds) and smallest share of frames with the person in the right view.
MIN_STILL_S = 2.0
MIN_FRACTION = MIN_IN_VIEW_FRACTION  # 0.8, the camera calibration's in-view rule too
#: Views a neutral can be taken in when no view is required.
NEUTRAL_VIEWS = (View.FRONT, View.SIDE)
#: An angle enters the neutral only when its ± is within ``kinematics.VALID_MAX_UNCERTAINTY`` in more
#: than this share of its frames (measured and valid in the view): in most of them.
MIN_WITHIN_BOUND_SHARE = 0.5


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
        trunk_sd: SD of the trunk angle over the kept frames (degrees; the stillness check).
        duration_s: time spanned by the frames with a person (seconds; NaN for angle tables).
        view_fraction: share of the frames with a person that were in ``view``.
        uncertainty: angle name → the neutral's ± (degrees, the frames' 80 % half-width, see the
            module docstring); only where the frames carried one (none in records before 2026-12).
        camera: the live camera it was captured with (``ui.worker.describe_source``: "camera 0");
            "" when not recorded (a recording, or an older record). A neutral's tilts hold for the
            camera they were measured with: the app applies a saved one only with that camera.
        left_out: angle name → the median ± (degrees) of its frames, for each angle measured in
            enough frames but left out because that ± was beyond ``kinematics.VALID_MAX_UNCERTAINTY``
            in most of them (module docstring, "Within the bound"); empty in older records.
    """

    angles: dict[str, float]
    spread: dict[str, float]
    posture: str
    n_frames: dict[str, int] = field(default_factory=dict)
    view: str = "unknown"
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    trunk_sd: float = math.nan
    duration_s: float = math.nan
    view_fraction: float = math.nan
    camera: str = ""
    uncertainty: dict[str, float] = field(default_factory=dict)
    left_out: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.posture not in POSTURES:
            raise CalibrationError(f"posture must be one of {', '.join(POSTURES)}, not {self.posture!r}")

    def applies_to(self, camera: str) -> bool:
        """This neutral may be used with ``camera`` (``ui.worker.camera_name``): it names no camera
        (a recording, an older record) or that one."""
        return not self.camera or self.camera == camera

    def pm(self, name: str, digits: int = 0) -> str:
        """" ±3" (``digits`` decimals) for an angle with a ±, "" without (a record from before 2026-12)."""
        u = self.uncertainty.get(name, math.nan)
        return f" ±{u:.{digits}f}" if math.isfinite(u) else ""

    def values_text(self, limit: int = 4) -> str:
        """The first ``limit`` angles (by name) in words with their ± where known: "head tilt 7 ±3°, left
        elbow flexion 31 ±9°, …" (whole degrees, "…" when there are more; no ± in a record without one)."""
        shown = sorted(self.angles.items())[:limit]
        parts = [f"{name.replace('_', ' ')} {value:.0f}{self.pm(name)}°" for name, value in shown]
        return ", ".join(parts) + ("…" if len(self.angles) > limit else "")

    def left_out_text(self) -> str:
        """The angles left out for their ±, in words, or "" when none was: "Left out (± over 15° in most
        frames, not judged from this neutral): trunk inclination ±26°, left hip flexion ±26°."."""
        if not self.left_out:
            return ""
        from posture_feedback.kinematics import VALID_MAX_UNCERTAINTY

        names = ", ".join(f"{name.replace('_', ' ')} ±{u:.0f}°" for name, u in sorted(self.left_out.items()))
        return f"Left out (± over {VALID_MAX_UNCERTAINTY:g}° in most frames, not judged from this neutral): {names}."

    def within_bound(self) -> NeutralPosture:
        """This neutral as ``capture_neutral`` takes one now: an angle whose stated ± is beyond
        ``kinematics.VALID_MAX_UNCERTAINTY`` is moved to ``left_out`` (module docstring, "Within the
        bound"). For records stored before 2026-12, which kept such angles (an upright man's
        trunk_inclination 44.1 ±26.3°); an angle without a stated ± (older records) is kept."""
        from dataclasses import replace

        from posture_feedback.kinematics import VALID_MAX_UNCERTAINTY

        beyond = {k: u for k, u in self.uncertainty.items() if k in self.angles and u > VALID_MAX_UNCERTAINTY}
        if not beyond:
            return self
        return replace(
            self,
            angles={k: v for k, v in self.angles.items() if k not in beyond},
            spread={k: v for k, v in self.spread.items() if k not in beyond},
            n_frames={k: v for k, v in self.n_frames.items() if k not in beyond},
            uncertainty={k: v for k, v in self.uncertainty.items() if k not in beyond},
            left_out={**self.left_out, **beyond},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "angles": dict(self.angles),
            "spread": dict(self.spread),
            "posture": self.posture,
            "n_frames": dict(self.n_frames),
            "view": self.view,
            "created_at": self.created_at,
            "trunk_sd": _num(self.trunk_sd),
            "duration_s": _num(self.duration_s),
            "view_fraction": _num(self.view_fraction),
            "camera": self.camera,
            "uncertainty": dict(self.uncertainty),
            "left_out": dict(self.left_out),
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
                trunk_sd=_float(data.get("trunk_sd")),
                duration_s=_float(data.get("duration_s")),
                view_fraction=_float(data.get("view_fraction")),
                camera=str(data.get("camera", "") or ""),
                uncertainty={k: float(v) for k, v in (data.get("uncertainty") or {}).items()},
                left_out={k: float(v) for k, v in (data.get("left_out") or {}).items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CalibrationError(f"damaged neutral posture record: {exc!r}") from None


def _num(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _float(x: Any) -> float:
    return math.nan if x is None else float(x)


def _check_view(results: list[FrameResult], n_frames: int, required: View | None) -> tuple[str, float]:
    """(the capture's view, share of frames with a person in it); ``CalibrationError`` with the reason when
    the person was not in view or not in the right view (see the module's trust rule)."""
    from posture_feedback.assessment.viewgate import view_instruction

    found = [r for r in results if r.person_found]
    if n_frames and len(found) < MIN_FRACTION * n_frames:
        raise CalibrationError(
            f"neutral refused: the person was in view in only {len(found)} of {n_frames} frames "
            f"(needs {100 * MIN_FRACTION:.0f} %): sit or stand in full view and hold still"
        )
    counts: dict[View, int] = {}
    for r in found:
        counts[r.view] = counts.get(r.view, 0) + 1
    view = max(counts, key=counts.__getitem__)
    if required is None and view not in NEUTRAL_VIEWS:
        raise CalibrationError(
            f"neutral refused: the capture was mostly in {'an' if view.value[0] in 'aeiou' else 'a'} {view.value} "
            "view; face the camera or turn side-on "
            "and hold still"
        )
    target = required or view
    share = counts.get(target, 0) / len(found)
    if share < MIN_FRACTION:
        worst = max((v for v in counts if v is not target), key=counts.__getitem__)
        how = view_instruction(target, worst) or f"keep to the {target.value} view"
        raise CalibrationError(
            f"neutral refused: only {100 * share:.0f} % of the frames were in the {target.value} view "
            f"({counts[worst]} {worst.value}; needs {100 * MIN_FRACTION:.0f} %): {how}"
        )
    return target.value, share


def _check_posture(results: list[FrameResult], posture: str) -> str:
    """The neutral's posture: ``posture``, checked against the one the capture reads (module docstring)."""
    from posture_feedback.auto_preset import capture_posture

    if not results:
        raise CalibrationError("neutral refused: the posture is read from a video or camera capture, not angle tables")
    reading = capture_posture(results)
    if posture == AUTO_POSTURE:
        if reading.posture is None:
            raise CalibrationError(f"neutral refused: sitting or standing could not be read from the hips and knees "
                                   f"({reading.why}): choose Sitting or Standing")  # fmt: skip
        return reading.posture
    if reading.posture is not None and reading.posture != posture:
        other = "sit down" if posture == "sitting" else "stand up"
        raise CalibrationError(
            f"neutral refused: you were {reading.posture} (read from the hips and knees: {reading.why}), "
            f"not {posture} as chosen: choose {reading.posture.capitalize()}, or {other} and capture again"
        )
    return posture


def _beyond(value: float, limit: float) -> str:
    """``value`` (at or above ``limit``) with enough decimals not to read as the limit: 2.03, not 2.0."""
    for digits in range(1, 5):
        text = f"{value:.{digits}f}"
        if float(text) > limit or value == limit:
            return text
    return f"{value:.6f}"


def too_short_text(what: str, n_frames: int, need: int) -> str:
    """"neutral refused: the capture has only 5 frames; a neutral needs at least 12 frames (about half a
    second of video): …": the input is too short. With ``need`` 1 (a marker scale, one image) and no
    frame at all: "… the capture has no frame: give an image or a recording that shows the marker"."""
    if need <= 1:
        return f"{what} refused: the capture has no frame: give an image or a recording that shows the marker"
    frames = "1 frame (a still image?)" if n_frames == 1 else f"{n_frames} frames"
    return (f"{what} refused: the capture has only {frames}; a {what} needs at least {need} frames (about "
            "half a second of video): give a recording of a few seconds")  # fmt: skip


def refusal_reason(message: str) -> str:
    """A refused capture's message without its "neutral refused: " head, for a line that already says
    "Neutral not set: " (the mirror, the monitor: it read "Neutral not set: neutral refused: …")."""
    return message.removeprefix("neutral refused: ")


def check_still(
    trunk_values: Iterable[float], results: list[FrameResult], *, min_frames: int = MIN_FRAMES, what: str = "neutral",
    line: str = "trunk",
) -> tuple[float, float]:
    """The stillness rule of the module docstring (2 and 3), shared by the neutral and the height scale.

    ``line``: what the values measure, in words ("trunk"; "shoulder line" for a neutral captured with
    the hips out of view, ``STILLNESS_LINES``).

    Returns (the line's SD in degrees, seconds the person was seen; NaN without pipeline results).

    Raises:
        CalibrationError: "<what> refused: ..." with the reason; only the rules that failed are
        named, with counts where a share is compared (so the numbers cannot read as meeting the
        limit they failed).
    """
    trunk = np.asarray(list(trunk_values), dtype=float)
    if len(trunk) < min_frames:
        seen = "in no frame" if len(trunk) == 0 else f"in only {len(trunk)} frames"  # (not "in only 0 frames")
        need = "shoulders and hips must be in view" if line == "trunk" else "face the camera, both shoulders in view"
        raise CalibrationError(f"{what} refused: the {line} was measured {seen} (needs {min_frames}): {need}")
    kept = trunk[robust_keep(trunk, floor=MIN_OUTLIER_WINDOW_DEG)]
    trunk_sd = float(kept.std(ddof=1)) if len(kept) > 1 else 0.0
    moved = int(np.sum(np.abs(trunk - np.median(kept)) > MOVED_DEG))
    allowed = math.floor(MAX_DROPPED * len(trunk) + 1e-9)  # moved > allowed  <=>  moved / n > MAX_DROPPED
    failed = []
    if trunk_sd >= MAX_TRUNK_SD_DEG:
        failed.append(f"SD {_beyond(trunk_sd, MAX_TRUNK_SD_DEG)}°, needs less than {MAX_TRUNK_SD_DEG:g}°")
    if moved > allowed:
        failed.append(f"{moved} of {len(trunk)} frames more than {MOVED_DEG:g}° from its median, needs at most "
                      f"{allowed} (a tenth)")  # fmt: skip
    if failed:
        lo, hi = float(trunk.min()), float(trunk.max())
        span = f"{lo:.0f} to {hi:.0f}" if round(lo) < 0 else f"{lo:.0f}-{hi:.0f}"  # "-3 to 7", not "-3-7"
        raise CalibrationError(
            f"{what} refused: you moved during the capture ({line} angle {span}°: {'; '.join(failed)}): "
            "hold still and try again"
        )
    duration = math.nan
    if results:
        times = [r.frame.timestamp_s for r in results if r.person_found]
        period = float(np.median(np.diff(times))) if len(times) > 1 else 0.0
        duration = times[-1] - times[0] + period if times else 0.0
        if duration < MIN_STILL_S - 1e-6:
            raise CalibrationError(
                f"{what} refused: the person was seen still for {duration:.1f} s (needs {MIN_STILL_S:g} s): "
                "hold still a little longer"
            )
    return trunk_sd, duration


#: The angles whose frame-to-frame change tells whether the person held still, first measured first: the trunk
#: (hips and shoulders in view); with the hips out of view (a laptop webcam framing head to chest, where the
#: trunk is never valid) the shoulder line face-on, which a slump, a lean or a turn moves too. Until
#: 2026-12-08 the trunk alone, and "Set neutral" at a laptop was always refused ("the trunk was measured in
#: no frame"; audit 30). Side-on with the hips out of view there is none: refused, saying what to show.
STILLNESS_LINES: tuple[tuple[str, str], ...] = (("trunk_inclination", "trunk"), ("shoulder_tilt", "shoulder line"))


def _stillness_line(values: Mapping[str, list[float]], min_frames: int) -> tuple[list[float], str]:
    """(the valid values of the first of ``STILLNESS_LINES`` measured in at least ``min_frames`` frames, its
    words); the trunk's (maybe too few) when none is."""
    for name, words in STILLNESS_LINES:
        if len(values.get(name, [])) >= min_frames:
            return values[name], words
    return values.get("trunk_inclination", []), "trunk"


def capture_neutral(
    frames: Iterable[AngleTable | FrameResult],
    posture: str,
    *,
    min_frames: int = MIN_FRAMES,
    view: View | str | None = None,
    read_posture: bool = False,
) -> NeutralPosture:
    """The neutral posture from per-frame angle tables (or pipeline results), if the capture can be trusted.

    Args:
        frames: the capture, one angle table (or ``FrameResult``) per frame; frames without a
            person (empty tables) contribute nothing.
        posture: "sitting" or "standing".
        min_frames: fewest valid values an angle needs.
        view: the view the capture must be in (the preset's view); None: front or side.
        read_posture: check ``posture`` against the one the capture reads from the hips and knees
            (``posture="auto"``: take that one); see the module docstring.

    Raises:
        CalibrationError: unknown posture, no angle measured in at least ``min_frames`` frames, the
        trust rule of the module docstring not met, or the posture read disagreeing with the one
        chosen (the message gives the reason).
    """
    allowed = (*POSTURES, AUTO_POSTURE) if read_posture else POSTURES
    if posture not in allowed:
        raise CalibrationError(f"posture must be one of {', '.join(allowed)}, not {posture!r}")
    items = list(frames)
    results = [r for r in items if isinstance(r, FrameResult)]
    values: dict[str, list[float]] = {}
    uncs: dict[str, list[float]] = {}
    for item in items:
        table = item.angles if isinstance(item, FrameResult) else item
        for a in table:
            if a.valid and math.isfinite(a.value):
                values.setdefault(a.name, []).append(a.value)
                uncs.setdefault(a.name, []).append(a.uncertainty)
    from posture_feedback.kinematics import VALID_MAX_UNCERTAINTY

    angles: dict[str, float] = {}
    spread: dict[str, float] = {}
    counts: dict[str, int] = {}
    uncertainty: dict[str, float] = {}
    left_out: dict[str, float] = {}
    for name, vals in values.items():
        if len(vals) < min_frames:
            continue
        all_u = np.asarray(uncs[name], dtype=float)
        within = ~(all_u > VALID_MAX_UNCERTAINTY)  # a ± not stated (NaN) is not beyond the bound
        if within.sum() <= MIN_WITHIN_BOUND_SHARE * len(vals) or within.sum() < min_frames:
            left_out[name] = float(np.nanmedian(all_u))
            continue
        keep = robust_keep(np.asarray(vals)[within], floor=MIN_OUTLIER_WINDOW_DEG)
        v = np.asarray(vals)[within][keep]
        if len(v) < min_frames:
            continue
        angles[name] = float(v.mean())
        spread[name] = float(v.std(ddof=1))
        counts[name] = int(len(v))
        u = all_u[within][keep]
        if np.isfinite(u).any():
            uncertainty[name] = float(np.nanmedian(u))
    if len(items) < min_frames:  # the input, not the person: say so (a still image is one frame)
        raise CalibrationError(too_short_text("neutral", len(items), min_frames))
    if not angles and not left_out:
        raise CalibrationError(
            f"no angle was measured in {min_frames} or more frames: sit or stand in full view for a few seconds"
        )
    duration, share, seen = math.nan, math.nan, "unknown"
    if results:  # in view first: "turn around" helps more than "hold still" when the person faces away
        seen, share = _check_view(results, len(results), View(view) if view is not None else None)
    if read_posture:
        posture = _check_posture(results, posture)
    stillness, line = _stillness_line(values, min_frames)
    trunk_sd, duration = check_still(stillness, results, min_frames=min_frames, line=line)
    if not angles:  # last: in view, the posture and stillness say more about what to change
        names = ", ".join(f"{k.replace('_', ' ')} ±{u:.0f}°" for k, u in sorted(left_out.items()))
        raise CalibrationError(
            f"neutral refused: no angle was measured within ±{VALID_MAX_UNCERTAINTY:g}° ({names}): face the camera "
            "or turn side-on, in full view and good light"
        )
    return NeutralPosture(
        angles=angles, spread=spread, posture=posture, n_frames=counts, view=seen, trunk_sd=trunk_sd,
        duration_s=duration, view_fraction=share, uncertainty=uncertainty, left_out=left_out,
    )  # fmt: skip
