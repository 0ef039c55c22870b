"""The camera's vertical from the scene: the vanishing point of the room's vertical lines.

Door frames, window frames, wall corners, shelves and table legs are vertical in the world.
Seen by a camera pitched down (or up, or rolled), their images are not parallel: they meet in
one point, the vertical vanishing point ``v``. With the camera's intrinsics ``K`` (focal length
``f`` in pixels, principal point at the image centre), ``K⁻¹ v`` is the world vertical in camera
axes. This gives the camera's roll *and* pitch without anyone standing still.

Conventions: camera axes x right, y down, z forward (MediaPipe's world-landmark axes); ``up`` is
the unit world vertical in those axes, ``[0, -1, 0]`` for a level camera. ``roll_deg`` and
``pitch_deg`` follow ``calibration.camera.CameraCalibration`` (``up = (−sin r·cos p, −cos r·cos p,
−sin p)``; pitch positive when the camera looks down).

Method (``estimate_scene_vertical``):

1. Line segments per frame with OpenCV's LSD (``cv2.createLineSegmentDetector``) at full
   resolution (up to ``MAX_SIDE_PX``), over ``DEFAULT_FRAMES`` frames spread over the first
   ``DEFAULT_SPAN_S`` seconds (``calibrate camera`` and ``analyze`` alike), so that people who
   move uncover the lines behind them.
2. Candidates: at least ``MIN_LENGTH_FRACTION`` of the image diagonal long, within
   ``MAX_SEGMENT_TILT_DEG`` of the image vertical, not lying along the image border (letterbox
   edges are perfectly vertical and would pull the vanishing point to infinity). Optional
   ``exclude`` boxes (e.g. the people's bounding boxes) drop the segments whose midpoint is
   inside one.
3. RANSAC over length-weighted pairs of segments: each pair's interpretation planes meet in a
   candidate direction; candidates more than ``MAX_VERTICAL_OFF_DEG`` from the image vertical
   are rejected (the long edges of a floor or a table also converge, to a horizontal direction).
   Score: MSAC, ``Σ length · max(0, 1 − (e/INLIER_DEG)²)`` with ``e`` the angle between a segment
   and the line from its midpoint to the vanishing point.
4. Least-squares refinement: the direction ``d`` minimising ``Σ length · (n·d)²`` over the
   inliers' interpretation-plane normals ``n`` (smallest eigenvector), iterated.
5. Focal length: the vertical is orthogonal to every horizontal direction, so a horizontal
   vanishing point ``h`` gives ``f² = −(h − c)·(v − c)``. Up to ``MAX_HORIZONTAL_VPS`` horizontal
   vanishing points are found by RANSAC among the remaining segments (only those giving a focal
   length within ``FOV_RANGE_DEG``); their support-weighted median is used. With none, ``f``
   assumes a diagonal field of view of ``DEFAULT_DIAGONAL_FOV_DEG``.
6. Uncertainty (``uncertainty_deg``): about a 95 % bound on the angle between the estimate and
   the true vertical. σ_lines: bootstrap SD of the refined direction over the inlier lines
   (resampling as many segments as there are per frame, since each frame sees the same lines
   again). A focal length is *confirmed* when two or more horizontal vanishing points agree and
   each is sharp: its own lines place it to ``MAX_CONFIRMING_SD_REL`` (bootstrap) with at least
   ``MIN_INLIERS`` shortest segments' worth of line per frame. Then σ_focal is the larger change
   of the direction for a one-SD longer or shorter focal length (that SD: the agreeing points'
   spread or their own, at least ``MIN_FOCAL_SD_REL``) and the bound is 2 × √(σ_lines² +
   σ_focal²); ``ASSUMED_FOV_SD_DEG`` of a webcam's field of view the same way when the caller
   turns the estimate off (a whole webcam image). A focal length nothing confirms (one vanishing
   point, points that disagree or are not sharp, or none found) may be anything a camera, a crop
   or a digital zoom gives (``PLAUSIBLE_FOV_DEG``), with the optical centre of a crop off the
   frame's centre (``crop_centre_offset_px``): the bound is the worst case over that range plus
   twice the lines' spread there (``_unconfirmed_terms``).

Why the focal length matters: the vertical vanishing point lies ``f·cot(pitch)`` below the
image centre, so ``pitch = atan(f / distance)``; a focal length off by 10 % moves the pitch by
about ``0.1 · sin(pitch)·cos(pitch)`` rad (1.8° at 20° pitch). The roll does not depend on it.
The calibrated cameras of ``shared/accuracy`` (1088×1920 portrait) have f ≈ 1681 px, a 66.6°
diagonal field of view; laptop webcams are typically 65–80° diagonal, hence the 70° default.

Limits: the principal point is assumed at the image centre, which holds for a whole camera image
but not for a crop or a digital zoom: on the accuracy set's off-centre 640×480 webcam crops of
cam02 (true principal point 324–570 px below the crop's centre, true focal length 1755–2520 px)
the vertical comes out 12–16° off (pitch 2–6° against 18.2°), the roll 1.2°. Their horizontal
vanishing points are wrong and two of them often agree by chance (the upper crop at the CLI's
3 s: 768 and 877 px; its mirror image at 5 s: 653 and 560 px), which stated ±1° until
2026-12-07; since then a vanishing point confirms only when sharp and well supported, and on 96
runs (upper, desk and the bundled sample, each mirrored, spans 1–5 s, starts 0–2 s) the bound
(±16–34°, median 22°) held every time, at least 3.5° more than the error, while the four whole
views keep ±1.7–2.4° (0.2–1.2° off, also mirrored). Agreement cannot test the optical centre:
a centre off along the vertical moves every horizontal vanishing point's focal length alike, so
a crop whose vanishing points are sharp and agree would still be off in pitch by its offset
(``calibrate camera`` says so).
It needs a scene with vertical structure (at least ``MIN_INLIERS`` consistent segments);
a bare wall or an outdoor scene fails with ``CalibrationError``. Lens distortion is ignored
(the calibrated cameras above move a point by < 2 px at 60 % of the half-diagonal).

Measured on the four calibrated views of ``shared/accuracy`` (docs/accuracy.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from posture_feedback.calibration.camera import CalibrationError, CameraCalibration
from posture_feedback.kinematics import CALIBRATED_UP_UNCERTAINTY_DEG, LEVEL_UP_UNCERTAINTY_DEG

#: Diagonal field of view assumed when the scene gives no focal length (degrees).
DEFAULT_DIAGONAL_FOV_DEG = 70.0
#: One SD of that assumption (degrees of diagonal field of view; webcams span about 60–80°).
ASSUMED_FOV_SD_DEG = 5.0
#: Focal lengths from horizontal vanishing points are accepted within this diagonal field of view.
FOV_RANGE_DEG = (40.0, 100.0)
#: Longest image side the lines are detected at (pixels); larger frames are downscaled.
MAX_SIDE_PX = 1920
#: Frames used from a recording (spread over ``DEFAULT_SPAN_S``).
DEFAULT_FRAMES = 8
DEFAULT_SPAN_S = 5.0
#: Shortest segment used, as a share of the image diagonal.
MIN_LENGTH_FRACTION = 0.03
#: Segments more than this from the image vertical are not candidates (degrees).
MAX_SEGMENT_TILT_DEG = 40.0
#: Vertical directions more than this from the image vertical are rejected (degrees).
MAX_VERTICAL_OFF_DEG = 45.0
#: A segment is an inlier when within this angle of the line to the vanishing point (degrees).
INLIER_DEG = 1.0
#: Segments with both ends within this distance of the same image border are dropped (pixels).
BORDER_PX = 6.0
#: Fewest inlier segments per frame (on average) for an estimate.
MIN_INLIERS = 8
#: RANSAC iterations (pairs of segments) for the vertical and for each horizontal vanishing point.
RANSAC_ITERATIONS = 2000
#: Horizontal vanishing points searched for the focal length.
MAX_HORIZONTAL_VPS = 3
#: Focal lengths further than this (log ratio) from the median of the horizontal vanishing points are outliers.
FOCAL_AGREE = 0.2
#: Smallest relative SD of a focal length from vanishing points that confirm each other.
MIN_FOCAL_SD_REL = 0.05
#: A horizontal vanishing point confirms another only when its own lines place its focal length
#: to this relative (log) SD: its 95 % interval (± 2 SD) no wider than the agreement window
#: ``FOCAL_AGREE`` (``_combine_focals``).
MAX_CONFIRMING_SD_REL = 0.5 * FOCAL_AGREE
#: Diagonal fields of view a frame may have, crops and digital zoom included (degrees): the
#: accuracy set's 640×480 webcam crops are 26° and 18°, laptop webcams 65–80°, wide lenses ≤ 100°.
PLAUSIBLE_FOV_DEG = (18.0, 100.0)
#: Bootstrap resamples for the uncertainty.
BOOTSTRAP = 200
#: Focal lengths (log spaced over ``PLAUSIBLE_FOV_DEG``) a focal length nothing confirms is tried at.
FOCAL_GRID = 25


@dataclass(frozen=True, slots=True)
class SceneVertical:
    """The world vertical estimated from the scene's lines.

    Attributes:
        up: unit world vertical in camera axes (x right, y down, z forward).
        uncertainty_deg: about a 95 % bound on the angle to the true vertical (degrees).
        roll_deg / pitch_deg: the same as ``CameraCalibration`` angles (degrees).
        focal_px: focal length used (pixels, at the frame's own size).
        focal_source: "vanishing points" (estimated), "assumed" (``DEFAULT_DIAGONAL_FOV_DEG``) or "given".
        lines_sd_deg / focal_sd_deg: the two terms of the uncertainty (1 SD each, degrees): the
            bound is 2 × √(lines² + focal²) for a confirmed, given or assumed-webcam focal length,
            2 × (lines + focal) for an unconfirmed one (``_unconfirmed_terms``).
        focal_confirmed: False when the focal length may be anything in ``PLAUSIBLE_FOV_DEG``
            (no two sharp horizontal vanishing points agree): the pitch is then barely known.
        roll_sd_deg: the lines' bootstrap SD of the roll alone (degrees; NaN if not computed).
        n_frames / n_segments / n_inliers: frames used, candidate segments, inlier segments.
        image_size: (width, height) in pixels.
    """

    up: tuple[float, float, float]
    uncertainty_deg: float
    roll_deg: float
    pitch_deg: float
    focal_px: float
    focal_source: str
    lines_sd_deg: float
    focal_sd_deg: float
    n_frames: int
    n_segments: int
    n_inliers: int
    image_size: tuple[int, int]
    roll_sd_deg: float = math.nan
    focal_confirmed: bool = True

    def up_vector(self) -> np.ndarray:
        return np.asarray(self.up, dtype=float)

    def roll_pitch_uncertainty(self) -> tuple[float, float]:
        """(roll, pitch) uncertainty in degrees for the angles (``kinematics.UpUncertainty``): the
        roll from the lines' bootstrap of the roll alone (2 × ``roll_sd_deg``; the roll does not
        depend on the focal length; 2 × ``lines_sd_deg`` if not computed), the pitch the whole
        ``uncertainty_deg``, each at least ``CALIBRATED_UP_UNCERTAINTY_DEG`` (3°, the vertical's
        term the uncertainty model's coverage was measured with). Neither covers a principal
        point away from the image centre."""
        floor = CALIBRATED_UP_UNCERTAINTY_DEG
        roll_sd = self.roll_sd_deg if self.roll_sd_deg == self.roll_sd_deg else self.lines_sd_deg
        return max(floor, 2.0 * roll_sd), max(floor, self.uncertainty_deg)

    def to_dict(self) -> dict[str, Any]:
        return {
            "up": [round(float(v), 6) for v in self.up],
            "uncertainty_deg": round(self.uncertainty_deg, 3),
            "roll_deg": round(self.roll_deg, 3),
            "pitch_deg": round(self.pitch_deg, 3),
            "focal_px": round(self.focal_px, 1),
            "focal_source": self.focal_source,
            "focal_confirmed": self.focal_confirmed,
            "lines_sd_deg": round(self.lines_sd_deg, 3),
            "focal_sd_deg": round(self.focal_sd_deg, 3),
            "roll_sd_deg": round(self.roll_sd_deg, 3),
            "n_frames": self.n_frames,
            "n_segments": self.n_segments,
            "n_inliers": self.n_inliers,
            "image_size": list(self.image_size),
            "method": "scene",
        }

    def to_calibration(self, camera: str = "", *, bounded: bool = True) -> CameraCalibration:
        """A storable ``CameraCalibration`` with the same vertical (axis "scene", spread = uncertainty / 2)
        and its stated roll and pitch ± (``roll_pitch_uncertainty``).

        ``bounded`` False: for this recording alone, not to be stored (``assess``, as ``analyze`` uses the
        scene's estimate): no bound, the roll and pitch carry their own ± whatever they are (a roll
        ±3° beside a pitch nothing confirms, ±20°, is still a good roll).

        Raises:
            CalibrationError: (``bounded``) the bound is wider than ``camera.MAX_SCENE_UNCERTAINTY_DEG`` (10°,
                the person method's limit): too uncertain to store (``calibrate camera`` of a collage of
                two scenes stored ±50° until 2026-12).
        """
        from posture_feedback.calibration.camera import MAX_SCENE_UNCERTAINTY_DEG

        if bounded and self.uncertainty_deg > MAX_SCENE_UNCERTAINTY_DEG:
            roll_unc, pitch_unc = self.roll_pitch_uncertainty()
            why = ("no two vanishing points confirm the focal length, as on a cropped or zoomed image"
                   if not self.focal_confirmed else f"{self.n_inliers} line segments agree")  # fmt: skip
            raise CalibrationError(
                f"the scene gives the camera's vertical only to ±{self.uncertainty_deg:.0f}° (roll ±{roll_unc:.0f}°, "
                f"pitch ±{pitch_unc:.0f}°; {why}): not stored (the limit is ±{MAX_SCENE_UNCERTAINTY_DEG:.0f}°); "
                "use --method person, or analyze without --camera (it carries each recording's own estimate and ±)"
            )
        roll_unc, pitch_unc = self.roll_pitch_uncertainty()
        return CameraCalibration(
            roll_deg=self.roll_deg,
            pitch_deg=self.pitch_deg,
            spread=self.uncertainty_deg / 2.0,
            n_frames=self.n_frames,
            pitch_spread=self.uncertainty_deg / 2.0,
            axis="scene",
            camera=camera,
            roll_uncertainty_deg=roll_unc,
            pitch_uncertainty_deg=pitch_unc,
        )


def roll_pitch_of(up: np.ndarray) -> tuple[float, float]:
    """(roll, pitch) in degrees of a unit up vector (inverse of ``CameraCalibration.up_vector``)."""
    u = np.asarray(up, dtype=float) / np.linalg.norm(up)
    return math.degrees(math.atan2(-u[0], -u[1])), math.degrees(math.asin(max(-1.0, min(1.0, -u[2]))))


def focal_from_fov(image_size: tuple[int, int], diagonal_fov_deg: float) -> float:
    """Focal length in pixels of a pinhole camera with this diagonal field of view (degrees)."""
    w, h = image_size
    return 0.5 * math.hypot(w, h) / math.tan(math.radians(diagonal_fov_deg) / 2.0)


def fov_from_focal(image_size: tuple[int, int], focal_px: float) -> float:
    """Diagonal field of view in degrees of a focal length in pixels."""
    w, h = image_size
    return math.degrees(2.0 * math.atan(0.5 * math.hypot(w, h) / focal_px))


# -- line segments -----------------------------------------------------------------------------


def detect_segments(image: np.ndarray, max_side: int = MAX_SIDE_PX) -> np.ndarray:
    """Line segments (N, 4) as x1, y1, x2, y2 in the image's own pixels (LSD on the grey image)."""
    import cv2

    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    h, w = grey.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    if scale < 1.0:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    lines = cv2.createLineSegmentDetector(cv2.LSD_REFINE_STD).detect(grey)[0]
    if lines is None:
        return np.empty((0, 4))
    return lines.reshape(-1, 4).astype(float) / scale


def _drop_border(seg: np.ndarray, size: tuple[int, int], border: float) -> np.ndarray:
    """Mask of segments that do not lie along one image border (both ends within ``border`` px of it)."""
    w, h = size
    x, y = seg[:, [0, 2]], seg[:, [1, 3]]
    along = (x < border).all(1) | (x > w - 1 - border).all(1) | (y < border).all(1) | (y > h - 1 - border).all(1)
    return ~along


def _outside(mid: np.ndarray, boxes: Sequence[Sequence[float]]) -> np.ndarray:
    keep = np.ones(len(mid), dtype=bool)
    for x0, y0, x1, y1 in boxes:
        keep &= ~((mid[:, 0] >= x0) & (mid[:, 0] <= x1) & (mid[:, 1] >= y0) & (mid[:, 1] <= y1))
    return keep


class _Segments:
    """Candidate segments with what every step needs: length, unit direction, midpoint, plane normals."""

    def __init__(self, seg: np.ndarray, centre: np.ndarray, focal: float) -> None:
        self.seg = seg
        d = seg[:, 2:] - seg[:, :2]
        self.length = np.hypot(d[:, 0], d[:, 1])
        self.dir = d / self.length[:, None]
        self.mid = 0.5 * (seg[:, :2] + seg[:, 2:])
        self.centre = centre
        self.set_focal(focal)

    def set_focal(self, focal: float) -> None:
        self.focal = focal
        one = np.ones((len(self.seg), 1))
        p1 = np.hstack([(self.seg[:, :2] - self.centre) / focal, one])
        p2 = np.hstack([(self.seg[:, 2:] - self.centre) / focal, one])
        n = np.cross(p1, p2)
        self.normal = n / np.linalg.norm(n, axis=1, keepdims=True)

    def subset(self, mask: np.ndarray) -> _Segments:
        return _Segments(self.seg[mask], self.centre, self.focal)

    def vp_of(self, direction: np.ndarray) -> np.ndarray:
        """Homogeneous image point (3,) of a camera-axes direction."""
        return np.array([self.focal * direction[0] + self.centre[0] * direction[2],
                         self.focal * direction[1] + self.centre[1] * direction[2], direction[2]])  # fmt: skip

    def error_deg(self, direction: np.ndarray) -> np.ndarray:
        """Per segment: angle (degrees) between it and the line from its midpoint to the vanishing point."""
        vp = self.vp_of(direction)
        t = vp[:2] - self.mid * vp[2]
        t /= np.linalg.norm(t, axis=1, keepdims=True) + 1e-12
        s = np.abs(self.dir[:, 0] * t[:, 1] - self.dir[:, 1] * t[:, 0])
        return np.degrees(np.arcsin(np.clip(s, 0.0, 1.0)))


def _ransac(
    segs: _Segments, rng: np.random.Generator, accept, iterations: int = RANSAC_ITERATIONS
) -> tuple[np.ndarray | None, float]:
    """(best direction, its MSAC score) over length-weighted pairs; ``accept(direction)`` filters candidates."""
    n = len(segs.length)
    if n < 2:
        return None, 0.0
    p = segs.length / segs.length.sum()
    pairs = rng.choice(n, size=(iterations, 2), p=p)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    cand = np.cross(segs.normal[pairs[:, 0]], segs.normal[pairs[:, 1]])
    norm = np.linalg.norm(cand, axis=1)
    cand = cand[norm > 1e-9] / norm[norm > 1e-9, None]
    best, best_score = None, 0.0
    for d in cand:
        if not accept(d):
            continue
        e = segs.error_deg(d)
        score = float((segs.length * np.clip(1.0 - (e / INLIER_DEG) ** 2, 0.0, None)).sum())
        if score > best_score:
            best, best_score = d, score
    return best, best_score


def _refine(segs: _Segments, d: np.ndarray, iterations: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """(direction, inlier mask): least squares over the inliers' plane normals, iterated."""
    inl = segs.error_deg(d) < INLIER_DEG
    for _ in range(iterations):
        if inl.sum() < 2:
            break
        w = segs.length[inl]
        m = (segs.normal[inl] * w[:, None]).T @ segs.normal[inl]
        d = np.linalg.eigh(m)[1][:, 0]
        new = segs.error_deg(d) < INLIER_DEG
        if (new == inl).all():
            break
        inl = new
    return d, inl


def _fit(segs: _Segments, mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    w = segs.length[mask] * (1.0 if weights is None else weights)
    m = (segs.normal[mask] * w[:, None]).T @ segs.normal[mask]
    return np.linalg.eigh(m)[1][:, 0]


def _oriented_up(d: np.ndarray) -> np.ndarray:
    d = d / np.linalg.norm(d)
    return -d if d[1] > 0 else d


def _angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    c = abs(float(a @ b)) / (np.linalg.norm(a) * np.linalg.norm(b))
    return math.degrees(math.acos(min(1.0, c)))


def _focal_from_horizontals(
    others: _Segments,
    v: np.ndarray,
    size: tuple[int, int],
    rng: np.random.Generator,
    n_frames: int = 1,
    boot_rng: np.random.Generator | None = None,
) -> tuple[list[float], list[float], list[float]]:
    """(focal lengths in pixels, their support, their own relative SDs) from up to
    ``MAX_HORIZONTAL_VPS`` horizontal vanishing points.

    ``v`` is the vertical vanishing point (homogeneous image point). A horizontal vanishing point
    ``h`` (finite) gives ``f² = −(h − c)·(v − c)``; candidates outside ``FOV_RANGE_DEG`` are rejected.
    Each one's relative SD is ``_own_focal_sd_rel`` (drawing from ``boot_rng``, so that RANSAC's
    draws do not depend on it), how well its own lines place it; infinite
    when it has less line per frame than ``MIN_INLIERS`` of the shortest segments (the vertical's
    own minimum): a point fixed by one or two edges seen again in every frame bootstraps as sharp
    and is not (the accuracy set's upper crop: 355 and 427 px, 0.2 image diagonals of line per
    frame, agreeing; the true focal length is 1755 px).
    """
    c = others.centre
    f_lo, f_hi = focal_from_fov(size, FOV_RANGE_DEG[1]), focal_from_fov(size, FOV_RANGE_DEG[0])
    if abs(v[2]) < 1e-12:
        return [], []  # the vertical vanishing point at infinity (pitch 0): no focal length from it
    vc = v[:2] / v[2] - c

    def focal_of(d: np.ndarray) -> float:
        h = others.vp_of(d)
        if abs(h[2]) < 1e-12:
            return math.nan
        f2 = -float((h[:2] / h[2] - c) @ vc)
        return math.sqrt(f2) if f2 > 0 else math.nan

    def accept(d: np.ndarray) -> bool:
        f = focal_of(d)
        return f_lo <= f <= f_hi

    focals, support, sds = [], [], []
    segs = others
    min_support = MIN_INLIERS * 0.03 * math.hypot(*size)
    for _ in range(MAX_HORIZONTAL_VPS):
        d, score = _ransac(segs, rng, accept)
        if d is None or score < min_support:
            break
        d, inl = _refine(segs, d)
        f = focal_of(d)
        if not f_lo <= f <= f_hi:
            inl = segs.error_deg(d) < INLIER_DEG
        else:
            focals.append(f)
            support.append(float(segs.length[inl].sum()))
            line_per_frame = float(segs.length[inl].sum()) / max(1, n_frames)
            if line_per_frame < MIN_INLIERS * MIN_LENGTH_FRACTION * math.hypot(*size):
                sds.append(math.inf)  # too little line to place it: it cannot confirm another
            else:
                sds.append(_own_focal_sd_rel(segs, inl, focal_of, boot_rng or rng, n_frames))
        if (~inl).sum() < 2:
            break
        segs = segs.subset(~inl)
    return focals, support, sds


def _own_focal_sd_rel(segs: _Segments, inl: np.ndarray, focal_of, rng: np.random.Generator, n_frames: int) -> float:
    """Relative (log) SD of one horizontal vanishing point's focal length from its own lines: the
    bootstrap over its inlier segments (as many per resample as one frame has, like the vertical's),
    as the half-width of the central 95 % of log f over 1.96; infinite when more than 2.5 % of the
    resamples give no focal length at all (the point passes to the other side of the image centre
    or to infinity: its lines barely converge)."""
    idx = np.flatnonzero(inl)
    per_frame = max(2, round(len(idx) / max(1, n_frames)))
    logs = []
    for _ in range(BOOTSTRAP):
        pick = rng.choice(idx, size=per_frame, replace=True)
        counts = np.bincount(pick, minlength=len(segs.length)).astype(float)
        mask = counts > 0
        f = focal_of(_fit(segs, mask, counts[mask]))
        logs.append(math.log(f) if f == f and f > 0 else math.nan)
    arr = np.asarray(logs)
    if np.count_nonzero(~np.isfinite(arr)) > 0.025 * len(arr):
        return math.inf
    lo, hi = np.nanpercentile(arr, [2.5, 97.5])
    return float(hi - lo) / (2.0 * 1.96)


def unconfirmed_focal_sd_rel() -> float:
    """Relative (log) SD of a focal length that no second vanishing point confirms: half the
    log range of ``PLAUSIBLE_FOV_DEG`` (f ∝ 1 / tan(fov / 2): the same at every image size)."""
    narrow, wide = (math.tan(math.radians(fov) / 2.0) for fov in PLAUSIBLE_FOV_DEG)
    return 0.5 * math.log(wide / narrow)


def _combine_focals(
    focals: Sequence[float], support: Sequence[float], sds: Sequence[float] | None = None
) -> tuple[float, float]:
    """(focal length in pixels, its relative SD) from several horizontal vanishing points.

    Only vanishing points that their own lines place to ``MAX_CONFIRMING_SD_REL`` (``sds``,
    ``_own_focal_sd_rel``; None: all are) can confirm each other: two or more of them within
    ``FOCAL_AGREE`` (relative) of their support-weighted median are averaged (log scale, weighted
    by support), and the relative SD is the largest of their weighted RMS deviation, their own
    combined SD and ``MIN_FOCAL_SD_REL``. Otherwise the focal length is unconfirmed (the average
    of all within ``FOCAL_AGREE`` of the median of all): it may be anything a camera, a crop or a
    digital zoom gives (``unconfirmed_focal_sd_rel``; ``_unconfirmed_terms`` for its bound).

    Why the agreement needs sharp vanishing points: on the accuracy set's 640×480 webcam crops of
    cam02 (true focal length 1755 and 2520 px) the horizontal vanishing points are 0.12–0.9 (log)
    uncertain from their own lines and two of them agree by chance about as often as not (upper
    crop 768 and 877 px, its mirror image 653 and 560 px: the vertical 12–13° off with ±1°); on
    the four whole 1088×1920 views the vanishing points that agree are placed to 0.00–0.04.
    Agreement never tests the optical centre: a centre off along the vertical moves every
    horizontal vanishing point's focal length alike (module docstring, Limits).
    """
    f, w = np.log(np.asarray(focals, dtype=float)), np.asarray(support, dtype=float)
    own = np.zeros(len(f)) if sds is None else np.asarray(sds, dtype=float)
    sharp = np.flatnonzero(own <= MAX_CONFIRMING_SD_REL)
    if len(sharp) >= 2:
        agree = sharp[np.abs(f[sharp] - _weighted_median(f[sharp], w[sharp])) <= FOCAL_AGREE]
        if len(agree) >= 2:
            mean = float(np.average(f[agree], weights=w[agree]))
            rms = math.sqrt(float(np.average((f[agree] - mean) ** 2, weights=w[agree])))
            combined = 1.0 / math.sqrt(float(np.sum(1.0 / np.maximum(own[agree], 1e-6) ** 2)))
            return math.exp(mean), max(MIN_FOCAL_SD_REL, rms, combined)
    keep = np.abs(f - _weighted_median(f, w)) <= FOCAL_AGREE
    return math.exp(float(np.average(f[keep], weights=w[keep]))), unconfirmed_focal_sd_rel()


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cw = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cw, 0.5 * cw[-1])])


