"""Follow one person at the single-person model's cost, and still find everyone else.

The multi-person model (``num_poses`` ≥ 2) costs about twice the single-person one on every
frame, and it does not smooth landmarks. Yet the second person is needed only now and then: to
show "2 people in view", to let the user click someone else, and to pick the person to follow at
the start. ``FollowingEstimator`` splits the jobs:

* the **follower**: a single-person ``PoseEstimator`` in VIDEO mode (MediaPipe tracks and smooths
  it between frames) run on every frame, on a *crop* around the followed person once anyone
  else has been seen, so that it keeps that person even when someone larger stands beside them;
* the **scout**: a multi-person ``PoseEstimator`` in IMAGE mode on the whole frame, run every
  ``scout_interval_s`` of stream time, at the start, after a switch, and every
  ``search_interval_s`` while the followed person is out of view. Live, it runs on a worker
  thread (the machine's other core), so the frame being shown never waits for it; on
  recordings it runs in line, so results do not depend on timing. When it names the followed
  person's sides the other way round from the follower, the multi-person model takes over;
* the **probe**: a *fresh* single-person model (a spare, made ahead on the worker thread) tried
  on a crop around a person the follower does not hold (a click, the start, a person found
  again). A fresh model runs its detector on that crop; the follower could not, because its
  tracking region belongs to another crop. When the probe holds the target, it becomes the
  follower, already tracking, on that very crop. Live, the probe also runs on the worker thread.
* the **multi-person model** in VIDEO mode on every frame, only while a probe has not yet taken
  over (a click, the start, a side-label disagreement), exactly as without following.

Every frame returns the follower's person first (when found), then the other people the
passes listed (``_merge``), unless they are the follower's person. They come from passes up to
two intervals old; they are dropped after ``stale_s``.

While no pass has seen anyone else for ``stale_s`` (a laptop user alone) the scout runs only
every ``alone_scout_interval_s``, unless the picture outside the followed person has changed
since the last pass (``scene_motion.MotionWatch``, ``motion_share``): then after
``scout_interval_s``, so that someone who walks in is listed about half a second sooner.

**Passes with the followed person masked.** Beside a large, close person the multi-person
detector rarely reports a second one: on the desk sample (a laptop user close up, a woman at the
frame's right edge) an IMAGE-mode pass over the whole frame found her in 6 of 99 frames, and the
multi-person model in VIDEO mode in 27%. With the followed person's box painted grey it found her
in 68 of 99 (lab clips: 18 → 44 and 35 → 50 of 50 frames; sports: 46 → 62 of 110; no detection
inside the painted box in any of them; ``bench/scout_mask.py``). So while the follower holds its
person, every other pass (``masked_passes``) paints their box from the previous frame (enlarged
by ``mask_margin``) grey: it finds only the *other* people. Each pass, plain or masked, updates
one list of the other people in the part of the frame it looked at (``_merge``), so a person who
moves is listed once. A listed person whose body centre lies inside the followed person's box
(standing partly behind or in front of them) is left unpainted: a hole where they were last
seen (``Mask``; on the lab clip the man half behind the followed woman was missed by every pass
for the last 8 frames without it). After a switch, or at the start, the first masked pass runs as
soon as the follower holds its person, not half a second later. The plain passes keep the jobs
only they can do: the side-label check against the follower, people standing within the
followed person's box whom no pass has listed yet, and the search for a lost person.

Crop geometry (image pixels of the full frame): the followed person's landmark box, enlarged by
``margin`` × its longer side on every side, clipped to the frame. The follower tracks in the
crop's normalised coordinates, so the crop must move as little as possible: it stays put while
the box keeps at least ``edge`` × the crop size from every crop edge that is not the frame's
edge, and otherwise shifts (same size) just far enough (``shift_crop``); only a box that no
longer fits gets a new crop. Re-centring instead lost the person at every move on the sports
sample. Landmarks from the crop are mapped back to full-frame pixels; world landmarks (metres,
hip-centred) need no mapping. A lost person is looked for in a wide crop around where they were
last seen for ``search_crop_s``, then in the whole frame.
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from posture_feedback.person import body_scale, box_iou, invariant_points, point_distances, small_median
from posture_feedback.pose import PoseEstimator, PoseOptions, RunningMode
from posture_feedback.scene_motion import MotionWatch
from posture_feedback.thread_priority import lower_thread_priority
from posture_feedback.types import Frame, Landmarks


@dataclass(frozen=True)
class FollowOptions:
    """How the followed person is tracked at single-person cost while others are still found.

    Attributes:
        enabled: with ``max_people`` ≥ 2 in VIDEO mode, follow one person with the
            single-person model and find the others with a periodic multi-person pass; False = the
            multi-person model on every frame. None (the default): decided by the command, which
            a configuration file leaving it at None does not change: the app turns it on, the
            posture monitor and recordings (``analyze``) keep it off; ``--follow`` /
            ``--no-follow`` win over the file. On the 4-camera accuracy set it measures 6.7 / 7.0 /
            16.8 / 7.2° median error against 6.2 / 5.1 / 14.0 / 7.2° for the multi-person model
            (2026-12-07; docs/performance.md).
        scout_interval_s: seconds of stream time between multi-person passes over the frame.
        background: run the multi-person pass on a worker thread (live cameras) instead of in
            line (recordings, deterministic).
        margin: crop margin around the followed person's box, in units of its longer side.
        edge: re-centre the crop when the person's box comes nearer than this fraction of the
            crop size to a crop edge that is not the frame's edge.
        same_iou: a scout detection whose box overlaps the followed person's by at least this
            intersection-over-union is the same person.
        stale_s: forget the scout's other people after this many seconds without a new pass.
        probe_interval_s: in multi mode, seconds between tries of a fresh single-person model on a
            crop around the target (each try costs one single-person call with its detector).
        search_interval_s: while the followed person is out of view, seconds of stream time
            between multi-person passes looking for them (instead of ``scout_interval_s``).
        search_margin: the follower looks for a lost person in a crop this wide around their
            last box (units of its longer side) ...
        search_crop_s: ... for this many seconds after they were last followed; then in the
            whole frame.
        alone_scout_interval_s: ``scout_interval_s`` once no multi-person pass has seen a second
            person for ``stale_s`` (a laptop user alone): newcomers are found within a second,
            and the passes, which share the cores with the frame, run half as often. Not before
            a masked pass has looked beside the followed person (``masked_passes``), since a
            plain pass misses people beside a large, close one.
        scout_nice: live, the background multi-person pass runs this much "nicer" (lower
            priority) than the frame's model (Linux; 0 = same priority), so that it does not
            slow the frame it overlaps on a 2-core machine (``thread_priority``).
        probe_wait_s: live, after a switch to someone the follower does not hold, frames wait up
            to this long for the background probe (the person is shown, not measured) before
            the multi-person model runs on every frame.
        masked_passes: while the follower holds its person, every other multi-person pass runs
            with that person's box painted grey, so that people beside a large, close person are
            found (see the module docstring); False = every pass sees the whole frame.
        mask_margin: the masked box is the followed person's landmark box from the previous
            frame, enlarged by this fraction of its longer side on every side (they may have
            moved since).
        hole_margin: a listed person whose body centre lies in the masked box is left unpainted:
            their box where last seen, enlarged by this fraction of its longer side on every side
            (on the lab clips, where the man stands half behind the followed woman, masked passes
            then found him in 26 of 26 and 27 of 27 sampled frames, against 17 and 27 without).
        motion_share: while the followed person is alone, a pass runs before
            ``alone_scout_interval_s`` is up (but not within ``scout_interval_s`` of the last)
            when at least this share of the picture outside their box changed since the last
            pass (``scene_motion.MotionWatch``): someone may have walked in. 0 = off.
        motion_global: ... and at most this share: beyond it the whole picture changed (the
            camera moved or adjusted its exposure), which is not a newcomer.
    """

    enabled: bool | None = None
    scout_interval_s: float = 0.5
    background: bool = False
    margin: float = 0.35
    edge: float = 0.08
    same_iou: float = 0.3
    stale_s: float = 2.5
    probe_interval_s: float = 0.25
    search_interval_s: float = 0.2
    search_margin: float = 0.8
    search_crop_s: float = 1.0
    probe_wait_s: float = 0.2
    scout_nice: int = 10
    alone_scout_interval_s: float = 1.0
    masked_passes: bool = True
    mask_margin: float = 0.05
    hole_margin: float = 0.1
    motion_share: float = 0.01
    motion_global: float = 0.5


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


def shift_crop(person: Landmarks, crop: Box, frame_size: tuple[int, int], edge: float) -> Box | None:
    """The crop moved (same size, full-frame pixels) just far enough that the person's box is
    ``2 × edge`` × the crop size from every crop edge, clipped to the frame; None when the box
    no longer fits (then a new crop is needed).

    The follower tracks its person in the crop's own normalised coordinates, so a small shift
    keeps its tracking region on the person, whereas re-centring moves it by up to half a crop
    and loses them (measured on the sports sample: the person was lost at each re-centring)."""
    w, h = frame_size
    x0, y0, x1, y1 = person.bbox(0.3)
    cx0, cy0, cx1, cy1 = crop
    cw, ch = cx1 - cx0, cy1 - cy0
    mx, my = 2 * edge * cw, 2 * edge * ch
    if x1 - x0 > cw - 2 * mx or y1 - y0 > ch - 2 * my:
        return None
    dx = min(0.0, x0 - mx - cx0) + max(0.0, x1 + mx - cx1)
    dy = min(0.0, y0 - my - cy0) + max(0.0, y1 + my - cy1)
    nx0 = int(round(min(max(cx0 + dx, 0), w - cw)))
    ny0 = int(round(min(max(cy0 + dy, 0), h - ch)))
    return (nx0, ny0, nx0 + cw, ny0 + ch)


def _to_frame(person: Landmarks, crop: Box, frame_size: tuple[int, int]) -> Landmarks:
    image = person.image.copy()
    image[:, 0] += crop[0]
    image[:, 1] += crop[1]
    return Landmarks(
        image=image, world=person.world, visibility=person.visibility, presence=person.presence,
        image_size=frame_size, track_id=person.track_id,
    )  # fmt: skip


def masked(frame: Frame, box: Box | None, holes: tuple[Box, ...] = ()) -> Frame:
    """The frame with the box (x0, y0, x1, y1, pixels) painted mid-grey except the ``holes``
    (boxes left as they are), on a copy (None: the frame itself)."""
    if box is None:
        return frame
    image = frame.image.copy()
    x0, y0, x1, y1 = box
    image[y0:y1, x0:x1] = 128
    for hx0, hy0, hx1, hy1 in holes:
        image[hy0:hy1, hx0:hx1] = frame.image[hy0:hy1, hx0:hx1]
    return replace(frame, image=image)


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
    d = small_median(point_distances(pa[both], pb[both]))
    return d <= max_distance * 0.5 * (body_scale(a) + body_scale(b))


@dataclass(frozen=True)
class _Seen:
    """A person listed from a multi-person pass: their landmarks, the stream time of that pass
    (seconds), whether the last pass that looked at their place missed them, and whether they
    were seen through a hole of a masked pass (``Mask``), apart from the followed person point by
    point: such a person stands partly in front of or behind the followed one, and is listed
    even though their boxes overlap."""

    person: Landmarks
    t: float
    missed: bool = False
    apart: bool = False


@dataclass(frozen=True)
class Mask:
    """What a masked pass paints over: the followed person's box (x0, y0, x1, y1, pixels), except
    the ``holes``: the boxes of listed people whose body centre lies in it (someone standing
    partly in front of or behind the followed person), where they were last seen."""

    box: Box
    holes: tuple[Box, ...] = ()

    def hides(self, person: Landmarks) -> bool:
        """The person's body centre lies in the painted part (in the box, in no hole)."""
        return _centre_in(person, self.box) and not self.in_hole(person)

    def in_hole(self, person: Landmarks) -> bool:
        return any(_centre_in(person, h) for h in self.holes)

    def paint(self, frame: Frame) -> Frame:
        """The frame as the masked pass sees it (``masked``, on a copy)."""
        return masked(frame, self.box, self.holes)


