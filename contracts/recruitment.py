"""Events published by the recruitment service (the roster of employees)."""

from contracts.base import DATE, NIP, NULLABLE_DATE, NULLABLE_NIP, UNIT, EventContract, record

_EMPLOYEE = {
    "nip": NIP,
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "gender": {"type": "string", "enum": ["M", "F"]},
    "birth_date": DATE,
    "tmt_cpns": {**DATE, "description": "Start of service as CPNS (counts towards Satyalancana)"},
    "status": {"type": "string", "enum": ["CPNS", "PNS", "PPPK"]},
    "unit": UNIT,
    "position": {"type": "string", "minLength": 1, "maxLength": 200},
    "supervisor_nip": {**NULLABLE_NIP, "description": "Direct supervisor = the appraiser"},
}
_UNPAID_LEAVE = {
    "type": "array",
    "description": "Periods of unpaid leave (CLTN); they break continuous service",
    "items": record({"start": DATE, "end": NULLABLE_DATE}),
}

EMPLOYEE_APPOINTED_V1 = EventContract(
    type="recruitment.employee.appointed",
    version=1,
    summary="An employee joined the roster (appointed after selection, imported, or entered).",
    data=record(
        {**_EMPLOYEE, "appointed_on": DATE},
        {
            "source": {"type": "string", "enum": ["selection", "import", "manual"]},
            "unpaid_leave": _UNPAID_LEAVE,
        },
    ),
)

EMPLOYEE_UPDATED_V1 = EventContract(
    type="recruitment.employee.updated",
    version=1,
    summary="An employee's record changed; carries the whole record after the change.",
    data=record(
        {
            **_EMPLOYEE,
            "changed": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Names of the fields that changed",
            },
        },
        {"reason": {"type": "string", "maxLength": 500}, "unpaid_leave": _UNPAID_LEAVE},
    ),
)

EMPLOYEE_SANCTIONED_V1 = EventContract(
    type="recruitment.employee.sanctioned",
    version=1,
    summary="A disciplinary sanction under PP 94/2021 was imposed on an employee.",
    data=record(
        {
            "sanction_id": {"type": "string", "minLength": 1, "maxLength": 64},
            "nip": NIP,
            "level": {"type": "string", "enum": ["RINGAN", "SEDANG", "BERAT"]},
            "kind": {"type": "string", "minLength": 1, "maxLength": 200},
            "decided_on": DATE,
            "effective_from": DATE,
            "effective_until": NULLABLE_DATE,
        },
        {"regulation": {"type": "string", "const": "PP 94/2021"}},
    ),
)

CONTRACTS = (EMPLOYEE_APPOINTED_V1, EMPLOYEE_UPDATED_V1, EMPLOYEE_SANCTIONED_V1)
