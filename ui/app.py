"""Starting the app: the ``QApplication``, the window, and the scripted screenshot run.

``run_app(options)`` opens the mirror window (or the posture monitor), runs the event loop and
returns the exit code; Ctrl-C in the terminal closes the window as its close button does and
raises ``KeyboardInterrupt`` (``InterruptCloses``: "posture-feedback: interrupted", exit 130).
With ``options.screenshot`` the real window runs (offscreen when there is no display), processes
``options.max_frames`` frames, saves itself with ``QWidget.grab()`` and quits: this is how the
README's screenshots are made.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from posture_feedback.errors import PostureFeedbackError
from posture_feedback.ui.options import AppOptions


def has_display() -> bool:
    """True when a window can be shown (a display server on Linux; always on macOS/Windows)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return os.environ["QT_QPA_PLATFORM"] not in ("offscreen", "minimal")
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def require_display(screenshot: Any) -> bool:
    """True when the window must run offscreen (no display, a scripted ``screenshot`` run).

    Raises ``PostureFeedbackError`` when there is no display and no ``screenshot`` to make.
    """
    offscreen = not has_display()
    if offscreen and screenshot is None:
        raise PostureFeedbackError(
            "no display found (DISPLAY/WAYLAND_DISPLAY unset): run on a desktop, or use "
            "--frames N --screenshot OUT.png to run the window offscreen"
        )
    return offscreen


def ensure_qapplication(offscreen: bool = False) -> Any:
    """The running ``QApplication``, created (offscreen if asked and not yet chosen) when needed.

    Before creating it, on the main thread and before any other thread starts: the process
    environment is prepared once (``startup``), OpenCV's Qt 5 plugin path is removed so PyQt6
    loads its own plugins, a missing system library of Qt's X11 plugin is reported in one line
    (``PostureFeedbackError``) instead of Qt's abort, and Qt's own messages go to the
    ``posture_feedback.qt`` logger instead of stderr.
    """
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        import cv2  # noqa: F401 - OpenCV sets QT_QPA_PLATFORM_PLUGIN_PATH on import: import it first, then undo

        from posture_feedback.startup import prepare_process_environment
        from posture_feedback.ui.qt_platform import drop_opencv_plugin_path, platform_problem

        if offscreen and "QT_QPA_PLATFORM" not in os.environ:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        prepare_process_environment()
        drop_opencv_plugin_path()
        problem = platform_problem()
        if problem:
            raise PostureFeedbackError(problem)
        install_qt_message_handler()
        app = QApplication([sys.argv[0] if sys.argv else "posture-feedback"])
        app.setApplicationName("Posture Feedback")
        app.setOrganizationName("posture-feedback")
    return app


_qt_log = logging.getLogger("posture_feedback.qt")
_qt_handler: Any = None  # a reference keeps the handler alive


def install_qt_message_handler() -> None:
    """Send Qt's warnings to the ``posture_feedback.qt`` logger; a fatal one becomes our one error line.

    Qt otherwise prints its (and its plugins') warnings on stderr, e.g. "This plugin does not
    support propagateSizeHints()". ``POSTURE_FEEDBACK_NATIVE_LOGS=1`` keeps Qt's own handler.
    """
    global _qt_handler
    from posture_feedback.native_logs import native_logs_kept

    if native_logs_kept():
        return
    from PyQt6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(mode: Any, _context: Any, message: str | None) -> None:
        text = " ".join((message or "").split())
        if mode == QtMsgType.QtFatalMsg:  # Qt aborts after this: end with our line and exit code instead
            print(f"posture-feedback: error: Qt: {text or 'fatal error'}", file=sys.stderr, flush=True)
            os._exit(2)
        _qt_log.debug("%s", text)

    _qt_handler = handler
    qInstallMessageHandler(handler)


class InterruptCloses:
    """Ctrl-C in the terminal (SIGINT) closes ``window`` as its close button does, then leaves the
    event loop; ``hit`` says it happened (the caller raises ``KeyboardInterrupt`` once the window is
    closed, and ``cli`` prints "posture-feedback: interrupted" and exits 130, as for every command).

    Qt's event loop runs in C++: Python's signal handlers run only when the interpreter runs, so a
    timer wakes it every ``WAKE_MS`` (without it a twentieth audit's Ctrl-C did nothing until the
    window was closed by hand). Use as a context manager around ``app.exec()``; on leaving, the
    previous handler is back. Off the main thread (no handler can be set there) it does nothing.
    """

    WAKE_MS = 200

    def __init__(self, app: Any, window: Any) -> None:
        self.app = app
        self.window = window
        self.hit = False
        self._previous: Any = None
        self._timer: Any = None

    def __enter__(self) -> InterruptCloses:
        from PyQt6.QtCore import QTimer

        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread
            return self
        self._timer = QTimer()
        self._timer.timeout.connect(lambda: None)  # a Python slot: the interpreter runs, handlers with it
        self._timer.start(self.WAKE_MS)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
            signal.signal(signal.SIGINT, self._previous if self._previous is not None else signal.default_int_handler)

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        self.hit = True
        # A second Ctrl-C while this close hangs ends the process at once (the system's default for
        # SIGINT; an exception raised here inside Qt's loop would abort it with a core dump instead).
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        self.window.close()  # its closeEvent saves and stops what it holds, as the close button
        self.app.quit()


