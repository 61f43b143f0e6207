"""Helpers of the selection tests: valid NIKs, applicants, and a driver of the HTTP API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import update

from services.recruitment.selection.models import Appeal, Formation

SELECTION_TABLES = (
    "formations",
    "passing_grades",
    "applications",
    "selection_results",
    "appeals",
    "audit_log",
    "appointments",
    "employees",
    "outbox",
)
YEAR = 2024


def nik(birth_date: date, gender: str, sequence: int, region: str = "820101") -> str:
    """A valid NIK (Dukcapil): region, birth date DDMMYY (+40 on the day for women), sequence."""
    day = birth_date.day + (40 if gender == "F" else 0)
    return f"{region}{day:02d}{birth_date:%m%y}{sequence:04d}"


def applicant(number: int, **overrides: Any) -> dict[str, Any]:
    """The body of a registration for applicant `number`, consistent with its NIK."""
    birth = date(1995, 1, 1) + timedelta(days=37 * number)
    gender = "F" if number % 2 else "M"
    body = {
        "registration_number": f"REG-{number:05d}",
        "nik": nik(birth, gender, number),
        "name": f"Pelamar {number}",
        "birth_date": birth.isoformat(),
        "gender": gender,
        "education": "S1 Keperawatan",
        "gpa": 3.5,
    }
    body.update(overrides)
    return body


def formation_body(code: str = "2024-DINKES-0001", **overrides: Any) -> dict[str, Any]:
    """The body of a new formation."""
    body = {
        "code": code,
        "year": YEAR,
        "position": "Perawat Ahli Pertama",
        "unit": "DINKES",
        "education": "S1 Keperawatan",
        "category": "GENERAL",
        "quota": 1,
    }
    body.update(overrides)
    return body


def skd_csv(rows: list[tuple[str, Any, Any, Any]]) -> str:
    """An SKD upload: header and one line per (registration number, twk, tiu, tkp)."""
    lines = ["registration_number,twk,tiu,tkp"] + [",".join(map(str, row)) for row in rows]
    return "\n".join(lines) + "\n"


def skb_csv(rows: list[tuple[str, Any]]) -> str:
    """An SKB upload: header and one line per (registration number, skb)."""
    lines = ["registration_number,skb"] + [",".join(map(str, row)) for row in rows]
    return "\n".join(lines) + "\n"


@dataclass
class Selection:
    """Drives the selection API of a recruitment service under test."""

    service: Any
    keys: Any
    secrets: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str = "admin") -> dict[str, str]:
        return self.keys.headers(role, subject=f"{role}-user")

    def call(self, method: str, url: str, role: str | None = "admin", **kwargs: Any):
        headers = self.headers(role) if role else {}
        return getattr(self.service.client, method)(url, headers=headers, **kwargs)

    def formation(self, code: str = "2024-DINKES-0001", **overrides: Any) -> dict[str, Any]:
        response = self.call("post", "/formations", json=formation_body(code, **overrides))
        assert response.status_code == 201, response.json
        return response.json

    def register(self, formation_id: int, number: int, **overrides: Any):
        body = applicant(number, **overrides)
        response = self.call(
            "post", f"/formations/{formation_id}/applications", role="recruiter", json=body
        )
        if response.status_code == 201:
            self.secrets[body["registration_number"]] = response.json["appeal_secret"]
        return response

    def verify(self, number: str, verification: str = "MS", reason: str | None = None):
        body = {"verification": verification} | ({"reason": reason} if reason else {})
        return self.call("put", f"/applications/{number}/verification", json=body)

    def upload(self, kind: str, text: str, reason: str | None = None, year: int = YEAR):
        url = f"/selection/{year}/{kind}-scores" + (f"?reason={reason}" if reason else "")
        headers = {**self.headers("recruiter"), "Content-Type": "text/csv"}
        return self.service.client.post(url, data=text, headers=headers)

    def prepared(
        self, formation_id: int, scores: dict[int, tuple[int, int, int, Any]]
    ) -> list[str]:
        """Register, verify MS and score applicants {number: (twk, tiu, tkp, skb)}."""
        numbers = []
        for number in scores:
            assert self.register(formation_id, number).status_code == 201
            registration = f"REG-{number:05d}"
            assert self.verify(registration).status_code == 200
            numbers.append(registration)
        rows = [(f"REG-{n:05d}", twk, tiu, tkp) for n, (twk, tiu, tkp, _) in scores.items()]
        assert self.upload("skd", skd_csv(rows)).status_code == 200
        skb_rows = [(f"REG-{n:05d}", skb) for n, (*_, skb) in scores.items() if skb is not None]
        if skb_rows:
            response = self.upload("skb", skb_csv(skb_rows))
            assert response.status_code == 200, response.json
        return numbers

    def ranking(self, formation_id: int) -> dict[str, dict[str, Any]]:
        response = self.call(
            "get", f"/formations/{formation_id}/ranking", query_string={"page_size": 500}
        )
        assert response.status_code == 200, response.json
        return {entry["registration_number"]: entry for entry in response.json["items"]}

    def announce(self, formation_id: int):
        return self.call("post", f"/formations/{formation_id}/announce")

    def appeal(self, number: str, secret: str | None = None, grounds: str = "Skor TKP salah"):
        body = {
            "registration_number": number,
            "secret": secret if secret is not None else self.secrets[number],
            "grounds": grounds,
        }
        return self.service.client.post("/appeals", json=body)

    def age_announcements(self, days: int) -> None:
        """Move every announcement `days` days into the past (the appeal window passes)."""
        with self.service.engine.begin() as connection:
            connection.execute(
                update(Formation)
                .where(Formation.announced_at.is_not(None))
                .values(announced_at=datetime.now(UTC) - timedelta(days=days))
            )

    def age_appeals(self, days: int) -> None:
        """Move every appeal's filing `days` days into the past."""
        with self.service.engine.begin() as connection:
            connection.execute(
                update(Appeal).values(filed_at=datetime.now(UTC) - timedelta(days=days))
            )

    def state(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of the selection's tables (and the roster and outbox)."""
        return {name: self.service.rows(name) for name in SELECTION_TABLES}

    def audit(self, **query: Any) -> list[dict[str, Any]]:
        response = self.call("get", "/selection/audit", query_string={"page_size": 500, **query})
        assert response.status_code == 200, response.json
        return response.json["items"]
