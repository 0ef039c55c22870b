"""Asking the OS whether the screen is locked (ui/screen_lock.py), on a private D-Bus session bus
with a stand-in screensaver (the real ``dbus-daemon``; skipped where it is not installed): a
screensaver that answers is believed, one that owns the name but never answers costs at most
``DBUS_TIMEOUT_MS`` once and is not asked again (it froze the monitor for 50 s a call before)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("dbus-daemon") is None, reason="needs dbus-daemon (Linux)"
)

SERVICE = textwrap.dedent(
    """
    import sys, time
    from PyQt6.QtCore import QCoreApplication, QObject, pyqtClassInfo, pyqtSlot
    from PyQt6.QtDBus import QDBusConnection

    class Saver(QObject):
        @pyqtSlot(result=bool)
        def GetActive(self):
            return ANSWER

    Saver = pyqtClassInfo("D-Bus Interface", "org.freedesktop.ScreenSaver")(Saver)
    app = QCoreApplication(sys.argv)
    bus = QDBusConnection.sessionBus()
    saver = Saver()
    bus.registerObject("/org/freedesktop/ScreenSaver", saver, QDBusConnection.RegisterOption.ExportAllSlots)
    print(bus.registerService("org.freedesktop.ScreenSaver"), flush=True)
    if HANG:
        time.sleep(60)  # owns the name, never answers
    else:
        app.exec()
    """
)

PROBE = textwrap.dedent(
    """
    import time
    from PyQt6.QtCore import QCoreApplication
    app = QCoreApplication([])
    from posture_feedback.ui.screen_lock import screen_locked
    for _ in range(3):
        t = time.perf_counter()
        answer = screen_locked()
        print(answer, round(time.perf_counter() - t, 3), flush=True)
    """
)


@pytest.fixture()
def session_bus():
    """A private session bus: (environment pointing at it)."""
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    address = daemon.stdout.readline().strip()
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("XDG_SESSION_ID", None)  # no logind fallback: only the bus answers
    yield env
    daemon.terminate()
    daemon.wait(5)


def run_probe(env: dict, answer: bool | None, hang: bool = False) -> list[tuple[str, float]]:
    service = None
    if answer is not None or hang:
        code = SERVICE.replace("ANSWER", repr(bool(answer))).replace("HANG", repr(hang))
        service = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        assert service.stdout.readline().strip() == "True"  # the name is ours
    try:
        out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    finally:
        if service is not None:
            service.kill()
            service.wait(5)
    assert out.returncode == 0, out.stderr
    rows = [line.split() for line in out.stdout.splitlines()]
    return [(a, float(t)) for a, t in rows]


@pytest.mark.parametrize("answer", [True, False])
def test_a_screensaver_that_answers_is_believed(session_bus, answer):
    rows = run_probe(session_bus, answer)
    assert [a for a, _ in rows] == [str(answer)] * 3
    assert max(t for _, t in rows) < 1.0


def test_no_screensaver_on_the_bus_is_no_answer(session_bus):
    rows = run_probe(session_bus, None)
    assert [a for a, _ in rows] == ["None"] * 3
    assert max(t for _, t in rows) < 1.0


def test_a_screensaver_that_never_answers_costs_one_short_wait(session_bus):
    from posture_feedback.ui.screen_lock import DBUS_TIMEOUT_MS

    t0 = time.perf_counter()
    rows = run_probe(session_bus, None, hang=True)
    assert [a for a, _ in rows] == ["None"] * 3
    assert rows[0][1] < DBUS_TIMEOUT_MS / 1000 + 0.5  # was 50 s a call
    assert rows[1][1] < 0.05 and rows[2][1] < 0.05  # not asked again
    assert time.perf_counter() - t0 < 30
