"""The built-in exercise library: one TOML definition per exercise in ``exercises/data/``."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from posture_feedback.exercises.definitions import ExerciseDefinition, definition_from_dict, load_definition
from posture_feedback.exercises.errors import DefinitionError
from posture_feedback.exercises.tomlfile import Source, parse_toml

#: Order in which ``--list`` shows the built-ins (posture, reaching, stretching, strength, balance, gait).
ORDER = (
    "upright_sitting", "chin_tuck",
    "forward_reach", "lateral_raise", "shelf_reach",
    "side_bend",
    "mini_squat", "sit_to_stand", "hip_hinge",
    "single_leg_stance", "tandem_stance",
    "marching",
)  # fmt: skip


#: Exercises taken out of the library, and why (a plan naming one gets this as its error).
WITHDRAWN: dict[str, str] = {
    "shoulder_blade_squeeze": (
        "withdrawn: the squeeze (scapular retraction) cannot be seen in the pose landmarks; it was read from "
        "the unsigned shoulder elevation, which grows just as much when the elbows move forward. "
        "Use a therapist-supervised exercise instead (docs/exercises.md, Withdrawn exercises)"
    ),
}


@functools.cache
def _builtins() -> dict[str, ExerciseDefinition]:
    out: dict[str, ExerciseDefinition] = {}
    folder = resources.files("posture_feedback.exercises") / "data"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".toml"):
            continue
        text = entry.read_text(encoding="utf-8")
        source = Source(f"<built-in {entry.name}>", text, DefinitionError)
        defn = definition_from_dict(parse_toml(text, source), source)
        out[defn.name] = defn
    return out


def builtin_names() -> list[str]:
    """Names of the built-in exercises, in library order."""
    names = _builtins()
    return [n for n in ORDER if n in names] + sorted(n for n in names if n not in ORDER)


def list_exercises() -> list[ExerciseDefinition]:
    """The built-in definitions, in library order."""
    return [_builtins()[n] for n in builtin_names()]


def get_exercise(name_or_path: str | Path) -> ExerciseDefinition:
    """A built-in by name, or a therapist's definition file (a path ending in ``.toml``)."""
    key = str(name_or_path)
    if key in _builtins():
        return _builtins()[key]
    if key.endswith(".toml") or Path(key).exists():
        return load_definition(key)
    allowed = ", ".join(builtin_names()) + ", or a definition .toml file"
    if key in WITHDRAWN:
        raise DefinitionError(key, None, "", WITHDRAWN[key], allowed)
    raise DefinitionError(key, None, "", "unknown exercise", allowed)
