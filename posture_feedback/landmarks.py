"""BlazePose 33-landmark topology: indices, names, left/right pairs and skeleton edges.

Indices follow MediaPipe's PoseLandmarker output order. "Left" and "right" are always the
*person's* anatomical sides, never the image's.
"""

from __future__ import annotations

NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear",
    "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow",
    "left_wrist", "right_wrist",
    "left_pinky", "right_pinky",
    "left_index", "right_index",
    "left_thumb", "right_thumb",
    "left_hip", "right_hip",
    "left_knee", "right_knee",
    "left_ankle", "right_ankle",
    "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)  # fmt: skip

INDEX: dict[str, int] = {name: i for i, name in enumerate(NAMES)}
NUM_LANDMARKS = len(NAMES)

NOSE = 0
LEFT_EAR, RIGHT_EAR = 7, 8
LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_ELBOW, RIGHT_ELBOW = 13, 14
LEFT_WRIST, RIGHT_WRIST = 15, 16
LEFT_HIP, RIGHT_HIP = 23, 24
LEFT_KNEE, RIGHT_KNEE = 25, 26
LEFT_ANKLE, RIGHT_ANKLE = 27, 28
LEFT_HEEL, RIGHT_HEEL = 29, 30
LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX = 31, 32


def _mirror_permutation() -> tuple[int, ...]:
    perm = list(range(NUM_LANDMARKS))
    for i, name in enumerate(NAMES):
        if name.startswith("left_"):
            perm[i] = INDEX["right_" + name[5:]]
        elif name.startswith("right_"):
            perm[i] = INDEX["left_" + name[6:]]
        elif name == "mouth_left":
            perm[i] = INDEX["mouth_right"]
        elif name == "mouth_right":
            perm[i] = INDEX["mouth_left"]
    return tuple(perm)


#: ``points[MIRROR]`` exchanges every left landmark with its right counterpart.
MIRROR: tuple[int, ...] = _mirror_permutation()

#: Left/right index pairs per body part, used to undo label swaps part by part.
ARM_PAIRS: tuple[tuple[int, int], ...] = ((13, 14), (15, 16), (17, 18), (19, 20), (21, 22))
LEG_PAIRS: tuple[tuple[int, int], ...] = ((25, 26), (27, 28), (29, 30), (31, 32))
HEAD_PAIRS: tuple[tuple[int, int], ...] = ((1, 4), (2, 5), (3, 6), (7, 8), (9, 10))
TRUNK_PAIRS: tuple[tuple[int, int], ...] = ((11, 12), (23, 24))

#: Skeleton edges drawn by the overlays (torso, arms, legs, head).
EDGES: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 23), (12, 24), (23, 24),
    (11, 13), (13, 15), (12, 14), (14, 16),
    (15, 19), (16, 20),
    (23, 25), (25, 27), (24, 26), (26, 28),
    (27, 29), (29, 31), (27, 31), (28, 30), (30, 32), (28, 32),
    (7, 0), (8, 0),
)  # fmt: skip
