"""Request and response schemas of the recruitment service (the API contract)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from chassis.fields import Text, check
from contracts.identifiers import nip_problem
from services.recruitment.models import GENDERS, SANCTION_LEVELS, STATUSES
from services.recruitment.roster import CORRECTION_PREFIX, UPDATABLE_FIELDS

_valid_nip = check(nip_problem)


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
    correction = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "The status was entered wrongly: set it without the transition rule "
            "(a reason is required; the event's reason starts with 'Correction: ')"
        },
    )

    @ma.validates_schema
    def _something_to_change(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not set(data) & set(UPDATABLE_FIELDS):
            raise ma.ValidationError(
                f"Give at least one field to change: {', '.join(UPDATABLE_FIELDS)}."
            )

    @ma.validates_schema
    def _a_correction_says_why(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data.get("correction"):
            return
        if "status" not in data:
            raise ma.ValidationError("A correction fixes the status: give it.", "status")
        longest = 500 - len(CORRECTION_PREFIX)
        if not data.get("reason"):
            raise ma.ValidationError("A correction needs a reason (e.g. the SK).", "reason")
        if len(data["reason"]) > longest:
            raise ma.ValidationError(f"A correction's reason is at most {longest} long.", "reason")


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


class EmployeeSearchArgs(ma.Schema):
    """Filters of the roster search and the page wanted."""

    unit = ma.fields.String(validate=ma.validate.Length(max=64))
    status = ma.fields.String(**STATUS)
    supervisor_nip = _nip_field()
    q = Text(
        validate=ma.validate.Length(max=200),
        metadata={"description": "Part of the name (any case) or the start of the NIP"},
    )
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    page_size = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=500))


class EmployeePageSchema(ma.Schema):
    """One page of employees, in NIP order, and how many match in all."""

    items = ma.fields.List(ma.fields.Nested(EmployeeSchema), required=True)
    page = ma.fields.Integer(required=True)
    page_size = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)


class ImportArgs(ma.Schema):
    """Options of a roster import."""

    dry_run = ma.fields.Boolean(
        load_default=False, metadata={"description": "Only check the file; import nothing"}
    )


class ImportResultSchema(ma.Schema):
    """What an import did (or, in a dry run, would do)."""

    rows = ma.fields.Integer(required=True, metadata={"description": "Valid rows in the file"})
    imported = ma.fields.Integer(required=True)
    events = ma.fields.Integer(required=True, metadata={"description": "employee.appointed"})
    dry_run = ma.fields.Boolean(required=True)
    by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    units = ma.fields.Integer(metadata={"description": "Distinct units in the file"})


class SanctionCreateSchema(ma.Schema):
    """A disciplinary sanction decided under PP 94/2021."""

    sanction_id = Text(
        required=True,
        validate=ma.validate.Length(max=64),
        metadata={"description": "Number of the SK imposing it"},
    )
    level = ma.fields.String(required=True, validate=ma.validate.OneOf(SANCTION_LEVELS))
    kind = Text(required=True, validate=ma.validate.Length(max=200))
    decided_on = ma.fields.Date(required=True)
    effective_from = ma.fields.Date(required=True)
    effective_until = ma.fields.Date(allow_none=True, load_default=None)


class SanctionSchema(SanctionCreateSchema):
    """A recorded sanction."""

    nip = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


class UnpaidLeaveCreateSchema(ma.Schema):
    """A period of unpaid leave (CLTN); no `end` while it is still running."""

    start = ma.fields.Date(required=True)
    end = ma.fields.Date(allow_none=True, load_default=None)
    reason = Text(validate=ma.validate.Length(max=500), metadata={"description": "E.g. the SK"})


class UnpaidLeaveSchema(ma.Schema):
    """A recorded period of unpaid leave."""

    start = ma.fields.Date(required=True, attribute="start_on")
    end = ma.fields.Date(allow_none=True, attribute="end_on")
    reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
