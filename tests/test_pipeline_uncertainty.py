"""The camera vertical's uncertainty reaches the angles' uncertainty through the pipeline."""

from __future__ import annotations

import numpy as np

from posture_feedback.kinematics import pose_with_angles
from posture_feedback.pipeline import Pipeline, PipelineOptions
from posture_feedback.types import Frame


class _OnePerson:
    def __init__(self) -> None:
        self.lms = pose_with_angles(azimuth_deg=0.0, trunk_lean=10.0)

    def detect(self, frame: Frame):
        return [self.lms.with_arrays()]

    def close(self) -> None:
        pass


def _unc(pipe: Pipeline, k: int) -> tuple[float, float]:
    frame = Frame(image=np.zeros((480, 640, 3), np.uint8), index=k, timestamp_s=k / 30.0, captured_at=0.0, source="t")
    a = pipe.process(frame).angles
    return a["trunk_inclination"].uncertainty, a["left_knee_flexion"].uncertainty


def test_up_uncertainty_widens_the_angles_against_up_only() -> None:
    pipe = Pipeline(PipelineOptions(), estimator=_OnePerson())
    pipe.set_camera_up(np.array([0.0, -1.0, 0.0]), uncertainty_deg=1.0)
    sure = _unc(pipe, 0)
    pipe.set_camera_up(np.array([0.0, -1.0, 0.0]), uncertainty_deg=12.0)
    unsure = _unc(pipe, 1)
    assert unsure[0] > sure[0] + 5.0  # sqrt(base^2 + 12^2) vs sqrt(base^2 + 1^2)
    assert unsure[1] == sure[1]  # a knee angle does not depend on the vertical
    level = Pipeline(PipelineOptions(), estimator=_OnePerson())  # no vertical: 20 deg assumed
    assert _unc(level, 0)[0] > unsure[0]
