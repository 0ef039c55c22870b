"""Every command's output paths are checked before anything runs (``output_files.check_output``).

An audit: ``exercise seated_arm_raise --video … --headless --out FILE/x.csv`` (FILE a regular file)
counted the whole recording, then failed with "error: File exists: FILE" (exit 2), and
``--out /sys/x.csv`` with "Permission denied". Now each output of analyze, exercise, report, assess,
the profile exports and the app's --screenshot is refused in one line before the model runs or
anything is written, with the same words in every command.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from posture_feedback.cli import main
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.output_files import check_output

#: A folder no process may create files in, root included (sysfs refuses, whatever the permission bits).
UNWRITABLE = Path("/sys")
needs_sys = pytest.mark.skipif(not UNWRITABLE.is_dir(), reason="no /sys on this system")


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    """A regular file where a command would need a folder."""
    path = tmp_path / "afile"
    path.write_text("not a folder\n")
    return path


def test_check_output_names_what_is_wrong(tmp_path: Path, a_file: Path) -> None:
    def message(*args, **kwargs) -> str:
        with pytest.raises(PostureFeedbackError) as caught:
            check_output(*args, **kwargs)
        return str(caught.value)

    assert message(a_file / "x.csv", "--out") == f"--out {a_file / 'x.csv'}: {a_file} is not a folder"
    assert message(a_file / "sub" / "x.csv", "--out") == f"--out {a_file / 'sub' / 'x.csv'}: {a_file} is not a folder"
    assert message(tmp_path, "--out", example="angles.csv") == (
        f"--out {tmp_path} is a folder: give a file name such as {tmp_path / 'angles.csv'}"
    )
    assert message(a_file, "--csv", folder=True) == f"--csv {a_file} is not a folder"
    # fine: a new name, in folders not made yet (the writers make them), a file to replace, a
    # device, a folder output that does not exist yet; and nothing is left behind
    check_output(tmp_path / "new" / "deeper" / "x.csv", "--out")
    check_output(a_file, "--out")
    check_output(os.devnull, "--out")
    check_output(tmp_path / "reports", "--csv", folder=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


@needs_sys
def test_a_folder_that_refuses_writing_is_named(tmp_path: Path) -> None:
    with pytest.raises(PostureFeedbackError, match=r"^cannot write --out /sys/x\.csv: permission denied$"):
        check_output(UNWRITABLE / "x.csv", "--out")
    with pytest.raises(PostureFeedbackError, match=r"^cannot write --csv /sys/d: permission denied$"):
        check_output(UNWRITABLE / "d", "--csv", folder=True)


@pytest.fixture
def no_model(monkeypatch):
    """Any run of the pose pipeline fails the test: the checks must come first."""
    import posture_feedback.pipeline as pipeline

    def refuse(*args, **kwargs):
        raise AssertionError("the model ran before the output was checked")

    monkeypatch.setattr(pipeline, "iter_results", refuse)
    monkeypatch.setattr(pipeline, "analyze_video", refuse)
    monkeypatch.setattr(pipeline, "Pipeline", refuse)


def _one_line(capsys, expected: str) -> None:
    err = capsys.readouterr().err
    assert err == f"posture-feedback: error: {expected}\n", err


def test_exercise_out_is_checked_before_the_recording_is_counted(tmp_path, a_file, no_model, capsys) -> None:
    data = tmp_path / "data"
    assert main(["profile", "create", "--profile", "Pat", "--data-dir", str(data)]) == 0
    video = str(Path(__file__).resolve().parent.parent / "sample_videos" / "lab_desk_webcam.mp4")
    base = ["exercise", "seated_arm_raise", "--video", video, "--headless", "--profile", "Pat", "--data-dir", str(data)]
    capsys.readouterr()
    assert main([*base, "--out", str(a_file / "x.csv")]) == 2
    _one_line(capsys, f"--out {a_file / 'x.csv'}: {a_file} is not a folder")
    if UNWRITABLE.is_dir():
        assert main([*base, "--out", "/sys/x.csv"]) == 2
        _one_line(capsys, "cannot write --out /sys/x.csv: permission denied")
    assert main([*base[:2], "--video", video, "--headless", "--save-demo", str(a_file / "d.npz")]) == 2
    _one_line(capsys, f"--save-demo {a_file / 'd.npz'}: {a_file} is not a folder")
    # nothing was stored in the history either
    assert main(["history", "--profile", "Pat", "--data-dir", str(data), "--json"]) == 0
    assert '"sessions": []' in capsys.readouterr().out


def test_analyze_outputs_are_checked_the_same_way(a_file, no_model, capsys) -> None:
    for option in ("--out", "--trc", "--mot", "--annotated"):
        path = a_file / f"x.{ {'--out': 'csv', '--annotated': 'mp4'}.get(option, option[2:]) }"
        argv = ["analyze", "--video", "sample", "--no-progress", option, str(path)]
        if option != "--out":
            argv += ["--out", str(a_file.parent / "angles.csv")]
        assert main(argv) == 2, option
        _one_line(capsys, f"{option} {path}: {a_file} is not a folder")


def test_report_checks_every_output_before_writing_any(tmp_path, a_file, capsys) -> None:
    data = tmp_path / "data"
    assert main(["profile", "create", "--profile", "Pat", "--data-dir", str(data)]) == 0
    base = ["report", "--profile", "Pat", "--data-dir", str(data)]
    pdf = tmp_path / "out" / "r.pdf"
    capsys.readouterr()
    assert main([*base, "--out", str(pdf), "--json", str(a_file / "r.json")]) == 2
    _one_line(capsys, f"--json {a_file / 'r.json'}: {a_file} is not a folder")
    assert not pdf.exists()  # before, the PDF was written, then --json failed
    assert main([*base, "--csv", str(a_file)]) == 2
    _one_line(capsys, f"--csv {a_file} is not a folder")
    assert main(["profile", "export-results", "--profile", "Pat", "--data-dir", str(data),
                 "--out", str(a_file / "r.json")]) == 2  # fmt: skip
    _one_line(capsys, f"--out {a_file / 'r.json'}: {a_file} is not a folder")


def test_assess_and_the_app_screenshot(a_file, no_model, capsys) -> None:
    argv = ["assess", "chair", "five_times_sit_to_stand", "--video", "sample", "--age", "70", "--out", str(a_file)]
    assert main(argv) == 2
    _one_line(capsys, f"--out {a_file} is not a folder")
    assert main(["--source", "sample", "--frames", "3", "--screenshot", str(a_file / "x.png")]) == 2
    _one_line(capsys, f"--screenshot {a_file / 'x.png'}: {a_file} is not a folder")


def _as_unprivileged(code: str, folder: Path) -> subprocess.CompletedProcess:
    """Run ``code`` (Python) in ``folder`` as a user for whom permission bits count: this user, or
    ``nobody`` when the tests run as root (root writes a read-only file regardless)."""
    run_as = None
    if os.geteuid() == 0:
        os.chown(folder, 65534, 65534)

        def run_as() -> None:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)

    env = {**os.environ, "HOME": str(folder)}
    return subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, preexec_fn=run_as,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_a_read_only_file_is_refused_before_anything_is_written() -> None:
    """A review, 2026-12-08 (as a user, not root): ``report --out new.pdf --json r.json`` with r.json
    read-only wrote new.pdf, then failed "cannot write r.json: Permission denied", the very case the
    check was made for; ``profile export-results --out r.json`` moved a new file over it in silence.
    Both are now refused in one line before anything is written, and r.json keeps its content."""
    folder = Path(tempfile.mkdtemp(prefix="pf-readonly-"))
    try:
        code = textwrap.dedent(
            """
            import os, sys
            from pathlib import Path
            from posture_feedback.cli import main
            Path("r.json").write_text("old\\n")
            os.chmod("r.json", 0o444)
            d = ["--data-dir", "data"]
            assert main(["profile", "create", "--profile", "Pat", *d]) == 0
            print("report", main(["report", "--profile", "Pat", *d, "--out", "new.pdf", "--json", "r.json"]))
            print("results", main(["profile", "export-results", "--profile", "Pat", *d, "--out", "r.json"]))
            print("pdf", Path("new.pdf").exists(), "json", Path("r.json").read_text().strip())
            """
        )
        done = _as_unprivileged(code, folder)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-3:] == ["report 2", "results 2", "pdf False json old"]
        line = "posture-feedback: error: cannot write --{} r.json: permission denied"
        assert done.stderr.splitlines() == [line.format("json"), line.format("out")]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_an_output_on_stdout_gets_stdout_to_itself(tmp_path: Path) -> None:
    """A review, 2026-12-08: ``report --json /dev/stdout | jq`` got the JSON followed by "json:
    /dev/stdout", and ``analyze -o /dev/stdout`` the camera-vertical line before the CSV's header and
    the whole summary after it: neither was a JSON or CSV a program could read. With an output on
    stdout the tool's own lines go to stderr; the file given is the only thing on stdout."""
    data = str(tmp_path / "data")
    assert main(["profile", "create", "--profile", "Pat", "--sample-data", "--data-dir", data]) == 0
    cli = [sys.executable, "-m", "posture_feedback.cli"]
    done = subprocess.run([*cli, "report", "--profile", "Pat", "--data-dir", data, "--json", "/dev/stdout"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)  # the JSON alone
    assert doc["adherence"] and done.stderr.splitlines() == ["json: /dev/stdout"]
    done = subprocess.run([*cli, "analyze", "--video", "sample", "--max-frames", "3", "--no-progress", "-o",
                           "/dev/stdout"], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()  # the CSV alone: its header, then one row a frame
    assert lines[0].startswith("frame,time_s,") and [r.split(",")[0] for r in lines[1:]] == ["0", "1", "2"]
    assert "angles CSV: /dev/stdout" in done.stderr
    # a file given by name: the lines stay on stdout
    done = subprocess.run([*cli, "report", "--profile", "Pat", "--data-dir", data, "--json", str(tmp_path / "r.json")],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.stdout.splitlines() == [f"json: {tmp_path / 'r.json'}"] and done.stderr == ""


def test_the_profile_database_is_never_an_output(tmp_path, no_model, capsys) -> None:
    """Audit 28: `report --json DATA/posture-feedback.sqlite3` exited 0 having replaced the database,
    every profile's history, by the report's JSON. Every output naming an SQLite database (itself, or
    a link to it) is refused in one line, and the database is byte-for-byte as it was, still readable;
    the app's own writers (no command-line check: the history's Save report dialog) refuse it too."""
    from posture_feedback.reports.pdf import write_report
    from posture_feedback.storage import Database
    from posture_feedback.storage.sample_data import fill_sample_history

    data = tmp_path / "data"
    db_path = data / "posture-feedback.sqlite3"
    with Database(db_path) as db:
        pid = fill_sample_history(db, "Pat").id
    before = db_path.read_bytes()
    link = tmp_path / "notes.json"
    link.symlink_to(db_path)
    where = ["--data-dir", str(data)]
    for argv, option in (
        (["report", "--json", str(db_path), *where], f"--json {db_path}"),
        (["report", "--json", str(link), *where], f"--json {link}"),
        (["profile", "export-results", "--profile", "Pat", "--out", str(db_path), *where], f"--out {db_path}"),
        (["profile", "export-programme", "--profile", "Pat", "--out", str(db_path), *where], f"--out {db_path}"),
        (["analyze", "--video", "sample", "--no-progress", "--out", str(db_path)], f"--out {db_path}"),
        (["analyze", "--video", "sample", "--no-progress", "--out", str(tmp_path / "a.csv"), "--trc", str(db_path)],
         f"--trc {db_path}"),
    ):  # fmt: skip
        assert main(argv) == 2, argv
        via = f" (it links to {db_path})" if option.endswith("notes.json") else ""
        _one_line(capsys, f"{option} is a database{via}: give the output a file name of its own")
    with Database(db_path) as db, pytest.raises(PostureFeedbackError, match="is a database"):
        write_report(db, pid, db_path)
    assert db_path.read_bytes() == before and sorted(p.name for p in data.iterdir())[0] == "posture-feedback.sqlite3"
    with Database(db_path) as db:  # open, with records in its write-ahead log: the log is refused too
        db.create_profile("Lee")
        wal = Path(f"{db_path}-wal")
        assert wal.stat().st_size > 0
        assert main(["report", "--profile", "Pat", "--json", str(wal), *where]) == 2
        _one_line(capsys, f"--json {wal} is a database's log of its newest records: give the output a file name "
                          "of its own")  # fmt: skip
        db.delete_profile(db.profile_by_name("Lee").id)
    with Database(db_path, readonly=True) as db:
        assert db.row_counts(pid)["sessions"] > 0
