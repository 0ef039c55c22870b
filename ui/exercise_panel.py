"""The side panel of an exercise session: what to do, the big counter, hold and rest timers, each rep.

``ExercisePanel`` only shows what the session runner reports (``RunnerStatus`` polled, and its
events): counting, verdicts and feedback all come from ``posture_feedback.exercises``.
Each repetition gets a row with a symbol as well as a colour (✓ counted and good, ! counted
but flagged, ✗ not counted), so the verdict reads without colour vision. A hold the camera cannot
judge (``RunnerStatus.hold_state`` "unsure": its value's ± reaches both in and out) is shown grey,
in words, beside a waiting clock: never as in position or out of it.
"""

from __future__ import annotations

import math

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor, QFont
from PyQt6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QProgressBar, QSizePolicy, QVBoxLayout, QWidget

from posture_feedback.exercises.definitions import peak_digits
from posture_feedback.exercises.events import InstructionEvent, RepEvent, RestEvent, SetResult
from posture_feedback.exercises.runner import RunnerState, RunnerStatus
from posture_feedback.exercises.tracker import HOLD_TOO_UNCERTAIN, HOLD_UNSURE, MEASURING_REST, WAITING_FOR_START
from posture_feedback.words import count_noun, without_negative_zero

GOOD_COLOUR = "#46d26a"
FLAGGED_COLOUR = "#ffb020"
BAD_COLOUR = "#ff6464"
UNSURE_COLOUR = "#aaaaaa"  # no verdict: grey, as an UNSURE gauge
PAUSED_COLOUR = "#ff9f1a"


def _label(text: str = "", size: int = 12, bold: bool = False, colour: str = "#eeeeee") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {colour}; font-size: {size}pt; font-weight: {'bold' if bold else 'normal'}")
    return label


def fmt_value(value: float, unit: str, uncertainty: float = math.nan, digits: int | None = None) -> str:
    """A signal value for display, with its ± when known: whole degrees for angles ("80 ±5°"), two
    decimals for a ratio without a unit (leg lengths: "0.30 ±0.10"), whole numbers for other units
    ("-18 ±6 % shoulder width"; it read "-18.30% shoulder width", two decimals the ± does not
    support); '—' if not measured. ``digits``: other decimals than the unit's (``peak_digits``)."""
    if value is None or math.isnan(value):
        return "—"
    digits = peak_digits(unit) if digits is None else digits
    pm = f" ±{uncertainty:.{digits}f}" if uncertainty == uncertainty and uncertainty is not None else ""
    value = without_negative_zero(value, digits)
    if unit in ("°", ""):
        return f"{value:.{digits}f}{pm}{unit}"
    return f"{value:.{digits}f}{pm} {unit}"


def _bar_style(chunk: str) -> str:
    """The hold bar's style sheet with its filled part in ``chunk`` (green; grey while the hold is unsure)."""
    return ("QProgressBar { background: #2c2c33; color: #fff; border: 1px solid #555; border-radius: 4px;"
            f" font-size: 12pt; text-align: center }} QProgressBar::chunk {{ background: {chunk} }}")  # fmt: skip


def fmt_clock(seconds: float) -> str:
    """'0:24' (minutes:seconds, rounded up) for a countdown; '' when not a number."""
    if seconds is None or math.isnan(seconds):
        return ""
    s = max(0, math.ceil(seconds - 1e-6))
    return f"{s // 60}:{s % 60:02d}"


def _straddles(peak: float, u: float, goal: float) -> bool:
    """The peak's interval holds the target's edge (``reps``: "unsure" whether it reached it)."""
    return peak - u < goal <= peak + u or peak - u <= goal < peak + u


def peak_digits_for(rep, unit: str) -> int:  # noqa: ANN001 - a RepResult
    """Decimals to write a repetition's peak and ± with: the unit's (``peak_digits``), one more where
    the written interval would hold the target's edge and the real one not, or the reverse. Audit 27: a
    peak of 75.3 ± 4.6° against a target from 80° is "partial" (up to 79.9°) but read "peak 75 ±5°",
    reaching 80°: "75.3 ±4.6°" now."""
    digits = peak_digits(unit)
    peak, u, goal = rep.peak, getattr(rep, "peak_uncertainty", math.nan), getattr(rep, "goal", math.nan)
    if not all(math.isfinite(x) for x in (peak, u, goal)):
        return digits
    written = _straddles(round(peak, digits), round(u, digits), goal)
    return digits if written == _straddles(peak, u, goal) else digits + 1


