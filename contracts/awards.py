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
    example={
        "nip": "198711032012121003",
        "year": 2024,
        "programme": "SOFIFI_BERPRESTASI",
        "eligible": False,
        "reasons": [
            {
                "code": "DISCIPLINARY_SANCTION",
                "message": "A disciplinary sanction (SEDANG) took effect in the period.",
            }
        ],
        "determined_at": "2025-02-03T03:00:00+00:00",
    },
)

# Which award an event is about (granted or revoked).
AWARD = {"grant_id": ID, "nip": NIP, "programme": PROGRAMME, "year": YEAR}
# The fields every version of awards.award.granted requires (a new version adds optional ones).
GRANT_FIELDS = {
    **AWARD,
    "granted_on": DATE,
    "incentive_amount": {"type": "integer", "minimum": 0, "description": "Rupiah"},
}

AWARD_GRANTED_V1 = EventContract(
    type="awards.award.granted",
    version=1,
    summary="An award was granted to an employee.",
    data=record(
        GRANT_FIELDS,
        {"class": {"type": "string", "enum": ["X", "XX", "XXX"], "description": "Years"}},
    ),
    example={
        "grant_id": "AWD-2025-0015",
        "nip": "199001152015031001",
        "programme": "SATYALANCANA_KARYA_SATYA",
        "year": 2025,
        "granted_on": "2025-08-17",
        "incentive_amount": 0,
        "class": "X",
    },
)

CATEGORY = {
    "type": "string",
    "pattern": "^[A-Z][A-Z0-9_]{0,31}$",
    "description": "Category code of the programme (e.g. ASN_TELADAN); Sofifi Berprestasi only",
}

# v2: the category an award of Sofifi Berprestasi was granted in, and the programme's id.
AWARD_GRANTED_V2 = EventContract(
    type="awards.award.granted",
    version=2,
    summary="An award was granted to an employee (with its category and programme).",
    data=record(
        GRANT_FIELDS,
        {
            "programme_id": {
                "type": ["string", "null"],
                "minLength": 1,
                "maxLength": 64,
                "description": "The yearly programme (Sofifi Berprestasi); null otherwise",
            },
            "category": {**CATEGORY, "type": ["string", "null"]},
            "class": {
                "type": ["string", "null"],
                "enum": ["X", "XX", "XXX", None],
                "description": "Satyalancana class (years); null for Sofifi Berprestasi",
            },
        },
    ),
    example={
        "grant_id": "SB-2024-0001",
        "nip": "199001152015031001",
        "programme": "SOFIFI_BERPRESTASI",
        "programme_id": "SB-2024",
        "year": 2024,
        "granted_on": "2025-03-10",
        "incentive_amount": 15000000,
        "category": "ASN_TELADAN",
        "class": None,
    },
)

AWARD_REVOKED_V1 = EventContract(
    type="awards.award.revoked",
    version=1,
    summary="A granted award was revoked (a sanction or complaint about its year came later).",
    data=record(
        {
            **AWARD,
            "revoked_on": DATE,
            "reason": {
                "type": "string",
                "enum": ["DISCIPLINARY_SANCTION", "SUBSTANTIATED_COMPLAINT"],
            },
        },
        {"category": CATEGORY, "programme_id": ID},
    ),
    example={
        "grant_id": "SB-2024-0001",
        "nip": "199001152015031001",
        "programme": "SOFIFI_BERPRESTASI",
        "programme_id": "SB-2024",
        "year": 2024,
        "revoked_on": "2025-06-02",
        "reason": "DISCIPLINARY_SANCTION",
        "category": "ASN_TELADAN",
    },
)

CONTRACTS = (ELIGIBILITY_DETERMINED_V1, AWARD_GRANTED_V1, AWARD_GRANTED_V2, AWARD_REVOKED_V1)
