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

COMPLAINT_SUBSTANTIATED_V1 = EventContract(
    type="feedback.complaint.substantiated",
    version=1,
    summary="A citizen's complaint about a named employee was found substantiated.",
    data=record(
        {
            "tracking_number": TRACKING_NUMBER,
            "nip": NIP,
            "unit": UNIT,
            "substantiated_on": DATE,
            "incident_date": NULLABLE_DATE,
        },
        {"category": {"type": "string", "maxLength": 100}},
    ),
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
)

CONTRACTS = (COMPLAINT_SUBSTANTIATED_V1, COMMENDATION_RECORDED_V1, IKM_PUBLISHED_V1)
