"""Undo left/right label swaps of the pose model, frame by frame.

The model sometimes labels a person's left arm (or leg, or head, or whole body) as the right
one for a stretch of frames, most often when the person turns or is seen obliquely. A swapped
arm turns every left/right angle into nonsense, so each frame is checked before smoothing.

Parts: the whole body (decided on the trunk: shoulders and hips), and the arms, the legs and the
head *relative to the trunk*. Each part's state (are its raw labels swapped now?) is a
probability, filtered over time like a two-state hidden Markov model:

* **transition, from continuity**: each landmark's distance to the same-labelled and to the
  opposite-labelled landmark of the previous *raw* frame, in image pixels divided by the body
  size (``person.body_scale``) plus hip-centred world metres divided by half a metre, weighted
  by confidence. A label swap jumps by the width of the body; real movement between two frames
  is small. Comparing raw with raw (not with the corrected output) keeps one wrong decision from
  feeding itself.
* **evidence, from geometry in this frame**: an elbow (knee) belongs next to its own shoulder
  (hip), so a limb labelled with the wrong side reaches across the body; the ears' left→right
  direction follows the shoulders' in 3D; facing the camera (nose nearer than the shoulders in
  world z) puts the person's left shoulder on the image's right. Successive frames' evidence is
  correlated, so only a share of it is carried over, and without evidence the belief fades back
  to "the model is right" (``memory_s``).

Measured on the 4-view accuracy set (``../shared/accuracy``; share of the frames where the
tracked person is the reference's main subject, groups as in its README: arms with shoulders,
legs with hips), the target followed by ``PersonSelector``, model with up to 2 (3) people:
cam02 (front view) arms 37 % → 0 % (29 % → 0 %), legs 35 % → 2 % (38 % → 0 %); cam01 legs
0 % → 0 % (13 % → 4 %); cam03 (back-oblique) arms 21 % → 16 %, ears 24 % → 18 %; cam04 stays
at 0 %. The median over the views of the median MAE of 3D angles against the reference drops
from 14.6° to 12.1° (16.3° to 13.8°). A real crossing of the arms (the wrists pass each other
smoothly, the elbows stay beside their shoulders) is left alone.
Limitation: a swap already present when a track starts, with no geometric cue (e.g. the whole
body labelled as if seen from behind, consistently in image and world), cannot be seen in one view.

A whole-body mirror that lasts longer than the belief's memory, or that follows a few garbled
frames, is caught afterwards by ``MirrorGuard`` (against the last output frame with a wide
trunk; docs/accuracy.md section 8).
"""

from __future__ import annotations

import math

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.person import body_scale
from posture_feedback.types import Landmarks

_ALL_PAIRS: tuple[tuple[int, int], ...] = lm.TRUNK_PAIRS + lm.ARM_PAIRS + lm.LEG_PAIRS + lm.HEAD_PAIRS

#: (root, first joint) chains whose root is fixed by the trunk: (left root, right root, left joint, right joint)
_ATTACH = {
    "arms": ((lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_ELBOW, lm.RIGHT_ELBOW),),
    "legs": ((lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_KNEE, lm.RIGHT_KNEE),),
}


#: landmarks whose continuity decides a jump of each part's labels
_CONTINUITY_PAIRS: dict[str, tuple[tuple[int, int], ...]] = {
    "body": lm.TRUNK_PAIRS,
    "arms": lm.ARM_PAIRS,
    "legs": lm.LEG_PAIRS,
    "head": lm.HEAD_PAIRS,
}
_C_NAMES = tuple(_CONTINUITY_PAIRS)
_C_L = np.array([a for pairs in _CONTINUITY_PAIRS.values() for a, _ in pairs])
_C_R = np.array([b for pairs in _CONTINUITY_PAIRS.values() for _, b in pairs])
_C_IDX = np.concatenate([_C_L, _C_R])
_C_SW = np.concatenate([_C_R, _C_L])
_C_PART = np.tile(np.repeat(np.arange(len(_C_NAMES)), [len(p) for p in _CONTINUITY_PAIRS.values()]), 2)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 50.0), -50.0)))


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1.0 - p))


