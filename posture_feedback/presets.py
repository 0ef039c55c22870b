"""Built-in target sets: sitting and standing posture, front and side views.

``PRESETS`` holds absolute ranges (degrees) that work without calibration; ``BASELINE_PRESETS``
holds the same targets as offsets from the person's own calibrated neutral (``relative = true``),
for re-education around a person's best posture and for the posture monitor. Every range has its
source or rationale in ``Target.source`` and in docs/targets.md; where a range is a clinical
ideal rather than a population norm, the source says so, names the band as this tool's tolerance and
quotes the tool's measured error for that angle (or says that it is not measured).

Names: ``sitting-front``, ``sitting-side``, ``standing-front``, ``standing-side``, and the
combined ``sitting`` and ``standing`` (both views' targets; each is evaluated only in its own views,
so the combined sets work whichever way the person faces the camera).

Cue texts are short, kind and say what to do. Left and right are the person's anatomical sides.
Sign conventions (``types.ANGLE_NAMES``): ``head_tilt``/``shoulder_tilt``/``pelvic_tilt`` are
positive when the person's left ear/shoulder/hip is higher; ``trunk_lateral_lean`` is positive
towards the person's left, ``trunk_forward_lean`` and ``head_forward_lean`` positive forward. The
head target is always relative to the person's neutral (no absolute norm exists on this tool's
shoulder–ear scale).
"""

from __future__ import annotations

from dataclasses import replace

from posture_feedback.errors import PostureFeedbackError
from posture_feedback.targets import Target, TargetSet
from posture_feedback.types import View

_FRONTAL = frozenset({View.FRONT, View.BACK})
_SIDE = frozenset({View.SIDE})

# --- sources (kept short; docs/targets.md has the full references) -------------------------------
_SRC_HEAD = (
    "No absolute norm: this tool's head angle runs shoulder joint → ear (upright sitting reads a head forward "
    "lean of about 10-20°, i.e. 70-80° on the shoulder–ear scale), not the clinical C7 → tragus "
    "craniovertebral angle, so published CVA thresholds (about 48-50°) do not apply to it. The target is the "
    "change from the person's own calibrated neutral: more than 8° further forward is this tool's choice for a "
    "visible forward head. Its error side-on is not measured (the 4-camera reference has no side view); on the "
    "bundled side-on walking sample the head lean changes by 1.2° from frame to frame (median; 9° at the 90th "
    "percentile) and its ± is about 15° (median), so many readings near the limit are left undecided. Without "
    "a neutral the verdict is unknown (set neutral first)."
)
# The frontal tilts: the ideal (level) is published, the band is this tool's. Measured error (mean absolute
# error per view of the 4-camera reference set, person "main", docs/accuracy.md) is quoted so nobody reads
# the band as finer than the measurement; tests/test_presets.py checks the figures against that table.
_SRC_HEAD_TILT = (
    "Ideal: the head level in the frontal plane, 0° (Kendall 2005, ideal alignment). The ±5° band is this "
    "tool's tolerance, not a published norm. This tool's head tilt was off by 3.5–6.9° (mean absolute error "
    "per view against a 4-camera reference, docs/accuracy.md), and the ± it shows is often wider than the "
    "band (median ±10–16° face-on on the bundled clips): a value whose 80% interval could be in or out gets "
    "no verdict, and one whose ± exceeds the 3° near band keeps its verdict with its ± written beside it."
)
_SRC_SHOULDER = (
    "Ideal: the shoulders level in the frontal plane, 0° (Kendall 2005, ideal alignment). The ±3° band is "
    "this tool's tolerance, not a published norm (about 2 cm of height difference over a 35–40 cm shoulder "
    "width). This tool's shoulder tilt was off by 1.2–3.7° (mean absolute error per view against a 4-camera "
    "reference, docs/accuracy.md)."
)
_SRC_PELVIS = (
    "Ideal: the pelvis level in the frontal plane, no obliquity, 0° (Kendall 2005, ideal alignment). The ±3° "
    "band is this tool's tolerance, not a published norm (if it is exceeded persistently, check leg length "
    "and weight shift). This tool's pelvic tilt was off by 1.9–7.9° (mean absolute error per view against a "
    "4-camera reference, docs/accuracy.md)."
)
_SRC_LATERAL = (
    "Ideal: the trunk vertical in the frontal plane, 0° (Kendall 2005, ideal alignment). The ±5° (sitting) / "
    "±3° (standing) band is this tool's tolerance, not a published norm: beyond it the trunk line "
    "(mid-hip→mid-shoulder, trunk_lateral_lean, signed) visibly leans to one side. This tool's lateral trunk "
    "lean was off by 1.4–12.9° (mean absolute error per view against a 4-camera reference, docs/accuracy.md; "
    "1.4° face-on, 4.0° from the back), and its ± is at least 7°, wider than the 3° near band."
)
_SRC_SIT_TRUNK = (
    "Rationale, not a norm: trunk_forward_lean (mid-hip→mid-shoulder in the sagittal plane, + forward) of "
    "upright sitting is within a few degrees of vertical; beyond +12° the shoulders are clearly ahead of "
    "the hips (slumping or leaning in), beyond -10° the person reclines. The band is this tool's choice. Judged "
    "side-on only, where its error is not measured (the 4-camera reference has no side view); its ± side-on is "
    "about 10° (median on the bundled walking sample), wider than the 4° near band."
)
_SRC_STAND_TRUNK = (
    "Ideal: the shoulders over the hips on the plumb line (Kendall 2005, ideal standing alignment), "
    "trunk_forward_lean 0°. The ±6° band is this tool's tolerance, not a published norm: beyond +6° is a "
    "forward lean, beyond -6° a sway-back lean. Judged side-on only, where its error is not measured (the "
    "4-camera reference has no side view); its ± side-on is about 10° (median on the bundled walking sample), "
    "wider than the 3° near band."
)


