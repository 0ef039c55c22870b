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


def person_point(text: str) -> tuple[float, float]:
    """argparse type for 'X,Y' in pixels (--person: the person to follow in a recording)."""
    import argparse
    import math

    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not X,Y in pixels (e.g. 540,700)") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite point")
    return x, y
