"""Bar charts drawn on the server as accessible SVG (a title, a description, labelled bars);
every chart's numbers are also in a table next to it. No JavaScript."""

from markupsafe import Markup, escape

COLOURS = ("#1f5f8b", "#c26a00", "#3b7d3b")


def bar_chart(title: str, labels: list[str], series: list[tuple[str, list[int]]]) -> Markup:
    width, bar_h, gap, left = 560, 16, 10, 150
    groups = len(labels)
    rows = len(series)
    height = max(40, groups * (rows * bar_h + gap) + 30)
    peak = max([max(values or [0]) for _name, values in series] + [1])
    desc = "; ".join(
        f"{label}: " + ", ".join(f"{name} {values[i]}" for name, values in series)
        for i, label in enumerate(labels)
    )
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        'preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
    ]
    y = 10
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{left - 6}" y="{y + bar_h}" text-anchor="end" font-size="12">'
            f"{escape(label)}</text>"
        )
        for j, (_name, values) in enumerate(series):
            length = int((width - left - 60) * values[i] / peak)
            parts.append(
                f'<rect x="{left}" y="{y}" width="{length}" height="{bar_h - 2}" '
                f'fill="{COLOURS[j % len(COLOURS)]}"></rect>'
                f'<text x="{left + length + 4}" y="{y + bar_h - 4}" font-size="11">{values[i]}</text>'
            )
            y += bar_h
        y += gap
    legend_x = left
    for j, (name, _values) in enumerate(series):
        parts.append(
            f'<rect x="{legend_x}" y="{y}" width="10" height="10" fill="{COLOURS[j % len(COLOURS)]}">'
            f'</rect><text x="{legend_x + 14}" y="{y + 10}" font-size="11">{escape(name)}</text>'
        )
        legend_x += 140
    parts.append("</svg>")
    return Markup("".join(parts))
