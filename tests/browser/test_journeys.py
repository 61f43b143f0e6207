"""Each role's main journey in Debian's chromium through the real platform; every page visited is
scanned by axe-core (0 serious or critical violations) and kept as a screenshot.

The journeys run in file order on one platform: the employee writes and agrees the SKP that the
supervisor then agrees and rates.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import PASSWORD, YEAR

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.broker, pytest.mark.slow]
SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


def sign_in(visit, username: str) -> None:
    visit.go("/masuk")
    visit.page.fill("#username", username)
    visit.page.fill("#password", PASSWORD)
    visit.page.click("button[type=submit] >> text=Masuk")
    visit.check()


def clean(visit) -> None:
    assert visit.violations == [], "\n".join(visit.violations)
    assert visit.dialogs == [], visit.dialogs


def test_a_citizen_reads_the_announcement_and_files_and_follows_an_appeal(visit, world):
    v = visit("citizen", phone=True)
    v.go("/")
    v.page.click("text=Pengumuman hasil seleksi CPNS")
    v.check()
    v.page.click("text=Lihat hasil")
    v.check()
    assert "Nurul Huda" in v.page.content()
    # A mistake first: the error summary links to the field.
    v.go("/seleksi/sanggah")
    v.page.click("button[type=submit] >> text=Kirim sanggahan")
    v.check("appeal-errors")
    assert v.page.locator(".error-summary a[href='#registration_number']").count() == 1
    v.page.fill("#registration_number", "WEB-0002")
    v.page.fill("#secret", world.secret)
    v.page.fill("#grounds", SCRIPT)
    v.page.click("button[type=submit] >> text=Kirim sanggahan")
    v.check()
    assert "Sanggahan dikirim" in v.page.content()
    v.go("/seleksi/sanggah/status")
    v.page.fill("#registration_number", "WEB-0002")
    v.page.fill("#secret", world.secret)
    v.page.click("button[type=submit] >> text=Lihat status")
    v.check("appeal-status")
    assert v.page.locator("dd", has_text='<script>alert("xss")</script>').count() == 1
    clean(v)


def test_an_employee_sees_the_dossier_and_writes_and_agrees_the_skp(visit, world):
    v = visit("employee", phone=True)
    sign_in(v, "siti")
    v.page.click("text=Data saya (dosir pegawai)")
    v.check()
    dossier = v.page.content()
    assert "Siti Rahma" in dossier
    for heading in (
        "Keberatan atas penilaian",
        "Jam Pelajaran (JP) dan pendaftaran pelatihan",
        "Penghargaan yang diterima",
    ):
        assert v.page.locator("h2", has_text=heading).count() == 1, heading
    assert "Sebagian data tidak tersedia" not in dossier
    v.go("/kinerja/skp/baru")
    v.page.fill("#result-0", "Layanan kenaikan pangkat tepat waktu")
    v.page.fill("#indicator-0", "Persentase usulan diproses dalam 5 hari kerja")
    v.page.fill("#target-0", "95%")
    v.page.click("text=Simpan draf SKP")
    v.check()
    world.people["skp"] = v.page.url.rsplit("/", 1)[-1]
    v.page.click("text=Setujui SKP ini")
    v.check("skp-agreed")
    assert "Persetujuan Anda dicatat" in v.page.content()
    clean(v)


def test_a_supervisor_agrees_the_skp_rates_and_sees_the_unit_calibration(visit, world):
    v = visit("supervisor")
    sign_in(v, "hasnah")
    v.page.click(".main-nav >> text=Tim saya")
    v.check()
    assert "Siti Rahma" in v.page.content() and "Rizal Tuasikal" in v.page.content()
    v.go(f"/kinerja/skp/{world.people['skp']}")
    v.page.click("text=Setujui SKP ini")
    v.check("skp-agreed")
    assert "Disepakati" in v.page.content()
    v.go(f"/kinerja/penilaian/{world.people['staff']}/{YEAR}/ANNUAL")
    # Nothing chosen: the summary lists each of the nine questions.
    v.page.click("text=Simpan penilaian")
    v.check("rating-errors")
    assert v.page.locator(".error-summary li").count() == 9
    v.page.check("#results_rating-1")  # Di atas ekspektasi
    for value in (
        "berorientasi_pelayanan",
        "akuntabel",
        "kompeten",
        "harmonis",
        "loyal",
        "adaptif",
        "kolaboratif",
        "behaviour_rating",
    ):
        v.page.check(f"#{value}-1")
    v.page.click("text=Simpan penilaian")
    v.check("rated-dossier")
    assert "Sangat Baik" in v.page.content()
    v.go(f"/unit/BKD?year={YEAR}")
    assert "Kurva distribusi predikat" in v.page.content()
    clean(v)


def test_an_admin_manages_users_the_roster_calibration_and_appeals(visit, world, tmp_path):
    v = visit("admin")
    sign_in(v, "bkd")
    # Users: create one, then provision the rest of the roster.
    v.page.click(".main-nav >> text=Pengguna")
    v.check()
    v.page.click("text=Buat akun >> nth=0")
    v.page.fill("#username", "operator")
    v.page.fill("#password", PASSWORD)
    v.page.check("#role-recruiter")
    v.page.click("button[type=submit] >> text=Buat akun")
    v.check("user-created")
    assert "operator" in v.page.content()
    v.go("/pengguna/operator")
    v.page.click("text=Nonaktifkan akun")
    v.check("user-deactivated")
    assert "Nonaktif" in v.page.content()
    v.go("/pengguna/dari-data-pegawai")
    v.page.click("button[type=submit] >> text=Buat akun")
    v.check("provisioned")
    assert world.people["other"] in v.page.content()  # the one without an account
    # Roster: search, then a CSV with a bad row checked without saving.
    v.page.click(".main-nav >> text=Data pegawai")
    v.check()
    v.page.fill("#q", "Siti")
    v.page.click("button[type=submit] >> text=Cari")
    v.check("roster-search")
    bad = tmp_path / "roster.csv"
    bad.write_text(
        "nip,name,gender,birth_date,tmt_cpns,status,unit,position,supervisor_nip\n"
        "123,Salah,M,1990-01-01,2015-03-01,PNS,BKD,Analis,\n"
    )
    v.go("/data-pegawai/impor")
    v.page.set_input_files("#file", str(bad))
    v.page.click("button[type=submit] >> text=Kirim")
    v.check("import-row-errors")
    assert v.page.locator("table td", has_text="nip").count() >= 1
    # Calibration: set the unit rating; the page explains what blocks finalization.
    v.go(f"/kinerja/unit?unit=BKD&year={YEAR}")
    v.page.select_option("#rating", "BAIK")
    v.page.click("button[type=submit] >> text=Simpan")
    v.check("unit-rating")
    assert "belum dinilai" in v.page.content()  # Rizal is not rated
    # Selection desk and the citizen's appeal, shown as text.
    v.go(f"/seleksi/kelola?year={YEAR}")
    v.page.click("text=Formasi baru")
    v.check()
    v.page.fill("#code", f"{YEAR}-BKD-WEB")
    v.page.fill("#position", "Analis SDM Aparatur Ahli Pertama")
    v.page.fill("#unit", "BKD")
    v.page.fill("#education", "S1 Psikologi")
    v.page.fill("#quota", "2")
    v.page.click("button[type=submit] >> text=Buat formasi")
    v.check("formation-created")
    assert f"{YEAR}-BKD-WEB" in v.page.content()
    v.page.click(f"text={YEAR}-DINKES-WEB")
    v.check("ranking")
    assert "Nurul Huda" in v.page.content()
    v.go(f"/seleksi/kelola/sanggah?year={YEAR}")
    assert v.page.locator("dd", has_text='<script>alert("xss")</script>').count() == 1
    v.page.click(".main-nav >> text=Pengguna")
    v.check()
    v.page.click("text=Keluar")
    v.check("signed-out")
    assert "Anda telah keluar" in v.page.content()
    clean(v)
