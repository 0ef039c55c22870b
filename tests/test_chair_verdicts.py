"""The timed chair tests: a strong result never reads like a weak one, and a count carries its ± 1 stand.

A fourteenth audit saw 19 stands (woman, 66; Rikli & Jones 1999's middle half 11-16) get the same
red "outside" as 5 stands, and "19.0 → 18.0 stands (−1.0, threshold 0.0): change" (a count shown
± 0.0). The recordings are the constructed sit-to-stand cycles of ``test_assessment_functional``:
one cycle is 64 frames (4 seated, 10 lean, 20 rise, 10 standing, 20 sit; the first 10 seated),
the body first standing at frame 31 + 64 k of the recording (its standing frame, ``h`` ≥ 0.90).
"""

from __future__ import annotations

import math

import pytest
from test_assessment_functional import _seq, _sts

from posture_feedback.assessment.chair_stand import COUNT_UNCERTAINTY, TIMING_ALLOWANCE_S
from posture_feedback.assessment.change import is_real_change
from posture_feedback.assessment.functional import functional_test
from posture_feedback.assessment.record import verdict_tone
from posture_feedback.assessment.report import render_html

CYCLE = 64


def _chair(n_stands: int, fps: float, tail: int = 0, age: int = 66, sex: str = "female"):
    rec = functional_test("thirty_second_chair_stand", _seq(_sts(n_stands, tail=tail)[0], fps), age=age, sex=sex)
    m = rec.measure("thirty_second_chair_stand")
    return rec, m, rec.details[m.label]


def _row_class(rec) -> str:
    html = render_html([rec])
    row = html[html.index("<tr class='") + len("<tr class='"):]
    return row[: row.index("'")]


def test_nineteen_stands_are_above_the_middle_half_not_outside():
    # 40 fps: the movement onset falls in the first lean (frames 10-20), so 30 s later is frame
    # 1210-1220; standing frames 31 + 64 k ≤ 1210 for k ≤ 18 (k = 18: frame 1183), and the next
    # stand leaves the seat at frame 1237 (> 1220), so nothing is under way: 19 stands.
    rec, m, d = _chair(22, 40.0)
    assert m.value == 19.0
    assert (m.reference_low, m.reference_high) == (11.0, 16.0)  # Rikli & Jones 1999, women 65-69
    assert m.reference is None  # the table gives no typical value; the range's midpoint is not one
    assert d["verdict"] == "above the middle half of the age group"
    assert verdict_tone(d) == "better" and _row_class(rec) == "better"  # blue, not the concern's pink


def test_five_stands_are_below_the_middle_half():
    # 10 fps: 6.4 s per cycle, so 30 s after the onset (1.0-2.0 s) is 31-32 s: standing frames 31 + 64 k
    # (3.1 + 6.4 k s) ≤ 31 for k ≤ 4: 5 stands (the sixth, at 35.1 s, not more than halfway at 31-32 s).
    rec, m, d = _chair(6, 10.0)
    assert m.value == 5.0
    assert d["verdict"] == "below the middle half of the age group"
    assert verdict_tone(d) == "outside" and _row_class(rec) == "outside"


def test_a_count_carries_one_stand_and_one_stand_is_no_change():
    _, a, _ = _chair(22, 40.0)  # 19 stands
    _, b, _ = _chair(22, 38.0)  # 38 fps: 1.684 s per cycle, standing at 0.816 + 1.684 k s: 18 by 30.3-30.5 s
    _, c, _ = _chair(16, 40.0, tail=220)  # only 16 stands, then seated until the 30 s are over
    assert (a.value, b.value, c.value) == (19.0, 18.0, 16.0)
    assert a.uncertainty == b.uncertainty == c.uncertainty == COUNT_UNCERTAINTY == 1.0
    # the tool's MDC for one count: 1.96 · √2 · 1 = 2.772 stands
    assert a.mdc == pytest.approx(1.96 * math.sqrt(2.0), abs=1e-9)
    # the one change rule: |difference| > max(1.96 · √(1 + 1), MDCs) = 2.77 stands
    assert is_real_change(a.value, b.value, a.uncertainty, b.uncertainty, a.mdc, b.mdc) is False  # 19 → 18
    assert is_real_change(a.value, c.value, a.uncertainty, c.uncertainty, a.mdc, c.mdc) is True  # 19 → 16
    from posture_feedback.assessment.uncertainty import compare_measures

    (ch,) = compare_measures([a], [b])
    assert "threshold 2.8" in ch.describe() and ch.describe().endswith("no detectable change")


def test_seventeen_stands_are_uncertain_by_their_own_count():
    # 17 ± 1 against 11-16: the interval 16-18 holds a value in the range and one above it.
    rec, m, d = _chair(17, 40.0, tail=160)
    assert m.value == 17.0 and d["verdict"] == "uncertain" and verdict_tone(d) == "uncertain"


def test_five_times_words_are_about_the_performance_and_the_time_has_a_plus_minus():
    # 30 fps, five cycles: about 8 s against 12.6 s (age 72, Bohannon 2006): faster than average.
    rec = functional_test("five_times_sit_to_stand", _seq(_sts(5)[0], 30.0), age=72)
    m = rec.measure("five_times_sit_to_stand")
    d = rec.details[m.label]
    # the time's ± : two frame periods in quadrature plus the detection allowance, 1/30 · √2 + 0.1 s
    assert m.uncertainty == pytest.approx(math.sqrt(2.0) / 30.0 + TIMING_ALLOWANCE_S, abs=1e-9)
    assert f"{m.uncertainty:.1f}" != "0.0"
    assert m.value < 12.6 - m.uncertainty
    assert d["verdict"] == "faster than the age group's average" and verdict_tone(d) == "within"
    # 10 fps: 6.4 s per cycle, so five stands take about 30 s: slower than the 12.6 s average, a concern
    slow = functional_test("five_times_sit_to_stand", _seq(_sts(5)[0], 10.0), age=72)
    ms = slow.measure("five_times_sit_to_stand")
    ds = slow.details[ms.label]
    assert ms.value > 12.6 + ms.uncertainty
    assert ds["verdict"] == "slower than the age group's average" and verdict_tone(ds) == "outside"
    assert _row_class(slow) == "outside"


def test_an_old_record_keeps_its_colour_from_its_word():
    assert verdict_tone({"verdict": "outside"}) == "outside"
    assert verdict_tone({"verdict": "no verdict (no norm for this measure)"}) == ""
