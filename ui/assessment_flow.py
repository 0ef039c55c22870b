"""The guided evaluation's steps, fed frame by frame (no Qt: the window shows what these return).

Follows docs/assessment.md, "Guided flow in the app": every number comes from the core
(``calibration``: ``estimate_camera``, ``capture_neutral``; ``assessment``: ``ViewGate``,
``posture_screen``, ``angle_trace``/``find_peaks``, ``rom_test``, ``write_html_report``).

* ``TimedCapture``: collect ``seconds`` of frames (frame timestamps) for a calibration.
* ``PostureCapture``: the front, then the side view, each through a ``ViewGate``; the frames
  recorded while the gate is ready, for ``capture_s`` seconds per view.
* ``RomRecording``: one ROM test on one side (or both sides of a front-view test): the live
  angle per side, the how-to-turn message while the view is wrong, the peaks so far.
* ``AssessmentFlow``: what the evaluation has so far (camera calibration, neutral, records)
  and the steps that turn captures into them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from posture_feedback.assessment.peaks import Peak
from posture_feedback.assessment.posture import posture_screen
from posture_feedback.assessment.record import AssessmentRecord
from posture_feedback.assessment.references import ROM_REFERENCES
from posture_feedback.assessment.rom import ROM_TESTS, RomTest, angle_trace, repetitions
from posture_feedback.assessment.viewgate import UPPER_BODY, WHOLE_BODY, GateState, ViewGate, view_instruction
from posture_feedback.calibration.camera import CameraCalibration, estimate_camera
from posture_feedback.calibration.neutral import NeutralPosture, capture_neutral
from posture_feedback.side_words import side_text
from posture_feedback.types import FrameResult, View
from posture_feedback.words import measure_words

SIDES = ("left", "right")
_EMPTY = np.empty((0, 0, 3), np.uint8)


class TimedCapture:
    """Frames for ``seconds`` seconds from the first one fed (frame timestamps)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.results: list[FrameResult] = []
        self._t0: float | None = None
        self._t = 0.0

    def feed(self, result: FrameResult) -> float:
        """Add a frame; returns the progress 0–1."""
        t = result.frame.timestamp_s
        if self._t0 is None:
            self._t0 = t
        self._t = t
        self.results.append(result)
        return self.progress

    @property
    def progress(self) -> float:
        if self._t0 is None or self.seconds <= 0:
            return 0.0 if self._t0 is None else 1.0
        return min(1.0, (self._t - self._t0) / self.seconds)

    @property
    def done(self) -> bool:
        return self._t0 is not None and self.progress >= 1.0

    @property
    def with_person(self) -> int:
        return sum(r.person_found for r in self.results)


class PostureCapture:
    """The posture screen's captures: front view, then side view, each gated and ``capture_s`` seconds long.

    Args:
        capture_s: seconds of ready frames to record per view.
        hold_s: seconds the view must be right and still before recording.
        upper_body: the gate needs only head, shoulders and hips (sitting at a desk).
    """

    def __init__(self, capture_s: float = 2.0, hold_s: float = 1.0, upper_body: bool = False) -> None:
        self.capture_s = capture_s
        self.hold_s = hold_s
        self.needs = UPPER_BODY if upper_body else WHOLE_BODY
        self.frames: dict[str, list[FrameResult] | None] = {"front": [], "side": []}
        self.stage = "front"
        self.gate = ViewGate(View.FRONT, hold_s=hold_s, needs=self.needs)
        self.state: GateState | None = None

    def feed(self, result: FrameResult) -> GateState | None:
        """One frame through the current view's gate; returns the gate's state (None once both views are done)."""
        if self.stage == "done":
            return None
        st = self.gate.update(result)
        self.state = st
        frames = self.frames[self.stage]
        if st.ready and frames is not None:
            frames.append(result)
            if frames[-1].frame.timestamp_s - frames[0].frame.timestamp_s >= self.capture_s:
                self._next()
        return st

    def captured_s(self) -> float:
        """Seconds recorded in the current view so far."""
        frames = self.frames.get(self.stage) or []
        return frames[-1].frame.timestamp_s - frames[0].frame.timestamp_s if len(frames) > 1 else 0.0

    def skip_view(self) -> None:
        """Leave out the current view (no frames of it)."""
        if self.stage in self.frames:
            self.frames[self.stage] = None
            self._next()

    def _next(self) -> None:
        if self.stage == "front":
            self.stage = "side"
            self.gate = ViewGate(View.SIDE, hold_s=self.hold_s, needs=self.needs)
        else:
            self.stage = "done"

    @property
    def done(self) -> bool:
        return self.stage == "done"


