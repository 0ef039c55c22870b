"""Is the screen locked? Asked of the operating system where it says so (for the posture monitor's pause).

* Linux desktops: the session bus's ``org.freedesktop.ScreenSaver.GetActive`` (GNOME, KDE, Xfce
  and others implement it) over QtDBus; else systemd-logind's ``LockedHint`` of this session
  (``loginctl show-session $XDG_SESSION_ID -p LockedHint --value``).
* Other systems (macOS, Windows) and desktops that answer neither: ``None`` ("the OS does not say"),
  and the monitor then relies on nobody being in view (it backs off to 1 frame/s).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


def _dbus_screensaver() -> bool | None:
    try:
        from PyQt6.QtDBus import QDBusConnection, QDBusInterface
    except ImportError:
        return None
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return None
    iface = QDBusInterface("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                           "org.freedesktop.ScreenSaver", bus)  # fmt: skip
    if not iface.isValid():
        return None
    reply = iface.call("GetActive")
    args = reply.arguments()
    return bool(args[0]) if args and isinstance(args[0], bool) else None


def _logind() -> bool | None:
    session = os.environ.get("XDG_SESSION_ID")
    exe = shutil.which("loginctl")
    if not session or not exe:
        return None
    try:
        out = subprocess.run([exe, "show-session", session, "-p", "LockedHint", "--value"],
                             capture_output=True, text=True, timeout=2, check=False)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    value = out.stdout.strip().lower()
    return {"yes": True, "no": False}.get(value)


def screen_locked() -> bool | None:
    """True when the OS says the screen is locked, False when it says it is not, None when it does not say."""
    if not sys.platform.startswith("linux"):
        return None
    answer = _dbus_screensaver()
    return answer if answer is not None else _logind()
