"""The live multi-person pass runs at a lower priority than the frame's model (Linux).

Checked against the kernel's own record (``/proc/self/task/*/stat``): the threads MediaPipe starts
for the scout's graph inherit the lowered nice value, the follower's do not.
"""

from __future__ import annotations

import os
import sys
import threading

import pytest

from posture_feedback.follow import FollowingEstimator, FollowOptions
from posture_feedback.pose import PoseOptions
from posture_feedback.thread_priority import lower_thread_priority, thread_nice

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")


def _nice_by_thread() -> dict[int, int]:
    """Every thread of this process → its nice value, read from /proc (field 19 of stat)."""
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                out[int(tid)] = int(f.read().rsplit(")", 1)[1].split()[16])
        except OSError:  # the thread ended meanwhile
            pass
    return out


@linux_only
def test_a_lowered_thread_and_the_threads_it_starts_are_nicer_and_no_one_else_is():
    base = thread_nice()
    seen: dict[str, int | None] = {}

    def child() -> None:
        seen["child"] = thread_nice()

    def worker() -> None:
        assert lower_thread_priority(5)
        seen["worker"] = thread_nice()
        t = threading.Thread(target=child)
        t.start()
        t.join()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen == {"worker": min(19, base + 5), "child": min(19, base + 5)}
    assert thread_nice() == base  # the calling thread is untouched
    assert not lower_thread_priority(0)


@linux_only
def test_the_live_scout_graph_runs_nicer_than_the_follower():
    base = thread_nice()
    before = _nice_by_thread()
    est = FollowingEstimator(PoseOptions(max_people=2), FollowOptions(enabled=True, background=True, scout_nice=10))
    try:
        assert est._scout_pool.submit(est._scout_model).result(timeout=60) is not None
        assert est._scout_pool.submit(thread_nice).result() == min(19, base + 10)
        new = {tid: n for tid, n in _nice_by_thread().items() if tid not in before}
        nicer = [tid for tid, n in new.items() if n >= min(19, base + 10)]
        same = [tid for tid, n in new.items() if n == base]
        # the scout's thread plus its graph's executor and inference threads (7 with mediapipe 1.2)
        assert len(nicer) >= 4, new
        # the follower, the spare and the multi-person model keep the frame's priority
        assert len(same) >= 8, new
    finally:
        est.close()
