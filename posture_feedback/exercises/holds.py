"""Hold timing: time accumulates only while every condition is in range.

Each condition is *in* once its value is inside its range and stays in until the value is
more than ``hysteresis`` outside it (so jitter at a bound does not stop the clock). A hold
is *broken* when a condition has been surely out for ``min_break_s`` after having been in; it
*resumes* when back in. *Surely out*: more than its value's 80% uncertainty (where the caller
gives one) outside the range. Between in and surely out the clock stops
but no break is declared, and no "Back into position" cue is given on a value that may still be
in position. Held time is the sum of in-range time (left Riemann sum over frame intervals).
Times are seconds; values in signal units.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from posture_feedback.exercises.definitions import Range, fill


def condition_label(name: str) -> str:
    """A condition's name as a person reads it: "left:{other}_foot_lift" (the tracker's key for the
    left-side set) → "right_foot_lift"; unsided names as they are. The JSON said
    "left:{other}_foot_lift" (a fourth audit, 2026-12-07)."""
    side, sep, signal = name.partition(":")
    return fill(signal, side) if sep and side in ("left", "right") else name


@dataclass(frozen=True)
class HoldStatus:
    """Snapshot of a hold.

    Attributes:
        held_s: total seconds in range so far.
        target_s: seconds to reach.
        in_range: whether every condition is in range now.
        breaks: how many times the hold was broken.
        longest_s: longest continuous in-range stretch.
        first_break_t: time (caller clock) of the first break, None if never broken.
        time_to_first_break_s: held seconds before the first break (balance: time until lost).
        complete: ``held_s`` reached ``target_s``.
        failing: names of the conditions out of range now.
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

    @property
    def remaining_s(self) -> float:
        return max(0.0, self.target_s - self.held_s)


class HoldTimer:
    """Times a hold on named conditions ``(name, Range)``.

    ``update`` returns the events of this sample: ``"started"`` (first time in range),
    ``"broken"``, ``"resumed"``, ``"complete"``.
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
        self._in = [False] * len(self.conditions)
        self._t_prev: float | None = None
        self._all_in_prev = False
        self.held_s = 0.0
        self._stretch_start: float | None = None
        self._stretch_s = 0.0
        self.longest_s = 0.0
        self._out_since: float | None = None
        self._started = False
        self._broken = False
        self.breaks = 0
        self.first_break_t: float | None = None
        self.time_to_first_break_s: float | None = None
        self.complete = False

    def _condition_in(self, i: int, value: float) -> bool:
        rng = self.conditions[i][1]
        if math.isnan(value):
            return False
        if self._in[i]:
            return rng.contains(value, self.hysteresis)
        return rng.contains(value)

    def _surely_out(self, i: int, value: float, uncertainty: float) -> bool:
        """Outside the range by more than the value's uncertainty (unknown: 0, so any value out
        of range counts, as without uncertainties); a missing value counts."""
        if math.isnan(value):
            return True
        return not self.conditions[i][1].contains(value, 0.0 if math.isnan(uncertainty) else uncertainty)

    def update(
        self, t: float, values: Mapping[str, float], uncertainties: Mapping[str, float] | None = None
    ) -> list[str]:
        """Feed one sample: condition name → value (a missing or NaN value counts as out of range),
        and optionally name → the value's 80% uncertainty (a break needs a value surely out)."""
        events: list[str] = []
        if self._t_prev is not None and self._all_in_prev:
            dt = max(0.0, t - self._t_prev)
            self.held_s += dt
            self._stretch_s += dt
            self.longest_s = max(self.longest_s, self._stretch_s)
        self._t_prev = t
        self._in = [
            self._condition_in(i, float(values.get(name, math.nan))) for i, (name, _) in enumerate(self.conditions)
        ]
        all_in = all(self._in)
        unc = uncertainties or {}
        surely_out = not all_in and any(
            not self._in[i] and self._surely_out(i, float(values.get(name, math.nan)), float(unc.get(name, math.nan)))
            for i, (name, _) in enumerate(self.conditions)
        )
        if all_in:
            self._out_since = None
            if not self._started:
                self._started = True
                events.append("started")
            elif self._broken:
                self._broken = False
                events.append("resumed")
            if not self._all_in_prev:
                self._stretch_s = 0.0
        elif self._started and not self._broken and not surely_out:
            self._out_since = None  # out, but maybe not: the clock stops, no break is declared
        elif self._started and not self._broken:
            if self._out_since is None:
                self._out_since = t
            if t - self._out_since >= self.min_break_s:
                self._broken = True
                self.breaks += 1
                if self.first_break_t is None:
                    self.first_break_t = self._out_since
                    self.time_to_first_break_s = self.held_s
                events.append("broken")
        self._all_in_prev = all_in
        if not self.complete and self.held_s >= self.target_s - 1e-9:
            self.complete = True
            events.append("complete")
        return events

    @property
    def in_range(self) -> bool:
        return self._all_in_prev

    def status(self) -> HoldStatus:
        return HoldStatus(
            held_s=self.held_s,
            target_s=self.target_s,
            in_range=self._all_in_prev,
            breaks=self.breaks,
            longest_s=self.longest_s,
            first_break_t=self.first_break_t,
            time_to_first_break_s=self.time_to_first_break_s,
            complete=self.complete,
            failing=tuple(condition_label(n) for (n, _), ok in zip(self.conditions, self._in, strict=False) if not ok),
        )
