"""The data currency of the pipeline: one frame type, one landmark type, one angle table.

Data flows one way: ``Frame`` (source) → ``Landmarks`` (pose, person selection, smoothing)
→ ``AngleTable`` (kinematics) → verdicts and cues (targets, feedback) → ``FrameResult``,
which every consumer (CSV writer, overlays, the Qt view, storage) reads.

Coordinate frames used throughout:

* **image**: pixels of the frame as captured (never mirrored), x right, y down, origin at
  the top-left corner. ``Landmarks.image[:, 2]`` is MediaPipe's relative depth scaled to
  pixels like x (smaller = nearer the camera); it is noisy and only roughly metric.
* **world**: metres, origin between the hips, MediaPipe's axes (x towards image right,
  y down, z away from the camera), as estimated by the model from one view.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from posture_feedback import landmarks as lm


@dataclass(frozen=True, slots=True)
class Frame:
    """One image from a source.

    Attributes:
        image: BGR ``uint8`` array, shape (height, width, 3), as captured (not mirrored).
        index: 0-based index of the frame in its source (video frame number for files;
            running count for live sources, where dropped frames still advance it).
        timestamp_s: seconds since the start of the source (video position for files,
            capture time for live sources). Strictly increasing within a source.
        captured_at: ``time.perf_counter()`` when the frame was read; end-to-end latency
            is measured from here.
        source: human-readable name of the source (path, ``camera 0``).
    """

    image: np.ndarray
    index: int
    timestamp_s: float
    captured_at: float
    source: str = ""

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(frozen=True, slots=True)
class Landmarks:
    """The 33 BlazePose landmarks of one person in one frame.

    Attributes:
        image: (33, 3) float array: x, y in pixels (image frame), z relative depth in the
            same pixel scale (smaller = nearer the camera).
        world: (33, 3) float array in metres, hip-centred, x right, y down, z away from
            the camera (MediaPipe world landmarks).
        visibility: (33,) probability in [0, 1] that the landmark is visible (not occluded).
        presence: (33,) probability in [0, 1] that the landmark is inside the frame.
        image_size: (width, height) of the frame in pixels.
        track_id: identity given by person selection (-1 when not tracked).

    Landmarks are immutable: the arrays are read-only views (``with_arrays`` makes a changed
    copy), so that what is derived from them once per object (``memo``: the body size, the box,
    the invariant points, asked for by several stages of a frame) stays true.
    """

    image: np.ndarray
    world: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    image_size: tuple[int, int]
    track_id: int = -1
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, shape in (("image", (33, 3)), ("world", (33, 3)), ("visibility", (33,)), ("presence", (33,))):
            arr = getattr(self, name)
            if arr.shape != shape:
                raise ValueError(f"Landmarks.{name} must have shape {shape}, got {arr.shape}")
            if arr.flags.writeable:
                view = arr.view()
                view.flags.writeable = False
                object.__setattr__(self, name, view)

    def memo(self, key: tuple, compute: Callable[[Landmarks], object]) -> object:
        """``compute(self)``, computed once per ``key`` for these landmarks and then kept."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = compute(self)
            return value

    @property
    def xy(self) -> np.ndarray:
        """(33, 2) image coordinates in pixels."""
        return self.image[:, :2]

    def confidence(self) -> np.ndarray:
        """(33,) per-landmark confidence: min(visibility, presence)."""
        return np.minimum(self.visibility, self.presence)

    def bbox(self, min_confidence: float = 0.3) -> tuple[float, float, float, float]:
        """Bounding box (x0, y0, x1, y1) in pixels of the landmarks at least this confident.

        Falls back to all landmarks when none is confident enough.
        """
        return self.memo(("bbox", min_confidence), lambda s: s._bbox(min_confidence))

    def _bbox(self, min_confidence: float) -> tuple[float, float, float, float]:
        keep = self.confidence() >= min_confidence
        x, y = self.image[:, 0], self.image[:, 1]
        if keep.any():
            x, y = x[keep], y[keep]
        return float(x.min()), float(y.min()), float(x.max()), float(y.max())

    def center(self) -> np.ndarray:
        """(2,) pixel position of the mid-point of shoulders and hips (the trunk centre)."""
        idx = [lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP]
        return self.xy[idx].mean(axis=0)

    def with_arrays(
        self,
        image: np.ndarray | None = None,
        world: np.ndarray | None = None,
        visibility: np.ndarray | None = None,
        presence: np.ndarray | None = None,
        track_id: int | None = None,
    ) -> Landmarks:
        """A copy with some arrays replaced (landmarks are immutable). With the same arrays (only
        ``track_id`` changed) the copy keeps what was derived from them (``memo``)."""
        copy = Landmarks(
            image=self.image if image is None else image,
            world=self.world if world is None else world,
            visibility=self.visibility if visibility is None else visibility,
            presence=self.presence if presence is None else presence,
            image_size=self.image_size,
            track_id=self.track_id if track_id is None else track_id,
        )
        if image is None and world is None and visibility is None and presence is None:
            copy._memo.update(self._memo)
        return copy

    def swapped(self, pairs: tuple[tuple[int, int], ...]) -> Landmarks:
        """A copy with the given (left, right) landmark pairs exchanged (undoes a label swap)."""
        perm = np.arange(lm.NUM_LANDMARKS)
        for a, b in pairs:
            perm[a], perm[b] = b, a
        return self.with_arrays(
            image=self.image[perm], world=self.world[perm],
            visibility=self.visibility[perm], presence=self.presence[perm],
        )  # fmt: skip

    @classmethod
    def from_points(
        cls,
        points: Mapping[str, tuple[float, ...]],
        image_size: tuple[int, int] = (640, 480),
        world: Mapping[str, tuple[float, float, float]] | None = None,
        visibility: float = 1.0,
    ) -> Landmarks:
        """Build landmarks from named points (for tests and constructed poses).

        ``points`` maps landmark names to (x, y) or (x, y, z) pixels; unnamed landmarks get
        visibility 0. ``world`` maps names to metres; when omitted, world = image / 1000
        (a 1 px = 1 mm stand-in that keeps every angle identical).
        """
        image = np.zeros((33, 3))
        vis = np.zeros(33)
        for name, p in points.items():
            i = lm.INDEX[name]
            image[i, : len(p)] = p
            vis[i] = visibility
        w = image / 1000.0
        if world is not None:
            w = np.zeros((33, 3))
            for name, p in world.items():
                w[lm.INDEX[name]] = p
        return cls(image=image, world=w, visibility=vis, presence=vis.copy(), image_size=image_size)


