"""posture-feedback: a laptop-webcam movement and posture coach for neuromuscular re-education.

The core library (no Qt): frame sources, pose estimation, person selection, smoothing,
kinematics, targets, feedback cues, exercises, storage and reports. The Qt front end is
``posture_feedback.ui``; camera and person calibration is ``posture_feedback.calibration``.
"""

__version__ = "0.1.0"
