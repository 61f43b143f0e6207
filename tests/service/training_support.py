"""Builders of contract-valid events for the training service's tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from chassis.bus import Event
from contracts import validate_event
from contracts.appraisal import BERAKHLAK_VALUES
from contracts.identifiers import make_nip

FINALIZED = "appraisal.appraisal.finalized"
APPRAISER = make_nip(datetime(1978, 6, 15).date(), 2003, 12, "F", 2)

# PermenPAN-RB 6/2022: rows = results, columns = behaviour DI_BAWAH / SESUAI / DI_ATAS.
PREDIKAT = {
    ("DI_ATAS", "DI_BAWAH"): "KURANG",
    ("DI_ATAS", "SESUAI"): "BAIK",
    ("DI_ATAS", "DI_ATAS"): "SANGAT_BAIK",
    ("SESUAI", "DI_BAWAH"): "KURANG",
    ("SESUAI", "SESUAI"): "BAIK",
    ("SESUAI", "DI_ATAS"): "BAIK",
    ("DI_BAWAH", "DI_BAWAH"): "SANGAT_KURANG",
    ("DI_BAWAH", "SESUAI"): "BUTUH_PERBAIKAN",
    ("DI_BAWAH", "DI_ATAS"): "BUTUH_PERBAIKAN",
}


def appraisal_data(
    nip: str,
    *,
    appraisal_id: str = "APR-2024-000001",
    unit: str = "BKD",
    year: int = 2024,
    period: str = "ANNUAL",
    results: str = "SESUAI",
    behaviour: str = "SESUAI",
    below: tuple[str, ...] = (),
    appraiser_nip: str = APPRAISER,
) -> dict[str, Any]:
    """The data of a finalized appraisal: `below` names the BerAKHLAK values rated DI_BAWAH."""
    values = {value: "DI_BAWAH" if value in below else "SESUAI" for value in BERAKHLAK_VALUES}
    return {
        "appraisal_id": appraisal_id,
        "nip": nip,
        "unit": unit,
        "appraiser_nip": appraiser_nip,
        "year": year,
        "period": period,
        "results_rating": results,
        "behaviour_rating": behaviour,
        "behaviour_values": values,
        "predikat": PREDIKAT[(results, behaviour)],
        "finalized_at": datetime(year + 1, 1, 20, 2, 15, tzinfo=UTC).isoformat(),
        "unit_rating": "BAIK",
    }


def finalized(data: dict[str, Any], *, occurred_at: datetime | None = None) -> Event:
    """An `appraisal.appraisal.finalized` event carrying `data` (a new event id each time)."""
    event = Event(
        type=FINALIZED,
        data=data,
        source="appraisal",
        correlation_id=uuid.uuid4().hex,
        occurred_at=(occurred_at or datetime.now(UTC)).isoformat(timespec="microseconds"),
    )
    validate_event(event.to_dict())  # the test's own input must keep to the contract
    return event


def need_events(service) -> list[dict[str, Any]]:
    """The `training.need.identified` envelopes in the service's outbox, each validated."""
    events = [e for e in service.outbox_events() if e["type"] == "training.need.identified"]
    for event in events:
        validate_event(event)
    return events


def course_completed(
    nip: str,
    *,
    latsar: bool = True,
    version: int = 2,
    completed_on: str = "2025-10-31",
    enrolment_id: str = "ENR-2025-LATSAR01",
) -> Event:
    """A `training.course.completed` event (v2 says whether the course was Latsar)."""
    data: dict[str, Any] = {
        "enrolment_id": enrolment_id,
        "nip": nip,
        "course_id": "CRS-LATSAR",
        "course_title": "Pelatihan Dasar CPNS" if latsar else "Kerja sama",
        "competency_type": "SOSIAL_KULTURAL",
        "jp": 120,
        "completed_on": completed_on,
        "year": int(completed_on[:4]),
        "jp_year_total": 120,
    }
    if version >= 2:
        data.update(
            competency="Pelatihan Dasar CPNS (Latsar)" if latsar else "Kerja sama",
            source="COURSE",
            latsar=latsar,
        )
    event = Event(
        type="training.course.completed",
        version=version,
        data=data,
        source="training",
        correlation_id=uuid.uuid4().hex,
        occurred_at=datetime.now(UTC).isoformat(timespec="microseconds"),
    )
    validate_event(event.to_dict())
    return event
