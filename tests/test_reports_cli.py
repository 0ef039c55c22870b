"""The ``profile``, ``history`` and ``report`` commands through the real command-line entry point."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from posture_feedback.cli import main
from posture_feedback.storage import Database
from posture_feedback.storage.sample_data import SAMPLE_PLAN_TOML
from posture_feedback.words import measure_words


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_profile_lifecycle_and_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = str(tmp_path / "data")
    assert _run(capsys, "profile", "create", "--profile", "Ann", "--data-dir", d)[0] == 0
    assert _run(capsys, "profile", "--data-dir", d, "create", "--profile", "Bob", "--snapshots")[0] == 0
    code, out, _ = _run(capsys, "profile", "list", "--data-dir", d)
    assert code == 0 and out.splitlines()[0].startswith("Ann") and "Bob" in out and "snapshots on" in out
    code, out, _ = _run(capsys, "profile", "where", "--data-dir", d)
    assert code == 0 and str(tmp_path / "data") in out and "posture-feedback.sqlite3" in out
    code, _, err = _run(capsys, "profile", "create", "--profile", "ann", "--data-dir", d)
    assert code == 2 and "already exists" in err and "Traceback" not in err
    code, _, err = _run(capsys, "profile", "delete", "--profile", "Bob", "--data-dir", d)
    assert code == 2 and "--yes" in err  # no terminal to confirm on
    assert _run(capsys, "profile", "delete", "--profile", "Bob", "--yes", "--data-dir", d)[0] == 0
    with Database(tmp_path / "data" / "posture-feedback.sqlite3") as db:
        assert [p.name for p in db.list_profiles()] == ["Ann"]


def test_data_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # noqa: ANN001
    monkeypatch.setenv("POSTURE_FEEDBACK_DATA_DIR", str(tmp_path / "env"))
    assert _run(capsys, "profile", "create", "Env")[0] == 0
    assert (tmp_path / "env" / "posture-feedback.sqlite3").exists()


def test_history_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = str(tmp_path / "data")
    assert _run(capsys, "profile", "create", "Sam Sample", "--sample-data", "--data-dir", d)[0] == 0
    code, out, _ = _run(capsys, "history", "--data-dir", d)  # the only profile
    assert code == 0 and out.startswith("Sam Sample:") and "planned" in out and "shoulder flexion (right)" in out
    code, _, err = _run(capsys, "history", "--profile", "Nobody", "--data-dir", d)
    assert code == 2 and "no profile named 'Nobody'" in err
    pdf, csv_dir, js = tmp_path / "r.pdf", tmp_path / "csv", tmp_path / "r.json"
    code, out, _ = _run(capsys, "report", "--profile", "sam sample", "--out", str(pdf), "--csv", str(csv_dir),
                        "--json", str(js), "--data-dir", d)  # fmt: skip
    assert code == 0
    assert pdf.read_bytes().startswith(b"%PDF-") and (csv_dir / "repetitions.csv").exists() and js.exists()
    code, _, err = _run(capsys, "report", "--profile", "Sam Sample", "--data-dir", d)
    assert code == 2 and "nothing to write" in err
    txt = tmp_path / "r.txt"  # an audit: a PDF was written silently under a .txt name
    code, _, err = _run(capsys, "report", "--profile", "Sam Sample", "--out", str(txt), "--data-dir", d)
    assert code == 2 and "ending in .pdf" in err and err.count("\n") == 1 and not txt.exists()
    code, _, err = _run(
        capsys, "report", "--from", "2026-03-10", "--to", "2026-03-01", "--out", str(pdf), "--data-dir", d
    )
    assert code == 2 and "before" in err
    assert main(["history", "--from", "10/03/2026", "--data-dir", d]) == 2
    err = capsys.readouterr().err
    assert "is not a date" in err and err.count("\n") == 1


def test_an_interrupted_report_leaves_the_earlier_files_whole(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    """Audit 28: Ctrl-C while the PDF was being written (a real SIGINT after 1.5-3 s) left a truncated
    PDF (22-65 KB of 88) in place of the earlier report. Every report output is now written beside
    its name and moved over it once whole: interrupted on its second page, the earlier PDF is
    byte-for-byte what it was and nothing else is left in the folder; the same for the JSON and CSV."""
    from matplotlib.backends.backend_pdf import PdfPages

    d = str(tmp_path / "data")
    assert _run(capsys, "profile", "create", "Sam", "--sample-data", "--data-dir", d)[0] == 0
    out = tmp_path / "out"
    pdf, csv_dir, js = out / "r.pdf", out / "csv", out / "r.json"
    assert _run(capsys, "report", "--out", str(pdf), "--csv", str(csv_dir), "--json", str(js), "--data-dir", d)[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real_savefig, pages = PdfPages.savefig, []

    def savefig(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        pages.append(1)
        if len(pages) == 2:
            raise KeyboardInterrupt  # as Ctrl-C arrives
        return real_savefig(self, *args, **kwargs)

    monkeypatch.setattr(PdfPages, "savefig", savefig)
    code, _, err = _run(capsys, "report", "--out", str(pdf), "--data-dir", d)
    assert (code, err) == (130, "posture-feedback: interrupted\n")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    monkeypatch.undo()
    # the CSV and JSON writers interrupted half-way through a file
    from posture_feedback.reports import export

    def half(fh) -> None:  # noqa: ANN001
        fh.write("half a file")
        raise KeyboardInterrupt

    real_whole = export._write_whole
    monkeypatch.setattr(export, "_write_whole", lambda path, write: real_whole(path, half))
    for argv in (["--csv", str(csv_dir)], ["--json", str(js)]):
        code, _, err = _run(capsys, "report", *argv, "--data-dir", d)
        assert code == 130, err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_an_output_on_another_is_refused_before_anything_is_written(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """Audit 28: `report --csv DIR --json DIR/measures.csv` wrote the CSV files, then the JSON over
    measures.csv, and said both were written; `--json r.pdf --out r.pdf` likewise. Refused in one line
    now, before anything is read or written."""
    d = str(tmp_path / "data")
    assert _run(capsys, "profile", "create", "Sam", "--sample-data", "--data-dir", d)[0] == 0
    csv_dir = tmp_path / "csv"
    for argv, line in (
        (["--csv", str(csv_dir), "--json", str(csv_dir / "measures.csv")],
         f"--json {csv_dir / 'measures.csv'} is also --csv {csv_dir}'s measures.csv"),
        (["--out", str(tmp_path / "r.pdf"), "--json", str(tmp_path / "r.pdf")],
         f"--json {tmp_path / 'r.pdf'} is also --out {tmp_path / 'r.pdf'}"),
    ):  # fmt: skip
        code, out, err = _run(capsys, "report", *argv, "--data-dir", d)
        assert (code, out) == (2, ""), err
        assert err == f"posture-feedback: error: {line}: give each output a file of its own\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_home_programme_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clinic, home = str(tmp_path / "clinic"), str(tmp_path / "home")
    plan = tmp_path / "plan.toml"
    plan.write_text(SAMPLE_PLAN_TOML)
    import numpy as np

    from posture_feedback.exercises.demonstration import build_demonstration, save_demonstration
    from posture_feedback.exercises.library import get_exercise

    times = np.linspace(0.0, 8.0, 241)  # a reach demonstrated: rest 10°, 120° held, back to rest
    values = np.interp(times, [0, 1, 3, 4, 7, 8], [10, 10, 120, 120, 10, 10])
    demo = save_demonstration(build_demonstration(get_exercise("forward_reach"), times, values, tolerance=10.0),
                              tmp_path / "reach_demo.npz")  # fmt: skip
    assert _run(capsys, "profile", "create", "--profile", "Cara", "--data-dir", clinic)[0] == 0
    # audit 28: any file was attached as a demonstration (a text file was stored and sent with the plan)
    notes = tmp_path / "notes.txt"
    notes.write_text("see you on Monday")
    code, _, err = _run(capsys, "profile", "add-plan", "--profile", "Cara", str(plan), "--demo", str(notes),
                        "--data-dir", clinic)  # fmt: skip
    assert code == 2 and err.startswith(f"posture-feedback: error: --demo {notes}: the demonstration file is ")
    assert err.count("\n") == 1
    code, out, _ = _run(capsys, "profile", "add-plan", "--profile", "Cara", str(plan), "--days", "mon,wed,fri",
                        "--demo", str(demo), "--data-dir", clinic)  # fmt: skip
    assert code == 0 and "3 exercises" in out
    bad = tmp_path / "bad.toml"
    bad.write_text(SAMPLE_PLAN_TOML.replace("sets = 2", "sets = -2", 1))
    code, _, err = _run(capsys, "profile", "add-plan", "--profile", "Cara", str(bad), "--data-dir", clinic)
    assert code == 2 and "bad.toml" in err and "sets" in err  # the plan's own validation, file and field
    prog = tmp_path / "cara.pfprogramme"
    assert (
        _run(capsys, "profile", "export-programme", "--profile", "Cara", "--out", str(prog), "--data-dir", clinic)[0]
        == 0
    )
    code, out, _ = _run(capsys, "profile", "import-programme", str(prog), "--data-dir", home)
    assert code == 0 and "stored for Cara" in out
    res = tmp_path / "cara.pfresults.json"
    assert _run(capsys, "profile", "export-results", "--profile", "Cara", "--out", str(res), "--data-dir", home)[0] == 0
    code, out, _ = _run(capsys, "profile", "import-results", str(res), "--profile", "Cara", "--data-dir", clinic)
    assert code == 0 and "0 sessions added" in out
    with Database(tmp_path / "home" / "posture-feedback.sqlite3") as db:
        (p,) = db.plans(db.profile_by_name("Cara").id)
        v = db.plan_version(p.id)
        assert v.schedule_days == (0, 2, 4) and v.files == {"demonstrations/reach_demo.npz": demo.read_bytes()}


def test_the_old_positional_profile_spellings_still_work_with_a_note(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    d = str(tmp_path / "data")
    plan = tmp_path / "plan.toml"
    plan.write_text(SAMPLE_PLAN_TOML, encoding="utf-8")
    code, _, err = _run(capsys, "profile", "create", "Dan", "--data-dir", d)
    assert code == 0
    assert (
        err == "posture-feedback: note: `profile create Dan` is deprecated and will be removed; "
        "use `profile create --profile Dan`\n"
    )
    code, out, err = _run(capsys, "profile", "add-plan", "Dan", str(plan), "--data-dir", d)
    assert code == 0 and "Dan: plan" in out
    assert err.startswith("posture-feedback: note: `profile add-plan Dan ") and "add-plan --profile Dan" in err
    for action in ("set", "export-programme", "export-results"):
        extra = ["--snapshots", "on"] if action == "set" else ["--out", str(tmp_path / f"{action}.out")]
        code, _, err = _run(capsys, "profile", action, "Dan", *extra, "--data-dir", d)
        assert code == 0 and f"use `profile {action} --profile Dan`" in err, (action, err)
    code, _, err = _run(capsys, "profile", "delete", "Dan", "--profile", "Dan", "--data-dir", d)
    assert code == 2 and "give the profile once" in err
    code, _, err = _run(capsys, "profile", "set", "--snapshots", "on", "--data-dir", d)
    assert code == 2 and err.strip() == "posture-feedback: error: profile set: which profile? add --profile NAME"


def test_session_status_reads_stopped_in_every_human_facing_export(tmp_path, capsys):
    """A second audit: sessions.csv said "aborted" where history said "stopped" (docs/data.md's word)."""
    import csv

    from posture_feedback.cli import main

    data = tmp_path / "data"
    assert main(["profile", "create", "--profile", "Demo", "--sample-data", "--data-dir", str(data)]) == 0
    assert main(["report", "--profile", "Demo", "--csv", str(tmp_path / "csv"), "--data-dir", str(data)]) == 0
    statuses = {r["status"] for r in csv.DictReader((tmp_path / "csv" / "sessions.csv").open(encoding="utf-8"))}
    assert statuses and statuses <= {"completed", "stopped", "running"}  # never the stored "aborted"
    from posture_feedback.reports.summary import status_word

    assert [status_word(w) for w in ("aborted", "completed", "running")] == ["stopped", "completed", "running"]


_CHANGE = re.compile(
    r"^    (?P<label>[a-z ]+(?: \((?:left|right|shoulder–ear)\))?): "
    r"(?P<first>-?\d+\.\d)(?: ± (?P<fu>\d+\.\d))?°(?: \([^)]*\))? -> "
    r"(?P<last>-?\d+\.\d)(?: ± (?P<lu>\d+\.\d))?°(?: \([^)]*\))? \((?P<diff>[+-]\d+\.\d), (?P<basis>uncertainty|MDC) "
    r"(?P<thr>\d+\.\d)°: (?P<verdict>change|no detectable change)\)$"
)


def test_history_json_carries_the_texts_assessments_and_changes(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """An audit: ``history --json`` had no assessments and no measure changes while the text of the
    same command printed "assessments: 7" and each change with its ± and verdict."""
    d = str(tmp_path / "data")
    assert _run(capsys, "profile", "create", "--profile", "Demo", "--sample-data", "--data-dir", d)[0] == 0
    code, text, _ = _run(capsys, "history", "--profile", "Demo", "--data-dir", d)
    assert code == 0
    code, out, err = _run(capsys, "history", "--profile", "Demo", "--data-dir", d, "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    n_text = int(re.search(r"^  assessments: (\d+)$", text, re.M).group(1))
    assert n_text > 0 and len(doc["assessments"]) == n_text
    assert all(f"    {c['text']}" in text.splitlines() for c in doc["changes"])
    compared = [c for c in doc["changes"] if c["n"] >= 2]
    lines = [m for m in (_CHANGE.match(line) for line in text.splitlines()) if m]
    assert len(lines) == len(compared) >= 2
    assert {c["verdict"] for c in compared} == {"change", "no detectable change"}
    for m, c in zip(lines, compared, strict=True):
        label = measure_words(c["measure"], c["side"]).replace("_", " ")  # the head angle: "head angle (shoulder–ear)"
        assert m["label"] == label and c["text"] == m.group(0).strip()
        assert f"{c['first']:.1f}" == m["first"] and f"{c['last']:.1f}" == m["last"]
        assert f"{c['first_uncertainty']:.1f}" == m["fu"] and f"{c['last_uncertainty']:.1f}" == m["lu"]
        assert f"{c['difference']:+.1f}" == m["diff"] and f"{c['threshold']:.1f}" == m["thr"]
        assert c["threshold_basis"] == m["basis"] and c["verdict"] == m["verdict"]
        # the tool's rule, worked by hand: beyond 1.96·√(u1² + u2²) (and the MDC), else noise
        own = 1.96 * math.hypot(c["first_uncertainty"], c["last_uncertainty"])
        assert c["threshold"] >= own - 1e-9 and (c["threshold_basis"] == "uncertainty") == math.isclose(
            c["threshold"], own)
        assert (c["verdict"] == "change") == (abs(c["last"] - c["first"]) > c["threshold"])
    for a in doc["assessments"]:
        for ms in a["measures"]:
            rng = ms["reference_range"]
            if rng is None:  # no norm (or one withdrawn): no verdict beside it
                assert ms["verdict"] is None
                continue
            lo = -math.inf if rng["low"] is None else rng["low"]
            hi = math.inf if rng["high"] is None else rng["high"]
            v, u = ms["value"], ms["uncertainty"]
            want = "within" if lo <= v - u and v + u <= hi else "outside" if v + u < lo or v - u > hi else "uncertain"
            assert ms["verdict"] == want
    tilt = next(ms for a in doc["assessments"] for ms in a["measures"] if ms["measure"] == "shoulder_tilt")
    assert tilt["reference_source"] and tilt["range_is_tool_tolerance"] is True


def test_reading_commands_on_a_mistyped_data_dir_create_nothing(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """Audit 28: `history`, `report`, `profile list`, `profile where` and `export-results` on a
    --data-dir with no database (a typo) made the folder and an empty database in it, and history said
    "no profiles yet: create one", as if the data were gone. They create nothing now and say there is
    no database there; `list` and `where` still answer (exit 0)."""
    typo = tmp_path / "dat"
    said = f"no profiles yet: there is no database in {typo} (check --data-dir, or create a profile with " \
        "`posture-feedback profile create --profile NAME`)"
    for argv in (["history"], ["report", "--json", str(tmp_path / "r.json")],
                 ["profile", "export-results", "--profile", "Ann", "--out", str(tmp_path / "r.pfresults.json")]):
        assert _run(capsys, *argv, "--data-dir", str(typo)) == (2, "", f"posture-feedback: error: {said}\n")
    assert _run(capsys, "profile", "list", "--data-dir", str(typo)) == (0, said + "\n", "")
    code, out, _ = _run(capsys, "profile", "where", "--data-dir", str(typo))
    assert code == 0 and "(not created yet: the first profile creates it)" in out
    assert list(tmp_path.iterdir()) == []


def test_the_default_period_is_the_one_the_help_states(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """`history --help` did not say where a period without --from starts (audit 31). It says: the
    profile's first record, at most a year back, the last 4 weeks when there is none; checked on a
    real database, a profile with nothing recorded and one whose first assessment is 40 days old."""
    from datetime import date, datetime, timedelta, timezone

    from posture_feedback.storage import Measure

    with pytest.raises(SystemExit):
        main(["history", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "default: the profile's first record, at most a year back; 4 weeks when it has none" in help_text
    data = str(tmp_path / "data")
    assert main(["profile", "create", "--profile", "New", "--data-dir", data]) == 0
    assert main(["profile", "create", "--profile", "Old", "--data-dir", data]) == 0
    capsys.readouterr()
    today = date.today()
    with Database(Path(data) / "posture-feedback.sqlite3") as db:
        old = db.profile_by_name("Old")
        when = datetime.now(timezone.utc) - timedelta(days=40)
        db.add_assessment(old.id, "rom", {"kind": "rom"}, [Measure("shoulder_flexion", 150.0, 4.0, side="left")],
                          created_at=when)  # fmt: skip
    assert main(["history", "--profile", "New", "--data-dir", data]) == 0
    assert f"New: {today - timedelta(days=27)} to {today}" in capsys.readouterr().out
    assert main(["history", "--profile", "Old", "--data-dir", data]) == 0
    assert f"Old: {when.astimezone().date()} to {today}" in capsys.readouterr().out
