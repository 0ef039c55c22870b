#!/usr/bin/env bash
# A second 4-camera clip, not in the repository, to check the accuracy figures on other footage.
#
# The accuracy set (../shared/accuracy) is Pose2Sim's Demo_MultiPerson. The same pose2sim==0.10.49
# wheel on PyPI (BSD-3-Clause, (c) David Pagnon / perfanalytics) holds Demo_SinglePerson: the same
# man on the same platform, same four calibrated cameras (the identical Calib.qca.txt), another 100
# frames at 60 fps (lateral leans to 44 deg, arm swings, leg lifts), nobody in front of him. Faces are
# pixelated in both clips.
#
# This script copies the accuracy set's tools into DIR, puts Demo_SinglePerson's videos in, builds the
# 4-camera reference with the set's own make_reference.py (about 1 minute on 2 cores), makes the two
# laptop-webcam crops of the front view (cam02; boxes moved for this clip: upper = head to upper thigh,
# desk = head to chest, hips out of view), runs `posture-feedback analyze` on the 4 views and the 2
# crops and scores them (score.py --all, webcam.py --score). Nothing is written into the repository.
#
#   bash bench/second_clip.sh [DIR]        # default /tmp/pf_second_clip
#
# Needs: the project's .venv (python3 dev.py), ../shared/accuracy, network access to PyPI (or
# PIP_FIND_LINKS with the wheel), unzip. The results of 2026-12-07 are in docs/accuracy.md ("A second
# clip").
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ACC="${ACCURACY_DIR:-$ROOT/../shared/accuracy}"
DIR="${1:-/tmp/pf_second_clip}"
PY="$ROOT/.venv/bin/python"
PF="$ROOT/.venv/bin/posture-feedback"
MODEL="${POSE_MODEL:-$ACC/../models/pose_landmarker_full.task}"
[ -f "$MODEL" ] || MODEL="$ROOT/models/pose_landmarker_full.task"
# never remove a folder this script did not make (it leaves a marker file in its own)
if [ -e "$DIR" ] && [ ! -f "$DIR/.pf_second_clip" ]; then
  echo "second_clip.sh: $DIR exists and was not made by this script; give a new folder" >&2
  exit 2
fi
rm -rf "$DIR"
mkdir -p "$DIR/wheel"
touch "$DIR/.pf_second_clip"
cp -r "$ACC" "$DIR/acc"
chmod -R u+w "$DIR/acc"
rm -rf "$DIR/acc/data/cache" "$DIR/acc/data/baseline" "$DIR/acc/data/webcam" "$DIR/acc/data/reference"*
"$PY" -m pip download pose2sim==0.10.49 --no-deps -d "$DIR/wheel" -q
DEMO=Pose2Sim/Demo_SinglePerson
unzip -q -o "$DIR"/wheel/pose2sim-0.10.49-*.whl "$DEMO/videos/*.mp4" "$DEMO/calibration/Calib.qca.txt" -d "$DIR/x"
cmp "$DIR/x/$DEMO/calibration/Calib.qca.txt" "$DIR/acc/data/Calib.qca.txt"   # the same rig
cp "$DIR/x/$DEMO/videos/"cam0[1-4].mp4 "$DIR/acc/data/videos/"
# this clip's framing of the man in cam02 (x, y, w, h in cam02 pixels)
sed -i 's/^BOXES = .*/BOXES = {"upper": (290, 330, 693, 520), "desk": (387, 340, 427, 320)}/' "$DIR/acc/webcam.py"
cd "$DIR/acc"
POSE_MODEL="$MODEL" "$PY" make_reference.py > "$DIR/make_reference.log" 2>&1
"$PY" webcam.py > /dev/null
mkdir -p "$DIR/pred"
for v in cam01 cam02 cam03 cam04; do
  "$PF" analyze --video "data/videos/$v.mp4" --uncertainty --validity --no-progress --out "$DIR/pred/$v.csv" > /dev/null
done
for f in upper desk; do
  "$PF" analyze --video "data/webcam/$f.mp4" --uncertainty --validity --no-progress --out "$DIR/pred/$f.csv" > /dev/null
done
"$PY" score.py --all "$DIR/pred" --person main
"$PY" webcam.py --score "$DIR/pred"
echo "laptop signals: $PY $ROOT/bench/laptop_signals.py --accuracy-dir $DIR/acc --neutral-start 10 --cache $DIR/signals --out $DIR/laptop_signals.json"
