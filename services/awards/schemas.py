"""Request and response schemas of the awards service (the API contract)."""

from __future__ import annotations

import marshmallow as ma


class EmployeeSchema(ma.Schema):
    """An employee as the awards service knows them."""

    nip = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    position = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    tmt_cpns = ma.fields.Date(required=True)
    as_of = ma.fields.DateTime(required=True, metadata={"description": "Time of the last event"})
