"""Overlays drawn on frames: small composable annotators, each ``annotate(scene, result, mirror)``.

Every annotator draws one thing onto a BGR ``scene`` (modified in place and returned) from a
``FrameResult``. ``render(result, annotators, mirror)`` copies (and, for a camera facing the
person, mirrors) the frame once and lets each annotator draw in turn. With ``mirror=True``
the scene is the horizontally flipped frame and annotators map landmark x to ``w - 1 - x``;
text is never mirrored and left/right keep their anatomical meaning (every side word comes
from ``side_words.side_word`` on the person's own landmarks, never from screen positions).

Verdicts are shown by colour *and* by shape and label, so colour-blind users can read them:
in range = filled circle + "OK", near = hollow triangle + "NEAR", out of range = square +
"LOW"/"HIGH" with an arrow showing which way to move the value. A value too uncertain to judge
(``Verdict.UNCERTAIN``: its interval holds both an in-range value and one beyond the near band)
is written grey with its ± and "UNSURE", with no verdict shape; grey is only for what is not
judged. A verdict that stands is drawn in its colour and shape however wide its ±, as it is cued
and written in the CSV; when its ± is wider than the target's near band
(``targets.wider_than_near_band``, ``wide_plus_minus``) the ± is written beside the number
("−41° ±8° LOW right up"), as the side panel's gauge writes it. Before, such a verdict was drawn
grey while its cue was spoken (two truths in one frame: an eighteenth audit).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import cv2
import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.feedback import nobody_followed_text
from posture_feedback.framing import Framing, classify_framing, in_view
from posture_feedback.garbled_face import FACE_LANDMARKS, face_below_shoulders
from posture_feedback.kinematics import ANGLE_JOINTS, VALID_MAX_UNCERTAINTY
from posture_feedback.side_words import side_word
from posture_feedback.targets import pm_texts, value_text, wider_than_near_band
from posture_feedback.types import FrameResult, Landmarks, TargetState, Verdict

#: BGR colours per verdict (Okabe–Ito palette: distinguishable with common colour blindness).
VERDICT_COLOURS: dict[Verdict, tuple[int, int, int]] = {
    Verdict.IN_RANGE: (115, 158, 0),  # bluish green
    Verdict.NEAR: (0, 159, 230),  # orange
    Verdict.LOW: (0, 94, 213),  # vermillion
    Verdict.HIGH: (0, 94, 213),
    Verdict.UNKNOWN: (160, 160, 160),
    Verdict.UNCERTAIN: (160, 160, 160),
}
#: BGR grey of a value without a verdict: unknown (not judged) or undecided (``Verdict.UNCERTAIN``).
GREY: tuple[int, int, int] = (160, 160, 160)
VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.IN_RANGE: "OK",
    Verdict.NEAR: "NEAR",
    Verdict.LOW: "LOW",
    Verdict.HIGH: "HIGH",
    Verdict.UNKNOWN: "?",
    Verdict.UNCERTAIN: "UNSURE",
}


class Annotator(Protocol):
    def annotate(self, scene: np.ndarray, result: FrameResult, mirror: bool = False) -> np.ndarray: ...


def _points(landmarks: Landmarks, width: int, mirror: bool) -> np.ndarray:
    xy = landmarks.xy.copy()
    if mirror:
        xy[:, 0] = width - 1 - xy[:, 0]
    return xy


def _scale(scene: np.ndarray) -> float:
    """Line/text scale so overlays look alike at 640×480 and 1920×1080."""
    return max(scene.shape[:2]) / 1000.0


def text_box(text: str, org: tuple[int, int], size: float) -> tuple[int, int, int, int]:
    """The pixel box (x0, y0, x1, y1) ``_text`` covers when it writes ``text`` at ``org`` (its
    baseline's left end), outline included."""
    thick = max(1, round(2 * size)) + 2
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.6 * size, thick)
    return (org[0] - thick, org[1] - h - thick, org[0] + w + thick, org[1] + base + thick)


