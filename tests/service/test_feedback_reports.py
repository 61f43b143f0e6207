"""Feedback reports through HTTP: submission and privacy, tracking, the staff workflow, the SLA
clock with the service's clock set, findings and the events they publish, merging."""

from __future__ import annotations

import pytest

from tests.service.feedback_support import OTHER_UNIT, UNIT, Clock, Feedback, wit

SUBSTANTIATED = "feedback.complaint.substantiated"


@pytest.fixture
def feedback(make_service, keys) -> Feedback:
    return Feedback(make_service("feedback"), keys, Clock(wit(2025, 4, 17, 10)))


def test_a_report_gets_a_number_and_a_secret_shown_once(feedback):
    submitted = feedback.submit()
    assert submitted["tracking_number"].startswith("LPR-2025-")
    assert submitted["status"] == "RECEIVED"
    [row] = feedback.service.rows("reports")
    assert submitted["secret"] not in str(row)
    assert row["secret_hash"] != submitted["secret"]
    timeline = feedback.track(submitted)
    assert timeline.status_code == 200
    assert [s["action"] for s in timeline.get_json()["steps"]] == ["submit"]


def test_a_wrong_secret_and_an_unknown_number_get_the_same_answer(feedback):
    submitted = feedback.submit()
    wrong = feedback.track(submitted, secret="x" * 24)
    unknown = feedback.client.post(
        "/public/track", json={"tracking_number": "LPR-2025-ZZZZZZZZ", "secret": "x" * 24}
    )
    assert wrong.status_code == unknown.status_code == 404
    strip = lambda body: {k: v for k, v in body.items() if k != "request_id"}  # noqa: E731
    assert strip(wrong.get_json()) == strip(unknown.get_json())


def test_an_anonymous_report_stores_no_contact_and_refuses_one(feedback):
    refused = feedback.client.post(
        "/public/reports", json=feedback.report(privacy="ANONYMOUS", email="a@example.org")
    )
    assert refused.status_code == 422
    assert "email" in refused.get_json()["errors"]["json"]
    assert feedback.service.count("reports") == 0
    feedback.submit(privacy="ANONYMOUS", name=None, email=None)
    assert feedback.service.count("reporter_contacts") == 0


def test_confidential_contact_is_seen_by_verifiers_only(feedback):
    number = feedback.submit(
        privacy="CONFIDENTIAL", body="Hubungi saya, Nurlaila, di nurlaila@example.org"
    )["tracking_number"]
    admin_view = feedback.client.get(f"/reports/{number}", headers=feedback.admin).get_json()
    assert admin_view["contact"]["email"] == "nurlaila@example.org"
    feedback.moved(number, "verify")
    feedback.moved(number, "disposition", unit=UNIT)
    officer_view = feedback.client.get(f"/reports/{number}", headers=feedback.officer)
    assert officer_view.status_code == 200
    assert officer_view.get_json()["contact"] is None
    assert "nurlaila" not in str(officer_view.get_json()).lower()
    other = feedback.client.get(f"/reports/{number}", headers=feedback.other_officer)
    assert other.status_code == 403
    public = feedback.client.get("/public/reports").get_json()
    assert public["items"] == []  # only PUBLIC reports are listed


def test_bad_input_is_a_422_naming_the_field_and_the_honeypot_stops_bots(feedback):
    cases = {
        "kind": feedback.report(kind="PRAISE"),
        "title": feedback.report(title="x" * 201),
        "website": feedback.report(website="http://spam.example"),
        "employee_name": feedback.report(subject="EMPLOYEE"),
    }
    for field, body in cases.items():
        response = feedback.client.post("/public/reports", json=body)
        assert response.status_code == 422, (field, response.get_json())
        assert field in response.get_json()["errors"]["json"], field
    assert feedback.service.count("reports") == 0


