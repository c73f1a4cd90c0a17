"""The bar chart of principle scores, drawn as SVG on the server (no JavaScript).

WeasyPrint lays out SVG text letter by letter, so the chart keeps its text short:
numerals and numbers only. The principles' titles and the bands' names are in
the HTML around it.
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

WIDTH = 520
LABEL_WIDTH = 62  # "VIII  100.0"
BAR_LEFT = LABEL_WIDTH + 6
BAR_WIDTH = 430  # 0 to 100
ROW = 20
TOP = 16  # room for the threshold labels
AXIS = 20  # room for the axis labels
FONT = 'font-family="DejaVu Sans, sans-serif"'

BAND_COLOURS = {
    "conformant": "#146c43",
    "largely": "#0a58ca",
    "partially": "#997404",
    "not": "#b02a37",
}


def score_chart(doc: dict) -> SafeString:
    """Horizontal bars, one per principle, with the band thresholds as dashed lines."""
    principles = doc["principles"]
    bottom = TOP + ROW * len(principles)
    height = bottom + AXIS
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="score-chart" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" {FONT} font-size="10">',
        "<title>Score of each principle, 0 to 100, with the band thresholds</title>",
    ]
    for tick in range(0, 101, 25):
        x = _x(tick)
        parts.append(
            f'<line x1="{x}" y1="{TOP}" x2="{x}" y2="{bottom}" stroke="#dee2e6" stroke-width="1"/>'
            f'<text x="{x}" y="{bottom + 14}" text-anchor="middle" fill="#212529">{tick}</text>'
        )
    for band in doc["methodology"]["bands"]:
        if band["threshold"] is None:
            continue
        x = _x(band["threshold"])
        parts.append(
            f'<line x1="{x}" y1="{TOP - 4}" x2="{x}" y2="{bottom}" stroke="#495057" '
            f'stroke-width="1" stroke-dasharray="4 3"/>'
            f'<text x="{x}" y="{TOP - 6}" text-anchor="middle" font-size="9" fill="#495057">'
            f"{band['threshold']:g}</text>"
        )
    for index, principle in enumerate(principles):
        parts.append(_bar(principle, TOP + index * ROW))
    parts.append(
        f'<line x1="{BAR_LEFT}" y1="{bottom}" x2="{BAR_LEFT + BAR_WIDTH}" y2="{bottom}" '
        f'stroke="#212529" stroke-width="1"/>'
        f'<line x1="{BAR_LEFT}" y1="{TOP}" x2="{BAR_LEFT}" y2="{bottom}" '
        f'stroke="#212529" stroke-width="1"/>'
        "</svg>"
    )
    return mark_safe("".join(parts))  # noqa: S308 (numerals and numbers only)


def _bar(principle: dict, top: int) -> str:
    score = principle["score"]
    shown = "no score" if score is None else f"{score:.1f}"
    row = (
        f'<text x="{LABEL_WIDTH}" y="{top + ROW / 2 + 4}" text-anchor="end" fill="#212529">'
        f"{principle['numeral']}  {shown}</text>"
    )
    if score is None:
        return row
    colour = BAND_COLOURS.get(principle["band"]["key"], "#495057")
    width = round(BAR_WIDTH * score / 100, 1)
    return (
        f'{row}<rect x="{BAR_LEFT}" y="{top + 4}" width="{width}" height="{ROW - 8}" '
        f'fill="{colour}"/>'
    )


def _x(value: float) -> float:
    return round(BAR_LEFT + BAR_WIDTH * value / 100, 1)
