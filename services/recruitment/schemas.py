"""Request and response schemas of the recruitment service (the API contract)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from contracts.identifiers import nip_problem
from services.recruitment.models import GENDERS, STATUSES
from services.recruitment.roster import UPDATABLE_FIELDS


def _valid_nip(value: str) -> None:
    problem = nip_problem(value)
    if problem:
        raise ma.ValidationError(problem)


class Text(ma.fields.String):
    """A string with surrounding whitespace removed, refused when nothing is left."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ma.ValidationError("Must not be blank.")
        return text


def _nip_field(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(
        validate=_valid_nip,
        metadata={"description": "18 digits: birth date, TMT CPNS, gender, sequence"},
        **kwargs,
    )


NAME = {"validate": ma.validate.Length(max=200)}
UNIT = {"validate": ma.validate.Length(max=64), "metadata": {"description": "Unit code"}}
POSITION = {"validate": ma.validate.Length(max=200), "metadata": {"description": "Jabatan"}}
STATUS = {"validate": ma.validate.OneOf(STATUSES)}


class EmployeeCreateSchema(ma.Schema):
    """A new employee for the roster."""

    nip = _nip_field(required=True)
    name = Text(required=True, **NAME)
    gender = ma.fields.String(required=True, validate=ma.validate.OneOf(GENDERS))
    birth_date = ma.fields.Date(required=True)
    tmt_cpns = ma.fields.Date(required=True, metadata={"description": "Start of service as CPNS"})
    status = ma.fields.String(required=True, **STATUS)
    unit = Text(required=True, **UNIT)
    position = Text(required=True, **POSITION)
    supervisor_nip = _nip_field(allow_none=True, load_default=None)
    appointed_on = ma.fields.Date(
        load_default=None, metadata={"description": "Date of appointment; today (WIT) if absent"}
    )


class EmployeeUpdateSchema(ma.Schema):
    """A change to an employee: a transfer, a new supervisor, a new status, a corrected name."""

    name = Text(**NAME)
    unit = Text(**UNIT)
    position = Text(**POSITION)
    supervisor_nip = _nip_field(allow_none=True)
    status = ma.fields.String(**STATUS)
    reason = Text(validate=ma.validate.Length(max=500), metadata={"description": "Why (an SK)"})

    @ma.validates_schema
    def _something_to_change(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not set(data) & set(UPDATABLE_FIELDS):
            raise ma.ValidationError(
                f"Give at least one field to change: {', '.join(UPDATABLE_FIELDS)}."
            )


class EmployeeSchema(ma.Schema):
    """An employee on the roster."""

    nip = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    gender = ma.fields.String(required=True)
    birth_date = ma.fields.Date(required=True)
    tmt_cpns = ma.fields.Date(required=True)
    status = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    position = ma.fields.String(required=True)
    supervisor_nip = ma.fields.String(allow_none=True)
    appointed_on = ma.fields.Date(required=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)
