"""Lower the scheduling priority of the calling thread (and of the threads it starts).

The periodic multi-person pass runs on a worker thread beside the frame being shown. On a 2-core
laptop the two share the cores, and every pass used to slow the frame it overlapped. On Linux,
``nice`` is per thread and a new thread inherits its creator's value, so a model *created* on a
thread with a raised nice value runs its whole MediaPipe graph (its executor and inference
threads) at that lower priority: the frame's own model then gets the cores first, and the pass
uses what is left.

Only Linux is handled: there ``setpriority(PRIO_PROCESS, tid)`` addresses one thread. Elsewhere
the same call addresses a whole process, so nothing is done.
"""

from __future__ import annotations

import os
import sys
import threading


def lower_thread_priority(nice: int) -> bool:
    """Raise the calling thread's nice value by ``nice`` (0–19; lower priority). Threads it
    starts afterwards inherit it. Returns True when it was applied (Linux only). A process can
    always lower its own priority; raising it back would need privileges, so call this only on
    a thread that does nothing but background work."""
    if nice <= 0 or not sys.platform.startswith("linux") or not hasattr(os, "setpriority"):
        return False
    tid = threading.get_native_id()
    try:
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, current + nice))
    except OSError:
        return False
    return True


def thread_nice(tid: int | None = None) -> int | None:
    """The nice value of a thread of this process (default: the calling one); None off Linux."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return os.getpriority(os.PRIO_PROCESS, tid or threading.get_native_id())
    except OSError:
        return None
