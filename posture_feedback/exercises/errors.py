"""Errors for plan and exercise-definition files: where (file, line, field), what is wrong, what is allowed."""

from __future__ import annotations

from posture_feedback.errors import PostureFeedbackError


class PlanError(PostureFeedbackError):
    """A treatment plan (or a file it refers to) is invalid; a session never starts from it.

    Attributes:
        file: path of the file (``"<string>"`` when parsed from text).
        line: 1-based line of the offending field in that file, None when it cannot be located.
        field: dotted field path, exercise indices 1-based (``exercise[2].sets``); "" for the whole file.
        problem: what is wrong.
        allowed: what is allowed instead ("" when obvious).
    """

    def __init__(self, file: str, line: int | None, field: str, problem: str, allowed: str = "") -> None:
        self.file = file
        self.line = line
        self.field = field
        self.problem = problem
        self.allowed = allowed
        where = file if line is None else f"{file}:{line}"
        text = f"{where}: {field}: {problem}" if field else f"{where}: {problem}"
        if allowed:
            text += f" (allowed: {allowed})"
        super().__init__(" ".join(text.split()))


class DefinitionError(PlanError):
    """An exercise definition (built-in data or a therapist's own file) is invalid."""
