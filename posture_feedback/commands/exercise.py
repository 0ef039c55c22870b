"""``posture-feedback exercise``: guided exercises and treatment plans.

* ``exercise --list``: the built-in exercises, one per line (name — description).
* ``exercise NAME|PLAN --video FILE --headless [--out reps.csv|reps.json]``: run the pipeline on a
  recording, count repetitions / time holds as in a session (no instruction, countdown or rest
  waits), print a summary and write one row per repetition.
* ``exercise NAME --video DEMO --headless --save-demo OUT.npz [--tolerance DEG]``: turn a recorded
  therapist demonstration into a target (ranges, tempo, ghost) for a plan's ``demonstration``.
* ``exercise NAME|PLAN [--source ...]``: run the session in the desktop app.
* ``exercise --profile NAME [--video FILE --headless]``: no exercise named: run the profile's active
  plan (the newest stored one: ``profile add-plan`` or an imported programme), in the app or on a
  recording. With ``--profile`` the session is recorded in the profile's history, with the plan's
  uid and version.

NAME is a built-in exercise or an exercise-definition ``.toml``; PLAN is a plan ``.toml``
(docs/plan_format.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import tomllib
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from posture_feedback.commands import finite_float, person_point
from posture_feedback.commands.analyze import add_model_options, with_model_options
from posture_feedback.errors import PostureFeedbackError, SourceError
from posture_feedback.output_files import OutputFile, check_output
from posture_feedback.storage.recorder import NOBODY_FOUND, NOBODY_TEXT
from posture_feedback.words import count_noun

REP_COLUMNS = (
    "exercise", "side", "set", "rep", "counted", "count", "verdict", "issues", "start_s", "end_s", "duration_s",
    "peak", "peak_unc", "time_in_range_s", "hold_s", "out_s", "back_s", "compensations", "feedback",
)  # fmt: skip


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "exercise",
        help="guided exercises: list them, count reps on a video, or run a plan in the app",
        description="Guided exercises and treatment plans: repetitions, holds, balance and marching.",
    )
    p.add_argument("what", nargs="?", metavar="NAME|PLAN",
                   help="a built-in exercise, an exercise definition .toml, or a plan .toml")  # fmt: skip
    p.add_argument("--list", action="store_true", help="print the built-in exercises, one per line")
    p.add_argument("--video", metavar="FILE", help="recorded video to analyse (with --headless)")
    p.add_argument("--headless", action="store_true", help="no window: count on --video and print/write the results")
    p.add_argument("--out", "-o", type=Path, metavar="reps.csv|reps.json", help="write per-repetition results")
    p.add_argument("--source", metavar="N|FILE|sample", help="camera index or video for the app (default 0)")
    p.add_argument("--profile", metavar="NAME",
                   help="record the session in this profile's history; without NAME|PLAN: run its plan")  # fmt: skip
    p.add_argument("--data-dir", type=Path, metavar="DIR",
                   help="folder of the database (default: $POSTURE_FEEDBACK_DATA_DIR, else the user data folder; "
                        "see `posture-feedback profile where`)")  # fmt: skip
    for when in ("before", "after"):
        p.add_argument(f"--pain-{when}", type=finite_float, metavar="0-10",
                       help=f"headless, with --profile: pain {when} the session (NRS 0-10)")  # fmt: skip
        p.add_argument(f"--effort-{when}", type=finite_float, metavar="0-10",
                       help=f"headless, with --profile: effort {when} the session (Borg CR10, 0-10)")  # fmt: skip
    p.add_argument("--frames", type=int, metavar="N", help="app: process N frames, then (with --screenshot) exit")
    p.add_argument("--screenshot", type=Path, metavar="OUT.png", help="app: save the window after --frames frames")
    p.add_argument("--side", choices=("left", "right", "both"), help="side for a single exercise (default both)")
    p.add_argument("--reps", type=int, metavar="N", help="single exercise: repetitions per set")
    p.add_argument("--sets", type=int, metavar="N", help="single exercise: number of sets")
    p.add_argument("--hold", type=finite_float, metavar="S", help="single exercise: seconds to hold")
    p.add_argument("--max-frames", type=int, metavar="N", help="stop after N frames of --video")
    p.add_argument("--camera", metavar="NAME",
                   help="apply a stored camera calibration (from `calibrate camera --name NAME`); 'level' for a "
                        "level camera. Default: the camera's vertical from the scene's lines (the recording's, "
                        "or the camera's first 1.5 s in the window)")  # fmt: skip
    p.add_argument("--person", type=person_point, metavar="X,Y",
                   help="headless: follow the person at this pixel of --video (e.g. 540,700) instead of the "
                   "largest and most central")  # fmt: skip
    p.add_argument("--save-demo", type=Path, metavar="OUT.npz",
                   help="treat --video as the therapist's demonstration of NAME and save it as a target")  # fmt: skip
    p.add_argument("--tolerance", type=finite_float, default=10.0, metavar="DEG",
                   help="with --save-demo: range tolerance around the demonstrated angles (default 10)")  # fmt: skip
    add_model_options(p, follow_default="off, in the exercise window and on recordings")
    p.set_defaults(func=run)


def list_lines() -> list[str]:
    """``name — description`` of every built-in exercise."""
    from posture_feedback.exercises.library import list_exercises

    return [f"{d.name} — {d.description}" for d in list_exercises()]



#: The repetitions asked of a single exercise counted on a recording without ``--reps``: all of
#: them (the recording's end ends the set; stored with no target, ``SessionRecorder.open_ended``).
COUNT_ALL_REPS = 10_000
#: ``Plan.extra`` key marking such a plan (not the number: ``--reps 10000`` keeps its target).
COUNT_TO_END = "count_to_end"


def counts_to_the_end(plan) -> bool:
    """A single exercise counted on a recording to its end (no ``--reps`` given)."""
    return bool(plan.extra.get(COUNT_TO_END))


def completed_by_the_recording(result):
    """``result`` (a ``SessionResult``) of a run counted to the recording's end (``counts_to_the_end``):
    the recording's end is the end it was counted to, so the session is completed and each set that
    the end stopped is complete, as the summary says and the history stores it
    (``SessionRecorder.open_ended``). Before, the ``--out`` JSON said "status": "stopped" (and each set
    "end_reason": "stopped") beside "session: completed" for the same run (a review)."""
    sets = tuple(replace(s, end_reason="complete") if s.end_reason == "stopped" else s for s in result.sets)
    return replace(result, sets=sets, stopped=False)


def load_what(what: str, args: argparse.Namespace, headless: bool):
    """A ``Plan`` from a built-in name, a definition file or a plan file (command-line overrides applied)."""
    from posture_feedback.exercises.errors import PlanError
    from posture_feedback.exercises.library import builtin_names, get_exercise
    from posture_feedback.exercises.plan import MAX_SETS, Plan, default_item, load_plan, read_plan_text

    path = Path(what)
    is_file = what.endswith(".toml") or path.is_file()
    if is_file and path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            data = {"exercise": None}  # let the plan loader report the precise error
        except OSError:  # no permission: a PlanError naming the file (the window's Open… crashed on it)
            read_plan_text(path)
            raise
        if "exercise" in data or "kind" not in data:
            if any(v is not None for v in (args.side, args.reps, args.sets, args.hold)):
                raise PostureFeedbackError("--side/--reps/--sets/--hold apply to a single exercise, not to a plan")
            return load_plan(path, contained=True)  # what `profile add-plan` can store and send
    elif is_file:
        raise PlanError(what, None, "", "is a folder, not a plan file" if path.is_dir() else "file not found")
    elif what not in builtin_names():
        raise PostureFeedbackError(f"unknown exercise {what!r} (see `posture-feedback exercise --list`)")
    defn = get_exercise(what)
    item = default_item(defn, what)
    changes: dict[str, Any] = {}
    if args.side:
        if args.side != "both" and (not defn.sided or defn.kind == "gait"):
            raise PostureFeedbackError(f"{defn.name} is not done with one side: leave out --side")
        changes["side"] = args.side
    # a plan file's bound (exercises/plan.py): --sets 1000000000 built a billion steps and hung
    # before the first frame (audit 28)
    if args.sets is not None:
        if not 1 <= args.sets <= MAX_SETS:
            raise PostureFeedbackError(f"--sets must be from 1 to {MAX_SETS}, not {args.sets}")
        changes["sets"] = args.sets
    if args.reps is not None:
        if args.reps < 1 or defn.kind in ("hold", "balance"):
            raise PostureFeedbackError("--reps must be at least 1, and only for repetition or marching exercises")
        changes["reps"] = args.reps
    if args.hold is not None:
        if args.hold <= 0 or defn.kind == "reps":
            raise PostureFeedbackError("--hold must be positive, and only for hold, balance or marching exercises")
        changes["hold_s"] = args.hold
        if defn.kind == "gait" and args.reps is None:
            changes["reps"] = None
    to_end = False
    if headless:
        # a recording: one pass counting everything unless told otherwise
        changes.setdefault("sets", 1)
        if defn.kind in ("reps", "gait") and "reps" not in changes and "hold_s" not in changes:
            changes["reps"] = COUNT_ALL_REPS
            to_end = True
    item = replace(item, **changes)
    return Plan(items=[item], title=defn.title, extra={COUNT_TO_END: True} if to_end else {})


def side_passes(plan) -> list:
    """The plans a recording is counted with, each over all of its frames: the plan itself, or for a
    single exercise done one side at a time (``both = "each"``) counted to the recording's end, one
    plan per side. The plan's own order (the left side's set, then the right's) needs the left set to
    end, and counted to the end it never does: a headless ``--side both`` run counted the left side
    only and said "every repetition in the recording counted" (a new-user audit, 2026-12-07)."""
    if not counts_to_the_end(plan) or len(plan.items) != 1 or len(plan.items[0].sides) < 2:
        return [plan]
    item = plan.items[0]
    return [replace(plan, items=[replace(item, side=side)]) for side in item.sides]


def for_recording(plan):
    """The plan as it runs on a recording: no instruction, countdown or rest waits."""
    items = [replace(i, rest_s=0.0) for i in plan.items]
    # everything else (notes, precautions, planned days, feedback schedule, stored identity) is kept
    return replace(plan, items=items, countdown_s=0.0, instruction_s=0.0, rest_between_s=0.0, extra=dict(plan.extra))


def open_profile_database(args: argparse.Namespace):
    """(database, profile) of ``--profile NAME`` in ``--data-dir`` (or the default data folder)."""
    from posture_feedback.storage import Database

    db = Database.open_default(str(args.data_dir) if args.data_dir else None)
    try:
        return db, db.profile_by_name(args.profile)
    except Exception:
        db.close()
        raise


def load_session_plan(args: argparse.Namespace, headless: bool):
    """The plan to run: NAME|PLAN as given, else the ``--profile``'s active stored plan."""
    if args.what:
        return load_what(args.what, args, headless=headless)
    if any(v is not None for v in (args.side, args.reps, args.sets, args.hold)):
        raise PostureFeedbackError("--side/--reps/--sets/--hold apply to a single exercise, not to a plan")
    from posture_feedback.storage.stored_plans import default_plan_line, load_active_plan

    db, profile = open_profile_database(args)
    with db:
        plan = load_active_plan(db, profile.id)
        print(default_plan_line(db, profile.id, "is doing plan {}"))  # which plan and version, in every run
        return plan


