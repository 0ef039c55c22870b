"""One gauge per active target: the range as a band, the live value as a marker, the neutral as a tick.

``TargetGauge`` paints a horizontal scale with QPainter:

* the target's effective range (``TargetState.low``/``high``, degrees) as a green band, its
  tolerance ("near") as orange margins, out of range left bare;
* the live value as a marker whose colour *and* shape follow the verdict, like the overlays
  (circle = in range, triangle = near, square = out), with the verdict label ("OK", "NEAR",
  "LOW", "HIGH") written next to the value, so colour is never the only cue;
* the person's neutral for the angle (if calibrated) as a black tick;
* the angle's uncertainty (``AngleTable.uncertainty``, the 80% half-width in degrees): a verdict
  that stands keeps its colour and shape however wide its ± (it is cued and written in the CSV
  too); when the ± is wider than the target's near band (``targets.wider_than_near_band``, e.g.
  "−41° ±8° LOW" far out of range) it is written after the number, so the imprecision shows (the
  overlay on the picture does the same); the large (therapist) view writes every value's ±;
* grey is only for what is not judged: a value the core could not judge (``Verdict.UNCERTAIN``:
  its interval holds both an in-range value and one beyond the tolerance) is written grey as
  "12° ±15° UNSURE", with its interval as a grey bar on the scale and no verdict shape; "—"
  (unknown) is grey too.

Everything shown comes from the core's ``TargetState``; the widget only draws it. The marker, its
colour and shape, and the label all come from the same ``value`` and its ``verdict`` (the core
guarantees the verdict is the value's own); when nothing is judged the gauge shows "—" and no
marker.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from PyQt6.QtCore import QPointF, QRectF, QSize, Qt
from PyQt6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen, QPolygonF
from PyQt6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from posture_feedback.annotate import VERDICT_COLOURS, VERDICT_LABELS
from posture_feedback.side_words import side_word
from posture_feedback.targets import Target, TargetSet, pm_texts, value_text, wider_than_near_band
from posture_feedback.types import AngleTable, TargetState, Verdict


def verdict_qcolor(verdict: Verdict) -> QColor:
    """The overlay colour of a verdict (``annotate.VERDICT_COLOURS`` is BGR)."""
    b, g, r = VERDICT_COLOURS[verdict]
    return QColor(r, g, b)


def _finite(x: float) -> bool:
    return x is not None and math.isfinite(x)


class TargetGauge(QWidget):
    """The gauge of one target (see module docstring)."""

    def __init__(self, target: Target, tolerance: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self.tolerance = tolerance
        self.state: TargetState | None = None
        self.neutral: float | None = None
        self.uncertainty = math.nan
        self.large = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._apply_height()

    def _apply_height(self) -> None:
        self.setFixedHeight(130 if self.large else 64)  # large: the title and the value each on a row of their own

    def set_large(self, large: bool) -> None:
        self.large = large
        self._apply_height()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(300, self.height())

    @property
    def wide_plus_minus(self) -> bool:
        """The value's ± is wider than the target's near band: written beside a verdict's number
        (which keeps its verdict colour)."""
        return wider_than_near_band(self.uncertainty, self.tolerance)

    @property
    def verdict(self) -> Verdict:
        return self.state.verdict if self.state is not None else Verdict.UNKNOWN

    def value_text(self) -> str:
        """'12° HIGH' (the verdict of exactly the number written: see ``targets.value_text``),
        '—' when unknown (nobody followed, not judged in this view, or no neutral yet)."""
        s = self.state
        if s is not None and s.low != s.low:  # a relative target with no neutral for its angle
            return "— set neutral (N)"
        if s is None or s.verdict is Verdict.UNKNOWN or not _finite(s.value):
            return "—"
        show_unc = (self.large or s.verdict is Verdict.UNCERTAIN or self.wide_plus_minus) and _finite(self.uncertainty)
        if not show_unc:
            return f"{value_text(s)}° {VERDICT_LABELS[s.verdict]}"
        value, unc = pm_texts(s, self.uncertainty)  # decimals as the verdict needs, for the pair
        return f"{value}° ±{unc}° {VERDICT_LABELS[s.verdict]}"

    def title_text(self) -> str:
        """'Shoulders level · left up': the target's name and, for a signed angle with a known value,
        the person's own side it points to (``side_words.side_word``; the mirror never changes it)."""
        s = self.state
        side = side_word(self.target.angle, s.value, s.uncertainty, 0) if s is not None and s.verdict.judged else None
        return f"{self.target.display_name} · {side}" if side else self.target.display_name

    def set_state(
        self, state: TargetState | None, neutral: float | None = None, uncertainty: float = math.nan
    ) -> None:
        """The target's state, the person's neutral and the value's uncertainty (degrees, NaN = unknown)."""
        u = uncertainty if state is not None else math.nan
        changed = state != self.state or neutral != self.neutral or not (
            u == self.uncertainty or (u != u and self.uncertainty != self.uncertainty)
        )
        self.state = state
        self.neutral = neutral
        self.uncertainty = u
        if changed:
            self.update()

    # -- drawing -------------------------------------------------------------------------
    def _scale_range(self) -> tuple[float, float]:
        s = self.state
        t = self.target
        lo = s.low if s is not None and _finite(s.low) else t.low
        hi = s.high if s is not None and _finite(s.high) else t.high
        pts = [x for x in (lo, hi) if x is not None and _finite(x)]
        if s is not None and _finite(s.value):
            pts.append(s.value)
        if self.neutral is not None and _finite(self.neutral):
            pts.append(self.neutral)
        if not pts:
            return -10.0, 10.0
        a, b = min(pts), max(pts)
        span = max(b - a, 4 * self.tolerance, 10.0)
        margin = span * 0.35
        return a - margin, b + margin

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        w, h = self.width(), self.height()
        big = self.large
        title = QFont(self.font())
        title.setPointSize(18 if big else 10)  # big: the large type's 18 pt (15 pt was its smallest text, audit 30)
        value_font = QFont(self.font())
        value_font.setPointSize(26 if big else 12)
        value_font.setBold(True)
        # Large (therapist view, large type): "Head level · right ear up" and "-33° ±22° LOW" do not fit on
        # one row of a 460 px panel, so the value gets a row of its own under the title (they overlapped).
        title_rect = QRectF(4, 0, (w - 8) if big else w * 0.6, 30 if big else 22)
        value_rect = QRectF(4, 30, w - 8, 40) if big else QRectF(w * 0.4, 0, w * 0.6 - 4, 22)
        text_h = value_rect.bottom()
        p.setFont(title)
        p.setPen(QColor(235, 235, 235))
        p.drawText(title_rect, Qt.AlignmentFlag.AlignVCenter, self.title_text())
        p.setFont(value_font)
        p.setPen(verdict_qcolor(self.verdict) if self.verdict.judged else QColor(150, 150, 150))  # grey: not judged
        p.drawText(value_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, self.value_text())

        label_h = 22 if big else 14  # the scale numbers' row under the bar (big: 13 pt, whole; 11 pt in 14 px was cut)
        bar = QRectF(8, text_h + 8, w - 16, h - text_h - 8 - label_h)
        vmin, vmax = self._scale_range()

        def x_of(v: float) -> float:
            v = min(max(v, vmin), vmax)
            return bar.x() + (v - vmin) / (vmax - vmin) * bar.width()

        p.fillRect(bar, QColor(70, 70, 76))
        s = self.state
        lo = s.low if s is not None else (self.target.low if self.target.low is not None else -math.inf)
        hi = s.high if s is not None else (self.target.high if self.target.high is not None else math.inf)
        if lo == lo and hi == hi:  # not NaN (a relative target without neutral has no range yet)
            tol = self.tolerance
            near = verdict_qcolor(Verdict.NEAR)
            near.setAlpha(150)
            ok = verdict_qcolor(Verdict.IN_RANGE)
            ok.setAlpha(200)
            lo_x = x_of(lo) if math.isfinite(lo) else bar.left()
            hi_x = x_of(hi) if math.isfinite(hi) else bar.right()
            if math.isfinite(lo):
                p.fillRect(QRectF(x_of(lo - tol), bar.y(), lo_x - x_of(lo - tol), bar.height()), near)
            if math.isfinite(hi):
                p.fillRect(QRectF(hi_x, bar.y(), x_of(hi + tol) - hi_x, bar.height()), near)
            p.fillRect(QRectF(lo_x, bar.y(), hi_x - lo_x, bar.height()), ok)
        # Scale labels at the band's ends.
        small = QFont(self.font())
        small.setPointSize(13 if big else 8)
        p.setFont(small)
        p.setPen(QColor(200, 200, 200))
        for bound in (lo, hi):
            if _finite(bound):
                p.drawText(QRectF(x_of(bound) - 30, bar.bottom() + 1, 60, label_h - 1), Qt.AlignmentFlag.AlignHCenter,
                           str(round(bound)))  # an int: never "-0" (a band end at -0.2°: a seventh audit)
        if self.neutral is not None and _finite(self.neutral):
            x = x_of(self.neutral)
            p.setPen(QPen(QColor(10, 10, 10), 3))
            p.drawLine(QPointF(x, bar.top() - 4), QPointF(x, bar.bottom() + 4))
        if s is not None and s.verdict is Verdict.UNCERTAIN and _finite(s.value) and _finite(self.uncertainty):
            y = bar.center().y()  # the interval the value may lie in, and the value: no verdict shape
            p.setPen(QPen(QColor(150, 150, 150), 4))
            p.drawLine(QPointF(x_of(s.value - self.uncertainty), y), QPointF(x_of(s.value + self.uncertainty), y))
            p.setBrush(QColor(150, 150, 150))
            p.drawEllipse(QPointF(x_of(s.value), y), 4.0, 4.0)
        elif s is not None and s.verdict.judged and _finite(s.value):
            self._marker(p, s.verdict, QPointF(x_of(s.value), bar.center().y()), bar.height() * 0.55)
        p.end()

    @staticmethod
    def _marker(p: QPainter, verdict: Verdict, c: QPointF, r: float) -> None:
        """The verdict's shape in its colour: circle = in range, triangle = near, square = out."""
        colour = verdict_qcolor(verdict)
        p.setPen(QPen(QColor(255, 255, 255), 2))
        p.setBrush(colour)
        if verdict is Verdict.IN_RANGE:
            p.drawEllipse(c, r, r)
        elif verdict is Verdict.NEAR:
            p.drawPolygon(
                QPolygonF([QPointF(c.x(), c.y() - r), QPointF(c.x() - r, c.y() + r), QPointF(c.x() + r, c.y() + r)])
            )
        else:
            p.drawRect(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r))


