"""``posture-feedback analyze --video VIDEO``: joint angles per frame of a recording, as CSV.

Runs the whole pipeline on a video (or image, or image folder), writes the angle CSV
(``angles_csv``), optionally an annotated video, and prints a summary: frames, share with
a person, per angle the median and range over its valid frames and how many frames were valid
and measured (``SummaryStats``), processing speed.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from posture_feedback.angles_csv import AngleCsvWriter, WrittenAngles
from posture_feedback.auto_preset import AUTO, AutoTargets, auto_target_ids
from posture_feedback.commands import person_point
from posture_feedback.errors import PostureFeedbackError, SourceError
from posture_feedback.exports import TrcWriter, mot_from_angle_csv
from posture_feedback.kinematics import bounded
from posture_feedback.output_files import OutputFile, check_output
from posture_feedback.types import ANGLE_NAMES, AngleTable, FrameResult, Verdict
from posture_feedback.video_out import AnnotatedVideoWriter, check_video_path

#: --follow's default as the app and analyze state it; ``exercise`` states its own window's.
FOLLOW_DEFAULT = "on in the app, off for the posture monitor and for recordings"


def add_model_options(parser: argparse.ArgumentParser, follow_default: str = FOLLOW_DEFAULT) -> None:
    """--model, --max-people and --follow, shared by every command that runs the pose model;
    ``follow_default`` says what the command does without --follow/--no-follow."""
    parser.add_argument(
        "--model",
        help="pose model: lite, full (bundled, default), heavy (downloaded on first use) or a .task path",
    )
    parser.add_argument(
        "--max-people", type=int, metavar="N", help="people detected per frame (default 2; 1 is faster)"
    )
    parser.add_argument(
        "--follow", action=argparse.BooleanOptionalAction, default=None,
        help="follow one person with the single-person model and find the others with a multi-person pass twice "
        f"a second (once a second while nobody else is seen) (default: {follow_default}; see docs/performance.md)",
    )  # fmt: skip


#: Angles drawn on ``--annotated`` videos: the large joints of both sides.
ANNOTATED_ANGLES: tuple[str, ...] = (
    "left_elbow_flexion", "right_elbow_flexion", "left_hip_flexion", "right_hip_flexion",
    "left_knee_flexion", "right_knee_flexion",
)  # fmt: skip


def with_model_options(options, args: argparse.Namespace):
    """``options`` with --model / --max-people applied where they were given."""
    from posture_feedback.pipeline import PipelineOptions

    assert isinstance(options, PipelineOptions)
    changes = {k: v for k, v in (("model", args.model), ("max_people", args.max_people)) if v is not None}
    if getattr(args, "follow", None) is not None:
        options = replace(options, follow=replace(options.follow, enabled=bool(args.follow)))
    return replace(options, pose=replace(options.pose, **changes)) if changes else options


def camera_up(name: str):
    """The world vertical of a stored camera calibration (error naming the stored cameras if absent);
    None (a level camera *assumed*, with ``kinematics.LEVEL_UP_UNCERTAINTY_DEG``) for ``level`` and
    for a calibration stored with ``--skip``: a skipped step measured nothing, so it must not
    carry a measured vertical's ±3°."""
    from posture_feedback.calibration.store import CalibrationStore

    if name == "level":
        return None

    store = CalibrationStore()
    calibration = store.load_camera(name)
    if calibration is None:
        known = ", ".join(store.cameras()) or "none yet"
        raise PostureFeedbackError(
            f"no camera calibration named {name!r} (stored: {known}); run `posture-feedback calibrate camera`"
        )
    return None if calibration.skipped else calibration.up_vector()


def camera_up_uncertainty(name: str) -> tuple[float, float] | None:
    """(roll, pitch) ± in degrees of the stored calibration ``--camera NAME`` puts in force: its own
    (``CameraCalibration.up_uncertainty``); None for ``level`` and a skipped calibration (the level
    camera's default). Until 2026-12 every stored calibration counted ±3°, whatever it stated."""
    from posture_feedback.calibration.store import CalibrationStore

    if name == "level":
        return None
    calibration = CalibrationStore().load_camera(name)
    if calibration is None or calibration.skipped:
        return None
    return calibration.up_uncertainty()


def camera_note(name: str) -> str:
    """The line that says which camera vertical ``--camera NAME`` puts in force, and how sure it is
    (``analyze --camera cam04`` said nothing, where the scene's estimate prints its line: a sixth
    audit): the calibration's own roll and pitch ±."""
    from posture_feedback.calibration.store import CalibrationStore
    from posture_feedback.calibration.vertical import level_camera_note

    if name == "level":
        return level_camera_note("--camera level")
    calibration = CalibrationStore().load_camera(name)
    if calibration is None or calibration.skipped:
        return level_camera_note(f"the calibration {name!r} was skipped")
    roll_unc, pitch_unc = calibration.up_uncertainty()
    return (f"camera vertical from the stored calibration {name!r}: roll {calibration.roll_deg:+.1f}° "
            f"(±{roll_unc:.1f}°), pitch {calibration.pitch_deg:+.1f}° (±{pitch_unc:.1f}°), as it stated")


