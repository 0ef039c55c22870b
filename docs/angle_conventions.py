"""Draw docs/angle_conventions.png: the canonical angles on constructed skeletons.

Run: .venv/bin/python docs/angle_conventions.py  (writes docs/angle_conventions.png)
The skeletons come from ``kinematics.pose_with_angles``; every label shows the value that
``kinematics.compute_angles`` measures on them, so the picture also checks the code.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Arc  # noqa: E402

from posture_feedback import landmarks as lm  # noqa: E402
from posture_feedback.kinematics import compute_angles, pose_with_angles  # noqa: E402
from posture_feedback.types import View  # noqa: E402

OUT = Path(__file__).with_suffix(".png")
BONES = [(a, b) for a, b in lm.EDGES if a not in (0, 7, 8) or b not in (0, 7, 8)] + [(7, 8)]


def pt(lms, i):
    """Display coordinates (x right, y up) of landmark i."""
    x, y = lms.image[i, :2]
    return np.array([x, -y])


def mid(lms, a, b):
    return (pt(lms, a) + pt(lms, b)) / 2


def direction_deg(v):
    return math.degrees(math.atan2(v[1], v[0]))


def arc(ax, centre, d1, d2, radius, colour, label, label_offset=1.35, fontsize=9, at=None):
    """Arc at centre between directions d1 and d2 (display vectors), the short way round.

    The label goes along the arc's bisector at ``label_offset`` radii, or at ``centre + at``.
    """
    a1, a2 = direction_deg(d1), direction_deg(d2)
    span = (a2 - a1) % 360
    start, end = (a1, a2) if span <= 180 else (a2, a1)
    ax.add_patch(Arc(centre, 2 * radius, 2 * radius, theta1=start, theta2=end, color=colour, lw=2))
    midang = math.radians(start + ((end - start) % 360) / 2)
    pos = centre + label_offset * radius * np.array([math.cos(midang), math.sin(midang)])
    if at is not None:
        pos = centre + np.asarray(at, float)
    ax.text(*pos, label, color=colour, fontsize=fontsize, ha="center", va="center", fontweight="bold")


def ray(ax, start, direction, length, colour, style="--"):
    d = np.asarray(direction, float)
    d = d / np.linalg.norm(d)
    end = start + length * d
    ax.plot([start[0], end[0]], [start[1], end[1]], style, color=colour, lw=1.2)


def skeleton(ax, lms):
    head = mid(lms, 7, 8)
    ax.add_patch(plt.Circle(head, 0.11 * np.linalg.norm(pt(lms, 11) - pt(lms, 23)) * 2, fc="0.93", ec="0.6", zorder=0))
    for a, b in BONES:
        p, q = pt(lms, a), pt(lms, b)
        ax.plot([p[0], q[0]], [p[1], q[1]], "-", color="0.55", lw=3, solid_capstyle="round", zorder=1)
    for i in (0, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28):
        ax.plot(*pt(lms, i), "o", color="0.2", ms=4, zorder=2)


def flexion(ax, lms, prox, vertex, dist, colour, text, radius=28, at=None):
    """180 − ∠(prox, vertex, dist): the angle between the proximal segment's extension and the distal one."""
    v = pt(lms, vertex)
    ext = v - pt(lms, prox)
    ray(ax, v, ext, radius * 1.6, colour)
    arc(ax, v, ext, pt(lms, dist) - v, radius, colour, text, at=at)


def tilt(ax, lms, left, right, colour, text, at=None):
    r, lft = pt(lms, right), pt(lms, left)
    radius = 0.75 * np.linalg.norm(lft - r)
    horizontal = np.array([1.0, 0.0]) if lft[0] > r[0] else np.array([-1.0, 0.0])
    ray(ax, r, horizontal, np.linalg.norm(lft - r) * 1.15, colour, ":")
    ax.plot([r[0], lft[0]], [r[1], lft[1]], "-", color=colour, lw=2)
    arc(ax, r, horizontal, lft - r, radius, colour, text, at=at)


