"""Person-relative posture signals for a laptop webcam in front of the person (no depth needed).

A webcam on a laptop sees the person face-on, usually head to chest. The sagittal faults that
laptop work causes (forward head, slumping, leaning in, hunched shoulders) are depth movements
there; these signals read them from how the head and shoulders move *in the image*, compared
with the same person's calibrated neutral ("sit tall, look at the screen"). They need only the
nose, the ears and the shoulders (no hips: they work with the hips below the desk edge).

Geometry (all in **image pixels** of the frame as captured, x right, y down; never mirrored):

* shoulder line: left shoulder L minus right shoulder R; shoulder width ``w = |L − R|`` (px);
  the shoulder line's *up normal* ``n`` is the unit vector perpendicular to it pointing to the
  head side (towards smaller y). Every height below is a distance along ``n`` from the shoulder
  mid-point, divided by ``w`` (so it does not change with the distance to the camera).
* face size: the distance between the ears (px); the eyes' outer corners when an ear is hidden.
* the tilt of a line: ``atan2(−Δy, |Δx|)`` of (left − right) point, degrees, + = the person's
  left side higher (as ``types.ANGLE_NAMES``' tilts).

Raw per-frame quantities (``RAW_NAMES``, ``raw_signals``):

==========================  =====================================================================
``shoulder_width_px``       w, px
``face_width_px``           ear-to-ear distance, px
``nose_height``             nose above the shoulder line, along n, in shoulder widths
``ear_height``              mid-ear above the shoulder line, along n, in shoulder widths
``left_ear_shoulder``       left ear above the left shoulder, along n, in shoulder widths
``right_ear_shoulder``      the same on the right
``ear_shoulder_tilt``       tilt of the ear line minus tilt of the shoulder line, degrees
``nose_offset``             nose minus mid-ear along the ear line (towards the left ear),
                            in ear-to-ear distances
``shoulder_mid_y_px``       image y of the shoulder mid-point, px (down)
==========================  =====================================================================

Signals against the neutral (``SIGNALS``, ``relative_signals``), + always the direction named:

==========================  =========  ==========================================================
``head_drop``               % of w     neutral − current height of the nose and mid-ear (mean of
                                       the two) above the shoulder line; + = head lower (forward
                                       head, looking down, slumping)
``lean_in``                 %          shoulder width / neutral − 1; + = shoulders nearer the
                                       screen (distance ≈ neutral distance / (1 + lean_in))
``face_closer``             %          face width / neutral − 1; + = face nearer the screen (a
                                       forward head grows the face more than the shoulders)
``shoulder_raise``          % of w     neutral − current ear-above-shoulder height, mean of both
                                       sides; + = shoulders nearer the ears (hunched). Note:
                                       a dropped head also brings the ears nearer the shoulders;
                                       ``head_drop`` and ``shoulder_raise`` rise together then.
``neck_side_bend``          degrees    change of the ear line's tilt relative to the shoulder
                                       line; + = the head bends towards the person's right
                                       (left ear higher)
``head_rotation``           % of ear   change of the nose offset; + = the head turns towards the
                            distance   person's left (nose towards the left ear). About
                                       tan(turn) · 60%: 10° ≈ 10%.
``shoulder_lift``           % of       rise of the shoulder mid-point in the image since the
                            neutral w  neutral, in neutral shoulder widths; + = shoulders higher.
                                       Needs a camera that stays put (a laptop's); it tells raised
                                       shoulders (they rise) from a dropped head (they do not).
==========================  =========  ==========================================================

Rounded shoulders (protraction) have no signal here: the accuracy set holds no protraction
movement to check a proxy against, so none is offered (docs/laptop_coach.md).

Validity: every signal needs its landmarks at confidence ≥ ``min_visibility`` *inside the
frame*, a shoulder width of at least ``MIN_SHOULDER_PX`` and a face-on view (``View.FRONT``);
otherwise it is NaN (missing), never guessed. A face the model put below the shoulder line is
garbled (``garbled_face.face_below_shoulders``, the rule the overlay draws by): nothing of that
frame is measured.
Uncertainty (``SIGNAL_UNCERTAINTY``, ±, in each signal's unit): a 90% bound of the error against
the 4-camera reference on the accuracy set's webcam crops (``bench/laptop_signals.py``); the
correlations are in docs/laptop_coach.md. Each raw quantity but the shoulders' height passes a
0.2 s causal median first (``RawMedian``).
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.garbled_face import face_below_shoulders
from posture_feedback.types import Landmarks, View

NOSE = lm.NOSE
L_EAR, R_EAR = lm.LEFT_EAR, lm.RIGHT_EAR
L_SH, R_SH = lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER
L_EYE_OUT, R_EYE_OUT = lm.INDEX["left_eye_outer"], lm.INDEX["right_eye_outer"]

RAW_NAMES: tuple[str, ...] = (
    "shoulder_width_px",
    "face_width_px",
    "nose_height",
    "ear_height",
    "left_ear_shoulder",
    "right_ear_shoulder",
    "ear_shoulder_tilt",
    "nose_offset",
    "shoulder_mid_y_px",
)

#: Signal name → unit (the CSV column is ``<name>`` in this unit).
SIGNALS: dict[str, str] = {
    "head_drop": "% shoulder width",
    "lean_in": "%",
    "face_closer": "%",
    "shoulder_raise": "% shoulder width",
    "neck_side_bend": "deg",
    "head_rotation": "% ear distance",
    "shoulder_lift": "% shoulder width",
}
SIGNAL_NAMES: tuple[str, ...] = tuple(SIGNALS)

#: ± uncertainty of each signal in its unit, a 90% bound: the 90th percentile of the absolute error
#: against the 4-camera reference's landmarks projected into the same crop, on the accuracy set's
#: webcam crops (the larger of ``upper`` and ``desk``, rounded up; neutral from crop frames 10-15,
#: after the model has settled; the product's ``RawMedian`` applied): ``python bench/laptop_signals.py
#: --neutral-start 10``. A worst case: a man balancing with fast trunk and arm movements and a
#: pixelated face, not a seated laptop user. (Until 2026-12-06 these were mean absolute errors,
#: which the errors exceeded in 10-65% of frames.)
SIGNAL_UNCERTAINTY: dict[str, float] = {
    "head_drop": 27.0,
    "lean_in": 20.0,
    "face_closer": 56.0,
    "shoulder_raise": 23.0,
    "neck_side_bend": 16.0,
    "head_rotation": 26.0,
    "shoulder_lift": 7.0,
}

#: Shoulder width below which nothing is measured (px): the person is too far or too small.
MIN_SHOULDER_PX = 40.0
#: Margin (px) a landmark may lie outside the frame and still count as in it.
FRAME_MARGIN_PX = 2.0


def in_frame(landmarks: Landmarks, min_visibility: float = 0.5, margin_px: float = FRAME_MARGIN_PX) -> np.ndarray:
    """(33,) True where a landmark is confident (min of visibility and presence ≥ ``min_visibility``)
    *and* inside the image (± ``margin_px``): the model's guesses for parts below the desk edge,
    which can come with a high presence, count as missing."""
    w, h = landmarks.image_size
    x, y = landmarks.image[:, 0], landmarks.image[:, 1]
    inside = (x >= -margin_px) & (x <= w + margin_px) & (y >= -margin_px) & (y <= h + margin_px)
    return (landmarks.confidence() >= min_visibility) & inside & np.isfinite(landmarks.image[:, :2]).all(axis=1)


def _tilt(v: np.ndarray) -> float:
    """Tilt (degrees) of a left − right vector in image pixels: + = the left point higher."""
    return math.degrees(math.atan2(-float(v[1]), abs(float(v[0]))))


def raw_signals(
    landmarks: Landmarks | None, view: View = View.FRONT, min_visibility: float = 0.5
) -> dict[str, float]:
    """The raw per-frame quantities (``RAW_NAMES``; see the module docstring), NaN where not measurable.

    Nothing is measured without a person (``landmarks`` None), unless the view is ``View.FRONT``
    and both shoulders are in the frame with a width of at least ``MIN_SHOULDER_PX``.
    """
    out = dict.fromkeys(RAW_NAMES, math.nan)
    if landmarks is None:
        return out
    ok = in_frame(landmarks, min_visibility)
    p = landmarks.image[:, :2].astype(float)
    if view is not View.FRONT or not (ok[L_SH] and ok[R_SH]):
        return out
    sh = p[L_SH] - p[R_SH]
    w = float(np.hypot(*sh))
    if w < MIN_SHOULDER_PX or face_below_shoulders(landmarks, ok):
        # a face below the shoulders: the model took something else for it (garbled_face)
        return out
    out["shoulder_width_px"] = w
    mid = 0.5 * (p[L_SH] + p[R_SH])
    out["shoulder_mid_y_px"] = float(mid[1])
    n = np.array([sh[1], -sh[0]]) / w  # perpendicular to the shoulder line
    if n[1] > 0:  # point it to the head side (image up)
        n = -n

    def height(q: np.ndarray, base: np.ndarray = mid) -> float:
        return float((q - base) @ n) / w

    if ok[NOSE]:
        out["nose_height"] = height(p[NOSE])
    if ok[L_EAR] and ok[R_EAR]:
        ears = p[L_EAR] - p[R_EAR]
        face = float(np.hypot(*ears))
        out["face_width_px"] = face
        mid_ear = 0.5 * (p[L_EAR] + p[R_EAR])
        out["ear_height"] = height(mid_ear)
        out["ear_shoulder_tilt"] = _tilt(ears) - _tilt(sh)
        if ok[NOSE] and face > 0:
            out["nose_offset"] = float((p[NOSE] - mid_ear) @ ears) / (face * face)
    elif ok[L_EYE_OUT] and ok[R_EYE_OUT]:
        out["face_width_px"] = float(np.hypot(*(p[L_EYE_OUT] - p[R_EYE_OUT])))
    if ok[L_EAR]:
        out["left_ear_shoulder"] = height(p[L_EAR], p[L_SH])
    if ok[R_EAR]:
        out["right_ear_shoulder"] = height(p[R_EAR], p[R_SH])
    return out


def _nanmean(*values: float) -> float:
    vals = [v for v in values if math.isfinite(v)]
    return sum(vals) / len(vals) if vals else math.nan


@dataclass(frozen=True, slots=True)
class LaptopNeutral:
    """A person's neutral raw quantities (``RAW_NAMES``, their units), for one camera.

    Attributes:
        raw: name → mean over the capture (only the quantities measured).
        spread: name → SD over the capture (same unit).
        n_frames: frames the means are based on.
        camera: the camera it was captured with ("" = unknown).
    """

    raw: dict[str, float]
    spread: dict[str, float] = field(default_factory=dict)
    n_frames: int = 0
    camera: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"raw": dict(self.raw), "spread": dict(self.spread), "n_frames": self.n_frames, "camera": self.camera}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> LaptopNeutral:
        raw = data.get("raw", {})
        spread = data.get("spread", {})
        if not isinstance(raw, Mapping) or not isinstance(spread, Mapping):
            raise ValueError("damaged laptop neutral: raw/spread are not mappings")
        return cls(
            raw={str(k): float(v) for k, v in raw.items() if str(k) in RAW_NAMES},
            spread={str(k): float(v) for k, v in spread.items() if str(k) in RAW_NAMES},
            n_frames=int(data.get("n_frames", 0)),  # type: ignore[arg-type]
            camera=str(data.get("camera", "")),
        )


def neutral_from_frames(raws: Iterable[Mapping[str, float]], min_frames: int = 12, camera: str = "") -> LaptopNeutral:
    """The neutral from the raw quantities of a capture: per quantity the median of the frames that
    measured it (robust to a blink of movement), with the SD as spread; a quantity measured in
    fewer than ``min_frames`` frames is left out. Raises ``ValueError`` when the shoulders were
    never measured often enough."""
    cols: dict[str, list[float]] = {k: [] for k in RAW_NAMES}
    count = 0
    for r in raws:
        count += 1
        for k in RAW_NAMES:
            v = r.get(k, math.nan)
            if math.isfinite(v):
                cols[k].append(float(v))
    raw, spread = {}, {}
    for k, vals in cols.items():
        if len(vals) >= min_frames:
            a = np.asarray(vals)
            raw[k] = float(np.median(a))
            spread[k] = float(a.std(ddof=1))
    if "shoulder_width_px" not in raw:
        raise ValueError(f"the shoulders were measured in fewer than {min_frames} of {count} frames")
    return LaptopNeutral(raw=raw, spread=spread, n_frames=count, camera=camera)


def relative_signals(raw: Mapping[str, float], neutral: LaptopNeutral | Mapping[str, float]) -> dict[str, float]:
    """The signals (``SIGNALS``, their units, see the module docstring) of one frame's raw quantities
    against the neutral; NaN where either side is missing."""
    n = neutral.raw if isinstance(neutral, LaptopNeutral) else neutral

    def g(d: Mapping[str, float], k: str) -> float:
        return float(d.get(k, math.nan))

    def ratio(k: str) -> float:
        base = g(n, k)
        return 100.0 * (g(raw, k) / base - 1.0) if base > 0 else math.nan

    head_now = _nanmean(g(raw, "nose_height"), g(raw, "ear_height"))
    head_neutral = _nanmean(g(n, "nose_height"), g(n, "ear_height"))
    if math.isfinite(g(raw, "nose_height")) != math.isfinite(g(n, "nose_height")) or math.isfinite(
        g(raw, "ear_height")
    ) != math.isfinite(g(n, "ear_height")):
        # compare like with like: only the points measured on both sides
        both = [k for k in ("nose_height", "ear_height") if math.isfinite(g(raw, k)) and math.isfinite(g(n, k))]
        head_now = _nanmean(*(g(raw, k) for k in both))
        head_neutral = _nanmean(*(g(n, k) for k in both))
    raise_l = g(n, "left_ear_shoulder") - g(raw, "left_ear_shoulder")
    raise_r = g(n, "right_ear_shoulder") - g(raw, "right_ear_shoulder")
    return {
        "head_drop": 100.0 * (head_neutral - head_now),
        "lean_in": ratio("shoulder_width_px"),
        "face_closer": ratio("face_width_px"),
        "shoulder_raise": 100.0 * _nanmean(raise_l, raise_r),
        "neck_side_bend": g(raw, "ear_shoulder_tilt") - g(n, "ear_shoulder_tilt"),
        "head_rotation": 100.0 * (g(raw, "nose_offset") - g(n, "nose_offset")),
        "shoulder_lift": 100.0 * (g(n, "shoulder_mid_y_px") - g(raw, "shoulder_mid_y_px")) / g(n, "shoulder_width_px"),
    }


def signals_for(
    landmarks: Landmarks | None, view: View, neutral: LaptopNeutral | None, min_visibility: float = 0.5
) -> dict[str, float]:
    """One frame's signals against ``neutral`` (all NaN without a person or a neutral)."""
    if neutral is None:
        return dict.fromkeys(SIGNAL_NAMES, math.nan)
    return relative_signals(raw_signals(landmarks, view, min_visibility), neutral)