def test_a_named_employee_is_chosen_by_name_and_unit_from_a_directory_without_nip(
    feedback, employee_events
):
    [nip] = feedback.staff(employee_events, (7, "Budi Santoso", UNIT))
    directory = feedback.client.get(f"/public/directory?unit={UNIT}&name=budi").get_json()
    assert directory["employees"] == [
        {"name": "Budi Santoso", "position": "Analis Perizinan", "unit": UNIT}
    ]
    assert nip not in str(directory)
    submitted = feedback.submit(subject="EMPLOYEE", employee_name="budi santoso")
    [row] = feedback.service.rows("reports")
    assert row["employee_nip"] == nip
    typed_nip = feedback.client.post(
        "/public/reports", json=feedback.report(subject="EMPLOYEE", employee_nip=nip)
    )
    assert typed_nip.status_code == 422  # the public never types a NIP
    assert submitted["tracking_number"]


def test_the_whole_workflow_records_who_when_why_and_refuses_impossible_moves(
    feedback, employee_events
):
    [nip] = feedback.staff(employee_events, (7, "Budi Santoso", UNIT))
    submitted = feedback.submit(
        subject="EMPLOYEE", employee_name="Budi Santoso", incident_date="2025-04-10"
    )
    number = submitted["tracking_number"]
    assert feedback.move(number, "respond", feedback.officer).status_code == 403  # not theirs yet
    assert feedback.move(number, "resolve").status_code == 409
    assert feedback.move(number, "disposition", unit=UNIT).status_code == 409
    feedback.moved(number, "verify", note="Laporan lengkap.")
    feedback.moved(number, "disposition", unit=UNIT)
    assert feedback.move(number, "verify").status_code == 409
    assert feedback.move(number, "respond", feedback.officer).status_code == 422  # say what
    feedback.moved(number, "respond", feedback.officer, note="Petugas sudah dipanggil.")
    finding = feedback.client.post(
        f"/reports/{number}/finding",
        json={"substantiated": True, "severity": "SEDANG", "note": "Terbukti."},
        headers=feedback.admin,
    )
    assert finding.status_code == 200, finding.get_json()
    again = feedback.client.post(
        f"/reports/{number}/finding",
        json={"substantiated": True, "severity": "SEDANG"},
        headers=feedback.admin,
    )
    assert again.status_code == 409
    [event] = feedback.events(SUBSTANTIATED)
    assert event["version"] == 2
    assert event["data"] == {
        "tracking_number": number,
        "nip": nip,
        "unit": UNIT,
        "substantiated_on": "2025-04-17",
        "incident_date": "2025-04-10",
        "severity": "SEDANG",
        "category": "Perizinan",
    }
    assert "nurlaila" not in str(event).lower()  # no reporter data in the event
    feedback.moved(number, "resolve", feedback.officer, note="Biaya dikembalikan.")
    closed = feedback.moved(number, "close")
    steps = [(s["actor"], s["action"], s["to_status"]) for s in closed["steps"]]
    assert steps == [
        ("citizen", "submit", "RECEIVED"),
        ("verifikator", "verify", "VERIFIED"),
        ("verifikator", "disposition", "DISPOSITIONED"),
        ("petugas-dpmptsp", "respond", "IN_FOLLOW_UP"),
        ("verifikator", "finding", "IN_FOLLOW_UP"),
        ("petugas-dpmptsp", "resolve", "RESOLVED"),
        ("verifikator", "close", "CLOSED"),
    ]
    timeline = feedback.track(submitted).get_json()
    assert "finding" not in [s["action"] for s in timeline["steps"]]
    rated = feedback.client.post(
        "/public/track/rating",
        json={"tracking_number": number, "secret": submitted["secret"], "rating": 4},
    )
    assert rated.status_code == 200 and rated.get_json()["rating"] == 4