def _num(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 3)


def rep_rows(events) -> list[dict[str, Any]]:
    """One dict per repetition event (columns ``REP_COLUMNS``); times in seconds of the recording."""
    from posture_feedback.exercises.events import RepEvent, SetDone

    # A set's repetitions come before its SetDone (the tracker keeps its own copies of them, so
    # they are matched by order, not by identity: matched by identity every row had no exercise
    # and set 0).
    set_of: dict[int, tuple[str, int]] = {}
    pending: list[int] = []
    for k, e in enumerate(events):
        if isinstance(e, RepEvent):
            pending.append(k)
        elif isinstance(e, SetDone):
            for j in pending:
                set_of[j] = (e.result.exercise, e.result.set_number)
            pending = []
    rows = []
    for k, e in enumerate(events):
        if not isinstance(e, RepEvent):
            continue
        r = e.rep
        exercise, set_number = set_of.get(k, ("", 0))
        rows.append({
            "exercise": exercise, "side": r.side, "set": set_number, "rep": r.number, "counted": r.counted,
            "count": r.count, "verdict": r.verdict.value, "issues": ";".join(i.value for i in r.issues),
            "start_s": _num(r.start_t), "end_s": _num(r.end_t), "duration_s": _num(r.duration_s),
            "peak": _num(r.peak), "peak_unc": _num(r.peak_uncertainty),
            "time_in_range_s": _num(r.time_in_range_s), "hold_s": _num(r.hold_s),
            "out_s": _num(r.out_s), "back_s": _num(r.back_s), "compensations": ";".join(r.compensations),
            "feedback": " | ".join(e.feedback),
        })  # fmt: skip
    return rows


