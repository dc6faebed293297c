"""CSV files people open in spreadsheets: UTF-8 with a BOM, formulas neutralised.

Used by the cohort exports and by a person's data download.
"""

import csv
import io


def safe_cell(value) -> str:
    """Stringify, and neutralise spreadsheet formulas (CSV injection); ``None`` is empty."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_text(header: list, rows) -> str:
    """The whole file: a BOM (so spreadsheet programs read UTF-8), the header, the rows."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
