"""``posture-feedback history [--profile NAME] [--from DATE --to DATE] [--json]``: a profile's progress.

Text by default; ``--json`` prints one JSON document with the same facts: the sessions (uid, plan
uid and version, status, repetitions), the adherence per week, the monitor time, the assessments
(each measure as stored now, with its verdict), the measure changes and the exercises (mean peaks
with their ±, change and verdict) as the text states them (``reports.summary.history_document``).
"""

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
    p.add_argument(
        "--json",
        action="store_true",
        help="print the same summary as JSON: sessions, adherence, monitor, assessments, measure changes and "
        "exercises",
    )
    add_data_dir_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import json

    from posture_feedback.reports.summary import collect, history_document, text_summary

    with reading_profile(args) as (db, profile):
        data = collect(db, profile.id, args.start, args.end)
        if args.json:
            print(json.dumps(history_document(db, data), indent=2, ensure_ascii=False, allow_nan=False))
        else:
            print(text_summary(data))
    return 0
