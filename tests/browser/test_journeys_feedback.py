"""Citizen feedback and the forced password change in Debian's chromium through the real
platform; every page visited is scanned by axe-core (0 serious or critical violations).

The journeys run in file order on one platform: the citizen's report is the one the officer
then handles in the unit's queue.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from contracts.feedback import IKM_ELEMENTS
from tests.browser.conftest import PASSWORD, YEAR
from tests.browser.test_journeys import clean, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.broker, pytest.mark.slow]
SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
UNIT = "DPMPTSP"
REPORT: dict[str, str] = {}


def test_a_citizen_reports_on_a_phone_and_follows_the_report(visit, world):
    v = visit("feedback-citizen", phone=True)
    v.go("/")
    v.page.click("text=Pengaduan dan aspirasi masyarakat")
    v.check()
    v.page.click(".cards >> text=Sampaikan laporan")
    v.check()
    # Sent empty first: the summary links to each missing field.
    v.page.click("button >> text=Kirim laporan")
    v.check("report-errors")
    assert v.page.locator(".error-summary a[href='#title']").count() == 1
    v.page.fill("#unit", UNIT)
    v.page.select_option("#category", "Perizinan")
    v.page.click("button >> text=Lihat laporan serupa")
    v.check("similar")
    assert "Belum ada laporan serupa" in v.page.content()
    v.page.fill("#title", "Izin usaha mikro belum terbit")
    v.page.fill("#body", f"Sudah tiga minggu menunggu. {SCRIPT}")
    v.page.fill("#name", "Nurlaila")
    v.page.click("button >> text=Kirim laporan")
    v.check("sent")
    REPORT["number"] = v.page.inner_text("#tracking-number").strip()
    REPORT["secret"] = v.page.inner_text("#tracking-secret").strip()
    assert REPORT["number"].startswith(f"LPR-{YEAR}-")
    v.page.click("text=Lacak laporan")
    v.check()
    v.page.fill("#tracking_number", REPORT["number"])
    v.page.fill("#secret", REPORT["secret"])
    v.page.click("button >> text=Lacak")
    v.check("timeline")
    assert "Izin usaha mikro belum terbit" in v.page.content()
    assert v.page.locator(".tag", has_text="Diterima").count() == 1
    v.page.fill("#text", "Nomor berkas saya 12/IUM/2026.")
    v.page.click("button >> text=Kirim keterangan")
    v.check("information-added")
    assert "Tersimpan" in v.page.content()
    clean(v)


def test_an_officer_handles_the_report_in_the_units_queue(visit, world):
    number = REPORT["number"]
    world.ok("POST", f"/feedback/reports/{number}/verify", {})
    world.ok("POST", f"/feedback/reports/{number}/disposition", {"unit": UNIT})
    world.user("petugas", "officer", unit=UNIT)
    v = visit("feedback-officer")
    sign_in(v, "petugas")
    v.page.click(".main-nav >> text=Pengaduan")
    v.check()
    row = v.page.locator("tr", has_text=number)
    assert (
        row.locator(".tag", has_text="Hampir jatuh tempo").count()
        + row.locator(".tag", has_text="Tepat waktu").count()
        == 1
    )
    v.page.click(f"text={number}")
    v.check()
    # The citizen's markup is text: shown, never run (no dialog), never an element.
    assert v.page.locator(".report-body", has_text="<script>alert").count() == 1
    assert v.page.locator(".report-body script, .report-body img").count() == 0
    assert "Nurlaila" not in v.page.content()  # officers never see who wrote
    v.page.click("button >> text=Kirim tanggapan unit")
    v.check("respond-errors")
    assert v.page.locator(".error-summary a[href='#respond-note']").count() == 1
    v.page.fill("#respond-note", "Izin Anda terbit hari Jumat; mohon maaf atas keterlambatan.")
    v.page.click("button >> text=Kirim tanggapan unit")
    v.check("responded")
    assert "Ditindaklanjuti" in v.page.content()
    v.page.click("text=Kembali ke antrean")
    v.check("queue-after")
    v.go("/pengaduan/kelola/konsultasi")
    v.go("/pengaduan/kelola/ikm")
    clean(v)


def test_a_citizen_answers_the_ikm_survey_and_comments_on_a_consultation(visit, world):
    survey = world.ok(
        "POST",
        "/feedback/ikm/surveys",
        {"unit": UNIT, "year": YEAR, "period": "ANNUAL", "population": 50},
        201,
    )
    code = world.ok("POST", f"/feedback/ikm/surveys/{survey['id']}/codes", {"count": 1}, 201)
    world.ok(
        "POST",
        "/feedback/consultations",
        {
            "unit": UNIT,
            "title": "Rancangan standar pelayanan izin usaha",
            "draft": "Izin usaha mikro terbit paling lama 3 hari kerja.",
            "closes_on": (date.today() + timedelta(days=14)).isoformat(),
        },
        201,
    )
    v = visit("feedback-ikm-consultation", phone=True)
    v.go("/pengaduan")
    v.page.click(".cards >> text=Isi Survei Kepuasan Masyarakat (SKM)")
    v.check()
    v.page.click(f"text={UNIT}")
    v.check()
    v.page.fill("#code", code["codes"][0])
    for element in IKM_ELEMENTS:
        v.page.check(f"#{element}-4")
    v.page.click("button >> text=Kirim jawaban")
    v.check("ikm-answered")
    assert "Terima kasih" in v.page.content()
    v.go("/pengaduan/konsultasi")
    v.page.click("text=Rancangan standar pelayanan izin usaha")
    v.check()
    v.page.fill("#body", f"Setuju, asal loket buka pagi. {SCRIPT}")
    v.page.click("button >> text=Kirim tanggapan")
    v.check("commented")
    assert "Tanggapan Anda dimuat" in v.page.content()
    assert v.page.locator(".comments .preserve", has_text="<script>alert").count() == 1
    world.ok("POST", f"/feedback/ikm/surveys/{survey['id']}/publish")
    v.go("/pengaduan/hasil-ikm")
    assert v.page.locator("figure.chart svg").count() >= 1
    v.go("/pengaduan/statistik")
    assert UNIT in v.page.content()
    clean(v)


def test_an_account_made_by_an_admin_changes_its_password_at_first_sign_in(visit, world):
    admin = visit("password-admin")
    sign_in(admin, "bkd")
    admin.go("/pengguna/baru")
    admin.page.fill("#username", "pegawaibaru")
    admin.page.fill("#password", PASSWORD)
    admin.page.check("#role-employee")
    admin.page.click("button[type=submit] >> text=Buat akun")
    admin.check("user-created")
    # The admin's side of feedback: the whole queue filtered, a report, the statistics.
    admin.go("/pengaduan/kelola?status=IN_FOLLOW_UP")
    admin.go(f"/pengaduan/kelola/laporan/{REPORT['number']}")
    assert "Nurlaila" in admin.page.content()  # the verifiers see the reporter's contact
    admin.go("/pengaduan/kelola/statistik")
    clean(admin)
    v = visit("password-user", phone=True)
    sign_in(v, "pegawaibaru")
    assert "/kata-sandi" in v.page.url
    assert "dibuat oleh admin" in v.page.content()
    v.go("/kinerja/keberatan")  # any other page sends the user back to the form
    assert "/kata-sandi" in v.page.url
    v.page.fill("#current_password", PASSWORD)
    v.page.fill("#new_password", "kopi-ternate-2026")
    v.page.fill("#confirm_password", "kopi-ternate-2027")
    v.page.click("button >> text=Simpan kata sandi baru")
    v.check("password-mismatch")
    assert v.page.locator(".error-summary a[href='#confirm_password']").count() == 1
    v.page.fill("#current_password", PASSWORD)
    v.page.fill("#new_password", "kopi-ternate-2026")
    v.page.fill("#confirm_password", "kopi-ternate-2026")
    v.page.click("button >> text=Simpan kata sandi baru")
    v.check("password-changed")
    assert "Kata sandi diganti" in v.page.content()
    assert "/kata-sandi" not in v.page.url
    clean(v)
