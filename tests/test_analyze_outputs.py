"""`posture-feedback analyze`: where its outputs go (never on what it reads, through links, into
pipes) and what an interrupted run leaves."""

from __future__ import annotations

import math
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from posture_feedback import angles_csv, output_files, resources
from posture_feedback.cli import main
from posture_feedback.commands import analyze
from posture_feedback.exports import write_mot


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


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_outputs_through_links_replace_the_files_they_name(tmp_path: Path, capsys) -> None:
    """A review: since the outputs were written under temporary names and moved into place, `-o
    link.csv` replaced the link by a plain file and left the file it named as it was (before, the
    rows went through the link). Now every output (CSV filtered and not, annotated video, TRC, MOT)
    through a link lands in the file it names, in another folder, with its permission bits; the
    links stay links, and no temporary file is left in either folder."""
    video = _write_video(tmp_path / "wall.mp4")
    work, store = tmp_path / "work", tmp_path / "store"
    work.mkdir()
    store.mkdir()
    names = ("angles.csv", "ann.mp4", "m.trc", "a.mot")
    for name in names:
        (store / name).write_text("old\n", encoding="utf-8")
        (store / name).chmod(0o640)
        (work / name).symlink_to(Path("..") / "store" / name)
    for extra in ([], ["--no-filter"]):
        argv = ["analyze", "--video", str(video), "-o", str(work / "angles.csv"), "--annotated", str(work / "ann.mp4"),
                "--trc", str(work / "m.trc"), "--mot", str(work / "a.mot"), "--no-progress", *extra]  # fmt: skip
        assert main(argv) == 0, extra
        capsys.readouterr()
        assert all((work / n).is_symlink() for n in names) and _listing(work) == sorted(names)
        assert _listing(store) == sorted(names)
        assert all((store / n).stat().st_mode & 0o777 == 0o640 for n in names)
        rows = (store / "angles.csv").read_text(encoding="utf-8").splitlines()
        assert rows[0].startswith("frame,time_s,person,view") and len(rows) == 7  # the header and 6 frames
        assert (store / "m.trc").read_text(encoding="utf-8").startswith("PathFileType\t4\t(X/Y/Z)\tm.trc")
        assert "nRows=6" in (store / "a.mot").read_text(encoding="utf-8")
        assert cv2.VideoCapture(str(store / "ann.mp4")).get(cv2.CAP_PROP_FRAME_COUNT) == 6
        (store / "angles.csv").write_text("old\n", encoding="utf-8")
    # a link to a name not yet taken creates that file
    (work / "new.csv").symlink_to(store / "new.csv")
    assert main(["analyze", "--video", str(video), "-o", str(work / "new.csv"), "--no-progress"]) == 0
    assert (work / "new.csv").is_symlink() and (store / "new.csv").read_text(encoding="utf-8").count("\n") == 7


class _Reader(threading.Thread):
    """Reads a named pipe to its end (as `cat pipe.csv &` would)."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path, self.data = path, b""
        self.start()

    def run(self) -> None:
        with open(self.path, "rb") as f:
            self.data = f.read()

    def got(self) -> bytes:
        self.join(timeout=30)
        assert not self.is_alive(), f"nothing was written to {self.path}"
        return self.data


def test_a_named_pipe_is_written_into_never_replaced(tmp_path: Path, monkeypatch, capsys) -> None:
    """A review: `mkfifo pipe.csv; cat pipe.csv & analyze … -o pipe.csv` replaced the pipe by a
    plain file, and the reader got nothing. Now the reader of each pipe gets exactly what the
    same run writes to a plain file: the rows straight as they are written (--no-filter), or the
    filtered CSV copied in once (the temporary file in the temporary folder, removed after), the
    TRC and the MOT (made from the filtered CSV); the pipes stay pipes and nothing is left over."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    video = _write_video(tmp_path / "wall.mp4")
    work = tmp_path / "work"
    work.mkdir()
    pipes = {name: work / name for name in ("pipe.csv", "m.trc", "a.mot")}
    for pipe in pipes.values():
        os.mkfifo(pipe)
    for extra in (["--no-filter"], []):
        plain = tmp_path / "plain"
        plain.mkdir()
        argv = ["analyze", "--video", str(video), "--no-progress", *extra]
        assert main([*argv, "-o", str(plain / "pipe.csv"), "--trc", str(plain / "m.trc"), "--mot",
                     str(plain / "a.mot")]) == 0  # fmt: skip
        readers = {name: _Reader(pipe) for name, pipe in pipes.items()}
        assert main([*argv, "-o", str(pipes["pipe.csv"]), "--trc", str(pipes["m.trc"]), "--mot",
                     str(pipes["a.mot"])]) == 0  # fmt: skip
        for name, reader in readers.items():
            assert reader.got() == (plain / name).read_bytes(), (name, extra)
        assert all(stat.S_ISFIFO(p.lstat().st_mode) for p in pipes.values())
        assert _listing(work) == sorted(pipes) and _listing(temp) == []
        shutil.rmtree(plain)
    capsys.readouterr()


