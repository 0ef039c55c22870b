"""Storage errors: each one a single line the user can act on."""

from __future__ import annotations

from posture_feedback.errors import PostureFeedbackError


class StorageError(PostureFeedbackError):
    """Base class of every database and data-directory error."""


class DataDirError(StorageError):
    """The data directory (or the database file in it) cannot be created or written: read-only, not a directory."""


class StorageFullError(StorageError):
    """The disk (or the database's size limit) is full; nothing after the last committed record was saved."""


class DatabaseVersionError(StorageError):
    """The database was written by a newer version of posture-feedback; it is left untouched."""


class NotOurDatabaseError(StorageError):
    """The file is not a posture-feedback database (another program's SQLite file, or not SQLite at all)."""


class DatabaseBusyError(StorageError):
    """Another program held the database locked for longer than the busy timeout."""


class NotFoundError(StorageError):
    """A profile, plan, session, set or assessment that does not exist was asked for."""


class DuplicateError(StorageError):
    """A record with the same unique name already exists (e.g. a profile name)."""


class ExchangeFormatError(StorageError):
    """A home-programme or results file is damaged, of another kind, or of a newer format version."""
