"""What the session runner reports: events (for the UI, speech and storage) and results.

Every event has ``t`` (seconds on the runner's clock, i.e. the frame timestamps it was fed),
``speech``: the short text to say aloud, or None for silent events, and ``tone``: what kind of news
it is (``GOOD``, ``CORRECTION`` or ``NEUTRAL``), decided here in the core from the event's kind and
verdict, never guessed from its words. A speaker without words (``ui.speech_qt.ToneSpeaker``) plays
one tone per kind, so the tone heard always agrees with the row shown: a good repetition (green
"✓") the good tone, a flagged or uncounted one (amber "!", red "✗") the correction tone, and
announcements (instruction, countdown, set done, rest, pause, summary) the neutral tone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from posture_feedback.exercises.balance import SwayResult
from posture_feedback.exercises.demonstration import Comparison
from posture_feedback.exercises.gait import GaitResult
from posture_feedback.exercises.holds import HoldStatus
from posture_feedback.exercises.reps import RepResult, RepVerdict

#: ``Event.tone``: a good repetition, a hold regained.
GOOD = "good"
#: ``Event.tone``: a flagged or uncounted repetition, a live correction (a compensation), a hold broken.
CORRECTION = "correction"
#: ``Event.tone``: an announcement that judges nothing (instruction, countdown, set done, rest, pause,
#: a set's summary, the camera view or the person out of view, an "unsure" attempt).
NEUTRAL = "neutral"
TONES: tuple[str, ...] = (GOOD, CORRECTION, NEUTRAL)


def rep_tone(rep: RepResult) -> str:
    """The tone of a finished repetition, from its verdict (as ``ui.exercise_panel.rep_row`` colours it).

    Counted and good: ``GOOD``. Counted but flagged (too fast, too slow, too far), or not counted
    (partial, short hold, compensated): ``CORRECTION``. ``UNSURE`` (the camera could not tell
    whether it reached the target): ``NEUTRAL``, since there is no verdict to give.
    """
    if rep.verdict == RepVerdict.UNSURE:
        return NEUTRAL
    return GOOD if rep.counted and rep.verdict == RepVerdict.GOOD else CORRECTION


#: The tone of each ``HoldEvent.kind``.
HOLD_TONES: dict[str, str] = {
    "started": NEUTRAL, "progress": NEUTRAL, "broken": CORRECTION, "resumed": GOOD, "complete": GOOD,
}  # fmt: skip


@dataclass(frozen=True)
class SetResult:
    """One set of one exercise on one side.

    ``end_reason``: ``complete`` (target reached), ``time_limit``, ``balance_lost``, ``stopped``
    (ended early by ``advance``), ``skipped``. Times are on the runner's active clock (seconds,
    pauses excluded). ``faults_s``: seconds each compensation was seen during the set.
    """

    item_index: int
    exercise: str
    side: str
    set_number: int
    sets: int
    start_t: float
    end_t: float
    end_reason: str
    count: int
    target_reps: int | None
    reps: tuple[RepResult, ...] = ()
    hold: HoldStatus | None = None
    sway: SwayResult | None = None
    gait: GaitResult | None = None
    faults_s: dict[str, float] = field(default_factory=dict)

    @property
    def completed(self) -> bool:
        return self.end_reason == "complete"


@dataclass(frozen=True)
class SessionResult:
    """All sets of a session, in order, and the exercises skipped (item indices).

    ``stopped``: the session was ended by ``SessionRunner.stop`` (a Stop button, the end of a
    recording) before the plan's last set: it is a stopped session, not a completed one.
    """

    title: str
    start_t: float
    end_t: float
    sets: tuple[SetResult, ...]
    skipped: tuple[int, ...] = ()
    stopped: bool = False

    @property
    def status(self) -> str:
        """``"stopped"`` or ``"completed"``: the words the window, the CLI and the records use."""
        return "stopped" if self.stopped else "completed"


@dataclass(frozen=True, kw_only=True)
class Event:
    t: float
    speech: str | None = None
    tone: str = NEUTRAL  #: ``GOOD``, ``CORRECTION`` or ``NEUTRAL`` (see the module docstring)


@dataclass(frozen=True, kw_only=True)
class InstructionEvent(Event):
    """A new exercise (or side) begins: show and say the instruction."""

    item_index: int
    exercise: str
    title: str
    side: str
    text: str
    sets: int
    reps: int | None
    hold_s: float | None


@dataclass(frozen=True, kw_only=True)
class CountEvent(Event):
    """Countdown before a set: ``remaining`` seconds 3, 2, 1, then 0 = go."""

    remaining: int
    set_number: int


@dataclass(frozen=True, kw_only=True)
class RepEvent(Event):
    """A repetition (or a marching step) finished: counted or not, with its verdict and feedback.

    ``comparison``: the rep against the therapist's demonstration (when the plan item has one).
    """

    rep: RepResult
    count: int
    target: int | None
    feedback: tuple[str, ...] = ()
    comparison: Comparison | None = None


@dataclass(frozen=True, kw_only=True)
class HoldEvent(Event):
    """Hold progress: ``kind`` = started, broken, resumed, progress (every 5 s held), complete."""

    kind: str
    held_s: float
    target_s: float


@dataclass(frozen=True, kw_only=True)
class CueEvent(Event):
    """The single most important correction now. ``source``: a compensation name, ``view`` or ``person``."""

    text: str
    priority: int
    source: str


@dataclass(frozen=True, kw_only=True)
class RestEvent(Event):
    """A rest starts (``duration_s``); ``next_title`` is what comes after it."""

    duration_s: float
    next_title: str


@dataclass(frozen=True, kw_only=True)
class PauseEvent(Event):
    paused: bool


@dataclass(frozen=True, kw_only=True)
class SetDone(Event):
    result: SetResult


@dataclass(frozen=True, kw_only=True)
class ExerciseDone(Event):
    item_index: int
    exercise: str
    skipped: bool
    results: tuple[SetResult, ...]


@dataclass(frozen=True, kw_only=True)
class SessionDone(Event):
    result: SessionResult
