"""The web client served by the gateway: sign-in, CSRF, expiry, sign-out, escaping, user
management (pages and API), and the combined views with a service down."""

from __future__ import annotations

import time
from pathlib import Path

import gateway.web
from chassis.db import Database
from chassis.uow import UnitOfWork
from gateway.accounts import get_user, update_user
from tests.service.web_support import (
    PASSWORD,
    add_user,
    csrf_of,
    session_cookie,
    sign_in,
)

NIP = "198503122010011001"
SCRIPT = '<script>alert("x")</script><b>tebal</b>'


def test_pages_are_in_bahasa_indonesia_with_landmarks_and_a_skip_link(web_gateway):
    client = web_gateway().test_client()

    page = client.get("/masuk")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="id">' in html
    assert 'href="#isi"' in html and '<main id="isi"' in html
    assert 'for="username"' in html and "Kata sandi" in html
    assert "Content-Security-Policy" in page.headers
    assert page.headers["Cache-Control"] == "no-store"


def test_english_is_the_second_locale(web_gateway):
    client = web_gateway().test_client()

    client.get("/bahasa/en")
    html = client.get("/masuk").get_data(as_text=True)

    assert '<html lang="en">' in html
    assert "Sign in" in html and "Password" in html


def test_sign_in_sets_an_httponly_samesite_cookie_and_shows_the_roles_pages(web_gateway):
    app = web_gateway()
    add_user(app, "ani")
    client = app.test_client()

    answer = sign_in(client, "ani")

    assert answer.status_code == 302
    header = answer.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    home = client.get("/").get_data(as_text=True)
    assert "Pengguna" in home and "ani" in home


def test_the_cookie_is_secure_over_https(web_gateway):
    app = web_gateway()
    add_user(app, "ani")
    client = app.test_client()
    page = client.get("/masuk", base_url="https://localhost")
    token = csrf_of(page.get_data(as_text=True))

    answer = client.post(
        "/masuk",
        data={"username": "ani", "password": PASSWORD, "csrf_token": token},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/masuk"},
    )

    assert "Secure" in answer.headers["Set-Cookie"]


def test_a_wrong_password_shows_the_error_summary_linking_to_the_field(web_gateway):
    app = web_gateway()
    add_user(app, "ani")
    client = app.test_client()

    answer = sign_in(client, "ani", "salah-sekali")

    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'class="error-summary"' in html and 'href="#username"' in html
    assert session_cookie(client) is None or "token" not in str(session_cookie(client).value)


def test_a_locked_account_shows_the_lock_on_the_form_not_an_error_page(web_gateway):
    app = web_gateway()
    add_user(app, "ani")
    client = app.test_client()
    for _attempt in range(5):
        assert sign_in(client, "ani", "salah-sekali").status_code == 422

    answer = sign_in(client, "ani")  # the right password, but the account is locked

    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'class="error-summary"' in html and 'href="#username"' in html
    assert "dikunci sementara" in html and "Coba lagi dalam 15 menit" in html
    assert "salah" not in html.split("error-summary")[1].split("</ul>")[0]
    assert client.get("/pengguna").status_code == 302  # not signed in


def test_a_deactivated_account_says_so_only_to_whoever_knows_its_password(web_gateway):
    app = web_gateway()
    add_user(app, "ani")
    add_user(app, "budi", roles=("employee",))
    with app.app_context():
        session = Database.state(app).session_factory()
        uow = UnitOfWork(session)
        update_user(uow, get_user(session, "budi"), active=False, acting="ani")
        session.commit()
        session.close()
    client = app.test_client()

    right = sign_in(client, "budi")
    wrong = sign_in(client, "budi", "salah-sekali")

    right_html, wrong_html = right.get_data(as_text=True), wrong.get_data(as_text=True)
    assert right.status_code == 422 and 'href="#username"' in right_html
    assert "Akun ini dinonaktifkan" in right_html
    assert wrong.status_code == 422 and "Akun ini dinonaktifkan" not in wrong_html
    assert "Nama pengguna atau kata sandi salah" in wrong_html
    api = app.test_client().post(
        "/api/v1/auth/token", json={"username": "budi", "password": PASSWORD}
    )
    assert api.status_code == 401  # the API keeps its one message for every refusal
    assert api.get_json()["message"] == "The username or the password is wrong."


def test_a_form_posted_without_its_csrf_token_is_refused(web_gateway):
    app = web_gateway()
    add_user(app, "ani")
    client = app.test_client()

    answer = client.post("/masuk", data={"username": "ani", "password": PASSWORD})

    assert answer.status_code == 400
    assert "Formulir ditolak" in answer.get_data(as_text=True)
    assert client.get("/pengguna").status_code == 302  # still signed out


def test_a_signed_in_form_without_the_token_is_refused_too(web_gateway):
    app = web_gateway()
    add_user(app, "ani")
    client = app.test_client()
    sign_in(client, "ani")

    answer = client.post(
        "/pengguna/baru", data={"username": "budi", "password": PASSWORD, "roles": "employee"}
    )

    assert answer.status_code == 400
    assert "budi" not in client.get("/pengguna").get_data(as_text=True)


def test_the_cookie_does_not_authenticate_the_api(web_gateway):
    app = web_gateway()
    add_user(app, "ani")
    client = app.test_client()
    sign_in(client, "ani")

    assert client.get("/api/v1/users").status_code == 401
    assert client.get("/api/v1/auth/me").status_code == 401