#: Seconds of the causal median over each raw quantity (``RawMedian``): about 6 frames at 30 fps.
#: Measured with ``python bench/laptop_signals.py`` (upper / desk crop, Pearson r against the
#: reference's 3D change): lean_in 0.43 → 0.77 / 0.07 → 0.26, shoulder_lift 0.88 → 0.85 / 0.86 →
#: 0.84 (a 5-frame median; longer windows lose shoulder_lift: 0.52 at 15 frames).
RAW_MEDIAN_S = 0.2
#: Samples the median should hold at a lower frame rate: the posture monitor processes 10 frames/s,
#: where 0.2 s holds 2 samples and removes no spike. 5 samples (0.5 s at 10 frames/s) raised r
#: against the reference's 3D change at 10 frames/s, on both crops and every signal but the
#: unfiltered shoulder lift (``python bench/monitor_rate.py --median-s``: lean_in 0.48 → 0.70 /
#: 0.46 → 0.60, shoulder_raise 0.13 → 0.21 / 0.24 → 0.31, head_drop 0.04 → 0.07 / 0.12 → 0.12);
#: 1 s was worse on the upper crop (0.49), 2 s lost every signal (the man moves fast).
RAW_MEDIAN_SAMPLES = 5


def raw_median_window_s(fps: float) -> float:
    """The median's window (seconds) for a stream processed at ``fps`` frames/s: ``RAW_MEDIAN_S``,
    widened to hold ``RAW_MEDIAN_SAMPLES`` samples at low rates (0.2 s at 30 frames/s, 0.5 s at 10)."""
    return max(RAW_MEDIAN_S, RAW_MEDIAN_SAMPLES / fps) if fps > 0 else RAW_MEDIAN_S

