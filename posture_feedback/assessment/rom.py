"""Active range-of-motion tests: the angle trace, its repetition peaks, the best, left/right difference, norms.

Each test names the plane it measures in and so the view it needs: a sagittal-plane motion
(flexion) side-on, with the tested side towards the camera; a frontal-plane motion (abduction,
lateral flexion) facing the camera. ``rom_test`` refuses a recording in the wrong view with
``WrongViewError`` (the message says how to turn) and never measures a frame whose view is
wrong. Peaks: ``peaks.find_peaks`` (hysteresis with a minimum prominence). Norms:
``references.ROM_REFERENCES`` (AAOS 1965 via Norkin & White 2016).

Measured angles (degrees):

=========================  ===========  ====================================================
test                       view         angle
=========================  ===========  ====================================================
shoulder_flexion           side         ``{side}_shoulder_elevation`` (upper arm vs trunk)
shoulder_abduction         front        ``{side}_shoulder_elevation``
elbow_flexion              side         ``{side}_elbow_flexion``
hip_flexion                side         ``{side}_hip_flexion`` (standing, knee bent)
knee_flexion               side         ``{side}_knee_flexion`` (standing, heel to buttock)
trunk_lateral_flexion      front        trunk lean towards ``side`` (``measures.trunk_leans``)
neck_lateral_flexion       front        head bent towards ``side`` relative to the shoulders
                                        (head_tilt − shoulder_tilt, sign per side)
=========================  ===========  ====================================================
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.assessment import measures as ms
from posture_feedback.assessment import snapshots as snap
from posture_feedback.assessment.change import change_threshold, is_real_change
from posture_feedback.assessment.movement_check import (
    MAX_TRUNK_DEG,
    MIN_VIEW_FRACTION,
    feet_moved,
    foot_motion,
    leg_length_px,
)
from posture_feedback.assessment.peaks import Peak, find_peaks, peak_spread
from posture_feedback.assessment.record import AssessmentRecord
from posture_feedback.assessment.references import DIFFERENCE_SOURCE, DIFFERENCE_SUFFIX, ROM_REFERENCES
from posture_feedback.assessment.summary import build_measure, camera_uncertainty
from posture_feedback.assessment.uncertainty import combine, plane_uncertainty
from posture_feedback.assessment.viewgate import check_view, view_instruction
from posture_feedback.calibration.camera import CameraCalibration
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.framing import Framing, classify_framing
from posture_feedback.kinematics import ANGLE_JOINTS, VALID_MAX_UNCERTAINTY
from posture_feedback.storage.models import Measure
from posture_feedback.types import FrameResult, View

#: The verdicts of a ROM test's left − right difference (no norm: this tool's change rule).
ASYMMETRY_WORDS: tuple[str, str] = ("asymmetric", "no detectable asymmetry")

SIDES: tuple[str, ...] = ("left", "right")

Signal = Callable[[FrameResult, str, "np.ndarray | None"], tuple[float, float]]


class RomTestError(PostureFeedbackError):
    """A range-of-motion test cannot be measured (unknown test, no repetition found)."""


def _canonical(template: str) -> Signal:
    def signal(r: FrameResult, side: str, up: np.ndarray | None) -> tuple[float, float]:
        a = r.angles[template.format(side=side)]
        return (a.value if a.valid else math.nan), a.uncertainty

    return signal


def _trunk_lateral(r: FrameResult, side: str, up: np.ndarray | None) -> tuple[float, float]:
    """The trunk's lean towards ``side`` (degrees) and its ±; NaN unless the hips are in view: with
    them below the desk edge the model guesses them, and the line from them is a guess (framing.py;
    the desk sample read 44.0 ± 13.6° "valid" where analyze marks the same line not valid)."""
    if r.landmarks is None or classify_framing(r.landmarks) not in (Framing.UPPER, Framing.FULL):
        return math.nan, math.nan
    lat, _, conf = ms.trunk_leans(r.landmarks, r.azimuth_deg, up)
    sign = 1.0 if side == "left" else -1.0
    return sign * lat, plane_uncertainty("frontal", r.azimuth_deg, conf, like="trunk_inclination")


def _neck_lateral(r: FrameResult, side: str, up: np.ndarray | None) -> tuple[float, float]:
    head, sh = r.angles["head_tilt"], r.angles["shoulder_tilt"]
    if not (head.valid and sh.valid):
        return math.nan, math.nan
    sign = 1.0 if side == "left" else -1.0
    return sign * ms.neck_lateral_flexion_left(r.angles), combine(head.uncertainty, sh.uncertainty)


@dataclass(frozen=True)
class RomTest:
    """One ROM test: what to do, the view it needs, how its angle is read from a frame."""

    name: str
    title: str
    view: View
    plane: str
    instruction: str  #: with ``{side}``
    signal: Signal
    draw: tuple[str, ...]  #: canonical angle (template) whose joints are drawn, or "trunk" / "neck"
    min_prominence: float = 20.0
    #: measured against the vertical by this package (not a canonical angle, which carries the
    #: camera's uncertainty already): the camera roll's ± is added (``summary.camera_uncertainty``)
    against_vertical: bool = False

    def instruction_for(self, side: str) -> str:
        turn = (
            f"Stand side-on with your {side} side towards the camera. "
            if self.view is View.SIDE
            else "Face the camera. "
        )
        return turn + self.instruction.format(side=side)


ROM_TESTS: dict[str, RomTest] = {
    t.name: t
    for t in (
        RomTest(
            "shoulder_flexion", "Shoulder flexion", View.SIDE, "sagittal",
            "Keep your {side} arm straight, thumb up, and raise it forwards and up as far as you can, then lower it. "
            "Three times.",
            _canonical("{side}_shoulder_elevation"), ("{side}_shoulder_elevation",),
        ),
        RomTest(
            "shoulder_abduction", "Shoulder abduction", View.FRONT, "frontal",
            "Raise your {side} arm out to the side and up as far as you can, palm up, then lower it. Three times.",
            _canonical("{side}_shoulder_elevation"), ("{side}_shoulder_elevation",),
        ),
        RomTest(
            "elbow_flexion", "Elbow flexion", View.SIDE, "sagittal",
            "With your {side} arm by your side, palm forwards, bend the elbow as far as you can, then straighten it. "
            "Three times.",
            _canonical("{side}_elbow_flexion"), ("{side}_elbow_flexion",),
        ),
        RomTest(
            "hip_flexion", "Hip flexion", View.SIDE, "sagittal",
            "Hold on to a chair with the other hand. Lift your {side} knee towards your chest as far as you can, "
            "then lower it. Three times.",
            _canonical("{side}_hip_flexion"), ("{side}_hip_flexion",),
        ),
        RomTest(
            "knee_flexion", "Knee flexion", View.SIDE, "sagittal",
            "Hold on to a chair. Bend your {side} knee, bringing the heel towards your buttock as far as you can, "
            "then lower it. Three times.",
            _canonical("{side}_knee_flexion"), ("{side}_knee_flexion",),
        ),
        RomTest(
            "trunk_lateral_flexion", "Trunk lateral flexion", View.FRONT, "frontal",
            "Feet hip-width apart, slide your {side} hand down the side of your thigh as far as you can without "
            "leaning forwards, then come back up. Three times.",
            _trunk_lateral, ("trunk",), 10.0, against_vertical=True,
        ),
        RomTest(
            "neck_lateral_flexion", "Neck lateral flexion", View.FRONT, "frontal",
            "Keep your shoulders still and tilt your head, ear towards your {side} shoulder, as far as you "
            "comfortably can, then back to the middle. Three times.",
            _neck_lateral, ("neck",), 10.0,
        ),
    )
}  # fmt: skip


def get_test(name: str) -> RomTest:
    try:
        return ROM_TESTS[name]
    except KeyError:
        raise RomTestError(f"unknown ROM test {name!r} (available: {', '.join(ROM_TESTS)})") from None


def angle_trace(
    results: Sequence[FrameResult], test: RomTest, side: str, up: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(values, per-frame uncertainties) in degrees per frame; NaN where the view is wrong or not measured.
    ``glitches`` tells which of these values a repetition may not be read from."""
    need_side = side if test.view is View.SIDE else None
    vals = np.full(len(results), np.nan)
    uncs = np.full(len(results), np.nan)
    for i, r in enumerate(results):
        if r.landmarks is None or view_instruction(test.view, r.view, r.azimuth_deg, need_side) is not None:
            continue
        vals[i], uncs[i] = test.signal(r, side, up)
    return vals, uncs


