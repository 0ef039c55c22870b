"""Which way a person faces the camera: front, back, side or oblique, and the camera azimuth.

The azimuth is the horizontal angle, in degrees, from the person's facing direction to the
direction from the person towards the camera: 0 = the camera is in front of the person,
+90 = the camera is on the person's left, -90 = on their right, ±180 = behind them. It is
measured in MediaPipe's world-landmark axes (metres; x image-right, y down, z away from the
camera), where the direction towards the camera is -z.

Model (one frame, no history):

1. The person's left-right axis is the visibility-weighted mean of the left-minus-right
   vectors of the shoulders and of the hips (world landmarks), projected on the horizontal
   plane (orthogonal to ``up``). Each pair is used when both its landmarks are in the frame
   (presence >= ``MIN_PRESENCE``) and at least one of them is visible (visibility >=
   ``MIN_VISIBILITY``): side-on, the far shoulder and hip are occluded but the model still
   places them, and the near ones anchor them. Weight = 0.25 + mean visibility of the pair.
2. Facing = ``cross(left - right, up)``, normalised (horizontal).
3. Front or back (which way along that axis the person faces) is a vote between the trunk
   labels and the face (``face_vote``): the trunk labels count +1 face-on and +0.5 side-on
   (where their left-right order rests on depth alone); the nose counts up to ±1
   by how far it lies in front of (+) or behind (−) the mid-ear point along the trunk's
   facing (±``NOSE_FULL_VOTE_M`` gives a full vote; the mid-shoulder point when the ears are
   not usable), and the face's visibility (nose and eyes, visible = the face is towards the
   camera) counts up to ±``FACE_VISIBILITY_WEIGHT``. A negative total reverses the facing.
   The head cannot turn more than about 80° on the trunk, so a nose pointing backwards
   means swapped trunk labels, unless the face itself is garbled: on lab cam02 (the man's
   face is blurred for anonymity) the model puts his nose 8–14 cm *behind* his ears for
   0.5 s while his trunk faces the camera; the trunk and the face's visibility outvote it.
4. Azimuth = atan2(d · left, d · facing) with d = the horizontal direction towards the camera
   and left = up × facing.

Measured on the 4-camera accuracy set (docs/accuracy.md): median azimuth error 10° with a
level camera, 6.5° with the camera's true vertical. Using image-plane cues instead (the
left-right vector of ``kinematics.hybrid_points``: image x, y with world depth) was worse
(12° and 7.6°), so the view uses the world landmarks alone.

Thresholds on |azimuth| (degrees), matching ``View``'s documentation and the accuracy set:
FRONT < 30 ≤ OBLIQUE < 60 ≤ SIDE ≤ 120 < OBLIQUE ≤ 150 < BACK. UNKNOWN (azimuth NaN) when
neither the shoulders nor the hips are usable.

Over time (``ViewTracker``, used by the pipeline): the per-frame vote is averaged (time
constant ``VOTE_TAU_S``) and the facing is reversed only when the average crosses
∓``VOTE_HYSTERESIS``; the view zone changes only when the azimuth is more than
``ZONE_HYSTERESIS_DEG`` beyond the current zone's bounds for ``ZONE_MIN_DWELL_S``. Measured
on the bundled and accuracy clips (docs/exercises.md, "Stable view"): lab cam02, the man,
went from 10 label changes in 1.6 s to 0, and his view is FRONT as in the reference.
"""

from __future__ import annotations

import math

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.types import Landmarks, View

#: World vertical (up) of a level camera in MediaPipe world-landmark axes (y is down).
DEFAULT_UP = np.array([0.0, -1.0, 0.0])
#: Direction from the person towards the camera in MediaPipe world-landmark axes.
TOWARDS_CAMERA = np.array([0.0, 0.0, -1.0])

#: |azimuth| below this is FRONT (degrees).
FRONT_MAX_DEG = 30.0
#: |azimuth| from this up to ``SIDE_MAX_DEG`` is SIDE (degrees).
SIDE_MIN_DEG = 60.0
SIDE_MAX_DEG = 120.0
#: |azimuth| above this is BACK (degrees).
BACK_MIN_DEG = 150.0

