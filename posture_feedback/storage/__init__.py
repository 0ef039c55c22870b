"""Local storage: the SQLite database of profiles, calibrations, assessments, plans and sessions.

Open it with ``Database.open_default(data_dir)`` (``--data-dir`` > ``POSTURE_FEEDBACK_DATA_DIR`` >
the platform's user data directory); see ``docs/data.md`` for the schema and privacy rules.
"""

from posture_feedback.storage.database import Database
from posture_feedback.storage.errors import (
    DatabaseBusyError,
    DatabaseVersionError,
    DataDirError,
    DuplicateError,
    ExchangeFormatError,
    NotFoundError,
    NotOurDatabaseError,
    StorageError,
    StorageFullError,
)
from posture_feedback.storage.models import (
    AdherenceDay,
    Assessment,
    Calibration,
    ExerciseSet,
    Measure,
    MonitorDay,
    MonitorHour,
    Plan,
    PlanVersion,
    Profile,
    Repetition,
    RomPoint,
    Session,
    SessionSummary,
    Snapshot,
)
from posture_feedback.storage.paths import data_dir, database_path
from posture_feedback.storage.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION", "AdherenceDay", "Assessment", "Calibration", "Database", "DatabaseBusyError",
    "DatabaseVersionError", "DataDirError", "DuplicateError", "ExchangeFormatError", "ExerciseSet", "Measure",
    "MonitorDay", "MonitorHour", "NotFoundError", "NotOurDatabaseError", "Plan", "PlanVersion", "Profile",
    "Repetition", "RomPoint",
    "Session", "SessionSummary", "Snapshot", "StorageError", "StorageFullError", "data_dir", "database_path",
]  # fmt: skip
