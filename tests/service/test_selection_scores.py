"""Verification and scores: single entry, CSV upload (all or nothing), reasons and the audit."""

from __future__ import annotations

import pytest

from tests.service.selection_support import YEAR, skb_csv, skd_csv


@pytest.fixture
def fid(selection):
    fid = selection.formation(quota=1)["id"]
    for number in (1, 2, 3):
        assert selection.register(fid, number).status_code == 201
    assert selection.verify("REG-00001").status_code == 200
    assert selection.verify("REG-00002").status_code == 200
    return fid


def test_verification_tms_needs_a_reason_and_is_audited(selection, recruitment, fid):
    refused = selection.verify("REG-00003", "TMS")
    assert refused.status_code == 422 and "reason" in refused.json["errors"]["json"]

    done = selection.verify("REG-00003", "TMS", "Ijazah tidak sesuai")
    assert done.status_code == 200
    assert done.json["verification"] == "TMS"
    assert done.json["verification_reason"] == "Ijazah tidak sesuai"
    entries = selection.audit(registration_number="REG-00003")
    assert [(e["field"], e["old_value"], e["new_value"]) for e in entries] == [
        ("verification", "PENDING", "TMS"),
        ("verification_reason", None, "Ijazah tidak sesuai"),
    ]
    assert entries[0]["actor"] == "admin-user"
    assert entries[0]["reason"] == "Ijazah tidak sesuai"

    changed_back = selection.verify("REG-00003", "MS")
    assert changed_back.status_code == 422  # changing a verification needs the reason


def test_single_skd_entry_and_correction_with_reason(selection, recruitment, fid):
    url = "/applications/REG-00001/skd"
    first = selection.call("put", url, json={"twk": 100, "tiu": 100, "tkp": 180})
    assert first.status_code == 200, first.json
    assert first.json["skd_total"] == 380

    no_reason = selection.call("put", url, json={"twk": 105, "tiu": 100, "tkp": 180})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]["json"]
    fixed = selection.call(
        "put", url, json={"twk": 105, "tiu": 100, "tkp": 180, "reason": "Salah ketik"}
    )
    assert fixed.status_code == 200 and fixed.json["twk"] == 105

    entries = [e for e in selection.audit(registration_number="REG-00001") if e["field"] == "twk"]
    assert [(e["old_value"], e["new_value"], e["reason"]) for e in entries] == [
        (None, "100", None),
        ("100", "105", "Salah ketik"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"twk": 151, "tiu": 100, "tkp": 180},
        {"twk": 102, "tiu": 100, "tkp": 180},  # not a multiple of 5
        {"twk": 100, "tiu": 180, "tkp": 180},
        {"twk": 100, "tiu": 100, "tkp": 226},
        {"twk": -5, "tiu": 100, "tkp": 180},
        {"twk": "100", "tiu": 100, "tkp": 180},
        {"twk": 100, "tiu": 100},
    ],
)
def test_skd_out_of_range_is_refused(selection, recruitment, fid, body):
    before = selection.state()
    response = selection.call("put", "/applications/REG-00001/skd", json=body)
    assert response.status_code == 422
    assert selection.state() == before


def test_scores_only_for_ms_applications(selection, recruitment, fid):
    before = selection.state()
    response = selection.call(
        "put", "/applications/REG-00003/skd", json={"twk": 100, "tiu": 100, "tkp": 180}
    )
    assert response.status_code == 409
    assert "MS" in response.json["message"]
    assert selection.state() == before


def test_skb_needs_the_skd_first_and_is_range_checked(selection, recruitment, fid):
    url = "/applications/REG-00001/skb"
    assert selection.call("put", url, json={"skb": 80}).status_code == 409
    selection.call("put", "/applications/REG-00001/skd", json={"twk": 100, "tiu": 100, "tkp": 180})
    for bad in (100.5, -1, "80.123", "abc"):
        assert selection.call("put", url, json={"skb": bad}).status_code == 422
    done = selection.call("put", url, json={"skb": "87.25"})
    assert done.status_code == 200 and done.json["skb"] == "87.25"