#: A landmark pair is used when both are at least this likely to be inside the frame...
MIN_PRESENCE = 0.5
#: ...and at least one of the two is at least this visible.
MIN_VISIBILITY = 0.5
#: Horizontal nose offset (metres) from the mid-ears, along the facing, that gives the nose a full vote.
NOSE_FULL_VOTE_M = 0.05
#: Weight of the face's visibility (nose and eyes) in the front/back vote.
FACE_VISIBILITY_WEIGHT = 0.5

#: Time constant (s) of the running mean of the front/back vote (``ViewTracker``).
VOTE_TAU_S = 0.3
#: The running vote must fall below minus this to reverse the facing (and rise above it to undo).
VOTE_HYSTERESIS = 0.3
#: Degrees beyond the current zone's bounds the azimuth must go before the zone changes.
ZONE_HYSTERESIS_DEG = 8.0
#: Seconds the azimuth must stay outside the current zone (with the margin) before it changes.
ZONE_MIN_DWELL_S = 0.25
#: After this many seconds without a usable trunk the tracker starts afresh.
MAX_GAP_S = 1.0

_PAIRS = np.array([[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER], [lm.LEFT_HIP, lm.RIGHT_HIP]])
_EARS = np.array([lm.LEFT_EAR, lm.RIGHT_EAR])
_SHOULDERS = np.array([lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER])
_FACE = np.array([lm.NOSE, 2, 5])  # nose, left eye, right eye


