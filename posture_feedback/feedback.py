"""From per-target verdicts to what the person is told: one cue at a time, and a gentle posture monitor.

* ``CueSelector`` picks the single cue to show in the mirror view (priority first, then how far
  out of range, normalised by the target's tolerance) and holds it long enough to be read.
* ``DeviationMonitor`` is the "posture monitor" for laptop work: it raises an ``Alert`` only when
  a deviation persists, backs off between repeated alerts, and counts the day's time in good
  posture.

Both are stateful and take ``t`` in seconds (any monotonic clock; the frame timestamp is fine).
Inputs are the ``TargetState`` lists produced by ``targets.TargetEvaluator``.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from posture_feedback.types import TargetState, Verdict

#: Optional encouragement shown briefly when the person comes back into range.
DEFAULT_PRAISE = "Good — hold it"

_OUT = (Verdict.LOW, Verdict.HIGH)
_OFF = (Verdict.LOW, Verdict.HIGH, Verdict.NEAR)


def distance_out(state: TargetState) -> float:
    """Degrees by which the state's value lies outside its effective range (0 inside, NaN if unknown)."""
    v = state.value
    if not state.verdict.judged or v != v or state.low != state.low:
        return math.nan
    if v < state.low:
        return state.low - v
    if v > state.high:
        return v - state.high
    return 0.0


def cue_verdict(state: TargetState) -> Verdict:
    """The debounced verdict that decides cues and sounds (``TargetState.cue_verdict``, else ``verdict``)."""
    return state.cue_verdict if state.cue_verdict is not None else state.verdict


def against_side(state: TargetState, side: int) -> bool:
    """True when the state's value lies on the other side of its range than ``side``
    (-1: a cue given below the range, +1: above): a cue for ``side`` would point against the number."""
    v = state.value
    if not state.verdict.judged or v != v:
        return False
    return v > state.high if side < 0 else v < state.low


def _side_of(state: TargetState) -> int:
    """-1 when the state's value is below its range (or nearer its low bound), +1 otherwise."""
    v = state.value
    if v < state.low:
        return -1
    if v > state.high:
        return 1
    return -1 if v - state.low < state.high - v else 1


#: Said while the person just chosen (a click) is being taken over (``FrameResult.target_pending``).
FINDING_TEXT = "Finding the person you chose…"


def nobody_followed_text(people: int, pending: bool = False, choose_with: str | None = None) -> str:
    """What to tell the user when no person is followed, given how many people are in view.

    "Step into view" only when nobody is in view; while the chosen person is being taken over
    (``pending``), ``FINDING_TEXT``; otherwise how to choose whom to follow: a click, or on a
    recording that cannot be clicked ``choose_with`` (e.g. "--person X,Y").
    """
    if pending and people > 0:
        return FINDING_TEXT
    if people <= 0:
        return "Step into view"
    if people == 1:
        how = "click them to follow" if choose_with is None else f"choose them with {choose_with}"
        return f"1 person in view, not followed: {how}"
    how = "click the one to follow" if choose_with is None else f"choose one with {choose_with}"
    return f"{people} people in view: {how}"


def uncertain_text(
    states: Sequence[TargetState], vertical: str, names: Mapping[str, str] | None = None
) -> str | None:
    """Why some targets show "UNSURE" (``Verdict.UNCERTAIN``) and what helps, or None when none do:
    "UNSURE (Head level: ±24°, more than the 3° a verdict may be off by): …", the target named as its
    gauge is (``names``: target id → ``Target.display_name``; else the built-in presets' names, else
    the id in words). Until audit 30 it read "head tilt ±24° against a 3° band" beside a gauge titled
    "Head level": another name, and "band" said nothing to a patient.

    With the camera assumed level (``vertical`` "level" or "searching") the tilts carry the ±20° of
    an unknown camera vertical; otherwise the measurement itself is too uncertain (movement, view,
    hidden landmarks)."""
    unsure = [s for s in states if s.verdict is Verdict.UNCERTAIN]
    if not unsure:
        return None
    worst = max(unsure, key=lambda s: s.uncertainty if s.uncertainty == s.uncertainty else 0.0)
    u = worst.uncertainty
    name = (names or {}).get(worst.target) or _preset_names().get(worst.target) or worst.target.replace("_", " ")
    what = f"{name}: ±{u:.0f}°, more than the {worst.tolerance:.0f}° a verdict may be off by" if u == u else ""
    if vertical == "searching":
        why = "the camera's vertical is still being measured from the room's lines"
    elif vertical == "level":
        why = ("the camera's vertical is unknown (no door frames, shelves or wall corners in view): "
               "bring one into view, or calibrate the camera (posture-feedback calibrate camera)")  # fmt: skip
    else:
        why = "hold still where the camera sees you clearly"  # not "face the camera": side-on targets exist
    return f"UNSURE ({what}): {why}" if what else f"UNSURE: {why}"


