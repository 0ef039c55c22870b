"""A made-up but plausible history for demos, screenshots and tests (never used for real patients).

``fill_sample_history`` writes, through the public :class:`Database` API, six weeks of a shoulder
programme: a plan done Monday/Wednesday/Friday (most days), ROM tests every two weeks with slowly
improving shoulder flexion and abduction, posture screens, daily posture-monitor totals and the
same time per hour of the day (weekdays 08:00–18:00, weekends 10:00–12:00; today only the hours
already over), and a whole camera calibration and sitting neutral as the `calibrate` commands store
them (so `analyze --profile` and the app read them).
The numbers follow a seeded random generator, so the same seed gives the same database.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from posture_feedback.assessment.change import tool_mdc
from posture_feedback.assessment.references import current_reference
from posture_feedback.calibration.camera import CameraCalibration
from posture_feedback.calibration.neutral import NeutralPosture
from posture_feedback.storage.database import Database
from posture_feedback.storage.models import Measure, Profile, Repetition

SAMPLE_PLAN_TOML = """\
# Shoulder programme (sample data), done Monday, Wednesday and Friday.
title = "Shoulder programme"
rest_between_s = 30

[[exercise]]
name = "forward_reach"
side = "both"
sets = 2
reps = 8
rest_s = 45

[[exercise]]
name = "lateral_raise"
side = "both"
sets = 2
reps = 8
rest_s = 45

