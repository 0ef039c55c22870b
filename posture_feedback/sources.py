"""Frame sources behind one interface: webcam, video file, still image, image folder.

Every source yields ``Frame`` objects (BGR, never mirrored) with strictly increasing
timestamps in seconds. Live sources (a camera, or a video file played in real time as a
stand-in for one) capture on a background thread and keep only the newest frame: when the
consumer is slower than the camera, frames are dropped, never queued, so feedback never lags
behind the person.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

# FFmpeg (inside OpenCV) prints its own lines ("moov atom not found") for broken files; our
# errors say it in one line, so keep FFmpeg quiet unless the user asked for its logs.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from posture_feedback.cv_paths import native_path
from posture_feedback.errors import CameraDisconnected, SourceError
from posture_feedback.resources import sample_video
from posture_feedback.types import Frame

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"})
VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv"})


class FrameSource(Protocol):
    """What every source offers. ``read()`` returns None at the end of a finite source."""

    name: str
    is_live: bool
    fps: float
    frame_size: tuple[int, int]

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...


class _SourceBase:
    name: str = ""
    is_live: bool = False
    fps: float = 30.0
    frame_size: tuple[int, int] = (0, 0)

    def read(self) -> Frame | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __iter__(self) -> Iterator[Frame]:
        while True:
            frame = self.read()
            if frame is None:
                return
            yield frame

    def __enter__(self) -> _SourceBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: Codecs of "videos" that are text: FFmpeg opens any ``.txt`` file (and other text named so)
#: with its ``tty`` demuxer, which draws the characters as frames of the ``ansi`` codec.
_TEXT_CODECS = frozenset({"ansi"})


def _codec(cap: cv2.VideoCapture) -> str:
    """The stream's codec as its FourCC text, lower case ("" if the backend does not say)."""
    code = int(cap.get(cv2.CAP_PROP_FOURCC))
    return code.to_bytes(4, "little").decode("latin-1").strip("\x00 ").lower() if code > 0 else ""


def _check_video_file(path: Path) -> None:
    if not path.exists():
        raise SourceError(f"video file not found: {path}")
    if path.is_dir():
        raise SourceError(f"{path} is a folder, not a video file")
    if path.stat().st_size == 0:
        raise SourceError(f"{path} is empty (0 bytes)")
    _check_readable(path)


def _check_readable(path: Path) -> None:
    """A file that cannot be opened says why (OpenCV's refusal read "not a readable video" for a
    file without read permission, as if it were damaged; audit 28)."""
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None


class VideoFileSource(_SourceBase):
    """Frames of a video file, in order, as fast as the consumer reads them.

    Timestamps are ``index / fps`` seconds (the container's nominal frame rate), which are
    exact for constant-frame-rate files and strictly increasing for all.
    """

    def __init__(self, path: str | Path, *, loop: bool = False) -> None:
        self.path = Path(path)
        _check_video_file(self.path)
        self._cap = cv2.VideoCapture(native_path(self.path))
        if not self._cap.isOpened():
            raise SourceError(f"{self.path} is not a readable video (OpenCV could not open it)")
        if _codec(self._cap) in _TEXT_CODECS:
            self._cap.release()
            raise SourceError(f"{self.path} is a text file, not a video")
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise SourceError(f"{self.path} contains no readable video frames (corrupt or not a video)")
        self._pending: np.ndarray | None = first
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and 1.0 <= fps <= 1000.0 else 30.0
        self.frame_size = (int(first.shape[1]), int(first.shape[0]))
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frame_count: int | None = count if count > 0 else None
        self.name = str(self.path)
        self.loop = loop
        self._index = 0
        self._lap_offset = 0

    def read(self) -> Frame | None:
        if self._pending is not None:
            image, self._pending = self._pending, None
        else:
            ok, image = self._cap.read()
            if not ok or image is None:
                if not self.loop or self._index - self._lap_offset == 0:
                    return None
                self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                self._lap_offset = self._index
                ok, image = self._cap.read()
                if not ok or image is None:
                    return None
        frame = Frame(image, self._index, self._index / self.fps, time.perf_counter(), self.name)
        self._index += 1
        return frame

    def close(self) -> None:
        self._cap.release()


