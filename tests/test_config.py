"""The one documented configuration file: complete, current, and strictly validated."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from posture_feedback.config import (
    SECTIONS,
    ConfigError,
    config_from_dict,
    default_config_text,
    field_docs,
    load_config,
)
from posture_feedback.pipeline import PipelineOptions
from posture_feedback.pose import RunningMode

ROOT = Path(__file__).resolve().parent.parent


def test_committed_default_config_is_current() -> None:
    assert (ROOT / "config.default.toml").read_text() == default_config_text(), (
        "regenerate with: posture-feedback config > config.default.toml"
    )


def test_every_parameter_is_documented() -> None:
    for section, (cls, _) in SECTIONS.items():
        docs = field_docs(cls)
        for f in dataclasses.fields(cls):
            if f.name in ("pose", "selection", "smoothing", "up"):
                continue
            assert docs.get(f.name), f"[{section}] {f.name} has no documentation in {cls.__name__}'s docstring"


def test_default_file_round_trips_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(default_config_text())
    loaded = load_config(path)
    # every option, following too: a file written out with the defaults changes nothing (an audit:
    # its `enabled = false` turned the app's following off)
    assert loaded == PipelineOptions()
    assert loaded.follow.enabled is None  # left to the command


def test_every_none_in_the_default_file_says_what_none_means() -> None:
    """The generated file's header said a parameter set to "none" is disabled; of its four, only
    max_input_side is (up_uncertainty_deg: 3 or 20 degrees, side_doubt_s: by the source, follow's
    enabled: by the command, on in the app; a review, 2026-12-08). Each "none" is explained in its
    own comment, and the header says to read it there."""
    lines = default_config_text().splitlines()
    header = "\n".join(line for line in lines[:8] if line.startswith("#"))
    assert "is disabled" not in header and "what its comment says None means" in header
    nones = [i for i, line in enumerate(lines) if line.endswith(' = "none"')]
    assert len(nones) >= 4
    for i in nones:
        comment = []
        for line in reversed(lines[:i]):
            if not line.startswith("# "):
                break
            comment.append(line)
        assert "None" in " ".join(comment), lines[i]


def test_follow_enabled_is_none_or_a_boolean() -> None:
    assert config_from_dict({"follow": {"enabled": True}}).follow.enabled is True
    assert config_from_dict({"follow": {"enabled": False}}).follow.enabled is False
    assert config_from_dict({"follow": {"enabled": "none"}}).follow.enabled is None
    with pytest.raises(ConfigError, match=r"\[follow\] enabled: expected bool"):
        config_from_dict({"follow": {"enabled": 1}}, "my.toml")


def test_values_are_applied() -> None:
    opts = config_from_dict({"pose": {"max_people": 1, "mode": "image"}, "smoothing": {"beta": 2}})
    assert opts.pose.max_people == 1 and opts.pose.mode == RunningMode.IMAGE
    assert opts.smoothing.beta == 2.0 and isinstance(opts.smoothing.beta, float)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"posture": {}}, "unknown table [posture]"),
        ({"pose": {"max_poeple": 2}}, "unknown key 'max_poeple'"),
        ({"pose": {"max_people": "two"}}, "expected int"),
        ({"pose": {"mode": "live"}}, "not one of image, video"),
        ({"smoothing": {"beta": True}}, "expected a number"),
        ({"smoothing": {"beta": 1e300}}, "out of range"),
        ({"pose": []}, "must be a table"),
        ({"pose": {"model": "none"}}, "'none' is not allowed"),
    ],
)
def test_bad_values_name_the_key(data: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        config_from_dict(data, "my.toml")


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[pose\nmax_people = 1")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(bad)
    bad.write_bytes(b"\xff\xfe[pose]")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(bad)


@pytest.mark.parametrize(
    ("table", "line", "message"),
    [
        ("pipeline", "min_visibility = 1.5", "must be between 0 and 1"),
        ("pose", "max_people = 0", "must be above 0"),
        ("smoothing", "min_cutoff_hz = -3", "must be above 0"),
        ("follow", "scout_interval_s = -1", "must not be negative"),
        ("selection", "max_size_ratio = 0", "must be at least 1"),  # a ZeroDivisionError in analyze
        ("selection", "max_size_ratio = 0.5", "must be at least 1"),  # nobody could ever be followed
    ],
)
def test_a_value_out_of_its_range_is_one_clear_error(tmp_path, table, line, message):
    """A third audit: min_visibility = 1.5 was accepted and hid every angle; max_people = 0 and a
    negative cut-off ended in a traceback."""
    from posture_feedback.config import ConfigError, load_config

    path = tmp_path / "c.toml"
    path.write_text(f"[{table}]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_config_check_refuses_a_model_that_cannot_be_used(tmp_path, capsys):
    """A ninth audit saw `model = "bogus"` reported OK by `config --check`, then fail in analyze."""
    from posture_feedback.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text('[pose]\nmodel = "bogus"\n', encoding="utf-8")
    assert main(["config", "--check", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "posture-feedback: error: unknown model 'bogus': give lite, full, heavy or the path of a .task file"
    good = tmp_path / "good.toml"
    good.write_text('[pose]\nmodel = "lite"\n', encoding="utf-8")  # a variant: downloaded on first use
    assert main(["config", "--check", str(good)]) == 0