def test_a_device_is_written_into_never_replaced(tmp_path: Path, monkeypatch) -> None:
    """The decision for a device (never tried on a real one: `/dev/stdout` or `/dev/null` as root
    was replaced by a plain file): `os.stat` says "character device" for a plain file here, and
    the TRC/MOT writer then writes into that very file (same inode) with nothing beside it, as
    into a pipe; the CSV's staging for a filtered run goes to the temporary folder, never beside
    the device (as root, a file in /dev)."""
    device = tmp_path / "dev" / "tty9"
    device.parent.mkdir()
    device.write_text("before\n", encoding="utf-8")
    real_stat = os.stat

    def fake_stat(path, *args, **kwargs):
        result = real_stat(path, *args, **kwargs)
        if Path(path) == device:
            return os.stat_result((stat.S_IFCHR | 0o620, *tuple(result)[1:]))
        return result

    monkeypatch.setattr(output_files.os, "stat", fake_stat)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert output_files.is_stream(device)
    assert not output_files.is_stream(tmp_path) and not output_files.is_stream(tmp_path / "none.csv")
    inode = device.stat().st_ino
    write_mot(device, ["knee"], [0.0, 0.5], [[10.0], [math.nan]])
    assert device.stat().st_ino == inode and _listing(device.parent) == ["tty9"]
    assert device.read_text(encoding="utf-8").splitlines()[-2:] == ["0.00000\t10.0000", "0.50000\tNaN"]
    staged = output_files.OutputFile(device)
    assert staged.stream and staged.work.parent == tmp_path and staged.work.name.startswith("tty9.partial.")
    staged.work.write_text("filtered\n", encoding="utf-8")
    staged.commit()
    assert device.read_text(encoding="utf-8") == "filtered\n" and device.stat().st_ino == inode
    assert not staged.work.exists() and _listing(device.parent) == ["tty9"]
    # a fifo: the real thing, straight
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "to_fifo"
    link.symlink_to(fifo)
    assert output_files.is_stream(fifo) and output_files.is_stream(link)
    assert output_files.OutputFile(link, straight=True).work == link


