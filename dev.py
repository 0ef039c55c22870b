#!/usr/bin/env python3
"""One-command set-up and run, for a fresh clone on Linux, macOS or Windows.

    python3 dev.py            # set up .venv, then open the app (webcam, or the bundled sample video)
    python3 dev.py test       # set up .venv, then run the test suite (pytest arguments may follow)
    python3 dev.py test --latest
                              # the suite in .venv-latest against the newest releases that
                              # pyproject.toml allows (add --no-upper-bounds: the newest of all)
    python3 dev.py run ARGS   # set up, then `posture-feedback ARGS` (e.g. `run analyze --video sample`)
    python3 dev.py lock       # re-resolve requirements.lock (CPython 3.11, Linux x86_64 only)

Set-up creates ``.venv`` next to this file with the standard library's ``venv``. On CPython 3.11
on Linux x86_64 it installs the exact, hash-checked versions of ``requirements.lock``
(``pip install --require-hashes -r requirements.lock``, then the project itself with
``--no-deps``), so every install there is the one that was tested. Elsewhere it installs the
ranges of ``pyproject.toml`` (``pip install -e .[test]``). It re-installs only when
``pyproject.toml`` or the lock changed. Where there is no display (a server, CI), the app runs
offscreen on the bundled sample video and saves a screenshot instead of opening a window.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import venv
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LATEST_VENV = ROOT / ".venv-latest"
LOCK = ROOT / "requirements.lock"
#: The platform ``requirements.lock`` was resolved for (its hashes are of these wheels).
LOCK_PYTHON = (3, 11)
BUILD_TOOLS = ("pip", "setuptools>=77", "wheel")


def _say(msg: str) -> None:
    print(f"[dev.py] {msg}", flush=True)


def _bin(env: Path) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin")


def _python(env: Path) -> Path:
    return _bin(env) / ("python.exe" if os.name == "nt" else "python")


def lock_applies() -> bool:
    """True where ``requirements.lock`` holds: CPython 3.11 on Linux x86_64."""
    return (
        sys.platform.startswith("linux")
        and platform.machine().lower() in ("x86_64", "amd64")
        and platform.python_implementation() == "CPython"
        and sys.version_info[:2] == LOCK_PYTHON
    )


def _pip(py: Path, *args: str) -> None:
    cmd = [str(py), "-m", "pip", "--disable-pip-version-check", *args]
    if subprocess.call(cmd) != 0:
        raise SystemExit(f"[dev.py] set-up failed: `pip {' '.join(args)}` (see pip's messages above)")


def _create(env: Path) -> Path:
    py = _python(env)
    if not py.exists():
        _say(f"creating virtual environment in {env}")
        venv.EnvBuilder(with_pip=True).create(env)
    return py


def install_digest(use_lock: bool) -> str:
    """What the installed ``.venv`` was made from: pyproject.toml, and the lock when it was used."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(LOCK.read_bytes() if use_lock else b"no lock")
    return digest.hexdigest()


def setup() -> Path:
    """Create ``.venv`` and install the project if needed; returns the venv's Python."""
    py = _create(VENV)
    use_lock = lock_applies() and LOCK.is_file()
    digest = install_digest(use_lock)
    stamp = VENV / ".installed.sha256"
    if stamp.exists() and stamp.read_text().strip() == digest:
        return py
    if use_lock:
        _say("installing the locked versions of requirements.lock (first run: a few minutes)")
        _pip(py, "install", "--quiet", "--require-hashes", "-r", str(LOCK))
        _pip(py, "install", "--quiet", "--no-deps", "--no-build-isolation", "-e", str(ROOT))
    else:
        _say("no lock for this platform: installing the version ranges of pyproject.toml (see README)")
        _pip(py, "install", "--quiet", "--upgrade", *BUILD_TOOLS)
        _pip(py, "install", "--quiet", "-e", f"{ROOT}[test]")
    stamp.write_text(digest)
    return py


def _pyproject_requirements(upper_bounds: bool) -> list[str]:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    if not upper_bounds:
        reqs = [re.sub(r",\s*<[^,;]*", "", r) for r in reqs]
    return reqs


