#!/usr/bin/env python3
"""Benchmark: memory over a long simulated session, and the CPU share of the idle posture monitor.

**Memory soak.** The bundled sample, looped and played in real time with newest-frame-wins
(``open_source(..., realtime=True, loop=True)``: a stand-in for a webcam), runs for ``--minutes``
through the live path:

* ``--path core`` (default): ``Pipeline.process`` with the *standing* targets, then the core's
  overlays drawn on the frame (``annotate.render``) — everything but Qt;
* ``--path worker``: the app's ``FrameWorker`` thread (pipeline + display-size rendering into a
  ``QImage``), with the main thread taking the newest frame 30 times a second like the GUI;
* ``--path app``: the real mirror window (``ui.main_window.MainWindow``) offscreen, with the Qt
  event loop running: worker, side panel, cue, painting — the full app path.

The resident set size (``VmRSS`` from ``/proc/self/status``; ``psutil`` if installed elsewhere) is
sampled every ``--interval`` seconds. After a warm-up (the first 10 % of the run, at least 30 s),
a least-squares line gives the growth in MB/hour; it counts as growth only beyond noise: when the
fitted rise over the run exceeds 3× the residual standard deviation *and* 5 MB/hour (judged only
with at least 5 minutes of samples after the warm-up).

**Idle CPU.** A video of an empty scene (the street still blurred beyond recognition, with
per-frame sensor noise) plays in real time. CPU time of this process over wall time (100 % = one
core) is measured for: the camera stand-in alone (decoding at 30 fps: the floor), the pipeline on
every frame (the mirror view, no back-off), and the posture monitor's worker with its own pacing
(``ui.monitor.ACTIVE_FPS`` / ``IDLE_FPS``). If the monitor does not back off, the report says so.

Writes ``bench/results/soak.json``.

    python bench/soak.py [--minutes 60] [--interval 5] [--path core|worker|app] [--idle-seconds 30]
    python bench/soak.py --minutes 0 --idle-seconds 30     # idle CPU only (keeps the earlier memory part)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from posture_feedback.annotate import render
from posture_feedback.pipeline import Pipeline, PipelineOptions
from posture_feedback.pose import PoseOptions
from posture_feedback.presets import get_preset
from posture_feedback.resources import sample_video
from posture_feedback.sources import open_source

RESULTS = Path(__file__).resolve().parent / "results"
_spec = importlib.util.spec_from_file_location("bench_common", Path(__file__).with_name("common.py"))
common = importlib.util.module_from_spec(_spec)  # bench/common.py, loaded by path: bench/ is not a package
_spec.loader.exec_module(common)


def rss_mb() -> float:
    """Current resident set size of this process in MB (``/proc``; ``psutil`` where there is no ``/proc``)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import psutil  # not a dependency: only needed on systems without /proc

    return psutil.Process().memory_info().rss / 1e6


