"""Drives the training service's catalogue, enrolment and ledger through its HTTP API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts import validate_event
from tests.service.training_support import APPRAISER, appraisal_data, finalized


@dataclass
class Training:
    """The training service under test with an admin's headers and builders of its records."""

    service: Any
    keys: Any
    employee_events: Any

    @property
    def admin(self) -> dict[str, str]:
        return self.keys.headers("admin", subject="bkd")

    def supervisor(self, nip: str = APPRAISER) -> dict[str, str]:
        return self.keys.headers("supervisor", subject="atasan", nip=nip)

    def employee(self, nip: str) -> dict[str, str]:
        return self.keys.headers("employee", subject=f"pegawai-{nip}", nip=nip)

    def call(self, method: str, path: str, body: Any = None, headers: Any = None, **query):
        return self.service.client.open(
            path,
            method=method,
            json=body,
            query_string=query or None,
            headers=self.admin if headers is None else headers,
        )

    def ok(self, method: str, path: str, body: Any = None, status: int = 200, **kw) -> Any:
        response = self.call(method, path, body, **kw)
        assert response.status_code == status, (response.status_code, response.json)
        return response.json

    # -- records ---------------------------------------------------------------------------

    def appoint(self, sequence: int, *, status: str = "PNS", unit: str = "BKD", **kw) -> str:
        """An employee on training's roster projection (through the real consumer)."""
        nip = self.employee_events.nip(sequence, **kw)
        record = self.employee_events.record(nip, status=status, unit=unit)
        if status == "CPNS":
            record["supervisor_nip"] = APPRAISER
        assert self.service.deliver(self.employee_events.appointed(record)) == ["ack"]
        return nip

    def needs_from_appraisal(self, nip: str, *, below=("kolaboratif",), **kw) -> list[dict]:
        """The needs a finalized annual appraisal of 2024 makes (plan year 2025)."""
        data = appraisal_data(nip, appraisal_id=f"APR-2024-{nip[-6:]}", below=below, **kw)
        assert self.service.deliver(finalized(data)) == ["ack"]
        return self.ok("GET", "/needs", nip=nip)

    def provider(self, name: str = "BPSDM Maluku Utara", kind: str = "BPSDM") -> str:
        return self.ok("POST", "/providers", {"name": name, "kind": kind}, 201)["provider_id"]

    def course(self, provider_id: str, competency: str = "Kerja sama", **kw) -> str:
        body = {
            "title": f"Pelatihan {competency}",
            "competency_type": "MANAJERIAL",
            "competency": competency,
            "mode": "CLASSICAL",
            "jp": 24,
            "cost_per_participant": 2_500_000,
            "provider_id": provider_id,
            **kw,
        }
        return self.ok("POST", "/courses", body, 201)["course_id"]

    def session(
        self, course_id: str, starts: date, ends: date, capacity: int = 2, **kw
    ) -> dict[str, Any]:
        body = {
            "course_id": course_id,
            "starts_on": starts.isoformat(),
            "ends_on": ends.isoformat(),
            "place": "Sofifi",
            "capacity": capacity,
            **kw,
        }
        return self.ok("POST", "/sessions", body, 201)

    def nominate(self, session_id: str, nip: str, status: int = 201, **kw) -> Any:
        response = self.call("POST", "/enrolments", {"session_id": session_id, "nip": nip, **kw})
        assert response.status_code == status, response.json
        return response.json

    def complete(self, enrolment_id: str, **kw) -> dict[str, Any]:
        body = {"attended": True, "passed": True, "certificate_number": "SERT-001", **kw}
        return self.ok("POST", f"/enrolments/{enrolment_id}/completion", body)

    def completions(self) -> list[dict[str, Any]]:
        events = [
            e for e in self.service.outbox_events() if e["type"] == "training.course.completed"
        ]
        for event in events:
            validate_event(event)
        return events
