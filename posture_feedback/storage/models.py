"""The records the database stores and returns (plain dataclasses; no SQL here).

Conventions:

* Times are timezone-aware ``datetime`` objects; they are stored as ISO 8601 text with the
  local UTC offset at the time of recording, so "which day" means the user's local day.
* Angles and ranges of motion are in degrees, durations in seconds, fractions in [0, 1].
* A value that was not measured is ``math.nan`` (stored as SQL NULL), never a guess.
* ``extras`` / ``record`` / ``payload`` dictionaries are stored as JSON (NaN allowed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

CALIBRATION_KINDS: tuple[str, ...] = ("camera", "neutral", "scale")
SESSION_STATUSES: tuple[str, ...] = ("running", "completed", "aborted")
#: Stored repetition qualities: good; fair (counted, flagged); poor (not counted: partial, short hold,
#: compensated); unsure (not counted: the camera could not tell whether the target was reached, so it
#: is left out of the share of good repetitions rather than held against the person).
QUALITIES: tuple[str, ...] = ("good", "fair", "poor", "unsure")


@dataclass(frozen=True, slots=True)
class Profile:
    """One person (a patient on a shared clinic laptop, or the user at home).

    ``settings`` holds per-profile options; ``settings["snapshots"] is True`` is the only way
    images get stored.
    """

    id: int
    name: str
    created_at: datetime
    notes: str = ""
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def snapshots_enabled(self) -> bool:
        return bool(self.settings.get("snapshots", False))


@dataclass(frozen=True, slots=True)
class Calibration:
    """A stored calibration: ``kind`` is camera (roll/pitch), neutral (angles) or scale (metres per unit)."""

    id: int
    profile_id: int
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    camera: str | None = None  #: camera key for camera calibrations (e.g. "camera 0"), else None


@dataclass(frozen=True, slots=True)
class Measure:
    """One number of an assessment (a ROM peak, a posture angle), with how far to trust it.

    Attributes:
        name: measure id, e.g. ``"shoulder_flexion"`` or ``"craniovertebral_angle"``.
        value: the measurement (``unit``; degrees unless stated), NaN when not measured.
        uncertainty: ± the same unit (view, visibility, spread), NaN when unknown.
        side: ``"left"``, ``"right"`` or None for midline measures.
        unit: ``"deg"`` by default; ``"cm"``, ``"s"``, ``"ratio"`` for others.
        reference: the normative value (e.g. AAOS mean ROM), None if there is none.
        reference_low, reference_high: the normal range, None where open or unknown.
        reference_source: citation of the reference (e.g. "AAOS 1965; Norkin & White 2016").
        mdc: minimal detectable change (same unit); a difference smaller than this is not a change.
        valid: False when measured in a view where it is not meaningful.
    """

    name: str
    value: float
    uncertainty: float = math.nan
    side: str | None = None
    unit: str = "deg"
    reference: float | None = None
    reference_low: float | None = None
    reference_high: float | None = None
    reference_source: str = ""
    mdc: float | None = None
    valid: bool = True

    @property
    def label(self) -> str:
        """``"shoulder_flexion (left)"`` style label."""
        return f"{self.name} ({self.side})" if self.side else self.name


@dataclass(frozen=True, slots=True)
class Assessment:
    """A stored evaluation (posture screen, ROM test, movement screen) with its measures."""

    id: int
    profile_id: int
    kind: str
    created_at: datetime
    record: dict[str, Any]
    measures: tuple[Measure, ...] = ()
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    """A treatment plan of a profile; its content lives in versions (TOML text)."""

    id: int
    profile_id: int
    name: str
    uid: str
    created_at: datetime
    archived: bool = False
    #: When it was retired (``Database.archive_plan``); None when not archived, or archived before schema 5.
    archived_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PlanVersion:
    """One saved version of a plan.

    Attributes:
        toml: the plan file text exactly as written by the therapist or the app.
        schedule_days: planned weekdays, 0 = Monday … 6 = Sunday (used for adherence).
        files: attached exercise definitions and demonstrations, name → bytes
            (names start with ``exercises/`` or ``demonstrations/``).
    """

    id: int
    plan_id: int
    version: int
    toml: str
    created_at: datetime
    schedule_days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Repetition:
    """One repetition (or one hold) as the exercise runner measured it.

    Attributes:
        index: 1-based number of the repetition within its set.
        started_at, ended_at: wall-clock times.
        angle: canonical angle name the peak refers to (e.g. ``"left_shoulder_elevation"``).
        peak_angle: degrees, the furthest the movement went.
        peak_unc: the peak's uncertainty (80% half-width, the peak's unit; NaN: unknown, e.g. stored
            before schema version 6).
        time_in_range_s: seconds spent inside the target range.
        time_in_range_frac: fraction [0, 1] of the repetition spent in range.
        tempo_s: seconds the movement took (for holds: seconds held).
        quality: ``"good"``, ``"fair"``, ``"poor"`` or ``"unsure"`` (the runner's verdict, ``QUALITIES``).
        quality_score: [0, 1] score behind the verdict, NaN if none.
        compensations: compensation flags seen (e.g. ``("trunk_lean",)``).
        extras: anything else (per-phase times, DTW distance to the demonstration...).
        id: database id, None before it is stored.
    """

    index: int
    started_at: datetime
    ended_at: datetime
    angle: str = ""
    peak_angle: float = math.nan
    peak_unc: float = math.nan
    time_in_range_s: float = math.nan
    time_in_range_frac: float = math.nan
    tempo_s: float = math.nan
    quality: str = "good"
    quality_score: float = math.nan
    compensations: tuple[str, ...] = ()
    extras: dict[str, Any] = field(default_factory=dict)
    id: int | None = None

    @property
    def duration_s(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()


@dataclass(frozen=True, slots=True)
class ExerciseSet:
    """One set of one exercise within a session, with its repetitions."""

    id: int
    session_id: int
    exercise: str
    set_index: int
    started_at: datetime
    side: str | None = None
    target_reps: int | None = None
    target_hold_s: float | None = None
    ended_at: datetime | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    repetitions: tuple[Repetition, ...] = ()


@dataclass(frozen=True, slots=True)
class Session:
    """An exercise session. ``status`` stays ``"running"`` when the app stopped without ending it."""

    id: int
    profile_id: int
    uid: str
    started_at: datetime
    status: str
    plan_id: int | None = None
    plan_version: int | None = None
    ended_at: datetime | None = None
    source: str = ""
    notes: str = ""
    extras: dict[str, Any] = field(default_factory=dict)
    sets: tuple[ExerciseSet, ...] = ()


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """Per-session numbers for history charts and reports.

    ``mean_time_in_range_frac`` and ``good_fraction`` are over the judged repetitions (all but the
    ``n_unsure`` ones the camera could not judge), NaN when there are none.
    """

    id: int
    started_at: datetime
    status: str
    plan_id: int | None
    exercises: tuple[str, ...]
    n_sets: int
    n_reps: int
    n_good: int
    mean_time_in_range_frac: float
    mean_quality_score: float
    duration_s: float
    n_unsure: int = 0  #: repetitions the camera could not judge (quality "unsure"), included in n_reps

    @property
    def n_judged(self) -> int:
        """Repetitions with a verdict: all but the ones the camera could not judge."""
        return self.n_reps - self.n_unsure

    @property
    def good_fraction(self) -> float:
        """Good repetitions among those judged (NaN when none was judged)."""
        return self.n_good / self.n_judged if self.n_judged else math.nan


@dataclass(frozen=True, slots=True)
class RomPoint:
    """One measurement of one measure and side, for a trend over time."""

    when: datetime
    assessment_id: int
    name: str
    side: str | None
    value: float
    uncertainty: float
    unit: str
    reference: float | None
    mdc: float | None
    kind: str = ""  #: the assessment's kind ("rom", "posture_screen", ...)
    reference_low: float | None = None  #: the stored range (None where open or none)
    reference_high: float | None = None
    reference_source: str = ""
    #: The assessment record's own word on whether the range is this tool's tolerance
    #: (``details[label]["reference_is_tool_tolerance"]``); None where the record does not say.
    reference_is_tool_tolerance: bool | None = None


@dataclass(frozen=True, slots=True)
class AdherenceDay:
    """Sessions planned and met on one local day (``storage/adherence.py``).

    ``planned``: sessions planned that day (0 or 1 per active plan); ``done``: planned sessions met by a
    completed session of that plan (that day or a day next to it); ``stopped``: planned sessions met only by
    a session stopped before the plan's end; ``extra``: that day's other sessions (not counted);
    ``in_plan``: a plan was in force that day (False before the first plan was made and after the last was
    retired: such a day is no rest day of a plan, and the calendar leaves it blank).
    """

    day: date
    planned: int
    done: int
    stopped: int = 0
    extra: int = 0
    in_plan: bool = True


@dataclass(frozen=True, slots=True)
class MonitorDay:
    """Posture-monitor totals of one local day, seconds."""

    day: date
    monitored_s: float
    good_s: float
    alerts: int = 0
    #: seconds of ``monitored_s`` the coach gave a verdict on (confirmed good, or a confirmed fault);
    #: None where it was not recorded (rows stored before schema version 7, older results files)
    judged_s: float | None = None

    @property
    def good_fraction(self) -> float:
        """Good seconds over *all* watched seconds, not-judged ones included (0–1; NaN when none)."""
        return self.good_s / self.monitored_s if self.monitored_s > 0 else math.nan


@dataclass(frozen=True, slots=True)
class MonitorHour:
    """Posture-monitor totals of one local hour (``hour`` 0–23 of ``day``), seconds."""

    day: date
    hour: int
    monitored_s: float
    good_s: float
    #: seconds of ``monitored_s`` with a verdict (see ``MonitorDay.judged_s``); None = not recorded
    judged_s: float | None = None

    @property
    def good_fraction(self) -> float:
        """Good seconds over *all* watched seconds, not-judged ones included (0–1; NaN when none)."""
        return self.good_s / self.monitored_s if self.monitored_s > 0 else math.nan


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A stored image (PNG/JPEG bytes); only exists for profiles with snapshots enabled."""

    id: int
    profile_id: int
    created_at: datetime
    mime: str
    data: bytes
    caption: str = ""
    assessment_id: int | None = None
    session_id: int | None = None


def record_tool_tolerance_word(record: object, label: str) -> bool | None:
    """An assessment record's own word on whether a measure's range is this tool's tolerance:
    ``record["details"][label]["reference_is_tool_tolerance"]`` (``label`` as ``Measure.label``), or
    None where the record does not say (the sample history, imports, older records)."""
    details = record.get("details") if isinstance(record, dict) else None
    d = details.get(label) if isinstance(details, dict) else None
    if isinstance(d, dict) and "reference_is_tool_tolerance" in d:
        return bool(d["reference_is_tool_tolerance"])
    return None