[[exercise]]
name = "chin_tuck"
sets = 1
reps = 5
"""

#: Healthy active ROM (degrees) the made-up values are drawn around, and a minimal detectable change
#: used by the sample data. AAOS (Greene & Heckman 1994) via Norkin & White, *Measurement of Joint
#: Motion*. These supine goniometric values only shape the numbers: the *norm stored* with each
#: measure is this version's reference (``assessment.references``), which gives none for them.
SAMPLE_ROM = {
    "shoulder_flexion": (180.0, 9.0, "AAOS; Norkin & White 2016"),
    "shoulder_abduction": (180.0, 10.0, "AAOS; Norkin & White 2016"),
    "elbow_flexion": (150.0, 6.0, "AAOS; Norkin & White 2016"),
}

#: The made-up posture screen's uncertainties (degrees, 80% half-width): about what the tool states
#: side-on for its head angle (``kinematics.UNC_BASE``: 10°) and face-on for the shoulder tilt (median
#: ±4.9° on the accuracy set's front view, docs/accuracy.md). Until 2026-12-07 the sample stored a
#: CVA of 44–51° ±3° (the clinical C7–tragus scale, which this tool does not measure: its upright
#: head reads 70–80°) and a shoulder tilt ±1.5°, finer than the tool measures.
SAMPLE_SCREEN_UNC = {"craniovertebral_angle": 10.0, "shoulder_tilt": 5.0}
#: The made-up repetitions' peak uncertainty (degrees, 80% half-width): about what the tool states for
#: an arm raise's shoulder elevation seen face-on (``kinematics.UNC_BASE``: 9°).
SAMPLE_PEAK_UNC = 8.0
#: The made-up chin tucks' peak uncertainty (degrees): a change of the head line from the set's own
#: relaxed position, side-on (made up, as the rest of the sample).
SAMPLE_TUCK_UNC = 1.5
#: The chin tuck's goal (degrees of head_forward_lean from the relaxed head: ``chin_tuck.toml``).
TUCK_GOAL = -6.0


def _tuck_quality(peak: float, unc: float = SAMPLE_TUCK_UNC) -> str:
    """The runner's verdict for a made-up tuck (``exercises.reps``): past the goal by more than its
    ± good, short of it by more than its ± poor, else unsure (a review saw tucks 'good' whose ±
    spanned the goal)."""
    if abs(peak - TUCK_GOAL) <= unc:
        return "unsure"
    return "good" if peak < TUCK_GOAL else "poor"


def fill_sample_history(
    db: Database, name: str = "Sample patient", *, end: date | None = None, weeks: int = 6, seed: int = 7
) -> Profile:
    """Create profile ``name`` with ``weeks`` weeks of history ending on ``end`` (default today)."""
    rng = random.Random(seed)
    hour_rng = random.Random(seed + 1)  # its own stream: the per-hour split leaves every other number as it was
    end = end or date.today()
    start = end - timedelta(weeks=weeks) + timedelta(days=1)
    tz = datetime.now().astimezone().tzinfo

    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=tz)

    profile = db.create_profile(name, notes="sample data (not a real patient)")
    # Whole records, as `calibrate camera` / `calibrate neutral` store them, so that the commands
    # read them (`analyze --profile` found "no saved neutral" in the bare {"trunk_inclination": 3.5}).
    made = at(start, 9).astimezone(timezone.utc).isoformat(timespec="seconds")
    camera = CameraCalibration(roll_deg=1.8, pitch_deg=-4.0, spread=0.4, n_frames=90, pitch_spread=0.9,
                               axis="ankle", camera="camera 0", created_at=made)  # fmt: skip
    db.add_calibration(profile.id, "camera", camera.to_dict(), camera="camera 0")
    neutral = NeutralPosture(
        angles={"trunk_inclination": 3.5, "head_tilt": 1.2, "shoulder_tilt": 0.8},
        spread={"trunk_inclination": 0.6, "head_tilt": 0.9, "shoulder_tilt": 0.7}, posture="sitting",
        n_frames={"trunk_inclination": 88, "head_tilt": 86, "shoulder_tilt": 88}, view="front", created_at=made,
        trunk_sd=0.6, duration_s=3.0, view_fraction=1.0, camera="camera 0",
    )  # fmt: skip
    db.add_calibration(profile.id, "neutral", neutral.to_dict())
    plan = db.create_plan(profile.id, "Shoulder programme", SAMPLE_PLAN_TOML, schedule_days=(0, 2, 4),
                          created_at=at(start, 9))  # fmt: skip

    # Assessments every two weeks, ROM improving on the affected (right) side.
    for k, day in enumerate(_every(start, end, 14)):
        measures = []
        for measure, (ref, mdc, _source) in SAMPLE_ROM.items():
            for side in ("left", "right"):
                deficit = (55.0 if side == "right" else 12.0) * (1.0 - 0.22 * k)
                if measure == "elbow_flexion":
                    deficit *= 0.2
                value = ref - deficit + rng.gauss(0, 2.5)
                measures.append(
                    Measure(
                        measure,
                        round(value, 1),
                        round(rng.uniform(3, 6), 1),
                        side=side,
                        mdc=mdc,
                        **_norm(measure),
                    )  # fmt: skip
                )
        db.add_assessment(profile.id, "rom", {"tests": list(SAMPLE_ROM), "view": "front"}, measures,
                          created_at=at(day, 10))  # fmt: skip
        # On this tool's own scale (shoulder joint → ear: upright reads 70–80°, not the clinical
        # C7 → tragus 45–55°), with the ± the tool states (SAMPLE_SCREEN_UNC) and its own MDC.
        cva = 70.0 + 1.5 * k + rng.gauss(0, 1.0)
        cva_u, tilt_u = SAMPLE_SCREEN_UNC["craniovertebral_angle"], SAMPLE_SCREEN_UNC["shoulder_tilt"]
        db.add_assessment(
            profile.id,
            "posture_screen",
            {"views": ["front", "side"]},
            [
                Measure("craniovertebral_angle", round(cva, 1), cva_u, mdc=round(tool_mdc(cva_u), 1),
                        **_norm("craniovertebral_angle")),
                Measure("shoulder_tilt", round(rng.gauss(2.5, 1.0), 1), tilt_u, mdc=round(tool_mdc(tilt_u), 1),
                        **_norm("shoulder_tilt")),
            ],  # fmt: skip
            created_at=at(day, 10, 30),
        )

    # Sessions on planned days (Mon/Wed/Fri), most of them done, some extra practice.
    day = start
    n = 0
    while day <= end:
        planned = day.weekday() in (0, 2, 4)
        if (planned and rng.random() < 0.8) or (not planned and rng.random() < 0.08):
            progress = (day - start).days / max(1, (end - start).days)
            _sample_session(db, profile.id, plan.id, at(day, 18, rng.randint(0, 40)), progress, rng)
            n += 1
        monitored = rng.uniform(1.5, 5.0) * 3600 if day.weekday() < 5 else rng.uniform(0, 1.0) * 3600
        if monitored > 60:
            good = monitored * min(
                0.95, 0.45 + 0.35 * (day - start).days / max(1, (end - start).days) + rng.gauss(0, 0.06)
            )
            good = max(0.0, good)
            alerts = rng.randint(0, 12)
            hours = _sample_hours(day, monitored, good, hour_rng)
            if hours:  # the day's total is the sum of its hours (today: only the hours begun so far)
                monitored, good = sum(m for _, m, _ in hours), sum(g for _, _, g in hours)
                judged = 0.0
                for hour, m, g in hours:
                    j = sample_judged_s(m, g)
                    judged += j
                    db.add_monitor_hour(profile.id, day, hour, m, g, judged_s=j)
                db.add_monitor_time(profile.id, day, monitored, good, alerts=alerts, judged_s=judged)
        day += timedelta(days=1)
    return db.get_profile(profile.id)


#: The made-up share of an hour's seconds outside confirmed good posture that the coach could not
#: judge (a reading's ± reached past its threshold); the rest of them are confirmed faults.
SAMPLE_NOT_JUDGED_SHARE = 0.4


def sample_judged_s(monitored_s: float, good_s: float) -> float:
    """The made-up seconds judged of an hour (good posture confirmed, or a fault confirmed): its good
    seconds plus 60 % of the rest (``SAMPLE_NOT_JUDGED_SHARE`` not judged). No random draw, so that
    every other sample number stays as it was. E.g. 3000 s watched, 2000 s good: 2600 s judged."""
    return good_s + (1.0 - SAMPLE_NOT_JUDGED_SHARE) * max(monitored_s - good_s, 0.0)


#: The made-up working hours a weekday's monitor time is spread over, and a weekend day's.
WORKDAY_HOURS = range(8, 18)
WEEKEND_HOURS = range(10, 12)
#: The most a made-up hour holds (55 of its 60 minutes).
MAX_HOUR_S = 3300.0


def _sample_hours(
    day: date, monitored: float, good: float, rng: random.Random, now: datetime | None = None
) -> list[tuple[int, float, float]]:
    """(hour, seconds watched, seconds in good posture) for one made-up day, summing to the day's
    ``monitored`` and ``good``: spread over working hours (no hour over 60 minutes), a little better
    in the morning than in the afternoon. On today's date only the hours already over by ``now``
    are used, each at most ``MAX_HOUR_S``, so the day's total may shrink (none over yet: no hours,
    no day). Another day's ten (weekend: two) hours hold its total as drawn (at most 17 % of 5 h each)."""
    now = now or datetime.now()
    hours = list(WORKDAY_HOURS if day.weekday() < 5 else WEEKEND_HOURS)
    weights = [rng.uniform(0.7, 1.3) for _ in hours]  # the largest share of 10 hours: 1.3 / 7.6 = 17 %
    if day == now.date():  # only the hours already over
        weights = [w for h, w in zip(hours, weights, strict=True) if h + 1 <= now.hour]
        hours = [h for h in hours if h + 1 <= now.hour]
        if not hours:
            return []
    total = sum(weights)
    watched = [monitored * w / total for w in weights]
    fits = min(1.0, MAX_HOUR_S / max(watched))  # below 1 only on a short today: the day shrinks with it
    watched, monitored, good = [m * fits for m in watched], monitored * fits, good * fits
    share = good / monitored if monitored > 0 else 0.0
    mid = sum(h * m for h, m in zip(hours, watched, strict=True)) / monitored
    tilt = [mid - h for h in hours]  # + in the morning; sum(m * tilt) = 0, so the day's good time is kept
    slope = 0.03  # share of good posture per hour earlier in the day, less where it would leave 0..1
    for t in tilt:
        if t > 0:
            slope = min(slope, (1.0 - share) / t)
        elif t < 0:
            slope = min(slope, share / -t)
    return [(h, m, m * min(1.0, max(0.0, share + slope * t))) for h, m, t in zip(hours, watched, tilt, strict=True)]


