"""The numbers of a profile for a period, gathered once for the PDF, the text summary and the exports.

A change between the first and the last measurement of a measure is called a change only by the
tool's one rule (``assessment.change.change_threshold``): |difference| must exceed both the 95 %
limit of the two measurements' own uncertainties, ``1.96 * sqrt(u1**2 + u2**2)``, and their stored
minimal detectable change (MDC). ``threshold_source`` says which was larger ("uncertainty" / "MDC").
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from posture_feedback.assessment.change import BORROWED, CHANGE_WORDS, TOOL, change_threshold
from posture_feedback.assessment.references import (
    DIFFERENCE_SOURCE,
    current_reference,
    has_no_verdict,
    tolerance_is_tool,
)
from posture_feedback.exercises.definitions import peak_digits
from posture_feedback.monitor_hours import TimeSplit, split_of, split_text
from posture_feedback.reports.charts import default_period
from posture_feedback.reports.stored_points import assessment_as_now, stored_points
from posture_feedback.side_words import PRINTED_DIGITS, side_phrase, side_text
from posture_feedback.storage import (
    AdherenceDay,
    Assessment,
    Database,
    Measure,
    MonitorDay,
    Plan,
    PlanVersion,
    Profile,
    RomPoint,
    Session,
    SessionSummary,
)
from posture_feedback.storage.models import record_tool_tolerance_word
from posture_feedback.words import count_noun, measure_words


@dataclass(frozen=True, slots=True)
class MeasureChange:
    """First and last value of one measure and side in the period (degrees unless ``unit`` says otherwise)."""

    name: str
    side: str | None
    unit: str
    first: float
    first_at: datetime
    last: float
    last_at: datetime
    n: int
    threshold: float  #: the MDC (or the uncertainty-based limit); NaN if neither is known
    threshold_source: str  #: "MDC" or "uncertainty"
    reference: float | None
    first_unc: float = math.nan  #: the first value's ± (80%, its unit); NaN if not stored
    last_unc: float = math.nan  #: the last value's ±

    @property
    def delta(self) -> float:
        return self.last - self.first

    @property
    def significant(self) -> bool | None:
        """True when |delta| exceeds the threshold; None when it cannot be judged (one value, no threshold)."""
        if self.n < 2 or math.isnan(self.threshold):
            return None
        # on the numbers as written ("-2.2, MDC 80.2°"; ``assessment.change.is_real_change``'s rounding)
        return round(abs(self.delta), PRINTED_DIGITS) > round(self.threshold, PRINTED_DIGITS)

    @property
    def label(self) -> str:
        return measure_words(self.name, self.side).replace("_", " ")


@dataclass(frozen=True, slots=True)
class ExerciseStat:
    """One exercise (and side) over the period's sessions."""

    exercise: str
    side: str | None
    sessions: int
    reps: int
    good: int
    mean_time_in_range_frac: float
    first_peak: float  #: mean peak (the exercise's ``unit``) of the first session's judged repetitions
    last_peak: float  #: the same in the last session
    unsure: int = 0  #: repetitions the camera could not judge (quality "unsure"), included in ``reps``
    unit: str = "°"  #: the peaks' unit: the exercise definition's (``% shoulder width``, "" for leg lengths…)
    #: The peaks' uncertainty (80% half-width, ``unit``): the median of the session's repetitions' own
    #: (not divided by √n: a camera's error repeats from one repetition to the next); NaN where none
    #: was stored (before schema version 6).
    first_peak_unc: float = math.nan
    last_peak_unc: float = math.nan

    @property
    def peak_threshold(self) -> float:
        """The first → last peak change that counts as a change (the tool's one rule,
        ``assessment.change.change_threshold``: 1.96 · √(u₁² + u₂²)); NaN when it cannot be judged."""
        if self.sessions < 2:
            return math.nan
        return change_threshold(self.first_peak_unc, self.last_peak_unc).value

    @property
    def change_digits(self) -> int:
        """Decimals the history writes the peak change and its threshold with ("+22.4, uncertainty
        22.2°"): the peaks' own (``peak_digits``), at least one."""
        return max(peak_digits(self.unit), 1)

    @property
    def shown_digits(self) -> int:
        """Decimals the mean peaks and their ± are written with ("-3.6 ± 1.5 -> -9.4 ± 1.5°"): the
        peaks' own (``peak_digits``), one or two more where, written with fewer, the peaks and their ±
        would read against the verdict beside them. Audit 32: the sample profile's chin tuck was
        written "peak -4 ± 2 -> -9 ± 2° (-5.8, uncertainty 4.2°: change)" for -3.6 ± 1.5 -> -9.4 ± 1.5°:
        the written ± (2, rounded up from 1.5) give a limit of 1.96 · √(2² + 2²) = 5.5 against a
        written change of 5: no change, to a reader, beside "change". The reader's check: the change
        between the written peaks against the tool's rule (``change_threshold``) on the written ±."""
        base = peak_digits(self.unit)
        verdict = self.peak_changed
        if verdict is None or not (_ok(self.first_peak_unc) and _ok(self.last_peak_unc)):
            return base
        for d in range(base, base + 3):
            first, last = round(self.first_peak, d), round(self.last_peak, d)
            thr = change_threshold(round(self.first_peak_unc, d), round(self.last_peak_unc, d)).value
            if _ok(thr) and (round(abs(last - first), d) > round(thr, d)) == verdict:
                return d
        return base + 2

    @property
    def peak_changed(self) -> bool | None:
        """True: a change; False: no detectable change; None: cannot judge. Judged on the change and
        the threshold as the history writes them (``change_digits``): an audit saw "(+22, uncertainty
        22.2°: change)" for a change of 22.4 against 22.17, its printed change below its threshold."""
        thr = self.peak_threshold
        if not (_ok(thr) and _ok(self.first_peak) and _ok(self.last_peak)):
            return None
        d = self.change_digits
        return round(abs(self.last_peak - self.first_peak), d) > round(thr, d)

    @property
    def good_fraction(self) -> float:
        """Good repetitions among those judged (the unsure ones are left out; NaN when none was judged)."""
        judged = self.reps - self.unsure
        return self.good / judged if judged else math.nan


