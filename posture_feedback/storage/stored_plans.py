"""Running a stored plan: the profile's active plan, loaded from the database as a validated ``Plan``.

A plan version keeps its TOML text verbatim and its attached files under ``exercises/…`` (the
therapist's exercise definitions, named in the plan by ``file = "…"`` relative to the plan) and
``demonstrations/…`` (``demonstration = "…"``). ``load_stored_plan`` writes them into a folder
laid out as the plan expects (``<data dir>/plans/<uid>/v<version>/``, or a temporary folder when
the data folder is read-only), loads the plan from there with the ordinary plan loader (every
check of docs/plan_format.md applies) and marks it with where it came from:
``plan.extra["stored"] = {"plan_id", "uid", "version", "name", "profile_id"}``, which the session
recorders store with each session.

``validate_plan_files`` runs the same loader on a programme before it is imported, so an imported
plan is validated exactly like a plan file given to ``profile add-plan``.
"""

from __future__ import annotations

import os
import shlex
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from posture_feedback.errors import PostureFeedbackError
from posture_feedback.storage.database import Database, name_key
from posture_feedback.storage.errors import ExchangeFormatError, NotFoundError
from posture_feedback.storage.models import Plan, PlanVersion

PLAN_FILE = "plan.toml"
_PREFIXES = ("exercises/", "demonstrations/")


def active_plan(db: Database, profile_id: int) -> Plan | None:
    """The plan a profile follows now: of its plans that are not retired (archived), the one stored most
    recently in this database, any version (None when it has none).

    Before 2026-12 it was the newest-*created* plan: after ``add-plan`` of version 2 of week 1, the
    exercise and export commands used week 2 version 1, and an imported plan, which keeps the
    clinic's dates, did the same at home (an eleventh audit)."""
    plans = db.plans_by_last_stored(profile_id)
    return plans[-1] if plans else None


def plans_named(db: Database, profile_id: int, title: str) -> list[Plan]:
    """A profile's plans (retired ones too) whose name is ``title`` by the rule profile names are
    compared with (``name_key``: NFKC, case-folded), the most recently stored last."""
    key = name_key(title)
    return [p for p in db.plans_by_last_stored(profile_id, include_archived=True) if name_key(p.name) == key]


def describe(db: Database, plan: Plan, version: int | None = None) -> str:
    """``'Week 1' version 2`` (``, retired 2026-12-08`` for a retired plan)."""
    number = version if version is not None else db.plan_version(plan.id).version
    retired = ""
    if plan.archived:
        retired = f", retired {plan.archived_at.date().isoformat()}" if plan.archived_at else ", retired"
    return f"{plan.name!r} version {number}{retired}"


def default_plan_line(db: Database, profile_id: int, doing: str = "runs and exports {} by default") -> str:
    """What runs and is exported by default now, in words: ``Bob runs and exports 'Week 2' version 1 by default
    (the most recently stored of its 2 plans counted for adherence)`` (``doing``: the words around the plan)."""
    name = db.get_profile(profile_id).name
    counted = db.plans_by_last_stored(profile_id)
    if not counted:
        return f"{name} has no plan counted for adherence: `exercise --profile {shlex.quote(name)}` has no plan to run"
    of = f"the most recently stored of its {len(counted)} plans counted for adherence" if len(counted) > 1 else (
        "its only plan counted for adherence")  # fmt: skip
    return f"{name} {doing.format(describe(db, counted[-1]))} ({of})"


def _targets(files: Mapping[str, bytes], folder: Path) -> dict[str, Path]:
    """Where each attached file goes in ``folder``: ``exercises/wall_slide.toml`` → ``folder/wall_slide.toml``."""
    out = {}
    for name in files:
        prefix = next((p for p in _PREFIXES if name.startswith(p)), None)
        rel = PurePosixPath(name[len(prefix) :]) if prefix else None
        if rel is None or rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise ExchangeFormatError(f"plan file {name!r} is not allowed (allowed: exercises/… or demonstrations/…)")
        out[name] = folder.joinpath(*rel.parts)
    return out


