"""Turns per-frame signals into exercise progress for one exercise on one side.

``ExerciseTracker`` picks the right counter for the definition's kind (``RepCounter`` for
``reps``, ``HoldTimer`` for ``hold``, ``HoldTimer`` + ``SwayRecorder`` for ``balance``,
``MarchAnalyzer`` for ``gait``), evaluates the compensations, and reports each frame's
progress as a ``TrackerUpdate``. Side ``both`` with a sided definition tracks the two sides
together: the primary value is the *less advanced* side (so both limbs must reach the target)
and a compensation is flagged when either side shows it.

Counting only what is seen: the tracker counts, times and measures only in frames where the
person is seen from one of the definition's ``views`` (``viewing.view_ok``). In other frames
(and in frames without a person, ``pause``) its counting clock stops: a hold does not grow, a
repetition in progress waits (its tempo excludes the pause), no compensation time accrues, and
``TrackerUpdate.turn_hint`` says how to turn. Times in results are the caller's clock.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from posture_feedback.exercises.balance import SwayRecorder, SwayResult
from posture_feedback.exercises.definitions import Compensation, ExerciseDefinition, fill, peak_digits
from posture_feedback.exercises.gait import GaitResult, MarchAnalyzer
from posture_feedback.exercises.holds import IN, OUT, UNSURE, HoldStatus, HoldTimer
from posture_feedback.exercises.reps import RepCounter, RepPhase, RepResult
from posture_feedback.exercises.signals import change_uncertainties, signal_value
from posture_feedback.exercises.thresholds import signal_unit, signal_words
from posture_feedback.exercises.viewing import turn_hint, view_ok
from posture_feedback.types import Landmarks, View

SIDES = ("left", "right", "both")
#: ``phase_name`` before the first start position: sentences, not a phase's name ("phase: …" would misread).
WAITING_FOR_START = "waiting for the start position"
MEASURING_REST = "measuring your relaxed position"
#: ``phase_name`` of a hold the measurement cannot judge now (its value's ± reaches both in and out).
HOLD_UNSURE = "unsure: the camera cannot tell whether you are in position"
#: ``phase_name`` of a hold whose value's ± is wider than its range: no position could be confirmed.
HOLD_TOO_UNCERTAIN = "too uncertain to time the hold"


@dataclass
class TrackerUpdate:
    """Progress after one frame.

    Attributes:
        t: time of the frame (seconds).
        value: the primary signal's value (NaN if not measured; for ``gait``, the higher knee).
        phase: the current phase in words (``phase_name``: ``reps``/``gait``: a phase of the
            definition, ``"moving"``, or what the counter waits for before the first start position;
            ``hold``/``balance``: the phase name while surely in position, ``"out"`` while surely out,
            ``HOLD_UNSURE`` or ``HOLD_TOO_UNCERTAIN`` in between).
        reps: repetitions (or steps) that finished in this frame, counted or not.
        hold_events: ``"started"``, ``"broken"``, ``"resumed"``, ``"complete"`` (holds and balance).
        faults: compensations seen in this frame, most important first.
        view_ok: the person is seen from a view the exercise needs (False when nobody is seen).
        counting: this frame was counted (the view is right); False = counting paused.
        turn_hint: how to turn when the view is wrong ("Counting paused: turn ..."), else None.
        uncertainty: the 80% half-width of ``value`` (signal units; that of a change where the
            signal is counted from the person's resting value); NaN when unknown.
        hold_state: ``"in"``, ``"unsure"`` or ``"out"`` for holds and balance (``holds.HoldTimer``),
            ``""`` otherwise or when this frame was not counted.
    """

    t: float
    value: float
    phase: str
    reps: list[RepResult] = field(default_factory=list)
    hold_events: list[str] = field(default_factory=list)
    faults: list[Compensation] = field(default_factory=list)
    view_ok: bool = True
    counting: bool = True
    turn_hint: str | None = None
    uncertainty: float = math.nan
    hold_state: str = ""


def _sides(side: str) -> tuple[str, ...]:
    return ("left", "right") if side == "both" else (side,)


class ExerciseTracker:
    """Tracks one exercise (``definition``) on ``side`` (``left``, ``right`` or ``both``).

    Args:
        hold_s: seconds to hold (``hold``/``balance``; for ``gait``, the march duration);
            default: the definition's.
        count_compensated: count repetitions that show a compensation (they stay flagged).
    """

    def __init__(
        self, definition: ExerciseDefinition, side: str = "both", hold_s: float | None = None,
        count_compensated: bool = False,
    ) -> None:  # fmt: skip
        if side not in SIDES:
            raise ValueError(f"side must be one of {SIDES}, got {side!r}")
        self.definition = d = definition
        self.side = side if d.sided and d.kind != "gait" else "both"
        self.hold_s = d.hold_s if hold_s is None else hold_s
        min_s = {c.name: c.min_s for c in d.compensations}
        self.counter: RepCounter | None = None
        self.hold: HoldTimer | None = None
        self.sway: SwayRecorder | None = None
        self.march: MarchAnalyzer | None = None
        if d.kind == "reps":
            self.counter = RepCounter(
                d.start.range, d.target.range, d.hysteresis, hold_s=d.target.hold_s, tempo=d.tempo,
                compensation_min_s=min_s, count_compensated=count_compensated, side=self.side,
            )  # fmt: skip
        elif d.kind in ("hold", "balance"):
            conds = [(f"{s}:{d.signal}", d.phases[0].range) for s in _sides(self.side)] if d.sided else []
            if not d.sided:
                conds = [(d.signal, d.phases[0].range)]
            for c in d.conditions:
                if "{side}" in c.signal or "{other}" in c.signal:
                    conds += [(f"{s}:{c.signal}", c.range) for s in _sides(self.side)]
                else:
                    conds.append((c.signal, c.range))
            self.hold = HoldTimer(_dedupe(conds), self.hold_s, hysteresis=d.hysteresis)
            if d.kind == "balance":
                self.sway = SwayRecorder()
        elif d.kind == "gait":
            self.march = MarchAnalyzer(
                d.signal, d.start.range, d.target.range, d.hysteresis, tempo=d.tempo,
                compensation_min_s=min_s, count_compensated=True,
            )  # fmt: skip
        self.faults_s: dict[str, float] = {}
        self._t_prev: float | None = None  # counting clock of the last counted frame
        self._t_frame: float | None = None  # caller's time of the last frame, counted or not
        self.paused_s = 0.0  # seconds not counted (wrong view, nobody seen)
        self._offsets: list[tuple[float, float]] = [(-math.inf, 0.0)]  # (counting time, paused_s from then on)
        self._history: deque[tuple[float, float]] = deque(maxlen=1200)  # (t, primary value), ~40 s at 30 fps
        # ``baseline_s``: the person's resting value, from the first counted seconds of the set.
        self._baseline_samples: list[float] = []
        self._baseline_t0: float | None = None
        self.baseline: float = math.nan if d.baseline_s > 0 else 0.0

    # -- per frame ---------------------------------------------------------------------------
    def primary_value(self, values: Mapping[str, float]) -> float:
        """The primary signal for this side; for ``both``, the side less far towards the target."""
        d = self.definition
        vals = [signal_value(values, d.signal, s) for s in _sides(self.side)]
        vals = [v for v in vals if not math.isnan(v)]
        if not vals:
            return math.nan
        if d.kind == "gait":
            return max(vals)
        return min(vals) if d.increasing else max(vals)

    def primary_uncertainty(
        self, values: Mapping[str, float], uncertainties: Mapping[str, float], primary: float | None = None
    ) -> float:
        """The 80% half-width of ``primary_value`` (signal units; pass it as ``primary`` when
        known): that of the side it comes from (for ``both``, the larger where the two sides
        tie); NaN when unknown."""
        best = self.primary_value(values) if primary is None else primary
        if math.isnan(best):
            return math.nan
        d = self.definition
        return max((signal_value(uncertainties, d.signal, s) for s in _sides(self.side)
                    if signal_value(values, d.signal, s) == best), default=math.nan)  # fmt: skip

    def phase_name(self) -> str:
        """Where the exercise is, in words shown beside the live value: a phase of the definition while
        the value is in it, ``"moving"`` between them, ``"out"`` for a hold out of range; before the first
        start position, what the counter waits for ("waiting for the start position (down, ≤ 25°)"), or
        ``"measuring your relaxed position"`` while ``baseline_s`` is measured. The waiting counter read
        "phase: down" beside "Now: 86°" (a new-user audit, 2026-12-07). A hold the measurement cannot
        judge reads ``HOLD_UNSURE`` (``HOLD_TOO_UNCERTAIN`` when the value's ± is wider than the range),
        never its phase or "out"."""
        d = self.definition
        if self.counter is not None:
            p = self.counter.phase
            if p is RepPhase.WAITING:
                if self.measuring_baseline:
                    return MEASURING_REST
                where = d.start.range.describe("", d.unit) + (" from your start" if d.baseline_s > 0 else "")
                return f"{WAITING_FOR_START} ({d.start.name}, {where})"
            if p is RepPhase.START:
                return d.start.name
            return d.target.name if p is RepPhase.TARGET else "moving"
        if self.hold is not None:
            state = self.hold.state
            if not state:  # nothing counted yet
                return ""
            if state == IN:
                return d.phases[0].name
            if state == OUT:
                return "out"
            return HOLD_TOO_UNCERTAIN if self.hold.too_uncertain is not None else HOLD_UNSURE
        return "marching"

    def hold_note(self) -> str:
        """What the person is told while a hold cannot be judged (``""`` otherwise): the value's ± is
        wider than the range ("The camera cannot measure your trunk forward lean precisely enough to
        time this hold: ±25° against -10–12°"), or it reaches both in and out ("The camera
        cannot tell whether you are in position: the clock waits")."""
        hold = self.hold
        if hold is None or hold.state != UNSURE:
            return ""
        why = hold.too_uncertain
        if why is None:
            return "The camera cannot tell whether you are in position: the clock waits"
        d = self.definition
        primary = why.condition in {d.signal, *(fill(d.signal, side) for side in _sides(self.side))}
        unit = signal_unit(why.condition, d.unit if primary else None)
        digits = peak_digits(d.unit if primary else ("" if unit == " leg lengths" else unit))
        pm, rng = f"±{why.uncertainty:.{digits}f}{unit}", why.range.describe("", unit)
        words = signal_words(why.condition)
        return f"The camera cannot measure your {words} precisely enough to time this hold: {pm} against {rng}"

    def _faults(
        self, values: Mapping[str, float], view: View, uncertainties: Mapping[str, float] | None = None
    ) -> list[Compensation]:
        """The compensations seen in this frame: a signal outside its allowed range by more than
        its 80% uncertainty (``uncertainties``; unknown = 0), so that a cue such as "Keep your
        chest up" is never given on a value that may be within the range."""
        d = self.definition
        if self.counter is not None:
            moving = self.counter.phase not in (RepPhase.WAITING, RepPhase.START)
            phase = d.target.name if moving else d.start.name
        else:
            phase = d.phases[0].name
        out = []
        for c in d.compensations:
            if c.views and view not in c.views:
                continue
            if c.phases and phase not in c.phases:
                continue
            sides = _sides(self.side) if ("{side}" in c.signal or "{other}" in c.signal) else ("left",)
            unc = uncertainties or {}
            seen = [(signal_value(values, c.signal, s), signal_value(unc, c.signal, s)) for s in sides]
            if any(not c.allowed.contains(v, 0.0 if math.isnan(u) else u) for v, u in seen if not math.isnan(v)):
                out.append(c)
        out.sort(key=lambda c: -c.priority)
        return out

    @property
    def measuring_baseline(self) -> bool:
        """True while the resting value of a ``baseline_s`` exercise is still being measured."""
        return math.isnan(self.baseline)

    def restart_baseline(self) -> None:
        """Measure the resting value (``baseline_s``) again from the next counted frame, e.g. when the
        camera's vertical the values are measured against has changed (``SessionRunner.update``'s
        ``vertical``). Nothing for an exercise without a baseline."""
        if self.definition.baseline_s > 0:
            self._baseline_samples, self._baseline_t0, self.baseline = [], None, math.nan

    def _relative(self, t: float, value: float) -> float:
        """The primary value as a change from the resting value (``baseline_s``), NaN while measuring it.

        The resting value is the median of the measured values over the first ``baseline_s``
        counted seconds of the set (counting clock, so a wrong view does not shorten it)."""
        d = self.definition
        if d.baseline_s <= 0:
            return value
        if math.isnan(self.baseline):
            if not math.isnan(value):
                if self._baseline_t0 is None:
                    self._baseline_t0 = t
                self._baseline_samples.append(value)
            if self._baseline_t0 is not None and t - self._baseline_t0 >= d.baseline_s and self._baseline_samples:
                self.baseline = float(np.median(self._baseline_samples))
            return math.nan
        return value - self.baseline

    # -- the counting clock --------------------------------------------------------------------
    def _tick(self, t: float, counting: bool) -> float:
        """Advance to caller time ``t``; the interval since the last frame is paused unless ``counting``.
        Returns the counting clock (caller time minus the paused seconds)."""
        if self._t_frame is not None and not counting:
            self.paused_s += max(0.0, t - self._t_frame)
        self._t_frame = t
        if counting and self.paused_s != self._offsets[-1][1]:
            self._offsets.append((t - self.paused_s, self.paused_s))
        return t - self.paused_s

    def caller_time(self, counting_t: float) -> float:
        """The caller's time of a counting-clock time (results are reported on the caller's clock)."""
        i = bisect.bisect_right(self._offsets, (counting_t, math.inf)) - 1
        return counting_t + self._offsets[max(i, 0)][1]

    def pause(self, t: float) -> None:
        """A frame at time ``t`` without a person: counting stays paused until a counted frame."""
        self._tick(t, False)

    def _caller_rep(self, rep: RepResult) -> RepResult:
        return replace(rep, start_t=self.caller_time(rep.start_t), end_t=self.caller_time(rep.end_t))

    def update(
        self,
        t: float,
        values: Mapping[str, float],
        view: View = View.UNKNOWN,
        landmarks: Landmarks | None = None,
        uncertainties: Mapping[str, float] | None = None,
        azimuth_deg: float = math.nan,
    ) -> TrackerUpdate:
        """Feed one frame's signals (``signals.compute_signals``) at time ``t`` (seconds) and its view.

        ``uncertainties``: the signals' 80% half-widths (``signals.signal_uncertainties``; missing
        = unknown), so that a repetition short of its target by less than its peak's uncertainty
        is "unsure", not "partial" (``reps``). Nothing is counted unless ``view`` is one of the
        definition's views (module docstring). ``azimuth_deg`` (``view.py``; NaN unknown) tells the
        turn hint how far the person must turn.
        """
        d = self.definition
        ok = view_ok(d.views, view)
        t_real = t
        t = self._tick(t_real, ok)
        if not ok:  # the signal itself (not its change from the start) is shown, with its own ±
            primary = self.primary_value(values)
            return TrackerUpdate(
                t=t_real, value=primary, phase=self.phase_name(), view_ok=False, counting=False,
                turn_hint=turn_hint(d.views, view, self.side, azimuth_deg),
                uncertainty=self.primary_uncertainty(values, uncertainties or {}, primary),
            )  # fmt: skip
        unc = uncertainties or {}
        if d.baseline_s > 0:  # the change from the person's own start is counted
            unc = change_uncertainties(unc)
        view_ok_ = ok
        faults = self._faults(values, view, uncertainties)
        dt = 0.0 if self._t_prev is None else max(0.0, t - self._t_prev)
        self._t_prev = t
        for c in faults:
            self.faults_s[c.name] = self.faults_s.get(c.name, 0.0) + dt
        flags = [c.name for c in faults]
        primary = self.primary_value(values)
        value = self._relative(t, primary)
        self._history.append((t_real, value))
        upd = TrackerUpdate(t=t_real, value=value, phase="", faults=faults, view_ok=view_ok_,
                            uncertainty=self.primary_uncertainty(values, unc, primary))  # fmt: skip
        if self.counter is not None:
            rep = self.counter.update(t, value, flags, upd.uncertainty)
            if rep is not None:
                upd.reps.append(self._caller_rep(rep))
        elif self.hold is not None:
            named, named_unc = {}, {}
            hold_unc = uncertainties or {}  # a hold's ranges are on the signals themselves
            for name, _ in self.hold.conditions:
                s, tmpl = name.split(":", 1) if ":" in name else ("left", name)
                named[name] = signal_value(values, tmpl, s)
                named_unc[name] = signal_value(hold_unc, tmpl, s)
            upd.hold_events = self.hold.update(t, named, named_unc)
            upd.hold_state = self.hold.state
            if self.sway is not None and self.hold.in_range and not self.hold.breaks:
                self.sway.add(t, landmarks)
        elif self.march is not None:
            upd.reps.extend(self._caller_rep(r) for r in self.march.update(t, values, flags, uncertainties))
        upd.phase = self.phase_name()
        wrong = self._wrong_side_towards_camera(values, view, primary)
        if wrong is not None:
            upd.counting, upd.turn_hint = False, wrong
        return upd

    def _wrong_side_towards_camera(self, values: Mapping[str, float], view: View, primary: float) -> str | None:
        """Side-on with the other side towards the camera: this side's signal is not measured while
        the other side's is, so nothing can count; say how to turn (a patient standing the other way
        saw "Go!" and no count, with no hint: a fourth audit, 2026-12-07)."""
        d = self.definition
        if view is not View.SIDE or self.side not in ("left", "right") or "{side}" not in d.signal:
            return None
        if math.isfinite(primary):
            return None
        other = "right" if self.side == "left" else "left"
        if not math.isfinite(signal_value(values, d.signal, other)):
            return None
        return f"Counting paused: turn round, your {self.side} side towards the camera"

    # -- progress ----------------------------------------------------------------------------
    def trace(self, start_t: float, end_t: float, pre_s: float = 0.5) -> tuple[list[float], list[float]]:
        """(times, primary values) of the counted frames from ``start_t − pre_s`` to ``end_t`` (caller's
        seconds; recent history only)."""
        pts = [(t, v) for t, v in self._history if start_t - pre_s <= t <= end_t]
        return [t for t, _ in pts], [v for _, v in pts]

    @property
    def rep_elapsed_s(self) -> float:
        """Seconds since the repetition in progress left the start position (NaN at rest / not a rep exercise)."""
        if self.counter is None or self.counter.attempt_start_t is None or self._t_prev is None:
            return math.nan
        return self._t_prev - self.counter.attempt_start_t

    @property
    def count(self) -> int:
        """Counted repetitions (``reps``) or steps (``gait``); 0 for holds."""
        if self.counter is not None:
            return self.counter.count
        if self.march is not None:
            return self.march.steps
        return 0

    @property
    def reps(self) -> list[RepResult]:
        """Every repetition (or step) so far, times on the caller's clock."""
        if self.counter is not None:
            return [self._caller_rep(r) for r in self.counter.reps]
        if self.march is not None:
            steps = sorted((r for c in self.march.counters.values() for r in c.reps), key=lambda r: r.end_t)
            return [self._caller_rep(r) for r in steps]
        return []

    def hold_status(self) -> HoldStatus | None:
        """The hold's progress (counted seconds only; ``first_break_t`` on the caller's clock)."""
        if self.hold is None:
            return None
        st = self.hold.status()
        if st.first_break_t is not None:
            st = replace(st, first_break_t=self.caller_time(st.first_break_t))
        return st

    def sway_result(self) -> SwayResult | None:
        return self.sway.result() if self.sway is not None else None

    def gait_result(self) -> GaitResult | None:
        return self.march.result() if self.march is not None else None

    def target_text(self) -> str:
        """What the target is, e.g. ``"left_shoulder_elevation ≥ 80°"`` (``each_…`` for both sides
        together); ``"… from your start"`` where the change from the person's resting value is
        counted (``baseline_s``), so the words match the number shown beside them."""
        d = self.definition
        name = fill(d.signal, self.side) if self.side in ("left", "right") else d.signal.replace("{side}", "each")
        text = d.target.range.describe(name, d.unit)
        if d.unit == "" and any(k in d.signal for k in ("_lift", "ankle_separation")):
            text += " leg lengths"  # a bare "≥ 0.05" (a fourth audit): the lifts are fractions of leg length
        return f"{text} from your start" if d.baseline_s > 0 else text


def _dedupe(conds: list[tuple[str, object]]) -> list:
    seen, out = set(), []
    for c in conds:
        if c[0] not in seen:
            seen.add(c[0])
            out.append(c)
    return out
