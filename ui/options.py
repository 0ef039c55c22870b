"""Options of the desktop app (what the ``app`` command line sets), free of Qt imports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_PRESET = "auto"  #: sitting/standing and front/side chosen as it goes (posture_feedback.auto_preset)


@dataclass
class AppOptions:
    """How the mirror window starts.

    Attributes:
        source: camera index, video/image path, ``"sample"``, or a callable opening a frame source.
        preset: built-in target set name (``posture_feedback.presets``); None = ``DEFAULT_PRESET``
            unless ``targets_file`` or ``target_set`` is given.
        targets_file: TOML target file (``targets.load_targets``); edits are saved back to it.
        target_set: a ready ``TargetSet`` (tests, embedding); wins over preset and file.
        mirror: flip the picture; None = mirrored for a camera, not for a video.
        therapist: start in the therapist view (large numbers, sound off, goniometer).
        monitor: start the compact posture monitor instead of the mirror window.
        model: pose model (``lite``, ``full``, ``heavy`` or a ``.task`` path); ignored when ``pipeline`` is set.
        max_people: people detected per frame (1 is faster); ignored when ``pipeline`` is set.
        pipeline: complete ``PipelineOptions`` (from ``--config`` and the model options), None = defaults
            with ``model`` and ``max_people``.
        realtime: play video files at their own rate, newest frame wins (a camera stand-in).
        loop: restart video files at their end.
        max_frames: stop processing after this many frames (``--frames``).
        screenshot: save the window to this PNG after ``max_frames`` frames, then quit.
        sound: beep on entering/leaving a range; None = on, except in the therapist view.
        neutral_seconds: length of the "Set neutral" capture (seconds).
        alert_after_s: posture monitor: seconds a deviation must last before an alert.
        alert_threshold_deg: posture monitor: degrees beyond the range before a target counts as deviating.
        break_after_min: posture monitor: minutes of sitting before a micro-break reminder.
        laptop_thresholds: posture monitor: signal → change from the neutral that counts as a fault
            (``monitor_rules.DEFAULT_THRESHOLDS`` when None).
        laptop_rules: posture monitor: complete ``monitor_rules.RuleOptions`` (tests); wins over the two above.
        demo_goniometer: for screenshots: place the goniometer on the tracked person's left hip–knee–ankle.
        record_latency: keep every end-to-end latency (for ``bench/live.py``).
        profile: profile name (created if new): the window gets a History tab and the monitor saves
            its daily totals; None = nothing stored.
        data_dir: folder of the profile database (None = ``POSTURE_FEEDBACK_DATA_DIR`` or the platform's).
        camera_up: world vertical from a stored camera calibration (``--camera NAME``), None = level camera.
        camera_up_uncertainty: that calibration's own (roll, pitch) ± in degrees
            (``CameraCalibration.up_uncertainty``); None = the pipeline's default.
        follow_asked: following one person as asked by ``--follow``/``--no-follow`` or the configuration
            file (None: not asked; the mirror then follows and the monitor does not, and the exercise and
            evaluation windows opened from the menus keep their own default).
    """

    source: Any = 0
    preset: str | None = None
    targets_file: Path | None = None
    target_set: Any = None
    mirror: bool | None = None
    therapist: bool = False
    monitor: bool = False
    model: str = "full"
    max_people: int = 2
    pipeline: Any = None
    realtime: bool = True
    loop: bool = True
    max_frames: int | None = None
    screenshot: Path | None = None
    sound: bool | None = None
    neutral_seconds: float = 3.0
    alert_after_s: float = 30.0
    alert_threshold_deg: float = 5.0
    break_after_min: float = 30.0
    laptop_thresholds: Any = None
    laptop_rules: Any = None
    demo_goniometer: bool = False
    record_latency: bool = False
    profile: str | None = None
    data_dir: str | None = None
    follow_asked: bool | None = None
    camera_up: Any = None
    camera_up_uncertainty: Any = None
