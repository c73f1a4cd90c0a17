"""The bar chart of principle scores, drawn on the server (no JavaScript).

Two forms of the same chart. The preview page shows an inline SVG (``score_chart``:
no inline style, so it passes the page's Content Security Policy). The PDF shows
``score_bars``: the labels are lines of HTML text and the drawing (bars, grid,
thresholds) is one SVG without text as their background, because WeasyPrint lays
out every SVG text element as a document of its own (about 3,000 Python calls for
each of the chart's twenty labels, more than the rest of the chart together). The
principles' titles and the bands' names are in the HTML around it, with the
legend (``chart_legend``).

Every value that comes from the document (numerals, band keys, thresholds) is
data, never markup: it goes through ``escape`` like any template variable. A
numeral such as ``<!--`` once turned the rest of the report into a comment.

The drawing is 500 units wide and printed across the page's text width (about
504 pt), so one unit is about one point: the labels print at 10 pt and the
threshold labels at 9 pt.
"""

from __future__ import annotations

import base64

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

WIDTH = 500
LABEL_WIDTH = 66  # "VIII  100.0" at 10 pt
BAR_LEFT = LABEL_WIDTH + 6
BAR_WIDTH = WIDTH - BAR_LEFT - 12  # 0 to 100, room for the "100" tick label
ROW = 17
TOP = 18  # room for the threshold labels
AXIS = 22  # room for the axis labels
FONT_SIZE = 10
SMALL_FONT_SIZE = 9
CHART_TITLE = gettext_noop("Score of each principle, 0 to 100, with the band thresholds")
FONT = 'font-family="DejaVu Sans, Noto Sans CJK JP, sans-serif"'

BAND_COLOURS = {
    "conformant": "#146c43",
    "largely": "#0a58ca",
    "partially": "#997404",
    "not": "#b02a37",
}
# For bands with other keys (a catalogue may define its own): by position, best first.
FALLBACK_COLOURS = ("#146c43", "#0a58ca", "#997404", "#b02a37", "#6f42c1", "#495057")
NO_BAND_COLOUR = "#495057"


def band_colour(key: str | None, bands: list[dict]) -> str:
    """The colour of a band in the chart and its legend (never taken from the document)."""
    if key in BAND_COLOURS:
        return BAND_COLOURS[key]
    keys = [b.get("key") for b in bands]
    if key in keys:
        return FALLBACK_COLOURS[min(keys.index(key), len(FALLBACK_COLOURS) - 1)]
    return NO_BAND_COLOUR


def chart_legend(doc: dict) -> list[dict]:
    """The legend's entries: each band's label, its colour and its threshold (or None)."""
    bands = doc["methodology"]["bands"]
    return [
        {
            "label": band["label"],
            "colour": band_colour(band["key"], bands),
            "threshold": band.get("threshold"),
        }
        for band in bands
    ]


def score_chart(doc: dict) -> SafeString:
    """Horizontal bars, one per principle, with the band thresholds as dashed lines."""
    principles = doc["principles"]
    bands = doc["methodology"]["bands"]
    bottom = TOP + ROW * len(principles)
    height = bottom + AXIS
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="score-chart" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" {FONT} '
        f'font-size="{FONT_SIZE}">',
        f"<title>{escape(_(CHART_TITLE))}</title>",
    ]
    for tick in range(0, 101, 25):
        x = _x(tick)
        parts.append(
            f'<line x1="{x}" y1="{TOP}" x2="{x}" y2="{bottom}" stroke="#dee2e6" stroke-width="1"/>'
            f'<text x="{x}" y="{bottom + 15}" text-anchor="middle" fill="#212529">{tick}</text>'
        )
    for band in bands:
        threshold = band.get("threshold")
        if threshold is None:
            continue
        x = _x(float(threshold))
        parts.append(
            f'<line x1="{x}" y1="{TOP - 4}" x2="{x}" y2="{bottom}" stroke="#495057" '
            f'stroke-width="1" stroke-dasharray="4 3"/>'
            f'<text x="{x}" y="{TOP - 7}" text-anchor="middle" font-size="{SMALL_FONT_SIZE}" '
            f'fill="#495057">{escape(f"{float(threshold):g}")}</text>'
        )
    for index, principle in enumerate(principles):
        parts.append(_bar(principle, TOP + index * ROW, bands))
    parts.append(
        f'<line x1="{BAR_LEFT}" y1="{bottom}" x2="{BAR_LEFT + BAR_WIDTH}" y2="{bottom}" '
        f'stroke="#212529" stroke-width="1"/>'
        f'<line x1="{BAR_LEFT}" y1="{TOP}" x2="{BAR_LEFT}" y2="{bottom}" '
        f'stroke="#212529" stroke-width="1"/>'
        "</svg>"
    )
    # Safe: every value from the document above went through escape(); the rest is ours.
    return mark_safe("".join(parts))  # noqa: S308


