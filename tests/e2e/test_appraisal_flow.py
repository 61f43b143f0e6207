"""Issue 4 end to end through the gateway: appraisal, unit finalization, and what follows it.

Every process runs for real (`sofifi run` on a fresh vhost of the real broker). The roster is
made through recruitment's API; admins and supervisors sign in with their own gateway accounts
(`sofifi user create --nip`); the staff agree their SKP with tokens signed by the platform's key.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pika
import pytest

from chassis.accounts import ACCOUNTS_FILE
from contracts import validate_event
from contracts.appraisal import BERAKHLAK_VALUES
from contracts.identifiers import make_nip

from .conftest import Platform, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.broker, pytest.mark.slow]

YEAR = 2024
PASSWORD = "correct horse battery staple"
RATINGS = {
    "SANGAT_BAIK": ("DI_ATAS", "DI_ATAS"),
    "BAIK": ("SESUAI", "SESUAI"),
    "BUTUH_PERBAIKAN": ("DI_BAWAH", "SESUAI"),
    "KURANG": ("SESUAI", "DI_BAWAH"),
}


def person(sequence: int, unit: str, supervisor: str | None, gender: str = "M") -> dict:
    birth = date(1975 + sequence % 10, 1 + sequence % 12, 10)
    nip = make_nip(birth, 2008, 3, gender, sequence)
    return {
        "nip": nip,
        "name": f"Pegawai {sequence}",
        "gender": gender,
        "birth_date": birth.isoformat(),
        "tmt_cpns": "2008-03-01",
        "status": "PNS",
        "unit": unit,
        "position": "Analis",
        "supervisor_nip": supervisor,
        "appointed_on": "2009-03-01",
    }


class Flow:
    """Calls through the gateway with the tokens of the people involved."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.base = f"{platform.gateway}/api/v1"

    def call(self, method: str, path: str, token: str | dict, body: object = None):
        headers = token if isinstance(token, dict) else {"Authorization": f"Bearer {token}"}
        return self.platform.call(method, f"{self.base}{path}", body, headers)

    def user(self, username: str, *roles: str, nip: str | None = None) -> str:
        args = ["user", "create", "--username", username, "--password", PASSWORD]
        for role in roles:
            args += ["--role", role]
        if nip:
            args += ["--nip", nip]
        created = self.platform.sofifi(*args)
        assert created.returncode == 0, created.stderr
        status, body, _ = self.platform.call(
            "POST", f"{self.base}/auth/token", {"username": username, "password": PASSWORD}
        )
        assert status == 200, body
        return body["access_token"]

    def staff_token(self, nip: str) -> dict:
        return self.platform.keys.headers("employee", subject=nip, nip=nip)

    def agreed_skp(self, nip: str, supervisor_token: str) -> None:
        body = {
            "nip": nip,
            "year": YEAR,
            "period": "ANNUAL",
            "items": [{"result": "Layanan", "indicator": "Waktu", "target": "5 hari"}],
        }
        status, plan, _ = self.call("POST", "/appraisal/skp", self.staff_token(nip), body)
        assert status == 201, plan
        for token in (self.staff_token(nip), supervisor_token):
            status, agreed, _ = self.call("POST", f"/appraisal/skp/{plan['id']}/agree", token)
            assert status == 200, agreed
        assert agreed["status"] == "AGREED"

    def rate(self, nip: str, token: str, predikat: str, weak_value: str | None = None):
        results, behaviour = RATINGS[predikat]
        values = dict.fromkeys(BERAKHLAK_VALUES, behaviour)
        if weak_value:
            values[weak_value] = "DI_BAWAH"
        body = {
            "results_rating": results,
            "behaviour_rating": behaviour,
            "behaviour_values": values,
            "results_comment": "Sesuai SKP.",
        }
        return self.call("PUT", f"/appraisal/appraisals/{nip}/{YEAR}/ANNUAL", token, body)


def publish_complaint(amqp_url: str, nip: str, unit: str) -> None:
    """A contract-valid `feedback.complaint.substantiated`, published with pika (not our bus)."""
    envelope = {
        "event_id": str(uuid.uuid4()),
        "type": "feedback.complaint.substantiated",
        "version": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "source": "feedback",
        "correlation_id": uuid.uuid4().hex,
        "data": {
            "tracking_number": "LPR-2024-000777",
            "nip": nip,
            "unit": unit,
            "substantiated_on": "2024-11-20",
            "incident_date": "2024-06-10",
        },
    }
    validate_event(envelope)
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.basic_publish(
            "asn.events",
            envelope["type"],
            json.dumps(envelope).encode(),
            pika.BasicProperties(
                content_type="application/json",
                delivery_mode=2,
                message_id=envelope["event_id"],
                type=envelope["type"],
                headers={"correlation_id": envelope["correlation_id"]},
                user_id=pika.URLParameters(amqp_url).credentials.username,
            ),
        )
    finally:
        connection.close()


