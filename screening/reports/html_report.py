"""The HTML report: one self-contained page (inline CSS, no scripts, no external assets).

Every text is HTML-escaped, and a Content-Security-Policy forbids scripts and remote loads as a
second line of defence should a value ever slip through unescaped.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from html import escape
from typing import BinaryIO
from urllib.parse import urlsplit

from screening.model import BAND_LABELS, Hit, ScreeningResult, Source

from .columns import (
    BAND_COLOURS,
    Columns,
    columns_for,
    evidence_line,
    hit_counts,
    review_order,
)

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1b1b1b}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}
th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#d9e1f2;position:sticky;top:0}
td.num{text-align:right}ul.hits{margin:0;padding-left:1rem}
.unverified{background:#f8cbad;font-weight:bold}
.muted{color:#666}code{word-break:break-all}
""" + "".join(f".band-{b}{{background:#{c}}}" for b, c in BAND_COLOURS.items())

_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def write_html(result: ScreeningResult, fh: BinaryIO) -> None:
    text = io.TextIOWrapper(fh, encoding="utf-8", newline="\n")
    try:
        text.writelines(_page(result))
        text.flush()
    finally:
        text.detach()  # leave `fh` open: the atomic writer fsyncs and closes it


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _page(result: ScreeningResult) -> Iterator[str]:
    m = result.manifest
    yield (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{_CSP}\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        f"<title>Screening report {_e(m.created_at)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        "<h1>Screening report: DPRK overseas-labour risk</h1>\n"
        f"<p class=\"muted\">Run {_e(m.created_at)} with screening {_e(m.tool_version)}</p>\n"
    )
    yield from _summary(result)
    yield from _flagged(result, columns_for(result))
    if any(r.suppressed for r in result.rows):
        yield from _suppressed(result)
    yield from _rules(result)
    if result.errors:
        yield from _errors(result)
    yield from _manifest(result)
    yield "</body>\n</html>\n"


def _summary(result: ScreeningResult) -> Iterator[str]:
    counts = result.counts()
    yield "<h2 id=\"summary\">Summary</h2>\n<table>\n<tr><th>Band</th><th>Rows</th></tr>\n"
    for band in BAND_LABELS:
        yield f"<tr><td class=\"band-{band}\">{band}</td><td class=\"num\">{counts[band]}</td></tr>\n"
    flagged = len(result.rows) - counts["clear"]
    yield (f"<tr><th>screened</th><td class=\"num\">{len(result.rows)}</td></tr>\n"
           f"<tr><th>flagged</th><td class=\"num\">{flagged}</td></tr>\n"
           f"<tr><th>row errors</th><td class=\"num\">{len(result.errors)}</td></tr>\n</table>\n")


def _flagged(result: ScreeningResult, cols: Columns) -> Iterator[str]:
    rows = review_order(result.rows)
    yield f"<h2 id=\"flagged\">Flagged rows ({len(rows)})</h2>\n"
    if not rows:
        yield "<p>No row was flagged.</p>\n"
        return
    head = ["Band", "Score", "Input", "Sheet", "Row", "Hits", *cols.fields, *cols.extras]
    yield "<table>\n<tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>\n"
    for r in rows:
        band = r.band.label
        cells = [
            f"<td class=\"band-{band}\">{band}</td>",
            f"<td class=\"num\">{int(r.score)}</td>",
            f"<td>{_e(r.input)}</td>",
            f"<td>{_e(r.sheet)}</td>",
            f"<td class=\"num\">{int(r.row)}</td>",
            f"<td><ul class=\"hits\">{''.join(_hit(cols, h) for h in r.hits)}</ul></td>",
            *(f"<td>{_e(v)}</td>" for v in cols.field_values(r)),
            *(f"<td>{_e(v)}</td>" for v in cols.extra_values(r)),
        ]
        yield "<tr>" + "".join(cells) + "</tr>\n"
    yield "</table>\n"


