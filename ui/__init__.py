"""The PyQt6 desktop app (installed as ``posture_feedback.ui``): the live mirror, the posture
monitor and the therapist view.

Kept light: importing this package does not import Qt; ``launch`` does.
"""

from __future__ import annotations

from typing import Any


def launch(options: Any = None, **kwargs: Any) -> int:
    """Open the app and run the Qt event loop; returns the exit code.

    ``options`` is a ``ui.options.AppOptions``; keyword arguments set its fields instead
    (``launch(source="sample", preset="standing")``).
    """
    from posture_feedback.ui.app import run_app
    from posture_feedback.ui.options import AppOptions

    if options is None:
        options = AppOptions(**kwargs)
    return run_app(options)


__all__ = ["launch"]
