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

#: Longest wait for the screensaver's answer (milliseconds): the monitor asks on the GUI thread
#: every few seconds, and Qt's default (25 s, twice: introspection and the call) froze the window
#: for 50 s when a process owned the name but never answered (a tenth new-user audit).
DBUS_TIMEOUT_MS = 300

_dbus_silent = False  #: the screensaver once failed to answer in time: not asked again this run


def _dbus_screensaver() -> bool | None:
    """``GetActive`` of the session bus's screensaver, or None (no bus, no service, no answer in
    ``DBUS_TIMEOUT_MS``). A plain method call: no introspection round trip."""
    global _dbus_silent
    if _dbus_silent:
        return None
    try:
        from PyQt6.QtDBus import QDBus, QDBusConnection, QDBusMessage
    except ImportError:
        return None
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return None
    msg = QDBusMessage.createMethodCall("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                                        "org.freedesktop.ScreenSaver", "GetActive")  # fmt: skip
    reply = bus.call(msg, QDBus.CallMode.Block, DBUS_TIMEOUT_MS)
    if reply.type() != QDBusMessage.MessageType.ReplyMessage:
        if reply.errorName() in ("org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.Timeout"):
            _dbus_silent = True
        return None
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