@functools.cache
def _preset_names() -> dict[str, str]:
    """Target id → its gauge's name over the built-in presets ("head_tilt" → "Head level")."""
    from posture_feedback.presets import PRESETS

    return {t.id: t.display_name for ts in PRESETS.values() for t in ts.targets}


def vertical_status_text(vertical: str, level_asked: bool = False) -> tuple[str, str]:
    """(a short status line, its longer explanation) for where the camera's vertical comes from
    (``FrameResult.vertical``); unknown, every angle against the vertical (trunk, head, tilts) carries
    its ±20°, and the explanation says what helps. ``level_asked``: a level camera was asked for
    (``--camera level``, a configuration's ``scene_vertical = false``): said so, not "unknown" with
    advice to bring lines into view (review 29)."""
    from posture_feedback.kinematics import LEVEL_UP_UNCERTAINTY_DEG

    if vertical == "level" and level_asked:
        return (f"Camera vertical: level, as set (±{LEVEL_UP_UNCERTAINTY_DEG:.0f}°)",
                f"A level camera is assumed, as asked (--camera level, or scene_vertical = false): the trunk's and "
                f"head's angles carry ±{LEVEL_UP_UNCERTAINTY_DEG:.0f}° for it. Without that setting the camera's "
                "vertical is read from the room's lines.")  # fmt: skip

    if vertical == "calibrated":
        return "Camera vertical: calibrated", "The camera's vertical comes from its stored calibration."
    if vertical == "scene":
        return "Camera vertical: from the room", "The camera's vertical comes from the room's vertical lines."
    if vertical == "searching":
        return "Camera vertical: measuring…", "The camera's vertical is being measured from the room's lines."
    return (f"Camera vertical unknown (±{LEVEL_UP_UNCERTAINTY_DEG:.0f}°)",
            f"The camera's vertical is unknown: the trunk's and head's angles carry ±{LEVEL_UP_UNCERTAINTY_DEG:.0f}° "
            "for it. Bring a door frame or shelf into view, or calibrate the camera "
            "(posture-feedback calibrate camera).")  # fmt: skip