#: The raw quantities the median filters: all but the shoulders' image height, which the model
#: gives cleanly and which moves fast (a shrug): its median lagged, shoulder_lift's MAE rose from
#: 2.4 to 6.6% of the shoulder width on the upper crop.
RAW_MEDIAN_NAMES: tuple[str, ...] = tuple(n for n in RAW_NAMES if n != "shoulder_mid_y_px")


class RawMedian:
    """Causal median of each raw quantity over the last ``window_s`` seconds (NaN ignored).

    The model's face and shoulder points jump for single frames by more than a posture change
    (spikes of 50–150% of the shoulder width on the webcam crops); a short median removes them
    without the lag of a low-pass filter, so the monitor and ``analyze --laptop-signals`` read the
    same filtered quantities. ``update(t, raw)``: ``t`` in seconds (monotonic), returns the medians
    over the window's measured values of each quantity in ``names``; a quantity not measured in
    this frame stays NaN (a frame is never filled from earlier ones), other quantities pass as
    they are. A gap longer than the window starts afresh.
    """

    def __init__(self, window_s: float = RAW_MEDIAN_S, names: Iterable[str] | None = None) -> None:
        self.window_s = float(window_s)
        self.names = frozenset(RAW_MEDIAN_NAMES if names is None else names)
        self._buf: deque[tuple[float, Mapping[str, float]]] = deque()

    def update(self, t: float, raw: Mapping[str, float]) -> dict[str, float]:
        buf = self._buf
        while buf and buf[-1][0] > t:  # time went backwards (a new source): drop what is "later"
            buf.pop()
        while buf and t - buf[0][0] >= self.window_s:
            buf.popleft()
        buf.append((t, raw))
        out: dict[str, float] = dict(raw)
        for k, value in raw.items():
            if k not in self.names or not math.isfinite(value):
                continue  # not measured in this frame: stays missing, never filled from the past
            out[k] = float(statistics.median(v for _, r in buf if math.isfinite(v := r.get(k, math.nan))))
        return out

    def reset(self) -> None:
        self._buf.clear()


