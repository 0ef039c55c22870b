"""Annotated video output, drawn and encoded on a worker thread.

``analyze --annotated`` used to draw the overlays and encode each frame on the thread that runs the
model, so the model waited for the encoder (21 frames/s on the 1768×994 sample against about 30
without the video). ``AnnotatedVideoWriter`` hands each ``FrameResult`` to one worker thread that
renders the overlays (``annotate.render``) and writes the frame; OpenCV releases the GIL while it
draws and encodes, so this runs on the other core. A bounded queue (``max_pending`` frames) keeps
memory flat: when the encoder falls behind, ``write`` waits.

The output file is opened on the caller's thread at the first frame, so an unwritable path is a
one-line error before any work is lost; an error on the worker is raised again by ``close``.
Its name must end in a video extension (``VIDEO_EXTENSIONS``, checked by ``check_video_path``
before anything is opened): OpenCV's writer takes the container from the extension and wrote an
MPEG-4 stream into ``c.png`` without a word (an audit). The annotated output is always a video,
one frame long for a still image.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from posture_feedback.errors import PostureFeedbackError
from posture_feedback.types import FrameResult

_STOP = object()

#: How much lower the writer thread's priority is (Linux nice, per thread). ``analyze --follow
#: --annotated`` on the bundled 1768×994 sample, 9 runs each, alternating (2026-12-07 00:45 UTC):
#: 29.7 → 31.3 frames/s on average (7 of 9 pairs faster), whole command 11.2 → 10.5 s with the
#: encoder's drain at the end. The model's thread is what holds it back (docs/performance.md).
WRITER_NICE = 10


#: Extensions the annotated video may have: the containers OpenCV's writer fills with the mp4v
#: stream, each written and read back frame for frame, quietly (checked with OpenCV 5.1 on Linux,
#: 2026-12-07: .webm, .gif, .ogv, .flv are refused by the writer; .mpg and .ts print FFmpeg
#: warnings and .ts read back no frame; .png / .jpg got an MPEG-4 stream under an image's name).
VIDEO_EXTENSIONS: tuple[str, ...] = (".mp4", ".m4v", ".mov", ".avi", ".mkv")


def check_video_path(path: Path, option: str = "--annotated") -> None:
    """A one-line ``PostureFeedbackError`` unless ``path`` names a video file this writer can make:
    one of ``VIDEO_EXTENSIONS`` (any case), not a folder. Opens and creates nothing."""
    path = Path(path)
    if path.is_dir():
        raise PostureFeedbackError(f"{option} {path} is a folder: give a file name such as {path / 'annotated.mp4'}")
    if path.suffix.lower() not in VIDEO_EXTENSIONS:
        given = f"'{path.suffix}'" if path.suffix else "no extension"
        raise PostureFeedbackError(
            f"{option} {path}: the annotated output is a video (one frame long for a still image), and {given} is "
            f"not a video extension; use {', '.join(VIDEO_EXTENSIONS)} (e.g. {path.with_suffix('.mp4')})"
        )
    from posture_feedback.cv_paths import native_path

    native_path(path)  # OpenCV's writer crashes on a name that is not UTF-8: said before any frame is read


def open_video_writer(path: Path, fps: float, width: int, height: int, name: Path | None = None) -> Any:
    """An OpenCV ``VideoWriter`` (mp4v) for ``path``, or a one-line ``PostureFeedbackError`` naming
    ``name`` (the file the user asked for, when ``path`` is a temporary name for it)."""
    import cv2

    check_video_path(name or path)
    check_video_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    from posture_feedback.cv_paths import native_path

    writer = cv2.VideoWriter(native_path(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    if not writer.isOpened():
        raise PostureFeedbackError(f"cannot write the annotated video {name or path}")
    return writer


class AnnotatedVideoWriter:
    """Writes ``render(result, annotators)`` for every result, frame by frame, off the caller's thread.

    Args:
        path: the output video (``.mp4``).
        fps: frames per second of the output.
        annotators: the overlays to draw (``annotate`` module).
        max_pending: frames queued at most before ``write`` waits for the encoder.
        name: the file named in messages, when ``path`` is a temporary name for it (``analyze``
            writes ``.out.partial.mp4`` and moves it to ``out.mp4`` once complete).
    """

    def __init__(
        self, path: Path, fps: float, annotators: Sequence[Any], max_pending: int = 8, name: Path | None = None
    ) -> None:
        self.path = Path(path)
        self.name = Path(name) if name is not None else self.path
        self.fps = float(fps) if fps and fps > 0 else 30.0
        self._annotators = list(annotators)
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max_pending)
        self._writer: Any = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.frames_written = 0
        self.writer_nice: int | None = None  #: the writer thread's nice value once started (Linux)

    def write(self, result: FrameResult) -> None:
        """Queue one frame (its image must not be changed afterwards)."""
        if self._error is not None:
            self.close()
        if self._writer is None:
            self._writer = open_video_writer(self.path, self.fps, result.frame.width, result.frame.height, self.name)
            self._thread = threading.Thread(target=self._run, name="annotated-video", daemon=True)
            self._thread.start()
        self._queue.put(result)

    def _run(self) -> None:
        from posture_feedback.annotate import render
        from posture_feedback.thread_priority import lower_thread_priority, thread_nice

        # Drawing and encoding share 2 cores with the model's thread, which sets the pace: at a
        # lower priority the writer takes what the model leaves (WRITER_NICE).
        lower_thread_priority(WRITER_NICE)
        self.writer_nice = thread_nice()

        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if self._error is not None:
                continue  # drain after a failure; close() reports it
            try:
                assert isinstance(item, FrameResult)
                self._writer.write(render(item, self._annotators))
                self.frames_written += 1
            except BaseException as exc:  # noqa: BLE001 - handed to the caller by close()
                self._error = exc

    def close(self) -> None:
        """Finish writing every queued frame, release the file, and raise a worker error if any."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        if self._error is not None:
            err, self._error = self._error, None
            raise PostureFeedbackError(f"cannot write the annotated video {self.name}: {err}") from None

    def __enter__(self) -> AnnotatedVideoWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
