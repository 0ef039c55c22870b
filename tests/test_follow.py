"""Following one person at single-person cost (``follow.py``).

Crop geometry and the same-person / side-label checks on hand-placed landmarks; then the real
model on the lab clip with three people: the follower keeps the man picked at the start (the
same body points as the multi-person model every frame), a click moves it to the woman, and it
costs fewer multi-person passes than frames.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from posture_feedback import landmarks as lm
from posture_feedback.feedback import FINDING_TEXT, nobody_followed_text
from posture_feedback.follow import (
    FollowingEstimator,
    FollowOptions,
    _crowd,
    crop_box,
    distinct,
    labels_agree,
    masked,
    needs_recrop,
    same_person,
    shift_crop,
)
from posture_feedback.person import invariant_points
from posture_feedback.pipeline import Pipeline, PipelineOptions
from posture_feedback.sources import open_source
from posture_feedback.types import Frame, Landmarks


def _box_person(x0: float, y0: float, x1: float, y1: float, size=(1000, 800)) -> Landmarks:
    """A standing person filling the box (x0, y0)-(x1, y1), facing the camera (left at image right)."""
    cx, w, h = (x0 + x1) / 2, x1 - x0, y1 - y0
    pts = {
        "nose": (cx, y0), "left_ear": (cx + 0.1 * w, y0 + 0.02 * h), "right_ear": (cx - 0.1 * w, y0 + 0.02 * h),
        "left_shoulder": (x1, y0 + 0.2 * h), "right_shoulder": (x0, y0 + 0.2 * h),
        "left_hip": (cx + 0.2 * w, y0 + 0.55 * h), "right_hip": (cx - 0.2 * w, y0 + 0.55 * h),
        "left_knee": (cx + 0.2 * w, y0 + 0.8 * h), "right_knee": (cx - 0.2 * w, y0 + 0.8 * h),
        "left_ankle": (cx + 0.2 * w, y1), "right_ankle": (cx - 0.2 * w, y1),
    }  # fmt: skip
    return Landmarks.from_points(pts, image_size=size)


def test_crop_box_is_the_person_box_plus_margin_clipped_to_the_frame():
    p = _box_person(400, 200, 500, 600)  # 100 × 400 px: longer side 400, margin 0.25 → 100 px
    assert crop_box(p, (1000, 800), 0.25) == (300, 100, 600, 700)
    q = _box_person(20, 300, 120, 700)
    assert crop_box(q, (1000, 800), 0.25) == (0, 200, 220, 800)


def test_recrop_only_near_an_inner_edge():
    crop = (300, 100, 600, 700)
    assert not needs_recrop(_box_person(400, 200, 500, 600), crop, (1000, 800), 0.08)
    assert needs_recrop(_box_person(310, 200, 410, 600), crop, (1000, 800), 0.08)  # 10 px from the left edge
    # at the frame's own edge there is nothing more to see: no re-crop
    assert not needs_recrop(_box_person(0, 300, 100, 700), (0, 200, 220, 800), (1000, 800), 0.08)


def test_the_crop_shifts_just_enough_and_keeps_its_size():
    crop = (300, 100, 600, 700)  # 300 × 600 px; edge 0.08 → keep 2 × 0.08 × 300 = 48 px (x), 96 px (y)
    # box x 310..410: 48 px left of it means a crop from x = 262; y 200..600 already keeps 96 px
    assert shift_crop(_box_person(310, 200, 410, 600), crop, (1000, 800), 0.08) == (262, 100, 562, 700)
    # near the frame's left edge the crop stops at x = 0
    assert shift_crop(_box_person(10, 200, 110, 600), crop, (1000, 800), 0.08) == (0, 100, 300, 700)
    # a box wider than the crop minus both margins (250 > 300 − 96) needs a new crop
    assert shift_crop(_box_person(320, 200, 570, 600), crop, (1000, 800), 0.08) is None


def test_same_person_and_side_labels():
    a = _box_person(400, 200, 500, 600)
    shifted = _box_person(405, 205, 505, 605)
    beside = _box_person(470, 200, 570, 600)  # overlapping box, different person
    assert same_person(a, shifted)
    assert not same_person(a, beside)
    flipped = shifted.swapped(lm.ARM_PAIRS + lm.LEG_PAIRS + lm.HEAD_PAIRS + lm.TRUNK_PAIRS)
    assert same_person(a, flipped)  # invariant points do not care about the labels...
    assert labels_agree(a, shifted) and not labels_agree(a, flipped)  # ...the side check does


def test_a_masked_pass_paints_only_the_box_on_a_copy():
    image = np.zeros((80, 100, 3), np.uint8)
    frame = Frame(image, 3, 0.1, 0.0, "test")
    out = masked(frame, (10, 20, 30, 60))  # x0, y0, x1, y1
    assert (out.image[20:60, 10:30] == 128).all()
    assert out.image.sum() == 20 * 40 * 3 * 128  # nothing outside the box
    assert image.sum() == 0 and out.index == 3 and out.timestamp_s == 0.1  # the frame itself untouched
    assert masked(frame, None) is frame


def test_a_person_reported_twice_is_not_a_crowd():
    def person(x0: float) -> Landmarks:  # 400 px tall, 1.7 m: 235 px a metre
        p = _box_person(x0, 200, x0 + 100, 600)
        return p.with_arrays(world=p.image / 235.0)

    a, twice = person(400), person(410)  # the same body, 10 px (4 cm) off
    beside = person(510)  # 110 px (0.47 m) to the side: shoulder to shoulder
    assert not _crowd([a, twice]) and not _crowd([a])
    assert _crowd([a, beside]) and _crowd([a, twice, beside])


def test_a_weak_copy_over_a_person_at_the_frame_edge_is_not_a_second_person():
    """The desk sample's woman at the right edge, reported twice by one pass: boxes 0.49 IoU, body
    points 0.3-1.6 body sizes apart, one copy with a single confident point. The window said "3
    people in view" for 2 (a fifth audit). A weak copy over a person's box is that person; the
    confident one is kept, even when the weak copy's box is larger."""
    def person(x0: float, y0: float, x1: float, y1: float, conf: float | None = None) -> Landmarks:
        p = _box_person(x0, y0, x1, y1)
        c = p.visibility if conf is None else np.where(p.visibility > 0, conf, p.visibility)  # the points set
        return p.with_arrays(world=p.image / 235.0, visibility=c, presence=c)

    seen = person(600, 200, 646, 300)
    weak = person(592, 176, 632, 298, conf=0.2)  # taller box, nothing confident
    assert not _crowd([seen, weak]) and distinct([weak, seen]) == [seen]
    assert _crowd([seen, person(400, 200, 446, 300, conf=0.2)])  # a weak detection elsewhere stays
    # a confident copy nested in a weak whole body (sorted first, it is tested the other way round)
    whole, legs = person(400, 200, 500, 600, conf=0.4), person(424, 380, 476, 590)
    assert not _crowd([whole, legs]) and distinct([whole, legs]) == [legs]


