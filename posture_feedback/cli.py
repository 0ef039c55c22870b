"""The ``posture-feedback`` command line.

``posture-feedback`` with no sub-command opens the desktop app (see ``commands/app.py``);
``posture-feedback analyze VIDEO`` etc. run the core on recorded media. User errors
(``PostureFeedbackError``) and file-system refusals (``OSError``: a folder given as an output
file, no permission, disk full) are printed as one line on stderr with exit code 2. An output
written to stdout (``--out /dev/stdout``, ``--json /dev/stdout``) has stdout to itself: the tool's
own lines go to stderr (``OUTPUT_OPTIONS``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import re
import sys
from collections.abc import Sequence

from posture_feedback import __version__
from posture_feedback.commands import COMMANDS
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.native_logs import python_only_stderr
from posture_feedback.startup import prepare_process_environment


class UsageError(PostureFeedbackError):
    """The command line itself is wrong (unknown option, a value of the wrong kind)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other error."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(f"{self.prog.removeprefix('posture-feedback').strip() or 'usage'}: {message} "
                         f"(see {self.prog} --help)")  # fmt: skip


#: The options that name a file a command writes (``args.<name>``; a folder or a flag is skipped).
OUTPUT_OPTIONS = ("out", "json", "csv", "trc", "mot", "annotated", "screenshot", "save_demo")


def writes_to_stdout(args: argparse.Namespace) -> bool:
    """True when one of the command's outputs (``OUTPUT_OPTIONS``) is this process's stdout, e.g.
    ``--json /dev/stdout`` (the same file, pipe or terminal, links followed)."""
    try:
        here = os.fstat(sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # no descriptor (a test's captured stdout)
        return False
    for name in OUTPUT_OPTIONS:
        path = getattr(args, name, None)
        if not isinstance(path, str | os.PathLike) or not str(path):
            continue
        try:
            there = os.stat(path)
        except (OSError, ValueError):
            continue
        if (there.st_dev, there.st_ino) == (here.st_dev, here.st_ino):
            return True
    return False


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available sub-command registered."""
    parser = _Parser(
        prog="posture-feedback",
        description="Webcam posture and movement coach for neuromuscular re-education.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"posture_feedback.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"posture_feedback.commands.{name}":
                continue  # sub-command not built into this version
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code.

    Before anything else, and before any thread starts: native libraries' stderr goes to the
    null device for the whole run (``native_logs``: stderr carries only our own lines) and the
    environment MediaPipe needs is set once (``startup``). Called as the program (``argv`` None),
    the redirection stays until the process ends, so native objects destroyed at exit stay
    quiet; called with ``argv`` (tests, other Python code), it is undone on return.
    """
    entry = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    with python_only_stderr(restore=not entry):
        prepare_process_environment()
        return _run(argv)


#: Options whose value is a point "X,Y" in pixels, which may start with a minus sign.
_POINT_OPTIONS = ("--person",)


def _negative_points_joined(argv: list[str]) -> list[str]:
    """``--person -5,-5`` as ``--person=-5,-5``: argparse reads a value starting with "-" as an option and said
    "expected one argument", where the point itself deserves the answer (outside the frame)."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        nxt = argv[i + 1] if i + 1 < len(argv) else ""
        if a in _POINT_OPTIONS and re.fullmatch(r"-[0-9.][^ ]*", nxt):
            out.append(f"{a}={nxt}")
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def _run(argv: list[str]) -> int:
    argv = _negative_points_joined(argv)
    parser = build_parser()
    # No sub-command (or only app options such as --source) opens the desktop app.
    known = set(parser._subparsers._group_actions[0].choices) if parser._subparsers else set()  # type: ignore[union-attr]
    if "app" in known and (not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"))):
        argv = ["app", *argv]
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 1
        # an output on stdout has it to itself (a review: `report --json /dev/stdout` ended its JSON
        # with "json: /dev/stdout", `analyze -o /dev/stdout` framed its CSV with the summary)
        talk = contextlib.redirect_stdout(sys.stderr) if writes_to_stdout(args) else contextlib.nullcontext()
        with talk:
            return int(args.func(args) or 0)
    except PostureFeedbackError as exc:
        print(f"posture-feedback: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader stopped reading (`… | head -1`): not an error of ours
        _stdout_to_null()
        return 128 + 13  # as a program ended by SIGPIPE, with nothing on stderr
    except OSError as exc:  # the file system said no: a folder for a file, no permission, disk full
        where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"posture-feedback: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        print(f"posture-feedback: error: a file is not UTF-8 text ({exc.reason} at byte {exc.start})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("posture-feedback: interrupted", file=sys.stderr)
        return 130


def _stdout_to_null() -> None:
    """Point stdout at the null device, so that the interpreter's final flush of the unread output
    does not raise a second BrokenPipeError at exit (the recipe of Python's `signal` docs)."""
    import os

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # a test's captured stdout has no descriptor
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)


if __name__ == "__main__":
    sys.exit(main())
