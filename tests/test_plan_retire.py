"""Retiring a plan, the plan used by default, and one rule for plan titles (an eleventh audit).

* `profile add-plan` of week 1 then week 2 (both planned mon/wed/fri): after one week-2 session the
  history said "1 of 2 planned sessions done": week 1 still planned its days and nothing could retire
  it. `profile archive-plan` retires a plan: it counts for adherence on the days before, never after;
  its sessions stay in the history, and the history says which plans count.
* After version 2 of week 1, export-programme and exercise used week 2 version 1 (the newest
  *created* plan). The default is now the plan stored most recently (any version), and every command
  says which plan and version it used.
* `add-plan --title sub` beside "Sub" made a second plan; the same file added twice stored identical
  versions. Titles now compare as profile names do (NFKC, case-folded), and identical content is
  "unchanged".

Expectations are worked out by hand from the dates below (March 2026: Monday the 2nd)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import date, datetime, timedelta, timezone

from posture_feedback.cli import main
from posture_feedback.reports.summary import collect, text_summary
from posture_feedback.storage import Database, schema
from posture_feedback.storage.stored_plans import active_plan, load_active_plan

TZ = timezone(timedelta(hours=1))
WEEK1 = 'title = "Jacks test"\ndays = ["mon", "wed", "fri"]\n[[exercise]]\nname = "chin_tuck"\nreps = 5\n'
WEEK2 = WEEK1.replace("Jacks test", "Jacks week 2").replace("reps = 5", "reps = 8")
EVERY_DAY = 'days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]'


def _t(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=TZ)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _session(db: Database, profile_id: int, plan_id: int, day: int) -> None:
    sid = db.start_session(profile_id, plan_id, started_at=_t(day, 18))
    db.end_session(sid, ended_at=_t(day, 19))


def test_a_retired_plan_counts_only_before_it_was_retired_and_keeps_its_sessions(tmp_path):
    with Database(tmp_path / "pf.sqlite3") as db:
        bob = db.create_profile("Bob").id
        w1 = db.create_plan(bob, "Jacks test", WEEK1, schedule_days=(0, 2, 4), created_at=_t(2, 8))
        w2 = db.create_plan(bob, "Jacks week 2", WEEK2, schedule_days=(0, 2, 4), created_at=_t(9, 8))
        for day in (2, 4):
            _session(db, bob, w1.id, day)
        _session(db, bob, w2.id, 9)
        start, end = date(2026, 3, 2), date(2026, 3, 13)
        # week 1 plans 2,4,6 and 9,11,13 (done 2); week 2 plans 9,11,13 (done 1): 3 of 9
        assert sum(d.planned for d in db.adherence(bob, start, end)) == 9
        db.archive_plan(w1.id, at=_t(9, 8))  # retired the morning week 2 began
        days = db.adherence(bob, start, end)
        # week 1: 2,4,6 (done 2,4); week 2: 9,11,13 (done 9): 3 of 6
        assert [(d.day.day, d.planned, d.done) for d in days if d.planned] == [
            (2, 1, 1), (4, 1, 1), (6, 1, 0), (9, 1, 1), (11, 1, 0), (13, 1, 0)
        ]  # fmt: skip
        text = text_summary(collect(db, bob, start, end))
        assert "adherence: 3 of 6 planned sessions done" in text
        assert "  plans counted for adherence: 'Jacks week 2' version 1 (mon,wed,fri)" in text.splitlines()
        assert ("  retired plans (their sessions stay in the history): 'Jacks test' (retired 2026-03-09: counted "
                "only before)") in text.splitlines()  # fmt: skip
        assert len(db.sessions(bob, start, end)) == 3  # the retired plan's sessions are still there


def test_archive_plan_command_retires_and_restores(tmp_path, capsys):
    """Both plans planned every day from today: one week-2 session today is 1 of 2, and 1 of 1 once week 1
    (stored today) is retired today."""
    d = str(tmp_path / "d")
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "w1.toml").write_text(WEEK1.replace('days = ["mon", "wed", "fri"]', EVERY_DAY))
    (plans / "w2.toml").write_text(WEEK2.replace('days = ["mon", "wed", "fri"]', EVERY_DAY))
    assert _run(capsys, "profile", "create", "--profile", "Bob", "--data-dir", d)[0] == 0
    for f in ("w1.toml", "w2.toml"):
        assert _run(capsys, "profile", "add-plan", "--profile", "Bob", str(plans / f), "--data-dir", d)[0] == 0
    with Database.open_default(d) as db:
        bob = db.profile_by_name("Bob").id
        w2 = next(p for p in db.plans(bob) if p.name == "Jacks week 2")
        sid = db.start_session(bob, w2.id)
        db.end_session(sid)
    code, out, _ = _run(capsys, "history", "--profile", "Bob", "--data-dir", d)
    assert "adherence: 1 of 2 planned sessions done" in out
    code, out, err = _run(capsys, "profile", "archive-plan", "--profile", "bob", "--plan", "JACKS TEST",
                          "--data-dir", d)  # fmt: skip
    assert code == 0, err
    today = date.today().isoformat()
    assert out.splitlines() == [
        f"Bob: plan 'Jacks test' retired on {today}: it counts for adherence only on the days before; it has no "
        "sessions",
        "Bob runs and exports 'Jacks week 2' version 1 by default (its only plan counted for adherence)",
    ]
    code, out, _ = _run(capsys, "history", "--profile", "Bob", "--data-dir", d)
    assert "adherence: 1 of 1 planned sessions done" in out
    assert "plans counted for adherence: 'Jacks week 2' version 1 (every day)" in out
    doc = json.loads(_run(capsys, "history", "--profile", "Bob", "--json", "--data-dir", d)[1])
    assert [(p["name"], p["retired"], (p["retired_at"] or "")[:10]) for p in doc["plans"]] == [
        ("Jacks test", True, today), ("Jacks week 2", False, "")
    ]  # fmt: skip
    # a retired plan's title is not reused silently
    code, out, err = _run(capsys, "profile", "add-plan", "--profile", "Bob", str(plans / "w1.toml"), "--data-dir", d)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "was retired on" in err and "--restore" in err
    code, out, err = _run(capsys, "profile", "archive-plan", "--profile", "Bob", "--plan", "Jacks test", "--restore",
                          "--data-dir", d)  # fmt: skip
    assert code == 0 and "restored" in out
    assert "adherence: 1 of 2 planned sessions done" in _run(capsys, "history", "--profile", "Bob", "--data-dir", d)[1]
    code, _, err = _run(capsys, "profile", "archive-plan", "--profile", "Bob", "--plan", "nope", "--data-dir", d)
    assert code == 2 and err.strip() == (
        "posture-feedback: error: Bob has no plan named 'nope' (plans: 'Jacks test', 'Jacks week 2')"
    )


def test_the_default_plan_is_the_one_stored_last_and_every_command_names_it(tmp_path, capsys):
    clinic, home = str(tmp_path / "clinic"), str(tmp_path / "home")
    (tmp_path / "w1.toml").write_text(WEEK1)
    (tmp_path / "w2.toml").write_text(WEEK2)
    (tmp_path / "w1v2.toml").write_text(WEEK1.replace("reps = 5", "reps = 6"))
    assert _run(capsys, "profile", "create", "--profile", "Bob", "--data-dir", clinic)[0] == 0
    for f in ("w1", "w2", "w1v2"):
        code, out, err = _run(capsys, "profile", "add-plan", "--profile", "Bob", str(tmp_path / f"{f}.toml"),
                              "--data-dir", clinic)  # fmt: skip
        assert code == 0, err
    assert out.splitlines() == [
        "Bob: plan 'Jacks test' version 2 stored (1 exercise, planned mon,wed,fri)",
        "Bob runs and exports 'Jacks test' version 2 by default (the most recently stored of its 2 plans counted "
        "for adherence)",
    ]
    prog = tmp_path / "x.pfprogramme"
    code, out, _ = _run(capsys, "profile", "export-programme", "--profile", "Bob", "--out", str(prog),
                        "--data-dir", clinic)  # fmt: skip
    assert out.strip() == (f"Bob: programme 'Jacks test' version 2 (the most recently stored plan counted for "
                           f"adherence) written to {prog}")  # fmt: skip
    manifest = json.loads(zipfile.ZipFile(prog).read("manifest.json"))
    assert (manifest["plan"]["name"], manifest["plan"]["version"]) == ("Jacks test", 2)
    prog2 = tmp_path / "y.pfprogramme"
    code, out, _ = _run(capsys, "profile", "export-programme", "--profile", "Bob", "--plan", "JACKS WEEK 2",
                        "--out", str(prog2), "--data-dir", clinic)  # fmt: skip
    assert "programme 'Jacks week 2' version 1 (named with --plan)" in out
    # At home the imported plans keep the clinic's dates: week 1 was created first, stored last here.
    assert _run(capsys, "profile", "import-programme", str(prog2), "--data-dir", home)[0] == 0
    code, out, _ = _run(capsys, "profile", "import-programme", str(prog), "--data-dir", home)
    assert out.splitlines()[-1] == ("Bob runs and exports 'Jacks test' version 2 by default (the most recently "
                                    "stored of its 2 plans counted for adherence)")  # fmt: skip
    assert "retire it with `posture-feedback profile archive-plan --profile Bob --plan 'Jacks week 2'`" in out
    with Database.open_default(home) as db:
        bob = db.profile_by_name("Bob").id
        assert active_plan(db, bob).name == "Jacks test"
        assert load_active_plan(db, bob).items[0].reps == 6
    code, out, _ = _run(capsys, "profile", "import-programme", str(prog), "--data-dir", home)
    assert out.splitlines()[0] == "plan 'Jacks test' version 2 was already stored for Bob"
    code, out, err = _run(capsys, "exercise", "--profile", "Bob", "--headless", "--video", str(tmp_path / "no.mp4"),
                          "--data-dir", home)  # fmt: skip
    assert out.splitlines()[0] == ("Bob is doing plan 'Jacks test' version 2 (the most recently stored of its 2 "
                                   "plans counted for adherence)")  # fmt: skip


def test_plan_titles_match_as_profile_names_do_and_identical_content_is_unchanged(tmp_path, capsys):
    d = str(tmp_path / "d")
    plan = tmp_path / "p.toml"
    plan.write_text(WEEK1.replace("Jacks test", "Sub"))
    assert _run(capsys, "profile", "create", "--profile", "Ann", "--data-dir", d)[0] == 0

    def add(*extra: str) -> str:
        code, out, err = _run(capsys, "profile", "add-plan", "--profile", "Ann", str(plan), *extra, "--data-dir", d)
        assert code == 0, err
        return out.splitlines()[0]

    assert add() == "Ann: plan 'Sub' version 1 stored (1 exercise, planned mon,wed,fri)"
    assert add() == "Ann: plan 'Sub' unchanged (version 1; nothing stored)"
    assert add("--title", "sub") == "Ann: plan 'Sub' unchanged (version 1; nothing stored)"
    plan.write_text(plan.read_text().replace("reps = 5", "reps = 7"))
    assert add("--title", "ＳＵＢ") == "Ann: plan 'Sub' version 2 stored (1 exercise, planned mon,wed,fri)"  # noqa: RUF001
    assert add("--title", "sub", "--days", "mon,wed,fri") == "Ann: plan 'Sub' unchanged (version 2; nothing stored)"
    with Database.open_default(d) as db:
        ann = db.profile_by_name("Ann").id
        (sub,) = db.plans(ann, include_archived=True)
        assert [v.version for v in db.plan_versions(sub.id)] == [1, 2]
    code, out, _ = _run(capsys, "profile", "export-programme", "--profile", "Ann", "--plan", "sUB", "--out",
                        str(tmp_path / "s.pfprogramme"), "--data-dir", d)  # fmt: skip
    assert code == 0 and "programme 'Sub' version 2 (named with --plan)" in out


def test_a_retired_plan_travels_in_the_results_with_its_date(tmp_path):
    from posture_feedback.storage.exchange import export_results, import_results

    with Database(tmp_path / "home.sqlite3") as home:
        bob = home.create_profile("Bob").id
        w1 = home.create_plan(bob, "Jacks test", WEEK1, schedule_days=(0, 2, 4), created_at=_t(2, 8))
        home.create_plan(bob, "Jacks week 2", WEEK2, schedule_days=(0, 2, 4), created_at=_t(9, 8))
        home.archive_plan(w1.id, at=_t(9, 8))
        out = export_results(home, bob, tmp_path / "r.json", date(2026, 3, 2), date(2026, 3, 13))
    doc = json.loads(out.read_text())
    assert [(p["name"], p.get("retired_at")) for p in sorted(doc["plans"], key=lambda p: p["name"])] == [
        ("Jacks test", "2026-03-09T08:00:00+01:00"), ("Jacks week 2", None)
    ]  # fmt: skip
    with Database(tmp_path / "clinic.sqlite3") as clinic:
        pid = clinic.create_profile("Bob").id
        import_results(clinic, out, pid)
        retired = {p.name: p.archived_at for p in clinic.plans(pid, include_archived=True)}
        assert retired == {"Jacks test": _t(9, 8), "Jacks week 2": None}
        # 2,4,6 of week 1 and 9,11,13 of week 2
        assert sum(d.planned for d in clinic.adherence(pid, date(2026, 3, 2), date(2026, 3, 13))) == 6


def test_schema_5_upgrades_a_version_4_file_keeping_archived_plans_uncounted(tmp_path):
    path = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    schema.migrate(raw, target=4)
    raw.execute("INSERT INTO profiles (name, created_at) VALUES ('Old', '2026-03-01T08:00:00+01:00')")
    for name, archived in (("kept", 0), ("archived", 1)):
        raw.execute("INSERT INTO plans (profile_id, uid, name, created_at, archived) VALUES (1, ?, ?, ?, ?)",
                    (name, name, "2026-03-02T08:00:00+01:00", archived))  # fmt: skip
        raw.execute("INSERT INTO plan_versions (plan_id, version, created_at, toml, schedule_days) VALUES ((SELECT id"
                    " FROM plans WHERE uid = ?), 1, '2026-03-02T08:00:00+01:00', 'x', '[0]')", (name,))  # fmt: skip
    raw.close()
    with Database(path) as db:
        assert db.schema_version == schema.SCHEMA_VERSION >= 5
        plans = {p.name: (p.archived, p.archived_at) for p in db.plans(1, include_archived=True)}
        assert plans == {"kept": (False, None), "archived": (True, None)}
        # Mondays 2 and 9 March, of the kept plan only
        assert sum(d.planned for d in db.adherence(1, date(2026, 3, 2), date(2026, 3, 13))) == 2
        assert active_plan(db, 1).name == "kept"


def test_a_retirement_at_home_reaches_the_clinic_and_a_retired_plan_takes_no_new_version(tmp_path, capsys):
    """A review found both: the clinic kept counting a plan the patient retired at home (import_results
    applied retired_at only to plans new to it), and import-programme stored a new version into a
    retired plan without a word (add-plan refuses that)."""
    from posture_feedback.storage.exchange import export_results, import_results

    with Database(tmp_path / "clinic.sqlite3") as clinic, Database(tmp_path / "home.sqlite3") as home:
        c_bob, h_bob = clinic.create_profile("Bob").id, home.create_profile("Bob").id
        for db, bob in ((clinic, c_bob), (home, h_bob)):
            db.create_plan(bob, "Jacks test", WEEK1, schedule_days=(0, 2, 4), created_at=_t(2, 8), uid="w1")
            db.create_plan(bob, "Jacks week 2", WEEK2, schedule_days=(0, 2, 4), created_at=_t(9, 8), uid="w2")
        home.archive_plan(home.plan_by_uid(h_bob, "w1").id, at=_t(9, 8))
        out = export_results(home, h_bob, tmp_path / "r.json", date(2026, 3, 2), date(2026, 3, 13))
        summary = import_results(clinic, out, c_bob)
        assert summary.plans_retired == 1
        assert clinic.plan_by_uid(c_bob, "w1").archived_at == _t(9, 8)
        assert sum(d.planned for d in clinic.adherence(c_bob, date(2026, 3, 2), date(2026, 3, 13))) == 6
        assert import_results(clinic, out, c_bob).plans_retired == 0  # idempotent
    # a newer version of the retired plan, as a programme, into the home database: refused, nothing stored
    d = str(tmp_path / "cli")
    (tmp_path / "w1.toml").write_text(WEEK1)
    assert _run(capsys, "profile", "create", "--profile", "Bob", "--data-dir", d)[0] == 0
    assert _run(capsys, "profile", "add-plan", "--profile", "Bob", str(tmp_path / "w1.toml"), "--data-dir", d)[0] == 0
    prog = tmp_path / "v2.pfprogramme"
    (tmp_path / "w1.toml").write_text(WEEK1.replace("reps = 5", "reps = 6"))
    assert _run(capsys, "profile", "add-plan", "--profile", "Bob", str(tmp_path / "w1.toml"), "--data-dir", d)[0] == 0
    assert _run(capsys, "profile", "export-programme", "--profile", "Bob", "--out", str(prog), "--data-dir", d)[0] == 0
    home2 = str(tmp_path / "home2")
    (tmp_path / "w1.toml").write_text(WEEK1)
    v1 = tmp_path / "v1.pfprogramme"
    with Database.open_default(d) as db:
        from posture_feedback.storage.exchange import export_programme

        export_programme(db, db.plans(db.profile_by_name("Bob").id)[0].id, v1, version=1)
    assert _run(capsys, "profile", "import-programme", str(v1), "--data-dir", home2)[0] == 0
    retire = ("profile", "archive-plan", "--profile", "Bob", "--plan", "Jacks test", "--data-dir", home2)
    assert _run(capsys, *retire)[0] == 0
    code, out, err = _run(capsys, "profile", "import-programme", str(prog), "--data-dir", home2)
    assert code == 2 and "plan 'Jacks test' is retired for Bob: restore it first" in err
    with Database.open_default(home2) as db:
        (plan,) = db.plans(db.profile_by_name("Bob").id, include_archived=True)
        assert [v.version for v in db.plan_versions(plan.id)] == [1]


def test_exercise_with_every_plan_retired_says_so_and_how_to_restore_one(tmp_path, capsys):
    """A new-user audit: with both plans retired, `exercise --profile Ann` said "Ann has no plan yet: store one
    with … add-plan …". It now says they are retired, names them, and gives the restore and add-plan commands."""
    d = str(tmp_path / "d")
    week1, week2 = tmp_path / "w1.toml", tmp_path / "w2.toml"
    week1.write_text(WEEK1)
    week2.write_text(WEEK2)
    assert _run(capsys, "profile", "create", "--profile", "Ann", "--data-dir", d)[0] == 0
    for plan in (week1, week2):
        assert _run(capsys, "profile", "add-plan", "--profile", "Ann", str(plan), "--data-dir", d)[0] == 0
    for title in ("Jacks test", "Jacks week 2"):
        assert _run(capsys, "profile", "archive-plan", "--profile", "Ann", "--plan", title, "--data-dir", d)[0] == 0
    code, out, err = _run(capsys, "exercise", "--profile", "Ann", "--video", "sample", "--headless", "--data-dir", d)
    assert code == 2 and out == ""
    assert err.strip() == (
        "posture-feedback: error: Ann has no plan to follow: all 2 of Ann's plans are retired ('Jacks week 2', "
        "'Jacks test'); restore one with `posture-feedback profile archive-plan --profile Ann --plan "
        "'Jacks week 2' --restore`, or store a new one with `posture-feedback profile add-plan --profile Ann "
        "PLAN.toml`"
    )
    assert len(err.strip().splitlines()) == 1
    assert _run(capsys, "profile", "archive-plan", "--profile", "Ann", "--plan", "Jacks week 2", "--restore",
                "--data-dir", d)[0] == 0  # fmt: skip
    with Database.open_default(d) as db:
        assert load_active_plan(db, db.profile_by_name("Ann").id).title == "Jacks week 2"


