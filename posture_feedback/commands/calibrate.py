"""``posture-feedback calibrate camera|neutral|scale|show``: the calibration steps on a camera or a recording.

* ``calibrate camera [VIDEO | --video VIDEO | --source N]``: the camera's vertical (roll and
  pitch) from the scene's vertical lines (``calibration.vertical``), stored per camera;
  ``--method person`` instead asks the person to stand tall and hold still for 3 s
  (``calibration.camera``); ``--skip`` stores a level camera. ``--json`` prints ``{"up": [x, y, z],
  "uncertainty_deg": u, "method": ..., "camera": {the stored record}}`` (``up``: the world vertical
  in camera axes, x right, y down, z forward; a level camera gives ``[0, -1, 0]``).
* ``calibrate neutral [VIDEO | --source N] --posture sitting|standing``: the person's neutral
  angles (mean, ± and SD), stored per profile; only angles whose ± is within analyze's validity
  bound (15°) in most frames (``calibration.neutral``, "Within the bound"), the others named as
  left out.
* ``calibrate scale [VIDEO | --source N] --height M`` or ``--marker-size M``: metres per pixel, with its ±;
  refused when the person moves (the neutral's stillness rule); a height scale stored with
  ``--profile`` is used by ``assess posture --profile`` for lengths in cm.
* ``calibrate show``: what is stored.

Stored in ``calibrations.json`` in the user config directory (``--store`` to choose a file) and,
with ``--profile NAME``, also with that profile in the database (``--data-dir``).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from posture_feedback.commands import accept_positionals_after_options, finite_float
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.storage.options import add_data_dir_option

INSTRUCTIONS = {
    "camera": "Stand tall facing the camera, whole body in view, arms relaxed by your sides. Hold still.",
    "neutral": "{posture} as you usually do, relaxed, facing the camera (or side-on for the head and trunk angles). "
    "Hold still.",
    "scale": "Stand straight, whole body in view, facing the camera. Hold still.",
    "marker": "Hold the printed marker flat, facing the camera, at your distance from it.",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="camera roll, neutral posture or length scale from a camera or a recording",
        description="Calibration steps; results are stored (see `calibrate show`) and reused: a camera by "
        "`analyze` and `assess --camera`, a neutral by `analyze --profile`, a height scale by "
        "`assess posture --profile`.",
    )
    p.add_argument("step", choices=("camera", "neutral", "scale", "show"), help="which calibration")
    p.add_argument("video", nargs="?", help="a recording to calibrate from (instead of --source)")
    p.add_argument("--video", dest="video_option", metavar="VIDEO", help="the same as the positional VIDEO")
    p.add_argument("--source", help="camera index for a live capture, e.g. 0")
    p.add_argument(
        "--seconds", type=finite_float, default=None,
        help="capture length in seconds (default 3; the scene method reads 8 frames over 5 s, as `analyze` does)",
    )  # fmt: skip
    p.add_argument("--start", type=finite_float, default=0.0, help="start this many seconds into a recording")
    p.add_argument("--name", help="camera name to store a camera calibration under (default: the source's name)")
    p.add_argument("--camera", help="for neutral/scale: apply this stored camera calibration first")
    p.add_argument("--skip", action="store_true", help="camera: store a level camera (skip the capture)")
    p.add_argument(
        "--method",
        choices=("scene", "person"),
        default="scene",
        help="camera: from the scene's vertical lines (default; nobody needs to pose) or from a person "
        "standing tall and holding still",
    )
    p.add_argument("--posture", choices=("sitting", "standing"), default="standing", help="neutral posture")
    p.add_argument(
        "--profile", metavar="NAME", help="store with this profile in the database (default: the JSON file only)"
    )
    p.add_argument("--height", type=finite_float, metavar="M", help="scale: the person's standing height in metres")
    p.add_argument("--marker-size", type=finite_float, metavar="M", help="scale: printed ArUco marker side in metres")
    p.add_argument("--store", type=Path, help="calibration file (default: user config dir)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_data_dir_option(p)
    accept_positionals_after_options(p)  # `calibrate scale --height 1.75 VIDEO` was "unrecognized arguments"
    p.set_defaults(func=run)


def _spec(args: argparse.Namespace) -> str:
    option = getattr(args, "video_option", None)
    if option:
        if args.video and args.video != option:
            raise PostureFeedbackError("give the recording once (VIDEO or --video VIDEO)")
        args.video = option
    if args.video and args.source is not None:
        raise PostureFeedbackError("give a recording or --source, not both")
    if args.video:
        return args.video
    if args.source is not None:
        return args.source
    raise PostureFeedbackError("give a recording (VIDEO) or a camera (--source N)")


def _emit_camera(args: argparse.Namespace, cal, extra: dict) -> None:
    """With --json, the camera result: {"up", "uncertainty_deg", "method", ..., "camera": stored record}."""
    if args.json:
        up = [round(float(v), 6) for v in cal.up_vector()]
        record = {**cal.to_dict(), "up": up, "uncertainty_deg": extra["uncertainty_deg"]}
        print(json.dumps({"up": up, **extra, "camera": record}, indent=2))
        args.json_done = True


def _scene_camera(args: argparse.Namespace, store, spec: str) -> int:
    """calibrate camera --method scene: the vertical from the scene's lines, stored and printed."""
    from posture_feedback.calibration.vertical import DEFAULT_SPAN_S, estimate_scene_vertical, read_frames

    # by default the frames `analyze` reads (it said 3 s here and read 5 s there: two estimates of one video)
    seconds = DEFAULT_SPAN_S if args.seconds is None else args.seconds  # > 0: _check_span
    frames, name = read_frames(spec, span_s=seconds, start_s=args.start)
    est = estimate_scene_vertical(frames)
    cal = est.to_calibration(camera=args.name or name)
    _save(args, store, cal)
    _emit_camera(args, cal, est.to_dict())
    if not args.json:
        print(
            f"camera {cal.camera!r}: roll {est.roll_deg:+.1f}°, pitch {est.pitch_deg:+.1f}° "
            f"(up {', '.join(f'{v:+.3f}' for v in est.up)}; ±{est.uncertainty_deg:.1f}° at 95 %), from "
            f"{est.n_inliers} line segments in {est.n_frames} frames, focal length {est.focal_px:.0f} px "
            f"({est.focal_source}{'' if est.focal_confirmed else ', unconfirmed'}); stored in {store.path}"
        )
        roll_unc, pitch_unc = est.roll_pitch_uncertainty()
        if est.focal_confirmed:
            print("  the ± assumes the whole camera image (optical centre in the middle): on a cropped or digitally "
                  "zoomed image the pitch can be further off (docs/laptop_coach.md)")  # fmt: skip
        else:
            print(f"  no two vanishing points confirm the focal length: the pitch (±{pitch_unc:.0f}°) is barely known "
                  f"(any field of view, crops included); the roll holds to ±{roll_unc:.0f}°")  # fmt: skip
    return 0


