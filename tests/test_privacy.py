"""Privacy: no network access at run time (except the explicit model download), frames stay in memory.

* In-process: Python's socket entry points are replaced by a recorder that refuses; a real session
  (``analyze`` with targets and an annotated video on the bundled recording, a stored exercise
  session with repetitions, a results export and import, calibrations, a plan) must record no
  attempt. A self-check proves the recorder sees what a download would do.
* Whole process, native code included: ``strace`` (when installed) watches every ``socket``/``connect``
  system call of ``analyze`` and of the app; no internet socket may be opened.
* Files: with HOME, the XDG folders and TMPDIR pointed at empty temporary folders, a run writes the
  requested outputs and nothing else that could hold a frame.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from posture_feedback.calibration.neutral import NeutralPosture
from posture_feedback.calibration.store import CalibrationStore
from posture_feedback.cli import main
from posture_feedback.errors import ModelError
from posture_feedback.exercises import load_plan
from posture_feedback.models import resolve_model
from posture_feedback.storage import Database, Repetition
from posture_feedback.storage.exchange import export_results, import_results

IMAGE_OR_VIDEO = re.compile(r"\.(png|jpe?g|bmp|tiff?|webp|gif|mp4|avi|mkv|mov|webm|raw|npy|npz)$", re.IGNORECASE)


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every Python-level way to reach the network, replaced by a recorder that refuses."""
    attempts: list[tuple[str, str]] = []

    def refuse(name: str):
        def blocked(*args, **kwargs):
            attempts.append((name, repr(args[-1] if args else kwargs)[:80]))
            raise OSError(f"network access blocked by the privacy test ({name})")

        return blocked

    for name in ("connect", "connect_ex", "sendto", "sendmsg"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        monkeypatch.setattr(socket, name, refuse(name))
    return attempts


def test_the_guard_sees_a_download(network_attempts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Self-check: the only network path in the project (fetching a model that is not cached) is seen."""
    with pytest.raises(OSError):
        urllib.request.urlopen("http://example.com/", timeout=2)
    assert network_attempts, "the recorder missed a plain urllib request"
    network_attempts.clear()
    monkeypatch.setenv("POSTURE_FEEDBACK_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(ModelError):
        resolve_model("lite")  # not cached: needs the explicit download, which is refused
    assert network_attempts
    network_attempts.clear()
    assert resolve_model("full").is_file()  # the bundled model needs nothing
    assert network_attempts == []


def _t(i: int) -> datetime:
    return datetime(2026, 3, 2, 18, 0, tzinfo=timezone.utc) + timedelta(seconds=4 * i)


def test_a_whole_session_makes_no_network_access(
    network_attempts, sports_video: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTURE_FEEDBACK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("POSTURE_FEEDBACK_CONFIG_DIR", str(tmp_path / "config"))
    csv_path, video_path = tmp_path / "angles.csv", tmp_path / "annotated.mp4"
    code = main(["analyze", "--video", str(sports_video), "--out", str(csv_path), "--annotated", str(video_path),
                 "--targets", "standing", "--max-frames", "15", "--no-progress"])  # fmt: skip
    assert code == 0 and len(csv_path.read_text().splitlines()) == 16
    # A plan, a stored exercise session with repetitions, its results exported and imported elsewhere.
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text('title = "Week 1"\n[[exercise]]\nname = "mini_squat"\nsets = 1\nreps = 5\n', encoding="utf-8")
    plan = load_plan(plan_file)
    with Database.open_default() as db:
        pid = db.create_profile("Private").id
        sid = db.start_session(pid, source="camera 0")
        set_id = db.add_set(sid, plan.items[0].exercise.name)
        for i in range(1, 6):
            db.add_repetition(set_id, Repetition(i, _t(i), _t(i) + timedelta(seconds=3), quality="good"))
        db.end_session(sid)
        out = export_results(db, pid, tmp_path / "results.pfresults.json")
    with Database(tmp_path / "other" / "pf.sqlite3") as other:
        summary = import_results(other, out, other.create_profile("Private").id)
        assert summary.sessions_added == 1
    store = CalibrationStore()
    store.save_neutral(NeutralPosture(angles={"trunk_inclination": 2.0}, spread={"trunk_inclination": 0.4},
                                      posture="standing"))  # fmt: skip
    assert store.load_neutral("standing").angles == {"trunk_inclination": 2.0}
    assert network_attempts == []


# ---------------------------------------------------------------------------------------------- whole process


def _sandbox(root: Path) -> tuple[dict[str, str], list[Path]]:
    """Environment with every per-user folder inside ``root`` (all empty), and those folders."""
    dirs = {name: root / name for name in ("home", "config", "cache", "data", "state", "runtime", "tmp", "work")}
    for d in dirs.values():
        d.mkdir(parents=True)
    dirs["runtime"].chmod(0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "POSTURE_FEEDBACK_", "MPLCONFIGDIR"))}
    env.update(
        HOME=str(dirs["home"]), XDG_CONFIG_HOME=str(dirs["config"]), XDG_CACHE_HOME=str(dirs["cache"]),
        XDG_DATA_HOME=str(dirs["data"]), XDG_STATE_HOME=str(dirs["state"]), XDG_RUNTIME_DIR=str(dirs["runtime"]),
        TMPDIR=str(dirs["tmp"]), QT_QPA_PLATFORM="offscreen",
    )  # fmt: skip
    return env, list(dirs.values())


def _files(dirs: list[Path]) -> set[Path]:
    return {p for d in dirs for p in d.rglob("*") if p.is_file()}


CLI = [sys.executable, "-m", "posture_feedback.cli"]


def _app_available() -> bool:
    try:
        import PyQt6.QtWidgets  # noqa: F401

        import posture_feedback.commands.app  # noqa: F401
    except ImportError:
        return False
    return True


RUNS = {
    "analyze": (
        ["analyze", "--video", "sample", "--max-frames", "30", "--out", "angles.csv", "--no-progress"],
        {"angles.csv"},
    ),
    "app": (["--source", "sample", "--frames", "3", "--screenshot", "shot.png", "--mute"], {"shot.png"}),
}

# MediaPipe's native library (Tasks, 1.x) sends usage logs to play.googleapis.com (through libcurl) from a
# background thread after a task is created, with no option to turn it off; ``pose.block_native_telemetry``
# points libcurl at a closed local port. The strace tests below prove nothing reaches the network.
MEDIAPIPE_LOGGING_HOST = r"play\\ngoogleapis\\3com"  # as strace prints the DNS query name


def _strace_ready() -> bool:
    if shutil.which("strace") is None:
        return False
    return subprocess.run(["strace", "-qq", "-o", os.devnull, "true"], capture_output=True).returncode == 0


needs_strace = pytest.mark.skipif(not _strace_ready(), reason="strace is not installed or cannot trace here")


class Run:
    """One sandboxed run of the command line: files it created, and its calls to non-local addresses."""

    def __init__(self, root: Path, args: list[str]) -> None:
        env, dirs = _sandbox(root)
        before = _files(dirs)
        log = root / "strace.log"
        trace = ["strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg,sendmmsg", "-e", "signal=none",
                 "-s", "96", "-o", str(log)] if _strace_ready() else []  # fmt: skip
        proc = subprocess.run([*trace, *CLI, *args], cwd=root / "work", env=env, capture_output=True, text=True,
                              timeout=180)  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-2000:]
        self.new_files = {p.relative_to(root).as_posix() for p in _files(dirs) - before}
        lines = log.read_text().splitlines() if trace else []
        lines = [ln for ln in lines if re.search(r"AF_INET6?\b|googleapis", ln)]
        lines = [ln for ln in lines if not re.search(r'inet_addr\("127\.|inet_pton\(AF_INET6, "::1"', ln)]
        logging_tids = {ln.split()[0] for ln in lines if re.search(MEDIAPIPE_LOGGING_HOST, ln)}
        #: calls by the thread that looked up MediaPipe's logging host
        self.mediapipe_logging = [ln for ln in lines if ln.split()[0] in logging_tids]
        #: every other call to a non-local address
        self.other_network = [ln for ln in lines if ln.split()[0] not in logging_tids]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """``analyze`` and the app, each run once in its own sandbox (under strace when available)."""
    out = {}
    for name, (args, _) in RUNS.items():
        if name == "app" and not _app_available():
            continue
        out[name] = Run(tmp_path_factory.mktemp(f"sandbox-{name}"), args)
    return out


def _run(runs: dict[str, Run], name: str) -> Run:
    if name not in runs:
        pytest.skip("the desktop app is not built in this version")
    return runs[name]


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_run_writes_only_what_was_asked(name: str, runs: dict[str, Run]) -> None:
    run = _run(runs, name)
    wanted = {f"work/{w}" for w in RUNS[name][1]}
    assert wanted <= run.new_files
    others = run.new_files - wanted
    # Nothing else that could hold a frame; the only other files allowed are caches of fonts.
    assert not [p for p in others if IMAGE_OR_VIDEO.search(p)], others
    assert all(re.match(r"^(cache|home/\.cache|config|home/\.config)/matplotlib/", p) for p in others), others


@needs_strace
@pytest.mark.parametrize("name", sorted(RUNS))
def test_no_network_access_from_native_code_but_mediapipe_logging(name: str, runs: dict[str, Run]) -> None:
    """Every connect/send of the whole process, native threads included: nothing but MediaPipe's own logging."""
    run = _run(runs, name)
    assert run.other_network == [], "\n".join(run.other_network[:10])


@needs_strace
def test_no_network_access_at_all(runs: dict[str, Run]) -> None:
    """Not even MediaPipe's native usage logging leaves the machine (``pose.block_native_telemetry``)."""
    calls = runs["analyze"].mediapipe_logging + runs["analyze"].other_network
    assert calls == [], "\n".join(calls[:10])


@needs_strace
def test_strace_check_would_see_a_connection(tmp_path: Path) -> None:
    """Self-check of the strace filter: a process that does open an internet socket is caught."""
    log = tmp_path / "s.log"
    code = (
        "import socket\ns = socket.socket()\ns.settimeout(0.2)\ntry: s.connect(('192.0.2.1', 9))\nexcept OSError: pass"
    )
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=connect", "-o", str(log), sys.executable, "-c", code],
                   capture_output=True, timeout=60)  # fmt: skip
    assert any("AF_INET" in ln and "192.0.2.1" in ln for ln in log.read_text().splitlines())


def test_results_file_holds_no_image(tmp_path: Path) -> None:
    """An exported results file carries numbers, not pictures (snapshots are off by default)."""
    with Database(tmp_path / "pf.sqlite3") as db:
        pid = db.create_profile("P").id
        assert db.add_snapshot(pid, b"\x89PNG\r\n\x1a\n" + b"\0" * 100) is None  # refused: snapshots off
        sid = db.start_session(pid)
        db.add_repetition(db.add_set(sid, "mini_squat"), Repetition(1, _t(1), _t(2)))
        out = export_results(db, pid, tmp_path / "r.json")
    text = out.read_text()
    assert "PNG" not in text and "snapshot" not in json.loads(text).get("sessions", [{}])[0]


# ---------------------------------------------------------------------------------------------- side effects
# The telemetry block is a process-wide environment change. It is made once at start-up (cli.main, the
# app, this conftest), never on a worker thread, and programs started from here get the user's settings.

USER_PROXY = "http://proxy.example:3128"


@pytest.fixture
def users_proxy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The user's own proxy settings, then the start-up block; returns the file a fake child writes its env to."""
    from posture_feedback.telemetry import block_native_telemetry

    monkeypatch.delenv("POSTURE_FEEDBACK_ALLOW_MEDIAPIPE_TELEMETRY", raising=False)
    monkeypatch.setenv("https_proxy", USER_PROXY)
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    monkeypatch.setenv("no_proxy", "localhost,clinic.example")
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert block_native_telemetry()
    assert os.environ["https_proxy"] == os.environ["HTTPS_PROXY"] == "http://127.0.0.1:9"  # this process: blocked
    out = tmp_path / "child-env.txt"
    monkeypatch.setenv("PF_CHILD_ENV_OUT", str(out))
    return out


def _fake_program(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    prog = folder / name
    prog.write_text('#!/bin/sh\nenv > "$PF_CHILD_ENV_OUT.part" && mv "$PF_CHILD_ENV_OUT.part" "$PF_CHILD_ENV_OUT"\n')
    prog.chmod(0o755)
    return prog


def _child_env(out: Path, timeout_s: float = 10.0) -> dict[str, str]:
    import time

    deadline = time.monotonic() + timeout_s
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)


def _assert_users_settings(env: dict[str, str]) -> None:
    assert env.get("https_proxy") == USER_PROXY, env.get("https_proxy")
    assert "HTTPS_PROXY" not in env  # the user had none
    assert env.get("no_proxy") == "localhost,clinic.example"
    assert "127.0.0.1:9" not in " ".join(env.values())


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script stands in for the program")
def test_speech_program_gets_the_users_proxy(users_proxy: Path, tmp_path: Path) -> None:
    from posture_feedback.exercises.speech import EspeakSpeaker

    speaker = EspeakSpeaker(binary=str(_fake_program(tmp_path / "bin", "espeak-ng")))
    speaker.say("Stand tall")
    speaker.wait(timeout=10)
    _assert_users_settings(_child_env(users_proxy))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xdg-open is the Linux opener")
def test_browser_opened_for_a_report_gets_the_users_proxy(
    users_proxy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from posture_feedback.launch import open_document

    fake_bin = tmp_path / "bin"
    _fake_program(fake_bin, "xdg-open")
    monkeypatch.setenv("PATH", f"{fake_bin}{os.pathsep}{os.environ['PATH']}")
    report = tmp_path / "report.html"
    report.write_text("<html></html>")
    assert open_document(report)
    _assert_users_settings(_child_env(users_proxy))


def test_model_download_uses_the_users_proxy(users_proxy: Path) -> None:
    from posture_feedback.models import user_proxies

    assert user_proxies()["https"] == USER_PROXY


def test_pose_model_created_on_a_thread_leaves_the_environment_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker thread creating the model never calls setenv/unsetenv (it would race getenv in other threads)."""
    import threading

    from posture_feedback.pose import PoseEstimator, PoseOptions, RunningMode

    for var in ("https_proxy", "HTTPS_PROXY", "GLOG_minloglevel", "TF_CPP_MIN_LOG_LEVEL"):
        monkeypatch.delenv(var, raising=False)  # as if the start-up step had not run: the tempting moment
    calls: list[tuple[str, str]] = []
    real_putenv, real_unsetenv = os.putenv, os.unsetenv

    def putenv(key, value):
        calls.append((threading.current_thread().name, f"putenv {key!r}"))
        real_putenv(key, value)

    def unsetenv(key):
        calls.append((threading.current_thread().name, f"unsetenv {key!r}"))
        real_unsetenv(key)

    monkeypatch.setattr(os, "putenv", putenv)
    monkeypatch.setattr(os, "unsetenv", unsetenv)
    errors: list[BaseException] = []

    def create() -> None:
        try:
            with PoseEstimator(PoseOptions(mode=RunningMode.IMAGE, max_people=1)):
                pass
        except BaseException as exc:  # reported below
            errors.append(exc)

    worker = threading.Thread(target=create, name="pose-worker")
    worker.start()
    worker.join(timeout=120)
    assert not errors, errors
    assert calls == []
    assert "https_proxy" not in os.environ


def test_the_command_line_blocks_before_the_command_runs(tmp_path: Path) -> None:
    """In a fresh process: the block is in place when a command starts, and its children do not see it."""
    code = (
        "import os, sys\n"
        "from posture_feedback import cli, telemetry\n"
        "def run(args):\n"
        "    print(os.environ.get('https_proxy'), telemetry.user_environment().get('https_proxy'))\n"
        "    return 0\n"
        "cli._run = run\n"
        "sys.exit(cli.main(['config']))\n"
    )
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("https_proxy", "no_proxy")}
    env.pop("POSTURE_FEEDBACK_ALLOW_MEDIAPIPE_TELEMETRY", None)
    env["https_proxy"] = USER_PROXY
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["http://127.0.0.1:9", USER_PROXY]