@dataclass
class RomRecording:
    """One ROM test being recorded: ``sides`` are measured on the same frames (both only in a front view)."""

    test: RomTest
    sides: tuple[str, ...]
    up: np.ndarray | None = None
    results: list[FrameResult] = field(default_factory=list)
    values: dict[str, list[float]] = field(default_factory=dict)
    #: per side, each frame's ± (degrees, ``rom.angle_trace``'s): ``repetitions`` leaves the glitch frames
    #: (``rom.glitches``: a ± over 15° and twice the recording's median) out of the count; ``values`` keeps them
    uncertainties: dict[str, list[float]] = field(default_factory=dict)
    message: str | None = None  #: how to turn, None while the view is right

    def __post_init__(self) -> None:
        if not self.sides or any(s not in SIDES for s in self.sides):
            raise ValueError(f"sides must be among {SIDES}")
        if len(self.sides) > 1 and self.test.view is not View.FRONT:
            raise ValueError(f"{self.test.name} is measured side-on: record each side separately")
        self.values = {s: [] for s in self.sides}
        self.uncertainties = {s: [] for s in self.sides}

    def feed(self, result: FrameResult) -> None:
        self.results.append(result)
        need_side = self.sides[0] if self.test.view is View.SIDE else None
        self.message = view_instruction(self.test.view, result.view, result.azimuth_deg, need_side)
        for side in self.sides:
            vals, uncs = angle_trace([result], self.test, side, self.up)
            self.values[side].append(float(vals[0]))
            self.uncertainties[side].append(float(uncs[0]))

    def current(self, side: str) -> float:
        """The angle in the newest frame (degrees; NaN when not measured or the view is wrong)."""
        v = self.values[side]
        return v[-1] if v else math.nan

    def uncertainty(self, side: str, index: int = -1) -> float:
        """The ± (80% half-width, degrees) of frame ``index`` of the recording (default the newest), as
        ``rom.angle_trace`` gives it; NaN when not measured."""
        u = self.uncertainties[side]
        return u[index] if u and -len(u) <= index < len(u) else math.nan

    def peaks(self, side: str) -> list[Peak]:
        """The repetitions so far, as ``rom_test`` will count them (``rom.repetitions``: peaks that reach the
        prominence and are really the test: seen, upright, feet in place)."""
        prom = self.test.min_prominence
        checked = repetitions(self.test, self.results, side, self.values[side], prom, self.uncertainties[side])
        return [p for p, why in checked if why is None]

    @property
    def duration_s(self) -> float:
        if len(self.results) < 2:
            return 0.0
        return self.results[-1].frame.timestamp_s - self.results[0].frame.timestamp_s


@dataclass
class ViewRecording:
    """A recording that must be in one view (a movement test's front or side part): the frames and,
    for the newest one, how to turn (None while the view is right)."""

    view: View
    results: list[FrameResult] = field(default_factory=list)
    message: str | None = None

    def feed(self, result: FrameResult) -> None:
        self.results.append(result)
        self.message = view_instruction(self.view, result.view, result.azimuth_deg)

    @property
    def duration_s(self) -> float:
        if len(self.results) < 2:
            return 0.0
        return self.results[-1].frame.timestamp_s - self.results[0].frame.timestamp_s