def _locked_versions() -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", LOCK.read_text(), flags=re.MULTILINE) if LOCK.is_file() else []
    return {_norm(n): v for n, v in pins}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def setup_latest(upper_bounds: bool) -> Path:
    """``.venv-latest`` upgraded to the newest releases (within pyproject's bounds unless told otherwise)."""
    py = _create(LATEST_VENV)
    _say("upgrading .venv-latest to the newest releases" + ("" if upper_bounds else ", upper bounds ignored"))
    _pip(py, "install", "--quiet", "--upgrade", *BUILD_TOOLS)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(_pyproject_requirements(upper_bounds)) + "\n")
    try:
        _pip(py, "install", "--quiet", "--upgrade", "--upgrade-strategy", "eager", "-r", f.name)
    finally:
        os.unlink(f.name)
    _pip(py, "install", "--quiet", "--no-deps", "--no-build-isolation", "-e", str(ROOT))
    listed = subprocess.run([str(py), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    installed = {_norm(p["name"]): p["version"] for p in json.loads(listed)}
    drift = [f"{n} {v} -> {installed[n]}" for n, v in sorted(_locked_versions().items())
             if n in installed and installed[n] != v]  # fmt: skip
    _say("newer than requirements.lock: " + ("; ".join(drift) if drift else "nothing"))
    return py


def lock() -> int:
    """Re-resolve ``requirements.lock``: what ``pip install -e .[test]`` picks today, with sha256 hashes."""
    if not lock_applies():
        raise SystemExit(f"[dev.py] the lock is for CPython {LOCK_PYTHON[0]}.{LOCK_PYTHON[1]} on Linux x86_64 only")
    tmp = tempfile.TemporaryDirectory(prefix="dev-lock-")
    py = _create(Path(tmp.name) / "venv")  # a throwaway venv: nothing installed, nothing reused
    _say("resolving the newest versions that pyproject.toml allows (pip's resolver, a dry run)")
    proc = subprocess.run(
        [str(py), "-m", "pip", "install", "--disable-pip-version-check", "--dry-run", "--ignore-installed",
         "--quiet", "--report", "-", "-e", f"{ROOT}[test]", *BUILD_TOOLS],
        capture_output=True, text=True,
    )  # fmt: skip
    tmp.cleanup()
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit("[dev.py] could not resolve the dependencies")
    lines = [
        "# requirements.lock: every package `pip install -e .[test]` needs, pinned with its sha256.",
        f"# For CPython {LOCK_PYTHON[0]}.{LOCK_PYTHON[1]} on Linux x86_64 (the wheels' hashes are of that platform).",
        "# dev.py and .ci/run install it with `pip install --require-hashes -r requirements.lock`, then the",
        "# project with --no-deps. Re-resolve with `python3 dev.py lock`, then run `python3 dev.py test`.",
        f"# Resolved on {datetime.now(timezone.utc):%Y-%m-%d} by pip's resolver.",
    ]
    for item in sorted(json.loads(proc.stdout)["install"], key=lambda i: _norm(i["metadata"]["name"])):
        info = item["download_info"]
        if "dir_info" in info:  # the project itself
            continue
        sha = info.get("archive_info", {}).get("hashes", {}).get("sha256") or info["archive_info"]["hash"].split("=")[1]
        lines.append(f"{_norm(item['metadata']['name'])}=={item['metadata']['version']} \\\n    --hash=sha256:{sha}")
    LOCK.write_text("\n".join(lines) + "\n")
    _say(f"wrote {LOCK} ({len(lines) - 5} packages)")
    return 0


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "app"
    if cmd == "lock":
        return lock()
    env = dict(os.environ)
    if cmd == "test":
        args = argv[1:]
        if "--latest" in args:
            upper = "--no-upper-bounds" not in args
            args = [a for a in args if a not in ("--latest", "--no-upper-bounds")]
            py = setup_latest(upper_bounds=upper)
        else:
            py = setup()
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        return subprocess.call([str(py), "-m", "pytest", "-q", *args], cwd=ROOT, env=env)
    if cmd not in ("run", "app"):
        print(__doc__)
        return 2
    py = setup()
    if cmd == "run":
        return subprocess.call([str(py), "-m", "posture_feedback.cli", *argv[1:]], cwd=ROOT, env=env)
    if _has_display():
        return subprocess.call([str(py), "-m", "posture_feedback.cli", *argv[1:]], cwd=ROOT, env=env)
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    _say("no display here: running the app offscreen on the bundled sample (a webcam-style crop, head to chest)")
    env["QT_QPA_PLATFORM"] = "offscreen"
    shot = out / "app.png"
    code = subprocess.call(
        [str(py), "-m", "posture_feedback.cli", "--source", "sample",
         "--frames", "120", "--screenshot", str(shot)], cwd=ROOT, env=env,
    )  # fmt: skip
    if code == 0:
        _say(f"screenshot of the app: {shot}")
        code = subprocess.call(
            [str(py), "-m", "posture_feedback.cli", "analyze", "--video", "sample",
             "--out", str(out / "sample.angles.csv"), "--annotated", str(out / "sample.annotated.mp4"),
             "--laptop-signals", "--no-progress"], cwd=ROOT, env=env,
        )  # fmt: skip
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
