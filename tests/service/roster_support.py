"""Helpers of the roster tests: CSV files of employees, posting them, the stored state."""

from __future__ import annotations

import io
from typing import Any

from services.recruitment.roster_import import COLUMNS

HEADER = ",".join(COLUMNS)


def csv_row(employee_events: Any, sequence: int, **overrides: Any) -> dict[str, str]:
    """A valid CSV row (as strings) for the employee with NIP sequence `sequence`."""
    record = employee_events.record(employee_events.nip(sequence), name=f"Pegawai {sequence}")
    record.update(overrides)
    return {name: "" if value is None else str(value) for name, value in record.items()}


def csv_text(rows: list[dict[str, str]], header: str = HEADER) -> str:
    """A CSV file with `header` and `rows` (in the header's column order)."""
    names = header.split(",")
    lines = [header] + [",".join(row.get(name, "") for name in names) for row in rows]
    return "\n".join(lines) + "\n"


def post_csv(
    service: Any,
    headers: dict[str, str],
    payload: str | bytes,
    *,
    dry_run: bool | None = None,
    multipart: bool = False,
):
    """POST /employees/import with `payload` as the body (or the multipart field `file`)."""
    body = payload.encode() if isinstance(payload, str) else payload
    url = "/employees/import" + ("" if dry_run is None else f"?dry_run={str(dry_run).lower()}")
    if multipart:
        return service.client.post(
            url,
            data={"file": (io.BytesIO(body), "roster.csv")},
            headers=headers,
            content_type="multipart/form-data",
        )
    return service.client.post(url, data=body, headers={**headers, "Content-Type": "text/csv"})


def stored_state(service: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every employee row and every outbox event: what a refused request must leave alone."""
    return service.rows("employees"), service.outbox_events()