def test_a_valid_csv_stores_every_row_with_audit(selection, recruitment, fid):
    text = skd_csv([("REG-00001", 100, 100, 180), ("REG-00002", 90, 95, 170)])
    response = selection.upload("skd", text)
    assert response.status_code == 200, response.json
    assert response.json == {"rows": 2, "changed": 2, "unchanged": 0}
    rows = {r["registration_number"]: r for r in recruitment.rows("applications")}
    assert (rows["REG-00002"]["twk"], rows["REG-00002"]["tiu"], rows["REG-00002"]["tkp"]) == (
        90,
        95,
        170,
    )
    assert len(selection.audit(entity="application", entity_id="REG-00002")) == 1 + 3

    again = selection.upload("skd", text)
    assert again.json == {"rows": 2, "changed": 0, "unchanged": 2}
    changed = skd_csv([("REG-00001", 100, 100, 181)])
    assert selection.upload("skd", changed).status_code == 422  # a change needs a reason
    assert selection.upload("skd", changed, reason="Koreksi BKN").status_code == 200

    skb = selection.upload("skb", skb_csv([("REG-00001", "77.5"), ("REG-00002", 60)]))
    assert skb.status_code == 200 and skb.json["changed"] == 2


BAD_FILES = {
    "wrong header": "nomor,twk,tiu,tkp\nREG-00001,100,100,180\n",
    "empty": "",
    "header only": "registration_number,twk,tiu,tkp\n",
    "missing column": skd_csv([("REG-00001", 100, 100)]),
    "not a number": skd_csv([("REG-00001", "seratus", 100, 180)]),
    "decimal": skd_csv([("REG-00001", "100.0", 100, 180)]),
    "out of range": skd_csv([("REG-00001", 100, 100, 180), ("REG-00002", 155, 100, 180)]),
    "not a multiple": skd_csv([("REG-00001", 100, 101, 180)]),
    "unknown applicant": skd_csv([("REG-00001", 100, 100, 180), ("REG-77777", 100, 100, 180)]),
    "tms applicant": skd_csv([("REG-00001", 100, 100, 180), ("REG-00003", 100, 100, 180)]),
    "duplicate row": skd_csv([("REG-00001", 100, 100, 180), ("REG-00001", 100, 100, 185)]),
    "quotes": 'registration_number,twk,tiu,tkp\n"REG-00001,100,100,180\n',
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_csv_is_refused_whole_with_row_errors(selection, recruitment, fid, name):
    before = selection.state()

    response = selection.upload("skd", BAD_FILES[name])

    assert response.status_code == 422, response.json
    assert response.json["errors"]["csv"]
    assert "nothing was stored" in response.json["message"]
    assert selection.state() == before


def test_the_row_errors_name_the_line(selection, fid):
    text = skd_csv([("REG-00001", 100, 100, 180), ("REG-00002", 155, 100, 180)])
    response = selection.upload("skd", text)
    assert list(response.json["errors"]["csv"]) == ["3"]
    assert "TWK" in response.json["errors"]["csv"]["3"][0]


def test_a_bad_skb_csv_is_refused_whole(selection, recruitment, fid):
    selection.upload("skd", skd_csv([("REG-00001", 100, 100, 180), ("REG-00002", 90, 95, 170)]))
    before = selection.state()
    response = selection.upload("skb", skb_csv([("REG-00001", 80), ("REG-00002", "100.01")]))
    assert response.status_code == 422
    assert selection.state() == before


def test_a_non_utf8_file_is_refused(selection, recruitment, fid):
    headers = {**selection.headers("recruiter"), "Content-Type": "text/csv"}
    response = recruitment.client.post(
        f"/selection/{YEAR}/skd-scores", data=b"\xff\xfe\x00", headers=headers
    )
    assert response.status_code == 422


def test_an_upload_as_a_multipart_file(selection, recruitment, fid):
    import io

    text = skd_csv([("REG-00001", 100, 100, 180)])
    response = recruitment.client.post(
        f"/selection/{YEAR}/skd-scores",
        data={"file": (io.BytesIO(text.encode()), "skd.csv")},
        headers=selection.headers("recruiter"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.json
    assert response.json["changed"] == 1


def test_scores_freeze_at_the_announcement(selection, recruitment, fid):
    selection.upload("skd", skd_csv([("REG-00001", 100, 100, 180)]))
    assert selection.announce(fid).status_code == 200
    before = selection.state()

    single = selection.call(
        "put",
        "/applications/REG-00001/skd",
        json={"twk": 110, "tiu": 100, "tkp": 180, "reason": "Koreksi"},
    )
    upload = selection.upload("skd", skd_csv([("REG-00002", 90, 95, 170)]))
    verify = selection.verify("REG-00002", "TMS", "Terlambat")

    assert single.status_code == 409 and verify.status_code == 409
    assert upload.status_code == 422
    assert selection.state() == before
