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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["assess", "posture", "--front", VIDEO, "--hold", "-1"], "argument --hold: '-1' must be above 0"),
        (["assess", "posture", "--front", VIDEO, "--capture", "0"], "argument --capture: '0' must be above 0"),
        (["assess", "posture", "--front", VIDEO, "--max-speed", "-0.1"], "--max-speed: '-0.1' must be above 0"),
        (["assess", "rom", "hip_flexion", "--video", VIDEO, "--min-prominence=-5"],
         "argument --min-prominence: '-5' must be above 0"),
        (["assess", "posture", "--front", VIDEO, "--roll", "400"], "'400' is not a camera roll (-90 to 90 degrees)"),
        (["assess", "posture", "--front", VIDEO, "--max-frames", "0"], "argument --max-frames: 0 must be at least 1"),
        (["assess", "chair", "five_times_sit_to_stand", "--video", VIDEO, "--max-frames", "-3"],
         "argument --max-frames: -3 must be at least 1"),
    ],
)
def test_an_impossible_number_is_refused_before_the_video(tmp_path, capsys, argv, message):
    """Audit 28: `--hold -1`, `--capture 0`, `--max-speed -1` and `--max-frames 0` analysed the whole
    video and then said "no still front view of at least -1 s" or "nobody found in the recording";
    `--roll 400` was applied as "roll +400.0°"; `--min-prominence -5` reached a ValueError."""
    line = _refused(capsys, [*argv, "--out", str(tmp_path / "out")])
    assert message in line, line
    assert not (tmp_path / "out").exists()


def test_possible_numbers_pass_the_checks():
    from posture_feedback.commands import frame_count, positive_float, roll_degrees

    assert [positive_float(v) for v in ("0.5", "2")] == [0.5, 2.0]
    assert [roll_degrees(v) for v in ("-90", "0", "2.6", "90")] == [-90.0, 0.0, 2.6, 90.0]
    assert frame_count("1") == 1


def test_a_folder_given_as_the_previous_record_is_named_so(tmp_path, capsys):
    """Audit 28: `--previous FOLDER` said "cannot read assessment record …: [Errno 21] Is a directory: '…'"
    (an assessment's output folder holds the record.json asked for)."""
    line = _refused(capsys, ["assess", "posture", "--front", VIDEO, "--previous", str(tmp_path)])
    assert line == f"posture-feedback: error: {tmp_path} is a folder: give the record.json in it"


def test_the_min_prominence_help_states_the_tests_own_defaults(capsys):
    """`assess rom --help` gave no default for --min-prominence (audit 31); it now says 20°, 10° for
    the trunk and neck, which must be what the ROM tests use when the option is not given."""
    from posture_feedback.assessment.rom import ROM_TESTS

    with pytest.raises(SystemExit):
        main(["assess", "rom", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "rise and fall (default: 20, 10 for the trunk and neck)" in help_text
    for name, test in ROM_TESTS.items():
        expected = 10.0 if name in ("trunk_lateral_flexion", "neck_lateral_flexion") else 20.0
        assert test.min_prominence == expected, name


def test_the_posture_gate_help_states_the_defaults_it_uses(capsys):
    """`assess posture --help` gave no default for --hold and --max-speed (audit 31); the defaults it
    now states are the ones parsed and the view gate's own (viewgate.MAX_SPEED)."""
    from posture_feedback.assessment.viewgate import MAX_SPEED
    from posture_feedback.cli import build_parser

    with pytest.raises(SystemExit):
        main(["assess", "posture", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "right and still (default 1)" in help_text
    assert "after that (default 2)" in help_text
    assert "(body heights/s; default 0.15)" in help_text
    args = build_parser().parse_args(["assess", "posture", "--front", "f.mp4", "--side", "s.mp4"])
    assert (args.hold, args.capture, args.max_speed) == (1.0, 2.0, MAX_SPEED)


def test_the_assess_help_names_every_kind_it_runs(capsys):
    """`posture-feedback --help` and `assess --help` named the posture, ROM and movement screens but
    not the timed chair tests (audit 31), which `assess chair` runs and README lists."""
    with pytest.raises(SystemExit):
        main(["--help"])
    top = " ".join(capsys.readouterr().out.split())
    assert "posture screen, ROM test, movement screen, timed chair tests" in top
    with pytest.raises(SystemExit):
        main(["assess", "--help"])
    assert "timed chair tests from recorded videos" in " ".join(capsys.readouterr().out.split())


def test_assess_tests_lists_every_name_in_one_column(capsys):
    """`assess tests` printed 'thirty_second_chair_stand Sit in …' out of its 24-character column
    (audit 31): every instruction now starts in one column, after the longest name."""
    assert main(["assess", "tests"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    starts = {len(line) - len(line[2:].split(" ", 1)[1].lstrip()) for line in rows}
    assert len(rows) >= 12 and len(starts) == 1
