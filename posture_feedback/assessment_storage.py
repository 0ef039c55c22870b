"""Saving an evaluation for a profile: its records in the database, the printable report in a folder.

What the ``assess --profile`` command does for one record, for the several records of one
evaluation made in the app (posture screen, ROM tests):

* ``previous_records(db, profile_id, records)``: the profile's earlier records of the same kinds,
  oldest first, so that the report's "change since previous" column compares each measure (name,
  side) with its newest earlier value, judged against the MDC, as ``history`` does;
* ``save_evaluation(db, profile_id, records, folder)``: store each record and its measures
  (``Database.add_assessment``), its snapshots only if the profile allows images
  (``Database.add_snapshot`` stores nothing otherwise), write ``record-N.json`` files and
  ``report.html`` into ``folder``; returns what was saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from posture_feedback.assessment.record import AssessmentRecord
from posture_feedback.assessment.report import write_html_report
from posture_feedback.errors import PostureFeedbackError


class EvaluationSaveError(PostureFeedbackError):
    """The evaluation could not be saved (nothing to save, or the folder cannot be written)."""


@dataclass(frozen=True)
class SavedEvaluation:
    """What ``save_evaluation`` wrote: database ids of the assessments, the report, the JSON files, snapshots kept."""

    assessment_ids: tuple[int, ...]
    report: Path
    json_files: tuple[Path, ...]
    snapshots_kept: int


def previous_records(db: Any, profile_id: int, records: Sequence[AssessmentRecord]) -> list[AssessmentRecord]:
    """The profile's stored records of the kinds of ``records``, oldest first: the report compares
    each measure (name, side) with its newest earlier value (``compare_measures``), as ``history``
    does. Only the newest record of the same title was used before, so a re-test of one side ("ROM:
    Shoulder abduction (left)" after "(left, right)") showed no change where history showed one (a
    sixth audit)."""
    kinds = list(dict.fromkeys(k for r in records for k in STORED_KINDS.get(r.kind, (r.kind,))))
    stored = sorted((a for kind in kinds for a in db.assessments(profile_id, kind=kind)), key=lambda a: a.created_at)
    return [_as_record(a) for a in stored]


#: The kinds a record's measures may be stored under: the sample history (and files made from it)
#: stores the posture and movement screens as "posture_screen" / "movement_screen", which ``history``
#: and the PDF compare by measure; an evaluation compared only with "posture" showed no change where
#: they showed one (an audit, 2026-12-07).
STORED_KINDS: dict[str, tuple[str, ...]] = {
    "posture": ("posture", "posture_screen"),
    "movement": ("movement", "movement_screen"),
}


def _as_record(stored: Any) -> AssessmentRecord:
    """A stored assessment as a record to compare with: its own JSON where it holds one, else (a record
    without ``measures``: the sample history, an import) built from the measures stored beside it, the
    ones ``history`` and the PDF compare. A previous record that cannot be read never costs the new
    result (an audit: `assess rom … --profile Demo` on the sample profile stopped with "damaged
    assessment record: KeyError('measures')" after the analysis, and nothing was saved)."""
    from posture_feedback.assessment.record import Measure, RecordError
    from posture_feedback.reports.stored_points import assessment_as_now

    try:
        return AssessmentRecord.from_dict(stored.record)
    except RecordError:
        now = assessment_as_now(stored)
        measures = [Measure(name=m.name, value=m.value, uncertainty=m.uncertainty, side=m.side, unit=m.unit,
                            reference=m.reference, reference_low=m.reference_low, reference_high=m.reference_high,
                            reference_source=m.reference_source, mdc=m.mdc) for m in now.measures]  # fmt: skip
        return AssessmentRecord(kind=stored.kind, title=stored.kind, measures=measures,
                                created_at=stored.created_at.isoformat())  # fmt: skip


def save_evaluation(
    db: Any | None,
    profile_id: int | None,
    records: Sequence[AssessmentRecord],
    folder: str | Path,
    title: str = "Movement and posture evaluation",
) -> SavedEvaluation:
    """Store the records with the profile (when ``db`` and ``profile_id`` are given) and write the report.

    The previous records are looked up before the new ones are stored. Raises
    ``EvaluationSaveError`` when there is no record, ``PostureFeedbackError`` subclasses from
    storage (``StorageError``) or the report writer.
    """
    if not records:
        raise EvaluationSaveError("nothing to save: no test of this evaluation has a result yet")
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EvaluationSaveError(f"cannot create the report folder {folder}: {exc.strerror or exc}") from None
    previous: list[AssessmentRecord] = []
    ids: list[int] = []
    kept = 0
    if db is not None and profile_id is not None:
        previous = previous_records(db, profile_id, records)
        for record in records:
            stored = db.add_assessment(profile_id, record.kind, record.to_dict(), record.measures)
            ids.append(stored.id)
            for name in record.snapshots:
                path = folder / name
                if path.is_file():
                    kept += (
                        db.add_snapshot(profile_id, path.read_bytes(), caption=name, assessment_id=stored.id)
                        is not None
                    )
    json_files = tuple(
        record.save_json(folder / f"record-{i}-{record.kind}.json") for i, record in enumerate(records, 1)
    )
    report = write_html_report(
        list(records), folder / "report.html", snapshot_dir=folder, previous=previous, title=title
    )
    return SavedEvaluation(tuple(ids), report, json_files, kept)