def test_the_employee_concerned_cannot_see_the_report(feedback, employee_events):
    [nip] = feedback.staff(employee_events, (7, "Budi Santoso", UNIT))
    number = feedback.submit(subject="EMPLOYEE", employee_name="Budi Santoso")["tracking_number"]
    feedback.moved(number, "verify")
    feedback.moved(number, "disposition", unit=UNIT)
    concerned = feedback.keys.headers("officer", subject="budi", unit=UNIT, nip=nip)
    assert feedback.client.get(f"/reports/{number}", headers=concerned).status_code == 403
    listed = feedback.client.get("/reports", headers=concerned).get_json()
    assert listed["total"] == 0


def test_reject_needs_a_reason_and_forward_needs_a_destination(feedback):
    number = feedback.submit()["tracking_number"]
    assert feedback.move(number, "reject").status_code == 422
    assert feedback.move(number, "forward", note="Bukan kewenangan").status_code == 422
    assert feedback.move(number, "reject", feedback.officer, note="x").status_code == 403
    done = feedback.moved(number, "forward", forwarded_to="Kementerian ATR/BPN", note="Pertanahan")
    assert done["status"] == "FORWARDED"
    assert feedback.move(number, "verify").status_code == 409


def test_received_on_the_thursday_before_good_friday_is_overdue_on_the_right_day(feedback):
    # Thu 17 April 2025; Good Friday 18 April, weekend 19-20: the 3 working days are Mon 21,
    # Tue 22 and Wed 23 April, so it is overdue from Thursday 24 April (WIT).
    number = feedback.submit()["tracking_number"]
    report = feedback.client.get(f"/reports/{number}", headers=feedback.admin).get_json()
    assert report["due_on"] == "2025-04-23"
    feedback.clock.set(wit(2025, 4, 23, 23))
    assert feedback.client.get("/reports/overdue", headers=feedback.admin).get_json()["total"] == 0
    feedback.clock.set(wit(2025, 4, 24, 0))
    queue = feedback.client.get("/reports/overdue", headers=feedback.admin).get_json()
    assert [r["tracking_number"] for r in queue["items"]] == [number]
    assert queue["items"][0]["overdue"] is True


def test_cuti_bersama_set_by_an_admin_moves_the_due_day(feedback):
    put = feedback.client.put(
        "/calendar/days/2025-04-21",
        json={"kind": "HOLIDAY", "note": "Cuti bersama (contoh)"},
        headers=feedback.admin,
    )
    assert put.status_code == 200, put.get_json()
    number = feedback.submit()["tracking_number"]
    report = feedback.client.get(f"/reports/{number}", headers=feedback.admin).get_json()
    assert report["due_on"] == "2025-04-24"
    not_a_holiday = feedback.client.put(
        "/calendar/days/2025-04-22", json={"kind": "WORKDAY", "note": "x"}, headers=feedback.admin
    )
    assert not_a_holiday.status_code == 422


def test_the_clock_pauses_while_the_citizen_is_asked(feedback):
    submitted = feedback.submit()
    number = submitted["tracking_number"]
    feedback.clock.set(wit(2025, 4, 21, 9))  # Monday, day 1 of 3
    asked = feedback.client.post(
        f"/reports/{number}/question", json={"question": "Nomor berkas?"}, headers=feedback.admin
    )
    assert asked.status_code == 200 and asked.get_json()["paused_on"] == "2025-04-21"
    feedback.clock.set(wit(2025, 4, 28, 9))  # a week later: would be overdue without the pause
    assert feedback.client.get("/reports/overdue", headers=feedback.admin).get_json()["total"] == 0
    assert feedback.move(number, "verify").status_code == 409  # waiting for the answer
    answered = feedback.client.post(
        "/public/track/information",
        json={"tracking_number": number, "secret": submitted["secret"], "text": "Berkas 123/A"},
    )
    assert answered.status_code == 200, answered.get_json()
    # Paused Tue 22 - Mon 28 (5 working days): due moves from Wed 23 to Wed 30 April.
    assert answered.get_json()["due_on"] == "2025-04-30"
    assert answered.get_json()["awaiting_citizen"] is False