@dataclass(slots=True)
class ReportData:
    """Everything the report shows for one profile and period (local days, inclusive)."""

    profile: Profile
    start: date
    end: date
    assessments: list[Assessment]
    sessions: list[Session]
    summaries: list[SessionSummary]
    adherence: list[AdherenceDay]
    monitor: list[MonitorDay]
    changes: list[MeasureChange] = field(default_factory=list)
    exercises: list[ExerciseStat] = field(default_factory=list)
    #: The profile's plans (retired ones too) with their newest version, the most recently stored last:
    #: which ones the adherence counts (``plan_lines``).
    plans: list[tuple[Plan, PlanVersion]] = field(default_factory=list)

    @property
    def planned(self) -> int:
        return sum(d.planned for d in self.adherence)

    @property
    def done_planned(self) -> int:
        return sum(min(d.done, d.planned) for d in self.adherence)

    @property
    def stopped_planned(self) -> int:
        """Planned sessions met only by a session stopped before the plan's end."""
        return sum(getattr(d, "stopped", 0) for d in self.adherence)

    @property
    def extra_sessions(self) -> int:
        """Sessions not counted for any planned day (no plan, another day, a second one that day)."""
        return sum(getattr(d, "extra", 0) for d in self.adherence)

    @property
    def adherence_rate(self) -> float:
        return self.done_planned / self.planned if self.planned else math.nan

    @property
    def n_reps(self) -> int:
        return sum(s.n_reps for s in self.summaries)

    @property
    def n_unsure(self) -> int:
        """Repetitions the camera could not judge (included in ``n_reps``)."""
        return sum(s.n_unsure for s in self.summaries)

    @property
    def good_fraction(self) -> float:
        """Good repetitions among those judged (NaN when none was judged)."""
        n = self.n_reps - self.n_unsure
        return sum(s.n_good for s in self.summaries) / n if n else math.nan

    @property
    def mean_time_in_range_frac(self) -> float:
        """Mean fraction of a repetition in the target range, over the judged repetitions."""
        vals = [
            s.mean_time_in_range_frac * s.n_judged
            for s in self.summaries
            if s.n_judged and _ok(s.mean_time_in_range_frac)
        ]
        n = sum(s.n_judged for s in self.summaries if s.n_judged and _ok(s.mean_time_in_range_frac))
        return sum(vals) / n if n else math.nan

    @property
    def monitor_good_fraction(self) -> float:
        """Good posture over *all* watched time, not-judged time included (0–1; the JSON's old key).
        The texts use ``monitor_split`` instead: its share is of the judged time."""
        total = sum(d.monitored_s for d in self.monitor)
        return sum(d.good_s for d in self.monitor) / total if total > 0 else math.nan

    @property
    def monitor_split(self) -> TimeSplit:
        """The period's monitor time in whole seconds: good posture confirmed, faults, not judged
        (``monitor_hours.split_of``; ``judged_s`` None when some day's judged time is not recorded)."""
        return split_of(self.monitor)


def _ok(x: float) -> bool:
    return not math.isnan(x)


