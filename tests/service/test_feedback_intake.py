"""Feedback intake beyond the form: attachments (sniffed, capped, metadata stripped, stored
outside the database with a checksum) and social-media imports (all rows or none, once)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from services.feedback import attachments
from tests.service.feedback_support import UNIT, Clock, Feedback, wit


@pytest.fixture
def feedback(make_service, keys, tmp_path) -> Feedback:
    service = make_service("feedback")
    service.app.config["FEEDBACK_ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    return Feedback(service, keys, Clock(wit(2025, 4, 17, 10)))


def photo_with_gps() -> bytes:
    """A JPEG carrying EXIF with a GPS position and a camera maker."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "KameraMerk"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (0.0, 43.0, 12.0)  # GPSLatitudeRef, GPSLatitude (Sofifi)
    gps[3], gps[4] = "E", (127.0, 34.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(feedback: Feedback, submitted: dict, content: bytes, name: str = "foto.jpg"):
    return feedback.client.post(
        "/public/track/attachments",
        data={
            "tracking_number": submitted["tracking_number"],
            "secret": submitted["secret"],
            "file": (io.BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )


def stored_files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "attachments"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_photo_is_stored_without_its_gps_and_with_its_checksum(feedback, tmp_path):
    original = photo_with_gps()
    assert b"KameraMerk" in original
    submitted = feedback.submit()
    response = upload(feedback, submitted, original)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    [path] = stored_files(tmp_path)
    stored = path.read_bytes()
    assert hashlib.sha256(stored).hexdigest() == body["sha256"] == path.name
    assert b"KameraMerk" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as cleaned:
        assert cleaned.size == (64, 48)
        assert not cleaned.getexif()
    number = submitted["tracking_number"]
    fetched = feedback.client.get(
        f"/reports/{number}/attachments/{body['id']}", headers=feedback.admin
    )
    assert fetched.status_code == 200 and fetched.data == stored
    assert fetched.headers["Content-Type"] == "image/jpeg"


def test_a_pdf_is_kept_and_a_scripted_pdf_is_refused(feedback, tmp_path):
    submitted = feedback.submit()
    letter = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    assert upload(feedback, submitted, letter, "surat.pdf").status_code == 201
    scripted = letter.replace(b"/Catalog", b"/Catalog /OpenAction << /JS (app.alert(1)) >>")
    refused = upload(feedback, submitted, scripted, "surat.pdf")
    assert refused.status_code == 422
    assert "file" in refused.get_json()["errors"]["files"]
    assert len(stored_files(tmp_path)) == 1 and feedback.service.count("attachments") == 1


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00 an executable named like a photo",
        b"\xff\xd8\xff\xe0 truncated jpeg header",
        b"<svg onload=alert(1)></svg>",
        b"",
    ],
    ids=["executable", "broken-jpeg", "svg", "empty"],
)
def test_malformed_or_wrongly_typed_files_are_refused_and_nothing_is_stored(
    feedback, tmp_path, content
):
    response = upload(feedback, feedback.submit(), content)
    assert response.status_code == 422, response.get_json()
    assert stored_files(tmp_path) == [] and feedback.service.count("attachments") == 0


def test_an_oversized_file_is_refused_and_nothing_is_stored(feedback, tmp_path):
    big = b"%PDF-1.4\n" + b"0" * attachments.MAX_BYTES + b"\n%%EOF"
    response = upload(feedback, feedback.submit(), big, "besar.pdf")
    assert response.status_code in (413, 422)
    assert stored_files(tmp_path) == [] and feedback.service.count("attachments") == 0


def test_a_wrong_secret_cannot_attach(feedback, tmp_path):
    submitted = {**feedback.submit(), "secret": "salah" * 5}
    assert upload(feedback, submitted, photo_with_gps()).status_code == 404
    assert stored_files(tmp_path) == []


# -- social media -----------------------------------------------------------------------------

CSV = (
    "post_url,handle,posted_at,unit,category,kind,text\n"
    "https://x.com/warga/status/1,@warga_sofifi,2025-04-15,DPMPTSP,Perizinan,COMPLAINT,"
    "Izin usaha lambat sekali\n"
    "https://x.com/warga/status/2,@ibu_ani,2025-04-16,DPMPTSP,Perizinan,SUGGESTION,"
    "Mohon layanan online\n"
)


def import_file(feedback: Feedback, channel: str, content: str, name: str):
    return feedback.client.post(
        f"/social-media/{channel}/import",
        data={"file": (io.BytesIO(content.encode()), name)},
        content_type="multipart/form-data",
        headers=feedback.admin,
    )


def test_a_social_export_becomes_confidential_reports_once(feedback):
    first = import_file(feedback, "X", CSV, "x.csv")
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["imported"] == 2
    again = import_file(feedback, "X", CSV, "x.csv")
    assert again.get_json() == {"imported": 0, "skipped": 2, "created": []}
    rows = feedback.service.rows("reports")
    assert {(r["channel"], r["privacy"]) for r in rows} == {("X", "CONFIDENTIAL")}
    assert {r["post_url"] for r in rows} == {
        "https://x.com/warga/status/1",
        "https://x.com/warga/status/2",
    }
    contacts = feedback.service.rows("reporter_contacts")
    assert {c["handle"] for c in contacts} == {"@warga_sofifi", "@ibu_ani"}
    number = first.get_json()["created"][0]
    officer_view = feedback.client.get(f"/reports/{number}", headers=feedback.admin).get_json()
    assert officer_view["channel"] == "X"


def test_a_json_export_works_too(feedback):
    posts = [
        {
            "post_url": "https://facebook.com/pemprov/posts/9",
            "handle": "Warga Tidore",
            "unit": UNIT,
            "category": "Perizinan",
            "text": "Terima kasih, pelayanan cepat",
            "kind": "SUGGESTION",
        }
    ]
    response = import_file(feedback, "FACEBOOK", json.dumps(posts), "fb.json")
    assert response.status_code == 201 and response.get_json()["imported"] == 1


def test_a_file_with_errors_imports_nothing_and_names_the_bad_rows(feedback):
    bad = CSV + (
        "not-a-url,@x,2025-04-16,DPMPTSP,Perizinan,COMPLAINT,teks\n"
        "https://x.com/warga/status/4,,2025-04-16,DPMPTSP,Perizinan,PRAISE,teks\n"
        "https://x.com/warga/status/1,@dup,2025-04-16,DPMPTSP,Perizinan,COMPLAINT,teks\n"
    )
    response = import_file(feedback, "X", bad, "x.csv")
    assert response.status_code == 422
    rows = response.get_json()["errors"]["json"]["rows"]
    assert set(rows) == {"row 3", "row 4", "row 5"}
    assert "post_url" in rows["row 3"]
    assert {"handle", "kind"} <= set(rows["row 4"])
    assert feedback.service.count("reports") == 0


def test_importing_needs_an_admin(feedback):
    response = feedback.client.post(
        "/social-media/X/import",
        data={"file": (io.BytesIO(CSV.encode()), "x.csv")},
        content_type="multipart/form-data",
        headers=feedback.officer,
    )
    assert response.status_code == 403


def test_a_png_loses_its_text_chunks(feedback, tmp_path):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "rumah saya di Jl. Kenari 7")
    out = io.BytesIO()
    Image.new("RGBA", (16, 16), (0, 128, 0, 255)).save(out, format="PNG", pnginfo=info)
    assert b"Kenari" in out.getvalue()
    response = upload(feedback, feedback.submit(), out.getvalue(), "peta.png")
    assert response.status_code == 201 and response.get_json()["media_type"] == "image/png"
    [path] = stored_files(tmp_path)
    assert b"Kenari" not in path.read_bytes()