class GaugePanel(QWidget):
    """A column of ``TargetGauge``s, one per target of the active set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.setSpacing(6)
        self.gauges: dict[str, TargetGauge] = {}
        self._empty = QLabel("No targets: measuring only")
        self._empty.setStyleSheet("color: #bbb")
        self.large = False
        self._layout.addWidget(self._empty)
        self._layout.addStretch(1)

    def set_targets(self, target_set: TargetSet | None) -> None:
        for g in self.gauges.values():
            self._layout.removeWidget(g)
            g.deleteLater()
        self.gauges = {}
        targets: Sequence[Target] = target_set.targets if target_set is not None else ()
        self._empty.setVisible(not targets)
        for i, t in enumerate(targets):
            g = TargetGauge(t, t.tolerance, self)
            g.set_large(self.large)
            self.gauges[t.id] = g
            self._layout.insertWidget(1 + i, g)

    def set_large(self, large: bool) -> None:
        self.large = large
        for g in self.gauges.values():
            g.set_large(large)

    def update_states(
        self,
        states: Sequence[TargetState],
        neutral: Mapping[str, float] | None = None,
        angles: AngleTable | None = None,
    ) -> None:
        """Show each target's state; ``angles`` (the frame's table) gives each value's uncertainty."""
        neutral = neutral or {}
        seen = set()
        for s in states:
            g = self.gauges.get(s.target)
            if g is not None:
                unc = s.uncertainty  # the ± the core judged the verdict with; else the frame's angle table
                if not _finite(unc) and angles is not None and s.angle in angles.names:
                    unc = angles[s.angle].uncertainty
                g.set_state(s, neutral.get(s.angle), unc)
                seen.add(s.target)
        for tid, g in self.gauges.items():
            if tid not in seen:
                g.set_state(None, neutral.get(g.target.angle))
