"""The session runner: walks a plan on the caller's clock, no Qt and no threads.

States: ``instruction`` → ``countdown`` → ``active`` (live counting and cues) → ``rest`` →
(next set: ``countdown`` | next exercise or side: ``instruction``) … → ``done``.

Feed it every frame (``feed(FrameResult)`` or ``update(t, signals, view, ...)``) and call
``tick(t)`` when no frame comes; each call returns the events that happened, in order
(``events.py``). ``pause``/``resume`` freeze every timer (holds, rests, time limits);
``advance`` ends the current wait (instruction, countdown, rest) or set early; ``skip``
abandons the current exercise; ``stop`` ends the session as *stopped* (``SessionResult.stopped``).
Times of the clock are seconds (frame timestamps).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass

from posture_feedback.exercises.definitions import Compensation
from posture_feedback.exercises.demonstration import Demonstration, DemonstrationError, compare_rep, load_demonstration
from posture_feedback.exercises.events import (
    CORRECTION,
    HOLD_TONES,
    NEUTRAL,
    CountEvent,
    CueEvent,
    Event,
    ExerciseDone,
    HoldEvent,
    InstructionEvent,
    PauseEvent,
    RepEvent,
    RestEvent,
    SessionDone,
    SessionResult,
    SetDone,
    SetResult,
    rep_tone,
)
from posture_feedback.exercises.holds import UNSURE
from posture_feedback.exercises.plan import Plan, PlanItem
from posture_feedback.exercises.reps import RepResult, RepVerdict
from posture_feedback.exercises.signals import compute_signals, signal_uncertainties
from posture_feedback.exercises.speech import Speaker
from posture_feedback.exercises.tracker import ExerciseTracker
from posture_feedback.exercises.viewing import STEP_INTO_VIEW
from posture_feedback.feedback import nobody_followed_text
from posture_feedback.types import AngleTable, FrameResult, Landmarks, View


class RunnerState(str, enum.Enum):
    IDLE = "idle"
    INSTRUCTION = "instruction"
    COUNTDOWN = "countdown"
    ACTIVE = "active"
    REST = "rest"
    DONE = "done"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Step:
    """One set to do: plan item index, side, 1-based set number."""

    item_index: int
    side: str
    set_number: int


@dataclass(frozen=True)
class RunnerStatus:
    """A snapshot for the UI.

    ``remaining_s``: seconds left in the instruction, countdown or rest (NaN otherwise);
    ``value``/``phase``: the tracked signal and phase now; ``target_text``: e.g.
    ``"left_shoulder_elevation ≥ 80°"``; ``held_s``/``hold_target_s`` for holds;
    ``rep_elapsed_s``: seconds into the repetition in progress (NaN at rest); ``ghost_u``: where
    the demonstration's ghost is now (0..1, at the demonstrated pace; NaN without a demonstration);
    ``counting``: False while counting is paused in a set (wrong view, nobody seen), with
    ``turn_hint`` saying what to do (e.g. "Counting paused: turn a quarter turn, side-on to the camera");
    ``stopped``: the session was stopped before the plan's end (``SessionResult.stopped``);
    ``hold_state``: ``"in"``, ``"unsure"`` or ``"out"`` for a hold or balance set (``holds``; ``""``
    otherwise, or while counting is paused), with ``hold_note`` saying in a sentence why an unsure
    hold's clock waits (``ExerciseTracker.hold_note``; ``""`` unless unsure).
    """

    state: RunnerState
    paused: bool
    item_index: int
    items: int
    exercise: str
    title: str
    side: str
    set_number: int
    sets: int
    count: int
    target_reps: int | None
    held_s: float
    hold_target_s: float | None
    rep_elapsed_s: float
    ghost_u: float
    phase: str
    value: float
    target_text: str
    remaining_s: float
    last_cue: str | None
    counting: bool = True
    turn_hint: str | None = None
    stopped: bool = False
    #: the 80% half-width of ``value`` (signal units; NaN unknown)
    value_uncertainty: float = math.nan
    hold_state: str = ""
    hold_note: str = ""
    #: no person in any frame of the session so far: nothing measured (a done session says so, not "complete")
    nobody_seen: bool = False


#: Said for a repetition that stopped short of its target by less than the peak's uncertainty.
UNSURE_TEXT = "Not counted: the camera could not tell whether you reached the target"
#: Said when a hold has been unsure (``holds.UNSURE``) for ``view_grace_s``: its clock waits.
HOLD_UNSURE_CUE = "The camera cannot tell whether you are in position"
#: Said when a hold's value has a ± wider than its range (``holds.HoldTimer.too_uncertain``).
HOLD_TOO_UNCERTAIN_CUE = "The camera cannot measure this precisely enough to time the hold"


def rep_feedback(rep: RepResult, tracker: ExerciseTracker) -> tuple[str, ...]:
    """Short corrective texts for a repetition's problems, most important first. An unsure rep
    (the measurement cannot tell whether it reached the target) gets no cue about the way to or
    from the target (tempo, hold, overshoot): only what it says, and a compensation seen."""
    d = tracker.definition
    out: list[str] = []
    by_name = {c.name: c for c in d.compensations}
    unsure = RepVerdict.UNSURE in rep.issues
    for issue in rep.issues:
        if unsure and issue in (RepVerdict.SHORT_HOLD, RepVerdict.TOO_FAST, RepVerdict.TOO_SLOW, RepVerdict.TOO_FAR):
            continue
        if issue is RepVerdict.PARTIAL:
            out.append(d.cue("more"))
        elif issue is RepVerdict.UNSURE:  # no "further" cue on a peak that may have reached the target
            out.append(UNSURE_TEXT)
        elif issue is RepVerdict.SHORT_HOLD:
            out.append(d.cue("hold_longer"))
        elif issue is RepVerdict.COMPENSATED:
            comps = sorted((by_name[n] for n in rep.compensations if n in by_name), key=lambda c: -c.priority)
            out.extend(c.cue for c in comps[:1])
        elif issue is RepVerdict.TOO_FAST:
            out.append(d.cue("slower_back") if rep.back_s < d.tempo.back_s.low else d.cue("slower_out"))
        elif issue is RepVerdict.TOO_SLOW:
            out.append(d.cue("faster"))
        elif issue is RepVerdict.TOO_FAR:
            out.append(d.cue("less"))
    return tuple(dict.fromkeys(out))


class SessionRunner:
    """Runs a ``Plan`` (see the module docstring).

    Args:
        plan: the validated plan.
        speaker: if given, every event's ``speech`` is passed to ``speaker.say`` with its ``tone``.
        cue_interval_s: minimum seconds between two cues.
        cue_repeat_s: minimum seconds before the same cue is given again.
        cue_debounce_s: a compensation must be seen this long before it is cued.
        view_grace_s: nobody / wrong view / a hold the camera cannot judge for this long before saying so.
        stop_on_balance_loss: a balance set ends when balance is first lost.
        time_limit_s: a set ends after this long whatever happens (default: from the item).
        choose_person_with: how to choose a person where no click is possible (a headless run on
            a recording: "--person X,Y"); None: a click (``feedback.nobody_followed_text``).
    """

    def __init__(
        self,
        plan: Plan,
        speaker: Speaker | None = None,
        cue_interval_s: float = 4.0,
        cue_repeat_s: float = 8.0,
        cue_debounce_s: float = 0.5,
        view_grace_s: float = 2.0,
        stop_on_balance_loss: bool = True,
        time_limit_s: float | None = None,
        choose_person_with: str | None = None,
    ) -> None:
        if not plan.items:
            raise ValueError("the plan has no exercises")
        self.plan = plan
        self.speaker = speaker
        self.cue_interval_s = cue_interval_s
        self.cue_repeat_s = cue_repeat_s
        self.cue_debounce_s = cue_debounce_s
        self.view_grace_s = view_grace_s
        self._nobody_text = STEP_INTO_VIEW  # what to say when nobody is followed (``update``: people)
        self.stop_on_balance_loss = stop_on_balance_loss
        self.time_limit_s = time_limit_s
        self.choose_person_with = choose_person_with
        self.demonstrations: dict[int, Demonstration] = {
            i: load_demonstration(item.demonstration)
            for i, item in enumerate(plan.items)
            if item.demonstration is not None
        }
        self.steps = [
            Step(i, side, n)
            for i, item in enumerate(plan.items)
            for side in item.sides
            for n in range(1, item.sets + 1)
        ]
        self.state = RunnerState.IDLE
        self.paused = False
        self.tracker: ExerciseTracker | None = None
        self._i = -1
        self._clock = 0.0  # active seconds since start (pauses excluded)
        self._last_t: float | None = None
        self._phase_t0 = 0.0
        self._start_t = 0.0
        self._set_t0 = 0.0
        self._last_count = 0
        self._sets: list[SetResult] = []
        self._skipped: list[int] = []
        self._last_cue: tuple[str, float] | None = None
        self._last_cue_t = -math.inf
        self._fault_since: dict[str, float] = {}
        self._no_person_since: float | None = None
        self._bad_view_since: float | None = None
        self._next_progress = 5.0
        self._value = math.nan
        self._value_unc = math.nan
        self._phase = ""
        self._counting = True
        self._turn_hint: str | None = None
        self._hold_state = ""
        self._hold_note = ""
        self._unsure_since: float | None = None  # active clock when the hold became unsure
        self._rest_s = 0.0
        self._stopped = False
        self._person_seen = False  # a person in any frame of the session (NOBODY_TEXT otherwise)
        self._vertical: str | None = None  # the last frame's ``FrameResult.vertical`` (``update(vertical=)``)

    # -- clock ---------------------------------------------------------------------------------
    def _advance_clock(self, t: float) -> None:
        if self._last_t is not None and not self.paused:
            self._clock += max(0.0, t - self._last_t)
        self._last_t = t

    @property
    def clock(self) -> float:
        """Active seconds since ``start`` (pauses excluded): the time base of results."""
        return self._clock

    @property
    def elapsed(self) -> float:
        """Active seconds in the current state."""
        return self._clock - self._phase_t0

    @property
    def step(self) -> Step | None:
        return self.steps[self._i] if 0 <= self._i < len(self.steps) else None

    @property
    def item(self) -> PlanItem | None:
        s = self.step
        return self.plan.items[s.item_index] if s else None

    @property
    def demonstration(self) -> Demonstration | None:
        """The therapist demonstration of the current exercise (its ghost for the UI), if any."""
        s = self.step
        return self.demonstrations.get(s.item_index) if s else None

    def _emit(self, events: list[Event]) -> list[Event]:
        if self.speaker is not None:
            for e in events:
                if e.speech:
                    self.speaker.say(e.speech, e.tone)
        return events

    # -- public control ----------------------------------------------------------------------
    def start(self, t: float) -> list[Event]:
        """Begin the session at time ``t`` (seconds): the first instruction."""
        if self.state is not RunnerState.IDLE:
            raise RuntimeError("the session has already started")
        self._last_t = t
        self._start_t = t
        self._i = 0
        return self._emit(self._begin_instruction(t))

    def pause(self, t: float) -> list[Event]:
        self._advance_clock(t)
        if self.paused or self.state in (RunnerState.IDLE, RunnerState.DONE):
            return []
        self.paused = True
        return self._emit([PauseEvent(t=t, paused=True, speech="Paused")])

    def resume(self, t: float) -> list[Event]:
        self._advance_clock(t)
        if not self.paused:
            return []
        self.paused = False
        return self._emit([PauseEvent(t=t, paused=False, speech="Let's continue")])

    def advance(self, t: float) -> list[Event]:
        """End the current wait (instruction, countdown, rest) now; in a set, end the set as ``stopped``."""
        self._advance_clock(t)
        ev: list[Event] = []
        if self.state is RunnerState.INSTRUCTION:
            ev = self._begin_countdown(t)
        elif self.state is RunnerState.COUNTDOWN:
            ev = self._begin_active(t, [])
        elif self.state is RunnerState.REST:
            ev = self._next(t)
        elif self.state is RunnerState.ACTIVE:
            ev = self._end_set(t, "stopped")
        return self._emit(ev)

    def skip(self, t: float) -> list[Event]:
        """Abandon the current exercise and go to the next one's instruction (in a rest: ``advance``)."""
        self._advance_clock(t)
        if self.state is RunnerState.REST:
            return self.advance(t)
        if self.state not in (RunnerState.INSTRUCTION, RunnerState.COUNTDOWN, RunnerState.ACTIVE):
            return []
        ev: list[Event] = []
        item_index = self.steps[self._i].item_index
        if self.state is RunnerState.ACTIVE:
            ev += self._end_set(t, "skipped", then_next=False)
        self._skipped.append(item_index)
        results = tuple(r for r in self._sets if r.item_index == item_index)
        ev.append(
            ExerciseDone(
                t=t, item_index=item_index, exercise=self.plan.items[item_index].exercise.name,
                skipped=True, results=results, speech="Skipped",
            )
        )  # fmt: skip
        while self._i + 1 < len(self.steps) and self.steps[self._i + 1].item_index == item_index:
            self._i += 1
        ev += self._next(t)
        return self._emit(ev)

    def stop(self, t: float) -> list[Event]:
        """End the session now (the end of a recording, a Stop button): a set in progress ends as
        ``stopped``, then ``SessionDone``. Nothing happens if the session is already over."""
        self._advance_clock(t)
        if self.state in (RunnerState.IDLE, RunnerState.DONE):
            return []
        ev: list[Event] = []
        if self.state is RunnerState.ACTIVE:
            ev += self._end_set(t, "stopped", then_next=False)
        self._stopped = True
        return self._emit(ev + self._finish(t))

    def tick(self, t: float) -> list[Event]:
        """Advance timers without a frame (no counting)."""
        return self.update(t, None)

    def feed(self, result: FrameResult) -> list[Event]:
        """Process one pipeline result (time = its frame timestamp)."""
        values = result.angles if result.person_found else None  # signals and their uncertainties from it
        return self.update(result.frame.timestamp_s, values, result.view, result.landmarks, person=result.person_found,
                           people=len(result.people), azimuth_deg=result.azimuth_deg, vertical=result.vertical)

    def update(
        self,
        t: float,
        values: Mapping[str, float] | AngleTable | None,
        view: View = View.UNKNOWN,
        landmarks: Landmarks | None = None,
        person: bool = True,
        people: int = 0,
        azimuth_deg: float = math.nan,
        uncertainties: Mapping[str, float] | None = None,
        vertical: str | None = None,
    ) -> list[Event]:
        """Process one frame at time ``t``: its signals (``signals.compute_signals``) with their 80%
        half-widths (``uncertainties``, ``signals.signal_uncertainties``; None = unknown), or its
        ``AngleTable`` (signals and uncertainties are then computed from it, with ``landmarks`` and
        ``view``); None = no frame.
        ``people``: how many people are in view, for what to say when nobody is followed.
        ``azimuth_deg``: the camera's direction from the person's facing (``view.py``; NaN unknown),
        so that a turn hint says how far to turn (an oblique view from behind is not "a little").
        ``vertical``: where the frame's camera vertical came from (``FrameResult.vertical``; None = not
        said). When it changes within a set (the window's scene estimate arriving after the first 1.4 s:
        "searching", a level camera, then "scene"), a resting value measured against the old vertical
        (``baseline_s``) is measured again: a change across two verticals carries the camera's roll or
        pitch, which the change's ± (``signals.change_uncertainties``) assumes has cancelled."""
        self._nobody_text = (
            STEP_INTO_VIEW if people <= 0 else nobody_followed_text(people, choose_with=self.choose_person_with)
        )
        if values is not None and person:
            self._person_seen = True
        if vertical is not None:
            if self._vertical is not None and vertical != self._vertical and self.tracker is not None:
                if not (self._vertical == "searching" and vertical == "level"):  # (the same level vertical)
                    self.tracker.restart_baseline()
            self._vertical = vertical
        if isinstance(values, AngleTable):
            uncertainties = signal_uncertainties(values)
            values = compute_signals(values, landmarks, view)
        self._advance_clock(t)
        if self.paused or self.state in (RunnerState.IDLE, RunnerState.DONE):
            return []
        ev: list[Event] = []
        if self.state is RunnerState.INSTRUCTION and self.elapsed >= self.plan.instruction_s:
            ev += self._begin_countdown(t)
        if self.state is RunnerState.COUNTDOWN:
            remaining = math.ceil(self.plan.countdown_s - self.elapsed - 1e-9)
            if remaining <= 0:
                ev += self._begin_active(t, [])
            elif remaining < self._last_count:
                self._last_count = remaining
                ev.append(CountEvent(t=t, remaining=remaining, set_number=self.steps[self._i].set_number,
                                     speech=str(remaining)))  # fmt: skip
        if self.state is RunnerState.ACTIVE:
            ev += self._active(t, values, view, landmarks, person, uncertainties, azimuth_deg)
        elif self.state is RunnerState.REST:
            if self.elapsed >= self._rest_s:
                ev += self._next(t)
        return self._emit(ev)

    # -- transitions -------------------------------------------------------------------------
    def _enter(self, state: RunnerState) -> None:
        self.state = state
        self._phase_t0 = self._clock

    def _begin_instruction(self, t: float) -> list[Event]:
        self._enter(RunnerState.INSTRUCTION)
        step, item = self.steps[self._i], self.plan.items[self.steps[self._i].item_index]
        d = item.exercise
        text = d.instruction_for(step.side) or d.description
        what = f"{item.reps} repetitions" if item.reps else (f"hold {item.hold_s:g} seconds" if item.hold_s else "")
        sets = f"{item.sets} sets of {what}" if item.sets > 1 and what else what
        speech = f"{d.title}{_side_phrase(step.side, d.sided)}. {text} {sets.capitalize()}.".replace("..", ".")
        ev: list[Event] = [
            InstructionEvent(
                t=t, item_index=step.item_index, exercise=d.name, title=d.title, side=step.side, text=text,
                sets=item.sets, reps=item.reps, hold_s=item.hold_s, speech=speech.strip(),
            )
        ]  # fmt: skip
        if self.plan.instruction_s <= 0:
            ev += self._begin_countdown(t)
        return ev

    def _begin_countdown(self, t: float) -> list[Event]:
        self._enter(RunnerState.COUNTDOWN)
        n = math.ceil(self.plan.countdown_s - 1e-9)
        if n <= 0:
            return self._begin_active(t, [])
        self._last_count = n
        return [CountEvent(t=t, remaining=n, set_number=self.steps[self._i].set_number, speech=str(n))]

    def _begin_active(self, t: float, ev: list[Event]) -> list[Event]:
        self._enter(RunnerState.ACTIVE)
        step, item = self.steps[self._i], self.plan.items[self.steps[self._i].item_index]
        self.tracker = ExerciseTracker(item.exercise, step.side, item.hold_s, item.count_compensated)
        self._set_t0 = self._clock
        self._fault_since.clear()
        self._no_person_since = self._bad_view_since = None
        self._counting, self._turn_hint = True, None
        self._hold_state, self._hold_note, self._unsure_since = "", "", None
        self._next_progress = 5.0
        self._last_cue_t = -math.inf
        return [*ev, CountEvent(t=t, remaining=0, set_number=step.set_number, speech="Go")]

    def _limit_s(self, item: PlanItem) -> float:
        if self.time_limit_s is not None:
            return self.time_limit_s
        kind = item.exercise.kind
        if kind == "reps":
            return max(60.0, 12.0 * (item.reps or 10))
        if kind == "gait":
            return (item.hold_s or 4.0 * (item.reps or 20)) + 30.0
        return 3.0 * (item.hold_s or 30.0) + 30.0

    def _active(
        self,
        t: float,
        values: Mapping[str, float] | None,
        view: View,
        landmarks: Landmarks | None,
        person: bool,
        uncertainties: Mapping[str, float] | None = None,
        azimuth_deg: float = math.nan,
    ) -> list[Event]:
        item, tr = self.item, self.tracker
        assert item is not None and tr is not None
        ev: list[Event] = []
        a = self._clock
        if values is not None:
            upd = tr.update(a, values, view, landmarks, uncertainties, azimuth_deg=azimuth_deg)
            self._value, self._phase, self._value_unc = upd.value, upd.phase, upd.uncertainty
            self._counting, self._turn_hint = upd.counting, upd.turn_hint
            self._hold_state = upd.hold_state if upd.counting else ""
            self._hold_note = tr.hold_note() if self._hold_state else ""
            unsure = self._hold_state == UNSURE
            self._unsure_since = (self._unsure_since if self._unsure_since is not None else a) if unsure else None
            for rep in upd.reps:
                fb = rep_feedback(rep, tr)
                comparison = None
                demo = self.demonstration
                if demo is not None and not {RepVerdict.PARTIAL, RepVerdict.UNSURE} & set(rep.issues):
                    try:
                        comparison = compare_rep(demo, *tr.trace(rep.start_t, rep.end_t),
                                                 peak_uncertainty=rep.peak_uncertainty)  # fmt: skip
                    except (DemonstrationError, ValueError) as exc:  # said, never silently dropped
                        comparison = None
                        fb = (*fb, f"Not compared with the demonstration: {exc}")
                    if comparison is not None:
                        fb = tuple(dict.fromkeys(fb + comparison.feedback))
                if tr.definition.kind == "gait":
                    speech = str(tr.count) if rep.counted and tr.count % 10 == 0 else None
                elif rep.counted:
                    speech = f"{rep.count}. {fb[0]}" if fb else str(rep.count)
                else:
                    speech = fb[0] if fb else "Not counted"
                ev.append(RepEvent(t=t, rep=rep, count=tr.count, target=item.reps, feedback=fb, speech=speech,
                                   comparison=comparison, tone=rep_tone(rep)))  # fmt: skip
            ev += self._hold_events(t, upd.hold_events)
            ev += self._cue(t, a, upd.faults, upd.view_ok, person, upd.turn_hint)
        elif not person:
            tr.pause(a)
            self._counting, self._turn_hint = False, self._nobody_text
            self._hold_state, self._hold_note, self._unsure_since = "", "", None
            ev += self._cue(t, a, [], False, False)
        reason = self._set_finished(item, tr)
        if reason:
            ev += self._end_set(t, reason)
        return ev

    def _hold_events(self, t: float, kinds: list[str]) -> list[Event]:
        tr = self.tracker
        assert tr is not None
        st = tr.hold_status()
        if st is None:
            return []
        balance = tr.definition.kind == "balance"
        speech = {
            "started": "Hold",
            "broken": "Balance lost" if balance else "Back into position",
            "resumed": "Good, keep holding",
            "complete": None,
        }
        ev: list[Event] = [
            HoldEvent(t=t, kind=k, held_s=st.held_s, target_s=st.target_s, speech=speech.get(k),
                      tone=HOLD_TONES.get(k, NEUTRAL))
            for k in kinds
        ]
        if st.held_s >= self._next_progress and not st.complete:
            n = int(self._next_progress)
            self._next_progress += 5.0
            ev.append(HoldEvent(t=t, kind="progress", held_s=st.held_s, target_s=st.target_s, speech=f"{n} seconds"))
        return ev

    def _cue(
        self, t: float, a: float, faults: list[Compensation], view_ok: bool, person: bool, hint: str | None = None
    ) -> list[Event]:
        tr = self.tracker
        assert tr is not None
        names = {c.name for c in faults}
        for n in list(self._fault_since):
            if n not in names:
                del self._fault_since[n]
        for c in faults:
            self._fault_since.setdefault(c.name, a)
        self._no_person_since = None if person else (a if self._no_person_since is None else self._no_person_since)
        bad_view = person and not view_ok
        self._bad_view_since = None if not bad_view else (a if self._bad_view_since is None else self._bad_view_since)
        cand: tuple[str, int, str] | None = None
        if self._no_person_since is not None and a - self._no_person_since >= self.view_grace_s:
            cand = (self._nobody_text, 10, "person")
        elif self._bad_view_since is not None and a - self._bad_view_since >= self.view_grace_s:
            cand = (tr.definition.cues.get("view") or hint or tr.definition.cue("view"), 9, "view")
        else:
            for c in faults:
                if a - self._fault_since[c.name] >= self.cue_debounce_s:
                    cand = (c.cue, c.priority, c.name)
                    break
        if cand is None and self._unsure_since is not None and a - self._unsure_since >= self.view_grace_s:
            # the hold's clock waits on a value that may be in or out: say why (no "Back into position")
            too_wide = tr.hold is not None and tr.hold.too_uncertain is not None
            cand = (HOLD_TOO_UNCERTAIN_CUE if too_wide else HOLD_UNSURE_CUE, 0, "measurement")
        if cand is None or a - self._last_cue_t < self.cue_interval_s:
            return []
        if self._last_cue is not None and self._last_cue[0] == cand[0] and a - self._last_cue[1] < self.cue_repeat_s:
            return []
        self._last_cue = (cand[0], a)
        self._last_cue_t = a
        # a compensation asks for a change of movement; the view, the person out of it or a measurement
        # that cannot judge the hold is set-up, no verdict
        tone = NEUTRAL if cand[2] in ("person", "view", "measurement") else CORRECTION
        return [CueEvent(t=t, text=cand[0], priority=cand[1], source=cand[2], speech=cand[0], tone=tone)]

    def _set_finished(self, item: PlanItem, tr: ExerciseTracker) -> str | None:
        kind = tr.definition.kind
        if kind == "reps" and item.reps is not None and tr.count >= item.reps:
            return "complete"
        if kind == "gait":
            if item.reps is not None and tr.count >= item.reps:
                return "complete"
            if item.hold_s is not None and self._clock - self._set_t0 >= item.hold_s:
                return "complete"
        st = tr.hold_status()
        if st is not None:
            if st.complete:
                return "complete"
            if kind == "balance" and self.stop_on_balance_loss and st.breaks > 0:
                return "balance_lost"
        if self._clock - self._set_t0 >= self._limit_s(item):
            return "time_limit"
        return None

    def _end_set(self, t: float, reason: str, then_next: bool = True) -> list[Event]:
        step, item, tr = self.steps[self._i], self.item, self.tracker
        assert item is not None and tr is not None
        res = SetResult(
            item_index=step.item_index, exercise=item.exercise.name, side=step.side, set_number=step.set_number,
            sets=item.sets, start_t=self._set_t0, end_t=self._clock, end_reason=reason, count=tr.count,
            target_reps=item.reps, reps=tuple(tr.reps), hold=tr.hold_status(), sway=tr.sway_result(),
            gait=tr.gait_result(), faults_s=dict(tr.faults_s),
        )  # fmt: skip
        self._sets.append(res)
        more = step.set_number < item.sets or (
            self._i + 1 < len(self.steps) and self.steps[self._i + 1].item_index == step.item_index
        )
        speech = None
        if reason == "complete" and more:
            speech = f"Set {step.set_number} done"
        elif reason == "time_limit":
            speech = "Time is up for this set"
        elif reason == "balance_lost":
            speech = f"You balanced for {int(res.hold.time_to_first_break_s or 0)} seconds" if res.hold else None
        ev: list[Event] = [SetDone(t=t, result=res, speech=speech)]
        self.tracker = None
        if not then_next:
            return ev
        if not more:
            results = tuple(r for r in self._sets if r.item_index == step.item_index)
            ev.append(ExerciseDone(t=t, item_index=step.item_index, exercise=item.exercise.name, skipped=False,
                                   results=results, speech="Well done"))  # fmt: skip
        if self._i + 1 >= len(self.steps):
            return ev + self._finish(t)
        rest = item.rest_s if more else self.plan.rest_between_s
        if rest <= 0:
            return ev + self._next(t)
        self._rest_s = rest
        self._enter(RunnerState.REST)
        nxt = self.plan.items[self.steps[self._i + 1].item_index]
        next_title = nxt.exercise.title if not more else item.exercise.title
        say = f"Rest for {rest:g} seconds" + (f". Next: {next_title}" if not more else "")
        ev.append(RestEvent(t=t, duration_s=rest, next_title=next_title, speech=say))
        return ev

    def _next(self, t: float) -> list[Event]:
        if self._i + 1 >= len(self.steps):
            return self._finish(t)
        prev = self.steps[self._i]
        self._i += 1
        cur = self.steps[self._i]
        if cur.item_index != prev.item_index or cur.side != prev.side:
            return self._begin_instruction(t)
        return self._begin_countdown(t)

    def _finish(self, t: float) -> list[Event]:
        self._enter(RunnerState.DONE)
        self._i = len(self.steps)
        if not self._person_seen:  # nothing was measured: no "well done" for it (the window said so)
            speech = "Session ended: nobody was in view, nothing was measured"
        else:
            speech = "Session stopped" if self._stopped else "Session complete. Well done"
        return [SessionDone(t=t, result=self.result, speech=speech)]

    # -- results -------------------------------------------------------------------------------
    @property
    def result(self) -> SessionResult:
        return SessionResult(
            title=self.plan.title, start_t=0.0, end_t=self._clock, sets=tuple(self._sets),
            skipped=tuple(self._skipped), stopped=self._stopped,
        )  # fmt: skip

    @property
    def status(self) -> RunnerStatus:
        step = self.step
        item = self.item
        tr = self.tracker
        remaining = math.nan
        if self.state is RunnerState.INSTRUCTION:
            remaining = max(0.0, self.plan.instruction_s - self.elapsed)
        elif self.state is RunnerState.COUNTDOWN:
            remaining = max(0.0, self.plan.countdown_s - self.elapsed)
        elif self.state is RunnerState.REST:
            remaining = max(0.0, self._rest_s - self.elapsed)
        hold = tr.hold_status() if tr else None
        elapsed = tr.rep_elapsed_s if tr else math.nan
        demo = self.demonstration
        ghost_u = math.nan if demo is None else (0.0 if math.isnan(elapsed) else demo.ghost_u(elapsed))
        return RunnerStatus(
            state=self.state,
            paused=self.paused,
            item_index=step.item_index if step else -1,
            items=len(self.plan.items),
            exercise=item.exercise.name if item else "",
            title=item.exercise.title if item else "",
            side=step.side if step else "",
            set_number=step.set_number if step else 0,
            sets=item.sets if item else 0,
            count=tr.count if tr else 0,
            target_reps=item.reps if item else None,
            held_s=hold.held_s if hold else 0.0,
            hold_target_s=item.hold_s if item else None,
            rep_elapsed_s=elapsed,
            ghost_u=ghost_u,
            phase=self._phase if tr else "",
            value=self._value if tr else math.nan,
            value_uncertainty=self._value_unc if tr else math.nan,
            target_text=tr.target_text() if tr else "",
            remaining_s=remaining,
            last_cue=self._last_cue[0] if self._last_cue else None,
            counting=self._counting if tr else True,
            turn_hint=self._turn_hint if tr else None,
            stopped=self._stopped,
            hold_state=self._hold_state if tr else "",
            hold_note=self._hold_note if tr else "",
            nobody_seen=not self._person_seen,
        )


def _side_phrase(side: str, sided: bool) -> str:
    if not sided or side not in ("left", "right"):
        return ""
    return f", {side} side"
