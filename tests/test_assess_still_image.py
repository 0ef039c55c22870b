"""A still image given to a chair test is refused as a still image, not as "nobody found".

An audit (2026-12-07) gave ``assess chair five_times_sit_to_stand`` and ``assess movement
sit_to_stand`` a still image of the accuracy set's front view (cam02 frame 72: the man in full view,
hips and feet visible) and was told "nobody found in the recording: the camera must see the person's
hips and feet". Real model on the real frame; a crop of the same video's ceiling (nobody in it) still
says "nobody found"; nothing is stored with the profile.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from posture_feedback.cli import main

CAM02 = Path(__file__).resolve().parents[2] / "shared" / "accuracy" / "data" / "videos" / "cam02.mp4"


def _frame(k: int):
    import cv2

    cap = cv2.VideoCapture(str(CAM02))
    cap.set(cv2.CAP_PROP_POS_FRAMES, k)
    ok, img = cap.read()
    cap.release()
    assert ok
    return img


@pytest.mark.skipif(not CAM02.exists(), reason="the accuracy set (../shared/accuracy) is not present")
def test_a_still_image_of_a_person_in_full_view_is_refused_as_one_frame(tmp_path, capsys):
    import cv2

    from posture_feedback.assessment.chair_stand import hip_height_px
    from posture_feedback.pipeline import analyze_video
    from posture_feedback.storage import Database

    still = tmp_path / "still.png"
    assert cv2.imwrite(str(still), _frame(72))
    (result,) = analyze_video(still, person=(491.0, 793.0))
    assert hip_height_px(result) > 300  # the model sees his hips well above his feet (pixels)

    data = str(tmp_path / "data")
    assert main(["profile", "create", "--profile", "Ann", "--data-dir", data]) == 0
    capsys.readouterr()
    runs = (["chair", "five_times_sit_to_stand", "--video", str(still), "--age", "70"],
            ["movement", "sit_to_stand", "--front", str(still)])  # fmt: skip
    for i, run in enumerate(runs):
        argv = ["assess", *run, "--person", "491,793", "--profile", "Ann", "--data-dir", data, "--out",
                str(tmp_path / f"o{i}")]  # fmt: skip
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "nobody found" not in err[0], err
        assert "the recording has only 1 frame (a still image?)" in err[0], err

    crop = tmp_path / "ceiling.png"
    assert cv2.imwrite(str(crop), cv2.resize(_frame(10)[0:360, 0:480], (640, 480)))
    clip = tmp_path / "ceiling.mp4"
    out = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (640, 480))
    for _ in range(10):
        out.write(cv2.imread(str(crop)))
    out.release()
    argv = ["assess", "chair", "five_times_sit_to_stand", "--video", str(clip), "--profile", "Ann",
            "--data-dir", data, "--out", str(tmp_path / "o3")]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["posture-feedback: error: nobody found in the recording: the camera must see the person's "
                   "hips and feet"], err  # fmt: skip
    with Database.open_default(data) as db:
        assert db.assessments(db.profile_by_name("Ann").id) == []
