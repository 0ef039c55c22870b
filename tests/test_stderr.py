"""stderr carries only our own lines, for every command, whatever the native libraries print.

Each command runs as its own process (as a user runs it), so everything that reaches file
descriptor 2 counts: MediaPipe's absl/TFLite lines (1.2.3 prints ``DestroyAccelerator`` when
a model closes), OpenCV's FFmpeg messages, Qt's warnings. Every line on stderr must be ours:
``posture-feedback...`` or a progress bar. ``POSTURE_FEEDBACK_NATIVE_LOGS=1`` shows that the
native lines are there to be hidden (so the check is not passing vacuously).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "posture_feedback.cli"]
PROGRESS = re.compile(r"^\s*\d+%\||^\s*\d+frame \[|frame/s\]$")  # tqdm's bar (analyze on a terminal)


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTURE_FEEDBACK_")}
    env.update(
        POSTURE_FEEDBACK_DATA_DIR=str(root / "data"), POSTURE_FEEDBACK_CONFIG_DIR=str(root / "config"),
        POSTURE_FEEDBACK_CACHE=str(root / "cache"), QT_QPA_PLATFORM="offscreen", **extra,
    )  # fmt: skip
    return env


def _run(args: list[str], root: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], cwd=root, env=_env(root, **extra), capture_output=True, text=True,
                          timeout=240)  # fmt: skip


def _foreign_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("posture-feedback")
            and not PROGRESS.search(ln)]  # fmt: skip


def _app_available() -> bool:
    try:
        import PyQt6.QtWidgets  # noqa: F401

        import posture_feedback.commands.app  # noqa: F401
    except ImportError:
        return False
    return True


needs_app = pytest.mark.skipif(not _app_available(), reason="the desktop app is not built in this version")


@pytest.fixture(scope="module")
def bad_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bad") / "empty.mp4"
    path.write_bytes(b"")
    return path


# (command line, expected exit code); {sample}, {image}, {bad}, {tmp} are filled in below.
COMMANDS: dict[str, tuple[list[str], int]] = {
    "analyze image": (["analyze", "--video", "{image}", "--out", "{tmp}/image.csv"], 0),
    "analyze video": (["analyze", "--video", "sample", "--max-frames", "12", "--out", "{tmp}/video.csv",
                       "--annotated", "{tmp}/video.mp4"], 0),  # fmt: skip
    "analyze bad video": (["analyze", "--video", "{bad}", "--out", "{tmp}/bad.csv"], 2),
    "config": (["config"], 0),
    "exercise --list": (["exercise", "--list"], 0),
    "exercise headless": (["exercise", "mini_squat", "--headless", "--video", "sample", "--max-frames", "12"], 0),
    "calibrate neutral bad video": (["calibrate", "neutral", "{bad}", "--store", "{tmp}/cal.json"], 2),
    "assess rom bad video": (["assess", "rom", "knee_flexion", "--video", "{bad}", "--side", "left",
                              "--store", "{tmp}/cal.json"], 2),  # fmt: skip
    "history without profiles": (["history"], 2),
    "app screenshot": (["--source", "sample", "--frames", "3", "--screenshot", "{tmp}/app.png", "--mute"], 0),
    "app missing source": (["--source", "{tmp}/MISSING.mp4", "--frames", "2", "--screenshot", "{tmp}/m.png",
                            "--mute"], 2),  # fmt: skip
    "app with sound": (["--source", "sample", "--frames", "3", "--screenshot", "{tmp}/sound.png"], 0),
    "exercise window": (["exercise", "mini_squat", "--source", "sample", "--frames", "5", "--screenshot",
                         "{tmp}/ex.png"], 0),  # fmt: skip
    "monitor screenshot": (["--monitor", "--source", "sample", "--frames", "3", "--screenshot", "{tmp}/mon.png",
                            "--mute"], 0),  # fmt: skip
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_writes_only_our_lines_to_stderr(
    name: str, tmp_path: Path, bad_video: Path, street_image: Path
) -> None:
    if name.startswith(("app", "monitor", "exercise window")) and not _app_available():
        pytest.skip("the desktop app is not built in this version")
    template, expected = COMMANDS[name]
    args = [a.format(image=street_image, bad=bad_video, tmp=tmp_path) for a in template]
    proc = _run(args, tmp_path)
    assert proc.returncode == expected, (proc.returncode, proc.stderr[-1500:])
    assert _foreign_lines(proc.stderr) == [], proc.stderr[-3000:]
    if expected != 0:  # a failure ends with one line that says what went wrong
        lines = proc.stderr.strip().splitlines()
        assert lines[-1].startswith("posture-feedback: error: "), proc.stderr
        assert sum(ln.startswith("posture-feedback: error:") for ln in lines) == 1, proc.stderr


def test_native_lines_are_there_without_the_redirection(tmp_path: Path, street_image: Path) -> None:
    """Self-check: with POSTURE_FEEDBACK_NATIVE_LOGS=1 the native libraries' own lines do reach stderr."""
    proc = _run(["analyze", "--video", str(street_image), "--out", str(tmp_path / "a.csv")], tmp_path,
                POSTURE_FEEDBACK_NATIVE_LOGS="1")  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-1500:]
    assert _foreign_lines(proc.stderr), "MediaPipe printed nothing natively: this test would pass vacuously"


def test_a_traceback_still_reaches_the_terminal(tmp_path: Path) -> None:
    """The redirection hides native output, not Python's: an unexpected exception still shows its traceback."""
    code = (
        "import sys\n"
        "from posture_feedback import cli\n"
        "def boom(args):\n"
        "    raise RuntimeError('unexpected bug')\n"
        "cli._run = boom\n"
        "sys.exit(cli.main())\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, "config"], cwd=tmp_path, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "RuntimeError: unexpected bug" in proc.stderr


def test_in_process_main_restores_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    """Called in-process (tests, other Python code), ``main`` gives fd 2 back when it returns."""
    from posture_feedback.cli import main

    capfd.readouterr()
    assert main(["config"]) == 0
    os.write(2, b"native after main\n")
    print("python after main", file=sys.stderr)
    err = capfd.readouterr().err
    assert "native after main" in err and "python after main" in err


@needs_app
def test_a_missing_qt_library_is_one_line_with_what_to_install(tmp_path: Path) -> None:
    """Qt's X11 plugin checked with the real dynamic loader before Qt starts; never Qt's abort."""
    from posture_feedback.ui.qt_platform import missing_libraries, pyqt6_plugin

    plugin = pyqt6_plugin("platforms", "libqxcb.so")
    if plugin is None or not sys.platform.startswith("linux"):
        pytest.skip("PyQt6's X11 plugin is Linux-only")
    missing = missing_libraries(plugin)
    env = {k: v for k, v in _env(tmp_path).items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env["DISPLAY"] = ":97"  # no X server there: with every library installed, Qt fails to connect instead
    proc = subprocess.run([*CLI, "--source", "sample", "--frames", "2", "--screenshot", str(tmp_path / "x.png")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("posture-feedback: error: "), proc.stderr
    if missing:
        assert "sudo apt install" in lines[0] and all(lib in lines[0] for lib in missing), lines[0]
        assert "cv2" not in lines[0]
    else:
        assert "Qt" in lines[0]