def _set_dict(s) -> dict[str, Any]:
    d: dict[str, Any] = {
        "exercise": s.exercise, "side": s.side, "set": s.set_number, "end_reason": s.end_reason, "count": s.count,
        "start_s": _num(s.start_t), "end_s": _num(s.end_t),
        "faults_s": {k: _num(v) for k, v in s.faults_s.items()},
    }  # fmt: skip
    for key in ("hold", "sway", "gait"):
        value = getattr(s, key)
        if value is not None:
            d[key] = {k: (_num(v) if isinstance(v, float) else v) for k, v in asdict(value).items()}
    if s.hold is not None:  # False: the camera left more of the hold unsure than it decided
        d["hold"]["judged"] = s.hold.judged
    return d


def hold_text(hold) -> str:
    """A hold's line in the summary: held time and breaks, then the time the camera could not tell
    in from out (the clock waited, no break) and the time its ± was wider than the range."""
    text = f"held {hold.held_s:.1f} s of {hold.target_s:g} s, breaks {hold.breaks}"
    if hold.time_to_first_break_s is not None:
        text += f" (first after {hold.time_to_first_break_s:.1f} s held)"
    if hold.unsure_s > 0:
        text += f"; unsure {hold.unsure_s:.1f} s (the camera could not tell if you were in position: clock stopped)"
    if hold.too_uncertain_s > 0:
        text += f", {hold.too_uncertain_s:.1f} s of it too uncertain to time at all (± wider than the range)"
    if not hold.judged:
        text += "; not judged: the camera could not tell for most of the set"
    return text


