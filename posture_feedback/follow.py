"""Follow one person at the single-person model's cost, and still find everyone else.

The multi-person model (``num_poses`` ≥ 2) costs about 1.8× the single-person one on every
frame, and it does not smooth landmarks. Yet the second person is needed only now and then: to
show "2 people in view", to let the user click someone else, and to pick the person to follow at
the start. ``FollowingEstimator`` splits the two jobs:

* the **follower**: a single-person ``PoseEstimator`` in VIDEO mode (MediaPipe tracks and smooths
  it between frames) run on every frame, on a *crop* around the followed person once one is
  chosen, so that it keeps that person even when someone larger stands beside them;
* the **scout**: a multi-person ``PoseEstimator`` in IMAGE mode on the whole frame, run about
  once a second of stream time (``scout_interval_s``), at the start, and at once when the
  follower loses its person. Live, it runs on a worker thread (the machine's other core), so
  the frame being shown never waits for it; on recordings it runs in line, so results do not
  depend on timing.

Every frame returns the follower's person first (when found), then the scout's latest other
people that are not the same person (box overlap, IoU ≥ ``same_iou``). Those others are up to
``scout_interval_s`` old; they are dropped after ``stale_s``. When person selection picks
someone the follower is not following (a click, or the start rule), ``follow`` moves the crop
to them.

Crop geometry (image pixels of the full frame): the followed person's landmark box, enlarged by
``margin`` × its longer side on every side, clipped to the frame. It stays put while the box
keeps at least ``edge`` × the crop size from every crop edge that is not the frame's edge, and
is re-centred otherwise. Landmarks from the crop are mapped back to full-frame pixels; world
landmarks (metres, hip-centred) need no mapping.
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from posture_feedback.person import body_scale, box_iou, invariant_points
from posture_feedback.pose import PoseEstimator, PoseOptions, RunningMode
from posture_feedback.types import Frame, Landmarks


@dataclass(frozen=True)
class FollowOptions:
    """How the followed person is tracked at single-person cost while others are still found.

    Attributes:
        enabled: with ``max_people`` ≥ 2 in VIDEO mode, follow one person with the
            single-person model and find the others with a periodic multi-person pass; False = the
            multi-person model on every frame. The app turns it on (``--no-follow`` turns it off);
            recordings (``analyze``) keep it off unless ``--follow``: on the 4-camera accuracy set
            it measures 6.2 / 7.5 / 12.2 / 7.2° median error against 6.2 / 6.9 / 14.0 / 7.2° for the
            multi-person model (docs/performance.md).
        scout_interval_s: seconds of stream time between multi-person passes over the frame.
        background: run the multi-person pass on a worker thread (live cameras) instead of in
            line (recordings, deterministic).
        margin: crop margin around the followed person's box, in units of its longer side.
        edge: re-centre the crop when the person's box comes nearer than this fraction of the
            crop size to a crop edge that is not the frame's edge.
        same_iou: a scout detection whose box overlaps the followed person's by at least this
            intersection-over-union is the same person.
        stale_s: forget the scout's other people after this many seconds without a new pass.
        probe_interval_s: in multi mode, seconds between tries of the single-person follower on a
            crop around the target (each try costs one single-person model call).
    """

    enabled: bool = False
    scout_interval_s: float = 1.0
    background: bool = False
    margin: float = 0.35
    edge: float = 0.08
    same_iou: float = 0.3
    stale_s: float = 2.5
    probe_interval_s: float = 0.25


Box = tuple[int, int, int, int]


def crop_box(person: Landmarks, frame_size: tuple[int, int], margin: float) -> Box:
    """The crop (x0, y0, x1, y1), full-frame pixels, around a person's landmark box."""
    w, h = frame_size
    x0, y0, x1, y1 = person.bbox(0.3)
    side = max(x1 - x0, y1 - y0, 16.0)
    m = margin * side
    bx0, by0 = max(0, math.floor(x0 - m)), max(0, math.floor(y0 - m))
    bx1, by1 = min(w, math.ceil(x1 + m)), min(h, math.ceil(y1 + m))
    if bx1 - bx0 < 32 or by1 - by0 < 32:  # off-frame or degenerate: the whole frame
        return (0, 0, w, h)
    return (bx0, by0, bx1, by1)


def needs_recrop(person: Landmarks, crop: Box, frame_size: tuple[int, int], edge: float) -> bool:
    """True when the person's box nears a crop edge that is not also the frame's edge."""
    w, h = frame_size
    x0, y0, x1, y1 = person.bbox(0.3)
    cx0, cy0, cx1, cy1 = crop
    mx, my = edge * (cx1 - cx0), edge * (cy1 - cy0)
    return bool(
        (cx0 > 0 and x0 < cx0 + mx)
        or (cy0 > 0 and y0 < cy0 + my)
        or (cx1 < w and x1 > cx1 - mx)
        or (cy1 < h and y1 > cy1 - my)
    )


