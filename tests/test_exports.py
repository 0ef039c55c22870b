"""``analyze --trc`` / ``--mot``: OpenSim marker and motion files, read back here with the csv module
(not with the code that wrote them) and checked against the angle CSV of the same run and against
the body: a person standing in front of the camera has the nose above the shoulders above the hips
above the ankles (Y up), and shoulders 0.25–0.50 m apart (adult biacromial breadth, e.g. NASA-STD-3000
anthropometry: 5th percentile female 0.33 m to 95th percentile male 0.43 m).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from posture_feedback.cli import main

FRAMES = 40


@pytest.fixture(scope="module")
def exported(sports_video: Path, tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("exports")
    paths = {"csv": d / "a.csv", "trc": d / "a.trc", "mot": d / "a.mot"}
    code = main(["analyze", "--video", str(sports_video), "--out", str(paths["csv"]), "--trc", str(paths["trc"]),
                 "--mot", str(paths["mot"]), "--max-frames", str(FRAMES), "--no-progress",
                 "--max-people", "1"])  # fmt: skip
    assert code == 0
    return paths


def _csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(newline="", encoding="utf-8")))


def _tsv(path: Path) -> list[list[str]]:
    return [line.rstrip("\n").split("\t") for line in path.open(encoding="utf-8")]


def test_trc_header_markers_and_values(exported):
    lines = _tsv(exported["trc"])
    assert lines[0][:3] == ["PathFileType", "4", "(X/Y/Z)"] and lines[0][3] == "a.trc"
    header = dict(zip(lines[1], lines[2], strict=True))
    assert header["DataRate"] == header["CameraRate"] == header["OrigDataRate"] == "30.00"  # the clip is 30 fps
    assert header["NumFrames"] == str(FRAMES) and header["OrigNumFrames"] == str(FRAMES)
    assert header["NumMarkers"] == "33" and header["Units"] == "m"
    names = [n for n in lines[3][2:] if n]
    assert lines[3][:2] == ["Frame#", "Time"] and len(names) == 33
    assert names[0] == "nose" and names[11:13] == ["left_shoulder", "right_shoulder"]  # BlazePose order
    assert lines[3][2:5] == ["nose", "", ""]  # each name spans its X, Y, Z columns
    assert lines[4][2:5] == ["X1", "Y1", "Z1"] and lines[4][-3:] == ["X33", "Y33", "Z33"]
    assert lines[5] == [""]
    data = lines[6:]
    assert [int(r[0]) for r in data] == list(range(1, FRAMES + 1))
    rows = _csv_rows(exported["csv"])
    assert [float(r[1]) for r in data] == pytest.approx([float(r["time_s"]) for r in rows], abs=1e-4)
    xyz = np.array([[float(v) for v in r[2:]] for r in data]).reshape(FRAMES, 33, 3)
    index = {n: i for i, n in enumerate(names)}
    found = [i for i, r in enumerate(rows) if r["person"] == "1"]
    assert len(found) >= FRAMES // 2
    # The body, over the frames with a person (medians: the model's first tracked frames wobble):
    # Y up puts the head above the shoulders above the hips above the ankles, and the shoulders are
    # an adult's width apart.
    y = {n: np.nanmedian(xyz[found, index[n], 1]) for n in ("nose", "left_shoulder", "left_hip", "left_ankle")}
    assert y["nose"] > y["left_shoulder"] > y["left_hip"] > y["left_ankle"], y
    shoulders = xyz[found, index["left_shoulder"]] - xyz[found, index["right_shoulder"]]
    width = np.nanmedian(np.linalg.norm(shoulders, axis=1))
    assert 0.25 < width < 0.50, width
    hips = (xyz[found][:, index["left_hip"]] + xyz[found][:, index["right_hip"]]) / 2
    assert np.nanmax(np.abs(hips)) < 0.05  # the origin is the centre of the hips in every frame
    for i in (i for i, r in enumerate(rows) if r["person"] == "0"):
        assert np.isnan(xyz[i]).all()  # nobody found: missing markers, never a guess


def test_mot_header_and_angles_match_the_csv(exported):
    lines = _tsv(exported["mot"])
    end = lines.index(["endheader"])
    meta = dict(line[0].split("=", 1) for line in lines[:end] if "=" in line[0])
    assert lines[0] == ["a"]
    columns = lines[end + 1]
    rows = _csv_rows(exported["csv"])
    header = list(rows[0])
    angle_columns = header[header.index("view") + 1 : header.index("azimuth_deg")]  # the CSV's angle columns
    assert len(angle_columns) >= 13
    assert columns == ["time", *angle_columns]
    assert meta == {"version": "1", "nRows": str(FRAMES), "nColumns": str(len(columns)), "inDegrees": "yes"}
    data = lines[end + 2 :]
    assert len(data) == FRAMES
    compared = 0
    for mot, row in zip(data, rows, strict=True):
        assert float(mot[0]) == pytest.approx(float(row["time_s"]), abs=1e-4)
        for name, value in zip(angle_columns, mot[1:], strict=True):
            if row[name] == "":
                assert value == "NaN", (name, value)
            else:
                assert float(value) == pytest.approx(float(row[name]), abs=0.006)  # CSV has 2 decimals
                compared += 1
    assert compared > FRAMES * 5


def test_analyze_takes_video_as_an_option_and_refuses_it_twice(sports_video, tmp_path, capsys):
    assert main(["analyze", str(sports_video), "--video", str(sports_video), "--out", str(tmp_path / "x.csv")]) == 2
    assert "give the video once" in capsys.readouterr().err
    assert main(["analyze", "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "posture-feedback: error: which recording? add --video FILE (or --video sample)"


def test_the_trc_is_levelled_to_the_worlds_vertical():
    """A third audit: the TRC's Y was the camera's up, so a tilted camera made an upright person lean
    (cam01: 27.7° where the CSV said 3°). Hand-worked: a camera pitched 30° down sees the world's
    up as (0, −cos 30°, −sin 30°) in MediaPipe axes (y down, z away from the camera)."""
    import math

    import numpy as np

    from posture_feedback.exports import LEVEL_UP, level_rotation

    p = math.radians(30.0)
    up = np.array([0.0, -math.cos(p), -math.sin(p)])
    r = level_rotation(up)
    np.testing.assert_allclose(r @ up, LEVEL_UP, atol=1e-12)
    np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-12)  # a rotation
    assert np.linalg.det(r) == pytest.approx(1.0)
    np.testing.assert_allclose(r @ [1.0, 0.0, 0.0], [1.0, 0.0, 0.0], atol=1e-12)  # a pure pitch keeps x
    # A trunk standing upright in the world (along up) is vertical in the TRC: (0, +len, 0) after y flips.
    trunk = 0.5 * up
    trc = np.diag([1.0, -1.0, -1.0]) @ (r @ trunk)
    np.testing.assert_allclose(trc, [0.0, 0.5, 0.0], atol=1e-12)
    np.testing.assert_allclose(level_rotation(None), np.eye(3))
    np.testing.assert_allclose(level_rotation(LEVEL_UP), np.eye(3), atol=1e-12)
