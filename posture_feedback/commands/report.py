"""``posture-feedback report --profile NAME [--from DATE --to DATE] --out report.pdf [--csv DIR] [--json FILE]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from posture_feedback.errors import PostureFeedbackError
from posture_feedback.storage.options import add_data_dir_option, add_profile_period_options, reading_profile


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="therapist report of a profile as PDF, and the raw numbers as CSV/JSON",
        description="Write the therapist report (PDF: summary, evaluation results, ROM trends, adherence, exercise "
        "results) for a profile and period, and/or export the raw numbers as CSV files or one JSON document.",
    )
    add_profile_period_options(p)
    p.add_argument("--out", "-o", type=Path, metavar="REPORT.pdf", help="PDF report to write")
    p.add_argument("--csv", type=Path, metavar="DIR", help="folder to write the CSV files into")
    p.add_argument("--json", type=Path, metavar="FILE.json", help="JSON document of the numbers")
    add_data_dir_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not (args.out or args.csv or args.json):
        raise PostureFeedbackError("nothing to write: give --out REPORT.pdf, --csv DIR and/or --json FILE")
    if args.out and args.out.suffix.lower() != ".pdf":  # checked before anything is read or written
        raise PostureFeedbackError(f"--out {args.out}: the report is a PDF; give a name ending in .pdf")
    from posture_feedback.output_files import check_output

    # every output before any is written: a bad --json no longer fails after the PDF was made
    if args.out:
        check_output(args.out, "--out", example="report.pdf")
    if args.csv:
        check_output(args.csv, "--csv", folder=True)
    if args.json:
        check_output(args.json, "--json", example="report.json")
    from posture_feedback.reports.export import CSV_FILES, export_csv, export_json

    # no output on another (audit 28: `--json DIR/measures.csv --csv DIR` replaced the CSV by the JSON
    # and said both were written)
    named = [f"--out {args.out}"] if args.out else []
    named += [f"--csv {args.csv}'s {name}" for name in CSV_FILES] if args.csv else []
    files = ([args.out] if args.out else []) + ([args.csv / name for name in CSV_FILES] if args.csv else [])
    seen = {Path(f).resolve(): what for f, what in zip(files, named, strict=True)}
    if args.json and Path(args.json).resolve() in seen:  # --out ends in .pdf, a CSV in .csv: only --json can
        raise PostureFeedbackError(f"--json {args.json} is also {seen[Path(args.json).resolve()]}: give each "
                                   "output a file of its own")  # fmt: skip
    from posture_feedback.reports.pdf import write_report

    with reading_profile(args) as (db, profile):
        if args.out:
            print(f"report: {write_report(db, profile.id, args.out, args.start, args.end)}")
        if args.csv:
            paths = export_csv(db, profile.id, args.csv, args.start, args.end)
            print(f"csv: {', '.join(str(p) for p in paths)}")
        if args.json:
            print(f"json: {export_json(db, profile.id, args.json, args.start, args.end)}")
    return 0
