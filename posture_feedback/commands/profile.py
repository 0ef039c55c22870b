"""``posture-feedback profile ...``: profiles, where the data lives, plans and the home-programme exchange.

Sub-commands: ``list``, ``create --profile NAME``, ``delete --profile NAME``, ``where``,
``set --profile NAME --snapshots on|off``, ``add-plan --profile NAME PLAN.toml``,
``archive-plan --profile NAME --plan TITLE [--restore]``,
``export-programme --profile NAME --out FILE``, ``import-programme FILE``,
``export-results --profile NAME --out FILE``, ``import-results FILE --profile NAME``.
The profile is always ``--profile NAME``; the old positional spelling (``delete NAME``,
``add-plan NAME PLAN.toml``…) still works and prints a deprecation note on stderr.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from posture_feedback.errors import PostureFeedbackError
from posture_feedback.output_files import check_output
from posture_feedback.storage.database import name_key
from posture_feedback.storage.errors import NotFoundError
from posture_feedback.storage.options import (
    add_data_dir_option,
    add_period_options,
    add_profile_name_option,
    check_period,
    deprecated,
    open_database,
    open_for_reading,
    profile_name,
    resolve_profile,
)
from posture_feedback.words import count_noun

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "profile",
        help="profiles, where the data lives, plans and home-programme files",
        description="Manage profiles (one per patient, or one for yourself), see where the data is stored, "
        "delete a profile's data completely, store plans and exchange home-programme and results files.",
    )
    add_data_dir_option(p)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        a = actions.add_parser(name, help=help_text, description=help_text)
        add_data_dir_option(a, nested=True)
        return a

    action("list", "list the profiles with their sessions and assessments").set_defaults(func=run_list)
    a = action("create", "create a profile")
    add_profile_name_option(a, "name of the new profile")
    a.add_argument("--notes", default="", help="free text (e.g. diagnosis, goals)")
    a.add_argument("--snapshots", action="store_true", help="allow storing images of evaluations (off by default)")
    a.add_argument(
        "--sample-data", action="store_true", help="fill it with six weeks of made-up history (to try the app)"
    )
    a.set_defaults(func=run_create)
    a = action("delete", "delete a profile and everything recorded for it")
    add_profile_name_option(a)
    a.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    a.set_defaults(func=run_delete)
    action("where", "show where the data is stored").set_defaults(func=run_where)
    a = action("set", "change a profile's settings")
    add_profile_name_option(a)
    a.add_argument("--snapshots", choices=("on", "off"), help="store images of evaluations")
    a.add_argument("--large-type", choices=("on", "off"),
                   help="large type, high contrast in the windows opened for this profile")  # fmt: skip
    a.add_argument("--spoken-guidance", choices=("on", "off"),
                   help="spoken guidance first: one short spoken correction at a time, with a cool-down")  # fmt: skip
    a.set_defaults(func=run_set)
    a = action("add-plan", "store a plan file (TOML) for a profile, as a new version if the plan exists")
    a.add_argument("--profile", metavar="NAME", help="profile name")
    a.add_argument("files", nargs="+", metavar="PLAN.toml", help="plan file (TOML, see docs/plan_format.md)")
    a.add_argument("--title", help="plan name in the database (default: the plan's title or file name)")
    a.add_argument("--days", help="planned weekdays, e.g. mon,wed,fri (for adherence; default: the plan's "
                   "`days` field, else every day)")  # fmt: skip
    a.add_argument("--demo", type=Path, action="append", default=[], metavar="FILE",
                   help="attach a therapist demonstration recording (repeatable)")  # fmt: skip
    a.set_defaults(func=run_add_plan)
    a = action("archive-plan", "retire a plan: it no longer counts for adherence (its sessions stay in the history)")
    add_profile_name_option(a)
    a.add_argument("--plan", required=True, metavar="TITLE", help="the plan's name (as `history` lists it)")
    a.add_argument("--restore", action="store_true", help="count a retired plan for adherence again")
    a.set_defaults(func=run_archive_plan)
    a = action("export-programme", "write a profile's plan with its exercises and demonstrations as one file")
    add_profile_name_option(a)
    a.add_argument("--plan", help="plan name (default: the plan stored most recently, of those not retired)")
    a.add_argument("--out", "-o", type=Path, required=True, metavar="FILE.pfprogramme")
    a.set_defaults(func=run_export_programme)
    a = action("import-programme", "store a programme file's plan (on the patient's laptop)")
    a.add_argument("file", type=Path)
    a.add_argument("--profile", metavar="NAME", help="profile to store it in (default: the name in the file)")
    a.set_defaults(func=run_import_programme)
    a = action("export-results", "write a profile's sessions, assessments and monitor days as one file")
    add_profile_name_option(a)
    add_period_options(a)
    a.add_argument("--out", "-o", type=Path, required=True, metavar="FILE.pfresults.json")
    a.set_defaults(func=run_export_results)
    a = action("import-results", "add a results file to a profile (on the therapist's computer)")
    a.add_argument("file", type=Path)
    a.add_argument("--profile", metavar="NAME", help="profile to add them to (default: the only profile)")
    a.set_defaults(func=run_import_results)


def run_list(args: argparse.Namespace) -> int:
    from posture_feedback.storage.options import no_database_text

    missing = no_database_text(args)
    if missing:  # nothing created just to list nothing
        print(missing)
        return 0
    with open_for_reading(args) as db:
        profiles = db.list_profiles()
        if not profiles:
            print("no profiles yet (create one with `posture-feedback profile create --profile NAME`)")
        for p in profiles:
            n = db.row_counts(p.id)
            snaps = ", snapshots on" if p.snapshots_enabled else ""
            print(f"{p.name}\tcreated {p.created_at.date().isoformat()}\t{count_noun(n['sessions'], 'session')}, "
                  f"{count_noun(n['assessments'], 'assessment')}, {count_noun(n['plans'], 'plan')}{snaps}")  # fmt: skip
        print(f"data: {db.path}")
    return 0


def run_create(args: argparse.Namespace) -> int:
    name = profile_name(args, "profile create")
    with open_database(args) as db:
        if args.sample_data:
            from posture_feedback.storage.sample_data import fill_sample_history

            profile = fill_sample_history(db, name)
        else:
            profile = db.create_profile(name, notes=args.notes, settings={"snapshots": bool(args.snapshots)})
        print(f"created profile {profile.name!r} in {db.path}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    name = profile_name(args, "profile delete")
    with open_database(args) as db:
        profile = db.profile_by_name(name)
        counts = db.row_counts(profile.id)
        what = ", ".join(f"{v} {k}" for k, v in counts.items() if v and k != "profiles") or "no records"
        if not args.yes:
            if not sys.stdin.isatty():
                raise PostureFeedbackError(f"deleting {profile.name!r} ({what}) cannot be undone: add --yes")
            answer = input(f"Delete profile {profile.name!r} and all its data ({what})? Type the name to confirm: ")
            if name_key(answer) != name_key(profile.name):  # the rule the profile was found by
                print("not deleted")
                return 1
        db.delete_profile(profile.id)
        print(f"deleted profile {profile.name!r} and all its data ({what})")
    return 0


def run_where(args: argparse.Namespace) -> int:
    from posture_feedback.storage.paths import ENV_DATA_DIR, data_dir, database_path

    folder = data_dir(args.data_dir)
    path = database_path(args.data_dir)
    if not path.exists():  # where the data will be: nothing created to say so
        print(f"data folder: {folder}")
        print(f"database:    {path} (not created yet: the first profile creates it)")
        print(f"(change it with --data-dir DIR or the {ENV_DATA_DIR} environment variable; nothing is sent anywhere)")
        return 0
    with open_for_reading(args) as db:
        size = sum(f.stat().st_size for f in db.data_dir.glob(db.path.name + "*") if f.is_file())
        print(f"data folder: {folder}")
        print(f"database:    {db.path} ({size / 1024:.0f} KiB, schema version {db.schema_version})")
        print(f"profiles:    {len(db.list_profiles())}")
    print(f"(change it with --data-dir DIR or the {ENV_DATA_DIR} environment variable; nothing is sent anywhere)")
    return 0


def run_set(args: argparse.Namespace) -> int:
    name = profile_name(args, "profile set")
    with open_database(args) as db:
        profile = db.profile_by_name(name)
        keys = ("snapshots", "large_type", "spoken_guidance")
        changes = {k: getattr(args, k) == "on" for k in keys if getattr(args, k)}
        if not changes:
            raise PostureFeedbackError("profile set: nothing to change (--snapshots, --large-type, --spoken-guidance)")
        db.update_profile_settings(profile.id, **changes)
        said = ", ".join(f"{k.replace('_', ' ')} {'on' if v else 'off'}" for k, v in changes.items())
        print(f"{profile.name}: {said}")
    return 0


def _day_names(days: tuple[int, ...]) -> str:
    return "every day" if len(days) == 7 else ",".join(WEEKDAYS[d] for d in days)


def _days(text: str) -> tuple[int, ...]:
    days = []
    for part in text.lower().replace(" ", "").split(","):
        if part not in WEEKDAYS:
            raise PostureFeedbackError(f"--days: {part!r} is not a weekday (allowed: {', '.join(WEEKDAYS)})")
        days.append(WEEKDAYS.index(part))
    return tuple(sorted(set(days)))


def _add_plan_arguments(args: argparse.Namespace) -> tuple[str, Path]:
    """(profile, plan file) of ``add-plan --profile NAME PLAN`` or the deprecated ``add-plan NAME PLAN``."""
    if len(args.files) == 2 and args.profile is None:
        name, plan = args.files
        deprecated(f"profile add-plan {name} {plan}", f"profile add-plan --profile {name} {plan}")
        return name, Path(plan)
    if len(args.files) != 1:
        raise PostureFeedbackError("profile add-plan: give one plan file and the profile as --profile NAME")
    if args.profile is None:
        raise PostureFeedbackError("profile add-plan: which profile? add --profile NAME")
    return args.profile, Path(args.files[0])


def _planned_days(option: str | None, in_plan: tuple[int, ...] | None) -> tuple[int, ...]:
    """The planned weekdays: --days, else the plan's ``days`` field, else every day; both must agree."""
    if option is None:
        return in_plan if in_plan is not None else tuple(range(7))
    days = _days(option)
    if in_plan is not None and days != in_plan:
        said = ",".join(WEEKDAYS[d] for d in in_plan)
        raise PostureFeedbackError(f"--days {option} differs from the plan's days = {said}: give the days once")
    return days


