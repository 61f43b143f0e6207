"""AMQP_URL may list the nodes of a cluster (kombu failover, `;`-separated): every part of the
chassis that connects (topology, relay, consumer, broker check) goes to the first that answers.

The first node named here refuses connections (nothing listens on its port); the real broker is
second, or third. The 3-node cluster itself, with a node stopped mid-stream: bench/chaos.py
(`make cluster`).
"""

from __future__ import annotations

import socket

import pytest

from chassis.bus import broker_reachable, connect, failover_retries, safe_url
from tests.integration.support import Ledger, Workers
from tests.integration.test_restart import Writer, assert_exactly_once

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


def dead_node(amqp_url: str) -> str:
    """The URL of a node that refuses connections: a loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    vhost = amqp_url.rsplit("/", 1)[1]
    return f"amqp://guest:guest@127.0.0.1:{port}/{vhost}"


@pytest.mark.parametrize("dead_before", [1, 2], ids=["one-dead-node", "two-dead-nodes"])
def test_relay_and_consumer_fail_over_to_a_live_node(
    ledger: Ledger, workers: Workers, amqp_url: str, dead_before: int
):
    url = ";".join([*(dead_node(amqp_url) for _ in range(dead_before)), amqp_url])
    workers.amqp_url = url
    assert broker_reachable(url)
    workers.start(ledger)
    writer = Writer(ledger, total=300)
    writer.start()
    assert_exactly_once(ledger, writer.finish())
    workers.assert_alive()


def test_failover_retries_reach_every_node_and_logs_mask_every_password():
    url = "amqp://u:secret1@127.0.0.1:1//;amqp://u:secret2@127.0.0.1:2//;amqp://u:s3@h:3//"
    assert failover_retries(connect(url)) == 2
    assert failover_retries(connect("amqp://u:p@127.0.0.1:1//")) == 1
    masked = safe_url(url)
    assert "secret1" not in masked and "secret2" not in masked and "s3" not in masked
    assert masked.count(";") == 2
