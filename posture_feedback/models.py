"""Pose model bundles: the bundled *full* model, and *lite*/*heavy* fetched on first use.

``resolve_model("full")`` returns the bundled ``pose_landmarker_full.task``.
``resolve_model("lite")`` / ``("heavy")`` look in the user cache and, if absent, download the
bundle once from the official MediaPipe model host, check that it is a valid PoseLandmarker
bundle (a zip holding the detector and landmark networks), record its sha256 beside it, and
return the cached path. Any other value is taken as a path to a ``.task`` file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from posture_feedback.errors import ModelError
from posture_feedback.resources import models_dir
from posture_feedback.telemetry import TELEMETRY_SINK, user_environment

VARIANTS: tuple[str, ...] = ("lite", "full", "heavy")

#: Official download location of each variant (the float16 "latest" bundles).
MODEL_URLS: dict[str, str] = {
    v: f"https://storage.googleapis.com/mediapipe-models/pose_landmarker/pose_landmarker_{v}/float16/latest/pose_landmarker_{v}.task"
    for v in VARIANTS
}

#: sha256 of the bundled full model (see models/README.md).
BUNDLED_SHA256: dict[str, str] = {
    "full": "da4b859ae54676f8a89c7069e84321f4f89ea1b876897231188a6e746ee72e62",
}

_REQUIRED_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")

def user_proxies() -> dict[str, str]:
    """The user's proxies by scheme, for the explicit model download (``{"https": URL, ...}``).

    Read from ``telemetry.user_environment()`` as ``urllib.request.getproxies`` reads the
    environment, so the closed port that keeps MediaPipe's native logging local is never
    used; without proxy variables, the system's settings (Windows registry, macOS).
    """
    env = user_environment()
    proxies: dict[str, str] = {}
    for name, value in env.items():  # any case first, then lower-case names win (as urllib does)
        if value and name.lower().endswith("_proxy"):
            proxies[name.lower()[:-6]] = value
    for name, value in env.items():
        if name.endswith("_proxy"):
            if value:
                proxies[name[:-6]] = value
            else:
                proxies.pop(name[:-6], None)
    if "REQUEST_METHOD" in env:  # as urllib: never trust HTTP_PROXY in a CGI environment
        proxies.pop("http", None)
    if not proxies:
        if sys.platform == "win32":
            proxies = dict(urllib.request.getproxies_registry())
        elif sys.platform == "darwin":
            proxies = dict(urllib.request.getproxies_macosx_sysconf())  # type: ignore[attr-defined]
    return {k: v for k, v in proxies.items() if v != TELEMETRY_SINK}


#: The user's proxy settings when this module was imported (see ``user_proxies``).
USER_PROXIES: dict[str, str] = user_proxies()


def cache_dir() -> Path:
    """User cache folder for downloaded models (``POSTURE_FEEDBACK_CACHE`` overrides it)."""
    env = os.environ.get("POSTURE_FEEDBACK_CACHE")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("posture-feedback")) / "models"


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_bundle(path: Path) -> None:
    """Raise ``ModelError`` unless ``path`` is a PoseLandmarker bundle (zip with both networks)."""
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        raise ModelError(f"{path} is not a MediaPipe .task bundle (not a zip archive)") from None
    missing = [m for m in _REQUIRED_MEMBERS if m not in names]
    if missing:
        raise ModelError(f"{path} is not a PoseLandmarker bundle (missing {', '.join(missing)})")


def check_model_file(name: str) -> Path:
    """The .task file a model name that is no variant names; ``ModelError`` if it is not one. A bare
    word that is no file is taken for a mistyped variant (audit 28: ``--model ful`` said "model file
    not found: ful")."""
    path = Path(name).expanduser()
    if not path.exists() and not path.suffix and len(path.parts) == 1:
        raise ModelError(f"unknown model {name!r}: give {', '.join(VARIANTS)} or the path of a .task file")
    check_bundle(path)
    return path


def resolve_model(model: str | os.PathLike[str] = "full", *, download: bool = True, timeout_s: float = 30.0) -> Path:
    """Path of a usable model bundle for ``lite``, ``full``, ``heavy`` or a file path."""
    name = str(model)
    if name not in VARIANTS:
        return check_model_file(name)
    bundled = models_dir() / f"pose_landmarker_{name}.task"
    if bundled.is_file():
        return bundled
    cached = cache_dir() / f"pose_landmarker_{name}.task"
    if cached.is_file():
        check_bundle(cached)
        return cached
    if not download:
        raise ModelError(f"the {name} model is not installed and downloading is disabled")
    return _download(name, cached, timeout_s)


def _download(name: str, dest: Path, timeout_s: float) -> Path:
    url = MODEL_URLS[name]
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, suffix=".part")
    tmp = Path(tmp_name)
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler(user_proxies()))
        with os.fdopen(fd, "wb") as out, opener.open(url, timeout=timeout_s) as resp:
            shutil.copyfileobj(resp, out)
        check_bundle(tmp)
        tmp.replace(dest)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        tmp.unlink(missing_ok=True)
        raise ModelError(
            f"could not download the {name} pose model ({exc}); you seem to be offline — "
            f"use the bundled model with --model full, or place pose_landmarker_{name}.task in {dest.parent}"
        ) from None
    except ModelError:
        tmp.unlink(missing_ok=True)
        raise
    (dest.parent / (dest.name + ".sha256")).write_text(f"{sha256_of(dest)}  {dest.name}\n")
    return dest
