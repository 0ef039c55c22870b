#!/usr/bin/env python3
"""Run every benchmark and write the figures for the README: ``bench/results/*.json`` and ``README.md``.

Each benchmark runs in its own process (``python bench/NAME.py ...``) so that memory and CPU
figures are not polluted by the others and a crash in one does not lose the rest:

=============  ==========================================================  ======================
benchmark      what                                                         result
=============  ==========================================================  ======================
pipeline       model-only vs whole pipeline, ms/frame, 640×480 and 1280×720  pipeline.json
live           capture → feedback shown in the app window (if built)        live.json
throughput     ``analyze`` frames/s and per-frame cost vs video length      throughput.json
startup        launch → first feedback frame (``analyze`` and the app)      startup.json
profile        per-stage time outside the model, cheaper options            profile.json
soak           RSS over a long live session; idle CPU of the monitor        soak.json
=============  ==========================================================  ======================

Then ``bench/results/README.md`` is written from the JSON files (also with ``--report-only``).

    python bench/run_all.py                      # everything; the soak runs --soak-minutes (default 60)
    python bench/run_all.py --soak-minutes 0     # keep the soak's earlier memory figures, re-measure idle CPU
    python bench/run_all.py --quick              # a few seconds each: checks that every benchmark runs
    python bench/run_all.py --only startup throughput
    python bench/run_all.py --report-only
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
ORDER = ("pipeline", "live", "throughput", "startup", "profile", "soak")


def commands(args: argparse.Namespace, results: Path) -> dict[str, list[str]]:
    """Arguments of each benchmark script (``--quick``: just enough to prove it runs)."""
    q = args.quick
    soak_minutes = 0.5 if q else args.soak_minutes
    idle = "5" if q else f"{args.idle_seconds:g}"
    cmds = {
        "pipeline": ["--frames", "30" if q else "230"],
        "live": ["--seconds", "3" if q else "10", "--warmup", "1" if q else "2"],
        "throughput": ["--factors", *(["1"] if q else ["1", "4", "16"])],
        "startup": ["--repeat", "1" if q else "3"],
        "profile": ["--frames", "30" if q else "150"],
        "soak": ["--minutes", f"{soak_minutes:g}", "--interval", "2" if q else "5", "--idle-seconds", idle],
    }
    if results.resolve() != RESULTS.resolve():
        for name, argv in cmds.items():
            argv += ["--out", str(results / f"{name}.json")]
    return cmds


def run(name: str, argv: list[str]) -> dict:
    script = BENCH / f"{name}.py"
    cmd = [sys.executable, str(script), *argv]
    print(f"\n=== {name}: {' '.join(cmd[1:])}", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    load = os.getloadavg()[0]
    proc = subprocess.run(cmd, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    return {"command": "python " + " ".join(str(Path(c).relative_to(BENCH.parent)) if c.startswith(str(BENCH.parent))
                                             else c for c in cmd[1:]),
            "exit_code": proc.returncode, "seconds": time.perf_counter() - t0,
            "load_average_before": load, "load_average_after": os.getloadavg()[0]}  # fmt: skip


# ---------------------------------------------------------------------------------------------- report


def _load(results: Path, name: str) -> dict | None:
    path = results / f"{name}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _f(x: float | None, digits: int = 1, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.{digits}f}{unit}"


def report(results: Path, runs: dict[str, dict] | None = None) -> str:
    """The Markdown summary of every result file present."""
    log = runs or (_load(results, "run_all") or {}).get("runs", {})
    lines = ["# Benchmark results", ""]
    meta = (_load(results, "run_all") or {}).get("meta", {})
    if meta:
        lines += [f"Measured {meta.get('when', '?')} on {meta.get('cpus', '?')} CPU cores ({meta.get('machine', '')}, "
                  f"Python {meta.get('python', '?')}), bundled *full* model, 2 people per frame unless stated. "
                  f"Regenerate with `python bench/run_all.py` (this file: `--report-only`).", ""]  # fmt: skip

    pipe = _load(results, "pipeline")
    if pipe:
        lines += ["## Model vs whole pipeline (per frame)", "",
                  "| frame size | frames | model median / p95 (ms) | pipeline median / p95 (ms) | after-model stages "
                  "median (ms) | ratio pipeline/model (median) | goal |",
                  "|---|---:|---:|---:|---:|---:|---|"]  # fmt: skip
        for r in pipe["results"]:
            ratio = r["ratio_median"]
            lines.append(f"| {r['size']} | {r['frames']} | {_f(r['model']['median_ms'])} / {_f(r['model']['p95_ms'])} "
                         f"| {_f(r['pipeline']['median_ms'])} / {_f(r['pipeline']['p95_ms'])} "
                         f"| {_f(r['post_model_stages']['median_ms'], 2)} | {ratio:.3f} "
                         f"| ≤ 1.10 {'✓' if ratio <= 1.10 else '✗'} |")  # fmt: skip
        lines += ["", f"`{_cmd(log, 'pipeline', 'python bench/pipeline.py')}`", ""]

    live = _load(results, "live")
    if live:
        lines += ["## Live path: frame captured → feedback shown (app window, offscreen)", "",
                  "| camera | shown fps | not shown | latency median (ms) | latency p95 (ms) | goal p95 ≤ 50 ms |",
                  "|---|---:|---:|---:|---:|---|"]  # fmt: skip
        for name, r in live.get("runs", {}).items():
            p95 = r.get("latency_ms_p95")
            ok = "✓" if p95 is not None and p95 <= 50 else "✗"
            lines.append(f"| {name} | {_f(r.get('shown_fps'))} | {r.get('not_shown', '—')} "
                         f"| {_f(r.get('latency_ms_median'))} | {_f(p95)} | {ok} |")  # fmt: skip
        lines += ["", f"`{live.get('command', _cmd(log, 'live', 'python bench/live.py'))}`", ""]

    tp = _load(results, "throughput")
    if tp:
        lines += ["## `analyze` throughput vs video length", "",
                  "| sample looped | frames | wall (s) | end-to-end frames/s | processing ms/frame "
                  "| per-frame cost vs 1× | peak RSS (MB) |", "|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
        for r in tp["results"]:
            lines.append(f"| {r['factor']}× | {r['frames']} | {_f(r['wall_s'])} | {_f(r['end_to_end_fps'])} "
                         f"| {_f(r['processing_ms_per_frame'])} | {r['per_frame_cost_vs_shortest']:.2f} "
                         f"| {_f(r['peak_rss_mb'], 0)} |")  # fmt: skip
        s = tp["summary"]
        lines += ["", f"Per-frame cost, longest vs shortest: ×{s['per_frame_cost_ratio_longest_vs_shortest']:.2f} "
                  f"(1.00 = linear); peak memory {s['peak_rss_growth_mb_per_1000_frames']:+.1f} MB per 1000 frames.",
                  "", f"`{_cmd(log, 'throughput', 'python bench/throughput.py')}`", ""]  # fmt: skip

    su = _load(results, "startup")
    if su:
        lines += ["## Start-up: launch → first feedback frame", "", "| command | median (s) | min–max (s) |",
                  "|---|---:|---:|"]  # fmt: skip
        for key in ("analyze", "app"):
            if key in su:
                r = su[key]
                lines.append(f"| `{r['command']}` | {_f(r['median_s'], 2)} | {_f(r['min_s'], 2)}–{_f(r['max_s'], 2)} |")
        b = su.get("breakdown", {})
        if b:
            lines.append("")
            lines.append("Breakdown (fresh process each, seconds): " + ", ".join(
                f"{k.replace('_s', '').replace('_', ' ')} {v:.2f}" for k, v in b.items()) + ".")  # fmt: skip
        lines += ["", f"`{_cmd(log, 'startup', 'python bench/startup.py')}`", ""]

    pr = _load(results, "profile")
    if pr:
        lines += ["## Where the time goes (stage timer, mean ms per frame)", ""]
        sizes = list(pr["sizes"])
        stages = list(pr["sizes"][sizes[0]]["stage_timer"]["stages"])
        lines += ["| stage | " + " | ".join(sizes) + " |", "|---|" + "---:|" * len(sizes)]
        for st in stages:
            cells = []
            for sz in sizes:
                v = pr["sizes"][sz]["stage_timer"]["stages"].get(st)
                cells.append(f"{v['mean_ms']:.3f} ({100 * v['share_of_total']:.1f}%)" if v else "—")
            lines.append(f"| {st} | " + " | ".join(cells) + " |")
        tot = [pr["sizes"][sz]["stage_timer"] for sz in sizes]
        lines.append("| **total** | " + " | ".join(f"**{t['total']['mean_ms']:.2f}**" for t in tot) + " |")
        not_model = [f"{t['not_model_mean_ms']:.2f} ({100 * t['not_model_share']:.1f}%)" for t in tot]
        lines.append("| not the model | " + " | ".join(not_model) + " |")
        lines += ["", "Cheaper settings on the same frames (ms/frame, share of frames with a person, change of the "
                  "angles against the default, degrees):", "",
                  "| frame size | setting | ms/frame | person | angle change median / p90 |",
                  "|---|---|---:|---:|---:|"]  # fmt: skip
        for sz in sizes:
            for r in pr["sizes"][sz].get("options", []):
                lines.append(f"| {sz} | {r['setting']} | {_f(r['mean_ms'])} | {100 * r['person_found']:.0f}% "
                             f"| {_f(r['angle_diff_vs_default_median_deg'])}° / "
                             f"{_f(r['angle_diff_vs_default_p90_deg'])}° |")  # fmt: skip
        lines += ["", f"`{_cmd(log, 'profile', 'python bench/profile.py')}`", ""]

    so = _load(results, "soak")
    soak_files = ((so, "soak.json"), (_load(results, "soak_app"), "soak_app.json"))
    docs = [(d, f) for d, f in soak_files if d and d.get("memory")]
    memories = [d["memory"] for d, _ in docs]
    if memories:
        lines += ["## Memory over a long live session", "",
                  "The looping sample played in real time as the camera (newest frame wins); RSS sampled every few "
                  "seconds; a line fitted after the warm-up. *core*: pipeline + overlays; *app*: the mirror window "
                  "offscreen with the Qt event loop.", "",
                  "| path | minutes | frames (/s) | RSS start → after warm-up → end (max), MB | slope after warm-up "
                  "| noise (SD) | verdict |", "|---|---:|---:|---:|---:|---:|---|"]  # fmt: skip
        for m in memories:
            if not math.isfinite(m["slope_mb_per_hour"]) or m["growth_beyond_noise"] is None:
                verdict = "too short to judge (under 5 min after the warm-up)"
            elif m["growth_beyond_noise"]:
                verdict = "**growth beyond noise**"
            else:
                verdict = "no growth beyond noise"
            lines.append(f"| {m['path']} | {m['minutes']:.0f} | {m['frames']} ({m['fps']:.1f}) "
                         f"| {m['rss_start_mb']:.0f} → {m['rss_after_warmup_mb']:.0f} → {m['rss_end_mb']:.0f} "
                         f"({m['rss_max_mb']:.0f}) | {m['slope_mb_per_hour']:+.1f} MB/h "
                         f"| ±{m['residual_sd_mb']:.1f} MB | {verdict} |")  # fmt: skip
        lines.append("")
        for d, file in docs:  # the memory part may come from an earlier, longer run than the idle part
            m, when = d["memory"], d.get("meta_earlier", {}).get("memory", d.get("meta", {})).get("when", "?")
            out = "" if file == "soak.json" else f" --out bench/results/{file}"
            path = "" if m["path"] == "core" else f" --path {m['path']}"
            lines.append(f"`python bench/soak.py{path} --minutes {m['minutes']:.0f} --idle-seconds 0{out}` "
                         f"(started {when})  ")  # fmt: skip
        lines.append("")
    if so:
        idle = so.get("idle")
        if idle:
            lines += ["## CPU with nobody in view (empty scene, camera at 30 fps)", "",
                      "| path | CPU (% of one core) | frames processed/s |", "|---|---:|---:|"]  # fmt: skip
            names = {
                "camera_only": "camera stand-in alone (decoding)",
                "pipeline_every_frame": "pipeline on every frame (no back-off)",
                "monitor_worker": "posture monitor (its own pacing)",
            }
            for k, label in names.items():
                v = idle.get(k, {})
                if "cpu_share_of_one_core" in v:
                    lines.append(f"| {label} | {100 * v['cpu_share_of_one_core']:.0f}% | {v['processed_fps']:.1f} |")
                elif v:
                    lines.append(f"| {label} | {v.get('skipped', '—')} | — |")
            if "verdict" in idle:
                lines += ["", idle["verdict"] + "."]
            lines.append("")
        lines += ["", f"`{_cmd(log, 'soak', 'python bench/soak.py')}`", ""]
    if log:
        loads = ", ".join(f"{n} {r['load_average_before']:.1f}" for n, r in log.items() if "load_average_before" in r)
        lines += [f"Load average (1 min) of the shared machine before each benchmark: {loads}.", ""]
    return "\n".join(lines)


def _cmd(log: dict, name: str, default: str) -> str:
    return log.get(name, {}).get("command", default)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=ORDER, help="run only these benchmarks")
    parser.add_argument("--skip", nargs="+", choices=ORDER, default=[], help="do not run these")
    parser.add_argument("--quick", action="store_true", help="tiny settings: prove every benchmark runs")
    parser.add_argument("--soak-minutes", type=float, default=60.0, help="memory soak length (0 = keep earlier)")
    parser.add_argument("--idle-seconds", type=float, default=30.0, help="seconds per idle CPU measurement")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for the JSON files and README.md")
    parser.add_argument("--report-only", action="store_true", help="only rewrite README.md from the JSON files")
    args = parser.parse_args(argv)
    args.results.mkdir(parents=True, exist_ok=True)
    runs: dict[str, dict] = dict((_load(args.results, "run_all") or {}).get("runs", {}))
    if not args.report_only:
        cmds = commands(args, args.results)
        for name in args.only or ORDER:
            if name in args.skip:
                continue
            if not (BENCH / f"{name}.py").exists():
                print(f"=== {name}: bench/{name}.py does not exist here; skipped", file=sys.stderr)
                continue
            runs[name] = run(name, cmds[name])
        meta = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count(),
                "machine": platform.machine(), "python": sys.version.split()[0], "quick": args.quick}  # fmt: skip
        (args.results / "run_all.json").write_text(json.dumps({"meta": meta, "runs": runs}, indent=2))
    text = report(args.results, runs)
    (args.results / "README.md").write_text(text + "\n")
    print(f"\nwritten {args.results / 'README.md'}", file=sys.stderr)
    failed = [n for n, r in runs.items() if r.get("exit_code")]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