#: The mark beside a range this tool set (``range_is_tool_tolerance``), and what it means, for every report.
TOOL_RANGE_MARK = "‡"
TOOL_RANGE_NOTE = (
    "‡ range set by this tool (its screening tolerance): the cited source gives only the ideal or typical "
    "value (e.g. shoulders level, 0°), not this range"
)


def range_is_tool_tolerance(a: Assessment, m: Measure) -> bool:
    """True when a stored measure's range (``reference_low``/``high``) is this tool's screening tolerance,
    not a published normal range (``assessment.references.Reference.tolerance_is_tool``).

    The record's own word (``details[label]["reference_is_tool_tolerance"]``, written by the
    assessment) comes first; a record without it (the sample history, an import) gets this
    version's reference when it cites the same source. No range: False.
    """
    if m.reference_low is None and m.reference_high is None:
        return False
    word = record_tool_tolerance_word(a.record, m.label)
    return tolerance_is_tool(m.name, m.reference_source) if word is None else word


def tool_ranges(data: ReportData) -> dict[tuple[str, str | None], bool]:
    """(measure, side) → whether its newest stored range in the period is this tool's tolerance."""
    out: dict[tuple[str, str | None], bool] = {}
    for a in sorted(data.assessments, key=lambda a: a.created_at):
        for m in a.measures:
            out[(m.name, m.side)] = range_is_tool_tolerance(a, m)
    return out


def _withdrawn_source(name: str) -> str:
    """The source shown for a measure whose stored norm this version withdrew: "<source>: norm
    withdrawn", or the tool's own rule where it has no published source at all (a left − right
    difference, stored before with "reference 0, AAOS 1965")."""
    ref = current_reference(name)
    return ref.source if ref.source == DIFFERENCE_SOURCE else ref.source + ": norm withdrawn"


def _without_withdrawn_norms(a: Assessment) -> Assessment:
    """The assessment with no norm on measures this version gives none (``has_no_verdict``): an
    older record may carry a borrowed one (e.g. the C7–tragus CVA norm beside the tool's
    shoulder–ear angle)."""
    if not any(has_no_verdict(m.name) for m in a.measures):
        return a
    measures = tuple(
        replace(m, reference=None, reference_low=None, reference_high=None,
                reference_source=_withdrawn_source(m.name))
        if has_no_verdict(m.name) and (m.reference is not None or m.reference_low is not None
                                        or m.reference_high is not None) else m
        for m in a.measures
    )  # fmt: skip
    return replace(a, measures=measures)


def collect(db: Database, profile_id: int, start: date | None = None, end: date | None = None) -> ReportData:
    """Gather a profile's numbers for a period (``start`` defaults to the first record, ``end`` to today)."""
    start, end = default_period(db, profile_id, start, end)
    data = ReportData(
        profile=db.get_profile(profile_id),
        start=start,
        end=end,
        assessments=db.assessments(profile_id, start, end),
        sessions=db.sessions(profile_id, start, end),
        summaries=db.sessions_between(profile_id, start, end),
        adherence=db.adherence(profile_id, start, end),
        monitor=db.monitor_by_day(profile_id, start, end),
    )
    data.assessments = [assessment_as_now(_without_withdrawn_norms(a)) for a in data.assessments]
    points: list[RomPoint] = []
    for name in sorted({n for n, _ in db.measure_names(profile_id)}):
        points.extend(stored_points(db, profile_id, name, start, end))
    data.changes = measure_changes(points)
    data.exercises = exercise_stats(data.sessions)
    data.plans = [(p, db.plan_version(p.id)) for p in db.plans_by_last_stored(profile_id, include_archived=True)]
    return data


_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _days_text(days: tuple[int, ...]) -> str:
    return "every day" if len(days) == 7 else ",".join(_DAY_NAMES[d] for d in days)


def plan_lines(data: ReportData) -> list[str]:
    """Which plans the adherence counts, and which are retired (their sessions stay in the history).

    An eleventh audit saw "1 of 2 planned sessions done" after one session of week 2, because week 1,
    which week 2 replaced, still planned its days and nothing said so."""
    if not data.plans:
        return []
    counted = [f"{p.name!r} version {v.version} ({_days_text(v.schedule_days)})" for p, v in data.plans
               if not p.archived]  # fmt: skip
    retired = [f"{p.name!r} (retired {p.archived_at.date().isoformat()}: counted only before)" if p.archived_at
               else f"{p.name!r} (retired: not counted)" for p, _ in data.plans if p.archived]  # fmt: skip
    lines = [f"  plans counted for adherence: {', '.join(counted) if counted else 'none'}"]
    if retired:
        lines.append(f"  retired plans (their sessions stay in the history): {', '.join(retired)}")
    return lines


