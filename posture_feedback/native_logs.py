"""Only our own lines on stderr: what native libraries log goes to the null device.

MediaPipe (absl, TFLite), OpenCV's FFmpeg, Qt and its multimedia and speech back-ends
(PipeWire, PulseAudio, speech-dispatcher) write to file descriptor 2 straight from native
code, when no Python code is running that could wrap them: MediaPipe 1.2.3, for example,
prints ``INFO: [accelerator_registry.cc:43] DestroyAccelerator ...`` whenever a task is
closed. Which lines appear changes with every release of those libraries.

``python_only_stderr()`` therefore works on the descriptor, not on the messages: it points
fd 2 at the null device and gives Python's ``sys.stderr`` a duplicate of the real stderr, so
our own error lines, warnings, progress bars and tracebacks still reach the terminal while
nothing native does. ``POSTURE_FEEDBACK_NATIVE_LOGS=1`` turns it off (to debug a library).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
from collections.abc import Callable, Iterator

#: Set to ``1`` to keep the native libraries' own log lines on stderr.
KEEP_NATIVE_LOGS_ENV = "POSTURE_FEEDBACK_NATIVE_LOGS"


def native_logs_kept() -> bool:
    """True when the user asked to see the native libraries' log lines."""
    return os.environ.get(KEEP_NATIVE_LOGS_ENV) == "1"


def _writes_to_fd2(stream: object) -> bool:
    try:
        return stream is not None and stream.fileno() == 2  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False


@contextlib.contextmanager
def python_only_stderr(*, restore: bool = True) -> Iterator[bool]:
    """Send fd 2 to the null device while Python's ``sys.stderr`` keeps writing to the real stderr.

    Args:
        restore: put fd 2 and ``sys.stderr`` back on exit. The command-line entry point passes
            False, so that native objects destroyed at interpreter exit stay quiet too.

    Yields True when the redirection is in place (False when turned off by
    ``POSTURE_FEEDBACK_NATIVE_LOGS=1`` or when the process has no usable fd 2).

    When ``sys.stderr`` is not fd 2 (a test runner capturing it, an IDE console), it is left as
    it is: it already does not go through fd 2.
    """
    if native_logs_kept():
        yield False
        return
    old = sys.stderr
    try:
        if old is not None:
            old.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no fd 2 (pythonw, some embedded interpreters)
        yield False
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        os.close(saved)
        yield False
        return
    new: io.TextIOWrapper | None = None
    if _writes_to_fd2(old):
        encoding = getattr(old, "encoding", None) or "utf-8"
        errors = getattr(old, "errors", None) or "backslashreplace"
        new = open(saved, "w", buffering=1, closefd=False, encoding=encoding, errors=errors)  # noqa: SIM115
        sys.stderr = new
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        yield True
    finally:
        if restore:
            if new is not None:
                with contextlib.suppress(OSError, ValueError):
                    new.flush()
            os.dup2(saved, 2)
            os.close(saved)
            if new is not None:
                if sys.stderr is new:
                    sys.stderr = old
                new.close()


def run_with_python_only_stderr(run: Callable[[], int]) -> int:
    """``run()`` inside ``python_only_stderr(restore=False)``: a script's (e.g. a benchmark's) main,
    with only its own lines on stderr as the command line has."""
    with python_only_stderr(restore=False):
        return run()


_silence_lock = threading.Lock()
_silence_depth = 0
_silence_saved = -1


@contextlib.contextmanager
def native_output_silenced(enabled: bool = True) -> Iterator[None]:
    """Hide what native code writes to fd 2 during a short call (creating or closing a model).

    For library use outside the command line (which silences the whole run). Safe from several
    threads at once: the first to enter redirects fd 2, the last to leave restores it, so two
    overlapping calls can never leave fd 2 on the null device. Python's ``sys.stderr`` also
    writes to fd 2 meanwhile, so keep the wrapped call free of our own messages.
    """
    global _silence_depth, _silence_saved
    if not enabled or native_logs_kept():
        yield
        return
    with _silence_lock:
        if _silence_depth == 0:
            try:
                if sys.stderr is not None:
                    sys.stderr.flush()
                saved = os.dup(2)
            except (OSError, ValueError):  # no real fd 2 (e.g. some embedded interpreters)
                saved = -1
            if saved >= 0:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.close(devnull)
            _silence_saved = saved
        _silence_depth += 1
    try:
        yield
    finally:
        with _silence_lock:
            _silence_depth -= 1
            if _silence_depth == 0 and _silence_saved >= 0:
                os.dup2(_silence_saved, 2)
                os.close(_silence_saved)
                _silence_saved = -1