def _centre(person: Landmarks) -> np.ndarray:
    """(x, y) pixels of a person's body centre: the median of their left/right-invariant points."""
    return np.nanmedian(invariant_points(person)[0], axis=0)


def _centre_in(person: Landmarks, box: Box | None) -> bool:
    """The person's body centre lies in the box (x0, y0, x1, y1, pixels); False for no box."""
    if box is None:
        return False
    cx, cy = _centre(person)
    return bool(box[0] <= cx <= box[2] and box[1] <= cy <= box[3])


def _enlarged(box: tuple[float, float, float, float], margin: float, size: tuple[int, int]) -> Box | None:
    """The box (pixels) enlarged by ``margin`` × its longer side on every side, in whole pixels
    clipped to the frame; None when nothing of it is left in the frame."""
    x0, y0, x1, y1 = box
    m = margin * max(x1 - x0, y1 - y0)
    bx0, by0 = max(0, math.floor(x0 - m)), max(0, math.floor(y0 - m))
    bx1, by1 = min(size[0], math.ceil(x1 + m)), min(size[1], math.ceil(y1 + m))
    return (bx0, by0, bx1, by1) if bx1 > bx0 and by1 > by0 else None


def _centre_distance(a: Landmarks, b: Landmarks) -> float:
    """Pixels between two people's body centres."""
    return float(np.linalg.norm(_centre(a) - _centre(b)))