def _norm(measure: str) -> dict:
    """The stored norm fields of a measure: this version's reference (none where it gives none)."""
    ref = current_reference(measure)
    if ref is None:
        return {}
    none = ref.typical is None and ref.low is None and ref.high is None
    return {"reference": ref.typical, "reference_low": ref.low, "reference_high": ref.high,
            "reference_source": ref.source + (": no norm here" if none else "")}  # fmt: skip


def _every(start: date, end: date, step_days: int) -> list[date]:
    days = []
    d = start
    while d <= end:
        days.append(d)
        d += timedelta(days=step_days)
    return days


def _sample_session(
    db: Database, profile_id: int, plan_id: int, t0: datetime, progress: float, rng: random.Random
) -> None:
    sid = db.start_session(profile_id, plan_id, source="camera 0", started_at=t0)
    t = t0
    for exercise, angle, target in (
        ("forward_reach", "shoulder_elevation", 150.0),
        ("lateral_raise", "shoulder_elevation", 140.0),
    ):
        for side in ("left", "right"):
            set_id = db.add_set(sid, exercise, side=side, target_reps=8, started_at=t)
            for i in range(1, 9):
                dur = rng.uniform(3.0, 4.5)
                deficit = (35.0 if side == "right" else 8.0) * (1.0 - 0.7 * progress)
                peak = target - deficit + rng.gauss(0, 6.0)
                frac = max(0.0, min(1.0, 0.55 + 0.35 * progress + rng.gauss(0, 0.1) - (0.15 if side == "right" else 0)))
                score = max(0.0, min(1.0, frac + rng.gauss(0, 0.08)))
                quality = "good" if score >= 0.7 else ("fair" if score >= 0.45 else "poor")
                comp = ("trunk_lean",) if quality == "poor" else ()
                db.add_repetition(
                    set_id,
                    Repetition(i, t, t + timedelta(seconds=dur), angle=f"{side}_{angle}", peak_angle=round(peak, 1),
                               peak_unc=SAMPLE_PEAK_UNC, time_in_range_s=round(dur * frac, 2),
                               time_in_range_frac=round(frac, 3),
                               tempo_s=round(dur, 2), quality=quality, quality_score=round(score, 3),
                               compensations=comp),
                )  # fmt: skip
                t += timedelta(seconds=dur + 1.0)
            db.end_set(set_id, ended_at=t)
            t += timedelta(seconds=45)
    # Chin tucks as the built-in exercise counts them (the plan's 5 reps, each the change of
    # head_forward_lean from the relaxed head, target -6° held 3 s), not a 10 s hold of an absolute
    # angle (an eleventh audit: "19 attempts ... peak 52 -> 50°" against a plan of 5 reps). The two
    # draws of the old hold are still made, so that every other sample number stays as it was.
    held, cva = rng.gauss(0, 0.8), rng.gauss(0, 2)
    set_id = db.add_set(sid, "chin_tuck", target_reps=5, target_hold_s=3.0, started_at=t)
    for i in range(1, 6):
        wobble = ((i * 7 + round(10 * (held + cva))) % 5 - 2) * 0.6  # no random draw: -1.2 .. +1.2°
        peak = round(-(4.5 + 5.0 * progress) + wobble, 1)
        dur = 6.0
        in_range = max(0.0, min(3.5, 3.5 * (-peak - 4.0) / 4.0))
        db.add_repetition(
            set_id,
            Repetition(i, t, t + timedelta(seconds=dur), angle="head_forward_lean", peak_angle=peak,
                       peak_unc=SAMPLE_TUCK_UNC, time_in_range_s=round(in_range, 2),
                       time_in_range_frac=round(in_range / dur, 3), tempo_s=dur,
                       quality=_tuck_quality(peak), quality_score=round(min(1.0, -peak / 8.0), 3)),
        )  # fmt: skip
        t += timedelta(seconds=dur + 2.0)
    db.end_set(set_id, ended_at=t)
    db.end_session(sid, ended_at=t)
    # Made-up ratings (no random draw, so the other sample numbers stay as they were): pain easing over
    # the weeks and a little lower after a session, effort moderate and easing.
    pain = round(5.0 - 3.0 * progress)
    db.update_session_extras(sid, {"ratings": {
        "pain_before": pain, "pain_after": max(0, pain - 1), "effort_before": 0.5,
        "effort_after": round(2 * (5.0 - 2.0 * progress)) / 2,
    }})  # fmt: skip
