"""What `sofifi run` tells a person at a terminal: a short banner once the platform is ready."""

from __future__ import annotations

import logging
import sys

from chassis.logs import interactive

log = logging.getLogger("sofifi.run")


def banner(gateway: str) -> str:
    """The lines shown at a terminal when the platform answers."""
    return "\n".join(
        (
            "",
            "  Sofifi ASN platform is ready",
            f"    gateway   {gateway}",
            f"    API docs  {gateway}/api/v1/docs",
            "    first account:  sofifi user create --username admin --role admin",
            "    demo province:  sofifi demo",
            "    stop:           Ctrl-C",
            "",
        )
    )


def announce_ready(gateway: str) -> None:
    """A banner at a terminal; one JSON log line (with the URLs) elsewhere."""
    if interactive():
        print(banner(gateway), file=sys.stderr, flush=True)
        return
    log.info("platform ready", extra={"gateway": gateway, "docs": f"{gateway}/api/v1/docs"})