def test_the_unit_clock_is_5_working_days_and_officers_see_only_their_unit(feedback):
    number = feedback.submit()["tracking_number"]
    feedback.moved(number, "verify")
    dispositioned = feedback.moved(number, "disposition", unit=OTHER_UNIT)
    # Fri 18 is Good Friday: Mon 21, Tue 22, Wed 23, Thu 24, Fri 25.
    assert dispositioned["due_on"] == "2025-04-25"
    assert feedback.client.get("/reports", headers=feedback.officer).get_json()["total"] == 0
    mine = feedback.client.get("/reports", headers=feedback.other_officer).get_json()
    assert [r["tracking_number"] for r in mine["items"]] == [number]


def test_reopen_within_the_window_once(feedback):
    submitted = feedback.submit()
    number = submitted["tracking_number"]
    for action, extra in (("verify", {}), ("disposition", {"unit": UNIT})):
        feedback.moved(number, action, **extra)
    feedback.moved(number, "respond", feedback.officer, note="Ditindaklanjuti.")
    feedback.moved(number, "resolve", feedback.officer, note="Ditindaklanjuti.")
    creds = {"tracking_number": number, "secret": submitted["secret"], "reason": "Belum beres"}
    feedback.clock.advance(days=3)
    reopened = feedback.client.post("/public/track/reopen", json=creds)
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "IN_FOLLOW_UP"
    feedback.moved(number, "resolve", feedback.officer, note="Ditindaklanjuti.")
    assert feedback.client.post("/public/track/reopen", json=creds).status_code == 409


def test_similar_reports_are_offered_and_a_merged_citizen_follows_the_survivor(feedback):
    first = feedback.submit()
    second = feedback.submit(title="Izin lama sekali")
    similar = feedback.client.get(f"/public/reports/similar?unit={UNIT}&category=Perizinan")
    assert {r["tracking_number"] for r in similar.get_json()} == {
        first["tracking_number"],
        second["tracking_number"],
    }
    merged = feedback.client.post(
        f"/reports/{second['tracking_number']}/merge",
        json={"into": first["tracking_number"]},
        headers=feedback.admin,
    )
    assert merged.status_code == 200, merged.get_json()
    followed = feedback.track(second).get_json()
    assert followed["tracking_number"] == first["tracking_number"]
    assert followed["followed_as"] == second["tracking_number"]
    listed = feedback.client.get("/public/reports").get_json()["items"]
    assert [r["tracking_number"] for r in listed] == [first["tracking_number"]]
    again = feedback.client.post(
        f"/reports/{second['tracking_number']}/merge",
        json={"into": first["tracking_number"]},
        headers=feedback.admin,
    )
    assert again.status_code == 409


def test_similar_reports_show_titles_redacted_as_the_public_list_does(feedback, employee_events):
    feedback.staff(employee_events, (8, "Rahmat Hidayat", UNIT))
    feedback.submit(
        title="Rahmat Hidayat minta uang, NIK 8201014503970001, hubungi 0812-3456-7890",
        subject="EMPLOYEE",
        employee_name="Rahmat Hidayat",
        name="Nurlaila",
    )
    feedback.submit(title="Nurlaila menunggu izin", name="Nurlaila")

    similar = feedback.client.get(f"/public/reports/similar?unit={UNIT}&category=Perizinan")

    titles = " ".join(r["title"] for r in similar.get_json())
    assert "Rahmat" not in titles and "8201014503970001" not in titles
    assert "0812" not in titles and "Nurlaila" not in titles
    assert "minta uang" in titles and "menunggu izin" in titles


