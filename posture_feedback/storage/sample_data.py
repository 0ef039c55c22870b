"""A made-up but plausible history for demos, screenshots and tests (never used for real patients).

``fill_sample_history`` writes, through the public :class:`Database` API, six weeks of a shoulder
programme: a plan done Monday/Wednesday/Friday (most days), ROM tests every two weeks with slowly
improving shoulder flexion and abduction, posture screens, and daily posture-monitor totals.
The numbers follow a seeded random generator, so the same seed gives the same database.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from posture_feedback.assessment.references import current_reference
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


def fill_sample_history(
    db: Database, name: str = "Sample patient", *, end: date | None = None, weeks: int = 6, seed: int = 7
) -> Profile:
    """Create profile ``name`` with ``weeks`` weeks of history ending on ``end`` (default today)."""
    rng = random.Random(seed)
    end = end or date.today()
    start = end - timedelta(weeks=weeks) + timedelta(days=1)
    tz = datetime.now().astimezone().tzinfo

    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=tz)

    profile = db.create_profile(name, notes="sample data (not a real patient)")
    db.add_calibration(profile.id, "camera", {"roll_deg": 1.8, "pitch_deg": -4.0}, camera="camera 0")
    db.add_calibration(profile.id, "neutral", {"trunk_inclination": 3.5, "head_tilt": 1.2})
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
        cva = 44.0 + 1.5 * k + rng.gauss(0, 1.0)
        db.add_assessment(
            profile.id,
            "posture_screen",
            {"views": ["front", "side"]},
            [
                Measure("craniovertebral_angle", round(cva, 1), 3.0, mdc=4.0, **_norm("craniovertebral_angle")),
                Measure("shoulder_tilt", round(rng.gauss(2.5, 1.0), 1), 1.5, mdc=2.0, **_norm("shoulder_tilt")),
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
            db.add_monitor_time(profile.id, day, monitored, max(0.0, good), alerts=rng.randint(0, 12))
        day += timedelta(days=1)
    return db.get_profile(profile.id)


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
                               time_in_range_s=round(dur * frac, 2), time_in_range_frac=round(frac, 3),
                               tempo_s=round(dur, 2), quality=quality, quality_score=round(score, 3),
                               compensations=comp),
                )  # fmt: skip
                t += timedelta(seconds=dur + 1.0)
            db.end_set(set_id, ended_at=t)
            t += timedelta(seconds=45)
    set_id = db.add_set(sid, "chin_tuck", target_hold_s=10.0, started_at=t)
    held = min(10.0, 6.0 + 4.0 * progress + rng.gauss(0, 0.8))
    db.add_repetition(
        set_id,
        Repetition(1, t, t + timedelta(seconds=held), angle="craniovertebral_angle",
                   peak_angle=round(52 + rng.gauss(0, 2), 1),
                   time_in_range_s=round(held, 2), time_in_range_frac=round(held / 10.0, 3), tempo_s=round(held, 2),
                   quality="good" if held >= 9 else "fair", quality_score=round(held / 10.0, 3)),
    )  # fmt: skip
    t += timedelta(seconds=held)
    db.end_set(set_id, ended_at=t)
    db.end_session(sid, ended_at=t)
    # Made-up ratings (no random draw, so the other sample numbers stay as they were): pain easing over
    # the weeks and a little lower after a session, effort moderate and easing.
    pain = round(5.0 - 3.0 * progress)
    db.update_session_extras(sid, {"ratings": {
        "pain_before": pain, "pain_after": max(0, pain - 1), "effort_before": 0.5,
        "effort_after": round(2 * (5.0 - 2.0 * progress)) / 2,
    }})  # fmt: skip
