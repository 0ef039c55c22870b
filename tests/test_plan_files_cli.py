"""Plan and programme files that are refused, and how: one line naming the file (and line and field
where there is one), exit code 2, nothing stored; and what is accepted (a UTF-8 byte-order mark).

An eleventh audit saw `profile add-plan` name no file for a Latin-1 plan, refuse
`file = "../exercises/wall_slide.toml"` naming neither plan nor field while `exercise` ran it,
programme errors name a deleted scratch folder, numpy advise the patient to load a damaged
demonstration "unsafely", and a plan saved with a byte-order mark read as invalid TOML."""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

import pytest

from posture_feedback.cli import main
from posture_feedback.storage import Database

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "plans"
PLAN = 'title = "Week 1"\ndays = ["mon", "wed", "fri"]\n[[exercise]]\nname = "chin_tuck"\nreps = 5\n'


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def clinic(tmp_path, capsys) -> str:
    d = str(tmp_path / "clinic")
    assert _run(capsys, "profile", "create", "--profile", "Ann", "--data-dir", d)[0] == 0
    return d


def _stored_plans(folder: str) -> int:
    with Database.open_default(folder) as db:
        return sum(len(db.plans(p.id, include_archived=True)) for p in db.list_profiles())


def _one_line(code: int, err: str) -> str:
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, (code, err)
    return lines[0]


def test_a_plan_that_is_not_utf8_is_named(clinic, tmp_path, capsys):
    plan = tmp_path / "latin1.toml"
    plan.write_bytes('title = "Genou élevé"\n[[exercise]]\nname = "chin_tuck"\n'.encode("latin-1"))
    line = _one_line(*_run(capsys, "profile", "add-plan", "--profile", "Ann", str(plan), "--data-dir", clinic)[::2])
    # 'title = "Genou ' is 15 bytes: the é is byte 15
    assert line == f"posture-feedback: error: {plan}: not UTF-8 text (byte 15) (allowed: a UTF-8 TOML file)"
    assert _stored_plans(clinic) == 0


def test_a_byte_order_mark_is_accepted_and_not_stored(clinic, tmp_path, capsys):
    plan = tmp_path / "bom.toml"
    plan.write_bytes(b"\xef\xbb\xbf" + PLAN.encode())
    code, out, err = _run(capsys, "profile", "add-plan", "--profile", "Ann", str(plan), "--data-dir", clinic)
    assert code == 0, err
    assert "plan 'Week 1'" in out and "planned mon,wed,fri" in out  # the title on line 1 was read
    with Database.open_default(clinic) as db:
        (p,) = db.plans(db.profile_by_name("Ann").id)
        assert db.plan_version(p.id).toml == PLAN
    from posture_feedback.commands.exercise import load_what

    loaded = load_what(str(plan), argparse.Namespace(side=None, reps=None, sets=None, hold=None), headless=True)
    assert loaded.title == "Week 1"


@pytest.mark.parametrize("named", ["../exercises/wall_slide.toml", "ABSOLUTE"])
def test_exercise_and_add_plan_refuse_the_same_file_outside_the_plans_folder(clinic, tmp_path, capsys, named):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "wall_slide.toml").write_bytes((EXAMPLES / "wall_slide.toml").read_bytes())
    (tmp_path / "plans").mkdir()
    if named == "ABSOLUTE":
        named = str(tmp_path / "exercises" / "wall_slide.toml")
    plan = tmp_path / "plans" / "p.toml"
    plan.write_text(f'title = "Sib"\n[[exercise]]\nfile = "{named}"\n')
    expected = f"posture-feedback: error: {plan}:3: exercise[1].file: {named!r} is outside the plan's folder"
    line = _one_line(*_run(capsys, "profile", "add-plan", "--profile", "Ann", str(plan), "--data-dir", clinic)[::2])
    assert line.startswith(expected), line
    assert _stored_plans(clinic) == 0
    line = _one_line(*_run(capsys, "exercise", str(plan), "--headless", "--video", str(tmp_path / "none.mp4"))[::2])
    assert line.startswith(expected), line
    # the same definition beside the plan is accepted by both
    (tmp_path / "plans" / "wall_slide.toml").write_bytes((EXAMPLES / "wall_slide.toml").read_bytes())
    plan.write_text('title = "Sib"\n[[exercise]]\nfile = "wall_slide.toml"\n')
    code, _, err = _run(capsys, "profile", "add-plan", "--profile", "Ann", str(plan), "--data-dir", clinic)
    assert code == 0, err


