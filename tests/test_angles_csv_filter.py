"""analyze's zero-phase pass over the angle CSV: filtered angles, jitter in unc_, validity from unc_."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from posture_feedback.types import ANGLE_NAMES

pytest.importorskip("scipy")

from posture_feedback.angles_csv import filter_angle_csv  # noqa: E402
from posture_feedback.kinematics import UNC_JITTER, VALID_MAX_UNCERTAINTY  # noqa: E402


def _write(path: Path, values: np.ndarray, unc: float, person: np.ndarray) -> None:
    header = ["frame", "time_s", "person", "view", *ANGLE_NAMES, "azimuth_deg", "people", "track_id"]
    header += [f"valid_{n}" for n in ANGLE_NAMES] + [f"unc_{n}" for n in ANGLE_NAMES] + ["cue"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for k, row in enumerate(values):
            found = bool(person[k])
            n = len(ANGLE_NAMES)
            cells = [f"{x:.2f}" if found else "" for x in row]
            valid = [1] * n if found else [""] * n
            uncs = [f"{unc:.1f}"] * n if found else [""] * n
            w.writerow([k, f"{k / 30:.4f}", int(found), "front", *cells, "0.0", 1, 1, *valid, *uncs, "cue text"])


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_filter_smooths_adds_jitter_and_withdraws_validity(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    t = np.arange(150) / 30.0
    slow = 30.0 + 10.0 * np.sin(2 * np.pi * 0.3 * t)
    values = np.column_stack([slow + rng.normal(0, s, t.size) for s in np.linspace(0.0, 6.0, len(ANGLE_NAMES))])
    person = np.ones(t.size, bool)
    person[70:75] = False  # nobody for 5 frames: a gap, never bridged
    path = tmp_path / "a.csv"
    _write(path, values, 8.0, person)
    filter_angle_csv(path, 30.0)
    rows = _read(path)
    assert [r["cue"] for r in rows] == ["cue text"] * 150  # other columns untouched
    assert all(r[ANGLE_NAMES[0]] == "" for r in rows[70:75])
    got = np.array([[float(r[n]) if r[n] else np.nan for n in ANGLE_NAMES] for r in rows])
    core = np.r_[10:60, 85:140]
    noisy = len(ANGLE_NAMES) - 1  # 6 deg of noise: the filter removes most of it
    assert np.std(got[core, noisy] - slow[core]) < 0.5 * np.std(values[core, noisy] - slow[core])
    assert np.max(np.abs(got[core, 0] - slow[core])) < 0.3  # the clean column keeps its movement
    unc = np.array([[float(r[f"unc_{n}"]) if r[f"unc_{n}"] else np.nan for n in ANGLE_NAMES] for r in rows])
    assert unc[core, 0] == pytest.approx(8.0, abs=0.1)  # no jitter: unc unchanged
    # 6 deg noise -> ~5.5 deg jitter -> sqrt(8^2 + (2.6 * 5.5)^2) ~ 16 deg > the 15 deg bound
    expected = math.sqrt(8.0**2 + (UNC_JITTER * 6.0 * math.sqrt(1 - 3.0 / 15.0)) ** 2)
    assert np.median(unc[core, noisy]) == pytest.approx(expected, rel=0.2)
    valid = np.array([[r[f"valid_{n}"] for n in ANGLE_NAMES] for r in rows])
    assert (valid[core, 0] == "1").all()
    clear = np.abs(unc[core, noisy] - VALID_MAX_UNCERTAINTY) > 0.1  # unc_ is written to 0.1 deg
    assert ((valid[core, noisy] == "0") == (unc[core, noisy] > VALID_MAX_UNCERTAINTY))[clear].all()
    assert (valid[core, noisy] == "0").any()


def test_filter_drops_unc_columns_when_not_asked_and_blanks_invalid_with_valid_only(tmp_path: Path) -> None:
    values = np.tile(np.linspace(0, 40, 60)[:, None], (1, len(ANGLE_NAMES)))
    path = tmp_path / "b.csv"
    _write(path, values, 30.0, np.ones(60, bool))  # unc 30 > 15: nothing may stay valid
    filter_angle_csv(path, 30.0, keep_uncertainty=False, valid_only=True)
    rows = _read(path)
    assert not any(k.startswith("unc_") for k in rows[0])
    assert all(r[n] == "" and r[f"valid_{n}"] == "0" for r in rows for n in ANGLE_NAMES)