def free_label_origin(
    text: str, org: tuple[int, int], size: float, placed: list[tuple[int, int, int, int]], width: int | None = None
) -> tuple[int, int]:
    """Where to write a joint's label so that it covers no label already written and stays whole in
    a picture ``width`` pixels wide: ``org`` moved left just enough for the label's box
    (``text_box``) to end inside the picture (a mirrored view puts the person's left side at the
    right edge: "−47° LOW right ear up" was cut to "−47° LOW right", a fifth audit), then down a line
    at a time until its box overlaps none of ``placed`` (pixel boxes); the chosen box is added to
    ``placed``. Two angles at one joint (the hips' level and the trunk's lean both started at the
    mid-hip) were written over each other: "1° OK" over "−3±7 UNSURE" read as "13±7 UNSURE", half
    green (a new-user audit, 2026-12-07)."""
    box = text_box(text, org, size)  # measured once: moving it keeps its size
    dx = 0
    if width is not None and box[2] > width:
        dx = max(width - box[2], -box[0])  # end at the right edge, but never start before the left one
    box = (box[0] + dx, box[1], box[2] + dx, box[3])
    line = box[3] - box[1]
    shift = 0
    for _ in range(12):
        if not any(box[0] < b[2] and b[0] < box[2] and box[1] + shift < b[3] and b[1] < box[3] + shift for b in placed):
            break
        shift += line
    placed.append((box[0], box[1] + shift, box[2], box[3] + shift))
    return org[0] + dx, org[1] + shift


#: How much of the picture still shows through the dark plate behind a joint's label (0 = opaque):
#: labels on skin or bright sky were hard to read (a fresh-clone audit, 2026-12-07).
LABEL_PLATE_SHOW = 0.35


def _plate(scene: np.ndarray, box: tuple[int, int, int, int]) -> None:
    """Darken the picture under a label's pixel ``box`` (``text_box``) so its words read on any background."""
    x0, y0, x1, y1 = box
    h, w = scene.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 > x0 and y1 > y0:
        region = scene[y0:y1, x0:x1]
        region[:] = (region * LABEL_PLATE_SHOW).astype(scene.dtype)


def _text(scene: np.ndarray, text: str, org: tuple[int, int], colour: tuple[int, int, int], size: float) -> None:
    thick = max(1, round(2 * size))
    cv2.putText(scene, text, org, cv2.FONT_HERSHEY_SIMPLEX, 0.6 * size, (0, 0, 0), thick + 2, cv2.LINE_AA)
    cv2.putText(scene, text, org, cv2.FONT_HERSHEY_SIMPLEX, 0.6 * size, colour, thick, cv2.LINE_AA)


#: The hips, and the legs below them (knees, ankles, heels, toes): guessed by the model when out of the frame.
HIP_JOINTS: tuple[int, ...] = (lm.LEFT_HIP, lm.RIGHT_HIP)
LEG_JOINTS: tuple[int, ...] = tuple(range(lm.LEFT_KNEE, lm.RIGHT_FOOT_INDEX + 1))
#: The arms below the shoulders (elbows, wrists, hand points): the model gives them confidently also
#: where they are outside the picture (the bundled desk sample: the right elbow 1-81 px left of the
#: frame, confidence 0.52-0.76, frames 78-90), and a bone to such a point draws a guess.
ARM_JOINTS: tuple[int, ...] = tuple(range(lm.LEFT_ELBOW, lm.LEFT_HIP))
#: The face: nose, eyes, ears, mouth.
FACE_JOINTS: tuple[int, ...] = FACE_LANDMARKS


def confident_joints(person: Landmarks, min_confidence: float = 0.5) -> np.ndarray:
    """(33,) True for the confident joints, without a face the model put below the shoulders
    (``garbled_face.face_below_shoulders``, the rule the laptop signals measure by)."""
    ok = person.confidence() >= min_confidence
    if face_below_shoulders(person, ok):
        ok[list(FACE_JOINTS)] = False
    return ok


