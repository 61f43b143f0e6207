"""The roster import and the selection desk's ranking as jobs, through the gateway's pages
against the real recruitment service over HTTP: a big file goes to the job page and its result
page (rows imported, or the same table of row errors as a synchronous refusal), a small one
stays synchronous, and the ranking is a job a double submit does not start twice."""

from __future__ import annotations

import html
import io
import re

import pytest

import gateway.web.roster as roster_pages
from chassis.db import Database
from chassis.jobrunner import JobRunner
from chassis.uow import UnitOfWork
from gateway.users import create_user
from services.recruitment.jobs import JOBS
from tests.service.roster_support import csv_row, csv_text
from tests.service.selection_support import YEAR
from tests.service.web_support import PASSWORD, csrf_of, serve, sign_in


class World:
    """Recruitment served for real, a gateway in front, a BKD admin and a recruiter."""

    recruitment: object
    gateway: object

    def client(self, username: str = "bkd"):
        client = self.gateway.test_client()
        assert sign_in(client, username).status_code == 302
        return client

    def run_jobs(self) -> int:
        """Run the queued jobs with the worker's real job runner; how many ran."""
        service = self.recruitment
        runner = JobRunner(service.engine, JOBS, service.spec.outbox, lease_seconds=30)
        ran = 0
        while runner.run_once():
            ran += 1
        return ran


@pytest.fixture
def world(recruitment, web_gateway):
    w = World()
    w.recruitment = recruitment
    with serve(recruitment.app) as url:
        app = web_gateway({"recruitment": url})
        with app.app_context():
            session = Database.state(app).session_factory()
            uow = UnitOfWork(session)
            create_user(uow, "bkd", PASSWORD, ["admin"], unit="BKD")
            create_user(uow, "rekrut", PASSWORD, ["recruiter"], unit="BKD")
            session.commit()
            session.close()
        w.gateway = app
        yield w


def upload(client, text: str, mode: str, submission: str | None = None):
    """Post the import form (its CSRF token and submission key) with `text` as the file."""
    form = client.get("/data-pegawai/impor").get_data(as_text=True)
    key = submission or re.search(r'name="submission" value="([^"]+)"', form).group(1)
    return client.post(
        "/data-pegawai/impor",
        data={
            "csrf_token": csrf_of(form),
            "submission": key,
            "mode": mode,
            "file": (io.BytesIO(text.encode()), "pegawai.csv"),
        },
        content_type="multipart/form-data",
    )


def error_table(page: str) -> str:
    return page.split("<tbody>")[1].split("</tbody>")[0]


def test_a_small_file_stays_synchronous(world, employee_events):
    text = csv_text([csv_row(employee_events, n) for n in (1, 2)])

    answer = upload(world.client(), text, "import")

    assert answer.status_code == 200
    assert "2 pegawai diimpor" in answer.get_data(as_text=True)
    assert world.recruitment.rows("jobs") == []


def test_a_big_file_is_a_job_whose_page_leads_to_the_rows_imported(
    world, employee_events, monkeypatch
):
    monkeypatch.setattr(roster_pages, "JOB_BYTES", 100)
    text = csv_text([csv_row(employee_events, n) for n in (1, 2, 3)])
    client = world.client()

    started = upload(client, text, "import")

    assert started.status_code == 302
    job_page = started.headers["Location"]
    assert "/pekerjaan/recruitment/" in job_page
    waiting = client.get(job_page).get_data(as_text=True)
    assert "Menunggu giliran" in waiting and "Impor data pegawai (CSV)" in waiting
    job_id = job_page.rsplit("/", 1)[1]
    assert client.get(f"/data-pegawai/impor/{job_id}").status_code == 302  # not done yet
    assert world.run_jobs() == 1
    done = client.get(job_page).get_data(as_text=True)
    assert "Berhasil" in done and "100%" in done
    result_link = done.split('class="button" href="')[1].split('"')[0]
    assert result_link == f"/data-pegawai/impor/{job_id}"
    result = client.get(result_link)
    assert result.status_code == 200 and "3 pegawai diimpor" in result.get_data(as_text=True)
    assert len(world.recruitment.rows("employees")) == 3


