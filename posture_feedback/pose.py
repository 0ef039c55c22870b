"""Pose estimation with the MediaPipe Tasks ``PoseLandmarker``.

Typed options and an explicit running mode, as in MediaPipe Tasks itself:

* ``RunningMode.IMAGE``: every frame detected anew (still images, image folders).
* ``RunningMode.VIDEO``: the model tracks the person between frames (the detector runs only
  when tracking is lost); used for video files *and* for live cameras, where the worker
  thread calls it synchronously on the newest frame with the capture timestamp. This gives
  the tracking of MediaPipe's LIVE_STREAM mode without its extra callback thread and its
  own frame dropping (our live sources already drop stale frames), so latency is lower and
  measurable per frame.

Frames are given to the model at their own aspect ratio (squashing them cut detection from
96% to 73% of frames on the sports sample), and are never mirrored.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from posture_feedback.cv_paths import native_path
from posture_feedback.errors import ModelError
from posture_feedback.models import resolve_model
from posture_feedback.native_logs import native_output_silenced
from posture_feedback.startup import prepare_process_environment
from posture_feedback.telemetry import (  # noqa: F401 - TELEMETRY_SINK re-exported
    TELEMETRY_SINK,
    block_native_telemetry,
    safe_to_change_environment,
    telemetry_allowed,
    telemetry_blocked,
)
from posture_feedback.types import Frame, Landmarks

log = logging.getLogger(__name__)


class RunningMode(str, enum.Enum):
    IMAGE = "image"  #: independent images, no tracking
    VIDEO = "video"  #: a stream with strictly increasing timestamps; tracks between frames


@dataclass(frozen=True)
class PoseOptions:
    """Options of the pose model.

    Attributes:
        model: ``lite``, ``full``, ``heavy`` or a path to a ``.task`` bundle.
        mode: running mode (see module docstring).
        max_people: maximum number of people detected per frame. With 1, MediaPipe smooths
            landmarks itself; with 2 or more it does not, and costs about 1.8× the time;
            the pipeline's One Euro filter smooths in both cases.
        min_detection_confidence: detector score in [0, 1] to accept a new person.
        min_presence_confidence: landmark-network presence score in [0, 1] to keep a person.
        min_tracking_confidence: score in [0, 1] below which tracking re-runs the detector.
        max_input_side: if set, frames whose longer side exceeds this many pixels are
            downscaled (aspect ratio kept) before inference; landmarks are returned in the
            original frame's pixels. None = give the model the frame as it is.
        settle_calls: VIDEO mode with ``max_people`` 1 only: extra calls on the same frame when a
            person is found after a frame without anyone (the first frame, after ``forget``, a
            person lost and found again; a probe of the following path once it holds its person).
            The single-person graph tracks from the detector's rough box and smooths its
            landmarks, so its first frames start far off: on the accuracy set's laptop-webcam
            crops its first 3 frames' face and shoulder points were 0.28 / 0.52 shoulder widths
            off on average, 0.11 / 0.17 with 4 settling calls (0.08 once settled). Off (0) by
            default: in the following pipeline the gain is smaller (the first frames are the
            multi-person pass's and a probe's), and on the desk crop the follower's trajectory
            then diverged 70 frames later into 21 frames of mirrored labels read as a back view
            (whole-clip error 0.09 → 0.23 shoulder widths; no change on the other five clips;
            ``python bench/acquisition.py``). Each call costs about one model call.
    """

    model: str = "full"
    mode: RunningMode = RunningMode.VIDEO
    max_people: int = 2
    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    max_input_side: int | None = None
    settle_calls: int = 0


#: Hides native output around model creation, the first inference and closing (library use;
#: the command line silences the whole run). ``POSTURE_FEEDBACK_NATIVE_LOGS=1`` keeps it.
_native_stderr_silenced = native_output_silenced


class PoseEstimator:
    """Runs the PoseLandmarker on frames and returns ``Landmarks`` in frame pixels."""

    def __init__(self, options: PoseOptions | None = None) -> None:
        self.options = options or PoseOptions()
        if self.options.max_people < 1:
            raise ValueError("max_people must be at least 1")
        if safe_to_change_environment():  # library use without the command line's start-up
            prepare_process_environment()
        elif not telemetry_blocked() and not telemetry_allowed():
            log.info("MediaPipe's usage logging is not blocked: call startup.prepare_process_environment() first")
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp
        path: Path = resolve_model(self.options.model)
        mode = vision.RunningMode.VIDEO if self.options.mode == RunningMode.VIDEO else vision.RunningMode.IMAGE
        task_options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=native_path(path)),
            running_mode=mode,
            num_poses=self.options.max_people,
            min_pose_detection_confidence=self.options.min_detection_confidence,
            min_pose_presence_confidence=self.options.min_presence_confidence,
            min_tracking_confidence=self.options.min_tracking_confidence,
            output_segmentation_masks=False,
        )
        try:
            with _native_stderr_silenced():
                self._landmarker = vision.PoseLandmarker.create_from_options(task_options)
        except Exception as exc:  # MediaPipe raises RuntimeError/ValueError with long text
            raise ModelError(f"could not load pose model {path}: {str(exc).splitlines()[0]}") from None
        self.model_path = path
        self._last_ts_ms = -1
        self._first_call = True
        self._had_people = False  # the last call found someone (settle_calls)
        self._unsettled: tuple | None = None  # (image, size) of a first frame not yet settled

    def detect(self, frame: Frame, settle: bool = True) -> list[Landmarks]:
        """All people found in the frame (model order), landmarks in the frame's pixels.

        ``settle``: on the first frame a person is found in, make the ``settle_calls`` (one
        person, VIDEO mode); False leaves that to a later ``settle_last`` (a probe that must
        first show it holds the right person)."""
        image = frame.image
        h, w = image.shape[:2]
        scale = 1.0
        side = self.options.max_input_side
        if side and max(w, h) > side:
            scale = side / max(w, h)
            image = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        mp_image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        with _native_stderr_silenced(self._first_call):
            if self.options.mode == RunningMode.VIDEO:
                ts = int(round(frame.timestamp_s * 1000.0))
                ts = max(ts, self._last_ts_ms + 1)  # MediaPipe requires strictly increasing timestamps
                self._last_ts_ms = ts
                result = self._landmarker.detect_for_video(mp_image, ts)
                if result.pose_landmarks and not self._had_people and self.options.max_people == 1:
                    self._unsettled = (mp_image, (w, h))
                    if settle:
                        result = self._settle(mp_image, result)
                        self._unsettled = None
                else:
                    self._unsettled = None
                self._had_people = bool(result.pose_landmarks)
            else:
                result = self._landmarker.detect(mp_image)
        if result.pose_landmarks:  # native warnings come with the first detection; then stop hiding
            self._first_call = False
        return _people(result, (w, h))

    def settle_last(self) -> list[Landmarks] | None:
        """The settling calls left out by ``detect(frame, settle=False)``, on that same frame:
        its people after them (frame pixels), or None when that call needed none (not the
        first frame with a person, or another call came since)."""
        pending, self._unsettled = self._unsettled, None
        if pending is None:
            return None
        mp_image, size = pending
        with _native_stderr_silenced(self._first_call):
            result = self._settle(mp_image, None)
        return None if result is None else _people(result, size)

    def _settle(self, mp_image: object, result: object) -> object:
        """``settle_calls`` more calls on the same image (1 ms apart), so that the single-person
        graph's tracking and smoothing converge before the first landmarks are used; the last
        call that still found someone is returned (``result`` if none did)."""
        for _ in range(self.options.settle_calls):
            self._last_ts_ms += 1
            again = self._landmarker.detect_for_video(mp_image, self._last_ts_ms)
            if not again.pose_landmarks:
                break
            result = again
        return result

    def forget(self) -> None:
        """Drop the tracking state (VIDEO mode; IMAGE mode keeps none): one call on a small
        black image, where nobody is found, so the next call runs the person detector and starts
        the landmark smoothing anew, as a freshly made model would. On the sports sample the
        first landmarks after ``forget`` were identical to a fresh model's on the same crop
        (tests/test_pose_forget.py). Costs one detector pass (a few ms), against about 0.1 s of
        CPU and a graph's threads for a new model."""
        if self.options.mode != RunningMode.VIDEO or self._landmarker is None:
            return
        ts = self._last_ts_ms + 1
        self._last_ts_ms = ts
        blank = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.zeros((32, 32, 3), np.uint8))
        with _native_stderr_silenced(self._first_call):
            self._landmarker.detect_for_video(blank, ts)
        self._had_people = False
        self._unsettled = None

    def close(self) -> None:
        landmarker = getattr(self, "_landmarker", None)
        if landmarker is not None:
            self._landmarker = None
            with _native_stderr_silenced():  # MediaPipe 1.2.3 logs "DestroyAccelerator" here
                landmarker.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: MediaPipe's C bindings may be gone
            pass


def _people(result: object, size: tuple[int, int]) -> list[Landmarks]:
    """The people of a MediaPipe result, landmarks in pixels of a frame of ``size`` (w, h)."""
    return [
        _to_landmarks(img, world, size)
        for img, world in zip(result.pose_landmarks, result.pose_world_landmarks, strict=False)
    ]


def _to_landmarks(image_lms: list, world_lms: list, size: tuple[int, int]) -> Landmarks:
    w, h = size
    n = len(image_lms)  # flat lists into np.fromiter: a quarter cheaper than a list of tuples
    a = np.fromiter(
        [v for p in image_lms for v in (p.x, p.y, p.z, p.visibility or 0.0, p.presence or 0.0)], np.float64, 5 * n
    ).reshape(n, 5)
    world = np.fromiter([v for p in world_lms for v in (p.x, p.y, p.z)], np.float64, 3 * len(world_lms))
    world = world.reshape(len(world_lms), 3)
    image = a[:, :3] * (w, h, w)  # normalised → pixels; z shares x's scale
    return Landmarks(image=image, world=world, visibility=a[:, 3], presence=a[:, 4], image_size=(w, h))
