"""Accuracy can't silently regress: the real model on the 4 views of the accuracy set.

Runs ``posture-feedback analyze`` once per view (100 frames each) and scores the 13 canonical
angles of the ``main`` person against the 4-camera reference as ``../shared/accuracy/score.py``
does: MAE per angle over the frames where both the CSV and the reference have a value, median
over the angles. A view fails when its median MAE rises more than ``TOLERANCE_DEG`` above the
figure recorded in ``tests/data/accuracy/expected.json``, or when the uncertainty's coverage
(|error| <= unc_<angle>) leaves ``COVERAGE_RANGE``. See tests/data/accuracy/README.md.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

from posture_feedback.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "accuracy"
SAMPLES = ROOT / "sample_videos"
#: view → (video, the pixel of the reference's ``main`` person where he is not the largest one)
VIEWS: dict[str, tuple[Path, str | None]] = {
    "cam01": (SAMPLES / "lab_two_people_cam01.mp4", "540,700"),
    "cam02": (SAMPLES / "lab_two_people_cam02.mp4", "540,700"),
    "cam03": (DATA / "cam03.mp4", None),
    "cam04": (DATA / "cam04.mp4", None),
}
#: The 13 angles of the accuracy set's median (the signed leans are scored outside it).
SCORED = (
    "left_elbow_flexion", "right_elbow_flexion", "left_shoulder_elevation", "right_shoulder_elevation",
    "left_hip_flexion", "right_hip_flexion", "left_knee_flexion", "right_knee_flexion", "trunk_inclination",
    "shoulder_tilt", "pelvic_tilt", "head_tilt", "craniovertebral_angle",
)  # fmt: skip
TOLERANCE_DEG = 0.5
COVERAGE_RANGE = (0.65, 0.95)


def _read(path: Path) -> dict[int, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return {int(r["frame"]): r for r in csv.DictReader(f)}


def _num(cell: str | None) -> float:
    try:
        return float(cell) if cell not in (None, "") else math.nan
    except ValueError:
        return math.nan


def score(pred: dict[int, dict[str, str]], ref: dict[int, dict[str, str]]) -> tuple[float, float]:
    """(median over SCORED of the per-angle MAE, share of cells with |error| <= unc)."""
    maes, inside, cells = [], 0, 0
    for name in SCORED:
        errs = []
        for f, r in ref.items():
            p = pred.get(f)
            if p is None or p.get("person") != "1":
                continue
            e = abs(_num(p.get(name)) - _num(r.get(name)))
            if math.isfinite(e):
                errs.append(e)
                u = _num(p.get(f"unc_{name}"))
                if math.isfinite(u):
                    cells += 1
                    inside += e <= u
        if errs:
            maes.append(float(np.mean(errs)))
    return float(np.median(maes)), inside / max(cells, 1)


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[float, float]]:
    pytest.importorskip("scipy")
    out = tmp_path_factory.mktemp("accuracy")
    ref = _read(DATA / "reference_main.csv")
    result = {}
    for view, (video, person) in VIEWS.items():
        path = out / f"{view}.csv"
        args = ["analyze", "--video", str(video), "--out", str(path), "--uncertainty", "--no-progress"]
        assert main(args + (["--person", person] if person else [])) == 0
        result[view] = score(_read(path), ref)
    print("measured (median MAE deg, uncertainty coverage):", json.dumps(result))
    return result


@pytest.mark.parametrize("view", list(VIEWS))
def test_median_mae_does_not_rise(view: str, measured: dict[str, tuple[float, float]]) -> None:
    expected = json.loads((DATA / "expected.json").read_text())["median_mae_deg"][view]
    assert measured[view][0] <= expected + TOLERANCE_DEG, (view, measured[view][0], expected)


@pytest.mark.parametrize("view", list(VIEWS))
def test_uncertainty_still_covers(view: str, measured: dict[str, tuple[float, float]]) -> None:
    lo, hi = COVERAGE_RANGE
    assert lo <= measured[view][1] <= hi, (view, measured[view][1])


def test_the_scorer_agrees_with_hand_worked_errors() -> None:
    ref = {0: {"frame": "0", **dict.fromkeys(SCORED, "10")}, 1: {"frame": "1", **dict.fromkeys(SCORED, "")}}
    pred = {
        0: {"person": "1", **dict.fromkeys(SCORED, "13"), **{f"unc_{n}": "2" for n in SCORED}},
        1: {"person": "1", **dict.fromkeys(SCORED, "50")},  # no reference in frame 1: not scored
    }
    assert score(pred, ref) == (3.0, 0.0)
    pred[0] = {**pred[0], "person": "0"}  # nobody found: not measured
    with pytest.warns(RuntimeWarning):
        assert math.isnan(score(pred, ref)[0])
