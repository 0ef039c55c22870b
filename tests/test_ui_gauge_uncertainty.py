"""Gauges: a verdict whose ± is wider than its target's near band keeps its verdict colour and writes its ±;
only an undecided value is grey; the therapist view writes every ±."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("PyQt6")

from posture_feedback.targets import Target  # noqa: E402
from posture_feedback.types import ANGLE_INDEX, ANGLE_NAMES, AngleTable, TargetState, Verdict  # noqa: E402
from posture_feedback.ui.gauges import GaugePanel, TargetGauge  # noqa: E402


def _state(value: float) -> TargetState:
    return TargetState(target="trunk", angle="trunk_forward_lean", value=value, verdict=Verdict.IN_RANGE,
                       low=-5.0, high=10.0, cue=None, tolerance=5.0)  # fmt: skip


def test_a_wide_plus_minus_is_written_beside_the_verdict(qtbot) -> None:
    g = TargetGauge(Target(id="trunk", angle="trunk_forward_lean", low=-5, high=10, tolerance=5), 5.0)
    qtbot.addWidget(g)
    g.set_state(_state(3.0), None, 4.0)
    assert not g.wide_plus_minus
    g.set_state(_state(3.0), None, 12.0)  # ±12° against a 5° near band: −9…15° never passes 15°: OK stands
    assert g.wide_plus_minus
    assert g.value_text() == "3° ±12° OK"  # the value, its ± and its own verdict (in the verdict's colour)
    g.set_state(_state(3.0), None, 4.0)
    assert g.value_text() == "3° OK"  # a precise value: the normal view leaves its ± out
    g.set_large(True)  # the therapist view writes every value's ±
    assert g.value_text() == "3° ±4° OK"
    g.set_state(None)
    assert not g.wide_plus_minus and g.value_text() == "—"
    g.grab()  # paints without error in both states


def test_the_panel_takes_each_value_s_uncertainty_from_the_frame_s_angles(qtbot) -> None:
    from posture_feedback.targets import TargetSet

    panel = GaugePanel()
    qtbot.addWidget(panel)
    panel.set_targets(TargetSet(name="t", targets=(Target(id="trunk", angle="trunk_forward_lean", low=-5, high=10,
                                                          tolerance=5),)))  # fmt: skip
    unc = np.full(len(ANGLE_NAMES), np.nan)
    unc[ANGLE_INDEX["trunk_forward_lean"]] = 9.0
    table = AngleTable(np.zeros(len(ANGLE_NAMES)), np.ones(len(ANGLE_NAMES), bool), unc)
    panel.update_states([_state(1.0)], None, table)
    assert panel.gauges["trunk"].uncertainty == 9.0 and panel.gauges["trunk"].wide_plus_minus
    panel.update_states([_state(1.0)], None, None)
    assert math.isnan(panel.gauges["trunk"].uncertainty)


def test_an_undecided_value_is_shown_grey_with_its_interval_and_no_verdict(qtbot) -> None:
    """The core leaves −10° ±8° undecided against −3…3° (near band 2°): the gauge writes the number, its ±
    and "UNSURE", and paints no verdict colour (no green band marker, orange triangle or red square)."""
    from posture_feedback.targets import TargetEvaluator, TargetSet

    target = Target(id="hl", angle="head_tilt", low=-3, high=3, tolerance=2, cue_low="a", cue_high="b")
    unc = np.full(len(ANGLE_NAMES), np.nan)
    values = np.zeros(len(ANGLE_NAMES))
    values[ANGLE_INDEX["head_tilt"]], unc[ANGLE_INDEX["head_tilt"]] = -10.0, 8.0
    table = AngleTable(values, np.ones(len(ANGLE_NAMES), bool), unc)
    (state,) = TargetEvaluator(TargetSet("t", [target])).update(table, "front", 0.0)
    assert state.verdict is Verdict.UNCERTAIN and state.cue is None
    panel = GaugePanel()
    qtbot.addWidget(panel)
    panel.set_targets(TargetSet("t", [target]))
    panel.resize(320, 120)
    panel.update_states([state], None, table)
    g = panel.gauges["hl"]
    assert g.value_text() == "−10° ±8° UNSURE"
    assert g.title_text() == target.display_name  # no side word on a value that may lie either side
    img = g.grab().toImage()
    red = 0
    for y in range(img.height()):
        for x in range(img.width()):
            c = img.pixelColor(x, y)
            red += c.red() > 180 and c.green() < 120 and c.blue() < 60  # the "out" vermillion
    assert red == 0


def test_no_side_word_beside_a_written_plus_minus_that_reaches_zero(qtbot) -> None:
    """Audit 27, hand-worked: head tilt 3.4 ± 3.3° against −5…5° (near band 3°): the interval 0.1…6.7° stays
    within −8…8°, so "OK" stands, and its ± (3.3 > 3) is written: "3° ±3° OK", which reaches 0°. The gauge's
    title and the mirror's label named "left ear up" beside it (decided on the raw 3.4 > 3.3)."""
    from posture_feedback.annotate import angle_label

    target = Target(id="head_tilt", angle="head_tilt", low=-5, high=5, tolerance=3)
    state = TargetState(target="head_tilt", angle="head_tilt", value=3.4, verdict=Verdict.IN_RANGE, low=-5.0,
                        high=5.0, cue=None, tolerance=3.0, uncertainty=3.3)  # fmt: skip
    g = TargetGauge(target, 3.0)
    qtbot.addWidget(g)
    g.set_state(state, None, 3.3)
    assert g.value_text() == "3° ±3° OK" and g.title_text() == target.display_name
    assert angle_label("head_tilt", 3.4, state, 3.3) == "3° ±3° OK"
    wider = TargetState(target="head_tilt", angle="head_tilt", value=3.6, verdict=Verdict.IN_RANGE, low=-5.0,
                        high=5.0, cue=None, tolerance=3.0, uncertainty=3.3)  # fmt: skip
    g.set_state(wider, None, 3.3)  # "4° ±3°": 1…7°, the left ear higher as written
    assert g.title_text().endswith("· left ear up")
    assert angle_label("head_tilt", 3.6, wider, 3.3) == "4° ±3° OK left ear up"


