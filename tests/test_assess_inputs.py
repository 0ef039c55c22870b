"""`assess` refuses bad input with one line before any video is read (a fourteenth audit: ``--previous
notjson`` was refused only after the whole video was analysed, and ``--age -5`` was accepted)."""

from __future__ import annotations

import pytest
from conftest import SAMPLES

from posture_feedback.cli import main

VIDEO = str(SAMPLES / "lab_desk_webcam.mp4")


def _refused(capsys, argv: list[str]) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2
    assert "analysing" not in captured.out  # nothing was read from the video
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("posture-feedback: error:")
    return lines[0]


@pytest.mark.parametrize("content", ["not json", "[]", '{"kind": "posture"}'])
def test_a_bad_previous_record_is_refused_before_the_video(tmp_path, capsys, content):
    bad = tmp_path / "previous.json"
    bad.write_text(content, encoding="utf-8")
    for argv in (["assess", "chair", "thirty_second_chair_stand", "--video", VIDEO, "--age", "70"],
                 ["assess", "posture", "--front", VIDEO],
                 ["assess", "rom", "shoulder_abduction", "--video", VIDEO],
                 ["assess", "movement", "overhead_squat", "--front", VIDEO]):  # fmt: skip
        line = _refused(capsys, [*argv, "--previous", str(bad), "--out", str(tmp_path / "out")])
        assert str(bad) in line or "assessment record" in line
    assert not (tmp_path / "out").exists()


def test_a_missing_previous_record_is_refused_before_the_video(tmp_path, capsys):
    line = _refused(capsys, ["assess", "chair", "five_times_sit_to_stand", "--video", VIDEO,
                             "--previous", str(tmp_path / "none.json")])  # fmt: skip
    assert "no assessment record at" in line


@pytest.mark.parametrize("age", ["-5", "121", "abc", "70.5"])
def test_an_impossible_age_is_refused(capsys, age):
    line = _refused(capsys, ["assess", "chair", "thirty_second_chair_stand", "--video", VIDEO, "--age", age])
    assert "--age" in line


def test_possible_ages_pass_the_check():
    from posture_feedback.commands import MAX_AGE_YEARS, age_years

    assert [age_years(a) for a in ("0", "66", str(MAX_AGE_YEARS))] == [0, 66, 120]


def test_an_unknown_profile_is_refused_before_the_video(tmp_path, capsys):
    """A review of the audit's fix: ``assess rom … --profile Nobody`` analysed the video, then refused."""
    data = str(tmp_path / "data")
    for argv in (["assess", "chair", "thirty_second_chair_stand", "--video", VIDEO, "--age", "70"],
                 ["assess", "rom", "shoulder_abduction", "--video", VIDEO],
                 ["assess", "movement", "overhead_squat", "--front", VIDEO]):  # fmt: skip
        line = _refused(capsys, [*argv, "--profile", "Nobody", "--data-dir", data, "--out", str(tmp_path / "o")])
        assert "Nobody" in line
    assert not (tmp_path / "o").exists()