class SideSwapCorrector:
    """Detects and undoes left/right label swaps of body parts, one frame at a time.

    Call it with one person's raw landmarks per frame; it resets itself after a gap longer
    than ``max_gap_s`` and when ``track_id`` changes. ``last_swaps`` names the parts exchanged
    in the last frame, ``probabilities`` their swap probabilities (body absolute, others
    relative to the trunk).

    Args:
        jump_scale: continuity difference (body sizes per landmark, image + world) that makes
            "the labels jumped" e (≈ 2.7) times more (or less) likely than "no jump".
        evidence_scale: attachment difference (body sizes, beyond ``evidence_dead_zone``) that
            makes one labelling e times more likely than the other.
        prior_swapped: probability that the model's labels are swapped in the long run; without
            fresh evidence the belief fades to it.
        start_swapped: the belief at the start of a track (or after a gap): the first frame's
            labels are not trusted more than the later ones, so that a swap present in the very
            first frame is undone when the model corrects itself, rather than the reverse.
        max_gap_s: the previous frame is used for continuity only if at most this old (seconds).
        min_confidence: landmarks less confident than this do not count.
        evidence_dead_zone: attachment differences below this (body sizes) carry no evidence
            (limbs close together, side-on views).
        evidence_gain: share of a frame's geometric evidence carried over to the next frame.
        facing_weight: log-likelihood weight of the facing check (weak: the model's depth
            usually follows its own labels).
        min_jump: floor (and 1 − ceiling) of the per-frame jump probability.
        max_logit: bound of the carried-over log-odds.
        memory_s: time constant (seconds) with which the belief fades back to the prior.
        head_weight: log-likelihood weight of the ears-versus-shoulders direction check.
        threshold: a part is exchanged when its swap probability exceeds this.
        jump_prior: probability that the labels jump between two frames when continuity cannot
            tell; 0.5 lets continuity alone decide (lower values, trusting that swaps start and
            end rarely, were not better on the accuracy set).
        mirror_guard: after the per-part fix, check the whole body against the last output
            frame with a wide trunk (``MirrorGuard``) and exchange every pair when mirrored.
        doubt_s: the guard's ``doubt_s`` (seconds; 0 = off): ``labels_in_doubt`` at the start of a track.
    """

    PARTS: dict[str, tuple[tuple[int, int], ...]] = {
        "body": _ALL_PAIRS,
        "arms": lm.ARM_PAIRS,
        "legs": lm.LEG_PAIRS,
        "head": lm.HEAD_PAIRS,
    }

    def __init__(
        self,
        jump_scale: float = 0.1,
        evidence_scale: float = 0.15,
        prior_swapped: float = 0.1,
        start_swapped: float = 0.3,
        max_gap_s: float = 0.3,
        min_confidence: float = 0.3,
        evidence_dead_zone: float = 0.2,
        evidence_gain: float = 0.1,
        facing_weight: float = 0.3,
        min_jump: float = 0.002,
        max_logit: float = 8.0,
        memory_s: float = 2.0,
        head_weight: float = 3.0,
        threshold: float = 0.5,
        jump_prior: float = 0.5,
        mirror_guard: bool = True,
        doubt_s: float = 0.0,
    ) -> None:
        self.jump_scale = jump_scale
        self.evidence_scale = evidence_scale
        self.prior_swapped = prior_swapped
        self.start_swapped = start_swapped
        self.max_gap_s = max_gap_s
        self.min_confidence = min_confidence
        self.evidence_dead_zone = evidence_dead_zone
        self.evidence_gain = evidence_gain
        self.facing_weight = facing_weight
        self.min_jump = min_jump
        self.max_logit = max_logit
        self.memory_s = memory_s
        self.head_weight = head_weight
        self.threshold = threshold
        self.jump_prior = jump_prior
        #: the whole-body mirror check against the last wide-trunk output frame (``MirrorGuard``), or None
        self.guard: MirrorGuard | None = MirrorGuard(doubt_s=doubt_s) if mirror_guard else None
        self.reset()

    def reset(self) -> None:
        """Forget the previous frame and the beliefs."""
        self._prev: Landmarks | None = None
        self._prev_scale = 1.0
        self._t: float | None = None
        self._logit = dict.fromkeys(self.PARTS, _logit(self.prior_swapped))
        #: parts exchanged by the last call ("body", "arms", "legs", "head"), for diagnostics
        self.last_swaps: tuple[str, ...] = ()
        #: the probability that each part's raw labels were swapped, after the last call
        self.probabilities: dict[str, float] = dict.fromkeys(self.PARTS, self.prior_swapped)
        if getattr(self, "guard", None) is not None:
            self.guard.reset()

    # ---------------------------------------------------------------- costs
    def _continuity(self, cur: Landmarks, scale: float) -> dict[str, float]:
        """Per part, mean cost (swapped − as labelled) per landmark against the previous raw frame.

        Costs are image distances in body sizes plus hip-centred world distances in half metres,
        weighted by confidence. Positive: the labels are continuous; negative: the part's labels
        jumped to the other side. NaN when too few landmarks are confident in both frames.
        """
        prev = self._prev
        assert prev is not None
        cc, cp = cur.confidence(), prev.confidence()
        w = np.minimum(np.minimum(cc[_C_IDX], cc[_C_SW]), cp[_C_IDX])
        w[w < self.min_confidence] = 0.0
        s = 0.5 * (scale + self._prev_scale)
        xc, xp = cur.xy / s, prev.xy / s
        wc = (cur.world - 0.5 * (cur.world[lm.LEFT_HIP] + cur.world[lm.RIGHT_HIP])) / 0.5
        wp = (prev.world - 0.5 * (prev.world[lm.LEFT_HIP] + prev.world[lm.RIGHT_HIP])) / 0.5

        def cost(order: np.ndarray) -> np.ndarray:
            di, dw = xc[order] - xp[_C_IDX], wc[order] - wp[_C_IDX]
            return np.sqrt(np.einsum("ij,ij->i", di, di)) + np.sqrt(np.einsum("ij,ij->i", dw, dw))

        num = np.bincount(_C_PART, weights=w * (cost(_C_SW) - cost(_C_IDX)), minlength=len(_C_NAMES))
        den = np.bincount(_C_PART, weights=w, minlength=len(_C_NAMES))
        return {n: (float(num[i] / den[i]) if den[i] >= 1.0 else math.nan) for i, n in enumerate(_C_NAMES)}

    def _attachment(self, cur: Landmarks, scale: float, part: str) -> float:
        """Cost (swapped − as labelled), body sizes: how far each limb's first joint is from its own root."""
        c, xy = cur.confidence(), cur.xy
        diff = 0.0
        for lr, rr, lj, rj in _ATTACH.get(part, ()):
            w = min(c[lr], c[rr], c[lj], c[rj])
            if w < self.min_confidence:
                continue

            def d(a: int, b: int) -> float:
                return math.hypot(xy[a, 0] - xy[b, 0], xy[a, 1] - xy[b, 1]) / scale

            diff += w * ((d(lr, rj) + d(rr, lj)) - (d(lr, lj) + d(rr, rj)))
        return diff

    def _head_alignment(self, cur: Landmarks) -> float:
        """Cosine in [−1, 1] between the ears' and the shoulders' left→right directions (world).

        Near +1 when the head is labelled like the trunk; the head never turns 180° on the trunk.
        """
        c = cur.confidence()
        if min(c[lm.LEFT_EAR], c[lm.RIGHT_EAR], c[lm.LEFT_SHOULDER], c[lm.RIGHT_SHOULDER]) < self.min_confidence:
            return 0.0
        ex, ey, ez = (cur.world[lm.LEFT_EAR] - cur.world[lm.RIGHT_EAR]).tolist()
        sx, sy, sz = (cur.world[lm.LEFT_SHOULDER] - cur.world[lm.RIGHT_SHOULDER]).tolist()
        n = math.sqrt(ex * ex + ey * ey + ez * ez) * math.sqrt(sx * sx + sy * sy + sz * sz)
        return (ex * sx + ey * sy + ez * sz) / n if n > 0 else 0.0

    @staticmethod
    def _facing(cur: Landmarks, scale: float) -> float:
        """Agreement in [−1, 1] of the labels with the facing direction (> 0: labels plausible).

        Facing the camera (nose nearer than the shoulders in world z) needs the person's left
        shoulder on the image's right. The model's depth usually follows its own labels, so
        this is weak evidence; it matters when image and world disagree.
        """
        c = cur.confidence()
        if min(c[lm.NOSE], c[lm.LEFT_SHOULDER], c[lm.RIGHT_SHOULDER]) < 0.5:
            return 0.0
        w = cur.world
        # > 0: the nose nearer than the shoulders
        depth = 0.5 * (float(w[lm.LEFT_SHOULDER, 2]) + float(w[lm.RIGHT_SHOULDER, 2])) - float(w[lm.NOSE, 2])
        lr_x = (float(cur.image[lm.LEFT_SHOULDER, 0]) - float(cur.image[lm.RIGHT_SHOULDER, 0])) / scale
        return min(max(depth / 0.1, -1.0), 1.0) * min(max(lr_x / 0.5, -1.0), 1.0)

    # ---------------------------------------------------------------- main
    def __call__(self, landmarks: Landmarks, t: float) -> Landmarks:
        """``landmarks`` at time ``t`` (seconds) with swapped body parts' labels exchanged back."""
        raw = landmarks
        scale = body_scale(raw)
        if not math.isfinite(scale) or scale <= 0:
            scale = 1.0
        have_prev = (
            self._prev is not None
            and self._t is not None
            and 0 < t - self._t <= self.max_gap_s
            and raw.track_id == self._prev.track_id
        )
        logit = self._logit if have_prev else dict.fromkeys(self.PARTS, _logit(self.start_swapped))
        new_logit: dict[str, float] = {}
        decision: dict[str, float] = {}
        prior = _logit(self.prior_swapped)
        keep = math.exp(-(t - self._t) / self.memory_s) if have_prev and self._t is not None else 0.0
        jumps: dict[str, float] = {}
        cont = self._continuity(raw, scale) if have_prev else None
        for part in self.PARTS:
            # without fresh evidence the belief fades back to the prior (ambiguous stretches default to the raw labels)
            q = _sigmoid(prior + (logit[part] - prior) * keep) if have_prev else self.start_swapped
            if cont is not None:
                c = cont[part]
                jump = (
                    self.jump_prior if not math.isfinite(c) else _sigmoid(_logit(self.jump_prior) - c / self.jump_scale)
                )
                jumps[part] = jump = min(max(jump, self.min_jump), 1.0 - self.min_jump)
                if part != "body":  # limbs and head are tracked relative to the trunk
                    jb = jumps["body"]
                    jump = jump * (1.0 - jb) + (1.0 - jump) * jb
                q = q * (1.0 - jump) + (1.0 - q) * jump
            # evidence of this frame: log-likelihood ratio (swapped vs as labelled)
            if part == "body":
                llr = -self.facing_weight * self._facing(raw, scale)
            elif part == "head":
                llr = -self.head_weight * self._head_alignment(raw)
            else:
                e = self._attachment(raw, scale, part)
                llr = -math.copysign(max(abs(e) - self.evidence_dead_zone, 0.0), e) / self.evidence_scale
            lq = _logit(q)
            decision[part] = _sigmoid(lq + llr)
            # the evidence of successive frames is strongly correlated: only a share of it is remembered
            gain = self.evidence_gain if have_prev else 1.0
            new_logit[part] = min(max(lq + gain * llr, -self.max_logit), self.max_logit)
        self._logit = new_logit
        self.probabilities = decision
        self._prev, self._prev_scale, self._t = raw, scale, float(t)
        out = raw
        swaps: list[str] = []
        for part, pairs in self.PARTS.items():
            if decision[part] > self.threshold:
                out = out.swapped(pairs)
                swaps.append(part)
        if self.guard is not None:
            out = self.guard(out, t, raw=raw)
            if self.guard.mirrored:
                swaps.append("mirror")
        self.last_swaps = tuple(swaps)
        return out

    @property
    def labels_in_doubt(self) -> bool:
        """True when which side is the person's left is in doubt in the last frame: the guard overruled
        the model (``overruling_model``), or the trunk is wide and the labels have not settled yet
        (``MirrorGuard.unsettled``)."""
        return self.guard is not None and (self.guard.overruling or self.guard.unsettled)

    @property
    def overruling_model(self) -> bool:
        """True when the last frame's whole body was exchanged against the model's own labels by the
        mirror guard (``MirrorGuard.overruling``): which side is which is then in doubt."""
        return self.guard is not None and self.guard.overruling