def drawn_joints(person: Landmarks, min_confidence: float = 0.5) -> np.ndarray:
    """(33,) True for the joints a skeleton may draw: confident ones, without the parts that are out
    of view or guessed (one truth per frame: anything drawn is something measured).

    Framing (``framing.classify_framing``) ``head_chest`` (hips out of view, the laptop webcam):
    no hip or leg joint; ``upper`` (hips in view, knees not): no knee, ankle or foot; ``full``: all
    confident joints; ``none`` (the shoulders not both seen): a hip or leg joint only where it is
    itself in view (``framing.in_view``). The arms (``ARM_JOINTS``) in every framing only where they
    are inside the picture (``framing.in_view`` without its edge margin: unlike the hips, elbows and
    wrists the model puts near the frame's edge are mostly real, the desk sample's arms hanging to
    its bottom edge). The face not at all when the model put it below the shoulders
    (``garbled_face.face_below_shoulders``, the rule the laptop signals measure by).
    A bone is drawn only when both its ends are.
    """
    ok = confident_joints(person, min_confidence)
    framing = classify_framing(person, min_confidence)
    if framing is Framing.HEAD_CHEST:
        ok[list(HIP_JOINTS + LEG_JOINTS)] = False
    elif framing is Framing.UPPER:
        ok[list(LEG_JOINTS)] = False
    elif framing is Framing.NONE:
        lower = list(HIP_JOINTS + LEG_JOINTS)
        ok[lower] &= in_view(person, min_confidence)[lower]
    arms = list(ARM_JOINTS)
    ok[arms] &= in_view(person, min_confidence, margin=0.0)[arms]
    return ok


@dataclass
class SkeletonAnnotator:
    """Bones and joints of the tracked person; other people thin and grey.

    Attributes:
        min_confidence: joints below this visibility in [0, 1] are not drawn.
        colour: BGR colour of the tracked person's skeleton.
        show_others: also draw the people who are not the target.
        hide_out_of_view: leave out the hips and legs that framing marks as out of view
            (``drawn_joints``); False draws every confident joint (for poses that are not
            measurements, e.g. the ghost of a demonstration).
    """

    min_confidence: float = 0.5
    colour: tuple[int, int, int] = (255, 255, 255)
    show_others: bool = True
    hide_out_of_view: bool = True

    def annotate(self, scene: np.ndarray, result: FrameResult, mirror: bool = False) -> np.ndarray:
        s = _scale(scene)
        w = scene.shape[1]
        if self.show_others:
            for i, person in enumerate(result.people):
                if i != result.target_index:
                    self._draw(scene, person, w, mirror, (150, 150, 150), max(1, round(1.5 * s)), s)
        if result.landmarks is not None:
            self._draw(scene, result.landmarks, w, mirror, self.colour, max(2, round(4 * s)), s)
        return scene

    def _draw(self, scene, person: Landmarks, w: int, mirror: bool, colour, thickness: int, s: float) -> None:
        xy = _points(person, w, mirror).astype(int)
        if self.hide_out_of_view:
            ok = drawn_joints(person, self.min_confidence)
        else:
            ok = confident_joints(person, self.min_confidence)
        for a, b in lm.EDGES:
            if ok[a] and ok[b]:
                cv2.line(scene, tuple(xy[a]), tuple(xy[b]), colour, thickness, cv2.LINE_AA)
        for i in np.flatnonzero(ok):
            if i > 10 or i == 0 or i in (lm.LEFT_EAR, lm.RIGHT_EAR):
                cv2.circle(scene, tuple(xy[i]), max(2, round(5 * s)), colour, -1, cv2.LINE_AA)