class FirstSecondsNeutral:
    """A neutral taken from the first ``seconds`` of a recording in which the shoulders are measured
    (for ``analyze``: the person is assumed to start in their usual posture).

    ``update(raw, t)`` collects one frame's raw quantities (time ``t`` in seconds) and returns the
    neutral once ``seconds`` have passed since the first measured frame and at least ``min_frames``
    frames were measured (None before). ``finish()`` returns a neutral from what was collected, if
    it is enough, at the end of a short recording.
    """

    def __init__(self, seconds: float = 1.0, min_frames: int = 12) -> None:
        self.seconds = float(seconds)
        self.min_frames = int(min_frames)
        self._raws: list[Mapping[str, float]] = []
        self._t0: float | None = None
        self.neutral: LaptopNeutral | None = None

    def update(self, raw: Mapping[str, float], t: float) -> LaptopNeutral | None:
        if self.neutral is not None:
            return self.neutral
        if math.isfinite(raw.get("shoulder_width_px", math.nan)):
            if self._t0 is None:
                self._t0 = t
            self._raws.append(raw)
        if self._t0 is not None and t - self._t0 >= self.seconds and len(self._raws) >= self.min_frames:
            return self.finish()
        return None

    def finish(self) -> LaptopNeutral | None:
        if self.neutral is None and len(self._raws) >= self.min_frames:
            self.neutral = neutral_from_frames(self._raws, self.min_frames)
        return self.neutral