def _emit(args: argparse.Namespace, label: str, data: dict, summary: str) -> None:
    if getattr(args, "json_done", False):
        return
    if args.json:
        print(json.dumps({label: data}, indent=2))
    else:
        print(summary)


def _save(args: argparse.Namespace, store, item) -> None:
    """Store in the JSON file (camera: per camera; neutral/scale: under "default" or the profile's name),
    and with ``--profile`` also in the database. The profile is looked up before anything is
    written: an unknown one stores nothing (the file kept a neutral for 'Bob' that the database
    refused, and `analyze --profile Bob` then used it)."""
    from contextlib import nullcontext

    from posture_feedback.calibration.camera import CameraCalibration
    from posture_feedback.calibration.neutral import NeutralPosture
    from posture_feedback.calibration.store import save_to_database
    from posture_feedback.storage.options import open_database

    with open_database(args) if args.profile else nullcontext() as db:
        profile_id = db.profile_by_name(args.profile).id if db is not None else None
        if isinstance(item, CameraCalibration):
            store.save_camera(item)
        elif isinstance(item, NeutralPosture):
            store.save_neutral(item, profile=args.profile or "default")
        else:
            store.save_scale(item, profile=args.profile or "default")
        if db is not None:
            save_to_database(db, profile_id, item)


def _check_profile(args: argparse.Namespace) -> None:
    """``--profile NAME`` names a stored profile: checked before any capture (a typo was found only
    after the whole capture, and one line later than the file write)."""
    if args.profile:
        from posture_feedback.storage.options import open_database

        with open_database(args) as db:
            db.profile_by_name(args.profile)


