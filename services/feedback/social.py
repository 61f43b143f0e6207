"""Reports gathered from social media: one export per channel (CSV or JSON), all rows or none.

Each row becomes a CONFIDENTIAL report (the handle is the reporter's contact: it identifies a
person and is seen only by the verifiers) with the channel and the post's URL; a post already
imported (same channel and URL) is skipped, so importing a file twice adds nothing.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from datetime import date, datetime
from typing import Any

import marshmallow as ma
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from chassis.domain import ConflictError, Invalid
from chassis.uow import UnitOfWork
from services.feedback import reports, rules
from services.feedback.tables import Report

MAX_ROWS = 5000
COLUMNS = ("post_url", "handle", "posted_at", "unit", "category", "kind", "text")


class SocialRowSchema(ma.Schema):
    """One post of an export."""

    post_url = ma.fields.Url(required=True, schemes={"https"}, validate=ma.validate.Length(max=500))
    handle = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    posted_at = ma.fields.Date(load_default=None)
    unit = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    category = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    kind = ma.fields.String(
        load_default="COMPLAINT",
        validate=ma.validate.OneOf(("SUGGESTION", "COMPLAINT", "INFORMATION_REQUEST")),
    )
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=5000))


def parse(content: bytes, file_format: str) -> list[dict[str, Any]]:
    """The rows of a CSV (with a header) or JSON (a list of objects) export."""
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid.field("file", "The file is not UTF-8 text.", location="files") from None
    if file_format == "json":
        try:
            rows = json.loads(decoded)
        except ValueError:
            raise Invalid.field("file", "The file is not valid JSON.", location="files") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise Invalid.field("file", "The JSON must be a list of objects.", location="files")
    else:
        reader = csv.DictReader(io.StringIO(decoded))
        required = ("post_url", "handle", "unit", "category", "text")
        missing = [c for c in required if c not in (reader.fieldnames or ())]
        if missing:
            message = f"Missing columns: {', '.join(missing)}."
            raise Invalid.field("file", message, location="files")
        rows = [dict(row) for row in reader]
    if not rows:
        raise Invalid.field("file", "The file has no rows.", location="files")
    if len(rows) > MAX_ROWS:
        raise Invalid.field("file", f"At most {MAX_ROWS} rows per file.", location="files")
    return rows


def import_posts(
    uow: UnitOfWork, channel: str, content: bytes, file_format: str, now: datetime
) -> dict[str, Any]:
    """Import an export of `channel`; a file with a bad row imports nothing and names the rows."""
    uow.require_actor()
    rows = parse(content, file_format)
    schema = SocialRowSchema()
    valid: list[tuple[int, dict[str, Any]]] = []
    problems: dict[str, Any] = {}
    seen: set[str] = set()
    for number, raw in enumerate(rows, start=1):
        cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in raw.items() if k}
        cleaned = {k: v for k, v in cleaned.items() if v not in ("", None) and k in COLUMNS}
        try:
            row = schema.load(cleaned)
        except ma.ValidationError as error:
            problems[f"row {number}"] = error.messages
            continue
        if row["posted_at"] is not None and row["posted_at"] > rules.wit_date(now):
            problems[f"row {number}"] = {"posted_at": ["The post cannot be in the future."]}
            continue
        if row["post_url"] in seen:
            problems[f"row {number}"] = {"post_url": ["This post appears twice in the file."]}
            continue
        seen.add(row["post_url"])
        valid.append((number, row))
    if problems:
        raise Invalid({"rows": problems}, "The file has errors; nothing was imported.")
    already = set(
        uow.session.scalars(
            select(Report.post_url).where(Report.channel == channel, Report.post_url.in_(seen))
        )
    )
    created = []
    try:
        for _number, row in valid:
            if row["post_url"] in already:
                continue
            data = _report_data(channel, row)
            report = reports.new_report(uow, data, now, secret_hash=_unusable_secret())
            created.append(report["tracking_number"])
    except IntegrityError:
        # Another import of the same posts committed first: nothing of this one is kept.
        raise ConflictError("These posts are being imported by someone else; try again.") from None
    return {"imported": len(created), "skipped": len(valid) - len(created), "created": created}


def _report_data(channel: str, row: dict[str, Any]) -> dict[str, Any]:
    title = row["text"].split("\n", 1)[0][:120]
    incident: date | None = row["posted_at"]
    return {
        "kind": row["kind"],
        "subject": "UNIT",
        "unit": row["unit"],
        "category": row["category"],
        "title": title,
        "body": row["text"],
        "incident_date": incident,
        "privacy": "CONFIDENTIAL",
        "handle": row["handle"],
        "channel": channel,
        "post_url": row["post_url"],
    }


def _unusable_secret() -> str:
    # Nobody holds a secret for an imported post: staff answer on the channel instead. A random
    # value's hash that was never shown opens nothing.
    return reports.hash_secret(secrets.token_urlsafe(32))