@dataclass
class AngleAnnotator:
    """Angle arcs with the live value at the joints the active targets use.

    Attributes:
        angles: extra angle names to draw even without a target (e.g. for the therapist view).
        min_confidence: joints below this visibility are skipped.
    """

    angles: Sequence[str] = ()
    min_confidence: float = 0.5

    def annotate(self, scene: np.ndarray, result: FrameResult, mirror: bool = False) -> np.ndarray:
        if result.landmarks is None:
            return scene
        s = _scale(scene)
        xy = _points(result.landmarks, scene.shape[1], mirror)
        states = _state_per_angle(result.targets)
        names = list(dict.fromkeys([*states, *self.angles]))
        placed: list[tuple[int, int, int, int]] = []  # label boxes drawn so far (x0, y0, x1, y1)
        labels: list[tuple[str, tuple[int, int], tuple[int, int], tuple, Verdict | None, int]] = []
        for name in names:
            angle = result.angles[name]
            if not angle.measured or not angle.valid:
                continue
            joints = ANGLE_JOINTS.get(name)
            if not joints:
                continue
            state = states.get(name)
            if state is not None and state.verdict is Verdict.UNKNOWN and name not in self.angles:
                continue  # a target not judged in this view (or without neutral): nothing to show
            if (state is None or state.verdict is Verdict.UNKNOWN) and not angle.uncertainty <= VALID_MAX_UNCERTAINTY:
                continue  # a bare value, written without its ±: only within the bound (kinematics.bounded)
            verdict = state.verdict if state else Verdict.UNKNOWN
            colour = VERDICT_COLOURS[verdict] if state else (255, 255, 255)  # unknown/undecided: grey
            vertex = angle_anchor(joints, xy)
            if len(joints) == 3:  # a joint's angle: its arc; a line's tilt or lean has none
                self._arc(scene, vertex, xy[joints[1]], xy[joints[2]], colour, s)
            label = angle_label(name, angle.value, state, angle.uncertainty)
            org = free_label_origin(label, (int(vertex[0] + 12 * s), int(vertex[1] - 12 * s)), s, placed,
                                    scene.shape[1])  # fmt: skip
            labels.append((label, org, (int(vertex[0]), int(vertex[1])), colour, verdict if state else None,
                           len(placed) - 1))  # fmt: skip
        # every arc first, then the labels on their plates: another angle's arc never crosses a label (audit 27:
        # the hip flexion's arc ran through the trunk lean's label on `analyze --annotated`)
        for label, org, vertex, colour, verdict, box in labels:
            _plate(scene, placed[box])  # the label's box, as free_label_origin placed it; under the marker
            _marker(scene, verdict, vertex, s)
            _text(scene, label, org, colour, s)
        return scene

    @staticmethod
    def _arc(scene: np.ndarray, v: np.ndarray, a: np.ndarray, b: np.ndarray, colour, s: float) -> None:
        r = int(30 * s)
        ang_a = math.degrees(math.atan2(a[1] - v[1], a[0] - v[0]))
        ang_b = math.degrees(math.atan2(b[1] - v[1], b[0] - v[0]))
        start, end = ang_a, ang_b
        if (end - start) % 360 > 180:
            start, end = end, start
        end = start + (end - start) % 360
        centre = (int(v[0]), int(v[1]))
        cv2.ellipse(scene, centre, (r, r), 0, start, end, colour, max(2, round(3 * s)), cv2.LINE_AA)


def angle_anchor(joints: Sequence[int], xy: np.ndarray) -> np.ndarray:
    """(2,) pixel point where an angle's marker and label go: a joint angle's vertex (the first of
    its 3 joints); a tilt's first joint, the person's left one (so the mark stays on the person's
    side, mirrored or not: ``test_side_words``); the middle of a lean's line between two mid-points
    (mid-hip → mid-shoulder for the trunk, mid-shoulder → mid-ear for the head). The pelvis's level
    and the trunk's lean were both drawn at the left hip, one square with an up and a down arrow
    (a fifth audit, 2026-12-07)."""
    pts = xy[list(joints)]
    if len(joints) == 4:
        return pts.mean(axis=0)
    return pts[0]


def shown_uncertainty(state: TargetState, uncertainty: float = math.nan) -> float:
    """The ± (degrees) shown with a target's value: the one its verdict was judged with, else
    ``uncertainty`` (the frame's angle table), as the side panel takes it."""
    return state.uncertainty if math.isfinite(state.uncertainty) else uncertainty


