#!/usr/bin/env python3
"""One-command set-up and run, for a fresh clone on Linux, macOS or Windows.

    python3 dev.py            # set up .venv, then open the app (webcam, or the bundled sample video)
    python3 dev.py test       # set up .venv, then run the test suite
    python3 dev.py run ARGS   # set up, then `posture-feedback ARGS` (e.g. `run analyze sample`)

Set-up creates ``.venv`` next to this file with the standard library's ``venv`` and installs
the project with its test extra (``pip install -e .[test]``); it re-installs only when
``pyproject.toml`` changed. Where there is no display (a server, CI), the app runs offscreen
on the bundled sample video and saves a screenshot instead of opening a window.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-pyproject.sha256"


def _say(msg: str) -> None:
    print(f"[dev.py] {msg}", flush=True)


def setup() -> None:
    """Create the virtual environment and install the project if needed."""
    if not PY.exists():
        _say(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    _say("installing posture-feedback and its dependencies (first run: a few minutes)")
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check"]
    steps = (
        ["install", "--quiet", "--upgrade", "pip", "setuptools>=77", "wheel"],
        ["install", "--quiet", "-e", f"{ROOT}[test]"],
    )
    for args in steps:
        if subprocess.call([*pip, *args]) != 0:
            raise SystemExit(f"[dev.py] set-up failed: `pip {' '.join(args)}` (see pip's messages above)")
    STAMP.write_text(digest)


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str]) -> int:
    setup()
    env = dict(os.environ)
    cmd = argv[0] if argv else "app"
    if cmd == "test":
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        return subprocess.call([str(PY), "-m", "pytest", "-q", *argv[1:]], cwd=ROOT, env=env)
    if cmd == "run":
        return subprocess.call([str(PY), "-m", "posture_feedback.cli", *argv[1:]], cwd=ROOT, env=env)
    if cmd == "app":
        if _has_display():
            return subprocess.call([str(PY), "-m", "posture_feedback.cli", *argv[1:]], cwd=ROOT, env=env)
        out = ROOT / "out"
        out.mkdir(exist_ok=True)
        _say("no display here: running the app offscreen on the bundled sample video")
        env["QT_QPA_PLATFORM"] = "offscreen"
        shot = out / "app.png"
        code = subprocess.call(
            [str(PY), "-m", "posture_feedback.cli", "--source", "sample", "--preset", "standing",
             "--frames", "120", "--screenshot", str(shot)], cwd=ROOT, env=env,
        )  # fmt: skip
        if code == 0:
            _say(f"screenshot of the app: {shot}")
            code = subprocess.call(
                [str(PY), "-m", "posture_feedback.cli", "analyze", "sample", "--out", str(out / "sample.angles.csv"),
                 "--annotated", str(out / "sample.annotated.mp4"), "--no-progress"], cwd=ROOT, env=env,
            )  # fmt: skip
        return code
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
