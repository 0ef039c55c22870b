"""Recording a therapist demonstration live (no Qt): countdown, collect, build, name, make it the target.

``DemonstrationRecording`` takes pipeline results on the caller's clock (seconds): the first
``countdown_s`` are the get-ready time and are dropped, then results are kept for at most
``max_s`` seconds (or until the caller stops). ``finish(tolerance)`` turns them into a
``Demonstration`` with ``demonstration_from_results`` (``DemonstrationError`` when there is no
usable repetition; the collected results are kept, so another tolerance can be tried).
``demonstration_path`` names the ``.npz`` (next to a plan file, else ``<data>/demonstrations/``),
``demonstration_summary`` is the one-line account the command line and the app show, and
``item_with_demonstration`` makes a saved demonstration a plan item's target as the plan loader does.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from posture_feedback.exercises.definitions import ExerciseDefinition
from posture_feedback.exercises.demonstration import (
    Demonstration,
    DemonstrationError,
    demonstration_from_results,
    load_demonstration,
    with_demonstrated_target,
)
from posture_feedback.exercises.plan import PlanItem
from posture_feedback.types import FrameResult


@dataclass
class DemonstrationRecording:
    """A demonstration being recorded (times in seconds on the caller's clock).

    Attributes:
        definition: the exercise demonstrated; side: ``left``/``right``/``both``.
        countdown_s: get-ready time before collecting; max_s: longest recording after the countdown.
        start_t: clock time of the first frame (None before it); results: the collected results.
        complete: True once ``max_s`` has passed (or ``stop`` was called).
    """

    definition: ExerciseDefinition
    side: str = "both"
    countdown_s: float = 3.0
    max_s: float = 15.0
    start_t: float | None = None
    results: list[FrameResult] = field(default_factory=list)
    complete: bool = False

    def add(self, t: float, result: FrameResult) -> bool:
        """Offer one result at clock time ``t``; returns True when the recording is complete."""
        if self.start_t is None:
            self.start_t = t
        if self.complete:
            return True
        rel = t - self.start_t - self.countdown_s
        if rel < 0:
            return False
        if rel > self.max_s:
            self.complete = True
            return True
        self.results.append(result)
        return False

    def phase(self, t: float) -> str:
        """``countdown``, ``recording`` or ``complete`` at clock time ``t``."""
        if self.complete:
            return "complete"
        if self.start_t is None or t - self.start_t < self.countdown_s:
            return "countdown"
        return "recording" if t - self.start_t - self.countdown_s <= self.max_s else "complete"

    def remaining_s(self, t: float) -> float:
        """Seconds left in the current phase (countdown or recording) at clock time ``t``."""
        if self.start_t is None:
            return self.countdown_s
        end = self.start_t + self.countdown_s + (self.max_s if self.phase(t) != "countdown" else 0.0)
        return max(0.0, end - t)

    def stop(self) -> None:
        """End the recording now."""
        self.complete = True

    def finish(self, tolerance: float = 10.0) -> Demonstration:
        """The demonstration from the collected results (``DemonstrationError`` when unusable)."""
        if not self.results:
            raise DemonstrationError("nothing was recorded: stop after the countdown, while performing the movement")
        if not any(r.person_found for r in self.results):
            raise DemonstrationError("nobody was seen during the demonstration")
        return demonstration_from_results(self.definition, self.results, side=self.side, tolerance=tolerance)


def demonstration_summary(demo: Demonstration) -> str:
    """The demonstrated ranges and timing in one line (degrees or signal units, seconds)."""
    d = demo.definition
    return (
        f"{d.name} ({demo.side}) demonstrated: {d.start.name} {d.start.range.describe(unit=d.unit)}, "
        f"{d.target.name} {d.target.range.describe(unit=d.unit)}; way out {demo.out_s:.1f} s, "
        f"way back {demo.back_s:.1f} s"
    )


def demonstration_path(
    name: str, plan_source: str | Path | None, data_folder: str | Path, when: _dt.datetime | None = None
) -> Path:
    """Where to save a new demonstration of ``name``: next to the plan file when there is one, else in
    ``data_folder/demonstrations``; named ``<name>-demo-YYYYmmdd-HHMMSS.npz`` (local time ``when``, default now)."""
    stamp = (when or _dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    plan = Path(plan_source) if plan_source else None
    folder = plan.parent if plan is not None and plan.is_file() else Path(data_folder) / "demonstrations"
    return folder / f"{name}-demo-{stamp}.npz"


def item_with_demonstration(item: PlanItem, path: str | Path) -> PlanItem:
    """The plan item with the saved demonstration at ``path`` as its target, as the plan loader makes it for
    ``demonstration = "file.npz"`` (``PlanError`` if unreadable, ``DemonstrationError`` if of another exercise)."""
    demo = load_demonstration(path)
    if item.exercise.kind not in ("reps", "gait"):
        raise DemonstrationError(f"{item.exercise.name} is a {item.exercise.kind} exercise: no demonstration")
    return replace(item, exercise=with_demonstrated_target(item.exercise, demo), demonstration=Path(path))


__all__ = [
    "DemonstrationRecording",
    "demonstration_path",
    "demonstration_summary",
    "item_with_demonstration",
]
