"""One Euro smoothing of landmarks (Casiez, Roussel & Vogel, CHI 2012).

The One Euro filter is a first-order low-pass filter whose cutoff frequency rises with the
signal's speed: at rest it smooths hard (little jitter), in fast movement it smooths little
(little lag). It is frame-rate aware: every update uses the real time step in seconds, so the
same parameters behave the same at 30 and 60 fps and across dropped frames.

Tuning (from the paper): set ``beta = 0`` and lower ``min_cutoff`` until the jitter of a
still person is acceptable; then raise ``beta`` until fast movements no longer lag. Leave
``d_cutoff`` at 1 Hz.

``LandmarkSmoother`` applies it to a person's landmarks *scale-aware*: speeds are measured in
body sizes per second (see ``person.body_scale``), so the same parameters work for a person
200 px or 900 px tall, at 640×480 or 1768×994, and for image (pixels) and world (metres)
coordinates alike.

Real landmarks (the tracked person of the lab and sports sample videos, after swap correction;
RMS frame-to-frame second difference of 15 body landmarks): MediaPipe with ``num_poses=1``
smooths internally (lab cam01, 60 fps: 2.9 px raw → 0.8 px), with ``num_poses=3`` it does
not (26 px raw → 3.3 px, 6.7x less; lab cam02 45 → 9 px; sports video at 30 fps 28 → 9 px).

The PyPI ``OneEuroFilter`` package filters one scalar at a time; this vectorised version
filters all 33 landmarks in a few numpy operations (about 0.1 ms per frame).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from posture_feedback.person import body_scale
from posture_feedback.types import Landmarks


def _alpha(dt: float, cutoff: np.ndarray | float) -> np.ndarray | float:
    """Smoothing factor of an exponential filter with this cutoff (Hz) for a step of dt seconds."""
    r = 2.0 * math.pi * dt * cutoff
    return r / (r + 1.0)


class OneEuroFilter:
    """Vectorised One Euro filter over numpy arrays of any fixed shape.

    Args:
        min_cutoff: cutoff frequency in Hz at zero speed. Lower = less jitter at rest, more lag.
        beta: speed coefficient, in Hz per (unit of x per second, divided by ``scale``). The
            cutoff is ``min_cutoff + beta * speed``. Higher = less lag in fast movement.
        d_cutoff: cutoff frequency in Hz of the low-pass filter on the derivative (1 Hz is the
            paper's recommendation).
        speed_axis: if given, the speed of each vector along this axis (e.g. ``-1`` for an
            (N, 2) array of points) sets one cutoff per vector, so x and y of a point are
            smoothed alike; otherwise every element has its own cutoff.

    Call ``f(x, t)`` with the raw value and its timestamp in seconds (strictly increasing);
    it returns the filtered value (a new array of the same shape). A timestamp that does not
    increase, or a change of shape, restarts the filter. Non-finite elements pass through as
    they are, and their filter holds its last value for that frame. ``scale`` divides the
    speed before it meets ``beta`` (e.g. the body size in pixels), making ``beta`` unit-free.
    """

    def __init__(
        self, min_cutoff: float = 1.0, beta: float = 0.0, d_cutoff: float = 1.0, speed_axis: int | None = None
    ) -> None:
        if min_cutoff <= 0 or d_cutoff <= 0 or beta < 0:
            raise ValueError("OneEuroFilter needs min_cutoff > 0, d_cutoff > 0 and beta >= 0")
        self.min_cutoff = float(min_cutoff)
        self.beta = float(beta)
        self.d_cutoff = float(d_cutoff)
        self.speed_axis = speed_axis
        self.reset()

    def reset(self) -> None:
        """Forget the state: the next value passes through unchanged."""
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    @property
    def initialised(self) -> bool:
        return self._x is not None

    def __call__(self, x: np.ndarray, t: float, scale: float = 1.0) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self._x is None or self._t is None or x.shape != self._x.shape or t <= self._t:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), float(t)
            return x.copy()
        missing = ~np.isfinite(x)
        if missing.any() or not np.isfinite(self._x).all():
            # NaN/inf inputs pass through and their filter holds its value; a state element that
            # is not finite yet restarts from the input
            fresh = ~np.isfinite(self._x)
            self._x = np.where(fresh, x, self._x)
            self._dx = np.where(fresh, 0.0, self._dx)
            out = self(np.where(missing, self._x, x), t, scale)
            return np.where(missing, x, out)
        dt = float(t) - self._t
        self._t = float(t)
        dx = (x - self._x) / dt
        self._dx = self._dx + _alpha(dt, self.d_cutoff) * (dx - self._dx)
        if self.speed_axis is None:
            speed = np.abs(self._dx)
        else:
            speed = np.sqrt(np.sum(self._dx * self._dx, axis=self.speed_axis, keepdims=True))
        cutoff = self.min_cutoff + (self.beta / max(scale, 1e-12)) * speed
        self._x = self._x + _alpha(dt, cutoff) * (x - self._x)
        return self._x.copy()


@dataclass
class SmoothingOptions:
    """Parameters of ``LandmarkSmoother``.

    Speeds are in body sizes per second (1 body size = ``person.body_scale``, about half a
    metre, e.g. the hip-to-shoulder length), for image and world coordinates alike.

    Attributes:
        min_cutoff_hz: cutoff at rest, Hz. 0.7 Hz keeps a still person's landmarks steady.
        beta: Hz per (body size per second): the cutoff is ``min_cutoff_hz + beta * speed``, so
            2.0 opens the filter to 6.7 Hz for a limb moving at 3 body sizes/s. Retuned for lower
            lag (``bench/filtering.py``): steady lag on a ramp at 30 fps 50, 34 and 17 ms at 0.5, 1
            and 3 body sizes/s (was 65, 47, 25 with 1.0 Hz / beta 1), 49 ms behind a 1 Hz
            repetition (was 62); jitter (std) of a still point reduced 3.1x at 30 fps (was 2.9x),
            4.8x at 60 fps; live median MAE on the accuracy set with the true vertical 7.8 -> 7.5 deg.
        d_cutoff_hz: cutoff of the speed estimate, Hz.
        depth_min_cutoff_hz: cutoff at rest of the image z (MediaPipe's relative depth), Hz;
            it is the noisiest coordinate and rarely used, so it is smoothed harder.
        visibility_cutoff_hz: cutoff of a plain low-pass on visibility (Hz), so that one-frame
            dips do not make an angle flicker to "missing"; None leaves visibility raw.
        max_gap_s: after a gap longer than this (seconds) between frames, restart the filter
            rather than sweep from the old pose to the new one.
        landmarks: smooth the positions; ``analyze`` turns it off when it filters the whole
            recording's angles without lag instead (``zero_phase_filter``; visibility is still
            smoothed). Measured on the accuracy set (scene vertical): median MAE per view 6.2,
            7.0, 16.7, 7.2° with the zero-phase filter alone, 6.7, 7.5, 17.9, 7.0° on top of the
            One Euro filter.
    """

    min_cutoff_hz: float = 0.7
    beta: float = 2.0
    d_cutoff_hz: float = 1.0
    depth_min_cutoff_hz: float = 0.7
    visibility_cutoff_hz: float | None = 5.0
    max_gap_s: float = 0.5
    landmarks: bool = True


class LandmarkSmoother:
    """Smooths one tracked person's landmarks over time (image, world and visibility).

    It resets itself after a gap longer than ``options.max_gap_s``, when the timestamp does
    not increase (a new source), and when ``track_id`` changes (another person).
    """

    def __init__(self, options: SmoothingOptions = SmoothingOptions()) -> None:  # noqa: B008 (immutable use)
        self.options = options
        o = options
        self._xy = OneEuroFilter(o.min_cutoff_hz, o.beta, o.d_cutoff_hz, speed_axis=-1)
        self._z = OneEuroFilter(o.depth_min_cutoff_hz, o.beta, o.d_cutoff_hz)
        self._world = OneEuroFilter(o.min_cutoff_hz, o.beta, o.d_cutoff_hz, speed_axis=-1)
        self._t: float | None = None
        self._track_id: int | None = None
        self._vis: np.ndarray | None = None
        self._scale_px: float | None = None

    def reset(self) -> None:
        """Forget all state: the next landmarks pass through unchanged."""
        self._xy.reset()
        self._z.reset()
        self._world.reset()
        self._t = None
        self._track_id = None
        self._vis = None
        self._scale_px = None

    def __call__(self, landmarks: Landmarks, t: float) -> Landmarks:
        """Smoothed copy of ``landmarks`` observed at time ``t`` (seconds)."""
        if (
            self._t is None
            or t <= self._t
            or t - self._t > self.options.max_gap_s
            or landmarks.track_id != self._track_id
        ):
            self.reset()
        dt = 0.0 if self._t is None else t - self._t
        self._t = float(t)
        self._track_id = landmarks.track_id
        # body size in pixels, itself smoothed (it only sets how speeds are judged)
        s = body_scale(landmarks)
        if self._scale_px is None or not math.isfinite(self._scale_px):
            self._scale_px = s
        elif math.isfinite(s):
            self._scale_px += _alpha(dt, 0.5) * (s - self._scale_px)
        scale_px = self._scale_px if self._scale_px and math.isfinite(self._scale_px) else 1.0
        if self.options.landmarks:
            image = np.empty_like(landmarks.image, dtype=float)
            image[:, :2] = self._xy(landmarks.image[:, :2], t, scale_px)
            image[:, 2] = self._z(landmarks.image[:, 2], t, scale_px)
            # world landmarks are metres; body_scale's unit is half a metre
            world = self._world(landmarks.world, t, 0.5)
        else:
            image, world = landmarks.image, landmarks.world
        vis = landmarks.visibility
        if self.options.visibility_cutoff_hz is not None:
            if self._vis is None:
                self._vis = np.asarray(vis, dtype=float).copy()
            else:
                self._vis = self._vis + _alpha(dt, self.options.visibility_cutoff_hz) * (vis - self._vis)
            vis = self._vis.copy()
        return landmarks.with_arrays(image=image, world=world, visibility=vis)


#: Cut-off (Hz) of the zero-phase low-pass that ``analyze`` applies to a recording's angles.
#: 2nd-order Butterworth run forwards and backwards (``scipy.signal.filtfilt``: no lag, 4th-order
#: roll-off, −6 dB at the cut-off). 3 Hz keeps posture changes and exercise repetitions (below
#: 1–2 Hz) and removes the model's frame-to-frame noise. Measured on the 4-camera accuracy set
#: (docs/accuracy.md, section 7): on top of the One Euro filter, with the true vertical, median
#: MAE 9.38° → 9.24° (better on each view; 2 Hz 8.91° but worse on one view; 6 Hz 9.35°); instead
#: of it (what ``analyze`` does), median per view 6.2 / 6.9 / 16.8 / 7.2° (was 6.7 / 7.5 / 17.9 / 7.0).
ZERO_PHASE_CUTOFF_HZ = 3.0
#: Window (seconds) over which ``zero_phase_filter`` measures an angle's jitter (RMS of raw −
#: filtered), the jitter term of the uncertainty (``kinematics.with_jitter``).
JITTER_WINDOW_S = 0.5


#: Fewest consecutive measured frames ``zero_phase_filter`` filters (and measures the jitter of).
MIN_FILTER_RUN = 10


def zero_phase_filter(
    values: np.ndarray, fps: float, cutoff_hz: float = ZERO_PHASE_CUTOFF_HZ
) -> tuple[np.ndarray, np.ndarray]:
    """Zero-phase Butterworth low-pass of a recording's per-frame series, and their jitter.

    Args:
        values: (T, n) per-frame values (e.g. angles in degrees); NaN = not measured. Each run of
            consecutive finite values is filtered on its own (gaps are never bridged); runs
            shorter than ``MIN_FILTER_RUN`` frames (``short_runs``) are left as they are: such a
            fragment cannot show how much it jitters, so its jitter is its neighbours' (the
            filtered runs within ``JITTER_WINDOW_S``), else the column's median, and ``analyze``
            does not count its values as valid (``angles_csv.filter_angle_csv``).
        fps: frames per second of the recording.
        cutoff_hz: −6 dB cut-off frequency (Hz); at or above the Nyquist frequency nothing is
            filtered.

    Returns:
        (filtered (T, n), jitter (T, n)): jitter is the RMS of raw − filtered over
        ``JITTER_WINDOW_S`` centred on each frame (same unit as ``values``; NaN where not measured).
    """
    from scipy.ndimage import uniform_filter1d
    from scipy.signal import butter, filtfilt

    x = np.asarray(values, dtype=float)
    out = x.copy()
    if x.ndim != 2 or not (fps > 0) or cutoff_hz >= fps / 2.0:
        return out, np.full_like(x, np.nan)
    b, a = butter(2, cutoff_hz / (fps / 2.0))
    pad = 3 * max(len(a), len(b))
    long_run = np.zeros(x.shape, bool)  # cells in a run the filter could take
    for j in range(x.shape[1]):
        for run in _runs(x[:, j]):
            if run.size >= MIN_FILTER_RUN:
                out[run, j] = filtfilt(b, a, x[run, j], padlen=min(run.size - 1, pad))
                long_run[run, j] = True
    d = x - out
    fin = np.isfinite(d) & long_run
    size = max(1, int(round(JITTER_WINDOW_S * fps)) | 1)
    num = uniform_filter1d(np.where(fin, d * d, 0.0), size, axis=0, mode="nearest")
    den = uniform_filter1d(fin.astype(float), size, axis=0, mode="nearest")
    with np.errstate(invalid="ignore", divide="ignore"):
        jitter = np.sqrt(num / den)
    fragment = np.isfinite(x) & ~long_run
    if fragment.any():  # no jitter of their own: the neighbours' where there are any, else the column's median
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column: its median is NaN
            median = np.nanmedian(np.where(fin, jitter, np.nan), axis=0)
        jitter = np.where(fragment & ~np.isfinite(jitter), median[None, :], jitter)
    jitter[~(fin | fragment)] = np.nan
    return out, jitter


def short_runs(values: np.ndarray) -> np.ndarray:
    """(T, n) True at each measured cell of a run of fewer than ``MIN_FILTER_RUN`` consecutive
    measured frames (NaN = not measured): what ``zero_phase_filter`` leaves unfiltered."""
    x = np.asarray(values, dtype=float)
    out = np.zeros(x.shape, bool)
    for j in range(x.shape[1]):
        for run in _runs(x[:, j]):
            if run.size < MIN_FILTER_RUN:
                out[run, j] = True
    return out


def _runs(column: np.ndarray) -> list[np.ndarray]:
    """The index arrays of each run of consecutive finite values of ``column`` (gaps are NaN)."""
    idx = np.flatnonzero(np.isfinite(column))
    return np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1) if idx.size else []


#: Time constant (seconds) of ``JitterMeter``'s running mean square.
JITTER_TAU_S = 0.25


class JitterMeter:
    """Live jitter of per-frame values: running RMS of (raw − smoothed), e.g. the angles of the
    raw and of the One Euro-smoothed landmarks (degrees).

    An exponential mean of the squared difference with time constant ``JITTER_TAU_S``; it
    restarts after a gap longer than ``max_gap_s``, when time does not increase, and when
    ``key`` (e.g. the track id) changes. NaN differences leave their element's mean as it is
    (NaN until a first finite value).
    """

    def __init__(self, max_gap_s: float = 0.5) -> None:
        self.max_gap_s = max_gap_s
        self.reset()

    def reset(self) -> None:
        self._ms: np.ndarray | None = None
        self._t: float | None = None
        self._key: object = None

    def update(self, diff: np.ndarray, t: float, key: object = None) -> np.ndarray:
        """The jitter (RMS, same unit as ``diff``) after this frame's difference at time ``t`` (s)."""
        d = np.asarray(diff, dtype=float)
        if self._ms is None or self._t is None or t <= self._t or t - self._t > self.max_gap_s or key != self._key:
            self._ms = np.full(d.shape, np.nan)
            dt = None
        else:
            dt = t - self._t
        self._t, self._key = float(t), key
        sq = d * d
        fresh = np.isfinite(sq) & ~np.isfinite(self._ms)
        self._ms = np.where(fresh, sq, self._ms)
        if dt is not None:
            a = 1.0 - math.exp(-dt / JITTER_TAU_S)
            upd = np.isfinite(sq) & ~fresh
            self._ms = np.where(upd, self._ms + a * (sq - self._ms), self._ms)
        return np.sqrt(self._ms)
