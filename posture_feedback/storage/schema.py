"""The database schema as numbered migrations; ``PRAGMA user_version`` records the version applied.

Migration *n* takes a database at version *n - 1* to version *n*. They are applied in order, each
in its own transaction, so a crash during an upgrade leaves the database at a consistent version.
Never edit a released migration: add a new one.
"""

from __future__ import annotations

import sqlite3

#: The application id stamped into the database header (``PRAGMA application_id``): "PFbk".
APPLICATION_ID = 0x5046626B

V1 = """
CREATE TABLE profiles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT ''
);
CREATE TABLE calibrations (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('camera', 'neutral', 'scale')),
    camera TEXT,
    created_at TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX calibrations_profile ON calibrations(profile_id, kind, created_at);
CREATE TABLE assessments (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    record TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assessments_profile ON assessments(profile_id, created_at);
CREATE TABLE measures (
    id INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    side TEXT,
    value REAL,
    uncertainty REAL,
    unit TEXT NOT NULL DEFAULT 'deg',
    reference REAL,
    reference_low REAL,
    reference_high REAL,
    reference_source TEXT NOT NULL DEFAULT '',
    mdc REAL,
    valid INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX measures_assessment ON measures(assessment_id);
CREATE INDEX measures_name ON measures(name, side);
CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    uid TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0,
    UNIQUE (profile_id, uid)
);
CREATE TABLE plan_versions (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    toml TEXT NOT NULL,
    schedule_days TEXT NOT NULL DEFAULT '[0,1,2,3,4,5,6]',
    UNIQUE (plan_id, version)
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    uid TEXT NOT NULL UNIQUE,
    plan_id INTEGER REFERENCES plans(id) ON DELETE SET NULL,
    plan_version INTEGER,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'aborted')),
    source TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    extras TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sessions_profile ON sessions(profile_id, started_at);
CREATE TABLE sets (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    exercise TEXT NOT NULL,
    set_index INTEGER NOT NULL,
    side TEXT,
    target_reps INTEGER,
    target_hold_s REAL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    extras TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sets_session ON sets(session_id);
CREATE TABLE repetitions (
    id INTEGER PRIMARY KEY,
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    rep_index INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    angle TEXT NOT NULL DEFAULT '',
    peak_angle REAL,
    time_in_range_s REAL,
    time_in_range_frac REAL,
    tempo_s REAL,
    quality TEXT NOT NULL DEFAULT 'good' CHECK (quality IN ('good', 'fair', 'poor')),
    quality_score REAL,
    compensations TEXT NOT NULL DEFAULT '[]',
    extras TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX repetitions_set ON repetitions(set_id);
"""

V2 = """
ALTER TABLE profiles ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
CREATE TABLE monitor_stats (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    monitored_s REAL NOT NULL DEFAULT 0,
    good_s REAL NOT NULL DEFAULT 0,
    alerts INTEGER NOT NULL DEFAULT 0,
    UNIQUE (profile_id, day)
);
CREATE TABLE plan_files (
    id INTEGER PRIMARY KEY,
    plan_version_id INTEGER NOT NULL REFERENCES plan_versions(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (plan_version_id, name)
);
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    assessment_id INTEGER REFERENCES assessments(id) ON DELETE CASCADE,
    session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    caption TEXT NOT NULL DEFAULT '',
    mime TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX snapshots_profile ON snapshots(profile_id, assessment_id);
"""

V3 = """
CREATE TABLE monitor_hours (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    monitored_s REAL NOT NULL DEFAULT 0,
    good_s REAL NOT NULL DEFAULT 0,
    UNIQUE (profile_id, day, hour)
);
"""