def run_add_plan(args: argparse.Namespace) -> int:
    from pathlib import PurePosixPath

    from posture_feedback.exercises.plan import parse_plan, read_plan_text

    args.name, args.plan = _add_plan_arguments(args)
    text = read_plan_text(args.plan)  # UTF-8 (a byte-order mark dropped); PlanError naming the file
    # contained: the exercise files and demonstrations it names are in its folder or below, as for
    # `exercise PLAN.toml`; PlanError with file:line: field otherwise (an eleventh audit: add-plan refused
    # `file = "../exercises/…"` naming no plan file or field, while `exercise` ran it)
    plan = parse_plan(text, str(args.plan), base_dir=args.plan.parent, contained=True)
    files: dict[str, bytes] = {}
    for item in plan.items:
        ref_path = args.plan.parent / item.ref
        if item.ref.endswith(".toml") and ref_path.is_file():
            ref = PurePosixPath(item.ref.replace("\\", "/")).as_posix()
            files[f"exercises/{ref}"] = ref_path.read_bytes()
    # The demonstrations the plan names travel with it, as its exercise files do, stored under the
    # name the plan gives them so that the stored version loads by itself (a seventh audit: a plan
    # naming one was stored without it and could be neither run nor imported).
    for item in plan.items:
        if item.demonstration_ref:
            rel = PurePosixPath(item.demonstration_ref.replace("\\", "/"))
            files[f"demonstrations/{rel.as_posix()}"] = Path(item.demonstration).read_bytes()  # checked by the parser
    from posture_feedback.exercises.demonstration import load_demonstration

    for demo in args.demo:
        try:
            files[f"demonstrations/{demo.name}"] = demo.read_bytes()
        except OSError as exc:
            raise PostureFeedbackError(f"cannot read demonstration {demo}: {exc.strerror or exc}") from exc
        # a demonstration, not any file: `--demo notes.txt` was stored and sent with the programme (audit 28)
        try:
            load_demonstration(demo)
        except PostureFeedbackError as exc:
            raise PostureFeedbackError(f"--demo {exc}") from None
    # The version as it will be stored must load by itself: a plan whose demonstration was left
    # behind was stored, counted as planned, and could be neither run nor imported (a seventh audit).
    from posture_feedback.storage.stored_plans import validate_plan_files

    validate_plan_files(text, files, str(args.plan))
    title = args.title or getattr(plan, "title", "") or args.plan.stem
    days = _planned_days(args.days, plan.days)
    from posture_feedback.storage.stored_plans import default_plan_line, plans_named

    with open_database(args) as db:
        profile = db.profile_by_name(args.name)
        # One rule for plan titles everywhere: profile names' (NFKC, case-folded). Before, "sub" next
        # to "Sub" made a second plan while export-programme --plan matched either (an eleventh audit).
        existing = plans_named(db, profile.id, title)
        if existing and existing[-1].archived:
            old = existing[-1]
            when = f" on {old.archived_at.date().isoformat()}" if old.archived_at else ""
            raise PostureFeedbackError(
                f"{profile.name}: plan {old.name!r} was retired{when}: restore it first with `posture-feedback "
                f"profile archive-plan --profile {shlex.quote(profile.name)} --plan {shlex.quote(old.name)} "
                "--restore`, or store this one under another --title"
            )
        n = len(plan.items)
        said = f"{n} exercise{'' if n == 1 else 's'}, planned {_day_names(days)}"
        if existing:
            old = existing[-1]
            latest = db.plan_version(old.id)
            if latest.toml == text and tuple(latest.schedule_days) == days and latest.files == files:
                print(f"{profile.name}: plan {old.name!r} unchanged (version {latest.version}; nothing stored)")
            else:
                v = db.add_plan_version(old.id, text, schedule_days=days, files=files)
                print(f"{profile.name}: plan {old.name!r} version {v.version} stored ({said})")
        else:
            db.create_plan(profile.id, title, text, schedule_days=days, files=files)
            print(f"{profile.name}: plan {title!r} version 1 stored ({said})")
        print(default_plan_line(db, profile.id))
    return 0