def estimate_scene_vertical(
    images: Iterable[np.ndarray],
    *,
    focal_px: float | None = None,
    estimate_focal: bool = True,
    exclude: Sequence[Sequence[Sequence[float]]] | None = None,
    seed: int = 0,
) -> SceneVertical:
    """The world vertical from the vertical lines in one or more frames of a fixed camera.

    Args:
        images: BGR (or grey) frames of the same camera, all the same size.
        focal_px: the focal length in pixels when known (then neither estimated nor assumed).
        estimate_focal: estimate it from horizontal vanishing points (else assume
            ``DEFAULT_DIAGONAL_FOV_DEG``).
        exclude: per frame, boxes (x0, y0, x1, y1) in pixels whose segments are ignored
            (e.g. the people).
        seed: random seed of RANSAC and the bootstrap (the result is deterministic).

    Raises:
        CalibrationError: no frames, or too few consistent vertical lines.
    """
    parts, size, n_frames = [], None, 0
    for i, image in enumerate(images):
        h, w = image.shape[:2]
        if size is None:
            size = (w, h)
        elif size != (w, h):
            raise CalibrationError("the frames differ in size: give frames of one camera")
        seg = detect_segments(image)
        if exclude is not None and i < len(exclude) and len(seg):
            seg = seg[_outside(0.5 * (seg[:, :2] + seg[:, 2:]), exclude[i])]
        parts.append(seg)
        n_frames += 1
    if size is None:
        raise CalibrationError("no frames to find the scene's vertical lines in")
    seg = np.vstack(parts) if parts else np.empty((0, 4))
    return estimate_from_segments(seg, size, n_frames=n_frames, focal_px=focal_px,
                                  estimate_focal=estimate_focal, seed=seed)  # fmt: skip


