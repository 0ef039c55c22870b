"""The marching summary's knee-height symmetry index carries its ± (audit 32).

`exercise marching --headless` on the sports sample printed "knee-height symmetry index 3%" from one
counted step per leg, at 0.345 ± 0.10 and 0.357 ± 0.10 leg lengths: propagated, the index is 3.5 ± 40
percentage points, so the "3%" said nothing about symmetry. Now the line and the --out JSON carry it.
"""

from __future__ import annotations

import json
import math

import pytest
from conftest import SAMPLES

from posture_feedback.cli import main
from posture_feedback.exercises.gait import symmetry_index, symmetry_uncertainty


def test_the_symmetry_index_s_uncertainty_hand_worked() -> None:
    # SI = 200 |L − R| / (L + R); ∂SI/∂L = 400 R / (L + R)², ∂SI/∂R = −400 L / (L + R)²
    assert symmetry_index(0.345, 0.357) == pytest.approx(100 * 0.012 / 0.351, abs=1e-9)
    assert symmetry_uncertainty(0.345, 0.357, 0.10, 0.10) == pytest.approx(
        400 * math.sqrt(0.357**2 * 0.01 + 0.345**2 * 0.01) / 0.702**2, rel=1e-9)  # fmt: skip
    assert symmetry_uncertainty(0.345, 0.357, 0.10, 0.10) == pytest.approx(40.3, abs=0.1)
    # numerically: moving L by its ± moves the index by about ∂SI/∂L · u_L
    step = symmetry_index(0.345 + 1e-6, 0.357) - symmetry_index(0.345, 0.357)
    assert abs(step / 1e-6) == pytest.approx(400 * 0.357 / 0.702**2, rel=1e-3)
    assert math.isnan(symmetry_uncertainty(0.3, math.nan, 0.1, 0.1))


def test_the_march_on_the_sports_sample_writes_its_index_with_its_plus_minus(tmp_path, capsys) -> None:
    out = tmp_path / "march.json"
    code = main(["exercise", "marching", "--headless", "--video", str(SAMPLES / "sports2d_demo.mp4"), "--out",
                 str(out)])  # fmt: skip
    assert code == 0
    (line,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith("marching (both) set 1:")]
    (gait,) = [s["gait"] for s in json.loads(out.read_text(encoding="utf-8"))["sets"] if s.get("gait")]
    left, right = gait["knee_height_left"], gait["knee_height_right"]
    ul, ur = gait["knee_height_left_unc"], gait["knee_height_right_unc"]
    assert ul > 0 and ur > 0
    u = symmetry_uncertainty(left, right, ul, ur)
    assert gait["height_symmetry_unc"] == pytest.approx(u, abs=0.2)  # (the JSON rounds the heights)
    assert f"knee-height symmetry index {gait['height_symmetry']:.0f} ± {u:.0f}%" in line
    assert gait["height_symmetry"] <= u and line.endswith("(no asymmetry this measurement can show)")