def _to_frame(person: Landmarks, crop: Box, frame_size: tuple[int, int]) -> Landmarks:
    image = person.image.copy()
    image[:, 0] += crop[0]
    image[:, 1] += crop[1]
    return Landmarks(
        image=image, world=person.world, visibility=person.visibility, presence=person.presence,
        image_size=frame_size, track_id=person.track_id,
    )  # fmt: skip


def same_person(a: Landmarks, b: Landmarks, max_distance: float = 0.25, min_iou: float = 0.5) -> bool:
    """True when two detections in the same frame are one person: their boxes overlap (IoU ≥
    ``min_iou``) and their left/right-invariant body points (nose, mid-shoulders, mid-hips, ...)
    lie within ``max_distance`` body sizes (median over the points both see confidently). Two
    people standing close overlap in their boxes, but not point by point."""
    if box_iou(a.bbox(0.3), b.bbox(0.3)) < min_iou:
        return False
    pa, ca = invariant_points(a)
    pb, cb = invariant_points(b)
    both = (ca >= 0.3) & (cb >= 0.3)
    if both.sum() < 2:
        return False
    d = float(np.median(np.linalg.norm(pa[both] - pb[both], axis=1)))
    return d <= max_distance * 0.5 * (body_scale(a) + body_scale(b))


def labels_agree(a: Landmarks, b: Landmarks) -> bool:
    """False when two detections of one person name the sides the other way round: the left
    shoulder and hip of one lie nearer the right ones of the other (a whole-body left/right
    flip, e.g. the single-person model taking a front view for a back view)."""
    import posture_feedback.landmarks as lm  # local: keeps the module's imports short

    votes = 0
    for left, right in ((lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER), (lm.LEFT_HIP, lm.RIGHT_HIP)):
        if min(a.confidence()[[left, right]].min(), b.confidence()[[left, right]].min()) < 0.3:
            continue
        same = np.linalg.norm(a.xy[left] - b.xy[left]) + np.linalg.norm(a.xy[right] - b.xy[right])
        crossed = np.linalg.norm(a.xy[left] - b.xy[right]) + np.linalg.norm(a.xy[right] - b.xy[left])
        votes += 1 if same <= crossed else -1
    return votes >= 0


