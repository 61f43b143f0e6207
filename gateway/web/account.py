"""Home, sign-in, sign-out and the language choice."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from chassis.errors import Unauthorized
from gateway.auth import issued_token, signed_in_user
from gateway.web.identity import safe_next, signed_in, start_session
from gateway.web.labels import N_

blp = Blueprint("account", __name__)
NAV = [("account.home", N_("Beranda"), ())]


@blp.get("/")
def home():
    """The start page: what each of the user's roles can do, or the public services."""
    return render_template("home.html", title=_("Beranda"))


@blp.route("/masuk", methods=["GET", "POST"])
def sign_in():
    """Sign in with a gateway account; the session then holds the user's token."""
    errors: dict[str, str] = {}
    username = request.form.get("username", "").strip()
    if request.method == "POST":
        password = request.form.get("password", "")
        if not username:
            errors["username"] = _("Masukkan nama pengguna")
        if not password:
            errors["password"] = _("Masukkan kata sandi")
        if not errors:
            try:
                user = signed_in_user(username, password)
            except Unauthorized:
                errors["username"] = _("Nama pengguna atau kata sandi salah")
            else:
                start_session(issued_token(user), user.username)
                return redirect(safe_next(request.args.get("next")) or url_for("account.home"))
    ended = request.args.get("ended") == "1" or g.get("session_ended")
    status = 422 if errors else 200
    return render_template(
        "sign_in.html", title=_("Masuk"), errors=errors, username=username, ended=ended
    ), status


@blp.post("/keluar")
@signed_in()
def sign_out():
    """End the session (the cookie is emptied; the token is no longer sent by the pages)."""
    session.clear()
    return redirect(url_for("account.sign_in", out="1"))


@blp.get("/bahasa/<lang>")
def language(lang: str):
    """Switch between Bahasa Indonesia and English, then go back."""
    if lang in ("id", "en"):
        session["lang"] = lang
    return redirect(safe_next(request.args.get("next")) or url_for("account.home"))