def measure_changes(points: list[RomPoint]) -> list[MeasureChange]:
    """First → last per (measure, side), judged against the MDC (or the measurements' uncertainty)."""
    groups: dict[tuple[str, str | None], list[RomPoint]] = defaultdict(list)
    for p in points:
        groups[(p.name, p.side)].append(p)
    out = []
    for (name, side), pts in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        pts.sort(key=lambda p: p.when)
        first, last = pts[0], pts[-1]
        # The one "real change" rule of the whole tool (assessment.change): beyond both this tool's
        # own error and the stored (possibly borrowed) MDC of either measurement.
        thr = change_threshold(first.uncertainty, last.uncertainty, first.mdc, last.mdc)
        threshold = thr.value
        source = {TOOL: "uncertainty", BORROWED: "MDC"}.get(thr.source, "")
        out.append(
            MeasureChange(
                name,
                side,
                first.unit,
                first.value,
                first.when,
                last.value,
                last.when,
                len(pts),
                threshold,
                source,
                last.reference,
                first.uncertainty,
                last.uncertainty,
            )  # fmt: skip
        )
    return out


def exercise_stats(sessions: list[Session]) -> list[ExerciseStat]:
    """Per exercise and side: sessions, reps, good reps, mean time in range, first/last mean peak angle."""
    per: dict[tuple[str, str | None], list[tuple[Session, list]]] = defaultdict(list)
    for s in sessions:
        reps_by_key: dict[tuple[str, str | None], list] = defaultdict(list)
        for st in s.sets:
            reps_by_key[(st.exercise, st.side)].extend(st.repetitions)
        for key, reps in reps_by_key.items():
            if reps:
                per[key].append((s, reps))
    out = []
    for (exercise, side), items in sorted(per.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        all_reps = [r for _, reps in items for r in reps]
        # an unsure rep has no verdict, and its time in range may be short for the same reason
        tir = [r.time_in_range_frac for r in all_reps if _ok(r.time_in_range_frac) and r.quality != "unsure"]

        first, last = _peak_of(items[0][1]), _peak_of(items[-1][1])
        out.append(
            ExerciseStat(exercise, side, len(items), len(all_reps), sum(r.quality == "good" for r in all_reps),
                         sum(tir) / len(tir) if tir else math.nan, first[0], last[0],
                         unsure=sum(r.quality == "unsure" for r in all_reps), unit=exercise_unit(exercise),
                         first_peak_unc=first[1], last_peak_unc=last[1])
        )  # fmt: skip
    return out


def _peak_of(reps: list) -> tuple[float, float]:
    """(mean peak, its uncertainty) of a session's judged repetitions: an unsure one (the camera
    could not tell whether it reached the target) is left out, as from the time in range; the
    uncertainty is the median of the repetitions' own ± (NaN when none is stored)."""
    judged = [r for r in reps if _ok(r.peak_angle) and r.quality != "unsure"]
    if not judged:
        return math.nan, math.nan
    uncs = [r.peak_unc for r in judged if _ok(r.peak_unc)]
    unc = statistics.median(uncs) if uncs else math.nan
    return sum(r.peak_angle for r in judged) / len(judged), unc


def exercise_unit(name: str) -> str:
    """The unit an exercise's peaks are in, as shown after a number: "°" for angles, " % shoulder
    width" for the shoulder rolls, "" for a ratio such as leg lengths (marching). From the built-in
    definition; a therapist's own exercise not in the library keeps "°" (its file is not stored).
    Until 2026-12-07 every peak was shown in degrees ("peak -14 -> -14°" for shoulder rolls)."""
    from posture_feedback.exercises.library import builtin_names, get_exercise

    if name not in builtin_names():
        return "°"
    unit = get_exercise(name).unit
    return unit if unit in ("°", "") else f" {unit}"


def exercise_measure(name: str) -> str:
    """What an exercise's peaks measure, in words: "shoulder elevation", "head forward lean, change from the
    relaxed start" (a change from the person's own relaxed position, ``baseline_s`` > 0); "" for a therapist's
    own exercise not in the library. The PDF's "Mean peak" column said only "-4 ± 2° → -9 ± 2°" for the chin
    tuck (audit 30)."""
    from posture_feedback.exercises.library import builtin_names, get_exercise

    if name not in builtin_names():
        return ""
    d = get_exercise(name)
    signal = d.signal.replace("{side}_", "").replace("{other}_", "").replace("_{side}", "_to_the_side")
    words = signal.removesuffix("_hips_seen").replace("ear_shoulder", "ear-shoulder").replace("_", " ")
    return words + (", change from the relaxed start" if d.baseline_s > 0 else "")


def status_word(stored: str) -> str:
    """A session's status as every human-facing output says it: ``completed``, ``stopped``,
    ``running``. The database stores a stopped session as ``aborted`` (schema and the results
    exchange file keep that word); sessions.csv said "aborted" where history said "stopped"."""
    return "stopped" if stored == "aborted" else stored


def monitor_time_text(data: ReportData) -> str:
    """'27 s over 1 day', '3 h 24 min over 12 days' (``monitor_hours.format_duration``; it read
    '0.0 h over 1 days' for 27 s): the posture monitor's time in the period."""
    from posture_feedback.monitor_hours import format_duration

    days = len(data.monitor)
    return f"{format_duration(sum(d.monitored_s for d in data.monitor))} over {count_noun(days, 'day')}"


def monitor_split_text(data: ReportData) -> str:
    """'1 day, 12 s watched: good posture confirmed 0 s, not judged 12 s, faults 0 s' (and the
    confirmed-good share of the judged time when a second or more was judged): the posture monitor's
    time in the period as every view words it (``monitor_hours.split_text``). A reading whose ± reaches
    past its threshold is not judged, and its seconds are neither good nor bad posture (a thirteenth
    audit saw "12 s over 1 day, 0% in good posture" where every second was not judged)."""
    return f"{count_noun(len(data.monitor), 'day')}, {split_text(data.monitor)}"


def monitor_document(data: ReportData) -> dict[str, Any]:
    """The period's monitor time for the JSON outputs: whole seconds watched, good posture confirmed,
    judged, not judged, faults (null where not recorded: days stored by an older version), the
    seconds of the days whose judged time is recorded (``recorded_*``: the share is of those), the
    confirmed-good share of their judged time (null under a second judged), and each day's row."""
    sp = data.monitor_split
    share = sp.judged_good_share
    return {
        "days": len(data.monitor), "watched_s": sp.watched_s, "good_s": sp.good_s, "judged_s": sp.judged_s,
        "not_judged_s": sp.not_judged_s, "fault_s": sp.fault_s,
        # a review: with older days mixed in, the share stood beside totals it was not a share of
        "recorded_watched_s": sp.recorded_watched_s, "recorded_good_s": sp.recorded_good_s,
        "recorded_judged_s": sp.recorded_judged_s,
        "good_share_of_judged": None if math.isnan(share) else share,
        "per_day": [{"day": d.day.isoformat(), "monitored_s": d.monitored_s, "good_s": d.good_s,
                     "judged_s": d.judged_s, "alerts": d.alerts} for d in data.monitor],
    }  # fmt: skip


def unsure_note(n: int) -> str:
    """' (3 not judged: the camera could not tell)' after a repetition count; nothing when 0.

    The share of good repetitions leaves those out (``good_fraction``), so the text says so."""
    return f" ({n} not judged: the camera could not tell)" if n else ""


def _pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{100 * x:.0f}%"


def _f(x: float, spec: str = ".1f") -> str:
    return "n/a" if not _ok(x) else format(x, spec)


def _pm(x: float, u: float, unit: str) -> str:
    """'68.5 ± 23.7°': a stored measurement with its uncertainty (the value alone where none is stored)."""
    return f"{_f(x)} ± {u:.1f}{unit}" if _ok(x) and _ok(u) else f"{_f(x)}{unit}"


def peak_pm(value: float, unc: float, digits: int) -> str:
    """'53 ± 8' (a finite mean peak with ``digits`` decimals, its ± where stored), no unit."""
    return f"{value:.{digits}f} ± {unc:.{digits}f}" if math.isfinite(unc) else f"{value:.{digits}f}"


def _peaks(e: ExerciseStat) -> str:
    """', peak 53 ± 8 -> 60 ± 8° (+7.3, uncertainty 22.2°: no detectable change)' in the exercise's
    unit; the ± and the verdict where the peaks' uncertainty is stored; nothing for exercises without
    a peak (holds), never 'nan'."""
    first, last, unit = e.first_peak, e.last_peak, e.unit
    if not _ok(first) and not _ok(last):
        return ""
    digits = e.shown_digits  # the peaks' own, more where fewer would read against the verdict

    def one(v: float, u: float) -> str:
        return peak_pm(v, u, digits) if _ok(v) else "n/a"

    if e.sessions == 1:  # its first is its last: no change to show ("peak 171 ± 21 -> 171 ± 21°" read as one)
        return f", peak {one(last, e.last_peak_unc)}{unit} (one session)"
    text = f", peak {one(first, e.first_peak_unc)} -> {one(last, e.last_peak_unc)}{unit}"
    if _ok(first) and _ok(last):
        verdict = CHANGE_WORDS[e.peak_changed] + (": no ± stored" if e.peak_changed is None else "")
        d = max(e.change_digits, digits) if _ok(e.peak_threshold) else digits
        thr = f", uncertainty {e.peak_threshold:.{d}f}{unit}" if _ok(e.peak_threshold) else ""
        text += f" ({last - first:+.{d}f}{thr}: {verdict})"
    return text


def exercise_line(e: ExerciseStat) -> str:
    """The history's line of one exercise and side ("chin tuck: 16 sessions, 80 attempts (...), 77% good,
    45% in range, peak -3.6 ± 1.5 -> -9.4 ± 1.5° (-5.8, uncertainty 4.2°: change)"), no indent; the exercise
    named in words, as the PDF's table names it (audit 30: 'chin_tuck: 16 sessions')."""
    side = f" ({e.side})" if e.side else ""
    name = e.exercise.replace("_", " ")
    return (f"{name}{side}: {count_noun(e.sessions, 'session')}, {count_noun(e.reps, 'attempt')}"
            f"{unsure_note(e.unsure)}, {_pct(e.good_fraction)} good, "
            f"{_pct(e.mean_time_in_range_frac)} in range{_peaks(e)}")  # fmt: skip


def exercises_document(data: ReportData) -> list[dict[str, Any]]:
    """Each exercise and side for ``history --json``, as the text states it: its counts, its first and last
    mean peaks with their ± (the exercise's unit), the change, its threshold and verdict words (null for
    one session, or where no ± is stored) and the text's own line. (Until audit 32 the JSON had none of
    it, though the README says it prints the same facts as the text.)"""
    out = []
    for e in data.exercises:
        two = e.sessions >= 2 and _ok(e.first_peak) and _ok(e.last_peak)
        out.append({
            "exercise": e.exercise, "side": e.side, "sessions": e.sessions, "attempts": e.reps, "good": e.good,
            "unsure": e.unsure, "good_share_of_judged": _num(e.good_fraction),
            "mean_time_in_range_frac": _num(e.mean_time_in_range_frac), "peak_unit": e.unit.strip(),
            "first_peak": _num(e.first_peak), "first_peak_uncertainty": _num(e.first_peak_unc),
            "last_peak": _num(e.last_peak), "last_peak_uncertainty": _num(e.last_peak_unc),
            "difference": _num(e.last_peak - e.first_peak) if two else None,
            "threshold": _num(e.peak_threshold) if two else None,
            "verdict": CHANGE_WORDS[e.peak_changed] if two else None,
            "text": exercise_line(e),
        })  # fmt: skip
    return out


def change_verdict(c: MeasureChange) -> str | None:
    """A measure's first → last verdict as every output words it (``CHANGE_WORDS``): "change", "no
    detectable change", "cannot judge" (no threshold); None for one measurement (nothing to compare)."""
    if c.n < 2:
        return None
    return CHANGE_WORDS[c.significant]


def change_line(c: MeasureChange) -> str:
    """The history's line of one measure change ("shoulder flexion (right): 126.3 ± 3.2° -> 152.2 ±
    4.1° (+25.9, uncertainty 10.2°: change)"); the JSON carries the same line and its numbers."""
    unit = "°" if c.unit == "deg" else f" {c.unit}"
    if c.n < 2:
        return f"{c.label}: {_pm(c.last, c.last_unc, unit)}{side_text(c.name, c.last, c.last_unc)} (one measurement)"
    thr = f", {c.threshold_source} {c.threshold:.1f}{unit}" if _ok(c.threshold) else ""
    return (f"{c.label}: {_pm(c.first, c.first_unc, unit)}{side_text(c.name, c.first, c.first_unc)} -> "
            f"{_pm(c.last, c.last_unc, unit)}{side_text(c.name, c.last, c.last_unc)} "
            f"({_f(c.delta, '+.1f')}{thr}: {change_verdict(c)})")  # fmt: skip


def text_summary(data: ReportData) -> str:
    """A plain-text summary (the ``posture-feedback history`` output)."""
    lines = [f"{data.profile.name}: {data.start.isoformat()} to {data.end.isoformat()}"]
    done = sum(1 for s in data.summaries if s.status == "completed")
    stopped = sum(1 for s in data.summaries if s.status == "aborted")
    stopped_text = f", {stopped} stopped early" if stopped else ""
    lines.append(
        f"  sessions: {done} done{stopped_text}, {data.done_planned} of {data.planned} planned "
        f"({_pct(data.adherence_rate)}); "
        f"{count_noun(data.n_reps, 'attempt')}{unsure_note(data.n_unsure)}, {_pct(data.good_fraction)} good, "
        f"{_pct(data.mean_time_in_range_frac)} time in range"
    )
    if data.planned:
        lines.append(
            f"  adherence: {data.done_planned} of {data.planned} planned sessions done"
            f", {data.stopped_planned} stopped, {data.extra_sessions} extra (not counted)"
        )
        for w in weekly_adherence(data):
            if not w["in_plan"]:  # a week before the first plan (or after the last): nothing was planned
                continue
            lines.append(f"    week of {w['start']}: {w['done']} of {w['planned']} done ({_pct(w['rate'])})"
                         + (f", {w['stopped']} stopped" if w["stopped"] else ""))  # fmt: skip
    lines.extend(plan_lines(data))
    unfinished = sum(1 for s in data.summaries if s.status == "running")
    if unfinished:
        lines.append(f"  {count_noun(unfinished, 'session')} not finished (app closed or crashed); their repetitions "
                     "are kept")  # fmt: skip
    if data.monitor:
        lines.append(f"  posture monitor: {monitor_split_text(data)}")
    lines.append(f"  assessments: {len(data.assessments)}")
    lines.extend(f"    {change_line(c)}" for c in data.changes)
    lines.extend(ratings_lines(data))
    if data.exercises:
        lines.append("  exercises:")
        for e in data.exercises:
            lines.append("    " + exercise_line(e))
    return "\n".join(lines)


def weekly_adherence(data: ReportData) -> list[dict[str, Any]]:
    """Adherence per calendar week (Monday to Sunday) of the period: planned, done, stopped, extra, rate, and
    whether a plan was in force on any of its days (``in_plan``)."""
    weeks: dict[date, dict[str, Any]] = {}
    for d in data.adherence:
        monday = d.day - timedelta(days=d.day.weekday())
        w = weeks.setdefault(monday, {"week": f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}",
                                      "start": monday.isoformat(), "planned": 0, "done": 0, "stopped": 0,
                                      "extra": 0, "in_plan": False})  # fmt: skip
        w["in_plan"] = w["in_plan"] or getattr(d, "in_plan", True)
        w["planned"] += d.planned
        w["done"] += min(d.done, d.planned)
        w["stopped"] += getattr(d, "stopped", 0)
        w["extra"] += getattr(d, "extra", 0)
    for w in weeks.values():
        w["rate"] = w["done"] / w["planned"] if w["planned"] else math.nan
    return [weeks[k] for k in sorted(weeks)]