#: ``glitches``: a frame whose ± exceeds both ``VALID_MAX_UNCERTAINTY`` (the bound ``analyze`` puts on
#: every angle) and this many times the median ± of the recording's measured frames.
GLITCH_UNC_FACTOR = 2.0


#: The body part a test's angle needs in view (the first word of the test's name → words).
_PART = {"shoulder": "arm", "elbow": "arm", "hip": "leg", "knee": "leg", "neck": "head and shoulders"}


def _part(test: RomTest) -> str:
    return _PART.get(test.name.split("_")[0], "body")


def glitches(values: np.ndarray, uncertainties: np.ndarray) -> np.ndarray:
    """(T,) True at each measured frame whose ± surges far above the rest of the recording's (over
    ``VALID_MAX_UNCERTAINTY`` and over ``GLITCH_UNC_FACTOR`` × the median ±): the model's points jumped
    (the arm hidden behind someone, a tracking glitch), and its value is not read for a repetition.
    On the accuracy set's cam02 the man's right arm goes behind the second person at frame 81: its ±
    jumps from 12-16° to 28-45°, and the reading there (81° ± 38° at frame 88; MDC 105°) was reported as
    his best, where the 4-camera reference has his peak at frame 56 (81.1°). A movement measured
    uniformly loosely (a fast jumping jack: ± 20-35° throughout) is not a glitch: its ± says so itself."""
    v = np.asarray(values, dtype=float)
    u = np.asarray(uncertainties, dtype=float)
    seen = np.isfinite(v) & np.isfinite(u)
    if not seen.any():
        return np.zeros(v.shape, bool)
    bound = max(VALID_MAX_UNCERTAINTY, GLITCH_UNC_FACTOR * float(np.median(u[seen])))
    return seen & (u > bound)


