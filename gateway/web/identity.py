"""Who is signed in to the pages: the cookie session holding the user's bearer token.

The session cookie is read only by the web blueprints; the API (`/api/v1/...`) authenticates by
the `Authorization` header alone, so a cross-site form can never ride on the cookie there.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from chassis.db import request_session
from gateway.models import User

SESSION_COOKIE = "sofifi_session"
# What a user who must change their password may still reach: the form, and signing out.
PASSWORD_PAGES = ("account.change_password", "account.sign_out")


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure on HTTPS (as ProxyFix reports it behind trusted proxies), or when configured."""
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def session_secret(signing_key: bytes) -> bytes:
    """The cookie-signing secret, derived from the token key (no second secret to manage)."""
    # Every gunicorn worker and replica derives the same secret; rotating the token key signs
    # everyone out, as it invalidates their tokens too.
    return hmac.new(signing_key, b"sofifi-web-session-v1", hashlib.sha256).digest()


@dataclass(frozen=True)
class SignedIn:
    """The signed-in user of this request."""

    username: str
    roles: tuple[str, ...]
    nip: str | None
    unit: str | None
    token: str
    must_change_password: bool = False

    def has(self, *roles: str) -> bool:
        """True when the user holds one of `roles`."""
        return bool(set(self.roles) & set(roles))


def start_session(issued: dict[str, Any], username: str) -> None:
    """Keep a freshly issued token in a new session (a new cookie: no session fixation)."""
    session.clear()
    session.permanent = True
    session["user"] = username
    session["token"] = issued["access_token"]
    session["expires"] = int(time.time()) + int(issued["expires_in"])


def current_user() -> SignedIn | None:
    """The signed-in user, or None (no session, expired, or the account was deactivated)."""
    if "web_user" in g:
        return g.web_user
    user = None
    if session.get("token") and session.get("expires", 0) > time.time():
        account = request_session().scalar(select(User).where(User.username == session["user"]))
        # Checked on every page: a deactivated account loses its open sessions at once.
        if account is not None and account.active:
            user = SignedIn(
                account.username,
                tuple(sorted(account.roles)),
                account.nip,
                account.unit,
                session["token"],
                bool(account.must_change_password),
            )
    if user is None and session.get("token"):
        g.session_ended = True
        session.clear()
    g.web_user = user
    return user


def safe_next(target: str | None) -> str | None:
    """A same-site path to return to after sign-in (never another host)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def signed_in(*roles: str) -> Callable:
    """Views for signed-in users (holding one of `roles` when given); others go to sign-in."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                ended = "1" if g.get("session_ended") else None
                return redirect(
                    url_for("account.sign_in", next=request.full_path.rstrip("?"), ended=ended)
                )
            if user.must_change_password and request.endpoint not in PASSWORD_PAGES:
                # An admin chose this password: nothing else until the user has their own.
                return redirect(
                    url_for("account.change_password", next=request.full_path.rstrip("?"))
                )
            if roles and not user.has(*roles):
                from gateway.web.render import forbidden

                return forbidden()
            return view(*args, **kwargs)

        return wrapper

    return decorate
