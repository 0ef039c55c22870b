"""Reference ranges, normative values and measurement-error floors for every assessment measure, with sources.

Every number here carries its source. Where the literature gives an *ideal* (e.g. "shoulders
level") but no numeric normal range, the width of the band is this tool's screening tolerance
and is labelled as such (``tolerance_is_tool``); it is not a normative value.

Sources (short keys used below):

* **AAOS 1965**: American Academy of Orthopaedic Surgeons, *Joint Motion: Method of Measuring
  and Recording*, Chicago, 1965; values as tabulated in Norkin CC, White DJ, *Measurement of
  Joint Motion: A Guide to Goniometry*, 5th ed., F.A. Davis, 2016 (adult normative ROM tables).
* **Kendall 2005**: Kendall FP, McCreary EK, Provance PG, Rodgers MM, Romani WA, *Muscles:
  Testing and Function with Posture and Pain*, 5th ed., Lippincott Williams & Wilkins, 2005
  (ideal alignment: plumb line through ear lobe, acromion, greater trochanter, slightly in
  front of the lateral malleolus; head, shoulders and pelvis level in the frontal plane).
* **Lau 2009**: Lau HMC, Chiu TTW, Lam TH, "Clinical measurement of craniovertebral angle by
  electronic head posture instrument: a test of reliability and validity", *Manual Therapy*
  14 (2009) 363–368: CVA 50.6 ± 2.1° without neck pain, 43.9 ± 3.6° with chronic neck pain.
* **Harrison 2007**: Harrison DE et al., reliability of the PosturePrint computerised posture
  digitiser (three photographs, 40 participants, three examiners, two days), *Chiropractic &
  Osteopathy* 15:15 (2007), doi:10.1186/1746-1340-15-15: SEM ≤ 2.7° for rotations and
  ≤ 5.9 mm for translations.
* **Boone 1978**: Boone DC, Azen SP, Lin CM, et al., "Reliability of goniometric
  measurements", *Physical Therapy* 58(11):1355–1360 (1978): with the same tester, increases of
  at least 3–4° indicate improvement (upper and lower extremity); with different testers more
  than 5° (upper) and 6° (lower extremity).
* **Munro 2012**: Munro A, Herrington L, Carolan M, "Reliability of 2-dimensional video
  assessment of frontal-plane dynamic knee valgus during common athletic screening tasks",
  *J Sport Rehabil* 21(1):7–11 (2012): 2D frontal-plane projection angle, good to excellent
  within- and between-session reliability.

Caveat for the craniovertebral angle: the clinical CVA uses the C7 spinous process; this tool
uses the shoulder landmark (a point anterior to C7), which makes the shoulder→ear line more
vertical, i.e. the tool's CVA reads *larger* than a C7-based CVA of the same posture. The
reference below is therefore a lower bound that flags clear forward-head posture only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SOURCES: dict[str, str] = {
    "AAOS 1965": (
        "American Academy of Orthopaedic Surgeons. Joint Motion: Method of Measuring and Recording. 1965; "
        "as tabulated in Norkin CC, White DJ. Measurement of Joint Motion: A Guide to Goniometry, 5th ed. 2016"
    ),
    "Kendall 2005": (
        "Kendall FP, McCreary EK, Provance PG, Rodgers MM, Romani WA. Muscles: Testing and Function with "
        "Posture and Pain, 5th ed. 2005 (ideal alignment)"
    ),
    "Lau 2009": (
        "Lau HMC, Chiu TTW, Lam TH. Clinical measurement of craniovertebral angle by electronic head posture "
        "instrument. Manual Therapy 2009;14:363-368"
    ),
    "Harrison 2007": (
        "Harrison DE et al. PosturePrint computerized posture analysis: reliability. Chiropractic & "
        "Osteopathy 2007;15:15 (SEM <= 2.7 deg rotations, <= 5.9 mm translations)"
    ),
    "Boone 1978": "Boone DC, Azen SP, et al. Reliability of goniometric measurements. Phys Ther 1978;58:1355-1360",
    "Bohannon 2006": (
        "Bohannon RW. Reference values for the five-repetition sit-to-stand test: a descriptive meta-analysis of "
        "data from elders. Percept Mot Skills 2006;103(1):215-222 (times above 11.4 s at 60-69, 12.6 s at 70-79, "
        "14.8 s at 80-89 years: worse than average)"
    ),
    "Rikli & Jones 1999": (
        "Rikli RE, Jones CJ. Functional fitness normative scores for community-residing older adults, ages 60-94. "
        "J Aging Phys Act 1999;7:162-181 (30-s chair stand, 25th-75th percentiles); test: Rikli RE, Jones CJ. "
        "Development and validation of a functional fitness test for community-residing older adults. J Aging "
        "Phys Act 1999;7:129-161; Jones CJ, Rikli RE, Beam WC. A 30-s chair-stand test as a measure of lower body "
        "strength in community-residing older adults. Res Q Exerc Sport 1999;70:113-119"
    ),
    "Csuka & McCarty 1985": (
        "Csuka M, McCarty DJ. Simple method for measurement of lower extremity muscle strength. Am J Med "
        "1985;78:77-81 (five stands, timed until seated after the fifth)"
    ),
    "Munro 2012": (
        "Munro A, Herrington L, Carolan M. Reliability of 2-dimensional video assessment of frontal-plane "
        "dynamic knee valgus. J Sport Rehabil 2012;21:7-11"
    ),
}


@dataclass(frozen=True, slots=True)
class Reference:
    """The reference for one measure.

    Attributes:
        low, high: the reference (normal / ideal) range; None where open.
        typical: the normative or ideal value (e.g. AAOS mean ROM), None if none.
        unit: "deg" or "cm".
        source: short key into ``SOURCES``.
        note: what the range means, in one line.
        tolerance_is_tool: the band around an ideal value is this tool's screening tolerance,
            not a published normal range.
        sem_floor: the smallest standard error of measurement (same unit) assumed for the
            minimal detectable change, from ``sem_source``.
        sem_source: short key into ``SOURCES`` for ``sem_floor``.
        words: for a performance test, the verdict words of a value below, within and above the
            range (``record.worded_verdict``), so a strong result never reads like a weak one; None:
            the plain "within" / "outside".
        better: for a performance test, which way of the number is the better performance:
            "higher" (more stands) or "lower" (fewer seconds); None for a plain range.
    """

    low: float | None
    high: float | None
    typical: float | None
    unit: str
    source: str
    note: str
    tolerance_is_tool: bool = False
    sem_floor: float = 2.7
    sem_source: str = "Harrison 2007"
    words: tuple[str, str, str] | None = None
    better: str | None = None

    def contains(self, value: float) -> bool | None:
        """True inside the range, False outside, None when the value is NaN."""
        if math.isnan(value):
            return None
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def distance(self, value: float) -> float:
        """How far the value is outside the range (0 inside; NaN for NaN)."""
        if math.isnan(value):
            return math.nan
        if self.low is not None and value < self.low:
            return self.low - value
        if self.high is not None and value > self.high:
            return value - self.high
        return 0.0

    def citation(self) -> str:
        """The short key and the full citation, e.g. ``AAOS 1965: American Academy of ...``."""
        return f"{self.source}: {SOURCES[self.source]}" if self.source in SOURCES else self.source


# SEM floor for ROM from Boone 1978: a same-tester change of 4 deg is the smallest real change,
# read as an MDC95 -> SEM = 4 / (1.96 * sqrt 2) = 1.44 deg.
_ROM_SEM = 4.0 / (1.96 * math.sqrt(2.0))

#: Static posture measures (degrees unless "cm"). Keys are the measure names used in records.
POSTURE_REFERENCES: dict[str, Reference] = {
    "head_tilt": Reference(-2.0, 2.0, 0.0, "deg", "Kendall 2005", "head level in the frontal plane", True),
    "shoulder_tilt": Reference(-2.0, 2.0, 0.0, "deg", "Kendall 2005", "shoulders level", True),
    "pelvic_tilt": Reference(-2.0, 2.0, 0.0, "deg", "Kendall 2005", "pelvis level (no obliquity)", True),
    "trunk_lateral_lean": Reference(-2.0, 2.0, 0.0, "deg", "Kendall 2005", "trunk vertical in the frontal plane", True),
    # No verdict: the published CVA norms (e.g. Lau 2009, 50.6 +/- 2.1 deg) are C7 -> tragus; this tool
    # measures shoulder joint -> ear, which reads about 20-30 deg higher. Judge the head by the change
    # from the person's own neutral (presets, monitor), never by the clinical threshold.
    "craniovertebral_angle": Reference(
        None, None, None, "deg", "Lau 2009",
        "no verdict: shoulder-ear head angle on this tool's own scale; the clinical C7-tragus CVA norm "
        "(50.6 +/- 2.1 deg without neck pain) does not apply to it",
    ),  # fmt: skip
    "trunk_inclination": Reference(0.0, 5.0, 0.0, "deg", "Kendall 2005", "trunk vertical in the sagittal plane", True),
    "ear_shoulder_offset": Reference(
        -3.0, 3.0, 0.0, "cm", "Kendall 2005", "ear over the shoulder (plumb line)", True, 0.59
    ),
    "shoulder_hip_offset": Reference(
        -3.0, 3.0, 0.0, "cm", "Kendall 2005", "shoulder over the hip (plumb line)", True, 0.59
    ),
    "hip_ankle_offset": Reference(
        -1.0, 5.0, 2.0, "cm", "Kendall 2005", "hip slightly in front of the ankle (plumb line)", True, 0.59
    ),
}


def _rom(typical: float, note: str) -> Reference:
    # Normal: at least 90 % of the AAOS value (the 90 % cut-off is this tool's screening choice).
    # Only for a norm measured the way this tool measures (standing, active, same segments).
    return Reference(
        0.9 * typical, None, typical, "deg", "AAOS 1965", note, tolerance_is_tool=True,
        sem_floor=_ROM_SEM, sem_source="Boone 1978",
    )  # fmt: skip


def _rom_value_only(note: str) -> Reference:
    # No norm taken in this tool's position and way (standing, active, its segments): the value is
    # reported without a verdict. The published value is named in the note for orientation only.
    return Reference(None, None, None, "deg", "AAOS 1965", note, sem_floor=_ROM_SEM, sem_source="Boone 1978")


#: Active range of motion, degrees. A verdict only where the norm was measured as this tool measures
#: it (standing, active, the same segments); otherwise the value alone (``low``/``high``/``typical`` None).
ROM_REFERENCES: dict[str, Reference] = {
    "shoulder_flexion": _rom_value_only(
        "no verdict: the AAOS 0-180 norm is goniometric, supine; this tool measures standing, upper arm vs trunk line"
    ),
    "shoulder_abduction": _rom_value_only(
        "no verdict: the AAOS 0-180 norm is goniometric, supine or seated; this tool measures standing"
    ),
    "elbow_flexion": _rom_value_only("no verdict: the AAOS 0-150 norm is goniometric, supine; this tool: standing"),
    "hip_flexion": _rom_value_only(
        "no verdict: this tool's hip angle is trunk-thigh (includes pelvic and lumbar motion), standing; the AAOS "
        "0-120 norm is supine and relative to the pelvis"
    ),
    "knee_flexion": _rom_value_only(
        "no verdict: standing heel-to-buttock flexion (against gravity, hip extended); the AAOS 0-135 norm is "
        "measured lying down"
    ),
    "trunk_lateral_flexion": _rom(
        35.0,
        "AAOS thoracolumbar lateral flexion 0-35, measured standing and active, C7-S1 line from vertical "
        "(this tool: mid-shoulder - mid-hip line from vertical, standing, active)",
    ),
    "neck_lateral_flexion": _rom_value_only(
        "no verdict: the AAOS 0-45 norm is goniometric, seated, head midline from vertical; this tool measures the "
        "ear line relative to the shoulder line, standing"
    ),
}

#: What the movement screen's left − right asymmetry is judged by: the ideal (both sides alike, 0°)
#: is a definition, not a published norm, and its 10° band is this tool's screening tolerance; its
#: SEM floor comes from Boone 1978 (``sem_source``).
SYMMETRY_SOURCE = "this tool's rule, no published norm: both sides alike (0 deg)"

#: Movement-screen compensations: the size above which a compensation is flagged.
MOVEMENT_REFERENCES: dict[str, Reference] = {
    "knee_valgus": Reference(
        None, 10.0, 0.0, "deg", "Munro 2012", "frontal-plane knee angle towards the midline", True, 2.7, "Munro 2012"
    ),
    "trunk_forward_lean_excess": Reference(
        None, 10.0, 0.0, "deg", "Kendall 2005", "trunk parallel to the shins in the squat", True
    ),
    "arms_forward": Reference(None, 20.0, 0.0, "deg", "Kendall 2005", "arms in line with the trunk overhead", True),
    "hip_shift": Reference(-5.0, 5.0, 0.0, "cm", "Kendall 2005", "pelvis centred over the feet", True, 0.59),
    "left_right_asymmetry": Reference(
        None, 10.0, 0.0, "deg", SYMMETRY_SOURCE, "left-right difference of peak knee flexion", True, _ROM_SEM,
        "Boone 1978",
    ),
}

#: Sources older versions stored for a measure that this version cites differently: the movement
#: screen's left − right asymmetry cited "Boone 1978", a goniometric reliability study that gives its
#: SEM floor, not its 10° band. Reports read such a record with this version's source
#: (``reports.summary``) and its band as the tool's (``tolerance_is_tool``).
FORMER_SOURCES: dict[str, frozenset[str]] = {"left_right_asymmetry": frozenset({"Boone 1978"})}


#: The ending of a ROM test's left − right difference measure ("shoulder_abduction_left_right_difference").
DIFFERENCE_SUFFIX = "_left_right_difference"
#: What a left − right difference is judged by: no published norm (AAOS gives each side's range of
#: motion, no asymmetry norm), only this tool's own rule, the rule of a real change (``change``).
DIFFERENCE_SOURCE = (
    "this tool's rule, no published norm: asymmetric only when |left - right| exceeds the change "
    "threshold max(1.96 x sqrt(u_left^2 + u_right^2), MDC_left, MDC_right)"
)
DIFFERENCE_REFERENCE = Reference(None, None, None, "deg", DIFFERENCE_SOURCE, DIFFERENCE_SOURCE, sem_floor=0.0,
                                 sem_source="none")  # fmt: skip


def current_reference(name: str) -> Reference | None:
    """This version's reference for a measure id (posture, ROM or movement table, or a ROM test's
    left − right difference: ``DIFFERENCE_REFERENCE``, no norm); None if unknown."""
    for table in (POSTURE_REFERENCES, ROM_REFERENCES, MOVEMENT_REFERENCES):
        if name in table:
            return table[name]
    if name.endswith(DIFFERENCE_SUFFIX):
        return DIFFERENCE_REFERENCE
    return None


def has_no_verdict(name: str) -> bool:
    """True when this version gives the measure no norm at all (its published norm was measured
    another way: C7–tragus CVA, supine goniometry). A norm stored with an older measurement of it
    is then not shown (``reports.summary.collect``): borrowed thresholds never judge."""
    ref = current_reference(name)
    return ref is not None and ref.low is None and ref.high is None and ref.typical is None


def tolerance_is_tool(name: str, source: str) -> bool:
    """True when a stored range of measure ``name`` cited to ``source`` ("Kendall 2005", or the full
    citation "Kendall 2005: ...") is this version's own screening tolerance (``Reference.tolerance_is_tool``),
    for records that do not say so themselves (the sample history, imports, trend points)."""
    ref = current_reference(name)
    if ref is None or not ref.tolerance_is_tool:
        return False
    return source == ref.source or source.split(":")[0].strip() in {ref.source, *FORMER_SOURCES.get(name, ())}