def reflect_depth(landmarks: Landmarks) -> Landmarks:
    """``landmarks`` reflected in depth about the hip centre (image z and world z negated).

    The image is unchanged: this is the other body that projects to the same picture, the one
    a whole-body mirror of the model (a front view read as a back view) stands for once its
    labels are exchanged back.
    """
    image, world = landmarks.image.copy(), landmarks.world.copy()
    image[:, 2] *= -1.0
    world[:, 2] -= 0.5 * (world[lm.LEFT_HIP, 2] + world[lm.RIGHT_HIP, 2])
    world[:, 2] *= -1.0
    return landmarks.with_arrays(image=image, world=world)


_TRUNK_LR = np.array([[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER], [lm.LEFT_HIP, lm.RIGHT_HIP]])


class MirrorGuard:
    """Undoes a whole-body left/right mirror that outlasts ``SideSwapCorrector``'s jump detection.

    The model sometimes takes a front view for a back view (or the reverse) for a second or
    more: every left/right label changes at once, often after a few garbled frames in which
    the trunk collapses to a line in the image. ``SideSwapCorrector`` compares each frame with
    the previous raw frame only, so a garbled frame can put its state out of phase, and it fades
    back to the model's labels after ``memory_s``.

    The guard compares each frame with an **anchor**: the last *output* frame whose trunk was
    clearly wide in the image. Per pair (shoulders, hips) the left→right image vector is taken
    in body sizes (``person.body_scale``); the evidence is the confidence-weighted sum of the
    dot products of the current vectors with the anchor's. Clearly negative (below
    −``min_dot``): the shoulders and hips exchanged image sides since the anchor, which a
    person cannot do in ``max_age_s`` without passing through a side view (where the trunk is
    narrow and the anchor ages); so the frame's labels are mirrored and every pair is
    exchanged back. Clearly positive: the labels agree with the anchor. In between (the trunk
    narrow in the image: side-on, or garbled): the previous decision is kept. When the anchor
    is older than ``max_age_s`` (a real turn through a side view, a gap, a new track) the guard
    trusts its input again. At the start of a track the guard waits until the model's labels
    have settled (``settle_s`` without a flip), so that it never locks onto the labels of an
    unsettled start.

    A real turn passes through the narrow zone more slowly than the anchor ages. Measured on
    constructed turns from front to back (``kinematics.pose_with_angles``, tests/test_sides.py):
    no frame exchanged up to 240°/s at 30 and 60 frames/s; 1 frame at 300°/s; at 600°/s 5 (30
    frames/s) and 9 (60 frames/s). A model mirror that itself passes through a narrow trunk for
    longer than ``max_age_s`` is not seen.

    Measured on the 4-view accuracy set (docs/accuracy.md, "Whole-body mirror"): lab cam03
    (back-oblique) facing the wrong way 36 % → 7 % of frames, median MAE 16.8° → 14.0°; with
    ``analyze --follow`` lab cam02 39 % → 2 %, 13.3° → 7.5°; cam01 and cam04 unchanged.

    Args:
        min_dot: evidence (body sizes squared) that counts as clear; a face-on trunk gives
            about 0.3 (shoulders 0.6 × 0.6 × confidence, hips 0.3 × 0.3).
        wide: a frame becomes the anchor when the evidence against itself (its trunk's squared
            image width, body sizes²) is at least this.
        max_age_s: the anchor is used for at most this many seconds (0.15 s gave the same
            accuracy-set figures but exchanged frames of real turns from 240°/s).
        min_confidence: shoulders and hips below this confidence do not count.
        settle_s: at the start of a track (and after a gap of more than ``max_gap_s`` seconds
            without frames) the guard passes the input through until the labels have not
            flipped against the anchor for this many seconds: while the model has not settled
            on a person (the first frames of a video, labels jumping every few frames) there is
            no trustworthy anchor. A flip counts in the guard's input or in the model's raw
            labels (``raw`` argument), and so does a frame whose input the per-part fixer has
            exchanged against the model's own labels (the guard settles on the model's labels, not
            on the fixer's hold on earlier ones). The seconds must be *seen*: a frame whose anchor
            is older than ``max_age_s`` (the person found only every few frames, or side-on)
            restarts the wait, since a flip across it cannot be seen. The bundled jumping-jacks clip flipped
            left for right has the man found in frames 10, 14, 16, 19, 26, 29-33 only, labelled
            from behind except at 26 (unseen: 19 → 26 is 0.23 s); the guard settled on that back
            view, took the model's return to the face-on labels at 35 for a mirror and read
            frames 35-83 from behind (frames 42-83 ``back``, sides reversed where the model
            relapsed). Now it settles on nothing there and frames 45-90 read ``front``, sides
            exchanged against the original (docs/accuracy.md section 8).
        reflect_depth: with the labels exchanged back, also reflect the depth about the hip
            centre (``reflect_depth``): the model's depth follows its mirrored labels, so the
            exchanged labels alone leave a body turned the other way round in depth.
        give_in_s: the guard gives in to the model when it has overruled the model's own labels
            (``raw``) for this many seconds within the last ``give_in_window_s``: its anchor is
            then more likely wrong than the model. The anchor is a chain of the guard's own
            outputs, so an anchor taken from a mirrored frame that passed the settling wait held
            the mirror for good: a jumping-jacks clip flipped left for right (the model right,
            face-on, in frames 37-230) was read from behind with every side reversed to its end
            (a fourteenth audit). The model mirrors the guard is for lasted 0.6 s on the
            accuracy set (cam02 following, cam03), within this.
        give_in_window_s: the window (seconds) of ``give_in_s``.
        doubt_s: seconds from the first wide-trunk frame of a track (a gap does not restart it, so
            that a slow stream is not in doubt for good) during which left and right stay in doubt
            (``unsettled``): the model's labels may be consistently
            mirrored for a while at the start, and the guard settles on them. With frames dropped as
            live (half of them, six seeds), the bundled jumping-jacks clip read 0-7 of its ~35 face-on
            frames 16-90 from behind with a side valid; with 0.5 s (``settle_s``) still 0-5, with 1 s
            0-1 (``pipeline.LIVE_SIDE_DOUBT_S``; 0 = off, the default: a recording whose every
            frame is processed read it right). Side-on the trunk is narrow: no doubt from this.
    """

    def __init__(
        self,
        min_dot: float = 0.04,
        wide: float = 0.1,
        max_age_s: float = 0.1,
        min_confidence: float = 0.3,
        reflect_depth: bool = True,
        settle_s: float = 0.5,
        max_gap_s: float = 0.3,
        give_in_s: float = 1.0,
        give_in_window_s: float = 1.5,
        doubt_s: float = 0.0,
    ) -> None:
        self.doubt_s = doubt_s
        self.give_in_s = give_in_s
        self.give_in_window_s = give_in_window_s
        self.min_dot = min_dot
        self.wide = wide
        self.max_age_s = max_age_s
        self.min_confidence = min_confidence
        self.reflect_depth = reflect_depth
        self.settle_s = settle_s
        self.max_gap_s = max_gap_s
        self.reset()

    def reset(self) -> None:
        """Forget the anchor and the decision."""
        self._anchor: np.ndarray | None = None
        self._anchor_w: np.ndarray | None = None
        self._anchor_t = -math.inf
        self._track: int | None = None
        self._settled_from: float | None = None
        self._last_t: float | None = None
        self._raw_prev: tuple[np.ndarray, np.ndarray, float] | None = None
        #: (time, seconds) of the recent frames in which the guard overruled the model's own labels
        self._overruled: list[tuple[float, float]] = []
        #: True when the last frame's labels were exchanged back
        self.mirrored = False
        #: True when the last frame's trunk was wide within ``doubt_s`` of the track's first wide frame:
        #: the model's labels may still be consistently mirrored there (a live run with dropped frames
        #: read the bundled clip's first second from behind, sides reversed)
        self.unsettled = False
        #: time of the track's first wide-trunk frame (the doubt's clock: not restarted by a gap)
        self._doubt_from: float | None = None
        #: True when the last frame's output exchanged the model's own labels (the guard overruled
        #: it): the guard is right when the model mirrored, wrong when its anchor was; left and
        #: right are in doubt either way (``SideSwapCorrector.overruling_model``)
        self.overruling = False

    @staticmethod
    def _vectors(landmarks: Landmarks) -> tuple[np.ndarray, np.ndarray]:
        scale = body_scale(landmarks)
        if not math.isfinite(scale) or scale <= 0:
            scale = 1.0
        xy, c = landmarks.xy, landmarks.confidence()
        v = (xy[_TRUNK_LR[:, 0]] - xy[_TRUNK_LR[:, 1]]) / scale
        return v, np.minimum(c[_TRUNK_LR[:, 0]], c[_TRUNK_LR[:, 1]])

    def _confident_vectors(self, landmarks: Landmarks) -> tuple[np.ndarray, np.ndarray]:
        """``_vectors`` with the confidences below ``min_confidence`` set to 0, once per landmarks
        object (``Landmarks.memo``): the guard's input is usually the model's own (``raw``) too."""
        return landmarks.memo(("mirror_vectors", self.min_confidence), self._confident_vectors_of)

    def _confident_vectors_of(self, landmarks: Landmarks) -> tuple[np.ndarray, np.ndarray]:
        v, c = self._vectors(landmarks)
        c = np.where(c >= self.min_confidence, c, 0.0)
        v.flags.writeable = c.flags.writeable = False  # kept with the landmarks and as the anchor
        return v, c

    def _raw_flipped(self, raw: Landmarks | None, t: float) -> bool:
        """True when the model's own labels (``raw``) flipped against its last wide-trunk frame."""
        if raw is None:
            return False
        v, c = self._confident_vectors(raw)
        flipped = False
        if self._raw_prev is not None and 0 < t - self._raw_prev[2] <= self.max_age_s:
            w = np.minimum(c, self._raw_prev[1])
            flipped = float((w * np.einsum("ij,ij->i", v, self._raw_prev[0])).sum()) < -self.min_dot
        if float((c * np.einsum("ij,ij->i", v, v)).sum()) >= self.wide:
            self._raw_prev = (v, c, float(t))
        return flipped

    def _same_labels(self, v: np.ndarray, c: np.ndarray, raw: Landmarks) -> bool:
        """True when the input's trunk vectors (``v``, ``c``) are labelled as the model's own (``raw``)."""
        vr, cr = self._confident_vectors(raw)
        return float((np.minimum(c, cr) * np.einsum("ij,ij->i", v, vr)).sum()) > self.min_dot

    def _overrule(self, t: float, seconds: float) -> None:
        """Count ``seconds`` of overruling the model at ``t``; give in past ``give_in_s`` in the window."""
        self._overruled.append((float(t), seconds))
        self._overruled = [(ti, d) for ti, d in self._overruled if ti > t - self.give_in_window_s]
        if sum(d for _, d in self._overruled) >= self.give_in_s:
            self.mirrored = False
            self._overruled.clear()

    def __call__(self, landmarks: Landmarks, t: float, raw: Landmarks | None = None) -> Landmarks:
        """``landmarks`` at time ``t`` (seconds), with all pairs exchanged when mirrored against the anchor.

        ``raw``: the model's own landmarks of this frame (before any fix), used to tell whether
        the model has settled at the start of a track and how long the guard has overruled it.
        """
        if landmarks.track_id != self._track:
            self.reset()
            self._track = landmarks.track_id
        raw_flipped = self._raw_flipped(raw, t)
        v, c = self._confident_vectors(landmarks)
        fresh = self._anchor is not None and 0 < t - self._anchor_t <= self.max_age_s
        step = t - self._last_t if self._last_t is not None else math.inf
        if not 0 < step <= self.max_gap_s:
            self._settled_from = None  # a new track, or a gap: the model must settle again
            self._overruled.clear()
        self._last_t = float(t)
        self.overruling = False
        if not fresh:
            self.mirrored = False
            if self._settled_from is not None and t - self._settled_from < self.settle_s:
                # Settling needs frames each compared with the last: across an older anchor (a gap in
                # the detections, a narrow trunk) a flip of the labels cannot be seen (``settle_s``).
                self._settled_from = None
        else:
            w = np.minimum(c, self._anchor_w)
            dot = float((w * np.einsum("ij,ij->i", v, self._anchor)).sum())
            if self._settled_from is not None and t - self._settled_from < self.settle_s:
                # not settled yet: the input is passed through, and a flip, or an input exchanged against
                # the model's own labels (the per-part fixer holding earlier ones), restarts the clock
                if dot < -self.min_dot or raw_flipped or (raw is not None and not self._same_labels(v, c, raw)):
                    self._settled_from = float(t)
            elif dot < -self.min_dot:
                self.mirrored = True
            elif dot > self.min_dot:
                self.mirrored = False
        self.overruling = self.mirrored and raw is not None and self._same_labels(v, c, raw)
        if self.overruling:
            self._overrule(t, min(step, self.max_age_s))
            self.overruling = self.mirrored  # not after giving in
        out = landmarks.swapped(_ALL_PAIRS) if self.mirrored else landmarks
        if self.mirrored and self.reflect_depth:
            out = reflect_depth(out)  # the model's depth followed its mirrored labels
        vo, co = (-v if self.mirrored else v), c
        wide = float((co * np.einsum("ij,ij->i", vo, vo)).sum()) >= self.wide
        if wide:
            self._anchor, self._anchor_w, self._anchor_t = vo, co, float(t)
            if self._settled_from is None:
                self._settled_from = float(t)
        # a wide trunk (face-on or from the back) before the labels settled: which side is which is
        # not known yet (side-on the trunk is narrow and the guard has nothing to settle on)
        if wide and self._doubt_from is None:
            self._doubt_from = float(t)
        self.unsettled = self.doubt_s > 0 and wide and t - self._doubt_from < self.doubt_s
        return out