def summary_lines(
    result, frames: int, found: int, to_the_end: bool = False, sides: tuple[str, ...] = ()
) -> list[str]:
    """The headless run's summary; ``to_the_end``: a single exercise counted to the recording's end
    (``counts_to_the_end``), which its end completes; ``sides``: the sides each counted over the whole
    recording (``side_passes``; empty = one pass)."""
    lines = [f"frames: {frames}   person found: {found} ({100.0 * found / max(frames, 1):.0f}%)"]
    nobody = frames > 0 and found == 0
    for s in result.sets:
        head = f"{s.exercise} ({s.side}) set {s.set_number}: "
        if s.hold is not None:
            text = hold_text(s.hold)
            if s.sway is not None and s.sway.samples > 1:
                text += (f"; sway path {s.sway.path_length:.3f} trunk lengths, 95% ellipse "
                         f"{s.sway.ellipse_area:.4f} trunk lengths²")  # fmt: skip
        elif s.gait is not None:
            g = s.gait
            text = (f"{g.steps} steps (left {g.steps_left}, right {g.steps_right}), cadence {g.cadence_spm:.0f}/min, "
                    + (f"knee-height symmetry index {symmetry_text(g)}" if math.isfinite(g.height_symmetry)
                       else "knee-height symmetry not measured (no steps on one side)"))  # fmt: skip
        else:
            verdicts: dict[str, int] = {}
            for r in s.reps:
                verdicts[r.verdict.value] = verdicts.get(r.verdict.value, 0) + 1
            vt = ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())) or "none"
            text = f"{count_noun(s.count, 'rep')} counted of {count_noun(len(s.reps), 'attempt')} ({vt})"
        lines.append(head + text)
    if nobody:  # neither completed nor stopped: nothing was there to count
        lines.append(f"session: {NOBODY_TEXT} ({count_noun(frames, 'frame')} read)")
    elif to_the_end and len(sides) > 1:
        each = " and ".join(f"the {side} side" for side in sides)
        lines.append(f"session: completed (every repetition in the recording counted, for {each}, "
                     "each over the whole recording; no target was set)")  # fmt: skip
    elif to_the_end:
        lines.append("session: completed (every repetition in the recording counted; no target was set)")
    elif getattr(result, "stopped", False):
        lines.append("session: stopped before the plan's end (the recording ended or it was stopped)")
    else:
        lines.append("session: completed")
    return lines


def symmetry_text(g) -> str:  # noqa: ANN001 - exercises.gait.GaitResult
    """'3 ± 40% (no asymmetry this measurement can show)': the knee-height symmetry index with its ±
    (percentage points); an index within its ± says so (0 is perfect symmetry, and the index is never
    below it, so an index within its ± cannot tell symmetric from not)."""
    si, u = g.height_symmetry, g.height_symmetry_unc
    if not math.isfinite(u):
        return f"{si:.0f}% (± not known)"
    text = f"{si:.0f} ± {u:.0f}%"
    return text + " (no asymmetry this measurement can show)" if si <= u else text


class PausedCounting:
    """Why counting paused during a headless run: the window says it on screen ("Counting paused:
    turn round to face the camera"); the terminal said only "0 reps counted of 0 attempts" (a fifth
    audit, 2026-12-07). Counts the exercise frames (``RunnerState.ACTIVE``) and the reasons."""

    def __init__(self) -> None:
        self.active = 0
        self.reasons: dict[str, int] = {}

    def add(self, status: Any) -> None:
        """One frame's ``SessionRunner.status``."""
        from posture_feedback.exercises.runner import RunnerState

        if status.state is not RunnerState.ACTIVE:
            return
        self.active += 1
        if not status.counting and status.turn_hint:
            reason = status.turn_hint.removeprefix("Counting paused: ")
            self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def line(self) -> str:
        """'counting paused in 120 of 150 exercise frames: turn round to face the camera (…)', or ''."""
        n = sum(self.reasons.values())
        if not n:
            return ""
        ranked = sorted(self.reasons.items(), key=lambda kv: -kv[1])
        why = "; ".join(f"{text} ({k} frames)" for text, k in ranked[:3])
        return f"counting paused in {n} of {self.active} exercise frames: {why}"