def _point_gaps(a: Landmarks, b: Landmarks) -> np.ndarray:
    """Distances between two detections' left/right-invariant points (nose, mid-ears,
    mid-shoulders, mid-hips, mid-knees, mid-ankles; any confidence), in body sizes (0.5 m, the
    larger of the two)."""
    pa, _ = invariant_points(a)
    pb, _ = invariant_points(b)
    return point_distances(pa, pb) / max(body_scale(a), body_scale(b))


def distinct(people: list[Landmarks]) -> list[Landmarks]:
    """The people without duplicates, in their order: the multi-person model sometimes reports
    one person twice (their left/right-invariant body points within 0.25 body sizes, 0.125 m, of
    each other, whatever their boxes: on the desk sample a duplicate with few confident points
    had a box overlap of 0.01, nested in the other box; or ``same_person``: overlapping boxes and
    the confident points close; or ``_nested``: a shrunken copy of one body inside its box).
    Two people side by side are about 0.4 m apart or more. A *weak* detection (fewer than two
    confident body points, ``_weak``) whose box overlaps another's (IoU ≥ 0.3) is that person
    again: at the desk sample's right edge the model reported the woman twice, boxes 0.49 IoU,
    one copy with a single confident point, and the window said "3 people in view" (a fifth
    audit). Of two duplicates the larger box is kept, a confident detection before a weak one."""
    kept: list[Landmarks] = []
    for p in sorted(people, key=lambda q: (not _weak(q), _box_area(q)), reverse=True):
        if not any(_same_body(p, q) for q in kept):
            kept.append(p)
    return [p for p in people if any(p is q for q in kept)]


def _weak(person: Landmarks) -> bool:
    """Fewer than two of the left/right-invariant body points are confident (≥ 0.5)."""
    return int(np.sum(invariant_points(person)[1] >= 0.5)) < 2


def _weak_copy(p: Landmarks, q: Landmarks) -> bool:
    """``p`` is a weak detection (``_weak``) lying over ``q``'s box (IoU ≥ 0.3)."""
    return _weak(p) and box_iou(p.bbox(0.3), q.bbox(0.3)) >= 0.3


def _same_body(p: Landmarks, q: Landmarks) -> bool:
    """``p`` and ``q`` are one person seen twice (the tests of ``distinct``, either way round)."""
    return (_duplicate(p, q) or same_person(p, q) or _nested(p, q) or _nested(q, p) or _weak_copy(p, q)
            or _weak_copy(q, p))


def _box_area(person: Landmarks) -> float:
    x0, y0, x1, y1 = person.bbox(0.3)
    return max(0.0, x1 - x0) * max(0.0, y1 - y0)


def _nested(small: Landmarks, large: Landmarks) -> bool:
    """A detection whose box lies (≥ 90%) inside a larger one's and is at least a quarter of its
    area: a shrunken second copy of one body (on the sports sample a masked pass reported the
    walking woman twice, once over her legs, every point confident). Someone standing behind
    another person within their box would be hidden."""
    a, b = small.bbox(0.3), large.bbox(0.3)
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    area_a, area_b = _box_area(small), _box_area(large)
    return area_a > 0 and ix * iy >= 0.9 * area_a and area_a >= 0.25 * area_b


def _duplicate(a: Landmarks, b: Landmarks) -> bool:
    """Two detections of one person in one pass: the median distance of their left/right-invariant
    points (all of them: a duplicate often has few confident points) is within 0.25 body sizes."""
    return float(np.nanmedian(_point_gaps(a, b))) <= 0.25


