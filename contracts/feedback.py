"""Events published by the feedback service (SP4N-LAPOR!, PermenPAN-RB 14/2017).

No event carries a reporter's identity or a report's text: only the employee and unit named.
"""

from contracts.base import DATE, DATETIME, NIP, NULLABLE_DATE, UNIT, YEAR, EventContract, record

TRACKING_NUMBER = {"type": "string", "minLength": 6, "maxLength": 32}
IKM_ELEMENTS = (
    "requirements",
    "procedures",
    "time",
    "cost",
    "product",
    "staff_competence",
    "staff_behaviour",
    "facilities",
    "complaint_handling",
)

# The fields of every version of feedback.complaint.substantiated (a new version adds to them).
COMPLAINT_FIELDS = {
    "tracking_number": TRACKING_NUMBER,
    "nip": NIP,
    "unit": UNIT,
    "substantiated_on": DATE,
    "incident_date": NULLABLE_DATE,
}
COMPLAINT_OPTIONAL = {"category": {"type": "string", "maxLength": 100}}
COMPLAINT_EXAMPLE = {
    "nip": "198711032012121003",
    "unit": "DPMPTSP",
    "substantiated_on": "2025-04-02",
    "incident_date": "2025-03-18",
}
CATEGORY_EXAMPLE = {"category": "Pungutan di luar ketentuan"}

COMPLAINT_SUBSTANTIATED_V1 = EventContract(
    type="feedback.complaint.substantiated",
    version=1,
    summary="A citizen's complaint about a named employee was found substantiated.",
    data=record(COMPLAINT_FIELDS, COMPLAINT_OPTIONAL),
    example={"tracking_number": "LPR-2025-000123", **COMPLAINT_EXAMPLE, **CATEGORY_EXAMPLE},
)

# v2 adds the severity the verifiers found (RINGAN / SEDANG / BERAT, the levels of PP 94/2021)
# so that a consumer can weigh a finding without asking for the report.
COMPLAINT_SUBSTANTIATED_V2 = EventContract(
    type="feedback.complaint.substantiated",
    version=2,
    summary="A citizen's complaint about a named employee was found substantiated, with severity.",
    data=record(
        {
            **COMPLAINT_FIELDS,
            "severity": {"type": "string", "enum": ["RINGAN", "SEDANG", "BERAT"]},
        },
        COMPLAINT_OPTIONAL,
    ),
    example={
        "tracking_number": "LPR-2025-7K3QX9MD",
        **COMPLAINT_EXAMPLE,
        "severity": "SEDANG",
        **CATEGORY_EXAMPLE,
    },
)

COMMENDATION_RECORDED_V1 = EventContract(
    type="feedback.commendation.recorded",
    version=1,
    summary="A citizen's commendation of a named employee was recorded.",
    data=record(
        {
            "tracking_number": TRACKING_NUMBER,
            "nip": NIP,
            "unit": UNIT,
            "recorded_on": DATE,
        }
    ),
    example={
        "tracking_number": "LPR-2025-000456",
        "nip": "199804212025032001",
        "unit": "DINKES",
        "recorded_on": "2025-05-09",
    },
)

IKM_PUBLISHED_V1 = EventContract(
    type="feedback.ikm.published",
    version=1,
    summary="A unit's public-satisfaction index (IKM) for a period was published.",
    data=record(
        {
            "unit": UNIT,
            "year": YEAR,
            "period": {"type": "string", "pattern": "^(ANNUAL|S[12]|Q[1-4])$"},
            "respondents": {"type": "integer", "minimum": 1},
            "nrr": record(
                {e: {"type": "number", "minimum": 1, "maximum": 4} for e in IKM_ELEMENTS}
            ),
            "ikm": {"type": "number", "minimum": 25, "maximum": 100},
            "category": {"type": "string", "enum": ["A", "B", "C", "D"]},
            "published_at": DATETIME,
        }
    ),
    example={
        "unit": "DPMPTSP",
        "year": 2024,
        "period": "S2",
        "respondents": 384,
        "nrr": {
            "requirements": 3.21,
            "procedures": 3.15,
            "time": 3.02,
            "cost": 3.48,
            "product": 3.3,
            "staff_competence": 3.25,
            "staff_behaviour": 3.4,
            "facilities": 3.05,
            "complaint_handling": 3.1,
        },
        "ikm": 80.44,
        "category": "B",
        "published_at": "2025-01-10T01:00:00+00:00",
    },
)

CONTRACTS = (
    COMPLAINT_SUBSTANTIATED_V1,
    COMPLAINT_SUBSTANTIATED_V2,
    COMMENDATION_RECORDED_V1,
    IKM_PUBLISHED_V1,
)