def test_a_shrunken_copy_inside_a_person_is_not_a_second_person():
    """The sports sample's masked pass reported the walking woman twice: once whole, once over
    her legs (box nested in hers, every point confident, the points 0.3-0.9 body sizes off)."""
    def person(x0: float, y0: float, x1: float, y1: float) -> Landmarks:
        p = _box_person(x0, y0, x1, y1)
        return p.with_arrays(world=p.image / 235.0)

    whole = person(400, 200, 500, 600)  # 100 × 400 px
    legs = person(420, 380, 480, 590)  # 60 × 210 px, inside: a third of her box
    assert not _crowd([legs, whole]) and distinct([legs, whole])[0] is whole  # the larger one kept
    assert _crowd([whole, person(510, 200, 610, 600)])  # shoulder to shoulder: two people
    assert _crowd([whole, person(700, 300, 740, 450)])  # smaller, further back, beside: two people
    assert _crowd([whole, person(440, 300, 470, 380)])  # far smaller (6%) though inside: not a copy


def test_a_masked_pass_leaves_holes_where_people_overlapping_the_followed_one_were_seen():
    image = np.full((80, 100, 3), 7, np.uint8)
    frame = Frame(image, 3, 0.1, 0.0, "test")
    out = masked(frame, (10, 20, 60, 70), holes=((40, 30, 90, 50),))
    painted = out.image[..., 0] == 128
    assert painted[20:70, 10:40].all() and painted[50:70, 40:60].all()  # the box outside the hole
    assert not painted[30:50, 40:60].any()  # the hole keeps the picture
    assert painted.sum() == 50 * 50 - 20 * 20  # nothing outside the box
    assert (image == 7).all()  # the frame itself untouched


@pytest.fixture(scope="module")
def lab_frames(lab_video_front: Path):
    frames = []
    with open_source(lab_video_front) as src:
        for frame in src:
            frames.append(frame)
            if len(frames) == 48:
                break
    return frames