def _suppressed(result: ScreeningResult) -> Iterator[str]:
    """Hits set aside by confirmed false-positive decisions: shown with the decision, not scored."""
    rows = [(r, s) for r in result.rows for s in r.suppressed]
    yield f"<h2 id=\"suppressed\">Suppressed by earlier decisions ({len(rows)})</h2>\n"
    yield from _table(
        ["Input", "Sheet", "Row", "Rule", "Evidence", "Decision", "Proposed by", "Confirmed by", "Confirmed at", "Reason"],
        ((r.input, r.sheet, r.row, s.hit.rule, evidence_line(s.hit.evidence), f"false positive #{s.decision_id}",
          s.proposed_by, s.confirmed_by, s.confirmed_at, s.reason) for r, s in rows),
    )


def _hit(cols: Columns, hit: Hit) -> str:
    reason = cols.reason(hit)
    css = " class=\"unverified\"" if reason != hit.title else ""
    return (f"<li><b{css}>{_e(reason)}</b> <code>{_e(hit.rule)}</code> (+{int(hit.weight)})<br>"
            f"{_e(evidence_line(hit.evidence))}</li>")


def _rules(result: ScreeningResult) -> Iterator[str]:
    sources = {s.id: s for s in result.sources}
    hits = hit_counts(result)
    yield "<h2 id=\"rules\">Rules</h2>\n<table>\n<tr><th>Rule</th><th>Title</th><th>Pack</th><th>Category</th>"
    yield "<th>Weight</th><th>Band</th><th>Confidence</th><th>Hits</th><th>Sources</th></tr>\n"
    for r in result.rules:
        conf = " class=\"unverified\"" if r.confidence == "unverified" else ""
        band = f" class=\"band-{r.band}\"" if r.band in BAND_COLOURS else ""
        srcs = "".join(f"<li>{_source(sources.get(s), s)}</li>" for s in r.sources)
        yield (f"<tr><td><code>{_e(r.id)}</code></td><td>{_e(r.title)}</td><td>{_e(r.pack)}</td>"
               f"<td>{_e(r.category)}</td><td class=\"num\">{int(r.weight)}</td><td{band}>{_e(r.band)}</td>"
               f"<td{conf}>{_e(r.confidence)}</td><td class=\"num\">{hits.get(r.id, 0)}</td>"
               f"<td><ul class=\"hits\">{srcs}</ul></td></tr>\n")
    yield "</table>\n"


def _source(source: Source | None, source_id: str) -> str:
    if source is None:
        return f"<code>{_e(source_id)}</code>"
    text = f"<code>{_e(source.id)}</code> {_e(source.title)} ({_e(source.issuer)}, {_e(source.date)})"
    if source.url:
        # Only web links are clickable: a javascript: or file: address stays inert text.
        if urlsplit(source.url).scheme.lower() in ("http", "https"):
            text += f" <a href=\"{_e(source.url)}\" rel=\"noopener noreferrer\">{_e(source.url)}</a>"
        else:
            text += f" {_e(source.url)}"
    return text


def _errors(result: ScreeningResult) -> Iterator[str]:
    yield f"<h2 id=\"errors\">Errors ({len(result.errors)})</h2>\n"
    yield from _table(["Input", "Sheet", "Row", "Reason code", "Message"],
                      ((e.input, e.sheet, e.row, e.reason_code, e.message) for e in result.errors))


def _manifest(result: ScreeningResult) -> Iterator[str]:
    m = result.manifest
    yield "<h2 id=\"manifest\">Manifest</h2>\n"
    yield from _table(["Tool version", "Created at (UTC)", "Bands"], [(m.tool_version, m.created_at, ", ".join(BAND_LABELS))])
    yield "<h3>Inputs</h3>\n"
    yield from _table(["Path", "SHA-256", "Sheets"], ((f.path, f.sha256, ", ".join(f.sheets)) for f in m.inputs))
    yield "<h3>Rule packs</h3>\n"
    yield from _table(["Id", "Version", "SHA-256", "Path"], ((p.id, p.version, p.sha256, p.path) for p in m.rule_packs))
    yield "<h3>Sanctions lists</h3>\n"
    yield from _table(["Source", "Published", "SHA-256", "Entries"],
                      ((s.source, s.published, s.sha256, s.entries) for s in m.lists))
    if m.options:
        yield "<h3>Options</h3>\n"
        yield from _table(["Option", "Value"], m.options)


def _table(head: list[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    yield "<table>\n<tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>\n"
    for row in rows:
        yield "<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>\n"
    yield "</table>\n"
