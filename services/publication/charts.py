"""Charts as inline SVG, drawn on the server: no script, no CDN, readable by screen readers.

Colours are SVG presentation attributes, not style attributes, so a strict CSP (style-src 'self')
still applies them. Every chart has a <title> and <desc>; the page shows the same figures in a table.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR = "#1f5fa8"
AXIS = "#4a4a4a"


def _label(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int]], *, width: int = 640) -> Markup:
    """Horizontal bars, one per row, largest value spanning the chart."""
    bar_h, gap, left, right = 22, 8, 170, 60
    height = max(1, len(rows)) * (bar_h + gap) + gap
    top = max((v for _, v in rows), default=0) or 1
    span = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape("；".join(f"{k}：{v}" for k, v in rows) or "无数据")}</desc>',
    ]
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = round(span * value / top) if value else 0
        parts.append(
            f'<text x="{left - 8}" y="{y + bar_h * 0.72:.1f}" text-anchor="end" font-size="14" fill="{AXIS}">'
            f"{escape(_label(label))}</text>"
            f'<rect x="{left}" y="{y}" width="{max(w, 1)}" height="{bar_h}" fill="{BAR}" rx="2"/>'
            f'<text x="{left + w + 6}" y="{y + bar_h * 0.72:.1f}" font-size="14" fill="{AXIS}">{value}</text>'
        )
    if not rows:
        parts.append(f'<text x="{width / 2}" y="{height / 2 + 5}" text-anchor="middle" font-size="14" '
                     f'fill="{AXIS}">无数据</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(chart_id: str, title: str, labels: Sequence[str], values: Sequence[int], *,
                 width: int = 640, height: int = 220) -> Markup:
    """Vertical columns over labelled slots (e.g. months)."""
    bottom, top_pad, left = 28, 20, 8
    slot = (width - 2 * left) / max(1, len(values))
    top = max(values, default=0) or 1
    span = height - bottom - top_pad
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape("；".join(f"{k}：{v}" for k, v in zip(labels, values, strict=True)))}</desc>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" stroke="{AXIS}"/>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = round(span * value / top) if value else 0
        x = left + i * slot
        parts.append(
            f'<rect x="{x + slot * 0.15:.1f}" y="{height - bottom - h}" width="{slot * 0.7:.1f}" height="{h}" '
            f'fill="{BAR}" rx="2"/>'
            f'<text x="{x + slot / 2:.1f}" y="{height - 8}" text-anchor="middle" font-size="13" fill="{AXIS}">'
            f"{escape(label)}</text>"
        )
        if value:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{height - bottom - h - 4}" text-anchor="middle" '
                         f'font-size="12" fill="{AXIS}">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