def main() -> None:
    fig, (ax_side, ax_front) = plt.subplots(1, 2, figsize=(12, 7.5))

    # Side-on (camera on the person's left, azimuth +90): the sagittal angles.
    side = pose_with_angles(
        azimuth_deg=90,
        trunk_lean=20,
        head_lean=35,
        left_arm=(50, 0, 70),
        left_leg=(25, 60),
        right_leg=(-10, 10),
        right_arm=(-20, 0, 20),
        image_size=(640, 560),
        px_per_m=260,
    )
    a = compute_angles(side, View.SIDE, azimuth_deg=90).as_dict()
    skeleton(ax_side, side)
    flexion(ax_side, side, 11, 13, 15, "tab:red", f"left_elbow_flexion\n{a['left_elbow_flexion']:.0f}°", at=(-75, -40))
    sh = pt(side, 11)
    arc(
        ax_side,
        sh,
        pt(side, 13) - sh,
        pt(side, 23) - sh,
        34,
        "tab:orange",
        f"left_shoulder_elevation\n{a['left_shoulder_elevation']:.0f}°",
        at=(150, 5),
    )
    flexion(
        ax_side,
        side,
        11,
        23,
        25,
        "tab:green",
        f"left_hip_flexion\n{a['left_hip_flexion']:.0f}°",
        radius=34,
        at=(85, -45),
    )
    flexion(ax_side, side, 23, 25, 27, "tab:blue", f"left_knee_flexion\n{a['left_knee_flexion']:.0f}°", at=(-75, -20))
    hip_mid, sh_mid = mid(side, 23, 24), mid(side, 11, 12)
    ray(ax_side, hip_mid, (0, 1), 150, "tab:purple", ":")
    ax_side.plot(*zip(hip_mid, sh_mid, strict=True), "-", color="tab:purple", lw=2)
    arc(
        ax_side,
        hip_mid,
        np.array([0, 1]),
        sh_mid - hip_mid,
        70,
        "tab:purple",
        f"trunk_inclination\n{a['trunk_inclination']:.0f}°",
        at=(115, 45),
    )
    ear_mid = mid(side, 7, 8)
    forward = np.array([-1.0, 0.0])  # facing image left
    ray(ax_side, sh_mid, forward, 70, "tab:brown", ":")
    ax_side.plot(*zip(sh_mid, ear_mid, strict=True), "-", color="tab:brown", lw=2)
    arc(
        ax_side,
        sh_mid,
        forward,
        ear_mid - sh_mid,
        40,
        "tab:brown",
        f"craniovertebral_angle\n{a['craniovertebral_angle']:.0f}°",
        at=(-110, 25),
    )
    ax_side.set_title("Side view (sagittal plane), facing left\nflexion = angle from the straight line (dashed)")

    # Face-on (azimuth 0): the frontal-plane angles. The person's left is on image right.
    front = pose_with_angles(
        azimuth_deg=0,
        shoulder_tilt=10,
        pelvic_tilt=-6,
        head_tilt=14,
        right_arm=(70, 90, 0),
        left_arm=(15, 90, 0),
        image_size=(640, 560),
        px_per_m=260,
    )
    b = compute_angles(front, View.FRONT, azimuth_deg=0).as_dict()
    skeleton(ax_front, front)
    tilt(ax_front, front, 11, 12, "tab:red", f"shoulder_tilt\n{b['shoulder_tilt']:+.0f}°", at=(100, -30))
    tilt(ax_front, front, 23, 24, "tab:green", f"pelvic_tilt\n{b['pelvic_tilt']:+.0f}°", at=(80, -35))
    tilt(ax_front, front, 7, 8, "tab:blue", f"head_tilt\n{b['head_tilt']:+.0f}°", at=(110, 40))
    rs = pt(front, 12)
    arc(
        ax_front,
        rs,
        pt(front, 14) - rs,
        pt(front, 24) - rs,
        40,
        "tab:orange",
        f"right_shoulder_elevation\n(abduction) {b['right_shoulder_elevation']:.0f}°",
        at=(-110, -75),
    )
    for i, name in ((27, "person's LEFT"), (28, "person's RIGHT")):
        ax_front.text(*(pt(front, i) + np.array([0, -25])), name, ha="center", fontsize=10)
    ax_front.set_title("Front view (frontal plane), facing the camera\ntilts: + = the person's left side higher")

    for ax in (ax_side, ax_front):
        ax.set_aspect("equal")
        ax.axis("off")
    fig.suptitle("posture-feedback canonical angles (degrees), as measured by kinematics.compute_angles", fontsize=12)
    fig.tight_layout()
    fig.savefig(OUT, dpi=110)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
