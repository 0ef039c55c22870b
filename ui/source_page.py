"""The page shown instead of the picture when there is nothing to show.

Cases: no webcam could be opened, a camera stopped mid-session, a video ended, or the model
failed to load. The page says what happened in one sentence and offers the way on: the
bundled sample video, the cameras that do open (probed on a background thread, since opening
a camera can take a second), another video file, or reconnecting.
"""

from __future__ import annotations

import threading

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import QFileDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from posture_feedback.sources import list_cameras
from posture_feedback.ui.flow_layout import flow_row


class SourcePage(QWidget):
    """Message + choices. Emits ``sourceChosen`` with a source spec (camera index, path or ``"sample"``)."""

    sourceChosen = pyqtSignal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet("QWidget { background: #18181c; color: #eee } QPushButton { padding: 8px 16px }")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        self.title = QLabel("")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setStyleSheet("font-size: 22pt; font-weight: bold")
        self.message = QLabel("")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("font-size: 13pt")
        outer.addWidget(self.title)
        outer.addWidget(self.message)
        # Rows that wrap: in large type one row of these buttons made the mirror wider than a laptop screen.
        holder, row = flow_row(self, centred=True)
        self.retry_button = QPushButton("Reconnect")
        self.sample_button = QPushButton("Use the sample video")
        self.file_button = QPushButton("Open a video file…")
        for b in (self.retry_button, self.sample_button, self.file_button):
            row.addWidget(b)
        outer.addWidget(holder)
        self.cameras_label = QLabel("Looking for cameras…")
        self.cameras_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cameras_label.setWordWrap(True)
        outer.addWidget(self.cameras_label)
        camera_holder, self.camera_row = flow_row(self, centred=True)
        outer.addWidget(camera_holder)
        outer.addStretch(2)
        self.camera_buttons: list[QPushButton] = []
        self.retry_spec: object = None
        self.sample_button.clicked.connect(lambda: self.sourceChosen.emit("sample"))
        self.retry_button.clicked.connect(lambda: self.sourceChosen.emit(self.retry_spec))
        self.file_button.clicked.connect(self._open_file)
        self._probe: threading.Thread | None = None
        # The probe thread never touches Qt: the page may be closed and deleted before a slow
        # probe ends (a signal emitted on a deleted page crashed the process, twice in CI). It
        # leaves its result in a plain dict, which this timer (it dies with the page) picks up.
        self._probe_result: dict[str, list] | None = None
        self._probe_timer = QTimer(self)
        self._probe_timer.setInterval(100)
        self._probe_timer.timeout.connect(self._take_probe_result)

    def show_problem(self, title: str, message: str, retry_spec: object = None, probe_cameras: bool = True) -> None:
        """Show ``title``/``message``; offer "Reconnect" when ``retry_spec`` is given."""
        self.title.setText(title)
        self.message.setText(message)
        self.retry_spec = retry_spec
        self.retry_button.setVisible(retry_spec is not None)
        if probe_cameras:
            self.probe_cameras()

    def probe_cameras(self) -> None:
        """List the cameras that open, on a background thread (``cameras_label`` / buttons update)."""
        if self._probe is not None and self._probe.is_alive():
            return
        self.cameras_label.setText("Looking for cameras…")

        result: dict[str, list] = {}

        def run() -> None:  # no Qt in here (see __init__)
            try:
                found = list_cameras()
            except Exception:  # a broken driver must not break the page
                found = []
            result["found"] = found

        self._probe_result = result
        self._probe = threading.Thread(target=run, name="camera-probe", daemon=True)
        self._probe.start()
        self._probe_timer.start()

    def _take_probe_result(self) -> None:
        result = self._probe_result
        if result is None or "found" not in result:
            return
        self._probe_timer.stop()
        self._probe_result = None
        self._show_cameras(result["found"])

    def wait_probe(self, timeout_s: float = 10.0) -> None:
        if self._probe is not None:
            self._probe.join(timeout_s)

    def _show_cameras(self, found: list) -> None:
        for b in self.camera_buttons:
            self.camera_row.removeWidget(b)
            b.deleteLater()
        self.camera_buttons = []
        if not found:
            self.cameras_label.setText("No camera found on this computer (checked cameras 0–4).")
            return
        self.cameras_label.setText("Cameras that work:")
        for index in found:
            b = QPushButton(f"Camera {index}")
            b.clicked.connect(lambda _=False, ix=index: self.sourceChosen.emit(ix))
            self.camera_row.addWidget(b)
            self.camera_buttons.append(b)

    def _open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a video", "", "Videos (*.mp4 *.avi *.mov *.mkv *.webm *.m4v)")
        if path:
            self.sourceChosen.emit(path)