class CueSelector:
    """Chooses the one cue to show, and holds it so it can be read.

    Rules:

    * Candidates are targets whose debounced ``cue_verdict`` is out of range (``LOW``/``HIGH``;
      also ``NEAR`` if ``cue_near``) and that have a cue due (``TargetState.cue``; the evaluator
      never gives a cue that points against the value).
    * Best candidate: highest ``priority``, then the largest distance outside the range divided by
      the target's tolerance (degrees / degrees; a tolerance of 0 counts as 1°), then the earlier
      target in the list.
    * A shown cue is kept at least ``min_hold_s`` seconds, so it can be read. After that it is
      replaced only by a candidate of strictly higher priority, or when its own target is back in
      range (or unknown): then the next best candidate is shown, or nothing. Its target back in
      range (its debounced ``cue_verdict``) ends it at once, hold or not: a cue beside "OK"
      would ask for more of a correction already made.
    * Never kept against the number: a shown cue is dropped at once when its target's value moves
      to the other side of the range, when its target's value becomes undecided
      (``Verdict.UNCERTAIN``: the cue would contradict the "UNSURE" beside the number), when its
      target has been unknown for more than ``unknown_grace_s``, and every cue is dropped at once
      when no target is known (nobody followed, or nothing judged in this view).
    * A target that improved from out to ``NEAR`` keeps its cue (the person is not there yet).
    * If ``praise`` is set (e.g. ``DEFAULT_PRAISE``), it is shown for ``praise_s`` seconds when the
      cued target's value comes back into range and no other cue is due.

    Args:
        min_hold_s: seconds a cue stays up at least.
        tolerances: target id → tolerance in degrees (``TargetSet.tolerances()``); missing ids use 1°.
        praise: encouraging text on coming back into range, None for none.
        praise_s: seconds the praise stays up (a new cue replaces it at once).
        cue_near: also cue targets that are only ``NEAR``.
        unknown_grace_s: seconds a shown cue survives its target being unknown (a landmark
            drop-out); after that it goes, even during the hold (its gauge shows "—").
    """

    def __init__(
        self,
        min_hold_s: float = 2.5,
        tolerances: Mapping[str, float] | None = None,
        praise: str | None = None,
        praise_s: float = 1.5,
        cue_near: bool = False,
        unknown_grace_s: float = 0.5,
    ) -> None:
        self.min_hold_s = float(min_hold_s)
        self.tolerances = dict(tolerances or {})
        self.praise = praise
        self.praise_s = float(praise_s)
        self.cue_near = cue_near
        self.unknown_grace_s = float(unknown_grace_s)
        self.reset()

    def reset(self) -> None:
        """Clear the shown cue and its timer."""
        self._text: str | None = None
        self._target: str | None = None
        self._priority = 0
        self._side = 0
        self._unknown_since: float | None = None
        self._since = -math.inf
        self._praise_until = -math.inf

    @property
    def current(self) -> str | None:
        """The text shown now (cue or praise), None when nothing is shown."""
        return self._text

    @property
    def current_target(self) -> str | None:
        """Id of the target whose cue is shown (None for nothing or praise)."""
        return self._target

    def _severity(self, s: TargetState) -> float:
        d = distance_out(s)
        tol = self.tolerances.get(s.target, 1.0)
        return (0.0 if d != d else d) / (tol if tol > 0 else 1.0)

    def update(self, states: Sequence[TargetState], t: float) -> str | None:
        """The text to show at time ``t`` (seconds) given this frame's target states."""
        wanted = (Verdict.LOW, Verdict.HIGH, Verdict.NEAR) if self.cue_near else _OUT
        best: TargetState | None = None
        best_key: tuple[float, float] = (-math.inf, -math.inf)
        own: TargetState | None = None
        any_known = False
        for s in states:
            any_known = any_known or s.verdict.judged
            if s.target == self._target:
                own = s
            if cue_verdict(s) in wanted and s.cue:
                key = (s.priority, self._severity(s))
                if key > best_key:
                    best, best_key = s, key
        if not any_known:  # nobody followed, or nothing judged in this view: no cue at all
            self.reset()
            return None
        if self._target is not None:
            contradicted = own is not None and against_side(own, self._side)
            if own is None or not own.verdict.judged:
                if self._unknown_since is None:
                    self._unknown_since = t
                # no longer judged (hidden, turned away): only a brief drop-out keeps the cue up; an
                # undecided value ("UNSURE" beside it) ends it at once: the cue would claim what the
                # number cannot tell
                undecided = own is not None and own.verdict is Verdict.UNCERTAIN
                contradicted = contradicted or undecided or t - self._unknown_since > self.unknown_grace_s
            else:
                self._unknown_since = None
                # back in range (debounced): the person did it; holding "move" would over-correct
                contradicted = contradicted or cue_verdict(own) is Verdict.IN_RANGE
            if t - self._since < self.min_hold_s and not contradicted:
                return self._text
            own_off = own is not None and cue_verdict(own) in _OFF and bool(own.cue)
            if own_off and own is not None and own.cue == self._text:
                if best is None or best.priority <= self._priority or best.target == self._target:
                    return self._text
                return self._show(best.cue, best, t)
            if own_off and own is not None and cue_verdict(own) in wanted:  # direction changed: a new cue
                return self._show(own.cue, own, t)
            # The cued target is back in range (or unknown).
            if best is not None:
                return self._show(best.cue, best, t)
            came_back = own is not None and own.verdict is Verdict.IN_RANGE
            self._target = None
            if self.praise and came_back:
                self._text = self.praise
                self._since = t
                self._praise_until = t + self.praise_s
                return self._text
            self._text = None
            return None
        # Nothing cued: praise (if showing) yields at once to a new cue.
        if best is not None:
            return self._show(best.cue, best, t)
        if self._text is not None and t < self._praise_until:
            return self._text
        self._text = None
        return None

    def _show(self, text: str | None, s: TargetState, t: float) -> str | None:
        self._unknown_since = None
        self._text = text
        self._target = s.target
        self._priority = s.priority
        self._side = _side_of(s)
        self._since = t
        self._praise_until = -math.inf
        return text


