"""Home programme exchange between two real databases (therapist's and patient's): lossless round trips."""

from __future__ import annotations

import json
import math
import os
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from posture_feedback.storage import Database, ExchangeFormatError, Measure, Repetition
from posture_feedback.storage.exchange import (
    export_programme,
    export_results,
    import_programme,
    import_results,
    read_programme,
)
from posture_feedback.storage.sample_data import SAMPLE_PLAN_TOML

TZ = timezone(timedelta(hours=2))
DEMO = bytes(range(256)) * 40  # binary demonstration recording


@pytest.fixture
def therapist(tmp_path: Path) -> tuple[Database, int]:
    db = Database(tmp_path / "therapist" / "pf.sqlite3")
    pid = db.create_profile("Dana Example").id
    plan = db.create_plan(pid, "Shoulder programme", SAMPLE_PLAN_TOML, schedule_days=(0, 2, 4),
                          created_at=datetime(2026, 3, 2, 9, tzinfo=TZ))  # fmt: skip
    db.add_plan_version(
        plan.id, SAMPLE_PLAN_TOML.replace("reps = 8", "reps = 10"), schedule_days=(0, 2, 4, 5),
        files={"exercises/my_reach.toml": b'name = "my reach"\n', "demonstrations/forward_reach.bin": DEMO},
        created_at=datetime(2026, 3, 9, 9, tzinfo=TZ),
    )  # fmt: skip
    yield db, pid
    db.close()


def _practise(db: Database, pid: int, plan_id: int, day: int) -> None:
    t = datetime(2026, 3, day, 18, 0, tzinfo=TZ)
    sid = db.start_session(pid, plan_id, source="camera 0", started_at=t)
    set_id = db.add_set(sid, "forward_reach", side="left", target_reps=10, started_at=t)
    for i in range(1, 4):
        db.add_repetition(
            set_id,
            Repetition(i, t + timedelta(seconds=5 * i), t + timedelta(seconds=5 * i + 4),
                       angle="left_shoulder_elevation",
                       peak_angle=140.0 + i + day / 10, time_in_range_frac=0.5 + i / 10, tempo_s=4.0,
                       quality="good" if i < 3 else "fair", quality_score=math.nan if i == 2 else 0.8,
                       compensations=("trunk_lean",) if i == 3 else (), extras={"dtw": 0.1 * i}),
        )  # fmt: skip
    db.end_set(set_id, ended_at=t + timedelta(seconds=30))
    db.end_session(sid, ended_at=t + timedelta(minutes=1))


def test_programme_round_trip_is_byte_identical(therapist: tuple[Database, int], tmp_path: Path) -> None:
    tdb, pid = therapist
    plan = tdb.plans(pid)[0]
    first = export_programme(tdb, plan.id, tmp_path / "out" / "dana.pfprogramme")
    with zipfile.ZipFile(first) as zf:
        assert zf.namelist() == ["manifest.json", "plan.toml", "demonstrations/forward_reach.bin",
                                 "exercises/my_reach.toml"]  # fmt: skip
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["format"] == "posture-feedback-programme" and manifest["format_version"] == 1
    assert manifest["plan"]["version"] == 2 and manifest["plan"]["schedule_days"] == [0, 2, 4, 5]

    with Database(tmp_path / "patient" / "pf.sqlite3") as pdb:
        imported = import_programme(pdb, first)  # creates the profile named in the file
        assert pdb.get_profile(imported.profile_id).name == "Dana Example"
        assert imported.uid == plan.uid
        v = pdb.plan_version(imported.id)
        assert (
            v.version == 2
            and v.toml == tdb.plan_version(plan.id).toml
            and v.files["demonstrations/forward_reach.bin"] == DEMO
        )
        again = import_programme(pdb, first)  # idempotent
        assert again.id == imported.id and len(pdb.plan_versions(imported.id)) == 1
        second = export_programme(pdb, imported.id, tmp_path / "again.pfprogramme")
    assert second.read_bytes() == first.read_bytes()