def norm_text(test_name: str) -> str:
    """'norm 35° (normal ≥ 31.5°, AAOS 1965)' for a ROM test, from ``assessment.references``; for a test
    without a norm measured the way this tool measures: 'value only: no standing, active norm'. The
    cut-off as judged (``:g``): "≥ 32°" (until 2026-12-07) read a 31.7° lower end as below it."""
    ref = ROM_REFERENCES[test_name]
    if ref.low is None and ref.high is None:
        return "value only: no norm measured standing and active"
    typical = "" if ref.typical is None else f"{ref.typical:g}°"
    low = "" if ref.low is None else f"normal ≥ {ref.low:g}°, "
    return f"norm {typical} ({low}{ref.source})"


@dataclass
class AssessmentFlow:
    """What the evaluation has so far, and the core calls that produce it.

    Attributes:
        camera: the camera's name (``FrameSource.name``), the key of its calibration.
        out_dir: folder for snapshots and the report.
        calibration: the camera calibration in use (``CameraCalibration.level`` when skipped).
        camera_origin: "session" (measured on the patient in this evaluation: the posture screen then
            uses the level default instead), "scene" (the room's lines), "stored" or "manual"
            (``assessment.posture.posture_camera``).
        neutral: the neutral posture, if captured.
        records: the evaluation's records by key (``posture``, ``rom:<test>``), in the order made.
    """

    camera: str = ""
    out_dir: Path | None = None
    calibration: CameraCalibration | None = None
    camera_origin: str = "stored"
    neutral: NeutralPosture | None = None
    records: dict[str, AssessmentRecord] = field(default_factory=dict)
    rom_frames: dict[str, dict[str, list[FrameResult]]] = field(default_factory=dict)

    @property
    def up(self) -> np.ndarray | None:
        cal = self.calibration
        return None if cal is None or cal.skipped else cal.up_vector()

    def calibrate_camera(self, capture: TimedCapture) -> CameraCalibration:
        """Estimate the camera roll/pitch (``CalibrationError`` with its message when it cannot)."""
        self.calibration = estimate_camera(capture.results, camera=self.camera)
        self.camera_origin = "session"
        return self.calibration

    def use_scene_camera(self, calibration: CameraCalibration) -> CameraCalibration:
        """The camera's vertical from the room's lines (``SceneVertical.to_calibration``), measured in this
        evaluation but not on the patient's body: the posture screen uses it (origin "scene")."""
        self.calibration, self.camera_origin = calibration, "scene"
        return calibration

    def use_stored_camera(self, calibration: CameraCalibration) -> CameraCalibration:
        self.calibration, self.camera_origin = calibration, "stored"
        return calibration

    def skip_camera(self) -> CameraCalibration:
        self.calibration, self.camera_origin = CameraCalibration.level(self.camera), "stored"
        return self.calibration

    def capture_neutral(self, capture: TimedCapture, posture: str, camera: str = "") -> NeutralPosture:
        """The neutral of the capture (``calibration.neutral.capture_neutral``, which also reads the posture
        from the hips and knees: ``posture`` "auto" takes it, a posture chosen by hand must agree with it),
        kept with ``camera`` (``ui.worker.camera_name``: "camera 0"; "" for a recording, applied to any)."""
        self.neutral = replace(capture_neutral(capture.results, posture, read_posture=True), camera=camera)
        return self.neutral

    def posture_record(self, capture: PostureCapture) -> AssessmentRecord:
        """The posture screen from the gated captures (``PostureScreenError`` if neither view was recorded)."""
        record = posture_screen(
            capture.frames["front"] or None, capture.frames["side"] or None, calibration=self.calibration,
            out_dir=self.out_dir, hold_s=0.0, capture_s=capture.capture_s,
            inputs={"source": self.camera, "mode": "live"}, calibration_origin=self.camera_origin,
        )  # fmt: skip
        self.records["posture"] = record
        return record

    def rom_record(self, recording: RomRecording) -> AssessmentRecord:
        """The test's record with this recording and the other side recorded before (if any).

        Raises ``WrongViewError`` (how to turn) or ``RomTestError`` (no repetition); nothing is kept then.
        """
        from posture_feedback.assessment.rom import rom_test

        name = recording.test.name
        frames = {**self.rom_frames.get(name, {}), **{s: recording.results for s in recording.sides}}
        record = rom_test(name, frames, calibration=self.calibration, out_dir=self.out_dir,
                          inputs={"source": self.camera, "mode": "live"})  # fmt: skip
        self.rom_frames[name] = {side: _slim(res, record, name, side) for side, res in frames.items()}
        key = f"rom:{name}"
        self.records.pop(key, None)
        self.records[key] = record
        return record

    def movement_record(
        self, name: str, front: list[FrameResult] | None, side_view: list[FrameResult] | None, leg: str | None
    ) -> AssessmentRecord:
        """The movement screen of test ``name`` from its front and/or side recording (``leg``: the stance leg
        of a single-leg test). Raises ``WrongViewError`` / ``MovementScreenError`` with their messages."""
        from posture_feedback.assessment.movement import movement_screen

        record = movement_screen(name, front or None, side_view or None, side=leg, calibration=self.calibration,
                                 out_dir=self.out_dir, inputs={"source": self.camera, "mode": "live"})  # fmt: skip
        key = f"movement:{name}" + (f":{leg}" if leg else "")
        self.records.pop(key, None)
        self.records[key] = record
        return record

    def ordered_records(self) -> list[AssessmentRecord]:
        return list(self.records.values())


