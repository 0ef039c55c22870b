#!/usr/bin/env python3
"""Benchmark: end-to-end latency of the live path, through the real app window (offscreen).

A video file stands in for the camera: the bundled sample is cropped to the size's aspect
ratio and resized to 640×480 and to 1280×720 (written to a temporary MP4 first), then played
by ``sources.RealtimeVideoSource`` at its own 30 fps with newest-frame-wins, exactly as the app
plays a camera. The real ``MainWindow`` runs offscreen with the ``standing`` preset: capture
thread → worker thread (``Pipeline.process``, overlays drawn at display size) → GUI thread
(side panel, cue, paint). For every frame painted the latency is measured from the frame's
capture (``Frame.captured_at``) to the end of painting it (``time.perf_counter`` in
``VideoView.paintEvent``), split into stages:

* wait: capture → the worker starts the pipeline on it (≈ the previous frame's processing);
* pipeline: ``Pipeline.process`` (model + everything after it);
* render: scaling the frame, drawing the overlays, wrapping it as a ``QImage``;
* show: hand-over to the GUI thread, panel update and painting.

After a warm-up, ``--seconds`` of frames are measured per size. Reported: median and p95
latency, displayed fps vs camera fps, frames the camera delivered that were never shown.
Prints a table; writes ``bench/results/live.json``.

    python bench/live.py [--seconds 10] [--warmup 2] [--max-people 2] [--model full]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GLOG_minloglevel", "2")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIZES = ((640, 480), (1280, 720))


def make_camera_video(src: Path, size: tuple[int, int], out: Path, fps: float = 30.0) -> int:
    """Crop ``src`` to the aspect ratio of ``size``, resize, write an MP4 at ``fps``; returns the frame count."""
    w, h = size
    cap = cv2.VideoCapture(str(src))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    if not writer.isOpened():
        raise SystemExit(f"cannot write {out}")
    n = 0
    while True:
        ok, img = cap.read()
        if not ok:
            break
        ih, iw = img.shape[:2]
        if iw / ih > w / h:  # too wide: crop the sides
            cw = round(ih * w / h)
            x0 = (iw - cw) // 2
            img = img[:, x0 : x0 + cw]
        else:
            ch = round(iw * h / w)
            y0 = (ih - ch) // 2
            img = img[y0 : y0 + ch]
        writer.write(cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA))
        n += 1
    cap.release()
    writer.release()
    return n


def frame_calls(estimators: list, index: int) -> str:
    """The model calls the following path made for frame ``index`` ('' for a plain model)."""
    log = getattr(estimators[-1], "calls_log", {}) if estimators else {}
    return "+".join(log.get(index, []))


def frame_background(estimators: list, index: int) -> str | None:
    """The worker-thread jobs (multi-person pass "scout", "probe", new model "spare") that ran
    beside frame ``index`` ("" none; None for a plain model)."""
    log = getattr(estimators[-1], "background_log", None) if estimators else None
    return None if log is None else log.get(index)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def run_size(video: Path, seconds: float, warmup: float, args: argparse.Namespace) -> dict:
    from PyQt6.QtCore import QEventLoop, QTimer
    from PyQt6.QtWidgets import QApplication

    from posture_feedback.ui.main_window import MainWindow
    from posture_feedback.ui.options import AppOptions

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from posture_feedback.follow import FollowOptions
    from posture_feedback.pipeline import PipelineOptions
    from posture_feedback.pose import PoseOptions

    pipeline = PipelineOptions(pose=PoseOptions(model=args.model, max_people=args.max_people),
                               follow=FollowOptions(enabled=args.follow, scout_nice=args.scout_nice))  # fmt: skip
    options = AppOptions(source=str(video), preset="standing", realtime=True, loop=True, sound=False,
                         model=args.model, max_people=args.max_people, mirror=True, pipeline=pipeline)  # fmt: skip
    import posture_feedback.pipeline as pipeline_module

    estimators = []
    make = pipeline_module.make_estimator

    def recording_make(options):  # keep the estimator to read which model calls each frame made
        estimators.append(make(options))
        return estimators[-1]

    pipeline_module.make_estimator = recording_make
    window = MainWindow(options)
    window.resize(1280, 760)
    window.show()
    samples: list[dict] = []
    measuring = False
    original = window._on_shown

    def on_shown(rendered, t: float) -> None:
        original(rendered, t)
        if measuring:
            ts = rendered.result.timings_ms
            cap = rendered.result.frame.captured_at
            samples.append({
                "index": rendered.result.frame.index,
                "person_found": bool(rendered.result.person_found),
                "people": len(rendered.result.people),
                "switch_interval_s": sys.getswitchinterval(),
                "latency_ms": (t - cap) * 1000.0,
                "pipeline_ms": sum(ts.values()),
                "pose_ms": ts.get("pose", float("nan")),
                "render_ms": (rendered.rendered_at - rendered.processed_at) * 1000.0,
                "show_ms": (t - rendered.rendered_at) * 1000.0,
                "calls": frame_calls(estimators, rendered.result.frame.index),
                "background": frame_background(estimators, rendered.result.frame.index),
            })  # fmt: skip

    window.video.on_shown = on_shown

    def spin(duration: float) -> None:
        """Run the Qt event loop (as the app does) for ``duration`` seconds."""
        loop = QEventLoop()
        QTimer.singleShot(round(duration * 1000), loop.quit)
        loop.exec()

    t_start = time.perf_counter()
    while window.worker is not None and window.stats.shown == 0 and time.perf_counter() - t_start < 60:
        spin(0.05)
    spin(warmup)
    worker = window.worker
    dropped0, replaced0 = worker.stats.source_dropped, worker.stats.replaced
    measuring = True
    t0 = time.perf_counter()
    intervals = [float(v) for v in args.switch_intervals.split(",")] if args.switch_intervals else []
    if intervals:  # alternate the interpreter's switch interval every 2 s; samples are tagged with it
        while time.perf_counter() - t0 < seconds:
            for value in intervals:
                sys.setswitchinterval(value)
                spin(2.0)
    else:
        spin(seconds)
    measuring = False
    elapsed = time.perf_counter() - t0
    st = worker.stats
    frame_size = window.last_result.frame.width, window.last_result.frame.height
    display = window.last_rendered.qimage.width(), window.last_rendered.qimage.height()
    indices = [x["index"] for x in samples]
    camera_frames = max(indices) - min(indices) + 1 if indices else 0  # frames the camera delivered meanwhile
    window.close()
    app.processEvents()
    pipeline_module.make_estimator = make

    return {
        "frame_size": list(frame_size),
        "display_size": list(display),
        "seconds": elapsed,
        "camera_frames": camera_frames,
        "source_dropped": st.source_dropped - dropped0,
        "display_replaced": st.replaced - replaced0,
        "samples": samples,
    }


STAGES = ("pipeline_ms", "pose_ms", "render_ms", "show_ms")


def by_worker_job(samples: list[dict]) -> dict | None:
    """Frames by the worker-thread jobs beside them ("none", "scout", "probe+spare", ...): count,
    latency and model-call median / p95 (ms). None for paths without a worker thread."""
    out = {}
    for key in sorted({x.get("background") for x in samples if x.get("background") is not None}):
        xs = [x for x in samples if x.get("background") == key]
        out[key or "none"] = {"frames": len(xs),
                              "latency_ms": [round(pct([x["latency_ms"] for x in xs], q), 1) for q in (50, 95)],
                              "pose_ms": [round(pct([x["pose_ms"] for x in xs], q), 1) for q in (50, 95)]}  # fmt: skip
    return out or None


def summarise(parts: list[dict], keep_samples: bool) -> dict:
    """Statistics over the frames of one or more runs of the same path and size."""
    samples = [x for part in parts for x in part["samples"]]
    elapsed = sum(part["seconds"] for part in parts)
    camera_frames = sum(part["camera_frames"] for part in parts)
    lat = [x["latency_ms"] for x in samples]
    stage = {k: statistics.median(x[k] for x in samples) for k in STAGES}
    stage["wait_ms"] = statistics.median(x["latency_ms"] - x["pipeline_ms"] - x["render_ms"] - x["show_ms"]
                                         for x in samples)  # fmt: skip
    calls: dict[str, int] = {}
    for x in samples:
        calls[x["calls"] or "model"] = calls.get(x["calls"] or "model", 0) + 1
    return {
        "frame_size": parts[0]["frame_size"],
        "display_size": parts[0]["display_size"],
        "runs": len(parts),
        "seconds": round(elapsed, 2),
        "camera_fps": 30.0,
        "camera_frames": camera_frames,
        "shown_frames": len(samples),
        "shown_fps": round(len(samples) / elapsed, 2),
        "not_shown": camera_frames - len(samples),
        "source_dropped": sum(part["source_dropped"] for part in parts),
        "display_replaced": sum(part["display_replaced"] for part in parts),
        "latency_ms_median": round(pct(lat, 50), 1),
        "latency_ms_p95": round(pct(lat, 95), 1),
        "latency_ms_max": round(max(lat), 1) if lat else None,
        # each round's own p95, in the order run: the spread says how much of a difference is noise
        "latency_ms_p95_per_round": [round(pct([x["latency_ms"] for x in part["samples"]], 95), 1) for part in parts],
        "person_found": round(sum(x["person_found"] for x in samples) / max(1, len(samples)), 3),
        "two_or_more_listed": round(sum(x.get("people", 0) >= 2 for x in samples) / max(1, len(samples)), 3),
        "stages_ms_median": {k: round(v, 1) for k, v in stage.items()},
        "stages_ms_p95": {k: round(pct([x[k] for x in samples], 95), 1) for k in STAGES},
        "frames_by_model_calls": calls,
        "by_worker_job": by_worker_job(samples),
        "samples": samples if keep_samples else None,
    }


#: the paths ``--compare`` runs in turn: (follow, max_people, scout_nice); "follow-samenice" is
#: following with the multi-person pass at the frame's priority (as before ``thread_priority``)
PATHS = {"follow": (True, 2, 10), "follow-samenice": (True, 2, 0), "single": (False, 1, 0), "multi": (False, 2, 0)}


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per size (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds discarded first (default 2)")
    parser.add_argument("--max-people", type=int, default=2, help="people detected per frame (app default 2)")
    parser.add_argument("--model", default="full")
    parser.add_argument("--follow", action="store_true", help="follow one person at single-person cost (follow.py)")
    parser.add_argument("--video", type=Path, default=ROOT / "sample_videos" / "sports2d_demo.mp4",
                        help="recording played as the camera (default: the sports sample)")
    parser.add_argument("--sizes", default="640x480,1280x720", help="camera sizes, comma-separated (default both)")
    parser.add_argument("--switch-intervals", default="",
                        help="e.g. 0.005,0.0005: alternate the switch interval every 2 s (samples tagged)")
    parser.add_argument("--compare", default="", help="paths run in turn, e.g. follow,single,multi (see PATHS)")
    parser.add_argument("--rounds", type=int, default=1, help="turns of each path (with --compare; default 1)")
    parser.add_argument("--samples", action="store_true", help="also write every frame's latency and stages")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "live.json")
    args = parser.parse_args()

    from PyQt6.QtWidgets import QApplication

    from posture_feedback.ui.app import install_qt_message_handler

    _app = QApplication.instance() or QApplication(sys.argv[:1])
    install_qt_message_handler()  # Qt's warnings to our logger, as the app does
    sample = args.video
    load_before = round(os.getloadavg()[0], 2)
    if args.compare:
        paths = {name: PATHS[name] for name in args.compare.split(",")}
    else:
        paths = {"follow" if args.follow else f"max {args.max_people}": (args.follow, args.max_people, 10)}
    runs = {}
    with tempfile.TemporaryDirectory(prefix="live-bench-") as tmp:
        for w, h in (tuple(int(v) for v in size.split("x")) for size in args.sizes.split(",")):
            video = Path(tmp) / f"camera_{w}x{h}.mp4"
            make_camera_video(sample, (w, h), video)
            parts: dict[str, list[dict]] = {name: [] for name in paths}
            for _ in range(args.rounds):  # the paths take turns, so that all see the same machine
                for name, (follow, people, nice) in paths.items():
                    run_args = argparse.Namespace(**{**vars(args), "follow": follow, "max_people": people,
                                                     "scout_nice": nice})  # fmt: skip
                    parts[name].append(run_size(video, args.seconds, args.warmup, run_args))
            for name, got in parts.items():
                runs[f"{w}x{h}" if len(paths) == 1 else f"{w}x{h} {name}"] = summarise(got, args.samples)

    header = (f"{'camera':>17} {'shown fps':>10} {'not shown':>10} {'median ms':>10} {'p95 ms':>8} "
              f"{'wait':>6} {'pipeline':>9} {'render':>7} {'show':>6} {'found':>6} {'2+ listed':>9}")  # fmt: skip
    print(f"live path, {args.model} model, {', '.join(paths)}, "
          f"camera 30 fps, {args.rounds} × {args.seconds:g} s per size, "
          f"load average {load_before} → {os.getloadavg()[0]:.2f} (2 cores shared)")  # fmt: skip
    print(header)
    for name, r in runs.items():
        s = r["stages_ms_median"]
        print(f"{name:>17} {r['shown_fps']:>10.1f} {r['not_shown']:>10d} {r['latency_ms_median']:>10.1f} "
              f"{r['latency_ms_p95']:>8.1f} {s['wait_ms']:>6.1f} {s['pipeline_ms']:>9.1f} {s['render_ms']:>7.1f} "
              f"{s['show_ms']:>6.1f} {r['person_found']:>6.0%} {r['two_or_more_listed']:>9.0%}")  # fmt: skip
        if len(r["latency_ms_p95_per_round"]) > 1:
            print(f"{'':>17} p95 per round: {r['latency_ms_p95_per_round']} ms")
        if r.get("by_worker_job"):
            for job, v in r["by_worker_job"].items():
                print(f"{'':>17} job beside: {job:<12} {v['frames']:>5} frames, latency {v['latency_ms']}, "
                      f"model {v['pose_ms']} ms (median, p95)")  # fmt: skip
    result = {
        "benchmark": "live path: camera stand-in → worker (pipeline + overlays) → GUI paint, offscreen",
        "command": "python bench/live.py " + " ".join(sys.argv[1:]),
        "model": args.model,
        "paths": {name: {"follow": f, "max_people": m, "scout_nice": n} for name, (f, m, n) in paths.items()},
        "rounds": args.rounds,
        "goal": "p95 end-to-end latency <= 35 ms (640x480) / 40 ms (1280x720); shown fps = camera fps",
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "load_average_1min": {"before": load_before, "after": round(os.getloadavg()[0], 2)},
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    from posture_feedback.native_logs import run_with_python_only_stderr

    sys.exit(run_with_python_only_stderr(run))  # only our own lines on stderr, as the CLI
