"""Timed chair tests as evaluation records: the five-times sit-to-stand (5xSTS) and the 30-second chair stand.

``functional_test(name, results, age=, sex=)`` finds the stands (``chair_stand``), scores the
test and returns an ``AssessmentRecord`` (kind "functional") with one measure:

* ``five_times_sit_to_stand`` (s, ± the timing uncertainty of ``chair_stand``): reference =
  Bohannon 2006's time for the age group (60–69: 11.4 s, 70–79: 12.6 s, 80–89: 14.8 s). Fewer
  seconds is the better performance, so the words are about the performance, not the number: a
  time above it by more than its ± is "slower than the age group's average" (a concern), below it
  "faster than the age group's average"; "uncertain" when its ± reaches the average.
* ``thirty_second_chair_stand`` (stands, ± 1 stand: ``chair_stand.COUNT_UNCERTAINTY``):
  reference = Rikli & Jones 1999's 25th–75th percentile range for the age group and sex: "below
  the middle half of the age group" (weaker than three quarters of it: a concern), "within the
  middle half of the age group", "above the middle half of the age group" (stronger than three
  quarters: coloured as a good result, never as the concern). The table gives no typical value,
  so none is stored (the range's midpoint is no published figure).

The verdict and its tone (``details[label]["verdict_tone"]``: "outside" for a concern, "better"
for above) come from ``record.worded_verdict``. Without an age (or, for the 30-s test, a sex)
inside the norms' range, the value is reported without a verdict. The MDC is this tool's own
(``change.tool_mdc``: 1.96·√2·u, 2.77 stands for a count); no borrowed MDC is used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from posture_feedback.assessment.chair_stand import (
    ChairStandError,
    chair_stand_norm,
    find_stands,
    five_sts_norm,
    five_times_sit_to_stand,
    thirty_second_chair_stand,
)
from posture_feedback.assessment.record import AssessmentRecord
from posture_feedback.assessment.references import Reference
from posture_feedback.assessment.summary import build_measure
from posture_feedback.types import FrameResult

FUNCTIONAL_TESTS: dict[str, str] = {
    "five_times_sit_to_stand": "Five-times sit-to-stand",
    "thirty_second_chair_stand": "30-second chair stand",
}
INSTRUCTIONS: dict[str, str] = {
    "five_times_sit_to_stand": (
        "Sit in the middle of a firm chair (about 43 cm high) without arms, feet flat, arms crossed on your chest. "
        "Stand up fully and sit down again five times, as fast as you safely can. Whole body in view."
    ),
    "thirty_second_chair_stand": (
        "Sit in the middle of a firm chair (about 43 cm high) against a wall, feet flat, arms crossed on your "
        "chest. Stand up fully and sit down again as many times as you can in 30 seconds. Whole body in view."
    ),
}
SEXES = ("female", "male")
#: Verdict words (below, within, above the reference) of each test, about the performance.
FIVE_STS_WORDS = ("", "faster than the age group's average", "slower than the age group's average")
CHAIR_STAND_WORDS = (
    "below the middle half of the age group",
    "within the middle half of the age group",
    "above the middle half of the age group",
)


def _reference(name: str, age: int | None, sex: str | None) -> tuple[Reference, str]:
    if name == "five_times_sit_to_stand":
        norm = five_sts_norm(age)
        if norm is None:
            why = "no age given" if age is None else f"age {age} outside the norm's 60-89 years"
            return Reference(None, None, None, "s", "Bohannon 2006", f"no verdict: {why}", sem_floor=0.0,
                             sem_source="none"), why  # fmt: skip
        return Reference(None, norm, norm, "s", "Bohannon 2006",
                         f"a time above {norm:g} s is worse than average for age {age} (Bohannon 2006)",
                         sem_floor=0.0, sem_source="none", words=FIVE_STS_WORDS, better="lower"), ""  # fmt: skip
    rng = chair_stand_norm(age, sex)
    if rng is None:
        why = "no age or sex given" if age is None or sex is None else f"age {age} outside the norm's 60-94 years"
        return Reference(None, None, None, "stands", "Rikli & Jones 1999", f"no verdict: {why}", sem_floor=0.0,
                         sem_source="none"), why  # fmt: skip
    lo, hi = rng
    return Reference(float(lo), float(hi), None, "stands", "Rikli & Jones 1999",
                     f"middle half (25th-75th percentile) of {sex}s aged {age}: {lo}-{hi} stands; below is weaker "
                     "than three quarters of the age group, above is stronger", sem_floor=0.0,
                     sem_source="none", words=CHAIR_STAND_WORDS, better="higher"), ""  # fmt: skip


def functional_test(
    name: str,
    results: Sequence[FrameResult],
    *,
    age: int | None = None,
    sex: str | None = None,
    inputs: dict[str, Any] | None = None,
) -> AssessmentRecord:
    """Score a timed chair test on a recording. Raises ``ChairStandError`` when it is not in the recording."""
    if name not in FUNCTIONAL_TESTS:
        raise ChairStandError(f"unknown functional test {name!r} (available: {', '.join(FUNCTIONAL_TESTS)})")
    if sex is not None and sex not in SEXES:
        raise ChairStandError(f"sex must be one of {', '.join(SEXES)}, not {sex!r}")
    cs = find_stands(results)
    scored = five_times_sit_to_stand(cs) if name == "five_times_sit_to_stand" else thirty_second_chair_stand(cs)
    ref, why = _reference(name, age, sex)
    record = AssessmentRecord(kind="functional", title=FUNCTIONAL_TESTS[name], inputs=dict(inputs or {}))
    record.inputs.update({"test": name, "instruction": INSTRUCTIONS[name], "age": age, "sex": sex})
    m, d = build_measure(
        name, scored.value, scored.uncertainty, math.nan, ref, view="any",
        start_frame=results[scored.start].frame.index, end_frame=results[scored.end].frame.index,
        stands=[{"seat_off_frame": results[s.seat_off].frame.index, "standing_frame": results[s.standing].frame.index,
                 "seat_off_s": results[s.seat_off].frame.timestamp_s} for s in cs.stands],
        timing=scored.note, rejected=list(cs.rejected),
    )  # fmt: skip
    record.measures.append(m)
    record.details[m.label] = d
    if why:
        record.warnings.append(f"{FUNCTIONAL_TESTS[name]}: reported without a verdict ({why})")
    record.warnings.append(
        "the time starts at the first movement of the trunk (no 'go' signal in a video): a stopwatch time "
        "includes the reaction time as well"
        if name == "five_times_sit_to_stand"
        else "counting starts at the first movement of the trunk (no 'go' signal in a video)"
    )
    return record