def _mid_shoulders(r) -> np.ndarray:
    return _mid_shoulders_of(r.landmarks)


def _mid_shoulders_of(person) -> np.ndarray:
    pts, _ = invariant_points(person)
    return pts[1]


def test_follows_the_same_person_as_the_multi_person_model(lab_frames):
    """The man on the platform (picked at 540,700) is followed by both paths: the same body."""
    runs = {}
    for enabled in (False, True):
        opts = PipelineOptions(follow=FollowOptions(enabled=enabled))
        with Pipeline(opts) as pipe:
            pipe.start_with_person_at((540, 700))
            runs[enabled] = [pipe.process(f) for f in lab_frames]
            if enabled:
                assert isinstance(pipe._estimator, FollowingEstimator)
    both = [(a, b) for a, b in zip(runs[False], runs[True], strict=True) if a.person_found and b.person_found]
    assert len(both) >= 0.8 * len(lab_frames)
    from posture_feedback.person import body_scale

    dist = [np.linalg.norm(_mid_shoulders(a) - _mid_shoulders(b)) / body_scale(a.landmarks) for a, b in both]
    assert np.median(dist) < 0.1 and np.percentile(dist, 90) < 0.25


def test_click_moves_the_follower_to_the_other_person(lab_frames):
    with Pipeline(PipelineOptions(follow=FollowOptions(enabled=True))) as pipe:
        pipe.start_with_person_at((540, 700))
        results = [pipe.process(f) for f in lab_frames[:20]]
        man = results[-1]
        others = [p for i, p in enumerate(man.people) if i != man.target_index]
        assert others, "the scout found the other people"
        woman = max(others, key=lambda p: p.bbox()[3] - p.bbox()[1])  # the largest other: the foreground woman
        assert pipe.request_target(tuple(woman.center()))
        after = [pipe.process(f) for f in lab_frames[20:]]
        # While the follower takes her over, nobody is measured, but nobody is asked to click again either.
        for r in after[:5]:
            assert r.person_found or r.target_pending, r.frame.index
            if not r.person_found:
                assert nobody_followed_text(len(r.people), r.target_pending) == FINDING_TEXT
        followed = [r for r in after[3:] if r.person_found]
        assert followed
        for r in followed:
            assert same_person(r.landmarks, woman) or np.linalg.norm(r.landmarks.center() - woman.center()) < 150


def test_follow_is_off_by_default():
    assert not PipelineOptions().follow.enabled  # None: the command decides; the pipeline reads it as off
    assert PipelineOptions().follow.enabled is None
    assert replace(FollowOptions(), enabled=True).scout_interval_s == 0.5


def test_the_app_follows_by_default_and_recordings_do_not():
    import argparse

    from posture_feedback.cli import build_parser

    parser = build_parser()
    from posture_feedback.commands.app import options_from_args

    app = options_from_args(parser.parse_args(["app", "--source", "sample"]))
    assert app.pipeline.follow.enabled
    off = options_from_args(parser.parse_args(["app", "--source", "sample", "--no-follow"]))
    assert not off.pipeline.follow.enabled
    # the posture monitor (10 frames/s) keeps the multi-person model unless asked (docs/laptop_coach.md)
    monitor = options_from_args(parser.parse_args(["app", "--source", "sample", "--monitor"]))
    assert monitor.monitor and not monitor.pipeline.follow.enabled
    asked = options_from_args(parser.parse_args(["app", "--source", "sample", "--monitor", "--follow"]))
    assert asked.pipeline.follow.enabled
    analyze = parser.parse_args(["analyze", "--video", "sample"])
    assert isinstance(analyze, argparse.Namespace) and analyze.follow is None  # recordings: off unless --follow


