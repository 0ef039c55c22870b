"""Person selection: which of the detected people is the target, frame after frame.

At the start (and after the target has been lost for longer than ``lost_timeout_s``) the
target is the person with the highest *start score* (largest and most central, see
``start_score``). From then on the target is followed by *continuity*, not by size: in each
frame the person whose left/right-invariant body points (nose, mid-shoulders, mid-hips,
mid-knees, mid-ankles) lie nearest the target's last ones, in body sizes, and whose body size
is consistent, continues the track. So a therapist walking in front of the patient does not
steal the target. If nobody matches, the target is missing for that frame (``select`` returns
None) and the track is kept; only after ``lost_timeout_s`` does selection start afresh.

A caller (the UI) can switch target with ``request_target(point)``: the person whose box
contains, or is nearest to, that pixel becomes the target at the next ``select``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.types import Landmarks

#: Body segments whose image length / world length gives pixels per metre.
_SCALE_BONES = np.array(
    [(11, 12), (23, 24), (11, 23), (12, 24), (11, 13), (12, 14), (13, 15), (14, 16), (23, 25), (24, 26), (25, 27)]
    + [(26, 28)]
)
_SCALE_A, _SCALE_B = _SCALE_BONES[:, 0].copy(), _SCALE_BONES[:, 1].copy()
#: A click waits this long (seconds) for the clicked person to be seen again, e.g. after a missed
#: frame; not longer, since the allowed movement grows with the wait and could reach someone else.
_REQUEST_TIMEOUT_S = 0.3
#: Left/right-invariant points: the nose, then mid-points of these pairs.
_INVARIANT_PAIRS = np.array([(11, 12), (23, 24), (25, 26), (27, 28), (7, 8)])
_INVARIANT_A, _INVARIANT_B = _INVARIANT_PAIRS[:, 0].copy(), _INVARIANT_PAIRS[:, 1].copy()


def check_start_point(point_xy: tuple[float, float], frame_size: tuple[int, int], option: str = "--person") -> None:
    """A one-line ``PostureFeedbackError`` when the start point (pixels from the top left of the
    unmirrored frame) lies outside a ``frame_size`` (width, height) frame: nobody can ever be there,
    and the run said only "nobody was found" (an audit gave ``--person 99999,5`` to a 640×480 video).
    A size of 0 (not known before the first frame) checks nothing."""
    from posture_feedback.errors import PostureFeedbackError

    (x, y), (w, h) = point_xy, frame_size
    if w > 0 and h > 0 and not (0 <= x < w and 0 <= y < h):
        raise PostureFeedbackError(
            f"{option} {x:g},{y:g} is outside the {w}×{h} frame: give a point on the person, x from 0 to {w - 1} "
            f"and y from 0 to {h - 1} (pixels from the top left)"
        )


def body_scale(landmarks: Landmarks, min_confidence: float = 0.5) -> float:
    """Body size in image pixels: the image length of half a metre at the person's distance.

    Pixels per metre come from body segments (shoulders, hips, trunk sides, upper arms and
    forearms, thighs, shanks): image length (pixels) / world length (metres). Foreshortening
    only shortens the image length, so the second-largest ratio (robust to one outlier) is
    used. Falls back to the trunk length in pixels when fewer than two segments are confident.
    Half a metre is about the hip-to-shoulder length of an adult. Computed once per landmarks
    object (``Landmarks.memo``).
    """
    return landmarks.memo(("body_scale", min_confidence), lambda p: _body_scale(p, min_confidence))


def _body_scale(landmarks: Landmarks, min_confidence: float) -> float:
    conf = landmarks.confidence()
    a, b = _SCALE_A, _SCALE_B
    wl = point_distances(landmarks.world[a], landmarks.world[b])
    ok = (conf[a] >= min_confidence) & (conf[b] >= min_confidence) & (wl > 0.05)
    if np.count_nonzero(ok) >= 2:
        ratio = np.sort(point_distances(landmarks.image[a, :2], landmarks.image[b, :2])[ok] / wl[ok])
        return float(0.5 * ratio[-2])
    xy = landmarks.xy
    trunk = np.linalg.norm((xy[11] + xy[12]) / 2 - (xy[23] + xy[24]) / 2)
    x0, y0, x1, y1 = landmarks.bbox()
    return float(max(trunk, 0.25 * max(x1 - x0, y1 - y0), 1.0))


def point_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise Euclidean distances between two (n, k) arrays of points (np.linalg.norm, cheaper)."""
    d = a - b
    return np.sqrt(np.einsum("ij,ij->i", d, d))