def estimate_from_segments(
    seg: np.ndarray,
    size: tuple[int, int],
    *,
    n_frames: int = 1,
    focal_px: float | None = None,
    estimate_focal: bool = True,
    seed: int = 0,
) -> SceneVertical:
    """``estimate_scene_vertical`` on line segments already detected ((N, 4), x1 y1 x2 y2 pixels)."""
    rng = np.random.default_rng(seed)
    w, h = size
    centre = np.array([w / 2.0, h / 2.0])
    diag = math.hypot(w, h)
    seg = np.asarray(seg, dtype=float).reshape(-1, 4)
    d = seg[:, 2:] - seg[:, :2]
    length = np.hypot(d[:, 0], d[:, 1])
    tilt = np.degrees(np.arctan2(np.abs(d[:, 0]), np.abs(d[:, 1])))
    long_enough = (length >= MIN_LENGTH_FRACTION * diag) & _drop_border(seg, size, BORDER_PX)
    cand = long_enough & (tilt <= MAX_SEGMENT_TILT_DEG)
    f0 = focal_px if focal_px is not None else focal_from_fov(size, DEFAULT_DIAGONAL_FOV_DEG)
    segs = _Segments(seg[cand], centre, f0)
    min_inliers = MIN_INLIERS * max(1, n_frames)
    if len(segs.length) < min_inliers:
        raise CalibrationError(
            f"only {len(segs.length)} near-vertical line segments in the scene (need {min_inliers}): "
            "point the camera at a scene with door frames, shelves or wall corners, or use a person-based capture"
        )
    cos_off = math.cos(math.radians(MAX_VERTICAL_OFF_DEG))
    v_dir, _ = _ransac(segs, rng, lambda x: abs(x[1]) >= cos_off)
    if v_dir is None:
        raise CalibrationError("no common vanishing point of vertical lines in the scene")
    v_dir, inl = _refine(segs, v_dir)
    if abs(v_dir[1]) < cos_off and inl.sum() >= min_inliers:  # enough lines, but not on a plausible vertical
        off = math.degrees(math.acos(min(1.0, abs(float(v_dir[1])))))
        raise CalibrationError(  # (it said "only 95 line segments agree on a vertical (need 64)" here)
            f"the {int(inl.sum())} line segments that agree point to a vertical {off:.0f}° from the picture's "
            f"(more than {MAX_VERTICAL_OFF_DEG:.0f}°): point the camera at a scene with door frames, shelves or "
            "wall corners, or use a person-based capture"
        )
    if abs(v_dir[1]) < cos_off or inl.sum() < min_inliers:
        raise CalibrationError(
            f"only {int(inl.sum())} line segments agree on a vertical (need {min_inliers}): "
            "point the camera at a scene with door frames, shelves or wall corners, or use a person-based capture"
        )
    vp = segs.vp_of(v_dir)  # the vanishing point in the image does not depend on the focal length
    focal, source, f_sd_rel = f0, "given", 0.0
    if focal_px is None:
        focals: list[float] = []
        if estimate_focal:
            others = _Segments(seg[long_enough], centre, f0)
            others = others.subset(others.error_deg(v_dir) >= INLIER_DEG)
            boot_rng = np.random.default_rng(seed + 1)
            focals, support, sds = _focal_from_horizontals(others, vp, size, rng, n_frames, boot_rng)
        if focals:
            focal, f_sd_rel = _combine_focals(focals, support, sds)
            source = "vanishing points"
        elif estimate_focal:  # looked for and not found: any plausible field of view, crops included
            source, f_sd_rel = "assumed", unconfirmed_focal_sd_rel()
        else:  # the caller says it is a whole webcam image
            lo = focal_from_fov(size, DEFAULT_DIAGONAL_FOV_DEG + ASSUMED_FOV_SD_DEG)
            hi = focal_from_fov(size, DEFAULT_DIAGONAL_FOV_DEG - ASSUMED_FOV_SD_DEG)
            source, f_sd_rel = "assumed", 0.5 * math.log(hi / lo)
    if focal != f0:
        segs.set_focal(focal)
        v_dir, inl = _refine(segs, _direction_of(vp, centre, focal))
    up = _oriented_up(v_dir)
    # uncertainty: bootstrap over the lines, and the focal length's effect
    idx = np.flatnonzero(inl)
    per_frame = max(2, round(len(idx) / max(1, n_frames)))
    boot, boot_roll, boot_vp = [], [], []
    roll0 = roll_pitch_of(up)[0]
    for _ in range(BOOTSTRAP):
        pick = rng.choice(idx, size=per_frame, replace=True)
        mask = np.zeros(len(segs.length), dtype=bool)
        counts = np.bincount(pick, minlength=len(segs.length)).astype(float)
        mask[counts > 0] = True
        fit = _fit(segs, mask, counts[mask])
        boot.append(_angle_deg(fit, up))
        boot_roll.append((roll_pitch_of(_oriented_up(fit))[0] - roll0 + 180.0) % 360.0 - 180.0)
        boot_vp.append(segs.vp_of(fit))
    lines_sd = float(np.sqrt(np.mean(np.square(boot))))
    roll_sd = float(np.sqrt(np.mean(np.square(boot_roll))))
    focal_sd = 0.0
    vp_now = segs.vp_of(up)
    if f_sd_rel >= unconfirmed_focal_sd_rel():  # a whole range, not an SD: its worst case
        bound, lines_sd, focal_sd = _unconfirmed_terms(vp_now, boot_vp, up, centre, size)
    else:
        if f_sd_rel > 0:  # the larger change of a one-SD longer or shorter focal length
            focal_sd = max(_angle_deg(_direction_of(vp_now, centre, focal * math.exp(k * f_sd_rel)), up)
                           for k in (1, -1))  # fmt: skip
        bound = 2.0 * math.hypot(lines_sd, focal_sd)
    roll, pitch = roll_pitch_of(up)
    return SceneVertical(
        up=tuple(float(x) for x in up),
        uncertainty_deg=bound,
        roll_deg=roll,
        pitch_deg=pitch,
        focal_px=float(focal),
        focal_source=source,
        lines_sd_deg=lines_sd,
        focal_sd_deg=focal_sd,
        roll_sd_deg=roll_sd,
        n_frames=n_frames,
        n_segments=int(len(segs.length)),
        n_inliers=int(inl.sum()),
        image_size=(int(w), int(h)),
        focal_confirmed=f_sd_rel < unconfirmed_focal_sd_rel(),
    )


