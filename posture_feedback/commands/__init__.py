"""Sub-commands of the ``posture-feedback`` command line, one module each.

Each module exposes ``register(subparsers) -> None``, which adds its parser and sets
``func=<callable(args) -> int>`` as the parser default. ``posture_feedback.cli`` imports
them in the order of ``COMMANDS``.
"""

COMMANDS: tuple[str, ...] = (
    "app", "analyze", "exercise", "assess", "calibrate", "history", "report", "profile", "config",
)  # fmt: skip