def linear_fit(t_s: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(slope per second, residual standard deviation) of a least-squares line."""
    if len(t_s) < 3:
        return float("nan"), float("nan")
    a, b = np.polyfit(t_s, y, 1)
    return float(a), float(np.std(y - (a * t_s + b), ddof=2))


def _pipeline(max_people: int, model: str) -> Pipeline:
    return Pipeline(PipelineOptions(pose=PoseOptions(model=model, max_people=max_people)), get_preset("standing"))


# ---------------------------------------------------------------------------------------------- memory


def memory_soak(video: Path, minutes: float, interval_s: float, path: str, max_people: int, model: str) -> dict:
    """Run the live path for ``minutes`` and sample RSS; returns the samples and the fitted growth."""
    samples: list[dict] = []
    t_end = time.perf_counter() + minutes * 60.0
    counter = {"frames": 0, "people": 0}
    if path == "app":
        step, stop = _app_loop(video, max_people, model, counter)
    elif path == "worker":
        step, stop = _worker_loop(video, max_people, model, counter)
    else:
        step, stop = _core_loop(video, max_people, model, counter)
    t0 = time.perf_counter()
    next_sample = t0
    try:
        while True:
            now = time.perf_counter()
            if now >= next_sample:
                samples.append({"t_s": now - t0, "rss_mb": rss_mb(), "frames": counter["frames"],
                                "cpu_s": time.process_time()})  # fmt: skip
                next_sample += interval_s
                if now >= t_end:
                    break
            step()
    finally:
        stop()
    t = np.array([s["t_s"] for s in samples])
    y = np.array([s["rss_mb"] for s in samples])
    warm = max(30.0, 0.1 * (t[-1] if len(t) else 0.0))
    keep = t >= warm
    slope, noise = linear_fit(t[keep], y[keep])
    span_h = (t[keep][-1] - t[keep][0]) / 3600.0 if keep.sum() >= 2 else 0.0
    slope_h = slope * 3600.0
    rise = slope_h * span_h
    # None = too short to judge: less than 5 minutes of samples after the warm-up.
    growth = bool(rise > 3 * noise and slope_h > 5.0) if np.isfinite(slope_h) and span_h * 60 >= 5 else None
    duration = t[-1] if len(t) else 0.0
    return {
        "path": path,
        "minutes": duration / 60.0,
        "frames": counter["frames"],
        "fps": counter["frames"] / duration if duration else float("nan"),
        "person_share": counter["people"] / max(counter["frames"], 1),
        "rss_start_mb": float(y[0]) if len(y) else float("nan"),
        "rss_after_warmup_mb": float(y[keep][0]) if keep.any() else float("nan"),
        "rss_end_mb": float(y[-1]) if len(y) else float("nan"),
        "rss_max_mb": float(y.max()) if len(y) else float("nan"),
        "warmup_s": warm,
        "slope_mb_per_hour": slope_h,
        "residual_sd_mb": noise,
        "growth_beyond_noise": growth,
        "minutes_after_warmup": span_h * 60.0,
        "cpu_share_of_one_core": (samples[-1]["cpu_s"] - samples[0]["cpu_s"]) / duration if duration else float("nan"),
        "samples": samples,
    }


def _core_loop(video: Path, max_people: int, model: str, counter: dict) -> tuple[Callable, Callable]:
    source = open_source(video, realtime=True, loop=True)
    pipeline = _pipeline(max_people, model)

    def step() -> None:
        frame = source.read()
        if frame is None:
            raise RuntimeError("the looping source ended")
        result = pipeline.process(frame)
        render(result)
        counter["frames"] += 1
        counter["people"] += result.person_found

    def stop() -> None:
        source.close()
        pipeline.close()

    return step, stop


def _worker_loop(video: Path, max_people: int, model: str, counter: dict) -> tuple[Callable, Callable]:
    from posture_feedback.annotate import default_annotators
    from posture_feedback.ui.worker import FrameWorker

    worker = FrameWorker(str(video), lambda: _pipeline(max_people, model), realtime=True, loop=True,
                         annotators=tuple(default_annotators()), display_box=(960, 720))  # fmt: skip
    worker.start()

    def step() -> None:  # the GUI thread: take the newest frame 30 times a second
        time.sleep(1 / 30)
        item = worker.take_latest()
        if item is not None:
            counter["frames"] = worker.stats.processed
            counter["people"] += item.result.person_found
        if not worker.is_running():
            raise RuntimeError("the frame worker stopped")

    def stop() -> None:
        worker.stop()

    return step, stop


def _app_loop(video: Path, max_people: int, model: str, counter: dict) -> tuple[Callable, Callable]:
    """The real mirror window, offscreen, with the Qt event loop running as in the app."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtCore import QEventLoop, QTimer
    from PyQt6.QtWidgets import QApplication

    from posture_feedback.ui.main_window import MainWindow
    from posture_feedback.ui.options import AppOptions

    app = QApplication.instance() or QApplication(sys.argv[:1])
    options = AppOptions(source=str(video), preset="standing", realtime=True, loop=True, sound=False, model=model,
                         max_people=max_people, mirror=True)  # fmt: skip
    window = MainWindow(options)
    window.resize(1280, 760)
    window.show()

    def step() -> None:
        loop = QEventLoop()
        QTimer.singleShot(250, loop.quit)
        loop.exec()
        counter["frames"] = window.stats.shown
        result = window.last_result
        counter["found_samples"] = counter.get("found_samples", 0) + bool(result is not None and result.person_found)
        counter["samples"] = counter.get("samples", 0) + 1
        counter["people"] = round(counter["found_samples"] / counter["samples"] * counter["frames"])
        if window.worker is None:
            raise RuntimeError("the window's worker stopped")

    def stop() -> None:
        window.close()
        app.processEvents()

    return step, stop


# ---------------------------------------------------------------------------------------------- idle CPU


def make_empty_scene(path: Path, seconds: float = 10.0, fps: float = 30.0, size: tuple[int, int] = (640, 480)) -> Path:
    """A video of a scene with nobody in it: a real street's colours and light, blurred, with sensor noise."""
    still = cv2.imread(str(sample_video("people_collage.jpg")))
    still = cv2.GaussianBlur(cv2.resize(still, size, interpolation=cv2.INTER_AREA), (0, 0), 25)
    rng = np.random.default_rng(0)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for _ in range(int(seconds * fps)):
        noise = rng.normal(0, 2.0, still.shape).astype(np.int16)
        writer.write(np.clip(still.astype(np.int16) + noise, 0, 255).astype(np.uint8))
    writer.release()
    return path


def _cpu_share(run_for: Callable[[float], int], seconds: float, warmup_s: float = 3.0) -> dict:
    run_for(warmup_s)
    c0, w0 = time.process_time(), time.perf_counter()
    frames = run_for(seconds)
    dc, dw = time.process_time() - c0, time.perf_counter() - w0
    return {"cpu_share_of_one_core": dc / dw, "cpu_share_of_machine": dc / dw / (os.cpu_count() or 1),
            "processed_fps": frames / dw, "seconds": dw}  # fmt: skip


def idle_cpu(seconds: float, max_people: int, model: str) -> dict:
    """CPU share with nobody in view: camera stand-in alone, pipeline on every frame, the monitor's worker."""
    out: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="pf-idle-") as tmp:
        video = make_empty_scene(Path(tmp) / "empty.mp4")

        source = open_source(video, realtime=True, loop=True)
        try:

            def read_only(s: float) -> int:
                n, end = 0, time.perf_counter() + s
                while time.perf_counter() < end:
                    source.read()
                    n += 1
                return n

            out["camera_only"] = _cpu_share(read_only, seconds)

            pipeline = _pipeline(max_people, model)
            found = 0

            def every_frame(s: float) -> int:
                nonlocal found
                n, end = 0, time.perf_counter() + s
                while time.perf_counter() < end:
                    found += pipeline.process(source.read()).person_found
                    n += 1
                return n

            out["pipeline_every_frame"] = _cpu_share(every_frame, seconds)
            out["pipeline_every_frame"]["person_found_frames"] = found
            pipeline.close()
        finally:
            source.close()

        try:
            from posture_feedback.annotate import SkeletonAnnotator
            from posture_feedback.ui.monitor import ACTIVE_FPS, IDLE_FPS
            from posture_feedback.ui.worker import FrameWorker
        except ImportError as exc:
            out["monitor_worker"] = {"skipped": f"the app is not available: {exc}"}
        else:
            worker = FrameWorker(str(video), lambda: _pipeline(max_people, model), realtime=True, loop=True,
                                 annotators=(SkeletonAnnotator(),), display_box=(360, 200))  # fmt: skip
            worker.min_interval_s = 1.0 / ACTIVE_FPS
            worker.idle_interval_s = 1.0 / IDLE_FPS
            worker.start()
            try:

                def monitor(s: float) -> int:
                    start = worker.stats.processed
                    end = time.perf_counter() + s
                    while time.perf_counter() < end:
                        time.sleep(0.05)
                        worker.take_latest()
                    return worker.stats.processed - start

                out["monitor_worker"] = _cpu_share(monitor, seconds, warmup_s=5.0)
                out["monitor_worker"].update(active_fps=ACTIVE_FPS, idle_fps=IDLE_FPS)
            finally:
                worker.stop()
    floor = out["camera_only"]["cpu_share_of_one_core"]
    full = out["pipeline_every_frame"]["cpu_share_of_one_core"]
    mon = out.get("monitor_worker", {})
    if "cpu_share_of_one_core" in mon:
        backs_off = mon["processed_fps"] <= 1.5 * mon["idle_fps"] and mon["cpu_share_of_one_core"] < 0.5 * full
        out["verdict"] = (
            f"monitor backs off: {mon['processed_fps']:.1f} frames/s processed, CPU "
            f"{100 * mon['cpu_share_of_one_core']:.0f}% of one core vs {100 * full:.0f}% without back-off "
            f"(camera alone {100 * floor:.0f}%)"
            if backs_off
            else f"monitor does NOT back off: {mon['processed_fps']:.1f} frames/s processed with nobody in view, CPU "
            f"{100 * mon['cpu_share_of_one_core']:.0f}% of one core (no back-off: {100 * full:.0f}%)"
        )
        out["monitor_backs_off"] = backs_off
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="memory soak length (0 = skip)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between RSS samples")
    parser.add_argument("--path", choices=("core", "worker", "app"), default="core")
    parser.add_argument("--idle-seconds", type=float, default=30.0, help="per idle CPU measurement (0 = skip)")
    parser.add_argument("--video", type=Path, default=sample_video("sports2d_demo.mp4"))
    parser.add_argument("--max-people", type=int, default=2)
    parser.add_argument("--model", default="full")
    parser.add_argument("--out", type=Path, default=RESULTS / "soak.json")
    args = parser.parse_args(argv)
    doc: dict = {
        "meta": common.machine_meta(video=args.video.name, max_people=args.max_people, model=args.model),
    }
    if args.minutes > 0:
        m = memory_soak(args.video, args.minutes, args.interval, args.path, args.max_people, args.model)
        doc["memory"] = m
        verdicts = {None: "too short to judge", True: "GROWTH", False: "no growth beyond noise"}
        print(f"memory ({m['path']}): {m['minutes']:.1f} min, {m['frames']} frames ({m['fps']:.1f}/s), RSS "
              f"{m['rss_start_mb']:.0f} → {m['rss_end_mb']:.0f} MB (max {m['rss_max_mb']:.0f}), slope "
              f"{m['slope_mb_per_hour']:+.1f} MB/h ± {m['residual_sd_mb']:.1f} MB noise: "
              f"{verdicts[m['growth_beyond_noise']]}", file=sys.stderr)  # fmt: skip
    if args.idle_seconds > 0:
        doc["idle"] = idle_cpu(args.idle_seconds, args.max_people, args.model)
        for k, v in doc["idle"].items():
            if isinstance(v, dict) and "cpu_share_of_one_core" in v:
                print(f"idle {k}: CPU {100 * v['cpu_share_of_one_core']:.0f}% of one core, "
                      f"{v['processed_fps']:.1f} frames/s", file=sys.stderr)  # fmt: skip
        if "verdict" in doc["idle"]:
            print(doc["idle"]["verdict"], file=sys.stderr)
    if args.out.exists():  # a part that was skipped this time keeps its earlier measurement
        try:
            earlier = json.loads(args.out.read_text())
        except ValueError:
            earlier = {}
        for part in ("memory", "idle"):
            if part not in doc and part in earlier:
                doc[part] = earlier[part]
                doc.setdefault("meta_earlier", {})[part] = earlier.get("meta", {})
    return common.write_result(args.out, doc)


if __name__ == "__main__":
    main()
