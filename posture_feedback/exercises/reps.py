"""Repetition counting: a phase state machine with hysteresis on one signal.

A repetition goes start zone → target zone → start zone. Zones are entered when the value
is inside the phase range and left only when it is more than ``hysteresis`` beyond it, so
jitter around a threshold neither ends a phase early nor counts twice. A movement that leaves
the start zone and returns without reaching the target is a *partial* repetition: reported
(``RepVerdict.PARTIAL``), never counted. Excursions shorter than ``min_attempt_s`` (from
leaving the start zone to the return's first sample), whether or not they touched the target,
and partial ones smaller than ``min_excursion`` of the start→target distance, are noise and
reported not at all. Until 2026-12-07 the duration rule applied to partial excursions only: a
two-frame jump of the model's ears on the desk webcam crop (ear–shoulder gap 48 → 25 → 35 → 46 %
of the shoulder width in 0.067 s, no shrug in the footage) was reported as a shoulder roll held
too briefly, with "Hold your shoulders up a moment longer" and "Slower on the way down".

The peak's uncertainty (the signal's 80% half-width at the peak sample, where the caller gives
one): a movement whose peak stopped short of the target, but by less than that uncertainty, may
have reached it. It is not counted (the measurement does not show it reached), but it is not
called partial either, and gets no "further" cue: it is *unsure* (``RepVerdict.UNSURE``). The
same holds the other way: a peak that passed the target by less than its uncertainty may not
have reached it, and is unsure too, not counted (until 2026-12-07 it was counted: a 2-frame
"squat" peaking at 58.6 ± 62.6° on the sports sample counted and got a tempo cue). A peak
beyond the target range's far end by less than its uncertainty is not flagged ``TOO_FAR``. A
wrong corrective cue trains the wrong movement.

Times are seconds of the caller's clock (frame timestamps); values are the signal's units
(degrees for angles).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from posture_feedback.exercises.definitions import Range, Tempo


class RepVerdict(str, enum.Enum):
    """Quality of one repetition, worst problem first."""

    GOOD = "good"
    PARTIAL = "partial"  #: left the start but never reached the target: not counted
    #: stopped short of the target by less than the peak's uncertainty: not counted, no cue
    UNSURE = "unsure"
    SHORT_HOLD = "short_hold"  #: reached the target but did not stay for the hold time: not counted
    COMPENSATED = "compensated"  #: a compensation was seen: not counted unless allowed
    TOO_FAST = "too_fast"  #: counted, tempo flagged
    TOO_SLOW = "too_slow"  #: counted, tempo flagged
    TOO_FAR = "too_far"  #: went beyond the target range's far end: counted, flagged

    def __str__(self) -> str:
        return self.value


class RepPhase(str, enum.Enum):
    """State of the counter."""

    WAITING = "waiting"  #: not yet in the start position
    START = "start"
    OUT = "out"  #: on the way to the target
    TARGET = "target"
    BACK = "back"  #: on the way back to the start

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class RepResult:
    """One repetition (or partial attempt).

    Attributes:
        number: 1-based attempt number (counted or not).
        count: the number of counted reps after this one.
        side: ``left``, ``right`` or ``both``.
        start_t, end_t: when it left the start zone and when it was back (seconds).
        peak: the furthest value towards (or past) the target (signal units).
        time_in_range_s: total time inside the target zone (seconds); NaN for an unsure repetition.
        hold_s: longest continuous stay in the target zone (seconds); NaN for an unsure repetition: the
            camera could not tell whether it reached the zone, so no time in it is stated (audit 32
            saw "unsure" beside 0.133 s in range, measured on the bare value, in the CSV and exports).
        out_s, back_s: duration of the way out (start left → target reached) and the way back
            (target left → start reached); NaN for a partial rep.
        compensations: names of compensations seen for at least their ``min_s``.
        issues: every problem found (``RepVerdict`` values), worst first.
        verdict: the worst problem, or GOOD.
        counted: whether it counts towards the set.
    """

    number: int
    count: int
    side: str
    start_t: float
    end_t: float
    peak: float
    time_in_range_s: float
    hold_s: float
    out_s: float
    back_s: float
    compensations: tuple[str, ...]
    issues: tuple[RepVerdict, ...]
    verdict: RepVerdict
    counted: bool
    peak_uncertainty: float = math.nan  #: the signal's 80% half-width at the peak (NaN: unknown)
    #: the target's edge the peak was judged against, in the signal's values (``target.low`` for a signal
    #: that rises to its target, ``target.high`` for one that falls); NaN: not known
    goal: float = math.nan

    @property
    def duration_s(self) -> float:
        return self.end_t - self.start_t


_ORDER = (
    RepVerdict.PARTIAL, RepVerdict.UNSURE, RepVerdict.SHORT_HOLD, RepVerdict.COMPENSATED,
    RepVerdict.TOO_FAST, RepVerdict.TOO_SLOW, RepVerdict.TOO_FAR,
)  # fmt: skip
_COUNTED = {RepVerdict.GOOD, RepVerdict.TOO_FAST, RepVerdict.TOO_SLOW, RepVerdict.TOO_FAR}


@dataclass
class _Attempt:
    start_t: float
    peak_p: float
    peak_u: float = math.nan  # the uncertainty of the peak sample
    in_range_s: float = 0.0
    dwell_start: float | None = None
    longest_dwell: float = 0.0
    reach_t: float | None = None
    leave_target_t: float | None = None
    flagged_s: dict[str, float] = field(default_factory=dict)


#: Seconds a return to the start zone must last (two samples in it at least this far apart, none
#: beyond its hysteresis between) before it ends the attempt: a few frames of a landmark glitch
#: dipping into the start zone are not a return. A new-user audit saw one slow arm raise on the
#: upper webcam crop (4-camera reference: one raise, peak 76.8°) counted as three attempts, two
#: told "Lift your arm higher": the arm signal went 50.5 → 21.9 → 33.7° (one frame) and
#: 42.2 → missing → 3.3 → 28.9 → 37.5° (two frames) at 30 fps. 0.1 s: four frames at 30 fps,
#: two samples at the monitor's 10 fps; the count is said 0.1 s later.
RETURN_CONFIRM_S = 0.1


class RepCounter:
    """Counts repetitions of one signal between a start range and a target range.

    An attempt ends when the signal is back in the start zone for ``RETURN_CONFIRM_S``; the
    repetition is reported with that confirming sample, and its end time is the return's first
    sample (so a return in a recording's very last frame is not reported).

    Args:
        start: range of the start phase (only its bound towards the target matters).
        target: range of the target phase (a far bound, if finite, flags overshoot).
        hysteresis: signal units a value must go beyond a zone's bound to leave the zone.
        hold_s: seconds to stay in the target zone for the rep to count.
        tempo: allowed durations of the way out and back.
        min_excursion: fraction of the start→target distance an excursion must reach to be
            reported as a partial rep (smaller ones are ignored as noise).
        min_attempt_s: seconds an excursion must last to be reported at all (partial or not).
        compensation_min_s: name → seconds a compensation must be flagged within a rep to count.
        count_compensated: count reps with compensations (they are still flagged).
        side: label copied into results.
    """

    def __init__(
        self,
        start: Range,
        target: Range,
        hysteresis: float = 5.0,
        hold_s: float = 0.0,
        tempo: Tempo | None = None,
        min_excursion: float = 0.25,
        min_attempt_s: float = 0.3,
        compensation_min_s: dict[str, float] | None = None,
        count_compensated: bool = False,
        side: str = "both",
    ) -> None:
        if start.high < target.low:
            self._sign = 1.0
            self._s, self._g = start.high, target.low
            self._far = target.high
        elif target.high < start.low:
            self._sign = -1.0
            self._s, self._g = -start.low, -target.high
            self._far = -target.low
        else:
            raise ValueError(f"start {start.describe()} and target {target.describe()} overlap")
        self.start, self.target = start, target
        self.hysteresis = max(0.0, min(hysteresis, (self._g - self._s) / 2))
        self.hold_s = hold_s
        self.tempo = tempo or Tempo()
        self.min_excursion = min_excursion
        self.min_attempt_s = min_attempt_s
        self.compensation_min_s = dict(compensation_min_s or {})
        self.count_compensated = count_compensated
        self.side = side
        self.phase = RepPhase.WAITING
        self.reps: list[RepResult] = []
        self.count = 0
        self._attempt: _Attempt | None = None
        self._t_prev: float | None = None
        self._return_t: float | None = None  # first sample of a return to the start zone, not yet confirmed
        self.last_value = math.nan

    @property
    def attempt_start_t(self) -> float | None:
        """When the repetition in progress left the start zone (seconds), None at rest."""
        return None if self._attempt is None else self._attempt.start_t

    @property
    def value_progress(self) -> float:
        """Fraction of the way from the start bound to the target bound for the last value (NaN if unknown)."""
        if math.isnan(self.last_value):
            return math.nan
        return (self._sign * self.last_value - self._s) / (self._g - self._s)

    def update(
        self, t: float, value: float, flags: Iterable[str] = (), uncertainty: float = math.nan
    ) -> RepResult | None:
        """Feed one sample (time in seconds, signal value; NaN = not measured, ignored).

        ``flags`` are the compensations seen in this sample; ``uncertainty`` the value's 80%
        half-width (signal units; NaN = unknown). Returns the repetition (counted or partial)
        that finished with this sample, else None.
        """
        dt = 0.0 if self._t_prev is None else max(0.0, t - self._t_prev)
        self._t_prev = t
        a = self._attempt
        if a is not None:
            for name in flags:
                a.flagged_s[name] = a.flagged_s.get(name, 0.0) + dt
            if self.phase is RepPhase.TARGET:
                a.in_range_s += dt
        if math.isnan(value):
            return None
        self.last_value = value
        p = self._sign * value
        h = self.hysteresis
        if self.phase in (RepPhase.WAITING, RepPhase.START):
            if p <= self._s:
                self.phase = RepPhase.START
            elif self.phase is RepPhase.START and p > self._s + h:
                self._attempt = _Attempt(start_t=t, peak_p=p, peak_u=uncertainty)
                self.phase = RepPhase.OUT
                return self._enter_target(t) if p >= self._g else None
            return None
        assert a is not None
        if p > a.peak_p:
            a.peak_p, a.peak_u = p, uncertainty
        if p > self._s + h:
            self._return_t = None  # out of the start zone again (beyond its hysteresis): a glitch, not a return
        if self.phase is RepPhase.OUT:
            if p >= self._g:
                return self._enter_target(t)
            if p <= self._s:
                return self._returned(t, partial=True)
        elif self.phase is RepPhase.TARGET:
            if p < self._g - h:
                self._leave_target(t)
                if p <= self._s:
                    return self._returned(t, partial=False)
        elif self.phase is RepPhase.BACK:
            if p >= self._g:
                return self._enter_target(t)
            if p <= self._s:
                return self._returned(t, partial=False)
        return None

    def _returned(self, t: float, partial: bool) -> RepResult | None:
        """A sample in the start zone: the attempt ends once the return lasts ``RETURN_CONFIRM_S``
        (dated from its first sample)."""
        if self._return_t is None:
            self._return_t = t
        if t - self._return_t + 1e-9 < RETURN_CONFIRM_S:
            return None
        return self._finish(self._return_t, partial=partial)

    def _enter_target(self, t: float) -> None:
        a = self._attempt
        assert a is not None
        self.phase = RepPhase.TARGET
        if a.reach_t is None:
            a.reach_t = t
        a.dwell_start = t
        return None

    def _leave_target(self, t: float) -> None:
        a = self._attempt
        assert a is not None and a.dwell_start is not None
        a.longest_dwell = max(a.longest_dwell, t - a.dwell_start)
        a.dwell_start = None
        a.leave_target_t = t
        self.phase = RepPhase.BACK

    def _finish(self, t: float, partial: bool) -> RepResult | None:
        a = self._attempt
        assert a is not None
        self._attempt = None
        self._return_t = None
        self.phase = RepPhase.START
        if t - a.start_t < self.min_attempt_s or (
            partial and a.peak_p < self._s + max(self.hysteresis, self.min_excursion * (self._g - self._s))
        ):
            # too short to be a movement (whether or not it touched the target: a one- or two-frame
            # jump of the model is not a shrug), or too small to be an attempt: noise
            return None
        comps = tuple(sorted(n for n, s in a.flagged_s.items() if s >= self.compensation_min_s.get(n, 0.0) and s > 0))
        issues: list[RepVerdict] = []
        out_s = back_s = math.nan
        if partial:
            # short of the target by less than the peak's uncertainty: it may have reached it
            issues.append(RepVerdict.UNSURE if a.peak_p + a.peak_u >= self._g else RepVerdict.PARTIAL)
        else:
            assert a.reach_t is not None and a.leave_target_t is not None
            out_s = a.reach_t - a.start_t
            back_s = t - a.leave_target_t
            if a.peak_p - a.peak_u < self._g:
                # reached the target by less than the peak's uncertainty: it may not have
                issues.append(RepVerdict.UNSURE)
            if a.longest_dwell + 1e-9 < self.hold_s:
                issues.append(RepVerdict.SHORT_HOLD)
            # durations on a frame grid carry float rounding (0.8 s read as 0.79999999): a bound met
            # to within a microsecond is met
            if out_s < self.tempo.out_s.low - 1e-6 or back_s < self.tempo.back_s.low - 1e-6:
                issues.append(RepVerdict.TOO_FAST)
            if out_s > self.tempo.out_s.high + 1e-6 or back_s > self.tempo.back_s.high + 1e-6:
                issues.append(RepVerdict.TOO_SLOW)
            if a.peak_p > self._far and not a.peak_p - a.peak_u <= self._far:  # NaN: flagged
                issues.append(RepVerdict.TOO_FAR)
        if comps:
            issues.append(RepVerdict.COMPENSATED)
        issues.sort(key=_ORDER.index)
        verdict = issues[0] if issues else RepVerdict.GOOD
        counted = all(i in _COUNTED or (i is RepVerdict.COMPENSATED and self.count_compensated) for i in issues)
        if counted:
            self.count += 1
        unsure = RepVerdict.UNSURE in issues  # no time in a zone the camera cannot tell it reached
        rep = RepResult(
            number=len(self.reps) + 1,
            count=self.count,
            side=self.side,
            start_t=a.start_t,
            end_t=t,
            peak=self._sign * a.peak_p,
            time_in_range_s=math.nan if unsure else a.in_range_s,
            hold_s=math.nan if unsure else a.longest_dwell,
            out_s=out_s,
            back_s=back_s,
            compensations=comps,
            issues=tuple(issues),
            verdict=verdict,
            counted=counted,
            peak_uncertainty=a.peak_u,
            goal=self._sign * self._g,
        )
        self.reps.append(rep)
        return rep

    def reset(self) -> None:
        """Forget all reps and wait for the start position again."""
        self.phase = RepPhase.WAITING
        self.reps.clear()
        self.count = 0
        self._attempt = None
        self._t_prev = None
        self._return_t = None
        self.last_value = math.nan