def recording_vertical(
    camera: str | None, video: str, source: object | None = None, scene_vertical: bool | None = None
) -> tuple[object, tuple[float, float] | None, str, object]:
    """(the world vertical or None, its (roll, pitch) ± in degrees or None, the line that says so, the
    scene's estimate or None) a recording is measured against: a stored calibration (``--camera NAME``;
    ``level``: a level camera), a level camera where a configuration says ``scene_vertical = false``, else
    the recording's scene (``calibration.vertical.scene_up_for_source``; a folder of frames or an image,
    ``source``'s type, gets a level camera). ``analyze`` and ``exercise --headless`` / ``--save-demo``."""
    if camera:
        return camera_up(camera), camera_up_uncertainty(camera), camera_note(camera), None
    if scene_vertical is False:  # the configuration file says so (as --camera level)
        from posture_feedback.calibration.vertical import level_camera_note

        return None, None, level_camera_note("scene_vertical = false in the configuration file"), None
    from posture_feedback.calibration.vertical import scene_up_for_source

    return scene_up_for_source(video, source)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "analyze",
        help="joint angles per frame of a recorded video, as CSV",
        description="Run the pose pipeline on a recording and write the per-frame joint angles (degrees) as CSV.",
    )
    p.add_argument("old_video", nargs="?", metavar="VIDEO", help="deprecated: as --video VIDEO")
    p.add_argument("--video", help="video file, image, folder of images, or 'sample' for the bundled recording")
    p.add_argument("--out", "-o", type=Path, help="CSV output path (default: VIDEO name + .angles.csv)")
    p.add_argument(
        "--annotated", type=Path, metavar="OUT.mp4",
        help="also write a video with the overlays drawn (.mp4, .m4v, .mov, .avi or .mkv; one frame long for an image)",
    )  # fmt: skip
    p.add_argument("--targets", help="target file (TOML) or preset name; adds verdict and cue columns ('auto': "
                   "sitting or standing, front or side chosen frame by frame as in the app, column judged_with)")
    p.add_argument("--config", type=Path, help="configuration file (TOML; see `posture-feedback config`)")
    p.add_argument(
        "--camera",
        metavar="NAME",
        help="apply a stored camera calibration (from `posture-feedback calibrate camera --name NAME`): "
        "a tilted camera then no longer shows up as a tilted trunk or head; 'level' assumes a level camera. "
        "Default: the camera's vertical from the scene's vertical lines (calibration.vertical)",
    )
    p.add_argument(
        "--person",
        type=person_point,
        metavar="X,Y",
        help="follow the person at this pixel of the video (e.g. 540,700; from the top left, inside the frame) "
        "instead of the largest and most central",
    )
    p.add_argument("--max-frames", type=int, metavar="N", help="stop after N frames")
    neutral = p.add_mutually_exclusive_group()
    neutral.add_argument(
        "--neutral",
        type=Path,
        metavar="FILE",
        help="the person's neutral (JSON from `posture-feedback calibrate neutral --json`, or calibrations.json): "
        "relative targets are judged from it; with a preset, its 'from your neutral' variant is used",
    )
    neutral.add_argument(
        "--profile", metavar="NAME",
        help="like --neutral, with the newest neutral saved for this profile in the profile database (--data-dir)"
    )
    p.add_argument("--data-dir", metavar="DIR", help="folder of the profile database (for --profile; default: "
                   "$POSTURE_FEEDBACK_DATA_DIR, else the user data folder)")
    p.add_argument(
        "--valid-only", action="store_true",
        help="leave every angle that is not valid (as in --validity's columns) empty; the last step, after "
        "the filter: the angles kept are exactly those written without it",
    )  # fmt: skip
    p.add_argument(
        "--validity",
        action="store_true",
        help="add valid_<angle> columns (1 = meaningful in this view and 80%% uncertainty within ±15 deg)",
    )
    p.add_argument(
        "--uncertainty",
        action="store_true",
        help="add unc_<angle> columns: half-width (deg) of an interval meant to hold the true angle 80%% of the time",
    )
    p.add_argument(
        "--no-filter",
        action="store_true",
        help="keep the live (One Euro) angles; by default a video's angles are low-pass filtered without lag "
        "(Butterworth, 3 Hz, forwards and backwards) unless --targets or --annotated need the live values",
    )
    p.add_argument(
        "--laptop-signals",
        action="store_true",
        help="add the laptop coach's signals (head_drop, lean_in, face_closer, shoulder_raise, neck_side_bend, "
        "head_rotation, shoulder_lift) against the first second as neutral; see docs/laptop_coach.md",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--trc", type=Path, metavar="OUT.trc", help="also write the 33 landmarks (m, Y up) as OpenSim TRC")
    p.add_argument("--mot", type=Path, metavar="OUT.mot", help="also write the angles (deg) as OpenSim storage .mot")
    add_model_options(p)
    p.set_defaults(func=run)


def _load_target_set(spec: str | None):
    if not spec:
        return None
    from posture_feedback.presets import PRESETS, get_preset
    from posture_feedback.targets import load_targets

    if spec in PRESETS:
        return get_preset(spec)
    path = Path(spec)
    if not path.exists() and not spec.lower().endswith(".toml") and "/" not in spec and "\\" not in spec:
        raise PostureFeedbackError(f"--targets {spec}: no such preset or file (presets: {', '.join(PRESETS)}; "
                                   "or a target file, see docs/targets.md)")  # fmt: skip
    return load_targets(path)


def _apply_neutral(args: argparse.Namespace, target_set):
    """(target set, neutral angles) for --neutral FILE / --profile NAME; a preset becomes its
    'from your neutral' variant (as in the app). Tells on stderr which neutral is used."""
    from posture_feedback.neutral_input import load_neutral_file, posture_of_targets
    from posture_feedback.presets import PRESETS, get_preset

    posture = posture_of_targets(args.targets if args.targets in PRESETS else None)
    if args.neutral is not None:
        neutral = load_neutral_file(args.neutral, posture)
        origin = str(args.neutral)
    else:
        neutral, origin = _profile_neutral(args, posture)
    if args.targets in PRESETS:
        target_set = get_preset(args.targets, baseline=True)
    neutral = neutral.within_bound()  # a record from before 2026-12 may hold angles beyond the bound
    _tell_neutral(neutral, origin)
    if posture is not None and neutral.posture != posture:
        print(f"posture-feedback: warning: this neutral was captured {neutral.posture}, the targets are for "
              f"{posture}", file=sys.stderr)  # fmt: skip
    return target_set, dict(neutral.angles)


def _profile_neutral(args: argparse.Namespace, posture: str | None):
    """(neutral, where it came from) for ``--profile NAME``: the profile's newest neutral of the
    posture in *this* profile database (``--data-dir``), as the app and the posture monitor load it
    (``calibration.store.load_from_database`` by profile id). Never the calibration file's entry
    under the same name: that file is shared by every database, and another database's "Ann" is
    another person (an audit: a new "Ann" in a second database was judged from the first one's
    neutral, also with a --data-dir that did not exist). An error naming the database when there is
    none.

    A neutral captured live holds for its camera (``NeutralPosture.applies_to``, as in the app):
    analysing another live camera with it is refused; for a recording, whose camera is not known,
    it is used and the origin names the camera it was set with ("…, set with camera 0")."""
    from shlex import quote

    from posture_feedback.calibration.store import load_from_database
    from posture_feedback.neutral_input import NeutralInputError
    from posture_feedback.storage.errors import NotFoundError
    from posture_feedback.storage.options import open_for_reading
    from posture_feedback.storage.paths import database_path

    name = args.profile
    path = database_path(args.data_dir)
    # the commands suggested are quoted for the shell: `--profile Zoë Ñandú` pasted as said ran with
    # the profile "Zoë" and a stray argument (audit 28)
    data_dir = f" --data-dir {quote(args.data_dir)}" if args.data_dir else ""
    if not path.exists():  # never create a database just to look into it
        create = f"`posture-feedback profile create --profile {quote(name)}{data_dir}`"
        raise NeutralInputError(f"--profile {name}: there is no profile database at {path}; create the profile "
                                f"with {create}")  # fmt: skip
    postures = (posture,) if posture else ("sitting", "standing")
    live = args.video.strip().isdigit()
    here = f"camera {int(args.video)}" if live else ""  # ui.worker.camera_name: "" for a recording
    elsewhere = None  # the newest neutral refused: set with another live camera
    with open_for_reading(args) as db:
        try:
            profile = db.profile_by_name(name)
        except NotFoundError:
            raise NeutralInputError(f"--profile {name}: no such profile in {path}") from None
        for pst in postures:
            saved = load_from_database(db, profile.id, "neutral", posture=pst)
            if saved is not None and (not live or saved.applies_to(here)):
                return saved, f"profile {name!r} in {path}" + (f", set with {saved.camera}" if saved.camera else "")
            elsewhere = elsewhere or saved
    capture = (f"`posture-feedback calibrate neutral VIDEO --profile {quote(name)} --posture {posture or 'standing'}"
               f"{data_dir}`")  # fmt: skip
    if elsewhere is not None:
        raise NeutralInputError(
            f"--profile {name}: the saved {elsewhere.posture} neutral ({elsewhere.created_at[:10] or 'undated'}) was "
            f"set with {elsewhere.camera}, not {here}: its angles hold for that camera only; capture one with "
            f"`posture-feedback calibrate neutral {quote(args.video)} --profile {quote(name)}{data_dir}`"
        )
    raise NeutralInputError(f"--profile {name}: no saved neutral ({posture or 'sitting or standing'}) for this "
                            f"profile in {path}; capture one with {capture}")  # fmt: skip


def _auto_neutrals(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """--neutral FILE / --profile NAME with ``--targets auto``: the neutral of each posture found
    (auto judges sitting or standing, frame by frame, each with its own neutral, as the app does);
    an error naming where it looked when there is none at all. Tells on stderr which is used."""
    from posture_feedback.neutral_input import NeutralInputError, load_neutral_file

    found: dict[str, tuple] = {}
    for posture in ("sitting", "standing"):
        if args.neutral is not None:
            neutral, origin = load_neutral_file(args.neutral, posture), str(args.neutral)
        else:
            try:
                neutral, origin = _profile_neutral(args, posture)
            except NeutralInputError:
                continue
        found.setdefault(neutral.posture, (neutral, origin))
    if not found:
        _profile_neutral(args, None)  # raises, naming where it looked
    found = {posture: (neutral.within_bound(), origin) for posture, (neutral, origin) in found.items()}
    for neutral, origin in found.values():
        _tell_neutral(neutral, origin)
    return {posture: dict(neutral.angles) for posture, (neutral, _origin) in found.items()}


def _tell_neutral(neutral, origin: str) -> None:  # noqa: ANN001 - a NeutralPosture
    """On stderr: the neutral used (its angles with their ±) and, in a line of its own, the angles it
    leaves out for a ± beyond analyze's bound (``calibration.neutral``, "Within the bound")."""
    names = ", ".join(f"{k} {v:.1f}{neutral.pm(k, 1)}°" for k, v in sorted(neutral.angles.items()))
    print(f"posture-feedback: neutral from {origin} ({neutral.posture}, {neutral.view} view, "
          f"{neutral.created_at[:10] or 'undated'}): {names}", file=sys.stderr)  # fmt: skip
    if neutral.left_out:
        from posture_feedback.kinematics import VALID_MAX_UNCERTAINTY

        out = ", ".join(f"{k} ±{u:.1f}°" for k, u in sorted(neutral.left_out.items()))
        print(f"posture-feedback: not in this neutral (± over {VALID_MAX_UNCERTAINTY:g}°, not judged from it): {out}",
              file=sys.stderr)  # fmt: skip


def _tell_auto(neutrals: dict[str, dict[str, float]]) -> None:
    """``--targets auto``: one line on stderr saying how it judges (and what is not judged), worded
    for a neutral of both postures, of one, or of none (with both it said "…; no posture without a
    neutral: absolute ranges, head over shoulders not judged there")."""
    have = [p for p in ("sitting", "standing") if p in neutrals]
    if len(have) == 2:
        what = "the 'from your neutral' ranges, sitting and standing each from its own neutral"
    elif have:
        (missing,) = (p for p in ("sitting", "standing") if p not in neutrals)
        what = (f"the 'from your neutral' ranges when {have[0]}; {missing} (no {missing} neutral): the absolute "
                "ranges, head over shoulders not judged")  # fmt: skip
    else:
        what = ("the absolute ranges; head over shoulders not judged (relative to the person's neutral: give "
                "--neutral FILE or --profile NAME)")  # fmt: skip
    print("posture-feedback: --targets auto: sitting or standing and front or side chosen frame by frame, as in "
          f"the app (column judged_with); {what}", file=sys.stderr)  # fmt: skip


def _warn_unjudged(target_set, neutral) -> None:
    """Relative targets without a neutral for their angle are never judged: say so on stderr."""
    from posture_feedback.targets import relative_without_neutral

    missing = relative_without_neutral(target_set, neutral)
    if missing:
        ids = ", ".join(f"{t.id} ({t.angle})" for t in missing)
        hint = "give --neutral FILE or --profile NAME" if neutral is None else "this neutral has no value for it"
        print(f"posture-feedback: warning: not judged, verdict 'unknown' in every row: {ids} "
              f"(relative to the person's neutral; {hint})", file=sys.stderr)  # fmt: skip


def _default_out(video: str) -> Path:
    if video == "sample" or video.startswith("sample:"):
        return Path("sample.angles.csv")
    p = Path(video)
    if p.is_dir():
        return Path(p.resolve().name + ".angles.csv")
    return p.with_name(p.stem + ".angles.csv")


def run(args: argparse.Namespace) -> int:
    from posture_feedback.annotate import AngleAnnotator, CueAnnotator, InfoAnnotator, SkeletonAnnotator
    from posture_feedback.pipeline import Pipeline, PipelineOptions, options_for_source
    from posture_feedback.pose import RunningMode
    from posture_feedback.sources import open_source, read_ahead

    if args.max_people is not None and args.max_people < 1:
        raise PostureFeedbackError("--max-people must be at least 1")
    if args.max_frames is not None and args.max_frames < 1:  # it said "sample yielded no frames"
        raise PostureFeedbackError("--max-frames must be at least 1")
    args.video = _video_argument(args)
    out_path: Path = args.out or _default_out(args.video)
    _check_outputs(args, out_path)  # every output, before anything runs or is written
    auto = args.targets == AUTO  # chosen frame by frame (auto_preset.AutoTargets), not a fixed set
    target_set = None if auto else _load_target_set(args.targets)
    neutral_angles = None
    with_neutral = getattr(args, "neutral", None) is not None or getattr(args, "profile", None)
    if auto:
        auto_neutrals = _auto_neutrals(args) if with_neutral else {}
        _tell_auto(auto_neutrals)
    else:
        if with_neutral:
            target_set, neutral_angles = _apply_neutral(args, target_set)
        _warn_unjudged(target_set, neutral_angles)
    source = open_source(args.video)
    if args.person is not None:  # a point outside the frame: nobody can ever be there
        from posture_feedback.person import check_start_point

        try:
            check_start_point(args.person, source.frame_size)
        except PostureFeedbackError:
            source.close()
            raise
    options = PipelineOptions()
    if args.config:
        from posture_feedback.config import load_config

        options = load_config(args.config)
    # A value on its own (valid_, the summary) counts as valid only within ±15°: the writer and the summary
    # apply that bound (kinematics.bounded). Verdicts judge each value's interval, as the app does; with
    # --valid-only, only the values written are judged, and so with a --config file that asks for it
    # (`bound_every_angle = true`, which the app obeys too).
    options = replace(with_model_options(options, args),
                      bound_every_angle=args.valid_only or options.bound_every_angle)  # fmt: skip
    # the vertical, its (roll, pitch) ±, and the scene's estimate (its focal length, and whether vanishing
    # points confirmed it)
    up, up_uncertainty, note, scene = recording_vertical(args.camera, args.video, source, options.scene_vertical)
    options = replace(options, up=up)
    print(note)
    options = options_for_source(options, source)
    total = getattr(source, "frame_count", None)
    if args.max_frames is not None:
        total = min(total or args.max_frames, args.max_frames)

    writer_video = None
    # The annotated video shows the joint angles even without targets (targets add their verdicts).
    annotators = [SkeletonAnnotator(), AngleAnnotator(angles=ANNOTATED_ANGLES), CueAnnotator(), InfoAnnotator()]
    stats = SummaryStats(valid_only=args.valid_only, person=args.person)
    # Written under temporary names beside the outputs (links followed), moved into place once
    # complete: a run that fails keeps the files it would have replaced (an audit: a bad
    # --annotated cut keep.csv to its header and half a row). A pipe or a device is written to,
    # never replaced (output_files).
    # Ctrl-C keeps the rows written so far apart, never passed off as the finished file (an audit:
    # it threw them all away): _keep_interrupted.
    csv_out: OutputFile | None = None
    video_out: OutputFile | None = None
    lines: _LineCount | None = None
    exported: list[Path] = []
    looped = filtered = in_place = done = False  # how far the run got (for Ctrl-C)
    interrupted = ""  # the line that says where the rows of an interrupted run are
    bar = None
    try:
        # Zero-phase filtering rewrites the angles after the run: only where nothing was drawn or
        # judged on the live values (one truth per frame), and only for videos (not still images).
        zero_phase = not (args.no_filter or args.targets or args.annotated) and bool(getattr(source, "fps", 0))
        zero_phase = zero_phase and options.pose.mode == RunningMode.VIDEO
        if zero_phase and importlib.util.find_spec("scipy") is None:  # an install without scipy
            print("angles not low-pass filtered: scipy is missing (reinstall posture-feedback)")
            zero_phase = False
        if zero_phase:  # one lag-free filter over the recording instead of the live One Euro filter
            options = replace(options, smoothing=replace(options.smoothing, landmarks=False))
        # Into a pipe straight only when the rows are final as written (not filtered after, and
        # not read back for the MOT).
        csv_out = OutputFile(out_path, straight=not (zero_phase or args.mot is not None))
        video_out = OutputFile(args.annotated) if args.annotated else None
        csv_out.work.parent.mkdir(parents=True, exist_ok=True)
        with Pipeline(options, target_set, neutral_angles) as pipeline, \
                open(csv_out.work, "w", newline="", encoding="utf-8") as raw:
            f = lines = _LineCount(raw)
            ids = list(auto_target_ids()) if auto else [t.id for t in target_set.targets] if target_set else []
            judge = AutoTargets(pipeline, auto_neutrals) if auto else None
            if up_uncertainty is not None:  # the scene's or the calibration's own roll and pitch ±
                pipeline.set_camera_up(options.up, up_uncertainty)
            if scene is not None:  # the line of sight's focal length, and how sure it is (kinematics)
                pipeline.set_focal(scene.focal_px, scene.image_size, scene.focal_confirmed)
            if args.person is not None:
                pipeline.start_with_person_at(args.person)
            # Filtered, --valid-only empties cells last (filter_angle_csv): this pass writes every
            # value, with the validity and ± that the filter's validity needs.
            csv_writer = AngleCsvWriter(
                f, ids, include_validity=args.validity or (zero_phase and args.valid_only),
                valid_only=args.valid_only and not zero_phase,
                laptop_signals=getattr(args, "laptop_signals", False),
                include_uncertainty=args.uncertainty or (zero_phase and (args.validity or args.valid_only)),
                judged_with=auto,
            )  # fmt: skip
            trc = TrcWriter(args.trc, source.fps, options.min_visibility, options.up) if args.trc is not None else None
            from tqdm import tqdm

            bar = tqdm(total=total, unit="frame", disable=True if args.no_progress else None, file=sys.stderr)
            t0 = time.perf_counter()
            frames = source if source.is_live else read_ahead(source)  # decoded beside the model
            try:
                for i, frame in enumerate(frames):
                    if args.max_frames is not None and i >= args.max_frames:
                        break
                    judged_with = judge.name if judge is not None else None
                    result = pipeline.process(frame)
                    # a value on its own: valid only within the ± bound (valid_, the summary), once a frame
                    on_its_own = bounded(result.angles)
                    csv_writer.write(result, on_its_own, judged_with=judged_with)
                    if judge is not None:
                        judge.after(result)  # the app's choice, for the frames that follow
                    if trc is not None:
                        trc.add(result)
                    stats.add(result, on_its_own)
                    if args.annotated:  # drawn and encoded on a worker thread (video_out)
                        if writer_video is None:
                            writer_video = AnnotatedVideoWriter(video_out.work, source.fps, annotators,
                                                                name=args.annotated)  # fmt: skip
                        writer_video.write(result)
                    bar.update(1)
            finally:  # stop the decoding thread before the source is closed
                if frames is not source:
                    frames.close()
            csv_writer.finish()
            looped = True
            elapsed = time.perf_counter() - t0
            if judge is not None:
                stats.judged_with = dict(judge.frames)
            bar.close()
        if not stats.frames:
            raise SourceError(f"{args.video} yielded no frames")
        if args.person is not None and stats.found == 0:  # a file of person=0 rows is no result: keep the old one
            from posture_feedback.words import count_noun

            x, y = args.person
            seen = count_noun(stats.most_people, "person", "people") + (" was" if stats.most_people == 1 else " were")
            raise PostureFeedbackError(
                f"nobody at the point you gave ({x:g}, {y:g}): {seen} seen (the most in one frame), none there; "
                "nothing written: give a point on the person to follow")  # fmt: skip
        if zero_phase:
            from posture_feedback.angles_csv import filter_angle_csv

            written = filter_angle_csv(csv_out.work, source.fps, keep_uncertainty=args.uncertainty,
                                       valid_only=args.valid_only, keep_validity=args.validity)  # fmt: skip
            stats.set_values(written)  # the summary describes the angles (and their validity) as written
            filtered = True
        if writer_video is not None:
            writer_video, finishing = None, writer_video
            finishing.close()
        exported = [trc.close()] if trc is not None else []
        if args.mot is not None:  # from the finished CSV: the same angles, filtered or not
            exported.append(mot_from_angle_csv(csv_out.work, args.mot))
        csv_out.commit()
        in_place = True
        if video_out is not None:
            video_out.commit()
        done = True
    except KeyboardInterrupt:
        if csv_out is None or in_place or lines is None or lines.count < 2:  # not a row yet: nothing to keep
            raise
        if bar is not None:
            bar.close()
        interrupted = _keep_interrupted(args, csv_out, lines.count - 1, zero_phase, (looped, filtered), exported)
    finally:
        source.close()
        try:
            if writer_video is not None:
                writer_video.close()
        finally:
            for output in (csv_out, video_out) if not done else ():
                if output is not None and not (output is csv_out and interrupted):
                    output.discard()
            if csv_out is not None and not done and not csv_out.direct:  # filter_angle_csv's own
                csv_out.work.with_name(csv_out.work.name + ".tmp").unlink(missing_ok=True)
    if interrupted:
        print(interrupted, file=sys.stderr)
        return 130  # as the command line says for Ctrl-C
    print(stats.text(elapsed, out_path, args.annotated))
    for path in exported:
        print(f"{'OpenSim markers (TRC)' if path.suffix.lower() == '.trc' else 'OpenSim angles (MOT)'}: {path}")
    return 0


class _LineCount:
    """The CSV file, counting the lines written to it (the header and one row per frame written)."""

    def __init__(self, f) -> None:  # noqa: ANN001 - a text file
        self._f = f
        self.count = 0

    def write(self, text: str) -> int:
        written = self._f.write(text)
        self.count += text.count("\n")
        return written


def _keep_interrupted(args: argparse.Namespace, csv_out: OutputFile, rows: int, zero_phase: bool,
                      reached: tuple[bool, bool], exported: list[Path]) -> str:  # fmt: skip
    """After Ctrl-C: keep the CSV's rows so far where they can be found, never as the finished file
    (``OutputFile.keep_partial``: ``OUT.partial.csv`` beside it, or a pipe's temporary file), and
    the one line that says where they are, for how many frames (``rows``, counted in the file kept),
    what they lack (the low-pass filter and what --valid-only empties come at the end; ``reached``:
    every frame was written, the filter was applied) and which outputs were not written."""
    kept = csv_out.keep_partial()
    if kept is not None:
        with open(kept, encoding="utf-8") as f:
            rows = sum(1 for _ in f) - 1
    looped, filtered = reached
    state = "all of them" if looped else "incomplete"
    if zero_phase and not filtered:
        state += ", not low-pass filtered" + (", --valid-only not applied" if args.valid_only else "")
    elif looped:
        state += ", filtered, but not yet put in place" if filtered else ", but not yet put in place"
    asked = [csv_out.path if kept is not None else None, args.annotated, args.trc, args.mot]
    missing = [str(p) for p in asked if p is not None and p not in exported]
    where = f"are in {kept}" if kept is not None else f"went into {csv_out.path} as they were computed"
    return (f"posture-feedback: interrupted: the rows of the first {rows} frames ({state}) {where}"
            + (f"; not written: {', '.join(missing)}" if missing else ""))


def _check_outputs(args: argparse.Namespace, out_path: Path) -> None:
    """Every output option checked before the source is opened or any file written (one line):
    no folder, a video name for --annotated, a place that takes the file (``check_output``: not
    under a file, not refused by the file system), and no output on the recording itself or on
    another output (``--mot a.csv -o a.csv`` would overwrite the CSV it is made from)."""
    check_output(out_path, "--out" if args.out else "the CSV's default name", example="angles.csv")
    if args.annotated is not None:
        check_video_path(args.annotated)
        check_output(args.annotated, "--annotated")
    for option, path in (("--trc", args.trc), ("--mot", args.mot)):
        if path is not None:
            check_output(path, option, example=f"markers{option[1:]}".replace("-", "."))
    given = [("--out", out_path), ("--annotated", args.annotated), ("--trc", args.trc), ("--mot", args.mot)]
    seen = {path.resolve(): what for path, what in _source_files(args.video)}
    for option, path in given:
        if path is None:
            continue
        key = path.resolve()
        if key in seen:
            raise PostureFeedbackError(f"{option} {path} is also {seen[key]}: give each output a file of its own")
        seen[key] = f"{option} {path}" if option != "--out" or args.out else f"the CSV's default name ({path})"


def _source_files(video: str) -> list[tuple[Path, str]]:
    """The files ``--video`` reads, each with the words that name it: the file ``sample`` or
    ``sample:NAME`` stands for (an audit: ``--video sample -o sample_videos/lab_desk_webcam.mp4``
    overwrote the bundled recording, the check looked for a file called "sample"), a video or
    image file, or the images of a folder. None for a camera or a source that does not exist (the
    source's own error follows)."""
    from posture_feedback.resources import sample_video
    from posture_feedback.sources import IMAGE_SUFFIXES

    text = video.strip()
    if text.isdigit():
        return []
    if text == "sample" or text.startswith("sample:"):
        try:
            path = sample_video(text.split(":", 1)[1]) if ":" in text else sample_video()
        except SourceError:
            return []
        return [(path, f"the recording being analysed ({path})")]
    path = Path(video).expanduser()
    if path.is_dir():
        images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
        return [(p, f"an image being analysed (in {path})") for p in images]
    return [(path, "the recording being analysed")] if path.is_file() else []


def _video_argument(args: argparse.Namespace) -> str:
    """--video (as in every command), or the deprecated positional VIDEO (still accepted, with a
    one-line deprecation note on stderr, as the ``profile`` sub-commands do)."""
    if args.old_video is not None:
        if args.video is not None:
            raise PostureFeedbackError(f"give the video once, with --video (got {args.old_video!r} too)")
        from posture_feedback.storage.options import deprecated

        deprecated(f"analyze {args.old_video}", f"analyze --video {args.old_video}")
        return args.old_video
    if args.video is None:
        raise PostureFeedbackError("which recording? add --video FILE (or --video sample)")
    return args.video



class SummaryStats:
    """What the end-of-run summary needs, a few numbers per frame (not the frames themselves).

    Its table gives per angle the median, min and max over the frames where the angle is valid
    (``AngleTable.valid``: meaningful in this view and its 80% ± within
    ``kinematics.VALID_MAX_UNCERTAINTY``, as analyze bounds every value on its own,
    ``kinematics.bounded``; after the zero-phase filter
    the filter's own validity, jitter included), i.e. the CSV's ``valid_<angle>`` = 1 cells with
    ``--validity``, whether or not that column is written; "—" where no frame is valid. Beside them
    "valid" (that count) and "measured" (frames with a value in the CSV: with ``--valid-only`` the
    valid ones only). Until 2026-12 the statistics took every measured value: an upright man's
    trunk_inclination read 40.0 over 129 frames none of which was valid, and the first frames of a
    newly followed person (which judge nothing) gave a head_forward_lean of 109.2.
    """

    def __init__(self, valid_only: bool = False, person: tuple[float, float] | None = None) -> None:
        self.valid_only = valid_only  # --valid-only: the CSV leaves the invalid cells empty
        self.person = person  # --person X,Y: the point the person to follow was asked at
        self.most_people = 0  # the most people detected in one frame (the CSV's `people`)
        self.frames = 0
        self.views: dict[str, int] = {}
        self._values: list[np.ndarray] = []  # (len(ANGLE_NAMES),) float32 per frame with a person, as in the CSV
        self._valid: list[np.ndarray] = []  # (len(ANGLE_NAMES),) bool per frame with a person
        self._unc: list[np.ndarray] = []  # (len(ANGLE_NAMES),) ± degrees per frame with a person (float64, as written)
        self.verdicts: dict[str, int] = {}  # verdict value → target cells (with --targets)
        self.judged_with: dict[str, int] = {}  # --targets auto: set name → frames judged with it

    @property
    def found(self) -> int:
        return len(self._values)

    def add(self, result: FrameResult, angles: AngleTable | None = None) -> None:
        """One frame; ``angles`` replaces ``result.angles`` (analyze: the values bounded as read on their
        own, ``kinematics.bounded``, as the CSV writes them)."""
        self.frames += 1
        self.most_people = max(self.most_people, len(result.people))
        for state in result.targets:
            self.verdicts[state.verdict.value] = self.verdicts.get(state.verdict.value, 0) + 1
        if result.person_found:
            self.views[result.view.value] = self.views.get(result.view.value, 0) + 1
            angles = result.angles if angles is None else angles
            values = angles.values.astype(np.float32)
            valid = np.asarray(angles.valid, dtype=bool)
            self._values.append(np.where(valid, values, np.nan) if self.valid_only else values)
            self._valid.append(valid)
            self._unc.append(np.asarray(angles.uncertainty, dtype=np.float64))

    def set_values(self, written: WrittenAngles) -> None:
        """Replace the per-frame angles and their validity by those finally written by the zero-phase
        filter (``angles_csv.filter_angle_csv``): its ``valid_`` cells, or where the CSV has none the
        same rule on the ± as written (``angles_csv.validity_after_filter``)."""
        if len(written.values) != len(self._values) or not self._values:
            return
        if written.valid is not None:
            valid = written.valid
        else:
            from posture_feedback.angles_csv import csv_cells, validity_after_filter

            _, valid = validity_after_filter(
                np.array(self._valid), csv_cells(np.array(self._unc), 1), written.jitter, written.fragments
            )
        self._values = list(np.asarray(written.values, dtype=np.float32))
        self._valid = list(np.asarray(valid, dtype=bool))

    def table(self) -> list[str]:
        """The per-angle lines: median, min and max over the valid frames, the valid and the measured count."""
        n_angles = len(ANGLE_NAMES)
        values = np.array(self._values, dtype=np.float64).reshape(-1, n_angles)
        valid = np.array(self._valid, dtype=bool).reshape(-1, n_angles) & ~np.isnan(values)
        lines = [f"{'angle (degrees)':<26}{'median':>8}{'min':>8}{'max':>8}{'valid':>8}{'measured':>10}"]
        for j, name in enumerate(ANGLE_NAMES):
            measured = int(np.count_nonzero(~np.isnan(values[:, j])))
            col = values[valid[:, j], j]
            if col.size:
                stats = f"{np.median(col):8.1f}{col.min():8.1f}{col.max():8.1f}"
            else:
                stats = f"{'—':>8}{'—':>8}{'—':>8}"
            lines.append(f"{name:<26}{stats}{col.size:8d}{measured:10d}")
        from posture_feedback.kinematics import VALID_MAX_UNCERTAINTY

        bound = f"{VALID_MAX_UNCERTAINTY:g}"
        lines.append(
            f"median, min, max over the valid frames (meaningful in this view, ± ≤ {bound}°)"
            + (", the only values in the CSV (--valid-only)" if self.valid_only
               else "; measured: frames with a value in the CSV")
        )  # fmt: skip
        return lines

    def text(self, elapsed_s: float, out_path: Path, annotated: Path | None) -> str:
        """The text printed at the end of ``analyze``."""
        n, found = self.frames, self.found
        lines = [
            f"frames: {n}   person found: {found} ({100.0 * found / n:.0f}%)   "
            f"processing: {n / elapsed_s:.1f} frames/s ({1000.0 * elapsed_s / n:.1f} ms/frame)",
            "views: "
            + (", ".join(f"{k} {100.0 * v / max(found, 1):.0f}%" for k, v in sorted(self.views.items())) or "—"),
            *self.table(),
        ]
        if self.verdicts:
            judged = sum(v for k, v in self.verdicts.items() if Verdict(k).judged)
            line = f"verdicts: {judged} judged, {self.verdicts.get('unknown', 0)} unknown"
            if self.verdicts.get("uncertain"):
                line += (f", {self.verdicts['uncertain']} uncertain (the value's 80% interval reaches both the range "
                         "and beyond its tolerance: docs/targets.md)")  # fmt: skip
            lines.append(line)
        if self.judged_with:
            lines.append("judged with (auto): " + ", ".join(f"{k} {v} frames" for k, v in self.judged_with.items()))
        lines.append(f"angles CSV: {out_path}")
        if annotated:
            lines.append(f"annotated video: {annotated}")
        if found == 0:
            lines.append("nobody was found in this recording: every row has person=0")
        return "\n".join(lines)