def test_a_config_file_follows_the_app_only_where_it_says_so(tmp_path):
    """An audit: any --config file, even the generated config.default.toml, turned the app's
    following off. The generated file leaves following to the command; a file that sets it is
    obeyed; --follow / --no-follow win over the file."""
    from posture_feedback.cli import build_parser
    from posture_feedback.commands.app import options_from_args
    from posture_feedback.config import default_config_text

    parser = build_parser()
    default = tmp_path / "default.toml"
    default.write_text(default_config_text(), encoding="utf-8")

    def app(*extra: str):
        return options_from_args(parser.parse_args(["app", "--source", "sample", *extra]))

    # the default file changes nothing in any mode of the app
    for mode in ((), ("--therapist",), ("--monitor",)):
        assert app(*mode, "--config", str(default)) == app(*mode), mode
    assert app("--config", str(default)).pipeline.follow.enabled is True
    assert app("--monitor", "--config", str(default)).pipeline.follow.enabled is False
    # a file that says so is obeyed ...
    off, on = tmp_path / "off.toml", tmp_path / "on.toml"
    off.write_text("[follow]\nenabled = false\n", encoding="utf-8")
    on.write_text("[follow]\nenabled = true\n", encoding="utf-8")
    assert app("--config", str(off)).pipeline.follow.enabled is False
    assert app("--monitor", "--config", str(on)).pipeline.follow.enabled is True
    # ... and the command line wins over it
    assert app("--config", str(off), "--follow").pipeline.follow.enabled is True
    assert app("--config", str(on), "--no-follow").pipeline.follow.enabled is False
    # a file setting something else leaves following to the app
    other = tmp_path / "other.toml"
    other.write_text("[smoothing]\nbeta = 1.5\n", encoding="utf-8")
    assert app("--config", str(other)).pipeline.follow.enabled is True


def test_a_person_out_of_view_is_looked_for_without_the_multi_person_model(lab_frames):
    """While the followed man is out of view (blank frames stand in for an empty scene), each
    frame costs the follower and, every search interval, a scout pass; never the multi-person
    model on the frame's thread. When he is back he is followed again within a few frames."""
    with Pipeline(PipelineOptions(follow=FollowOptions(enabled=True))) as pipe:
        pipe.start_with_person_at((540, 700))
        for f in lab_frames[:16]:
            pipe.process(f)
        est = pipe._estimator
        assert not est.multi_mode
        t, dt = lab_frames[15].timestamp_s, lab_frames[1].timestamp_s - lab_frames[0].timestamp_s
        calls: list[str] = []
        for i in range(10):  # a third of a second of empty scene
            t += dt
            blank = Frame(np.zeros_like(lab_frames[0].image), 100 + i, t, 0.0, "blank")
            assert not pipe.process(blank).person_found
            calls += est.calls
        assert "multi" not in calls and calls.count("scout") <= 3
        back = []
        for i, f in enumerate(lab_frames[16:40]):
            t += dt
            back.append(pipe.process(Frame(f.image, 200 + i, t, 0.0, f.source)))
        first = next(i for i, r in enumerate(back) if r.person_found)
        assert first <= 5
        from posture_feedback.person import body_scale

        with Pipeline(PipelineOptions()) as ref:  # the multi-person model on every frame, same man
            ref.start_with_person_at((540, 700))
            expected = [ref.process(f) for f in lab_frames[:40]][16:]
        pairs = [(a, b) for a, b in zip(back, expected, strict=True) if a.person_found and b.person_found]
        assert len(pairs) >= 15
        dist = [np.linalg.norm(_mid_shoulders(a) - _mid_shoulders(b)) / body_scale(b.landmarks) for a, b in pairs]
        assert np.median(dist) < 0.1


def test_the_laptop_user_is_kept_when_someone_else_stands_beside_him():
    """Webcam-style desk sample (the man close up, hips out of view; a woman at the right edge),
    played forward and back: following keeps the man on every frame. Before, the follower once
    gave him a third of his size, selection took that for someone else, the single-person
    search then latched onto the woman and, after the lost timeout, she became the target
    (622 of 792 frames found, the woman measured)."""
    from posture_feedback.resources import sample_video

    with open_source(sample_video("lab_desk_webcam.mp4")) as src:
        images = [f.image for f in src]
    images = images + images[::-1]
    with Pipeline(PipelineOptions(follow=FollowOptions(enabled=True))) as pipe:
        results = [pipe.process(Frame(im, k, k / 30, 0.0, "desk")) for k, im in enumerate(images)]
        multi_frames = sum("multi" in calls for calls in pipe._estimator.calls_log.values())
    found = [r for r in results if r.person_found]
    assert len(found) >= 0.98 * len(results)
    width = images[0].shape[1]
    xs = np.array([_mid_shoulders(r)[0] for r in found])
    assert xs.max() < 0.75 * width  # never the woman (her shoulders are at about 0.9 of the width)
    assert multi_frames <= 20  # of the last 256 frames: the man is followed at single-person cost


