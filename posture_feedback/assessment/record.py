"""The record of one evaluation: measures with uncertainty, references and MDC, plus details; JSON in and out.

Each number is a ``storage.models.Measure`` (the type the database stores), so a record can be
saved with ``Database.add_assessment(profile_id, record.kind, record.to_dict(), record.measures)``
once a profile exists; until then ``save_json`` writes ``record.json``. ``details`` carries what
a Measure has no field for, keyed by the measure's label ("knee_flexion (left)"): the frame
index, the snapshot file, repetition peaks, the verdict against the reference.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from posture_feedback.errors import PostureFeedbackError
from posture_feedback.storage.models import Measure

RECORD_VERSION = 1
KINDS: tuple[str, ...] = ("posture", "rom", "movement", "functional")


class RecordError(PostureFeedbackError):
    """An assessment record file cannot be read (missing, damaged, or of another kind)."""


def verdict(value: float, uncertainty: float, low: float | None, high: float | None) -> str:
    """ "within", "outside", "uncertain" or "not measured", for ``value ± uncertainty`` (the 80%
    interval, the value's unit) against the reference range ``[low, high]`` (None = open).

    "within": the whole interval lies in the range; "outside": the whole interval lies beyond it;
    "uncertain": the interval holds both a value in the range and one beyond it, so the measurement
    cannot tell (until 2026-12-07 a value in the range was "within" however wide its interval:
    pelvic tilt −1.0 ± 20.2° against −2…2° read "within"). NaN uncertainty: the value alone.

    Judged on the numbers as every surface prints them ("−24.6 ± 22.6", ``side_words.PRINTED_DIGITS``
    decimals: the evaluation's lines, its window and report, the history and the PDF), so the interval a
    reader works out from the printed line has the verdict written beside it: −24.64 ± 22.62 against
    −2…2 reaches −2.02 (outside) but prints as reaching −2.0, in the range (an audit)."""
    from posture_feedback.side_words import PRINTED_DIGITS as d

    if not math.isfinite(value):
        return "not measured"
    v = round(value, d)
    u = round(uncertainty, d) if math.isfinite(uncertainty) and uncertainty > 0 else 0.0
    a, b = round(v - u, d), round(v + u, d)  # (rounded again: −24.6 + 22.6 is −2.0000000000000018)
    lo = low if low is not None else -math.inf
    hi = high if high is not None else math.inf
    if a >= lo and b <= hi:
        return "within"
    if b < lo or a > hi:
        return "outside"
    return "uncertain"


#: The tone of a verdict, for its colour (the HTML report's row class): "within", "outside" (a
#: concern), "uncertain", or "better" (beyond the range on the better side of a performance test:
#: more chair stands than three quarters of the age group; neutral blue, never the concern's pink).
TONES: tuple[str, ...] = ("within", "outside", "uncertain", "better")


def worded_verdict(
    value: float,
    uncertainty: float,
    low: float | None,
    high: float | None,
    words: tuple[str, str, str] | None = None,
    better: str | None = None,
) -> tuple[str, str]:
    """(verdict, tone) of ``value ± uncertainty`` against ``[low, high]`` by ``verdict``'s one rule.

    Without ``words`` the verdict is ``verdict``'s own word and the tone the same word (or "" for
    "not measured"). With ``words`` = (below, within, above) a performance test says on which side
    of the range the value lies: "outside" below the range becomes ``words[0]``, above it
    ``words[2]``, "within" ``words[1]`` ("" keeps "within"); "uncertain" stays. ``better``
    ("higher" or "lower": which way of the number is the better performance) gives the tone:
    "better" beyond the range on that side, "outside" on the other (a fourteenth audit saw 19 chair
    stands against 11-16 read "outside", pink, as 5 stands did)."""
    word = verdict(value, uncertainty, low, high)
    tone = word if word in TONES else ""
    if words is None or word not in ("within", "outside"):
        return word, tone
    if word == "within":
        return words[1] or word, tone
    u = uncertainty if math.isfinite(uncertainty) and uncertainty > 0 else 0.0
    side = "below" if low is not None and value + u < low else "above"
    good = (side == "above" and better == "higher") or (side == "below" and better == "lower")
    return (words[0] if side == "below" else words[2]), ("better" if good else "outside")


def verdict_tone(detail: dict[str, Any]) -> str:
    """The tone of a measure's stored verdict (``TONES``; "" for none): the record's own
    ``verdict_tone``, else, for a record written before it existed, the verdict word itself."""
    tone = detail.get("verdict_tone")
    if tone in TONES:
        return str(tone)
    word = str(detail.get("verdict", ""))
    return word if word in ("within", "outside", "uncertain") else ""


def _clean(obj: Any) -> Any:
    """JSON-safe copy: NaN/inf become None, tuples lists, paths strings."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj


@dataclass
class AssessmentRecord:
    """One evaluation (posture screen, ROM test or movement screen).

    Attributes:
        kind: "posture", "rom", "movement" or "functional" (timed chair tests).
        title: human-readable name ("Posture screen", "ROM: shoulder flexion (left)").
        measures: the numbers, with uncertainty, reference, source and MDC.
        details: per measure label: frame index, snapshot, peaks, verdict, n_frames, spread...
        inputs: what was measured from (video paths, views, frame ranges).
        calibration: camera / scale calibrations used (dicts), empty if none.
        snapshots: annotated images written (file names relative to the record's folder).
        warnings: things the reader must know (e.g. "camera not calibrated").
        created_at: ISO 8601 time.
    """

    kind: str
    title: str
    measures: list[Measure] = field(default_factory=list)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    calibration: dict[str, Any] = field(default_factory=dict)
    snapshots: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def measure(self, name: str, side: str | None = None) -> Measure | None:
        for m in self.measures:
            if m.name == name and m.side == side:
                return m
        return None

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "version": RECORD_VERSION,
                "kind": self.kind,
                "title": self.title,
                "created_at": self.created_at,
                "measures": [asdict(m) for m in self.measures],
                "details": self.details,
                "inputs": self.inputs,
                "calibration": self.calibration,
                "snapshots": self.snapshots,
                "warnings": self.warnings,
            }
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AssessmentRecord:
        try:
            if data.get("version", 1) > RECORD_VERSION:
                raise RecordError(f"assessment record version {data['version']} is newer than this program")
            measures = []
            for m in data["measures"]:
                d = dict(m)
                for k in ("value", "uncertainty"):
                    d[k] = math.nan if d.get(k) is None else float(d[k])
                measures.append(Measure(**d))
            return cls(
                kind=data["kind"],
                title=data.get("title", data["kind"]),
                measures=measures,
                details=data.get("details", {}),
                inputs=data.get("inputs", {}),
                calibration=data.get("calibration", {}),
                snapshots=list(data.get("snapshots", [])),
                warnings=list(data.get("warnings", [])),
                created_at=data.get("created_at", ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RecordError(f"damaged assessment record: {exc!r}") from None

    def save_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")
        return path

    @classmethod
    def load_json(cls, path: str | Path) -> AssessmentRecord:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise RecordError(f"no assessment record at {path}") from None
        except IsADirectoryError:  # said "[Errno 21] Is a directory: '…'" (audit 28)
            raise RecordError(f"{path} is a folder: give the record.json in it") from None
        except OSError as exc:
            raise RecordError(f"cannot read assessment record {path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise RecordError(f"cannot read assessment record {path}: {exc}") from None
        if not isinstance(data, dict):
            raise RecordError(f"{path} is not an assessment record")
        return cls.from_dict(data)