def _unconfirmed_terms(
    vp: np.ndarray, boot_vp: Sequence[np.ndarray], up: np.ndarray, centre: np.ndarray, size: tuple[int, int]
) -> tuple[float, float, float]:
    """(bound, lines term, focal term) in degrees for a focal length nothing confirms: the worst
    case over what the frame may be, a whole image or a crop or digital zoom of one.

    Tried: ``FOCAL_GRID`` focal lengths log spaced over ``PLAUSIBLE_FOV_DEG``, each with the optical
    centre at the frame's centre and moved ``crop_centre_offset_px`` towards and away from the
    vertical vanishing point (which moves the pitch; across it would move the roll, whose bound
    stays the lines' own: the crops measured are 1.2° off in roll). At each, the
    vertical is some angle from the estimate (the reach: not a random error, a place the truth may
    be) and the lines' bootstrap vanishing points spread about it by an RMS angle (the same image
    spread is a larger angle at a longer focal length). The bound is the largest reach + 2 × spread
    (a set widened by a 95 % interval: added, not in quadrature); the lines term is that spread,
    the focal term half that reach (so ``2 × (lines + focal)`` is the bound).

    Doubling one SD of the log focal length instead (until 2026-12) fell short where the estimate
    lay near one end of the range (the bundled 640×480 sample: f 372 px for a true 2520 px, ±8.7°
    stated for a vertical 16° off), and the optical centre of the accuracy set's crops, 324 and
    570 px below their centre, moves the pitch by about 1° more at their true focal length.
    """
    narrow, wide = (focal_from_fov(size, fov) for fov in PLAUSIBLE_FOV_DEG)
    towards = vp[:2] - centre * vp[2]
    towards = towards / (np.linalg.norm(towards) or 1.0) * (1.0 if vp[2] >= 0 else -1.0)
    best = (-1.0, 0.0, 0.0)
    for f in np.geomspace(wide, narrow, FOCAL_GRID):
        offset = crop_centre_offset_px(float(f), size)
        for c in (centre, centre + offset * towards, centre - offset * towards):
            here = _direction_of(vp, c, float(f))
            reach = _angle_deg(here, up)
            spread = math.sqrt(float(np.mean([_angle_deg(_direction_of(b, c, float(f)), here) ** 2 for b in boot_vp])))
            if reach + 2.0 * spread > best[0]:
                best = (reach + 2.0 * spread, spread, 0.5 * reach)
    return best


