"""The SQLite repository on real files: schema, migrations, refusal of foreign files, records, privacy."""

from __future__ import annotations

import math
import os
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from posture_feedback.storage import (
    SCHEMA_VERSION,
    Database,
    DatabaseVersionError,
    DataDirError,
    DuplicateError,
    Measure,
    NotFoundError,
    NotOurDatabaseError,
    Repetition,
    StorageError,
    StorageFullError,
    data_dir,
    database_path,
    schema,
)

TZ = timezone(timedelta(hours=1))


def _t(day: int, hour: int = 10, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, 0, second, tzinfo=TZ)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    with Database(tmp_path / "pf.sqlite3") as d:
        yield d


# ---------------------------------------------------------------------- schema and migrations
def test_new_database_is_current_wal_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "pf.sqlite3"
    with Database(path) as d:
        assert d.schema_version == SCHEMA_VERSION == len(schema.MIGRATIONS)
        assert d._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert d._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert d._conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
        assert d.integrity_check() == "ok"
        tables = {r[0] for r in d._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert set(schema.TABLES) <= tables
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    raw.close()


def test_migration_from_hand_made_v1_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(path)
    raw.executescript(schema.V1)
    raw.execute("INSERT INTO profiles (name, created_at, notes) VALUES ('Old Ann', '2025-01-02T10:00:00+01:00', 'x')")
    raw.execute(
        "INSERT INTO assessments (profile_id, kind, created_at, record) VALUES (1, 'rom', '2025-01-02T10:05:00+01:00',"
        " '{\"a\": 1}')"
    )
    raw.execute(
        "INSERT INTO measures (assessment_id, name, side, value, uncertainty, reference, mdc)"
        " VALUES (1, 'shoulder_flexion', 'left', 151.5, 4.0, 180, 9)"
    )
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()

    with Database(path) as d:
        assert d.schema_version == SCHEMA_VERSION
        ann = d.profile_by_name("old ann")
        assert ann.notes == "x" and ann.settings == {}  # column added by migration 2 with its default
        (a,) = d.assessments(ann.id)
        assert a.record == {"a": 1}
        assert a.measures[0].value == 151.5 and a.measures[0].side == "left" and a.measures[0].mdc == 9
        # Tables new in version 2 work on the migrated file.
        d.add_monitor_time(ann.id, date(2025, 1, 3), 100.0, 60.0)
        assert d.monitor_by_day(ann.id)[0].good_fraction == pytest.approx(0.6)
        assert d.integrity_check() == "ok"


def test_newer_database_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    Database(path).close()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA journal_mode = DELETE")
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseVersionError, match=r"newer than this posture-feedback supports"):
        Database(path)
    assert path.read_bytes() == before
    assert not Path(str(path) + "-wal").exists()  # not even switched to WAL


@pytest.mark.parametrize("content", [b"not a database at all, just text" * 10, b"\x00" * 4096])
def test_non_sqlite_file_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "pf.sqlite3"
    path.write_bytes(content)
    with pytest.raises(NotOurDatabaseError):
        Database(path)
    assert path.read_bytes() == content


def test_other_programs_sqlite_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE songs (title TEXT)")
    raw.commit()
    raw.close()
    with pytest.raises(NotOurDatabaseError, match="another program"):
        Database(path)