def test_results_round_trip_is_lossless_and_idempotent(therapist: tuple[Database, int], tmp_path: Path) -> None:
    tdb, pid = therapist
    programme = export_programme(tdb, tdb.plans(pid)[0].id, tmp_path / "p.pfprogramme")
    with Database(tmp_path / "patient" / "pf.sqlite3") as pdb:
        plan = import_programme(pdb, programme)
        ppid = plan.profile_id
        for day in (9, 11, 13):
            _practise(pdb, ppid, plan.id, day)
        unfinished = pdb.start_session(ppid, None, started_at=datetime(2026, 3, 14, 8, tzinfo=TZ))
        pdb.add_set(unfinished, "chin_tuck", started_at=datetime(2026, 3, 14, 8, tzinfo=TZ))
        pdb.add_assessment(ppid, "rom", {"self_test": True}, [
            Measure("shoulder_flexion", 151.0, 4.0, side="left", reference=180.0, mdc=9.0),
            Measure("shoulder_flexion", math.nan, math.nan, side="right", valid=False),
        ], created_at=datetime(2026, 3, 12, 10, tzinfo=TZ))  # fmt: skip
        pdb.add_monitor_time(ppid, date(2026, 3, 10), 3600.0, 2400.0, alerts=4)
        pdb.add_monitor_hour(ppid, date(2026, 3, 10), 9, 1800.0, 1500.0)  # the same day, per hour
        pdb.add_monitor_hour(ppid, date(2026, 3, 10), 14, 1800.0, 900.0)
        results = export_results(pdb, ppid, tmp_path / "dana.pfresults.json")
        patient_sessions = pdb.sessions(ppid)

    summary = import_results(tdb, results, pid)
    assert (summary.sessions_added, summary.assessments_added, summary.monitor_days) == (4, 1, 1)
    assert summary.plans_added == 0 and summary.plan_versions_added == 0  # the therapist's plan, matched by uid
    again = export_results(tdb, pid, tmp_path / "again.json")
    mine, theirs = json.loads(results.read_text()), json.loads(again.read_text())
    # The clinic's file carries every version its adherence counts: the therapist's version 1 too,
    # which the patient never had (the programme brought version 2). All else is identical.
    assert {k: v for k, v in theirs.items() if k != "plans"} == {k: v for k, v in mine.items() if k != "plans"}
    (plan_mine,), (plan_theirs,) = mine["plans"], theirs["plans"]
    assert plan_theirs["versions"][1:] == plan_mine["versions"] and plan_theirs["versions"][0]["version"] == 1

    # Every number arrived: sessions, sets, repetitions (NaN kept as NaN), assessment, monitor day.
    stored = {s.uid: s for s in tdb.sessions(pid)}
    for s in patient_sessions:
        t = stored[s.uid]
        assert (t.started_at, t.ended_at, t.status, t.plan_version) == (
            s.started_at,
            s.ended_at,
            s.status,
            s.plan_version,
        )
        assert [(st.exercise, st.side, st.target_reps) for st in t.sets] == [(st.exercise, st.side, st.target_reps)
                                                                             for st in s.sets]  # fmt: skip
        for st_t, st_s in zip(t.sets, s.sets, strict=True):
            for a, b in zip(st_t.repetitions, st_s.repetitions, strict=True):
                assert (a.peak_angle, a.quality, a.compensations, a.extras) == (
                    b.peak_angle,
                    b.quality,
                    b.compensations,
                    b.extras,
                )
                assert (
                    math.isnan(a.quality_score) and math.isnan(b.quality_score)
                ) or a.quality_score == b.quality_score
    assert tdb.sessions(pid)[0].plan_id == tdb.plans(pid)[0].id
    assert tdb.monitor_by_day(pid)[0].good_s == 2400.0
    (a,) = tdb.assessments(pid)
    assert math.isnan(a.measures[1].value) and not a.measures[1].valid

    # Importing the same file again adds nothing.
    summary = import_results(tdb, results, pid)
    assert (summary.sessions_added, summary.sessions_skipped, summary.assessments_added) == (0, 4, 0)
    assert tdb.row_counts(pid)["repetitions"] == 9
    assert tdb.monitor_by_day(pid)[0].monitored_s == 3600.0  # replaced, not added twice
    # The hours travel too (a second audit: the clinic's "by hour" said "nothing monitored" on a day
    # its day totals showed), replaced on a second import like the days.
    assert [(h.hour, h.monitored_s, h.good_s) for h in tdb.monitor_by_hour(pid)] == [(9, 1800.0, 1500.0),
                                                                                      (14, 1800.0, 900.0)]


