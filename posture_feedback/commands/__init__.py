"""Sub-commands of the ``posture-feedback`` command line, one module each.

Each module exposes ``register(subparsers) -> None``, which adds its parser and sets
``func=<callable(args) -> int>`` as the parser default. ``posture_feedback.cli`` imports
them in the order of ``COMMANDS``.
"""

COMMANDS: tuple[str, ...] = (
    "app", "analyze", "exercise", "assess", "calibrate", "history", "report", "profile", "config",
)  # fmt: skip


def finite_float(text: str) -> float:
    """argparse type: a finite number (``nan`` and ``inf`` are refused with a one-line message)."""
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value