#: The guided start ("sit tall, look at the screen, hold still"): the largest robust SD (1.4826 ×
#: the median absolute deviation, so that a few frames the model got wrong do not count as movement)
#: over the capture of the head heights (nose and mid-ear, shoulder widths) and of the shoulder width
#: (relative to its median). Twice the signals' frame-to-frame jitter on the webcam crops (about 2% of w,
#: ``bench/laptop_signals.py``): a capture that moves more than that would shift every later reading by
#: more than the noise.
STILL_MAX_HEAD = 0.04
STILL_MAX_WIDTH = 0.04
#: Fewest frames a guided start needs (about 1 s at the monitor's 10 frames/s).
GUIDED_MIN_FRAMES = 12
#: Share of the capture's frames that must see the person face-on with the shoulders measured.
CAPTURE_MIN_FRACTION = 0.8


def _robust_sd(values: np.ndarray) -> float:
    """1.4826 × the median absolute deviation (= the SD for normal data, blind to a few outliers)."""
    return 1.4826 * float(np.median(np.abs(values - np.median(values))))


class NeutralRefused(ValueError):
    """The guided start could not take a neutral; the message says why, in plain words."""


def guided_neutral(
    raws: list[Mapping[str, float]], views: list[View], camera: str = "", min_frames: int = GUIDED_MIN_FRAMES
) -> LaptopNeutral:
    """The laptop neutral from a guided start's frames (raw quantities and views, same length), or
    ``NeutralRefused`` with the reason: nobody or too few frames, not facing the camera, the face
    not seen, or not still (``STILL_MAX_HEAD``, ``STILL_MAX_WIDTH``)."""
    n = len(raws)
    if n < min_frames:
        raise NeutralRefused(f"too few frames ({n}): hold still in front of the camera for 3 seconds")
    seen = [r for r in raws if math.isfinite(r.get("shoulder_width_px", math.nan))]
    front = sum(1 for v in views if v is View.FRONT)
    if len(seen) < CAPTURE_MIN_FRACTION * n:
        if front < CAPTURE_MIN_FRACTION * n:
            raise NeutralRefused("turn to face the screen, head and both shoulders in view")
        raise NeutralRefused("both shoulders must be in view: sit back a little or tilt the screen")
    if not any(math.isfinite(r.get("nose_height", math.nan)) or math.isfinite(r.get("ear_height", math.nan))
               for r in seen):  # fmt: skip
        raise NeutralRefused("your face is not seen: look at the screen")
    width = np.array([r["shoulder_width_px"] for r in seen])
    if _robust_sd(width) > STILL_MAX_WIDTH * float(np.median(width)):
        moved = 100 * _robust_sd(width) / float(np.median(width))
        raise NeutralRefused(f"you, or the camera's reading of you, moved nearer or further ({moved:.1f}% of your "
                             "shoulder width); stay still")
    for key in ("nose_height", "ear_height"):
        vals = np.array([r[key] for r in seen if math.isfinite(r.get(key, math.nan))])
        if len(vals) >= 2 and _robust_sd(vals) > STILL_MAX_HEAD:
            raise NeutralRefused(f"your head, or the camera's reading of it, moved ({100 * _robust_sd(vals):.1f}% of "
                                 "your shoulder width); stay still")  # the model's points jump too
    return neutral_from_frames(seen, min_frames=min(min_frames, len(seen)), camera=camera)


