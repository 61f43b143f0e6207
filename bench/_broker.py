"""The raw broker rate: plain py-amqp (kombu's transport), no chassis, no database."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import unquote, urlsplit

import amqp


def raw_broker(amqp_url: str, body: bytes, count: int, batch: int = 500) -> dict[str, Any]:
    """Plain py-amqp: publish `count` persistent messages with batched confirms, consume them."""
    parts = urlsplit(amqp_url)
    connection = amqp.Connection(
        host=f"{parts.hostname}:{parts.port or 5672}",
        userid=parts.username or "guest",
        password=parts.password or "guest",
        virtual_host=unquote(parts.path[1:]) or "/",
    )
    connection.connect()
    channel = connection.channel()
    channel.queue_declare("bench.raw", durable=True, auto_delete=False,
                          arguments={"x-queue-type": "quorum"})  # fmt: skip
    confirmed = [0]
    channel.confirm_select()
    channel.events["basic_ack"].add(lambda tag, multiple: confirmed.__setitem__(0, tag))
    started = time.perf_counter()
    for sent in range(batch, count + batch, batch):
        for _ in range(batch):
            message = amqp.Message(body, delivery_mode=2, content_type="application/json")
            channel.basic_publish(message, exchange="", routing_key="bench.raw")
        while confirmed[0] < sent:
            connection.drain_events(timeout=10)
    published = time.perf_counter() - started

    received = [0]

    def on_message(message) -> None:
        received[0] += 1
        if received[0] % 250 == 0 or received[0] == count:
            channel.basic_ack(message.delivery_tag, multiple=True)

    channel.basic_qos(0, 1000, False)
    channel.basic_consume("bench.raw", callback=on_message)
    started = time.perf_counter()
    while received[0] < count:
        connection.drain_events(timeout=10)
    consumed = time.perf_counter() - started
    connection.close()
    return {
        "client": f"py-amqp {amqp.__version__}, quorum queue, persistent, {len(body)} B bodies",
        "messages": count,
        "publish_per_s": round(count / published),
        "publish_confirm_batch": batch,
        "consume_per_s": round(count / consumed),
    }
