"""The view gate: tells the person how to turn, and waits until the view is right and stable.

A measure in the frontal plane (shoulder tilt, abduction, knee valgus) needs the person facing
the camera; one in the sagittal plane (craniovertebral angle, flexion, squat lean) needs them
side-on. ``ViewGate.update(result)`` is fed every ``FrameResult`` and returns a ``GateState``:
the message to show ("Turn side-on: your left side towards the camera", "Hold still") and
whether the view has been right, with the needed landmarks visible and the body still, for
``hold_s`` seconds (a glitch shorter than ``grace_s`` pauses the hold without restarting it:
one mislabelled frame or a twitch). ``check_view`` is the after-the-fact version for recorded videos: it
raises ``WrongViewError`` with the same instruction when too few frames are in the right view.

Sides: the camera azimuth (``view`` module) is +90° when the camera is on the person's left,
so ``side="left"`` side-on means azimuth > 0.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.types import FrameResult, View

#: Landmarks needed for a whole-body measure.
WHOLE_BODY: tuple[int, ...] = (
    lm.NOSE, lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP,
    lm.LEFT_KNEE, lm.RIGHT_KNEE, lm.LEFT_ANKLE, lm.RIGHT_ANKLE,
)  # fmt: skip
#: Landmarks needed for an upper-body measure.
UPPER_BODY: tuple[int, ...] = (lm.NOSE, lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP)
#: Default: body still = the needed landmarks moving on average less than this many body heights per second.
MAX_SPEED = 0.15
MIN_CONFIDENCE = 0.5
#: The gate's words while the view is right and still: no instruction, the hold is under way / done.
HOLDING = "Good: hold still"
MEASURING = "Hold it: measuring"


class WrongViewError(PostureFeedbackError):
    """A measure was asked for in a view where it is not meaningful; the message says how to turn."""


def _side_on_text(side: str | None) -> str:
    return f"Turn side-on: your {side} side towards the camera" if side else "Turn side-on to the camera"


def view_instruction(
    required: View, current: View, azimuth_deg: float = math.nan, side: str | None = None
) -> str | None:
    """What to tell the person so that ``current`` becomes ``required``; None when the view is already right.

    ``side`` ("left"/"right") asks for that side towards the camera in a side view.
    """
    if current is View.UNKNOWN:
        return "Step into view: the camera must see your whole body"
    if required is View.FRONT:
        if current is View.FRONT:
            return None
        if current is View.BACK:
            return "Turn around to face the camera"
        if current is View.SIDE:
            return "Turn to face the camera"
        if math.isfinite(azimuth_deg) and abs(azimuth_deg) > 90.0:  # oblique from behind: far, not a little
            return "Turn around to face the camera"
        return "Turn a little more towards the camera, until you face it squarely"
    if required is View.SIDE:
        if current is View.SIDE:
            if side and math.isfinite(azimuth_deg) and (azimuth_deg > 0) != (side == "left"):
                return f"Turn around: your {side} side must face the camera"
            return None
        if current is View.OBLIQUE:
            return "Turn a little further, until your side faces the camera" + (f" ({side} side)" if side else "")
        return _side_on_text(side)
    if required is View.BACK:
        return None if current is View.BACK else "Turn your back to the camera"
    return None


@dataclass(frozen=True, slots=True)
class GateState:
    """The gate after one frame: whether to measure now, and what to tell the person."""

    ready: bool
    message: str
    progress: float  #: 0–1: how much of the hold time has passed with a right, still view
    view: View


class ViewGate:
    """Waits until the person is in the required view, with the landmarks visible, and still for ``hold_s`` s."""

    def __init__(
        self,
        required: View,
        *,
        side: str | None = None,
        hold_s: float = 1.0,
        needs: Sequence[int] = WHOLE_BODY,
        max_speed: float = MAX_SPEED,
        grace_s: float = 0.2,
    ) -> None:
        if side not in (None, "left", "right"):
            raise ValueError(f"side must be 'left', 'right' or None, not {side!r}")
        self.required = View(required)
        self.side = side
        self.hold_s = hold_s
        self.needs = np.asarray(needs, dtype=int)
        self.max_speed = max_speed
        self.grace_s = grace_s
        self.reset()

    def reset(self) -> None:
        self._since: float | None = None
        self._bad_since: float | None = None
        self._last_xy: np.ndarray | None = None
        self._last_t: float | None = None

    def _moving(self, result: FrameResult) -> bool:
        m = result.landmarks
        assert m is not None
        xy, t = m.xy[self.needs], result.frame.timestamp_s
        moving = False
        if self._last_xy is not None and self._last_t is not None and t > self._last_t:
            x0, y0, x1, y1 = m.bbox()
            size = max(y1 - y0, x1 - x0, 1.0)
            speed = float(np.mean(np.linalg.norm(xy - self._last_xy, axis=1))) / size / (t - self._last_t)
            moving = speed > self.max_speed
        self._last_xy, self._last_t = xy, t
        return moving

    def update(self, result: FrameResult) -> GateState:
        """Feed one frame; returns whether to measure now and the message to show."""
        t = result.frame.timestamp_s
        if result.landmarks is None:
            self.reset()
            return GateState(False, "Step into view: the camera must see your whole body", 0.0, View.UNKNOWN)
        msg = view_instruction(self.required, result.view, result.azimuth_deg, self.side)
        if msg is None and not (result.landmarks.confidence()[self.needs] >= MIN_CONFIDENCE).all():
            msg = "Step back a little: the camera must see " + (
                "your whole body, head to feet"
                if len(self.needs) > len(UPPER_BODY)
                else "your head, shoulders and hips"
            )
        moving = self._moving(result)
        if msg is None and moving:
            msg = "Hold still"
        if msg is not None:
            # A glitch shorter than grace_s (one mislabelled frame, a twitch) pauses the hold
            # without restarting it; the frame itself is never measured.
            if self._bad_since is None:
                self._bad_since = t
            if self._since is None or t - self._bad_since > self.grace_s:
                self._since = None
                return GateState(False, msg, 0.0, result.view)
            return GateState(
                False, msg, min(1.0, (t - self._since) / self.hold_s) if self.hold_s > 0 else 1.0, result.view
            )
        self._bad_since = None
        if self._since is None:
            self._since = t
        progress = min(1.0, (t - self._since) / self.hold_s) if self.hold_s > 0 else 1.0
        ready = progress >= 1.0
        return GateState(ready, MEASURING if ready else HOLDING, progress, result.view)


def check_view(
    results: Sequence[FrameResult], required: View, *, side: str | None = None, min_fraction: float = 0.5
) -> None:
    """Refuse to measure a recording made in the wrong view.

    Raises ``WrongViewError`` (with the instruction for the most common wrong view) when fewer
    than ``min_fraction`` of the frames with a person are in ``required`` (and, side-on, with
    ``side`` towards the camera).
    """
    found = [r for r in results if r.landmarks is not None]
    if not found:
        raise WrongViewError("nobody found in the recording: the camera must see the person's whole body")
    messages = [view_instruction(required, r.view, r.azimuth_deg, side) for r in found]
    good = sum(m is None for m in messages)
    if good >= min_fraction * len(found):
        return
    wrong = Counter(m for m in messages if m is not None).most_common(1)[0][0]
    others = Counter(str(r.view) for r, m in zip(found, messages, strict=True) if m is not None)
    seen = ", ".join(f"{n} {v}" for v, n in others.most_common(2))
    raise WrongViewError(
        f"this needs a {required.value} view but only {good} of {len(found)} frames with the person are in it "
        f"(others: {seen}): {wrong}"
    )
