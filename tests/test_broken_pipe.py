"""A reader that stops reading (`posture-feedback … | head -1`) is not an error of ours."""

from __future__ import annotations

import os
import subprocess
import sys


def test_a_closed_pipe_ends_quietly_as_sigpipe_would():
    """`history --json | head -1` printed "posture-feedback: error: Broken pipe" and exited 2 (a
    new-user audit). Now: nothing on stderr, exit 141 (128 + SIGPIPE), as other command-line tools."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-m", "posture_feedback.cli", "exercise", "--list"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)  # fmt: skip
    proc.stdout.close()  # the reader is gone before the first line is written (start-up takes longer)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert err == ""