class FollowingEstimator:
    """A drop-in for ``PoseEstimator`` (``detect``, ``close``) that follows one person cheaply.

    Two modes:

    * **single** (the usual case): the single-person follower on every frame, the scout about
      once a second; ``detect`` returns the follower's person first (``follower_found``), then
      the scout's other people.
    * **multi**: at the start, and whenever person selection follows someone the follower does
      not hold (a click on another person, a lost target, two people overlapping in the crop):
      the multi-person model in VIDEO mode runs on every frame, exactly as without following. Every ``scout_interval_s``
      (and at once after a switch) the follower is tried on a crop around the target; when its
      person is the target (box IoU ≥ ``same_iou``), the single mode resumes.

    After person selection, call ``follow_selected(people, index)``.
    """

    def __init__(self, pose: PoseOptions, options: FollowOptions | None = None) -> None:
        self.options = options or FollowOptions()
        self.pose_options = pose
        self._follower = PoseEstimator(replace(pose, max_people=1, mode=RunningMode.VIDEO))
        self._scout = PoseEstimator(replace(pose, mode=RunningMode.IMAGE))
        self._multi = PoseEstimator(replace(pose, mode=RunningMode.VIDEO))
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="pose-scout") if self.options.background else None
        self._pending: Future[tuple[float, list[Landmarks]]] | None = None
        self._lock = threading.Lock()
        self.model_path = self._follower.model_path
        self.reset()

    # -- state ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget the crop, the target and the other people; start in multi mode."""
        self._crop: Box | None = None
        self._others: list[Landmarks] = []
        self._others_t = -math.inf
        self._scout_t = -math.inf
        self._force = True
        self._multi_mode = True  # start as without following: selection picks from everyone
        self._probe_t = -math.inf
        self._t = -math.inf
        self._target: Landmarks | None = None
        self._resuming = False
        self.follower_found = False
        self.scouted = False  #: the last ``detect`` took a multi-person result (scout or multi mode)

    @property
    def crop(self) -> Box | None:
        """The follower's crop (x0, y0, x1, y1) in full-frame pixels; None = the whole frame."""
        return self._crop

    @property
    def multi_mode(self) -> bool:
        """True while the multi-person model runs on every frame (see the class docstring)."""
        return self._multi_mode

    # -- per frame -----------------------------------------------------------------------
    def detect(self, frame: Frame) -> list[Landmarks]:
        """The people in this frame: the followed person first when the follower found them."""
        self._t = t = frame.timestamp_s
        if self._multi_mode:
            return self._detect_multi(frame)
        size = (frame.width, frame.height)
        self.scouted = False
        due = self._force or t - self._scout_t >= self.options.scout_interval_s
        if self._pool is None:
            if due:
                self._take_scout(t, self._scout.detect(frame))
        else:
            self._collect_background()
            if due and self._pending is None:
                self._scout_t = t
                self._force = False
                self._pending = self._pool.submit(self._scout_job, frame)

        found = self._run_follower(frame, self._crop)
        self.follower_found = found is not None
        if found is not None and self.scouted and self._pool is None and self._disagrees(found):
            # The follower names the sides the other way round from the multi-person pass: do
            # not trust it; follow with the multi-person model until the two agree again.
            self._multi_mode = True
            self._probe_t = self._t
            return self._detect_multi(frame)
        if found is None:
            self._force = True  # lost: look over the whole frame at once
            if self._crop is not None:
                self._crop = None  # and let the follower see the whole frame meanwhile
        elif self._crop is not None and needs_recrop(found, self._crop, size, self.options.edge):
            self._crop = crop_box(found, size, self.options.margin)
        elif self._crop is None and self._others_have_someone_else(found):
            # Someone else is in view: pin the follower to its person with a crop.
            self._crop = crop_box(found, size, self.options.margin)

        if t - self._others_t > self.options.stale_s:
            self._others = []
        people = [found] if found is not None else []
        for p in self._others:
            if found is None or box_iou(p.bbox(0.3), found.bbox(0.3)) < self.options.same_iou:
                people.append(p)
        return people

    def follow_selected(self, people: list[Landmarks], index: int | None) -> None:
        """Person selection chose ``people[index]`` (None: nobody): follow them."""
        if index is None:
            # The target is not in view, or the follower holds someone else: let the
            # multi-person model look for the target until the selection starts afresh.
            if self._target is not None and people and not self._multi_mode:
                self._multi_mode = True
                self._probe_t = self._t  # probe after an interval, not at once
            return
        target = people[index]
        self._target = target
        if self._multi_mode or self._resuming or (index == 0 and self.follower_found):
            self._resuming = False
            return
        # The follower holds someone else (or nobody): run the multi-person model on every
        # frame, and try the follower on a crop around the target at the next frame.
        self._multi_mode = True
        self._probe_t = -math.inf

    # -- parts ---------------------------------------------------------------------------
    def _detect_multi(self, frame: Frame) -> list[Landmarks]:
        people = self._multi.detect(frame)
        self.scouted = True
        self.follower_found = False
        self._others, self._others_t, self._scout_t = people, self._t, self._t
        target = self._target
        if target is not None and self._t - self._probe_t >= self.options.probe_interval_s:
            self._probe_t = self._t
            crop = crop_box(target, target.image_size, self.options.margin)
            probe = self._run_follower(frame, crop)
            if probe is not None and same_person(probe, target, 0.4, 0.3) and labels_agree(probe, target):
                self._multi_mode = False  # the follower holds the target: single mode from the next frame
                self._resuming = True  # (this frame's people are still the multi-person model's)
                self._crop = crop_box(probe, probe.image_size, self.options.margin)
        return people

    def _run_follower(self, frame: Frame, crop: Box | None) -> Landmarks | None:
        size = (frame.width, frame.height)
        if crop is None or crop == (0, 0, size[0], size[1]):
            found = self._follower.detect(frame)
            return found[0] if found else None
        x0, y0, x1, y1 = crop
        sub = Frame(np.ascontiguousarray(frame.image[y0:y1, x0:x1]), frame.index, frame.timestamp_s,
                    frame.captured_at, frame.source)  # fmt: skip
        found = self._follower.detect(sub)
        return _to_frame(found[0], crop, size) if found else None

    def _disagrees(self, found: Landmarks) -> bool:
        """The scout saw the follower's person with the sides the other way round."""
        return any(same_person(p, found) and not labels_agree(p, found) for p in self._others)

    def _others_have_someone_else(self, found: Landmarks) -> bool:
        box = found.bbox(0.3)
        return any(box_iou(p.bbox(0.3), box) < self.options.same_iou for p in self._others)

    def _take_scout(self, t: float, people: list[Landmarks]) -> None:
        self._others = people
        self._others_t = t
        self._scout_t = t
        self._force = False
        self.scouted = True

    def _scout_job(self, frame: Frame) -> tuple[float, list[Landmarks]]:
        with self._lock:
            return frame.timestamp_s, self._scout.detect(frame)

    def _collect_background(self) -> None:
        fut = self._pending
        if fut is None or not fut.done():
            return
        self._pending = None
        try:
            t, people = fut.result()
        except Exception:  # a failed pass: try again at the next interval
            return
        self._take_scout(t, people)

    def close(self) -> None:
        """Stop the worker thread and release the models."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._follower.close()
        self._multi.close()
        with self._lock:
            self._scout.close()

    def __enter__(self) -> FollowingEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
