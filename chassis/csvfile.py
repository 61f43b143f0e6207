"""The one CSV reader of every upload: a file that cannot be read is a 422 naming why.

An empty file, bytes that are not UTF-8, a field over the csv module's limit (128 KiB), a quote
left open, a bare CR inside a field: all are refused with the line, never a 500. Cells that hold
whole numbers go through `whole_number`, which takes digits only (no `--1`, no 5,000 digits).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from chassis.domain import Invalid

MAX_NUMBER_DIGITS = 18  # within a 64-bit integer; the rules' own ranges are far tighter


def csv_error(name: str, reason: str) -> Invalid:
    """A refusal of the file as a whole (a 422 naming `errors.csv.<name>`)."""
    return Invalid({name: [reason]}, f"The CSV file cannot be read: {reason}", location="csv")


def read_csv(payload: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The file's header (trimmed, lower case) and its data rows, numbered as in a spreadsheet
    (header = 1); 422 for a file that is empty, not UTF-8 or misshapen.

    Rows are decoded and parsed as they are consumed, so that a big file is never held twice
    (as text and as rows) in memory; blank lines keep their number but are no rows.
    """
    if not payload or payload.isspace():
        raise csv_error("file", "The file is empty.")
    # utf-8-sig: a BOM, as spreadsheets write it, is allowed; newline="": the csv module itself
    # takes CR, LF and CRLF as line ends and refuses a bare CR inside an unquoted field.
    text = io.TextIOWrapper(io.BytesIO(payload), encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)
    header = [name.strip().lower() for name in _parsed(reader, [], payload)]
    return header, _data_rows(reader, payload)


def whole_number(cell: str) -> int | None:
    """The integer a cell holds (an optional minus, then at most 18 ASCII digits), or None."""
    digits = cell[1:] if cell.startswith("-") else cell
    if not digits.isascii() or not digits.isdigit() or len(digits) > MAX_NUMBER_DIGITS:
        return None
    return int(cell)


def _data_rows(reader: Any, payload: bytes) -> Iterator[tuple[int, list[str]]]:
    seen = False
    number = 1
    while (record := _parsed(reader, None, payload)) is not None:
        number += 1
        if record:
            seen = True
            yield number, record
    if not seen:
        raise csv_error("file", "The file has a header but no rows.")


def _parsed(reader: Any, default: Any, payload: bytes) -> Any:
    """The next record of `reader` (or `default` at the end); 422 for what cannot be read."""
    try:
        return next(reader, default)
    except csv.Error as exc:
        raise csv_error("file", f"Line {reader.line_num + 1}: {exc}.") from None
    except UnicodeDecodeError:
        pass
    # Decoding runs ahead of parsing: find the bad byte itself (rare path, so decode it all).
    try:
        payload.decode("utf-8-sig")
        where = ""
    except UnicodeDecodeError as exc:
        line = payload.count(b"\n", 0, exc.start) + 1
        where = f" (line {line}, byte {exc.start + 1})"
    raise csv_error("file", f"The file is not UTF-8{where}.")


def request_csv() -> bytes:
    """The CSV of the current request: a multipart `file` field, or the body itself."""
    from flask import request

    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise csv_error("file", "Send the CSV as the multipart field `file`.")
        return upload.read()
    return request.get_data(cache=False)
