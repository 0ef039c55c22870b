"""`exercise NAME` in the window refuses the model options it cannot honour, in one line.

A review found `exercise seated_arm_raise --model lite` (or --follow, --max-people) opened the window
with the bundled full model and every frame's multi-person pass as if nothing had been asked; those
options act on `--headless` runs only.
"""

from __future__ import annotations

import pytest

from posture_feedback.cli import main


@pytest.mark.parametrize("extra", [["--model", "lite"], ["--max-people", "1"], ["--follow"], ["--no-follow"]])
def test_window_refuses_model_options_it_would_ignore(extra, capsys) -> None:
    assert main(["exercise", "seated_arm_raise", "--source", "sample", *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "apply to --headless runs only" in err[0]
