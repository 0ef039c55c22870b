"""Where a command's output file is written while it is made, so that a run that fails loses nothing.

``OutputFile(path)`` decides once, before anything is written, from what ``path`` is:

* **a regular file, or a name not yet taken**: the content is written under a hidden temporary name
  beside it (``.NAME.partial.EXT``, with the extension asked for, which tells OpenCV the container)
  and moved over it once complete (``commit``; its permission bits kept); a failed run removes the
  temporary file (``discard``) and leaves the file as it was.
* **a symbolic link**: followed to the file it names (however many links deep; a link to a name not
  yet taken creates that file). The temporary file is beside *that* file, which is replaced: the
  link stays the link it was. (From 2026-12-07 to this module the link itself was replaced by a
  plain file and the file it named kept its old content.)
* **an existing file that is neither a regular file nor a folder**: a named pipe, a character
  device (``/dev/stdout``, ``/dev/null``), a block device, a socket. A file cannot be moved over
  it without replacing the node (as root, ``-o /dev/null`` replaced the device by a plain file), so
  it is written to, never replaced: straight away when the content is final as it is written
  (``straight=True``: a reader of the pipe gets the rows as they come), else under a temporary file
  in the system's temporary folder that ``commit`` copies into it once, complete (content rewritten
  after it is written, e.g. filtered, or a writer that must seek, e.g. a video).

An SQLite database (the profile database above all) is never an output: ``refuse_database``, from
``check_output`` and from ``OutputFile`` alike.

An interrupted run can keep what it wrote so far apart (``keep_partial``: ``NAME.partial.EXT``).

Nothing here creates a folder, and no file but a stream's temporary file (made empty when the
``OutputFile`` is made: ``discard`` it if the run fails).

``check_output`` is the check every command makes of each output it is given, before the source
is opened or the model runs (an audit: ``exercise --out FILE/x.csv`` counted a whole recording,
then failed with "File exists"): one line saying what is wrong with the path. It writes nothing
but an empty probe file, removed at once (the only way to learn that a folder refuses writing:
as root, ``os.access`` says yes for ``/sys`` and for a read-only file system).
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

from posture_feedback.errors import PostureFeedbackError


def is_stream(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` (symbolic links followed) exists and is neither a regular file nor a
    folder: a named pipe, a character or block device, a socket. A name not taken, a dangling link
    or one that cannot be examined: False (written as a new file, whose error names it)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def final_path(path: str | os.PathLike[str]) -> Path:
    """The file an output's content ends up in: ``path`` with every symbolic link followed
    (``os.path.realpath``: also a dangling link's target, the file to be created)."""
    return Path(os.path.realpath(path))


class OutputFile:
    """One output of a run: write the content to ``work``, then ``commit`` (or ``discard``).

    Args:
        path: the file asked for (named in messages as given).
        straight: for a stream (``is_stream``), write straight into it: only when the content is
            final as it is written. Regular files and links always go through a temporary file.

    Attributes:
        path: as asked. ``stream``: whether it is a stream. ``target``: where the content ends up
        (the stream as asked, else the file with links followed). ``work``: where to write it now.
    """

    def __init__(self, path: str | os.PathLike[str], straight: bool = False) -> None:
        self.path = Path(path)
        self.stream = is_stream(self.path)
        suffix = self.path.suffix
        if self.stream:
            self.target = self.path
            if straight:
                self.work = self.path
            else:
                fd, name = tempfile.mkstemp(prefix=f"{self.path.stem}.partial.", suffix=suffix)
                os.close(fd)
                self.work = Path(name)
        else:
            self.target = final_path(self.path)
            refuse_database(self.path, str(self.path))  # also where no check_output ran (the app's dialogs)
            self.work = self.target.with_name(f".{self.target.stem}.partial{suffix}")

    @property
    def direct(self) -> bool:
        """True when ``work`` is the stream itself (nothing to move, copy or remove)."""
        return self.work == self.target and self.stream

    def commit(self) -> None:
        """Put the complete content in place: the temporary file moved over the target (keeping the
        target's permission bits), or copied into the stream once and removed."""
        if self.direct:
            return
        if self.stream:
            with open(self.work, "rb") as src, open(self.target, "wb") as dst:
                shutil.copyfileobj(src, dst)
            self.work.unlink(missing_ok=True)
            return
        if self.target.is_file():
            shutil.copymode(self.target, self.work)
        self.work.replace(self.target)

    def discard(self) -> None:
        """Remove the temporary file (the target stays as it was); nothing for a stream written straight."""
        if not self.direct:
            self.work.unlink(missing_ok=True)

    def keep_partial(self) -> Path | None:
        """The content written so far, kept under a name that says so (an interrupted run): beside
        the target as ``NAME.partial.EXT`` (replacing an earlier one), or, for a stream, the
        temporary file where it is. None when nothing is kept apart: a stream written straight
        (the content went into it) or a temporary file never written."""
        if self.direct or not self.work.exists():
            return None
        if self.stream:
            return self.work
        named = self.target if self.path.is_symlink() else self.path  # as given, unless a link
        kept = named.with_name(f"{named.stem}.partial{self.path.suffix}")
        self.work.replace(kept)
        return kept


#: The first bytes of every SQLite database file, and of its write-ahead log (``-wal``: the records
#: not yet copied into the database).
_SQLITE_MAGIC = b"SQLite format 3\x00"
_WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")


def refuse_database(path: str | os.PathLike[str], named: str) -> None:
    """A one-line ``PostureFeedbackError`` when ``path`` (links followed) is an SQLite database, e.g.
    the profile database: an output is never written over one (audit 28: ``report --json`` naming
    the database replaced every profile's history by the report's JSON)."""
    target = final_path(path)
    if not target.is_file():  # a stream (a named pipe would block a read) or nothing there yet
        return
    try:
        with open(target, "rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError:  # not there, a folder, unreadable: the other checks say what it is
        return
    if head == _SQLITE_MAGIC or head[:4] in _WAL_MAGIC:
        what = "a database" if head == _SQLITE_MAGIC else "a database's log of its newest records"
        via = f" (it links to {target})" if Path(path).is_symlink() else ""
        raise PostureFeedbackError(f"{named} is {what}{via}: give the output a file name of its own")


def check_output(path: str | os.PathLike[str], option: str, *, folder: bool = False, example: str = "") -> None:
    """A one-line ``PostureFeedbackError`` unless ``path`` can be written: checked before anything is
    read, run or written, so that a bad path loses nothing.

    Args:
        path: the output asked for: a file (``folder`` False; a stream such as ``/dev/null`` too) or
            a folder to write files into (``folder`` True). Missing folders on the way are fine
            where they can be made (the writers make them).
        option: what names it in the message, e.g. ``"--out"``.
        folder: the output is a folder.
        example: for a file output, a file name to suggest when ``path`` is a folder.

    The messages: "OPTION PATH is a folder: give a file name such as PATH/EXAMPLE", "OPTION PATH:
    X is not a folder" (a file on the way), "OPTION PATH is not a folder" (a folder output that is a
    file), "cannot write OPTION PATH: permission denied" (a folder that refuses a new file, an
    existing file that may not be written, or the file system's own reason)."""
    given = Path(path)
    named = f"{option} {given}"
    if not folder and given.is_dir():
        such = f" such as {given / example}" if example else ""
        raise PostureFeedbackError(f"{named} is a folder: give a file name{such}")
    if folder and given.exists() and not given.is_dir():
        raise PostureFeedbackError(f"{named} is not a folder")
    if not folder and is_stream(given):
        if not os.access(given, os.W_OK):
            raise PostureFeedbackError(f"cannot write {named}: permission denied")
        return
    target = final_path(given)
    if not folder:
        refuse_database(given, named)
    if not folder and target.is_file() and not os.access(target, os.W_OK):
        # a file its owner made read-only is not replaced: the writers that open it fail on it (after
        # the work), the ones that move a new file over it replaced it silently
        raise PostureFeedbackError(f"cannot write {named}: permission denied")
    start = target if folder else target.parent
    existing = start
    while not existing.exists() and existing != existing.parent:  # the nearest folder that exists
        existing = existing.parent
    if not existing.is_dir():
        raise PostureFeedbackError(f"{named}: {existing} is not a folder")
    try:  # the folder itself says whether it takes a new file (or a new folder on the way)
        fd, probe = tempfile.mkstemp(prefix=".posture-feedback-check-", dir=existing)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise PostureFeedbackError(f"cannot write {named}: {reason}") from None
    os.close(fd)
    os.unlink(probe)
