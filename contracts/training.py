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
    example={
        "need_id": "NEED-2025-0007",
        "nip": "198711032012121003",
        "unit": "DPMPTSP",
        "year": 2025,
        "kind": "DEVELOPMENT",
        "competency": "Pelayanan publik berbasis elektronik",
        "competency_type": "TEKNIS",
        "source": "APPRAISAL",
        "source_ref": "APR-2024-000456",
        "reason": "Hasil kerja di bawah ekspektasi pada tahun 2024",
    },
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
    example={
        "enrolment_id": "ENR-2025-0311",
        "nip": "199001152015031001",
        "course_id": "CRS-2025-SKP",
        "course_title": "Penyusunan SKP dan Manajemen Kinerja",
        "competency_type": "MANAJERIAL",
        "jp": 24,
        "completed_on": "2025-05-16",
        "year": 2025,
        "jp_year_total": 32,
    },
)

COURSE_COMPLETED_V2 = EventContract(
    type="training.course.completed",
    version=2,
    summary=(
        "An employee completed a course or approved external learning; its JP entered the "
        "ledger. v2 adds the competency name, the source and whether it was Latsar."
    ),
    data=record(
        {
            **COURSE_COMPLETED_V1.data["properties"],
            "competency": {
                "type": ["string", "null"],
                "maxLength": 200,
                "description": "The competency name needs use (null: external learning)",
            },
            "source": {"type": "string", "enum": ["COURSE", "EXTERNAL"]},
            "latsar": {
                "type": "boolean",
                "description": "Basic training of a CPNS (Pelatihan Dasar CPNS) was passed",
            },
        }
    ),
    example={
        **COURSE_COMPLETED_V1.example,
        "competency": "Pengembangan kinerja",
        "source": "COURSE",
        "latsar": False,
    },
)

CONTRACTS = (NEED_IDENTIFIED_V1, COURSE_COMPLETED_V1, COURSE_COMPLETED_V2)
