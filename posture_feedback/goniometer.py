"""A still-image goniometer: the angle at a vertex between two arms, from three clicked points.

The therapist view freezes a frame and lets the user click three points (arm end, vertex,
arm end), like laying a goniometer on a photo. Points are image pixels of the frame as
captured (x right, y down); the result is a plain 2-D angle in the image plane (degrees),
not a 3-D joint angle: it is only as good as the camera's view of that plane.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


class GoniometerError(ValueError):
    """The three points do not define an angle (an arm has zero length)."""


def three_point_angle(
    a: Sequence[float], vertex: Sequence[float], b: Sequence[float], *, min_arm_px: float = 1.0
) -> float:
    """The angle ``a–vertex–b`` in degrees, in [0, 180].

    Args:
        a: (x, y) pixels of the end of the first arm.
        vertex: (x, y) pixels of the vertex (the joint).
        b: (x, y) pixels of the end of the second arm.
        min_arm_px: arms shorter than this many pixels raise ``GoniometerError``.
    """
    ax, ay = float(a[0]) - float(vertex[0]), float(a[1]) - float(vertex[1])
    bx, by = float(b[0]) - float(vertex[0]), float(b[1]) - float(vertex[1])
    la, lb = math.hypot(ax, ay), math.hypot(bx, by)
    if la < min_arm_px or lb < min_arm_px:
        raise GoniometerError(
            f"an arm of the goniometer is shorter than {min_arm_px:g} px: click three distinct points"
        )
    # atan2 of cross and dot products: accurate near 0° and 180°, unlike acos.
    return math.degrees(math.atan2(abs(ax * by - ay * bx), ax * bx + ay * by))


def deviation_from_straight(angle_deg: float) -> float:
    """180° minus the angle: the flexion read off a straight-arm goniometer (degrees, in [0, 180])."""
    return 180.0 - float(angle_deg)