def crop_centre_offset_px(focal_px: float, size: tuple[int, int]) -> float:
    """How far (pixels) the optical centre of a frame with this focal length may lie from the
    frame's centre if the frame is a crop of a typical webcam's whole image
    (``DEFAULT_DIAGONAL_FOV_DEG``): that image's half-diagonal at this focal length less the
    frame's own; 0 for a frame at least that wide. Hand-worked: 640×480 at f = 2520 px (the
    accuracy set's desk crop): 2520 · tan 35° − 400 = 1365 px (its true offset is 570 px; the
    upper crop's 324 px at 1755 px, where this gives 829 px). The widest whole image
    (``PLAUSIBLE_FOV_DEG``, 100°) would allow 2603 px and state ±26° (median) on the crops where
    70° states ±22° and still covers all 96 runs (module docstring); with no offset at all 6 of
    them fell short by up to 1.2°."""
    half_diagonal = 0.5 * math.hypot(*size)
    return max(0.0, focal_px * math.tan(math.radians(DEFAULT_DIAGONAL_FOV_DEG) / 2.0) - half_diagonal)


def _direction_of(vp: np.ndarray, centre: np.ndarray, focal: float) -> np.ndarray:
    """Unit camera-axes direction of a homogeneous image point: K⁻¹ vp."""
    d = np.array([(vp[0] - centre[0] * vp[2]) / focal, (vp[1] - centre[1] * vp[2]) / focal, vp[2]])
    return d / np.linalg.norm(d)