def _draw(test: RomTest, r: FrameResult, side: str, m: Measure, roll: float) -> snap.Overlay:
    ov = snap.Overlay()
    xy = r.landmarks.xy
    size = max(r.frame.width, r.frame.height)
    what = test.draw[0].format(side=side)
    if what in ANGLE_JOINTS:
        v, a, b = ANGLE_JOINTS[what][:3]
        ov.line(xy[v], xy[a])
        ov.line(xy[v], xy[b])
        anchor = xy[v]
    elif what == "trunk":
        hp = (xy[lm.LEFT_HIP] + xy[lm.RIGHT_HIP]) / 2
        sh = (xy[lm.LEFT_SHOULDER] + xy[lm.RIGHT_SHOULDER]) / 2
        ov.line(hp, sh)
        ov.reference(hp, hp + snap.world_direction_px(roll, True) * float(np.linalg.norm(sh - hp)) * 1.2)
        anchor = sh
    else:
        ov.line(xy[lm.LEFT_EAR], xy[lm.RIGHT_EAR])
        ov.line(xy[lm.LEFT_SHOULDER], xy[lm.RIGHT_SHOULDER])
        anchor = xy[lm.LEFT_EAR]
    ov.label(f"{test.name} ({side}): {snap.fmt(m.value, m.uncertainty)}", anchor + np.array([0.02 * size, 0.0]))
    return ov