def _named_plan(db: Any, profile: Any, title: str) -> Any:
    """The profile's plan called ``title`` (``name_key`` rule; the most recently stored if several)."""
    from posture_feedback.storage.stored_plans import plans_named

    found = plans_named(db, profile.id, title)
    if not found:
        names = ", ".join(repr(p.name) for p in db.plans_by_last_stored(profile.id, include_archived=True))
        raise PostureFeedbackError(f"{profile.name} has no plan named {title!r} (plans: {names or 'none'})")
    return found[-1]


def run_export_programme(args: argparse.Namespace) -> int:
    from posture_feedback.storage.exchange import export_programme
    from posture_feedback.storage.stored_plans import active_plan, describe

    name = profile_name(args, "profile export-programme")
    check_output(args.out, "--out", example="programme.pfprogramme")
    with open_for_reading(args) as db:
        profile = db.profile_by_name(name)
        if args.plan:
            plan, why = _named_plan(db, profile, args.plan), "named with --plan"
        else:
            plan, why = active_plan(db, profile.id), "the most recently stored plan counted for adherence"
            if plan is None:
                raise PostureFeedbackError(f"{profile.name} has no plan counted for adherence (give --plan NAME)")
        version = db.plan_version(plan.id).version
        out = export_programme(db, plan.id, args.out, version)
        print(f"{profile.name}: programme {describe(db, plan, version)} ({why}) written to {out}")
    return 0