# -- reading frames ----------------------------------------------------------------------------


def read_frames(spec: str, n: int = DEFAULT_FRAMES, span_s: float = DEFAULT_SPAN_S, start_s: float = 0.0):
    """Up to ``n`` frames of a video file spread evenly over ``span_s`` seconds from ``start_s``.

    Returns (frames, name). Uses ``posture_feedback.sources.open_source`` (so "sample" and
    image files work; a still image gives one frame).
    """
    from posture_feedback.sources import open_source

    with open_source(spec) as src:
        name = src.name
        frames = []
        if src.is_live:
            step_s = span_s / max(1, n)
            t_next = None
            for frame in src:
                if t_next is None or frame.timestamp_s >= t_next:
                    frames.append(frame.image)
                    t_next = frame.timestamp_s + step_s
                if len(frames) >= n:
                    break
            return frames, name
        fps = src.fps or 30.0
        total = getattr(src, "frame_count", None)
        first = int(round(start_s * fps))
        last = first + int(span_s * fps)
        if total:
            last = min(last, total - 1)
        wanted = set(np.linspace(first, max(first, last), n).round().astype(int).tolist())
        for i, frame in enumerate(src):
            if i in wanted:
                frames.append(frame.image)
            if i >= max(wanted):
                break
    return frames, name


