"""Anatomical ranges of the exercise signals: where a target taken from a demonstration may lie.

A demonstrated target (``demonstration.build_demonstration``) is clamped to the range of its
angle and rounded to whole degrees, so a recording artefact can never ask for more than a joint
can do (the old "161.21–181.21°" for an arm–trunk angle that ends at 180°). These are limits for
targets, not norms: no verdict is taken from them.

Degrees. Sources: AAOS = American Academy of Orthopaedic Surgeons, *Joint Motion: Method of
Measuring and Recording* (1965; Greene & Heckman, *The Clinical Measurement of Joint Motion*,
AAOS 1994); N&W = Norkin & White, *Measurement of Joint Motion: A Guide to Goniometry*, 5th ed.
(2016), tables of adult active range of motion.

=====================  ==========  ==========================================================
signal                 range       source and how it relates to this tool's angle
=====================  ==========  ==========================================================
shoulder_elevation     0–180       AAOS and N&W: flexion 0–180, abduction 0–180. This tool's
                                   angle is the upper arm from the trunk line in any plane.
elbow_flexion          0–150       AAOS 0–150; N&W 0–150.
knee_flexion           0–135       AAOS 0–135; N&W 0–135 (active; a deep passive squat goes
                                   further, but targets are for active movement).
hip_flexion            0–150       AAOS and N&W hip flexion 0–120 is measured against the
                                   pelvis; this tool's angle is trunk–thigh and adds lumbar
                                   flexion, for which no combined norm exists: 150 is a sanity
                                   bound, not a norm.
trunk_lean             −45–45      AAOS thoracolumbar lateral flexion 0–35 each way; this
                                   tool's mid-hip → mid-shoulder lean adds a pelvic shift, so
                                   the bound is widened to 45 (sanity bound).
arm_raise              0–180       AAOS and N&W abduction 0–180; this tool's image-plane angle
                                   of the upper arm from the shoulder line's normal, face-on.
neck_bend              −45–45      AAOS and N&W cervical lateral flexion 0–45 each way; this
                                   tool's ear line relative to the shoulder line, face-on.
=====================  ==========  ==========================================================

Any other angle signal is bounded by its geometry (unsigned angles 0–180, signed ±180); a signal
that is not an angle (``unit`` other than "°", e.g. knee lift in leg lengths) is not clamped.
"""

from __future__ import annotations

import math

from posture_feedback.exercises.definitions import Range

#: signal (without ``{side}``/``left_``/``right_``) → (low, high) in degrees; see the module docstring.
ANATOMICAL_RANGE: dict[str, tuple[float, float]] = {
    "shoulder_elevation": (0.0, 180.0),
    "elbow_flexion": (0.0, 150.0),
    "knee_flexion": (0.0, 135.0),
    "hip_flexion": (0.0, 150.0),
    "trunk_lean": (-45.0, 45.0),
    "arm_raise": (0.0, 180.0),
    "neck_bend": (-45.0, 45.0),
}
#: The geometric bounds of any other angle (degrees).
GEOMETRIC_RANGE = (-180.0, 180.0)


def _base(signal: str) -> str:
    s = signal.replace("{side}_", "").replace("{other}_", "").replace("_{side}", "").replace("_{other}", "")
    for prefix in ("left_", "right_"):
        if s.startswith(prefix):
            s = s[len(prefix) :]
    for suffix in ("_left", "_right"):
        if s.endswith(suffix):
            s = s[: -len(suffix)]
    return s


def anatomical_range(signal: str, unit: str = "°") -> Range:
    """The range a target of ``signal`` may lie in (whole line: ``Range()`` for non-angles)."""
    if unit != "°":
        return Range()
    lo, hi = ANATOMICAL_RANGE.get(_base(signal), GEOMETRIC_RANGE)
    return Range(lo, hi)


def clamp_round(rng: Range, limits: Range, lenient_low: bool, lenient_high: bool) -> Range:
    """``rng`` clamped into ``limits`` and rounded to whole degrees (infinite bounds stay infinite).

    ``lenient_low``/``lenient_high``: round that bound outwards (floor the low, ceil the high) so
    rounding never makes the range harder to reach; otherwise to the nearest degree.
    """

    def fix(x: float, outwards: int) -> float:
        if math.isinf(x):
            return x
        x = min(max(x, limits.low), limits.high)
        if outwards < 0:
            return float(math.floor(x + 1e-9))
        if outwards > 0:
            return float(math.ceil(x - 1e-9))
        return float(round(x))

    return Range(fix(rng.low, -1 if lenient_low else 0), fix(rng.high, 1 if lenient_high else 0))
