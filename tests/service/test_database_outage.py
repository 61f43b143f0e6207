"""A database that drops or refuses connections: 503 in the one shape, then recovery."""

from __future__ import annotations

import pytest

import chassis.db

pytestmark = pytest.mark.postgres


def test_a_lost_database_is_a_503_and_the_service_recovers(
    make_service, postgres, postgres_url, keys, employee_events, monkeypatch
):
    # No idle ping before reuse: the pooled connection the database dropped is used as it is.
    monkeypatch.setattr(chassis.db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    service = make_service("appraisal", postgres_url)
    client = service.app.test_client()
    path = f"/employees/{employee_events.nip()}"
    headers = keys.headers("admin")
    assert client.get(path, headers=headers).status_code == 404  # a pooled connection now

    with postgres.unavailable(postgres_url):
        dropped = client.get(path, headers=headers)  # the pooled connection was terminated
        refused = client.get(path, headers=headers)  # a new one is refused
    for answer in (dropped, refused):
        assert answer.status_code == 503, answer.get_json()
        assert answer.headers["Retry-After"] == "1"
        assert answer.get_json()["message"] == "The database is not reachable; try again."
    assert client.get(path, headers=headers).status_code == 404  # back, on a new connection
