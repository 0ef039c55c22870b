"""Errors the user can fix, with one-line messages; the command line prints them without a traceback."""

from __future__ import annotations


class PostureFeedbackError(Exception):
    """Base class: an error with a clear, specific, one-line message for the user."""


class SourceError(PostureFeedbackError):
    """A frame source cannot be opened or read (missing file, not a video, camera unavailable)."""


class CameraDisconnected(SourceError):
    """A live camera stopped delivering frames mid-session."""


class ModelError(PostureFeedbackError):
    """The pose model cannot be found, downloaded or loaded."""
