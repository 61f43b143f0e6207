"""Drives the feedback service through its HTTP API with a settable clock, for its tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chassis.testing.plugin import Keys
from contracts import validate_event
from tests.service.conftest import EmployeeEvents, ServiceUnderTest

UNIT = "DPMPTSP"
OTHER_UNIT = "DINKES"


class Clock:
    """The service's clock, moved by the test."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class Feedback:
    """The feedback service under test, the clock it reads, and tokens for its staff."""

    def __init__(self, service: ServiceUnderTest, keys: Keys, clock: Clock) -> None:
        self.service = service
        self.client = service.client
        self.keys = keys
        self.clock = clock
        service.app.config["FEEDBACK_CLOCK"] = clock
        self.admin = keys.headers("admin", subject="verifikator")
        self.officer = keys.headers("officer", subject="petugas-dpmptsp", unit=UNIT)
        self.other_officer = keys.headers("officer", subject="petugas-dinkes", unit=OTHER_UNIT)

    def staff(self, employee_events: EmployeeEvents, *people: tuple[int, str, str]) -> list[str]:
        """Employees appointed through events: (sequence, name, unit) each; returns NIPs."""
        nips, events = [], []
        for sequence, name, unit in people:
            nip = employee_events.nip(sequence)
            record = employee_events.record(nip, name=name, unit=unit, position="Analis Perizinan")
            events.append(employee_events.appointed(record))
            nips.append(nip)
        self.service.apply(*events)
        return nips

    def report(self, **overrides: Any) -> dict[str, Any]:
        """A valid public submission body."""
        body = {
            "kind": "COMPLAINT",
            "subject": "UNIT",
            "unit": UNIT,
            "category": "Perizinan",
            "title": "Izin usaha tidak kunjung terbit",
            "body": "Sudah tiga minggu menunggu izin usaha mikro tanpa kabar.",
            "privacy": "PUBLIC",
            "name": "Nurlaila",
            "email": "nurlaila@example.org",
        }
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not None}

    def submit(self, **overrides: Any) -> dict[str, Any]:
        """Submit a report; returns the 201 answer (tracking number and secret)."""
        response = self.client.post("/public/reports", json=self.report(**overrides))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def track(self, submitted: dict[str, Any], secret: str | None = None):
        return self.client.post(
            "/public/track",
            json={
                "tracking_number": submitted["tracking_number"],
                "secret": secret or submitted["secret"],
            },
        )

    def move(self, number: str, action: str, headers=None, **body: Any):
        """A staff transition; returns the response."""
        return self.client.post(
            f"/reports/{number}/{action}", json=body, headers=headers or self.admin
        )

    def moved(self, number: str, action: str, headers=None, **body: Any) -> dict[str, Any]:
        response = self.move(number, action, headers, **body)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def events(self, event_type: str) -> list[dict[str, Any]]:
        """The validated envelopes of `event_type` in the outbox."""
        found = [e for e in self.service.outbox_events() if e["type"] == event_type]
        for envelope in found:
            validate_event(envelope)
        return found


def wit(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """A moment in WIT (UTC+9) as an aware UTC datetime."""
    return datetime(year, month, day, hour, tzinfo=UTC) - timedelta(hours=9)
