"""Wiring of the gateway: users database, token keys, proxy, combined views and rate limits."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

from chassis import fastpaths
from chassis.auth import Auth, sign_token
from chassis.config import Settings
from chassis.db import Database
from chassis.health import Health
from chassis.web import create_base_app, database_check
from gateway import auth, combined, core, health, openapi, proxy, revocations_api, users_api
from gateway.aggregate import Aggregator
from gateway.fastpath import FastProxy
from gateway.revocation import RevocationList
from gateway.state import GatewayState, VerifiedTokens
from gateway.upstream import Upstream
from gateway.web import init_web

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MAX_BODY_BYTES = 10 * 1024 * 1024
RATELIMIT_KEY_PREFIX = "sofifi-gateway"


def create_app(
    config: Mapping[str, Any] | None = None, *, service_urls: Mapping[str, str] | None = None
) -> Flask:
    """The gateway web app routing to `service_urls` (name -> default URL, from the wiring;
    each `<NAME>_URL` variable overrides its default); `config` overrides settings (tests).

    Without `service_urls` it routes nowhere (accounts and tokens only)."""
    app, api = create_base_app(
        "gateway",
        config,
        service_urls=service_urls,
        title="Sofifi ASN - Gateway",
        description="The one entry point of the platform: tokens, routing to the five services, "
        "the combined API document and the platform's health.",
        unchecked_json_endpoints=frozenset({"proxy.proxy"}),
    )
    settings: Settings = app.config["SETTINGS"]
    # Flask's default is None (unlimited); the key exists, so setdefault would not do.
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_CONTENT_LENGTH"] or MAX_BODY_BYTES
    Database().init_app(app)
    Auth().init_app(app)
    engine = Database.state(app).engine
    Health.add_check(app, "database", lambda: database_check(engine))
    state = GatewayState(
        settings=settings,
        upstreams={name: Upstream.of(url) for name, url in settings.service_urls.items()},
        aggregator=Aggregator(settings.gateway_part_timeout),
        tokens=VerifiedTokens(
            app.extensions["auth"],
            revocations=RevocationList(Database.state(app).session_factory),
        ),
        signing_key=signing_key(app, settings),
        api=api,
    )
    app.extensions["gateway"] = state
    # The gateway's own endpoints verify tokens as its proxy does: cached, revocation checked.
    app.extensions["auth"] = state.tokens
    api.register_blueprint(auth.blp)
    api.register_blueprint(users_api.blp)
    api.register_blueprint(combined.blp)
    app.register_blueprint(proxy.blp)
    app.register_blueprint(openapi.blp)
    app.register_blueprint(revocations_api.blp)
    # Public /health says up or down; details, /ready's checks and /metrics are for admins.
    health.init_app(app)
    # The web client (pages at `/`); see gateway/web/__init__.py.
    init_web(app, state)
    limiter = init_rate_limits(app, settings)
    # The common proxied call is served below Flask (see gateway/fastpath.py); inside ProxyFix,
    # so that it sees the client's address as the rate limits do.
    app.wsgi_app = FastProxy(app, state, limiter, RATELIMIT_KEY_PREFIX)  # type: ignore[method-assign]
    # How many reverse proxies in front are trusted to set X-Forwarded-For/-Proto (0: none, so
    # the peer address is the client).
    trusted = settings.trusted_proxies
    if trusted:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted)  # type: ignore[method-assign]
    return app


def signing_key(app: Flask, settings: Settings) -> bytes:
    """The private key, checked against the public key every service verifies with."""
    path = Path(settings.jwt_private_key_file)
    if not path.exists():
        raise RuntimeError(f"no token signing key at {path}: run `sofifi keys` (dev) or mount one")
    pem = path.read_bytes()
    probe = sign_token(
        pem,
        subject="gateway-key-check",
        roles=(),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=60,
    )
    try:
        app.extensions["auth"].verify(probe)
    except Exception as exc:
        raise RuntimeError(
            f"{path} does not match the public key {settings.jwt_public_key_file}: "
            "tokens signed with it would be refused everywhere"
        ) from exc
    return pem


def proxied_with_token() -> bool:
    """A proxied call with a token is checked by its token, not by the public limit."""
    # Only the proxy: a login carrying some Authorization header stays limited.
    return request.endpoint == "proxy.proxy" and "Authorization" in request.headers


def init_rate_limits(app: Flask, settings: Settings) -> Limiter:
    """Per-client limits on logins and on calls without a token (Flask-Limiter)."""
    limiter = Limiter(
        key_func=lambda: core.client_address(request.environ),
        storage_uri=fastpaths.rate_limit_storage_uri(settings.ratelimit_storage_uri),
        headers_enabled=True,
        key_prefix=RATELIMIT_KEY_PREFIX,
    )
    # A request filter, not only exempt_when: the limiter then skips its work for the call
    # entirely, which keeps the proxied hot path short.
    limiter.request_filter(proxied_with_token)
    limiter.init_app(app)
    app.view_functions["auth.token"] = limiter.limit(
        settings.ratelimit_login,
        error_message=f"Too many login attempts from this client (limit: "
        f"{settings.ratelimit_login}); wait and try again.",
    )(app.view_functions["auth.token"])
    app.view_functions["health.health"] = limiter.limit(
        settings.ratelimit_public,
        error_message=f"Too many health checks from this client (limit: "
        f"{settings.ratelimit_public}); wait and try again.",
    )(app.view_functions["health.health"])
    app.view_functions["proxy.proxy"] = limiter.limit(
        settings.ratelimit_public,
        error_message=f"Too many calls without a token from this client (limit: "
        f"{settings.ratelimit_public}); wait, or log in.",
    )(app.view_functions["proxy.proxy"])
    # The sign-in page shares the login budget with the token endpoint (POST only).
    app.view_functions["account.sign_in"] = limiter.limit(
        settings.ratelimit_login, methods=["POST"], scope="login"
    )(app.view_functions["account.sign_in"])
    app.extensions["gateway_limiter"] = limiter
    return limiter
