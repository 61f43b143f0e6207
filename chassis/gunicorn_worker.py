"""The gunicorn worker of every web process: gthread, with its own error pages in the one shape.

gunicorn answers some requests itself, before any app sees them (a bad request line, a URL or
headers over its limits, a broken chunked body): with an HTML page by default. It has no setting
for that page; its workers write it through `gunicorn.util.write_error`, called only from
`Worker.handle_error`. This worker replaces that one function in its own process when it starts
(never at import), so those answers come out as the platform's JSON error document.
"""

from __future__ import annotations

import json

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from chassis.errors import error_body


def write_json_error(sock, status_int: int, reason: str, message: str) -> None:
    """gunicorn's error answer, as the common JSON error document (and `Connection: close`)."""
    body = error_body(status_int, message or reason)
    body.pop("request_id", None)  # no request was parsed, so none has an id
    data = json.dumps(body).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + data)


class JsonErrorWorker(ThreadWorker):
    """gunicorn's gthread worker whose own error answers are JSON."""

    def init_process(self) -> None:
        """Swap the error writer in this worker process, then run as gthread does."""
        util.write_error = write_json_error
        super().init_process()
