"""Camera roll and pitch from a few seconds of a person standing (or sitting) tall.

A laptop webcam is rarely level. A camera rolled by a few degrees turns every horizontal
line in the image by the same amount, so a level pair of shoulders reads as tilted and an
upright trunk reads as leaning. This module measures that roll (and, from the model's 3D
world landmarks, the pitch) so that it can be taken out again.

Conventions (all angles in degrees):

* ``roll_deg``: the angle by which the world vertical appears rotated in the image,
  positive = counter-clockwise *as seen on the screen* (image x right, y down). Rotating a
  level camera's image by +r degrees with ``cv2.getRotationMatrix2D(centre, r, 1)`` gives
  roll +r; rotating the image by −roll levels it again.
* ``pitch_deg``: the angle by which the world vertical leans out of the image plane
  *towards the camera* in MediaPipe's world-landmark axes (x right, y down, z away);
  positive when the top of a vertical line is nearer the camera than its foot, which is
  what a camera looking down sees.
* ``up_vector()``: the unit world vertical in world-landmark axes,
  ``(−sin r·cos p, −cos r·cos p, −sin p)``; (0, −1, 0) for a level camera. This is what
  ``kinematics.compute_angles(..., up=...)`` and ``Pipeline.set_camera_up`` take.

Method (``estimate_camera``): per frame, the body's long axis is the image direction from
the mid-ankle point (standing; the mid-hip point when the ankles are not visible, e.g.
sitting) to the mid-shoulder point. Its signed angle from the image's vertical is that
frame's roll. The same vector in world landmarks gives that frame's pitch (the MediaPipe
world frame turns with the image: on frames 10–89 of the sports sample rotated by +8°, the
world-landmark axis turned by 8.15° ± 0.54° per frame, the image axis by 7.94° ± 0.59°).
The person must be in view in at least ``MIN_IN_VIEW_FRACTION`` (80 %) of the capture's frames,
the neutral's in-view rule (``calibration.neutral``): a person who walked out part-way was
calibrated from the second they stood in view ("34 frames, measured" from 1.1 s of a 3 s capture,
an audit of 2026-12); now the capture is refused with the count.
Frames are kept when the landmarks are visible, the legs are straight (standing axis), and
the frame's roll is within 3 robust SDs (1.4826 · MAD, at least 1°) of the median, which
drops the frames where the person moved.
The result is the mean of the kept frames, with their SD as ``spread``; its stated ± per roll and
pitch is ``person_uncertainty_pair`` (the spread and the model's own error on that axis).

Assumption: the person stands (or sits) tall and symmetric during the capture. Their own
lean is indistinguishable from the camera's roll and is absorbed into it; the per-person
neutral (``calibration.neutral``) is a separate step for that reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.types import FrameResult, Landmarks, View

#: Landmarks below this confidence (min of visibility and presence) are not used.
MIN_CONFIDENCE = 0.5
#: Fewest stable frames a calibration accepts (about 0.5 s at 30 fps).
MIN_FRAMES = 12
#: A leg bent by more than this (degrees, in the image) disqualifies the ankle axis in a frame.
MAX_KNEE_BEND_DEG = 20.0
#: A median roll beyond this (degrees) means the person is not upright (or the camera is on its side).
MAX_ROLL_DEG = 30.0
#: Smallest share of a capture's frames with the person in view, for a calibration from the body (the
#: camera's, and the neutral's: ``calibration.neutral.MIN_FRACTION``). This tool's own rule, not a norm.
MIN_IN_VIEW_FRACTION = 0.8
#: A person capture whose stated uncertainty (``person_uncertainty_deg``) is wider than this is
#: refused, not stored: on the accuracy set's cam03 the man balancing gave roll +22.5° (SD 15.3°,
#: pitch SD 10.9°: ±37.5°) where the true roll is +2.8°; the views it may calibrate (cam01 ±4.4°,
#: cam02 ±5.0°) were within their ± (a third audit, 2026-12-07). Since 2026-12 the ± includes the
#: model's own error (``PERSON_MODEL_ERROR_DEG``): cam01 and cam02 roll ±5.2° / pitch ±6.4° (errors
#: 3.1° / 2.9° and 2.3° / 0.8°), and a hip-axis capture is always refused.
MAX_PERSON_UNCERTAINTY_DEG = 10.0
#: A scene calibration (``calibration.vertical``) whose 95 % bound is wider than this is refused
#: too, by the same rule: the four whole views of the accuracy set state ±1.7–2.4°, its webcam
#: crops and the bundled sample ±16–34° (no focal length confirmed), a collage of two scenes ±57°.
MAX_SCENE_UNCERTAINTY_DEG = MAX_PERSON_UNCERTAINTY_DEG


#: The model's own error of the body axis as a vertical, per axis: (roll, pitch) in degrees, the
#: 95th percentile of |error| per frame against the true vertical, over the frames kept from the
#: accuracy set's captures where a person stands (``python bench/person_vertical.py``: the man in
#: cam01 and cam02 and the woman in a crop of cam04, each as recorded and mirrored; 502 frames with
#: the ankle axis, 560 with the hip axis). A still capture averages none of it away (frame 50 of
#: the woman held still: spread 0.1° / 0.6°, pitch 8.4° off; its mirror image 15.7° off, past the
#: hip axis's 99th percentile), so it is a floor, not divided by the number of frames. The hip →
#: shoulder axis is the trunk, whose depth the model places worst: its pitch is no calibration
#: (±12.8° or more: refused, as over ``MAX_PERSON_UNCERTAINTY_DEG``).
PERSON_MODEL_ERROR_DEG = {"ankle": (5.2, 6.4), "hip": (9.1, 12.8)}


def person_uncertainty_pair(
    roll_sd: float, pitch_sd: float, axis: str = "ankle", model_error: dict | None = None
) -> tuple[float, float]:
    """(roll, pitch) ± in degrees (about 95 %) of a calibration from a person standing or sitting
    tall, each the larger of twice the frame-to-frame spread (the person moving) and the model's
    per-frame error on that axis (``PERSON_MODEL_ERROR_DEG``; ``model_error={}`` for exact,
    constructed landmarks): a still capture averages none of the model's error away, a moving one's
    spread holds it already. The person's own lean is not in it. Until 2026-12 only the spread: a
    still image of a woman stated ±0.2° for a pitch 7.4° off (its mirror image ±0.1°, 15° off)."""
    table = PERSON_MODEL_ERROR_DEG if model_error is None else model_error
    floor_roll, floor_pitch = table.get(axis, (0.0, 0.0))
    return max(2.0 * roll_sd, floor_roll), max(2.0 * pitch_sd, floor_pitch)


def person_uncertainty_deg(roll_sd: float, pitch_sd: float, axis: str = "ankle") -> float:
    """The larger of ``person_uncertainty_pair``: the one number a person capture states and is
    refused on (``MAX_PERSON_UNCERTAINTY_DEG``)."""
    return max(person_uncertainty_pair(roll_sd, pitch_sd, axis))
#: Frames further than this many robust SDs from the median roll are dropped as movement.
OUTLIER_ROBUST_SD = 3.0
#: Smallest outlier window (degrees), so that a very still capture does not drop half its frames.
MIN_OUTLIER_WINDOW_DEG = 1.0


class CalibrationError(PostureFeedbackError):
    """A calibration cannot be computed from the capture (nobody, not upright, too few still frames)."""


@dataclass(frozen=True, slots=True)
class CameraCalibration:
    """The camera's roll and pitch relative to the world vertical (degrees).

    Attributes:
        roll_deg: image rotation of the world vertical, positive counter-clockwise on screen.
        pitch_deg: lean of the world vertical towards the camera (world-landmark axes).
        spread: frame-to-frame SD of the roll over the kept frames (degrees).
        n_frames: frames the estimate is based on (0 = skipped / default level camera).
        pitch_spread: frame-to-frame SD of the pitch (degrees).
        axis: "ankle" (mid-ankle → mid-shoulder, standing) or "hip" (mid-hip → mid-shoulder).
        camera: name of the camera (``FrameSource.name``) it belongs to.
        created_at: ISO 8601 time of the capture.
        roll_uncertainty_deg / pitch_uncertainty_deg: the calibration's own stated ± (about 95 %,
            degrees) of the roll and the pitch; None in records stored before 2026-12
            (``up_uncertainty`` then derives them from the method).
    """

    roll_deg: float = 0.0
    pitch_deg: float = 0.0
    spread: float = 0.0
    n_frames: int = 0
    pitch_spread: float = 0.0
    axis: str = "none"
    camera: str = ""
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    roll_uncertainty_deg: float | None = None
    pitch_uncertainty_deg: float | None = None

    @classmethod
    def level(cls, camera: str = "") -> CameraCalibration:
        """The calibration used when the step is skipped: a level camera (roll = pitch = 0)."""
        return cls(camera=camera)

    @property
    def skipped(self) -> bool:
        return self.n_frames == 0

    @property
    def standard_error(self) -> float:
        """Standard error of the roll estimate (degrees): spread / √n (0 when skipped). Not a ± of
        the camera's vertical (frames of one still scene or person are not independent draws):
        that is ``up_uncertainty``."""
        return self.spread / math.sqrt(self.n_frames) if self.n_frames else 0.0

    def up_uncertainty(self) -> tuple[float, float]:
        """(roll, pitch) ± in degrees that angles measured against this vertical carry
        (``kinematics.UpUncertainty``), each at least ``CALIBRATED_UP_UNCERTAINTY_DEG`` (3°):

        * skipped (a level camera assumed): ``LEVEL_UP_UNCERTAINTY_DEG`` (20°) for both;
        * the calibration's own stated ± when stored (since 2026-12: the scene's
          ``SceneVertical.roll_pitch_uncertainty``, a person capture's ``person_uncertainty_pair``);
        * older records: a scene calibration stored half its bound as ``spread`` and
          ``pitch_spread`` (2 × each); a person capture ``person_uncertainty_pair(spread,
          pitch_spread, axis)``; ``--roll DEG`` (axis "manual") measured no pitch: 20°.

        Until 2026-12 ``analyze --camera`` and ``assess`` used 3° (or spread / √n) whatever the
        calibration stated: a desk-crop scene calibration stored at ±16.9° gave its tilts ±3°."""
        from posture_feedback.kinematics import CALIBRATED_UP_UNCERTAINTY_DEG, LEVEL_UP_UNCERTAINTY_DEG

        floor = CALIBRATED_UP_UNCERTAINTY_DEG
        if self.skipped:
            return LEVEL_UP_UNCERTAINTY_DEG, LEVEL_UP_UNCERTAINTY_DEG
        if self.roll_uncertainty_deg is not None and self.pitch_uncertainty_deg is not None:
            roll, pitch = self.roll_uncertainty_deg, self.pitch_uncertainty_deg
        elif self.axis == "scene":
            roll, pitch = 2.0 * self.spread, 2.0 * self.pitch_spread
        elif self.axis == "manual":
            roll, pitch = floor, LEVEL_UP_UNCERTAINTY_DEG
        else:
            roll, pitch = person_uncertainty_pair(self.spread, self.pitch_spread, self.axis)
        return max(floor, float(roll)), max(floor, float(pitch))

    def up_vector(self) -> np.ndarray:
        """The world vertical as a unit vector in MediaPipe world-landmark axes (x right, y down, z away)."""
        r, p = math.radians(self.roll_deg), math.radians(self.pitch_deg)
        return np.array([-math.sin(r) * math.cos(p), -math.cos(r) * math.cos(p), -math.sin(p)])

    def level_points(self, xy: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
        """Image points (..., 2) in pixels rotated by −roll about the image centre (a levelled image frame).

        Directions measured on the result are relative to the world vertical instead of the
        image's. The same rotation as ``cv2.warpAffine(image, level_matrix(size), size)``.
        """
        m = self.level_matrix(image_size)
        pts = np.asarray(xy, dtype=float)
        return pts @ m[:, :2].T + m[:, 2]

    def level_matrix(self, image_size: tuple[int, int]) -> np.ndarray:
        """2×3 affine matrix (pixels) rotating the image by −roll about its centre (levels the camera)."""
        w, h = image_size
        a = math.radians(-self.roll_deg)
        c, s = math.cos(a), math.sin(a)
        cx, cy = w / 2.0, h / 2.0
        # cv2.getRotationMatrix2D(centre, angle, 1): [[c, s, (1-c)cx - s cy], [-s, c, s cx + (1-c) cy]]
        return np.array([[c, s, (1 - c) * cx - s * cy], [-s, c, s * cx + (1 - c) * cy]])

    def correct_line_tilt(self, tilt_deg: float, view: View | str) -> float:
        """A 2D line tilt (degrees; positive = the person's left end higher) measured on the raw image, levelled.

        Facing the camera the person's left is on the image's right, so a counter-clockwise
        roll lifts their left end: subtract the roll. From the back, add it. Other views:
        unchanged (a left–right line is not in the image plane side-on).
        """
        v = View(view)
        if v is View.FRONT:
            return tilt_deg - self.roll_deg
        if v is View.BACK:
            return tilt_deg + self.roll_deg
        return tilt_deg

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CameraCalibration:
        """The record ``to_dict`` wrote, every field checked (``CalibrationError`` naming the first
        bad one: a roll of "a" or NaN gave a traceback in ``analyze --camera`` until 2026-12)."""
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        for key in ("roll_deg", "pitch_deg", "spread", "pitch_spread", "roll_uncertainty_deg", "pitch_uncertainty_deg"):
            value = known.get(key)
            if value is None and (key.endswith("uncertainty_deg") or key not in known):
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise CalibrationError(f"damaged camera calibration record: {key} is {value!r}, not a finite number")
            limit = {"roll_deg": 180.0, "pitch_deg": 90.0}.get(key)
            if (limit is not None and abs(value) > limit) or (limit is None and value < 0):
                raise CalibrationError(f"damaged camera calibration record: {key} {value!r} is out of range")
        n = known.get("n_frames", 0)
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise CalibrationError(f"damaged camera calibration record: n_frames is {n!r}, not a count of frames")
        for key in ("axis", "camera", "created_at"):
            if key in known and not isinstance(known[key], str):
                raise CalibrationError(f"damaged camera calibration record: {key} is {known[key]!r}, not text")
        try:
            return cls(**known)
        except TypeError as exc:
            raise CalibrationError(f"damaged camera calibration record: {exc}") from None


def image_tilt_deg(vector_xy: np.ndarray) -> np.ndarray:
    """Signed angle (degrees) of image vectors (..., 2) pointing up from the image's up direction.

    Positive = rotated counter-clockwise on the screen (image x right, y down).
    """
    v = np.asarray(vector_xy, dtype=float)
    return np.degrees(np.arctan2(-v[..., 0], -v[..., 1]))


def _bend_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """180 − ∠abc in degrees for 2D points (how far the a–b–c chain is from straight)."""
    u, v = a - b, c - b
    cosv = float(u @ v) / max(float(np.linalg.norm(u) * np.linalg.norm(v)), 1e-9)
    return 180.0 - math.degrees(math.acos(max(-1.0, min(1.0, cosv))))


def _frame_axes(landmarks: Landmarks, min_confidence: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per available axis ("ankle", "hip"): (image vector, world vector) from its base to the mid-shoulder."""
    ok = landmarks.confidence() >= min_confidence
    xy, w = landmarks.xy, landmarks.world
    sh = [lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER]
    hips = [lm.LEFT_HIP, lm.RIGHT_HIP]
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if not (ok[sh].all() and ok[hips].all()):
        return out
    top_i, top_w = xy[sh].mean(axis=0), w[sh].mean(axis=0)
    out["hip"] = (top_i - xy[hips].mean(axis=0), top_w - w[hips].mean(axis=0))
    legs = [lm.LEFT_KNEE, lm.RIGHT_KNEE, lm.LEFT_ANKLE, lm.RIGHT_ANKLE]
    if ok[legs].all():
        straight = all(
            _bend_deg(xy[h], xy[k], xy[a]) <= MAX_KNEE_BEND_DEG
            for h, k, a in ((lm.LEFT_HIP, lm.LEFT_KNEE, lm.LEFT_ANKLE), (lm.RIGHT_HIP, lm.RIGHT_KNEE, lm.RIGHT_ANKLE))
        )
        if straight:
            ank = [lm.LEFT_ANKLE, lm.RIGHT_ANKLE]
            out["ankle"] = (top_i - xy[ank].mean(axis=0), top_w - w[ank].mean(axis=0))
    return out


def _landmarks_of(item: Landmarks | FrameResult | None) -> Landmarks | None:
    if isinstance(item, FrameResult):
        return item.landmarks
    return item


def robust_keep(
    values: np.ndarray, n_sd: float = OUTLIER_ROBUST_SD, floor: float = MIN_OUTLIER_WINDOW_DEG
) -> np.ndarray:
    """Boolean mask of the values within n_sd robust SDs (1.4826 · MAD, at least ``floor``) of the median."""
    v = np.asarray(values, dtype=float)
    med = float(np.median(v))
    mad = 1.4826 * float(np.median(np.abs(v - med)))
    return np.abs(v - med) <= max(n_sd * mad, floor)


def estimate_camera(
    frames: Iterable[Landmarks | FrameResult | None],
    *,
    camera: str = "",
    axis: str = "auto",
    min_confidence: float = MIN_CONFIDENCE,
    min_frames: int = MIN_FRAMES,
    model_error: dict | None = None,
) -> CameraCalibration:
    """Estimate the camera's roll and pitch from a capture of one person standing or sitting tall.

    Args:
        frames: per-frame landmarks of the person (or pipeline results; None = nobody).
        camera: name of the camera, stored in the result.
        axis: "ankle" (standing), "hip" (sitting or legs not in view) or "auto" (ankle when at
            least half of the usable frames have straight, visible legs, else hip).
        min_confidence: landmark confidence needed (0–1).
        min_frames: fewest stable frames accepted.
        model_error: per axis, the model's (roll, pitch) error in degrees (default
            ``PERSON_MODEL_ERROR_DEG``; ``{}`` for exact, constructed landmarks).

    Raises:
        CalibrationError: nobody visible, the person in view in fewer than ``MIN_IN_VIEW_FRACTION`` of
            the frames, the person not upright, too few still frames, or a stated ±
            (``person_uncertainty_pair``) over ``MAX_PERSON_UNCERTAINTY_DEG``.
    """
    if axis not in ("auto", "ankle", "hip"):
        raise ValueError(f"axis must be 'auto', 'ankle' or 'hip', not {axis!r}")
    people = list(map(_landmarks_of, frames))
    per_frame = [_frame_axes(m, min_confidence) for m in people if m is not None]
    usable = [f for f in per_frame if f]
    if not usable:
        raise CalibrationError("nobody with visible shoulders and hips in the capture: stand in view of the camera")
    if len(per_frame) < MIN_IN_VIEW_FRACTION * len(people):
        raise CalibrationError(
            f"camera calibration refused: the person was in view in only {len(per_frame)} of {len(people)} frames "
            f"(needs {100 * MIN_IN_VIEW_FRACTION:.0f} %): stand in full view for the whole capture"
        )
    if axis == "auto":
        axis = "ankle" if sum("ankle" in f for f in usable) >= 0.5 * len(usable) else "hip"
    pairs = [f[axis] for f in usable if axis in f]
    if len(pairs) < min_frames:
        raise CalibrationError(
            f"only {len(pairs)} usable frames with the {axis} axis visible (need {min_frames}): "
            "stand still, fully in view, for a few seconds"
        )
    img = np.array([p[0] for p in pairs])
    wld = np.array([p[1] for p in pairs])
    roll = image_tilt_deg(img)
    wn = wld / np.linalg.norm(wld, axis=1, keepdims=True)
    pitch = np.degrees(np.arcsin(np.clip(-wn[:, 2], -1.0, 1.0)))
    if abs(float(np.median(roll))) > MAX_ROLL_DEG:
        raise CalibrationError(
            f"the body axis is {float(np.median(roll)):+.0f}° from the image vertical: stand upright "
            "(a camera roll beyond ±30° is not supported)"
        )
    keep = robust_keep(roll)
    if int(keep.sum()) < min_frames:
        raise CalibrationError(
            f"only {int(keep.sum())} still frames (need {min_frames}): stand still for a few seconds"
        )
    r, p = roll[keep], pitch[keep]
    r_sd = float(r.std(ddof=1)) if len(r) > 1 else 0.0
    p_sd = float(p.std(ddof=1)) if len(p) > 1 else 0.0
    roll_unc, pitch_unc = person_uncertainty_pair(r_sd, p_sd, axis, model_error)
    if max(roll_unc, pitch_unc) > MAX_PERSON_UNCERTAINTY_DEG:
        if 2.0 * max(r_sd, p_sd) > MAX_PERSON_UNCERTAINTY_DEG:  # else the model's error on this axis
            raise CalibrationError(
                f"the body axis moved too much to calibrate from (roll {float(r.mean()):+.0f}° SD {r_sd:.1f}°, "
                f"pitch SD {p_sd:.1f}°: ±{max(roll_unc, pitch_unc):.0f}°): stand upright and still, whole body in "
                "view, or use the scene method (the default)"
            )
        raise CalibrationError(
            f"the {axis} → shoulder axis gives the camera's vertical only to roll ±{roll_unc:.0f}°, pitch "
            f"±{pitch_unc:.0f}° (the model's own error on that axis; the limit is ±{MAX_PERSON_UNCERTAINTY_DEG:.0f}°): "
            "stand tall with the whole body and straight legs in view, or use the scene method (the default)"
        )
    return CameraCalibration(
        roll_deg=float(r.mean()),
        pitch_deg=float(p.mean()),
        spread=r_sd,
        n_frames=int(keep.sum()),
        pitch_spread=p_sd,
        axis=axis,
        camera=camera,
        roll_uncertainty_deg=roll_unc,
        pitch_uncertainty_deg=pitch_unc,
    )


def rotate_image(image: np.ndarray, angle_deg: float) -> np.ndarray:
    """The image rotated by ``angle_deg`` (counter-clockwise on screen) about its centre, same size.

    Used to simulate a rolled camera (tests) and, with −roll, to show a levelled view.
    """
    import cv2

    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle_deg, 1.0)
    return cv2.warpAffine(image, m, (w, h))
