"""The public page's bar chart of a block's indices: an inline SVG written here (no script, every
text escaped), one bar per unit in rank order.

Long unit names wrap onto as many lines as they need in a label column of their own, so they are
never cut and never run into the bars (the row grows instead). For a screen reader the picture is
one image (``role="img"``) named by its ``<title>`` and described by its ``<desc>``, which reads
every unit's rank, name and index in words; the drawn texts are hidden from it, so nothing is
read twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from web.formatting import percent

FONT_SIZE = 12
LINE = 15  # px between two lines of a wrapped name
LABEL_WIDTH = 300  # px of the name column
LABEL_CHARS = 38  # characters per line of a name: a wide glyph at 12 px is about 7.5 px
BAR_X = LABEL_WIDTH + 12
BAR_WIDTH = 330  # px of 100 %
WIDTH = BAR_X + BAR_WIDTH + 78  # room for the value after a full bar
GAP = 8  # px between two rows
BAR_HEIGHT = 14
COLOUR = "#1f4e79"  # the page's blue: 8.6:1 on white


def wrap(text: str, width: int = LABEL_CHARS) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken between words; a word longer
    than a line is cut where the line ends (never lost)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while len(word) > width:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line = f"{line} {word}"
        else:
            lines.append(line)
            line = word
    if line or not lines:
        lines.append(line)
    return lines


def _share(index: Any) -> Decimal:
    """The index as a share of the bar's full length, 0 to 1."""
    value = Decimal(str(index)) if index is not None else Decimal(0)
    return max(Decimal(0), min(Decimal(100), value)) / 100


def description(block: dict[str, Any]) -> str:
    """What the chart shows, in words, for a screen reader."""
    rows = block["agencies"]
    parts = [f"hạng {r['rank']}: {r['name']}, {percent(r['index'])}" for r in rows]
    head = f"Chỉ số CCHC của {len(rows)} đơn vị, theo thứ tự xếp hạng"
    return f"{head}: " + "; ".join(parts) + "." if parts else f"{head}: chưa có đơn vị nào."


def bar_chart(block: dict[str, Any]) -> Markup:
    """The SVG of ``block`` (a block of the published results: ``block``, ``block_name`` and
    ``agencies`` with ``rank``, ``name`` and ``index``)."""
    key = "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in str(block["block"]))
    title_id, desc_id = f"bieu-do-{key}-ten", f"bieu-do-{key}-mo-ta"
    body: list[str] = []
    y = GAP
    for r in block["agencies"]:
        lines = wrap(str(r["name"]))
        height = max(BAR_HEIGHT, LINE * len(lines))
        first = y + (height - LINE * len(lines)) // 2 + FONT_SIZE
        spans = "".join(
            f'<tspan x="0" y="{first + LINE * n}">{escape(text)}</tspan>'
            for n, text in enumerate(lines)
        )
        body.append(f'<text font-size="{FONT_SIZE}">{spans}</text>')
        bar_y = y + (height - BAR_HEIGHT) // 2
        length = _share(r["index"]) * BAR_WIDTH
        body.append(
            f'<rect x="{BAR_X}" y="{bar_y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{COLOUR}"></rect>'
            f'<text x="{BAR_X + length + 4:.1f}" y="{bar_y + BAR_HEIGHT - 3}" '
            f'font-size="{FONT_SIZE - 1}">{escape(percent(r["index"]))}</text>'
        )
        y += height + GAP
    height = y
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{title_id}" aria-describedby="{desc_id}">'
        f'<title id="{title_id}">Biểu đồ Chỉ số CCHC khối {escape(block["block_name"])}</title>'
        f'<desc id="{desc_id}">{escape(description(block))}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every text above is escaped
