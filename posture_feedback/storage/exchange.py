"""Home programme exchange: one file out to the patient's laptop, one file of results back.

* **Programme** (therapist → patient): a zip (``.pfprogramme``) holding ``manifest.json`` (format
  name and version, the plan's uid, name, version, schedule, the profile name), ``plan.toml`` (the
  plan text, verbatim) and the plan version's attached files (``exercises/…`` definitions,
  ``demonstrations/…`` recordings). Entries are stored in name order with a fixed timestamp, so
  exporting the same plan version twice gives identical bytes.
* **Results** (patient → therapist): one JSON document (``.pfresults.json``) with the sessions
  (sets and repetitions), assessments and posture-monitor days of a period, plus the plan versions
  those sessions followed. Imports are idempotent: sessions are matched by their uid, assessments
  by kind and time, monitor days are replaced.

Both formats carry ``format`` and ``format_version``; a file of a newer version is refused with
:class:`ExchangeFormatError`. Floats that were not measured (NaN) are written as JSON ``null``.
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import shlex
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from posture_feedback import __version__
from posture_feedback.storage.database import Database
from posture_feedback.storage.docreader import DocReader
from posture_feedback.storage.errors import DuplicateError, ExchangeFormatError, NotFoundError, StorageError
from posture_feedback.storage.models import (
    QUALITIES,
    SESSION_STATUSES,
    Assessment,
    ExerciseSet,
    Measure,
    MonitorDay,
    MonitorHour,
    Plan,
    PlanVersion,
    Repetition,
    Session,
)

PROGRAMME_FORMAT = "posture-feedback-programme"
RESULTS_FORMAT = "posture-feedback-results"
FORMAT_VERSION = 1
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class Programme:
    """The content of a programme file."""

    plan_uid: str
    plan_name: str
    plan_created_at: datetime
    version: int
    version_created_at: datetime
    toml: str
    schedule_days: tuple[int, ...]
    files: dict[str, bytes] = field(default_factory=dict)
    profile_name: str = ""
    #: The profile's other plans retired where the file was made: (uid, name, when retired). A home
    #: database that knows one of them by uid retires it on that date too (``import_programme``).
    retired: tuple[tuple[str, str, datetime], ...] = ()


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import of results added and what it found already stored."""

    sessions_added: int = 0
    sessions_skipped: int = 0
    assessments_added: int = 0
    assessments_skipped: int = 0
    monitor_days: int = 0
    plans_added: int = 0
    plan_versions_added: int = 0
    #: Plans known here, still counted here, that the file's side retired (on its date): retired here too.
    plans_retired: int = 0


# ---------------------------------------------------------------------- programme
def export_programme(db: Database, plan_id: int, out: str | os.PathLike[str], version: int | None = None) -> Path:
    """Write one plan version (the latest by default) with its files as a programme zip; returns the path."""
    plan = db.get_plan(plan_id)
    pv = db.plan_version(plan_id, version)
    profile = db.get_profile(plan.profile_id)
    manifest = {
        "format": PROGRAMME_FORMAT,
        "format_version": FORMAT_VERSION,
        "plan": {
            "uid": plan.uid,
            "name": plan.name,
            "created_at": plan.created_at.isoformat(),
            "version": pv.version,
            "version_created_at": pv.created_at.isoformat(),
            "schedule_days": list(pv.schedule_days),
        },
        "profile": {"name": profile.name},
        "files": sorted(pv.files),
    }
    retired = [
        {"uid": p.uid, "name": p.name, "retired_at": p.archived_at.isoformat()}
        for p in db.plans(plan.profile_id, include_archived=True)
        if p.id != plan.id and p.archived and p.archived_at is not None
    ]
    if retired:  # only then: files without retirements stay as older versions wrote them
        manifest["retired_plans"] = sorted(retired, key=lambda d: d["uid"])
    entries = {"manifest.json": _dumps(manifest).encode(), "plan.toml": pv.toml.encode("utf-8")}
    for name, data in pv.files.items():
        _check_name(name)
        entries[name] = data
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in ["manifest.json", "plan.toml", *sorted(pv.files)]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, entries[name])
    return _write(out, buf.getvalue())


