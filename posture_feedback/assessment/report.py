"""A printable single-file HTML report of one or more assessment records: snapshots, measures, references, trust.

The snapshots are embedded (base64 PNG), so the file can be mailed or printed on its own.
Each measure shows value ± uncertainty, the reference range and its source, the verdict
("within", "outside", "uncertain" = value ± uncertainty reaches both into and beyond the range;
``record.verdict``) and the MDC. With a
previous evaluation, a change column says whether each difference is a real change by the rule of
``change`` (beyond this tool's own error and the stored MDC).
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from pathlib import Path

from posture_feedback.assessment.record import AssessmentRecord, verdict_tone
from posture_feedback.assessment.references import SOURCES
from posture_feedback.assessment.uncertainty import Change, compare_measures
from posture_feedback.errors import PostureFeedbackError
from posture_feedback.side_words import side_text
from posture_feedback.words import count_noun, measure_words

CSS = """
body { font-family: sans-serif; margin: 2em; color: #111; max-width: 60em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
td, th { border: 1px solid #bbb; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; }
.outside { background: #fde0d0; } .uncertain { background: #fff3c4; } .within { background: #e3f2e1; }
.better { background: #dde8f7; }
img { max-width: 100%; border: 1px solid #999; margin: 0.5em 0; page-break-inside: avoid; }
.warn { color: #8a4b00; } .small { font-size: 0.85em; color: #444; }
"""


def _num(v: float | None, digits: int = 1) -> str:
    if v is None or not math.isfinite(v):
        return "–"
    return f"{v:.{digits}f}"


def reference_range_text(low: float | None, high: float | None) -> str:
    """A reference range as written in the reports: "20 to 40", "≥ 31.5", "≤ 10", "–" (none);
    numbers as stored (``:g``), so a limit the verdict used is the limit shown."""
    if low is None and high is None:
        return "–"
    if low is None:
        return f"≤ {high:g}"
    if high is None:
        return f"≥ {low:g}"
    return f"{low:g} to {high:g}"


def _measures_table(record: AssessmentRecord, changes: dict[str, Change]) -> str:
    rows = []
    for m in record.measures:
        d = record.details.get(m.label, {})
        verdict = str(d.get("verdict", ""))
        cls = verdict_tone(d)
        if d.get("mdc_source"):
            d = {**d, "mdc_note": f"MDC: {d['mdc_source']}"}
        unit = "°" if m.unit == "deg" else f" {m.unit}"
        value = (f"{_num(m.value)}{unit} ± {_num(m.uncertainty)}{side_text(m.name, m.value, m.uncertainty)}"
                 if math.isfinite(m.value) else "not measured")  # fmt: skip
        extra = []
        if "n_reps" in d:
            extra.append(f"{count_noun(d['n_reps'], 'repetition')}, best at frame {d.get('best_frame')}")
        if d.get("frame", -1) not in (-1, None):
            extra.append(f"frame {d['frame']}")
        if d.get("n_frames"):
            extra.append(f"{d['n_frames']} frames")
        if d.get("reference_is_tool_tolerance"):
            extra.append("range width is this tool's tolerance")
        if d.get("mdc_note"):
            extra.append(d["mdc_note"])
        typical = "" if m.reference is None else f" (typ. {m.reference:g})"
        ch = changes.get(m.label)
        change = html.escape(ch.describe()) if ch else "–"
        rows.append(
            f"<tr class='{cls}'><td>{html.escape(measure_words(m.name, m.side).replace('_', ' '))}</td><td>{value}</td>"
            f"<td>{reference_range_text(m.reference_low, m.reference_high)}{typical}</td>"
            f"<td>{html.escape(verdict)}</td>"
            f"<td>{_num(m.mdc)}</td><td>{change}</td>"
            f"<td class='small'>{html.escape('; '.join(extra))}<br>{html.escape(str(d.get('reference_note', '')))}</td>"
            f"</tr>"
        )
    head = (
        "<tr><th>measure</th><th>value ± uncertainty</th><th>reference</th><th>verdict</th>"
        "<th>MDC95</th><th>change since previous</th><th>notes</th></tr>"
    )
    return f"<table>{head}{''.join(rows)}</table>"


def _image(path: Path) -> str:
    try:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
    except OSError:
        return f"<p class='warn'>snapshot {html.escape(path.name)} missing</p>"
    return f"<img alt='{html.escape(path.name)}' src='data:image/png;base64,{data}'>"


def render_html(
    records: Sequence[AssessmentRecord],
    snapshot_dir: str | Path | None = None,
    previous: Sequence[AssessmentRecord] = (),
    title: str = "Movement and posture evaluation",
) -> str:
    """The report as an HTML string (snapshots read from ``snapshot_dir`` and embedded)."""
    prev = [m for r in previous for m in r.measures]
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
        f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>",
    ]
    cited: set[str] = set()
    for rec in records:
        changes = {c.label: c for c in compare_measures(prev, rec.measures)} if prev else {}
        parts.append(f"<h2>{html.escape(rec.title)}</h2><p class='small'>{html.escape(rec.created_at)}")
        ins = {k: v for k, v in rec.inputs.items() if k != "instruction"}
        if ins:
            parts.append(" · " + html.escape(", ".join(f"{k}: {v}" for k, v in ins.items())))
        parts.append("</p>")
        if "instruction" in rec.inputs:
            parts.append(f"<p><b>Instruction:</b> {html.escape(str(rec.inputs['instruction']))}</p>")
        for m in rec.measures:
            d = rec.details.get(m.label, {})
            if "instruction" in d:
                parts.append(
                    f"<p><b>Instruction ({html.escape(m.side or '')}):</b> {html.escape(d['instruction'])}</p>"
                )
        for w in rec.warnings:
            parts.append(f"<p class='warn'>⚠ {html.escape(w)}</p>")
        parts.append(_measures_table(rec, changes))
        for m in rec.measures:
            peaks = rec.details.get(m.label, {}).get("peaks")
            if peaks:
                vals = ", ".join(f"{_num(p['value'])}° (frame {p['frame']})" for p in peaks)
                name = measure_words(m.name, m.side).replace("_", " ")
                parts.append(f"<p class='small'>{html.escape(name)} repetitions: {html.escape(vals)}</p>")
        if snapshot_dir is not None:
            for name in rec.snapshots:
                parts.append(_image(Path(snapshot_dir) / name))
        for m in rec.measures:
            for key in SOURCES:
                if m.reference_source.startswith(key):
                    cited.add(key)
            src = rec.details.get(m.label, {}).get("sem_source")
            if src:
                cited.add(src)
    parts.append("<h2>How to read the numbers</h2><ul class='small'>")
    parts.append(
        "<li><b>± uncertainty</b>: √(model² + spread² + camera²): the per-frame error model of the angle "
        "(view obliqueness, landmark visibility), the frame-to-frame or repetition-to-repetition spread, and for "
        "the angles measured against the vertical the camera roll's uncertainty (20° when the camera was assumed "
        "level, at least 3° when calibrated). The command line says which camera vertical was used.</li>"
        "<li><b>Verdict</b>: <i>within</i> the reference range, value ± uncertainty included; <i>outside</i> by "
        "more than the uncertainty; <i>uncertain</i>: value ± uncertainty reaches both into and beyond the range, "
        "so the measurement cannot tell. The timed chair tests say on which side of their age norm a result lies, "
        "as a performance: below or above the middle half of the age group (30-second chair stand), slower or "
        "faster than the age group's average (five-times sit-to-stand); a concern (below the middle half, "
        "slower) is coloured as <i>outside</i>, above the middle half in blue, a faster time as <i>within</i>.</li>"
        "<li><b>MDC95</b>: the larger of this tool's own 1.96·√2·uncertainty and 1.96·√2·SEM with SEM = "
        "√(SEM floor² + within-session SD²), where the floor is <i>borrowed from another instrument</i> (goniometry, "
        "photographic posture analysis; source listed below). <b>Change</b>: a difference between two evaluations "
        "counts only beyond max(1.96·√(u₁² + u₂²), MDC₁, MDC₂), the same rule as the history and the PDF report.</li>"
        "<li><b>No verdict</b>: no published norm was measured the way this tool measures (e.g. standing, active, "
        "trunk–thigh hip angle); the value is reported without a verdict.</li>"
        "<li>Single-camera estimates: a webcam sees one plane well; angles out of the image plane are less certain. "
        "This is a screening aid, not a diagnosis.</li></ul>"
    )
    parts.append("<h2>References</h2><ol class='small'>")
    for key in sorted(cited):
        parts.append(f"<li><b>{html.escape(key)}</b>: {html.escape(SOURCES.get(key, key))}</li>")
    parts.append("</ol></body></html>")
    return "".join(parts)


def write_html_report(
    records: Sequence[AssessmentRecord],
    path: str | Path,
    snapshot_dir: str | Path | None = None,
    previous: Sequence[AssessmentRecord] = (),
    title: str = "Movement and posture evaluation",
) -> Path:
    """Write the single-file HTML report; returns its path."""
    path = Path(path)
    text = render_html(records, snapshot_dir if snapshot_dir is not None else path.parent, previous, title)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PostureFeedbackError(f"cannot write report {path}: {exc.strerror or exc}") from None
    return path
