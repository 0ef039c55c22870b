"""Before and after a session: the plan's precautions, and how it felt (pain and effort).

``PlanNotesDialog(plan)`` shows the plan's precautions and notes (before the first exercise, and on
request from the Session menu). ``RatingsDialog(when)`` asks pain on the 0–10 numeric rating scale
and effort on Borg's CR10 scale, with the scales' own verbal anchors (``storage.ratings``); either may
be skipped. ``ratings()`` returns ``{"pain_before": 3, "effort_before": 0.5}`` style values for
``storage.ratings.set_ratings``. Both dialogs use the readable system colours (``ui/readable.py``).
"""

from __future__ import annotations

from html import escape
from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from posture_feedback.storage.ratings import EFFORT_ANCHORS, PAIN_ANCHORS
from posture_feedback.ui.readable import readable

#: Borg CR10 values offered (the scale's steps; 0.5 is "just noticeable").
EFFORT_VALUES = (0, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
#: Short anchors under the buttons (the full wording of ``storage.ratings`` is each button's tooltip).
SHORT_PAIN = {0: "no pain", 5: "moderate", 10: "worst imaginable"}
SHORT_EFFORT = {0: "nothing", 0.5: "just noticeable", 1: "very weak", 2: "weak", 3: "moderate", 5: "strong",
                7: "very strong", 10: "maximal"}  # fmt: skip
#: The chosen value stands out (white on dark blue; measured by tests/test_ui_contrast.py) as well as being pressed.
_BUTTON_STYLE = (
    "QPushButton { font-size: 13pt } QPushButton:checked { background: #123d80; color: white; font-weight: bold }"
)


def plan_notes_html(plan: Any) -> str:
    """The plan's precautions and notes as HTML ('' when it has neither)."""
    parts = []
    if getattr(plan, "precautions", ""):
        parts.append(f"<p><b>Precautions</b><br>{escape(plan.precautions)}</p>")
    if getattr(plan, "notes", ""):
        parts.append(f"<p><b>Notes from your therapist</b><br>{escape(plan.notes)}</p>")
    return "".join(parts)


class PlanNotesDialog(QDialog):
    """The plan's precautions and notes, in large type."""

    def __init__(self, plan: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        readable(self)
        self.setWindowTitle(f"{getattr(plan, 'title', 'Plan')} — precautions and notes")
        col = QVBoxLayout(self)
        html = plan_notes_html(plan) or "<p>This plan has no precautions or notes.</p>"
        self.label = QLabel(html)
        self.label.setWordWrap(True)
        self.label.setStyleSheet("font-size: 14pt")
        self.label.setMinimumWidth(460)
        col.addWidget(self.label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        col.addWidget(buttons)


class _Scale(QWidget):
    """One row of buttons, one per value, with the scale's anchors under them."""

    def __init__(self, values: tuple[float, ...], anchors: dict[float, str], full: dict[float, str],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(4)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.values = values
        for i, v in enumerate(values):
            b = QPushButton(f"{v:g}")
            b.setCheckable(True)
            b.setMinimumSize(48, 40)
            b.setStyleSheet(_BUTTON_STYLE)
            if v in full:
                b.setToolTip(full[v])
            self.group.addButton(b, i)
            grid.addWidget(b, 0, i)
            if v in anchors:
                a = QLabel(anchors[v].replace(" ", "\n", 1) if len(anchors[v]) > 9 else anchors[v])
                a.setStyleSheet("font-size: 9pt")
                a.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
                grid.addWidget(a, 1, i)

    def value(self) -> float | None:
        i = self.group.checkedId()
        return None if i < 0 else float(self.values[i])

    def set_value(self, v: float) -> None:
        self.group.button(self.values.index(v)).setChecked(True)


class RatingsDialog(QDialog):
    """Pain (NRS 0–10) and effort (Borg CR10) ``before`` or ``after`` the session; each may be left out."""

    def __init__(self, when: str = "before", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if when not in ("before", "after"):
            raise ValueError(f"when must be 'before' or 'after', not {when!r}")
        self.when = when
        readable(self)
        self.setWindowTitle(f"How do you feel {when} the session?")
        col = QVBoxLayout(self)
        title = QLabel(f"<b>Pain now</b> ({when} the session): 0 = no pain, 10 = worst pain imaginable")
        title.setStyleSheet("font-size: 12pt")
        col.addWidget(title)
        self.pain = _Scale(tuple(range(11)), SHORT_PAIN, PAIN_ANCHORS)
        col.addWidget(self.pain)
        what = "How hard do you expect it to be" if when == "before" else "How hard was it"
        effort = QLabel(f"<b>Effort</b>: {what}? (Borg CR10: 0 = nothing at all, 10 = maximal)")
        effort.setStyleSheet("font-size: 12pt")
        col.addWidget(effort)
        self.effort = _Scale(EFFORT_VALUES, SHORT_EFFORT, EFFORT_ANCHORS)
        col.addWidget(self.effort)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Skip")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)

    def ratings(self) -> dict[str, float]:
        """The values chosen, e.g. ``{"pain_after": 3.0}`` (unchosen ones left out)."""
        out = {}
        for kind, scale in (("pain", self.pain), ("effort", self.effort)):
            v = scale.value()
            if v is not None:
                out[f"{kind}_{self.when}"] = v
        return out
