"""The exercise window on a recording in which nobody is ever in view stores nothing (pytest-qt,
offscreen, real model, real SQLite).

``exercise --headless`` no longer stores such a session (tests/test_exercise_nobody.py). A review
(2026-12-08) found the window still did: with nobody in view the runner ends each set at its time
limit, so the session was stored "completed" with 0 repetitions and counted for adherence, and one
stopped early was stored "stopped". Now neither is kept, and the window says why.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import cv2
import pytest
from video_clips import write_clip

from posture_feedback.exercises.events import SessionDone
from posture_feedback.exercises.runner import RunnerState
from posture_feedback.storage import Database
from posture_feedback.ui.exercise_window import ExerciseOptions, ExerciseWindow

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
FRAMES = 45


@pytest.fixture(scope="module")
def empty_room(tmp_path_factory) -> Path:
    """1.5 s at 30 fps of the lab's background (the top right of cam01's first frame, where nobody stands)."""
    cap = cv2.VideoCapture(str(SAMPLES / "lab_two_people_cam01.mp4"))
    ok, frame = cap.read()
    cap.release()
    assert ok
    return write_clip(tmp_path_factory.mktemp("nobody") / "empty_room.mp4", [frame[0:640, 600:1088].copy()] * FRAMES)


def _window(qtbot, video: Path, data: Path, **runner) -> ExerciseWindow:
    options = ExerciseOptions(source=str(video), profile="Pat", data_dir=str(data), realtime=False, loop=False,
                              max_frames=FRAMES, no_waits=True, autostart=True, speech="silent", max_people=1,
                              what="seated_arm_raise", runner=runner)  # fmt: skip
    window = ExerciseWindow(options)
    qtbot.addWidget(window)
    window.show()

    def all_fed() -> None:
        w = window.worker
        assert w is not None and not w.is_running() and window.frames_fed == FRAMES

    qtbot.waitUntil(all_fed, timeout=120_000)
    return window


def _sessions(data: Path) -> list:
    with Database.open_default(str(data)) as db:
        pat = db.profile_by_name("Pat")
        (today,) = db.adherence(pat.id, date.today(), date.today())
        return [db.sessions(pat.id), (today.done, today.stopped)]


def test_a_session_that_ends_with_nobody_seen_is_not_stored(qtbot, empty_room, tmp_path) -> None:
    data = tmp_path / "data"
    window = _window(qtbot, empty_room, data, time_limit_s=0.5)  # each set ends at its limit, as live
    assert window.runner.state is RunnerState.DONE and any(isinstance(e, SessionDone) for e in window.events)
    assert _sessions(data) == [[], (0, 0)]  # before: one session, "completed", 0 repetitions, done today
    assert window.cue_label.text().startswith("Nobody was in view: nothing measured, not saved")
    window._refresh()
    assert "not saved: nobody was in view in any frame" in window.status_label.text()


def test_a_session_stopped_with_nobody_seen_is_not_stored(qtbot, empty_room, tmp_path) -> None:
    data = tmp_path / "data"
    window = _window(qtbot, empty_room, data)  # a 60 s set limit: still running when the frames end
    assert window.runner.state is RunnerState.ACTIVE and window.recorder is not None
    window.back_to_setup()  # Esc: stopped before the end
    assert _sessions(data) == [[], (0, 0)]  # before: one session, "stopped"


def test_a_session_with_nobody_seen_is_neither_complete_nor_praised(qtbot, empty_room, tmp_path) -> None:
    # Looking at the window: its heading said "Session complete" and the runner said "Session complete.
    # Well done" beside "Nobody was in view: nothing measured, not saved".
    window = _window(qtbot, empty_room, tmp_path / "data", time_limit_s=0.5)
    (done,) = [e for e in window.events if isinstance(e, SessionDone)]
    assert "Well done" not in done.speech and "nobody was in view" in done.speech
    window._refresh()
    assert window.runner.status.nobody_seen
    assert window.panel.state_label.text() == "Nothing measured: nobody was in view"