def test_a_person_alone_costs_a_multi_person_pass_a_second_and_a_crowd_two(lab_frames):
    """The multi-person pass shares the cores with the frame shown. While the passes see nobody but
    one person (the desk sample's first 2 s with the woman beside him painted out) it runs once a
    second; once a pass has seen two people (the lab clip), twice a second."""
    from posture_feedback.resources import sample_video

    def passes(frames, options: FollowOptions) -> list[tuple[int, int]]:
        """(frame, people listed after the pass) of every multi-person pass, plain or masked."""
        out = []
        with Pipeline(PipelineOptions(follow=options)) as pipe:
            for k, frame in enumerate(frames):
                result = pipe.process(Frame(frame.image, k, k / 30, 0.0, "test"))
                if {"scout", "scout-masked"} & set(pipe._estimator.calls):
                    out.append((k, len(result.people)))
        return out

    with open_source(sample_video("lab_desk_webcam.mp4")) as src:
        desk = [f for _, f in zip(range(60), src, strict=False)]
    for frame in desk:  # the woman at the right edge painted out: the laptop user alone
        frame.image[:, int(0.8 * frame.image.shape[1]) :] = 128
    alone = passes(desk, FollowOptions(enabled=True))
    as_before = passes(desk, FollowOptions(enabled=True, alone_scout_interval_s=0.5))
    assert len(alone) <= 3 < len(as_before)  # 2 s: the forced first pass, then one a second (was 4–5)
    lab = passes(lab_frames, FollowOptions(enabled=True))
    after_two = [b - a for (a, n), (b, _) in zip(lab, lab[1:], strict=False) if n >= 2]
    assert after_two and all(gap == 15 for gap in after_two)  # 0.5 s at 30 frames/s


def test_the_person_beside_a_close_laptop_user_is_listed_while_he_is_followed():
    """On the desk sample the woman at the right edge (shoulders at about 0.9 of the width) stands
    beside a man close up. A multi-person pass over the whole frame rarely reports her (listed in
    31 of 198 frames with plain passes; the multi-person model on every frame: 32); the passes
    with the followed man painted over find her (166 of 198), while he is still the one measured."""
    from posture_feedback.resources import sample_video

    with open_source(sample_video("lab_desk_webcam.mp4")) as src:
        images = [f.image for f in src]
    width = images[0].shape[1]
    with Pipeline(PipelineOptions(follow=FollowOptions(enabled=True))) as pipe:
        results = [pipe.process(Frame(im, k, k / 30, 0.0, "desk")) for k, im in enumerate(images)]
    listed = sum(any(_mid_shoulders_of(p)[0] > 0.8 * width for p in r.people) for r in results)
    assert listed >= 0.5 * len(results)
    measured = [_mid_shoulders(r)[0] for r in results if r.person_found]
    assert len(measured) == len(results) and max(measured) < 0.75 * width  # always the man


def test_a_person_half_behind_the_followed_one_is_listed():
    """On the lab clip (cam01) the man stands partly behind the followed woman, his body centre
    inside her box: a pass with her box painted over missed him, and a plain pass rarely finds him
    beside her (listed in 75 of 100 frames; the multi-person model on every frame: 92). The masked
    passes leave a hole where he was last seen, and the first masked pass runs as soon as the
    follower holds its person."""
    from posture_feedback.resources import sample_video

    with open_source(sample_video("lab_two_people_cam01.mp4")) as src:
        images = [f.image for f in src]
    with Pipeline(PipelineOptions(follow=FollowOptions(enabled=True))) as pipe:
        results = [pipe.process(Frame(im, k, k / 30, 0.0, "lab")) for k, im in enumerate(images)]
    assert sum(len(r.people) >= 2 for r in results) >= 0.9 * len(results)  # 97 of 100
    assert all(r.person_found for r in results[2:])


def test_a_walking_person_is_listed_once():
    """The sports sample shows two people: the man on the roof and a woman walking past. The
    plain and masked passes each see her at a different place up to a second apart; she must
    be listed once, where the latest pass saw her (listing each kind of pass's people separately
    showed three people in 97 of 230 frames)."""
    from posture_feedback.resources import sample_video

    with open_source(sample_video("sports2d_demo.mp4")) as src:
        images = [f.image for f in src]
    with Pipeline(PipelineOptions(follow=FollowOptions(enabled=True))) as pipe:
        counts = [len(pipe.process(Frame(im, k, k / 30, 0.0, "sports")).people) for k, im in enumerate(images)]
    assert max(counts) <= 2
    assert sum(n == 2 for n in counts) >= 0.5 * len(counts)  # both listed in most frames (143 of 230)
    # She walks in while the man is alone (the multi-person model first sees her at frame 59): the
    # change beside him brings the next pass forward (scene_motion), so she is listed at frame 62,
    # not at the next once-a-second pass (frame 77).
    assert next(k for k in range(50, len(counts)) if counts[k] == 2) <= 66
