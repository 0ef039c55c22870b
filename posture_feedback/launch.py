"""Starting other programs (the browser, a PDF viewer) with the user's own environment.

The process itself runs with MediaPipe's usage logging pointed at a closed local port
(``telemetry``); a program started from here must not inherit that, or the browser that
shows a report could not reach the network through the user's proxy. No Qt here: the UI
calls ``open_document`` instead of ``QDesktopServices.openUrl``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from posture_feedback.telemetry import user_environment


def opener_command(path: Path) -> list[str] | None:
    """The command that opens ``path`` in the user's default program here, or None (Windows, none found)."""
    if sys.platform == "darwin":
        return ["open", str(path)]
    if sys.platform == "win32":
        return None
    found = shutil.which("xdg-open")
    return [found, str(path)] if found else None


def open_document(path: str | os.PathLike[str]) -> bool:
    """Open a file (an HTML report, a PDF) in the user's default program; True when it was started.

    The program gets ``telemetry.user_environment()``, its output goes to the null device, and
    it runs in its own session so it outlives this app.
    """
    path = Path(path).resolve()
    if sys.platform == "win32":
        try:
            os.startfile(str(path))  # type: ignore[attr-defined]  # the shell, not a child with our environment
        except OSError:
            return False
        return True
    cmd = opener_command(path)
    if cmd is None:
        return False
    try:
        subprocess.Popen(cmd, env=user_environment(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    except OSError:
        return False
    return True