def scene_vertical_of(spec: str, **kwargs: Any) -> SceneVertical:
    """``estimate_scene_vertical`` on ``read_frames(spec)`` (a recording, a still image or a camera)."""
    frames, _ = read_frames(spec)
    return estimate_scene_vertical(frames, **kwargs)


class SceneVerticalCollector:
    """Collects line segments from a live stream and estimates the vertical once it has enough.

    ``add(image, t)`` detects the segments of one frame every ``every_s`` seconds (about 0.1 s
    of work at 1920 px, 0.03 s at 640 px) until ``n_frames`` frames were collected (1.4 s with
    the defaults; a time that goes back, e.g. a looped video, restarts the spacing); then ``result`` holds the
    estimate (or ``error`` the reason there is none). Used by the pipeline when no stored
    camera calibration is given.
    """

    def __init__(self, n_frames: int = DEFAULT_FRAMES, every_s: float = 0.2) -> None:
        self.n_frames = n_frames
        self.every_s = every_s
        self._segments: list[np.ndarray] = []
        self._size: tuple[int, int] | None = None
        self._t_next = -math.inf
        self._t_last = -math.inf
        self.result: SceneVertical | None = None
        self.error: str | None = None

    @property
    def done(self) -> bool:
        return self.result is not None or self.error is not None

    def add(self, image: np.ndarray, t: float) -> SceneVertical | None:
        """Feed one frame (BGR) at time ``t`` (seconds); returns the estimate when it is first made."""
        if t < self._t_last:  # looped or seeked back
            self._t_next = t
        self._t_last = t
        if self.done or t < self._t_next:
            return None
        h, w = image.shape[:2]
        if self._size is not None and self._size != (w, h):
            self._segments, self._size = [], None  # the camera changed: start again
        self._size = (w, h)
        self._segments.append(detect_segments(image))
        self._t_next = t + self.every_s
        if len(self._segments) < self.n_frames:
            return None
        try:
            self.result = estimate_from_segments(np.vstack(self._segments), self._size, n_frames=len(self._segments))
        except CalibrationError as exc:
            self.error = str(exc)
        self._segments = []
        return self.result


