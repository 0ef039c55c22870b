#!/usr/bin/env python3
"""How often a shown verdict is wrong, against the 4-camera reference (developer check).

Runs ``posture-feedback analyze --targets standing --validity --uncertainty`` on the accuracy
set's four views (``--person 540,700`` in cam01/02, as ``bench/accuracy.py``) and on its two
laptop-webcam crops (``data/webcam/upper.mp4``, ``desk.mp4``; frame k is reference frame
``webcam.frame_map()[k]``), then compares each absolute target's verdict in the CSV with the
zone of the reference's angle in the same frame:

* **wrong**: the product says in range (OK) and the reference is beyond the tolerance band, or the
  product says out (low/high) and the reference is in range or out on the other side. A "near"
  verdict is never counted wrong (it is the tolerance band: "about right");
* **judged**: cells with a verdict (in range, near, low, high) where the reference has a value;
* **uncertain**: cells the product left undecided (``Verdict.UNCERTAIN``).

The same CSV also gives what the rule before ``targets.undecided`` showed: the verdict of every
known value, whatever its uncertainty (``targets.classify``). Both are printed, one run.

    python bench/verdict_truth.py [--out DIR] [--rerun] [--accuracy-dir ../shared/accuracy]

Writes ``bench/results/verdict_truth.json``.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posture_feedback.presets import get_preset  # noqa: E402
from posture_feedback.targets import classify  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_common", Path(__file__).with_name("common.py"))
common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(common)  # type: ignore[union-attr]

MAIN_AT = {"cam01": "540,700", "cam02": "540,700"}
CLIPS = {
    "cam01": "data/videos/cam01.mp4",
    "cam02": "data/videos/cam02.mp4",
    "cam03": "data/videos/cam03.mp4",
    "cam04": "data/videos/cam04.mp4",
    "upper": "data/webcam/upper.mp4",
    "desk": "data/webcam/desk.mp4",
}


def frame_map(name: str) -> list[int] | None:
    """The crops' frame → reference frame (the accuracy set's ``webcam.frame_map``, written out)."""
    if name not in ("upper", "desk"):
        return None
    half = list(range(0, 100, 2))
    seq = half + half[-2:0:-1]
    return (seq * 2)[:100]


def zone(v: float, lo: float, hi: float, tol: float) -> str:
    """in / near / low / high of a value (degrees), written out by hand."""
    if v < lo - tol:
        return "low"
    if v > hi + tol:
        return "high"
    if lo <= v <= hi:
        return "in"
    return "near"


def is_wrong(shown: str, ref: str) -> bool:
    if shown == "in_range":
        return ref in ("low", "high")
    if shown == "out_low":
        return ref in ("in", "high")
    if shown == "out_high":
        return ref in ("in", "low")
    return False  # near: the tolerance band


def score(csv_path: Path, reference: dict[int, dict[str, float]], fmap: list[int] | None) -> dict:
    targets = [t for t in get_preset("standing").targets if not t.relative]
    out = {"judged": 0, "wrong": 0, "uncertain": 0, "before_judged": 0, "before_wrong": 0, "per_target": {}}
    with open(csv_path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        k = int(row["frame"])
        ref_frame = fmap[k] if fmap is not None else k
        ref = reference.get(ref_frame)
        if ref is None:
            continue
        for t in targets:
            shown = row[f"target_{t.id}"]
            r = ref.get(t.angle, math.nan)
            if shown == "unknown" or not math.isfinite(r):
                continue
            lo = -math.inf if t.low is None else t.low
            hi = math.inf if t.high is None else t.high
            ref_zone = zone(r, lo, hi, t.tolerance)
            pt = out["per_target"].setdefault(t.id, {"judged": 0, "wrong": 0, "uncertain": 0, "before_wrong": 0})
            before = classify(float(row[t.angle]), lo, hi, t.tolerance).value
            out["before_judged"] += 1
            w = is_wrong(before, ref_zone)
            out["before_wrong"] += w
            pt["before_wrong"] += w
            if shown == "uncertain":
                out["uncertain"] += 1
                pt["uncertain"] += 1
                continue
            out["judged"] += 1
            pt["judged"] += 1
            w = is_wrong(shown, ref_zone)
            out["wrong"] += w
            pt["wrong"] += w
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accuracy-dir", type=Path, default=ROOT.parent / "shared" / "accuracy")
    ap.add_argument("--out", type=Path, default=Path("/tmp/verdict_truth"))
    ap.add_argument("--rerun", action="store_true", help="run analyze again even where a CSV exists")
    args = ap.parse_args()
    acc = args.accuracy_dir.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    exe = Path(sys.executable).with_name("posture-feedback")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "posture_feedback.cli"]
    with open(acc / "data" / "reference_main.csv", encoding="utf-8") as f:
        reference = {int(r["frame"]): {k: float(v) if v not in ("", "nan") else math.nan for k, v in r.items()
                                       if k != "frame"} for r in csv.DictReader(f)}  # fmt: skip
    results = {}
    total = {"judged": 0, "wrong": 0, "uncertain": 0, "before_judged": 0, "before_wrong": 0}
    for name, rel in CLIPS.items():
        path = args.out / f"{name}.csv"
        if args.rerun or not path.exists():
            extra = ["--person", MAIN_AT[name]] if name in MAIN_AT else []
            subprocess.run([*cmd, "analyze", "--video", str(acc / rel), "--targets", "standing", "--validity",
                            "--uncertainty", "--no-progress", *extra, "--out", str(path)],
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        r = score(path, reference, frame_map(name))
        results[name] = r
        for k in total:
            total[k] += r[k]
        print(f"{name}: shown {r['judged']} verdicts, {r['wrong']} wrong ({_pct(r['wrong'], r['judged'])}); "
              f"{r['uncertain']} left uncertain; before: {r['before_judged']} verdicts, {r['before_wrong']} wrong "
              f"({_pct(r['before_wrong'], r['before_judged'])})")  # fmt: skip
        for tid, p in r["per_target"].items():
            print(f"    {tid}: {p['judged']} shown, {p['wrong']} wrong, {p['uncertain']} uncertain; "
                  f"before {p['before_wrong']} wrong")  # fmt: skip
    print(f"all: shown {total['judged']} verdicts, {total['wrong']} wrong ({_pct(total['wrong'], total['judged'])}); "
          f"{total['uncertain']} uncertain; before: {total['before_judged']} verdicts, {total['before_wrong']} wrong "
          f"({_pct(total['before_wrong'], total['before_judged'])})")  # fmt: skip
    common.write_result(ROOT / "bench" / "results" / "verdict_truth.json",
                        {"meta": common.machine_meta(preset="standing"), "clips": results, "total": total})


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.0f}%" if b else "—"


if __name__ == "__main__":
    main()