class ImageSource(_SourceBase):
    """A still image (one frame) or a folder of images (sorted by name), at a nominal fps."""

    def __init__(self, path: str | Path, *, fps: float = 1.0) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise SourceError(f"image not found: {self.path}")
        if self.path.is_dir():
            self._files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not self._files:
                raise SourceError(f"folder {self.path} contains no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
        else:
            self._files = [self.path]
        first = self._load(self._files[0])
        self.frame_size = (int(first.shape[1]), int(first.shape[0]))
        self.fps = fps
        self.name = str(self.path)
        self._index = 0

    @staticmethod
    def _load(path: Path) -> np.ndarray:
        _check_readable(path)
        image = cv2.imread(native_path(path), cv2.IMREAD_COLOR)
        if image is None:
            raise SourceError(f"{path} is not a readable image")
        return image

    def read(self) -> Frame | None:
        if self._index >= len(self._files):
            return None
        image = self._load(self._files[self._index])
        frame = Frame(image, self._index, self._index / self.fps, time.perf_counter(), self.name)
        self._index += 1
        return frame


class _NewestFrameSource(_SourceBase):
    """Base of live sources: a capture thread keeps only the newest frame.

    Subclasses implement ``_grab() -> np.ndarray | None`` (None = no frame this time) and
    may override ``_pace()``. ``read()`` blocks until a frame newer than the last one read
    arrives, and raises ``CameraDisconnected`` when none has come for ``stall_timeout_s``.
    """

    is_live = True

    def __init__(self, name: str, stall_timeout_s: float = 3.0) -> None:
        self.name = name
        self.stall_timeout_s = stall_timeout_s
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._last_read_index = -1
        self._finished = False
        self._error: Exception | None = None
        self._stop = threading.Event()
        self._t0 = time.perf_counter()
        self.dropped = 0  #: frames captured but never read (newest-frame-wins)
        self._thread = threading.Thread(target=self._run, name=f"capture:{name}", daemon=True)

    def _start(self) -> None:
        self._thread.start()

    def _grab(self) -> np.ndarray | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _pace(self) -> None:
        pass

    def _run(self) -> None:
        index = 0
        last_frame_at = time.perf_counter()
        while not self._stop.is_set():
            try:
                image = self._grab()
            except Exception as exc:  # a driver error ends the stream with a clear message
                with self._cond:
                    self._error = CameraDisconnected(f"{self.name} failed: {exc}")
                    self._cond.notify_all()
                return
            now = time.perf_counter()
            if image is None:
                if self._finished:
                    with self._cond:
                        self._cond.notify_all()
                    return
                if now - last_frame_at > self.stall_timeout_s:
                    with self._cond:
                        self._error = CameraDisconnected(
                            f"{self.name} stopped delivering frames (unplugged or in use by another app?)"
                        )
                        self._cond.notify_all()
                    return
                time.sleep(0.01)
                continue
            last_frame_at = now
            frame = Frame(image, index, now - self._t0, now, self.name)
            with self._cond:
                if self._latest is not None and self._latest.index > self._last_read_index:
                    self.dropped += 1
                self._latest = frame
                self._cond.notify_all()
            index += 1
            self._pace()

    def read(self, timeout_s: float | None = None) -> Frame | None:
        """The newest frame not yet read; None when a finite stream ended."""
        deadline = time.perf_counter() + (self.stall_timeout_s + 1.0 if timeout_s is None else timeout_s)
        with self._cond:
            while True:
                if self._latest is not None and self._latest.index > self._last_read_index:
                    self._last_read_index = self._latest.index
                    return self._latest
                if self._error is not None:
                    raise self._error
                if self._finished or not self._thread.is_alive():
                    return None
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    raise CameraDisconnected(f"{self.name}: no frame for {self.stall_timeout_s:.1f} s")
                self._cond.wait(min(remaining, 0.1))

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=2.0)
        self._release()

    def _release(self) -> None:
        pass


class RealtimeVideoSource(_NewestFrameSource):
    """A video file played at its own frame rate on a capture thread: a stand-in for a camera.

    Frames the consumer is too slow to take are dropped (counted in ``dropped``).
    """

    def __init__(self, path: str | Path, *, loop: bool = False, speed: float = 1.0) -> None:
        self._video = VideoFileSource(path, loop=loop)
        super().__init__(f"{self._video.name} (real time)")
        self.fps = self._video.fps
        self.frame_size = self._video.frame_size
        self._period = 1.0 / (self.fps * speed)
        self._next_at = time.perf_counter()
        self._start()

    def _grab(self) -> np.ndarray | None:
        frame = self._video.read()
        if frame is None:
            self._finished = True
            return None
        now = time.perf_counter()
        if self._next_at > now:
            time.sleep(self._next_at - now)
        return frame.image

    def _pace(self) -> None:
        self._next_at += self._period
        if self._next_at < time.perf_counter() - self._period:  # fell far behind: re-anchor
            self._next_at = time.perf_counter()

    def _release(self) -> None:
        self._video.close()


