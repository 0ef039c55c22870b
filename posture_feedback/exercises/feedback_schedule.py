"""The plan's feedback schedule, applied to the session runner's events (docs/feedback_schedule.md).

Motor-learning research separates *performance* during practice from *learning* (what is kept a
day later). Feedback on every attempt helps performance but guides the learner into depending on
it; feedback that is reduced and faded as practice goes on helps retention (Winstein & Schmidt
1990; Salmoni, Schmidt & Walter 1984). Bandwidth knowledge of results, given only when the error
is outside a tolerance band, reduces feedback automatically as the learner improves (Sherwood
1988). How much guidance suits a task also depends on its complexity (Wulf & Shea 2002): the
therapist chooses the schedule per plan.

``FeedbackFilter(plan, session_number)`` takes the runner's events in order and returns what the
patient is told, for the plan's ``[feedback]`` mode in this session (``FeedbackSchedule.mode_for_session``):

* ``concurrent``: everything, as the runner says it (a word on every repetition, live cues).
* ``bandwidth``: a repetition whose peak is within ``bandwidth_deg`` of the target range is counted
  silently: no feedback text, only the count is spoken (a rep 8° short of a 10° band is not
  corrected). The band is about the range of movement: a tempo problem (too fast, too slow) or a
  compensation is still said. Repetitions outside the band keep their feedback; live cues stay.
* ``summary``: no feedback during the set (repetitions are counted silently; compensation cues
  are held back; cues about the camera view or the person stay, since without them nothing can be
  measured). After each set, one summary (knowledge of results): reps counted, how many reached
  the target range, the commonest problem.

Counting, verdicts and what is stored never change: only what is shown and spoken.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from typing import Any

from posture_feedback.exercises.events import NEUTRAL, CueEvent, InstructionEvent, RepEvent, SetDone

#: Cue sources that are never held back (without them nothing can be measured, or a hold's clock
#: waits with no reason given).
ALWAYS_SAY = ("view", "person", "measurement")
#: How a runner verdict is said in a summary.
_PROBLEMS = {
    "partial": "did not reach the target", "short_hold": "not held long enough", "compensated": "compensated",
    "too_fast": "too fast", "too_slow": "too slow", "too_far": "went too far",
}  # fmt: skip


class FeedbackFilter:
    """Applies a plan's feedback schedule to the runner's events (see the module docstring).

    Args:
        plan: the ``exercises.plan.Plan`` being run (its ``feedback`` and items).
        session_number: 1 for the plan's first session, 2 for the second… (for ``faded``).
    """

    def __init__(self, plan: Any, session_number: int = 1) -> None:
        self.plan = plan
        self.schedule = plan.feedback
        self.session_number = max(1, int(session_number))
        self.mode = self.schedule.mode_for_session(self.session_number)
        self._item: Any = plan.items[0] if plan.items else None

    def within_band(self, event: RepEvent) -> bool:
        """True when the repetition's peak is inside the target range widened by ``bandwidth_deg``, with no
        compensation and no tempo problem."""
        if self._item is None or event.rep.compensations:
            return False
        if any(str(i) in ("too_fast", "too_slow", "compensated") for i in event.rep.issues):
            return False
        target = self._item.exercise.target.range
        peak = event.rep.peak
        return not math.isnan(peak) and target.contains(peak, margin=self.schedule.bandwidth_deg)

    def apply(self, events: list[Any]) -> list[Any]:
        """The events as the patient gets them in this session's mode."""
        out: list[Any] = []
        for e in events:
            if isinstance(e, InstructionEvent) and 0 <= e.item_index < len(self.plan.items):
                self._item = self.plan.items[e.item_index]
            if self.mode == "concurrent":
                out.append(e)
            elif isinstance(e, RepEvent):
                silent = self.mode == "summary" or self.within_band(e)
                # counted silently: the count only, in the neutral tone (a good or correction tone would
                # give the knowledge of results this mode holds back)
                quiet = replace(e, feedback=(), speech=str(e.count) if e.rep.counted else None, tone=NEUTRAL)
                out.append(quiet if silent else e)
            elif isinstance(e, CueEvent) and self.mode == "summary" and e.source not in ALWAYS_SAY:
                continue
            elif isinstance(e, SetDone) and self.mode == "summary":
                out.append(e)
                text = set_summary(e)
                out.append(CueEvent(t=e.t, text=text, priority=0, source="summary", speech=text, tone=NEUTRAL))
            else:
                out.append(e)
        return out


def _unsure(rep: Any) -> bool:
    """The camera could not tell whether this repetition reached its target (``RepVerdict.UNSURE``)."""
    return any(str(i) == "unsure" for i in rep.issues)


def set_summary(event: SetDone) -> str:
    """Knowledge of results after a set: 'Set 1: 8 counted of 10, 6 in the target range; most often: too fast.'"""
    r = event.result
    reps = list(r.reps)
    if r.hold is not None and not reps:
        text = f"Set {r.set_number}: held {r.hold.held_s:.0f} of {r.hold.target_s:.0f} seconds"
        if not r.hold.judged:  # as the panel's "not judged": no knowledge of a result nobody could see
            return text + "; the camera could not tell whether you were in position for most of it."
        return text + "."
    # an unsure repetition's bare value may have crossed into the range (its time in range is not stated:
    # NaN), but its ± reaches both sides: "reached the target range" would be a result the camera could not
    # tell (audit 32: "1 reached the target range" for a seated arm raise peaking at 80.1 ± 4.7° against 80°)
    unsure = sum(1 for x in reps if _unsure(x))
    in_range = sum(1 for x in reps if x.time_in_range_s > 0 and not _unsure(x))
    problems = Counter(str(i) for x in reps for i in x.issues if str(i) not in ("good", "unsure"))
    text = f"Set {r.set_number}: {r.count} counted of {len(reps)}, {in_range} reached the target range"
    if unsure:
        text += f", the camera could not tell for {unsure}"
    if problems:
        worst, _n = problems.most_common(1)[0]
        text += f"; most often: {_PROBLEMS.get(worst, worst.replace('_', ' '))}"
    return text + "."