#: Tests that lift a leg: only the other foot must stay on the ground.
_LEG_TESTS = frozenset({"hip_flexion", "knee_flexion"})
#: Tests whose angle a step, a jump or walking would fake (legs, trunk): the feet must stay in place. An arm's
#: or the neck's angle is measured relative to the trunk, so for those it is not required.
_FEET_TESTS = _LEG_TESTS | {"trunk_lateral_flexion"}


def _implausible(test: RomTest, results: Sequence[FrameResult], peak: Peak, side: str) -> str | None:
    """None when ``peak`` is a repetition of ``test``, else why not: the movement must be seen in the test's
    view for ``MIN_VIEW_FRACTION`` of the repetition, upright at the peak (trunk within ``MAX_TRUNK_DEG`` of
    vertical, nose above the hips) and, for the leg and trunk tests, standing in place (no foot, except the
    moving leg's, leaving the ground or travelling: ``movement_check.feet_moved``)."""
    need = side if test.view is View.SIDE else None
    frames = results[peak.start : peak.end + 1]
    seen = sum(
        r.landmarks is not None and view_instruction(test.view, r.view, r.azimuth_deg, need) is None for r in frames
    ) / max(len(frames), 1)
    if seen < MIN_VIEW_FRACTION:
        return f"only {100 * seen:.0f} % of the repetition was seen in the {test.view.value} view"
    if test.name in _FEET_TESTS:
        feet = [s for s in SIDES if not (test.name in _LEG_TESTS and s == side)]
        moved = feet_moved(results, peak.start, peak.end, feet, f"{test.title.lower()} test")
        if moved is not None:
            return moved
    r = results[peak.index]
    trunk = r.angles.value("trunk_inclination")
    nose_above = r.landmarks is not None and r.landmarks.xy[lm.NOSE, 1] < min(
        r.landmarks.xy[[lm.LEFT_HIP, lm.RIGHT_HIP], 1]
    )
    if (math.isfinite(trunk) and trunk > MAX_TRUNK_DEG) or not nose_above:
        return "the person was not standing upright at the peak (bent over or on all fours)"
    return None


def feet_unseen(test: RomTest, results: Sequence[FrameResult], peak: Peak, side: str) -> list[str]:
    """The feet ``_implausible`` had to check for ``peak`` but could not see (no ankle in two frames, or no
    leg length): a webcam framed to the thighs. Their standing in place was not checked."""
    if test.name not in _FEET_TESTS:
        return []
    feet = [s for s in SIDES if not (test.name in _LEG_TESTS and s == side)]
    leg = leg_length_px(results[peak.start])
    return [s for s in feet if not math.isfinite(foot_motion(results, peak.start, peak.end, s, leg)[0])]


def _top_hidden(peak: Peak, readable: np.ndarray, glitch: np.ndarray) -> bool:
    """True when glitch frames (``glitches``) lie next to ``peak``'s top in the trace left after them
    (``readable``): the peak is then the edge of a gap, and the movement's real top was not seen. Next to =
    between the readable frames two places before and after the peak (to either end of the recording)."""
    seen = np.flatnonzero(np.isfinite(readable))
    k = int(np.searchsorted(seen, peak.index))
    lo = 0 if k - 2 < 0 else int(seen[k - 2])
    hi = len(readable) - 1 if k + 2 >= len(seen) else int(seen[k + 2])
    return bool(glitch[lo : hi + 1].any())