#: Creates a capture device for a camera index: ``cv2.VideoCapture`` by default; tests pass
#: a fake device (an object with isOpened/read/set/get/release) that fails on demand.
CaptureFactory = Callable[[int], Any]


class CameraSource(_NewestFrameSource):
    """A webcam through OpenCV, with a requested resolution and frame rate (best effort)."""

    def __init__(
        self,
        index: int = 0,
        *,
        width: int | None = None,
        height: int | None = None,
        fps: float | None = None,
        capture_factory: CaptureFactory | None = None,
        stall_timeout_s: float = 3.0,
    ) -> None:
        factory = capture_factory or cv2.VideoCapture
        self._cap = factory(index)
        if self._cap is None or not self._cap.isOpened():
            raise SourceError(
                f"camera {index} could not be opened (not connected, in use by another app, or no permission); "
                f"try --source sample for the bundled video"
            )
        if width:
            self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height:
            self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        if fps:
            self._cap.set(cv2.CAP_PROP_FPS, fps)
        self._cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        super().__init__(f"camera {index}", stall_timeout_s=stall_timeout_s)
        reported = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(reported) if reported and 1.0 <= reported <= 240.0 else float(fps or 30.0)
        self.frame_size = (int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        self._start()

    def _grab(self) -> np.ndarray | None:
        ok, image = self._cap.read()
        return image if ok and image is not None else None

    def _release(self) -> None:
        self._cap.release()


def list_cameras(max_index: int = 5, capture_factory: CaptureFactory | None = None) -> list[int]:
    """Indices of the cameras that open and deliver a frame (probes 0..max_index-1)."""
    factory = capture_factory or cv2.VideoCapture
    found = []
    for i in range(max_index):
        cap = factory(i)
        try:
            if cap is not None and cap.isOpened() and cap.read()[0]:
                found.append(i)
        finally:
            if cap is not None:
                cap.release()
    return found


def open_source(
    spec: str | int | Path,
    *,
    width: int | None = None,
    height: int | None = None,
    fps: float | None = None,
    realtime: bool = False,
    loop: bool = False,
) -> _SourceBase:
    """Open a source from a user-facing spec.

    ``spec``: a camera index (``0`` or ``"0"``), ``"sample"`` (the bundled recording) or
    ``"sample:NAME"``, a video file, an image file or a folder of images. ``realtime``
    plays a video file at its own fps with newest-frame-wins, like a camera.
    """
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        return CameraSource(int(spec), width=width, height=height, fps=fps)
    text = str(spec)
    if text == "sample" or text.startswith("sample:"):
        path = sample_video(text.split(":", 1)[1]) if ":" in text else sample_video()
    else:
        path = Path(text).expanduser()
    if not path.exists():
        raise SourceError(f"source not found: {path} (give a camera index, a video, an image, a folder or 'sample')")
    if path.is_dir() or path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource(path, fps=fps or 1.0)
    if realtime:
        return RealtimeVideoSource(path, loop=loop)
    return VideoFileSource(path, loop=loop)


def read_ahead(frames: Iterable[Frame], depth: int = 4) -> Generator[Frame, None, None]:
    """The frames of a recording in order, decoded up to ``depth`` frames ahead on a worker thread.

    Decoding (5 ms a frame for the bundled 1768×994 sample) then overlaps the model on the
    other core instead of adding to it; the frames and their order are unchanged. An error in
    the source is raised here, at the frame where it happened. Close the generator (or run it to
    the end) before closing the source: closing stops the worker and waits for it, so that the
    source is never read and released at once.
    """
    items: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()
    end = object()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for frame in frames:
                if not put(frame):
                    return
            put(end)
        except BaseException as exc:  # handed to the reader, raised there
            put(exc)

    worker = threading.Thread(target=work, name="read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item = items.get()
            if item is end:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
