"""The poller-side request reader: when a request is whole, and each phase's deadline."""

from __future__ import annotations

from chassis.request_reader import Incoming, Limits

LIMITS = Limits(
    header_timeout=10, body_timeout=30, body_min_rate=1000, keepalive=5, body_buffer=1000
)
HEAD = b"POST /x HTTP/1.1\r\nHost: a\r\n"


def test_a_request_is_ready_only_once_its_head_and_body_are_in():
    incoming = Incoming(LIMITS, 0.0)
    incoming.feed(HEAD + b"Content-Length: 5\r\n", 1.0)
    assert not incoming.ready
    incoming.feed(b"\r\nhel", 2.0)
    assert not incoming.ready
    incoming.feed(b"lo", 3.0)
    assert incoming.ready and incoming.complete


def test_a_get_without_body_is_ready_at_the_end_of_its_head():
    incoming = Incoming(LIMITS, 0.0, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert incoming.ready and incoming.complete


def test_a_chunked_body_is_whole_after_its_last_chunk_and_trailers():
    incoming = Incoming(LIMITS, 0.0, HEAD + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
    assert not incoming.ready
    incoming.feed(b"0\r\nX-Trailer: 1\r\n", 1.0)
    assert not incoming.ready
    incoming.feed(b"\r\n", 2.0)
    assert incoming.complete


def test_malformed_framing_goes_to_gunicorn_at_once_without_being_complete():
    for head in (
        HEAD + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        HEAD + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
        HEAD + b"Content-Length: -1\r\n\r\n",
        HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
    ):
        incoming = Incoming(LIMITS, 0.0, head)
        assert incoming.ready and not incoming.complete, head


def test_a_body_over_the_buffer_goes_to_a_thread_after_its_head():
    incoming = Incoming(LIMITS, 0.0, HEAD + b"Content-Length: 5000\r\n\r\n")
    assert incoming.ready and not incoming.complete


def test_deadlines_idle_head_and_body_with_its_minimum_rate():
    incoming = Incoming(LIMITS, 100.0, idle=5)
    assert incoming.deadline() == 105.0 and not incoming.started
    incoming.feed(HEAD, 101.0)
    assert incoming.deadline() == 111.0 and incoming.started
    incoming.feed(b"Content-Length: 900\r\n\r\n", 102.0)
    assert incoming.deadline() == 132.0  # the body timeout
    incoming.feed(b"x" * 800, 120.0)
    assert incoming.deadline() == 132.0  # 800 bytes at 1000/s earn 0.8 s: still the timeout
    incoming.received = 40_000  # a thread read more (a big body): 40.8 s at the minimum rate
    assert incoming.deadline() == 102.0 + 40.8


def test_expect_continue_is_answered_once_while_the_body_is_awaited():
    incoming = Incoming(LIMITS, 0.0, HEAD + b"Expect: 100-continue\r\nContent-Length: 3\r\n\r\n")
    assert incoming.want_continue()
    assert not incoming.want_continue()
    incoming.feed(b"abc", 1.0)
    assert incoming.complete
