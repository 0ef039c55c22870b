"""Raw numbers of a profile and period as CSV files or one JSON document (for spreadsheets and statistics).

CSV (one folder): ``measures.csv`` (every assessment measure), ``sessions.csv`` (one row per session),
``repetitions.csv`` (one row per repetition, the peak with its ``peak_unc``: 80% half-width in
the peak's unit, empty where none was stored, and that unit, ``peak_unit``: "deg", "% shoulder
width", "ratio"), ``adherence.csv`` (planned/done per day),
``monitor.csv`` (posture monitor per day). Angles in degrees, durations in seconds, fractions in
[0, 1], times ISO 8601 with the local UTC offset; empty cells are values that were not measured.
``range_is_tool_tolerance`` (1/0, empty without a range): 1 when the range is this tool's screening
tolerance around the cited source's ideal (e.g. Kendall's "shoulders level" gives no numeric
range), 0 when the range itself is published.

JSON: the same numbers plus the period summary and the changes judged against the MDC.
"""

from __future__ import annotations

import csv
import json
import math
import os
from datetime import date
from pathlib import Path

from posture_feedback import __version__
from posture_feedback.reports.summary import (
    ReportData,
    collect,
    monitor_document,
    range_is_tool_tolerance,
    status_word,
    tool_ranges,
)
from posture_feedback.storage import Database, StorageError
from posture_feedback.storage.exchange import json_ready, results_document

REPORT_DATA_FORMAT = "posture-feedback-report-data"
CSV_FILES = ("measures.csv", "sessions.csv", "repetitions.csv", "adherence.csv", "monitor.csv")


def _cell(x: object) -> object:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, list | tuple):
        return ";".join(str(v) for v in x)
    if isinstance(x, dict):
        return json.dumps(json_ready(x), sort_keys=True) if x else ""
    return x


def peak_unit(exercise: str) -> str:
    """The unit of an exercise's stored peaks, as ``measures.csv`` writes units: "deg" for angles,
    "ratio" for a ratio without a unit (leg lengths), else the definition's ("% shoulder width": the
    shoulder rolls' peaks, which the column ``peak_angle`` holds too; an audit found them read as degrees,
    the module's stated unit for angles)."""
    from posture_feedback.reports.summary import exercise_unit

    unit = exercise_unit(exercise).strip()
    return {"°": "deg", "": "ratio"}.get(unit, unit)


def _write_whole(path: Path, write) -> None:  # noqa: ANN001 - a callable taking the open text file
    """Write ``path`` through a temporary file moved over it once complete (``OutputFile``): an
    interrupted or failed export leaves the earlier file as it was, never half of a new one."""
    from posture_feedback.output_files import OutputFile

    target = OutputFile(path)
    try:
        with open(target.work, "w", newline="", encoding="utf-8") as fh:
            write(fh)
        target.commit()
    except BaseException:
        target.discard()
        raise


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    def write(fh) -> None:  # noqa: ANN001
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows([[_cell(v) for v in row] for row in rows])

    _write_whole(path, write)


def export_csv(
    db: Database, profile_id: int, out_dir: str | os.PathLike[str], start: date | None = None, end: date | None = None
) -> list[Path]:
    """Write the CSV files (see module docstring) into ``out_dir``; returns their paths."""
    data = collect(db, profile_id, start, end)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        _write_csv(
            out / "measures.csv",
            ["assessment_time", "kind", "measure", "side", "value", "uncertainty", "unit", "valid", "reference",
             "reference_low", "reference_high", "range_is_tool_tolerance", "mdc", "reference_source"],
            [[a.created_at.isoformat(), a.kind, m.name, m.side, m.value, m.uncertainty, m.unit, m.valid, m.reference,
              m.reference_low, m.reference_high,
              range_is_tool_tolerance(a, m) if m.reference_low is not None or m.reference_high is not None else None,
              m.mdc, m.reference_source]
             for a in data.assessments for m in a.measures],
        )  # fmt: skip
        _write_csv(
            out / "sessions.csv",
            ["session_uid", "started_at", "ended_at", "status", "plan_version", "exercises", "sets", "reps",
             "good_reps", "unsure_reps", "mean_time_in_range_frac", "mean_quality_score", "duration_s"],
            [[s.uid, s.started_at.isoformat(), s.ended_at.isoformat() if s.ended_at else None, status_word(s.status),
              s.plan_version, sm.exercises, sm.n_sets, sm.n_reps, sm.n_good, sm.n_unsure, sm.mean_time_in_range_frac,
              sm.mean_quality_score, sm.duration_s]
             for s, sm in zip(data.sessions, data.summaries, strict=True)],
        )  # fmt: skip
        _write_csv(
            out / "repetitions.csv",
            ["session_uid", "exercise", "set_index", "side", "rep_index", "started_at", "ended_at", "angle",
             "peak_angle", "peak_unc", "peak_unit", "time_in_range_s", "time_in_range_frac", "tempo_s", "quality",
             "quality_score", "compensations", "extras"],
            [[s.uid, st.exercise, st.set_index, st.side, r.index, r.started_at.isoformat(), r.ended_at.isoformat(),
              r.angle, r.peak_angle, r.peak_unc, peak_unit(st.exercise), r.time_in_range_s, r.time_in_range_frac,
              r.tempo_s, r.quality, r.quality_score, r.compensations, r.extras]
             for s in data.sessions for st in s.sets for r in st.repetitions],
        )  # fmt: skip
        _write_csv(out / "adherence.csv", ["day", "planned", "done"],
                   [[d.day.isoformat(), d.planned, d.done] for d in data.adherence])  # fmt: skip
        # judged_s: seconds with a verdict (empty: not recorded, an older version's day); good_fraction
        # is over all watched time, good_of_judged_fraction over the judged time only
        _write_csv(out / "monitor.csv", ["day", "monitored_s", "good_s", "good_fraction", "alerts", "judged_s",
                                         "good_of_judged_fraction"],
                   [[d.day.isoformat(), d.monitored_s, d.good_s, d.good_fraction, d.alerts,
                     "" if d.judged_s is None else d.judged_s,
                     d.good_s / d.judged_s if d.judged_s else math.nan]
                    for d in data.monitor])  # fmt: skip
    except OSError as exc:
        raise StorageError(f"cannot write CSV files to {out}: {exc.strerror or exc}") from exc
    return [out / name for name in CSV_FILES]


