"""What the process sets up once at start-up, before any thread runs.

``prepare_process_environment()`` makes the environment MediaPipe should start with: its
native log levels lowered and its usage logging kept on this machine (``telemetry``).
``posture_feedback.cli.main`` calls it before a command runs, and the app before Qt starts:
changing the environment later, while Qt, MediaPipe or our worker threads read it, can crash
glibc (``setenv`` racing ``getenv``). Light on purpose: importing it loads no native library.
"""

from __future__ import annotations

import os

from posture_feedback.telemetry import block_native_telemetry


def quiet_native_log_env() -> None:
    """Lower MediaPipe's/TFLite's native log levels (glog, TensorFlow), unless the user set them."""
    for var in ("GLOG_minloglevel", "TF_CPP_MIN_LOG_LEVEL"):
        if var not in os.environ:
            os.environ[var] = "2"


def prepare_process_environment() -> None:
    """Quiet native logs and keep MediaPipe's usage logging local; call before threads start."""
    quiet_native_log_env()
    block_native_telemetry()
