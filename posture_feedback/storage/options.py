"""Command-line glue shared by the commands that use the database: ``--data-dir``, ``--profile``, dates."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from posture_feedback.storage.database import Database
from posture_feedback.storage.errors import DataDirError, NotFoundError, StorageError
from posture_feedback.storage.models import Profile
from posture_feedback.storage.paths import ENV_DATA_DIR, database_path


def add_data_dir_option(parser: argparse.ArgumentParser, nested: bool = False) -> None:
    """Add ``--data-dir``; ``nested`` for a sub-sub-command, so it does not reset a value given before it."""
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS if nested else None,
        help=f"folder of the database (default: ${ENV_DATA_DIR}, else the user data folder; "
        "see `posture-feedback profile where`)",
    )


def open_database(args: argparse.Namespace, readonly: bool = False) -> Database:
    """The database of ``--data-dir`` (or the environment / platform default)."""
    return Database.open_default(getattr(args, "data_dir", None), readonly=readonly)


def no_database_text(args: argparse.Namespace) -> str | None:
    """Why a command that only reads finds nothing, when there is no database in the data folder yet
    (a mistyped --data-dir, or nothing stored): None when there is one."""
    path = database_path(getattr(args, "data_dir", None))
    if path.exists():
        return None
    return (f"no profiles yet: there is no database in {path.parent} (check --data-dir, or create a profile with "
            "`posture-feedback profile create --profile NAME`)")  # fmt: skip


def open_for_reading(args: argparse.Namespace) -> Database:
    """The database for a command that only reads: read-only when the data folder cannot be written.
    A command that only reads creates nothing: no database there is a ``NotFoundError`` (history and
    report on a mistyped --data-dir made the folder and an empty database in it, then said "no
    profiles yet: create one"; audit 28)."""
    missing = no_database_text(args)
    if missing:
        raise NotFoundError(missing)
    try:
        return open_database(args)
    except DataDirError:
        path = database_path(getattr(args, "data_dir", None))
        if not path.exists():
            raise
        return Database(path, readonly=True)


def resolve_profile(db: Database, name: str | None) -> Profile:
    """The named profile; without a name, the only profile there is."""
    if name:
        return db.profile_by_name(name)
    profiles = db.list_profiles()
    if not profiles:
        raise NotFoundError("no profiles yet: create one with `posture-feedback profile create --profile NAME`")
    if len(profiles) > 1:
        names = ", ".join(p.name for p in profiles)
        raise StorageError(f"several profiles ({names}): choose one with --profile NAME")
    return profiles[0]


def parse_day(text: str) -> date:
    """argparse type for ``YYYY-MM-DD`` dates."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (expected YYYY-MM-DD)") from exc


def add_period_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="start", type=parse_day, metavar="DATE",
        help="first day (YYYY-MM-DD, default: the profile's first record, at most a year back; "
             "4 weeks when it has none)",
    )
    parser.add_argument("--to", dest="end", type=parse_day, metavar="DATE", help="last day (YYYY-MM-DD, default today)")


def check_period(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise StorageError(f"--to {end} is before --from {start}")


def add_profile_period_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--profile NAME`` (default: the only profile) and the period ``--from DATE --to DATE``."""
    parser.add_argument("--profile", metavar="NAME", help="profile name (default: the only profile)")
    add_period_options(parser)


@contextmanager
def reading_profile(args: argparse.Namespace) -> Iterator[tuple[Database, Profile]]:
    """Check the period, open the database for reading and find ``--profile``: yields (database, profile)."""
    check_period(args.start, args.end)
    with open_for_reading(args) as db:
        yield db, resolve_profile(db, args.profile)


def deprecated(old: str, new: str) -> None:
    """One line on stderr: an old spelling still works, and which one to use instead."""
    print(f"posture-feedback: note: `{old}` is deprecated and will be removed; use `{new}`", file=sys.stderr)


def add_profile_name_option(parser: argparse.ArgumentParser, what: str = "profile name") -> None:
    """``--profile NAME`` plus the old positional ``NAME`` (still accepted, with a deprecation note)."""
    parser.add_argument("--profile", metavar="NAME", help=what)
    parser.add_argument("old_name", nargs="?", metavar="NAME", help=argparse.SUPPRESS)


def profile_name(args: argparse.Namespace, command: str, required: bool = True) -> str | None:
    """The profile named by ``--profile`` (or, deprecated, positionally) for ``command`` (e.g. "profile delete")."""
    old = getattr(args, "old_name", None)
    if old is not None:
        if args.profile is not None:
            raise StorageError(f"{command}: give the profile once, with --profile NAME (got {old!r} too)")
        deprecated(f"{command} {old}", f"{command} --profile {old}")
        return old
    if args.profile is None and required:
        raise StorageError(f"{command}: which profile? add --profile NAME")
    return args.profile