class View(str, enum.Enum):
    """Which way the person faces relative to the camera."""

    FRONT = "front"  #: facing the camera (within about ±30°)
    BACK = "back"  #: back to the camera
    SIDE = "side"  #: side-on (within about ±30° of 90°)
    OBLIQUE = "oblique"  #: in between
    UNKNOWN = "unknown"  #: nobody, or too little visible to tell

    def __str__(self) -> str:
        return self.value


#: The canonical angle names, in CSV column order (degrees).
ANGLE_NAMES: tuple[str, ...] = (
    "left_elbow_flexion",
    "right_elbow_flexion",
    "left_shoulder_elevation",
    "right_shoulder_elevation",
    "left_hip_flexion",
    "right_hip_flexion",
    "left_knee_flexion",
    "right_knee_flexion",
    "trunk_inclination",
    "shoulder_tilt",
    "pelvic_tilt",
    "head_tilt",
    "craniovertebral_angle",
    "trunk_forward_lean",
    "trunk_lateral_lean",
    "head_forward_lean",
)
ANGLE_INDEX: dict[str, int] = {n: i for i, n in enumerate(ANGLE_NAMES)}


@dataclass(frozen=True, slots=True)
class Angle:
    """One entry of an ``AngleTable``: value in degrees (NaN = not measurable)."""

    name: str
    value: float
    valid: bool
    uncertainty: float

    @property
    def measured(self) -> bool:
        return not math.isnan(self.value)


@dataclass(slots=True)
class AngleTable:
    """The canonical joint angles of one person in one frame.

    Attributes:
        values: (n,) degrees, NaN where a landmark is not visible enough (never a guess).
        valid: (n,) True where the value is measurable *and* meaningful for the current view
            (e.g. ``shoulder_tilt`` is invalid side-on, ``craniovertebral_angle`` face-on).
        uncertainty: (n,) estimated ± degrees (view, visibility, jitter); NaN when unknown.
        names: the angle names, ``ANGLE_NAMES`` unless extra angles are appended.
    """

    values: np.ndarray
    valid: np.ndarray
    uncertainty: np.ndarray
    names: tuple[str, ...] = ANGLE_NAMES

    @classmethod
    def empty(cls, names: tuple[str, ...] = ANGLE_NAMES) -> AngleTable:
        n = len(names)
        return cls(np.full(n, np.nan), np.zeros(n, bool), np.full(n, np.nan), names)

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[Angle]:
        for i, n in enumerate(self.names):
            yield Angle(n, float(self.values[i]), bool(self.valid[i]), float(self.uncertainty[i]))

    def __getitem__(self, name: str) -> Angle:
        i = ANGLE_INDEX[name] if self.names is ANGLE_NAMES else self.names.index(name)
        return Angle(name, float(self.values[i]), bool(self.valid[i]), float(self.uncertainty[i]))

    def value(self, name: str, require_valid: bool = False) -> float:
        """The angle in degrees, NaN when not measured (or not valid, if required)."""
        a = self[name]
        return a.value if (a.valid or not require_valid) else math.nan

    def as_dict(self, require_valid: bool = False) -> dict[str, float]:
        """name → degrees (NaN where missing, or invalid if ``require_valid``)."""
        return {a.name: (a.value if (a.valid or not require_valid) else math.nan) for a in self}


