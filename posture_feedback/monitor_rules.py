"""The laptop posture monitor's rules: sustained deviations, "too close", micro-breaks, good-posture time.

Pure logic on a time trace (no Qt, no camera): feed ``LaptopRules.update(t, signals, present)`` once
per processed frame, with ``t`` in seconds (any monotonic clock), the frame's
``laptop_signals.SIGNALS`` against the person's neutral (NaN = not measured) and whether a person
is in view. It returns the ``Event``s due now; the window only shows them.

Rules (all thresholds are *changes from the person's own neutral*, in each signal's unit; none is
a clinical norm, see ``DEFAULT_THRESHOLDS``):

* **Sustained deviation**: a watched signal whose whole interval (the reading ± its measured 90%
  bound, ``RuleOptions.uncertainty``, ``laptop_signals.SIGNAL_UNCERTAINTY``) lies beyond its
  threshold (``neck_side_bend`` on either side) for ``duration_s`` seconds, with interruptions
  shorter than ``grace_s`` ignored, gives one ``deviation`` event naming the fault in plain words
  (``MESSAGES``). **Good posture** likewise needs every measured signal's whole interval within
  its threshold. Anything else is *not judged* (``LaptopRules.unsure``: no alert, no "good
  posture"): the tool's verdict rule everywhere (an interval holding both sides of a limit gives no
  verdict). A tenth audit saw "Your head is tilted to your left" beside "tilt −11 ±16°", and a
  twelfth "Good posture" beside "head −3 ±27%" against a 10% threshold. **With the bounds measured
  so far (27, 20, 23 %, 16°), wider than every default threshold, good posture can never be
  confirmed, and a fault only from head drop 37%, lean in 32%, shoulder raise 33% or a 24°
  side-bend**: until a better measurement (a seated user with a reference) narrows them, the coach
  mostly says what it cannot judge. A signal without a measured ± is never judged. While it continues,
  reminders come after ``repeat_s``, then twice that, … (at most ``max_repeat_s``). When the
  head-drop and shoulder-raise signals deviate together (a dropped head brings the ears nearer the
  shoulders too), the fault is "shoulders raised" only if the shoulders themselves went up in the
  image (``shoulder_lift`` at least half of ``shoulder_raise``), else "head forward".
* **Too close**: a distance signal (``face_closer``, ``lean_in``) beyond ``too_close_pct`` for
  ``too_close_s`` seconds: a ``too_close`` event ("You are too close to the screen"), at most every
  ``repeat_s``. Only a signal whose measured 90% bound (``laptop_signals.SIGNAL_UNCERTAINTY``) is
  narrower than ``too_close_pct`` counts: with the defaults ``lean_in`` (±20% against 25%), not
  ``face_closer`` (±56%: it cannot tell 25% nearer from not nearer; a ninth audit saw "too close"
  with "+56 %" beside it, the face's reading, shown without its ± or its name).
* **One cue at a time**: when several alerts fall due on the same frame (a lean in brings the head
  forward with it), ``update`` returns one, the first in ``ALERT_PRIORITY``, and the window, the
  tray and the speech say that one. The others are *covered* by it: one episode, one alert counted.
  A covered fault that still lasts when the cued condition has ended (past its ``grace_s``) is cued
  then by itself, as a new alert. A break offer due within ``CUE_READABLE_S`` of an alert waits
  until that alert's words have been up that long.
* **Micro-break**: after ``break_after_s`` seconds of sitting (someone in view, absences shorter
  than ``away_reset_s`` not counted as a break) a ``break`` event offers a face-on exercise from
  ``BREAK_EXERCISES`` (in turn) at a dose of about a minute (``BREAK_DOSES``, ``break_offer``: the
  message says the estimated minutes); the sitting clock then starts again. An absence of at least
  ``away_reset_s`` is a break taken: the clock restarts.
* **Time in good posture**: each interval between updates (capped at ``max_gap_s``, so pauses and
  the 1 frame/s back-off are not over-counted) is *observed* when the earlier frame had someone in
  view with at least one watched signal measured; of that, *judged* when the frame had a verdict and
  *good* (good posture confirmed) when every measured signal's whole interval lay within its
  threshold and the person was not too close. A frame with a fault confirmed (a signal's whole
  interval beyond its threshold, or too close) is judged, not good; a frame with neither, where a
  reading's ± reached past its threshold, is *not judged*: neither good nor a fault. Totals are kept
  per local day and hour (``totals``, keys ``(date, hour)``, values ``[observed_s, good_s,
  judged_s]``); alerts per local day (``alerts``: the cues given, first alerts and reminders; faults
  cued together are one; ``events_today`` is today's, from zero at midnight).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from posture_feedback.laptop_signals import SIGNAL_UNCERTAINTY

#: Change from neutral (signal units: % of shoulder width, %, degrees) beyond which a signal deviates.
#: Rationale, not norms: changes a person would see in a mirror (a 10% head drop is about 4 cm on a
#: 40 cm shoulder width; 12% nearer is about 8 cm at 70 cm from the screen). They are *smaller* than
#: the 90% error bounds measured on the accuracy clip (laptop_signals.SIGNAL_UNCERTAINTY: 27, 20, 23
#: and 16), and a verdict needs the reading's whole interval on one side (``RuleOptions.uncertainty``):
#: a fault from head drop 37%, lean in 32%, shoulder raise 33%, side-bend 24°, and good posture never,
#: until a better measurement lowers the bounds.
DEFAULT_THRESHOLDS: dict[str, float] = {
    "head_drop": 10.0,
    "lean_in": 12.0,
    "shoulder_raise": 10.0,
    "neck_side_bend": 8.0,
}

#: Plain-words names of the faults (the alert text).
#: The signals that say how near the screen the person is (``too_close``).
DISTANCE_SIGNALS = ("face_closer", "lean_in")
MESSAGES: dict[str, str] = {
    "head_drop": "Your head has moved forward — bring it back over your shoulders",
    "lean_in": "You are leaning in to the screen — sit back",
    "shoulder_raise": "Your shoulders have crept up — let them drop",
    "neck_side_bend_right": "Your head is tilted to your right — bring it upright",
    "neck_side_bend_left": "Your head is tilted to your left — bring it upright",
    "too_close": "You are too close to the screen — sit back",
}

#: Which alert is said when several fall due on the same frame: the first listed (the rest are covered
#: by it, ``LaptopRules.update``). The whole body's distance to the screen first: sitting back also
#: brings the head back over the shoulders (a lean in moves the head forward in the image with it: an
#: audit's zoom read head +82% beside lean +56%), and one instruction at a time is one a person can
#: follow. "Too close" before "leaning in" (both say "sit back"; too close is the larger change), then
#: the head, the shoulders, the side tilt. A choice of this tool, not a clinical ranking.
ALERT_PRIORITY: tuple[str, ...] = ("too_close", "lean_in", "head_drop", "shoulder_raise", "neck_side_bend")
#: Seconds an alert's words stay up at most (the window's ``ALERT_READABLE_S``); a break offer due
#: sooner after an alert waits until then, so that the two are not cued on top of each other.
CUE_READABLE_S = 20.0

#: Exercises a micro-break offers, in turn (names in the exercise library; missing ones are skipped):
#: face-on ones that need only the head and shoulders, as a laptop webcam sees a person. Chin tuck and
#: thoracic extension need the side view (the exercise counts nothing face-on) and are not offered;
#: a twentieth audit saw chin tuck offered first.
BREAK_EXERCISES: tuple[str, ...] = ("shoulder_rolls", "neck_side_bend")
#: Sets × repetitions (per side) a break offer asks for (``exercise NAME --sets S --reps R``): doses
#: whose whole run, instruction and rests included, takes about a minute (``break_duration_s``: 47 s
#: and 62 s; the definitions' defaults would take longer). An exercise not listed: its defaults.
BREAK_DOSES: dict[str, tuple[int, int]] = {"shoulder_rolls": (1, 8), "neck_side_bend": (1, 3)}
#: Seconds a repetition takes moving out and back, holds apart: 1.5 s each way, an assumption within
#: every break exercise's tempo window (0.4-8 s each way) — how the offer's minutes are estimated.
BREAK_MOVE_S = 3.0


@dataclass
class RuleOptions:
    """Settings of ``LaptopRules`` (seconds, and signal units for thresholds)."""

    thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    #: Each signal's measured 90% error bound (its unit): a reading within it names no fault.
    uncertainty: dict[str, float] = field(default_factory=lambda: dict(SIGNAL_UNCERTAINTY))
    duration_s: float = 30.0
    grace_s: float = 3.0
    repeat_s: float = 300.0
    max_repeat_s: float = 1800.0
    too_close_pct: float = 25.0
    too_close_s: float = 5.0
    break_after_s: float = 30 * 60.0
    away_reset_s: float = 120.0
    max_gap_s: float = 2.0
    exercises: tuple[str, ...] = BREAK_EXERCISES

    def __post_init__(self) -> None:
        for k, v in self.thresholds.items():
            if not (math.isfinite(v) and v > 0):
                raise ValueError(f"threshold for {k} must be a positive number, not {v!r}")
        for k, v in self.uncertainty.items():
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"uncertainty of {k} must be a number >= 0, not {v!r}")
        for name in ("duration_s", "grace_s", "repeat_s", "too_close_s", "break_after_s", "away_reset_s"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"{name} must be >= 0 seconds, not {v!r}")


@dataclass(frozen=True, slots=True)
class Event:
    """Something the monitor should say now.

    kind: ``deviation``, ``too_close`` or ``break``; fault: the signal (``head_drop``, …,
    ``neck_side_bend_left``), ``too_close`` or ``break``; message: the plain-words text; value: the
    signal's value (its unit) when the event fired (NaN for breaks); persisted_s: how long the
    condition lasted (the sitting time for breaks); exercise: the offered exercise (breaks);
    signal: the signal ``value`` belongs to.
    """

    kind: str
    fault: str
    message: str
    value: float = math.nan
    persisted_s: float = 0.0
    exercise: str | None = None
    signal: str = ""  #: the signal ``value`` is of (``too_close``: the distance signal that fired it)


def fault_of(signal: str, value: float) -> str:
    """The fault a signal's deviation names: ``neck_side_bend`` by side (+ = towards the right)."""
    if signal == "neck_side_bend":
        return "neck_side_bend_right" if value > 0 else "neck_side_bend_left"
    return signal


