"""The evaluation window's "Skip" states the ± the core then applies (real Qt widget, offscreen).

An audit (2026-12) found the camera step saying "Skipped: the camera is treated as level (+2°
uncertainty on frontal tilts)" (and docs/app_sessions.md "the core then adds 2°") while the
pipeline gave every angle against the vertical 20° for the unknown roll and pitch, and the posture
screen added 20° to its trunk lean. The figure in the text must be the one the core applies: read
here from what the core computes, not from the constant the window uses.
"""

from __future__ import annotations

import re

import numpy as np

from posture_feedback.assessment.summary import camera_uncertainty
from posture_feedback.kinematics import compute_angles, pose_with_angles
from posture_feedback.types import View
from posture_feedback.ui.assessment_window import AssessmentOptions, AssessmentWindow


def _stated_figure(text: str) -> float:
    figures = re.findall(r"±(\d+(?:\.\d+)?)°", text)
    assert len(figures) == 1, text  # one figure, for the roll and the pitch alike
    return float(figures[0])


def test_skip_states_the_uncertainty_the_core_gives_a_level_camera(qtbot, tmp_path):
    window = AssessmentWindow(AssessmentOptions(source="97", data_dir=str(tmp_path / "data")))
    qtbot.addWidget(window)
    window.skip_calibration()
    text = window.camera_result.text()
    assert text.startswith("Skipped: the camera is treated as level."), text
    assert "2°" not in text.replace("±20°", "")
    figure = _stated_figure(text)

    # The posture screen's own frontal lean adds this figure for the skipped calibration.
    assert camera_uncertainty(window.flow.calibration) == figure

    # The pipeline measures without ``up`` after a skip (``set_camera_up(None, None)``): a person
    # leaning 10° to the side, seen face-on by a level camera, gets the same ± on every angle against
    # the vertical as when the stated figure is given as the vertical's uncertainty, and not the 2°
    # the window used to state.
    pose = pose_with_angles(trunk_side_lean=10.0, shoulder_tilt=5.0, head_tilt=4.0)
    default = compute_angles(pose, View.FRONT, azimuth_deg=0.0)
    stated = compute_angles(pose, View.FRONT, azimuth_deg=0.0, up_uncertainty_deg=figure)
    old = compute_angles(pose, View.FRONT, azimuth_deg=0.0, up_uncertainty_deg=2.0)
    for name in ("trunk_lateral_lean", "shoulder_tilt", "head_tilt"):  # in the image plane: the roll's ± whole
        assert default[name].valid and default[name].uncertainty >= figure, default[name]
    np.testing.assert_allclose(default.uncertainty, stated.uncertainty, equal_nan=True)
    assert not np.allclose(default.uncertainty, old.uncertainty, equal_nan=True)
    window.close()