def _clinic_programmes(tmp_path):
    """The clinic's two programme files: week 1 (exported before week 2 existed), then week 2, exported
    after week 1 was retired the morning week 2 began (9 March, 08:00)."""
    from posture_feedback.storage.exchange import export_programme

    with Database(tmp_path / "clinic.sqlite3") as clinic:
        bob = clinic.create_profile("Bob").id
        w1 = clinic.create_plan(bob, "Jacks test", WEEK1, schedule_days=(0, 2, 4), created_at=_t(2, 8), uid="w1")
        first = export_programme(clinic, w1.id, tmp_path / "w1.pfprogramme")
        w2 = clinic.create_plan(bob, "Jacks week 2", WEEK2, schedule_days=(0, 2, 4), created_at=_t(9, 8), uid="w2")
        clinic.archive_plan(w1.id, at=_t(9, 8))
        second = export_programme(clinic, w2.id, tmp_path / "w2.pfprogramme")
    return first, second


def test_a_retirement_at_the_clinic_travels_in_the_next_programme_file(tmp_path, capsys):
    """The clinic retires week 1 when week 2 starts; the patient's laptop had week 1 from an earlier
    programme. Before, the home database kept planning week 1's days after the change (9-13 March: 6
    planned sessions, both plans mon/wed/fri) until the patient ran archive-plan themselves; now week 2's
    programme carries week 1's retirement and its date. Hand-worked: 9-13 March, week 2 alone plans 9, 11
    and 13."""
    from posture_feedback.storage.exchange import read_programme

    first, second = _clinic_programmes(tmp_path)
    with zipfile.ZipFile(first) as zf:
        assert "retired_plans" not in json.loads(zf.read("manifest.json"))  # as before: nothing retired then
    assert read_programme(second).retired == (("w1", "Jacks test", _t(9, 8)),)
    home = str(tmp_path / "home")
    assert _run(capsys, "profile", "import-programme", str(first), "--data-dir", home)[0] == 0
    code, out, err = _run(capsys, "profile", "import-programme", str(second), "--data-dir", home)
    assert code == 0 and err == ""
    assert ("plan 'Jacks test' retired on 2026-03-09, as where this file was made: it counts for adherence only "
            "on the days before") in out.splitlines()  # fmt: skip
    assert "also has" not in out  # no advice to retire it by hand
    with Database.open_default(home) as db:
        hb = db.profile_by_name("Bob").id
        assert db.plan_by_uid(hb, "w1").archived_at == _t(9, 8)
        assert sum(d.planned for d in db.adherence(hb, date(2026, 3, 9), date(2026, 3, 13))) == 3
    code, out, err = _run(capsys, "profile", "import-programme", str(second), "--data-dir", home)
    assert code == 0 and "retired on" not in out and "was already stored" in out  # idempotent, silent
    # a damaged entry is refused with the field named, before anything is written
    bad = tmp_path / "bad.pfprogramme"
    with zipfile.ZipFile(second) as zin, zipfile.ZipFile(bad, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "manifest.json":
                doc = json.loads(data)
                doc["retired_plans"][0]["retired_at"] = "soon"
                data = json.dumps(doc).encode()
            zout.writestr(name, data)
    code, out, err = _run(capsys, "profile", "import-programme", str(bad), "--data-dir", str(tmp_path / "h2"))
    assert code == 2 and "manifest.retired_plans[0].retired_at" in err and len(err.strip().splitlines()) == 1


def test_reimporting_a_programme_does_not_undo_a_restore_made_at_home(tmp_path, capsys):
    """A review: after the patient restored week 1 at home, importing week 2's file again retired it again,
    backdated to the clinic's date. A file whose version is already stored now changes nothing."""
    first, second = _clinic_programmes(tmp_path)
    home = str(tmp_path / "home")
    for f in (first, second):
        assert _run(capsys, "profile", "import-programme", str(f), "--data-dir", home)[0] == 0
    restore = ("profile", "archive-plan", "--profile", "Bob", "--plan", "Jacks test", "--restore", "--data-dir", home)
    assert _run(capsys, *restore)[0] == 0
    code, out, _ = _run(capsys, "profile", "import-programme", str(second), "--data-dir", home)
    assert code == 0 and "retired on" not in out
    with Database.open_default(home) as db:
        assert not db.plan_by_uid(db.profile_by_name("Bob").id, "w1").archived


def test_the_commands_suggested_for_plans_can_be_pasted_with_spaces_in_the_names(tmp_path, capsys):
    """Audit 28: for the profile "Ann Lee" the lines said `profile add-plan --profile Ann Lee PLAN.toml`
    and `archive-plan --profile Ann Lee --plan …`, which the shell splits into other arguments. Each
    suggested command, split as a shell splits it, is now the command meant."""
    import shlex

    from posture_feedback.storage.stored_plans import no_active_plan_text

    d = str(tmp_path / "data")
    (tmp_path / "w1.toml").write_text(WEEK1)
    (tmp_path / "w2.toml").write_text(WEEK2)
    assert _run(capsys, "profile", "create", "--profile", "Ann Lee", "--data-dir", d)[0] == 0
    with Database.open_default(d) as db:
        text = no_active_plan_text(db, db.profile_by_name("Ann Lee").id)
    assert shlex.split(text.split("`")[1]) == ["posture-feedback", "profile", "add-plan", "--profile", "Ann Lee",
                                               "PLAN.toml"]  # fmt: skip
    add = ["profile", "add-plan", "--profile", "Ann Lee", "--data-dir", d]
    assert _run(capsys, *add, str(tmp_path / "w1.toml"))[0] == 0
    assert _run(capsys, *add, str(tmp_path / "w2.toml"))[0] == 0
    for plan in ("Jacks test", "Jacks week 2"):
        assert _run(capsys, "profile", "archive-plan", "--profile", "Ann Lee", "--plan", plan, "--data-dir", d)[0] == 0
    with Database.open_default(d) as db:
        text = no_active_plan_text(db, db.profile_by_name("Ann Lee").id)
    restore = shlex.split(text.split("`")[1])
    assert restore[:5] == ["posture-feedback", "profile", "archive-plan", "--profile", "Ann Lee"], text
    assert restore[-1] == "--restore" and restore[-3] == "--plan"
    # (review 29) three more lines quoted the name: the add-plan refusal of a retired plan's title, the default
    # plan line with nothing counted for adherence, and the one the above's archive-plan lines print
    code, _, err = _run(capsys, *add, str(tmp_path / "w1.toml"))
    assert code == 2
    again = shlex.split(err.split("`")[1])
    assert again == ["posture-feedback", "profile", "archive-plan", "--profile", "Ann Lee", "--plan", "Jacks test",
                     "--restore"], err  # fmt: skip
    from posture_feedback.storage.stored_plans import default_plan_line

    with Database.open_default(d) as db:
        line = default_plan_line(db, db.profile_by_name("Ann Lee").id)
    assert shlex.split(line.split("`")[1]) == ["exercise", "--profile", "Ann Lee"], line


def test_the_scale_line_names_the_profile_as_a_shell_reads_it():
    """`calibrate scale --profile "Ann Lee"` said the scale is used by `assess posture --profile Ann Lee`."""
    import shlex

    from posture_feedback.calibration.scale import ScaleCalibration
    from posture_feedback.commands.calibrate import scale_summary

    scale = ScaleCalibration(metres_per_pixel=0.0046, world_scale=1.0, method="height", assumption="x", spread=0.012)
    text = scale_summary(scale, "Ann Lee")
    used = shlex.split(text.split("`")[1])
    assert used == ["assess", "posture", "--profile", "Ann Lee"], text
