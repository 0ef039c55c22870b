"""Spoken guidance first: one short correction at a time with a cool-down; counts always spoken;
what is shown and counted unchanged. Driven with constructed raises that stop 8° short of the
80° target (every repetition gets the correction "Lift your arm higher, to shoulder height")."""

from __future__ import annotations

import numpy as np

from posture_feedback.exercises.events import InstructionEvent, RepEvent
from posture_feedback.exercises.plan import parse_plan
from posture_feedback.exercises.runner import RunnerState, SessionRunner
from posture_feedback.exercises.spoken_guidance import SpokenGuidance, short_phrase
from posture_feedback.types import View

PLAN = ('title = "Raises"\ncountdown_s = 0\ninstruction_s = 0\n[[exercise]]\nname = "lateral_raise"\n'
        'side = "left"\nsets = 1\nreps = 4\n')  # fmt: skip


def events(top: float = 72.0, period: float = 5.0) -> list:
    runner = SessionRunner(parse_plan(PLAN))
    out = runner.start(0.0)
    cycle = ([0.0, 1.0, 2.5, 3.0, 4.5, period], [10.0, 10.0, top, top, 10.0, 10.0])
    for k in range(int(30 * 30)):
        t = k / 30
        if runner.state is RunnerState.DONE:
            break
        v = float(np.interp(t % period, *cycle))
        out += runner.update(t, {"left_shoulder_elevation": v, "left_shoulder_hike": 0.0, "trunk_lean_right": 0.0},
                             View.FRONT)  # fmt: skip
    return out + runner.stop(30.0)


def test_short_phrase():
    assert short_phrase("Lift your arm higher, to shoulder height") == "Lift your arm higher"
    assert short_phrase("Slower on the way down. Keep the elbow straight.") == "Slower on the way down"
    assert short_phrase("one two three four five six seven eight", max_words=6) == "one two three four five six"


def test_one_short_correction_per_cool_down_and_the_rest_unchanged():
    raw = events()
    told = SpokenGuidance(cooldown_s=8.0).apply(raw)
    assert [type(e) for e in told] == [type(e) for e in raw]
    reps_raw = [e for e in raw if isinstance(e, RepEvent)]
    reps_told = [e for e in told if isinstance(e, RepEvent)]
    assert len(reps_told) >= 4 and all(e.feedback == r.feedback for e, r in zip(reps_told, reps_raw, strict=True))
    assert all(r.speech == "Lift your arm higher, to shoulder height" for r in reps_raw)  # said in full, every rep
    # reps end about 5 s apart: with an 8 s cool-down every other correction is spoken, and short
    last = None
    for e in reps_told:  # not counted (8° short): no count to say either
        if last is None or e.t - last >= 8.0:
            assert e.speech == "Lift your arm higher", (e.t, last)
            last = e.t
        else:
            assert e.speech is None, (e.t, last)
    assert sum(e.speech is not None for e in reps_told) == (len(reps_told) + 1) // 2  # reps end ~5 s apart
    instructions = [e.speech for e in told if isinstance(e, InstructionEvent)]
    assert instructions == [e.speech for e in raw if isinstance(e, InstructionEvent)]


def test_cue_speech_says_a_shown_cue_once_with_a_five_second_cool_down():
    """The mirror's and the monitor's cue line (no runner): times worked by hand, 5 s cool-down."""
    from posture_feedback.exercises.spoken_guidance import CueSpeech

    speech = CueSpeech(cooldown_s=5.0)
    shown = [(0.0, "Sit up tall, chin in."), (1.0, "Sit up tall, chin in."), (2.0, "Lower your shoulders"),
             (4.9, "Lower your shoulders"), (5.0, "Lower your shoulders"), (6.0, "Lower your shoulders"),
             (7.0, ""), (8.0, "Lean back"), (9.0, "Step into view"), (10.5, "")]  # fmt: skip
    said = {t: speech.update(t, cue) for t, cue in shown}
    assert said[0.0] == "Sit up tall"  # the first short phrase, at once
    assert said[1.0] is None  # the same cue still shown: not repeated
    assert said[2.0] is None and said[4.9] is None  # a new cue inside the cool-down waits…
    assert said[5.0] == "Lower your shoulders"  # …and is said when it ends, as it is still shown
    assert said[6.0] is None and said[7.0] is None
    assert said[8.0] is None  # 3 s after the last one: waits, and is gone by 10.0: never said
    assert said[9.0] is None and said[10.5] is None
    assert speech.update(10.6, "Lean back") == "Lean back"  # shown again after the cool-down


def test_short_phrase_ends_at_a_dash():
    assert short_phrase("You are too close to the screen — sit back", max_words=8) == "You are too close to the screen"
    assert short_phrase("Hold – then relax") == "Hold"
    assert short_phrase("side-bend left") == "side-bend left"  # a hyphen is part of a word