def read_programme(path: str | os.PathLike[str]) -> Programme:
    """Read and check a programme file (format, version, field types, every listed file present)."""
    path = Path(path)
    r = DocReader(path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "manifest.json" not in names:
                raise ExchangeFormatError(f"{path} is not a posture-feedback programme (no manifest.json)")
            if "plan.toml" not in names:
                raise ExchangeFormatError(f"{path} is damaged: plan.toml is missing")
            manifest = r.obj(_loads(path, zf.read("manifest.json")), "manifest.json")
            _check_format(path, manifest, PROGRAMME_FORMAT)
            p = r.obj(r.field(manifest, "plan", "manifest"), "manifest.plan")
            profile = r.obj(manifest.get("profile", {}), "manifest.profile")
            files = {}
            for name in r.texts(manifest, "files", "manifest") if "files" in manifest else ():
                _check_name(name)
                if name not in names:
                    raise ExchangeFormatError(f"{path} is damaged: {name} is listed but missing")
                files[name] = zf.read(name)
            try:
                toml = zf.read("plan.toml").decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ExchangeFormatError(f"{path}: plan.toml is not UTF-8 text") from exc
            plan_name = r.text(p, "name", "manifest.plan")
            if not plan_name.strip():
                raise r.fail("manifest.plan.name", "is empty (allowed: the plan's name, as the clinic stored it)")
            who = r.text(profile, "name", "manifest.profile", optional=True)
            if who is not None and not who.strip():
                raise r.fail("manifest.profile.name", "is blank (allowed: the patient's profile name, or no name)")
            if not r.text(p, "uid", "manifest.plan").strip():
                raise r.fail("manifest.plan.uid", "is empty (allowed: the plan's uid, as the clinic stored it)")
            retired = []
            for k, d in enumerate(r.arr(manifest.get("retired_plans", []), "manifest.retired_plans")):
                w = f"manifest.retired_plans[{k}]"
                d = r.obj(d, w)
                retired.append((r.text(d, "uid", w), r.text(d, "name", w), r.when(d, "retired_at", w)))
            return Programme(
                plan_uid=r.text(p, "uid", "manifest.plan"), plan_name=plan_name,
                plan_created_at=r.when(p, "created_at", "manifest.plan"),
                version=r.integer(p, "version", "manifest.plan", low=1),
                version_created_at=r.when(p, "version_created_at", "manifest.plan"), toml=toml,
                schedule_days=r.weekdays(p, "schedule_days", "manifest.plan"), files=files,
                profile_name=r.text(profile, "name", "manifest.profile", optional=True) or "",
                retired=tuple(retired),
            )  # fmt: skip
    except FileNotFoundError as exc:
        raise ExchangeFormatError(f"no programme file at {path}") from exc
    except IsADirectoryError as exc:
        raise ExchangeFormatError(f"{path} is a folder, not a programme file") from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise ExchangeFormatError(f"{path} is not a readable programme file (zip: {exc})") from exc
    except (OSError, RuntimeError, ValueError) as exc:
        if isinstance(exc, ExchangeFormatError):
            raise
        raise ExchangeFormatError(f"{path} is a damaged programme file ({type(exc).__name__}: {exc})") from exc


def import_programme(db: Database, path: str | os.PathLike[str], profile_id: int | None = None) -> Plan:
    """Store a programme's plan version in a profile (``import_programme_retiring``, without the list)."""
    return import_programme_retiring(db, path, profile_id)[0]


def import_programme_retiring(
    db: Database, path: str | os.PathLike[str], profile_id: int | None = None
) -> tuple[Plan, tuple[Plan, ...]]:
    """Store a programme's plan version in a profile (by default the one named in the file, created if
    missing); returns the plan and the plans retired by the import.

    Importing the same programme twice changes nothing; a newer version of a known plan is added as a version.
    A plan of the profile that the file says was retired where it was made (``Programme.retired``: the
    plan this one replaces) is retired here on the same date, so it stops counting as planned at home too;
    only when the file's version is stored now, so that re-importing a file does not undo a plan the
    patient restored since (a review found it retired again, backdated).
    """
    prog = read_programme(path)
    from posture_feedback.storage.stored_plans import validate_plan_files

    loaded = validate_plan_files(prog.toml, prog.files, str(path))  # refused before anything is written
    # The manifest's days must be the plan's own `days` when it has them, as `add-plan --days` must be:
    # a programme whose manifest said mon but whose plan said mon,wed,fri was stored as mon (an eleventh audit).
    if loaded.days is not None and tuple(loaded.days) != tuple(prog.schedule_days):
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        said = ",".join(names[d] for d in prog.schedule_days) or "none"
        raise ExchangeFormatError(
            f"{path}: manifest.plan.schedule_days {said} differs from plan.toml's days = "
            f"{','.join(names[d] for d in loaded.days)} (allowed: the same days, or no days in plan.toml)"
        )
    if profile_id is None:
        name = prog.profile_name or "Me"
        try:
            profile_id = db.profile_by_name(name).id
        except NotFoundError:
            profile_id = db.create_profile(name).id
    plan = db.plan_by_uid(profile_id, prog.plan_uid)
    if plan is None:
        plan = db.create_plan(
            profile_id, prog.plan_name, prog.toml, schedule_days=prog.schedule_days, files=prog.files,
            uid=prog.plan_uid, created_at=prog.plan_created_at, version=prog.version,
            version_created_at=prog.version_created_at,
        )  # fmt: skip
        return plan, retire_as_in_programme(db, prog, profile_id)
    if prog.version not in {v.version for v in db.plan_versions(plan.id)}:
        if plan.archived:  # as add-plan: a version stored in a retired plan would never run nor count
            profile = db.get_profile(profile_id).name
            raise ExchangeFormatError(
                f"{path}: plan {plan.name!r} is retired for {profile}: restore it first with `posture-feedback "
                f"profile archive-plan --profile {shlex.quote(profile)} --plan {shlex.quote(plan.name)} --restore`, "
                "then import again"
            )
        db.add_plan_version(plan.id, prog.toml, schedule_days=prog.schedule_days, files=prog.files,
                            created_at=prog.version_created_at, version=prog.version)  # fmt: skip
        return plan, retire_as_in_programme(db, prog, profile_id)
    return plan, ()


def retire_as_in_programme(db: Database, prog: Programme, profile_id: int) -> tuple[Plan, ...]:
    """Retire the profile's plans that ``prog`` lists as retired where it was made, on that date.

    Only plans known here by uid and still counted are touched (idempotent); returns the plans retired now.
    Before 2026-12 a retirement made at the clinic stayed there: the home database kept counting the
    replaced plan's days as planned until the patient ran ``archive-plan`` themselves.
    """
    done = []
    for uid, _name, when in prog.retired:
        plan = db.plan_by_uid(profile_id, uid)
        if plan is not None and not plan.archived and uid != prog.plan_uid:
            done.append(db.archive_plan(plan.id, at=when))
    return tuple(done)


# ---------------------------------------------------------------------- results
def results_document(db: Database, profile_id: int, start: date | None = None, end: date | None = None) -> dict:
    """The results of a profile for a period as a JSON-ready dict (no database ids, deterministic order)."""
    profile = db.get_profile(profile_id)
    sessions = db.sessions(profile_id, start, end)
    used: dict[int, set[int]] = {}
    for s in sessions:
        if s.plan_id is not None and s.plan_version is not None:
            used.setdefault(s.plan_id, set()).add(s.plan_version)
    # Every plan the adherence counts (not archived), with each version made by the period's end,
    # sessions or not: a stored plan never done is a planned session missed, and leaving it out
    # showed the clinic better adherence than the patient's own history (a sixth audit).
    last_day = end.isoformat() if end else None
    # A retired plan counts on the days before it was retired (schema 5), so it travels too, with that date.
    for plan in db.plans(profile_id, include_archived=True):
        if plan.archived and plan.archived_at is None:
            continue
        versions = {v.version for v in db.plan_versions(plan.id)
                    if last_day is None or v.created_at.date().isoformat() <= last_day}  # fmt: skip
        if versions:
            used.setdefault(plan.id, set()).update(versions)
    plans = []
    uid_of: dict[int, str] = {}
    for plan_id, versions in sorted(used.items()):
        plan = db.get_plan(plan_id)
        uid_of[plan_id] = plan.uid
        doc = {
            "uid": plan.uid, "name": plan.name, "created_at": plan.created_at.isoformat(),
            "versions": [_version_doc(db.plan_version(plan_id, v)) for v in sorted(versions)],
        }  # fmt: skip
        if plan.archived and plan.archived_at is not None:
            doc["retired_at"] = plan.archived_at.isoformat()  # only then: older readers' files stay the same
        plans.append(doc)
    plans.sort(key=lambda p: p["uid"])
    return {
        "format": RESULTS_FORMAT,
        "format_version": FORMAT_VERSION,
        "created_by": f"posture-feedback {__version__}",
        "profile": {"name": profile.name},
        "period": {"start": start.isoformat() if start else None, "end": end.isoformat() if end else None},
        "plans": plans,
        "sessions": [_session_doc(s, uid_of.get(s.plan_id)) for s in sorted(sessions, key=lambda s: s.uid)],
        "assessments": [_assessment_doc(a) for a in db.assessments(profile_id, start, end)],
        # judged_s (seconds with a verdict, since schema version 7) only where recorded: rows stored
        # before it have none, and a reader without it (an older file) shows "not recorded"
        "monitor": [
            {"day": d.day.isoformat(), "monitored_s": d.monitored_s, "good_s": d.good_s, "alerts": d.alerts,
             **({} if d.judged_s is None else {"judged_s": d.judged_s})}
            for d in db.monitor_by_day(profile_id, start, end)
        ],  # fmt: skip
        # The same days per local hour (since 2026-12-07; a file without it has day totals only, and
        # the clinic's "by hour" view said "nothing monitored" on a day its totals showed).
        "monitor_hours": [
            {"day": h.day.isoformat(), "hour": h.hour, "monitored_s": h.monitored_s, "good_s": h.good_s,
             **({} if h.judged_s is None else {"judged_s": h.judged_s})}
            for h in db.monitor_by_hour(profile_id, start, end)
        ],  # fmt: skip
    }


def export_results(
    db: Database, profile_id: int, out: str | os.PathLike[str], start: date | None = None, end: date | None = None
) -> Path:
    """Write a profile's results for a period as one JSON file; returns the path."""
    return _write(out, (_dumps(results_document(db, profile_id, start, end)) + "\n").encode("utf-8"))


def read_results(path: str | os.PathLike[str]) -> dict:
    """Load a results file and check its format and version (the content is checked by :func:`parse_results`)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ExchangeFormatError(f"no results file at {path}") from exc
    except OSError as exc:
        raise ExchangeFormatError(f"cannot read {path}: {exc.strerror or exc}") from exc
    doc = _loads(path, raw, what="posture-feedback results file")
    if not isinstance(doc, dict):
        raise ExchangeFormatError(f"{path} is not a posture-feedback results file (not a JSON object)")
    _check_format(path, doc, RESULTS_FORMAT)
    return doc


@dataclass(frozen=True, slots=True)
class _PlanDoc:
    uid: str
    name: str
    created_at: datetime
    versions: tuple[tuple[int, datetime, str, tuple[int, ...], dict[str, bytes]], ...]
    retired_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ParsedResults:
    """A results file, fully checked and converted (nothing written yet)."""

    plans: tuple[_PlanDoc, ...]
    sessions: tuple[tuple[Session, str | None], ...]
    assessments: tuple[tuple[str, datetime, dict, tuple[Measure, ...], str], ...]
    monitor: tuple[MonitorDay, ...]
    monitor_hours: tuple[MonitorHour, ...] = ()


def parse_results(path: str | os.PathLike[str]) -> ParsedResults:
    """Read and check every field of a results file; raises :class:`ExchangeFormatError` on the first problem."""
    path = Path(path)
    doc = read_results(path)
    r = DocReader(path)
    plans = []
    for k, p in enumerate(r.arr(doc.get("plans", []), "plans")):
        w = f"plans[{k}]"
        p = r.obj(p, w)
        versions = []
        for n, v in enumerate(r.arr(r.field(p, "versions", w), f"{w}.versions")):
            vw = f"{w}.versions[{n}]"
            v = r.obj(v, vw)
            files = r.blobs(v, "files", vw)
            for name in files:
                _check_name(name)
            versions.append((r.integer(v, "version", vw, low=1), r.when(v, "created_at", vw), r.text(v, "toml", vw),
                             r.weekdays(v, "schedule_days", vw), files))  # fmt: skip
        plans.append(_PlanDoc(r.text(p, "uid", w), r.text(p, "name", w), r.when(p, "created_at", w), tuple(versions),
                              r.when(p, "retired_at", w, optional=True)))  # fmt: skip
    sessions = []
    for k, s in enumerate(r.arr(doc.get("sessions", []), "sessions")):
        s = r.obj(s, f"sessions[{k}]")
        sessions.append((_session_from(r, s, f"sessions[{k}]"), r.text(s, "plan_uid", f"sessions[{k}]", optional=True)))
    assessments = []
    for k, a in enumerate(r.arr(doc.get("assessments", []), "assessments")):
        w = f"assessments[{k}]"
        a = r.obj(a, w)
        measures = tuple(_measure_from(r, r.obj(m, f"{w}.measures[{n}]"), f"{w}.measures[{n}]")
                         for n, m in enumerate(r.arr(r.field(a, "measures", w), f"{w}.measures")))  # fmt: skip
        assessments.append((r.text(a, "kind", w), r.when(a, "created_at", w), r.mapping(a, "record", w), measures,
                            r.text(a, "notes", w, optional=True) or ""))  # fmt: skip
    monitor = []
    for k, d in enumerate(r.arr(doc.get("monitor", []), "monitor")):
        w = f"monitor[{k}]"
        d = r.obj(d, w)
        day = MonitorDay(r.day(d, "day", w), r.number(d, "monitored_s", w, optional=False),
                         r.number(d, "good_s", w, optional=False), r.integer(d, "alerts", w, low=0),
                         r.number(d, "judged_s", w))  # fmt: skip  (judged_s absent in older files)
        if not 0 <= day.good_s <= day.monitored_s:
            raise r.fail(w, "needs 0 <= good_s <= monitored_s")
        if day.judged_s is not None and not day.good_s <= day.judged_s <= day.monitored_s:
            raise r.fail(w, "needs good_s <= judged_s <= monitored_s")
        monitor.append(day)
    hours = []
    for k, h in enumerate(r.arr(doc.get("monitor_hours", []), "monitor_hours")):  # absent in older files
        w = f"monitor_hours[{k}]"
        h = r.obj(h, w)
        hour = MonitorHour(r.day(h, "day", w), r.integer(h, "hour", w, low=0), r.number(h, "monitored_s", w,
                           optional=False), r.number(h, "good_s", w, optional=False),
                           r.number(h, "judged_s", w))  # fmt: skip
        if hour.hour > 23 or not 0 <= hour.good_s <= hour.monitored_s:
            raise r.fail(w, "needs hour 0-23 and 0 <= good_s <= monitored_s")
        if hour.judged_s is not None and not hour.good_s <= hour.judged_s <= hour.monitored_s:
            raise r.fail(w, "needs good_s <= judged_s <= monitored_s")
        hours.append(hour)
    return ParsedResults(tuple(plans), tuple(sessions), tuple(assessments), tuple(monitor), tuple(hours))


def import_results(
    db: Database, path: str | os.PathLike[str], profile_id: int, parsed: ParsedResults | None = None
) -> ImportSummary:
    """Add a results file's plans, sessions, assessments and monitor days to a profile (idempotent).

    The whole file is checked before anything is written, so a damaged file changes nothing.
    ``parsed``: the file already read by :func:`parse_results` (the command reads it before it opens
    the database), else it is read here.
    """
    parsed = parsed if parsed is not None else parse_results(path)
    db.get_profile(profile_id)
    counts = dict.fromkeys(ImportSummary.__dataclass_fields__, 0)
    plan_ids: dict[str, int] = {}
    for p in parsed.plans:
        plan = db.plan_by_uid(profile_id, p.uid)
        versions = sorted(p.versions, key=lambda v: v[0])
        if plan is None and versions:
            number, created, toml, days, files = versions[0]
            plan = db.create_plan(profile_id, p.name, toml, schedule_days=days, files=files, uid=p.uid,
                                  created_at=p.created_at, version=number, version_created_at=created)  # fmt: skip
            counts["plans_added"] += 1
            counts["plan_versions_added"] += 1
            if p.retired_at is not None:  # a plan new here keeps its retirement
                plan = db.archive_plan(plan.id, at=p.retired_at)
        elif plan is not None and p.retired_at is not None and not plan.archived:
            # retired on the other side (the patient, as import-programme tells them): the clinic must
            # not go on counting its later days as planned (a review found the retirement dropped)
            plan = db.archive_plan(plan.id, at=p.retired_at)
            counts["plans_retired"] += 1
        if plan is None:
            continue
        have = {v.version for v in db.plan_versions(plan.id)}
        for number, created, toml, days, files in versions:
            if number not in have:
                db.add_plan_version(plan.id, toml, schedule_days=days, files=files, created_at=created, version=number)
                have.add(number)
                counts["plan_versions_added"] += 1
        plan_ids[p.uid] = plan.id
    for session, plan_uid in parsed.sessions:
        if db.session_by_uid(session.uid) is not None:
            counts["sessions_skipped"] += 1
            continue
        try:
            db.import_session(profile_id, session, plan_ids.get(plan_uid or ""))
        except DuplicateError:  # stored meanwhile by another import of the same file
            counts["sessions_skipped"] += 1
            continue
        counts["sessions_added"] += 1
    existing = {(a.kind, a.created_at) for a in db.assessments(profile_id)}
    for kind, when, record, measures, notes in parsed.assessments:
        if (kind, when) in existing:
            counts["assessments_skipped"] += 1
            continue
        existing.add((kind, when))
        if db.import_assessment(profile_id, kind, record, measures, notes=notes, created_at=when):
            counts["assessments_added"] += 1
        else:  # stored meanwhile by another import of the same file
            counts["assessments_skipped"] += 1
    for day in parsed.monitor:
        db.set_monitor_day(profile_id, day)
        counts["monitor_days"] += 1
    for hour in parsed.monitor_hours:  # replaced, like the days: importing twice changes nothing
        db.set_monitor_hour(profile_id, hour)
    return ImportSummary(**counts)


# ---------------------------------------------------------------------- documents
def _version_doc(v: PlanVersion) -> dict:
    return {
        "version": v.version, "created_at": v.created_at.isoformat(), "toml": v.toml,
        "schedule_days": list(v.schedule_days),
        "files": {name: base64.b64encode(data).decode("ascii") for name, data in sorted(v.files.items())},
    }  # fmt: skip


def _session_doc(s: Session, plan_uid: str | None) -> dict:
    return {
        "uid": s.uid, "plan_uid": plan_uid, "plan_version": s.plan_version if plan_uid else None,
        "started_at": s.started_at.isoformat(), "ended_at": s.ended_at.isoformat() if s.ended_at else None,
        "status": s.status, "source": s.source, "notes": s.notes, "extras": s.extras,
        "sets": [
            {
                "exercise": st.exercise, "set_index": st.set_index, "side": st.side, "target_reps": st.target_reps,
                "target_hold_s": st.target_hold_s, "started_at": st.started_at.isoformat(),
                "ended_at": st.ended_at.isoformat() if st.ended_at else None, "extras": st.extras,
                "repetitions": [_rep_doc(r) for r in st.repetitions],
            }
            for st in s.sets
        ],
    }  # fmt: skip


def _rep_doc(r: Repetition) -> dict:
    return {
        "index": r.index, "started_at": r.started_at.isoformat(), "ended_at": r.ended_at.isoformat(),
        "angle": r.angle, "peak_angle": r.peak_angle, "peak_unc": r.peak_unc, "time_in_range_s": r.time_in_range_s,
        "time_in_range_frac": r.time_in_range_frac, "tempo_s": r.tempo_s, "quality": r.quality,
        "quality_score": r.quality_score, "compensations": list(r.compensations), "extras": r.extras,
    }  # fmt: skip


def measure_doc(m: Measure) -> dict:
    """A measure as a JSON-ready dict (also used by the report's JSON export)."""
    return {
        "name": m.name, "side": m.side, "value": m.value, "uncertainty": m.uncertainty, "unit": m.unit,
        "reference": m.reference, "reference_low": m.reference_low, "reference_high": m.reference_high,
        "reference_source": m.reference_source, "mdc": m.mdc, "valid": m.valid,
    }  # fmt: skip


def _assessment_doc(a: Assessment) -> dict:
    return {
        "kind": a.kind, "created_at": a.created_at.isoformat(), "record": a.record, "notes": a.notes,
        "measures": [measure_doc(m) for m in a.measures],
    }  # fmt: skip


def _frac_high(extras: dict) -> float:
    """The largest ``time_in_range_frac`` the recorder can store for a row: 1 for a repetition (time in
    range / its duration); for a hold, seconds held / the target (``extras["hold"]``), which the last
    frame before the hold completes can take past 1."""
    hold = extras.get("hold")
    if isinstance(hold, dict):
        held, target = hold.get("held_s"), hold.get("target_s")
        if all(isinstance(x, int | float) and not isinstance(x, bool) for x in (held, target)) and target > 0:
            ratio = held / target
            if math.isfinite(ratio):
                return max(1.0, ratio + 5e-4)  # + the 3-decimal rounding of stored fractions
    return 1.0


def _ratings_from(r: DocReader, extras: dict, w: str) -> None:
    """Check a session's ``extras["ratings"]`` against their scales (``storage.ratings.check_rating``, the
    rule the app and ``--pain-after`` store them with); raises ``ExchangeFormatError`` naming the field."""
    from posture_feedback.storage.ratings import RATING_KEYS, check_rating

    if "ratings" not in extras:
        return
    ratings = r.mapping(extras, "ratings", f"{w}.extras")
    for key, value in ratings.items():
        if key not in RATING_KEYS:
            raise r.fail(f"{w}.extras.ratings.{key}", f"unknown rating (allowed: {', '.join(RATING_KEYS)})")
        try:
            check_rating(key, value)
        except StorageError as exc:
            raise r.fail(f"{w}.extras.ratings.{key}", str(exc).removeprefix(f"{key}: ")) from None


def _session_from(r: DocReader, s: dict, w: str) -> Session:
    """One session of a results file, every field checked against what the recorder can store (types and
    ranges: ratings on their scales, fractions 0..1, durations and uncertainties >= 0)."""
    from posture_feedback.exercises.definitions import is_simple_name

    sets = []
    for k, st in enumerate(r.arr(r.field(s, "sets", w), f"{w}.sets")):
        sw = f"{w}.sets[{k}]"
        st = r.obj(st, sw)
        reps = []
        for n, rep in enumerate(r.arr(r.field(st, "repetitions", sw), f"{sw}.repetitions")):
            rw = f"{sw}.repetitions[{n}]"
            rep = r.obj(rep, rw)
            extras = r.mapping(rep, "extras", rw)
            quality = r.choice(rep, "quality", rw, QUALITIES)
            if quality == "poor" and extras.get("verdict") == "unsure":  # a file from before schema 4
                quality = "unsure"
            reps.append(
                Repetition(
                    index=r.integer(rep, "index", rw, low=1), started_at=r.when(rep, "started_at", rw),
                    ended_at=r.when(rep, "ended_at", rw), angle=r.text(rep, "angle", rw, optional=True) or "",
                    peak_angle=r.nan_number(rep, "peak_angle", rw),
                    peak_unc=r.nan_number(rep, "peak_unc", rw, low=0, why="an uncertainty's half-width"),
                    time_in_range_s=r.nan_number(rep, "time_in_range_s", rw, low=0, why="seconds"),
                    time_in_range_frac=r.nan_number(rep, "time_in_range_frac", rw, low=0, high=_frac_high(extras),
                                                    why="a fraction of the repetition, or of a hold's target"),
                    tempo_s=r.nan_number(rep, "tempo_s", rw, low=0, why="seconds"), quality=quality,
                    quality_score=r.nan_number(rep, "quality_score", rw, low=0, high=1, why="a score"),
                    compensations=r.texts(rep, "compensations", rw), extras=extras,
                )
            )  # fmt: skip
        exercise = r.text(st, "exercise", sw) or ""
        if not is_simple_name(exercise):  # a built-in, or a therapist's own exercise: any simple name
            raise r.fail(f"{sw}.exercise", f"{exercise[:40]!r} is not an exercise name (letters, digits, _ and -)")
        sets.append(
            ExerciseSet(
                id=0, session_id=0, exercise=exercise, set_index=r.integer(st, "set_index", sw, low=1),
                started_at=r.when(st, "started_at", sw), side=r.text(st, "side", sw, optional=True),
                target_reps=r.integer(st, "target_reps", sw, optional=True, low=1),
                target_hold_s=r.number(st, "target_hold_s", sw, low=0, why="seconds"),
                ended_at=r.when(st, "ended_at", sw, optional=True), extras=r.mapping(st, "extras", sw),
                repetitions=tuple(reps),
            )
        )  # fmt: skip
    status = r.choice(s, "status", w, SESSION_STATUSES)
    extras = r.mapping(s, "extras", w)
    _ratings_from(r, extras, w)
    return Session(
        id=0, profile_id=0, uid=r.text(s, "uid", w), started_at=r.when(s, "started_at", w), status=status,
        plan_version=r.integer(s, "plan_version", w, optional=True, low=1),
        ended_at=r.when(s, "ended_at", w, optional=True), source=r.text(s, "source", w, optional=True) or "",
        notes=r.text(s, "notes", w, optional=True) or "", extras=extras, sets=tuple(sets),
    )  # fmt: skip


def _measure_from(r: DocReader, m: dict, w: str) -> Measure:
    return Measure(
        name=r.text(m, "name", w), value=r.nan_number(m, "value", w), uncertainty=r.nan_number(m, "uncertainty", w),
        side=r.text(m, "side", w, optional=True), unit=r.text(m, "unit", w, optional=True) or "deg",
        reference=r.number(m, "reference", w), reference_low=r.number(m, "reference_low", w),
        reference_high=r.number(m, "reference_high", w),
        reference_source=r.text(m, "reference_source", w, optional=True) or "", mdc=r.number(m, "mdc", w),
        valid=r.boolean(m, "valid", w),
    )  # fmt: skip


# ---------------------------------------------------------------------- helpers
def json_ready(obj: Any) -> Any:
    """Recursively replace NaN/inf floats by None (strict JSON) and tuples by lists."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_ready(v) for v in obj]
    return obj


def _loads(path: Path, raw: bytes, what: str = "posture-feedback programme manifest") -> Any:
    """Parse JSON bytes from a file; anything unreadable becomes one ExchangeFormatError."""
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ExchangeFormatError(f"{path} is not a {what} (not UTF-8 text)") from exc
    except json.JSONDecodeError as exc:
        raise ExchangeFormatError(f"{path} is not a {what} (not JSON: {exc})") from exc
    except RecursionError as exc:
        raise ExchangeFormatError(f"{path} is not a {what} (JSON nested too deeply)") from exc


def _dumps(doc: Any) -> str:
    return json.dumps(json_ready(doc), sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False)


def _check_format(path: Path, doc: dict, expected: str) -> None:
    if doc.get("format") != expected:
        raise ExchangeFormatError(f"{path} is not a {expected} file (format {doc.get('format')!r})")
    version = doc.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ExchangeFormatError(f"{path} has no valid format_version")
    if version > FORMAT_VERSION:
        raise ExchangeFormatError(
            f"{path} is format version {version}, made by a newer posture-feedback (this one reads up to "
            f"{FORMAT_VERSION}); update posture-feedback"
        )


def _check_name(name: str) -> None:
    parts = Path(name).parts
    if name.startswith("/") or ".." in parts or not parts or parts[0] not in ("exercises", "demonstrations"):
        raise ExchangeFormatError(f"programme file name {name!r} must be under exercises/ or demonstrations/")


def _write(out: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``out`` whole or not at all (``output_files.OutputFile``: a temporary file beside
    it moved over it once complete, a symbolic link followed, a pipe or device written to, never
    replaced). Before 2026-12-08 ``NAME.tmp`` was renamed over ``out``: as root ``--out /dev/stdout``
    replaced the /dev/stdout link with a plain file, a named pipe became a file, a link a plain file."""
    from posture_feedback.output_files import OutputFile

    out = Path(out)
    target = OutputFile(out, straight=True)
    try:
        target.work.parent.mkdir(parents=True, exist_ok=True)
        target.work.write_bytes(data)
        target.commit()
    except OSError as exc:
        raise StorageError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        target.discard()
    return out