def _head_tilt(tol: float = 3.0) -> Target:
    return Target(
        id="head_tilt", angle="head_tilt", low=-5.0, high=5.0, tolerance=tol, priority=2, hysteresis=1.0,
        min_duration_s=1.0, views=_FRONTAL, label="Head level",
        cue_low="Bring your head upright — it tips to your left",
        cue_high="Bring your head upright — it tips to your right",
        source=_SRC_HEAD_TILT,
    )  # fmt: skip


def _shoulder_tilt() -> Target:
    return Target(
        id="shoulder_level", angle="shoulder_tilt", low=-3.0, high=3.0, tolerance=2.0, priority=3,
        hysteresis=1.0, min_duration_s=1.0, views=_FRONTAL, label="Shoulders level",
        cue_low="Level your shoulders — let your right shoulder drop",
        cue_high="Level your shoulders — let your left shoulder drop",
        source=_SRC_SHOULDER,
    )  # fmt: skip


def _pelvic_tilt() -> Target:
    return Target(
        id="pelvis_level", angle="pelvic_tilt", low=-3.0, high=3.0, tolerance=2.0, priority=1,
        hysteresis=1.0, min_duration_s=1.0, views=_FRONTAL, label="Hips level",
        cue_low="Share your weight evenly on both feet",
        cue_high="Share your weight evenly on both feet",
        source=_SRC_PELVIS,
    )  # fmt: skip


def _lateral_lean(limit: float, verb: str) -> Target:
    # trunk_lateral_lean is + towards the person's left: above the range they lean to their left.
    return Target(
        id="trunk_lateral_lean", angle="trunk_lateral_lean", low=-limit, high=limit, tolerance=3.0, priority=4,
        hysteresis=1.0, min_duration_s=1.0, views=_FRONTAL, label="Trunk centred",
        cue_low=f"You lean to your right — {verb}", cue_high=f"You lean to your left — {verb}",
        source=_SRC_LATERAL,
    )  # fmt: skip


def _forward_head() -> Target:
    # Relative to the person's neutral (no absolute norm exists on this tool's scale, see _SRC_HEAD).
    return Target(
        id="forward_head", angle="head_forward_lean", high=8.0, tolerance=3.0, relative=True, priority=5,
        hysteresis=1.5, min_duration_s=1.0, views=_SIDE, label="Head over shoulders",
        cue_high="Bring your head back over your shoulders",
        source=_SRC_HEAD,
    )  # fmt: skip


def _trunk_upright(low: float, high: float, tol: float, cue_slouch: str, cue_recline: str, src: str) -> Target:
    # trunk_forward_lean is + forward: above the range is a slouch or lean-in, below it a recline.
    return Target(
        id="trunk_upright", angle="trunk_forward_lean", low=low, high=high, tolerance=tol, priority=4,
        hysteresis=1.5, min_duration_s=1.0, views=_SIDE, label="Trunk upright",
        cue_low=cue_recline, cue_high=cue_slouch, source=src,
    )  # fmt: skip


