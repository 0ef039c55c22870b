"""The tones-only speaker plays the tone of the event the screen shows, never one guessed from its words.

An audit (2026-12) heard "1. Slower on the way down" (a counted rep flagged too fast, shown amber
"! rep 1: fair (too fast)") play the HIGH "good" tone, and the instruction, "Set 1 done", "Rest for
10 seconds", "Paused", "Skipped", a set's summary and "You balanced for 7 seconds" play the LOW
"correction" tone: the speaker matched the text against a pattern ("starts with a number: good").

Here a simulated patient (a hand-made shoulder-elevation trace, 30 frames/s) does, in each set, one
raise lowered in 0.4 s (too fast: the lateral raise asks for a slow lowering), one raise at the
taught tempo (up 1.6 s, down 1.5 s), one that stops at 60° (short of the 80° target: not
counted) and another good one. The real session runner judges them; the real exercise window (offscreen) shows and
says its events with the real tones-only speaker; the tones it plays are recorded where they
leave ``ui.sound.Sounds``. Each repetition's tone must belong to its row's colour, and every
announcement must get the neutral tone.
"""

from __future__ import annotations

import numpy as np
import pytest

from posture_feedback.exercises.events import (
    CountEvent,
    CueEvent,
    ExerciseDone,
    InstructionEvent,
    RepEvent,
    RestEvent,
    SessionDone,
    SetDone,
)
from posture_feedback.exercises.feedback_schedule import FeedbackFilter
from posture_feedback.exercises.plan import parse_plan
from posture_feedback.exercises.runner import RunnerState, SessionRunner
from posture_feedback.types import View
from posture_feedback.ui import sound
from posture_feedback.ui.exercise_panel import BAD_COLOUR, FLAGGED_COLOUR, GOOD_COLOUR
from posture_feedback.ui.exercise_window import ExerciseOptions, ExerciseWindow
from posture_feedback.ui.speech_qt import ToneSpeaker

FPS = 30.0
#: One set's movement after "Go" (s, degrees): a fast lowering (0.4 s), a good raise, a partial one, a good one.
TRACE = (
    [0.0, 1.0, 2.5, 3.0, 3.4, 4.4, 5.4, 7.0, 7.5, 9.0, 10.0, 11.0, 12.0, 12.5, 13.0, 14.0, 15.0, 16.5, 17.0, 18.5,
     19.5],
    [10.0, 10.0, 100.0, 100.0, 10.0, 10.0, 10.0, 100.0, 100.0, 10.0, 10.0, 10.0, 60.0, 60.0, 10.0, 10.0, 10.0, 100.0,
     100.0, 10.0, 10.0],
)  # fmt: skip

PLAN = """\
countdown_s = 3
instruction_s = 4
rest_between_s = 6

[[exercise]]
name = "lateral_raise"
side = "left"
sets = 2
reps = 3
rest_s = 10
"""

#: What ``Sounds`` plays for each tone (``entered`` = the high tone, ``left`` = the low one).
HIGH, LOW, MIDDLE = "entered", "left", "neutral"
ROW_TONE = {GOOD_COLOUR: HIGH, FLAGGED_COLOUR: LOW, BAD_COLOUR: LOW}


def session_events(plan_text: str = PLAN, pause_at: float | None = None, skip_at: float | None = None) -> list:
    """The runner's events for the simulated patient (see the module docstring), no speaker."""
    runner = SessionRunner(parse_plan(plan_text))
    events = runner.start(0.0)
    go: float | None = None
    for k in range(int(90 * FPS)):
        t = k / FPS
        if pause_at is not None and abs(t - pause_at) < 0.5 / FPS:
            events += runner.pause(t) + runner.resume(t + 0.5 / FPS)
        if skip_at is not None and abs(t - skip_at) < 0.5 / FPS:
            events += runner.skip(t)
        if runner.state is RunnerState.DONE:
            break
        if runner.state is RunnerState.ACTIVE:
            go = t if go is None else go
            v = float(np.interp(t - go, *TRACE))
        else:
            go, v = None, 10.0
        events += runner.update(t, {"left_shoulder_elevation": v, "right_shoulder_elevation": v,
                                    "trunk_inclination": 2.0}, View.FRONT)  # fmt: skip
    return events


@pytest.fixture
def played(monkeypatch) -> list[str]:
    """The tones ``Sounds`` plays, in order (the real method still runs: a system beep offscreen)."""
    out: list[str] = []
    real = sound.Sounds._play

    def record(self, name: str) -> None:
        out.append(name)
        real(self, name)

    monkeypatch.setattr(sound.Sounds, "_play", record)
    return out


