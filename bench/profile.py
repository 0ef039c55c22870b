#!/usr/bin/env python3
"""Benchmark: where the per-frame time goes, stage by stage, and what is not the model.

Two passes over the same decoded frames of the bundled sample (at 640×480 and at its native
1768×994), each on a fresh ``Pipeline`` with the *standing* targets:

1. **Stage timer** (low overhead, the figures to trust): every stage of ``Pipeline.process`` is
   wrapped with ``time.perf_counter`` — inside the pose stage the model call itself
   (``detect_for_video``), ``cv2.cvtColor``, building the ``mp.Image`` and converting the result
   to ``Landmarks`` — then person selection, left/right fix, smoothing, view, angles, targets, cue.
   Reported as median and mean milliseconds per frame, and as a share of the whole.
2. **cProfile** (more overhead on Python code, but names every function): the top functions by
   own time outside the model.

Writes ``bench/results/profile.json``.

    python bench/profile.py [--frames 150] [--max-people 2]
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the standard library's ``profile``, which ``cProfile`` imports: take the
# script's own folder off the path so that ``import cProfile`` finds the real one.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import cProfile  # noqa: E402
import importlib.util  # noqa: E402
import pstats  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from typing import Any  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

import posture_feedback.pipeline as pipeline_module  # noqa: E402
import posture_feedback.pose as pose_module  # noqa: E402
from posture_feedback.pipeline import Pipeline, PipelineOptions  # noqa: E402
from posture_feedback.pose import PoseOptions  # noqa: E402
from posture_feedback.presets import get_preset  # noqa: E402
from posture_feedback.resources import sample_video  # noqa: E402
from posture_feedback.types import Frame  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = ((640, 480), None)  # None = the recording's own size


def _bench_module(name: str):
    """bench/<name>.py, loaded by path (bench/ is not a package and must stay off sys.path here)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bench_pipeline_module():
    """bench/pipeline.py (frame loading and crop-resize shared with the model-vs-pipeline benchmark)."""
    return _bench_module("pipeline")


common = _bench_module("common")


def load_frames(video: Path, size: tuple[int, int] | None, limit: int) -> list[Frame]:
    bp = _bench_pipeline_module()
    if size is not None:
        return bp.load_frames(video, size, limit)
    from posture_feedback.sources import VideoFileSource

    with VideoFileSource(video) as src:
        return [f for _, f in zip(range(limit), src, strict=False)]


class _Clock:
    """Accumulates milliseconds per stage for the current frame."""

    def __init__(self) -> None:
        self.frame: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, fn):
        def timed(*args: Any, **kwargs: Any):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.frame[name] += (time.perf_counter() - t0) * 1000.0

        return timed


class _Proxy:
    """Forwards attribute access to ``obj``; the listed methods (and calls) are timed."""

    def __init__(self, obj: Any, clock: _Clock, name: str, methods: tuple[str, ...] = ()) -> None:
        self._obj, self._clock, self._name, self._methods = obj, clock, name, methods

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._clock.wrap(self._name, self._obj)(*args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._obj, attr)
        if attr in self._methods:
            return self._clock.wrap(self._name, value)
        return value


def instrument(pipeline: Pipeline, clock: _Clock) -> list[tuple[Any, str, Any]]:
    """Wrap every stage of ``pipeline`` with the clock; returns what to restore."""
    est = pipeline._estimator
    restore = [(pose_module, "_to_landmarks", pose_module._to_landmarks), (cv2, "cvtColor", cv2.cvtColor),
               (pipeline_module, "classify_view", pipeline_module.classify_view),
               (pipeline_module, "compute_angles", pipeline_module.compute_angles)]  # fmt: skip
    pose_module._to_landmarks = clock.wrap("pose: result → Landmarks", pose_module._to_landmarks)
    cv2.cvtColor = clock.wrap("pose: cv2.cvtColor BGR→RGB", cv2.cvtColor)
    pipeline_module.classify_view = clock.wrap("view", pipeline_module.classify_view)
    pipeline_module.compute_angles = clock.wrap("angles", pipeline_module.compute_angles)
    est._landmarker = _Proxy(est._landmarker, clock, "model (detect_for_video)", ("detect_for_video", "detect"))
    mp = est._mp

    class _Mp:
        ImageFormat = mp.ImageFormat
        Image = staticmethod(clock.wrap("pose: mp.Image", mp.Image))

    est._mp = _Mp
    est.detect = clock.wrap("pose stage (total)", est.detect)
    pipeline._selector = _Proxy(pipeline._selector, clock, "person selection", ("select",))
    pipeline._sides = _Proxy(pipeline._sides, clock, "left/right fix")
    pipeline._smoother = _Proxy(pipeline._smoother, clock, "smoothing")
    pipeline._view = _Proxy(pipeline._view, clock, "view", ("update",))  # video: the stable ViewTracker
    if pipeline._evaluator is not None:
        pipeline._evaluator = _Proxy(pipeline._evaluator, clock, "targets", ("update",))
    pipeline._cues = _Proxy(pipeline._cues, clock, "cue", ("update",))
    return restore


