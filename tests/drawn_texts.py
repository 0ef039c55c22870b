"""The texts a matplotlib figure actually draws, with their boxes (shared by the report tests)."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text


def drawn_texts(fig, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:  # noqa: ANN001
    """(text, window extent by the figure's renderer) of every non-empty text that drawing ``fig``
    actually draws (tick labels outside the view limits exist as artists but are not drawn, so they
    are recorded at draw time)."""
    drawn: list[tuple[str, object]] = []
    original = Text.draw

    def record(self, renderer):  # noqa: ANN001, ANN202
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append((self.get_text(), self.get_window_extent(renderer)))

    with monkeypatch.context() as m:
        m.setattr(Text, "draw", record)
        FigureCanvasAgg(fig).draw()
    return drawn
