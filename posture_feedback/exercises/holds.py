"""Hold timing: time accumulates only while every condition is *surely* in its range.

Each condition is judged in every sample from its value ``v`` and the value's 80% uncertainty ``u``
(its ±, where the caller gives one) by the project's one rule for "uncertain",
``targets.undecided``: the interval ``v ± u`` against the range and a tolerance band outside it.

* **in**: not undecided and ``v`` in the range, or — once the condition is in — within the range
  widened by ``hysteresis`` (so jitter at a bound does not stop the clock). The tolerance is the
  hysteresis once in and 0 before: to *enter*, the whole interval must lie inside the range itself
  (a hold not yet in has no hysteresis to lean on); to *stay*, inside the range ± hysteresis.
* **out**: not undecided and not in: the interval lies wholly outside the range (and ``v`` beyond
  the tolerance band), however wide it is.
* **unsure**: undecided (the interval reaches both the range and beyond the tolerance band), or
  the value is missing: the measurement cannot tell in from out.

The hold is *in* when every condition is in, *out* when any condition is out, else *unsure*. Held
time is the sum of the in time (left Riemann sum over sample intervals). While unsure the clock
stops, no break is declared and no "Back into position" is said: nothing is credited or blamed on
a value that may be either. A hold is *broken* once it has been surely out for ``min_break_s``
(unsure samples in between neither count towards that nor reset it; an in sample resets it); it
*resumes* when back in. ``too_uncertain``: a condition's ± is wider than its acceptance band
(``2u`` > the range's width + twice the tolerance), so no position at all could be confirmed in
this sample: the person should be told the measurement cannot time the hold, not left with a
frozen clock. Times are seconds; values in signal units. Before 2026-12-08 a value inside its range
was credited whatever its ±: a single-leg stance on a leg the man never stood on was credited
0.4 s (foot lift 0.1 ± 0.083 against ≥ 0.05), an upright sitting hold "Hold" on −0.5 ± 25° against
−10…+12°.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from posture_feedback.exercises.definitions import Range, fill
from posture_feedback.targets import undecided

#: A hold's (or a condition's) state in a sample: surely in position.
IN = "in"
#: The measurement cannot tell in from out: the clock stops, nothing is declared.
UNSURE = "unsure"
#: Surely out of position.
OUT = "out"
HOLD_STATES: tuple[str, ...] = (IN, UNSURE, OUT)


def condition_label(name: str) -> str:
    """A condition's name as a person reads it: "left:{other}_foot_lift" (the tracker's key for the
    left-side set) → "right_foot_lift"; unsided names as they are. The JSON said
    "left:{other}_foot_lift" (a fourth audit, 2026-12-07)."""
    side, sep, signal = name.partition(":")
    return fill(signal, side) if sep and side in ("left", "right") else name


def condition_state(value: float, uncertainty: float, rng: Range, tolerance: float) -> str:
    """``IN``, ``UNSURE`` or ``OUT`` for ``value ± uncertainty`` (signal units, 80% half-width; NaN
    or 0 = unknown, judged on the value alone) against ``rng`` with the tolerance band ``tolerance``
    (the hold's hysteresis once the condition is in, else 0): ``targets.undecided`` decides unsure;
    otherwise in when ``value`` lies within the range widened by ``tolerance``. A missing value
    (NaN) is unsure: it is not measured, so neither in nor out."""
    if math.isnan(value):
        return UNSURE
    unc = 0.0 if math.isnan(uncertainty) else uncertainty
    if undecided(value, unc, rng.low, rng.high, tolerance):
        return UNSURE
    return IN if rng.contains(value, tolerance) else OUT


def wider_than_range(uncertainty: float, rng: Range, tolerance: float) -> bool:
    """True when an interval of half-width ``uncertainty`` cannot fit inside ``rng`` widened by
    ``tolerance`` (``2u > high − low + 2·tolerance``): whatever the value, the condition cannot be
    confirmed in. Never for a one-sided range or an unknown (NaN) uncertainty."""
    width = rng.high - rng.low + 2.0 * tolerance
    return math.isfinite(width) and uncertainty == uncertainty and 2.0 * uncertainty > width


@dataclass(frozen=True)
class TooUncertain:
    """Why a hold cannot be timed now: the condition (as a person reads it, ``condition_label``),
    its ± (signal units) and its range."""

    condition: str
    uncertainty: float
    range: Range


@dataclass(frozen=True)
class HoldStatus:
    """Snapshot of a hold.

    Attributes:
        held_s: total seconds surely in position so far.
        target_s: seconds to reach.
        in_range: whether every condition is surely in position now (``state == "in"``).
        breaks: how many times the hold was broken.
        longest_s: longest in-position time not interrupted by a surely-out sample (unsure samples
            stop its clock but do not end it).
        first_break_t: time (caller clock) of the first break, None if never broken.
        time_to_first_break_s: held seconds before the first break (balance: time until lost).
        complete: ``held_s`` reached ``target_s``.
        failing: names of the conditions surely out of position now.
        state: ``"in"``, ``"unsure"`` or ``"out"`` now (``""`` before the first sample).
        unsure_s: seconds the measurement could not tell in from out (the clock stopped, no break).
        out_s: seconds surely out of position.
        unsure: names of the conditions unsure now.
        too_uncertain_s: seconds of ``unsure_s`` in which a condition's ± was wider than its range
            could hold (``wider_than_range``): the hold could not be timed at all then. Never while
            another condition is surely out (the hold is out then, not untimeable).
    """

    held_s: float
    target_s: float
    in_range: bool
    breaks: int
    longest_s: float
    first_break_t: float | None
    time_to_first_break_s: float | None
    complete: bool
    failing: tuple[str, ...]
    state: str = ""
    unsure_s: float = 0.0
    out_s: float = 0.0
    unsure: tuple[str, ...] = ()
    too_uncertain_s: float = 0.0

    @property
    def remaining_s(self) -> float:
        return max(0.0, self.target_s - self.held_s)

    @property
    def judged(self) -> bool:
        """False when the measurement decided less of the hold than it left unsure (``unsure_s``
        above ``held_s + out_s``) and the target was not reached: what was held cannot be called
        good or poor, only not judged."""
        return self.complete or self.unsure_s <= self.held_s + self.out_s


class HoldTimer:
    """Times a hold on named conditions ``(name, Range)``.

    ``update`` returns the events of this sample: ``"started"`` (first time in position),
    ``"broken"``, ``"resumed"``, ``"complete"``. ``state`` is the hold's state now (``IN``,
    ``UNSURE``, ``OUT``) and ``too_uncertain`` why it cannot be timed now (None unless unsure).
    """

    def __init__(
        self,
        conditions: Sequence[tuple[str, Range]],
        target_s: float,
        hysteresis: float = 3.0,
        min_break_s: float = 0.3,
    ) -> None:
        if not conditions:
            raise ValueError("a hold needs at least one condition")
        self.conditions = list(conditions)
        self.target_s = target_s
        self.hysteresis = hysteresis
        self.min_break_s = min_break_s
        self._in = [False] * len(self.conditions)  # each condition's last decided state (in / out)
        self._states: list[str] = [UNSURE] * len(self.conditions)
        self._t_prev: float | None = None
        self.state = ""
        self.too_uncertain: TooUncertain | None = None
        self._too_uncertain_prev = False
        self.held_s = 0.0
        self.unsure_s = 0.0
        self.out_s = 0.0
        self.too_uncertain_s = 0.0
        self._stretch_s = 0.0
        self.longest_s = 0.0
        self._out_since: float | None = None  # first surely-out sample since the hold was last in
        self._out_run_s = 0.0  # surely-out seconds since then
        self._started = False
        self._broken = False
        self.breaks = 0
        self.first_break_t: float | None = None
        self.time_to_first_break_s: float | None = None
        self.complete = False

    def update(
        self, t: float, values: Mapping[str, float], uncertainties: Mapping[str, float] | None = None
    ) -> list[str]:
        """Feed one sample at time ``t`` (seconds): condition name → value (missing or NaN: not
        measured, unsure), and optionally name → the value's 80% uncertainty (missing or NaN:
        unknown, the value alone decides)."""
        events: list[str] = []
        if self._t_prev is not None:  # the interval since the last sample belongs to that sample's state
            dt = max(0.0, t - self._t_prev)
            if self.state == IN:
                self.held_s += dt
                self._stretch_s += dt
                self.longest_s = max(self.longest_s, self._stretch_s)
            elif self.state == UNSURE:
                self.unsure_s += dt
            elif self.state == OUT:
                self.out_s += dt
                if self._out_since is not None:
                    self._out_run_s += dt
            if self._too_uncertain_prev:
                self.too_uncertain_s += dt
        self._t_prev = t
        unc = uncertainties or {}
        self.too_uncertain = None
        for i, (name, rng) in enumerate(self.conditions):
            v = float(values.get(name, math.nan))
            u = float(unc.get(name, math.nan))
            tol = self.hysteresis if self._in[i] else 0.0
            s = condition_state(v, u, rng, tol)
            self._states[i] = s
            if s != UNSURE:
                self._in[i] = s == IN
            elif self.too_uncertain is None and not math.isnan(v) and wider_than_range(u, rng, tol):
                self.too_uncertain = TooUncertain(condition_label(name), u, rng)
        if all(s == IN for s in self._states):
            state = IN
        elif any(s == OUT for s in self._states):
            state = OUT
        else:
            state = UNSURE
        self.state = state
        if state != UNSURE:  # surely out on another condition: out, not "cannot be timed"
            self.too_uncertain = None
        self._too_uncertain_prev = self.too_uncertain is not None
        if state == IN:
            self._out_since, self._out_run_s = None, 0.0
            if not self._started:
                self._started = True
                events.append("started")
            elif self._broken:
                self._broken = False
                events.append("resumed")
        elif state == OUT:
            self._stretch_s = 0.0  # a stretch is continuous between surely-out samples (unsure ones do not end it)
        if state == OUT and self._started and not self._broken:
            if self._out_since is None:
                self._out_since, self._out_run_s = t, 0.0
            if self._out_run_s >= self.min_break_s - 1e-9:
                self._broken = True
                self.breaks += 1
                if self.first_break_t is None:
                    self.first_break_t = self._out_since
                    self.time_to_first_break_s = self.held_s
                events.append("broken")
        if not self.complete and self.held_s >= self.target_s - 1e-9:
            self.complete = True
            events.append("complete")
        return events

    @property
    def in_range(self) -> bool:
        """Every condition surely in position in the last sample."""
        return self.state == IN

    def status(self) -> HoldStatus:
        names = [condition_label(n) for n, _ in self.conditions]
        return HoldStatus(
            held_s=self.held_s,
            target_s=self.target_s,
            in_range=self.state == IN,
            breaks=self.breaks,
            longest_s=self.longest_s,
            first_break_t=self.first_break_t,
            time_to_first_break_s=self.time_to_first_break_s,
            complete=self.complete,
            failing=tuple(n for n, s in zip(names, self._states, strict=True) if s == OUT),
            state=self.state,
            unsure_s=self.unsure_s,
            out_s=self.out_s,
            unsure=tuple(n for n, s in zip(names, self._states, strict=True) if s == UNSURE and self.state),
            too_uncertain_s=self.too_uncertain_s,
        )
