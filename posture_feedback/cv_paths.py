"""File names as the native libraries take them.

OpenCV's Python binding (``cv2.VideoCapture``, ``cv2.imread``, ``cv2.VideoWriter``, ``cv2.imwrite``)
ends the process with a segmentation fault, no message, when given a file name that is not valid
UTF-8: a name with bytes of another encoding (a Latin-1 ``café.jpg`` copied from an old disk), which
Python keeps as lone surrogates (``caf\\udce9.jpg``). Qt's image writer saved such a name under
another one (U+FFFD for the bytes) while the tool said it wrote the name asked for, and MediaPipe's
model path is handed to C++ as UTF-8 too. :func:`native_path` refuses such a name with one line
instead (audit 28: ``analyze --video café.jpg`` exited 139 with nothing on stderr).
"""

from __future__ import annotations

import os

from posture_feedback.errors import PostureFeedbackError


def native_path(path: str | os.PathLike[str]) -> str:
    """``path`` as a ``str`` a native library may be given; ``PostureFeedbackError`` when its name is
    not UTF-8 text (shown with � for the bytes that are not)."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(text).decode("utf-8", "replace")
        raise PostureFeedbackError(
            f"{shown}: the file name is not UTF-8 text (bytes of another encoding, shown as �); "
            "rename the file or its folder"
        ) from None
    return text
