"""A refused import leaves no database behind in a new data folder.

An audit (2026-12): ``profile import-programme --data-dir NEWDIR bad.pfprogramme`` said why the file
was refused, correctly, but left an empty ``NEWDIR/posture-feedback.sqlite3``: the database was
opened (and created) before the file was read. The same held for ``import-results``. Real files
through the real command line: a text file named .pfprogramme, a real programme cut short, a results
file that is not JSON, and a good results file where no profile exists yet; each is one line on
stderr and no folder. A good programme into a new folder still creates it (the patient's laptop).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from posture_feedback.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """A real programme and results file from a clinic's database, and damaged copies."""
    tmp = tmp_path_factory.mktemp("clinic")
    data = str(tmp / "clinic")
    assert main(["profile", "create", "--profile", "Ann", "--data-dir", data]) == 0
    assert main(["profile", "add-plan", "--profile", "Ann", str(ROOT / "examples" / "plans" / "shoulder_week1.toml"),
                 "--data-dir", data]) == 0  # fmt: skip
    good = tmp / "ann.pfprogramme"
    assert main(["profile", "export-programme", "--profile", "Ann", "--out", str(good), "--data-dir", data]) == 0
    results = tmp / "ann.pfresults.json"
    assert main(["profile", "export-results", "--profile", "Ann", "--out", str(results), "--data-dir", data]) == 0
    text = tmp / "text.pfprogramme"
    text.write_text("not a programme\n")
    cut = tmp / "cut.pfprogramme"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    notjson = tmp / "bad.pfresults.json"
    notjson.write_text(results.read_text()[:-40])
    assert json.loads(results.read_text())["format"] == "posture-feedback-results"
    return {"good": good, "text": text, "cut": cut, "results": results, "notjson": notjson}


@pytest.mark.parametrize(
    "command,file,says",
    [
        ("import-programme", "text", "is not a readable programme file"),
        ("import-programme", "cut", "is not a readable programme file"),
        ("import-results", "notjson", "is not a posture-feedback results file (not JSON"),
        ("import-results", "results", "no profiles yet in "),
    ],
)
def test_a_refused_import_creates_no_database(files, tmp_path, capsys, command, file, says):
    new = tmp_path / "NEWDIR"
    capsys.readouterr()
    assert main(["profile", command, "--data-dir", str(new), str(files[file])]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("posture-feedback: error: ") and says in err[0], err
    assert not new.exists()  # no folder, no empty database


def test_a_good_programme_still_creates_the_patients_database(files, tmp_path):
    new = tmp_path / "NEWDIR"
    assert main(["profile", "import-programme", "--data-dir", str(new), str(files["good"])]) == 0
    assert (new / "posture-feedback.sqlite3").stat().st_size > 0
