"""Events published by the appraisal service (PermenPAN-RB 6/2022)."""

from contracts.base import DATETIME, ID, NIP, PREDIKAT, RATING, UNIT, YEAR, EventContract, record

BERAKHLAK_VALUES = (
    "berorientasi_pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
)

APPRAISAL_FINALIZED_V1 = EventContract(
    type="appraisal.appraisal.finalized",
    version=1,
    summary="An employee's rating for a period was finalized with its predikat.",
    data=record(
        {
            "appraisal_id": ID,
            "nip": NIP,
            "unit": UNIT,
            "appraiser_nip": NIP,
            "year": YEAR,
            "period": {"type": "string", "enum": ["ANNUAL", "Q1", "Q2", "Q3", "Q4"]},
            "results_rating": RATING,
            "behaviour_rating": RATING,
            "behaviour_values": record({value: RATING for value in BERAKHLAK_VALUES}),
            "predikat": PREDIKAT,
            "finalized_at": DATETIME,
        },
        {
            "unit_rating": {
                "type": "string",
                "enum": ["ISTIMEWA", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG"],
            }
        },
    ),
    example={
        "appraisal_id": "APR-2024-000123",
        "nip": "199001152015031001",
        "unit": "BKD",
        "appraiser_nip": "197806152003122002",
        "year": 2024,
        "period": "ANNUAL",
        "results_rating": "DI_ATAS",
        "behaviour_rating": "DI_ATAS",
        "behaviour_values": {
            "berorientasi_pelayanan": "DI_ATAS",
            "akuntabel": "DI_ATAS",
            "kompeten": "SESUAI",
            "harmonis": "DI_ATAS",
            "loyal": "SESUAI",
            "adaptif": "DI_ATAS",
            "kolaboratif": "DI_ATAS",
        },
        "predikat": "SANGAT_BAIK",
        "finalized_at": "2025-01-20T02:15:00+00:00",
        "unit_rating": "ISTIMEWA",
    },
)

CONTRACTS = (APPRAISAL_FINALIZED_V1,)
