"""A small organisation on the appraisal service's roster, and the calls its people make."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contracts.appraisal import BERAKHLAK_VALUES

# The ratings that give each predikat (PermenPAN-RB 6/2022: results, behaviour).
RATINGS = {
    "SANGAT_BAIK": ("DI_ATAS", "DI_ATAS"),
    "BAIK": ("SESUAI", "SESUAI"),
    "BUTUH_PERBAIKAN": ("DI_BAWAH", "SESUAI"),
    "KURANG": ("SESUAI", "DI_BAWAH"),
    "SANGAT_KURANG": ("DI_BAWAH", "DI_BAWAH"),
}
YEAR = 2024
ITEMS = [
    {
        "result": "Layanan kenaikan pangkat tepat waktu",
        "indicator": "Persentase usulan diproses dalam 5 hari kerja",
        "target": "95%",
    }
]


def rating_body(predikat: str, **overrides: Any) -> dict[str, Any]:
    """A valid rating that yields `predikat`; the values follow the overall behaviour."""
    results, behaviour = RATINGS[predikat]
    body = {
        "results_rating": results,
        "behaviour_rating": behaviour,
        "behaviour_values": {value: behaviour for value in BERAKHLAK_VALUES},
        "results_comment": "Target tercapai.",
        "behaviour_comment": "Konsisten.",
    }
    body.update(overrides)
    return body


@dataclass
class Org:
    """Employees put on the service's roster by events, with a token for each of them."""

    service: Any
    keys: Any
    events: Any
    sequence: int = 0
    names: dict[str, str] = field(default_factory=dict)

    def hire(self, unit: str, supervisor: str | None = None, name: str = "Pegawai") -> str:
        """Put a new employee on the roster (through `recruitment.employee.appointed`)."""
        self.sequence += 1
        nip = self.events.nip(self.sequence)
        record = self.events.record(nip, unit=unit, supervisor_nip=supervisor, name=name)
        self.service.apply(self.events.appointed(record))
        return nip

    def hire_many(self, count: int, unit: str, supervisor: str) -> list[str]:
        return [self.hire(unit, supervisor, f"Staf {i}") for i in range(count)]

    def as_(self, nip: str, *roles: str) -> dict[str, str]:
        """Headers of a user with this NIP (supervisor and employee unless told)."""
        return self.keys.headers(*(roles or ("supervisor", "employee")), subject=nip, nip=nip)

    @property
    def admin(self) -> dict[str, str]:
        return self.keys.headers("admin", subject="bkd-admin")

    def call(self, method: str, path: str, headers: dict, body: Any = None):
        return self.service.client.open(path, method=method, json=body, headers=headers)

    def open_period(self, year: int = YEAR, kind: str = "ANNUAL") -> None:
        response = self.call("POST", "/periods", self.admin, {"year": year, "kind": kind})
        assert response.status_code == 201, response.json

    def agreed_skp(self, nip: str, supervisor: str, year: int = YEAR, period: str = "ANNUAL"):
        """An SKP written and agreed by the employee, then agreed by their supervisor."""
        body = {"nip": nip, "year": year, "period": period, "items": ITEMS}
        created = self.call("POST", "/skp", self.as_(nip, "employee"), body)
        assert created.status_code == 201, created.json
        plan = created.json["id"]
        for who in (self.as_(nip, "employee"), self.as_(supervisor)):
            agreed = self.call("POST", f"/skp/{plan}/agree", who)
            assert agreed.status_code == 200, agreed.json
        assert agreed.json["status"] == "AGREED"
        return plan

    def rate(self, nip: str, by: str, predikat: str, year: int = YEAR, period: str = "ANNUAL"):
        return self.call(
            "PUT", f"/appraisals/{nip}/{year}/{period}", self.as_(by), rating_body(predikat)
        )

    def plan_and_rate(self, nip: str, by: str, predikat: str, **kw: Any) -> dict[str, Any]:
        self.agreed_skp(nip, by, **kw)
        response = self.rate(nip, by, predikat, **kw)
        assert response.status_code == 200, response.json
        return response.json

    def set_unit_rating(self, unit: str, rating: str, year: int = YEAR):
        return self.call("PUT", f"/units/{unit}/{year}/rating", self.admin, {"rating": rating})

    def finalize(self, unit: str, year: int = YEAR):
        return self.call("POST", f"/units/{unit}/{year}/finalize", self.admin)


def build(service, keys, employee_events, staff: int = 10) -> Org:
    """A head, their deputy, two supervisors; `staff` in BKD under one, two in DINKES."""
    org = Org(service, keys, employee_events)
    org.head = org.hire("SETDA", name="Sekda")
    org.superior = org.hire("SETDA", org.head, "Kepala BKD")
    org.sup_a = org.hire("SETDA", org.superior, "Kabid A")
    org.sup_b = org.hire("SETDA", org.superior, "Kabid B")
    org.staff_a = org.hire_many(staff, "BKD", org.sup_a)
    org.staff_b = org.hire_many(2, "DINKES", org.sup_b)
    org.open_period()
    return org


def rate_unit(org: Org, predikats: list[str]) -> None:
    """SKP agreed and rated for each of the BKD staff, with these predikat in order."""
    for nip, predikat in zip(org.staff_a, predikats, strict=True):
        org.plan_and_rate(nip, org.sup_a, predikat)


SEVEN_SB = ["SANGAT_BAIK"] * 7 + ["BAIK"] * 3
EIGHT_SB = ["SANGAT_BAIK"] * 8 + ["BAIK"] * 2
