"""The exercise and evaluation windows opened from the app measure against the vertical the app was told.

``posture-feedback --camera level`` (or ``--camera NAME``, or a configuration file's ``scene_vertical = false``)
decides the mirror's camera vertical; the README says ``--camera level`` turns the scene's estimate off for the
app's mirror, exercise and evaluation windows. Until review 29 the two windows opened from the app's menus were
given only the source, profile, data folder and model (``FeatureMenus._open_session``), so they estimated the
scene's vertical whatever the app was told. Real widgets offscreen; the app's options built by its own command line.
"""

from __future__ import annotations

import numpy as np
import pytest

from posture_feedback.commands.app import options_from_args


def _app_options(*argv: str):
    from posture_feedback.cli import build_parser

    return options_from_args(build_parser().parse_args(["app", *argv]))


def _windows(qtbot, tmp_path, options):
    from PyQt6.QtWidgets import QMainWindow

    from posture_feedback.ui.feature_menus import FeatureMenus

    main_window = QMainWindow()
    qtbot.addWidget(main_window)
    main_window.source_spec = "97"  # no such camera: nothing is opened
    main_window.options = options
    features = FeatureMenus(main_window, data_dir=str(tmp_path / "data"))
    opened = [features.open_exercises().options, features.open_evaluation().options]
    features.close()
    return opened


@pytest.mark.parametrize("argv", [("--camera", "level"), ()])
def test_the_windows_take_the_apps_scene_or_level_camera(qtbot, tmp_path, argv):
    for opts in _windows(qtbot, tmp_path, _app_options(*argv)):
        assert opts.scene_vertical is (not argv), (argv, opts)
        assert opts.camera_up is None


def test_the_windows_take_the_apps_stored_calibration(qtbot, tmp_path, monkeypatch):
    options = _app_options()
    up = np.array([0.1, -0.99, 0.0])
    options = type(options)(**{**options.__dict__, "camera_up": up, "camera_up_uncertainty": (3.0, 4.0)})
    for opts in _windows(qtbot, tmp_path, options):
        assert opts.scene_vertical is False and opts.camera_up is up and opts.camera_up_uncertainty == (3.0, 4.0)


@pytest.mark.parametrize(("argv", "people", "follow"),
                         [((), 2, None), (("--max-people", "1"), 1, None), (("--no-follow",), 2, False),
                          (("--follow",), 2, True)])  # fmt: skip
def test_the_windows_take_the_apps_model_options(qtbot, tmp_path, argv, people, follow):
    """``--max-people`` and ``--follow``/``--no-follow`` reach the session windows opened from the app's menus
    (before, only ``--model`` did: an app started with ``--max-people 1`` opened windows detecting two). Not
    asked, each window keeps its own default (None: the pipeline's), not the mirror's automatic following."""
    for opts in _windows(qtbot, tmp_path, _app_options("--model", "lite", *argv)):
        assert (opts.model, opts.max_people, opts.follow) == ("lite", people, follow), (argv, opts)
