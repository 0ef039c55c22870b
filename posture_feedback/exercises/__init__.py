"""Guided exercises: definitions, the built-in library, treatment plans and the session runner.

Core side only (no Qt). The flow is::

    Plan (plan.py) ─► SessionRunner (runner.py) ─► events (events.py) ─► UI / speech / storage
                          │
                          └─ ExerciseTracker (tracker.py): signals.py → RepCounter (reps.py),
                             HoldTimer (holds.py), sway (balance.py), MarchAnalyzer (gait.py);
                             counts only in the exercise's views (viewing.py)

Demonstrations (demonstration.py) become targets clamped to anatomical ranges (anatomy.py).
"""

from posture_feedback.exercises.definitions import Compensation, ExerciseDefinition, Phase, Range, Tempo
from posture_feedback.exercises.errors import DefinitionError, PlanError
from posture_feedback.exercises.library import builtin_names, get_exercise, list_exercises
from posture_feedback.exercises.plan import Plan, PlanItem, load_plan, save_plan

__all__ = [
    "Compensation",
    "DefinitionError",
    "ExerciseDefinition",
    "Phase",
    "Plan",
    "PlanError",
    "PlanItem",
    "Range",
    "Tempo",
    "builtin_names",
    "get_exercise",
    "list_exercises",
    "load_plan",
    "save_plan",
]