def _interrupt_at(monkeypatch, frame: int) -> None:
    """Ctrl-C while the model works on frame ``frame`` (0-based): KeyboardInterrupt from
    ``Pipeline.process``, where a SIGINT mostly lands."""
    from posture_feedback.pipeline import Pipeline

    process, calls = Pipeline.process, []

    def interrupted(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > frame:
            raise KeyboardInterrupt
        return process(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "process", interrupted)


def test_ctrl_c_keeps_the_rows_so_far_apart_and_says_where(tmp_path: Path, monkeypatch, capsys) -> None:
    """A review: Ctrl-C threw away every row computed (no CSV, only "interrupted"). Now the rows
    written so far are kept as OUT.partial.csv beside OUT (OUT itself, here an earlier run's CSV,
    unchanged: they are never passed off as the finished, filtered file), and one line on stderr
    says where, for how many frames and what they lack; exit 130, no summary, nothing else left.
    Interrupted before any row: nothing kept, the usual line."""
    video = _write_video(tmp_path / "wall.mp4", n=8)
    work = tmp_path / "work"
    work.mkdir()
    out = work / "out.csv"
    out.write_text("earlier run\n", encoding="utf-8")
    cases = [
        (["--valid-only"], "incomplete, not low-pass filtered, --valid-only not applied"),
        (["--no-filter"], "incomplete"),
    ]
    for extra, state in cases:
        monkeypatch.undo()
        _interrupt_at(monkeypatch, 3)
        argv = ["analyze", "--video", str(video), "-o", str(out), "--no-progress", "--trc", str(work / "m.trc"), *extra]
        assert main(argv) == 130, extra
        stdout, stderr = capsys.readouterr()
        kept = work / "out.partial.csv"
        assert stderr == (f"posture-feedback: interrupted: the rows of the first 3 frames ({state}) are in {kept}; "
                          f"not written: {out}, {work / 'm.trc'}\n")  # fmt: skip
        assert "frames:" not in stdout
        rows = kept.read_text(encoding="utf-8").splitlines()
        assert rows[0].startswith("frame,time_s,person,view") and [r.split(",")[0] for r in rows[1:]] == ["0", "1", "2"]
        assert ("valid_left_elbow_flexion" in rows[0]) == (extra == ["--valid-only"])  # the filter's own columns
        assert out.read_text(encoding="utf-8") == "earlier run\n"
        assert _listing(work) == ["out.csv", "out.partial.csv"]
        kept.unlink()
    # after the last frame: before the filter, or (making the MOT) before the CSV is put in place
    def stop(*args, **kwargs) -> None:
        raise KeyboardInterrupt

    mot = ["--mot", str(work / "a.mot")]
    for where, extra, state in (
        ((angles_csv, "filter_angle_csv"), [], "all of them, not low-pass filtered"),
        ((analyze, "mot_from_angle_csv"), mot, "all of them, filtered, but not yet put in place"),
        ((analyze, "mot_from_angle_csv"), [*mot, "--no-filter"], "all of them, but not yet put in place"),
    ):
        monkeypatch.undo()
        monkeypatch.setattr(*where, stop)
        assert main(["analyze", "--video", str(video), "-o", str(out), "--no-progress", *extra]) == 130
        missing = ", ".join([str(out), *extra[1:2]])
        assert capsys.readouterr().err == (f"posture-feedback: interrupted: the rows of the first 8 frames ({state}) "
                                           f"are in {work / 'out.partial.csv'}; not written: {missing}\n"), extra
        assert _listing(work) == ["out.csv", "out.partial.csv"]
        (work / "out.partial.csv").unlink()
    # before the first row: nothing to keep
    monkeypatch.undo()
    _interrupt_at(monkeypatch, 0)
    assert main(["analyze", "--video", str(video), "-o", str(out), "--no-progress"]) == 130
    assert capsys.readouterr().err == "posture-feedback: interrupted\n"
    assert _listing(work) == ["out.csv"] and out.read_text(encoding="utf-8") == "earlier run\n"
    # through a link: beside the file it names, after its name
    (work / "link.csv").symlink_to(out)
    monkeypatch.undo()
    _interrupt_at(monkeypatch, 2)
    assert main(["analyze", "--video", str(video), "-o", str(work / "link.csv"), "--no-progress"]) == 130
    assert f"are in {work / 'out.partial.csv'}" in capsys.readouterr().err
    assert (work / "out.partial.csv").read_text(encoding="utf-8").count("\n") == 3


def test_ctrl_c_into_a_pipe(tmp_path: Path, monkeypatch, capsys) -> None:
    """Interrupted into a named pipe: unfiltered rows went into it as they came (the line says so);
    filtered, nothing went into it and the rows so far are in the temporary folder, named."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    video = _write_video(tmp_path / "wall.mp4", n=8)
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    _interrupt_at(monkeypatch, 4)
    reader = _Reader(pipe)
    assert main(["analyze", "--video", str(video), "-o", str(pipe), "--no-progress", "--no-filter"]) == 130
    assert capsys.readouterr().err == (f"posture-feedback: interrupted: the rows of the first 4 frames (incomplete) "
                                       f"went into {pipe} as they were computed\n")  # fmt: skip
    assert [r.split(b",")[0] for r in reader.got().splitlines()] == [b"frame", b"0", b"1", b"2", b"3"]
    assert _listing(temp) == []
    monkeypatch.undo()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    _interrupt_at(monkeypatch, 4)
    reader = _Reader(pipe)
    assert main(["analyze", "--video", str(video), "-o", str(pipe), "--no-progress"]) == 130
    (kept,) = temp.iterdir()
    assert kept.name.startswith("pipe.partial.") and kept.suffix == ".csv"
    assert capsys.readouterr().err == (f"posture-feedback: interrupted: the rows of the first 4 frames (incomplete, "
                                       f"not low-pass filtered) are in {kept}; not written: {pipe}\n")  # fmt: skip
    assert kept.read_text(encoding="utf-8").count("\n") == 5
    os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))  # let the reader go: nothing was written
    assert reader.got() == b"" and stat.S_ISFIFO(pipe.lstat().st_mode)


def test_sigint_to_a_running_analyze_keeps_its_rows(tmp_path: Path, sports_video: Path) -> None:
    """The real thing: SIGINT to `posture-feedback analyze` on the sports sample (the real model)
    once rows reach the disk; exit 130, the one line, the rows of consecutive frames it names in
    out.partial.csv, the earlier out.csv unchanged."""
    out = tmp_path / "out.csv"
    out.write_text("earlier run\n", encoding="utf-8")
    hidden = tmp_path / ".out.partial.csv"
    proc = subprocess.Popen([sys.executable, "-m", "posture_feedback.cli", "analyze", "--video", str(sports_video),
                             "-o", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not (hidden.exists() and hidden.stat().st_size) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    match = re.fullmatch(r"posture-feedback: interrupted: the rows of the first (\d+) frames \(incomplete, not "
                         r"low-pass filtered\) are in (.+); not written: (.+)\n", stderr)  # fmt: skip
    assert match and match[2] == str(tmp_path / "out.partial.csv") and match[3] == str(out), stderr
    n = int(match[1])
    rows = (tmp_path / "out.partial.csv").read_text(encoding="utf-8").splitlines()
    assert 10 < n < 230 and [int(r.split(",")[0]) for r in rows[1:]] == list(range(n))
    assert sum(r.split(",")[2] == "1" for r in rows[1:]) > n * 0.9  # a person in them: real rows
    assert out.read_text(encoding="utf-8") == "earlier run\n"
    assert _listing(tmp_path) == ["out.csv", "out.partial.csv"]
