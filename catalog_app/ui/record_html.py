"""A record as a readable HTML page for the detail pane (escaped; direction follows the text)."""

from __future__ import annotations

from html import escape

from catalog_app.domain.isad import CREATOR_ROLE, described_elements
from catalog_app.domain.records import UnitDetail

_STYLE = """
<style>
 h2 { margin: 0 0 2px 0; }
 .ref { color: #555; font-family: monospace; }
 h3 { margin: 14px 0 4px 0; color: #4a3a1a; border-bottom: 1px solid #d9cdb3; }
 td.k { color: #666; padding-right: 12px; vertical-align: top; white-space: nowrap; }
 td.e { color: #666; padding-right: 12px; vertical-align: top; width: 35%; }
 td p { margin: 0; }
 .grade { font-weight: bold; font-size: 14pt; }
 .muted { color: #777; }
</style>
"""


def _p(text: str | None) -> str:
    # dir="auto" lets Persian and Arabic paragraphs run right to left.
    return "".join(f'<p dir="auto">{escape(line)}</p>' for line in (text or "").splitlines())


def _rows(pairs: list[tuple[str, str | None]]) -> str:
    body = "".join(
        f'<tr><td class="k">{escape(k)}</td><td dir="auto">{escape(v)}</td></tr>'
        for k, v in pairs
        if v
    )
    return f"<table>{body}</table>" if body else ""


def record_html(unit: UnitDetail) -> str:
    parts = [
        _STYLE,
        f'<h2 dir="auto">{escape(unit.title)}</h2>',
        f'<div class="ref">{escape(unit.reference_code)} · {escape(unit.level)}</div>',
        _rows(
            [
                ("Records below", str(unit.children_count) if unit.children_count else None),
                ("Withdrawn", f"{unit.withdrawn_at:%Y-%m-%d}" if unit.withdrawn_at else None),
                (
                    "Harvested",
                    ", ".join(f.replace("_", " ") for f in unit.harvested) + " (not yet checked)"
                    if unit.harvested
                    else None,
                ),
            ]
        ),
    ]
    for area, values in described_elements(unit):  # ISAD(G) order, one heading per area
        parts.append(f"<h3>{escape(area.name)}</h3><table>")
        parts.extend(
            f'<tr><td class="e">{escape(element.label)}</td><td>{_p(text)}</td></tr>'
            for element, text in values
        )
        parts.append("</table>")
    others = [a for a in unit.agents if a.role != CREATOR_ROLE]  # creators are 3.2.1
    if others or unit.places or unit.subjects:
        parts.append("<h3>Access points</h3>")
        parts.append(
            _rows(
                [
                    ("Names", "; ".join(f"{a.authorised_name} ({a.role})" for a in others)),
                    ("Places", "; ".join(p.name for p in unit.places)),
                    ("Subjects", "; ".join(s.name for s in unit.subjects)),
                ]
            )
        )
    if unit.events:
        parts.append("<h3>Provenance</h3><ol>")
        for event in unit.events:
            detail = ", ".join(x for x in (event.agent, event.tool, event.place, event.note) if x)
            parts.append(
                f'<li dir="auto"><b>{escape(event.event_type)}</b> '
                f"{escape(event.occurred_at or 'undated')}"
                f"{' — ' + escape(detail) if detail else ''}</li>"
            )
        parts.append("</ol>")
    current = unit.current_assessment
    if current is not None:
        parts.append("<h3>Reliability</h3>")
        parts.append(
            f'<p><span class="grade">{current.grade}</span> '
            f"{escape(current.source_reliability.label)}; "
            f"{escape(current.information_credibility.label)} "
            f'<span class="muted">({escape(current.assessor or "")}, '
            f"{current.assessed_at:%Y-%m-%d})</span></p>"
            if current.assessed_at
            else ""
        )
        parts.append(
            _rows(
                [
                    ("Affiliation", current.affiliation_note),
                    ("Corroboration", current.corroboration_note),
                ]
            )
        )
        if len(unit.assessments) > 1:
            parts.append(
                f'<p class="muted">{len(unit.assessments) - 1} earlier assessment(s) kept.</p>'
            )
    if unit.files:
        parts.append("<h3>Originals</h3>")
        parts.append(
            _rows([(f.original_name, f"{f.size:,} bytes · sha256 {f.sha256}") for f in unit.files])
        )
    return "".join(parts)