def _num(x: float | None) -> float | None:
    """A number for strict JSON: None for NaN, infinity or no value."""
    return x if x is not None and math.isfinite(x) else None


def measure_verdict(a: Assessment, m: Measure) -> str | None:
    """A stored measure's verdict against the range stated beside it (``collect``'s as-now measure),
    None where it has none (no range: no norm, or one this version withdrew).

    The record's own word comes first (a performance test's "below"/"above" words, "not valid in
    this view"); where this version widened the ± (``stored_points.counted_now``) and the interval
    now reaches across a limit, "uncertain" (``assessment.record.verdict``'s rule: a wider ±
    can only turn a verdict uncertain). A record without a word (the sample history, imports) gets
    ``verdict`` on the numbers shown."""
    from posture_feedback.assessment.record import verdict
    from posture_feedback.assessment.rom import ASYMMETRY_WORDS

    if not m.valid:
        return "not valid in this view"
    details = a.record.get("details") if isinstance(a.record, dict) else None
    d = details.get(m.label) if isinstance(details, dict) else None
    stored = d.get("verdict") if isinstance(d, dict) else None
    if m.reference_low is None and m.reference_high is None:
        # a left − right difference has no norm but the tool's own rule's word ("asymmetric", as the
        # evaluation printed it; an audit saw the PDF and history --json give none)
        return stored if stored in ASYMMETRY_WORDS else None
    now = verdict(m.value, m.uncertainty, m.reference_low, m.reference_high)
    if isinstance(stored, str) and stored and now != "uncertain":
        return stored
    return now


