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
    example={
        "nip": "199804212025032001",
        "name": "Siti Nurhaliza Umasugi",
        "gender": "F",
        "birth_date": "1998-04-21",
        "tmt_cpns": "2025-03-01",
        "status": "CPNS",
        "unit": "DINKES",
        "position": "Perawat Ahli Pertama",
        "supervisor_nip": "197806152003122002",
        "appointed_on": "2025-03-01",
        "source": "selection",
        "unpaid_leave": [],
    },
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
    example={
        "nip": "199001152015031001",
        "name": "Rahmat Hidayat",
        "gender": "M",
        "birth_date": "1990-01-15",
        "tmt_cpns": "2015-03-01",
        "status": "PNS",
        "unit": "BKD",
        "position": "Analis Sumber Daya Manusia Aparatur Ahli Muda",
        "supervisor_nip": "197806152003122002",
        "changed": ["unit", "position", "supervisor_nip"],
        "reason": "Mutasi dari Dinas Kesehatan ke BKD",
        "unpaid_leave": [{"start": "2019-01-01", "end": "2019-12-31"}],
    },
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
    example={
        "sanction_id": "HD-2025-0042",
        "nip": "198711032012121003",
        "level": "SEDANG",
        "kind": "Pemotongan tunjangan kinerja 25% selama 6 bulan",
        "decided_on": "2025-06-10",
        "effective_from": "2025-07-01",
        "effective_until": "2025-12-31",
        "regulation": "PP 94/2021",
    },
)

CONTRACTS = (EMPLOYEE_APPOINTED_V1, EMPLOYEE_UPDATED_V1, EMPLOYEE_SANCTIONED_V1)