def rep_row(event: RepEvent, unit: str = "°") -> tuple[str, str]:
    """(text, colour) of one repetition's row, from the runner's verdict and feedback."""
    rep = event.rep
    verdict = str(getattr(rep.verdict, "value", rep.verdict))
    # every row with its ±, in the decimals its verdict needs
    peak = fmt_value(rep.peak, unit, getattr(rep, "peak_uncertainty", math.nan), peak_digits_for(rep, unit))
    feedback = f" — {event.feedback[0]}" if event.feedback else ""
    if verdict == "unsure":  # within the peak's uncertainty of the target: no verdict on it
        text = f"? attempt {rep.number}: not counted, the camera could not tell whether it reached the target"
        return f"{text} (peak {peak})", UNSURE_COLOUR
    if not rep.counted:
        return f"✗ attempt {rep.number}: not counted ({verdict.replace('_', ' ')}, peak {peak}){feedback}", BAD_COLOUR
    if verdict != "good":  # counted but flagged: tempo, overshoot, or a compensation the plan allows
        return f"! rep {rep.count}: fair ({verdict.replace('_', ' ')}), peak {peak}{feedback}", FLAGGED_COLOUR
    return f"✓ rep {rep.count}: good, peak {peak}{feedback}", GOOD_COLOUR


def set_summary(result: SetResult) -> str:
    """One line for a finished set (numbers from the runner's ``SetResult``)."""
    reason = {"complete": "done", "time_limit": "time limit", "balance_lost": "balance lost",
              "stopped": "ended early", "skipped": "skipped"}.get(result.end_reason, result.end_reason)  # fmt: skip
    side = f" ({result.side})" if result.side in ("left", "right") else ""
    if result.hold is not None and not result.reps:
        h = result.hold
        what = f"held {h.held_s:.1f} of {h.target_s:g} s, {count_noun(h.breaks, 'break')}"
        if not h.judged:
            what += ", not judged (the camera could not tell for most of it)"
        elif h.unsure_s >= 0.05:
            what += f", {h.unsure_s:.1f} s unsure"
    elif result.gait is not None:
        what = f"{result.gait.steps} steps, cadence {result.gait.cadence_spm:.0f}/min"
    else:
        target = f" of {result.target_reps}" if result.target_reps else ""
        reps = "reps" if target or result.count != 1 else "rep"  # "1 of 10 reps", "1 rep", "2 reps"
        what = f"{result.count}{target} {reps} counted, {count_noun(len(result.reps), 'attempt')}"
    return f"Set {result.set_number}{side}: {what} — {reason}"


