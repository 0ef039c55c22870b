"""Initial evaluation: posture screen, range-of-motion tests, movement screen, with uncertainty and MDC.

See docs/assessment.md. Public entry points:

* ``posture_screen(front_results, side_results, ...)`` → ``AssessmentRecord``
* ``rom_test(name, {side: results}, ...)`` with ``ROM_TESTS``
* ``movement_screen(name, front_results, side_results, ...)`` with ``MOVEMENT_TESTS``
* ``ViewGate`` / ``check_view`` / ``view_instruction`` (the view gate; ``WrongViewError``)
* ``find_peaks`` (repetition peaks), ``compare_measures`` / ``mdc95`` (trust)
* ``AssessmentRecord`` (JSON) and ``write_html_report`` (printable report)
* ``functional_test`` (5xSTS, 30-s chair stand, with ``FUNCTIONAL_TESTS``), ``sway`` (exploratory)
* ``change_threshold`` / ``is_real_change``: the one rule for a real change
"""

from posture_feedback.assessment.change import change_threshold, is_real_change
from posture_feedback.assessment.functional import FUNCTIONAL_TESTS, functional_test
from posture_feedback.assessment.movement import MOVEMENT_TESTS, MovementScreenError, movement_screen
from posture_feedback.assessment.peaks import Peak, find_peaks
from posture_feedback.assessment.posture import PostureScreenError, capture_window, posture_screen
from posture_feedback.assessment.record import AssessmentRecord, RecordError
from posture_feedback.assessment.report import render_html, write_html_report
from posture_feedback.assessment.rom import ROM_TESTS, RomTest, RomTestError, rom_test
from posture_feedback.assessment.sway import SwayResult, sway
from posture_feedback.assessment.uncertainty import Change, compare_measures, mdc95
from posture_feedback.assessment.viewgate import GateState, ViewGate, WrongViewError, check_view, view_instruction

__all__ = [
    "FUNCTIONAL_TESTS", "SwayResult", "change_threshold", "functional_test", "is_real_change", "sway",
    "MOVEMENT_TESTS", "ROM_TESTS", "AssessmentRecord", "Change", "GateState", "MovementScreenError", "Peak",
    "PostureScreenError", "RecordError", "RomTest", "RomTestError", "ViewGate", "WrongViewError", "capture_window",
    "check_view", "compare_measures", "find_peaks", "mdc95", "movement_screen", "posture_screen", "render_html",
    "rom_test", "view_instruction", "write_html_report",
]  # fmt: skip