def report_document(db: Database, profile_id: int, start: date | None = None, end: date | None = None) -> dict:
    """The JSON document: summary, changes, per-exercise results, adherence and the raw records."""
    data: ReportData = collect(db, profile_id, start, end)
    raw = results_document(db, profile_id, data.start, data.end)
    tool = tool_ranges(data)
    # each stored range says whether it is a published one or this tool's tolerance (the PDF's ‡)
    for doc, a in zip(raw["assessments"], db.assessments(profile_id, data.start, data.end), strict=True):
        for md, m in zip(doc["measures"], a.measures, strict=True):
            if m.reference_low is not None or m.reference_high is not None:
                md["range_is_tool_tolerance"] = range_is_tool_tolerance(a, m)
    return json_ready(
        {
            "format": REPORT_DATA_FORMAT,
            "format_version": 1,
            "created_by": f"posture-feedback {__version__}",
            "profile": {"name": data.profile.name, "notes": data.profile.notes},
            "period": {"start": data.start.isoformat(), "end": data.end.isoformat()},
            "summary": {
                "sessions": len(data.summaries),
                "planned": data.planned,
                "done_planned": data.done_planned,
                "adherence_rate": data.adherence_rate,
                "repetitions": data.n_reps,
                "unsure_repetitions": data.n_unsure,
                "good_fraction": data.good_fraction,
                "mean_time_in_range_frac": data.mean_time_in_range_frac,
                "monitor_good_fraction": data.monitor_good_fraction,  # of all watched time, not-judged included
                "monitor": monitor_document(data),  # good confirmed / judged / not judged / faults
            },  # fmt: skip
            "changes": [
                {
                    "measure": c.name,
                    "side": c.side,
                    "unit": c.unit,
                    "first": c.first,
                    "first_at": c.first_at.isoformat(),
                    "last": c.last,
                    "last_at": c.last_at.isoformat(),
                    "n": c.n,
                    "delta": c.delta,
                    "threshold": c.threshold,
                    "threshold_source": c.threshold_source,
                    "significant": c.significant,
                    "reference": c.reference,
                    "range_is_tool_tolerance": tool.get((c.name, c.side), False),
                }
                for c in data.changes
            ],  # fmt: skip
            "exercises": [
                {
                    "exercise": e.exercise,
                    "side": e.side,
                    "sessions": e.sessions,
                    "reps": e.reps,
                    "good": e.good,
                    "unsure": e.unsure,
                    "mean_time_in_range_frac": e.mean_time_in_range_frac,
                    "first_peak": e.first_peak,
                    "first_peak_unc": e.first_peak_unc,
                    "last_peak": e.last_peak,
                    "last_peak_unc": e.last_peak_unc,
                    "peak_change_threshold": e.peak_threshold,
                    "peak_changed": e.peak_changed,  # true: a change; false: no detectable change; null: cannot judge
                    "peak_unit": e.unit.strip(),  # "" for a ratio (leg lengths)
                }
                for e in data.exercises
            ],  # fmt: skip
            "adherence": [{"day": d.day.isoformat(), "planned": d.planned, "done": d.done} for d in data.adherence],
            "assessments": raw["assessments"],
            "sessions": raw["sessions"],
            "monitor": raw["monitor"],
        }
    )


def export_json(
    db: Database, profile_id: int, out: str | os.PathLike[str], start: date | None = None, end: date | None = None
) -> Path:
    """Write :func:`report_document` as strict JSON (NaN → null); returns the path."""
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(report_document(db, profile_id, start, end), indent=1, sort_keys=True,
                          ensure_ascii=False, allow_nan=False) + "\n"  # fmt: skip
        _write_whole(out, lambda fh: fh.write(text))
    except OSError as exc:
        raise StorageError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return out