def run_archive_plan(args: argparse.Namespace) -> int:
    from posture_feedback.storage.stored_plans import default_plan_line

    name = profile_name(args, "profile archive-plan")
    with open_database(args) as db:
        profile = db.profile_by_name(name)
        plan = _named_plan(db, profile, args.plan)
        n = sum(1 for s in db.sessions(profile.id) if s.plan_id == plan.id)
        kept = {0: "it has no sessions", 1: "its 1 session stays in the history"}.get(
            n, f"its {n} sessions stay in the history"
        )
        if args.restore:
            if not plan.archived:
                print(f"{profile.name}: plan {plan.name!r} is not retired: it counts for adherence")
            else:
                db.archive_plan(plan.id, archived=False)
                print(f"{profile.name}: plan {plan.name!r} restored: it counts for adherence again, also on the "
                      "days it was retired")  # fmt: skip
        elif plan.archived:
            when = f" on {plan.archived_at.date().isoformat()}" if plan.archived_at else ""
            print(f"{profile.name}: plan {plan.name!r} was already retired{when}")
        else:
            plan = db.archive_plan(plan.id)
            print(f"{profile.name}: plan {plan.name!r} retired on {plan.archived_at.date().isoformat()}: it counts "
                  f"for adherence only on the days before; {kept}")  # fmt: skip
        print(default_plan_line(db, profile.id))
    return 0


