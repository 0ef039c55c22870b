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


SETTLED = PipelineOptions(acquisition_frames=0)  # no first-frames term: the vertical's alone


def test_up_uncertainty_widens_the_angles_against_up_only() -> None:
    pipe = Pipeline(SETTLED, estimator=_OnePerson())
    pipe.set_camera_up(np.array([0.0, -1.0, 0.0]), uncertainty_deg=1.0)
    sure = _unc(pipe, 0)
    pipe.set_camera_up(np.array([0.0, -1.0, 0.0]), uncertainty_deg=12.0)
    unsure = _unc(pipe, 1)
    assert unsure[0] > sure[0] + 5.0  # sqrt(base^2 + 12^2) vs sqrt(base^2 + 1^2)
    assert unsure[1] == sure[1]  # a knee angle does not depend on the vertical
    level = Pipeline(SETTLED, estimator=_OnePerson())  # no vertical: 20 deg assumed
    assert _unc(level, 0)[0] > unsure[0]


class _TwoPeople(_OnePerson):
    """The same pose twice: in the middle, and 250 px to the left (a second person to click)."""

    def detect(self, frame: Frame):
        moved = self.lms.image.copy()
        moved[:, 0] -= 250.0
        return [self.lms.with_arrays(), self.lms.with_arrays(image=moved)]


def test_the_first_frames_of_a_person_are_not_valid_and_carry_a_wider_uncertainty() -> None:
    """The model's first landmarks of a person converge from its detector's box over about 8
    frames (docs/accuracy.md): those frames judge nothing, and their ± starts 40° wider (in
    quadrature) and fades to the settled one. A new person (another track) starts it again."""
    from posture_feedback.kinematics import ACQUISITION_FRAMES, ACQUISITION_UNCERTAINTY_DEG, acquisition_uncertainty

    assert ACQUISITION_FRAMES == 8
    assert acquisition_uncertainty(0) == ACQUISITION_UNCERTAINTY_DEG == 40.0
    assert acquisition_uncertainty(4) == 20.0 and acquisition_uncertainty(8) == 0.0
    settled = Pipeline(SETTLED, estimator=_OnePerson())
    base = [settled.process(_frame(k)).angles["left_knee_flexion"] for k in range(12)]
    assert all(a.valid for a in base)
    two = _TwoPeople()
    pipe = Pipeline(PipelineOptions(), estimator=two)
    got = []
    for k in range(24):
        if k == 12:  # a click on the other person: a new track
            pipe.request_target(tuple(float(v) for v in two.detect(_frame(k))[1].center()))
        got.append(pipe.process(_frame(k)).angles["left_knee_flexion"])
    for k in range(12):
        extra = 40.0 * (1 - k / 8) if k < 8 else 0.0
        assert got[k].valid is (k >= 8), k
        assert got[k].value == base[k].value  # the value is shown as measured: only judged less
        assert got[k].uncertainty == np.hypot(base[k].uncertainty, extra)
    assert [a.valid for a in got[12:]] == [False] * 8 + [True] * 4  # the new person: again


def test_still_images_have_no_first_frames() -> None:
    """IMAGE mode (unrelated stills) runs the detector on every image: nothing converges."""
    from posture_feedback.pose import PoseOptions, RunningMode

    pipe = Pipeline(PipelineOptions(pose=PoseOptions(mode=RunningMode.IMAGE)), estimator=_OnePerson())
    assert pipe.process(_frame(0)).angles["left_knee_flexion"].valid


def _frame(k: int) -> Frame:
    return Frame(image=np.zeros((480, 640, 3), np.uint8), index=k, timestamp_s=k / 30.0, captured_at=0.0, source="t")
