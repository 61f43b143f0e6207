"""Training and awards journeys in Debian's chromium through the real platform (`sofifi run`):
the employee's catalogue -> request -> JP bar, BKD's JP compliance chart, its export and the
annual plan followed on the job page, and the committee's scoring with a member who must recuse.
Every page visited is scanned by axe-core (0 serious or critical violations)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from contracts.appraisal import BERAKHLAK_VALUES
from tests.browser.conftest import PASSWORD, YEAR, World, person
from tests.e2e.conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.broker, pytest.mark.slow]
SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
WIT = timezone(timedelta(hours=9))
RATINGS = {"SANGAT_BAIK": ("DI_ATAS", "DI_ATAS"), "BAIK": ("SESUAI", "SESUAI")}
RATINGS["KURANG"] = ("DI_ATAS", "DI_BAWAH")


def sign_in(v, username: str) -> None:
    v.go("/masuk")
    v.page.fill("#username", username)
    v.page.fill("#password", PASSWORD)
    v.page.click("button[type=submit] >> text=Masuk")
    v.check()


def clean(v) -> None:
    assert v.violations == [], "\n".join(v.violations)
    assert v.dialogs == [], v.dialogs


def _appraised_unit(world: World) -> dict[str, str]:
    """Three DISHUB staff under hasnah, rated and finalized: the first is SANGAT_BAIK."""
    head = world.people["head"]
    boss = world.platform.keys.headers("supervisor", "employee", subject="hasnah", nip=head)
    staff = {}
    people = (("star", 4, "SANGAT_BAIK"), ("steady", 5, "BAIK"), ("weak", 6, "KURANG"))
    for key, sequence, predikat in people:
        record = {**person(sequence, f"Pegawai {key.title()}", head), "unit": "DISHUB"}
        world.ok("POST", "/recruitment/employees", record, 201)
        staff[key] = (record["nip"], predikat)
    nips = [nip for nip, _ in staff.values()]
    path = f"/appraisal/employees/{nips[-1]}"
    wait_until(
        lambda: (
            world.platform.call("GET", world.api(path), None, world.platform.keys.headers("admin"))[
                0
            ]
            == 200
        ),
        timeout=60,
        message="DISHUB in appraisal's projection",
    )
    world.ok("PUT", f"/appraisal/units/DISHUB/{YEAR}/rating", {"rating": "BAIK"})
    for nip, predikat in staff.values():
        own = world.platform.keys.headers("employee", subject=nip, nip=nip)
        item = {"result": "Layanan", "indicator": "Waktu", "target": "5 hari"}
        body = {"nip": nip, "year": YEAR, "period": "ANNUAL", "items": [item]}
        plan = world.ok("POST", "/appraisal/skp", body, 201, roles=("employee",), nip=nip)
        for headers in (own, boss):
            code, data, _ = world.platform.call(
                "POST", world.api(f"/appraisal/skp/{plan['id']}/agree"), None, headers
            )
            assert code == 200, data
        results, behaviour = RATINGS[predikat]
        values = dict.fromkeys(BERAKHLAK_VALUES, behaviour)
        rating = {"results_rating": results, "behaviour_rating": behaviour}
        code, data, _ = world.platform.call(
            "PUT",
            world.api(f"/appraisal/appraisals/{nip}/{YEAR}/ANNUAL"),
            {**rating, "behaviour_values": values},
            boss,
        )
        assert code == 200, data
    world.ok("POST", f"/appraisal/units/DISHUB/{YEAR}/finalize")
    star = staff["star"][0]
    wait_until(
        lambda: (
            world.platform.call(
                "GET",
                world.api(f"/awards/eligibility/{YEAR}/{star}"),
                None,
                world.platform.keys.headers("admin"),
            )[0]
            == 200
        ),
        timeout=60,
        message="eligibility decided in awards",
    )
    return {key: nip for key, (nip, _) in staff.items()}


@pytest.fixture(scope="module")
def seeded(world: World) -> World:
    """A programme with a nomination of DISHUB's star, committee accounts, and a catalogue in
    which siti has completed 12 JP this year and can ask for a later session."""
    staff = _appraised_unit(world)
    today = datetime.now(WIT).date().isoformat()
    dates = ("nominations_open", "nominations_close", "scoring_open", "scoring_close")
    programme = {
        "year": YEAR,
        "title": f"Sofifi Berprestasi {YEAR}",
        "total_budget": 15_000_000,
        "min_scorers": 1,
        **dict.fromkeys((*dates, "decision_on", "announcement_on"), today),
        "categories": [
            {"code": "ASN_TELADAN", "name": "ASN Teladan", "quota": 1, "incentive_amount": 1}
        ],
        "criteria": [
            {"code": "KINERJA", "name": "Kinerja", "weight": 60},
            {"code": "INTEGRITAS", "name": "Integritas", "weight": 40},
        ],
    }
    pid = world.ok("POST", "/awards/programmes", programme, 201)["id"]
    nomination = world.ok(
        "POST",
        f"/awards/programmes/{pid}/nominations",
        {"category": "ASN_TELADAN", "nip": staff["star"], "statement": f"Uji KIR {SCRIPT}"},
        201,
        roles=("supervisor",),
        subject="hasnah",
        nip=world.people["head"],
    )
    world.people.update(programme=pid, nomination=str(nomination["id"]))
    world.user("panitia-dishub", "committee", unit="DISHUB")
    world.user("panitia-ins", "committee", unit="INSPEKTORAT")
    # The catalogue: a past session siti completed (12 JP), a later one she asks for.
    siti = world.people["staff"]
    wait_until(
        lambda: (
            world.platform.call(
                "GET",
                world.api(f"/training/employees/{siti}"),
                None,
                world.platform.keys.headers("admin"),
            )[0]
            == 200
        ),
        timeout=60,
        message="siti in training's projection",
    )
    provider = world.ok("POST", "/training/providers", {"name": "BPSDM", "kind": "BPSDM"}, 201)
    sessions = []
    start = max(date(YEAR, 1, 1), date.today() - timedelta(days=10))
    later = date.today() + timedelta(days=5)
    for title, competency, jp, day in (
        ("Kerja sama tim", "Kerja sama", 12, start),
        ("Pelayanan publik prima", "Pelayanan publik", 16, later),
    ):
        course = {
            "title": title,
            "competency_type": "MANAJERIAL",
            "competency": competency,
            "mode": "CLASSICAL",
            "jp": jp,
            "cost_per_participant": 1_500_000,
            "provider_id": provider["provider_id"],
        }
        made = world.ok("POST", "/training/courses", course, 201)
        session = {
            "course_id": made["course_id"],
            "starts_on": day.isoformat(),
            "ends_on": day.isoformat(),
            "place": "Sofifi",
            "capacity": 10,
        }
        sessions.append(world.ok("POST", "/training/sessions", session, 201))
    booked = world.ok(
        "POST", "/training/enrolments", {"session_id": sessions[0]["session_id"], "nip": siti}, 201
    )
    world.ok(
        "POST",
        f"/training/enrolments/{booked['enrolment_id']}/completion",
        {"attended": True, "passed": True, "certificate_number": "SERT-WEB-1"},
    )
    world.people["later"] = sessions[1]["session_id"]
    return world


def test_an_employee_finds_a_course_asks_for_a_place_and_sees_the_jp_bar(visit, seeded):
    v = visit("training-employee", phone=True)
    sign_in(v, "siti")
    v.page.click("text=Katalog pelatihan")
    v.check()
    v.go(f"/pelatihan?year={(date.today() + timedelta(days=5)).year}")
    v.page.click("text=Pelayanan publik prima")
    v.check()
    v.page.fill("#note", "Untuk layanan loket")
    v.page.click("text=Minta tempat di pelatihan ini")
    v.check("jp-bar")
    html = v.page.content()
    assert "12 JP dari minimal 20 JP" in html
    assert v.page.locator("svg rect.bar[width='60.0']").count() == 1
    assert "Diminta, menunggu keputusan atasan" in html
    clean(v)


def test_bkd_reads_compliance_downloads_it_and_follows_the_plan_job(visit, seeded):
    v = visit("training-admin")
    sign_in(v, "bkd")
    v.page.click("nav >> text=Kepatuhan JP")
    v.check()
    assert v.page.locator("figure.chart svg rect.bar").count() >= 1
    with v.page.expect_download() as download:
        v.page.click("a[href$='.csv'] >> nth=0")
    with open(download.value.path(), encoding="utf-8-sig") as saved:
        text = saved.read()
    assert text.startswith("unit,employees,compliant") and "BKD" in text
    v.page.click("text=Rencana pengembangan kompetensi tahunan")
    v.check()
    v.page.fill("#budget", "25.000.000")
    v.page.click("button[type=submit] >> text=Susun rencana")
    v.check("job-running")
    assert "/pekerjaan/training/" in v.page.url
    # Followed by its link (reloading by itself is opt-in) until the worker has solved it.
    for _attempt in range(90):
        if v.page.locator("text=Lihat hasilnya").count():
            break
        v.page.wait_for_timeout(1000)
        v.page.click("text=Perbarui status")
    v.check("job-done")
    v.page.click("text=Lihat hasilnya")
    v.check()
    assert "Tetapkan rencana" in v.page.content()
    clean(v)


def test_the_committee_scores_and_a_member_of_the_unit_sees_why_they_recuse(visit, seeded):
    nomination = seeded.people["nomination"]
    v = visit("committee")
    sign_in(v, "panitia-dishub")
    v.page.click("nav >> text=Penghargaan")
    v.check()
    v.page.click(f"text=Sofifi Berprestasi {YEAR}")
    v.check()
    assert "Mengundurkan diri" in v.page.content()
    v.page.click("text=Pegawai Star")
    v.check("recused")
    assert "Anda bekerja di unit kerja yang sama dengan calon" in v.page.content()
    assert v.page.locator("#score-KINERJA").count() == 0
    assert v.page.locator("p.statement", has_text="<script>").count() == 1

    w = visit("committee-scores")
    sign_in(w, "panitia-ins")
    w.go(f"/penghargaan/usulan/{nomination}")
    w.page.fill("#score-KINERJA", "lima")
    w.page.fill("#score-INTEGRITAS", "80")
    w.page.click("text=Kirim nilai (final)")
    w.check("score-error")
    assert w.page.locator(".error-summary a[href='#score-KINERJA']").count() == 1
    w.page.fill("#score-KINERJA", "90")
    w.page.fill("#score-INTEGRITAS", "80")
    w.page.click("text=Kirim nilai (final)")
    w.check("scored")
    assert "Sudah dinilai" in w.page.content() and "86" in w.page.content()
    clean(v)
    clean(w)


def test_bkd_forms_and_the_public_list_pass_the_scan(visit, seeded):
    pid = seeded.people["programme"]
    v = visit("awards-admin")
    sign_in(v, "bkd")
    v.go("/penghargaan/bkd/baru")
    v.page.click("text=Terbitkan program")
    v.check("programme-errors")
    assert v.page.locator(".error-summary a").count() >= 1
    v.go(f"/penghargaan/{pid}")
    v.go(f"/penghargaan/bkd/{pid}")
    assert "Pegawai Star" in v.page.content()
    v.go(f"/penghargaan/bkd/{pid}/jadwal")
    v.go("/pelatihan/bkd/katalog")
    v.go(f"/pelatihan/bkd/sesi/{seeded.people['later']}/peserta")
    v.go("/karier/idp")
    v.go("/pelatihan/permintaan")
    assert v.page.locator("button", has_text="Setujui").count() >= 1  # siti's request
    clean(v)

    public = visit("awards-public", phone=True)
    public.go("/")
    public.page.click("text=Penerima Sofifi Berprestasi")
    public.check()
    assert "belum diumumkan" in public.page.content()
    clean(public)
