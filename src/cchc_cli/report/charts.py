"""The report's charts as SVG, written from the figures (a few bars each: hand-written SVG is small, has no
dependency and prints sharp). Labels come from documents, so every text is escaped; a long label is cut
with "…" and its whole text kept in the bar's tooltip (and in the table beside the chart)."""

from __future__ import annotations

from html import escape

from .gather import Chart

__all__ = ["LABEL_CHARS", "svg"]

WIDTH = 600
LABEL_WIDTH = 250
ROW = 26
LABEL_CHARS = 30  # a bar's label is cut after this many characters
COLUMN_AREA = 200  # the height of a timeline's bars


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _number(value: int, lang: str) -> str:
    shown = f"{value:,}"
    return shown.replace(",", ".") if lang == "vi" else shown


def bars(chart: Chart, lang: str) -> str:
    """Horizontal bars: label, bar, value, one row per bar."""
    top = max((b.value for b in chart.bars), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 60
    height = ROW * len(chart.bars) + 8
    out = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(chart.title)}">']
    for i, bar in enumerate(chart.bars):
        y = 4 + i * ROW
        length = round(span * bar.value / top, 1)
        out.append(f"<g><title>{escape(bar.title or bar.label)}: {_number(bar.value, lang)}</title>"
                   f'<text class="l" x="{LABEL_WIDTH - 6}" y="{y + 18}">{escape(_short(bar.label))}</text>'
                   f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length}" height="{ROW - 8}"/>'
                   f'<text class="v" x="{LABEL_WIDTH + length + 4}" y="{y + 18}">{_number(bar.value, lang)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def columns(chart: Chart, lang: str) -> str:
    """Vertical bars in time order (a timeline): the quarter under each bar, the year under its first."""
    top = max((b.value for b in chart.bars), default=0) or 1
    step = max(12.0, min(48.0, (WIDTH - 20) / max(1, len(chart.bars))))
    width = round(20 + step * len(chart.bars))
    base = COLUMN_AREA + 20
    out = [f'<svg class="chart" viewBox="0 0 {width} {base + 40}" role="img" aria-label="{escape(chart.title)}">',
           f'<line x1="10" y1="{base}" x2="{width - 10}" y2="{base}"/>']
    last_group, last_x = None, -100.0
    for i, bar in enumerate(chart.bars):
        x = 10 + i * step
        height = round(COLUMN_AREA * bar.value / top, 1)
        middle = round(x + step / 2, 1)
        out.append(f"<g><title>{escape(bar.title or bar.label)}: {_number(bar.value, lang)}</title>"
                   f'<rect x="{round(x + 2, 1)}" y="{base - height}" width="{round(step - 4, 1)}" height="{height}"/>'
                   + (f'<text class="cv" x="{middle}" y="{base - height - 4}">{_number(bar.value, lang)}</text>'
                      if bar.value else "")
                   + f'<text class="q" x="{middle}" y="{base + 14}">{escape(bar.label)}</text></g>')
        if bar.group is not None and bar.group != last_group and x - last_x >= 40:
            last_x = x
            out.append(f'<text class="y" x="{round(x + 2, 1)}" y="{base + 32}">{escape(bar.group)}</text>')
            last_group = bar.group
    out.append("</svg>")
    return "".join(out)


def svg(chart: Chart, lang: str) -> str:
    """The chart as an SVG element ('' for a chart without bars)."""
    if not chart.bars:
        return ""
    return columns(chart, lang) if chart.kind == "columns" else bars(chart, lang)
