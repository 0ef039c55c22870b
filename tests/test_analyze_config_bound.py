"""`analyze --config` with `[pipeline] bound_every_angle = true` (audit 31). config.default.toml documents
the parameter ("every angle is valid only while its uncertainty is within 15°, so that targets judge …
only such values"), the app obeys it, and analyze replaced it with --valid-only's value, so the file's
true was silently ignored. The real model on the bundled desk sample (level camera, 40 frames): without
the file the shoulder tilt of about −27° ± 22° is judged by its interval (out_low beside valid_ 0, as the
app judges it); with the file every such cell is `unknown`, and every verdict stands beside a value
within the bound."""

from __future__ import annotations

import csv

from conftest import SAMPLES

from posture_feedback.cli import main


def _rows(tmp_path, name: str, *extra: str) -> list[dict[str, str]]:
    out = tmp_path / f"{name}.csv"
    argv = ["analyze", "--video", str(SAMPLES / "lab_desk_webcam.mp4"), "--out", str(out), "--targets",
            "standing-front", "--camera", "level", "--validity", "--uncertainty", "--max-frames", "40",
            "--no-progress", *extra]  # fmt: skip
    assert main(argv) == 0
    with out.open(newline="") as f:
        return list(csv.DictReader(f))


def test_a_config_file_asking_for_the_bound_is_obeyed(tmp_path, capsys):
    config = tmp_path / "bound.toml"
    config.write_text("[pipeline]\nbound_every_angle = true\n")
    plain = _rows(tmp_path, "plain")
    bound = _rows(tmp_path, "bound", "--config", str(config))
    capsys.readouterr()
    judged_wide = [r for r in plain if r["valid_shoulder_tilt"] == "0" and r["target_shoulder_level"] in
                   ("out_low", "out_high", "in_range", "near")]  # fmt: skip
    assert judged_wide, "the plain run judges some wide shoulder tilts by their interval"
    assert len(bound) == len(plain)
    for p, b in zip(plain, bound, strict=True):
        assert b["shoulder_tilt"] == p["shoulder_tilt"]  # the values are the same; only what is judged differs
        if b["target_shoulder_level"] not in ("unknown", ""):
            assert b["valid_shoulder_tilt"] == "1"
        if p["valid_shoulder_tilt"] == "0":
            assert b["target_shoulder_level"] in ("unknown", "")