def tones_window(qtbot, tmp_path, plan_text: str = PLAN) -> ExerciseWindow:
    window = ExerciseWindow(ExerciseOptions(source="0", data_dir=str(tmp_path / "data"), speech="tones"))
    qtbot.addWidget(window)
    assert isinstance(window.speaker, ToneSpeaker)  # the real tones-only speaker of the window
    window.runner = SessionRunner(parse_plan(plan_text))  # for the panel (its plan); the events come from below
    return window


def test_each_repetition_sounds_like_its_row_looks(qtbot, tmp_path, played):
    events = session_events()
    window = tones_window(qtbot, tmp_path)
    heard: list[tuple[object, str]] = []  # (event, tone played) per spoken event
    rows: list[tuple[str, str]] = []  # (row colour, tone played) per spoken repetition
    for e in events:
        before = len(played)
        window.handle([e])
        if e.speech:
            assert len(played) == before + 1  # one tone per utterance
            heard.append((e, played[-1]))
        if isinstance(e, RepEvent):
            colour = window.panel.reps_list.item(0).foreground().color().name()
            rows.append((colour, played[-1]))
    # the audit's case: a counted rep flagged too fast is amber and its spoken correction is the LOW tone
    first = next(e for e in events if isinstance(e, RepEvent))
    assert first.speech == "1. Slower on the way down" and first.rep.counted
    assert rows[0] == (FLAGGED_COLOUR, LOW)
    assert {c for c, _ in rows} == {GOOD_COLOUR, FLAGGED_COLOUR, BAD_COLOUR}  # green, amber and red rows shown
    assert all(ROW_TONE[c] == tone for c, tone in rows), rows
    # announcements judge nothing: the middle tone, never the "correction" one
    kinds = (InstructionEvent, CountEvent, SetDone, RestEvent, ExerciseDone, SessionDone)
    announced = [(e.speech, tone) for e, tone in heard if isinstance(e, kinds)]
    assert {"Set 1 done", "Rest for 10 seconds", "Go", "Session complete. Well done"} <= {s for s, _ in announced}
    assert all(tone == MIDDLE for _, tone in announced), announced
    window.close()


def test_pause_skip_a_summary_and_a_balance_end_are_neutral(qtbot, tmp_path, played):
    summary_plan = PLAN.replace("rest_between_s = 6\n", "rest_between_s = 6\n\n[feedback]\nmode = \"summary\"\n")
    plan = parse_plan(summary_plan)
    told = FeedbackFilter(plan, 1).apply(session_events(summary_plan, pause_at=9.0, skip_at=40.0))
    window = tones_window(qtbot, tmp_path, summary_plan)
    heard: dict[str, str] = {}
    for e in told:
        n = len(played)
        window.handle([e])
        if e.speech:
            heard[e.speech] = played[n]
    assert heard["Paused"] == MIDDLE and heard["Let's continue"] == MIDDLE and heard["Skipped"] == MIDDLE
    summaries = [e for e in told if isinstance(e, CueEvent) and e.source == "summary"]
    assert summaries and summaries[0].speech.startswith("Set 1: ") and heard[summaries[0].speech] == MIDDLE
    # in the summary mode a rep is counted in silence: its count in the middle tone, no verdict by ear
    reps = [e for e in told if isinstance(e, RepEvent) and e.speech]
    assert reps and all(heard[e.speech] == MIDDLE for e in reps)
    # a set's end ("Set 1 done", "Time is up", "You balanced for 7 seconds") judges nothing
    assert all(e.tone == "neutral" for e in told if isinstance(e, SetDone))
    window.close()


def test_the_mirror_says_a_correction_low_and_a_message_neutral(qtbot, tmp_path, played, monkeypatch):
    from test_ui_spoken_cues import options, shown

    from posture_feedback.ui.main_window import MainWindow

    monkeypatch.setattr("posture_feedback.ui.source_page.SourcePage.probe_cameras", lambda self: None)
    window = MainWindow(options(tmp_path, spoken=True))
    qtbot.addWidget(window)
    window.spoken.speaker = ToneSpeaker()
    shown(window, 0.0, None)  # nobody in view: "Step into view", a message
    shown(window, 6.0, "Straighten up, shoulders level.")  # a correction from the pipeline's cues
    assert played[-2:] == [MIDDLE, LOW]
    window.shutdown()
