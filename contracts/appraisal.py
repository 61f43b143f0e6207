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
)

CONTRACTS = (APPRAISAL_FINALIZED_V1,)