def wide_plus_minus(state: TargetState, uncertainty: float = math.nan) -> bool:
    """A verdict (judged) whose ± is wider than its target's near band
    (``targets.wider_than_near_band``): still drawn in its verdict's colour and shape, with its ±
    written beside the number, as the gauge writes it. ``uncertainty``: the frame's ± for the
    angle, degrees."""
    return state.verdict.judged and wider_than_near_band(shown_uncertainty(state, uncertainty), state.tolerance)


def angle_label(name: str, value: float, state: TargetState | None, uncertainty: float = math.nan) -> str:
    """The text written beside a joint: '15° HIGH left up', in degrees as the side panel writes
    them (the overlay left the ° out: "9±20 UNSURE" beside the panel's "9° ±20° UNSURE"). With a
    known verdict, the number is the one the verdict was computed on (``targets.value_text``: one
    truth per frame); for signed angles the person's own side follows (``side_words.side_word``),
    whatever the mirror. A value too uncertain to judge: '−10° ±8° UNSURE'; a verdict whose ± is
    wider than its near band (``wide_plus_minus``; ``uncertainty``: the frame's ±, degrees) carries
    its ±: '−37° ±9° LOW right ear up', as the gauge writes it."""
    if state is not None and state.verdict is Verdict.UNCERTAIN:  # no verdict, so no side
        value_t, unc_t = pm_texts(state)
        return f"{value_t}° ±{unc_t}° {VERDICT_LABELS[state.verdict]}"
    if state is not None and state.verdict is not Verdict.UNKNOWN:
        wide = wide_plus_minus(state, uncertainty)
        value_t, unc_t = pm_texts(state, shown_uncertainty(state, uncertainty)) if wide else (value_text(state), "")
        unc = f" ±{unc_t}°" if unc_t else ""
        label = f"{value_t}°{unc} {VERDICT_LABELS[state.verdict]}"
        value = state.value
    else:
        label = f"{value:.0f}°"
    # none if the ± holds 0 as written (whole degrees)
    side = side_word(name, value, state.uncertainty if state is not None else math.nan, 0)
    return f"{label} {side}" if side else label


_SEVERITY = {Verdict.UNKNOWN: 0, Verdict.UNCERTAIN: 0.5, Verdict.IN_RANGE: 1, Verdict.NEAR: 2, Verdict.LOW: 3,
             Verdict.HIGH: 3}  # fmt: skip


def _state_per_angle(states: Sequence[TargetState]) -> dict[str, TargetState]:
    """One state per angle: where several targets use an angle, the most severe known verdict."""
    out: dict[str, TargetState] = {}
    for st in states:
        cur = out.get(st.angle)
        if cur is None or _SEVERITY[st.verdict] > _SEVERITY[cur.verdict]:
            out[st.angle] = st
    return out


