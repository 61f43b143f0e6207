"""The web client: server-rendered pages served by the gateway at `/` (see gateway/README.md).

Each area of the platform is one module with a blueprint and its templates; `AREAS` lists them,
so the page of a new API is one module more.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from pathlib import Path

from flask import Blueprint, Flask, Response, render_template, request, session
from flask_babel import Babel
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect

from gateway.state import GatewayState
from gateway.web.identity import SESSION_COOKIE, SessionInterface, session_secret
from gateway.web.render import init_formats

HERE = Path(__file__).parent
LOCALES = ("id", "en")
# One module per area, each exposing `blp` and `NAV`: (endpoint, label, roles; none = anyone).
AREAS = ("account", "users", "combined", "appraisal", "roster", "selection")
AREAS += ("training", "training_admin", "career", "awards", "awards_admin", "jobs")
AREAS += ("feedback_public", "feedback_staff", "feedback_ikm")
# Pages use only the gateway's own assets: no CDN, no inline script; inline SVG charts only.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)

assets = Blueprint(
    "web", __name__, static_folder="static", static_url_path="/assets", template_folder="templates"
)
csrf = CSRFProtect()


def select_locale() -> str:
    """Bahasa Indonesia unless the user chose English (kept in the session)."""
    chosen = request.args.get("lang") or session.get("lang")
    return chosen if chosen in LOCALES else "id"


def init_web(app: Flask, state: GatewayState) -> None:
    """Sessions, CSRF, translations, formats and every area's pages on `app`."""
    app.secret_key = session_secret(state.signing_key)
    app.session_interface = SessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # The session ends with the token it holds (checked on every page against its expiry);
        # the cookie outlives it a little so that the page can say the session has ended.
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=state.settings.jwt_ttl_seconds + 300),
        # So the cookie is written only when the session changes (sign-in, a form's CSRF token,
        # the language), not signed and compressed again on every page: its lifetime is the
        # token's, which a page view does not extend either.
        SESSION_REFRESH_EACH_REQUEST=False,
        # CSRF is checked by the web blueprints only: the API takes bearer tokens, not cookies.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE="id",
        BABEL_DEFAULT_TIMEZONE="Asia/Jayapura",
        BABEL_TRANSLATION_DIRECTORIES=str(HERE / "translations"),
    )
    app.jinja_env.autoescape = True
    Babel(app, locale_selector=select_locale)
    csrf.init_app(app)
    init_formats(app)
    app.register_blueprint(assets)
    names = set()
    nav = []
    for name in AREAS:
        module = import_module(f"gateway.web.{name}")
        app.register_blueprint(module.blp)
        names.add(module.blp.name)
        nav.extend(getattr(module, "NAV", ()))
    app.extensions["web_nav"] = nav

    app.register_error_handler(CSRFError, refused_form)

    @app.before_request
    def _csrf() -> None:
        if request.blueprint in names:
            csrf.protect()

    @app.after_request
    def _headers(response: Response) -> Response:
        return page_headers(response) if request.blueprint in names else response


def refused_form(exc: CSRFError) -> tuple[str, int]:
    """A form without its valid token (forged, or a page kept open too long): not acted on."""
    message = _(
        "Formulir ini tidak dapat diproses (token keamanan tidak ada atau tidak sah). "
        "Muat ulang halaman lalu kirim lagi."
    )
    return page_headers(
        Response(render_template("refused.html", title=_("Formulir ditolak"), message=message), 400)
    ), 400


def page_headers(response: Response) -> Response:
    """Security headers of every page (the API keeps its own)."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if "text/html" in response.content_type:
        # Pages show personal data: never kept by a shared cache or the back button.
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response