def _shown(score) -> str:
    return "–" if score is None else f"{float(score):.1f}"


def _bar(principle: dict, top: int, bands: list[dict]) -> str:
    score = principle["score"]
    shown = _shown(score)
    row = (
        f'<text x="{LABEL_WIDTH}" y="{top + ROW / 2 + 4}" text-anchor="end" fill="#212529">'
        f"{escape(principle['numeral'])}  {escape(shown)}</text>"
    )
    if score is None:
        return row
    band = principle.get("band") or {}
    colour = band_colour(band.get("key"), bands)
    width = round(BAR_WIDTH * min(max(float(score), 0.0), 100.0) / 100, 1)
    return (
        f'{row}<rect x="{BAR_LEFT}" y="{top + 3}" width="{width}" height="{ROW - 6}" '
        f'fill="{colour}"/>'
    )


def _x(value: float) -> float:
    return round(BAR_LEFT + BAR_WIDTH * value / 100, 1)


# The PDF's chart (``score_bars``), in points: the text width of an A4 page with 16 mm
# margins is 504.6 pt; a column for the labels, then the bars from 0 to 100.
BARS_LABEL = 56  # "VIII 100.0" at 9 pt, right-aligned, and a gap
BARS_WIDTH = 428  # 0 to 100: 4.28 pt per point of score
BARS_ROW = 13  # each row is a line of text this high, its bar drawn in the middle
BARS_TOP = 3
BARS_AXIS = 14  # below the rows: the axis's numbers
BARS_FONT_SIZE = 9  # the rows' text (``.bars`` in _print.css) and the axis's numbers


def score_bars(doc: dict) -> SafeString:
    """The chart for the PDF: a line of text per principle (numeral and score) with its
    bar, the band thresholds as dashed lines, and the axis (0, 25, 50, 75, 100).

    The bars, grid, thresholds and axis are one SVG, drawn as the background of the
    lines at their own scale (one SVG unit is one point), so each bar sits on its
    line; its only text is the axis's five numbers. Needs the ``.bars`` rules of
    ``_print.css``; uses inline styles (the PDF is not served under the page's
    Content Security Policy).
    """
    principles = doc["principles"]
    bands = doc["methodology"]["bands"]
    bottom = BARS_TOP + BARS_ROW * len(principles)
    height = bottom + BARS_AXIS
    width = BARS_LABEL + BARS_WIDTH + 12  # room for half of "100"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Noto Sans CJK JP, '
        f'sans-serif" font-size="{BARS_FONT_SIZE}" fill="#212529">'
    ]
    for tick in range(0, 101, 25):
        x = _bars_x(tick)
        parts.append(
            f'<path d="M{x} 0V{bottom}" stroke="#dee2e6" stroke-width="0.75"/>'
            f'<text x="{x}" y="{bottom + 10}" text-anchor="middle">{tick}</text>'
        )
    for index, principle in enumerate(principles):
        score = principle["score"]
        if score is None:
            continue
        colour = band_colour((principle.get("band") or {}).get("key"), bands)
        length = round(BARS_WIDTH * min(max(float(score), 0.0), 100.0) / 100, 1)
        top = BARS_TOP + index * BARS_ROW + 2
        parts.append(
            f'<rect x="{_bars_x(0)}" y="{top}" width="{length}" height="{BARS_ROW - 4}" '
            f'fill="{colour}"/>'
        )
    for band in bands:
        threshold = band.get("threshold")
        if threshold is not None:
            x = _bars_x(float(threshold))
            parts.append(
                f'<path d="M{x} 0V{bottom}" stroke="#495057" stroke-width="1" '
                f'stroke-dasharray="4 3"/>'
            )
    parts.append(
        f'<path d="M{_bars_x(0)} 0V{bottom}H{_bars_x(100)}" fill="none" stroke="#212529" '
        'stroke-width="1"/></svg>'
    )
    drawing = base64.b64encode("".join(parts).encode()).decode("ascii")
    rows = "".join(
        f'<p class="bars-row">{escape(p["numeral"])}\u2002{escape(_shown(p["score"]))}</p>'
        for p in principles
    )
    thresholds = ", ".join(
        f"{float(b['threshold']):g}" for b in bands if b.get("threshold") is not None
    )
    label = escape(f"{_(CHART_TITLE)} ({thresholds})")
    # Safe: every value from the document above went through escape(); the rest is ours.
    return mark_safe(  # noqa: S308
        f'<div class="bars" role="img" aria-label="{label}" style="background-image: '
        f"url(data:image/svg+xml;base64,{drawing}); background-size: {width}pt {height}pt; "
        f'padding: {BARS_TOP}pt 0 {BARS_AXIS}pt">{rows}</div>'
    )


def _bars_x(value: float) -> float:
    return round(BARS_LABEL + BARS_WIDTH * value / 100, 2)