class ScreenshotDriver:
    """Waits until the window has shown its last frame (or its no-source page), saves it, quits.

    Args:
        window: a ``MainWindow`` or ``MonitorWindow``.
        path: PNG to write.
        timeout_s: give up (save whatever is shown, exit code 1) after this many seconds.
    """

    def __init__(self, window: Any, path: Path, timeout_s: float = 180.0) -> None:
        from PyQt6.QtCore import QTimer

        self.window = window
        self.path = Path(path)
        self.deadline = time.perf_counter() + timeout_s
        self.exit_code: int | None = None
        self.message = ""
        self.saved = False  #: the screenshot was written
        self.failed = False  #: the run failed (``message`` is an error: exit code 2)
        self._page_seen_at: float | None = None
        self.timer = QTimer()
        self.timer.timeout.connect(self._poll)
        self.timer.start(50)

    def _frames_done(self) -> bool:
        w = self.window.worker
        n = self.window.options.max_frames
        if w is None or n is None or w.is_running() or w.stats.processed == 0:
            return False
        if w.stats.processed < n and not w.reached_end:  # stopped early for another reason (a page shows it)
            return False
        video = self.window.video
        last = getattr(self.window, "last_rendered", None) or getattr(video, "rendered", None)
        # Take a frame the GUI has not picked up yet, then require it to be painted.
        if w._latest is not None:  # noqa: SLF001 - the driver is part of the UI package
            return False
        return last is not None and video._shown_id == id(video.rendered)  # noqa: SLF001

    def _page_done(self) -> bool:
        stack = getattr(self.window, "stack", None)
        if stack is None:  # the posture monitor: a line of text instead of a page
            if not getattr(self.window, "problem", None):
                return False
        elif stack.currentIndex() != 1:
            return False
        else:
            page = self.window.source_page
            if page._probe is not None and page._probe.is_alive():  # noqa: SLF001
                return False
        now = time.perf_counter()
        if self._page_seen_at is None:
            self._page_seen_at = now
        return now - self._page_seen_at > 0.3  # let the camera list settle into the layout

    def _processing_failed(self) -> bool:
        """The window's page says the processing, not the source, failed (``PROCESSING_FAILED``)."""
        from posture_feedback.ui.main_window import PROCESSING_FAILED

        page = getattr(self.window, "source_page", None)
        return page is not None and page.title.text() == PROCESSING_FAILED

    def _problem_text(self, with_title: bool = True) -> str:
        """What the window says about the source, on one line (``with_title``: its page's title too)."""
        page = getattr(self.window, "source_page", None)
        if page is not None:
            title = page.title.text() if with_title else ""
            text = ". ".join(t for t in (title, page.message.text()) if t.strip())
        else:
            text = getattr(self.window, "problem", None) or ""
        return " ".join(text.split()) or "no frame was shown"

    def _poll(self) -> None:
        from PyQt6.QtWidgets import QApplication

        frames_done = self._frames_done()
        page_done = not frames_done and self._page_done()
        timed_out = time.perf_counter() > self.deadline
        if not (frames_done or page_done or timed_out):
            return
        self.timer.stop()
        if frames_done and getattr(self.window.options, "demo_goniometer", False):
            self.window.place_goniometer_on()
        if frames_done and hasattr(self.window, "_update_status"):
            self.window._update_status()  # noqa: SLF001
        if frames_done and hasattr(self.window, "_update_totals"):
            self.window._update_totals()  # noqa: SLF001
        QApplication.processEvents()
        try:
            self.window.save_screenshot(self.path)
        except PostureFeedbackError as exc:
            self.message = str(exc)
            self.exit_code = 2
            self.failed = True
        else:
            self.saved = True
            if timed_out:
                self.message = "timed out before the frames were shown; saved what was on screen"
                self.exit_code = 1
            elif page_done:  # no frame was shown: the source cannot be used
                if self._processing_failed():  # a model or configuration fault is not the source's
                    lead, problem = "processing could not start", self._problem_text(with_title=False)
                else:
                    lead, problem = "the source could not be used", self._problem_text()
                self.message = f"{lead}: {problem} (the screenshot shows the window)"
                self.exit_code = 2
                self.failed = True
            else:
                self.exit_code = 0
        # Leave the event loop first and close the window afterwards (run_app): closing the last
        # window inside the loop would post a Quit event that outlives this run.
        QApplication.instance().exit(self.exit_code)


def run_app(options: AppOptions) -> int:
    """Open the mirror window (or the posture monitor) and run until it is closed."""
    offscreen = require_display(options.screenshot)
    app = ensure_qapplication(offscreen=offscreen)
    import cv2

    # The window reports camera problems itself; OpenCV's own probing warnings would only clutter the terminal.
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    if options.monitor:
        from posture_feedback.ui.monitor import MonitorWindow

        window: Any = MonitorWindow(options)
    else:
        from posture_feedback.ui.main_window import MainWindow

        window = MainWindow(options)
    driver = None
    quit_on_close = app.quitOnLastWindowClosed()
    if options.screenshot is not None:
        app.setQuitOnLastWindowClosed(False)
        if not options.monitor:
            window.resize(1280, 760)
        driver = ScreenshotDriver(window, options.screenshot)
    window.show()
    with InterruptCloses(app, window) as interrupt:
        try:
            code = app.exec()
        finally:
            window.close()
            window.shutdown()
            app.setQuitOnLastWindowClosed(quit_on_close)
    if interrupt.hit:  # Ctrl-C: the window closed as by hand; cli says "interrupted" and exits 130
        raise KeyboardInterrupt
    if driver is not None:
        if driver.saved:
            print(f"screenshot: {driver.path}")
        if driver.message:
            print(f"posture-feedback: {'error: ' if driver.failed else ''}{driver.message}", file=sys.stderr)
        if driver.exit_code is None:
            return 1
        return driver.exit_code
    return int(code)