def assessments_document(data: ReportData) -> list[dict[str, Any]]:
    """The period's assessments for ``history --json``, as ``collect`` states them now (the same list
    the text counts): date, kind and each measure's value, ± (80 %, its unit), side, unit, range,
    norm, MDC, source, whether the range is this tool's tolerance, and its verdict (``measure_verdict``)."""
    out = []
    for a in data.assessments:
        measures = []
        for m in a.measures:
            ranged = m.reference_low is not None or m.reference_high is not None
            measures.append({
                "measure": m.name, "side": m.side, "value": _num(m.value), "uncertainty": _num(m.uncertainty),
                "unit": m.unit, "side_words": side_phrase(m.name, m.value, m.uncertainty), "valid": m.valid,
                "reference": _num(m.reference),
                "reference_range": {"low": _num(m.reference_low), "high": _num(m.reference_high)} if ranged else None,
                "range_is_tool_tolerance": range_is_tool_tolerance(a, m) if ranged else None,
                "mdc": _num(m.mdc), "reference_source": m.reference_source, "verdict": measure_verdict(a, m),
            })  # fmt: skip
        out.append({"date": a.created_at.isoformat(), "kind": a.kind, "measures": measures})
    return out


def changes_document(data: ReportData) -> list[dict[str, Any]]:
    """Each measure's first → last change for ``history --json``, exactly as the text states it:
    values with their ±, the difference, the threshold and its basis ("uncertainty" / "MDC"), the
    verdict words (``change_verdict``; null for one measurement) and the text's own line."""
    return [
        {"measure": c.name, "side": c.side, "unit": c.unit, "n": c.n,
         "first": _num(c.first), "first_uncertainty": _num(c.first_unc), "first_at": c.first_at.isoformat(),
         "first_side_words": side_phrase(c.name, c.first, c.first_unc),
         "last": _num(c.last), "last_uncertainty": _num(c.last_unc), "last_at": c.last_at.isoformat(),
         "last_side_words": side_phrase(c.name, c.last, c.last_unc),
         "difference": _num(c.delta) if c.n >= 2 else None,
         "threshold": _num(c.threshold) if c.n >= 2 else None,
         "threshold_basis": (c.threshold_source or None) if c.n >= 2 and _ok(c.threshold) else None,
         "verdict": change_verdict(c), "text": change_line(c)}
        for c in data.changes
    ]  # fmt: skip


