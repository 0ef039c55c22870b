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


def positive_float(text: str) -> float:
    """argparse type: a finite number above 0 (a duration, a speed, a size), refused with one line
    before any video is read (audit 28: ``assess posture --hold -1`` analysed the whole video, then
    said "no still front view of at least -1 s")."""
    import argparse

    value = finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be above 0")
    return value


def frame_count(text: str) -> int:
    """argparse type for ``--max-frames N``: a whole number, 1 or more (``assess ... --max-frames 0``
    read no frame and said "nobody found in the recording"; audit 28)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of frames") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


#: The largest camera roll (degrees, either way) ``--roll`` accepts: beyond it the camera is upside down.
MAX_ROLL_DEG = 90.0


def roll_degrees(text: str) -> float:
    """argparse type for a camera roll in degrees, -``MAX_ROLL_DEG`` to ``MAX_ROLL_DEG`` (``--roll 400``
    was applied as "roll +400.0°")."""
    import argparse

    value = finite_float(text)
    if abs(value) > MAX_ROLL_DEG:
        limit = f"{MAX_ROLL_DEG:g}"
        raise argparse.ArgumentTypeError(f"{text!r} is not a camera roll (-{limit} to {limit} degrees)")
    return value


#: Ages (whole years) the command line accepts: a person's age, not a norm's range (the chair tests'
#: norms cover 60-94 and say so); the bound is this tool's plausibility check, nothing published.
MAX_AGE_YEARS = 120


def age_years(text: str) -> int:
    """argparse type for an age in whole years, 0 to ``MAX_AGE_YEARS``; anything else is refused
    with a one-line message before any video is read (a fourteenth audit ran ``--age -5``)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of years") from None
    if not 0 <= value <= MAX_AGE_YEARS:
        raise argparse.ArgumentTypeError(f"{value} is not a possible age (0 to {MAX_AGE_YEARS} years)")
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


def accept_positionals_after_options(parser: object) -> None:
    """Let ``parser`` (a sub-command's) take its positionals after its options too.

    argparse fills an optional positional (``nargs="?"``) as soon as it meets the positional before
    it: ``calibrate scale --height 1.75 VIDEO`` had ``VIDEO`` left over ("unrecognized arguments"),
    though the usage reads ``{camera,neutral,scale,show} [video]``. ``parse_known_intermixed_args``
    reads the options first and the positionals from what is left, wherever they stand. ``-h`` keeps
    the ordinary parse (the intermixed one prints the usage without its positionals).
    """
    import argparse

    assert isinstance(parser, argparse.ArgumentParser)
    base = type(parser)

    class IntermixedParser(base):  # type: ignore[valid-type, misc]
        _intermixing = False

        def parse_known_args(self, args=None, namespace=None):  # noqa: ANN001, ANN202
            if self._intermixing or args is None or any(a in ("-h", "--help") for a in args):
                return super().parse_known_args(args, namespace)
            self._intermixing = True
            try:
                return self.parse_known_intermixed_args(args, namespace)
            finally:
                self._intermixing = False

    parser.__class__ = IntermixedParser
