"""Home, sign-in, sign-out and the language choice."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from chassis.errors import Unauthorized
from gateway.auth import DeactivatedAccount, issued_token, new_password_for, signed_in_user
from gateway.throttle import TooManyFailedLogins
from gateway.users import InvalidUser
from gateway.web.identity import current_user, safe_next, signed_in, start_session
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
            except DeactivatedAccount:
                errors["username"] = _("Akun ini dinonaktifkan. Hubungi admin BKD.")
            except Unauthorized:
                errors["username"] = _("Nama pengguna atau kata sandi salah")
            except TooManyFailedLogins as exc:
                errors["username"] = _locked_message(exc)
            else:
                start_session(issued_token(user), user.username)
                target = safe_next(request.args.get("next")) or url_for("account.home")
                if user.must_change_password:
                    return redirect(url_for("account.change_password", next=target))
                return redirect(target)
    ended = request.args.get("ended") == "1" or g.get("session_ended")
    status = 422 if errors else 200
    return render_template(
        "sign_in.html", title=_("Masuk"), errors=errors, username=username, ended=ended
    ), status


def _locked_message(exc: TooManyFailedLogins) -> str:
    """The lock's message with the minutes left (from its Retry-After)."""
    seconds = int(exc.headers.get("Retry-After", "0") or 0)
    return _(
        "Terlalu banyak percobaan masuk yang gagal; akun ini dikunci sementara. "
        "Coba lagi dalam %(n)s menit.",
        n=max(1, -(-seconds // 60)),
    )


@blp.route("/kata-sandi", methods=["GET", "POST"])
@signed_in()
def change_password():
    """Choose a new password; required at the first sign-in of an account an admin made."""
    user = current_user()
    errors: dict[str, str] = {}
    if request.method == "POST":
        current = request.form.get("current_password", "")
        new = request.form.get("new_password", "")
        if not current:
            errors["current_password"] = _("Masukkan kata sandi saat ini")
        if len(new) < 8:
            errors["new_password"] = _("Kata sandi baru paling sedikit 8 karakter")
        elif new != request.form.get("confirm_password", ""):
            errors["confirm_password"] = _("Ulangi kata sandi baru yang sama")
        if not errors:
            try:
                new_password_for(user.username, current, new)
            except InvalidUser as exc:
                errors[exc.field] = {
                    "current_password": _("Kata sandi saat ini salah"),
                    "new_password": _("Kata sandi baru harus berbeda dan 8-1024 karakter"),
                }.get(exc.field, exc.reason)
            except TooManyFailedLogins:
                errors["current_password"] = _("Terlalu banyak percobaan. Coba lagi nanti.")
            else:
                flash(_("Kata sandi diganti."))
                return redirect(safe_next(request.args.get("next")) or url_for("account.home"))
    return render_template(
        "password.html",
        title=_("Ganti kata sandi"),
        errors=errors,
        forced=user.must_change_password,
    ), (422 if errors else 200)


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