def repetitions(
    test: RomTest,
    results: Sequence[FrameResult],
    side: str,
    values: Sequence[float],
    min_prominence: float,
    uncertainties: Sequence[float] | None = None,
) -> list[tuple[Peak, str | None]]:
    """Every candidate peak of ``values`` (the test's angle per frame, ``angle_trace``) with None when it is a
    repetition of the test, else the reason it is not. With ``uncertainties`` (``angle_trace``'s), the glitch
    frames (``glitches``) are not read, and a peak beside them is not a repetition: its top was not seen (a
    raise hidden at the top would otherwise count at the height where it disappeared). The live count in
    the app and ``rom_test`` both use it."""
    vals = np.asarray(values, dtype=float)
    glitch = np.zeros(vals.shape, bool) if uncertainties is None else glitches(vals, np.asarray(uncertainties))
    readable = np.where(glitch, np.nan, vals)
    candidates = [p for p in find_peaks(readable, min_prominence=min_prominence) if p.value >= min_prominence]
    out: list[tuple[Peak, str | None]] = []
    for p in candidates:
        if glitch.any() and _top_hidden(p, readable, glitch):
            why = f"the camera lost the {_part(test)} at the top of the movement (its angle jumped there)"
        else:
            why = _implausible(test, results, p, side)
        out.append((p, why))
    return out


