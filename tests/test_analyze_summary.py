"""`analyze`'s summary table states only valid angles (real model on the bundled sample).

An audit (2026-12) ran ``analyze --video sample --uncertainty --validity``: the table printed
trunk_inclination 40.0 (median over 129 frames) from guessed hips (``lab_desk_webcam.mp4`` is
cropped at the lower ribs, sample_videos/README.md; the man leans sideways, up to 43°, median 29° in
the 4-camera reference), while the CSV's ``valid_trunk_inclination`` was 0 in every frame; with
``--max-frames 5`` it printed head_forward_lean 109.2 from the model's first frames of the person, which judge nothing
(``kinematics.ACQUISITION_FRAMES``). The table is the first thing a clinician reads: its median,
min and max now come from the valid frames only, with the valid and the measured counts beside
them, and "—" where no frame is valid. The CSV is unchanged.
"""

from __future__ import annotations

import contextlib
import csv
import io
import statistics
from pathlib import Path

import pytest

from posture_feedback.cli import main
from posture_feedback.kinematics import ACQUISITION_FRAMES
from posture_feedback.types import ANGLE_NAMES

FRAMES = "150"  # 5 s of the 198-frame sample


def _run(tmp_path: Path, name: str, *flags: str) -> tuple[dict, list[dict]]:
    """(the table: angle → (median, min, max, valid, measured), None for "—"; the CSV rows)."""
    out = tmp_path / f"{name}.csv"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["analyze", "--video", "sample", "--out", str(out), "--no-progress", *flags]) == 0
    text = printed.getvalue()
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("angle (degrees)"))
    assert lines[head].split() == ["angle", "(degrees)", "median", "min", "max", "valid", "measured"]
    table = {}
    for line in lines[head + 1 : head + 1 + len(ANGLE_NAMES)]:
        name_, *cells = line.split()
        stats = [None if c == "—" else float(c) for c in cells[:3]]
        table[name_] = (*stats, int(cells[3]), int(cells[4]))
    assert list(table) == list(ANGLE_NAMES)
    assert lines[head + 1 + len(ANGLE_NAMES)].startswith("median, min, max over the valid frames")
    with open(out, newline="", encoding="utf-8") as f:
        return table, list(csv.DictReader(f))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The sample's first 150 frames with --uncertainty --validity, with no flag, with --uncertainty, with
    --valid-only, and with --validity --no-filter (the live angles)."""
    tmp = tmp_path_factory.mktemp("summary")
    return {
        "validity": _run(tmp, "validity", "--max-frames", FRAMES, "--uncertainty", "--validity"),
        "plain": _run(tmp, "plain", "--max-frames", FRAMES),
        "uncertainty": _run(tmp, "uncertainty", "--max-frames", FRAMES, "--uncertainty"),
        "valid_only": _run(tmp, "valid_only", "--max-frames", FRAMES, "--valid-only"),
        "live": _run(tmp, "live", "--max-frames", FRAMES, "--validity", "--no-filter"),
    }


@pytest.mark.parametrize("run", ["validity", "live"])
def test_the_table_states_the_valid_frames_of_the_csv(runs, run: str) -> None:
    """Filtered (the filter's own validity, its jitter included) and live (--no-filter) alike."""
    table, rows = runs[run]
    assert len(rows) == int(FRAMES)
    for name in ANGLE_NAMES:
        median, low, high, valid, measured = table[name]
        values = [float(r[name]) for r in rows if r[name]]
        kept = [float(r[name]) for r in rows if r[name] and r[f"valid_{name}"] == "1"]
        assert (valid, measured) == (len(kept), len(values)), name
        if kept:
            assert median == pytest.approx(statistics.median(kept), abs=0.051), name
            assert (low, high) == (pytest.approx(min(kept), abs=0.051), pytest.approx(max(kept), abs=0.051)), name
        else:
            assert (median, low, high) == (None, None, None), name
    # The crop ends at the lower ribs: no hip or trunk angle is judgeable, whatever the model placed
    # there (the audit's "trunk_inclination 40.0", stated from guessed hips).
    for name in ("trunk_inclination", "trunk_forward_lean", "left_hip_flexion", "right_hip_flexion"):
        assert table[name][:4] == (None, None, None, 0), (name, table[name])
    assert table["trunk_inclination"][4] > 0  # measured, and rightly not stated
    assert table["shoulder_tilt"][3] > 0  # the face-on shoulders are judged


def test_the_table_does_not_depend_on_which_columns_are_written(runs) -> None:
    """Without --validity (with or without --uncertainty) the table still holds the valid frames only
    (the same as with it: the filter's validity, jitter included, from the ± as written); with
    --valid-only the CSV's only values are those, so measured = valid. The CSV's values are the
    same in all three runs (--valid-only empties the invalid cells only)."""
    validity, plain, valid_only = runs["validity"][0], runs["plain"][0], runs["valid_only"][0]
    for name in ANGLE_NAMES:
        assert plain[name] == validity[name] == runs["uncertainty"][0][name], name
        assert valid_only[name][:4] == validity[name][:4] and valid_only[name][4] == validity[name][3], name
    rows_v, rows_p, rows_o = runs["validity"][1], runs["plain"][1], runs["valid_only"][1]
    assert not any(k.startswith(("valid_", "unc_")) for k in rows_p[0])  # only the columns asked for
    for rv, rp, ro in zip(rows_v, rows_p, rows_o, strict=True):
        for name in ANGLE_NAMES:
            assert rp[name] == rv[name]
            assert ro[name] == (rv[name] if rv[f"valid_{name}"] == "1" else "")


def test_the_first_frames_of_a_person_state_nothing(tmp_path: Path) -> None:
    """--max-frames 5: all within the model's acquisition of the person (they judge nothing, the CSV's
    validity is 0): every angle "—" with 0 valid (the audit's head_forward_lean 109.2)."""
    assert ACQUISITION_FRAMES > 5
    table, rows = _run(tmp_path, "first", "--max-frames", "5", "--validity")
    assert all(r[f"valid_{n}"] in ("0", "") for r in rows for n in ANGLE_NAMES)
    for name in ANGLE_NAMES:
        assert table[name][:4] == (None, None, None, 0), (name, table[name])
    # measured, stated in none (the head lines may be missing outright: the model's first rough
    # landmarks put the face on the chest there, garbled_face)
    assert table["shoulder_tilt"][4] >= 4
