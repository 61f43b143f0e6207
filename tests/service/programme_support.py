"""A small province for the awards programme tests: staff, supervisors, committee, programme."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from services.awards.scoring import today_wit
from tests.service.awards_support import event, finalized

YEAR = 2024
COMMENDED = "feedback.commendation.recorded"


def programme_body(year: int = YEAR, **overrides: Any) -> dict[str, Any]:
    """A programme whose every window is today (WIT), so that a test can walk the timeline."""
    today = today_wit().isoformat()
    body = {
        "year": year,
        "title": f"Sofifi Berprestasi {year}",
        "total_budget": 50_000_000,
        "min_scorers": 2,
        "nominations_open": today,
        "nominations_close": today,
        "scoring_open": today,
        "scoring_close": today,
        "decision_on": today,
        "announcement_on": today,
        "categories": [
            {
                "code": "ASN_TELADAN",
                "name": "ASN Teladan",
                "quota": 1,
                "incentive_amount": 15_000_000,
            },
            {
                "code": "INOVASI",
                "name": "Inovasi",
                "quota": 2,
                "incentive_amount": 10_000_000,
                "self_nomination": True,
            },
        ],
        "criteria": [
            {"code": "KINERJA", "name": "Kinerja", "weight": 50},
            {"code": "INTEGRITAS", "name": "Integritas", "weight": 30},
            {"code": "INOVASI", "name": "Inovasi", "weight": 20},
        ],
    }
    body.update(overrides)
    return body


def days(offset: int) -> str:
    return (today_wit() + timedelta(days=offset)).isoformat()


def commendation(nip: str, recorded_on: str, tracking: str = "LPR-2024-000456") -> Any:
    data = {"tracking_number": tracking, "nip": nip, "unit": "BKD", "recorded_on": recorded_on}
    return event(COMMENDED, data)


@dataclass
class Province:
    """Staff of two units with their supervisors, appraised for YEAR, and the tokens of the
    people who act: supervisors, committee members, an admin."""

    awards: Any
    keys: Any
    employee_events: Any
    nips: dict[str, str] = field(default_factory=dict)

    def setup(self) -> Province:
        e = self.employee_events
        people = [
            # key, sequence, unit, supervisor key, predikat
            ("head", 1, "BKD", None, "BAIK"),
            ("sup", 2, "BKD", "head", "BAIK"),
            ("ani", 3, "BKD", "sup", "SANGAT_BAIK"),
            ("budi", 4, "BKD", "sup", "SANGAT_BAIK"),
            ("citra", 5, "BKD", "sup", "SANGAT_BAIK"),
            ("dina", 6, "BKD", "sup", "BAIK"),
            ("dinsup", 7, "DINKES", None, "BAIK"),
            ("eko", 8, "DINKES", "dinsup", "SANGAT_BAIK"),
            ("member", 9, "INSPEKTORAT", None, "BAIK"),
        ]
        for key, sequence, *_ in people:
            self.nips[key] = e.nip(sequence, birth=date(1985, 1, sequence))
        events = []
        for key, _sequence, unit, sup, predikat in people:
            record = e.record(
                self.nips[key],
                name=f"Pegawai {key.title()}",
                unit=unit,
                supervisor_nip=self.nips[sup] if sup else None,
                position="Analis Kebijakan",
            )
            events.append(e.appointed(record))
            events.append(finalized(self.nips[key], predikat, year=YEAR, unit=unit))
        assert set(self.awards.deliver(*events)) == {"ack"}
        return self

    # -- tokens --
    def admin(self) -> dict[str, str]:
        return self.keys.headers("admin", subject="bkd")

    def supervisor(self, key: str = "sup") -> dict[str, str]:
        unit = "DINKES" if key == "dinsup" else "BKD"
        return self.keys.headers("supervisor", subject=key, nip=self.nips[key], unit=unit)

    def employee(self, key: str) -> dict[str, str]:
        return self.keys.headers("employee", subject=key, nip=self.nips[key], unit="BKD")

    def member(self, name: str, nip_key: str | None = None, unit: str | None = None):
        nip = self.nips[nip_key] if nip_key else None
        return self.keys.headers("committee", subject=name, nip=nip, unit=unit)

    # -- calls --
    def create(self, **overrides: Any) -> dict[str, Any]:
        response = self.awards.client.post(
            "/programmes", json=programme_body(**overrides), headers=self.admin()
        )
        assert response.status_code == 201, response.json
        return response.json

    def nominate(self, key: str, category: str = "ASN_TELADAN", by: str = "sup", pid="SB-2024"):
        headers = self.employee(by) if by == key else self.supervisor(by)
        body = {
            "category": category,
            "nip": self.nips[key],
            "statement": f"{key} memimpin layanan terpadu.",
            "evidence": [{"title": "SK Tim", "url": "https://bkd.malutprov.go.id/sk/1"}],
        }
        return self.awards.client.post(f"/programmes/{pid}/nominations", json=body, headers=headers)

    def score(self, nomination_id: int, headers: dict[str, str], k: float, i: float, n: float):
        body = {"scores": {"KINERJA": k, "INTEGRITAS": i, "INOVASI": n}}
        return self.awards.client.post(
            f"/nominations/{nomination_id}/scores", json=body, headers=headers
        )

    def decide(self, awards: list[int], pid: str = "SB-2024"):
        return self.awards.client.post(
            f"/programmes/{pid}/decision", json={"awards": awards}, headers=self.admin()
        )