def cross3(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross product of 3-vectors (rows, ``(..., 3)``); several times faster than np.cross on small arrays."""
    a, b = np.asarray(a), np.asarray(b)
    return a.take(_NEXT, axis=-1) * b.take(_AFTER, axis=-1) - a.take(_AFTER, axis=-1) * b.take(_NEXT, axis=-1)


# cross3's component orders: (a1 b2 − a2 b1, a2 b0 − a0 b2, a0 b1 − a1 b0)
_NEXT = np.array([1, 2, 0])
_AFTER = np.array([2, 0, 1])


def view_from_azimuth(azimuth_deg: float) -> View:
    """The view class of a camera azimuth in degrees (NaN → UNKNOWN); thresholds above."""
    if not math.isfinite(azimuth_deg):
        return View.UNKNOWN
    a = abs((azimuth_deg + 180.0) % 360.0 - 180.0)
    if a < FRONT_MAX_DEG:
        return View.FRONT
    if a > BACK_MIN_DEG:
        return View.BACK
    if SIDE_MIN_DEG <= a <= SIDE_MAX_DEG:
        return View.SIDE
    return View.OBLIQUE


def facing_in_doubt(view: View, azimuth_deg: float) -> bool:
    """The stable view and this frame's azimuth disagree on which way the person faces: a FRONT
    label with the camera behind the person (|azimuth| > 90°), or a BACK label with it in front.

    ``ViewTracker`` holds a zone for ``ZONE_MIN_DWELL_S`` while the azimuth has flipped; in those
    frames the model's left and right may be swapped (a twelfth audit saw "View: front (−174°)"
    beside "Shoulders level · left up 39° HIGH" and "let your left shoulder drop", where the
    person's *right* shoulder was the high one, in 2 of 6 runs of the same clip), so no side is
    named and no sided angle judged (``kinematics.without_sides``).
    """
    if not math.isfinite(azimuth_deg) or view not in (View.FRONT, View.BACK):
        return False
    behind = math.cos(math.radians(azimuth_deg)) < 0.0
    return behind if view is View.FRONT else not behind


def trunk_facing(landmarks: Landmarks, up: np.ndarray | None = None) -> np.ndarray | None:
    """The horizontal facing direction given by the trunk labels alone (unit vector, world axes).

    None when neither the shoulders nor the hips are usable (module docstring, step 1–2).
    """
    u = DEFAULT_UP if up is None else _unit(np.asarray(up, dtype=float))
    w, vis, pres = landmarks.world, landmarks.visibility, landmarks.presence
    in_frame = (pres[_PAIRS] >= MIN_PRESENCE).all(axis=1) & (vis[_PAIRS] >= MIN_VISIBILITY).any(axis=1)
    if not in_frame.any():
        return None
    weight = np.where(in_frame, 0.25 + 0.5 * (vis[_PAIRS[:, 0]] + vis[_PAIRS[:, 1]]), 0.0)
    lr = (weight[:, None] * (w[_PAIRS[:, 0]] - w[_PAIRS[:, 1]])).sum(axis=0) / weight.sum()
    fwd = cross3(lr, u)
    fwd -= (fwd @ u) * u
    n = np.linalg.norm(fwd)
    if not n > 1e-9:
        return None
    return fwd / n


def face_vote(landmarks: Landmarks, fwd: np.ndarray, up: np.ndarray | None = None) -> float:
    """The front/back vote for the trunk facing ``fwd`` (module docstring, step 3).

    > 0: the face agrees with the trunk labels; < 0: the facing should be reversed. The trunk
    labels give 0.5 + 0.5·|cos azimuth| (1 face-on, 0.5 side-on), the nose ±1, the face's
    visibility ±``FACE_VISIBILITY_WEIGHT``·cos azimuth.
    """
    u = DEFAULT_UP if up is None else _unit(np.asarray(up, dtype=float))
    w, vis, pres = landmarks.world, landmarks.visibility, landmarks.presence
    d = TOWARDS_CAMERA - (TOWARDS_CAMERA @ u) * u
    n = np.linalg.norm(d)
    towards = float(fwd @ d) / n if n > 1e-9 else 0.0  # cos of the azimuth: > 0 = the trunk faces the camera
    # The trunk labels: a full vote face-on (the shoulders' left-right order is in the image),
    # half a vote side-on (the order then rests on depth, the model's weakest coordinate).
    vote = 0.5 + 0.5 * abs(towards)
    if pres[lm.NOSE] >= MIN_PRESENCE:
        ref = _EARS if (pres[_EARS] >= MIN_PRESENCE).all() else _SHOULDERS
        if (pres[ref] >= MIN_PRESENCE).all():
            head = w[lm.NOSE] - 0.5 * (w[ref[0]] + w[ref[1]])
            head -= (head @ u) * u
            vote += min(max(float(head @ fwd) / NOSE_FULL_VOTE_M, -1.0), 1.0)
    if (pres[_FACE] >= MIN_PRESENCE).all():
        seen = 2.0 * float(vis[_FACE].sum()) / len(_FACE) - 1.0  # +1: face fully visible, −1: hidden
        vote += FACE_VISIBILITY_WEIGHT * seen * towards
    return vote


def facing_direction(landmarks: Landmarks, up: np.ndarray | None = None) -> np.ndarray | None:
    """The person's horizontal facing direction in one frame, a unit vector in world-landmark axes.

    The trunk's facing, reversed when the face votes against it. None when neither the
    shoulders nor the hips are usable (see the module docstring).
    """
    fwd = trunk_facing(landmarks, up)
    if fwd is None:
        return None
    return -fwd if face_vote(landmarks, fwd, up) < 0 else fwd


def azimuth_of(fwd: np.ndarray, up: np.ndarray | None = None) -> float:
    """Camera azimuth in degrees for a horizontal unit facing direction (module docstring)."""
    u = DEFAULT_UP if up is None else _unit(np.asarray(up, dtype=float))
    d = TOWARDS_CAMERA - (TOWARDS_CAMERA @ u) * u
    left = cross3(u, fwd)
    return math.degrees(math.atan2(float(d @ left), float(d @ fwd)))


def classify_view(landmarks: Landmarks, *, up: np.ndarray | None = None) -> tuple[View, float]:
    """The view and the camera azimuth (degrees) of one person in one frame.

    ``up`` is the world vertical as a unit vector in world-landmark axes (default: level
    camera, (0, -1, 0)). Returns (View.UNKNOWN, NaN) when too little of the trunk is visible.
    """
    fwd = facing_direction(landmarks, up)
    if fwd is None:
        return View.UNKNOWN, math.nan
    az = azimuth_of(fwd, up)
    return view_from_azimuth(az), az


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v)
    if not n > 0:
        raise ValueError("up must be a non-zero 3-vector")
    return v / n


def _zone_bounds(view: View) -> list[tuple[float, float]]:
    """The |azimuth| intervals (degrees) of a view class."""
    return {
        View.FRONT: [(0.0, FRONT_MAX_DEG)],
        View.OBLIQUE: [(FRONT_MAX_DEG, SIDE_MIN_DEG), (SIDE_MAX_DEG, BACK_MIN_DEG)],
        View.SIDE: [(SIDE_MIN_DEG, SIDE_MAX_DEG)],
        View.BACK: [(BACK_MIN_DEG, 180.0)],
    }.get(view, [])


def within_zone(view: View, azimuth_deg: float, margin_deg: float) -> bool:
    """True when ``azimuth_deg`` lies in ``view``'s zone widened by ``margin_deg`` on each side."""
    a = abs((azimuth_deg + 180.0) % 360.0 - 180.0)
    return any(lo - margin_deg <= a <= hi + margin_deg for lo, hi in _zone_bounds(view))


class ViewTracker:
    """A stable view label over time for one followed person (module docstring, "Over time").

    Feed every frame in order with ``update(landmarks, t)`` (``t`` in seconds; None landmarks
    = nobody). It starts afresh when the person's ``track_id`` changes or after
    ``MAX_GAP_S`` without a usable trunk.
    """

    def __init__(
        self,
        *,
        vote_tau_s: float = VOTE_TAU_S,
        vote_hysteresis: float = VOTE_HYSTERESIS,
        zone_hysteresis_deg: float = ZONE_HYSTERESIS_DEG,
        zone_min_dwell_s: float = ZONE_MIN_DWELL_S,
    ) -> None:
        self.vote_tau_s = vote_tau_s
        self.vote_hysteresis = vote_hysteresis
        self.zone_hysteresis_deg = zone_hysteresis_deg
        self.zone_min_dwell_s = zone_min_dwell_s
        self.reset()

    def reset(self) -> None:
        """Forget the history (the next frame decides on its own)."""
        self._vote: float | None = None
        self._reversed = False
        self._zone = View.UNKNOWN
        self._outside_since: float | None = None
        self._last_t: float | None = None
        self._track_id: int | None = None

    def update(self, landmarks: Landmarks | None, t: float, *, up: np.ndarray | None = None) -> tuple[View, float]:
        """The stable view and the camera azimuth (degrees) at time ``t``; (UNKNOWN, NaN) without a trunk."""
        if landmarks is not None and landmarks.track_id != self._track_id:
            self.reset()
            self._track_id = landmarks.track_id
        if self._last_t is not None and t - self._last_t > MAX_GAP_S:
            track = self._track_id
            self.reset()
            self._track_id = track
        fwd = None if landmarks is None else trunk_facing(landmarks, up)
        if fwd is None:
            return View.UNKNOWN, math.nan
        vote = face_vote(landmarks, fwd, up)
        if self._vote is None or self._last_t is None:
            self._vote = vote
            self._reversed = vote < 0
        else:
            alpha = 1.0 - math.exp(-max(0.0, t - self._last_t) / self.vote_tau_s)
            self._vote += alpha * (vote - self._vote)
            if self._reversed and self._vote > self.vote_hysteresis:
                self._reversed = False
            elif not self._reversed and self._vote < -self.vote_hysteresis:
                self._reversed = True
        self._last_t = t
        az = azimuth_of(-fwd if self._reversed else fwd, up)
        raw = view_from_azimuth(az)
        if self._zone is View.UNKNOWN:
            self._zone = raw
        elif raw is not self._zone and not within_zone(self._zone, az, self.zone_hysteresis_deg):
            if self._outside_since is None:
                self._outside_since = t
            if t - self._outside_since >= self.zone_min_dwell_s:
                self._zone = raw
                self._outside_since = None
        else:
            self._outside_since = None
        return self._zone, az
