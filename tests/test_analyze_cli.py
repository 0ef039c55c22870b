"""`posture-feedback analyze`: the real model on the real sample video, the CSV contract, bad inputs."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from posture_feedback.angles_csv import BASE_COLUMNS
from posture_feedback.cli import main
from posture_feedback.types import ANGLE_NAMES, View


@pytest.fixture(scope="module")
def sports_run(tmp_path_factory: pytest.TempPathFactory, sports_video: Path) -> tuple[Path, Path, list[dict]]:
    out = tmp_path_factory.mktemp("analyze")
    csv_path, video_path = out / "angles.csv", out / "annotated.mp4"
    code = main(["analyze", "--video", str(sports_video), "--out", str(csv_path), "--annotated", str(video_path),
                 "--targets", "standing", "--max-frames", "120", "--no-progress"])  # fmt: skip
    assert code == 0
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    return csv_path, video_path, rows


def test_csv_header_contract(sports_run) -> None:
    csv_path, _, _ = sports_run
    header = csv_path.read_text().splitlines()[0].split(",")
    assert tuple(header[: len(BASE_COLUMNS)]) == ("frame", "time_s", "person", "view", *ANGLE_NAMES)
    assert "target_forward_head" in header or any(h.startswith("target_") for h in header)


def test_rows_one_per_frame_with_time(sports_run) -> None:
    _, _, rows = sports_run
    assert [int(r["frame"]) for r in rows] == list(range(120))
    assert float(rows[30]["time_s"]) == pytest.approx(1.0, abs=1e-3)
    assert {r["person"] for r in rows} <= {"0", "1"}
    assert {r["view"] for r in rows} <= {v.value for v in View}


def test_person_found_in_nearly_every_frame(sports_run) -> None:
    _, _, rows = sports_run
    found = sum(r["person"] == "1" for r in rows[5:])  # the walker enters the frame in the first frames
    assert found / len(rows[5:]) >= 0.9


def test_angles_plausible(sports_run) -> None:
    _, _, rows = sports_run
    for r in rows:
        for name in ANGLE_NAMES:
            cell = r[name]
            if r["person"] == "0":
                assert cell == ""
            elif cell:
                v = float(cell)
                assert math.isfinite(v)
                limits = (-90, 90) if name.endswith(("tilt", "_lean")) else (-30, 180)  # signed: tilts, leans
                assert limits[0] <= v <= limits[1], (name, v, r["frame"])
    knees = [float(r["left_knee_flexion"]) for r in rows if r["left_knee_flexion"]]
    assert len(knees) > 60 and 0 <= np.median(knees) <= 60  # walking: mostly a fairly straight knee
    assert max(knees) - min(knees) > 20  # and it does bend during the swing phase


def test_annotated_video_has_every_frame(sports_run) -> None:
    _, video_path, _ = sports_run
    cap = cv2.VideoCapture(str(video_path))
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    assert n == 120


def test_summary_printed(sports_video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["analyze", "--video", str(sports_video), "--out", str(tmp_path / "a.csv"), "--max-frames", "15",
              "--no-progress"])  # fmt: skip
        == 0
    )
    text = capsys.readouterr().out
    assert "frames: 15" in text and "person found" in text and "frames/s" in text
    assert "left_knee_flexion" in text


def _write_video(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> Path:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        writer.write(f)
    writer.release()
    return path


def test_video_with_nobody_gives_person_zero_rows(tmp_path: Path) -> None:
    wall = [np.full((240, 320, 3), 90 + i, np.uint8) for i in range(12)]
    video = _write_video(tmp_path / "wall.mp4", wall)
    out = tmp_path / "wall.csv"
    assert main(["analyze", "--video", str(video), "--out", str(out), "--no-progress"]) == 0
    rows = list(csv.DictReader(open(out, newline="")))
    assert len(rows) == 12 and all(r["person"] == "0" for r in rows)
    assert all(r[n] == "" for r in rows for n in ANGLE_NAMES)


def test_positional_video_still_works_with_exactly_a_deprecation_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The old ``analyze VIDEO`` spelling: the same CSV as ``--video VIDEO``, and one note line on stderr."""
    video = _write_video(tmp_path / "wall.mp4", [np.full((240, 320, 3), 90 + i, np.uint8) for i in range(6)])
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    capsys.readouterr()
    assert main(["analyze", str(video), "--out", str(old), "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert err == (
        f"posture-feedback: note: `analyze {video}` is deprecated and will be removed; "
        f"use `analyze --video {video}`\n"
    )
    assert main(["analyze", "--video", str(video), "--out", str(new), "--no-progress"]) == 0
    assert capsys.readouterr().err == ""
    assert old.read_text() == new.read_text()
    code = main(["analyze", str(video), "--video", str(video), "--out", str(old)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("posture-feedback: error: give the video once") and "\n" not in err


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: d / "missing.mp4", "not found"),
        (lambda d: _touch(d / "zero.mp4", b""), "empty"),
        (
            lambda d: _touch(d / "notes.mp4", b"this is a text file, not a video\n" * 40),
            "not a readable video|no readable",
        ),
        (lambda d: _touch(d / "plan.toml", b"[plan]\n"), "not a readable video|no readable"),
        # FFmpeg's tty demuxer opens any .txt file and draws its characters as frames
        (lambda d: _touch(d / "notes.txt", b"a plain text file\n" * 40), "is a text file, not a video"),
        (lambda d: "9", "camera 9 could not be opened"),
    ],
)
def test_bad_input_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], setup, message: str) -> None:
    arg = setup(tmp_path)
    code = main(["analyze", "--video", str(arg), "--out", str(tmp_path / "x.csv"), "--no-progress"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("posture-feedback: error:") and "\n" not in err and "Traceback" not in err
    assert any(m in err for m in message.split("|")), err


def _touch(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_bad_targets_file_is_a_clear_error(tmp_path: Path, sports_video: Path, capsys) -> None:
    bad = tmp_path / "t.toml"
    bad.write_text('[[targets]]\nid = "x"\nangle = "elbow_of_doom"\n')
    code = main(["analyze", "--video", str(sports_video), "--targets", str(bad), "--out", str(tmp_path / "x.csv")])
    err = capsys.readouterr().err
    assert code == 2 and "t.toml" in err and "elbow_of_doom" in err


def test_a_misspelt_preset_names_the_presets(tmp_path: Path, sports_video: Path, capsys) -> None:
    """`--targets siting` said "siting: file not found"; it now lists the presets, in one line."""
    code = main(["analyze", "--video", str(sports_video), "--targets", "siting", "--out", str(tmp_path / "x.csv")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "siting" in err and "no such preset or file" in err and "sitting" in err and "standing" in err
    assert not (tmp_path / "x.csv").exists()


def test_stored_camera_calibration_is_applied(tmp_path: Path, lab_video_front: Path, monkeypatch, capsys) -> None:
    from posture_feedback.calibration.camera import CameraCalibration
    from posture_feedback.calibration.store import CalibrationStore

    monkeypatch.setenv("POSTURE_FEEDBACK_CONFIG_DIR", str(tmp_path))
    assert main(["analyze", "--video", str(lab_video_front), "--camera", "desk", "--out", str(tmp_path / "x.csv")]) == 2
    assert "no camera calibration named 'desk'" in capsys.readouterr().err
    CalibrationStore().save_camera(CameraCalibration(roll_deg=10.0, n_frames=50, axis="ankle"), "desk")

    def median_tilt(extra: list[str]) -> float:
        out = tmp_path / f"t{extra[-1] if extra else 0}.csv"
        args = ["analyze", "--video", str(lab_video_front), "--out", str(out), "--max-frames", "20", "--no-progress"]
        assert main(args + extra) == 0
        rows = list(csv.DictReader(open(out, newline="")))
        return float(np.median([float(r["shoulder_tilt"]) for r in rows if r["shoulder_tilt"]]))

    level, tilted = median_tilt(["--camera", "level"]), median_tilt(["--camera", "desk"])
    assert abs(abs(tilted - level) - 10.0) < 4.0  # a 10° camera roll moves a frontal tilt by about 10°


def test_max_frames_below_one_is_refused_in_one_line(tmp_path: Path, capsys) -> None:
    """A third audit: --max-frames 0 said "sample yielded no frames"."""
    code = main(["analyze", "--video", "sample", "--max-frames", "0", "--out", str(tmp_path / "x.csv")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err == "posture-feedback: error: --max-frames must be at least 1"


def test_valid_only_keeps_exactly_the_valid_cells_unchanged(tmp_path: Path) -> None:
    """An audit: `--valid-only` emptied the invalid cells before the zero-phase filter, so the kept
    values and ± changed and more cells came out valid (404 against 371 on a webcam clip; frame 36's
    head tilt −32.5 ± 8.8 valid where the run without the flag wrote −20.1 ± 23.6 invalid). The real
    model on 90 frames of the desk webcam sample (filtered: no --targets or --annotated): the run
    with --valid-only keeps exactly the cells the run without it marks valid, with the same value,
    ± and flag."""
    video = str(Path(__file__).resolve().parent.parent / "sample_videos" / "lab_desk_webcam.mp4")
    common = ["analyze", "--video", video, "--max-frames", "90", "--validity", "--uncertainty", "--no-progress"]
    full, only = tmp_path / "full.csv", tmp_path / "only.csv"
    assert main([*common, "--out", str(full)]) == 0
    assert main([*common, "--out", str(only), "--valid-only"]) == 0
    a = list(csv.DictReader(open(full, newline="")))
    b = list(csv.DictReader(open(only, newline="")))
    assert len(a) == len(b) == 90
    kept = dropped = 0
    for ra, rb in zip(a, b, strict=True):
        for name in ANGLE_NAMES:
            valid = ra[f"valid_{name}"] == "1"
            assert rb[f"valid_{name}"] == ra[f"valid_{name}"]
            assert rb[f"unc_{name}"] == ra[f"unc_{name}"]
            assert (rb[name] != "") == valid, (ra["frame"], name)
            if valid:
                assert rb[name] == ra[name]
                kept += 1
            dropped += ra[name] != "" and not valid
    assert kept > 100 and dropped > 50  # both kinds of cell are in this clip


def test_an_annotated_name_that_is_no_video_is_one_line_and_nothing_runs(tmp_path: Path, street_image: Path, capsys):
    """An audit: `analyze --video people_collage.jpg --annotated c.png` wrote an MPEG-4 stream named
    c.png and exited 0. Refused now in one line, before the model runs: no CSV, no c.png."""
    out, png = tmp_path / "c.csv", tmp_path / "c.png"
    code = main(["analyze", "--video", str(street_image), "--annotated", str(png), "-o", str(out), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err == (
        f"posture-feedback: error: --annotated {png}: the annotated output is a video (one frame long for a still "
        f"image), and '.png' is not a video extension; use .mp4, .m4v, .mov, .avi, .mkv (e.g. {tmp_path / 'c.mp4'})\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_failed_run_keeps_the_outputs_it_would_have_replaced(tmp_path: Path, capsys) -> None:
    """An audit: a second run of `analyze -o keep.csv` with `--annotated ann.txt` failed (exit 2) and
    left keep.csv cut to its header and half a row: the CSV was opened before the annotated video
    was checked at the first frame. Now every output is checked before anything is opened, and the
    outputs are written under temporary names and moved into place only when the run succeeds:
    whether it fails before the model runs (a bad name, an output on another output or on the
    recording, a place that takes no file) or during the run, keep.csv is unchanged
    byte for byte, and nothing else is left in its folder."""
    work = tmp_path / "work"
    work.mkdir()
    video = _write_video(tmp_path / "wall.mp4", [np.full((240, 320, 3), 90 + i, np.uint8) for i in range(6)])
    keep = work / "keep.csv"
    base = ["analyze", "--video", str(video), "--out", str(keep), "--no-progress"]
    assert main(base) == 0
    before = keep.read_bytes()
    assert before.count(b"\n") == 7  # the header and 6 rows
    capsys.readouterr()
    failures = {
        ("--annotated", str(work / "ann.txt")): "'.txt' is not a video extension",
        ("--mot", str(keep)): f"--mot {keep} is also --out {keep}: give each output a file of its own",
        ("--trc", str(video)): f"--trc {video} is also the recording being analysed",
        # was found at the first frame ("cannot write the annotated video"); now before the run
        ("--annotated", "/proc/ann.mp4"): "cannot write --annotated /proc/ann.mp4: no such file or directory",
    }
    for extra, message in failures.items():
        assert main([*base, *extra]) == 2, extra
        err = capsys.readouterr().err
        assert err.startswith("posture-feedback: error: ") and err.count("\n") == 1 and message in err, err
        assert keep.read_bytes() == before, extra
        assert sorted(p.name for p in work.iterdir()) == ["keep.csv"], extra
    assert main(["analyze", "--video", str(video), "--out", str(video)]) == 2  # the recording itself
    assert "is also the recording being analysed" in capsys.readouterr().err
    assert cv2.VideoCapture(str(video)).get(cv2.CAP_PROP_FRAME_COUNT) == 6
    # a run that succeeds replaces them, and leaves no temporary file behind
    assert main([*base, "--annotated", str(work / "a.mp4"), "--trc", str(work / "m.trc")]) == 0
    assert sorted(p.name for p in work.iterdir()) == ["a.mp4", "keep.csv", "m.trc"]


def test_person_outside_the_frame_or_where_nobody_is(tmp_path: Path, capsys) -> None:
    """An audit: `--person 99999,5` and `--person 5,5` on a 640×480 webcam clip both ran (exit 0) to
    "nobody was found in this recording" while the people column showed 1–2. A point outside the
    frame is now one error line before the model runs (no CSV); a point inside where nobody is says
    so, with the most people seen in a frame (the CSV's own `people` column)."""
    video = str(Path(__file__).resolve().parent.parent / "sample_videos" / "lab_desk_webcam.mp4")
    out = tmp_path / "p.csv"
    base = ["analyze", "--video", video, "--out", str(out), "--max-frames", "6", "--no-progress"]
    assert main([*base, "--person", "99999,5"]) == 2
    captured = capsys.readouterr()
    assert captured.err == ("posture-feedback: error: --person 99999,5 is outside the 640×480 frame: give a point on "
                            "the person, x from 0 to 639 and y from 0 to 479 (pixels from the top left)\n")  # fmt: skip
    assert not out.exists()
    # a point inside where nobody ever is: exit 2 and nothing written (a fresh-clone audit: it wrote 198
    # rows of person=0 over an existing CSV and exited 0, so a script could not tell)
    out.write_text("kept\n")
    assert main([*base, "--person", "5,5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("posture-feedback: error: nobody at the point you gave (5, 5): "), err
    assert " seen (the most in one frame), none there; nothing written" in err[0]
    assert out.read_text() == "kept\n" and sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]
    assert main([*base, "--no-filter"]) == 0  # the same clip without the point: people are there
    rows = list(csv.DictReader(open(out, newline="")))
    assert max(int(r["people"]) for r in rows) >= 1 and any(r["person"] == "1" for r in rows)
