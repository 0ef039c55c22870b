"""The app's minute and second options: a value that overflows in seconds is refused in one line
(a thirteenth audit: `--monitor --break-after 1e308` gave a traceback, "break_after_s must be >= 0
seconds, not inf")."""

from __future__ import annotations

import subprocess
import sys

import pytest

from posture_feedback.cli import build_parser
from posture_feedback.commands.app import options_from_args
from posture_feedback.errors import PostureFeedbackError


@pytest.mark.parametrize(("option", "value", "words"), [
    ("--break-after", "1e308", "--break-after 1e+308 minutes is too large to count in seconds"),
    ("--break-after", "0", "--break-after must be a number of minutes > 0, not 0"),
    ("--alert-after", "-1", "--alert-after must be a number of seconds >= 0, not -1"),
    ("--alert-threshold", "-2", "--alert-threshold must be a number of degrees >= 0, not -2"),
])  # fmt: skip
def test_out_of_range_times_are_refused_in_words(option: str, value: str, words: str) -> None:
    args = build_parser().parse_args(["app", "--monitor", "--source", "sample", option, value])
    with pytest.raises(PostureFeedbackError) as err:
        options_from_args(args)
    assert str(err.value) == words
    assert options_from_args(build_parser().parse_args(["app", "--source", "sample", "--break-after", "1e6"]))


def test_the_command_line_says_one_line_and_no_traceback(tmp_path) -> None:  # noqa: ANN001
    main = "import sys; from posture_feedback.cli import main; sys.exit(main())"
    cmd = [sys.executable, "-c", main, "--monitor", "--source", "sample", "--frames", "3",
           "--screenshot", str(tmp_path / "z.png"), "--break-after", "1e308"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == ("posture-feedback: error: --break-after 1e+308 minutes is too large to count "
                                   "in seconds")
    assert not (tmp_path / "z.png").exists()