def history_document(db: Database, data: ReportData) -> dict[str, Any]:
    """The ``history --json`` document: the period's sessions (with plan uid and version, status and
    repetitions), the adherence per week, the assessments and the measure changes (the same
    ``collect``-ed data the text summary states). Strict JSON: NaN is written as null."""
    plans: dict[int, Any] = {}
    sessions = []
    for s in data.sessions:
        plan = None
        if s.plan_id is not None:
            if s.plan_id not in plans:
                plans[s.plan_id] = db.get_plan(s.plan_id)
            p = plans[s.plan_id]
            plan = {"uid": p.uid, "name": p.name, "version": s.plan_version}
        reps = [r for st in s.sets for r in st.repetitions]
        sessions.append({
            "uid": s.uid, "started_at": s.started_at.isoformat(),
            "ended_at": s.ended_at.isoformat() if s.ended_at else None,
            "status": status_word(s.status), "plan": plan,
            "exercises": sorted({st.exercise for st in s.sets}), "reps": len(reps),
            "good_reps": sum(r.quality == "good" for r in reps),
            "unsure_reps": sum(r.quality == "unsure" for r in reps),
        })  # fmt: skip
    weeks = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in w.items()}
             for w in weekly_adherence(data)]  # fmt: skip
    return {
        "profile": data.profile.name,
        "period": {"start": data.start.isoformat(), "end": data.end.isoformat()},
        "sessions": sessions,
        "plans": [
            {"uid": p.uid, "name": p.name, "version": v.version, "days": [_DAY_NAMES[d] for d in v.schedule_days],
             "retired": p.archived,
             "retired_at": p.archived_at.isoformat() if p.archived_at else None}
            for p, v in data.plans
        ],  # fmt: skip
        "adherence": {
            "planned": data.planned, "done": data.done_planned, "stopped": data.stopped_planned,
            "extra": data.extra_sessions, "rate": None if math.isnan(data.adherence_rate) else data.adherence_rate,
            "weeks": weeks,
        },  # fmt: skip
        "monitor": monitor_document(data),
        "assessments": assessments_document(data),
        "changes": changes_document(data),
        "exercises": exercises_document(data),
    }


def ratings_lines(data: ReportData) -> list[str]:
    """Pain and effort as the patient rated them (medians over the rated sessions; nothing if none)."""
    from statistics import median

    from posture_feedback.storage.ratings import ratings_from_extras

    rated = [r for r in (ratings_from_extras(s.extras) for s in data.sessions) if r.any]
    if not rated:
        return []
    sessions = "session" if len(rated) == 1 else "sessions"
    out = [f"  pain and effort (rated in {len(rated)} {sessions}; medians, before -> after):"]
    for what, scale in (("pain", "NRS 0-10"), ("effort", "Borg CR10")):
        b = [getattr(r, f"{what}_before") for r in rated if _ok(getattr(r, f"{what}_before"))]
        a = [getattr(r, f"{what}_after") for r in rated if _ok(getattr(r, f"{what}_after"))]
        show = [f"{median(v):g} (n={len(v)})" if v else "not rated" for v in (b, a)]
        out.append(f"    {what} ({scale}): {show[0]} -> {show[1]}")
    return out
