"""Events published by the training service (PP 11/2017 as amended by PP 17/2020)."""

from contracts.base import COMPETENCY_TYPE, DATE, ID, NIP, UNIT, YEAR, EventContract, record

NEED_IDENTIFIED_V1 = EventContract(
    type="training.need.identified",
    version=1,
    summary="A training need was recorded for an employee (from appraisal, appointment or gaps).",
    data=record(
        {
            "need_id": ID,
            "nip": NIP,
            "unit": UNIT,
            "year": YEAR,
            "kind": {"type": "string", "enum": ["DEVELOPMENT", "COMPETENCY", "LATSAR"]},
            "competency": {"type": "string", "minLength": 1, "maxLength": 200},
            "competency_type": COMPETENCY_TYPE,
            "source": {"type": "string", "enum": ["APPRAISAL", "APPOINTMENT", "GAP_ANALYSIS"]},
        },
        {
            "source_ref": {"type": "string", "maxLength": 64},
            "reason": {"type": "string", "maxLength": 500},
        },
    ),
)

COURSE_COMPLETED_V1 = EventContract(
    type="training.course.completed",
    version=1,
    summary="An employee completed a course; its lesson hours (JP) entered the ledger.",
    data=record(
        {
            "enrolment_id": ID,
            "nip": NIP,
            "course_id": ID,
            "course_title": {"type": "string", "minLength": 1, "maxLength": 300},
            "competency_type": COMPETENCY_TYPE,
            "jp": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000},
            "completed_on": DATE,
            "year": YEAR,
            "jp_year_total": {
                "type": "number",
                "minimum": 0,
                "description": "The employee's JP in `year` after this course",
            },
        }
    ),
)

CONTRACTS = (NEED_IDENTIFIED_V1, COURSE_COMPLETED_V1)