def _slim(results: list[FrameResult], record: AssessmentRecord, test: str, side: str) -> list[FrameResult]:
    """The frames without their pixels, except at the repetition peaks (the snapshot frames): memory stays small
    when the other side is added later and the test is measured again."""
    d = record.details.get(f"{test} ({side})", {})
    keep = {p["frame"] for p in d.get("peaks", [])}
    return [r if r.frame.index in keep else replace(r, frame=replace(r.frame, image=_EMPTY)) for r in results]


def rom_tests() -> list[RomTest]:
    """The ROM tests in the order of ``assessment.rom.ROM_TESTS``."""
    return list(ROM_TESTS.values())


def measure_rows(record: AssessmentRecord) -> list[dict[str, Any]]:
    """Display rows of a record: label, value ± uncertainty, reference, verdict (all from the record)."""
    out = []
    for m in record.measures:
        unit = "°" if m.unit == "deg" else f" {m.unit}"
        d = record.details.get(m.label, {})
        if m.reference_low is not None or m.reference_high is not None:
            lo = "" if m.reference_low is None else f"{m.reference_low:g}"
            hi = "" if m.reference_high is None else f"{m.reference_high:g}"
            join = " to " if lo.startswith("-") or hi.startswith("-") else "–"  # "-2 to 2°", not "-2–2°" (audit 30)
            ref = f"{lo}{join}{hi}{unit}" if lo and hi else (f"≥ {lo}{unit}" if lo else f"≤ {hi}{unit}")
        else:
            ref = "" if m.reference is None else f"{m.reference:g}{unit}"
        value = "—" if math.isnan(m.value) else f"{m.value:.1f}{unit}"
        unc = "" if math.isnan(m.uncertainty) else f" ± {m.uncertainty:.1f}"
        out.append({
            "measure": measure_words(m.name, m.side).replace("_", " "),
            "value": value + unc + side_text(m.name, m.value, m.uncertainty),
            "reference": ref,
            "verdict": d.get("verdict", "") if m.valid else "not valid (wrong view)",
            "mdc": "" if m.mdc is None or math.isnan(m.mdc) else f"{m.mdc:.1f}{unit}",
            "source": m.reference_source,
        })  # fmt: skip
    return out
