"""The per-frame chain: pose → person → left/right fix → smoothing → view → angles → targets → cue.

``Pipeline.process(frame)`` runs every stage synchronously and returns a ``FrameResult``,
the one object that the CSV writer, the overlays, the Qt view, exercises and storage read.
Stage timings (milliseconds) are recorded in ``FrameResult.timings_ms`` so the cost of
everything that is not the model can be measured (``bench/pipeline.py``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from posture_feedback.feedback import CueSelector
from posture_feedback.follow import FollowingEstimator, FollowOptions
from posture_feedback.framing import apply_framing
from posture_feedback.kinematics import (
    ACQUISITION_FRAMES,
    UNC_LIVE_JITTER,
    UpUncertainty,
    acquisition_uncertainty,
    bounded,
    compute_angles,
    measure_angles,
    without_sides,
)
from posture_feedback.person import PersonSelector, SelectionOptions, check_start_point
from posture_feedback.pose import PoseEstimator, PoseOptions, RunningMode
from posture_feedback.sides import SideSwapCorrector
from posture_feedback.smoothing import JitterMeter, LandmarkSmoother, SmoothingOptions
from posture_feedback.sources import ImageSource, open_source
from posture_feedback.targets import TargetEvaluator, TargetSet
from posture_feedback.types import AngleTable, Frame, FrameResult
from posture_feedback.view import ViewTracker, classify_view, facing_in_doubt


@dataclass
class PipelineOptions:
    """All options of the per-frame chain (each documented on its own dataclass).

    Attributes:
        pose: model, running mode, number of people (``PoseOptions``).
        follow: following one person at the single-person model's cost while a periodic
            multi-person pass finds the others (``FollowOptions``, ``follow.py``).
        selection: how the target person is chosen and followed (``SelectionOptions``).
        smoothing: One Euro filter parameters (``SmoothingOptions``).
        fix_side_swaps: detect and undo left/right label swaps of the model.
        min_visibility: landmarks below this confidence in [0, 1] give a missing angle.
        up: world vertical in MediaPipe world axes (x right, y down, z away from camera)
            from camera calibration; None = level camera, (0, -1, 0).
        up_uncertainty_deg: uncertainty (degrees) of ``up``, one number for the roll and pitch
            alike or a (roll, pitch) pair, widening the angles measured against it
            (``kinematics.angle_uncertainty``); None = 3 with ``up``, 20 without. The scene's
            vertical and a stored calibration (``CameraCalibration.up_uncertainty``) bring their own pair.
        scene_vertical: with ``up`` None, estimate the vertical from the scene's vertical lines
            over the first frames (``calibration.vertical.SceneVerticalCollector``, about 1.5 s)
            and use it from then on (the frames before use a level camera). None (the default): the
            command decides (``analyze`` and the app estimate it unless ``--camera`` names a
            calibration or ``level``; a bare pipeline does not); false: never, a level camera is
            assumed (as ``--camera level``).
        cue_hold_s: seconds a cue stays on screen at least, so it can be read.
        bound_every_angle: every angle is valid only while its uncertainty is within
            ``kinematics.VALID_MAX_UNCERTAINTY`` (15°), not only the depth measurements
            (``compute_angles``; ``kinematics.bounded``), so that targets judge, and drawings
            show, only such values. ``analyze --valid-only`` sets it (a verdict only beside a
            value it writes). Otherwise ``analyze`` judges as the app does (a verdict needs its
            whole interval on one side, ``targets.undecided``, however wide) and applies the bound
            only to what it reports of a value on its own (``valid_`` columns, summary): a head
            tilt of −48 ± 21° is LOW in the app and in the CSV alike (audit 27 found it LOW in
            the app and unjudged in the CSV).
        acquisition_frames: the first frames of a newly followed person (the start, a switch of
            person, or a person found again after ``SelectionOptions.lost_timeout_s``) in which
            no angle is valid and every ± is widened (``kinematics.acquisition_uncertainty``,
            fading to nothing over these frames); video and camera only (VIDEO mode). The
            model's first landmarks come from its detector's rough box and converge over several
            frames: on the accuracy set's webcam crops (30 fps) the trunk inclination started 32°
            off and came within its ± on the 8th frame, and on cam02 (60 fps) the lateral lean
            started 35° off and took as many frames (docs/accuracy.md, "The first frames after the
            model finds a person"). 0 turns it off.
        side_doubt_s: seconds from the first face-on (or from the back) frame of a followed person
            in which left and right stay in doubt (``sides.MirrorGuard``'s ``doubt_s``: no sided angle
            valid, no side named; a gap does not restart it). None (the default): decided by the
            source, ``LIVE_SIDE_DOUBT_S`` for a live stream (the live windows, a live calibration
            capture) and 0 for a recording processed frame by frame: with frames dropped as a live
            camera drops them, the model's labels at the start of a track were consistently mirrored
            for a while and the bundled clip was read from behind, sides reversed, where a
            recording's every frame is processed and this did not happen. 0 turns it off.
    """

    pose: PoseOptions = field(default_factory=PoseOptions)
    follow: FollowOptions = field(default_factory=FollowOptions)
    selection: SelectionOptions = field(default_factory=SelectionOptions)
    smoothing: SmoothingOptions = field(default_factory=SmoothingOptions)
    fix_side_swaps: bool = True
    min_visibility: float = 0.5
    up: np.ndarray | None = None
    up_uncertainty_deg: UpUncertainty | None = None
    scene_vertical: bool | None = None
    cue_hold_s: float = 2.5
    bound_every_angle: bool = False
    acquisition_frames: int = ACQUISITION_FRAMES
    side_doubt_s: float | None = None


#: ``PipelineOptions.side_doubt_s`` of the live windows (seconds; ``sides.MirrorGuard``'s ``doubt_s``).
LIVE_SIDE_DOUBT_S = 1.0


def with_side_doubt(options: PipelineOptions, live: bool) -> PipelineOptions:
    """``options`` with ``side_doubt_s`` decided by the stream where it is None: ``LIVE_SIDE_DOUBT_S``
    for a live stream (frames dropped), 0 for a recording processed frame by frame."""
    if options.side_doubt_s is not None:
        return options
    return replace(options, side_doubt_s=LIVE_SIDE_DOUBT_S if live else 0.0)


class Pipeline:
    """Turns frames into ``FrameResult``s; one instance per stream (it keeps temporal state)."""

    def __init__(
        self,
        options: PipelineOptions | None = None,
        target_set: TargetSet | None = None,
        neutral: Mapping[str, float] | None = None,
        *,
        estimator: PoseEstimator | None = None,
    ) -> None:
        self.options = options or PipelineOptions()
        self._estimator = estimator or make_estimator(self.options)
        self._owns_estimator = estimator is None
        self._selector = PersonSelector(self.options.selection)
        self._sides = SideSwapCorrector(doubt_s=self.options.side_doubt_s or 0.0)
        self._smoother = LandmarkSmoother(self.options.smoothing)
        self._jitter = JitterMeter(self.options.smoothing.max_gap_s)
        self._acquired: tuple[int, int] = (-1, 0)  # (track id, frames measured since it began)
        self._acquiring = False  # the last frame was within the acquisition frames
        self._view = ViewTracker()  # a stable view label: hysteresis over frames (view.py)
        self._up = None if self.options.up is None else np.asarray(self.options.up, dtype=float)
        self._up_unc = self.options.up_uncertainty_deg
        self._default_focal: tuple[tuple[int, int] | None, float] = (None, math.nan)
        self._focal_range: tuple[tuple[int, int] | None, tuple[float, float]] = (None, (math.nan, math.nan))
        self._known_focal: tuple[tuple[int, int], float, bool] | None = None  # set_focal
        self._scene = None
        if self.options.scene_vertical and self._up is None:
            from posture_feedback.calibration.vertical import SceneVerticalCollector

            self._scene = SceneVerticalCollector()
        self._evaluator: TargetEvaluator | None = None
        self.set_targets(target_set, neutral)

    # -- user intent -------------------------------------------------------------------
    def set_targets(self, target_set: TargetSet | None, neutral: Mapping[str, float] | None = None) -> None:
        """Replace the active target set (None = measure only) and the person's neutral angles."""
        self._target_set = target_set
        self._evaluator = TargetEvaluator(target_set, neutral) if target_set is not None else None
        self._cues = self._new_cue_selector()

    def _new_cue_selector(self) -> CueSelector:
        tolerances = self._target_set.tolerances() if self._target_set is not None else None
        return CueSelector(min_hold_s=self.options.cue_hold_s, tolerances=tolerances)

    def set_neutral(self, neutral: Mapping[str, float] | None) -> None:
        """Set the person's calibrated neutral angles (degrees) for relative targets."""
        if self._evaluator is not None:
            self._evaluator.set_neutral(neutral)

    def set_camera_up(self, up: np.ndarray | None, uncertainty_deg: UpUncertainty | None = None) -> None:
        """Set the world vertical from camera calibration (None = level camera) and its uncertainty
        in degrees, one number or (roll, pitch) (None: ``kinematics``' default for a calibrated
        or a level camera)."""
        self._up = None if up is None else np.asarray(up, dtype=float)
        self._up_unc = uncertainty_deg
        self._scene = None  # a calibration given now replaces the scene's estimate

    def set_focal(self, focal_px: float, image_size: tuple[int, int], confirmed: bool) -> None:
        """The camera's focal length (pixels, at ``image_size``) from a scene estimate made before
        the run (``analyze``, ``calibrate neutral`` on a recording), and whether vanishing points
        confirmed it: the line of sight to the person uses it (``_focal_px``), and one nothing
        confirmed keeps the whole plausible range in the head line's ± (``_focal_range_px``)."""
        self._known_focal = ((int(image_size[0]), int(image_size[1])), float(focal_px), bool(confirmed))

    @property
    def scene_vertical(self):
        """The vertical estimated from the scene (``SceneVertical``), None before or without one."""
        return None if self._scene is None else self._scene.result

    def request_target(self, point_xy: tuple[float, float]) -> bool:
        """Make the person at this pixel (unmirrored frame) the target from the next frame on."""
        return self._selector.request_target(point_xy)

    def start_with_person_at(self, point_xy: tuple[float, float] | None) -> None:
        """Follow the person at this pixel (unmirrored frame) from the start, instead of the
        largest and most central one; frames before anyone is there have no target."""
        self._selector.start_at(point_xy)

    def reset(self) -> None:
        """Forget all temporal state (tracking, smoothing, hysteresis), e.g. after a seek."""
        self._selector.reset()
        estimator_reset = getattr(self._estimator, "reset", None)
        if estimator_reset is not None:
            estimator_reset()
        self._sides.reset()
        self._smoother.reset()
        self._jitter.reset()
        self._acquired = (-1, 0)
        self._view.reset()
        if self._evaluator is not None:
            self._evaluator.reset()
        self._cues = self._new_cue_selector()

    # -- the chain ---------------------------------------------------------------------
    @property
    def vertical_source(self) -> str:
        """``FrameResult.vertical``: "calibrated", "scene", "searching" or "level"."""
        if self._scene is None:
            return "level" if self._up is None else "calibrated"
        if self._scene.result is not None:
            return "scene"
        return "level" if self._scene.error is not None else "searching"

    def _focal_px(self, frame: Frame) -> float:
        """The camera's focal length in pixels (for the line of sight to the person,
        ``kinematics.head_by_length``): the scene's estimate, else a diagonal field of view of
        ``calibration.vertical.DEFAULT_DIAGONAL_FOV_DEG`` (70°; a 6% error in it moves the
        line of sight to a person 12° off the axis by under 1°)."""
        size = (frame.width, frame.height)
        scene = self.scene_vertical
        if scene is not None and scene.image_size == size:
            return scene.focal_px
        if self._known_focal is not None and self._known_focal[0] == size:
            return self._known_focal[1]
        if self._default_focal[0] != size:  # once per frame size, not 30 times a second
            from posture_feedback.calibration.vertical import DEFAULT_DIAGONAL_FOV_DEG, focal_from_fov

            self._default_focal = (size, focal_from_fov(size, DEFAULT_DIAGONAL_FOV_DEG))
        return self._default_focal[1]

    def _focal_range_px(self, frame: Frame) -> tuple[float, float] | None:
        """The focal lengths (pixels) the camera may have when nothing confirms ``_focal_px``: every
        diagonal field of view a camera, a crop or a digital zoom gives
        (``calibration.vertical.PLAUSIBLE_FOV_DEG``, the range the scene's pitch is bounded over);
        None when the scene's vanishing points confirmed the focal length. A stored camera
        calibration knows the vertical, not the focal length, so the range stays."""
        size = (frame.width, frame.height)
        scene = self.scene_vertical
        if scene is not None and scene.image_size == size and scene.focal_confirmed:
            return None
        if scene is None and self._known_focal is not None and self._known_focal[0] == size and self._known_focal[2]:
            return None
        if self._focal_range[0] != size:
            from posture_feedback.calibration.vertical import PLAUSIBLE_FOV_DEG, focal_from_fov

            wide, narrow = max(PLAUSIBLE_FOV_DEG), min(PLAUSIBLE_FOV_DEG)
            self._focal_range = (size, (focal_from_fov(size, wide), focal_from_fov(size, narrow)))
        return self._focal_range[1]

    def process(self, frame: Frame) -> FrameResult:
        """Run every stage on one frame."""
        t = frame.timestamp_s
        if self._scene is not None and not self._scene.done and self._scene.add(frame.image, t) is not None:
            self._up = self._scene.result.up_vector()
            self._up_unc = self._scene.result.roll_pitch_uncertainty()
        timings: dict[str, float] = {}
        clock = time.perf_counter

        t0 = clock()
        people = self._estimator.detect(frame)
        t1 = clock()
        timings["pose"] = (t1 - t0) * 1000.0

        track_before = self._selector.track_id
        index = self._selector.select(people, (frame.width, frame.height), t)
        pending = False
        follow = getattr(self._estimator, "follow_selected", None)
        if follow is not None:  # make the single-person follower follow whom selection chose
            follow(people, index, switched=self._selector.track_id != track_before)
            if index is not None and index >= self._estimator.fresh_people:
                # Selection found the target only among people seen in an earlier frame (the
                # multi-person pass's): they are not measured in this one, and the track dates
                # from when they were seen.
                self._selector.backdate(self._estimator.age_s(index))
                index = None
                pending = True
        result = FrameResult(frame=frame, people=people, target_index=index, timings_ms=timings,
                             vertical=self.vertical_source, target_pending=pending)  # fmt: skip
        if index is None:  # the swap fixer and smoother reset themselves after a gap
            if self._evaluator is not None:
                states = self._evaluator.update(AngleTable.empty(), result.view, t)
                result.targets = states
            result.cue = self._cues.update(result.targets, t)
            timings["post"] = (clock() - t1) * 1000.0
            return result

        # The track id tells the swap fixer and the smoother when another person is followed
        # (both then start anew by themselves).
        target = people[index].with_arrays(track_id=self._selector.track_id)
        if self.options.fix_side_swaps:
            target = self._sides(target, t)
            people[index] = target
        smoothed = self._smoother(target, t)
        if self.options.pose.mode == RunningMode.IMAGE:  # unrelated images: each on its own
            view, azimuth = classify_view(smoothed, up=self._up)
        else:
            view, azimuth = self._view.update(smoothed, t, up=self._up)
        focal = self._focal_px(frame)
        jitter = None
        if self.options.smoothing.landmarks:  # the live jitter widens the uncertainty (kinematics)

            def jitter(values: np.ndarray) -> np.ndarray:
                raw = measure_angles(
                    target, azimuth_deg=azimuth, up=self._up, min_visibility=self.options.min_visibility, focal_px=focal
                )
                return UNC_LIVE_JITTER * self._jitter.update(raw[0] - values, t, target.track_id)

        angles = compute_angles(
            smoothed,
            view,
            azimuth_deg=azimuth,
            up=self._up,
            min_visibility=self.options.min_visibility,
            up_uncertainty_deg=self._up_unc,
            focal_px=focal,
            focal_range_px=self._focal_range_px(frame),
            jitter=jitter,
        )
        # hips below the desk edge: no confident hip or trunk angle (framing.py)
        angles = apply_framing(angles, smoothed, self.options.min_visibility)
        # left/right in doubt: the view label and the azimuth disagree, or the mirror guard overrules the model
        doubt = facing_in_doubt(view, azimuth) or (self.options.fix_side_swaps and self._sides.labels_in_doubt)
        if doubt:
            angles = without_sides(angles)
        if self.options.bound_every_angle:  # analyze --valid-only: every valid angle within the stated bound
            angles = bounded(angles)
        angles = self._acquisition(angles, self._selector.track_id)
        result.acquiring = self._acquiring
        result.landmarks = smoothed
        result.view = view
        result.azimuth_deg = azimuth
        result.sides_in_doubt = doubt
        result.angles = angles
        if self._evaluator is not None:
            result.targets = self._evaluator.update(angles, view, t)
        result.cue = self._cues.update(result.targets, t)
        timings["post"] = (clock() - t1) * 1000.0
        return result

    def _acquisition(self, angles: AngleTable, track_id: int) -> AngleTable:
        """``angles`` while the model's landmarks still converge on a newly followed person
        (``PipelineOptions.acquisition_frames``): none valid, every ± widened by
        ``acquisition_uncertainty``; unchanged afterwards and in IMAGE mode."""
        self._acquiring = False
        if self.options.acquisition_frames <= 0 or self.options.pose.mode != RunningMode.VIDEO:
            return angles
        track, n = self._acquired
        n = n + 1 if track == track_id else 0
        self._acquired = (track_id, n)
        extra = acquisition_uncertainty(n, self.options.acquisition_frames)
        if extra <= 0:
            return angles
        self._acquiring = True  # FrameResult.acquiring: the laptop signals judge nothing either
        unc = np.hypot(angles.uncertainty, extra)
        return AngleTable(values=angles.values, valid=np.zeros_like(angles.valid), uncertainty=unc, names=angles.names)

    def close(self) -> None:
        """Release the model (only if this pipeline created it)."""
        if self._owns_estimator:
            self._estimator.close()

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_estimator(options: PipelineOptions) -> PoseEstimator | FollowingEstimator:
    """The pose stage for these options: with 2 or more people in VIDEO mode and ``follow``
    enabled, a ``FollowingEstimator`` (one person at single-person cost, the others from a
    periodic multi-person pass); otherwise the plain model with ``max_people`` every frame."""
    pose = options.pose
    if options.follow.enabled and pose.max_people >= 2 and pose.mode == RunningMode.VIDEO:
        return FollowingEstimator(pose, options.follow)
    return PoseEstimator(pose)


def options_for_source(options: PipelineOptions, source: object) -> PipelineOptions:
    """``options`` with the model's IMAGE mode for still images and image folders (no tracking
    between unrelated images); video and camera sources keep VIDEO mode."""
    if isinstance(source, ImageSource) and options.pose.mode == RunningMode.VIDEO:
        return replace(options, pose=replace(options.pose, mode=RunningMode.IMAGE))
    return options


def iter_results(
    source: str | Path,
    options: PipelineOptions | None = None,
    target_set: TargetSet | None = None,
    *,
    max_frames: int | None = None,
    on_frame: Callable[[int], None] | None = None,
    person: tuple[float, float] | None = None,
) -> Iterator[FrameResult]:
    """Run the pipeline over a recorded source (video file, image, folder), frame by frame.

    Still images and image folders use the model's IMAGE mode (no tracking between
    unrelated images); videos use VIDEO mode. ``person``: follow the person at this pixel
    (x, y) from the start (``Pipeline.start_with_person_at``), not the largest and most central;
    a point outside the frame is a ``PostureFeedbackError`` (``person.check_start_point``).
    """
    with open_source(source) as src:
        if person is not None:
            check_start_point(person, src.frame_size)
        with Pipeline(options_for_source(options or PipelineOptions(), src), target_set) as pipeline:
            if person is not None:
                pipeline.start_with_person_at(person)
            for i, frame in enumerate(src):
                if max_frames is not None and i >= max_frames:
                    return
                yield pipeline.process(frame)
                if on_frame is not None:
                    on_frame(i)


def analyze_video(
    source: str | Path,
    options: PipelineOptions | None = None,
    target_set: TargetSet | None = None,
    *,
    max_frames: int | None = None,
    person: tuple[float, float] | None = None,
) -> list[FrameResult]:
    """All frame results of a recorded source (see ``iter_results``)."""
    return list(iter_results(source, options, target_set, max_frames=max_frames, person=person))
