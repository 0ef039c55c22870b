"""MediaPipe's native usage logging kept on this machine, without side effects on other programs.

MediaPipe's PyPI builds since 0.10.2x upload usage logs from native code (libcurl, to
play.googleapis.com) with no API switch to turn it off (google-ai-edge/mediapipe#6291).
libcurl honours ``https_proxy``, so pointing it at a closed local port refuses those
connections on this machine, before any DNS query.

Changing the environment is only safe while no other thread can read it (``setenv`` racing
``getenv`` can crash glibc), so ``block_native_telemetry()`` is called once at start-up: by
``posture_feedback.cli.main`` before the command runs and by the app before Qt starts. Child
processes (the browser or PDF viewer opened from the app, espeak) get ``user_environment()``:
the user's own proxy settings, never the closed port.
``POSTURE_FEEDBACK_ALLOW_MEDIAPIPE_TELEMETRY=1`` leaves the environment alone.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping

#: Where MediaPipe's native usage logging is sent instead of Google: a closed local port, so
#: the connection is refused on this machine and nothing leaves it (the privacy promise:
#: no network access at run time except an explicit model download).
TELEMETRY_SINK = "http://127.0.0.1:9"

#: Set to ``1`` to let MediaPipe's usage logging through (the environment is then left alone).
ALLOW_TELEMETRY_ENV = "POSTURE_FEEDBACK_ALLOW_MEDIAPIPE_TELEMETRY"

_PROXY_VARS = ("https_proxy", "HTTPS_PROXY")
_NO_PROXY_VARS = ("no_proxy", "NO_PROXY")

#: The user's values of the variables ``block_native_telemetry`` changed (None: it was unset).
_user_values: dict[str, str | None] = {}


def telemetry_allowed() -> bool:
    """True when the user let MediaPipe's usage logging through."""
    return os.environ.get(ALLOW_TELEMETRY_ENV) == "1"


def telemetry_blocked(env: Mapping[str, str] | None = None) -> bool:
    """True when ``env`` (default: this process) sends native https traffic to the closed port."""
    env = os.environ if env is None else env
    return all(env.get(v) == TELEMETRY_SINK for v in _PROXY_VARS) and not any(v in env for v in _NO_PROXY_VARS)


def block_native_telemetry() -> bool:
    """Point libcurl's https proxy at a closed local port; call once at start-up, before threads start.

    Remembers the user's values for ``user_environment()``. Writes nothing when the block is
    already in place. Returns True when the block is in place.
    """
    if telemetry_allowed():
        return False
    if telemetry_blocked():
        return True
    for var in (*_PROXY_VARS, *_NO_PROXY_VARS):
        value = os.environ.get(var)
        if value != TELEMETRY_SINK:
            _user_values[var] = value
    for var in _PROXY_VARS:
        os.environ[var] = TELEMETRY_SINK
    for var in _NO_PROXY_VARS:
        os.environ.pop(var, None)
    return True


def safe_to_change_environment() -> bool:
    """True on the main thread while no other Python thread runs (a start-up moment)."""
    return threading.current_thread() is threading.main_thread() and threading.active_count() == 1


def user_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """A copy of ``env`` (default: this process's) with the user's proxy settings, for a child process.

    The closed-port proxy set by ``block_native_telemetry`` is never passed on: a browser or
    speech program started from here reaches the network as the user configured it.
    """
    out = dict(os.environ if env is None else env)
    blocked = any(out.get(v) == TELEMETRY_SINK for v in _PROXY_VARS)
    for var in _PROXY_VARS:
        if out.get(var) == TELEMETRY_SINK:
            original = _user_values.get(var)
            if original is None:
                del out[var]
            else:
                out[var] = original
    if blocked:
        for var in _NO_PROXY_VARS:
            original = _user_values.get(var)
            if var not in out and original is not None:
                out[var] = original
    return out
