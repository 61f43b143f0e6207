"""Combined views: the employee dossier and the unit dashboard, gathered in parallel.

The parts are read with a short-lived token the gateway signs for itself (role admin, GET only)
after it has decided who may see the view: the employee themself, their supervisor chain on the
roster, admins. The services' own rules know only the direct supervisor, and the chain is a
roster question the gateway can answer by the roster's API.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint

from chassis.auth import current_principal, sign_token
from chassis.errors import ApiError, Forbidden, Unprocessable
from contracts.identifiers import nip_problem
from gateway.aggregate import Part
from gateway.state import gateway_state

blp = Blueprint("combined_api", __name__, url_prefix="/api/v1", description="Combined views")
WIT = ZoneInfo("Asia/Jayapura")
# Supervisor levels walked up the roster before giving up (a cycle or a very deep chain).
CHAIN_LIMIT = 8
# Rows of a list part (needs, enrolments, awards) read for a dossier.
DOSSIER_ROWS = 100
SERVICE_TOKEN_TTL = 120
SERVICE_TOKENS_KEPT = 1024
PART_LABELS = {
    "profile": "Profil pegawai (layanan rekrutmen)",
    "appraisals": "Penilaian kinerja (layanan penilaian)",
    "needs": "Kebutuhan pengembangan kompetensi (layanan pelatihan)",
    "eligibility": "Kelayakan penghargaan (layanan penghargaan)",
    "objections": "Keberatan atas penilaian (layanan penilaian)",
    "jp": "Jam Pelajaran tahun ini (layanan pelatihan)",
    "enrolments": "Pendaftaran pelatihan (layanan pelatihan)",
    "awards": "Penghargaan yang diterima (layanan penghargaan)",
    "roster": "Jumlah pegawai (layanan rekrutmen)",
    "calibration": "Kalibrasi predikat (layanan penilaian)",
    "needs_summary": "Ringkasan kebutuhan pengembangan (layanan pelatihan)",
}


class CannotDecide(ApiError):
    """Access could not be decided: the roster did not answer."""

    code = 503


@dataclass
class Combined:
    """A combined view: its parts, which are missing and why, and the time it took."""

    subject: str
    year: int
    parts: dict[str, Part]
    empty: set[str] = field(default_factory=set)
    elapsed_ms: float = 0.0

    def data(self, name: str) -> Any:
        """A part's data, or None when it is missing or empty."""
        part = self.parts[name]
        return part.data if part.ok else None

    @property
    def missing(self) -> list[dict[str, str]]:
        """The parts that did not answer usably, with a label and a plain reason."""
        return [
            {
                "part": name,
                "label": PART_LABELS[name],
                "status": part.status,
                "reason": part.error or part.status,
            }
            for name, part in self.parts.items()
            if not part.ok and name not in self.empty
        ]

    def as_json(self) -> dict[str, Any]:
        """The JSON body of the combined view."""
        return {
            "subject": self.subject,
            "year": self.year,
            "parts": {
                name: {
                    "status": "empty" if name in self.empty else part.status,
                    "data": part.data if part.ok else None,
                    "error": None if name in self.empty else part.error,
                    "latency_ms": part.latency_ms,
                }
                for name, part in self.parts.items()
            },
            "missing": self.missing,
            "elapsed_ms": self.elapsed_ms,
        }


def this_year() -> int:
    """The current year in North Maluku."""
    return datetime.now(WIT).year


def service_headers(caller: str) -> dict[str, str]:
    """Headers with a fresh gateway token acting for `caller` (named in the services' logs)."""
    return {"Authorization": f"Bearer {service_token(caller)}", "Accept": "application/json"}


def service_token(caller: str) -> str:
    """A short-lived admin token of the gateway itself, for reads it has authorized."""
    # Signed once per caller and reused for half its life: an RSA signature per page would
    # cost more than the page's own work.
    now = time.time()
    # caller -> (token, reuse until), kept by the app (each app has its own signing key).
    kept: dict[str, tuple[str, float]] = current_app.extensions.setdefault("service_tokens", {})
    cached = kept.get(caller)
    if cached and cached[1] > now:
        return cached[0]
    state = gateway_state()
    settings = state.settings
    token = sign_token(
        state.signing_key,
        subject=f"gateway:{caller}",
        roles=("admin",),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=SERVICE_TOKEN_TTL,
    )
    if len(kept) >= SERVICE_TOKENS_KEPT:
        kept.clear()
    kept[caller] = (token, now + SERVICE_TOKEN_TTL / 2)
    return token


def _url(service: str, path: str, **query: Any) -> str:
    base = gateway_state().settings.service_urls[service].rstrip("/")
    params = {k: v for k, v in query.items() if v is not None}
    return f"{base}/{path}" + (f"?{urlencode(params)}" if params else "")