@dataclass(frozen=True, slots=True)
class Alert:
    """A gentle posture-monitor alert.

    Attributes:
        target: id of the deviating target.
        angle: its canonical angle name.
        message: the text to show (the target's cue, or a generic reminder).
        deviation_deg: degrees outside the target's effective range at the time of the alert.
        uncertainty_deg: that value's ± (80% half-width, degrees; ``TargetState.uncertainty``), which
            the deviation carries too; NaN when not known.
        persisted_s: seconds the deviation has lasted.
        t: time of the alert (seconds, the caller's clock).
        repeat: 0 for the first alert of a deviation, 1, 2, ... for reminders while it lasts.
    """

    target: str
    angle: str
    message: str
    deviation_deg: float
    persisted_s: float
    t: float
    repeat: int = 0
    uncertainty_deg: float = math.nan

    def detail(self) -> str:
        """'shoulder tilt: 32° ±14° beyond the range for 1 min': the deviation with its ± (the value's),
        written with the decimals that keep it beyond the range as the verdict says (a deviation of
        4.4 ± 4.2° is "4.4° ±4.2°", not "4° ±4°", which would reach back to the range); without a
        ± where none is known."""
        from posture_feedback.monitor_hours import format_duration

        d, u = self.deviation_deg, self.uncertainty_deg
        text = f"{d:.0f}°"
        if math.isfinite(u) and math.isfinite(d):
            for digits in (0, 1, 2):
                text = f"{d:.{digits}f}° ±{u:.{digits}f}°"
                if round(d, digits) > round(u, digits) or d <= u:  # written as beyond, or as the value is
                    break
        return f"{self.angle.replace('_', ' ')}: {text} beyond the range for {format_duration(self.persisted_s)}"


