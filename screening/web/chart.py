"""Rows per band as an inline SVG bar chart, drawn on the server (no script, no CDN)."""

from __future__ import annotations

from html import escape

from screening.model import BAND_LABELS
from screening.reports.columns import BAND_COLOURS

WIDTH, HEIGHT, PAD, AXIS = 420, 180, 24, 20


def band_chart(counts: dict[str, int]) -> str:
    top = max([1, *counts.values()])
    slot = (WIDTH - 2 * PAD) / len(BAND_LABELS)
    bar = slot * 0.6
    usable = HEIGHT - PAD - AXIS - 14
    parts = [f'<svg class="chart" role="img" aria-label="Rows per band" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg">']
    for i, band in enumerate(BAND_LABELS):
        n = int(counts.get(band, 0))
        h = usable * n / top
        x = PAD + i * slot + (slot - bar) / 2
        y = HEIGHT - AXIS - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                     f'fill="#{BAND_COLOURS[band]}" stroke="#555" stroke-width="0.5"><title>{escape(band)}: {n}</title></rect>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="12">{n}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 5}" text-anchor="middle" font-size="12">{escape(band)}</text>')
    parts.append(f'<line x1="{PAD}" y1="{HEIGHT - AXIS}" x2="{WIDTH - PAD}" y2="{HEIGHT - AXIS}" stroke="#333"/>')
    parts.append("</svg>")
    return "".join(parts)