@pytest.mark.parametrize("table", ["profiles", "sessions", "repetitions", "monitor_hours"])
def test_a_damaged_page_is_one_line_from_every_reading_command(tmp_path: Path, table: str, capsys) -> None:
    """A database with one table's page overwritten (a bad disk sector): `history`, `report` and
    `profile list` each end with one `posture-feedback: error:` line and exit 2, never a traceback
    (the read's COMMIT failed too and escaped as sqlite3.DatabaseError), and write no output file."""
    from posture_feedback.cli import main
    from posture_feedback.storage.sample_data import fill_sample_history

    path = tmp_path / "posture-feedback.sqlite3"
    with Database(path) as d:
        fill_sample_history(d, "Ann")
    raw = sqlite3.connect(path)
    root = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    page = raw.execute("PRAGMA page_size").fetchone()[0]
    raw.close()
    with open(path, "r+b") as fh:
        fh.seek((root - 1) * page)
        fh.write(b"\xde\xad" * (page // 2))
    damaged = path.read_bytes()
    out = tmp_path / "out"
    for argv in (["history"], ["report", "--json", str(out / "r.json")], ["profile", "list"]):
        code = main([*argv, "--data-dir", str(tmp_path)])
        err = capsys.readouterr().err
        if code == 0:  # this table is not read by the command
            assert err == "", (argv, err)
            continue
        assert code == 2, (argv, err)
        assert err.count("\n") == 1 and err.startswith("posture-feedback: error: ") and "is damaged" in err, err
    assert not (out / "r.json").exists()
    assert path.read_bytes() == damaged  # nothing written into the damaged file


# ---------------------------------------------------------------------- data directory
def test_data_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("POSTURE_FEEDBACK_DATA_DIR", raising=False)
    default = data_dir()
    assert default.name == "posture-feedback"
    monkeypatch.setenv("POSTURE_FEEDBACK_DATA_DIR", str(tmp_path / "env"))
    assert data_dir() == tmp_path / "env"
    assert data_dir(tmp_path / "opt") == tmp_path / "opt"
    assert database_path().parent == tmp_path / "env"
    with Database.open_default() as d:
        assert d.path == (tmp_path / "env" / "posture-feedback.sqlite3").resolve()


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(DataDirError, match="is a file"):
        Database(tmp_path / "afile" / "pf.sqlite3")


_READONLY_PROBE = """
import sys
from pathlib import Path
from posture_feedback.storage import Database, DataDirError
if Path(sys.argv[1]).exists():  # what is there can still be read
    with Database(sys.argv[1], readonly=True) as db:
        print("profiles:", ",".join(p.name for p in db.list_profiles()))
    if Path(sys.argv[1]).name == "posture-feedback.sqlite3":  # the command line reads it too
        from posture_feedback.cli import main
        where = ["--data-dir", str(Path(sys.argv[1]).parent)]
        print("history rc:", main(["history", *where]))
        # the profile actions that only read (audit 28: they refused a read-only folder)
        print("list rc:", main(["profile", "list", *where]))
        print("where rc:", main(["profile", "where", *where]))
        out = str(Path(sys.argv[2]) / "kept.pfresults.json")
        print("export rc:", main(["profile", "export-results", "--profile", "Kept", "--out", out, *where]))
try:
    Database(sys.argv[1])
except DataDirError as exc:
    print("DataDirError:", exc)
    sys.exit(3)
print("opened")
"""


def _run_probe(target: Path, wrap: list[str], out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*wrap, sys.executable, "-c", _READONLY_PROBE, str(target), str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _unshare_works() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def test_read_only_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    """A read-only directory (new database, and an existing one) gives DataDirError, no traceback."""
    ro = tmp_path / "ro"
    ro.mkdir()
    with Database(ro / "posture-feedback.sqlite3") as d:
        d.create_profile("Kept")
    before = sorted(p.name for p in ro.iterdir())
    if os.geteuid() != 0:
        ro.chmod(0o555)
        wrap: list[str] = []
    elif _unshare_works():
        # Root ignores permission bits: make the directory a read-only bind mount in a private namespace.
        script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'
        wrap = ["unshare", "-rm", "sh", "-c", script, str(ro)]
    else:
        pytest.skip("running as root without user namespaces: cannot make a read-only directory")
    try:
        for target in (ro / "posture-feedback.sqlite3", ro / "new.sqlite3", ro / "deeper" / "pf.sqlite3"):
            proc = _run_probe(target, wrap, tmp_path)
            if target.exists():
                assert "profiles: Kept\n" in proc.stdout, proc.stdout + proc.stderr
                assert "Kept: " in proc.stdout and "history rc: 0" in proc.stdout, proc.stdout + proc.stderr
            if target.name == "posture-feedback.sqlite3":
                for command in ("list", "where", "export"):
                    assert f"{command} rc: 0" in proc.stdout, proc.stdout + proc.stderr
                assert "Kept\tcreated" in proc.stdout and "schema version" in proc.stdout
                assert (tmp_path / "kept.pfresults.json").stat().st_size > 0
            assert proc.returncode == 3, proc.stdout + proc.stderr
            assert "DataDirError:" in proc.stdout and str(target.parent) in proc.stdout
            assert "Traceback" not in proc.stderr
    finally:
        ro.chmod(0o755)
    assert sorted(p.name for p in ro.iterdir()) == before
    with Database(ro / "posture-feedback.sqlite3") as d:
        assert [p.name for p in d.list_profiles()] == ["Kept"]


def test_full_database_raises_and_keeps_committed(db: Database) -> None:
    p = db.create_profile("Full")
    sid = db.start_session(p.id)
    set_id = db.add_set(sid, "mini_squat")
    page_count = db._conn.execute("PRAGMA page_count").fetchone()[0]
    db._conn.execute(f"PRAGMA max_page_count = {page_count + 2}")  # SQLite's own "disk full" path
    stored = 0
    with pytest.raises(StorageFullError, match="full"):
        for i in range(1, 10_000):
            db.add_repetition(set_id, Repetition(i, _t(1), _t(1, second=3), extras={"pad": "x" * 500}))
            stored = i
    assert stored > 0
    reps = db.get_session(sid).sets[0].repetitions
    assert [r.index for r in reps] == list(range(1, stored + 1))
    assert db.integrity_check() == "ok"


# ---------------------------------------------------------------------- records
def test_profiles(db: Database) -> None:
    a = db.create_profile("Ann", notes="left shoulder")
    db.create_profile("Bob")
    assert [p.name for p in db.list_profiles()] == ["Ann", "Bob"]
    assert db.profile_by_name("ANN").id == a.id
    with pytest.raises(DuplicateError, match="already exists"):
        db.create_profile("ann")
    with pytest.raises(NotFoundError, match="no profile named 'Zed'"):
        db.profile_by_name("Zed")
    with pytest.raises(StorageError, match="empty"):
        db.create_profile("  ")
    assert not a.snapshots_enabled
    assert db.update_profile_settings(a.id, snapshots=True).snapshots_enabled


def test_calibrations_newest_wins(db: Database) -> None:
    p = db.create_profile("Cal")
    db.add_calibration(p.id, "camera", {"roll_deg": 1.0}, camera="camera 0")
    db.add_calibration(p.id, "camera", {"roll_deg": -3.0}, camera="camera 1")
    db.add_calibration(p.id, "camera", {"roll_deg": 2.5}, camera="camera 0")
    assert db.latest_calibration(p.id, "camera", camera="camera 0").payload == {"roll_deg": 2.5}
    assert db.latest_calibration(p.id, "camera", camera="camera 1").payload == {"roll_deg": -3.0}
    assert db.latest_calibration(p.id, "neutral") is None
    with pytest.raises(StorageError, match="not one of camera, neutral, scale"):
        db.add_calibration(p.id, "colour", {})


def test_assessment_measures_roundtrip_with_nan(db: Database) -> None:
    p = db.create_profile("Eve")
    ms = [
        Measure("shoulder_flexion", 150.5, 4.2, side="left", reference=180.0, reference_low=160.0,
                reference_source="AAOS", mdc=9.0),
        Measure("shoulder_flexion", math.nan, math.nan, side="right", valid=False),
        Measure("sway_area", 3.25, 0.5, unit="cm2"),
    ]  # fmt: skip
    a = db.add_assessment(p.id, "rom", {"peaks": [140.0, 150.5], "nan": math.nan}, ms, created_at=_t(2))
    back = db.get_assessment(a.id)
    assert back.created_at == _t(2) and back.kind == "rom"
    assert back.record["peaks"] == [140.0, 150.5] and math.isnan(back.record["nan"])
    assert back.measures[0] == ms[0]
    assert math.isnan(back.measures[1].value) and not back.measures[1].valid
    assert back.measures[2] == ms[2]
    db.add_assessment(
        p.id, "rom", {}, [Measure("shoulder_flexion", 160.0, 3.0, side="left", mdc=9.0)], created_at=_t(9)
    )
    pts = db.rom_over_time(p.id, "shoulder_flexion")
    assert [(x.side, x.value) for x in pts] == [("left", 150.5), ("left", 160.0)]  # invalid / NaN left out
    assert db.rom_over_time(p.id, "shoulder_flexion", start=date(2026, 3, 5))[0].value == 160.0
    assert db.measure_names(p.id) == [("shoulder_flexion", "left"), ("shoulder_flexion", "right"), ("sway_area", None)]


def test_plan_versions_keep_text_schedule_and_files(db: Database) -> None:
    p = db.create_profile("Pat")
    toml = '# my plan\nname = "x"\n[[exercise]]\nid = "chin_tuck"\n'
    plan = db.create_plan(p.id, "Neck", toml, schedule_days=(4, 0, 2), files={"exercises/a.toml": b"id='a'"})
    v1 = db.plan_version(plan.id)
    assert (v1.version, v1.toml, v1.schedule_days) == (1, toml, (0, 2, 4))
    assert v1.files == {"exercises/a.toml": b"id='a'"}
    v2 = db.add_plan_version(plan.id, toml + "# harder\n")
    assert v2.version == 2 and v2.schedule_days == (0, 2, 4) and v2.files == v1.files
    assert [v.version for v in db.plan_versions(plan.id)] == [1, 2]
    assert db.plan_version(plan.id, 1).toml == toml
    with pytest.raises(StorageError, match="weekdays"):
        db.add_plan_version(plan.id, toml, schedule_days=(7,))


def test_session_sets_reps_roundtrip(db: Database) -> None:
    p = db.create_profile("Sam")
    plan = db.create_plan(p.id, "P", "x = 1\n")
    sid = db.start_session(p.id, plan.id, source="camera 0", started_at=_t(3, 18))
    set_id = db.add_set(sid, "lateral_raise", side="left", target_reps=2, started_at=_t(3, 18))
    r1 = Repetition(
        1,
        _t(3, 18, 1),
        _t(3, 18, 5),
        angle="left_shoulder_elevation",
        peak_angle=142.5,
        time_in_range_s=2.5,
        time_in_range_frac=0.625,
        tempo_s=4.0,
        quality="good",
        quality_score=0.8,
    )
    r2 = Repetition(2, _t(3, 18, 6), _t(3, 18, 9), angle="left_shoulder_elevation", peak_angle=101.0,
                    quality="poor", compensations=("trunk_lean", "shoulder_hike"), extras={"dtw": 0.4})  # fmt: skip
    db.add_repetition(set_id, r1)
    db.add_repetition(set_id, r2)
    db.end_set(set_id, ended_at=_t(3, 18, 10))
    db.end_session(sid, ended_at=_t(3, 18, 30))
    s = db.get_session(sid)
    assert (s.status, s.plan_id, s.plan_version, s.source) == ("completed", plan.id, 1, "camera 0")
    (st,) = s.sets
    assert (st.exercise, st.side, st.set_index, st.target_reps) == ("lateral_raise", "left", 1, 2)
    got = [r.__class__(**{**{f: getattr(r, f) for f in r.__slots__}, "id": None}) for r in st.repetitions]
    assert got[0] == r1
    assert got[1].compensations == ("trunk_lean", "shoulder_hike") and got[1].extras == {"dtw": 0.4}
    assert math.isnan(got[1].tempo_s)
    (summary,) = db.sessions_between(p.id)
    assert (summary.n_sets, summary.n_reps, summary.n_good) == (1, 2, 1)
    assert summary.good_fraction == 0.5 and summary.mean_time_in_range_frac == pytest.approx(0.625)
    assert summary.duration_s == 30.0
    with pytest.raises(StorageError, match="quality"):
        db.add_repetition(set_id, Repetition(3, _t(3), _t(3), quality="great"))
    with pytest.raises(NotFoundError):
        db.add_repetition(9999, r1)
    with pytest.raises(StorageError, match="'completed' or 'aborted'"):
        db.end_session(sid, status="running")


def test_adherence_planned_vs_done(db: Database) -> None:
    p = db.create_profile("Ada")
    # Plan from Monday 2 March 2026: Mon/Wed/Fri; from Monday 9 March a version with Tue/Thu only.
    plan = db.create_plan(p.id, "P", "a\n", schedule_days=(0, 2, 4), created_at=_t(2, 8))
    db.add_plan_version(plan.id, "b\n", schedule_days=(1, 3), created_at=_t(9, 8))
    done = db.start_session(p.id, plan.id, started_at=_t(2, 18))
    db.end_session(done, ended_at=_t(2, 19))
    with_reps = db.start_session(p.id, plan.id, started_at=_t(5, 18))  # never ended, but practised
    set_id = db.add_set(with_reps, "x", started_at=_t(5, 18))
    db.add_repetition(set_id, Repetition(1, _t(5, 18, 1), _t(5, 18, 4)))
    db.start_session(p.id, plan.id, started_at=_t(6, 18))  # started and abandoned at once: not done
    days = {d.day.day: (d.planned, d.done) for d in db.adherence(p.id, date(2026, 3, 1), date(2026, 3, 12))}
    assert days[1] == (0, 0)  # Sunday before the plan
    # Thursday's practised session is next to the missed Wednesday: it counts for Wednesday (once)
    assert days[2] == (1, 1) and days[4] == (1, 1) and days[5] == (0, 0) and days[6] == (1, 0)
    assert days[9] == (0, 0) and days[10] == (1, 0) and days[12] == (1, 0)
    # Retired on Tuesday 10 March: it plans the days before (2, 4, 6 and 9 March's nothing), none from the 10th
    db.archive_plan(plan.id, at=_t(10, 8))
    days = {d.day.day: (d.planned, d.done) for d in db.adherence(p.id, date(2026, 3, 1), date(2026, 3, 12))}
    assert days[2] == (1, 1) and days[4] == (1, 1) and days[6] == (1, 0)
    assert days[10] == (0, 0) and days[12] == (0, 0)
    assert sum(planned for planned, _ in days.values()) == 3
    # A plan archived before schema 5 has no date: it plans nothing (as it did then)
    with db._tx() as conn:
        conn.execute("UPDATE plans SET archived_at = NULL WHERE id = ?", (plan.id,))
    assert all(d.planned == 0 for d in db.adherence(p.id, date(2026, 3, 1), date(2026, 3, 12)))
    db.archive_plan(plan.id, archived=False)  # restored: counts on every day again, also those it was retired
    assert sum(d.planned for d in db.adherence(p.id, date(2026, 3, 1), date(2026, 3, 12))) == 5


def test_monitor_time_accumulates_per_day(db: Database) -> None:
    p = db.create_profile("Mo")
    db.add_monitor_time(p.id, date(2026, 3, 2), 600.0, 300.0, alerts=2)
    db.add_monitor_time(p.id, date(2026, 3, 2), 400.0, 400.0, alerts=1)
    db.add_monitor_time(p.id, date(2026, 3, 3), 100.0, 10.0)
    d2, d3 = db.monitor_by_day(p.id)
    assert (d2.monitored_s, d2.good_s, d2.alerts, d2.good_fraction) == (1000.0, 700.0, 3, 0.7)
    assert d3.day == date(2026, 3, 3)
    assert db.monitor_by_day(p.id, start=date(2026, 3, 3)) == [d3]
    with pytest.raises(StorageError, match="good_s"):
        db.add_monitor_time(p.id, date(2026, 3, 4), 10.0, 20.0)


def test_snapshots_only_when_enabled(db: Database) -> None:
    p = db.create_profile("Pic")
    a = db.add_assessment(p.id, "posture_screen", {}, [])
    assert db.add_snapshot(p.id, b"\x89PNG fake", assessment_id=a.id) is None
    assert db.snapshots(p.id) == [] and db.row_counts()["snapshots"] == 0
    db.update_profile_settings(p.id, snapshots=True)
    sid = db.add_snapshot(p.id, b"\x89PNG real", assessment_id=a.id, caption="front")
    (snap,) = db.snapshots(p.id, assessment_id=a.id)
    assert (snap.id, snap.data, snap.caption) == (sid, b"\x89PNG real", "front")


def test_delete_profile_leaves_nothing(tmp_path: Path) -> None:
    from posture_feedback.storage.sample_data import fill_sample_history

    path = tmp_path / "pf.sqlite3"
    with Database(path) as d:
        keep = fill_sample_history(d, "Keeper Kim", weeks=2)
        gone = fill_sample_history(d, "Zyxwv Secretname", weeks=3, seed=3)
        d.update_profile_settings(gone.id, snapshots=True)
        d.add_snapshot(gone.id, b"IMAGE-BYTES-OF-ZYXWV" * 50, caption="Zyxwv front view")
        plan = d.plans(gone.id)[0]
        d.add_plan_version(plan.id, "# Zyxwv plan text\n", files={"demonstrations/zyxwv.json": b"{}"})
        before_keep = d.row_counts(keep.id)
        counts = d.row_counts(gone.id)
        assert all(counts[t] > 0 for t in ("assessments", "measures", "sessions", "repetitions", "snapshots"))
        d.delete_profile(gone.id)
        assert all(v == 0 for v in d.row_counts(gone.id).values()), d.row_counts(gone.id)
        assert d.row_counts(keep.id) == before_keep
        total = d.row_counts()
        assert total["profiles"] == 1 and total["snapshots"] == 0
        with pytest.raises(NotFoundError):
            d.delete_profile(gone.id)
        assert d.integrity_check() == "ok"
        # Nothing of the deleted profile remains in the bytes of the files either.
        for f in tmp_path.iterdir():
            data = f.read_bytes()
            assert b"Zyxwv" not in data and b"IMAGE-BYTES" not in data, f.name
        assert b"Keeper Kim" in path.read_bytes() + Path(str(path) + "-wal").read_bytes()


def test_readonly_open(tmp_path: Path) -> None:
    path = tmp_path / "pf.sqlite3"
    with Database(path) as d:
        d.create_profile("Ro")
    with Database(path, readonly=True) as r:
        assert [p.name for p in r.list_profiles()] == ["Ro"]
        with pytest.raises(StorageError, match="read-only"):
            r.create_profile("No")
    with pytest.raises(NotFoundError):
        Database(tmp_path / "missing.sqlite3", readonly=True)


@pytest.mark.parametrize("name", ["a\nb", "tab\there", "bell\x07"])
def test_a_profile_name_with_control_characters_is_refused(db: Database, name: str) -> None:
    """`profile create --profile $'a\\nb'` was accepted and broke `profile list` across lines (an audit)."""
    with pytest.raises(StorageError, match="printable"):
        db.create_profile(name)
    assert db.create_profile("Zoë O'Brien — 2").name == "Zoë O'Brien — 2"  # odd but printable: fine


def test_profile_names_are_one_name_whatever_the_case_or_accent_encoding(tmp_path):
    """SQLite's NOCASE folds ASCII only: a ninth audit created "Zoë Ünal 李", "ZOË ÜNAL 李", its
    decomposed spelling (e + combining diaeresis) and "zoë ünal 李" as four profiles, and could
    not find the first by the last. Names are compared case-folded and NFKC-normalised."""
    import unicodedata

    with Database(tmp_path / "u.sqlite3") as db:
        zoe = db.create_profile("Zoë Ünal 李")
        for other in ("ZOË ÜNAL 李", "zoë ünal 李", unicodedata.normalize("NFD", "Zoë Ünal 李"), " zoë ünal 李 "):
            with pytest.raises(DuplicateError, match="Zoë Ünal 李"):
                db.create_profile(other)
            assert db.profile_by_name(other).id == zoe.id
        assert [p.name for p in db.list_profiles()] == ["Zoë Ünal 李"]
        stored = db.create_profile(unicodedata.normalize("NFD", "Élodie"))
        assert stored.name == "Élodie" and unicodedata.is_normalized("NFC", stored.name)  # stored composed
        assert db.profile_by_name("ÉLODIE").id == stored.id
