"""Joint labels never cover each other (hand-worked boxes)."""

from __future__ import annotations

from posture_feedback.annotate import free_label_origin, text_box


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_two_labels_at_one_joint_are_written_one_under_the_other():
    """The hips' level and the trunk's lean both start at the mid-hip: "1° OK" was written over
    "−3±7 UNSURE" (a new-user audit)."""
    placed: list[tuple[int, int, int, int]] = []
    first = free_label_origin("1 OK left up", (100, 200), 1.0, placed)
    second = free_label_origin("−3±7 UNSURE", (100, 200), 1.0, placed)
    assert first == (100, 200)  # the first keeps its place
    assert second[0] == 100 and second[1] > 200  # the second moves down, same column
    assert not _overlap(text_box("1 OK left up", first, 1.0), text_box("−3±7 UNSURE", second, 1.0))
    assert len(placed) == 2


def test_a_label_away_from_the_others_keeps_its_place():
    placed = [text_box("−8±11 UNSURE", (100, 100), 1.0)]
    assert free_label_origin("−2±6 UNSURE", (100, 160), 1.0, placed) == (100, 160)