def test_the_public_list_is_redacted_filtered_and_paged_by_keyset(feedback, employee_events):
    feedback.staff(employee_events, (7, "Budi Santoso", UNIT))
    feedback.submit(
        subject="EMPLOYEE",
        employee_name="Budi Santoso",
        body="Pak Budi Santoso minta uang, hubungi saya di 0812-3456-7890 atau x@example.org",
    )
    for i in range(4):
        feedback.submit(unit=OTHER_UNIT, category="Kesehatan", title=f"Antrian <b>{i}</b>")
    page = feedback.client.get(f"/public/reports?unit={UNIT}").get_json()
    [item] = page["items"]
    assert "Budi" not in item["excerpt"] and "0812" not in item["excerpt"]
    assert "example.org" not in item["excerpt"]
    first = feedback.client.get("/public/reports?category=Kesehatan&limit=3").get_json()
    assert len(first["items"]) == 3 and first["next"]
    rest = feedback.client.get(f"/public/reports?category=Kesehatan&after={first['next']}")
    assert len(rest.get_json()["items"]) == 1 and rest.get_json()["next"] is None
    # Text is data, never markup: the JSON carries it as given, the client escapes on output.
    assert first["items"][0]["title"].startswith("Antrian <b>")
    stats = feedback.client.get("/public/reports/statistics").get_json()["units"]
    assert {(u["unit"], u["received"]) for u in stats} == {(UNIT, 1), (OTHER_UNIT, 4)}


def test_statistics_show_response_times_per_unit(feedback):
    number = feedback.submit()["tracking_number"]
    feedback.moved(number, "verify")
    feedback.moved(number, "disposition", unit=UNIT)
    feedback.clock.advance(hours=30)
    feedback.moved(number, "respond", feedback.officer, note="Ditindaklanjuti.")
    [unit] = feedback.client.get("/public/reports/statistics").get_json()["units"]
    assert unit["responded"] == 1
    assert unit["mean_response_hours"] == pytest.approx(30.0, abs=0.1)


def test_a_verified_commendation_is_recorded_as_an_event(feedback, employee_events):
    [nip] = feedback.staff(employee_events, (8, "Siti Aminah", UNIT))
    number = feedback.submit(
        kind="COMMENDATION", subject="EMPLOYEE", employee_name="Siti Aminah", title="Terima kasih"
    )["tracking_number"]
    feedback.moved(number, "verify")
    [event] = feedback.events("feedback.commendation.recorded")
    assert event["data"] == {
        "tracking_number": number,
        "nip": nip,
        "unit": UNIT,
        "recorded_on": "2025-04-17",
    }


def test_citizens_text_comes_back_as_json_data_never_sniffed_as_html(feedback):
    submitted = feedback.submit(title="<script>alert(1)</script>", body="<img src=x onerror=1>")
    response = feedback.client.get(
        f"/reports/{submitted['tracking_number']}", headers=feedback.admin
    )
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.get_json()["title"] == "<script>alert(1)</script>"  # kept as the data it is


def test_the_reporters_name_never_reaches_the_public_list_or_the_unit(feedback):
    submitted = feedback.submit(body="Saya Nurlaila dari Guraping, izin saya belum terbit.")
    number = submitted["tracking_number"]
    [item] = feedback.client.get("/public/reports").get_json()["items"]
    assert "Nurlaila" not in str(item) and "Guraping" in item["excerpt"]
    feedback.moved(number, "verify")
    feedback.moved(number, "disposition", unit=UNIT)
    asked = feedback.client.post(
        f"/reports/{number}/question", json={"question": "Alamat?"}, headers=feedback.officer
    )
    assert asked.status_code == 200
    answered = feedback.client.post(
        "/public/track/information",
        json={"tracking_number": number, "secret": submitted["secret"], "text": "Nurlaila, RT 2"},
    )
    assert answered.status_code == 200
    unit_view = feedback.client.get(f"/reports/{number}", headers=feedback.officer).get_json()
    assert "Nurlaila" not in str(unit_view) and "RT 2" in str(unit_view)
    admin_view = feedback.client.get(f"/reports/{number}", headers=feedback.admin).get_json()
    assert "Nurlaila, RT 2" in str(admin_view)


