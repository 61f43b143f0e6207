"""Rendering helpers of the pages: the layout's navigation, refusals, and Indonesian formats."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import Flask, render_template
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from gateway.calls import Reply

WIT = ZoneInfo("Asia/Jayapura")
# Parsed once: a locale named by a string is parsed again on every number formatted.
INDONESIAN = Locale.parse("id")
# Texts without variables kept ready per catalogue (a bound: texts are the code's own).
TEXTS_KEPT = 4096


def forbidden() -> tuple[str, int]:
    """The page for a user without the role a page needs."""
    return render_template("refused.html", title=_("Tidak berwenang"), status=403), 403


def service_problem(reply: Reply) -> tuple[str, int]:
    """The page for a service refusal or failure, saying which in plain words."""
    if reply.status in (502, 504):
        message = _("Layanan sedang tidak dapat dihubungi. Coba lagi beberapa saat lagi.")
    elif reply.status == 403:
        message = _("Anda tidak berwenang melihat halaman ini.")
    elif reply.status == 404:
        message = _("Data tidak ditemukan.")
    else:
        message = reply.message()
    status = reply.status if reply.status >= 400 else 500
    return render_template(
        "refused.html", title=_("Tidak dapat ditampilkan"), message=message, status=status
    ), status


def _parse(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    return value


def tanggal(value: Any) -> str:
    """A date as `17 Agustus 2026` (or in the English locale's long form)."""
    value = _parse(value)
    if isinstance(value, datetime):
        value = value.astimezone(WIT).date() if value.tzinfo else value.date()
    if not isinstance(value, date):
        return "" if value is None else str(value)
    return format_date(value, "d MMMM y", locale=get_locale())


def waktu(value: Any) -> str:
    """A time in WIT with the zone shown: `17 Agustus 2026 14.05 WIT`."""
    value = _parse(value)
    if not isinstance(value, datetime):
        return tanggal(value)
    local = value.astimezone(WIT) if value.tzinfo else value
    return format_datetime(local, "d MMMM y HH.mm", locale=get_locale()) + " WIT"


def angka(value: Any, digits: int = 1) -> str:
    """A number as `1.234,5` (Indonesian separators whatever the interface language)."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    pattern = "#,##0" if number == number.to_integral() else "#,##0." + "#" * digits
    return format_decimal(number, format=pattern, locale=INDONESIAN)


def rupiah(value: Any) -> str:
    """Money as `Rp 1.500.000`."""
    return (
        ""
        if value is None
        else f"Rp {format_decimal(Decimal(str(value)), '#,##0', locale=INDONESIAN)}"
    )


def init_formats(app: Flask) -> None:
    """Register the filters and the layout's globals."""
    app.add_template_filter(tanggal)
    app.add_template_filter(waktu)
    app.add_template_filter(angka)
    app.add_template_filter(rupiah)
    from gateway.web import labels

    app.add_template_filter(labels.label)

    @app.context_processor
    def _layout() -> dict[str, Any]:
        from gateway.web.identity import current_user

        user = current_user() if _in_web_request() else None
        nav = [
            (endpoint, _(text))
            for endpoint, text, roles in app.extensions["web_nav"]
            if user is not None and (not roles or user.has(*roles))
        ]
        translations = get_translations()
        return {
            "user": user,
            "nav": nav,
            "locale": str(get_locale()),
            # The page's texts from this request's catalogue, looked up once per page rather
            # than through Flask-Babel's context on each of a page's dozens of texts.
            "gettext": _page_gettext(translations.ugettext),
            "ngettext": _page_ngettext(translations.ungettext),
        }


@lru_cache(maxsize=16)
def _page_gettext(lookup: Callable[[str], str]) -> Callable[..., str]:
    """`_()` in templates, as Jinja's new-style gettext: autoescaped, `%(name)s` filled in.

    One per catalogue (Flask-Babel keeps each locale's); texts without variables are kept
    ready, as most of a page's texts are.
    """
    ready: dict[tuple[str, bool], str] = {}

    @pass_context
    def gettext(context: Context, text: str, /, **variables: Any) -> str:
        escaped = context.eval_ctx.autoescape
        if not variables and (text, escaped) in ready:
            return ready[text, escaped]
        found = lookup(text)
        # The catalogue's own text is markup; `%` escapes the variables (as Jinja does).
        result = (Markup(found) if escaped else found) % variables  # noqa: S704
        if not variables and len(ready) < TEXTS_KEPT:
            ready[text, escaped] = result
        return result

    return gettext


@lru_cache(maxsize=16)
def _page_ngettext(lookup: Callable[[str, str, int], str]) -> Callable[..., str]:
    """`ngettext()` in templates, as Jinja's new-style one (`num` filled in too)."""

    @pass_context
    def ngettext(
        context: Context, singular: str, plural: str, num: int, /, **variables: Any
    ) -> str:
        variables.setdefault("num", num)
        found = lookup(singular, plural, num)
        return (Markup(found) if context.eval_ctx.autoescape else found) % variables  # noqa: S704

    return ngettext


def _in_web_request() -> bool:
    from flask import request

    return not request.path.startswith("/api/")
