"""Writes a running exercise session into the database as it goes, from the session runner's events.

``SessionRecorder.handle(event)`` takes the events of ``exercises.runner.SessionRunner`` in order:
a set is recorded when its countdown ends (or at its first repetition), every finished repetition is
committed at once (``RepEvent``), the set's summary (end reason, hold, sway, gait, compensation
times) when it ends (``SetDone``), and the session is closed by ``SessionDone``. If the app stops
without ``SessionDone``, call :meth:`SessionRecorder.close` (status ``aborted``); if it crashes,
everything committed so far stays and the session shows as not finished.

Runner times (seconds on the runner clock) become wall-clock times: ``started_at`` plus the
runner time elapsed since the first event.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime, timedelta
from typing import Any

from posture_feedback.storage.database import Database
from posture_feedback.storage.models import Repetition

#: Runner verdicts that still count the repetition but flag it (quality "fair"); "compensated" counts
#: only when the plan allows compensated reps (``count_compensated``), and is never "good".
FLAGGED_VERDICTS = ("too_fast", "too_slow", "too_far", "compensated")


def _plain(obj: Any) -> Any:
    """Dataclasses (HoldStatus, SwayResult, GaitResult) and enums as JSON-ready values."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(obj).items()}
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if hasattr(obj, "value") and isinstance(obj.value, str):
        return obj.value
    return obj


def _hold_quality(hold: Any) -> str:
    """A hold's stored quality: ``good`` (reached without a break), ``fair`` (reached with breaks),
    ``poor`` (not reached), or ``unsure`` when the camera left more of it unsure than it decided
    (``HoldStatus.judged``): a hold the camera could not time is not held against the person."""
    if hold.complete:
        return "good" if hold.breaks == 0 else "fair"
    return "poor" if getattr(hold, "judged", True) else "unsure"


def rep_quality(verdict: str, counted: bool) -> str:
    """The stored quality of a runner verdict: good; fair (counted but flagged); poor (not counted);
    unsure (not counted because the camera could not tell whether the target was reached)."""
    if verdict == "unsure":
        return "unsure"
    if not counted:
        return "poor"
    return "good" if verdict == "good" else "fair"


#: The status (``exercise``'s JSON ``status``, the CSV's ``verdict``) of a recording in which nobody was in
#: view in any frame: nothing was measured, and the session is not stored in the history (an audit: such a
#: run said "status": "completed" with 0 repetitions, and the history counted it as a session done).
NOBODY_FOUND = "nobody_found"
#: Why, in words (the summary, the CSV's ``issues``, the history line, the exercise window).
NOBODY_TEXT = "nobody was in view in any frame: nothing measured"


