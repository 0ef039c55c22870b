"""The sound default `app --help` states (audit 31: it stated none): on in the mirror and the posture
monitor, off in the therapist view, and --sound / --mute win over it. Real windows offscreen, built
from the command line as the app builds them."""

from __future__ import annotations

import pytest

from posture_feedback.cli import build_parser, main
from posture_feedback.commands.app import options_from_args


def test_the_help_states_the_sound_default(capsys):
    with pytest.raises(SystemExit):
        main(["app", "--help"])
    assert "range (default: on, off in the therapist view)" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize(
    ("flags", "enabled"),
    [([], True), (["--therapist"], False), (["--therapist", "--sound"], True), (["--mute"], False)],
)
def test_the_mirror_window_sounds_as_the_help_says(qtbot, tmp_path, monkeypatch, flags, enabled):
    from posture_feedback.ui.main_window import MainWindow

    monkeypatch.setattr("posture_feedback.ui.source_page.SourcePage.probe_cameras", lambda self: None)
    args = build_parser().parse_args(["app", "--source", str(tmp_path / "none.mp4"), *flags])
    window = MainWindow(options_from_args(args))
    qtbot.addWidget(window)
    try:
        assert window.sounds.enabled is enabled
    finally:
        window.shutdown()