def test_sign_out_ends_the_session(web_gateway):
    app = web_gateway()
    add_user(app, "ani")
    client = app.test_client()
    sign_in(client, "ani")
    token = csrf_of(client.get("/pengguna").get_data(as_text=True))

    answer = client.post("/keluar", data={"csrf_token": token})

    assert answer.status_code == 302
    assert client.get("/pengguna").status_code == 302


def test_the_session_expires_with_its_token(web_gateway):
    app = web_gateway(JWT_TTL_SECONDS="1")
    add_user(app, "ani")
    client = app.test_client()
    sign_in(client, "ani")
    assert client.get("/pengguna").status_code == 200

    time.sleep(1.2)
    answer = client.get("/pengguna")

    assert answer.status_code == 302
    assert "ended=1" in answer.headers["Location"]
    assert "Sesi Anda telah berakhir" in client.get(answer.headers["Location"]).get_data(
        as_text=True
    )


def test_a_page_for_another_role_is_refused(web_gateway):
    app = web_gateway()
    add_user(app, "siti", roles=("employee",), nip=NIP)
    client = app.test_client()
    sign_in(client, "siti")

    assert client.get("/pengguna").status_code == 403


def test_an_admin_creates_changes_and_deactivates_a_user_and_deactivation_stops_sign_in(
    web_gateway,
):
    app = web_gateway()
    add_user(app, "ani")
    admin = app.test_client()
    sign_in(admin, "ani")
    token = csrf_of(admin.get("/pengguna/baru").get_data(as_text=True))
    made = admin.post(
        "/pengguna/baru",
        data={
            "username": "budi",
            "password": PASSWORD,
            "roles": ["employee"],
            "nip": NIP,
            "csrf_token": token,
        },
    )
    assert made.status_code == 302
    budi = app.test_client()
    assert "/kata-sandi" in sign_in(budi, "budi").headers["Location"]  # an admin chose it
    budi.post(
        "/kata-sandi",
        data={
            "current_password": PASSWORD,
            "new_password": "kopi-budi-2025",
            "confirm_password": "kopi-budi-2025",
            "csrf_token": csrf_of(budi.get("/kata-sandi").get_data(as_text=True)),
        },
    )
    assert budi.get("/saya").status_code != 302

    admin.post(
        "/pengguna/budi",
        data={"action": "roles", "roles": ["employee", "supervisor"], "csrf_token": token},
    )
    assert "Atasan langsung" in admin.get("/pengguna/budi").get_data(as_text=True)
    admin.post("/pengguna/budi", data={"action": "deactivate", "csrf_token": token})

    assert budi.get("/saya").status_code == 302  # the open session ended
    assert sign_in(app.test_client(), "budi", "kopi-budi-2025").status_code == 422
    assert (
        app.test_client()
        .post("/api/v1/auth/token", json={"username": "budi", "password": "kopi-budi-2025"})
        .status_code
        == 401
    )


def test_the_users_api_is_for_admins_with_a_bearer_token(web_gateway):
    app = web_gateway()
    add_user(app, "ani")
    add_user(app, "siti", roles=("employee",), nip=NIP)
    client = app.test_client()
    admin = client.post("/api/v1/auth/token", json={"username": "ani", "password": PASSWORD})
    siti = client.post("/api/v1/auth/token", json={"username": "siti", "password": PASSWORD})
    as_admin = {"Authorization": f"Bearer {admin.json['access_token']}"}

    assert (
        client.get(
            "/api/v1/users", headers={"Authorization": f"Bearer {siti.json['access_token']}"}
        ).status_code
        == 403
    )
    made = client.post(
        "/api/v1/users",
        headers=as_admin,
        json={"username": "budi", "password": PASSWORD, "roles": ["employee"]},
    )
    assert made.status_code == 201 and "password" not in made.json
    assert (
        client.post(
            "/api/v1/users",
            headers=as_admin,
            json={"username": "budi", "password": PASSWORD, "roles": ["employee"]},
        ).status_code
        == 409
    )
    bad = client.post(
        "/api/v1/users",
        headers=as_admin,
        json={"username": "x", "password": PASSWORD, "roles": ["employee"]},
    )
    assert bad.status_code == 422
    changed = client.patch("/api/v1/users/budi", headers=as_admin, json={"active": False})
    assert changed.json["active"] is False
    assert (
        client.patch("/api/v1/users/ani", headers=as_admin, json={"active": False}).status_code
        == 422
    )
    listed = client.get("/api/v1/users?q=bu", headers=as_admin).json
    assert [u["username"] for u in listed["items"]] == ["budi"]


def test_citizen_text_is_shown_as_text(web_gateway):
    app = web_gateway()
    add_user(app, "ani")
    client = app.test_client()

    page = client.get("/masuk?next=/x").get_data(as_text=True)
    answer = sign_in(client, SCRIPT)
    html = answer.get_data(as_text=True)

    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<script" not in page


def test_the_english_catalogue_covers_every_text_and_its_compiled_file_is_current():
    from babel.messages.extract import extract_from_dir
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = Path(gateway.web.__file__).parent
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    found = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(str(folder), method_map, keywords={"_": None, "N_": None})
    }
    base = folder / "translations" / "en" / "LC_MESSAGES" / "messages"
    with open(f"{base}.po", "rb") as po_file:
        po = {m.id: m.string for m in read_po(po_file) if m.id}
    with open(f"{base}.mo", "rb") as mo_file:
        mo = {m.id: m.string for m in read_mo(mo_file) if m.id}

    assert len(found) > 300  # templates and code were both read
    assert sorted(found - set(po)) == []  # run the extract/update/compile of gateway/README.md
    assert mo == {k: v for k, v in po.items() if v}
