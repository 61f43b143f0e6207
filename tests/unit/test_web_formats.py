"""The web client's Indonesian formats and its spreadsheet export."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask_babel import Babel
from openpyxl import load_workbook

from gateway.web.export import spreadsheet
from gateway.web.identity import safe_next
from gateway.web.render import angka, rupiah, tanggal, waktu


@pytest.fixture
def context():
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "id")
    with app.test_request_context():
        yield


def test_dates_times_numbers_and_money_read_as_in_indonesia(context):
    assert tanggal(date(2026, 8, 17)) == "17 Agustus 2026"
    assert tanggal("2026-08-17") == "17 Agustus 2026"
    # 17:05 UTC is 02.05 the next day in WIT (UTC+9), and the zone is shown.
    assert waktu(datetime(2026, 8, 17, 17, 5, tzinfo=UTC)) == "18 Agustus 2026 02.05 WIT"
    assert waktu("2026-08-17T00:00:00+00:00") == "17 Agustus 2026 09.00 WIT"
    assert angka(1234.5) == "1.234,5"
    assert angka(1234) == "1.234"
    assert angka("75.6400", 2) == "75,64"
    assert rupiah(1500000) == "Rp 1.500.000"
    assert angka(None) == "" and tanggal(None) == ""


def test_only_same_site_paths_are_returned_to_after_sign_in():
    assert safe_next("/pengguna?q=a") == "/pengguna?q=a"
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)", "x", None):
        assert safe_next(target) is None


def test_exports_never_let_a_spreadsheet_run_a_cell_as_a_formula():
    app = Flask(__name__)
    rows = [["198503122010011001", '=HYPERLINK("http://x")', 3]]
    with app.test_request_context():
        as_csv = spreadsheet("daftar", "csv", ["nip", "nama", "n"], rows)
        as_xlsx = spreadsheet("daftar", "xlsx", ["nip", "nama", "n"], rows)

    text = as_csv.get_data().decode("utf-8-sig")
    assert "198503122010011001,\"'=HYPERLINK" in text
    sheet = load_workbook(io.BytesIO(as_xlsx.get_data())).active
    assert [c.value for c in sheet[2]] == ["198503122010011001", '\'=HYPERLINK("http://x")', 3]
    assert as_xlsx.headers["Content-Disposition"] == "attachment; filename=daftar.xlsx"
