"""Reading an uploaded CSV file: rows numbered as in a spreadsheet, 422 for what cannot be read.

Shared by the imports (the roster, assessment results): each checks its own header and rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

from chassis.domain import Invalid


def csv_error(name: str, reason: str) -> Invalid:
    """A refusal of the file as a whole (a 422 naming `errors.csv.<name>`)."""
    return Invalid({name: [reason]}, f"The CSV file cannot be read: {reason}", location="csv")


def read_csv(
    payload: bytes, check_header: Callable[[list[str]], None]
) -> tuple[int, Iterator[tuple[int, list[str]]]]:
    """The number of columns of the file and its data rows, numbered as in a spreadsheet
    (header = 1); 422 for a file that is empty, not UTF-8 or misshapen.

    `check_header` gets the lower-cased, stripped header and raises for a wrong one. Rows are
    decoded and parsed as they are consumed, so that a big file is never held twice (as text
    and as rows) in memory.
    """
    if not payload or payload.isspace():
        raise csv_error("file", "The file is empty.")
    # utf-8-sig: a BOM, as spreadsheets write it, is allowed.
    text = io.TextIOWrapper(io.BytesIO(payload), encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)
    header = [name.strip().lower() for name in _parsed(reader, [], payload)]
    check_header(header)
    return len(header), _data_rows(reader, payload)


def _data_rows(reader: Any, payload: bytes) -> Iterator[tuple[int, list[str]]]:
    seen = False
    number = 1
    while (record := _parsed(reader, None, payload)) is not None:
        number += 1
        if record:  # a blank line keeps its number but is no row
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
