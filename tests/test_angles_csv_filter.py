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


def test_valid_only_is_the_last_step_and_changes_no_kept_cell(tmp_path: Path) -> None:
    """An audit: --valid-only emptied the invalid cells *before* the filter, so the valid ones were cut
    into runs shorter than 10 frames, left unfiltered with no jitter in their ±, and more of them were
    marked valid (frame 36's head tilt −32.5 ± 8.8 valid, −20.1 ± 23.6 invalid without the flag).
    Here one column of 6° noise has every 8th frame invalid in its view (valid_ 0 as written): with
    --valid-only the kept cells must be the same values, ± and flags as the pass without it."""
    rng = np.random.default_rng(1)
    n = len(ANGLE_NAMES)
    values = 30.0 + rng.normal(0.0, 6.0, (120, n))
    full, only = tmp_path / "full.csv", tmp_path / "only.csv"
    for path in (full, only):
        _write(path, values, 8.0, np.ones(120, bool))
        rows = _read(path)
        for k, r in enumerate(rows):
            if k % 8 == 0:
                r[f"valid_{ANGLE_NAMES[0]}"] = "0"
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    filter_angle_csv(full, 30.0)
    filter_angle_csv(only, 30.0, valid_only=True, keep_uncertainty=False, keep_validity=False)
    a, b = _read(full), _read(only)
    assert not any(k.startswith(("unc_", "valid_")) for k in b[0])
    kept = 0
    for ra, rb in zip(a, b, strict=True):
        for name in ANGLE_NAMES:
            assert (rb[name] != "") == (ra[f"valid_{name}"] == "1")  # kept exactly where valid
            if rb[name]:
                assert rb[name] == ra[name]
                kept += 1
    assert kept > 0
    # the invalid frames of column 0 are empty, the filter still ran over them: jitter withdrew validity
    assert all(r[ANGLE_NAMES[0]] == "" for r in b[::8])
    assert any(r[f"valid_{ANGLE_NAMES[0]}"] == "0" for k, r in enumerate(a) if k % 8)


def test_valid_only_without_validity_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    with open(path, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(
            [["frame", "time_s", "person", "view", *ANGLE_NAMES], [0, "0.0", 1, "front", *["1.0"] * len(ANGLE_NAMES)]]
        )
    with pytest.raises(ValueError, match="valid_"):
        filter_angle_csv(path, 30.0, valid_only=True)


def test_a_fragment_too_short_to_filter_is_not_valid(tmp_path: Path) -> None:
    """Five frames measured between two gaps can neither be filtered nor show their jitter (a
    review of 2026-12-07: such fragments were left raw with no jitter term, so the most jittery
    frames of cam03, where the model's face came and went, read head tilts of −58° *valid* beside
    a reference of −35°). They keep their raw values and are not valid; the long runs are as before."""
    rng = np.random.default_rng(1)
    values = 30.0 + rng.normal(0, 0.2, (60, len(ANGLE_NAMES)))
    person = np.ones(60, bool)
    person[20:25] = False
    person[30:35] = False  # frames 25-29: a 5-frame fragment between two gaps
    path = tmp_path / "a.csv"
    _write(path, values, 5.0, person)
    filter_angle_csv(path, 30.0)
    rows = _read(path)
    n0 = ANGLE_NAMES[0]
    assert [float(rows[k][n0]) for k in range(25, 30)] == pytest.approx(list(values[25:30, 0]), abs=0.01)
    assert all(rows[k][f"valid_{n0}"] == "0" for k in range(25, 30))
    assert all(rows[k][f"valid_{n0}"] == "1" for k in (*range(0, 20), *range(35, 60)))
    # its ± keeps a jitter term, its neighbours' (not none): at least the ± written before the pass
    assert all(float(rows[k][f"unc_{n0}"]) >= 5.0 for k in range(25, 30))
