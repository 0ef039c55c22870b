"""Frame sources: files, images, folders, live newest-frame-wins, and every bad input."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from posture_feedback.errors import CameraDisconnected, SourceError
from posture_feedback.sources import (
    CameraSource,
    ImageSource,
    RealtimeVideoSource,
    VideoFileSource,
    list_cameras,
    open_source,
    read_ahead,
)
from posture_feedback.types import Frame


def test_video_file_frames_in_order_with_timestamps(sports_video: Path) -> None:
    with open_source(sports_video) as src:
        assert isinstance(src, VideoFileSource)
        assert src.frame_size == (1768, 994)
        assert src.fps == pytest.approx(30.0)
        frames = [f for _, f in zip(range(10), src, strict=False)]
    assert [f.index for f in frames] == list(range(10))
    assert frames[3].timestamp_s == pytest.approx(3 / 30.0)
    assert frames[0].image.shape == (994, 1768, 3)
    assert all(b.timestamp_s > a.timestamp_s for a, b in zip(frames, frames[1:], strict=False))


def test_read_ahead_gives_the_same_frames_in_order(lab_video: Path) -> None:
    """Decoding ahead on a worker thread changes nothing a recording's reader sees."""
    with VideoFileSource(lab_video) as src:
        plain = list(src)
    with VideoFileSource(lab_video) as src:
        ahead = list(read_ahead(src, depth=3))
    assert [f.index for f in ahead] == list(range(100)) == [f.index for f in plain]
    assert all(np.array_equal(a.image, b.image) for a, b in zip(plain, ahead, strict=True))


def test_read_ahead_raises_the_sources_error_at_its_frame_and_stops_when_closed() -> None:
    def frames():
        for k in range(3):
            yield Frame(np.zeros((4, 4, 3), np.uint8), k, k / 30, 0.0, "test")
        raise SourceError("frame 3 is corrupt")

    got = []
    with pytest.raises(SourceError, match="frame 3 is corrupt"):
        for frame in read_ahead(frames()):
            got.append(frame.index)
    assert got == [0, 1, 2]  # every frame before the error was delivered

    endless = read_ahead(Frame(np.zeros((4, 4, 3), np.uint8), k, k / 30, 0.0, "test") for k in range(10**9))
    assert next(endless).index == 0
    endless.close()  # an early stop (analyze --max-frames) ends the worker before the source is closed
    assert not any(t.name == "read-ahead" for t in threading.enumerate())


def test_video_file_reads_every_frame(lab_video: Path) -> None:
    with VideoFileSource(lab_video) as src:
        assert sum(1 for _ in src) == 100


def test_sample_spec_opens_bundled_recording() -> None:
    with open_source("sample") as src:  # the default demo: a webcam-style crop, 640×480
        assert src.read() is not None
        assert src.frame_size == (640, 480)
    with open_source("sample:lab_two_people_cam02.mp4") as src:
        assert src.frame_size == (1088, 1920)


def test_unknown_sample_lists_available() -> None:
    with pytest.raises(SourceError, match="available: .*sports2d_demo.mp4"):
        open_source("sample:nope.mp4")


def test_still_image_is_one_frame(street_image: Path) -> None:
    with open_source(street_image) as src:
        assert isinstance(src, ImageSource)
        frames = list(src)
    assert len(frames) == 1 and frames[0].image.shape == (1080, 810, 3)


def test_image_folder_sorted(tmp_path: Path, street_image: Path) -> None:
    for name in ("b.jpg", "a.jpg"):
        shutil.copy(street_image, tmp_path / name)
    (tmp_path / "notes.txt").write_text("not an image")
    with open_source(tmp_path) as src:
        names = [f.index for f in src]
    assert names == [0, 1]


NOT_VIDEO = "not a readable video|no readable video"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.mp4", "not found"),
        (lambda d: _write(d / "empty.mp4", b""), "empty"),
        (lambda d: _write(d / "text.mp4", b"hello, I am not a video\n" * 50), NOT_VIDEO),
        (lambda d: _write(d / "noise.mp4", np.random.default_rng(0).bytes(50_000)), NOT_VIDEO),
        (lambda d: d, "is a folder|no images"),
    ],
)
def test_bad_video_files_give_clear_errors(tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path)
    with pytest.raises(SourceError, match=message):
        open_source(path)


def test_truncated_video_reads_what_is_there(tmp_path: Path, sports_video: Path) -> None:
    data = sports_video.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 3])
    try:
        src = open_source(cut)
    except SourceError as exc:  # a cut moov atom makes the file unreadable: a clear error is right too
        assert "video" in str(exc)
        return
    with src:
        n = sum(1 for _ in src)
    assert 0 < n < 230