def signal_of(event: Event) -> str:
    """The signal an event's value belongs to (its fault without the side, or ``Event.signal``)."""
    return event.signal or event.fault.removesuffix("_left").removesuffix("_right")


class _Sustain:
    """One condition that must hold ``duration`` seconds (gaps < grace ignored), then repeats with backoff."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.last_true = -math.inf
        self.last_fired = -math.inf
        self.interval = 0.0

    def held_s(self, t: float) -> float:
        """Seconds the condition has held at ``t`` (0 when it does not)."""
        return 0.0 if self.since is None else t - self.since

    def update(self, on: bool, t: float, duration: float, grace: float, repeat: float, max_repeat: float) -> bool:
        if on:
            if self.since is None or t - self.last_true > grace:
                self.since = t
                self.interval = 0.0
            self.last_true = t
        elif self.since is not None and t - self.last_true > grace:
            self.since = None
            self.interval = 0.0
        if not on or self.since is None or t - self.since < duration:
            return False
        if self.interval == 0.0:  # first alert of this episode
            self.interval = repeat
            self.last_fired = t
            return True
        if t - self.last_fired >= self.interval:
            self.interval = min(self.interval * 2.0, max(max_repeat, repeat))
            self.last_fired = t
            return True
        return False


class LaptopRules:
    """The monitor's rules on a time trace (see the module docstring)."""

    def __init__(
        self,
        options: RuleOptions | None = None,
        *,
        available_exercises: Callable[[], set[str]] | None = None,
        now: Callable[[], _dt.datetime] = _dt.datetime.now,
    ) -> None:
        self.options = options or RuleOptions()
        self._available = available_exercises
        self._now = now
        #: (day, hour) → [observed_s, good_s, judged_s] (seconds; see the module docstring)
        self.totals: dict[tuple[_dt.date, int], list[float]] = {}
        #: local day → deviation and too-close alerts given that day (breaks not counted)
        self.alerts: dict[_dt.date, int] = {}
        self._sustain: dict[str, _Sustain] = {}
        self._close = _Sustain()
        self._last_t: float | None = None
        self._last_class = 0  # 0 not observed, 1 observed not judged, 2 good confirmed, 3 fault confirmed
        self._sitting_since: float | None = None
        self._last_present = -math.inf
        self._break_index = 0
        self._cued: str | None = None  # the alert cued last (a signal, or "too_close")
        self._covered: set[str] = set()  # alerts due with it, not said (covered by it)
        self._last_cue_t = -math.inf  # when the last posture alert was given
        self.deviating: dict[str, float] = {}  #: signal → value, of the last frame, beyond threshold and ±
        self.unsure: dict[str, float] = {}  #: signal → value, of the last frame, not judged (± holds its threshold)
        self.too_close_now = False  #: the last frame was nearer the screen than ``too_close_pct``
        self.present_now = False  #: someone was in view in the last frame

    # -- time in good posture ----------------------------------------------------------------
    def _account(self, t: float) -> None:
        if self._last_t is not None and self._last_class:
            dt = min(max(t - self._last_t, 0.0), self.options.max_gap_s)
            if dt > 0:
                now = self._now()
                slot = self.totals.setdefault((now.date(), now.hour), [0.0, 0.0, 0.0])
                slot[0] += dt
                if self._last_class >= 2:  # a verdict: good confirmed (2) or a fault confirmed (3)
                    slot[2] += dt
                if self._last_class == 2:
                    slot[1] += dt
        self._last_t = t

    def day_totals(self, day: _dt.date | None = None) -> tuple[float, float]:
        """(observed_s, good_s) of a day (default today), seconds."""
        day = day or self._now().date()
        obs = sum(v[0] for (d, _h), v in self.totals.items() if d == day)
        good = sum(v[1] for (d, _h), v in self.totals.items() if d == day)
        return obs, good

    def day_judged_s(self, day: _dt.date | None = None) -> float:
        """Seconds of a day (default today) with a verdict: good posture or a fault confirmed."""
        day = day or self._now().date()
        return sum(v[2] for (d, _h), v in self.totals.items() if d == day)

    @property
    def events_today(self) -> int:
        """Deviation and too-close alerts given today (the local day now; 0 again after midnight)."""
        return self.alerts.get(self._now().date(), 0)

    def pause(self) -> None:
        """The screen is locked or the user paused: the next update starts a new interval (not counted)."""
        self._last_t = None
        self._last_class = 0

    # -- the rules -----------------------------------------------------------------------------
    def sitting_s(self, t: float) -> float:
        """Seconds of sitting since the last break (0 when nobody is in view)."""
        return 0.0 if self._sitting_since is None else max(t - self._sitting_since, 0.0)

    def update(self, t: float, signals: Mapping[str, float] | None, present: bool) -> list[Event]:
        """One frame at time ``t`` (seconds): returns the events due now (usually none)."""
        o = self.options
        self._account(t)
        events: list[Event] = []
        sig = dict(signals or {})

        def val(k: str) -> float:
            v = sig.get(k, math.nan)
            return float(v) if v is not None else math.nan

        # Presence and the sitting clock.
        self.present_now = bool(present)
        if present:
            if self._sitting_since is None or t - self._last_present >= o.away_reset_s:
                self._sitting_since = t
            self._last_present = t
        elif self._sitting_since is not None and t - self._last_present >= o.away_reset_s:
            self._sitting_since = None

        # Which signals deviate now: the whole interval beyond the threshold (sure), the whole
        # interval within it (good), else not judged (unsure: no alert, and not good posture either).
        deviating: dict[str, float] = {}
        unsure: dict[str, float] = {}
        measured = False
        if present:
            for k, thr in o.thresholds.items():
                v = val(k)
                if not math.isfinite(v):
                    continue
                measured = True
                size = abs(v) if k == "neck_side_bend" else v
                u = o.uncertainty.get(k, math.inf)  # no measured ±: never judged
                if size - u > thr:
                    deviating[k] = v
                elif size + u > thr:
                    unsure[k] = v
        self.deviating = deviating
        self.unsure = unsure

        # Name the fault when head drop and shoulder raise come together (on a copy: the window
        # lists every signal beyond its threshold, ``deviating``).
        deviating = dict(deviating)
        if "head_drop" in deviating and "shoulder_raise" in deviating:
            lift = val("shoulder_lift")
            if math.isfinite(lift) and lift >= 0.5 * deviating["shoulder_raise"]:
                deviating.pop("head_drop")
            else:
                deviating.pop("shoulder_raise")

        self._rearm_covered()
        due: dict[str, Event] = {}  # alerts due now, by signal (or "too_close"): one is said
        for k in o.thresholds:
            s = self._sustain.setdefault(k, _Sustain())
            if s.update(k in deviating, t, o.duration_s, o.grace_s, o.repeat_s, o.max_repeat_s):
                v = deviating[k]
                fault = fault_of(k, v)
                due[k] = Event("deviation", fault, MESSAGES[fault], v, s.held_s(t))

        # too close: the reading's whole interval beyond the threshold, as every verdict here; the
        # lower end of each distance signal's interval (only those whose bound is narrower than it)
        lows = {k: val(k) - o.uncertainty[k] for k in DISTANCE_SIGNALS
                if o.uncertainty.get(k, math.inf) < o.too_close_pct and math.isfinite(val(k))}  # fmt: skip
        nearest = max(lows, key=lows.__getitem__, default="")
        closer = val(nearest) if nearest else math.nan
        too_close = present and bool(nearest) and lows[nearest] > o.too_close_pct
        self.too_close_now = bool(too_close)
        if present and not too_close:  # a distance whose interval reaches past too close: not judged either
            for k in lows:
                if val(k) + o.uncertainty[k] > o.too_close_pct:
                    unsure.setdefault(k, val(k))
        # the frame's class for the time counts: too close is a fault confirmed (its whole interval
        # beyond ``too_close_pct``), never good posture, even when every threshold holds its signal
        if not measured:
            self._last_class = 0
        elif self.deviating or self.too_close_now:
            self._last_class = 3
        else:
            self._last_class = 1 if unsure else 2
        if self._close.update(too_close, t, o.too_close_s, o.grace_s, o.repeat_s, o.repeat_s):
            due["too_close"] = Event("too_close", "too_close", MESSAGES["too_close"], closer,
                                     self._close.held_s(t), signal=nearest)  # fmt: skip
        if due:  # one cue per frame: the first in ALERT_PRIORITY; the others are covered by it
            key = min(due, key=_priority)
            events.append(due[key])
            self._cued = key
            self._covered = set(due) - {key}
            self._last_cue_t = t

        if present and self.sitting_s(t) >= o.break_after_s and t - self._last_cue_t >= CUE_READABLE_S:
            ex = self._next_exercise()
            sat = self.sitting_s(t)
            how_long = f"{round(sat / 60)} min" if sat >= 90 else f"{sat:.0f} s"  # not "0 min" (a short setting)
            offer = break_offer(ex) if ex else None
            if offer is not None:  # as long as the offered run takes, to the minute
                text = f"You have been sitting for {how_long} — time for a {offer.minutes}-minute break: {offer.name}"
            else:
                text = f"You have been sitting for {how_long} — time for a short break"
                if ex:
                    text += f": {ex.replace('_', ' ')}"
            events.append(Event("break", "break", text, math.nan, self.sitting_s(t), ex))
            self._sitting_since = t
        if any(e.kind != "break" for e in events):  # the one posture cue given (break offers not counted)
            today = self._now().date()
            self.alerts[today] = self.alerts.get(today, 0) + 1
        return events

    def _sustain_of(self, key: str) -> _Sustain:
        return self._close if key == "too_close" else self._sustain.setdefault(key, _Sustain())

    def _rearm_covered(self) -> None:
        """The cued condition has ended (past its grace): a covered fault that still lasts is due
        again, on its own (its next frame beyond its threshold cues it as a new alert)."""
        if self._cued is None or self._sustain_of(self._cued).since is not None:
            return
        for k in self._covered:
            s = self._sustain_of(k)
            if s.since is not None:
                s.interval = 0.0  # its episode goes on; its first alert is still to be said
        self._cued, self._covered = None, set()

    def still_holds(self, event: Event) -> bool:
        """The condition ``event`` named is still there in the last frame (a break offer always is):
        so an alert's words are shown only while the numbers beside them agree."""
        if event.kind == "too_close":
            return self.too_close_now
        if event.kind == "deviation":  # still beyond, and to the named side (a side-bend)
            signal = signal_of(event)
            return signal in self.deviating and fault_of(signal, self.deviating[signal]) == event.fault
        return self.present_now  # a break offer, while someone is there to take it

    def _next_exercise(self) -> str | None:
        names = list(self.options.exercises)
        if self._available is not None:
            have = self._available()
            names = [n for n in names if n in have]
        if not names:
            return None
        ex = names[self._break_index % len(names)]
        self._break_index += 1
        return ex


