"""After "Set neutral": the message stays readable (real model).

An audit (2026-12): "Neutral set — ranges now follow your own posture" was replaced on the cue line by
the next frame's cue within a second. The mirror here films the still man of the sports sample
(``still_video``, real time), with a profile (real SQLite). After the capture the message must hold
the cue line for ``MESSAGE_HOLD_S`` (frames keep arriving), then give it back.
"""

from __future__ import annotations

import time

from posture_feedback.ui.main_window import MESSAGE_HOLD_S, MainWindow
from posture_feedback.ui.options import AppOptions

NEUTRAL_SET = "Neutral set — ranges now follow your own posture"


def test_the_neutral_set_message_holds_the_cue_line(qtbot, still_video, tmp_path):
    options = AppOptions(source=str(still_video), preset="standing-front", realtime=True, loop=True, sound=False,
                         neutral_seconds=2.5, profile="Cleo", data_dir=str(tmp_path))  # fmt: skip
    window = MainWindow(options)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    qtbot.waitUntil(lambda: window.last_result is not None and window.last_result.person_found, timeout=60_000)
    window.set_neutral()
    qtbot.waitUntil(lambda: window.neutral is not None, timeout=30_000)
    set_at, frames_before = time.monotonic(), window.stats.shown
    assert window.cue_label.text() == NEUTRAL_SET
    qtbot.waitUntil(lambda: time.monotonic() - set_at > MESSAGE_HOLD_S - 1.5, timeout=10_000)  # 2.5 s later
    assert window.stats.shown - frames_before > 30  # frames kept coming, and did not take the line back:
    assert window.cue_label.text() == NEUTRAL_SET
    window.grab().save(str(tmp_path / "neutral-set.png"))
    window.clock = lambda: time.monotonic() + MESSAGE_HOLD_S  # the hold is over: the pipeline's cues again
    qtbot.waitUntil(lambda: window.cue_label.text() != NEUTRAL_SET, timeout=5_000)
    window.close()