def rom_test(
    name: str,
    results_by_side: Mapping[str, Sequence[FrameResult]],
    *,
    calibration: CameraCalibration | None = None,
    out_dir: str | Path | None = None,
    min_prominence: float | None = None,
    inputs: dict[str, Any] | None = None,
) -> AssessmentRecord:
    """Measure one ROM test for one or both sides.

    Args:
        name: a key of ``ROM_TESTS``.
        results_by_side: "left"/"right" → the pipeline results of that side's recording (the
            same recording may serve both sides of a front-view test).
        calibration: the camera calibration the pipeline was given (for the drawn vertical).
        out_dir: where to write the snapshots (one per side, at the best repetition).
        min_prominence: degrees a repetition must rise and fall (default per test).

    Raises:
        WrongViewError: a recording is in the wrong view (message: how to turn).
        RomTestError: unknown test or side, or no repetition found (with both sides given: on neither;
            a side without one is named in ``record.warnings`` and the other side is measured).
    """
    test = get_test(name)
    if not results_by_side or any(s not in SIDES for s in results_by_side):
        raise RomTestError(f"sides must be among {', '.join(SIDES)}, got {', '.join(results_by_side) or 'none'}")
    up = None if calibration is None or calibration.skipped else calibration.up_vector()
    roll = calibration.roll_deg if calibration is not None else 0.0
    ref = ROM_REFERENCES[test.name]
    prom = test.min_prominence if min_prominence is None else min_prominence
    sides = ", ".join(results_by_side)
    record = AssessmentRecord(kind="rom", title=f"ROM: {test.title} ({sides})", inputs=dict(inputs or {}))
    record.inputs.update({"test": test.name, "view": test.view.value, "plane": test.plane})
    if calibration is not None and not calibration.skipped:
        record.calibration["camera"] = calibration.to_dict()
    not_found: list[RomTestError] = []
    for side, results in results_by_side.items():
        check_view(results, test.view, side=side if test.view is View.SIDE else None)
        vals, uncs = angle_trace(results, test, side, up)
        # A repetition must also reach ``prom`` degrees from anatomical zero (the neutral of every
        # ROM angle): a return from the opposite direction is not a repetition towards this side.
        checked = repetitions(test, results, side, vals, prom, uncs)
        peaks = [p for p, why in checked if why is None]
        if not peaks:
            glitch = glitches(vals, uncs)
            if checked:
                why = max(checked, key=lambda x: x[0].value)[1]
            else:
                readable = np.where(glitch, np.nan, vals)
                top = float(np.nanmax(readable)) if np.isfinite(readable).any() else math.nan
                seen = "was never measured" if not math.isfinite(top) else f"never exceeded {top:.0f}°"
                why = f"the angle {seen} with a rise and fall of {prom:g}° or more"
                hipless = sum(1 for r in results if r.landmarks is not None
                              and classify_framing(r.landmarks) not in (Framing.UPPER, Framing.FULL))  # fmt: skip
                if "trunk" in test.draw and hipless > 0.5 * len(results):
                    why = ("your hips were out of view in most frames, and the trunk line needs them (step back, "
                           "or tilt the camera down)")  # fmt: skip
            n_glitch = int(glitch.sum())
            if n_glitch:
                why += (f" (in {n_glitch} of {len(results)} frames the camera lost the "
                        f"{_part(test)}: keep it in view and unhidden)")
            missing = RomTestError(f"no {test.title.lower()} ({side}) found: {why}. " + test.instruction_for(side))
            if len(results_by_side) == 1:
                raise missing
            # both sides asked: the other side's measure is kept, and this one's reason said (audit 27: a
            # mirrored recording's left side had none, and the right side's 46.8 ± 9.9° was lost with it)
            not_found.append(missing)
            record.warnings.append(str(missing))
            continue
        best = max(peaks, key=lambda p: p.value)
        spread = peak_spread(peaks)
        unseen = feet_unseen(test, results, best, side)
        if unseen:  # a lean on one leg or a step is a repetition here too: say it was not ruled out
            feet = "the feet were" if len(unseen) > 1 else f"the {unseen[0]} foot was"
            record.warnings.append(
                f"{test.title.lower()} ({side}): {feet} not in view at the best repetition: standing in place "
                "(no step, jump or leg lift) was not checked"
            )
        m, d = build_measure(
            test.name, best.value, float(uncs[best.index]), spread if math.isfinite(spread) else math.nan, ref,
            side=side, camera_unc=camera_uncertainty(calibration) if test.against_vertical else math.nan,
            view=test.view.value, instruction=test.instruction_for(side), n_reps=len(peaks),
            best_frame=results[best.index].frame.index,
            peaks=[
                {"frame": results[p.index].frame.index, "value": p.value, "uncertainty": float(uncs[p.index]),
                 "returned": p.returned, "prominence": p.prominence}
                for p in peaks
            ],
            percent_of_norm=100.0 * best.value / ref.typical if ref.typical else math.nan,
            feet_not_checked=unseen,
        )  # fmt: skip
        record.measures.append(m)
        record.details[m.label] = d
        if out_dir is not None:
            img = snap.render(
                results[best.index],
                _draw(test, results[best.index], side, m, roll),
                title=f"{test.title} ({side}), best of {len(peaks)}: {snap.fmt(m.value, m.uncertainty)}",
            )
            fname = f"rom_{test.name}_{side}.png"
            snap.save_png(img, Path(out_dir) / fname)
            record.snapshots.append(fname)
            d["snapshot"] = fname
    if not record.measures:  # neither side found: both reasons
        raise RomTestError(" ".join(str(e) for e in not_found))
    left, right = record.measure(test.name, "left"), record.measure(test.name, "right")
    if left is not None and right is not None:
        diff = left.value - right.value
        # The same rule as a change between evaluations (``change``): beyond both sides' own error and MDC.
        thr = change_threshold(left.uncertainty, right.uncertainty, left.mdc, right.mdc)
        # No norm: AAOS tabulates each side's range of motion, not a left-right difference (a fourteenth
        # audit saw "reference 0.0, AAOS 1965" and "Norm 0°" on this row): only the tool's own rule.
        record.measures.append(
            Measure(
                name=f"{test.name}{DIFFERENCE_SUFFIX}", value=diff,
                uncertainty=combine(left.uncertainty, right.uncertainty), unit="deg",
                reference=None, reference_source=DIFFERENCE_SOURCE, mdc=thr.value, valid=True,
            )
        )  # fmt: skip
        note = (f"left minus right; called asymmetric only beyond {thr.value:.1f} deg ({thr.source}), the rule "
                "of a real change (this tool's rule; no published norm for a left-right difference)")  # fmt: skip
        # (``is_real_change``: compared as written, "27.8" against "26.6")
        real = is_real_change(right.value, left.value, left.uncertainty, right.uncertainty, left.mdc, right.mdc)
        record.details[f"{test.name}{DIFFERENCE_SUFFIX}"] = {
            "verdict": ASYMMETRY_WORDS[0] if real else ASYMMETRY_WORDS[1],
            "note": note,
            "reference_note": note,
        }
    return record