def _check_span(args: argparse.Namespace, spec: str) -> None:
    """--seconds and --start, checked before anything is captured (one line each): --seconds -1 or
    0 silently read 3 s for the camera and blamed the recording for the neutral ("the capture has
    only 0 frames … give a recording of a few seconds"); --start 999 or -5 said "no frames to find
    the scene's vertical lines in"."""
    if args.seconds is not None and args.seconds <= 0:
        raise PostureFeedbackError(f"--seconds is the capture length and must be more than 0, not {args.seconds:g}")
    if args.start < 0:
        raise PostureFeedbackError(f"--start is seconds into the recording and must be 0 or more, not {args.start:g}")
    if args.start == 0:
        return
    if str(spec).strip().isdigit():
        raise PostureFeedbackError("--start is for a recording: a live camera is captured from now")
    from posture_feedback.sources import ImageSource, open_source

    with open_source(str(spec)) as source:
        if isinstance(source, ImageSource):
            count = len(getattr(source, "_files", [None]))
            if count <= 1:
                raise PostureFeedbackError(f"--start is for a recording: {spec} is a still image")
            length = count / source.fps
        else:
            count = getattr(source, "frame_count", None)
            length = count / source.fps if count and source.fps else None
    if length is not None and args.start >= length:
        raise PostureFeedbackError(f"--start {args.start:g} s is past the end of the recording ({length:.1f} s long)")


def _check_arguments(args: argparse.Namespace) -> None:
    """The step's own arguments, checked before anything is captured (one line each)."""
    if args.step != "scale":
        return
    from posture_feedback.calibration.scale import check_height, check_marker_size

    if args.height is not None and args.marker_size is not None:
        raise PostureFeedbackError("scale takes --height M or --marker-size M, not both")
    if args.height is None and args.marker_size is None:
        raise PostureFeedbackError("scale needs --height M (the person's standing height) or --marker-size M")
    if args.height is not None:
        check_height(args.height)
    else:
        check_marker_size(args.marker_size)


def _enough_frames(args: argparse.Namespace, results: list) -> None:
    """Refuse an input too short for the step (a still image, a 5-frame clip) as such, not as a posture."""
    from posture_feedback.calibration import camera, neutral, scale
    from posture_feedback.calibration.camera import CalibrationError

    need = {"camera": camera.MIN_FRAMES, "neutral": neutral.MIN_FRAMES,
            "scale": scale.MIN_FRAMES if args.height is not None else 1}[args.step]  # fmt: skip
    if len(results) < need:
        raise CalibrationError(neutral.too_short_text(f"{args.step} calibration" if args.step == "camera"
                                                      else args.step, len(results), need))  # fmt: skip


def _stored_in(args: argparse.Namespace, store) -> str:
    """"stored in /…/calibrations.json (and with profile 'Demo' in the database)"."""
    where = f" and with profile {args.profile!r} in the database" if args.profile else ""
    return f"  stored in {store.path}{where}"


def scale_summary(scale, profile: str | None) -> str:
    """The scale with its ± and who uses it, e.g. "scale: 4.648 mm per pixel ± 1.2 % ..."."""
    extra = "; body proportions add a few %" if scale.method == "height" else ""
    text = (f"scale: {scale.metres_per_pixel * 1000:.3f} mm per pixel ± {100 * scale.spread:.1f} % (SD over "
            f"{scale.n_frames} frames{extra}) ({scale.method}; {scale.assumption})")  # fmt: skip
    if scale.method == "height" and profile:
        command = f"assess posture --profile {shlex.quote(profile)}"
        text += f"\n  used for lengths in cm by `{command}` (unless --height is given)"
    elif scale.method == "height":
        text += "\n  used only with --profile NAME (`assess posture --profile NAME` reads a profile's scale)"
    else:
        text += ("\n  a marker scale holds in image pixels at the marker's depth only; `assess posture` "
                 "needs a height scale (calibrate scale --height M) for lengths in cm")
    return text