def test_the_written_plus_minus_keeps_the_decimal_its_verdict_needs(qtbot) -> None:
    """Audit 27, hand-worked: shoulder tilt −10 ± 6.6° against −3…3° (near band 2°) reaches −3.4°: LOW. In
    whole degrees, "−10° ±7° LOW" reads −17…−3°, reaching the range: an undecided value to the reader. It is
    written "±6.6°"; −10 ± 6.4° ("±6°": −16…−4°) keeps whole degrees; an undecided −10 ± 7.4° stays "±7°"."""
    from posture_feedback.annotate import angle_label

    target = Target(id="shoulder_level", angle="shoulder_tilt", low=-3, high=3, tolerance=2)
    g = TargetGauge(target, 2.0)
    qtbot.addWidget(g)

    def state(u: float, verdict: Verdict) -> TargetState:
        return TargetState(target="shoulder_level", angle="shoulder_tilt", value=-10.0, verdict=verdict, low=-3.0,
                           high=3.0, cue=None, tolerance=2.0, uncertainty=u)  # fmt: skip

    for u, verdict, written in ((6.6, Verdict.LOW, "−10° ±6.6° LOW"), (6.4, Verdict.LOW, "−10° ±6° LOW"),
                                (7.4, Verdict.UNCERTAIN, "−10° ±7° UNSURE")):  # fmt: skip
        g.set_state(state(u, verdict), None, u)
        assert g.value_text() == written
        assert angle_label("shoulder_tilt", -10.0, state(u, verdict), u).startswith(written)


def test_an_undecided_value_is_written_with_the_decimals_that_read_undecided(qtbot) -> None:
    """Audit 32: the standing preset's hips level (−3…3°, near band 2°) on the sports sample showed
    "0° ±4.8° UNSURE" in the gauge and beside the hips on the picture; written, that reads −4.8…4.8°,
    inside the near band: a decided value (in range). Hand-worked: 0.4 ± 4.8° reaches 5.2°, beyond 3 + 2°,
    so the core leaves it undecided; no ± beside "0" reads so (±5°: −5…5° is still decided), so the value
    takes its decimal: "0.4° ±5° UNSURE" (−4.6…5.4°). The gauge and the overlay's label agree."""
    from posture_feedback.annotate import angle_label
    from posture_feedback.presets import get_preset
    from posture_feedback.targets import TargetEvaluator, undecided

    ts = get_preset("standing")
    target = next(t for t in ts.targets if t.angle == "pelvic_tilt")
    assert (target.low, target.high, target.tolerance) == (-3.0, 3.0, 2.0)
    unc = np.full(len(ANGLE_NAMES), np.nan)
    values = np.zeros(len(ANGLE_NAMES))
    values[ANGLE_INDEX["pelvic_tilt"]], unc[ANGLE_INDEX["pelvic_tilt"]] = 0.4, 4.8
    table = AngleTable(values, np.ones(len(ANGLE_NAMES), bool), unc)
    states = TargetEvaluator(ts).update(table, "front", 0.0)
    state = next(s for s in states if s.target == target.id)
    assert state.verdict is Verdict.UNCERTAIN
    panel = GaugePanel()
    qtbot.addWidget(panel)
    panel.set_targets(ts)
    panel.update_states(states, None, table)
    written = panel.gauges[target.id].value_text()
    assert written == "0.4° ±5° UNSURE"
    assert angle_label("pelvic_tilt", 0.4, state, 4.8) == written
    v, u = (float(x) for x in written.replace("°", "").replace("±", "").replace("−", "-").split()[:2])
    assert undecided(v, u, -3.0, 3.0, 2.0)  # the written pair reads as the verdict does