def write_plan_folder(toml: str, files: Mapping[str, bytes], folder: Path) -> Path:
    """Lay out a plan version in ``folder`` as its TOML expects; returns the plan file's path.

    ``exercises/wall_slide.toml`` is written as ``wall_slide.toml`` next to the plan (the plan names
    it relative to itself), likewise ``demonstrations/…``. Names that would leave the folder are refused.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, target in _targets(files, folder).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[name])
    plan_path = folder / PLAN_FILE
    plan_path.write_text(toml, encoding="utf-8")
    return plan_path


def validate_plan_files(toml: str, files: Mapping[str, bytes], label: str) -> Any:
    """Load a plan version with the plan loader in a scratch folder; ``ExchangeFormatError`` naming
    ``label`` and the plan's own error (``file:line: field: problem``) if it is not a valid plan.

    The error names files as they are in the programme (``plan.toml``, ``exercises/wall_slide.toml``,
    ``demonstrations/reach.npz``), never the scratch folder, which is gone when the message is read."""
    from posture_feedback.exercises.plan import load_plan

    with tempfile.TemporaryDirectory(prefix="posture-feedback-plan-") as tmp:
        folder = Path(tmp)
        path = write_plan_folder(toml, files, folder)
        try:
            return load_plan(path, contained=True)
        except PostureFeedbackError as exc:
            message = str(exc)
            names = {str(path): PLAN_FILE, **{str(t): n for n, t in _targets(files, folder).items()}}
            for long, short in sorted(names.items(), key=lambda kv: -len(kv[0])):
                message = message.replace(long, short)
            message = message.replace(str(folder) + os.sep, "").replace(str(folder), ".")
            raise ExchangeFormatError(f"{label}: the plan is not valid: {message}") from None


def _folder(db: Database, plan: Plan, version: PlanVersion) -> Path:
    """Where a version is laid out: the data folder's ``plans/<uid>/v<n>``, else a temporary folder."""
    folder = db.data_dir / "plans" / plan.uid / f"v{version.version}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
        return folder
    except OSError:
        return Path(tempfile.mkdtemp(prefix=f"posture-feedback-plan-{plan.uid[:8]}-"))


def load_stored_plan(db: Database, plan_id: int, version: int | None = None) -> Any:
    """A stored plan version (the latest by default) as a validated ``exercises.plan.Plan``.

    Raises:
        NotFoundError: no such plan or version.
        PlanError: the stored text is not a valid plan (message ``plan.toml:LINE: field: problem``).
    """
    from posture_feedback.exercises.plan import load_plan

    plan = db.get_plan(plan_id)
    pv = db.plan_version(plan_id, version)
    path = write_plan_folder(pv.toml, pv.files, _folder(db, plan, pv))
    loaded = load_plan(path, contained=True)
    loaded.extra["stored"] = {
        "plan_id": plan.id, "uid": plan.uid, "version": pv.version, "name": plan.name, "profile_id": plan.profile_id,
    }  # fmt: skip
    return loaded


def no_active_plan_text(db: Database, profile_id: int) -> str:
    """Why ``profile_id`` has no active plan, and the command that gives it one: none stored yet, or every
    plan retired (that said "Ann has no plan yet" of a profile with two retired plans, a new-user audit)."""
    name = db.get_profile(profile_id).name
    add = f"`posture-feedback profile add-plan --profile {shlex.quote(name)} PLAN.toml`"
    retired = db.plans_by_last_stored(profile_id, include_archived=True)
    if not retired:
        return f"{name} has no plan yet: store one with {add} or import a programme file"
    names = ", ".join(repr(p.name) for p in reversed(retired))  # the most recently stored first
    which = f"{name}'s only plan is" if len(retired) == 1 else f"all {len(retired)} of {name}'s plans are"
    return (
        f"{name} has no plan to follow: {which} retired ({names}); restore one with `posture-feedback profile "
        f"archive-plan --profile {shlex.quote(name)} --plan {shlex.quote(retired[-1].name)} --restore`, or store a "
        f"new one with {add}"
    )


def load_active_plan(db: Database, profile_id: int) -> Any:
    """The profile's active plan, loaded (see ``load_stored_plan``); ``NotFoundError`` when it has none
    (its message: ``no_active_plan_text``)."""
    plan = active_plan(db, profile_id)
    if plan is None:
        raise NotFoundError(no_active_plan_text(db, profile_id))
    return load_stored_plan(db, plan.id)


def stored_identity(plan: Any, profile_id: int | None) -> dict[str, Any]:
    """``{"plan_id", "plan_version"}`` for recording a session of ``plan`` in ``profile_id``'s history,
    or ``{}`` when the plan is not a stored plan of that profile (a single exercise, a file, another profile)."""
    stored = getattr(plan, "extra", {}).get("stored") if plan is not None else None
    if not stored or profile_id is None or stored.get("profile_id") != profile_id:
        return {}
    return {"plan_id": int(stored["plan_id"]), "plan_version": int(stored["version"])}


def plan_session_number(db: Database, profile_id: int, plan: Any) -> int:
    """Which session of ``plan`` (a loaded plan) this one is for ``profile_id``: 1 + the sessions of that
    stored plan already recorded (any version); 1 for a plan that is not one of the profile's stored plans."""
    ident = stored_identity(plan, profile_id)
    if not ident:
        return 1
    return 1 + sum(1 for s in db.sessions(profile_id) if s.plan_id == ident["plan_id"])