def nobody_rows(result) -> list[dict[str, Any]]:
    """The CSV's rows for a recording in which nobody was in view: one per set, ``verdict``
    ``NOBODY_FOUND``, no repetition number, so that the file does not read as sets done with no
    repetition."""
    return [
        {"exercise": s.exercise, "side": s.side, "set": s.set_number, "rep": "", "counted": "", "count": 0,
         "verdict": NOBODY_FOUND, "issues": NOBODY_TEXT, "start_s": _num(s.start_t), "end_s": _num(s.end_t)}
        for s in result.sets
    ]  # fmt: skip


def write_out(
    path: Path, rows: list[dict[str, Any]], result, frames: int | None = None, found: int | None = None
) -> None:
    """The per-repetition results as CSV or JSON, written whole or not at all (``OutputFile``: a failed
    write keeps the file it would have replaced; a pipe or device is written to). ``frames``/``found``:
    frames read and frames with a person (the JSON's ``frames`` and ``frames_with_person``); with
    nobody in any frame the JSON's ``status`` is ``NOBODY_FOUND`` and the CSV has ``nobody_rows``."""
    nobody = bool(frames) and found == 0
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise PostureFeedbackError(f"--out must end in .csv or .json, got {path.name}")
    out = OutputFile(path, straight=True)
    try:
        out.work.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".json":
            sets = [_set_dict(s) for s in result.sets]
            doc: dict[str, Any] = {"title": result.title, "status": NOBODY_FOUND if nobody else result.status}
            if frames is not None:
                doc.update(frames=frames, frames_with_person=found)
            doc.update(reps=rows, sets=sets)
            out.work.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        else:
            with open(out.work, "w", newline="", encoding="utf-8") as f:
                w = csv.DictWriter(f, fieldnames=REP_COLUMNS)
                w.writeheader()
                w.writerows(nobody_rows(result) if nobody else rows)
        out.commit()
    finally:
        out.discard()


def with_vertical(options, args: argparse.Namespace, source: object | None = None):  # noqa: ANN001, ANN201
    """``options`` with the camera's vertical a headless run measures against, and its line printed: a stored
    calibration (``--camera NAME``; ``level`` assumes a level camera), else the recording's scene
    (``calibration.vertical.scene_up_for_source``, as ``analyze``). Before 2026-12-07 exercises always
    assumed a level camera (±20°): every angle against the vertical (the trunk's, the head's) carried it,
    and ``upright_sitting`` on the sports sample was 'too uncertain to time the hold' throughout. ``source``:
    the opened recording (only its type is looked at: a folder of frames, maybe of several cameras, gets a
    level camera, as in ``analyze``)."""
    from dataclasses import replace

    from posture_feedback.commands.analyze import recording_vertical

    up, unc, note, _scene = recording_vertical(args.camera, args.video, source)
    print(note)
    return replace(options, up=up, up_uncertainty_deg=unc)