@dataclass(frozen=True, slots=True)
class BreakOffer:
    """What a micro-break offers: an exercise, its dose and how long the run takes.

    exercise: its name in the library; name: its title in lower case ("shoulder rolls"); sets, reps:
    the dose (reps per side for an exercise done one side at a time); duration_s: the estimated
    seconds of ``command`` (``break_duration_s``); instruction: what to do.
    """

    exercise: str
    name: str
    sets: int
    reps: int
    duration_s: float
    instruction: str
    each_side: bool = False

    @property
    def minutes(self) -> int:
        """The duration to the minute (at least 1)."""
        return max(1, round(self.duration_s / 60.0))

    @property
    def command(self) -> str:
        """The command that runs this dose with the camera."""
        return f"posture-feedback exercise {self.exercise} --sets {self.sets} --reps {self.reps}"


def break_duration_s(definition, sets: int, reps: int) -> float:  # noqa: ANN001 - an ExerciseDefinition
    """Seconds ``exercise NAME --sets S --reps R`` takes, as its runner runs it (``exercises.runner``):
    for each side, the instruction (``Plan.instruction_s``) and, per set, the countdown
    (``Plan.countdown_s``), the relaxed baseline (``baseline_s``) and ``reps`` repetitions of
    ``BREAK_MOVE_S`` plus the phases' holds; the rest (``rest_s``) between sets and sides."""
    from posture_feedback.exercises.plan import Plan, default_item

    item = replace(default_item(definition), sets=sets, reps=reps)  # as the command's --sets/--reps make it
    plan = Plan(items=[item], title=definition.title)
    rep_s = BREAK_MOVE_S + sum(p.hold_s for p in definition.phases)
    per_set = plan.countdown_s + definition.baseline_s + reps * rep_s
    passes = len(item.sides) * sets
    return len(item.sides) * plan.instruction_s + passes * per_set + (passes - 1) * item.rest_s


def break_offer(exercise: str) -> BreakOffer | None:
    """The offer of ``exercise`` at its ``BREAK_DOSES`` dose (None when the library has no such exercise)."""
    from posture_feedback.exercises.library import get_exercise

    try:
        d = get_exercise(exercise)
    except Exception:  # the offer is a courtesy: a missing or broken definition must not stop the monitor
        return None
    sets, reps = BREAK_DOSES.get(exercise, (d.sets, d.reps))
    each = d.sided and d.both == "each"
    return BreakOffer(exercise, d.title.lower(), sets, reps, break_duration_s(d, sets, reps),
                      d.instruction_for("both"), each)  # fmt: skip


def _priority(key: str) -> int:
    """Rank of an alert's signal (or "too_close") in ``ALERT_PRIORITY`` (unlisted ones last)."""
    return ALERT_PRIORITY.index(key) if key in ALERT_PRIORITY else len(ALERT_PRIORITY)


def library_exercises() -> set[str]:
    """Names of the built-in exercises (for ``LaptopRules(available_exercises=...)``)."""
    from posture_feedback.exercises.library import builtin_names

    return set(builtin_names())