#: Version 4: a repetition the camera could not judge (the runner's "unsure": short of the target by
#: less than the peak's uncertainty, not counted) is stored as quality 'unsure', not 'poor', so that
#: it no longer counts against the person's share of good repetitions. SQLite cannot change a CHECK
#: in place: the table is rebuilt, and reps already stored with that verdict move to 'unsure'.
V4 = """
CREATE TABLE repetitions_v4 (
    id INTEGER PRIMARY KEY,
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    rep_index INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    angle TEXT NOT NULL DEFAULT '',
    peak_angle REAL,
    time_in_range_s REAL,
    time_in_range_frac REAL,
    tempo_s REAL,
    quality TEXT NOT NULL DEFAULT 'good' CHECK (quality IN ('good', 'fair', 'poor', 'unsure')),
    quality_score REAL,
    compensations TEXT NOT NULL DEFAULT '[]',
    extras TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO repetitions_v4 (id, set_id, rep_index, started_at, ended_at, angle, peak_angle, time_in_range_s,
    time_in_range_frac, tempo_s, quality, quality_score, compensations, extras)
SELECT id, set_id, rep_index, started_at, ended_at, angle, peak_angle, time_in_range_s, time_in_range_frac,
    tempo_s,
    CASE WHEN json_valid(extras) AND json_extract(extras, '$.verdict') = 'unsure' THEN 'unsure' ELSE quality END,
    quality_score, compensations, extras
FROM repetitions;
DROP INDEX repetitions_set;
DROP TABLE repetitions;
ALTER TABLE repetitions_v4 RENAME TO repetitions;
CREATE INDEX repetitions_set ON repetitions(set_id);
"""

#: Version 5: when a plan was retired (``profile archive-plan``). A retired plan counts for adherence on
#: the days before ``archived_at`` only, so retiring week 1 when week 2 starts leaves week 1's past
#: adherence as it was. Plans archived before version 5 keep ``archived_at`` NULL: never counted, as before.
V5 = """
ALTER TABLE plans ADD COLUMN archived_at TEXT;
"""

#: Version 6: each repetition's peak uncertainty (the signal's 80% half-width at the peak, in the
#: peak's unit), so that history and the report give a peak with its ± and judge its change against
#: noise. Repetitions stored before it have NULL: their peaks are shown without ± and not judged.
V6 = """
ALTER TABLE repetitions ADD COLUMN peak_unc REAL;
"""

#: Version 7: the posture monitor's seconds *judged* (a verdict: good posture confirmed, or a fault
#: confirmed) per day and per hour, beside the seconds watched and in good posture: a coach whose ±
#: reached past a threshold judged nothing, and its seconds read as "0% in good posture" as if they
#: were bad. Rows stored before it keep NULL: "not recorded", never made up.
V7 = """
ALTER TABLE monitor_stats ADD COLUMN judged_s REAL;
ALTER TABLE monitor_hours ADD COLUMN judged_s REAL;
"""

#: MIGRATIONS[i] takes the database from version i to version i + 1.
MIGRATIONS: tuple[str, ...] = (V1, V2, V3, V4, V5, V6, V7)
SCHEMA_VERSION: int = len(MIGRATIONS)

#: Tables the current schema has (for "is this our database" checks and privacy tests).
TABLES: tuple[str, ...] = (
    "profiles", "calibrations", "assessments", "measures", "plans", "plan_versions", "sessions", "sets",
    "repetitions", "monitor_stats", "plan_files", "snapshots", "monitor_hours",
)  # fmt: skip


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the database (0 for a new, empty file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> list[int]:
    """Apply the missing migrations up to ``target``, each in its own transaction.

    The connection must be in autocommit mode (``isolation_level=None``). Returns the versions applied.
    """
    applied: list[int] = []
    current = user_version(conn)
    for version in range(current + 1, target + 1):
        script = MIGRATIONS[version - 1]
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the write lock: another process may have migrated meanwhile.
            if user_version(conn) >= version:
                conn.execute("COMMIT")
                continue
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (the scripts contain no ';' inside literals)."""
    return [s.strip() for s in script.split(";") if s.strip()]
