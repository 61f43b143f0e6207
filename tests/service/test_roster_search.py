"""Search of the roster: filters, name or NIP query, pages and the total."""

from __future__ import annotations

from datetime import date

import pytest

from tests.service.roster_support import csv_row, csv_text, post_csv


@pytest.fixture
def recruitment(make_service, keys, employee_events):
    service = make_service("recruitment")
    head = csv_row(employee_events, 1, name="Siti Kepala", unit="DINKES")
    rows = [head]
    for n in range(2, 14):
        rows.append(
            csv_row(
                employee_events,
                n,
                name=f"Pegawai {n:02d}",
                unit="DINKES" if n % 2 else "BKD",
                status="CPNS" if n % 3 == 0 else "PNS",
                supervisor_nip=head["nip"] if n < 8 else None,
            )
        )
    other = employee_events.nip(1, birth=date(1985, 6, 1), tmt=(2010, 1), gender="F")
    rows.append(csv_row(employee_events, 1, nip=other, name="Nur_Laila 100%", unit="BKD"))
    rows[-1].update(gender="F", birth_date="1985-06-01", tmt_cpns="2010-01-01")
    response = post_csv(service, keys.headers("admin"), csv_text(rows))
    assert response.status_code == 201, response.json
    return service


def search(service, headers, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return service.client.get(f"/employees?{query}", headers=headers)


@pytest.fixture
def recruiter(keys):
    return keys.headers("recruiter")


def test_everyone_in_nip_order_with_the_total(recruitment, recruiter):
    response = search(recruitment, recruiter)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["total"] == 14 and body["page"] == 1 and body["page_size"] == 50
    nips = [e["nip"] for e in body["items"]]
    assert nips == sorted(nips) and len(nips) == 14


def test_filters(recruitment, recruiter, employee_events):
    head = employee_events.nip(1)
    dinkes = search(recruitment, recruiter, unit="DINKES").json
    assert dinkes["total"] == 7  # the head and 3, 5, 7, 9, 11, 13
    assert {e["unit"] for e in dinkes["items"]} == {"DINKES"}
    cpns = search(recruitment, recruiter, status="CPNS").json
    assert sorted(e["name"] for e in cpns["items"]) == [f"Pegawai {n:02d}" for n in (3, 6, 9, 12)]
    staff = search(recruitment, recruiter, supervisor_nip=head).json
    assert staff["total"] == 6
    both = search(recruitment, recruiter, supervisor_nip=head, unit="BKD", status="PNS").json
    assert [e["name"] for e in both["items"]] == ["Pegawai 02", "Pegawai 04"]


def test_q_matches_a_name_in_any_case_or_the_start_of_a_nip(recruitment, recruiter):
    by_name = search(recruitment, recruiter, q="pEgAwAi%200").json
    assert [e["name"] for e in by_name["items"]] == [f"Pegawai 0{n}" for n in range(2, 10)]
    by_nip = search(recruitment, recruiter, q="1985").json
    assert [e["name"] for e in by_nip["items"]] == ["Nur_Laila 100%"]
    assert search(recruitment, recruiter, q="19900115201503100").json["total"] == 9
    # LIKE wildcards in q are taken literally.
    assert search(recruitment, recruiter, q="100%25").json["total"] == 1
    assert search(recruitment, recruiter, q="_").json["total"] == 1
    assert search(recruitment, recruiter, q="nobody").json == {
        "items": [],
        "page": 1,
        "page_size": 50,
        "total": 0,
    }


def test_pages(recruitment, recruiter):
    pages = [search(recruitment, recruiter, page=p, page_size=5).json for p in (1, 2, 3, 4)]
    assert [len(p["items"]) for p in pages] == [5, 5, 4, 0]
    assert {p["total"] for p in pages} == {14}
    everyone = search(recruitment, recruiter).json["items"]
    assert [e["nip"] for p in pages for e in p["items"]] == [e["nip"] for e in everyone]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"page_size": 501}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page": 0}, "page"),
        ({"status": "HONORER"}, "status"),
        ({"supervisor_nip": "123"}, "supervisor_nip"),
    ],
)
def test_bad_arguments(recruitment, recruiter, args, field):
    response = search(recruitment, recruiter, **args)
    assert response.status_code == 422
    assert field in response.json["errors"]["query"]


def test_who_may_search(recruitment, keys):
    assert recruitment.client.get("/employees").status_code == 401
    assert search(recruitment, keys.headers("employee")).status_code == 403
    assert search(recruitment, keys.headers("admin")).status_code == 200


@pytest.mark.postgres
def test_search_sanctions_and_leave_on_postgres(make_service, postgres_url, keys, employee_events):
    service = make_service("recruitment", postgres_url)
    admin = keys.headers("admin")
    rows = [csv_row(employee_events, n, name=f"Nur_{n} Laila") for n in (1, 2, 3)]
    assert post_csv(service, admin, csv_text(rows)).status_code == 201
    nip = rows[0]["nip"]

    assert search(service, admin, q="nUr_2").json["total"] == 1
    assert search(service, admin, q="_").json["total"] == 3
    assert search(service, admin, q=nip[:16], page_size=2).json["total"] == 3
    sanction = {
        "sanction_id": "HD-1",
        "level": "RINGAN",
        "kind": "Teguran lisan",
        "decided_on": "2025-01-02",
        "effective_from": "2025-01-02",
    }
    url = f"/employees/{nip}"
    assert service.client.post(f"{url}/sanctions", json=sanction, headers=admin).status_code == 201
    assert service.client.post(f"{url}/sanctions", json=sanction, headers=admin).status_code == 409
    period = {"start": "2020-01-01", "end": "2020-06-30"}
    assert service.client.post(f"{url}/unpaid-leave", json=period, headers=admin).status_code == 201
    assert service.client.post(f"{url}/unpaid-leave", json=period, headers=admin).status_code == 422
    types = [e["type"] for e in service.outbox_events()[3:]]
    assert types == ["recruitment.employee.sanctioned", "recruitment.employee.updated"]