def stage_times(frames: list[Frame], max_people: int) -> dict:
    """Per-stage milliseconds per frame (median, mean), with the instrumented pipeline."""
    pipeline = Pipeline(PipelineOptions(pose=PoseOptions(max_people=max_people)), get_preset("standing"))
    clock = _Clock()
    restore = instrument(pipeline, clock)
    per_stage: dict[str, list[float]] = defaultdict(list)
    totals: list[float] = []
    found = 0
    try:
        for i, f in enumerate(frames):
            clock.frame = defaultdict(float)
            t0 = time.perf_counter()
            result = pipeline.process(Frame(f.image, f.index, f.timestamp_s, time.perf_counter(), f.source))
            total = (time.perf_counter() - t0) * 1000.0
            if i < 5:  # warm-up
                continue
            totals.append(total)
            found += result.person_found
            for k, v in clock.frame.items():
                per_stage[k].append(v)
    finally:
        for obj, name, value in restore:
            setattr(obj, name, value)
        pipeline.close()
    n = len(totals)
    stages = {k: {"median_ms": float(np.median(v + [0.0] * (n - len(v)))), "mean_ms": float(np.sum(v) / n)}
              for k, v in per_stage.items()}  # fmt: skip
    total_mean = float(np.mean(totals))
    model_mean = stages.get("model (detect_for_video)", {}).get("mean_ms", 0.0)
    pose_total = stages.get("pose stage (total)", {}).get("mean_ms", 0.0)
    stages["pose: other (resize, bookkeeping)"] = {
        "median_ms": float("nan"),
        "mean_ms": pose_total - model_mean - sum(v["mean_ms"] for k, v in stages.items() if k.startswith("pose:")),
    }
    stages["process(): not in any stage"] = {
        "median_ms": float("nan"),
        "mean_ms": total_mean - pose_total - sum(
            v["mean_ms"] for k, v in stages.items() if not k.startswith(("pose", "model", "process"))
        ),
    }  # fmt: skip
    for v in stages.values():
        v["share_of_total"] = v["mean_ms"] / total_mean
    return {
        "frames": n,
        "person_found": found / n,
        "total": {"median_ms": float(np.median(totals)), "mean_ms": total_mean},
        "model_mean_ms": model_mean,
        "not_model_mean_ms": total_mean - model_mean,
        "not_model_share": (total_mean - model_mean) / total_mean,
        "stages": dict(sorted(stages.items(), key=lambda kv: -kv[1]["mean_ms"])),
    }


def cprofile_top(frames: list[Frame], max_people: int, top: int = 15) -> list[dict]:
    """The functions with the most own time per frame, the model excluded (cProfile)."""
    pipeline = Pipeline(PipelineOptions(pose=PoseOptions(max_people=max_people)), get_preset("standing"))
    for f in frames[:5]:
        pipeline.process(f)
    prof = cProfile.Profile()
    prof.enable()
    for f in frames[5:]:
        pipeline.process(f)
    prof.disable()
    pipeline.close()
    n = len(frames) - 5
    rows = []
    for (file, line, func), (_cc, ncalls, tottime, cumtime, _callers) in pstats.Stats(prof).stats.items():
        # The model runs on MediaPipe's dispatcher thread: the caller waits on a lock meanwhile.
        if "detect_for_video" in func or "_ctypes" in func or func == "<method 'acquire' of '_thread.lock' objects>":
            continue
        where = f"{Path(file).name}:{line}" if file != "~" else "built-in"
        rows.append({"function": f"{func} ({where})", "calls_per_frame": ncalls / n,
                     "own_ms_per_frame": tottime * 1e3 / n, "cumulative_ms_per_frame": cumtime * 1e3 / n})  # fmt: skip
    rows.sort(key=lambda r: -r["own_ms_per_frame"])
    return rows[:top]