def run_headless(args: argparse.Namespace) -> int:
    from posture_feedback.exercises.events import SessionDone
    from posture_feedback.pipeline import PipelineOptions, iter_results

    if not args.video:
        raise PostureFeedbackError("--headless needs --video FILE (a recording to count on)")
    if args.out is not None and args.out.suffix.lower() not in (".csv", ".json"):
        raise PostureFeedbackError(f"--out must end in .csv or .json, got {args.out.name}")
    if args.out is not None:  # before the model runs (an audit: a whole recording counted, then "File exists")
        check_output(args.out, "--out", example="reps.csv")
    if args.max_frames is not None and args.max_frames < 1:
        raise PostureFeedbackError("--max-frames must be at least 1")
    plan = for_recording(load_session_plan(args, headless=True))
    ratings = _ratings(args)
    for line in precaution_lines(plan):
        print(line)
    from posture_feedback.sources import ImageSource, open_source

    # nothing is stored for a recording that cannot be read (one line, exit 2), nor for a still image:
    # one frame shows no movement, and it was stored as a completed session that counted for
    # adherence (audit 28)
    with open_source(args.video) as source:
        if isinstance(source, ImageSource) and not source.path.is_dir():
            raise PostureFeedbackError(f"{args.video} is a still image: an exercise is counted on a recording "
                                       "(a video, or a folder of its frames)")  # fmt: skip
    options = with_vertical(with_model_options(PipelineOptions(), args), args, source)
    history = HeadlessHistory(args, plan, args.video, ratings) if args.profile else None
    passes = [SidePass(p, feedback_filter(p, history)) for p in side_passes(plan)]
    frames, found, t = 0, 0, 0.0
    interrupted = False
    try:
        for result in iter_results(args.video, options, max_frames=args.max_frames, person=args.person):
            t = result.frame.timestamp_s
            for k, one in enumerate(passes):
                new = one.feed(result, first=frames == 0)
                if history is not None and k == 0:
                    history.handle([e for e in new if len(passes) == 1 or not isinstance(e, SessionDone)])
            frames += 1
            found += result.person_found
        if frames == 0:
            raise SourceError(f"{args.video} yielded no frames")
        for k, one in enumerate(passes):
            new = one.stop(t)
            if history is not None:  # each side's set in turn, the session closed by the last side's end
                last = k == len(passes) - 1
                todo = new if k == 0 else one.raw  # the first side's other events went in as they came
                history.handle([e for e in todo if last or not isinstance(e, SessionDone)])
    except KeyboardInterrupt:
        if history is None:  # nothing stored: the command line's own "interrupted"
            raise
        interrupted = True
    finally:
        if history is not None:  # nobody in any frame: nothing measured, nothing stored
            history.close(measured=found > 0)
    if interrupted:  # say what the history kept (it said only "interrupted"; audit 28)
        print(f"posture-feedback: interrupted: {history.text}", file=sys.stderr)
        return 130  # as the command line says for Ctrl-C
    result = passes[0].runner.result
    if len(passes) > 1:
        result = replace(result, sets=tuple(s for one in passes for s in one.runner.result.sets),
                         end_t=max(one.runner.result.end_t for one in passes))  # fmt: skip
    to_the_end = counts_to_the_end(plan)
    if to_the_end and found > 0:  # its end completes it: one status for the summary, --out and the history
        result = completed_by_the_recording(result)
    sides = tuple(one.runner.plan.items[0].side for one in passes) if len(passes) > 1 else ()
    lines = summary_lines(result, frames, found, to_the_end, sides)
    if to_the_end and args.max_frames is not None and frames >= args.max_frames:
        # --max-frames N: the part read is what was counted (a review: "every repetition in the
        # recording counted" while only its first 60 frames were read)
        lines[-1] = lines[-1].replace("every repetition in the recording counted",
                                      f"every repetition in the first {frames} frames counted (--max-frames)")
        lines[-1] = lines[-1].replace(", each over the whole recording", ", each over those frames")
    for line in lines:
        print(line)
    paused_lines = list(dict.fromkeys(one.paused.line() for one in passes if one.paused.line()))
    for one in passes if len(paused_lines) > 1 else passes[:1]:
        if one.paused.line():
            side = f"{one.runner.plan.items[0].side} side: " if len(paused_lines) > 1 else ""
            print(side + one.paused.line())
    told = passes[0].told
    print(f"feedback: {told.mode}" + (f" (session {told.session_number} of this plan, {plan.feedback.mode} schedule)"
                                      if plan.feedback.mode == "faded" else ""))  # fmt: skip
    if args.out is not None:
        write_out(args.out, rep_rows([e for one in passes for e in one.events]), result, frames, found)
        print(f"per-repetition results: {args.out}")
    if history is not None:
        print(history.text)
    return 0


class SidePass:
    """One ``side_passes`` plan counted over the recording: its runner (a recording cannot be clicked:
    "--person X,Y"), its feedback filter, why counting paused, the events shown (``events``) and all
    events as they came (``raw``, for the history)."""

    def __init__(self, plan, told) -> None:
        from posture_feedback.exercises.runner import SessionRunner

        self.runner = SessionRunner(plan, choose_person_with="--person X,Y")
        self.told = told
        self.paused = PausedCounting()
        self.events: list = []
        self.raw: list = []

    def feed(self, result, first: bool) -> list:
        """One frame's ``FrameResult``; ``first``: the recording's first frame starts the session. Returns
        the events it made."""
        new = self.runner.start(result.frame.timestamp_s) if first else []
        new += self.runner.feed(result)
        self.paused.add(self.runner.status)
        return self._keep(new)

    def stop(self, t: float) -> list:
        """The recording's end at ``t`` (seconds)."""
        return self._keep(self.runner.stop(t))

    def _keep(self, new: list) -> list:
        self.raw += new
        self.events += self.told.apply(new)
        return new


