"""`GET /revocations`: the revoked token ids, signed, for the services (chassis.revocations).

Outside `/api/v1` and the API document, like `/health`: it is for the services, not for
clients. Public on purpose: it carries random token ids only (no usernames), useless without
the tokens, which are revoked anyway; the signature is what matters (a service refuses a list
the gateway did not sign). Every process signs its document at most once a second, so polling
services (or anyone else) cost a cached answer.
"""

from __future__ import annotations

import threading
import time

from flask import Blueprint, Response, current_app

from gateway.revocation import published
from gateway.state import gateway_state

blp = Blueprint("revocations", __name__)
REUSE_SECONDS = 1.0


class _Signed:
    """This app's last signed document and when it was made."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.at = float("-inf")
        self.document = ""


@blp.record_once
def _setup(state) -> None:
    state.app.extensions["revocations_document"] = _Signed()


@blp.get("/revocations")
def revocations() -> Response:
    """The revoked token ids as a document signed by the gateway (application/jwt)."""
    state = gateway_state()
    signed: _Signed = current_app.extensions["revocations_document"]
    with signed.lock:
        if time.monotonic() - signed.at > REUSE_SECONDS:
            revoked = state.tokens.revocations
            if revoked is None:
                raise RuntimeError("the gateway was built without its revocation list")
            signed.document = published(revoked, state.signing_key, state.settings.jwt_issuer)
            signed.at = time.monotonic()
        document = signed.document
    return Response(document, mimetype="application/jwt", headers={"Cache-Control": "no-store"})