def _marker(scene: np.ndarray, verdict: Verdict | None, centre: tuple[int, int], s: float) -> None:
    """Shape per verdict in its colour (colour-blind safe): circle = OK, triangle = near, square +
    arrow = out; no verdict (unknown or undecided): a small white dot, no verdict shape."""
    r = max(5, round(9 * s))
    x, y = centre
    if verdict is None or not verdict.judged:  # no verdict, no verdict shape
        cv2.circle(scene, centre, r // 2, (255, 255, 255), -1, cv2.LINE_AA)
        return
    colour = VERDICT_COLOURS[verdict]
    if verdict == Verdict.IN_RANGE:
        cv2.circle(scene, centre, r, colour, -1, cv2.LINE_AA)
    elif verdict == Verdict.NEAR:
        pts = np.array([[x, y - r], [x - r, y + r], [x + r, y + r]], np.int32)
        cv2.polylines(scene, [pts], True, colour, max(2, round(3 * s)), cv2.LINE_AA)
    else:
        cv2.rectangle(scene, (x - r, y - r), (x + r, y + r), colour, -1)
        tip = (x, y - 3 * r) if verdict == Verdict.LOW else (x, y + 3 * r)
        cv2.arrowedLine(scene, (x, y), tip, colour, max(2, round(3 * s)), cv2.LINE_AA, tipLength=0.4)


@dataclass
class GhostAnnotator:
    """A semi-transparent target pose (e.g. from a therapist's demonstration).

    Attributes:
        ghost: landmarks of the target pose in this frame's pixels (already scaled to the
            person), or None to draw nothing.
        opacity: 0..1 blend of the ghost over the scene.
    """

    ghost: Landmarks | None = None
    opacity: float = 0.45
    colour: tuple[int, int, int] = (255, 200, 80)

    def annotate(self, scene: np.ndarray, result: FrameResult, mirror: bool = False) -> np.ndarray:
        if self.ghost is None:
            return scene
        layer = scene.copy()
        SkeletonAnnotator(colour=self.colour, show_others=False, hide_out_of_view=False)._draw(
            layer, self.ghost, scene.shape[1], mirror, self.colour, max(3, round(8 * _scale(scene))), _scale(scene)
        )
        cv2.addWeighted(layer, self.opacity, scene, 1 - self.opacity, 0, dst=scene)
        return scene


@dataclass
class CueAnnotator:
    """The current cue as a banner at the bottom; when nobody is followed, what to do about it
    (``feedback.nobody_followed_text``: "Step into view" only when nobody is in view, else
    "2 people in view: click the one to follow").

    Attributes:
        nobody_text: a fixed text instead of ``nobody_followed_text`` (None = that function).
    """

    nobody_text: str | None = None

    def annotate(self, scene: np.ndarray, result: FrameResult, mirror: bool = False) -> np.ndarray:
        if result.person_found:
            text = result.cue
        else:
            text = (self.nobody_text if self.nobody_text is not None
                    else nobody_followed_text(len(result.people), result.target_pending))  # fmt: skip
        if not text:
            return scene
        s = _scale(scene)
        h, w = scene.shape[:2]
        size = 1.6 * s
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.6 * size, max(1, round(2 * size)))
        y0 = h - int(th + 30 * s)
        cv2.rectangle(scene, (0, y0), (w, h), (30, 30, 30), -1)
        _text(scene, text, ((w - tw) // 2, h - int(15 * s)), (255, 255, 255), size)
        return scene


@dataclass
class InfoAnnotator:
    """Frame time, view and person status in the top-left corner."""

    extra: list[str] = field(default_factory=list)

    def annotate(self, scene: np.ndarray, result: FrameResult, mirror: bool = False) -> np.ndarray:
        s = _scale(scene)
        lines = [f"t={result.frame.timestamp_s:6.2f}s  view={result.view.value}", *self.extra]
        for i, line in enumerate(lines):
            _text(scene, line, (int(10 * s), int((30 + 28 * i) * s)), (255, 255, 255), s)
        return scene


def default_annotators(extra_angles: Sequence[str] = ()) -> list[Annotator]:
    """The standard overlay stack: skeleton, angle arcs, cue banner."""
    return [SkeletonAnnotator(), AngleAnnotator(angles=extra_angles), CueAnnotator()]


def render(result: FrameResult, annotators: Sequence[Annotator] | None = None, mirror: bool = False) -> np.ndarray:
    """A copy of the frame (mirrored if asked) with every annotator drawn on it."""
    scene = cv2.flip(result.frame.image, 1) if mirror else result.frame.image.copy()
    for annotator in default_annotators() if annotators is None else annotators:
        scene = annotator.annotate(scene, result, mirror)
    return scene


def target_state_text(state: TargetState) -> str:
    """'head_tilt 4° (range −3…3) HIGH' — a one-line description of a target's state."""
    lo = "−∞" if math.isinf(state.low) or math.isnan(state.low) else f"{state.low:.0f}"
    hi = "∞" if math.isinf(state.high) or math.isnan(state.high) else f"{state.high:.0f}"
    val = "—" if math.isnan(state.value) else f"{state.value:.0f}°"
    return f"{state.angle} {val} (range {lo}…{hi}) {VERDICT_LABELS[state.verdict]}"