def _programme(tmp_path: Path, capsys, change: dict[str, bytes]) -> Path:
    """The wall-slide example exported from a clinic, with some entries replaced."""
    d = str(tmp_path / "source")
    assert _run(capsys, "profile", "create", "--profile", "Pat", "--data-dir", d)[0] == 0
    assert _run(capsys, "profile", "add-plan", "--profile", "Pat", str(EXAMPLES / "custom_exercise.toml"),
                "--data-dir", d)[0] == 0  # fmt: skip
    good = tmp_path / "good.pfprogramme"
    assert _run(capsys, "profile", "export-programme", "--profile", "Pat", "--out", str(good), "--data-dir", d)[0] == 0
    bad = tmp_path / "bad.pfprogramme"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, change.pop(info.filename, zin.read(info)))
        for name, data in change.items():
            zout.writestr(name, data)
    return bad


def test_a_programme_error_names_the_file_inside_the_programme(tmp_path, capsys):
    bad = _programme(tmp_path, capsys, {"exercises/wall_slide.toml": b"name = 5\n"})
    home = str(tmp_path / "home")
    line = _one_line(*_run(capsys, "profile", "import-programme", str(bad), "--data-dir", home)[::2])
    assert line == (f"posture-feedback: error: {bad}: the plan is not valid: exercises/wall_slide.toml:1: name: "
                    "must be a string, got an integer")  # fmt: skip
    assert _stored_plans(home) == 0


def test_a_damaged_demonstration_in_a_programme_is_called_damaged(tmp_path, capsys):
    plan_toml = 'title = "Wall slides"\n[[exercise]]\nfile = "wall_slide.toml"\nreps = 6\ndemonstration = "raise.npz"\n'
    bad = _programme(tmp_path, capsys, {"plan.toml": plan_toml.encode(), "demonstrations/raise.npz": b"PK\x03\x04xx"})
    listed = b'"files": [\n  "demonstrations/raise.npz",'
    manifest = zipfile.ZipFile(bad).read("manifest.json").replace(b'"files": [', listed)
    fixed = tmp_path / "fixed.pfprogramme"
    with zipfile.ZipFile(bad) as zin, zipfile.ZipFile(fixed, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, manifest if info.filename == "manifest.json" else zin.read(info))
    home = str(tmp_path / "home")
    line = _one_line(*_run(capsys, "profile", "import-programme", str(fixed), "--data-dir", home)[::2])
    assert line.startswith(f"posture-feedback: error: {fixed}: the plan is not valid: demonstrations/raise.npz: "
                           "the demonstration file is damaged or is not a demonstration"), line  # fmt: skip
    assert "pickle" not in line and "/tmp/posture-feedback-plan-" not in line
    assert _stored_plans(home) == 0


def _rewrite(src: Path, dst: Path, manifest_change, plan_toml: str | None = None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "manifest.json":
                m = json.loads(data)
                manifest_change(m)
                data = json.dumps(m).encode()
            elif info.filename == "plan.toml" and plan_toml is not None:
                data = plan_toml.encode()
            zout.writestr(info, data)
    return dst


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: m["plan"].update(schedule_days=[0]),
         "manifest.plan.schedule_days mon differs from plan.toml's days = mon,wed,fri (allowed: the same days, or "
         "no days in plan.toml)"),
        (lambda m: m["plan"].update(name=""), "manifest.plan.name: is empty"),
        (lambda m: m["profile"].update(name="  "), "manifest.profile.name: is blank"),
    ],
)  # fmt: skip
def test_a_programme_contradicting_itself_is_refused(tmp_path, capsys, change, expected):
    clinic, home = str(tmp_path / "clinic"), str(tmp_path / "home")
    (tmp_path / "w1.toml").write_text(PLAN)
    assert _run(capsys, "profile", "create", "--profile", "Bob", "--data-dir", clinic)[0] == 0
    assert _run(capsys, "profile", "add-plan", "--profile", "Bob", str(tmp_path / "w1.toml"),
                "--data-dir", clinic)[0] == 0  # fmt: skip
    good = tmp_path / "good.pfprogramme"
    assert _run(capsys, "profile", "export-programme", "--profile", "Bob", "--out", str(good),
                "--data-dir", clinic)[0] == 0  # fmt: skip
    bad = _rewrite(good, tmp_path / "bad.pfprogramme", change)
    code, out, err = _run(capsys, "profile", "import-programme", str(bad), "--data-dir", home)
    assert code == 2 and len(err.strip().splitlines()) == 1 and out == "", (out, err)
    assert err.strip().startswith(f"posture-feedback: error: {bad}: {expected}"), err
    with Database.open_default(home) as db:
        assert db.list_profiles() == []
    # a plan without `days` takes the manifest's (as `add-plan --days` gives them)
    no_days = _rewrite(good, tmp_path / "nodays.pfprogramme", lambda m: m["plan"].update(schedule_days=[1, 3]),
                       PLAN.replace('days = ["mon", "wed", "fri"]\n', ""))  # fmt: skip
    assert _run(capsys, "profile", "import-programme", str(no_days), "--data-dir", home)[0] == 0
    with Database.open_default(home) as db:
        (p,) = db.plans(db.profile_by_name("Bob").id)
        assert db.plan_version(p.id).schedule_days == (1, 3)