class HeadlessHistory:
    """Records a headless session in ``--profile``'s history as it runs (``storage.recorder``), with the
    stored plan's uid and version when the plan is one of the profile's stored plans."""

    def __init__(self, args: argparse.Namespace, plan, video: str, ratings: dict[str, float] | None = None) -> None:
        from posture_feedback.storage.recorder import SessionRecorder
        from posture_feedback.storage.stored_plans import stored_identity

        self.db, self.profile = open_profile_database(args)
        try:
            ident = stored_identity(plan, self.profile.id)
            signals = {it.exercise.name: it.exercise.signal for it in plan.items}  # each set's side filled in
            self.recorder = SessionRecorder(self.db, self.profile.id, ident.get("plan_id"), source=str(video),
                                            signals=signals, plan_version=ident.get("plan_version"),
                                            open_ended=counts_to_the_end(plan))  # fmt: skip
        except Exception:
            self.db.close()
            raise
        self.plan = plan
        self.text = ""
        self.ratings = {k: v for k, v in (ratings or {}).items() if k.endswith("_before")}
        self.after = {k: v for k, v in (ratings or {}).items() if k.endswith("_after")}
        if self.ratings:
            from posture_feedback.storage.ratings import set_ratings

            set_ratings(self.db, self.recorder.session_id, **self.ratings)

    def handle(self, events) -> None:
        from posture_feedback.storage.errors import NotFoundError

        try:
            for e in events:
                self.recorder.handle(e)
        except NotFoundError:
            self._deleted_meanwhile()
            raise

    def _deleted_meanwhile(self) -> None:
        """Say so when the profile was deleted while its session was recorded (``profile delete`` or the
        Profiles dialog in another process): the recorder's write said "no session with id 1" (audit 28)."""
        if all(p.id != self.profile.id for p in self.db.list_profiles()):
            raise PostureFeedbackError(f"profile {self.profile.name!r} was deleted while this session was being "
                                       "recorded: nothing of it is kept") from None  # fmt: skip

    def _summary(self) -> str:
        s = self.db.get_session(self.recorder.session_id)
        stored = self.plan.extra.get("stored")
        plan = f"plan {stored['name']!r} version {stored['version']}" if stored and s.plan_id else "no stored plan"
        reps = sum(len(st.repetitions) for st in s.sets)
        from posture_feedback.reports.summary import status_word

        status = status_word(s.status)  # stored as 'aborted', said as the window says it
        return (f"recorded in {self.profile.name}'s history: session {s.uid[:8]} ({plan}), {status}, "
                f"{count_noun(reps, 'attempt')}")  # fmt: skip

    def close(self, measured: bool = True) -> None:
        """End the session (stopped, if the runner did not finish it), keep the summary line in ``text``.
        ``measured`` False (nobody was in view in any frame): remove the session instead, so that the
        history and adherence never count a session that measured nothing (an audit: it was stored
        as completed with 0 repetitions)."""
        from posture_feedback.storage.errors import NotFoundError

        try:
            if not measured:
                self.recorder.discard()
                rated = " (nor the ratings given)" if self.ratings or self.after else ""
                self.text = f"not recorded in {self.profile.name}'s history{rated}: {NOBODY_TEXT}"
                return
            if not self.recorder.closed:
                self.recorder.close()
            if self.after:
                from posture_feedback.storage.ratings import set_ratings

                set_ratings(self.db, self.recorder.session_id, **self.after)
            self.text = self._summary()
        except NotFoundError:
            self._deleted_meanwhile()
            raise
        finally:
            self.db.close()


def feedback_filter(plan, history: HeadlessHistory | None):
    """The plan's feedback schedule for this session (``exercises.feedback_schedule``); the session's number
    within the plan comes from the profile's history (the first session when there is none)."""
    from posture_feedback.exercises.feedback_schedule import FeedbackFilter
    from posture_feedback.storage.stored_plans import plan_session_number

    number = 1
    if history is not None:  # this session is already stored: it is the last one
        number = plan_session_number(history.db, history.profile.id, plan) - 1
    return FeedbackFilter(plan, number)


def _ratings(args: argparse.Namespace) -> dict[str, float]:
    """--pain-/--effort-before/after, checked against their scales (they need --profile: they are stored)."""
    from posture_feedback.storage.ratings import check_rating

    given = {k: getattr(args, k) for k in ("pain_before", "pain_after", "effort_before", "effort_after")}
    given = {k: v for k, v in given.items() if v is not None}
    if given and not args.profile:
        raise PostureFeedbackError("--pain-/--effort- ratings are stored in a profile's history: add --profile NAME")
    return {k: check_rating(k, v) for k, v in given.items()}


