"""Issue 11 end to end through the gateway: Sofifi Berprestasi from programme to public list.

Every process runs for real. Eligibility comes from a real appraisal finalization; the
supervisor, the committee members and BKD sign in with their own gateway accounts (committee
members with a unit, so that the system finds their conflicts). `awards.award.granted` is
observed on the broker with pika, not with the platform's own bus.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pika
import pytest

from contracts import validate_event

from .conftest import Platform, wait_until
from .test_appraisal_flow import PASSWORD, YEAR, Flow, person

pytestmark = [pytest.mark.e2e, pytest.mark.broker, pytest.mark.slow]

WIT = timezone(timedelta(hours=9))


def member(flow: Flow, username: str, unit: str) -> str:
    """A committee member's gateway account with a unit in their token; returns the token."""
    args = ["user", "create", "--username", username, "--password", PASSWORD]
    created = flow.platform.sofifi(*args, "--role", "committee", "--unit", unit)
    assert created.returncode == 0, created.stderr
    status, body, _ = flow.platform.call(
        "POST", f"{flow.base}/auth/token", {"username": username, "password": PASSWORD}
    )
    assert status == 200, body
    return body["access_token"]


def listen(amqp_url: str, routing_key: str):
    """A queue of our own bound to `routing_key` on the platform's exchange."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
    channel.queue_bind(queue, "asn.events", routing_key)
    return connection, channel, queue


def test_programme_to_public_list(platform: Platform):
    flow = Flow(platform)
    admin = flow.user("bkd-awards-e2e", "admin")

    # A unit appraised for real: one SANGAT_BAIK (eligible), one BAIK, one KURANG.
    head = person(41, "SETDA", None)
    sup = person(42, "SETDA", head["nip"], "F")
    staff = [person(50 + i, "DISHUB", sup["nip"]) for i in range(3)]
    for record in (head, sup, *staff):
        status, body, _ = flow.call("POST", "/recruitment/employees", admin, record)
        assert status == 201, body
    wait_until(
        lambda: flow.call("GET", f"/appraisal/employees/{staff[-1]['nip']}", admin)[0] == 200,
        timeout=20,
        message="the roster in the appraisal service",
    )
    sup_token = flow.user("kabid-dishub", "supervisor", "employee", nip=sup["nip"])
    status, body, _ = flow.call(
        "POST", "/appraisal/periods", admin, {"year": YEAR, "kind": "ANNUAL"}
    )
    assert status == 201, body
    status, body, _ = flow.call(
        "PUT", f"/appraisal/units/DISHUB/{YEAR}/rating", admin, {"rating": "BAIK"}
    )
    assert status == 200, body
    star, steady, weak = (e["nip"] for e in staff)
    for nip, predikat, value in (
        (star, "SANGAT_BAIK", None),
        (steady, "BAIK", None),
        (weak, "KURANG", "kompeten"),
    ):
        flow.agreed_skp(nip, sup_token)
        status, body, _ = flow.rate(nip, sup_token, predikat, value)
        assert status == 200, body
    status, body, _ = flow.call("POST", f"/appraisal/units/DISHUB/{YEAR}/finalize", admin)
    assert status == 200, body
    wait_until(
        lambda: flow.call("GET", f"/awards/eligibility/{YEAR}/{steady}", admin)[0] == 200,
        timeout=20,
        message="eligibility decided in awards",
    )

    # BKD publishes the programme: every window is today in Sofifi.
    today = datetime.now(WIT).date().isoformat()
    programme = {
        "year": YEAR,
        "title": f"Sofifi Berprestasi {YEAR}",
        "total_budget": 15_000_000,
        "min_scorers": 2,
        **dict.fromkeys(
            [
                "nominations_open",
                "nominations_close",
                "scoring_open",
                "scoring_close",
                "decision_on",
                "announcement_on",
            ],
            today,
        ),
        "categories": [
            {
                "code": "ASN_TELADAN",
                "name": "ASN Teladan",
                "quota": 1,
                "incentive_amount": 15_000_000,
            }
        ],
        "criteria": [
            {"code": "KINERJA", "name": "Kinerja", "weight": 60},
            {"code": "INTEGRITAS", "name": "Integritas", "weight": 40},
        ],
    }
    status, body, _ = flow.call("POST", "/awards/programmes", admin, programme)
    assert status == 201, body
    pid = body["id"]

    # The supervisor nominates: the BAIK employee is refused, the SANGAT_BAIK one taken.
    def nominate(nip):
        body = {"category": "ASN_TELADAN", "nip": nip, "statement": "Layanan uji KIR daring."}
        return flow.call("POST", f"/awards/programmes/{pid}/nominations", sup_token, body)

    status, body, _ = nominate(steady)
    assert status == 422 and "nip" in body["errors"]["json"], body
    status, nomination, _ = nominate(star)
    assert status == 201, nomination
    nid = nomination["id"]

    # The committee: one member from the nominee's unit must recuse, two others score.
    same_unit = member(flow, "panitia-dishub", "DISHUB")
    first = member(flow, "panitia-inspektorat", "INSPEKTORAT")
    second = member(flow, "panitia-bappeda", "BAPPEDA")
    sheet = {"scores": {"KINERJA": 90, "INTEGRITAS": 80}}
    status, body, _ = flow.call("POST", f"/awards/nominations/{nid}/scores", same_unit, sheet)
    assert status == 403 and "SAME_UNIT" in body["message"], body
    status, body, _ = flow.call("POST", f"/awards/nominations/{nid}/scores", first, sheet)
    assert status == 201, body
    status, body, _ = flow.call("GET", f"/awards/nominations/{nid}/scores", second)
    assert status == 403, body  # hidden until this member has submitted
    status, body, _ = flow.call(
        "POST",
        f"/awards/nominations/{nid}/scores",
        second,
        {"scores": {"KINERJA": 80, "INTEGRITAS": 90}},
    )
    assert status == 201, body
    assert body["aggregate"]["score"] == 85.0  # (0.6*90 + 0.4*80 + 0.6*80 + 0.4*90) / 2
    assert body["aggregate"]["spread"] == {"min": 84.0, "max": 86.0, "stdev": 1.0}

    # The decision, within quota and budget, publishes awards.award.granted.
    connection, channel, queue = listen(platform.env["AMQP_URL"], "awards.award.granted")
    try:
        status, decision, _ = flow.call(
            "POST", f"/awards/programmes/{pid}/decision", admin, {"awards": [nid]}
        )
        assert status == 201, decision
        assert decision["total_amount"] == 15_000_000

        def granted():
            method, _properties, payload = channel.basic_get(queue, auto_ack=True)
            return json.loads(payload) if method else None

        envelope = wait_until(granted, timeout=15, message="awards.award.granted on the broker")
    finally:
        connection.close()
    validate_event(envelope)
    assert envelope["version"] == 2
    assert envelope["data"] | {"grant_id": None, "granted_on": None} == {
        "grant_id": None,
        "nip": star,
        "programme": "SOFIFI_BERPRESTASI",
        "programme_id": pid,
        "year": YEAR,
        "category": "ASN_TELADAN",
        "class": None,
        "granted_on": None,
        "incentive_amount": 15_000_000,
    }
    status, body, _ = flow.call(
        "POST", f"/awards/programmes/{pid}/decision", admin, {"awards": [nid]}
    )
    assert status == 409, body

    # The public list, without a token: name, unit, position and the aggregate only.
    status, public, _ = platform.call("GET", f"{flow.base}/awards/public/sofifi-berprestasi/{YEAR}")
    assert status == 200, public
    [awardee] = public["categories"][0]["awardees"]
    assert (awardee["name"], awardee["unit"], awardee["score"]) == (
        staff[0]["name"],
        "DISHUB",
        85.0,
    )
    assert [c["weight"] for c in public["criteria"]] == [60, 40]
    assert star not in json.dumps(public)