def _build() -> dict[str, TargetSet]:
    sit_front = (
        _head_tilt(),
        _shoulder_tilt(),
        _lateral_lean(5.0, "sit evenly on both sit bones"),
    )
    sit_side = (
        _forward_head(),
        _trunk_upright(-10.0, 12.0, 4.0, "Sit tall — lift your chest, you are slumping forward",
                       "Sit up — you are leaning back", _SRC_SIT_TRUNK),
    )  # fmt: skip
    stand_front = (
        _head_tilt(),
        _shoulder_tilt(),
        _pelvic_tilt(),
        _lateral_lean(3.0, "centre your trunk over your hips"),
    )
    stand_side = (
        _forward_head(),
        _trunk_upright(-6.0, 6.0, 3.0, "Stand tall — stack your shoulders over your hips",
                       "You lean back — bring your shoulders over your hips", _SRC_STAND_TRUNK),
    )  # fmt: skip
    front_desc = "Face the camera. "
    side_desc = "Turn side-on to the camera. "
    return {
        "sitting": TargetSet(
            "sitting", sit_front + sit_side, label="Sitting posture",
            description="Sitting alignment: head and shoulders level and trunk centred when seen from the front; "
            "head over shoulders and trunk upright when seen from the side.",
        ),
        "sitting-front": TargetSet(
            "sitting-front", sit_front, label="Sitting posture (front)", view=View.FRONT,
            description=front_desc + "Head level, shoulders level, trunk centred over the hips.",
        ),
        "sitting-side": TargetSet(
            "sitting-side", sit_side, label="Sitting posture (side)", view=View.SIDE,
            description=side_desc + "Head over the shoulders (change from your neutral), trunk upright.",
        ),
        "standing": TargetSet(
            "standing", stand_front + stand_side, label="Standing alignment",
            description="Standing alignment: head, shoulders and hips level and trunk centred from the front; "
            "head over shoulders and shoulders over hips from the side.",
        ),
        "standing-front": TargetSet(
            "standing-front", stand_front, label="Standing alignment (front)", view=View.FRONT,
            description=front_desc + "Head, shoulders and hips level, trunk centred over the feet.",
        ),
        "standing-side": TargetSet(
            "standing-side", stand_side, label="Standing alignment (side)", view=View.SIDE,
            description=side_desc + "Head over the shoulders, shoulders stacked over the hips.",
        ),
    }  # fmt: skip


#: Offsets (degrees) from the person's neutral used by the baseline variants, per target id:
#: (low, high, tolerance). None = one-sided.
BASELINE_OFFSETS: dict[str, tuple[float | None, float | None, float]] = {
    "head_tilt": (-4.0, 4.0, 2.0),
    "shoulder_level": (-3.0, 3.0, 2.0),
    "pelvis_level": (-3.0, 3.0, 2.0),
    "trunk_lateral_lean": (-4.0, 4.0, 2.0),
    "forward_head": (None, 8.0, 3.0),
    "trunk_upright": (-8.0, 8.0, 3.0),
}

_BASELINE_SOURCE = (
    " Baseline variant: range as offsets from the person's own neutral, recorded in their best "
    "comfortable posture (rationale: re-education aims back towards the person's own alignment; the offsets "
    "are this tool's choice, not measured: the ± of these angles is often wider, and a change within it is "
    "left undecided)."
)


def _baseline(ts: TargetSet) -> TargetSet:
    targets = []
    for t in ts.targets:
        lo, hi, tol = BASELINE_OFFSETS[t.id]
        targets.append(replace(t, low=lo, high=hi, tolerance=tol, relative=True, source=t.source + _BASELINE_SOURCE))
    label = f"{ts.label} — from your neutral"
    desc = ts.description + " Ranges are relative to your calibrated neutral posture."
    return replace(ts, targets=tuple(targets), label=label, description=desc)


#: name → absolute-range preset.
PRESETS: dict[str, TargetSet] = _build()
#: name → the same preset with ranges relative to the person's calibrated neutral.
BASELINE_PRESETS: dict[str, TargetSet] = {k: _baseline(v) for k, v in PRESETS.items()}


class UnknownPresetError(PostureFeedbackError, KeyError):
    """No preset of that name; the message lists the valid names."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


def get_preset(name: str, baseline: bool = False) -> TargetSet:
    """The built-in target set ``name``; ``baseline=True`` for ranges relative to the person's neutral.

    Raises ``UnknownPresetError`` (a ``KeyError``) listing the valid names.
    """
    table = BASELINE_PRESETS if baseline else PRESETS
    try:
        return table[name]
    except (KeyError, TypeError):
        raise UnknownPresetError(f"unknown preset {name!r} (valid: {', '.join(PRESETS)})") from None


# The ``auto`` preset (the app's default): it starts as ``sitting-front``'s targets and the app narrows
# it frame by frame to the set that fits the posture, view and framing (``auto_preset.py``).
PRESETS["auto"] = replace(
    PRESETS["sitting-front"], name="auto", label="Automatic", view=None,
    description="Chooses sitting or standing from the hip and knee angles and the front or side targets from "
    "the view; with the hips out of view (a laptop webcam) it stays with the sitting targets.",
)  # fmt: skip
BASELINE_PRESETS["auto"] = _baseline(PRESETS["auto"])
