"""``posture-feedback history [--profile NAME] [--from DATE --to DATE]``: a text summary of a profile's progress."""

from __future__ import annotations

import argparse

from posture_feedback.storage.options import add_data_dir_option, add_profile_period_options, reading_profile


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "history",
        help="progress summary of a profile: sessions, adherence, ROM changes",
        description="Print a profile's progress for a period: sessions done and planned, repetitions and their "
        "quality, posture-monitor time, and each measure's change judged against its minimal detectable change.",
    )
    add_profile_period_options(p)
    add_data_dir_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from posture_feedback.reports.summary import collect, text_summary

    with reading_profile(args) as (db, profile):
        print(text_summary(collect(db, profile.id, args.start, args.end)))
    return 0
