"""Metres per pixel (and per model "metre") from the user's height or from a printed marker of known size.

Needed only by measures with a length (sway in cm, alignment offsets in cm). Both methods give
a scale that holds **at the depth of the person (or marker) during the capture**; a person who
later steps closer or further from the camera changes it in proportion to the distance.

From height (``scale_from_height``), assumption stated: standing straight, the vertical
distance from the nose to the ankle joint is a fixed fraction of standing height. With
Drillis & Contini's segment proportions (as tabulated in Winter, *Biomechanics and Motor
Control of Human Movement*, 4th ed., 2009, fig. 4.1): ankle height 0.039 H, eye height
0.936 H, chin 0.870 H; the nose tip (BlazePose landmark 0) is taken a third of the way from
eyes to chin, 0.915 H. Nose-to-ankle = 0.876 H, so H ≈ ``HEIGHT_PER_NOSE_ANKLE`` (1.142) ×
nose-to-ankle length. Individual proportions vary by a few percent (that is the error of this
method, besides the landmarks'); the person must stand straight, facing or side-on, fully in
view, and the camera must be roughly level with the person's middle (strong perspective
shortens the far end).

From a marker (``scale_from_marker``), assumption stated: an OpenCV ArUco marker of known
side length (printed; default dictionary ``DICT_4X4_50``) is held flat, facing the camera,
at the person's distance. Scale = side length / mean side length in pixels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.calibration.camera import CalibrationError, robust_keep
from posture_feedback.types import FrameResult, Landmarks

#: Nose-tip height as a fraction of standing height (see the module docstring).
NOSE_HEIGHT_FRACTION = 0.915
#: Ankle-joint height as a fraction of standing height (Drillis & Contini via Winter 2009).
ANKLE_HEIGHT_FRACTION = 0.039
#: Standing height / nose-to-ankle length.
HEIGHT_PER_NOSE_ANKLE = 1.0 / (NOSE_HEIGHT_FRACTION - ANKLE_HEIGHT_FRACTION)
MIN_CONFIDENCE = 0.5
MIN_FRAMES = 10
DEFAULT_ARUCO_DICT = "DICT_4X4_50"


@dataclass(frozen=True, slots=True)
class ScaleCalibration:
    """A length scale.

    Attributes:
        metres_per_pixel: metres per image pixel at the person's (or marker's) depth.
        world_scale: true metres per MediaPipe world-landmark metre (NaN if unknown; from height only).
        method: "height" or "marker".
        assumption: the assumption the scale rests on, in one sentence.
        spread: relative frame-to-frame SD of the scale (fraction, e.g. 0.02 = 2 %).
        n_frames: frames (or marker detections) used.
        image_size: (width, height) of the frames it was measured on (pixels).
    """

    metres_per_pixel: float
    world_scale: float
    method: str
    assumption: str
    spread: float = 0.0
    n_frames: int = 1
    image_size: tuple[int, int] = (0, 0)
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def to_metres(self, pixels: float) -> float:
        """A length in pixels (at the calibrated depth) in metres."""
        return pixels * self.metres_per_pixel

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["image_size"] = list(self.image_size)
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScaleCalibration:
        try:
            d = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
            d["image_size"] = tuple(int(x) for x in d.get("image_size", (0, 0)))
            return cls(**d)
        except (TypeError, ValueError) as exc:
            raise CalibrationError(f"damaged scale calibration record: {exc}") from None


#: Plausible standing heights and printed marker sides (metres): outside them the number was
#: surely typed in the wrong unit (17.5 for 1.75 m, 8 for 8 cm).
HEIGHT_RANGE_M = (0.5, 2.5)
MARKER_RANGE_M = (0.01, 2.0)


def check_height(height_m: float) -> None:
    """Raise ``CalibrationError`` unless ``height_m`` is a plausible standing height in metres."""
    lo, hi = HEIGHT_RANGE_M
    if not (lo <= height_m <= hi):
        raise CalibrationError(f"height must be in metres between {lo:g} and {hi:g}, not {height_m:g}")


def check_marker_size(marker_length_m: float) -> None:
    """Raise ``CalibrationError`` unless ``marker_length_m`` is a plausible marker side in metres."""
    lo, hi = MARKER_RANGE_M
    if not (lo <= marker_length_m <= hi):
        raise CalibrationError(f"marker side length must be in metres between {lo:g} and {hi:g}, "
                               f"not {marker_length_m:g}")  # fmt: skip


def _landmarks_of(item: Landmarks | FrameResult | None) -> Landmarks | None:
    return item.landmarks if isinstance(item, FrameResult) else item


def scale_from_height(
    frames: Iterable[Landmarks | FrameResult | None],
    height_m: float,
    *,
    min_frames: int = MIN_FRAMES,
) -> ScaleCalibration:
    """The scale from the person's standing height (metres) and a capture of them standing straight.

    Per frame, the nose-to-mid-ankle distance in pixels (and in world-landmark metres) is
    measured; frames beyond 3 robust SDs of the median are dropped; the scale uses the median.

    Pipeline results (``FrameResult``) must show the person still, by the neutral's rule
    (``calibration.neutral.check_still``): a scale from someone moving (walking nearer, bending)
    is not a scale of their standing height.

    Raises:
        CalibrationError: implausible height, the person moved, or fewer than ``min_frames`` frames
        with nose and ankles visible.
    """
    check_height(height_m)
    items = list(frames)
    results = [r for r in items if isinstance(r, FrameResult)]
    if results:  # the same stillness rule as the neutral (calibration.neutral.check_still): "standing still"
        from posture_feedback.calibration.neutral import check_still

        trunk = [a.value for r in results for a in r.angles
                 if a.name == "trunk_inclination" and a.valid and math.isfinite(a.value)]  # fmt: skip
        check_still(trunk, results, min_frames=min_frames, what="scale")
    px, wd, size = [], [], (0, 0)
    ank = [lm.LEFT_ANKLE, lm.RIGHT_ANKLE]
    for m in map(_landmarks_of, items):
        if m is None:
            continue
        ok = m.confidence() >= MIN_CONFIDENCE
        if not (ok[lm.NOSE] and ok[ank].all()):
            continue
        px.append(float(np.linalg.norm(m.xy[lm.NOSE] - m.xy[ank].mean(axis=0))))
        wd.append(float(np.linalg.norm(m.world[lm.NOSE] - m.world[ank].mean(axis=0))))
        size = m.image_size
    if len(px) < min_frames:
        raise CalibrationError(
            f"only {len(px)} frames with the nose and both ankles visible (need {min_frames}): stand fully in view"
        )
    p, w = np.asarray(px), np.asarray(wd)
    keep = robust_keep(p, floor=0.01 * float(np.median(p)))
    p, w = p[keep], w[keep]
    length_m = height_m / HEIGHT_PER_NOSE_ANKLE
    med_p = float(np.median(p))
    return ScaleCalibration(
        metres_per_pixel=length_m / med_p,
        world_scale=length_m / float(np.median(w)),
        method="height",
        assumption=(
            f"standing straight, nose-to-ankle length = {1 / HEIGHT_PER_NOSE_ANKLE:.3f} × height "
            f"(Drillis & Contini proportions); height {height_m:.2f} m; valid at the person's distance"
        ),
        spread=float(np.std(p, ddof=1) / med_p) if len(p) > 1 else 0.0,
        n_frames=int(len(p)),
        image_size=tuple(size),
    )


def _aruco_dictionary(name: str):
    import cv2

    ident = getattr(cv2.aruco, name, None)
    if not isinstance(ident, int):
        raise CalibrationError(f"unknown ArUco dictionary {name!r} (e.g. DICT_4X4_50, DICT_5X5_100)")
    return cv2.aruco.getPredefinedDictionary(ident)


def detect_marker_side_px(image: np.ndarray, dictionary: str = DEFAULT_ARUCO_DICT) -> list[tuple[int, float]]:
    """Detected ArUco markers in a BGR image: (marker id, mean side length in pixels) each."""
    import cv2

    detector = cv2.aruco.ArucoDetector(_aruco_dictionary(dictionary), cv2.aruco.DetectorParameters())
    corners, ids, _ = detector.detectMarkers(image)
    out = []
    if ids is None:
        return out
    for c, i in zip(corners, ids.ravel(), strict=True):
        q = c.reshape(4, 2)
        sides = np.linalg.norm(q - np.roll(q, -1, axis=0), axis=1)
        out.append((int(i), float(sides.mean())))
    return out


def scale_from_marker(
    images: Iterable[np.ndarray],
    marker_length_m: float,
    *,
    dictionary: str = DEFAULT_ARUCO_DICT,
    marker_id: int | None = None,
) -> ScaleCalibration:
    """The scale from a printed ArUco marker of known side length (metres) seen in one or more BGR images.

    Raises:
        CalibrationError: implausible marker size, or the marker is not found in any image.
    """
    check_marker_size(marker_length_m)
    sides, size = [], (0, 0)
    for img in images:
        for i, side in detect_marker_side_px(img, dictionary):
            if marker_id is None or i == marker_id:
                sides.append(side)
                size = (int(img.shape[1]), int(img.shape[0]))
    if not sides:
        which = f"id {marker_id} " if marker_id is not None else ""
        raise CalibrationError(
            f"no ArUco marker {which}({dictionary}) found: "
            "hold the printed marker flat, facing the camera, in good light"
        )
    s = np.asarray(sides)
    med = float(np.median(s))
    return ScaleCalibration(
        metres_per_pixel=marker_length_m / med,
        world_scale=math.nan,
        method="marker",
        assumption=(
            f"{dictionary} marker of side {marker_length_m * 100:.1f} cm held flat, facing the camera, "
            "at the person's distance"
        ),
        spread=float(np.std(s, ddof=1) / med) if len(s) > 1 else 0.0,
        n_frames=len(s),
        image_size=size,
    )
