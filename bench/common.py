"""What the benchmark scripts share: the machine description stored with each result, and writing it.

``bench/`` is not a package (and ``bench/profile.py`` must stay off ``sys.path``, where it would
shadow the standard library's ``profile``), so the scripts load this file with ``load_common()``'s
three lines: ``importlib.util.spec_from_file_location("bench_common", <this file>)``.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any


def machine_meta(**extra: Any) -> dict[str, Any]:
    """Python version, machine, CPU count, then ``extra`` (the run's settings), then the UTC time of the run."""
    return {
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        **extra,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def write_result(path: Path, doc: dict) -> dict:
    """Write ``doc`` as indented JSON to ``path`` (folders created), say so on stderr, and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2))
    print(f"written {path}", file=sys.stderr)
    return doc


def accuracy_set(path: Path, script: str) -> Path:
    """The accuracy set's folder (``../shared/accuracy``) resolved, or exit with a one-line error
    naming ``script`` when it holds no reference."""
    acc = path.resolve()
    if not (acc / "data" / "reference.npz").exists():
        print(f"{script}: error: no accuracy set at {acc}", file=sys.stderr)
        raise SystemExit(2)
    return acc


def analyze_command() -> list[str]:
    """The command that runs ``posture-feedback`` with this Python (the entry point beside it, else
    ``python -m posture_feedback.cli``)."""
    exe = Path(sys.executable).with_name("posture-feedback")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "posture_feedback.cli"]