def _shared_points(a: Landmarks, b: Landmarks) -> int:
    """How many of two detections' left/right-invariant points lie within 0.25 body sizes
    (0.125 m) of each other. Two people in one frame share none, unless one hides the other."""
    return int(np.sum(_point_gaps(a, b) <= 0.25))


def _crowd(people: list[Landmarks]) -> bool:
    """Two people or more, not counting a duplicate (``distinct``)."""
    return len(distinct(people)) >= 2


def _holds(probe: Landmarks, target: Landmarks) -> bool:
    """A probe's person is the target: same body, same side labels."""
    return same_person(probe, target, 0.4, 0.3) and labels_agree(probe, target)


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

    * **single** (the usual case): the follower on every frame, the scout every
      ``scout_interval_s``; ``detect`` returns the follower's person first (``follower_found``),
      then the scout's other people. While the target is out of view ("searching") the follower
      looks for them and the scout runs every ``search_interval_s``: no multi-person call on
      the frame's thread.
    * **multi**: at the start, when person selection picks someone the follower does not hold
      (a click, the target found again by the scout), and when the scout and the follower name
      the sides differently: the multi-person model in VIDEO mode runs on every frame, and every
      ``probe_interval_s`` a fresh single-person model is tried on a crop around the target;
      single mode resumes as soon as one holds the target (same body and side labels). When the
      multi-person model loses the target too, searching takes over.

    After person selection, call ``follow_selected(people, index)``.
    """

    def __init__(self, pose: PoseOptions, options: FollowOptions | None = None) -> None:
        self.options = options or FollowOptions()
        self.pose_options = pose
        self._models: list[PoseEstimator] = []  # every single-person model made (closed by close())
        self._models_lock = threading.Lock()  # _models, between the worker thread and close()
        self._follower = self._new_follower()
        self._spare: PoseEstimator | None = self._new_follower()
        self._spare_pending: Future[PoseEstimator] | None = None
        self._probe_pending: Future[tuple] | None = None
        self._multi = PoseEstimator(replace(pose, mode=RunningMode.VIDEO))
        self._lock = threading.Lock()  # the scout's model, between its thread and close()
        self._pool: ThreadPoolExecutor | None = None
        self._scout_pool: ThreadPoolExecutor | None = None
        self._scout: PoseEstimator | None = None
        if self.options.background:
            # Spares and probes become followers: made at normal priority. The scout is made on
            # its own low-priority thread (its graph threads inherit that), so a pass yields the
            # cores to the frame being shown.
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="pose-worker")
            self._scout_pool = ThreadPoolExecutor(1, thread_name_prefix="pose-scout", initializer=lower_thread_priority,
                                                  initargs=(self.options.scout_nice,))  # fmt: skip
            self._scout_pool.submit(self._scout_model)  # made ahead, so that the first pass is not late
        else:
            self._scout = self._new_scout()
        self._pending: Future[tuple[float, list[Landmarks], Box | None]] | None = None
        self.model_path = self._follower.model_path
        self.reset()

    # -- state ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget the crop, the target and the other people; start in multi mode."""
        self._crop: Box | None = None
        self._others: list[Landmarks] = []
        self._others_t = -math.inf
        #: the other people listed, merged from the plain and masked passes (``_merge``)
        self._seen: list[_Seen] = []
        self._masked_t = -math.inf  # when the last masked pass ran
        self._last_found: Landmarks | None = None  # the follower's person in the last frame
        self._mask: Box | None = None  # the followed person's box to paint over in the next masked pass
        self._mask_next = False  # the next pass is a masked one (they alternate with plain ones)
        self._seen_t: list[float] = []  # per person of the last ``detect``: when they were seen
        self._seen_now: list[bool] = []  # ... and whether in this frame (follower or a pass taken now)
        self._pass_now = None
        self._held_t = -math.inf  # when the follower last took over its person (multi mode ended)
        self._crowd_t = -math.inf  # when a multi-person pass last saw two people or more
        self._scout_t = -math.inf
        self._force = True
        self._multi_mode = True  # start as without following: selection picks from everyone
        self._probe_t = -math.inf
        self._t = -math.inf
        self._target: Landmarks | None = None
        self._target_t = -math.inf
        self._wait_until = -math.inf
        self._searching = False
        self._motion = MotionWatch()
        self._thumb: np.ndarray | None = None  # this frame's thumbnail, if ``_moved_outside`` made one
        self.follower_found = False
        self.scouted = False  #: the last ``detect`` took a multi-person result (scout or multi mode)
        self.calls: list[str] = []  #: the model calls the last ``detect`` made on this thread
        #: how many of the last ``detect``'s people (from the front) were seen in that frame; the
        #: rest are the scout's, from an earlier frame: shown and clickable, never measured
        self.fresh_people = 0
        self.calls_log: dict[int, list[str]] = {}  #: frame index → its calls, the last 256 frames (benchmarks)
        #: frame index → the worker-thread jobs that ran beside that frame's model calls, e.g.
        #: "scout" or "probe+spare" ("" = none; benchmarks)
        self.background_log: dict[int, str] = {}

    @property
    def crop(self) -> Box | None:
        """The follower's crop (x0, y0, x1, y1) in full-frame pixels; None = the whole frame."""
        return self._crop

    def age_s(self, index: int) -> float:
        """Seconds since the person at ``index`` of the last ``detect`` was seen: 0 for the
        people seen in that frame, else the age of the pass they come from."""
        seen = self._seen_t[index] if 0 <= index < len(self._seen_t) else self._others_t
        return max(0.0, self._t - seen) if math.isfinite(seen) else 0.0

    @property
    def multi_mode(self) -> bool:
        """True while the multi-person model runs on every frame (see the class docstring)."""
        return self._multi_mode

    # -- per frame -----------------------------------------------------------------------
    def detect(self, frame: Frame) -> list[Landmarks]:
        """The people in this frame: the followed person first when the follower found them."""
        self.calls = []
        self.calls_log[frame.index] = self.calls
        while len(self.calls_log) > 256:
            del self.calls_log[next(iter(self.calls_log))]
            del self.background_log[next(iter(self.background_log))]
        busy = self._background_jobs()
        people = self._detect(frame)
        self.background_log[frame.index] = "+".join(sorted(busy | self._background_jobs()))
        return people

    def _background_jobs(self) -> set[str]:
        """The worker-thread jobs running (or queued) now: they share the cores with this frame."""
        jobs = {"scout": self._pending, "probe": self._probe_pending, "spare": self._spare_pending}
        return {name for name, job in jobs.items() if job is not None and not job.done()}

    def _detect(self, frame: Frame) -> list[Landmarks]:
        self._t = t = frame.timestamp_s
        self._pass_now: float | None = None  # the stream time of a pass taken in this frame
        self._thumb = None
        if self._pool is not None:
            self._collect_probe()
        if self._multi_mode:
            return self._detect_multi(frame)
        size = (frame.width, frame.height)
        self.scouted = False
        if self._searching:
            interval = self.options.search_interval_s
        elif self._mask_next and self._mask is not None and self._masked_t < self._held_t:
            # no masked pass yet since the follower took its person (the start, a switch): one
            # now, so that people beside or behind them are listed within a frame or two
            interval = 0.0
        elif t - self._crowd_t <= self.options.stale_s:  # someone else seen lately
            interval = self.options.scout_interval_s
        else:  # the last passes saw nobody but one person: look for newcomers less often
            interval = self.options.alone_scout_interval_s
            if self._moved_outside(frame, size):  # ... unless the picture beside them changed
                interval = self.options.scout_interval_s
        due = self._force or t - self._scout_t >= interval
        box = self._mask if self._mask_next and not self._force and not self._searching else None
        mask = Mask(box, self._holes(box, size)) if due and box is not None else None
        if self._pool is None:
            if due:
                self._remember_scene(frame)
                self.calls.append("scout" if mask is None else "scout-masked")
                self._take_pass(t, self._scout.detect(mask.paint(frame) if mask else frame), mask)
        else:
            self._collect_background()
            if due and self._pending is None:
                self._remember_scene(frame)
                self._scout_t = t
                self._force = False
                self._mask_next = mask is None
                self._pending = self._scout_pool.submit(self._scout_job, frame, mask)

        self.calls.append("follower" if self._crop is not None or not self._searching else "follower-search")
        found = self._run_follower(frame, self._crop)
        just_lost = found is None and self.follower_found
        self.follower_found = found is not None
        if found is not None and self.scouted and self._disagrees(found):
            # The follower names the sides the other way round from the multi-person pass: do
            # not trust it; follow with the multi-person model until the two agree again.
            self._multi_mode = True
            self._probe_t = self._t
            return self._detect_multi(frame)
        if found is None:
            if just_lost:
                self._force = True  # look over the whole frame at once, then every search interval
            self._crop = self._search_crop()
        elif self._crop is not None and needs_recrop(found, self._crop, size, self.options.edge):
            shifted = shift_crop(found, self._crop, size, self.options.edge)
            self._crop = shifted or crop_box(found, size, self.options.margin)
        elif self._crop is None and self._others_have_someone_else(found):
            # Someone else is in view: pin the follower to its person with a crop.
            self._crop = crop_box(found, size, self.options.margin)

        if t - self._others_t > self.options.stale_s:
            self._others = []
        self._seen = [e for e in self._seen if t - e.t <= self.options.stale_s]
        self._mask = self._mask_box(found, size)
        self._last_found = found
        self.fresh_people = 1 if found is not None else 0
        return self._listed(found)

    def _listed(self, found: Landmarks | None) -> list[Landmarks]:
        """The people of this frame: the follower's person (when found), then the passes' other
        people (``_merge``) unless they are the follower's person. ``_seen_t`` gets when each
        was seen."""
        people = [found] if found is not None else []
        self._seen_t = [self._t] * len(people)
        self._seen_now = [True] * len(people)  # per person: seen by the follower or a pass taken now
        pass_now = self._pass_now
        for e in self._seen:
            if self._shown(e, found):
                people.append(e.person)
                self._seen_t.append(e.t)
                self._seen_now.append(e.t == pass_now and not e.missed)
        return people

    def _merge(self, t: float, people: list[Landmarks], mask: Mask | None) -> None:
        """Update the other people listed with a pass's people (seen at stream time ``t``).

        The list leaves out the follower's person (``_last_found``; a switch to someone else
        adds them, ``follow_selected``). A plain pass (``mask`` None) looked at the whole
        frame; a masked pass at all but the painted part, so the people listed there stay as
        they were. In the part a
        pass looked at, its people replace the ones listed there (a person who moved is listed
        once, where the pass saw them). When it found fewer people than were listed there, the
        listed ones farthest from everyone it found were missed: each stays listed (with the
        time they were seen) for one more pass, since a plain pass misses people beside a large,
        close one, and a masked pass misses a person at the frame's edge in about a third of
        passes (``bench/scout_mask.py``). Missed twice in a row, they are dropped."""

        people = distinct(people)
        unseen: list[_Seen] = []
        looked: list[_Seen] = []
        for e in self._seen:
            (unseen if mask is not None and mask.hides(e.person) else looked).append(e)

        missed = len(looked) - len(people)
        kept: list[_Seen] = []
        if missed > 0:
            def gap(e: _Seen) -> float:
                return min((_centre_distance(e.person, p) for p in people), default=math.inf)

            kept = [replace(e, missed=True) for e in sorted(looked, key=gap, reverse=True)[:missed] if not e.missed]
        fresh = [_Seen(p, t, apart=mask is not None and mask.in_hole(p)) for p in people]
        # A person listed where the mask hid them but seen by this pass after all (a body at the
        # painted box's edge): listed once, where the pass saw them. The desk sample listed the
        # woman at its right edge twice ("3 people in view" for 2, a fifth audit's screenshot).
        older = [e for e in kept + unseen if not any(_same_body(e.person, p) for p in people)]
        self._seen = fresh + older

    def follow_selected(self, people: list[Landmarks], index: int | None, switched: bool = False) -> None:
        """Person selection chose ``people[index]`` (None: nobody): follow them. ``switched``:
        selection started a new target this frame (a click, or a fresh start)."""
        just_seen = index is not None and index < len(self._seen_now) and self._seen_now[index]
        if index is not None and index >= self.fresh_people and not (just_seen or switched or self._multi_mode):
            # The target matched only the passes' people from an earlier pass (or one listed
            # although the last pass missed them), not anyone seen in this frame: they are out
            # of view now. Keep looking (a new pass will show them).
            index = None
        if index is None:
            # The target is not in view, or the follower holds someone else. In multi mode the
            # multi-person model keeps looking on every frame; in single mode the multi-person
            # pass looks more often (``search_interval_s``) and, when selection finds the target
            # among its people, the next frame switches to it (below), so that frames without
            # the target cost a single-person call, not a multi-person one.
            if self._target is not None or not people:
                if self._multi_mode or not self._searching:
                    # The follower holds someone else, or its tracking region belongs to another
                    # crop: a fresh model looks for the target (its detector runs at once).
                    self._fresh_follower()
                self._searching = True  # (in multi mode: the multi-person model lost them too)
                self._multi_mode = False
                self._crop = self._search_crop()
            return
        target = people[index]
        self._target = target
        self._target_t = self._t
        self._searching = False
        if self._multi_mode or (index == 0 and self.follower_found):
            return
        # The follower holds someone else (or nobody): try a fresh model on a crop around the
        # target at the next frame, and run the multi-person model on every frame until one
        # holds them. Live, the probe runs on the worker thread; for up to ``probe_wait_s`` the
        # frames wait for it (the target is shown, not measured) instead of paying for the
        # multi-person model, which would also slow the probe down.
        if self.follower_found and self._last_found is not None:
            # The person followed until now stays listed (the passes' list leaves them out).
            self._seen.append(_Seen(self._last_found, self._t))
        self._multi_mode = True
        self._probe_t = -math.inf
        self._wait_until = self._t + self.options.probe_wait_s if self._pool is not None else -math.inf

    # -- parts ---------------------------------------------------------------------------
    def _search_crop(self) -> Box | None:
        """Where the follower looks for a lost person: a wide crop around where they were last
        seen (their box enlarged by ``search_margin``; a detector finds a small person better
        in a crop) for ``search_crop_s`` seconds, then the whole frame (None)."""
        target = self._target
        if target is None or self._t - self._target_t > self.options.search_crop_s:
            return None
        return crop_box(target, target.image_size, self.options.search_margin)

    def _detect_multi(self, frame: Frame) -> list[Landmarks]:
        self._mask = None  # no followed person to paint over until the follower holds one again
        self._held_t = self._t  # (single mode starts after this frame)
        target = self._target
        probe_due = target is not None and self._t - self._probe_t >= self.options.probe_interval_s
        if self._pool is None:  # recordings: the probe runs in line, and holds from this frame
            spare = self._take_spare() if probe_due else None
            if spare is not None:
                self._probe_t = self._t
                held = self._probe(frame, target, spare)
                if held is not None:  # single mode from this frame on: no multi-person call
                    self.scouted = False
                    self.follower_found = True
                    self.fresh_people = 1
                    return self._listed(held)
        else:  # live: the probe runs on the worker thread; a success is taken at a later frame
            spare = self._take_spare() if probe_due and self._probe_pending is None else None
            if spare is not None:
                self._probe_t = self._t
                crop = crop_box(target, target.image_size, self.options.margin)
                self._probe_pending = self._pool.submit(self._probe_job, spare, frame, crop, target)
            if self._t < self._wait_until and (self._probe_pending is not None or self._spare_pending is not None):
                self.calls.append("wait")
                self.scouted = False
                self.follower_found = False
                self.fresh_people = 0
                return self._listed(None)
        self.calls.append("multi")
        people = self._multi.detect(frame)
        self.scouted = True
        self.follower_found = False
        self._others, self._others_t, self._scout_t = people, self._t, self._t
        if _crowd(people):
            self._crowd_t = self._t
        self._seen = [_Seen(p, self._t) for p in people]
        self._last_found = None
        self.fresh_people = len(people)
        self._seen_t = [self._t] * len(people)
        return people

    def _probe(self, frame: Frame, target: Landmarks, spare: PoseEstimator) -> Landmarks | None:
        """Try a fresh single-person model on a crop around the target (its first frame runs
        the detector, unlike the follower, whose tracking state belongs to an older crop). When
        it finds the target, it becomes the follower, already tracking, and its person is
        returned; otherwise it is replaced if it found someone (its tracking state is spent)."""
        crop = crop_box(target, target.image_size, self.options.margin)
        self.calls.append("probe")
        # The settling calls only once it holds the target: the check compares like with like
        # (the multi-person pass's target is not settled either).
        probe = self._run_on_crop(spare, frame, crop, settle=False)
        held = probe if probe is not None and _holds(probe, target) else None
        if held is not None:  # settled for the frames to come; this frame keeps the person the
            spare.settle_last()  # selection can match to the pass's (a jump of up to half a
            # shoulder width on the desk sample's first frames would lose them for a frame)
        self._after_probe(spare, probe, held, crop, target)
        return held

    def _after_probe(
        self, spare: PoseEstimator, probe: Landmarks | None, held: Landmarks | None, crop: Box, target: Landmarks
    ) -> None:
        if held is not None:
            # The multi-person pass's copy of the target (from an earlier frame) is not someone else.
            self._others = [p for p in self._others if not same_person(p, target, 0.4, 0.3)]
            self._seen = [e for e in self._seen if not same_person(e.person, target, 0.4, 0.3)]
            # The probe becomes the follower. Its tracking region is in the probe crop's
            # normalised coordinates, so it goes on with that very crop.
            old, self._follower = self._follower, spare
            self._retire(old)
            self._multi_mode = False
            self._searching = False
            self._crop = crop
            self._force = True  # check its side labels against a multi-person pass at once
        elif probe is not None:
            self._retire(spare)  # it found someone else: its tracking state is spent
        else:
            self._spare = spare  # nothing found: still fresh
        if self._spare is None:
            self._renew_spare()

    def _probe_job(self, spare: PoseEstimator, frame: Frame, crop: Box, target: Landmarks) -> tuple:
        """(spare, its person, crop, target), on the worker thread; a probe that holds the target
        makes its settling calls here."""
        probe = self._run_on_crop(spare, frame, crop, settle=False)
        if probe is not None and _holds(probe, target):
            spare.settle_last()
        return spare, probe, crop, target

    def _collect_probe(self) -> None:
        """Take a finished background probe: switch to the follower when it holds the target
        that was probed and that target is still the one followed (no click meanwhile)."""
        fut = self._probe_pending
        if fut is None or not fut.done():
            return
        self._probe_pending = None
        try:
            spare, probe, crop, target = fut.result()
        except Exception:  # a failed probe: make a new model at the next one
            return
        current = self._target
        held = None
        if (probe is not None and self._multi_mode and current is not None and _holds(probe, target)
                and same_person(probe, current, 0.6, 0.2)):  # fmt: skip
            held = probe  # (settled on the worker thread for the frames to come; see _probe)
        self._after_probe(spare, probe, held, crop, target)

    def _fresh_follower(self) -> None:
        """Replace the follower by the spare when one is ready (else keep it)."""
        if self._spare is None and self._spare_pending is not None and self._spare_pending.done():
            self._take_spare_result()
        if self._spare is not None and (self._pool is not None or not self._searching):
            old, self._follower, self._spare = self._follower, self._spare, None
            self._retire(old)
            self._renew_spare()

    def _new_follower(self) -> PoseEstimator:
        model = PoseEstimator(replace(self.pose_options, max_people=1, mode=RunningMode.VIDEO))
        with self._models_lock:
            self._models = [m for m in self._models if getattr(m, "_landmarker", None) is not None] + [model]
        return model

    def _take_spare(self) -> PoseEstimator | None:
        """The fresh single-person model, or None while a new one is still being made."""
        if self._spare is None and self._spare_pending is not None and self._spare_pending.done():
            self._take_spare_result()
        if self._spare is None and self._spare_pending is None:
            self._renew_spare()
        spare, self._spare = self._spare, None
        return spare

    def _take_spare_result(self) -> None:
        try:
            self._spare = self._spare_pending.result()
        except Exception:  # could not make one: try again at the next probe
            self._spare = None
        self._spare_pending = None

    def _renew_spare(self) -> None:
        """Make a fresh single-person model: on the worker thread live (≈ 0.1 s of CPU), else in
        line. Rare: spent models are recycled instead (``_retire``)."""
        if self._pool is None:
            self._spare = self._new_follower()
        elif self._spare_pending is None:
            self._spare_pending = self._pool.submit(self._new_follower)

    def _retire(self, estimator: PoseEstimator) -> None:
        """A spent model (an old follower, a probe that found someone else) becomes the spare
        when none is ready or being made: ``forget`` makes it as good as a fresh one for a few ms
        (live on the worker thread), where a new model would cost about 0.1 s of CPU and slow
        the frames beside it. Otherwise it is closed, off the frame's thread when live."""
        if self._spare is None and self._spare_pending is None:
            if self._pool is None:
                estimator.forget()
                self._spare = estimator
            else:
                self._spare_pending = self._pool.submit(self._recycled, estimator)
        elif self._pool is None:
            estimator.close()
        else:
            self._pool.submit(estimator.close)

    @staticmethod
    def _recycled(estimator: PoseEstimator) -> PoseEstimator:
        estimator.forget()
        return estimator

    def _run_follower(self, frame: Frame, crop: Box | None) -> Landmarks | None:
        return self._run_on_crop(self._follower, frame, crop)

    @staticmethod
    def _run_on_crop(model: PoseEstimator, frame: Frame, crop: Box | None, settle: bool = True) -> Landmarks | None:
        """The model's person in ``crop`` of the frame (frame pixels), None if nobody. ``settle``
        False leaves the settling calls of a first find to ``PoseEstimator.settle_last``."""
        size = (frame.width, frame.height)
        if crop is None or crop == (0, 0, size[0], size[1]):
            found = model.detect(frame, settle=settle)
            return found[0] if found else None
        x0, y0, x1, y1 = crop
        sub = Frame(np.ascontiguousarray(frame.image[y0:y1, x0:x1]), frame.index, frame.timestamp_s,
                    frame.captured_at, frame.source)  # fmt: skip
        found = model.detect(sub, settle=settle)
        return _to_frame(found[0], crop, size) if found else None

    def _is_followed(self, other: Landmarks, found: Landmarks, points_only: bool = False) -> bool:
        """A person of the multi-person pass (up to ``scout_interval_s`` old) is the followed one:
        their boxes overlap (IoU ≥ ``same_iou``; not with ``points_only``), or their body points
        lie within 0.4 body sizes with some overlap (someone who moved since the pass), or two
        of their body points lie where the followed person's are (a mix the multi-person model
        sometimes makes: the followed woman's head on the man's body, on the lab clip)."""
        if same_person(other, found, 0.4, 0.1) or _shared_points(other, found) >= 2:
            return True
        return not points_only and box_iou(other.bbox(0.3), found.bbox(0.3)) >= self.options.same_iou

    def _shown(self, e: _Seen, found: Landmarks | None) -> bool:
        """A listed person is shown unless they are the follower's person (``_is_followed``; by
        body points only for one seen through a hole, whose box overlaps by design)."""
        return found is None or not self._is_followed(e.person, found, points_only=e.apart)

    def _disagrees(self, found: Landmarks) -> bool:
        """The scout saw the follower's person with the sides the other way round."""
        return any(same_person(p, found) and not labels_agree(p, found) for p in self._others)

    def _others_have_someone_else(self, found: Landmarks) -> bool:
        box = found.bbox(0.3)
        return any(box_iou(e.person.bbox(0.3), box) < self.options.same_iou for e in self._seen)

    def _remember_scene(self, frame: Frame) -> None:
        """The picture a pass sees, for ``_moved_outside`` (this frame's thumbnail if made)."""
        if self.options.motion_share > 0:
            thumb = self._thumb if self._thumb is not None else self._motion.thumbnail(frame.image)
            found = self._last_found
            self._motion.remember(thumb, None if found is None else found.bbox(0.3))

    def _moved_outside(self, frame: Frame, size: tuple[int, int]) -> bool:
        """True when enough of the picture outside the followed person changed since the last
        pass (``motion_share``, ``motion_global``): someone may have walked in."""
        if not self.options.motion_share > 0:
            return False
        self._thumb = self._motion.thumbnail(frame.image)
        found = self._last_found
        share = self._motion.changed_share(self._thumb, None if found is None else found.bbox(0.3), size)
        return self.options.motion_share <= share <= self.options.motion_global

    def _mask_box(self, found: Landmarks | None, size: tuple[int, int]) -> Box | None:
        """The box a masked pass paints over: the followed person's, enlarged by ``mask_margin``
        (None: no masked pass, e.g. nobody followed or the option is off)."""
        if found is None or not self.options.masked_passes:
            return None
        return _enlarged(found.bbox(0.3), self.options.mask_margin, size)

    def _holes(self, box: Box, size: tuple[int, int]) -> tuple[Box, ...]:
        """Where a masked pass leaves the picture: the box (enlarged by ``hole_margin``) of each
        person listed and shown (``_listed``) whose body centre lies in the painted ``box``.
        Made only when a masked pass runs (it compares body points: about 0.4 ms a person)."""
        found = self._last_found
        inside = [e.person for e in self._seen if _centre_in(e.person, box) and self._shown(e, found)]
        holes = (_enlarged(p.bbox(0.3), self.options.hole_margin, size) for p in inside)
        return tuple(h for h in holes if h is not None)

    def _take_pass(self, t: float, people: list[Landmarks], mask: Mask | None) -> None:
        """Take a multi-person pass's people: a plain pass's, or a masked pass's (then only the
        people whose body centre lies outside the painted part: the others beside the followed
        one, and those seen through a hole unless their body points are the followed person's)."""
        if mask is None:
            self._mask_next = True
            self._take_scout(t, people)
            return
        self._mask_next = False
        self._scout_t = self._masked_t = t
        found = self._last_found
        beside = [p for p in people if not mask.hides(p)
                  and not (mask.in_hole(p) and found is not None and self._is_followed(p, found, points_only=True))]
        self._merge(t, beside, mask)
        self._pass_now = t
        if beside:
            self._crowd_t = t

    def _take_scout(self, t: float, people: list[Landmarks]) -> None:
        if _crowd(people):
            self._crowd_t = t
        found = self._last_found
        self._merge(t, [p for p in people if found is None or not self._is_followed(p, found)], None)
        self._pass_now = t
        self._others = people
        self._others_t = t
        self._scout_t = t
        self._force = False
        self.scouted = True

    def _new_scout(self) -> PoseEstimator:
        return PoseEstimator(replace(self.pose_options, mode=RunningMode.IMAGE))

    def _scout_model(self) -> PoseEstimator:
        """The scout, made on first use; live, that is on the low-priority scout thread."""
        with self._lock:
            if self._scout is None:
                self._scout = self._new_scout()
            return self._scout

    def _scout_job(self, frame: Frame, mask: Mask | None) -> tuple[float, list[Landmarks], Mask | None]:
        model = self._scout_model()
        image = mask.paint(frame) if mask else frame  # painted here, off the frame's thread
        with self._lock:
            return frame.timestamp_s, model.detect(image), mask

    def _collect_background(self) -> None:
        fut = self._pending
        if fut is None or not fut.done():
            return
        self._pending = None
        try:
            t, people, mask = fut.result()
        except Exception:  # a failed pass: try again at the next interval
            return
        self._take_pass(t, people, mask)

    def close(self) -> None:
        """Stop the worker threads and release the models."""
        for pool in (self._pool, self._scout_pool):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)  # a model being made or closed finishes
        self._pool = self._scout_pool = None
        self._spare_pending = self._probe_pending = self._pending = None
        self._spare = None
        with self._models_lock:
            models, self._models = self._models, []
        for model in models:  # the follower, spares, probes and spent ones (close() is idempotent)
            model.close()
        self._multi.close()
        with self._lock:
            if self._scout is not None:
                self._scout.close()

    def __enter__(self) -> FollowingEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