def small_median(values: np.ndarray) -> float:
    """The median of a short 1-D array (np.median's result; np.median costs tens of µs here)."""
    v = np.sort(values)
    k = len(v)
    return float(0.5 * (v[(k - 1) // 2] + v[k // 2])) if k else math.nan


def invariant_points(landmarks: Landmarks) -> tuple[np.ndarray, np.ndarray]:
    """(6, 2) pixel positions of left/right-invariant body points and their (6,) confidence.

    The nose, and the mid-points of the shoulders, hips, knees, ankles and ears: a label swap
    between the person's left and right leaves them unchanged. Computed once per landmarks
    object (``Landmarks.memo``); the arrays are read-only.
    """
    return landmarks.memo(("invariant_points",), _invariant_points)


def _invariant_points(landmarks: Landmarks) -> tuple[np.ndarray, np.ndarray]:
    xy, conf = landmarks.xy, landmarks.confidence()
    pts = np.empty((len(_INVARIANT_A) + 1, 2))
    pts[0] = xy[lm.NOSE]
    pts[1:] = (xy[_INVARIANT_A] + xy[_INVARIANT_B]) / 2
    c = np.empty(len(_INVARIANT_A) + 1)
    c[0] = conf[lm.NOSE]
    np.minimum(conf[_INVARIANT_A], conf[_INVARIANT_B], out=c[1:])
    pts.flags.writeable = c.flags.writeable = False
    return pts, c


def box_iou(p: tuple[float, ...], q: tuple[float, ...]) -> float:
    """Intersection over union of two boxes (x0, y0, x1, y1) in pixels; 0 for empty boxes."""
    ix = max(0.0, min(p[2], q[2]) - max(p[0], q[0]))
    iy = max(0.0, min(p[3], q[3]) - max(p[1], q[1]))
    inter = ix * iy
    union = (p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter
    return inter / union if union > 0 else 0.0


@dataclass
class SelectionOptions:
    """Parameters of ``PersonSelector``.

    Attributes:
        lost_timeout_s: keep following a target that has not been seen for up to this long
            (seconds); after it, pick afresh by the start score.
        max_step: the largest allowed movement of the body points between two frames, in body
            sizes (half a metre), for a gap of one frame; it grows by ``step_per_s`` per second
            of absence.
        step_per_s: extra allowed movement per second the target has not been seen, in body
            sizes (a walking person covers about 3 body sizes per second).
        max_size_ratio: a candidate whose body size differs from the target's by more than
            this factor (either way) is someone else, unless its body points are within
            ``same_place`` body sizes of the target's (then its size is a model glitch).
        same_place: see ``max_size_ratio`` (body sizes; the median distance of the
            left/right-invariant body points, ``invariant_points``).
        centrality_weight: weight in [0, 1] of centrality in the start score.
        request_radius: ``request_target`` accepts a point up to this many body sizes outside
            a person's box.
        min_confidence: landmarks less confident than this are ignored for boxes and matching.
    """

    lost_timeout_s: float = 1.0
    max_step: float = 0.5
    step_per_s: float = 2.0
    max_size_ratio: float = 1.5
    same_place: float = 0.15
    centrality_weight: float = 0.5
    request_radius: float = 0.5
    min_confidence: float = 0.3


class _Track:
    """What is remembered of the target: its body points, box, size and when last seen."""

    __slots__ = ("pts", "conf", "box", "scale", "t")

    def __init__(self, person: Landmarks, t: float, min_confidence: float) -> None:
        self.update(person, t, min_confidence)

    def update(self, person: Landmarks, t: float, min_confidence: float) -> None:
        pts, conf = invariant_points(person)
        if getattr(self, "pts", None) is not None:
            keep = conf < min_confidence  # keep the old positions of points not seen now
            pts = np.where(keep[:, None], self.pts, pts)
            conf = np.where(keep, self.conf * 0.5, conf)
        self.pts, self.conf = pts, conf
        self.box = person.bbox(min_confidence)
        scale = body_scale(person)
        old = getattr(self, "scale", None)
        # the body size is noisy from frame to frame (±15 %): remember a running average
        self.scale = scale if old is None or not math.isfinite(old) else 0.7 * old + 0.3 * scale
        self.t = float(t)


class PersonSelector:
    """Chooses the target person in each frame and keeps a stable ``track_id`` for it."""

    def __init__(self, options: SelectionOptions = SelectionOptions()) -> None:  # noqa: B008 (immutable use)
        self.options = options
        self._track: _Track | None = None
        self._track_id = -1
        self._next_id = 0
        self._last_people: list[Landmarks] = []
        self._last_t = -math.inf
        self._requested: _Track | None = None
        self._start_point: tuple[float, float] | None = None

    @property
    def track_id(self) -> int:
        """Identity of the current target (-1 before the first selection or after a reset)."""
        return self._track_id

    def reset(self) -> None:
        """Forget the target and any pending request."""
        self._track = None
        self._track_id = -1
        self._last_people = []
        self._last_t = -math.inf
        self._requested = None

    @staticmethod
    def start_score(person: Landmarks, frame_size: tuple[int, int], centrality_weight: float = 0.5) -> float:
        """Score for picking a target afresh: size × centrality, higher is better.

        size = body size (``body_scale``, pixels) / frame height; centrality = 1 − w · d, with
        d the distance of the trunk centre from the frame centre divided by half the frame
        diagonal (0 at the centre, 1 in a corner) and w = ``centrality_weight``. So with
        w = 0.5 a person in a corner needs twice the size of one in the centre.
        """
        w, h = frame_size
        d = float(np.linalg.norm(person.center() - (w / 2, h / 2)) / (0.5 * math.hypot(w, h)))
        return body_scale(person) / h * (1.0 - centrality_weight * min(d, 1.0))

    def _match_cost(self, track: _Track, person: Landmarks, t: float) -> float:
        """Distance in body sizes between the track and a person; inf if they cannot match."""
        o = self.options
        pts, conf = invariant_points(person)
        scale = body_scale(person)
        ratio = scale / track.scale if track.scale > 0 else 1.0
        both = (conf >= o.min_confidence) & (track.conf >= o.min_confidence)
        if both.sum() >= 2:
            d = small_median(point_distances(pts[both], track.pts[both]))
        else:
            d = float(np.linalg.norm(person.center() - (track.pts[1] + track.pts[2]) / 2))
        d /= 0.5 * (scale + track.scale)
        gate = o.max_step + o.step_per_s * max(0.0, t - track.t)
        if d > gate:
            return math.inf
        if not (1.0 / o.max_size_ratio <= ratio <= o.max_size_ratio) and d > o.same_place:
            # Another size is another person, unless the body points lie where the target's
            # were: then the size is the model's glitch (a close-up with the hips out of view
            # gave one frame of a third of the size at the same place, desk sample).
            return math.inf
        iou = box_iou(track.box, person.bbox(o.min_confidence))
        return d + 0.5 * (1.0 - iou) + 0.5 * abs(math.log(ratio))

    def _best_match(self, track: _Track, people: list[Landmarks], t: float) -> int | None:
        costs = [self._match_cost(track, p, t) for p in people]
        if not costs or not math.isfinite(min(costs)):
            return None
        return int(np.argmin(costs))

    def select(self, people: list[Landmarks], frame_size: tuple[int, int], t: float) -> int | None:
        """Index in ``people`` of the target at time ``t`` (seconds), or None if it is not seen.

        ``frame_size`` is (width, height) in pixels.
        """
        o = self.options
        self._last_people = list(people)
        self._last_t = float(t)
        if self._track is not None and (t < self._track.t or t - self._track.t > o.lost_timeout_s):
            self._track = None  # lost for too long (or time went backwards: a new source)
        if self._requested is not None:
            i = self._best_match(self._requested, people, t)
            if i is not None or t - self._requested.t > _REQUEST_TIMEOUT_S:
                self._requested = None  # done, or the clicked person has not been seen again
            if i is not None:
                self._track = _Track(people[i], t, o.min_confidence)
                self._track_id = self._new_id()
                return i
        if self._track is not None:
            i = self._best_match(self._track, people, t)
            if i is not None:
                self._track.update(people[i], t, o.min_confidence)
            return i
        if not people:
            return None
        if self._start_point is not None:
            found = self._person_at(people, self._start_point, radius=0.0)
            if found is None:
                return None
            self._start_point = None
            i = found
        else:
            scores = [self.start_score(p, frame_size, o.centrality_weight) for p in people]
            i = int(np.argmax(scores))
        self._track = _Track(people[i], t, o.min_confidence)
        self._track_id = self._new_id()
        return i

    def backdate(self, seconds: float) -> None:
        """The target chosen in the last ``select`` was seen ``seconds`` before that frame (a
        person from an earlier multi-person pass): date the track back, so that the next match
        allows for the movement since (the gate grows with the time since the last sighting)."""
        if self._track is not None and seconds > 0:
            self._track.t -= float(seconds)

    def request_target(self, point_xy: tuple[float, float]) -> bool:
        """Make the person at this pixel (unmirrored frame) the target from the next ``select``.

        The person whose box contains the point wins (the one whose trunk centre is nearest, if
        several boxes contain it); otherwise the person whose box is nearest, if within
        ``request_radius`` body sizes. Returns False (and changes nothing) if nobody is near.
        """
        i = self._person_at(self._last_people, point_xy)
        if i is None:
            return False
        self._requested = _Track(self._last_people[i], self._last_t, self.options.min_confidence)
        return True

    def start_at(self, point_xy: tuple[float, float] | None) -> None:
        """Start with the person at this pixel instead of the largest and most central one.

        Until someone's box contains the point (pixels, unmirrored frame), nobody is selected;
        after that the person is followed by continuity as usual. None = the default start score.
        """
        self._start_point = None if point_xy is None else (float(point_xy[0]), float(point_xy[1]))

    def _person_at(
        self, people: list[Landmarks], point_xy: tuple[float, float], radius: float | None = None
    ) -> int | None:
        """Index of the person whose box contains (or is nearest to) the pixel, None if nobody is near.

        ``radius``: how far outside a box (in body sizes) still counts; default ``request_radius``.
        """
        o = self.options
        radius = o.request_radius if radius is None else radius
        p = np.asarray(point_xy, dtype=float)
        best, best_key = None, (math.inf, math.inf)
        for i, person in enumerate(people):
            x0, y0, x1, y1 = person.bbox(o.min_confidence)
            outside = math.hypot(max(x0 - p[0], 0.0, p[0] - x1), max(y0 - p[1], 0.0, p[1] - y1))
            scale = body_scale(person)
            if outside > radius * scale:
                continue
            key = (outside / scale, float(np.linalg.norm(person.center() - p)) / scale)
            if key < best_key:
                best, best_key = i, key
        return best

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1
