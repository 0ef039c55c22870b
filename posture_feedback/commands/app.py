"""``posture-feedback`` (no sub-command) or ``posture-feedback app``: the desktop mirror app.

Opens the live mirror window on the default webcam (``--source`` for another camera, a video
file or ``sample``), the compact posture monitor (``--monitor``), or the therapist view
(``--therapist``). ``--frames N --screenshot OUT.png`` runs the real window (offscreen when
there is no display), processes N consecutive frames (every frame of a video, not in real
time, so the picture is reproducible), saves the window and exits.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import replace
from pathlib import Path

from posture_feedback.commands import finite_float
from posture_feedback.commands.analyze import add_model_options, camera_up, camera_up_uncertainty, with_model_options
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.storage.options import add_data_dir_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "app",
        help="the live mirror window (the default when no command is given)",
        description="Live mirror-style posture and movement feedback from a webcam or a video.",
    )
    p.add_argument("--source", default="0", metavar="N|FILE|sample",
                   help="camera index (default 0), a video or image file, or 'sample' (bundled video)")  # fmt: skip
    p.add_argument("--preset", metavar="NAME", help="built-in targets: auto (default: sitting or standing, front "
                   "or side, from what the camera sees), sitting, standing, sitting-front, sitting-side, "
                   "standing-front, standing-side, or none")  # fmt: skip
    p.add_argument("--targets", type=Path, metavar="FILE", help="target ranges file (TOML); edits are saved to it")
    mirror = p.add_mutually_exclusive_group()
    mirror.add_argument("--mirror", dest="mirror", action="store_true", default=None,
                        help="flip the picture like a mirror (default for a camera)")  # fmt: skip
    mirror.add_argument("--no-mirror", dest="mirror", action="store_false",
                        help="show the picture as filmed (default for a video)")  # fmt: skip
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--therapist", action="store_true", help="therapist view: large numbers, goniometer, full screen")
    mode.add_argument("--monitor", action="store_true", help="compact posture monitor for desk work")
    p.add_argument("--alert-after", type=finite_float, default=30.0, metavar="S",
                   help="posture monitor: seconds a deviation must last before an alert (default 30)")  # fmt: skip
    p.add_argument("--alert-threshold", type=finite_float, default=5.0, metavar="DEG",
                   help="posture monitor: degrees beyond the range before it counts (default 5)")  # fmt: skip
    p.add_argument("--break-after", type=finite_float, default=30.0, metavar="MIN",
                   help="posture monitor: minutes of sitting before a micro-break reminder (default 30)")  # fmt: skip
    p.add_argument("--laptop-threshold", action="append", default=[], metavar="SIGNAL=VALUE",
                   help="posture monitor: change from your neutral that counts as a fault; defaults head_drop=10 "
                   "(%% of shoulder width), lean_in=12 (%%), shoulder_raise=10 (%%), neck_side_bend=8 (deg); "
                   "see docs/laptop_coach.md")  # fmt: skip
    p.add_argument("--sound", dest="sound", action="store_true", default=None,
                   help="beep on entering/leaving a range (default: on, off in the therapist view)")  # fmt: skip
    p.add_argument("--mute", dest="sound", action="store_false", help="no sound")
    p.add_argument("--frames", type=int, metavar="N", help="process N frames, then stop (with --screenshot: then quit)")
    p.add_argument("--screenshot", type=Path, metavar="OUT.png", help="save the window after --frames N and quit")
    p.add_argument("--profile", metavar="NAME", help="save to / show the history of this profile (created if new)")
    add_data_dir_option(p)
    p.add_argument("--camera", metavar="NAME",
                   help="apply a stored camera calibration (from `calibrate camera --name NAME`); 'level' for a "
                        "level camera. Default: the vertical from the scene's lines over the first 1.5 s")  # fmt: skip
    p.add_argument("--config", type=Path, help="configuration file (TOML; see `posture-feedback config`)")
    p.add_argument("--demo-goniometer", action="store_true", help=argparse.SUPPRESS)
    add_model_options(p)
    p.set_defaults(func=run)


def options_from_args(args: argparse.Namespace):
    """The ``AppOptions`` for parsed command-line arguments (checks them first)."""
    from posture_feedback.ui.options import AppOptions

    if args.frames is not None and args.frames < 1:
        raise PostureFeedbackError("--frames must be at least 1")
    if args.screenshot is not None and args.frames is None:
        raise PostureFeedbackError("--screenshot needs --frames N (how many frames to process first)")
    if args.screenshot is not None and args.screenshot.suffix.lower() != ".png":
        raise PostureFeedbackError(f"--screenshot must name a .png file, not {args.screenshot}")
    if args.screenshot is not None:  # fail now, in one line, rather than after the frames were processed
        from posture_feedback.output_files import check_output

        check_output(args.screenshot, "--screenshot", example="window.png")
        from posture_feedback.cv_paths import native_path

        native_path(args.screenshot)  # Qt would save it under another name
    if args.max_people is not None and args.max_people < 1:
        raise PostureFeedbackError("--max-people must be at least 1")
    if args.preset and args.targets:
        raise PostureFeedbackError("give either --preset or --targets, not both")
    if args.preset and args.preset != "none":
        from posture_feedback.presets import PRESETS

        if args.preset not in PRESETS:
            raise PostureFeedbackError(f"unknown preset {args.preset!r} (valid: {', '.join(PRESETS)}, none)")
    # finite too: "--break-after 1e308" is inf seconds, and "nan" passed every comparison (a thirteenth
    # audit saw a traceback from RuleOptions instead of one line)
    if not (math.isfinite(args.alert_after) and args.alert_after >= 0):
        raise PostureFeedbackError(f"--alert-after must be a number of seconds >= 0, not {args.alert_after:g}")
    if not (math.isfinite(args.alert_threshold) and args.alert_threshold >= 0):
        raise PostureFeedbackError(f"--alert-threshold must be a number of degrees >= 0, not {args.alert_threshold:g}")
    if not args.break_after > 0:
        raise PostureFeedbackError(f"--break-after must be a number of minutes > 0, not {args.break_after:g}")
    if not math.isfinite(60.0 * args.break_after):  # its seconds overflow (a fifteenth audit: "not > 0")
        raise PostureFeedbackError(f"--break-after {args.break_after:g} minutes is too large to count in seconds")
    thresholds = _laptop_thresholds(args.laptop_threshold)
    scripted = args.frames is not None
    from posture_feedback.pipeline import PipelineOptions

    if getattr(args, "config", None):
        from posture_feedback.config import load_config

        pipeline = load_config(args.config)
    else:
        pipeline = PipelineOptions()
    follow_asked = pipeline.follow.enabled if getattr(args, "follow", None) is None else bool(args.follow)
    if pipeline.follow.enabled is None:  # neither the configuration file nor (below) --follow decide
        # Live, the followed person is tracked at the single-person model's cost (follow.py, measured in
        # docs/performance.md); --no-follow runs the multi-person model on every frame. Not the posture
        # monitor: at its 10 frames/s the multi-person model costs 40% of one core against 29%, and its
        # laptop signals track the reference about as well with it as following (bench/monitor_rate.py,
        # docs/laptop_coach.md; it first seemed better, before the bench left out the model's first
        # frames). --follow still turns it on.
        # A configuration file's explicit `enabled = true/false` is obeyed; the generated default file
        # leaves it "none" (an audit: any --config file, even config.default.toml, turned following off).
        pipeline = replace(pipeline, follow=replace(pipeline.follow, enabled=not args.monitor))
    pipeline = with_model_options(pipeline, args)  # --follow / --no-follow win over both
    if not args.camera and pipeline.scene_vertical is None:
        # no stored calibration: the vertical from the scene's lines (calibration.vertical), unless a
        # configuration file says `scene_vertical = false` (an audit: the app ignored it)
        pipeline = replace(pipeline, scene_vertical=True)
    return AppOptions(
        source=args.source,
        preset=args.preset,
        targets_file=args.targets,
        mirror=args.mirror,
        therapist=args.therapist,
        monitor=args.monitor,
        model=pipeline.pose.model,
        max_people=pipeline.pose.max_people,
        pipeline=pipeline,
        follow_asked=follow_asked,
        realtime=not scripted,
        loop=not scripted,
        max_frames=args.frames,
        screenshot=args.screenshot,
        sound=args.sound,
        alert_after_s=args.alert_after,
        alert_threshold_deg=args.alert_threshold,
        break_after_min=args.break_after,
        laptop_thresholds=thresholds,
        demo_goniometer=args.demo_goniometer,
        profile=args.profile,
        camera_up=camera_up(args.camera) if args.camera else None,
        camera_up_uncertainty=camera_up_uncertainty(args.camera) if args.camera else None,
        data_dir=args.data_dir,
    )


def _laptop_thresholds(items: list[str]) -> dict[str, float] | None:
    """--laptop-threshold SIGNAL=VALUE ... → {signal: value} over the defaults (None when none given)."""
    if not items:
        return None
    from posture_feedback.monitor_rules import DEFAULT_THRESHOLDS

    out = dict(DEFAULT_THRESHOLDS)
    for item in items:
        name, _, value = item.partition("=")
        if name not in DEFAULT_THRESHOLDS:
            raise PostureFeedbackError(
                f"--laptop-threshold {item!r}: unknown signal (valid: {', '.join(DEFAULT_THRESHOLDS)})"
            )
        try:
            v = float(value)
        except ValueError:
            v = float("nan")
        if not (v > 0 and v < float("inf")):
            raise PostureFeedbackError(f"--laptop-threshold {item!r}: give a positive number, e.g. {name}=10")
        out[name] = v
    return out


def run(args: argparse.Namespace) -> int:
    from posture_feedback.targets import TargetFileError
    from posture_feedback.ui.app import run_app

    options = options_from_args(args)
    try:
        return run_app(options)
    except TargetFileError as exc:
        raise PostureFeedbackError(str(exc)) from None