def level_camera_note(why: str) -> str:
    """The line a command prints when it measures against an assumed level camera, and how much
    that costs: "camera assumed level (WHY): angles against the vertical carry ±20° for it"."""
    return f"camera assumed level ({why}): angles against the vertical carry ±{LEVEL_UP_UNCERTAINTY_DEG:.0f}° for it"


def scene_estimate_for_source(spec: str, source: object | None = None) -> tuple[SceneVertical | None, str]:
    """(the scene's vertical of a recording, "") or (None, why a level camera is assumed, in words):
    still images and image folders (``ImageSource``, possibly unrelated cameras) and live sources
    have none; a scene without enough vertical lines says why (``CalibrationError``'s words).
    ``source`` is the already opened source (only its type is looked at)."""
    from posture_feedback.sources import ImageSource

    if isinstance(source, ImageSource) or getattr(source, "is_live", False):
        return None, "no scene estimate for images or live sources"
    try:
        return scene_vertical_of(spec), ""
    except CalibrationError as exc:
        return None, str(exc)


def scene_up_for_source(
    spec: str, source: object | None = None
) -> tuple[np.ndarray | None, tuple[float, float] | None, str, SceneVertical | None]:
    """(up or None, its (roll, pitch) uncertainty in degrees or None, a one-line note, the estimate
    or None) for ``analyze``: the scene's vertical of a recording
    (``SceneVertical.roll_pitch_uncertainty``); the estimate also holds the focal length and
    whether vanishing points confirmed it (``Pipeline.set_focal``).

    Still images and image folders (``ImageSource``, possibly unrelated cameras) and live
    sources get None (a level camera). A scene without enough vertical lines gives None and
    says why. ``source`` is the already opened source (only its type is looked at).
    """
    est, why = scene_estimate_for_source(spec, source)
    if est is None:
        return None, None, f"camera vertical: level camera assumed ({why})", None
    roll_unc, pitch_unc = est.roll_pitch_uncertainty()
    return est.up_vector(), (roll_unc, pitch_unc), (
        f"camera vertical from the scene: roll {est.roll_deg:+.1f}° (±{roll_unc:.1f}°), pitch {est.pitch_deg:+.1f}° "
        f"(±{pitch_unc:.1f}°) (`--camera level` turns it off)"
    ), est
