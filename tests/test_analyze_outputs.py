"""`posture-feedback analyze`: where its outputs go (never on what it reads, through links, into
pipes) and what an interrupted run leaves."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from posture_feedback import resources
from posture_feedback.cli import main


def _write_video(path: Path, n: int = 6, size: tuple[int, int] = (320, 240), fps: float = 30.0) -> Path:
    """A grey wall of ``n`` frames (nobody in it: the model runs, finds no one, fast)."""
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for i in range(n):
        writer.write(np.full((h, w, 3), 90 + i, np.uint8))
    writer.release()
    return path


def test_no_output_on_the_file_sample_stands_for(tmp_path: Path, monkeypatch, capsys) -> None:
    """An audit: `analyze --video sample -o sample_videos/lab_desk_webcam.mp4` exited 0 and
    overwrote the bundled recording (the check looked for a file named "sample"). The bundled
    folder is a copy here, so the real recording is never at risk: every output on the file that
    `sample` / `sample:NAME` stands for, by a relative path or through a link, and on an image of
    an analysed folder, is refused in one line before anything runs, and the files are unchanged."""
    samples = tmp_path / "sample_videos"
    samples.mkdir()
    default = _write_video(samples / resources.DEFAULT_SAMPLE)
    other = _write_video(samples / "other.mp4", n=3)
    monkeypatch.setattr(resources, "sample_videos_dir", lambda: samples)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link.mp4").symlink_to(default)
    frames = tmp_path / "frames"
    frames.mkdir()
    image = frames / "f1.png"
    cv2.imwrite(str(image), np.full((60, 80, 3), 128, np.uint8))
    before = {p: p.read_bytes() for p in (default, other, image)}
    cases = [
        (["--video", "sample", "-o", f"sample_videos/{resources.DEFAULT_SAMPLE}"],
         f"--out sample_videos/{resources.DEFAULT_SAMPLE} is also the recording being analysed ({default})"),
        (["--video", "sample", "--annotated", "link.mp4"],
         f"--annotated link.mp4 is also the recording being analysed ({default})"),
        (["--video", "sample:other.mp4", "--trc", str(other)],
         f"--trc {other} is also the recording being analysed ({other})"),
        (["--video", "frames", "-o", "frames/f1.png"],
         "--out frames/f1.png is also an image being analysed (in frames)"),
    ]  # fmt: skip
    for argv, message in cases:
        assert main(["analyze", *argv, "--max-frames", "2", "--no-progress"]) == 2, argv
        out, err = capsys.readouterr()
        assert out == "" and err == f"posture-feedback: error: {message}: give each output a file of its own\n"
        assert all(p.read_bytes() == data for p, data in before.items()), argv
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frames", "link.mp4", "sample_videos"]
    # the same sample into a file of its own runs
    assert main(["analyze", "--video", "sample", "-o", "own.csv", "--max-frames", "2", "--no-progress"]) == 0
    assert (tmp_path / "own.csv").read_text(encoding="utf-8").count("\n") == 3
