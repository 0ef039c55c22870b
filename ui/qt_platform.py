"""Before Qt starts: can its platform plugin load here, and is it the right one?

On a bare Linux, PyQt6's X11 plugin (``libqxcb.so``) needs system libraries that are not
part of a minimal install (``libxcb-cursor0``, ``libxcb-icccm4``, ``libxcb-keysyms1``, ...).
Qt then aborts with a message that names the plugin folder, not the library. With OpenCV's
non-headless wheel imported, that folder is ``cv2/qt/plugins`` (OpenCV points
``QT_QPA_PLATFORM_PLUGIN_PATH`` at its own Qt 5 plugins), which sends people the wrong way.

``platform_problem()`` asks the dynamic loader (``ldd``) which libraries the xcb plugin lacks
and returns one line saying what to install; ``drop_opencv_plugin_path()`` removes OpenCV's
plugin path so PyQt6 uses its own plugins. No Qt is imported here.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

#: Debian/Ubuntu packages whose names do not follow the soname rule (``libfoo.so.1`` → ``libfoo1``).
_DEBIAN_EXCEPTIONS = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
}


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that ships a library, by Debian's naming rule.

    ``libxcb-icccm.so.4`` → ``libxcb-icccm4``; a name ending in a digit gets a hyphen
    (``libxkbcommon-x11.so.0`` → ``libxkbcommon-x11-0``); lower case (``libEGL.so.1`` → ``libegl1``).
    """
    if soname in _DEBIAN_EXCEPTIONS:
        return _DEBIAN_EXCEPTIONS[soname]
    m = re.fullmatch(r"(.+?)\.so\.(\d+)(?:\..*)?", soname)
    if not m:
        return soname
    name, major = m.group(1).lower(), m.group(2)
    return f"{name}-{major}" if name[-1].isdigit() else f"{name}{major}"


def pyqt6_plugin(kind: str, name: str) -> Path | None:
    """Path of one of PyQt6's Qt plugins (e.g. ``platforms``, ``libqxcb.so``), without importing Qt."""
    spec = importlib.util.find_spec("PyQt6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        path = Path(base) / "Qt6" / "plugins" / kind / name
        if path.is_file():
            return path
    return None


def missing_libraries(path: Path, ldd_output: str | None = None) -> list[str]:
    """Shared libraries ``path`` needs that the dynamic loader cannot find (empty when unknown)."""
    if ldd_output is None:
        ldd = shutil.which("ldd")
        if ldd is None:
            return []
        try:
            ldd_output = subprocess.run([ldd, str(path)], capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.SubprocessError):
            return []
    missing: list[str] = []
    for line in ldd_output.splitlines():
        m = re.match(r"\s*(\S+)\s+=>\s+not found", line)
        if m and m.group(1) not in missing:
            missing.append(m.group(1))
    return missing


def uses_xcb(env: dict[str, str] | None = None) -> bool:
    """True when Qt will start its X11 (xcb) platform plugin here (Linux/BSD with an X display)."""
    env = dict(os.environ) if env is None else env
    if not (sys.platform.startswith("linux") or "bsd" in sys.platform):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb" and bool(env.get("DISPLAY"))
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")  # Qt prefers Wayland in a Wayland session


def platform_problem(env: dict[str, str] | None = None, ldd_output: str | None = None) -> str | None:
    """One line saying which system libraries to install, or None when Qt's platform plugin can load."""
    if not uses_xcb(env):
        return None
    plugin = pyqt6_plugin("platforms", "libqxcb.so")
    if plugin is None:
        return None
    missing = missing_libraries(plugin, ldd_output)
    if not missing:
        return None
    packages = " ".join(dict.fromkeys(debian_package(s) for s in missing))
    return (f"the window cannot open: Qt's X11 plugin needs {', '.join(missing)}, not installed; "
            f"on Debian/Ubuntu: sudo apt install {packages} (other systems: see the README, "
            f"'System packages'; or run offscreen with --frames N --screenshot OUT.png)")  # fmt: skip


def drop_opencv_plugin_path() -> list[str]:
    """Remove OpenCV's ``QT_QPA_*`` paths (its bundled Qt 5 plugins and fonts) from the environment.

    Call after importing ``cv2`` (which sets them on import) and before ``QApplication``, while
    no other thread runs. Returns the names of the variables removed.
    """
    removed = []
    for var in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR"):
        value = os.environ.get(var)
        if value and "cv2" in Path(value).parts:
            del os.environ[var]
            removed.append(var)
    return removed