@pytest.mark.parametrize("tolerance", [1.0, 2.0, 5.0])
def test_every_written_value_and_plus_minus_read_as_their_verdict(tolerance) -> None:
    """Over a grid of values and ± against −3…3°, the written pair (value, ±) is undecided exactly when
    the core's verdict is UNSURE, judged from the numbers as written (a reader's check)."""
    from posture_feedback.targets import TargetEvaluator, TargetSet, pm_texts, undecided

    target = Target(id="t", angle="shoulder_tilt", low=-3, high=3, tolerance=tolerance)
    ev = TargetEvaluator(TargetSet("t", [target]))
    for value in np.arange(-12.0, 12.01, 0.13):
        for u in np.arange(0.35, 12.0, 0.29):
            vals = np.zeros(len(ANGLE_NAMES))
            unc = np.full(len(ANGLE_NAMES), np.nan)
            vals[ANGLE_INDEX["shoulder_tilt"]], unc[ANGLE_INDEX["shoulder_tilt"]] = value, u
            (s,) = ev.update(AngleTable(vals, np.ones(len(ANGLE_NAMES), bool), unc), "front", 0.0)
            vt, ut = pm_texts(s)
            reads = undecided(float(vt.replace("−", "-")), float(ut), -3.0, 3.0, tolerance)
            assert reads == (s.verdict is Verdict.UNCERTAIN), (value, u, s.verdict, vt, ut)


def _shoulder_gauge_image(qtbot, large: bool):
    """The standing preset's shoulder-level gauge, shown on the dark panel (large or not), as a QImage."""
    from PyQt6.QtWidgets import QVBoxLayout, QWidget

    from posture_feedback.presets import get_preset

    target = next(t for t in get_preset("standing").targets if t.angle == "shoulder_tilt")
    holder = QWidget()
    holder.setStyleSheet("background: #18181c")
    qtbot.addWidget(holder)
    g = TargetGauge(target, target.tolerance)
    g.set_large(large)
    QVBoxLayout(holder).addWidget(g)
    holder.resize(440, g.height() + 40)
    holder.show()
    qtbot.waitExposed(holder)
    return g.grab().toImage()


@pytest.mark.parametrize("large", [False, True])
def test_the_scale_numbers_under_the_bar_are_drawn_whole(qtbot, large: bool) -> None:
    """Audit 30: in the therapist view and large type the band's end numbers ("-3", "3") were 11 pt in a
    14 px row at the gauge's bottom edge, cut through the middle. On the real widget's pixels (on the dark
    panel): the numbers' light-grey pixels lie below the bar and at least one blank row remains under them."""
    image = _shoulder_gauge_image(qtbot, large)
    rgb = np.array([[image.pixelColor(x, y).getRgb()[:3] for x in range(image.width())]
                    for y in range(image.height())], dtype=int)  # fmt: skip
    grey = (np.abs(rgb - 200) < 45).all(axis=2)  # the numbers' antialiased light grey
    bar_rows = np.flatnonzero((np.abs(rgb - (70, 70, 76)) < 6).all(axis=2).sum(axis=1) > 20)
    below = grey[bar_rows.max() + 1 :]
    rows = np.flatnonzero(below.sum(axis=1) > 0)
    assert rows.size >= (8 if large else 5), rows  # the numbers are there, several rows tall
    assert bar_rows.max() + 1 + rows.max() < image.height() - 1, (rows.max(), image.height())  # not cut


def test_a_big_gauge_s_title_is_as_large_as_the_large_type(qtbot) -> None:
    """Audit 30: the therapist view's and the large type's gauges wrote "Shoulders level" at 15 pt, the smallest
    text of a mode whose text is 18 pt at least. On the real widget's pixels: the title's light glyphs span
    the height of 18 pt text (DejaVu Sans: ascender to baseline about 0.76 em, 24 px at 96 dpi → ≥ 17 px)."""
    image = _shoulder_gauge_image(qtbot, True)
    rows = [y for y in range(30) if any(min(image.pixelColor(x, y).getRgb()[:3]) > 150 for x in range(4, 300))]
    assert rows and rows[-1] - rows[0] + 1 >= 17, rows  # "Shoulders level": the S's top to the baseline