class Verdict(str, enum.Enum):
    """How a measured angle compares with its target range."""

    IN_RANGE = "in_range"
    NEAR = "near"  #: outside the range but within the tolerance band
    LOW = "out_low"
    HIGH = "out_high"
    UNKNOWN = "unknown"  #: angle missing or not valid in this view
    #: the value is known but too uncertain to judge: its 80% interval holds a value in range and
    #: one beyond the tolerance band (``targets.undecided``); shown greyed, never cued
    UNCERTAIN = "uncertain"

    def __str__(self) -> str:
        return self.value

    @property
    def judged(self) -> bool:
        """A verdict was given (in range, near, low or high): not unknown and not uncertain."""
        return self not in (Verdict.UNKNOWN, Verdict.UNCERTAIN)


@dataclass(frozen=True, slots=True)
class TargetState:
    """The evaluation of one target in one frame.

    One truth per frame: ``verdict`` is always the verdict of ``value`` against ``low``/``high``
    and ``tolerance`` (``targets.classify``), with no memory, or ``UNCERTAIN`` when the value's
    ``uncertainty`` could put it either in range or beyond the tolerance band
    (``targets.undecided``); it is what labels, colours, markers and the CSV show. Hysteresis
    and minimum duration only act on ``cue_verdict``, which decides when a *new* cue (and its
    sound) is given, and is never shown as a verdict.
    """

    target: str  #: target id
    angle: str  #: canonical angle name
    value: float  #: degrees (rounded to 0.01°, as written in the CSV), NaN if unknown
    #: the verdict of ``value`` in this frame (``UNCERTAIN`` when ``uncertainty`` leaves it open)
    verdict: Verdict
    low: float  #: effective range minimum (degrees), after neutral offset
    high: float  #: effective range maximum (degrees)
    cue: str | None  #: the cue due now (debounced, never against the value's side), None otherwise
    priority: int = 0  #: larger = more important
    tolerance: float = 0.0  #: degrees of the "near" band on each side outside the range
    cue_verdict: Verdict | None = None  #: debounced verdict for cues and sounds; None = same as ``verdict``
    uncertainty: float = float("nan")  #: the value's 80% half-width (degrees), NaN if not known


@dataclass(slots=True)
class FrameResult:
    """Everything the pipeline knows about one frame; consumers only read it.

    Attributes:
        frame: the source frame.
        people: every person detected (raw model output order, after swap correction).
        target_index: index into ``people`` of the tracked person, None if nobody.
        landmarks: the tracked person's smoothed landmarks, None if nobody.
        view: the tracked person's view.
        azimuth_deg: camera direction from the person's facing direction (degrees; 0 = in
            front, +90 = on the person's left), NaN if unknown.
        angles: the tracked person's angle table (empty if nobody).
        targets: per-target evaluation, in the order of the active target set.
        cue: the single cue to show now (chosen by priority, held long enough to read).
        timings_ms: milliseconds spent per stage ("pose", "select", "smooth", ...).
        vertical: where the camera's vertical comes from: ``"calibrated"`` (a stored or given
            calibration), ``"scene"`` (the scene's lines), ``"searching"`` (the scene's lines are
            still being collected: a level camera, ±20°, until then) or ``"level"`` (assumed
            level, ±20°: no calibration and no usable lines).
        target_pending: the person chosen (a click, or the start) is in the list of people seen
            in an earlier frame but not measured in this one yet (the follower is taking them
            over, ``follow.py``): nobody is followed in this frame, and there is no need to ask
            for a click.
        sides_in_doubt: which side is the person's left is in doubt in this frame (the view label
            and the azimuth disagree, ``view.facing_in_doubt``; or the whole-body mirror guard
            overrules the model's own labels, ``sides.MirrorGuard``): every sided angle is then
            not valid, and no side is named.
        acquiring: one of the first ``kinematics.ACQUISITION_FRAMES`` frames of a newly followed
            person, while the model's landmarks still converge (``Pipeline._acquisition``): no angle
            is valid, and the laptop signals judge nothing either (``analyze``, the monitor).
    """

    frame: Frame
    people: list[Landmarks] = field(default_factory=list)
    target_index: int | None = None
    landmarks: Landmarks | None = None
    view: View = View.UNKNOWN
    azimuth_deg: float = math.nan
    angles: AngleTable = field(default_factory=AngleTable.empty)
    targets: list[TargetState] = field(default_factory=list)
    cue: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    vertical: str = "level"
    target_pending: bool = False
    sides_in_doubt: bool = False
    acquiring: bool = False

    @property
    def person_found(self) -> bool:
        return self.landmarks is not None