class ExercisePanel(QWidget):
    """Title, instruction, state, the big counter, hold bar, target and the list of repetitions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exercisePanel")
        self.setStyleSheet("QWidget#exercisePanel { background: #1e1e23 }")
        col = QVBoxLayout(self)
        col.setContentsMargins(12, 10, 12, 10)
        col.setSpacing(6)
        self.title_label = _label("", 18, True)
        self.progress_label = _label("", 12, colour="#bbbbbb")
        self.instruction_label = _label("", 12, colour="#dddddd")
        self.state_label = _label("", 22, True, "#ffdc28")
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.count_label = QLabel("")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.count_label.setMinimumHeight(110)
        self.count_caption = _label("", 12, colour="#bbbbbb")
        self.count_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hold_bar = QProgressBar(self)
        self.hold_bar.setRange(0, 1000)
        self.hold_bar.setTextVisible(True)
        self.hold_bar.setMinimumHeight(26)
        self.hold_bar.setStyleSheet(_bar_style("#2f8f4e"))
        self.target_label = _label("", 12, colour="#dddddd")
        self.reps_title = _label("Repetitions", 12, True)
        self.reps_list = QListWidget(self)
        self.reps_list.setStyleSheet("QListWidget { background: #18181c; border: 1px solid #333; font-size: 11pt }")
        self.reps_list.setWordWrap(True)
        self.reps_list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.sets_label = _label("", 11, colour="#bbbbbb")
        for w in (self.title_label, self.progress_label, self.instruction_label, self.state_label, self.count_label,
                  self.count_caption, self.hold_bar, self.target_label, self.reps_title):  # fmt: skip
            col.addWidget(w)
        col.addWidget(self.reps_list, 1)
        col.addWidget(self.sets_label)
        self.unit = "°"
        self.kind = "reps"
        self.next_title = ""
        self.set_count_text("—", "")
        self.hold_bar.setVisible(False)

    # -- events ---------------------------------------------------------------------------
    def show_instruction(self, event: InstructionEvent, kind: str, unit: str) -> None:
        """A new exercise (or side) begins."""
        self.kind, self.unit = kind, unit
        side = f" — {event.side} side" if event.side in ("left", "right") else ""
        self.title_label.setText(f"{event.title}{side}")
        self.instruction_label.setText(event.text)
        self.reps_list.clear()
        self.sets_label.setText("")
        timed = kind in ("hold", "balance")
        self.hold_bar.setVisible(timed or (kind == "gait" and event.reps is None))
        self.reps_title.setText("Steps" if kind == "gait" else ("Holds" if timed else "Repetitions"))

    def add_rep(self, event: RepEvent) -> QListWidgetItem:
        """A row for a finished repetition (newest at the top)."""
        text, colour = rep_row(event, self.unit)
        item = QListWidgetItem(text)
        item.setForeground(QColor(colour))
        f = QFont(self.reps_list.font())
        f.setPointSize(11)
        f.setBold(not event.rep.counted)
        item.setFont(f)
        self.reps_list.insertItem(0, item)
        return item

    def add_set(self, result: SetResult) -> None:
        """A finished set: a summary line; for holds (no repetition rows) also a row in the list."""
        text = set_summary(result)
        lines = [t for t in self.sets_label.text().split("\n") if t]
        lines.append(text)
        self.sets_label.setText("\n".join(lines[-3:]))
        if self.kind in ("hold", "balance"):
            ok = result.end_reason == "complete" and result.hold is not None and result.hold.breaks == 0
            colour = GOOD_COLOUR if ok else (FLAGGED_COLOUR if result.end_reason == "complete" else BAD_COLOUR)
            mark = "✓ " if ok else ("! " if result.end_reason == "complete" else "✗ ")
            if result.hold is not None and not result.hold.judged:  # no verdict on what the camera could not tell
                colour, mark = UNSURE_COLOUR, "? "
            item = QListWidgetItem(mark + text)
            item.setForeground(QColor(colour))
            self.reps_list.insertItem(0, item)

    def show_rest(self, event: RestEvent) -> None:
        """A rest begins: remember what comes next (the timer comes from the status)."""
        self.next_title = event.next_title

    def clear_reps(self) -> None:
        self.reps_list.clear()

    # -- polled status ------------------------------------------------------------------
    def set_count_text(self, big: str, small: str, colour: str = "#ffffff") -> None:
        self.count_label.setText(
            f"<span style='font-size: 64pt; font-weight: bold; color: {colour}'>{big}</span>"
            f"<span style='font-size: 26pt; color: #aaaaaa'>{small}</span>"
        )

    def update_status(self, st: RunnerStatus) -> None:
        """Refresh from the runner's status (called on every frame and timer tick)."""
        if st.state is RunnerState.DONE:
            self.progress_label.setText("")
            if st.nobody_seen:  # the core's word: nothing was measured, so neither complete nor stopped
                self.state_label.setText("Nothing measured: nobody was in view")
            else:
                self.state_label.setText("Session stopped" if st.stopped else "Session complete")
            self.target_label.setText("")
            self.hold_bar.setVisible(False)
            return
        if st.items:
            self.progress_label.setText(
                f"Exercise {st.item_index + 1} of {st.items} · set {st.set_number} of {st.sets}"
                + (f" · {st.side} side" if st.side in ("left", "right") else "")
            )
        state = {
            RunnerState.IDLE: "Starting the camera…",
            RunnerState.INSTRUCTION: f"Get ready {fmt_clock(st.remaining_s)}",
            RunnerState.COUNTDOWN: f"Starting in {fmt_clock(st.remaining_s)[-1:]}",
            RunnerState.ACTIVE: "Hold the position" if self.kind in ("hold", "balance") else "Go!",
            RunnerState.REST: f"Rest {fmt_clock(st.remaining_s)}",
        }.get(st.state, "")
        paused_count = st.state is RunnerState.ACTIVE and not st.counting and not st.paused
        # a hold the camera cannot judge now: its clock waits, grey, with the reason in words
        unsure = st.state is RunnerState.ACTIVE and st.hold_state == "unsure" and not paused_count and not st.paused
        too_wide = unsure and st.phase == HOLD_TOO_UNCERTAIN
        colour = PAUSED_COLOUR if paused_count else (UNSURE_COLOUR if unsure else "#ffdc28")
        if st.paused:
            state = "Paused — press Space to continue"
        elif paused_count:
            state = st.turn_hint or "Counting paused"
        elif too_wide:
            state = "The camera cannot time this hold"
        elif unsure:
            state = "Hold the position — the clock waits"
        self.state_label.setText(state)
        small = paused_count or unsure
        self.state_label.setStyleSheet(f"color: {colour}; font-size: {16 if small else 22}pt; font-weight: bold")
        timed = self.kind in ("hold", "balance")
        if st.state is RunnerState.COUNTDOWN and not st.paused:
            self.set_count_text(fmt_clock(st.remaining_s)[-1:], "")
            self.count_caption.setText("get ready")
        elif st.state is RunnerState.REST:
            self.set_count_text(fmt_clock(st.remaining_s), "")
            self.count_caption.setText(f"rest — next: {self.next_title}" if self.next_title else "rest")
        elif timed:
            target = st.hold_target_s or 0.0
            self.set_count_text(f"{st.held_s:.0f}", f" / {target:g} s", UNSURE_COLOUR if unsure else "#ffffff")
            caption = "counting paused" if paused_count else (st.hold_note if unsure else "seconds held in position")
            self.count_caption.setText(caption or "seconds held in position")
        else:
            target = f" / {st.target_reps}" if st.target_reps else ""
            self.set_count_text(str(st.count), target)
            what = "steps" if self.kind == "gait" else "repetitions counted"
            self.count_caption.setText("counting paused" if paused_count else what)
        if self.hold_bar.isVisible():
            frac = st.held_s / st.hold_target_s if st.hold_target_s else 0.0
            self.hold_bar.setValue(int(1000 * min(1.0, max(0.0, frac))))
            waiting = " — unsure, the clock waits" if unsure else ""
            self.hold_bar.setFormat(f"held {st.held_s:.1f} s of {st.hold_target_s or 0:g} s{waiting}")
            self.hold_bar.setStyleSheet(_bar_style(UNSURE_COLOUR if unsure else "#2f8f4e"))
        if st.state is RunnerState.ACTIVE and st.target_text:
            now = fmt_value(st.value, self.unit, st.value_uncertainty)
            # while counting is paused the counter's phase is stale: say the value is not counted
            # before the first start position the tracker says what it waits for: no "phase: down" beside 86°
            said = st.phase.startswith((WAITING_FOR_START, MEASURING_REST, HOLD_UNSURE, HOLD_TOO_UNCERTAIN))
            phase = " · not counted" if paused_count else (
                f" · {st.phase}" if said else (f" · phase: {st.phase}" if st.phase else ""))  # fmt: skip
            self.target_label.setText(f"Target: {st.target_text.replace('_', ' ')}\nNow: {now}{phase}")
        elif st.state is RunnerState.REST:
            self.target_label.setText("Relax. The next set starts by itself (N = start now).")
        else:
            self.target_label.setText("")
