"""``posture-feedback history [--profile NAME] [--from DATE --to DATE]``: a text summary of a profile's progress."""

from __future__ import annotations

import argparse

from posture_feedback.storage.options import (
    add_data_dir_option,
    add_period_options,
    check_period,
    open_for_reading,
    resolve_profile,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "history",
        help="progress summary of a profile: sessions, adherence, ROM changes",
        description="Print a profile's progress for a period: sessions done and planned, repetitions and their "
        "quality, posture-monitor time, and each measure's change judged against its minimal detectable change.",
    )
    p.add_argument("--profile", metavar="NAME", help="profile name (default: the only profile)")
    add_period_options(p)
    add_data_dir_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from posture_feedback.reports.summary import collect, text_summary

    check_period(args.start, args.end)
    with open_for_reading(args) as db:
        profile = resolve_profile(db, args.profile)
        print(text_summary(collect(db, profile.id, args.start, args.end)))
    return 0