def options_experiment(frames: list[Frame], max_people: int) -> list[dict]:
    """Cheaper settings against the default on the same frames: ms/frame, detection, angle change (degrees).

    ``max_input_side`` downscales frames before the model (the model works on 256-pixel crops);
    ``max_people=1`` lets MediaPipe track one person only.
    """
    settings = [("default", PoseOptions(max_people=max_people))]
    if max(frames[0].width, frames[0].height) > 960:
        settings += [(f"max_input_side={s}", PoseOptions(max_people=max_people, max_input_side=s)) for s in (960, 640)]
    if max_people > 1:
        settings.append(("max_people=1", PoseOptions(max_people=1)))
    reference: list[np.ndarray | None] = []
    rows = []
    for name, pose in settings:
        pipeline = Pipeline(PipelineOptions(pose=pose), get_preset("standing"))
        ms, angles = [], []
        for i, f in enumerate(frames):
            t0 = time.perf_counter()
            r = pipeline.process(f)
            if i >= 5:
                ms.append((time.perf_counter() - t0) * 1000.0)
            angles.append(r.angles.values.copy() if r.person_found else None)
        pipeline.close()
        if not reference:
            reference = angles
        diffs = [np.abs(a - b) for a, b in zip(angles, reference, strict=True) if a is not None and b is not None]
        d = np.concatenate(diffs) if diffs else np.array([np.nan])
        d = d[np.isfinite(d)]
        nan = float("nan")
        rows.append({"setting": name, "mean_ms": float(np.mean(ms)), "median_ms": float(np.median(ms)),
                     "person_found": sum(a is not None for a in angles) / len(angles),
                     "angle_diff_vs_default_median_deg": float(np.median(d)) if d.size else nan,
                     "angle_diff_vs_default_p90_deg": float(np.percentile(d, 90)) if d.size else nan})  # fmt: skip
    return rows


def micro(frames: list[Frame]) -> dict:
    """Microbenchmarks (ms per call) of the conversions around the model, at this frame size."""
    import mediapipe as mp

    image = frames[len(frames) // 2].image
    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)

    def best(fn, k: int = 50) -> float:
        ts = []
        for _ in range(k):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        return float(np.median(ts) * 1000)

    return {
        "cvtColor_BGR2RGB_ms": best(lambda: cv2.cvtColor(image, cv2.COLOR_BGR2RGB)),
        "mp_Image_from_rgb_ms": best(lambda: mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)),
        "numpy_copy_ms": best(lambda: image.copy()),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=sample_video("sports2d_demo.mp4"))
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--max-people", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS / "profile.json")
    args = parser.parse_args(argv)
    doc: dict = {"meta": common.machine_meta(video=args.video.name, max_people=args.max_people), "sizes": {}}
    for size in SIZES:
        frames = load_frames(args.video, size, args.frames)
        label = f"{frames[0].width}x{frames[0].height}"
        st = stage_times(frames, args.max_people)
        entry = {"stage_timer": st, "cprofile_top_not_model": cprofile_top(frames, args.max_people),
                 "micro": micro(frames), "options": options_experiment(frames, args.max_people)}  # fmt: skip
        doc["sizes"][label] = entry
        print(f"\n{label}: {st['total']['mean_ms']:.2f} ms/frame, model {st['model_mean_ms']:.2f} ms, not model "
              f"{st['not_model_mean_ms']:.2f} ms ({100 * st['not_model_share']:.1f}%), person in "
              f"{100 * st['person_found']:.0f}% of frames", file=sys.stderr)  # fmt: skip
        for name, v in st["stages"].items():
            print(f"  {name:<38}{v['mean_ms']:8.3f} ms  {100 * v['share_of_total']:5.1f}%", file=sys.stderr)
        print("  top own time outside the model (cProfile, ms/frame):", file=sys.stderr)
        for r in entry["cprofile_top_not_model"][:8]:
            print(f"    {r['own_ms_per_frame']:7.3f}  {r['function']}", file=sys.stderr)
        print("  micro: " + ", ".join(f"{k} {v:.3f}" for k, v in entry["micro"].items()), file=sys.stderr)
        for r in entry["options"]:
            print(f"  {r['setting']:<22}{r['mean_ms']:7.2f} ms/frame  person {100 * r['person_found']:5.1f}%  angle "
                  f"change median {r['angle_diff_vs_default_median_deg']:.2f}°, p90 "
                  f"{r['angle_diff_vs_default_p90_deg']:.2f}°", file=sys.stderr)  # fmt: skip
    return common.write_result(args.out, doc)


if __name__ == "__main__":
    main()