class DeviationMonitor:
    """Raises an alert only when a deviation persists; counts the day's time in good posture.

    A target *deviates* when its state is known and its value lies more than ``threshold_deg``
    degrees outside its effective range (so a relative target with range [-5, +5] around neutral
    and ``threshold_deg=5`` deviates beyond 10° from neutral). A deviation *persists* while it
    lasts with no interruption longer than ``grace_s`` seconds (brief returns do not reset it).

    Alerts: when a deviation has persisted ``duration_s`` seconds, one ``Alert`` is returned (the
    highest-priority, then largest, deviation). While deviations continue, reminders come no more
    often than the current interval, which starts at ``repeat_interval_s`` and is multiplied by
    ``backoff`` after each reminder (capped at ``max_interval_s``); once nothing has deviated for
    ``grace_s``, the interval goes back to ``repeat_interval_s``. Also, two alerts are never
    closer than ``repeat_interval_s``.

    Time accounting (seconds): each interval between consecutive updates (capped at ``max_gap_s``,
    so pauses are not counted) is *observed* if the earlier frame had at least one known target,
    and *good* if moreover every known target was ``IN_RANGE`` or ``NEAR``. Totals are per day
    (``today()``), reset when the date changes.

    Args:
        threshold_deg: degrees beyond the range before a target counts as deviating.
        duration_s: seconds a deviation must persist before the first alert.
        repeat_interval_s: minimum seconds between alerts.
        backoff: factor by which the interval grows for each reminder of an ongoing deviation (>= 1).
        max_interval_s: cap of the grown interval (seconds).
        grace_s: interruptions shorter than this do not end a deviation (seconds).
        max_gap_s: longest interval between updates that is counted in the time totals (seconds).
        watch: target ids to watch (None = all).
        today: returns the current date (injectable for tests).
    """

    def __init__(
        self,
        threshold_deg: float = 0.0,
        duration_s: float = 30.0,
        repeat_interval_s: float = 300.0,
        backoff: float = 2.0,
        max_interval_s: float = 1800.0,
        grace_s: float = 2.0,
        max_gap_s: float = 2.0,
        watch: Collection[str] | None = None,
        today: Callable[[], _dt.date] = _dt.date.today,
    ) -> None:
        if threshold_deg < 0 or duration_s < 0 or repeat_interval_s < 0 or backoff < 1 or grace_s < 0:
            raise ValueError("DeviationMonitor: thresholds and durations must be >= 0 and backoff >= 1")
        self.threshold_deg = float(threshold_deg)
        self.duration_s = float(duration_s)
        self.repeat_interval_s = float(repeat_interval_s)
        self.backoff = float(backoff)
        self.max_interval_s = float(max(max_interval_s, repeat_interval_s))
        self.grace_s = float(grace_s)
        self.max_gap_s = float(max_gap_s)
        self.watch = None if watch is None else frozenset(watch)
        self._today = today
        self.reset()

    def reset(self) -> None:
        """Forget deviations, alerts and the day's totals."""
        self._day = self._today()
        self.good_s = 0.0  #: seconds in good posture today
        self.observed_s = 0.0  #: seconds with at least one known target today
        self.alerts_today = 0
        #: local day → [observed_s, good_s, judged_s] (not reset at midnight: ``slots`` for the saved totals)
        self._days: dict[_dt.date, list[float]] = {}
        self._alerts_days: dict[_dt.date, int] = {}
        self._since: dict[str, float] = {}  # target id → start of its ongoing deviation
        self._last_dev: dict[str, float] = {}  # target id → last time it deviated
        self._last_t: float | None = None
        self._last_class: int = 0  # 0 nothing known, 1 not judged, 2 good, 3 a fault
        self._last_alert_t = -math.inf
        self._interval = self.repeat_interval_s
        self._repeat = 0
        self._any_dev_t = -math.inf

    @property
    def good_fraction(self) -> float:
        """good_s / observed_s (NaN before anything was observed)."""
        return self.good_s / self.observed_s if self.observed_s > 0 else math.nan

    def slots(self) -> dict[tuple[_dt.date, int | None], list[float]]:
        """(day, None) → [observed_s, good_s, judged_s] per local day since the last ``reset`` (the
        counts ``ui.storage_link.MonitorTotals`` saves; no hours here). A second is judged when a watched
        target was out of range (a fault), or every watched target with a value was in range or near
        and none ``UNCERTAIN`` (good); a second with an uncertain target and no fault is not judged
        (a review saw it counted good, as the laptop coach's rule would not)."""
        return {(d, None): list(v) for d, v in self._days.items()}

    def alerts_by_day(self) -> dict[_dt.date, int]:
        """Local day → alerts given that day since the last ``reset``."""
        return dict(self._alerts_days)

    def update(self, states: Sequence[TargetState], t: float) -> Alert | None:
        """Feed one frame's states at time ``t`` (seconds); returns an alert when one is due."""
        day = self._today()
        if day != self._day:
            self._day = day
            self.good_s = self.observed_s = 0.0
            self.alerts_today = 0
        if self._last_t is not None:
            dt = min(max(t - self._last_t, 0.0), self.max_gap_s)
            if self._last_class:
                self.observed_s += dt
                slot = self._days.setdefault(day, [0.0, 0.0, 0.0])
                slot[0] += dt
                if self._last_class >= 2:
                    slot[2] += dt
                if self._last_class == 2:
                    self.good_s += dt
                    slot[1] += dt
        self._last_t = t

        known = False
        good = True
        doubt = False  # a watched target too uncertain to judge
        worst: tuple[int, float, TargetState] | None = None
        for s in states:
            if self.watch is not None and s.target not in self.watch:
                continue
            if s.verdict is Verdict.UNCERTAIN:
                doubt = True
            if not s.verdict.judged:
                continue
            known = True
            if s.verdict not in (Verdict.IN_RANGE, Verdict.NEAR):
                good = False
            d = distance_out(s)
            if d == d and d > self.threshold_deg:
                self._last_dev[s.target] = t
                self._since.setdefault(s.target, t)
                self._any_dev_t = t
        self._last_class = (3 if not good else 1 if doubt else 2) if known else (1 if doubt else 0)

        # End deviations interrupted for longer than the grace time.
        for tid in [k for k, last in self._last_dev.items() if t - last > self.grace_s]:
            del self._last_dev[tid]
            self._since.pop(tid, None)
        if t - self._any_dev_t > self.grace_s:
            self._interval = self.repeat_interval_s
            self._repeat = 0

        for s in states:
            start = self._since.get(s.target)
            if start is None or self._last_dev.get(s.target) != t or t - start < self.duration_s:
                continue
            key = (s.priority, distance_out(s))
            if worst is None or key > (worst[0], worst[1]):
                worst = (s.priority, distance_out(s), s)
        if worst is None or t - self._last_alert_t < self._interval:
            return None
        s = worst[2]
        alert = Alert(
            target=s.target, angle=s.angle, message=s.cue or "Time to check your posture",
            deviation_deg=worst[1], persisted_s=t - self._since[s.target], t=t, repeat=self._repeat,
            uncertainty_deg=s.uncertainty,
        )  # fmt: skip
        if self._repeat > 0:
            self._interval = min(self._interval * self.backoff, self.max_interval_s)
        self._repeat += 1
        self._last_alert_t = t
        self.alerts_today += 1
        self._alerts_days[day] = self._alerts_days.get(day, 0) + 1
        return alert