def may_see_dossier(
    nip: str,
    username: str,
    roles: tuple[str, ...],
    own_nip: str | None,
    headers: dict[str, str],
    profiles: dict[str, Part] | None = None,
) -> bool:
    """The employee themself, an admin, or someone up the employee's supervisor chain.

    The roster records read on the way are put in `profiles` (by NIP), so that the dossier
    does not read the employee's own record a second time.
    """
    if "admin" in roles or (own_nip and own_nip == nip):
        return True
    if not own_nip or "supervisor" not in roles:
        return False
    aggregator = gateway_state().aggregator
    current, seen = nip, set()
    for _ in range(CHAIN_LIMIT):
        part = aggregator.get_json(
            {"profile": _url("recruitment", f"employees/{quote(current)}")}, headers
        )["profile"]
        if profiles is not None:
            profiles[current] = part
        if part.http_status == 404:
            return False
        if not part.ok:
            raise CannotDecide(f"The roster did not answer ({part.error}); try again later.")
        boss = part.data.get("supervisor_nip")
        if not boss or boss in seen:
            return False
        if boss == own_nip:
            return True
        seen.add(current)
        current = boss
    return False


def dossier(
    nip: str,
    year: int,
    caller: str,
    headers: dict[str, str],
    profiles: dict[str, Part] | None = None,
) -> Combined:
    """Profile, appraisals and objections, training needs, JP and enrolments, awards and award
    eligibility of `nip`, in parallel.

    A usable profile already read (by the access check, in `profiles`) is not read again.
    """
    started = time.perf_counter()
    known = (profiles or {}).get(nip)
    calls = {
        "profile": _url("recruitment", f"employees/{nip}"),
        "appraisals": _url("appraisal", "appraisals", nip=nip),
        "needs": _url("training", "needs", nip=nip, page_size=DOSSIER_ROWS),
        "eligibility": _url("awards", f"eligibility/{year}/{nip}"),
        "objections": _url("appraisal", "objections", scope="employee", nip=nip),
        "jp": _url("training", f"ledger/{year}/{nip}"),
        "enrolments": _url("training", "enrolments", nip=nip, page_size=DOSSIER_ROWS),
        "awards": _url("awards", f"employees/{nip}/awards", page_size=DOSSIER_ROWS),
    }
    if known is not None and known.ok:
        del calls["profile"]
    parts = gateway_state().aggregator.get_json(calls, headers)
    if known is not None and known.ok:
        parts = {"profile": known, **parts}
    # No decision yet is an answer, not a missing part.
    empty = {name for name, part in parts.items() if part.http_status == 404 and name != "profile"}
    return Combined(nip, year, parts, empty, round((time.perf_counter() - started) * 1000, 2))


def dashboard(unit: str, year: int, headers: dict[str, str]) -> Combined:
    """A unit's roster count, calibration and training-needs summary, in parallel."""
    started = time.perf_counter()
    parts = gateway_state().aggregator.get_json(
        {
            "roster": _url("recruitment", "employees", unit=unit, page_size=1),
            "calibration": _url("appraisal", f"units/{quote(unit)}/{year}/calibration"),
            "needs_summary": _url("training", "needs/summary", year=year, unit=unit),
        },
        headers,
    )
    return Combined(unit, year, parts, set(), round((time.perf_counter() - started) * 1000, 2))


def may_see_dashboard(unit: str, roles: tuple[str, ...], own_unit: str | None) -> bool:
    """Admins, and supervisors of the unit."""
    return "admin" in roles or ("supervisor" in roles and own_unit == unit)


class YearSchema(ma.Schema):
    """The year of the view (default: this year in WIT)."""

    year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100))


class PartSchema(ma.Schema):
    """One service's part of a combined view."""

    status = ma.fields.String(metadata={"description": "ok, empty, or why it is missing"})
    data = ma.fields.Raw(allow_none=True, metadata={"description": "The service's answer"})
    error = ma.fields.String(allow_none=True)
    latency_ms = ma.fields.Float(allow_none=True)


class CombinedSchema(ma.Schema):
    """A view gathered from several services in parallel; `missing` names the absent parts."""

    subject = ma.fields.String()
    year = ma.fields.Integer()
    parts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(PartSchema))
    missing = ma.fields.List(ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String()))
    elapsed_ms = ma.fields.Float()


@blp.route("/dossier/<nip>")
@blp.arguments(YearSchema, location="query")
@blp.response(200, CombinedSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.doc(security=[{"bearerAuth": []}])
def dossier_api(query: dict, nip: str):
    """The employee dossier, with `missing` naming the parts whose service did not answer."""
    principal = current_principal()
    if problem := nip_problem(nip):
        raise Unprocessable.field("nip", problem, "path")
    headers = service_headers(principal.username)
    profiles: dict[str, Part] = {}
    if not may_see_dossier(
        nip, principal.username, principal.roles, principal.nip, headers, profiles
    ):
        raise Forbidden("Only the employee, their supervisors and admins see a dossier.")
    year = query.get("year") or this_year()
    return dossier(nip, year, principal.username, headers, profiles).as_json()


@blp.route("/units/<unit>/dashboard")
@blp.arguments(YearSchema, location="query")
@blp.response(200, CombinedSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.doc(security=[{"bearerAuth": []}])
def dashboard_api(query: dict, unit: str):
    """A unit's dashboard: roster count, calibration and needs summary, partial when one is down."""
    principal = current_principal()
    if not may_see_dashboard(unit, principal.roles, principal.unit):
        raise Forbidden("Only admins and the unit's supervisors see its dashboard.")
    headers = service_headers(principal.username)
    return dashboard(unit, query.get("year") or this_year(), headers).as_json()
