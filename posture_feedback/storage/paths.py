"""Where the data lives: the per-user data directory and the database file in it.

Order of precedence: an explicit directory (``--data-dir``), then the environment variable
``POSTURE_FEEDBACK_DATA_DIR``, then the platform's user data directory
(``platformdirs.user_data_dir("posture-feedback")``: ``~/.local/share/posture-feedback`` on Linux,
``~/Library/Application Support/posture-feedback`` on macOS, ``%LOCALAPPDATA%\\posture-feedback`` on Windows).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import platformdirs

from posture_feedback.storage.errors import DataDirError

APP_NAME = "posture-feedback"
ENV_DATA_DIR = "POSTURE_FEEDBACK_DATA_DIR"
DB_FILENAME = "posture-feedback.sqlite3"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data directory to use (not created here)."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def database_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The database file inside :func:`data_dir`."""
    return data_dir(override) / DB_FILENAME


def ensure_writable_dir(path: Path) -> Path:
    """Create ``path`` if needed and prove it is writable by creating and removing a file.

    Raises:
        DataDirError: the path is a file, cannot be created, or is read-only / full.
    """
    if path.exists() and not path.is_dir():
        raise DataDirError(f"data directory {path} is a file, not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(f"cannot create data directory {path}: {exc.strerror or exc}") from exc
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-", delete=True) as probe:
            probe.write(b"x")
            probe.flush()
    except OSError as exc:
        raise DataDirError(f"data directory {path} is not writable: {exc.strerror or exc}") from exc
    return path