def test_results_into_profile_without_the_plan_recreate_it(therapist: tuple[Database, int], tmp_path: Path) -> None:
    tdb, pid = therapist
    programme = export_programme(tdb, tdb.plans(pid)[0].id, tmp_path / "p.pfprogramme")
    with Database(tmp_path / "patient" / "pf.sqlite3") as pdb:
        plan = import_programme(pdb, programme)
        _practise(pdb, plan.profile_id, plan.id, 10)
        results = export_results(pdb, plan.profile_id, tmp_path / "r.json")
    with Database(tmp_path / "other" / "pf.sqlite3") as odb:
        other = odb.create_profile("Dana Example").id
        s = import_results(odb, results, other)
        assert (s.plans_added, s.plan_versions_added, s.sessions_added) == (1, 1, 1)
        (p,) = odb.plans(other)
        assert odb.plan_version(p.id).version == 2 and odb.sessions(other)[0].plan_id == p.id
        assert export_results(odb, other, tmp_path / "r2.json").read_bytes() == results.read_bytes()


def test_bad_exchange_files_are_refused(therapist: tuple[Database, int], tmp_path: Path) -> None:
    tdb, pid = therapist
    good = export_programme(tdb, tdb.plans(pid)[0].id, tmp_path / "p.pfprogramme")
    (tmp_path / "text.pfprogramme").write_text("hello")
    with pytest.raises(ExchangeFormatError, match="not a zip"):
        read_programme(tmp_path / "text.pfprogramme")
    with pytest.raises(ExchangeFormatError, match="no programme file"):
        read_programme(tmp_path / "missing.pfprogramme")

    def rewrite(name: str, change) -> Path:  # noqa: ANN001
        out = tmp_path / name
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w") as dst:
            for item in src.namelist():
                data = src.read(item)
                if item == "manifest.json":
                    m = json.loads(data)
                    change(m)
                    data = json.dumps(m).encode()
                dst.writestr(item, data)
        return out

    newer = rewrite("newer.pfprogramme", lambda m: m.update(format_version=99))
    with pytest.raises(ExchangeFormatError, match="newer posture-feedback"):
        read_programme(newer)
    evil = rewrite("evil.pfprogramme", lambda m: m.update(files=["../../etc/passwd"]))
    with pytest.raises(ExchangeFormatError, match="must be under exercises/ or demonstrations/"):
        read_programme(evil)
    missing = rewrite("missing.pfprogramme", lambda m: m["files"].append("exercises/ghost.toml"))
    with pytest.raises(ExchangeFormatError, match="listed but missing"):
        read_programme(missing)

    results = export_results(tdb, pid, tmp_path / "r.json")
    with pytest.raises(ExchangeFormatError, match="not a posture-feedback results file"):
        import_results(tdb, good, pid)  # a zip is not JSON
    (tmp_path / "other.json").write_text('{"format": "something-else", "format_version": 1}')
    with pytest.raises(ExchangeFormatError, match="not a posture-feedback-results file"):
        import_results(tdb, tmp_path / "other.json", pid)
    doc = json.loads(results.read_text())
    doc["format_version"] = 2
    (tmp_path / "r2.json").write_text(json.dumps(doc))
    with pytest.raises(ExchangeFormatError, match="newer"):
        import_results(tdb, tmp_path / "r2.json", pid)
    # A file whose second session is damaged is refused whole: nothing of it is written.
    with Database(tmp_path / "patient" / "pf.sqlite3") as pdb:
        plan = import_programme(pdb, good)
        _practise(pdb, plan.profile_id, plan.id, 9)
        _practise(pdb, plan.profile_id, plan.id, 11)
        doc = json.loads(export_results(pdb, plan.profile_id, tmp_path / "two.json").read_text())
    doc["sessions"][1]["sets"][0]["repetitions"][2]["peak_angle"] = "high"
    doc["monitor"] = [{"day": "2026-03-10", "monitored_s": 10.0, "good_s": 5.0, "alerts": 0}]
    (tmp_path / "r3.json").write_text(json.dumps(doc))
    before = tdb.row_counts()
    with pytest.raises(
        ExchangeFormatError, match=r"sessions\[1\]\.sets\[0\]\.repetitions\[2\]\.peak_angle: expected a number"
    ):
        import_results(tdb, tmp_path / "r3.json", pid)
    assert tdb.row_counts() == before
    doc["sessions"] = [{"uid": "x"}]
    (tmp_path / "r4.json").write_text(json.dumps(doc))
    with pytest.raises(ExchangeFormatError, match=r"sessions\[0\]\.sets: missing"):
        import_results(tdb, tmp_path / "r4.json", pid)
    (tmp_path / "deep.json").write_text(
        '{"format": "posture-feedback-results", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    with pytest.raises(ExchangeFormatError, match="nested too deeply"):
        import_results(tdb, tmp_path / "deep.json", pid)


def test_a_plan_never_done_reaches_the_clinic_so_adherence_stays_the_same(tmp_path: Path) -> None:
    """The patient stored two plans and did one of them once: the results file carried only the
    plan with sessions, so the clinic's copy counted 1 planned session where the patient's own
    history counted 2 (a sixth audit). Every plan the adherence counts now travels, done or not."""
    monday = datetime(2026, 3, 2, 9, tzinfo=TZ)
    with Database(tmp_path / "patient" / "pf.sqlite3") as pdb:
        pid = pdb.create_profile("Ann").id
        done = pdb.create_plan(pid, "Daily", SAMPLE_PLAN_TOML, schedule_days=(0,), created_at=monday)
        pdb.create_plan(pid, "Desk", SAMPLE_PLAN_TOML, schedule_days=(0, 2, 4), created_at=monday)
        _practise(pdb, pid, done.id, 2)  # Monday 2 March: the first plan's day
        mine = pdb.adherence(pid, date(2026, 3, 2), date(2026, 3, 8))
        results = export_results(pdb, pid, tmp_path / "r.json")
    with Database(tmp_path / "clinic" / "pf.sqlite3") as cdb:
        other = cdb.create_profile("Ann").id
        s = import_results(cdb, results, other)
        assert s.plans_added == 2
        theirs = cdb.adherence(other, date(2026, 3, 2), date(2026, 3, 8))
    assert sum(d.planned for d in mine) == 4 and sum(d.done for d in mine) == 1
    assert [(d.day, d.planned, d.done) for d in theirs] == [(d.day, d.planned, d.done) for d in mine]


def test_an_export_to_a_pipe_or_a_link_writes_into_it_never_over_it(tmp_path):
    """A review (2026-12-08): the exports wrote NAME.tmp beside the output and renamed it over it, so
    ``profile export-results --out /dev/stdout`` run as root replaced the /dev/stdout link with a plain
    file (and as a user failed: /dev is not writable), a named pipe was replaced by a file its reader
    never saw, and a symbolic link by a plain file, the file it named unchanged. Now they go through
    ``output_files.OutputFile``, as the other commands' outputs: a stream is written to, a link followed."""
    import threading

    from posture_feedback.cli import main

    data = str(tmp_path / "data")
    assert main(["profile", "create", "--profile", "Pat", "--sample-data", "--data-dir", data]) == 0
    export = ["profile", "export-results", "--profile", "Pat", "--data-dir", data, "--out"]
    # a named pipe, read as the export runs (a stand-in for /dev/stdout in a pipeline)
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert main([*export, str(fifo)]) == 0
    reader.join(timeout=60)
    assert fifo.is_fifo() and json.loads(got[0])["sessions"]
    # a symbolic link: the file it names gets the results, the link stays a link
    real, link = tmp_path / "real.pfresults.json", tmp_path / "link.pfresults.json"
    real.write_text("old\n")
    link.symlink_to(real)
    assert main([*export, str(link)]) == 0
    assert link.is_symlink() and json.loads(real.read_text())["sessions"]
    left = sorted(p.name for p in tmp_path.iterdir())  # no temporary file left behind
    assert left == ["data", "link.pfresults.json", "pipe.json", "real.pfresults.json"]


def test_two_imports_of_the_same_results_at_once_store_each_record_once(tmp_path: Path) -> None:
    """Audit 28: three `profile import-results` of one file started together stored its 6 assessments
    twice (12) in one try of three: each import read the profile's assessments, then added those it had
    not seen. Here the second import (another connection, as another process) runs whole between the
    first one's read and its writes; each assessment and session is stored once, and the first import
    counts what the other stored as already there, as a sequential re-import would."""
    from posture_feedback.storage.sample_data import fill_sample_history

    with Database(tmp_path / "home.sqlite3") as home:
        results = export_results(home, fill_sample_history(home, "Dana").id, tmp_path / "dana.pfresults.json")
    path = tmp_path / "clinic.sqlite3"
    with Database(path) as first, Database(path) as second:
        pid = first.create_profile("Dana").id
        read = first.assessments
        raced: list[object] = []

        def assessments_then_the_other_import(*args, **kwargs):  # noqa: ANN002, ANN003
            seen = read(*args, **kwargs)
            if not raced:
                raced.append(import_results(second, results, pid))
            return seen

        first.assessments = assessments_then_the_other_import  # type: ignore[method-assign]
        summary = import_results(first, results, pid)
        other = raced[0]
        assert other.assessments_added == 6 and summary.assessments_added == 0 and summary.assessments_skipped == 6
        assert len(second.assessments(pid)) == 6
        assert second.row_counts(pid)["sessions"] == other.sessions_added + summary.sessions_added