def run(args: argparse.Namespace) -> int:
    from posture_feedback.calibration.camera import CameraCalibration, estimate_camera
    from posture_feedback.calibration.store import CalibrationStore

    store = CalibrationStore(args.store)
    if args.step == "show":
        data = store.dump()
        print(json.dumps(data, indent=2))
        return 0
    _check_profile(args)
    if args.step == "camera" and args.skip:
        name = args.name or (f"camera {args.source}" if args.source is not None else None)
        if not name:
            raise PostureFeedbackError("--skip needs --name or --source to know which camera is level")
        cal = CameraCalibration.level(camera=name)
        _save(args, store, cal)
        _emit(args, "camera", cal.to_dict(), f"camera {name!r}: calibration skipped, stored as level")
        return 0

    spec = _spec(args)
    _check_arguments(args)  # before any capture: a typo is not found after seconds of video
    _check_span(args, spec)
    if spec is not None and not str(spec).strip().isdigit():
        # a recording that cannot be read is refused before the instruction to stand still, which
        # then preceded its error line (audit 28)
        from posture_feedback.sources import open_source

        open_source(str(spec)).close()
    if args.step == "camera" and args.method == "scene":
        return _scene_camera(args, store, spec)

    from posture_feedback.calibration.capture import capture_results

    up = up_unc = focal = None
    if args.camera:
        cam = store.load_camera(args.camera)
        if cam is None:
            raise PostureFeedbackError(f"no stored calibration for camera {args.camera!r} (run `calibrate camera`)")
        up = None if cam.skipped else cam.up_vector()
        up_unc = None if cam.skipped else cam.up_uncertainty()  # its own ±, not a flat 3°
    elif args.step == "neutral" and spec is not None and not str(spec).strip().isdigit():
        # a recording (a file or a bundled sample): the vertical ``analyze`` will judge against, the
        # scene's (level for still images, as there). A neutral taken against a level camera read
        # 1.7° off its own frames there (a seventh audit). A live camera keeps the level default.
        from posture_feedback.calibration.vertical import scene_up_for_source
        from posture_feedback.sources import open_source

        with open_source(str(spec)) as source:
            up, up_unc, note, scene = scene_up_for_source(str(spec), source)
        if scene is not None:  # the focal length analyze will use for this recording
            focal = (scene.focal_px, scene.image_size, scene.focal_confirmed)
        print(f"posture-feedback: {note}", file=sys.stderr)
    text = INSTRUCTIONS["marker" if args.step == "scale" and args.marker_size else args.step]
    print(f"posture-feedback: {text.format(posture=args.posture.capitalize())}", file=sys.stderr)
    from posture_feedback.pipeline import PipelineOptions

    results, name = capture_results(
        spec, seconds=3.0 if args.seconds is None else args.seconds, start_s=args.start, up=up, countdown_s=3.0,
        options=PipelineOptions(up_uncertainty_deg=up_unc), focal=focal,
        on_countdown=lambda n: print(f"posture-feedback:   starting in {n}...", file=sys.stderr),
    )  # fmt: skip
    _enough_frames(args, results)
    if args.step == "camera":
        cal = estimate_camera(results, camera=args.name or name)
        _save(args, store, cal)
        # the spread and the model's own error on that axis; the person's own lean is not in it
        roll_unc, pitch_unc = cal.up_uncertainty()
        _emit_camera(args, cal, {"method": "person", "uncertainty_deg": max(roll_unc, pitch_unc),
                                 "roll_uncertainty_deg": roll_unc, "pitch_uncertainty_deg": pitch_unc})  # fmt: skip
        _emit(
            args, "camera", cal.to_dict(),
            f"camera {cal.camera!r}: roll {cal.roll_deg:+.1f}° (±{roll_unc:.1f}°), pitch {cal.pitch_deg:+.1f}° "
            f"(±{pitch_unc:.1f}°; SD {cal.spread:.1f}° / {cal.pitch_spread:.1f}°, {cal.n_frames} frames, {cal.axis} "
            f"axis); stored in {store.path}",
        )  # fmt: skip
    elif args.step == "neutral":
        from posture_feedback.calibration.neutral import capture_neutral

        neutral = capture_neutral(results, args.posture)
        _save(args, store, neutral)
        lines = [f"{k}: {v:.1f}{neutral.pm(k, 1)}° (SD {neutral.spread[k]:.1f}°)" for k, v in neutral.angles.items()]
        left_out = f"\n  {neutral.left_out_text()}" if neutral.left_out else ""
        _emit(
            args,
            "neutral",
            neutral.to_dict(),
            f"neutral ({args.posture}, {neutral.view} view), profile {args.profile or 'default'!r}:\n  "
            + "\n  ".join(lines) + left_out + f"\n{_stored_in(args, store)}",
        )
    else:
        from posture_feedback.calibration.scale import scale_from_height, scale_from_marker

        if args.height is not None:
            scale = scale_from_height(results, args.height)
        else:
            scale = scale_from_marker((r.frame.image for r in results), args.marker_size)
        _save(args, store, scale)
        _emit(args, "scale", scale.to_dict(), scale_summary(scale, args.profile) + f"\n{_stored_in(args, store)}")
    return 0