# Storage with a profile: a "neutral" calibration row with ``camera`` set and payload
# ``{"posture": "laptop", "laptop": LaptopNeutral.to_dict(), "angles": {...}}`` ("laptop" is never
# read as a sitting or standing neutral).
LAPTOP_POSTURE = "laptop"


def save_laptop_neutral(db, profile_id: int, neutral: LaptopNeutral, angles: Mapping[str, float] | None = None) -> None:  # noqa: ANN001
    """Store the laptop neutral for this profile and ``neutral.camera`` (``storage.Database``)."""
    payload = {"posture": LAPTOP_POSTURE, "laptop": neutral.to_dict(), "angles": dict(angles or {}), "view": "front"}
    db.add_calibration(profile_id, "neutral", payload, camera=neutral.camera or None)


def load_laptop_neutral(db, profile_id: int, camera: str) -> LaptopNeutral | None:  # noqa: ANN001
    """The newest laptop neutral of this profile for this camera, None if there is none."""
    rows = [
        c
        for c in db.calibrations(profile_id)
        if c.kind == "neutral" and c.payload.get("posture") == LAPTOP_POSTURE and (c.camera or "") == camera
    ]
    if not rows:
        return None
    return LaptopNeutral.from_dict(rows[-1].payload.get("laptop", {}))