def run_import_programme(args: argparse.Namespace) -> int:
    from posture_feedback.storage.exchange import import_programme_retiring, read_programme
    from posture_feedback.storage.stored_plans import default_plan_line

    prog = read_programme(args.file)  # the file first: a bad one creates no database (an audit: an empty one was left)
    with open_database(args) as db:
        profile_id = db.profile_by_name(args.profile).id if args.profile else None
        try:  # the profile import_programme stores into: --profile, else the file's, else "Me"
            pid = profile_id if profile_id is not None else db.profile_by_name(prog.profile_name or "Me").id
            known = db.plan_by_uid(pid, prog.plan_uid)
        except NotFoundError:
            known = None
        had = known is not None and prog.version in {v.version for v in db.plan_versions(known.id)}
        plan, retired = import_programme_retiring(db, args.file, profile_id)
        profile = db.get_profile(plan.profile_id)
        newest = db.plan_version(plan.id).version
        later = f"; version {newest} is the newest stored" if newest != prog.version else ""
        done = "was already stored" if had else "stored"
        print(f"plan {plan.name!r} version {prog.version} {done} for {profile.name}{later}")
        for old in retired:  # retired at the clinic: retired here too
            print(f"plan {old.name!r} retired on {old.archived_at.date().isoformat()}, as where this file "
                  "was made: it counts for adherence only on the days before")  # fmt: skip
        others = [p for p in db.plans_by_last_stored(profile.id) if p.id != plan.id]
        if others and not had:
            names = ", ".join(repr(p.name) for p in others)
            which = shlex.quote(others[0].name) if len(others) == 1 else "NAME"
            retire = f"`posture-feedback profile archive-plan --profile {shlex.quote(profile.name)} --plan {which}`"
            print(f"{profile.name} also has {names}, counted for adherence too: if this plan replaces "
                  f"{'it' if len(others) == 1 else 'them'}, retire {'it' if len(others) == 1 else 'each'} with "
                  f"{retire}")  # fmt: skip
        print(default_plan_line(db, profile.id))
    return 0


def run_export_results(args: argparse.Namespace) -> int:
    from posture_feedback.storage.exchange import export_results

    check_period(args.start, args.end)
    name = profile_name(args, "profile export-results")
    check_output(args.out, "--out", example="results.pfresults.json")
    with open_for_reading(args) as db:
        profile = db.profile_by_name(name)
        print(f"results written to {export_results(db, profile.id, args.out, args.start, args.end)}")
    return 0


def run_import_results(args: argparse.Namespace) -> int:
    from posture_feedback.storage.exchange import import_results, parse_results
    from posture_feedback.storage.paths import database_path

    parsed = parse_results(args.file)  # the file first: a bad one creates no database
    if not database_path(getattr(args, "data_dir", None)).exists():  # a profile is needed: none there, none made
        raise NotFoundError(f"no profiles yet in {database_path(getattr(args, 'data_dir', None)).parent}: create one "
                            "with `posture-feedback profile create --profile NAME`")  # fmt: skip
    with open_database(args) as db:
        profile = resolve_profile(db, args.profile)
        s = import_results(db, args.file, profile.id, parsed=parsed)
        retired = f", {count_noun(s.plans_retired, 'plan')} retired as in the file" if s.plans_retired else ""
        print(f"{profile.name}: {count_noun(s.sessions_added, 'session')} added ({s.sessions_skipped} already "
              f"there), {count_noun(s.assessments_added, 'assessment')} added, "
              f"{count_noun(s.monitor_days, 'monitor day')}{retired}")  # fmt: skip
    return 0
