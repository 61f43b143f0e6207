"""Builders of contract-valid events for the awards service's tests, and readers of its output."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from chassis.bus import Event
from contracts import validate_event
from contracts.appraisal import BERAKHLAK_VALUES
from contracts.identifiers import make_nip

FINALIZED = "appraisal.appraisal.finalized"
SUBSTANTIATED = "feedback.complaint.substantiated"
SANCTIONED = "recruitment.employee.sanctioned"
COMPLETED = "training.course.completed"
DETERMINED = "awards.eligibility.determined"
APPRAISER = make_nip(date(1978, 6, 15), 2003, 12, "F", 2)
# The ratings that give each predikat (PermenPAN-RB 6/2022: results, behaviour).
RATINGS = {
    "SANGAT_BAIK": ("DI_ATAS", "DI_ATAS"),
    "BAIK": ("SESUAI", "SESUAI"),
    "BUTUH_PERBAIKAN": ("DI_BAWAH", "SESUAI"),
    "KURANG": ("SESUAI", "DI_BAWAH"),
    "SANGAT_KURANG": ("DI_BAWAH", "DI_BAWAH"),
}


def event(event_type: str, data: dict[str, Any], *, occurred_at: datetime | None = None) -> Event:
    """An event of `event_type` carrying `data`, with a new event id, checked against its
    contract (the test's own input must keep to it)."""
    built = Event(
        type=event_type,
        data=data,
        source=event_type.split(".", 1)[0],
        correlation_id=uuid.uuid4().hex,
        occurred_at=(occurred_at or datetime.now(UTC)).isoformat(timespec="microseconds"),
    )
    validate_event(built.to_dict())
    return built


def finalized(
    nip: str,
    predikat: str = "SANGAT_BAIK",
    *,
    year: int = 2024,
    period: str = "ANNUAL",
    unit: str = "BKD",
    appraisal_id: str | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """`appraisal.appraisal.finalized` for `nip` with `predikat`."""
    results, behaviour = RATINGS[predikat]
    data = {
        "appraisal_id": appraisal_id or f"APR-{year}-{nip[-6:]}-{period}",
        "nip": nip,
        "unit": unit,
        "appraiser_nip": APPRAISER,
        "year": year,
        "period": period,
        "results_rating": results,
        "behaviour_rating": behaviour,
        "behaviour_values": {value: behaviour for value in BERAKHLAK_VALUES},
        "predikat": predikat,
        "finalized_at": datetime(year + 1, 1, 20, 2, 15, tzinfo=UTC).isoformat(),
        "unit_rating": "ISTIMEWA",
    }
    return event(FINALIZED, data, occurred_at=occurred_at)


def complaint(
    nip: str,
    *,
    tracking_number: str = "LPR-2024-000123",
    substantiated_on: str = "2024-06-02",
    incident_date: str | None = "2024-05-18",
    unit: str = "BKD",
    occurred_at: datetime | None = None,
) -> Event:
    """`feedback.complaint.substantiated` about `nip`."""
    data = {
        "tracking_number": tracking_number,
        "nip": nip,
        "unit": unit,
        "substantiated_on": substantiated_on,
        "incident_date": incident_date,
        "category": "Pungutan di luar ketentuan",
    }
    return event(SUBSTANTIATED, data, occurred_at=occurred_at)


def sanction(
    nip: str,
    *,
    sanction_id: str = "HD-2024-0042",
    level: str = "SEDANG",
    effective_from: str = "2024-07-01",
    effective_until: str | None = "2024-12-31",
    occurred_at: datetime | None = None,
) -> Event:
    """`recruitment.employee.sanctioned` for `nip`."""
    data = {
        "sanction_id": sanction_id,
        "nip": nip,
        "level": level,
        "kind": "Pemotongan tunjangan kinerja 25% selama 6 bulan",
        "decided_on": effective_from,
        "effective_from": effective_from,
        "effective_until": effective_until,
        "regulation": "PP 94/2021",
    }
    return event(SANCTIONED, data, occurred_at=occurred_at)


def completed(
    nip: str,
    jp_year_total: float,
    *,
    year: int = 2024,
    jp: float = 8,
    enrolment_id: str | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """`training.course.completed` for `nip`, leaving `jp_year_total` JP in `year`."""
    data = {
        "enrolment_id": enrolment_id or f"ENR-{year}-{uuid.uuid4().hex[:8]}",
        "nip": nip,
        "course_id": "CRS-SKP",
        "course_title": "Penyusunan SKP dan Manajemen Kinerja",
        "competency_type": "MANAJERIAL",
        "jp": jp,
        "completed_on": f"{year}-05-16",
        "year": year,
        "jp_year_total": jp_year_total,
    }
    return event(COMPLETED, data, occurred_at=occurred_at)


def determined(service) -> list[dict[str, Any]]:
    """The `awards.eligibility.determined` envelopes in the outbox, oldest first, validated."""
    events = [e for e in service.outbox_events() if e["type"] == DETERMINED]
    for envelope in events:
        validate_event(envelope)
    return events


def codes(reasons: list[dict[str, str]]) -> list[str]:
    """The codes of a list of reasons, in order."""
    return [reason["code"] for reason in reasons]
