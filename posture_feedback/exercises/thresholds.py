"""Every threshold of an exercise definition with where it comes from (its ``basis``).

``threshold_rows`` lists the phases, conditions, compensations and tempo of a definition as
(what, value, basis) rows; ``markdown_table`` is the table of docs/exercises.md ("Where the
thresholds come from"), ``thresholds_text`` the same as plain lines with the signals in words
(``signal_words``: the exercise window's tooltip on the target). A basis is a published source
with what it was measured with, or "Tool threshold (not a published norm): …" with the tool's
reasoning; a therapist's definition without one reads ``NOT_STATED``.

    python -m posture_feedback.exercises.thresholds    # prints the docs' table
"""

from __future__ import annotations

import math

from posture_feedback.exercises.definitions import ExerciseDefinition, Range, fill

#: What a threshold without a ``basis`` shows (a therapist's own definition may leave it out).
NOT_STATED = "Not stated in the definition"


def signal_unit(signal: str, primary_unit: str | None = None) -> str:
    """The unit a value of ``signal`` is written with: the definition's ``unit`` for its primary signal
    (``primary_unit``), else degrees, leg lengths for the lifts and the ankle separation, % of the
    shoulder width for the ear–shoulder gap."""
    if any(k in signal for k in ("_lift", "ankle_separation")):
        return " leg lengths"
    if "ear_shoulder_gap" in signal:
        return "% shoulder width"
    if primary_unit is not None:
        return primary_unit
    return "°"


#: Signal names whose words read differently from their name with spaces (``signal_words``).
_WORDS = {"ear_shoulder_gap": "ear–shoulder gap", "trunk_forward_lean_hips_seen": "trunk forward lean (hips in view)"}
#: Signals named by a direction after the name (``trunk_lean_left``: leaning towards the person's left).
_DIRECTION_SIGNALS = ("trunk_lean", "neck_bend")


def signal_words(signal: str, side: str = "both") -> str:
    """A signal's name (a template, ``{side}``/``{other}`` as written) in words for the user:
    "{side}_shoulder_elevation" reads "left shoulder elevation" for one side and "shoulder elevation
    (each side)" for both; "{other}_foot_lift" "right foot lift" / "foot lift (the other side)";
    "trunk_lean_{side}" "trunk lean to the left" / "trunk lean (to each side)". Before, the window's
    tooltip showed the code names ("each_shoulder_elevation", "each_shoulder_hike", a review)."""
    if side in ("left", "right"):
        signal = fill(signal, side)
    for base in _DIRECTION_SIGNALS:  # a direction after the name
        if signal.startswith(base + "_"):
            where = signal[len(base) + 1 :]
            words = base.replace("_", " ")
            if where in ("left", "right"):
                return f"{words} to the {where}"
            return f"{words} (to {'each side' if where == '{side}' else 'the other side'})"
    for placeholder, words in (("{side}_", "each side"), ("{other}_", "the other side")):
        if signal.startswith(placeholder):
            rest = signal[len(placeholder) :]
            return f"{_WORDS.get(rest, rest.replace('_', ' '))} ({words})"
    return _WORDS.get(signal, signal.replace("_", " "))


def _seconds(r: Range) -> str:
    lo = 0.0 if math.isinf(r.low) else r.low
    return f"{lo:g}–{r.high:g} s" if not math.isinf(r.high) else f"≥ {lo:g} s"


def threshold_rows(
    defn: ExerciseDefinition, code: bool = False, side: str | None = None
) -> list[tuple[str, str, str]]:
    """(what, value, basis) of each phase, condition and compensation, and of the tempo when it is set.
    Values name the signal (``{side}`` as written; in backticks with ``code``; in words for the user,
    ``signal_words``, with ``side`` "left", "right" or "both") in its unit; a phase counted from the
    person's own rest (``baseline_s``) says "from the person's start"."""

    def name(signal: str) -> str:
        if side is not None:
            return signal_words(signal, side)
        return f"`{signal}`" if code else signal

    unit = defn.unit if defn.unit else signal_unit(defn.signal)
    rows = []
    for p in defn.phases:
        value = p.range.describe(name(defn.signal), unit)
        if defn.baseline_s > 0:
            value += " from the person's start"
        if p.hold_s > 0:
            value += f", held {p.hold_s:g} s"
        rows.append((f"phase {p.name}", value, p.basis or NOT_STATED))
    for c in defn.conditions:
        rows.append(("condition", c.range.describe(name(c.signal), signal_unit(c.signal)), c.basis or NOT_STATED))
    for c in defn.compensations:
        rows.append((f"compensation {c.name}", f"{c.allowed.describe(name(c.signal), signal_unit(c.signal))} allowed",
                     c.basis or NOT_STATED))  # fmt: skip
    t = defn.tempo
    if not all(math.isinf(r.low) and math.isinf(r.high) for r in (t.out_s, t.back_s)):
        rows.append(("tempo", f"way out {_seconds(t.out_s)}, way back {_seconds(t.back_s)}", t.basis or NOT_STATED))
    return rows


def thresholds_text(defn: ExerciseDefinition, side: str = "both") -> str:
    """The rows as plain lines for the user, signals in words ("phase up: left arm raise 80–180° — Tool
    threshold …"; both sides: "shoulder elevation (each side) 80–180°"), other ``{side}`` filled."""
    rows = threshold_rows(defn, side=side)
    return "\n".join(f"{what.replace('_', ' ')}: {fill(value, side)} — {basis}" for what, value, basis in rows)


def markdown_table(definitions: list[ExerciseDefinition]) -> str:
    """The docs' table: one row per threshold of each definition."""
    lines = ["| exercise | threshold | value | basis |", "| --- | --- | --- | --- |"]
    for d in definitions:
        for what, value, basis in threshold_rows(d, code=True):
            lines.append(f"| `{d.name}` | {what} | {value} | {basis.replace('|', '/')} |")
    return "\n".join(lines)


def main() -> int:
    from posture_feedback.exercises.library import list_exercises

    print(markdown_table(list_exercises()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