class SessionRecorder:
    """Records one session of one profile (see the module docstring).

    Args:
        db: the open database.
        profile_id: whose session it is.
        plan_id: the stored plan being followed, None for a single exercise.
        source: the frame source's name ("camera 0", a video path).
        signals: optional exercise name → primary signal/angle name, stored with each repetition;
            a ``{side}`` in it is filled with the set's side (``left_arm_raise`` for the left
            side's set of an exercise done one side at a time, ``each_…`` only for both together).
        plan_version: the version of ``plan_id`` being followed (default its latest).
        open_ended: a recording counted to its end (a single exercise without a number of
            repetitions): no target is stored for its sets, and the recording's end completes the
            session (it was stored as a target of 10 000 and "stopped" until 2026-12-07).
    """

    def __init__(
        self,
        db: Database,
        profile_id: int,
        plan_id: int | None = None,
        *,
        source: str = "",
        signals: dict[str, str] | None = None,
        started_at: datetime | None = None,
        plan_version: int | None = None,
        open_ended: bool = False,
    ) -> None:
        self.db = db
        self.open_ended = open_ended
        self.started_at = (started_at or datetime.now()).astimezone()
        self.session_id = db.start_session(
            profile_id, plan_id, source=source, started_at=self.started_at, plan_version=plan_version
        )
        self.signals = dict(signals or {})
        self._t0: float | None = None
        self._exercise: str | None = None
        self._side: str | None = None
        self._targets: tuple[int | None, float | None] = (None, None)
        self._set_id: int | None = None
        self._set_number = 0
        self.closed = False

    def wall(self, t: float) -> datetime:
        """Wall-clock time of a runner time ``t`` (seconds)."""
        if self._t0 is None:
            self._t0 = t
        return self.started_at + timedelta(seconds=max(0.0, t - self._t0))

    def handle(self, event: Any) -> None:
        """Record what an event means for storage; other events are ignored."""
        kind = type(event).__name__
        self.wall(event.t)  # anchors the clock at the first event
        if kind == "InstructionEvent":
            self._exercise, self._side = event.exercise, event.side
            self._targets = (event.reps, event.hold_s)
        elif kind == "CountEvent" and event.remaining == 0:
            self._set_number = event.set_number
            self._start_set(event.t)
        elif kind == "RepEvent":
            self._start_set(event.rep.start_t)
            self._add_rep(event.rep)
        elif kind == "SetDone":
            self._end_set(event.result)
        elif kind == "SessionDone":
            # a session stopped before the plan's end (Stop, the end of a recording) is stored as
            # "aborted" (shown as "stopped"), never as completed
            stopped = bool(getattr(event.result, "stopped", False)) and not self.open_ended
            self.close(status="aborted" if stopped else "completed", t=event.t)

    def _start_set(self, t: float) -> None:
        if self._set_id is not None or self._exercise is None:
            return
        reps, hold = self._targets
        if self.open_ended:
            reps = None  # counted to the recording's end: there was no target
        side = self._side if self._side in ("left", "right") else None
        self._set_id = self.db.add_set(self.session_id, self._exercise, side=side, target_reps=reps,
                                       target_hold_s=hold, started_at=self.wall(t))  # fmt: skip

    def _add_rep(self, rep: Any) -> None:
        duration = rep.end_t - rep.start_t
        verdict = str(getattr(rep.verdict, "value", rep.verdict))
        self.db.add_repetition(
            self._set_id,
            Repetition(
                index=rep.number, started_at=self.wall(rep.start_t), ended_at=self.wall(rep.end_t),
                angle=self._signal(self._exercise), peak_angle=rep.peak, peak_unc=rep.peak_uncertainty,
                time_in_range_s=rep.time_in_range_s,
                time_in_range_frac=rep.time_in_range_s / duration if duration > 0 else math.nan,
                tempo_s=duration, quality=rep_quality(verdict, rep.counted),
                compensations=tuple(rep.compensations),
                extras={"verdict": verdict, "issues": _plain(rep.issues), "counted": rep.counted, "count": rep.count,
                        "hold_s": rep.hold_s, "out_s": rep.out_s, "back_s": rep.back_s, "side": rep.side},
            ),
        )  # fmt: skip

    def _signal(self, exercise: str | None) -> str:
        """The stored signal name of ``exercise``'s current set, its side filled in."""
        from posture_feedback.exercises.definitions import fill

        return fill(self.signals.get(exercise or "", ""), self._side or "both")

    def _end_set(self, result: Any) -> None:
        self._exercise, self._side = result.exercise, result.side
        self._start_set(result.start_t)
        if self._set_id is None:
            return
        if result.hold is not None and not result.reps:
            # A hold (or balance stance) is stored as one repetition: seconds held in range.
            h = result.hold
            self.db.add_repetition(
                self._set_id,
                Repetition(
                    index=1, started_at=self.wall(result.start_t), ended_at=self.wall(result.end_t),
                    angle=self._signal(result.exercise), time_in_range_s=h.held_s,
                    time_in_range_frac=h.held_s / h.target_s if h.target_s > 0 else math.nan, tempo_s=h.held_s,
                    quality=_hold_quality(h),
                    extras={"hold": _plain(h)},
                ),
            )  # fmt: skip
        end_reason = result.end_reason
        if self.open_ended and end_reason == "stopped":
            # the recording's end is the end it was counted to: the set is complete, as the session is
            # (an audit: the stored set said "stopped" beside the session's "completed" in the report's JSON)
            end_reason = "complete"
        summary = {
            "end_reason": end_reason, "count": result.count, "sets": result.sets,
            "faults_s": _plain(result.faults_s), "hold": _plain(result.hold), "sway": _plain(result.sway),
            "gait": _plain(result.gait),
        }  # fmt: skip
        self.db.end_set(self._set_id, ended_at=self.wall(result.end_t), extras=summary)
        self._set_id = None

    def discard(self) -> None:
        """Remove the session with its sets, repetitions and ratings (``NOBODY_TEXT``: nobody was in view
        in any frame, so nothing was measured): the history and adherence never count it as a session
        done or stopped. Both the headless run and the exercise window use it."""
        self.closed = True
        self.db.delete_session(self.session_id)

    def close(self, status: str = "aborted", t: float | None = None) -> None:
        """End the session (``completed`` or ``aborted``); safe to call twice."""
        if self.closed:
            return
        self.closed = True
        self.db.end_session(self.session_id, status=status, ended_at=self.wall(t) if t is not None else None)
