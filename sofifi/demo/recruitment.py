"""Recruitment's demo data: the roster (one CSV import) and a CPNS selection to announcement."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sofifi.demo.province import GIVEN_F, GIVEN_M, SYLLABLES, Person
from sofifi.demo.steps import Demo, Step

SERVICE = "recruitment"
IMPORT_HEADER = (
    "nip", "name", "gender", "birth_date", "tmt_cpns", "status", "unit", "position",
    "supervisor_nip",
)  # fmt: skip
# (unit, position, education, quota) of the selection year's formations.
FORMATIONS = (
    ("DINKES", "Perawat Ahli Pertama", "S1 Keperawatan", 2),
    ("BKD", "Analis SDM Aparatur Ahli Pertama", "S1 Psikologi", 1),
)
REGION = "827101"  # the NIK's region digits: Kota Ternate, Maluku Utara
TMS_REASON = "Ijazah tidak sesuai kualifikasi pendidikan formasi."


@dataclass(frozen=True)
class Applicant:
    """One generated applicant with their scores (SKD parts and SKB)."""

    registration_number: str
    nik: str
    name: str
    birth_date: date
    gender: str
    gpa: Decimal
    eligible: bool  # MS at the administrative verification, else TMS
    skd: tuple[int, int, int]
    skb: Decimal

    def body(self, education: str) -> dict[str, object]:
        return {
            "registration_number": self.registration_number,
            "nik": self.nik,
            "name": self.name,
            "birth_date": self.birth_date.isoformat(),
            "gender": self.gender,
            "education": education,
            "gpa": float(self.gpa),
        }


def selection_year(demo: Demo) -> int:
    """The CPNS selection runs in the year after the appraised one (this year, by default)."""
    return demo.province.year + 1


def formation_code(year: int, unit: str) -> str:
    return f"{year}-{unit}-0001"


def applicants(seed: int, size: int, year: int, index: int) -> list[Applicant]:
    """The applicants to the index-th formation: about one per 15 people on the roster."""
    rng = random.Random(f"sofifi-demo-selection:{seed}:{year}:{index}")
    found = []
    for number in range(1, max(6, size // 15) + 1):
        gender = rng.choice("MF")
        birth = date(year - rng.randint(22, 30), rng.randint(1, 12), rng.randint(1, 28))
        day = birth.day + (40 if gender == "F" else 0)
        given = rng.choice(GIVEN_M if gender == "M" else GIVEN_F)
        family = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        found.append(
            Applicant(
                registration_number=f"{year}82{index + 1:02d}{number:05d}",
                nik=f"{REGION}{day:02d}{birth:%m%y}{index * 1000 + number:04d}",
                name=f"{given} {family}",
                birth_date=birth,
                gender=gender,
                gpa=Decimal(rng.randint(280, 395)) / 100,
                eligible=number % 8 != 5,  # one in eight fails the verification
                skd=(5 * rng.randint(9, 27), 5 * rng.randint(11, 32), rng.randint(140, 205)),
                skb=Decimal(rng.randint(5500, 9500)) / 100,
            )
        )
    return found


def roster_csv(people: list[Person]) -> str:
    """The roster import file for `people` (supervisors before their staff)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(IMPORT_HEADER)
    for p in people:
        writer.writerow(
            (
                p.nip,
                p.name,
                p.gender,
                p.birth_date.isoformat(),
                p.tmt_cpns.isoformat(),
                p.status,
                p.unit,
                p.position,
                p.supervisor_nip or "",
            )
        )
    return out.getvalue()


def put_roster(demo: Demo) -> None:
    """Import, in one all-or-nothing CSV, the demo's people not on the roster yet."""
    on_roster: set[str] = demo.seen["roster_nips"]
    missing = [p for p in demo.province.people if p.nip not in on_roster]
    demo.seen["latsar_expected"] = sum(p.status == "CPNS" for p in missing)
    if not missing:
        return
    answer = demo.gateway.call(
        "POST", "/recruitment/employees/import", demo.admin, csv=roster_csv(missing)
    ).expect(201)
    demo.count(SERVICE, "employees on the roster", answer["imported"])


def run_selection(demo: Demo) -> None:
    """Each formation of the selection year: registration, verification, scores, announcement."""
    year = selection_year(demo)
    existing = {
        f["code"]: f for f in demo.gateway.pages("/recruitment/formations", demo.admin, year=year)
    }
    for index, (unit, position, education, quota) in enumerate(FORMATIONS):
        code = formation_code(year, unit)
        formation = existing.get(code)
        if formation is None:
            body = {
                "code": code,
                "year": year,
                "position": position,
                "unit": unit,
                "education": education,
                "category": "GENERAL",
                "quota": quota,
            }
            formation = demo.gateway.call(
                "POST", "/recruitment/formations", demo.admin, body
            ).expect(201)
            demo.count(SERVICE, "formations")
        if formation.get("announced_at"):
            continue
        people = applicants(demo.province.seed, demo.province.size, year, index)
        _through_announcement(demo, formation, people, education)


def _through_announcement(
    demo: Demo, formation: dict, people: list[Applicant], education: str
) -> None:
    gateway, admin, year = demo.gateway, demo.admin, formation["year"]
    path = f"/recruitment/formations/{formation['id']}"
    known = {a["registration_number"]: a for a in gateway.pages(f"{path}/applications", admin)}
    for person in people:
        if person.registration_number not in known:
            known[person.registration_number] = gateway.call(
                "POST", f"{path}/applications", admin, person.body(education)
            ).expect(201)
            demo.count(SERVICE, "applications")
    for person in people:
        if known[person.registration_number]["verification"] == "PENDING":
            verdict = (
                {"verification": "MS"}
                if person.eligible
                else {"verification": "TMS", "reason": TMS_REASON}
            )
            gateway.call(
                "PUT",
                f"/recruitment/applications/{person.registration_number}/verification",
                admin,
                verdict,
            ).expect(200)
            demo.count(SERVICE, "verifications")
    eligible = [p for p in people if p.eligible]
    skd = [p for p in eligible if known[p.registration_number].get("skd_total") is None]
    if skd:
        rows = "".join(f"{p.registration_number},{','.join(map(str, p.skd))}\n" for p in skd)
        gateway.call(
            "POST",
            f"/recruitment/selection/{year}/skd-scores",
            admin,
            csv="registration_number,twk,tiu,tkp\n" + rows,
        ).expect(200)
        demo.count(SERVICE, "SKD scores", len(skd))
    skb = [p for p in eligible if known[p.registration_number].get("skb") is None]
    if skb:
        rows = "".join(f"{p.registration_number},{p.skb}\n" for p in skb)
        gateway.call(
            "POST",
            f"/recruitment/selection/{year}/skb-scores",
            admin,
            csv="registration_number,skb\n" + rows,
        ).expect(200)
        demo.count(SERVICE, "SKB scores", len(skb))
    gateway.call("POST", f"{path}/announce", admin).expect(200)
    demo.count(SERVICE, "announced formations")


STEPS = (
    Step(SERVICE, "roster", put_roster),
    Step(SERVICE, "CPNS selection", run_selection),
)
