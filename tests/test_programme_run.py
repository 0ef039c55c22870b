"""The home programme, run: a therapist's plan (with their own exercise file) goes through a programme
file to a second data folder, is validated on import, and is run there — headless on a recording and
in the app's exercise window — with every session stored under that plan's uid and version."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from posture_feedback.cli import main
from posture_feedback.storage import Database
from posture_feedback.storage.errors import ExchangeFormatError, NotFoundError
from posture_feedback.storage.exchange import import_programme
from posture_feedback.storage.stored_plans import load_active_plan, stored_identity

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "plans"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def folders(tmp_path, capsys) -> dict[str, str]:
    """A clinic folder where Pat has the wall-slide plan (its own exercise file attached), exported,
    and a home folder that imported it."""
    clinic, home = str(tmp_path / "clinic"), str(tmp_path / "home")
    assert _run(capsys, "profile", "create", "--profile", "Pat", "--data-dir", clinic)[0] == 0
    code, out, err = _run(capsys, "profile", "add-plan", "--profile", "Pat", str(EXAMPLES / "custom_exercise.toml"),
                          "--days", "mon,wed,fri", "--data-dir", clinic)  # fmt: skip
    assert code == 0, err
    prog = tmp_path / "pat.pfprogramme"
    code, _, err = _run(capsys, "profile", "export-programme", "--profile", "Pat", "--out", str(prog),
                        "--data-dir", clinic)  # fmt: skip
    assert code == 0, err
    code, out, err = _run(capsys, "profile", "import-programme", str(prog), "--data-dir", home)
    assert code == 0 and "stored for Pat" in out, err
    return {"clinic": clinic, "home": home, "programme": str(prog)}


def test_the_imported_plan_loads_with_its_own_exercise_file_and_identity(folders):
    with Database.open_default(folders["home"]) as db:
        pat = db.profile_by_name("Pat")
        (stored,) = db.plans(pat.id)
        plan = load_active_plan(db, pat.id)
        assert [it.exercise.name for it in plan.items] == ["wall_slide"]  # from the attached wall_slide.toml
        assert plan.items[0].sets == 2 and plan.items[0].reps == 6
        assert plan.extra["stored"]["uid"] == stored.uid and plan.extra["stored"]["version"] == 1
        assert stored_identity(plan, pat.id) == {"plan_id": stored.id, "plan_version": 1}
        assert stored_identity(plan, pat.id + 1) == {}  # another profile's session never claims this plan
        with Database.open_default(folders["clinic"]) as clinic:
            assert clinic.plans(clinic.profile_by_name("Pat").id)[0].uid == stored.uid  # the same plan, both sides


def test_a_programme_with_an_invalid_plan_is_refused_and_nothing_is_written(folders, tmp_path):
    src = Path(folders["programme"])
    bad = tmp_path / "bad.pfprogramme"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "plan.toml":
                data = data.replace(b"reps = 6", b"reps = 0")
            zout.writestr(info, data)
    with Database(tmp_path / "fresh.sqlite3") as db:
        with pytest.raises(ExchangeFormatError, match=r"plan.toml:\d+: exercise\[1\]\.reps: 0 is out of range"):
            import_programme(db, bad)
        assert db.list_profiles() == []


def test_exercise_profile_without_a_plan_says_how_to_add_one(tmp_path, capsys):
    d = str(tmp_path / "d")
    _run(capsys, "profile", "create", "--profile", "Ned", "--data-dir", d)
    code, _, err = _run(capsys, "exercise", "--profile", "Ned", "--video", "sample", "--headless", "--data-dir", d)
    assert code == 2
    assert err.strip().startswith("posture-feedback: error: Ned has no plan yet: store one with")
    code, _, err = _run(capsys, "exercise", "--video", "sample", "--headless")
    assert code == 2 and "--profile NAME for its plan" in err


def test_headless_run_of_the_profile_plan_is_stored_under_that_plan(folders, capsys):
    code, out, err = _run(capsys, "exercise", "--profile", "Pat", "--video", "sample", "--headless", "--max-frames",
                          "45", "--data-dir", folders["home"])  # fmt: skip
    assert code == 0, err
    assert "recorded in Pat's history" in out and "plan 'Wall slides' version 1" in out
    with Database.open_default(folders["home"]) as db:
        pat = db.profile_by_name("Pat")
        (plan,) = db.plans(pat.id)
        (session,) = db.sessions(pat.id)
        assert (session.plan_id, session.plan_version) == (plan.id, 1)
        assert session.status == "aborted"  # 45 frames: the recording ended before the plan did


def test_the_app_opens_the_exercise_window_on_the_profiles_plan(qtbot, folders):
    from PyQt6.QtWidgets import QMainWindow

    from posture_feedback.ui.feature_menus import FeatureMenus

    main_window = QMainWindow()
    qtbot.addWidget(main_window)
    main_window.source_spec = "97"
    features = FeatureMenus(main_window, data_dir=folders["home"])
    features.profile_name = "Pat"
    window = features.open_exercises()  # deleted on close (WA_DeleteOnClose): not handed to qtbot
    assert window.plan is not None and window.plan.extra["stored"]["name"] == "Wall slides"
    assert window.start_button.isEnabled()
    assert "Wall slide" in window.plan_label.text()
    features.close()


def test_no_profile_no_plan_means_the_plain_picker(qtbot, tmp_path):
    from PyQt6.QtWidgets import QMainWindow

    from posture_feedback.ui.feature_menus import FeatureMenus

    main_window = QMainWindow()
    qtbot.addWidget(main_window)
    features = FeatureMenus(main_window, data_dir=str(tmp_path / "none"))
    assert features.active_plan() is None
    with Database.open_default(str(tmp_path / "none")) as db:
        with pytest.raises(NotFoundError):
            load_active_plan(db, db.create_profile("Empty").id)
    features.close()



ONE_REP = ('title = "One"\nprecautions = "Stop below pain."\nnotes = "Slowly."\n\n[[exercise]]\n'
           'name = "lateral_raise"\nsets = 1\nreps = 1\n[exercise.phases.down]\nmax = 40\n')  # fmt: skip



def test_plan_notes_with_every_plan_retired_says_so(qtbot, tmp_path, monkeypatch):
    """Session ▸ Plan notes for a profile whose only plan is retired: "retired", with the restore command
    (it said "Ann has no plan yet.")."""
    from PyQt6.QtWidgets import QMainWindow, QMessageBox

    from posture_feedback.ui.feature_menus import FeatureMenus

    with Database.open_default(str(tmp_path / "d")) as db:
        ann = db.create_profile("Ann").id
        db.archive_plan(db.create_plan(ann, "Solo", ONE_REP).id)
    main_window = QMainWindow()
    qtbot.addWidget(main_window)
    features = FeatureMenus(main_window, data_dir=str(tmp_path / "d"))
    features.profile_name = "Ann"
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text, *a: said.append(text))
    assert features.show_plan_notes() is None
    assert said == ["Ann has no plan to follow: Ann's only plan is retired ('Solo'); restore one with "
                    "`posture-feedback profile archive-plan --profile Ann --plan Solo --restore`, or store a new "
                    "one with `posture-feedback profile add-plan --profile Ann PLAN.toml`"]  # fmt: skip
    features.close()


def test_the_exercise_window_shows_the_precautions_asks_how_it_felt_and_stores_the_plan(qtbot, sports_video,
                                                                                          tmp_path):  # fmt: skip
    from posture_feedback.exercises.runner import RunnerState
    from posture_feedback.storage.ratings import ratings_from_extras
    from posture_feedback.storage.stored_plans import load_stored_plan
    from posture_feedback.ui.exercise_window import ExerciseOptions, ExerciseWindow

    data = tmp_path / "data"
    with Database.open_default(str(data)) as db:
        ann = db.create_profile("Ann")
        stored = db.create_plan(ann.id, "One", ONE_REP, schedule_days=(0, 2, 4))
        plan = load_stored_plan(db, stored.id)

    asked: list[str] = []

    class Answering(ExerciseWindow):
        def ask_ratings(self, when: str) -> dict[str, float]:
            asked.append(when)
            return {"pain_before": 4, "effort_before": 1} if when == "before" else {"pain_after": 2, "effort_after": 5}

    window = Answering(ExerciseOptions(source=str(sports_video), what=plan, profile="Ann", data_dir=str(data),
                                       realtime=False, loop=False, max_frames=100, no_waits=True, autostart=False,
                                       speech="silent", max_people=1))  # fmt: skip
    qtbot.addWidget(window)
    window.show()
    assert "Stop below pain." in window.plan_label.text() and "Slowly." in window.plan_label.text()
    assert window.start_session()
    qtbot.waitUntil(lambda: window.runner.state is RunnerState.DONE, timeout=120_000)
    qtbot.waitUntil(lambda: asked == ["before", "after"], timeout=10_000)
    window.close()
    with Database.open_default(str(data)) as db:
        (s,) = db.sessions(db.profile_by_name("Ann").id)
        assert (s.plan_id, s.plan_version, s.status) == (stored.id, 1, "completed")
        r = ratings_from_extras(s.extras)
        assert (r.pain_before, r.effort_before, r.pain_after, r.effort_after) == (4, 1, 2, 5)


def test_the_exercise_picker_lists_the_profiles_plan_first(qtbot, folders):
    from posture_feedback.ui.exercise_window import ExerciseOptions, ExerciseWindow

    window = ExerciseWindow(ExerciseOptions(source="97", profile="Pat", data_dir=folders["home"], speech="silent"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.picker.current_name() == "Pat", timeout=5_000)
    first = window.exercise_list.item(0)
    assert first.text().startswith("Your plan: Wall slides")
    window.exercise_list.setCurrentRow(0)
    assert window.plan is not None and window.plan.extra["stored"]["name"] == "Wall slides"
    assert window.start_button.isEnabled()
    window.picker.combo.setCurrentIndex(0)  # no profile: no plan entry
    assert not window.exercise_list.item(0).text().startswith("Your plan")
    window.close()


def test_a_plans_demonstration_is_stored_with_it_and_travels(tmp_path, capsys):
    """A plan naming ``demonstration = "reach.npz"`` was stored without the file: it counted as
    planned, and could be neither run at the clinic nor imported at home (a seventh audit). The
    demonstrations a plan names are now attached as its exercise files are, and a plan that
    would not load as stored is refused with the plan's own error."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from test_exercise_demonstration import _demo_with_ghost

    from posture_feedback.exercises.demonstration import save_demonstration

    clinic, home = str(tmp_path / "clinic"), str(tmp_path / "home")
    plan_dir = tmp_path / "plans"
    plan_dir.mkdir()
    save_demonstration(_demo_with_ghost(), plan_dir / "reach.npz")
    plan = plan_dir / "reach.toml"
    plan.write_text('title = "Reach"\n[[exercise]]\nname = "forward_reach"\nside = "left"\nreps = 2\n'
                    'demonstration = "reach.npz"\n')  # fmt: skip
    assert _run(capsys, "profile", "create", "--profile", "Pat", "--data-dir", clinic)[0] == 0
    code, out, err = _run(capsys, "profile", "add-plan", "--profile", "Pat", str(plan), "--data-dir", clinic)
    assert code == 0, err
    prog = tmp_path / "pat.pfprogramme"
    code, _, err = _run(capsys, "profile", "export-programme", "--profile", "Pat", "--out", str(prog),
                        "--data-dir", clinic)  # fmt: skip
    assert code == 0, err
    assert "demonstrations/reach.npz" in zipfile.ZipFile(prog).namelist()
    code, out, err = _run(capsys, "profile", "import-programme", str(prog), "--data-dir", home)
    assert code == 0 and out.splitlines()[0] == "plan 'Reach' version 1 stored for Pat", (out, err)

    # an absolute path, even to the file beside the plan, would not load where the plan is sent
    (tmp_path / "elsewhere").mkdir()
    save_demonstration(_demo_with_ghost(), tmp_path / "elsewhere" / "reach.npz")
    for named in (str(plan_dir / "reach.npz"), "../elsewhere/reach.npz"):
        plan.write_text(plan.read_text().replace('"reach.npz"', f'"{named}"'))
        code, out, err = _run(capsys, "profile", "add-plan", "--profile", "Pat", str(plan), "--data-dir", clinic)
        plan.write_text(plan.read_text().replace(f'"{named}"', '"reach.npz"'))
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert f"reach.toml:6: exercise[1].demonstration: {named!r} is outside the plan's folder" in err, err
