"""Forced password change: an account an admin made (page, API, provisioning) chooses its own
password at the first sign-in; the pages send it to the form until it has; the API to do it."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from chassis.db import Database
from chassis.migrations import upgrade
from chassis.uow import UnitOfWork
from gateway.accounts import provision, roster_roles
from gateway.app import MIGRATIONS_DIR
from gateway.users import authenticate
from tests.service.web_support import PASSWORD, add_user, csrf_of, sign_in

NIP = "198503122010011001"
NEW = "kopi-tidore-2025"


def made_by_admin(app, username: str = "budi") -> None:
    admin = app.test_client()
    sign_in(admin, "ani")
    token = csrf_of(admin.get("/pengguna/baru").get_data(as_text=True))
    answer = admin.post(
        "/pengguna/baru",
        data={
            "username": username,
            "password": PASSWORD,
            "roles": ["employee"],
            "nip": NIP,
            "csrf_token": token,
        },
    )
    assert answer.status_code == 302


def change(client, current: str, new: str, confirm: str | None = None, next_: str = ""):
    page = client.get(f"/kata-sandi{next_}")
    token = csrf_of(page.get_data(as_text=True))
    return client.post(
        f"/kata-sandi{next_}",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
            "csrf_token": token,
        },
    )


def test_an_account_made_by_an_admin_changes_its_password_before_anything_else(web_gateway):
    app = web_gateway()
    add_user(app, "ani")
    made_by_admin(app)
    budi = app.test_client()

    signed = sign_in(budi, "budi")
    elsewhere = budi.get("/saya")
    wrong = change(budi, "salah-sekali", NEW)
    mismatch = change(budi, PASSWORD, NEW, confirm="lain-lagi-123")
    same = change(budi, PASSWORD, PASSWORD)
    done = change(budi, PASSWORD, NEW, next_="?next=/saya")

    assert signed.status_code == 302 and "/kata-sandi" in signed.headers["Location"]
    assert elsewhere.status_code == 302 and "/kata-sandi" in elsewhere.headers["Location"]
    assert wrong.status_code == 422 and 'href="#current_password"' in wrong.get_data(as_text=True)
    assert mismatch.status_code == 422 and 'href="#confirm_password"' in mismatch.get_data(
        as_text=True
    )
    assert same.status_code == 422 and 'href="#new_password"' in same.get_data(as_text=True)
    assert done.status_code == 302 and done.headers["Location"].endswith("/saya")
    assert "/kata-sandi" not in budi.get("/saya").headers.get("Location", "")
    assert sign_in(app.test_client(), "budi", PASSWORD).status_code == 422
    again = sign_in(app.test_client(), "budi", NEW)
    assert again.status_code == 302 and "/kata-sandi" not in again.headers["Location"]


def test_the_forced_form_says_why_and_an_own_account_is_not_forced(web_gateway):
    app = web_gateway()
    add_user(app, "ani")  # made like `sofifi user create`: the operator chose the password
    made_by_admin(app)
    budi, ani = app.test_client(), app.test_client()
    sign_in(budi, "budi")

    assert "dibuat oleh admin" in budi.get("/kata-sandi").get_data(as_text=True)
    token = csrf_of(budi.get("/kata-sandi").get_data(as_text=True))
    out = budi.post("/keluar", data={"csrf_token": token})
    assert "out=1" in out.headers["Location"]  # signing out is still allowed
    assert sign_in(ani, "ani").headers["Location"].endswith("/")
    assert ani.get("/pengguna").status_code == 200
    assert "dibuat oleh admin" not in ani.get("/kata-sandi").get_data(as_text=True)


def test_the_api_says_a_change_is_due_and_changes_the_password(web_gateway):
    app = web_gateway()
    add_user(app, "ani")
    client = app.test_client()
    admin = client.post("/api/v1/auth/token", json={"username": "ani", "password": PASSWORD})
    as_admin = {"Authorization": f"Bearer {admin.json['access_token']}"}
    made = client.post(
        "/api/v1/users",
        headers=as_admin,
        json={"username": "budi", "password": PASSWORD, "roles": ["employee"]},
    )
    issued = client.post("/api/v1/auth/token", json={"username": "budi", "password": PASSWORD})
    as_budi = {"Authorization": f"Bearer {issued.json['access_token']}"}

    wrong = client.post(
        "/api/v1/auth/password",
        headers=as_budi,
        json={"current_password": "salah-sekali", "new_password": NEW},
    )
    short = client.post(
        "/api/v1/auth/password",
        headers=as_budi,
        json={"current_password": PASSWORD, "new_password": "pendek"},
    )
    done = client.post(
        "/api/v1/auth/password",
        headers=as_budi,
        json={"current_password": PASSWORD, "new_password": NEW},
    )
    anonymous = client.post(
        "/api/v1/auth/password", json={"current_password": NEW, "new_password": PASSWORD}
    )

    assert made.status_code == 201 and made.json["must_change_password"] is True
    assert issued.json["must_change_password"] is True
    assert admin.json["must_change_password"] is False
    assert wrong.status_code == 422 and "current_password" in str(wrong.json)
    assert short.status_code == 422 and "new_password" in str(short.json)
    assert done.status_code == 204
    assert anonymous.status_code == 401
    after = client.post("/api/v1/auth/token", json={"username": "budi", "password": NEW})
    assert after.status_code == 200 and after.json["must_change_password"] is False


def test_provisioned_accounts_must_change_their_one_time_password(web_gateway):
    app = web_gateway()
    roster = [{"nip": NIP, "name": "Budi", "unit": "BKD", "supervisor_nip": None}]
    with app.app_context():
        session = Database.state(app).session_factory()
        made, _remaining = provision(UnitOfWork(session), roster, roster_roles(roster))
        session.commit()
        user = authenticate(UnitOfWork(session), NIP, made[0].password)
        assert user is not None and user.must_change_password is True
        session.close()


def test_the_migration_keeps_existing_accounts_signing_in_as_before(tmp_path):
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(MIGRATIONS_DIR, url, "0002")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (username, password_hash, roles, active, created_at, "
                "updated_at) VALUES ('lama', 'x', '[\"admin\"]', 1, '2026-01-01', '2026-01-01')"
            )
        )
    upgrade(MIGRATIONS_DIR, url)
    with engine.connect() as connection:
        flag = connection.scalar(text("SELECT must_change_password FROM users"))
    engine.dispose()
    assert flag in (0, False)
