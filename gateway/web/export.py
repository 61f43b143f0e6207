"""Lists as spreadsheets: CSV (UTF-8 with BOM, for Excel) and XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    # A leading = + - @ would make a spreadsheet run the text as a formula (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def spreadsheet(
    name: str, kind: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Response:
    """A download of `rows` under `header` as `name.csv` or `name.xlsx` (`kind` csv/xlsx)."""
    if kind == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet(name[:31])
        sheet.append(list(header))
        for row in rows:
            # NIPs and registration numbers stay text: Excel would round 18 digits.
            sheet.append([_cell(v) for v in row])
        out = io.BytesIO()
        book.save(out)
        body, mimetype = out.getvalue(), XLSX
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows([_cell(v) for v in row] for row in rows)
        body, mimetype = ("\ufeff" + text.getvalue()).encode(), "text/csv; charset=utf-8"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename={name}.{kind}"},
    )