def test_a_failed_import_job_shows_the_same_row_errors_as_a_synchronous_refusal(
    world, employee_events, monkeypatch
):
    rows = [csv_row(employee_events, n) for n in (1, 2, 3)]
    rows[1]["gender"] = "F"  # the NIP says M
    rows[2]["status"] = "PENSIUN-DINI"
    text = csv_text(rows)
    client = world.client()
    synchronous = upload(client, text, "check")
    assert synchronous.status_code == 422 and world.recruitment.rows("jobs") == []
    monkeypatch.setattr(roster_pages, "JOB_BYTES", 100)

    started = upload(client, text, "check")
    assert world.run_jobs() == 1
    failed = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "Gagal" in failed and "Lihat rinciannya" in failed
    details = client.get(failed.split('class="button" href="')[1].split('"')[0])

    page, expected = details.get_data(as_text=True), synchronous.get_data(as_text=True)
    assert details.status_code == 422
    assert 'class="error-summary"' in page and "2 baris bermasalah" in page
    assert ">gender<" in error_table(page) and ">status<" in error_table(page)
    assert error_table(page) == error_table(expected)
    assert world.recruitment.rows("employees") == []


def test_a_double_submitted_import_is_one_job(world, employee_events, monkeypatch):
    monkeypatch.setattr(roster_pages, "JOB_BYTES", 100)
    text = csv_text([csv_row(employee_events, n) for n in (1, 2, 3)])
    client = world.client()
    key = "kunci-formulir-impor-0001"

    first, second = upload(client, text, "import", key), upload(client, text, "import", key)

    assert first.headers["Location"] == second.headers["Location"]
    assert len(world.recruitment.rows("jobs")) == 1
    assert upload(client, text, "check").headers["Location"] != first.headers["Location"]


def test_the_desk_ranks_as_a_job_once_per_submit_and_leads_back_to_the_year(world, selection):
    formation = selection.formation()
    selection.prepared(formation["id"], {1: (100, 120, 180, 80), 2: (90, 100, 170, 70)})
    client = world.client("rekrut")
    desk = client.get(f"/seleksi/kelola?year={YEAR}").get_data(as_text=True)
    form = {
        "csrf_token": csrf_of(desk),
        "submission": re.search(r'name="submission" value="([^"]+)"', desk).group(1),
        "year": str(YEAR),
        "action": "rank",
    }

    first = client.post("/seleksi/kelola", data=form)
    second = client.post("/seleksi/kelola", data=form)  # a double click

    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert len(world.recruitment.rows("jobs")) == 1
    job_page = first.headers["Location"]
    waiting = client.get(job_page).get_data(as_text=True)
    assert "Pemeringkatan seleksi CPNS satu tahun" in waiting
    assert "Lihat hasilnya" not in waiting
    assert selection.ranking(formation["id"]) == {}
    assert world.run_jobs() == 1
    done = client.get(job_page).get_data(as_text=True)
    link = html.unescape(done.split('class="button" href="')[1].split('"')[0])
    job_id = job_page.rsplit("/", 1)[1]
    assert link == f"/seleksi/kelola?year={YEAR}&pekerjaan={job_id}"
    back = client.get(link).get_data(as_text=True)
    assert "Pemeringkatan selesai: 1 formasi." in back and formation["code"] in back
    other_year = client.get(f"/seleksi/kelola?year={YEAR + 1}&pekerjaan={job_id}")
    assert "Pemeringkatan selesai" not in other_year.get_data(as_text=True)
    ranked = selection.ranking(formation["id"])
    assert [ranked[r]["rank"] for r in ("REG-00001", "REG-00002")] == [1, 2]
