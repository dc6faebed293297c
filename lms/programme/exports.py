"""The indicator report as CSV and XLSX: the same figures as the page."""

import io

from openpyxl import Workbook

from lms.csvfile import csv_text, safe_cell

EVIDENCE_COLUMNS = ("label", "partner", "country", "area", "course", "gender")


def report_csv(figures, start, end) -> str:
    rows = []
    for fig in figures:
        if not fig.available:
            rows.append([fig.code, fig.name, "", "", "no data source yet", fig.rule, fig.source])
            continue
        rows.append([fig.code, fig.name, "total", "", fig.total, fig.rule, fig.source])
        for key, items in fig.breakdowns.items():
            for value, count in items:
                rows.append([fig.code, fig.name, key, value, count, "", ""])
    header = ["code", "indicator", "breakdown", "value", f"figure {start}..{end}", "rule", "source"]
    return csv_text(header, rows)


def _sheet_name(text: str) -> str:
    return text.replace(" ", "")[:31]


def report_xlsx(figures, start, end) -> bytes:
    """One sheet per indicator (total, rule, source, breakdowns) and one evidence sheet each."""
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(["Period", f"{start}", f"{end}"])
    summary.append(["Code", "Indicator", "Figure", "Rule", "Source"])
    for fig in figures:
        summary.append([fig.code, fig.name, fig.total if fig.available else "no data source yet",
                        fig.rule, fig.source])
    for fig in figures:
        sheet = book.create_sheet(_sheet_name(fig.code))
        sheet.append(["Code", fig.code])
        sheet.append(["Indicator", fig.name])
        sheet.append(["Total", fig.total if fig.available else "no data source yet"])
        sheet.append(["Rule", fig.rule])
        sheet.append(["Source", fig.source])
        for key, items in fig.breakdowns.items():
            sheet.append([])
            sheet.append([f"By {key}", "Figure"])
            for value, count in items:
                sheet.append([safe_cell(value), count])
        if fig.available:
            evidence = book.create_sheet(_sheet_name(f"{fig.code} evidence"))
            evidence.append(list(EVIDENCE_COLUMNS))
            for row in fig.rows:
                evidence.append([safe_cell(row.get(c, "")) for c in EVIDENCE_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
