"""RS256 token verification with algorithm, issuer, audience and expiry pinned; the role guard."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time

import jwt
import pytest

from chassis.auth import ROLES, Auth, Principal, TokenVerifier, generate_keypair, roles_required
from chassis.errors import Unauthorized
from chassis.testing.plugin import AUDIENCE, ISSUER
from chassis.web import create_base_app

NIP = "199001152015031001"


@pytest.fixture(scope="module")
def verifier(keys) -> TokenVerifier:
    return TokenVerifier(keys.public.read_bytes(), ISSUER, AUDIENCE)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**changes) -> dict:
    now = int(time.time())
    claims = {
        "sub": "mallory",
        "roles": ["admin"],
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def _unsigned(header: dict, claims: dict) -> str:
    return _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())


def _refused(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(Unauthorized) as caught:
        verifier.verify(token)
    assert caught.value.code == 401
    return caught.value.message


def test_a_valid_token_gives_its_principal(verifier, keys):
    token = keys.token("supervisor", "employee", subject="rahmat", nip=NIP, unit="BKD")
    assert verifier.verify(token) == Principal(
        username="rahmat", roles=("employee", "supervisor"), nip=NIP, unit="BKD"
    )


def test_unknown_roles_in_a_token_are_dropped(verifier, keys):
    assert verifier.verify(keys.token("employee", "superuser")).roles == ("employee",)


def test_an_expired_token_is_refused(verifier, keys):
    token = keys.token("admin", ttl=60, now=time.time() - 3600)
    assert "expired" in _refused(verifier, token)


def test_a_token_signed_with_another_key_is_refused(verifier, foreign_keys):
    assert "not valid" in _refused(verifier, foreign_keys.token("admin"))


def test_alg_none_is_refused(verifier):
    token = _unsigned({"alg": "none", "typ": "JWT"}, _claims()) + "."
    _refused(verifier, token)


def test_hs256_signed_with_the_public_key_is_refused(verifier, keys):
    # Algorithm confusion: a verifier that trusted the header would check this HMAC against the
    # public key bytes, which everyone has.
    signing_input = _unsigned({"alg": "HS256", "typ": "JWT"}, _claims())
    secret = keys.public.read_bytes()
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    _refused(verifier, signing_input + "." + _b64(signature))


def test_a_tampered_payload_is_refused(verifier, keys):
    header, _payload, signature = keys.token("employee").split(".")
    forged = _b64(json.dumps(_claims(roles=["admin"])).encode())
    _refused(verifier, f"{header}.{forged}.{signature}")


def test_another_audience_is_refused(verifier, keys):
    assert "audience" in _refused(verifier, keys.token("admin", audience="elsewhere")).lower()


def test_another_issuer_is_refused(verifier, keys):
    assert "issuer" in _refused(verifier, keys.token("admin", issuer="someone-else")).lower()


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub"])
def test_a_token_missing_a_required_claim_is_refused(verifier, keys, claim):
    token = jwt.encode(_claims(**{claim: None}), keys.private.read_bytes(), algorithm="RS256")
    assert claim in _refused(verifier, token)


@pytest.mark.parametrize("roles", ["admin", [1, 2], {"admin": True}])
def test_malformed_roles_are_refused(verifier, keys, roles):
    token = jwt.encode(_claims(roles=roles), keys.private.read_bytes(), algorithm="RS256")
    assert "roles" in _refused(verifier, token)


@pytest.mark.parametrize("junk", ["", "abc", "a.b.c", "Bearer x"])
def test_junk_is_refused(verifier, junk):
    _refused(verifier, junk)


def test_roles_required_knows_only_the_platform_roles():
    with pytest.raises(ValueError, match="unknown role"):
        roles_required("root")
    assert set(ROLES) == {"admin", "recruiter", "supervisor", "employee", "committee", "officer"}


# -- the decorator in a tiny app ----------------------------------------------------------


@pytest.fixture(scope="module")
def client(keys, tmp_path_factory):
    config = {
        "SOFIFI_VAR_DIR": str(tmp_path_factory.mktemp("var")),
        "JWT_PUBLIC_KEY_FILE": str(keys.public),
    }
    app, _api = create_base_app("auth-test", config, title="Auth under test")
    Auth().init_app(app)

    @app.get("/ratings")
    @roles_required("admin", "supervisor")
    def ratings():
        """Only admins and supervisors."""
        return {"ok": True}

    return app.test_client()


def test_no_token_is_401_with_a_challenge(client):
    response = client.get("/ratings")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["code"] == 401


def test_another_scheme_is_401(client, keys):
    response = client.get("/ratings", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert response.status_code == 401


def test_a_bad_token_is_401(client, foreign_keys):
    assert client.get("/ratings", headers=foreign_keys.headers("admin")).status_code == 401


def test_another_role_is_403(client, keys):
    response = client.get("/ratings", headers=keys.headers("employee", "committee"))
    assert response.status_code == 403
    assert "admin" in response.get_json()["message"]


@pytest.mark.parametrize("roles", [("admin",), ("supervisor",), ("employee", "supervisor")])
def test_an_allowed_role_is_200(client, keys, roles):
    response = client.get("/ratings", headers=keys.headers(*roles))
    assert response.status_code == 200
    assert response.get_json() == {"ok": True}


def test_the_dev_private_key_is_never_readable_by_others(tmp_path, monkeypatch):
    created = []
    real_open = os.open

    def spy(path, flags, mode=0o777, *args, **kwargs):
        created.append((str(path), mode))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    private, public = tmp_path / "k" / "private.pem", tmp_path / "k" / "public.pem"
    assert generate_keypair(private, public)
    assert (str(private), 0o600) in created  # created with its mode, not chmod-ed after
    assert private.stat().st_mode & 0o777 == 0o600
