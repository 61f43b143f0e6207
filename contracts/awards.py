"""Events published by the awards service ("Sofifi Berprestasi", Satyalancana Karya Satya)."""

from contracts.base import DATE, DATETIME, ID, NIP, YEAR, EventContract, record

PROGRAMME = {"type": "string", "enum": ["SOFIFI_BERPRESTASI", "SATYALANCANA_KARYA_SATYA"]}

ELIGIBILITY_DETERMINED_V1 = EventContract(
    type="awards.eligibility.determined",
    version=1,
    summary="An employee's eligibility for an award programme in a year was (re)decided.",
    data=record(
        {
            "nip": NIP,
            "year": YEAR,
            "programme": PROGRAMME,
            "eligible": {"type": "boolean"},
            "reasons": {
                "type": "array",
                "items": record(
                    {
                        "code": {"type": "string", "pattern": "^[A-Z_]+$"},
                        "message": {"type": "string", "maxLength": 300},
                    }
                ),
            },
            "determined_at": DATETIME,
        }
    ),
)

AWARD_GRANTED_V1 = EventContract(
    type="awards.award.granted",
    version=1,
    summary="An award was granted to an employee.",
    data=record(
        {
            "grant_id": ID,
            "nip": NIP,
            "programme": PROGRAMME,
            "year": YEAR,
            "granted_on": DATE,
            "incentive_amount": {"type": "integer", "minimum": 0, "description": "Rupiah"},
        },
        {"class": {"type": "string", "enum": ["X", "XX", "XXX"], "description": "Years"}},
    ),
)

CONTRACTS = (ELIGIBILITY_DETERMINED_V1, AWARD_GRANTED_V1)