def test_appraisal_to_awards_and_training(platform: Platform):
    flow = Flow(platform)
    admin = flow.user("bkd-admin-e2e", "admin")

    # The roster, through recruitment: a head, two supervisors, a valid and a violating unit.
    head = person(1, "SETDA", None)
    sup_a = person(2, "SETDA", head["nip"], "F")
    sup_b = person(3, "SETDA", head["nip"])
    good = [person(10 + i, "DPMPTSP", sup_a["nip"]) for i in range(3)]
    bad = [person(20 + i, "BAPPEDA", sup_b["nip"]) for i in range(2)]
    for record in (head, sup_a, sup_b, *good, *bad):
        status, body, _ = flow.call("POST", "/recruitment/employees", admin, record)
        assert status == 201, body
    last = bad[-1]["nip"]
    wait_until(
        lambda: flow.call("GET", f"/appraisal/employees/{last}", admin)[0] == 200,
        timeout=20,
        message="the roster in the appraisal service",
    )
    token_a = flow.user("kabid-a", "supervisor", "employee", nip=sup_a["nip"])
    token_b = flow.user("kabid-b", "supervisor", "employee", nip=sup_b["nip"])

    # Admin opens the year and sets the unit ratings.
    status, body, _ = flow.call(
        "POST", "/appraisal/periods", admin, {"year": YEAR, "kind": "ANNUAL"}
    )
    assert status == 201, body
    for unit, rating in (("DPMPTSP", "BAIK"), ("BAPPEDA", "BUTUH_PERBAIKAN")):
        status, body, _ = flow.call(
            "PUT", f"/appraisal/units/{unit}/{YEAR}/rating", admin, {"rating": rating}
        )
        assert status == 200, body

    # Supervisors rate their own subordinates; someone else's subordinate is refused.
    for nip in [e["nip"] for e in good]:
        flow.agreed_skp(nip, token_a)
    for nip in [e["nip"] for e in bad]:
        flow.agreed_skp(nip, token_b)
    status, body, _ = flow.rate(good[0]["nip"], token_b, "BAIK")
    assert status == 403, body
    star, steady, weak = (e["nip"] for e in good)
    for nip, predikat, value in (
        (star, "SANGAT_BAIK", None),
        (steady, "BAIK", None),
        (weak, "KURANG", "kompeten"),
    ):
        status, body, _ = flow.rate(nip, token_a, predikat, value)
        assert status == 200, body
        assert body["predikat"] == predikat
    for employee in bad:
        assert flow.rate(employee["nip"], token_b, "BAIK")[0] == 200

    # The violating unit is refused with its rule; the valid unit is finalized.
    status, body, _ = flow.call("POST", f"/appraisal/units/BAPPEDA/{YEAR}/finalize", admin)
    assert status == 409, body
    codes = [blocker["code"] for blocker in body["errors"]["blockers"]]
    assert codes == ["BUTUH_PERBAIKAN.BUTUH_PERBAIKAN_MIN_60"]
    status, body, _ = flow.call("GET", f"/appraisal/units/BAPPEDA/{YEAR}/calibration", token_b)
    assert status == 200 and body["broken_rules"][0]["actual"] == 0
    status, body, _ = flow.call("POST", f"/appraisal/units/DPMPTSP/{YEAR}/finalize", admin)
    assert status == 200, body
    finalized = {a["nip"]: a["status"] for a in body["appraisals"]}
    assert finalized == dict.fromkeys([e["nip"] for e in good], "FINALIZED")

    # Within seconds: award eligibility and training needs, through the gateway.
    def eligibility():
        status, body, _ = flow.call("GET", f"/awards/eligibility/{YEAR}/{star}", admin)
        return body if status == 200 else None

    decided = wait_until(eligibility, timeout=15, message="award eligibility of the star")
    assert (decided["nip"], decided["year"], decided["eligible"]) == (star, YEAR, True)

    def needs_of_weak():
        status, body, _ = flow.call("GET", f"/training/needs?nip={weak}", admin)
        items = body if isinstance(body, list) else (body or {}).get("items", [])
        kinds = {need["kind"] for need in items} if status == 200 else set()
        return kinds if {"DEVELOPMENT", "COMPETENCY"} <= kinds else None

    wait_until(needs_of_weak, timeout=15, message="training needs of the weak performer")
    status, body, _ = flow.call("GET", f"/awards/eligibility/{YEAR}/{weak}", admin)
    assert status == 200 and body["eligible"] is False

    # A substantiated complaint published afterwards revokes the star's eligibility.
    # As the feedback service's own broker user (`sofifi run` made one per service): the awards
    # consumer takes feedback.* only from it.
    feedback_url = json.loads((Path(platform.env["SOFIFI_VAR_DIR"]) / ACCOUNTS_FILE).read_text())
    publish_complaint(feedback_url["feedback"], star, "DPMPTSP")

    def revoked():
        status, body, _ = flow.call("GET", f"/awards/eligibility/{YEAR}/{star}", admin)
        return body if status == 200 and body["eligible"] is False else None

    after = wait_until(revoked, timeout=15, message="eligibility revoked by the complaint")
    assert after["reasons"], after