def precaution_lines(plan) -> list[str]:
    """The plan's notes and precautions, for the patient to read before the first exercise."""
    lines = []
    if getattr(plan, "precautions", ""):
        lines.append(f"precautions: {plan.precautions}")
    if getattr(plan, "notes", ""):
        lines.append(f"notes: {plan.notes}")
    return lines


def run_save_demo(args: argparse.Namespace) -> int:
    from posture_feedback.exercises.demo_recording import demonstration_summary
    from posture_feedback.exercises.demonstration import demonstration_from_results, save_demonstration
    from posture_feedback.exercises.library import get_exercise
    from posture_feedback.pipeline import PipelineOptions, analyze_video

    if args.save_demo.suffix.lower() != ".npz":
        raise PostureFeedbackError(f"--save-demo must end in .npz, got {args.save_demo.name}")
    check_output(args.save_demo, "--save-demo", example="demonstration.npz")
    if args.tolerance < 0:
        raise PostureFeedbackError("--tolerance must not be negative")
    plan = load_what(args.what, args, headless=True)
    if len(plan.items) != 1:
        raise PostureFeedbackError("--save-demo needs one exercise (a name or a definition file), not a plan")
    defn = get_exercise(args.what)
    side = args.side or "both"
    from posture_feedback.sources import open_source

    with open_source(args.video) as source:  # a folder of frames or an image gets a level camera, as a session's
        pass
    options = with_vertical(with_model_options(PipelineOptions(), args), args, source)  # as the sessions it is for
    results = analyze_video(args.video, options, max_frames=args.max_frames)
    if not results:
        raise SourceError(f"{args.video} yielded no frames")
    demo = demonstration_from_results(defn, results, side=side, tolerance=args.tolerance)
    save_demonstration(demo, args.save_demo)
    print(demonstration_summary(demo))
    print(f'demonstration: {args.save_demo} (use it in a plan: demonstration = "{args.save_demo.name}")')
    return 0


def run_app(args: argparse.Namespace) -> int:
    """The guided session in the exercise window (``posture_feedback.ui.exercise_window``)."""
    if args.max_people is not None and args.max_people < 1:
        raise PostureFeedbackError("--max-people must be at least 1")
    if args.model is not None:  # a model file that cannot be used is refused before the window opens
        from posture_feedback.models import VARIANTS, resolve_model

        if args.model not in VARIANTS:  # (lite/heavy are fetched from their official host when first used)
            resolve_model(args.model)  # a file, checked; a mistyped name ("ful") is named as one, as in --headless
    if args.screenshot is not None:
        check_output(args.screenshot, "--screenshot", example="exercise.png")
        from posture_feedback.cv_paths import native_path

        native_path(args.screenshot)  # Qt would save it under another name
    plan = load_session_plan(args, headless=False)
    try:
        from posture_feedback.ui.exercise_window import launch_exercise
    except ImportError as exc:
        raise PostureFeedbackError(
            f"the desktop app is not available ({exc}); use --video FILE --headless to count on a recording"
        ) from None
    source = str(args.source) if args.source is not None else "0"
    from posture_feedback.sources import IMAGE_SUFFIXES

    if Path(source).suffix.lower() in IMAGE_SUFFIXES and Path(source).is_file():  # as --headless refuses it:
        # the window repeats the picture, and with --profile stored a session with an attempt on a photo
        raise PostureFeedbackError(f"{source} is a still image: an exercise is counted on a camera or a recording "
                                   "(a video, or a folder of its frames)")  # fmt: skip
    return int(
        launch_exercise(
            plan,
            source=source,
            profile=args.profile,
            frames=args.frames,
            screenshot=str(args.screenshot) if args.screenshot else None,
            data_dir=str(args.data_dir) if args.data_dir else None,
            camera=args.camera,
            model=args.model,
            max_people=args.max_people,
            follow=args.follow,
        )
        or 0
    )


def run(args: argparse.Namespace) -> int:
    if args.list or (args.what == "list" and not Path("list").exists()):  # `exercise list`, as the help reads
        for line in list_lines():
            print(line)
        return 0
    if not args.what and not args.profile:
        raise PostureFeedbackError("give an exercise name or a plan file, or --profile NAME for its plan (or --list)")
    if args.headless or args.video:
        if not args.headless:
            raise PostureFeedbackError("--video runs without a window: add --headless (or use --source for the app)")
        if args.save_demo is not None:
            if not args.video:
                raise PostureFeedbackError("--save-demo needs --video FILE (the recorded demonstration)")
            return run_save_demo(args)
        return run_headless(args)
    if args.save_demo is not None:
        raise PostureFeedbackError("--save-demo needs --video FILE --headless (the recorded demonstration)")
    return run_app(args)