def test_corrupt_image(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8 definitely not a jpeg")
    with pytest.raises(SourceError, match="not a readable image"):
        open_source(bad)


def test_a_file_without_read_permission_says_so(lab_video: Path, street_image: Path) -> None:
    """Audit 28: a video the user may not read was "not a readable video (OpenCV could not open it)",
    as if damaged. It says "cannot read …: Permission denied" now, for a video and an image alike.
    Opened in a process of another user (root reads everything)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="pf-shared-"))  # pytest's own folders are the owner's only
    folder.chmod(0o755)
    try:
        _read_as_another_user(folder, lab_video, street_image)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _read_as_another_user(folder: Path, lab_video: Path, street_image: Path) -> None:
    import os
    import subprocess
    import sys

    for given in (lab_video, street_image):
        private = folder / f"private{given.suffix}"
        shutil.copy(given, private)
        private.chmod(0o600)  # the owner's only
        if os.geteuid() == 0:
            if not shutil.which("setpriv"):
                pytest.skip("running as root without setpriv: cannot read as another user")
            as_other = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        else:
            private.chmod(0o000)
            as_other = []
        probe = ("import sys\nfrom posture_feedback.errors import SourceError\nfrom posture_feedback.sources import "
                 "open_source\ntry:\n    open_source(sys.argv[1])\nexcept SourceError as exc:\n    print(exc)\n")
        proc = subprocess.run([*as_other, sys.executable, "-c", probe, str(private)], capture_output=True, text=True,
                              timeout=60, cwd=str(folder))  # fmt: skip
        assert proc.stdout.strip() == f"cannot read {private}: Permission denied", proc.stdout + proc.stderr


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="contains no images"):
        open_source(tmp_path)


class FakeDevice:
    """A camera stand-in: delivers ``frames`` frames then stops (as if unplugged), or never opens."""

    def __init__(self, frames: int = 5, opens: bool = True, raise_after: bool = False) -> None:
        self.frames, self.opens, self.raise_after = frames, opens, raise_after
        self.released = False
        self.reads = 0

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's API
        return self.opens

    def read(self):
        self.reads += 1
        time.sleep(0.005)
        if self.reads <= self.frames:
            return True, np.full((48, 64, 3), self.reads % 255, np.uint8)
        if self.raise_after:
            raise OSError("USB device disconnected")
        return False, None

    def set(self, *a) -> bool:
        return True

    def get(self, prop: int) -> float:
        return {cv2.CAP_PROP_FPS: 30.0, cv2.CAP_PROP_FRAME_WIDTH: 64, cv2.CAP_PROP_FRAME_HEIGHT: 48}.get(prop, 0.0)

    def release(self) -> None:
        self.released = True


def test_camera_that_cannot_open() -> None:
    with pytest.raises(SourceError, match="camera 3 could not be opened"):
        CameraSource(3, capture_factory=lambda i: FakeDevice(opens=False))


def test_real_camera_index_absent_gives_clear_error() -> None:
    # No camera exists on this machine: the real OpenCV backend must fail cleanly.
    with pytest.raises(SourceError, match="could not be opened"):
        open_source("7")


@pytest.mark.parametrize("raise_after", [False, True])
def test_camera_unplugged_mid_session(raise_after: bool) -> None:
    device = FakeDevice(frames=5, raise_after=raise_after)
    src = CameraSource(0, capture_factory=lambda i: device, stall_timeout_s=0.3)
    got = []
    with pytest.raises(CameraDisconnected, match="camera 0"):
        while True:
            frame = src.read()
            assert frame is not None
            got.append(frame)
    src.close()
    assert 1 <= len(got) <= 5
    assert device.released
    assert all(b.timestamp_s > a.timestamp_s for a, b in zip(got, got[1:], strict=False))


def test_list_cameras_with_fake_devices() -> None:
    devices = {0: FakeDevice(opens=False), 1: FakeDevice(), 2: FakeDevice(frames=0)}
    assert list_cameras(3, capture_factory=lambda i: devices[i]) == [1]


def test_realtime_source_drops_stale_frames_never_queues(lab_video: Path) -> None:
    before = threading.active_count()
    src = RealtimeVideoSource(lab_video, speed=2.0)  # 120 frames/s offered
    seen = []
    while (frame := src.read()) is not None:
        seen.append(frame.index)
        time.sleep(0.03)  # a slow consumer (~33 frames/s)
    src.close()
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    assert src.dropped > 0 and len(seen) + src.dropped >= 95
    assert seen[-1] >= 90  # the consumer saw the end of the video, not an ever-growing backlog
    time.sleep(0.05)
    assert threading.active_count() <= before


def test_a_file_name_that_is_not_utf8_is_one_line_not_a_crash(tmp_path: Path, lab_video: Path,
                                                              street_image: Path) -> None:  # fmt: skip
    """Audit 28: `analyze --video café.jpg` with the name in Latin-1 bytes (as copied from an old disk)
    ended with a segmentation fault, exit 139 and nothing on stderr: OpenCV's binding crashes on a
    name Python holds with lone surrogates. Each use (a video, an image, --annotated) is one line now.
    The real command line in a subprocess (a crash would end the test run itself)."""
    import os
    import subprocess
    import sys

    folder = os.fsencode(tmp_path)
    try:
        video, image = folder + b"/vid\xe9o.mp4", folder + b"/caf\xe9.jpg"
        shutil.copy(lab_video, video)
        shutil.copy(street_image, image)
    except OSError:
        pytest.skip("this file system takes only UTF-8 names")
    cli = [sys.executable, "-c", "import sys; from posture_feedback.cli import main; sys.exit(main())"]
    out = os.fsdecode(folder + b"/a.csv")
    for argv, named in (
        (["analyze", "--video", os.fsdecode(video), "--max-frames", "2", "--no-progress", "-o", out], b"/vid\xe9o.mp4"),
        (["analyze", "--video", os.fsdecode(image), "--no-progress", "-o", out], b"/caf\xe9.jpg"),
        (["analyze", "--video", str(lab_video), "--max-frames", "2", "--no-progress", "-o", out, "--annotated",
          os.fsdecode(folder + b"/ann\xe9.mp4")], b"/ann\xe9.mp4"),
    ):  # fmt: skip
        done = subprocess.run([*cli, *argv], capture_output=True, timeout=120)
        err = done.stderr.decode("utf-8", "replace")
        shown = (folder + named).decode("utf-8", "replace")
        assert done.returncode == 2, (done.returncode, err)
        assert err == (f"posture-feedback: error: {shown}: the file name is not UTF-8 text (bytes of another "
                       "encoding, shown as �); rename the file or its folder\n"), err  # fmt: skip
    assert sorted(os.listdir(folder)) == sorted([b"vid\xe9o.mp4", b"caf\xe9.jpg"])