def test_public_writes_are_limited_per_client_and_reads_are_not(make_service, service_config):
    from chassis.migrations import upgrade
    from services.feedback.app import SPEC, create_app

    url = make_service("feedback").database_url
    upgrade(SPEC.migrations_dir, url)
    app = create_app({**service_config, "DATABASE_URL": url, "FEEDBACK_WRITE_LIMIT": "2/minute"})
    client = app.test_client()
    body = {
        "kind": "SUGGESTION",
        "subject": "UNIT",
        "unit": UNIT,
        "category": "Perizinan",
        "title": "Tambah loket",
        "body": "Mohon tambah loket.",
        "privacy": "ANONYMOUS",
    }
    one = {"X-Forwarded-For": "203.0.113.7"}
    two = {"X-Forwarded-For": "198.51.100.9"}
    assert [
        client.post("/public/reports", json=body, headers=one).status_code for _ in range(3)
    ] == [
        201,
        201,
        429,
    ]
    refused = client.post("/public/reports", json=body, headers=one)
    assert refused.get_json()["code"] == 429 and "Retry-After" in refused.headers
    assert client.post("/public/reports", json=body, headers=two).status_code == 201
    assert client.get("/public/reports", headers=one).status_code == 200
    assert (
        client.post(
            "/public/track", json={"tracking_number": "LPR-1", "secret": "x" * 10}, headers=one
        ).status_code
        == 404
    )  # following a report is a read


def test_migrations_match_the_models_on_sqlite(feedback):
    from chassis.migrations import pending_changes

    assert pending_changes(feedback.service.engine, feedback.service.spec.metadata) == []


@pytest.mark.postgres
def test_on_postgres_the_workflow_lists_and_statistics_work(make_service, postgres_url, keys):
    from chassis.migrations import pending_changes

    feedback = Feedback(make_service("feedback", postgres_url), keys, Clock(wit(2025, 4, 17)))
    assert pending_changes(feedback.service.engine, feedback.service.spec.metadata) == []
    number = feedback.submit()["tracking_number"]
    feedback.moved(number, "verify")
    feedback.moved(number, "disposition", unit=UNIT)
    feedback.clock.advance(hours=6)
    feedback.moved(number, "respond", feedback.officer, note="Ditindaklanjuti.")
    [unit] = feedback.client.get("/public/reports/statistics").get_json()["units"]
    assert unit["mean_response_hours"] == pytest.approx(6.0, abs=0.01)
    page = feedback.client.get(f"/public/reports?unit={UNIT}&status=IN_FOLLOW_UP").get_json()
    assert [r["tracking_number"] for r in page["items"]] == [number]
    feedback.clock.set(wit(2025, 5, 30))
    assert feedback.client.get("/reports/overdue", headers=feedback.admin).get_json()["total"] == 0


def test_lebaran_2025_with_its_cuti_bersama_from_the_library(feedback):
    # Thu 27 March 2025: Fri 28 cuti bersama (Nyepi), Sat 29 Nyepi, Mon 31 and Tue 1 April Idul
    # Fitri, Wed 2 - Fri 4 and Mon 7 April cuti bersama: the 3 working days are 8, 9, 10 April.
    feedback.clock.set(wit(2025, 3, 27, 10))
    number = feedback.submit()["tracking_number"]
    report = feedback.client.get(f"/reports/{number}", headers=feedback.admin).get_json()
    assert report["due_on"] == "2025-04-10"
    worked = feedback.client.put(
        "/calendar/days/2025-04-07",
        json={"kind": "WORKDAY", "note": "Masuk"},
        headers=feedback.admin,
    )
    assert worked.status_code == 200, worked.get_json()
    later = feedback.submit()["tracking_number"]
    report = feedback.client.get(f"/reports/{later}", headers=feedback.admin).get_json()
    assert report["due_on"] == "2025-04-09"
    year = feedback.client.get("/calendar/2025", headers=feedback.officer).get_json()
    assert {"day": "2025-04-02", "name": "Eid al-Fitr Joint Holiday"} in year["national"]
