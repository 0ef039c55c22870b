"""The local SQLite database: a typed repository of profiles, assessments, plans and sessions.

Durability: every public write is its own transaction, committed before the method returns
(WAL journal, ``synchronous=FULL``), so a crash, a killed process or a power cut loses at most the
record being written. Two app instances may share one file: WAL lets readers run while a writer
writes, and writers wait up to the busy timeout for each other.

Privacy: images are stored only for profiles whose ``snapshots`` setting is on;
:meth:`Database.delete_profile` removes every row of the profile and, with ``secure_delete``
and a WAL checkpoint, overwrites the freed pages, so nothing of it remains in the files.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
import unicodedata
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from posture_feedback.storage import paths, schema
from posture_feedback.storage.errors import (
    DatabaseBusyError,
    DatabaseVersionError,
    DataDirError,
    DuplicateError,
    NotFoundError,
    NotOurDatabaseError,
    StorageError,
    StorageFullError,
)
from posture_feedback.storage.models import (
    CALIBRATION_KINDS,
    QUALITIES,
    SESSION_STATUSES,
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
    record_tool_tolerance_word,
)

_SQLITE_MAGIC = b"SQLite format 3\x00"
ALL_DAYS: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)



def _check_monitor_seconds(monitored_s: float, good_s: float, judged_s: float | None = None) -> None:
    """Posture-monitor seconds must satisfy 0 <= good_s <= judged_s <= monitored_s (``judged_s`` None:
    not recorded, only 0 <= good_s <= monitored_s); StorageError otherwise."""
    if monitored_s < 0 or good_s < 0 or good_s > monitored_s + 1e-6:
        raise StorageError(f"need 0 <= good_s <= monitored_s, got good_s={good_s}, monitored_s={monitored_s}")
    if judged_s is not None and not (good_s - 1e-6 <= judged_s <= monitored_s + 1e-6):
        raise StorageError(f"need good_s <= judged_s <= monitored_s, got good_s={good_s}, judged_s={judged_s}, "
                           f"monitored_s={monitored_s}")  # fmt: skip


def _opt(x: float | None) -> float | None:
    """A seconds figure as stored: None (SQL NULL, not recorded) stays None."""
    return None if x is None else float(x)


class Database:
    """One open posture-feedback database file.

    Args:
        path: the ``.sqlite3`` file (created with its directory if missing, unless ``readonly``).
        readonly: open for reading only (never creates, migrates or writes). In a read-only folder
            the file is read as immutable: what a crashed session left only in the ``-wal`` file
            is not seen until the folder is writable again.
        busy_timeout_s: seconds to wait for another process's write lock before
            :class:`DatabaseBusyError`.

    Raises:
        DatabaseVersionError: the file was written by a newer version (left untouched).
        NotOurDatabaseError: the file is not SQLite, or another program's SQLite database.
        DataDirError: the directory or file cannot be created or written.
    """

    def __init__(self, path: str | os.PathLike[str], *, readonly: bool = False, busy_timeout_s: float = 10.0) -> None:
        self.path = Path(path).expanduser().resolve()
        self.readonly = readonly
        self._lock = threading.RLock()
        self._conn = self._connect(busy_timeout_s)

    # ------------------------------------------------------------------ opening
    @classmethod
    def open_default(cls, data_dir: str | os.PathLike[str] | None = None, **kwargs: Any) -> Database:
        """Open (or create) the database in the data directory (``--data-dir`` / env / platform default)."""
        return cls(paths.database_path(data_dir), **kwargs)

    @property
    def data_dir(self) -> Path:
        return self.path.parent

    def _connect(self, busy_timeout_s: float) -> sqlite3.Connection:
        path = self.path
        if path.is_dir():
            raise DataDirError(f"database path {path} is a directory")
        exists = path.exists() and path.stat().st_size > 0
        if exists:
            with open(path, "rb") as fh:
                if fh.read(16) != _SQLITE_MAGIC:
                    raise NotOurDatabaseError(f"{path} is not a SQLite database")
        if self.readonly:
            if not exists:
                raise NotFoundError(f"no database at {path}")
            target = f"file:{path.as_posix()}?mode=ro"
        else:
            paths.ensure_writable_dir(path.parent)
            if path.exists() and not os.access(path, os.W_OK):
                raise DataDirError(f"database {path} is read-only")
            target = f"file:{path.as_posix()}?mode=rwc"
        try:
            conn = self._open(target, busy_timeout_s)
            if self.readonly:
                try:
                    schema.user_version(conn)
                except sqlite3.OperationalError:
                    # A WAL file in a read-only folder: SQLite cannot create the shared-memory file.
                    # Read the main file as immutable (every cleanly closed session is in it).
                    conn.close()
                    conn = self._open(target + "&immutable=1", busy_timeout_s)
        except sqlite3.Error as exc:
            raise _translate(exc, path) from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            self._check_identity(conn)
            if not self.readonly:
                # Only now that the version is known to be ours may anything be written.
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("PRAGMA secure_delete = ON")
                schema.migrate(conn)
        except StorageError:
            conn.close()
            raise
        except sqlite3.Error as exc:
            conn.close()
            raise _translate(exc, path) from exc
        return conn

    @staticmethod
    def _open(target: str, busy_timeout_s: float) -> sqlite3.Connection:
        conn = sqlite3.connect(target, uri=True, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        return conn

    def _check_identity(self, conn: sqlite3.Connection) -> None:
        version = schema.user_version(conn)
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        if app_id not in (0, schema.APPLICATION_ID):
            raise NotOurDatabaseError(f"{self.path} is another program's SQLite database (application id {app_id:#x})")
        if version > schema.SCHEMA_VERSION:
            raise DatabaseVersionError(
                f"{self.path} has schema version {version}, newer than this posture-feedback supports "
                f"({schema.SCHEMA_VERSION}); upgrade posture-feedback (the file was not modified)"
            )
        if version == 0:
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            if tables:
                raise NotOurDatabaseError(f"{self.path} is a SQLite database of another program")
        elif self.readonly and version < schema.SCHEMA_VERSION:
            raise DatabaseVersionError(
                f"{self.path} has schema version {version}; open it once read-write to upgrade it to "
                f"{schema.SCHEMA_VERSION}"
            )

    @property
    def schema_version(self) -> int:
        with self._lock:
            return schema.user_version(self._conn)

    def close(self) -> None:
        """Close the connection (checkpointing the WAL when this was the last connection)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` result (``"ok"`` when the file is sound)."""
        with self._read() as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        return "; ".join(r[0] for r in rows)

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, committed on exit (``BEGIN IMMEDIATE``: takes the write lock up front)."""
        if self.readonly:
            raise StorageError(f"database {self.path} is open read-only")
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                _end_quietly(conn)  # a damaged file can fail its ROLLBACK too
                if isinstance(exc, sqlite3.IntegrityError):
                    raise _integrity(exc) from exc
                if isinstance(exc, sqlite3.Error):
                    raise _translate(exc, self.path) from exc
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A consistent read snapshot (deferred transaction)."""
        with self._lock:
            conn = self._conn
            try:
                try:
                    conn.execute("BEGIN")
                    yield conn
                finally:
                    if conn.in_transaction:
                        conn.execute("COMMIT")
            except sqlite3.Error as exc:
                # A damaged file fails the read and then its COMMIT too: the COMMIT's error used to
                # escape untranslated, as a traceback (audit 28). Whichever failed, one StorageError.
                _end_quietly(conn)
                raise _translate(exc, self.path) from exc

    # ------------------------------------------------------------------ profiles
    def create_profile(self, name: str, notes: str = "", settings: Mapping[str, Any] | None = None) -> Profile:
        """Create a profile; names are unique, compared as ``name_key`` does (any letter's case,
        and the same text however its accents are encoded). The name is stored NFC-normalised."""
        name = unicodedata.normalize("NFC", name.strip())
        if not name:
            raise StorageError("a profile name must not be empty")
        if any(not ch.isprintable() for ch in name):  # a tab or newline broke `profile list` into pieces
            raise StorageError(f"a profile name must be printable text, without tabs or line breaks: {name!r}")
        created = _now()
        with self._tx() as conn:
            key = name_key(name)
            same = [r["name"] for r in conn.execute("SELECT name FROM profiles") if name_key(r["name"]) == key]
            if same:
                raise DuplicateError(f"a profile named {same[0]!r} already exists")
            cur = conn.execute(
                "INSERT INTO profiles (name, created_at, notes, settings) VALUES (?, ?, ?, ?)",
                (name, _ts(created), notes, _json(dict(settings or {}))),
            )
            pid = int(cur.lastrowid)
        return self.get_profile(pid)

    def get_profile(self, profile_id: int) -> Profile:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM profiles WHERE id = ?", (profile_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no profile with id {profile_id}")
        return _profile(row)

    def profile_by_name(self, name: str) -> Profile:
        """The profile with this name, compared as ``name_key`` does (case- and encoding-insensitive)."""
        key = name_key(name)
        with self._read() as conn:
            row = conn.execute("SELECT * FROM profiles WHERE name = ?", (name.strip(),)).fetchone()
            if row is None:
                row = next((r for r in conn.execute("SELECT * FROM profiles") if name_key(r["name"]) == key), None)
        if row is None:
            raise NotFoundError(f"no profile named {name!r} (see `posture-feedback profile list`)")
        return _profile(row)

    def list_profiles(self) -> list[Profile]:
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM profiles ORDER BY name").fetchall()
        return [_profile(r) for r in rows]

    def update_profile_settings(self, profile_id: int, **changes: Any) -> Profile:
        """Merge ``changes`` into the profile's settings (e.g. ``snapshots=True``)."""
        with self._tx() as conn:
            row = conn.execute("SELECT settings FROM profiles WHERE id = ?", (profile_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no profile with id {profile_id}")
            settings = {**_unjson(row[0]), **changes}
            conn.execute("UPDATE profiles SET settings = ? WHERE id = ?", (_json(settings), profile_id))
        return self.get_profile(profile_id)

    def delete_profile(self, profile_id: int) -> None:
        """Delete the profile and everything recorded for it, and overwrite the freed space."""
        with self._tx() as conn:
            cur = conn.execute("DELETE FROM profiles WHERE id = ?", (profile_id,))
            if cur.rowcount == 0:
                raise NotFoundError(f"no profile with id {profile_id}")
        with self._lock:
            # Copy the zeroed pages into the main file and empty the WAL, which still holds old pages.
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # ------------------------------------------------------------------ calibrations
    def add_calibration(
        self, profile_id: int, kind: str, payload: Mapping[str, Any], camera: str | None = None
    ) -> Calibration:
        """Store a calibration (``kind``: camera, neutral or scale); the newest of a kind is the one in use."""
        if kind not in CALIBRATION_KINDS:
            raise StorageError(f"calibration kind {kind!r} is not one of {', '.join(CALIBRATION_KINDS)}")
        created = _now()
        with self._tx() as conn:
            self._require(conn, "profiles", profile_id)
            cur = conn.execute(
                "INSERT INTO calibrations (profile_id, kind, camera, created_at, payload) VALUES (?, ?, ?, ?, ?)",
                (profile_id, kind, camera, _ts(created), _json(dict(payload))),
            )
            cid = int(cur.lastrowid)
        return Calibration(cid, profile_id, kind, dict(payload), created, camera)

    def latest_calibration(self, profile_id: int, kind: str, camera: str | None = None) -> Calibration | None:
        """The newest calibration of this kind (and camera, when given), None if there is none."""
        sql = "SELECT * FROM calibrations WHERE profile_id = ? AND kind = ?"
        args: list[Any] = [profile_id, kind]
        if camera is not None:
            sql += " AND camera = ?"
            args.append(camera)
        with self._read() as conn:
            row = conn.execute(sql + " ORDER BY created_at DESC, id DESC LIMIT 1", args).fetchone()
        return None if row is None else _calibration(row)

    def calibrations(self, profile_id: int) -> list[Calibration]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT * FROM calibrations WHERE profile_id = ? ORDER BY created_at, id", (profile_id,)
            ).fetchall()
        return [_calibration(r) for r in rows]

    # ------------------------------------------------------------------ assessments
    def add_assessment(
        self,
        profile_id: int,
        kind: str,
        record: Mapping[str, Any],
        measures: Sequence[Measure] = (),
        *,
        notes: str = "",
        created_at: datetime | None = None,
    ) -> Assessment:
        """Store an assessment (``kind`` e.g. "posture_screen", "rom", "movement_screen") and its measures."""
        created = _aware(created_at) if created_at else _now()
        with self._tx() as conn:
            self._require(conn, "profiles", profile_id)
            aid = self._insert_assessment(conn, profile_id, kind, created, record, measures, notes)
        return Assessment(aid, profile_id, kind, created, dict(record), tuple(measures), notes)

    def import_assessment(
        self,
        profile_id: int,
        kind: str,
        record: Mapping[str, Any],
        measures: Sequence[Measure],
        *,
        notes: str,
        created_at: datetime,
    ) -> Assessment | None:
        """As :meth:`add_assessment`, but nothing is stored (None) when the profile already has an
        assessment of this kind at this instant, checked inside the write transaction: an import of
        a results file run twice at once stored each assessment twice (audit 28)."""
        created = _aware(created_at)
        with self._tx() as conn:
            self._require(conn, "profiles", profile_id)
            if conn.execute(
                "SELECT 1 FROM assessments WHERE profile_id = ? AND kind = ? AND created_at = ?",
                (profile_id, kind, _ts(created)),
            ).fetchone():
                return None
            aid = self._insert_assessment(conn, profile_id, kind, created, record, measures, notes)
        return Assessment(aid, profile_id, kind, created, dict(record), tuple(measures), notes)

    @staticmethod
    def _insert_assessment(conn: sqlite3.Connection, profile_id: int, kind: str, created: datetime,
                           record: Mapping[str, Any], measures: Sequence[Measure], notes: str) -> int:  # fmt: skip
        cur = conn.execute(
            "INSERT INTO assessments (profile_id, kind, created_at, record, notes) VALUES (?, ?, ?, ?, ?)",
            (profile_id, kind, _ts(created), _json(dict(record)), notes),
        )
        aid = int(cur.lastrowid)
        conn.executemany(
            "INSERT INTO measures (assessment_id, name, side, value, uncertainty, unit, reference, reference_low,"
            " reference_high, reference_source, mdc, valid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (aid, m.name, m.side, _f(m.value), _f(m.uncertainty), m.unit, _f(m.reference),
                 _f(m.reference_low), _f(m.reference_high), m.reference_source, _f(m.mdc), int(m.valid))
                for m in measures
            ],
        )  # fmt: skip
        return aid

    def get_assessment(self, assessment_id: int) -> Assessment:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM assessments WHERE id = ?", (assessment_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no assessment with id {assessment_id}")
            return self._assessment(conn, row)

    def assessments(
        self, profile_id: int, start: date | None = None, end: date | None = None, kind: str | None = None
    ) -> list[Assessment]:
        """Assessments of a profile between two local days (inclusive), oldest first."""
        sql, args = _period("SELECT * FROM assessments WHERE profile_id = ?", [profile_id], "created_at", start, end)
        if kind:
            sql += " AND kind = ?"
            args.append(kind)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY created_at, id", args).fetchall()
            return [self._assessment(conn, r) for r in rows]

    def _assessment(self, conn: sqlite3.Connection, row: sqlite3.Row) -> Assessment:
        mrows = conn.execute("SELECT * FROM measures WHERE assessment_id = ? ORDER BY id", (row["id"],)).fetchall()
        return Assessment(
            id=row["id"], profile_id=row["profile_id"], kind=row["kind"], created_at=_dt(row["created_at"]),
            record=_unjson(row["record"]), measures=tuple(_measure(m) for m in mrows), notes=row["notes"],
        )  # fmt: skip

    def measure_names(self, profile_id: int) -> list[tuple[str, str | None]]:
        """Distinct (measure name, side) pairs recorded for the profile, sorted."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT DISTINCT m.name, m.side FROM measures m JOIN assessments a ON a.id = m.assessment_id"
                " WHERE a.profile_id = ? ORDER BY m.name, m.side",
                (profile_id,),
            ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def rom_over_time(
        self,
        profile_id: int,
        measure: str,
        side: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> list[RomPoint]:
        """Every valid value of one measure (all sides unless ``side``) over time, oldest first."""
        sql = (
            "SELECT a.created_at, a.id, a.kind AS assessment_kind, a.record AS assessment_record, m.* FROM measures m"
            " JOIN assessments a ON a.id = m.assessment_id"
            " WHERE a.profile_id = ? AND m.name = ? AND m.valid = 1 AND m.value IS NOT NULL"
        )
        args: list[Any] = [profile_id, measure]
        if side is not None:
            sql += " AND m.side = ?"
            args.append(side)
        sql, args = _period(sql, args, "a.created_at", start, end)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY a.created_at, m.id", args).fetchall()
        return [
            RomPoint(
                when=_dt(r["created_at"]),
                assessment_id=r[1],
                name=r["name"],
                side=r["side"],
                value=r["value"],
                uncertainty=_nan(r["uncertainty"]),
                unit=r["unit"],
                reference=r["reference"],
                mdc=r["mdc"],
                kind=r["assessment_kind"],
                reference_low=r["reference_low"],
                reference_high=r["reference_high"],
                reference_source=r["reference_source"] or "",
                reference_is_tool_tolerance=_tool_tolerance_word(r["assessment_record"], r["name"], r["side"]),
            )  # fmt: skip
            for r in rows
        ]

    # ------------------------------------------------------------------ snapshots
    def add_snapshot(
        self,
        profile_id: int,
        data: bytes,
        *,
        mime: str = "image/png",
        caption: str = "",
        assessment_id: int | None = None,
        session_id: int | None = None,
    ) -> int | None:
        """Store an image only if the profile has snapshots enabled; returns its id, or None when not stored."""
        with self._tx() as conn:
            row = conn.execute("SELECT settings FROM profiles WHERE id = ?", (profile_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no profile with id {profile_id}")
            if not _unjson(row[0]).get("snapshots", False):
                return None
            cur = conn.execute(
                "INSERT INTO snapshots (profile_id, assessment_id, session_id, created_at, caption, mime, data)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (profile_id, assessment_id, session_id, _ts(_now()), caption, mime, sqlite3.Binary(data)),
            )
            return int(cur.lastrowid)

    def snapshots(self, profile_id: int, assessment_id: int | None = None) -> list[Snapshot]:
        sql = "SELECT * FROM snapshots WHERE profile_id = ?"
        args: list[Any] = [profile_id]
        if assessment_id is not None:
            sql += " AND assessment_id = ?"
            args.append(assessment_id)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY created_at, id", args).fetchall()
        return [
            Snapshot(
                r["id"],
                r["profile_id"],
                _dt(r["created_at"]),
                r["mime"],
                bytes(r["data"]),
                r["caption"],
                r["assessment_id"],
                r["session_id"],
            )  # fmt: skip
            for r in rows
        ]

    # ------------------------------------------------------------------ plans
    def create_plan(
        self,
        profile_id: int,
        name: str,
        toml: str,
        *,
        schedule_days: Sequence[int] = ALL_DAYS,
        files: Mapping[str, bytes] | None = None,
        uid: str | None = None,
        created_at: datetime | None = None,
        version: int = 1,
        version_created_at: datetime | None = None,
    ) -> Plan:
        """Create a plan with its first version (the plan file's TOML text, kept verbatim).

        ``uid`` identifies the plan across machines (home programme exchange); ``version`` numbers the
        first stored version (an imported programme keeps the therapist's numbering and dates).
        """
        created = _aware(created_at) if created_at else _now()
        uid = uid or uuid.uuid4().hex
        with self._tx() as conn:
            self._require(conn, "profiles", profile_id)
            cur = conn.execute(
                "INSERT INTO plans (profile_id, uid, name, created_at) VALUES (?, ?, ?, ?)",
                (profile_id, uid, name, _ts(created)),
            )
            plan_id = int(cur.lastrowid)
            vcreated = _aware(version_created_at) if version_created_at else created
            self._insert_version(conn, plan_id, version, toml, vcreated, schedule_days, files or {})
        return Plan(plan_id, profile_id, name, uid, created)

    def add_plan_version(
        self,
        plan_id: int,
        toml: str,
        *,
        schedule_days: Sequence[int] | None = None,
        files: Mapping[str, bytes] | None = None,
        created_at: datetime | None = None,
        version: int | None = None,
    ) -> PlanVersion:
        """Save a new version of a plan (schedule and files default to the previous version's).

        ``version`` defaults to the next number; an explicit number must not exist yet.
        """
        created = _aware(created_at) if created_at else _now()
        with self._tx() as conn:
            self._require(conn, "plans", plan_id)
            prev = conn.execute(
                "SELECT * FROM plan_versions WHERE plan_id = ? ORDER BY version DESC LIMIT 1", (plan_id,)
            ).fetchone()
            if version is None:
                version = prev["version"] + 1 if prev else 1
            days = (
                schedule_days
                if schedule_days is not None
                else (json.loads(prev["schedule_days"]) if prev else ALL_DAYS)
            )
            if files is None:
                files = self._files(conn, prev["id"]) if prev else {}
            vid = self._insert_version(conn, plan_id, version, toml, created, days, files)
        return PlanVersion(vid, plan_id, version, toml, created, tuple(sorted(set(days))), dict(files))

    def _insert_version(
        self,
        conn: sqlite3.Connection,
        plan_id: int,
        version: int,
        toml: str,
        created: datetime,
        days: Sequence[int],
        files: Mapping[str, bytes],
    ) -> int:
        days = sorted({int(d) for d in days})
        if any(d < 0 or d > 6 for d in days):
            raise StorageError(f"schedule days must be weekdays 0 (Monday) to 6 (Sunday), got {days}")
        cur = conn.execute(
            "INSERT INTO plan_versions (plan_id, version, created_at, toml, schedule_days) VALUES (?, ?, ?, ?, ?)",
            (plan_id, version, _ts(created), toml, json.dumps(days)),
        )
        vid = int(cur.lastrowid)
        conn.executemany(
            "INSERT INTO plan_files (plan_version_id, name, data) VALUES (?, ?, ?)",
            [
                (vid, name, sqlite3.Binary(data.encode("utf-8") if isinstance(data, str) else bytes(data)))
                for name, data in sorted(files.items())
            ],
        )
        return vid

    def _files(self, conn: sqlite3.Connection, version_id: int) -> dict[str, bytes]:
        rows = conn.execute(
            "SELECT name, data FROM plan_files WHERE plan_version_id = ? ORDER BY name", (version_id,)
        ).fetchall()
        return {r[0]: bytes(r[1]) for r in rows}

    def get_plan(self, plan_id: int) -> Plan:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM plans WHERE id = ?", (plan_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no plan with id {plan_id}")
        return _plan(row)

    def plan_by_uid(self, profile_id: int, uid: str) -> Plan | None:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM plans WHERE profile_id = ? AND uid = ?", (profile_id, uid)).fetchone()
        return None if row is None else _plan(row)

    def plans(self, profile_id: int, include_archived: bool = False) -> list[Plan]:
        sql = "SELECT * FROM plans WHERE profile_id = ?" + ("" if include_archived else " AND archived = 0")
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY created_at, id", (profile_id,)).fetchall()
        return [_plan(r) for r in rows]

    def plans_by_last_stored(self, profile_id: int, include_archived: bool = False) -> list[Plan]:
        """A profile's plans, the one whose newest version was stored last in this database at the end.

        "Stored" is the order of storing here (``add-plan``, ``import-programme``), not the dates a
        version carries: an imported version keeps the clinic's date."""
        sql = (
            "SELECT p.* FROM plans p JOIN plan_versions v ON v.plan_id = p.id WHERE p.profile_id = ?"
            + ("" if include_archived else " AND p.archived = 0")
            + " GROUP BY p.id ORDER BY max(v.id)"
        )
        with self._read() as conn:
            rows = conn.execute(sql, (profile_id,)).fetchall()
        return [_plan(r) for r in rows]

    def archive_plan(self, plan_id: int, archived: bool = True, at: datetime | None = None) -> Plan:
        """Retire a plan (``archived``) from ``at`` (default now), or restore it (``archived=False``).

        A retired plan counts for adherence on the days before the day it was retired, never after;
        its versions and sessions stay. A restored plan counts again on every day, also those it was
        retired. Returns the plan as now stored.
        """
        when = _ts(_aware(at) if at else _now()) if archived else None
        with self._tx() as conn:
            self._require(conn, "plans", plan_id)
            conn.execute("UPDATE plans SET archived = ?, archived_at = ? WHERE id = ?", (int(archived), when, plan_id))
        return self.get_plan(plan_id)

    def plan_versions(self, plan_id: int) -> list[PlanVersion]:
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM plan_versions WHERE plan_id = ? ORDER BY version", (plan_id,)).fetchall()
            return [self._version(conn, r) for r in rows]

    def plan_version(self, plan_id: int, version: int | None = None) -> PlanVersion:
        """One version of a plan (the latest when ``version`` is None)."""
        sql = "SELECT * FROM plan_versions WHERE plan_id = ?"
        args: list[Any] = [plan_id]
        if version is not None:
            sql += " AND version = ?"
            args.append(version)
        with self._read() as conn:
            row = conn.execute(sql + " ORDER BY version DESC LIMIT 1", args).fetchone()
            if row is None:
                raise NotFoundError(f"plan {plan_id} has no version {version if version is not None else ''}".strip())
            return self._version(conn, row)

    def _version(self, conn: sqlite3.Connection, row: sqlite3.Row) -> PlanVersion:
        return PlanVersion(
            id=row["id"], plan_id=row["plan_id"], version=row["version"], toml=row["toml"],
            created_at=_dt(row["created_at"]), schedule_days=tuple(json.loads(row["schedule_days"])),
            files=self._files(conn, row["id"]),
        )  # fmt: skip

    # ------------------------------------------------------------------ sessions, sets, repetitions
    def start_session(
        self,
        profile_id: int,
        plan_id: int | None = None,
        *,
        source: str = "",
        extras: Mapping[str, Any] | None = None,
        uid: str | None = None,
        started_at: datetime | None = None,
        plan_version: int | None = None,
    ) -> int:
        """Record the start of an exercise session (committed now); returns the session id.

        The session records the plan's latest version unless ``plan_version`` is given.
        """
        started = _aware(started_at) if started_at else _now()
        with self._tx() as conn:
            self._require(conn, "profiles", profile_id)
            version = None
            if plan_id is not None:
                row = conn.execute(
                    "SELECT max(v.version) FROM plans p JOIN plan_versions v ON v.plan_id = p.id"
                    " WHERE p.id = ? AND p.profile_id = ?",
                    (plan_id, profile_id),
                ).fetchone()
                if row is None or row[0] is None:
                    raise NotFoundError(f"no plan with id {plan_id} for profile {profile_id}")
                version = int(row[0]) if plan_version is None else plan_version
            cur = conn.execute(
                "INSERT INTO sessions (profile_id, uid, plan_id, plan_version, started_at, source, extras)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    profile_id,
                    uid or uuid.uuid4().hex,
                    plan_id,
                    version,
                    _ts(started),
                    source,
                    _json(dict(extras or {})),
                ),
            )
            return int(cur.lastrowid)

    def add_set(
        self,
        session_id: int,
        exercise: str,
        *,
        side: str | None = None,
        set_index: int | None = None,
        target_reps: int | None = None,
        target_hold_s: float | None = None,
        extras: Mapping[str, Any] | None = None,
        started_at: datetime | None = None,
    ) -> int:
        """Record the start of a set (committed now); ``set_index`` defaults to the next number. Returns its id."""
        started = _aware(started_at) if started_at else _now()
        with self._tx() as conn:
            self._require(conn, "sessions", session_id)
            if set_index is None:
                set_index = conn.execute(
                    "SELECT coalesce(max(set_index), 0) + 1 FROM sets WHERE session_id = ?", (session_id,)
                ).fetchone()[0]
            cur = conn.execute(
                "INSERT INTO sets (session_id, exercise, set_index, side, target_reps, target_hold_s, started_at,"
                " extras) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, exercise, set_index, side, target_reps, _f(target_hold_s), _ts(started),
                 _json(dict(extras or {}))),
            )  # fmt: skip
            return int(cur.lastrowid)

    def end_set(self, set_id: int, ended_at: datetime | None = None, extras: Mapping[str, Any] | None = None) -> None:
        """Record the end of a set; ``extras`` (end reason, hold/sway/gait summaries) are merged in."""
        ended = _aware(ended_at) if ended_at else _now()
        with self._tx() as conn:
            row = conn.execute("SELECT extras FROM sets WHERE id = ?", (set_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no set with id {set_id}")
            merged = {**_unjson(row[0]), **dict(extras or {})}
            conn.execute("UPDATE sets SET ended_at = ?, extras = ? WHERE id = ?", (_ts(ended), _json(merged), set_id))

    def add_repetition(self, set_id: int, rep: Repetition) -> int:
        """Store one finished repetition, committed before returning (a crash later cannot lose it)."""
        with self._tx() as conn:
            self._require(conn, "sets", set_id)
            return self._insert_rep(conn, set_id, rep)

    @staticmethod
    def _insert_rep(conn: sqlite3.Connection, set_id: int, rep: Repetition) -> int:
        if rep.quality not in QUALITIES:
            raise StorageError(f"repetition quality {rep.quality!r} is not one of {', '.join(QUALITIES)}")
        cur = conn.execute(
            "INSERT INTO repetitions (set_id, rep_index, started_at, ended_at, angle, peak_angle, time_in_range_s,"
            " time_in_range_frac, tempo_s, quality, quality_score, compensations, extras, peak_unc)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (set_id, rep.index, _ts(_aware(rep.started_at)), _ts(_aware(rep.ended_at)), rep.angle,
             _f(rep.peak_angle), _f(rep.time_in_range_s), _f(rep.time_in_range_frac), _f(rep.tempo_s),
             rep.quality, _f(rep.quality_score), _json(list(rep.compensations)), _json(dict(rep.extras)),
             _f(rep.peak_unc)),
        )  # fmt: skip
        return int(cur.lastrowid)

    def end_session(
        self, session_id: int, status: str = "completed", notes: str | None = None, ended_at: datetime | None = None
    ) -> None:
        """Mark the session finished (``completed``) or stopped early (``aborted``)."""
        if status not in SESSION_STATUSES or status == "running":
            raise StorageError(f"a session ends as 'completed' or 'aborted', not {status!r}")
        ended = _aware(ended_at) if ended_at else _now()
        with self._tx() as conn:
            self._require(conn, "sessions", session_id)
            conn.execute(
                "UPDATE sessions SET ended_at = ?, status = ?, notes = coalesce(?, notes) WHERE id = ?",
                (_ts(ended), status, notes, session_id),
            )

    def delete_session(self, session_id: int) -> None:
        """Remove a session with its sets, repetitions and snapshots (a recording in which nobody was
        in view: ``exercise --headless`` measured nothing, so it is not kept as a session)."""
        with self._tx() as conn:
            if conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount == 0:
                raise NotFoundError(f"no session with id {session_id}")

    def update_session_extras(self, session_id: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Merge ``changes`` (JSON-ready) into a session's ``extras`` (e.g. the pain and effort ratings of
        ``storage.ratings``); returns the new extras. Committed at once."""
        with self._tx() as conn:
            row = conn.execute("SELECT extras FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no session with id {session_id}")
            extras = dict(_unjson(row[0]) or {})
            extras.update(changes)
            conn.execute("UPDATE sessions SET extras = ? WHERE id = ?", (_json(extras), session_id))
        return extras

    def get_session(self, session_id: int) -> Session:
        """A session with all its sets and repetitions."""
        with self._read() as conn:
            row = conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no session with id {session_id}")
            return self._session(conn, row)

    def session_by_uid(self, uid: str) -> Session | None:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM sessions WHERE uid = ?", (uid,)).fetchone()
            return None if row is None else self._session(conn, row)

    def sessions(self, profile_id: int, start: date | None = None, end: date | None = None) -> list[Session]:
        """Full sessions (with sets and repetitions) between two local days, inclusive, oldest first."""
        sql, args = _period("SELECT * FROM sessions WHERE profile_id = ?", [profile_id], "started_at", start, end)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY started_at, id", args).fetchall()
            return [self._session(conn, r) for r in rows]

    def _session(self, conn: sqlite3.Connection, row: sqlite3.Row) -> Session:
        sets = []
        for s in conn.execute("SELECT * FROM sets WHERE session_id = ? ORDER BY set_index, id", (row["id"],)):
            reps = conn.execute("SELECT * FROM repetitions WHERE set_id = ? ORDER BY rep_index, id", (s["id"],))
            sets.append(
                ExerciseSet(
                    id=s["id"],
                    session_id=row["id"],
                    exercise=s["exercise"],
                    set_index=s["set_index"],
                    started_at=_dt(s["started_at"]),
                    side=s["side"],
                    target_reps=s["target_reps"],
                    target_hold_s=s["target_hold_s"],
                    ended_at=_dt(s["ended_at"]) if s["ended_at"] else None,
                    extras=_unjson(s["extras"]),
                    repetitions=tuple(_repetition(r) for r in reps.fetchall()),
                )  # fmt: skip
            )
        return Session(
            id=row["id"], profile_id=row["profile_id"], uid=row["uid"], started_at=_dt(row["started_at"]),
            status=row["status"], plan_id=row["plan_id"], plan_version=row["plan_version"],
            ended_at=_dt(row["ended_at"]) if row["ended_at"] else None, source=row["source"], notes=row["notes"],
            extras=_unjson(row["extras"]), sets=tuple(sets),
        )  # fmt: skip

    def sessions_between(
        self, profile_id: int, start: date | None = None, end: date | None = None
    ) -> list[SessionSummary]:
        """Per-session summaries (sets, reps, good and unsure reps, mean time in range) between two local days."""
        sql = (
            "SELECT s.id, s.started_at, s.ended_at, s.status, s.plan_id, count(DISTINCT st.id) AS n_sets,"
            " count(r.id) AS n_reps, coalesce(sum(r.quality = 'good'), 0) AS n_good,"
            " coalesce(sum(r.quality = 'unsure'), 0) AS n_unsure,"
            " avg(CASE WHEN r.quality != 'unsure' THEN r.time_in_range_frac END) AS tir,"
            " avg(r.quality_score) AS score, max(r.ended_at) AS last_rep,"
            " group_concat(DISTINCT st.exercise) AS exercises"
            " FROM sessions s LEFT JOIN sets st ON st.session_id = s.id LEFT JOIN repetitions r ON r.set_id = st.id"
            " WHERE s.profile_id = ?"
        )
        sql, args = _period(sql, [profile_id], "s.started_at", start, end)
        with self._read() as conn:
            rows = conn.execute(sql + " GROUP BY s.id ORDER BY s.started_at, s.id", args).fetchall()
        out = []
        for r in rows:
            started = _dt(r["started_at"])
            last = r["ended_at"] or r["last_rep"]
            out.append(
                SessionSummary(
                    id=r["id"],
                    started_at=started,
                    status=r["status"],
                    plan_id=r["plan_id"],
                    exercises=tuple(sorted(r["exercises"].split(","))) if r["exercises"] else (),
                    n_sets=r["n_sets"],
                    n_reps=r["n_reps"],
                    n_good=r["n_good"],
                    n_unsure=r["n_unsure"],
                    mean_time_in_range_frac=_nan(r["tir"]),
                    mean_quality_score=_nan(r["score"]),
                    duration_s=(_dt(last) - started).total_seconds() if last else 0.0,
                )  # fmt: skip
            )
        return out

    def import_session(self, profile_id: int, session: Session, plan_id: int | None = None) -> int:
        """Insert a whole recorded session (from another machine) in one transaction; returns its new id.

        Ids in ``session`` are ignored; its ``uid`` must not exist yet (:class:`DuplicateError`).
        """
        with self._tx() as conn:
            self._require(conn, "profiles", profile_id)
            if conn.execute("SELECT 1 FROM sessions WHERE uid = ?", (session.uid,)).fetchone():
                raise DuplicateError(f"session {session.uid} is already stored")
            cur = conn.execute(
                "INSERT INTO sessions (profile_id, uid, plan_id, plan_version, started_at, ended_at, status, source,"
                " notes, extras) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (profile_id, session.uid, plan_id, session.plan_version if plan_id else None, _ts(session.started_at),
                 _ts(session.ended_at) if session.ended_at else None, session.status, session.source, session.notes,
                 _json(session.extras)),
            )  # fmt: skip
            sid = int(cur.lastrowid)
            for st in session.sets:
                cur = conn.execute(
                    "INSERT INTO sets (session_id, exercise, set_index, side, target_reps, target_hold_s, started_at,"
                    " ended_at, extras) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (sid, st.exercise, st.set_index, st.side, st.target_reps, _f(st.target_hold_s),
                     _ts(st.started_at), _ts(st.ended_at) if st.ended_at else None, _json(st.extras)),
                )  # fmt: skip
                set_id = int(cur.lastrowid)
                for rep in st.repetitions:
                    self._insert_rep(conn, set_id, rep)
            return sid

    # ------------------------------------------------------------------ adherence
    def adherence(self, profile_id: int, start: date, end: date) -> list[AdherenceDay]:
        """Sessions planned and met per local day from ``start`` to ``end`` inclusive.

        Only sessions of a plan count for it, on or next to its planned days; a session stopped
        before the plan's end counts as stopped, not done; other sessions are extra (see
        ``storage/adherence.py`` for the rules).
        """
        from posture_feedback.storage.adherence import adherence_days

        if end < start:
            raise StorageError(f"period end {end} is before its start {start}")
        with self._read() as conn:
            return adherence_days(conn, profile_id, start, end)

    # ------------------------------------------------------------------ posture monitor
    def add_monitor_time(
        self, profile_id: int, day: date, monitored_s: float, good_s: float, alerts: int = 0,
        judged_s: float | None = None,
    ) -> MonitorDay:  # fmt: skip
        """Add seconds monitored, judged (a verdict given) and in good posture to a local day's totals
        (call as often as wanted). ``judged_s`` None: not known, and the day's judged figure becomes
        "not recorded" (NULL) rather than a sum that leaves some seconds out."""
        _check_monitor_seconds(monitored_s, good_s, judged_s)
        with self._tx() as conn:
            self._require(conn, "profiles", profile_id)
            conn.execute(
                "INSERT INTO monitor_stats (profile_id, day, monitored_s, good_s, alerts, judged_s)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (profile_id, day) DO UPDATE SET monitored_s = monitored_s + excluded.monitored_s,"
                " good_s = good_s + excluded.good_s, alerts = alerts + excluded.alerts,"
                " judged_s = judged_s + excluded.judged_s",
                (profile_id, day.isoformat(), float(monitored_s), float(good_s), int(alerts), _opt(judged_s)),
            )
            row = conn.execute(
                "SELECT * FROM monitor_stats WHERE profile_id = ? AND day = ?", (profile_id, day.isoformat())
            ).fetchone()
        return _monitor(row)

    def set_monitor_day(self, profile_id: int, day: MonitorDay) -> None:
        """Replace a day's posture-monitor totals (used when importing results; idempotent)."""
        _check_monitor_seconds(day.monitored_s, day.good_s, day.judged_s)
        with self._tx() as conn:
            self._require(conn, "profiles", profile_id)
            conn.execute(
                "INSERT INTO monitor_stats (profile_id, day, monitored_s, good_s, alerts, judged_s)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (profile_id, day) DO UPDATE SET monitored_s = excluded.monitored_s,"
                " good_s = excluded.good_s, alerts = excluded.alerts, judged_s = excluded.judged_s",
                (profile_id, day.day.isoformat(), float(day.monitored_s), float(day.good_s), int(day.alerts),
                 _opt(day.judged_s)),
            )  # fmt: skip

    def monitor_by_day(self, profile_id: int, start: date | None = None, end: date | None = None) -> list[MonitorDay]:
        return [_monitor(r) for r in self._monitor_rows("monitor_stats", profile_id, start, end, "day")]

    def add_monitor_hour(
        self, profile_id: int, day: date, hour: int, monitored_s: float, good_s: float,
        judged_s: float | None = None,
    ) -> MonitorHour:  # fmt: skip
        """Add seconds monitored, judged and in good posture to one local hour's totals (the laptop
        monitor's per-hour history; the day totals stay in ``monitor_stats``). ``judged_s`` None as in
        ``add_monitor_time``."""
        return self._write_monitor_hour(profile_id, MonitorHour(day, int(hour), monitored_s, good_s, judged_s),
                                        add=True)  # fmt: skip

    def set_monitor_hour(self, profile_id: int, hour: MonitorHour) -> MonitorHour:
        """Replace one local hour's totals (an imported results file: importing it twice changes nothing,
        where ``add_monitor_hour`` adds to them)."""
        return self._write_monitor_hour(profile_id, hour, add=False)

    def _write_monitor_hour(self, profile_id: int, h: MonitorHour, add: bool) -> MonitorHour:
        if not 0 <= int(h.hour) <= 23:
            raise StorageError(f"hour must be 0-23, got {h.hour}")
        _check_monitor_seconds(h.monitored_s, h.good_s, h.judged_s)
        if add:
            update = ("monitored_s = monitored_s + excluded.monitored_s, good_s = good_s + excluded.good_s,"
                      " judged_s = judged_s + excluded.judged_s")  # NULL (not recorded) stays NULL
        else:
            update = "monitored_s = excluded.monitored_s, good_s = excluded.good_s, judged_s = excluded.judged_s"
        key = (profile_id, h.day.isoformat(), int(h.hour))
        with self._tx() as conn:
            self._require(conn, "profiles", profile_id)
            conn.execute(
                "INSERT INTO monitor_hours (profile_id, day, hour, monitored_s, good_s, judged_s)"
                f" VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (profile_id, day, hour) DO UPDATE SET {update}",
                (*key, float(h.monitored_s), float(h.good_s), _opt(h.judged_s)),
            )
            sql = "SELECT * FROM monitor_hours WHERE profile_id = ? AND day = ? AND hour = ?"
            row = conn.execute(sql, key).fetchone()
        return _monitor_hour(row)

    def monitor_by_hour(self, profile_id: int, start: date | None = None, end: date | None = None) -> list[MonitorHour]:
        """The per-hour posture-monitor totals of a profile between two days (inclusive), in time order."""
        return [_monitor_hour(r) for r in self._monitor_rows("monitor_hours", profile_id, start, end, "day, hour")]

    def _monitor_rows(self, table: str, profile_id: int, start: date | None, end: date | None, order: str) -> list[Any]:
        """Rows of a monitor table (``monitor_stats`` or ``monitor_hours``) between two days, inclusive."""
        sql = f"SELECT * FROM {table} WHERE profile_id = ?"
        args: list[Any] = [profile_id]
        if start:
            sql += " AND day >= ?"
            args.append(start.isoformat())
        if end:
            sql += " AND day <= ?"
            args.append(end.isoformat())
        with self._read() as conn:
            return conn.execute(f"{sql} ORDER BY {order}", args).fetchall()

    # ------------------------------------------------------------------ helpers
    def row_counts(self, profile_id: int | None = None) -> dict[str, int]:
        """Rows per table (of one profile when given): for the data page and privacy checks."""
        queries = {
            "profiles": "SELECT count(*) FROM profiles WHERE id = :p",
            "calibrations": "SELECT count(*) FROM calibrations WHERE profile_id = :p",
            "assessments": "SELECT count(*) FROM assessments WHERE profile_id = :p",
            "measures": "SELECT count(*) FROM measures m JOIN assessments a ON a.id = m.assessment_id"
            " WHERE a.profile_id = :p",
            "plans": "SELECT count(*) FROM plans WHERE profile_id = :p",
            "plan_versions": "SELECT count(*) FROM plan_versions v JOIN plans p ON p.id = v.plan_id"
            " WHERE p.profile_id = :p",
            "plan_files": "SELECT count(*) FROM plan_files f JOIN plan_versions v ON v.id = f.plan_version_id"
            " JOIN plans p ON p.id = v.plan_id WHERE p.profile_id = :p",
            "sessions": "SELECT count(*) FROM sessions WHERE profile_id = :p",
            "sets": "SELECT count(*) FROM sets st JOIN sessions s ON s.id = st.session_id WHERE s.profile_id = :p",
            "repetitions": "SELECT count(*) FROM repetitions r JOIN sets st ON st.id = r.set_id"
            " JOIN sessions s ON s.id = st.session_id WHERE s.profile_id = :p",
            "monitor_stats": "SELECT count(*) FROM monitor_stats WHERE profile_id = :p",
            "monitor_hours": "SELECT count(*) FROM monitor_hours WHERE profile_id = :p",
            "snapshots": "SELECT count(*) FROM snapshots WHERE profile_id = :p",
        }
        with self._read() as conn:
            if profile_id is None:
                return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in schema.TABLES}
            return {t: conn.execute(q, {"p": profile_id}).fetchone()[0] for t, q in queries.items()}

    @staticmethod
    def _require(conn: sqlite3.Connection, table: str, row_id: int) -> None:
        if conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (row_id,)).fetchone() is None:
            raise NotFoundError(f"no {table.rstrip('s').replace('_', ' ')} with id {row_id}")


# ---------------------------------------------------------------------- conversions
def name_key(name: str) -> str:
    """How profile names are compared: NFKC-normalised and case-folded, so "ZOË" and "zoë", or
    "é" typed as one character and as e + accent, are one name (SQLite's NOCASE folds only ASCII)."""
    return unicodedata.normalize("NFKC", name.strip()).casefold()


def _now() -> datetime:
    return datetime.now().astimezone()


def _aware(dt: datetime) -> datetime:
    """Naive datetimes are taken as local time."""
    return dt if dt.tzinfo is not None else dt.astimezone()


def _ts(dt: datetime) -> str:
    return _aware(dt).isoformat()


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _f(x: float | None) -> float | None:
    """A float for SQL; NaN and None become NULL."""
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def _nan(x: float | None) -> float:
    return math.nan if x is None else float(x)


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "tolist"):  # numpy arrays and scalars
        return obj.tolist()
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if hasattr(obj, "value") and isinstance(obj.value, str | int | float):  # enums
        return obj.value
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    raise TypeError(f"cannot store {type(obj).__name__} as JSON")


def _json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, default=_json_default)


def _unjson(text: str | None) -> Any:
    return json.loads(text) if text else {}


def _period(sql: str, args: list[Any], column: str, start: date | None, end: date | None) -> tuple[str, list[Any]]:
    """Add an inclusive local-day filter on an ISO timestamp column."""
    if start is not None:
        sql += f" AND substr({column}, 1, 10) >= ?"
        args.append(start.isoformat())
    if end is not None:
        sql += f" AND substr({column}, 1, 10) <= ?"
        args.append(end.isoformat())
    return sql, args


def _end_quietly(conn: sqlite3.Connection) -> None:
    """Roll back an open transaction after an error, keeping the first error: a second one from
    the same damaged file says nothing new."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def _translate(exc: sqlite3.Error, path: Path) -> StorageError:
    msg = str(exc)
    low = msg.lower()
    if "full" in low:
        return StorageFullError(f"cannot write {path}: disk or database is full ({msg})")
    if "readonly" in low or "read-only" in low or "unable to open" in low or "disk i/o" in low:
        return DataDirError(f"cannot write {path}: {msg} (is the data directory read-only?)")
    if "locked" in low or "busy" in low:
        return DatabaseBusyError(f"database {path} is locked by another program ({msg})")
    if "malformed" in low:
        return NotOurDatabaseError(f"{path} is damaged ({msg}): keep a copy of it; `sqlite3 FILE .recover` "
                                   "can save what is left")  # fmt: skip
    if "not a database" in low:
        return NotOurDatabaseError(f"{path} is not a usable posture-feedback database ({msg})")
    return StorageError(f"database {path}: {msg}")


def _integrity(exc: sqlite3.IntegrityError) -> StorageError:
    msg = str(exc)
    if "UNIQUE" in msg:
        return DuplicateError(f"record already exists ({msg})")
    if "FOREIGN KEY" in msg:
        return NotFoundError(f"refers to a record that does not exist ({msg})")
    return StorageError(f"invalid record ({msg})")


def _profile(r: sqlite3.Row) -> Profile:
    return Profile(r["id"], r["name"], _dt(r["created_at"]), r["notes"], _unjson(r["settings"]))


def _calibration(r: sqlite3.Row) -> Calibration:
    return Calibration(r["id"], r["profile_id"], r["kind"], _unjson(r["payload"]), _dt(r["created_at"]), r["camera"])


def _plan(r: sqlite3.Row) -> Plan:
    at = r["archived_at"] if "archived_at" in r.keys() else None
    return Plan(r["id"], r["profile_id"], r["name"], r["uid"], _dt(r["created_at"]), bool(r["archived"]),
                _dt(at) if at else None)  # fmt: skip


def _measure(r: sqlite3.Row) -> Measure:
    return Measure(
        name=r["name"], value=_nan(r["value"]), uncertainty=_nan(r["uncertainty"]), side=r["side"], unit=r["unit"],
        reference=r["reference"], reference_low=r["reference_low"], reference_high=r["reference_high"],
        reference_source=r["reference_source"], mdc=r["mdc"], valid=bool(r["valid"]),
    )  # fmt: skip


def _tool_tolerance_word(record: str | None, name: str, side: str | None) -> bool | None:
    """``models.record_tool_tolerance_word`` of a stored (JSON) assessment record for one measure."""
    try:
        parsed = json.loads(record or "{}")
    except ValueError:
        return None
    return record_tool_tolerance_word(parsed, f"{name} ({side})" if side else name)


def _repetition(r: sqlite3.Row) -> Repetition:
    return Repetition(
        index=r["rep_index"], started_at=_dt(r["started_at"]), ended_at=_dt(r["ended_at"]), angle=r["angle"],
        peak_angle=_nan(r["peak_angle"]), time_in_range_s=_nan(r["time_in_range_s"]),
        time_in_range_frac=_nan(r["time_in_range_frac"]), tempo_s=_nan(r["tempo_s"]), quality=r["quality"],
        quality_score=_nan(r["quality_score"]), compensations=tuple(json.loads(r["compensations"])),
        extras=_unjson(r["extras"]), id=r["id"], peak_unc=_nan(r["peak_unc"]),
    )  # fmt: skip


def _monitor(r: sqlite3.Row) -> MonitorDay:
    return MonitorDay(date.fromisoformat(r["day"]), r["monitored_s"], r["good_s"], r["alerts"], r["judged_s"])


def _monitor_hour(r: sqlite3.Row) -> MonitorHour:
    return MonitorHour(date.fromisoformat(r["day"]), int(r["hour"]), r["monitored_s"], r["good_s"], r["judged_s"])
