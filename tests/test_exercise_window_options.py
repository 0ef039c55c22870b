"""`exercise NAME` in the window honours the pose model's options (--model, --max-people, --follow/--no-follow).

A review found the window opened with the bundled full model and every frame's multi-person pass whatever was
asked; it then refused the options in one line (2026-12-07). Now they reach the window's pipeline, as in
`--headless` runs, and a model file that cannot be used is refused before the window opens.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from posture_feedback.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_the_windows_pipeline_gets_the_model_options(monkeypatch) -> None:
    import posture_feedback.ui.exercise_window as ew

    seen = {}

    def fake_launch_session(build, driver, source, frames, screenshot, check=None):  # noqa: ANN001, ANN202
        seen["options"] = build  # the builder makes the window from the command's options
        return 0

    monkeypatch.setattr(ew, "launch_session", fake_launch_session)
    captured = {}

    class FakeWindow:
        def __init__(self, options) -> None:  # noqa: ANN001
            captured["options"] = options

    monkeypatch.setattr(ew, "ExerciseWindow", FakeWindow)
    model = str(ROOT / "models" / "pose_landmarker_full.task")
    args = ["exercise", "seated_arm_raise", "--source", "sample", "--model", model, "--max-people", "1", "--follow"]
    assert main(args) == 0
    seen["options"]("sample", None, False)
    opts = captured["options"]
    assert (opts.model, opts.max_people, opts.follow) == (model, 1, True)
    assert main(["exercise", "seated_arm_raise", "--source", "sample", "--no-follow"]) == 0
    seen["options"]("sample", None, False)
    assert captured["options"].follow is False and captured["options"].model == "full"


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--model", "/nonexistent/model.task"], "model file not found: /nonexistent/model.task"),
        # a mistyped name is named as one, as in --headless (the window said 'model file not found: ful')
        (["--model", "ful"], "unknown model 'ful': give lite, full, heavy or the path of a .task file"),
        (["--max-people", "0"], "--max-people must be at least 1"),
    ],
)
def test_unusable_model_options_are_refused_before_the_window_opens(extra, words, capsys) -> None:
    assert main(["exercise", "seated_arm_raise", "--source", "sample", *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0]


def test_the_window_builds_its_pipeline_with_them(qtbot, monkeypatch, tmp_path) -> None:
    """The options reach the pipeline the window's worker builds (``SessionWindow._start_worker``)."""
    import posture_feedback.ui.main_window as mw
    from posture_feedback.ui.exercise_window import ExerciseOptions, ExerciseWindow

    built = []
    real = mw.make_pipeline_factory
    monkeypatch.setattr(mw, "make_pipeline_factory", lambda app, *a: built.append(app) or real(app, *a))
    model = str(ROOT / "models" / "pose_landmarker_full.task")
    window = ExerciseWindow(ExerciseOptions(
        source=str(ROOT / "sample_videos" / "sports2d_demo.mp4"), what="seated_arm_raise", profile="Ann",
        data_dir=str(tmp_path / "data"), realtime=False, loop=False, max_frames=2, no_waits=True, autostart=True,
        speech="silent", model=model, max_people=1, follow=False,
    ))  # fmt: skip
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.frames_fed == 2, timeout=60_000)
    pipe = built[-1].pipeline
    assert (pipe.pose.model, pipe.pose.max_people, pipe.follow.enabled) == (model, 1, False)
    assert pipe.scene_vertical is True  # the exercise window's default (the app's)


def test_without_follow_the_window_does_not_follow_as_its_help_says(qtbot, monkeypatch, tmp_path, capsys) -> None:
    """`exercise --help` said --follow defaults to "on in the app" (the mirror's default, audit 31); the
    exercise window, given neither --follow nor --no-follow, does not follow, and the help now says
    "off, in the exercise window and on recordings". Checked on the pipeline a real window builds."""
    import posture_feedback.ui.main_window as mw
    from posture_feedback.ui.exercise_window import ExerciseOptions, ExerciseWindow

    with pytest.raises(SystemExit):
        main(["exercise", "--help"])
    assert "(default: off, in the exercise window and on recordings;" in " ".join(capsys.readouterr().out.split())
    built = []
    real = mw.make_pipeline_factory
    monkeypatch.setattr(mw, "make_pipeline_factory", lambda app, *a: built.append(app) or real(app, *a))
    window = ExerciseWindow(ExerciseOptions(
        source=str(ROOT / "sample_videos" / "sports2d_demo.mp4"), what="seated_arm_raise", profile="Ann",
        data_dir=str(tmp_path / "data"), realtime=False, loop=False, max_frames=2, no_waits=True, autostart=True,
        speech="silent",
    ))  # fmt: skip
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.frames_fed == 2, timeout=60_000)
    assert not built[-1].pipeline.follow.enabled
