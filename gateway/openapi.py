"""The combined OpenAPI document of the platform and its docs page (`/api/v1/openapi.json`).

The gateway's own document plus every service's `/openapi.json`, fetched in parallel: paths get
the `/api/v1/<service>` prefix, components the `<service>.` prefix (with every $ref rewritten),
and a service that did not answer is listed under `x-unavailable` instead of failing the page.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, g, jsonify

from chassis.web import SWAGGER_UI_PATH
from gateway.aggregate import Part
from gateway.state import gateway_state

blp = Blueprint("combined_openapi", __name__)

COMPONENT_KINDS = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "links",
    "callbacks",
)
SWAGGER_UI = SWAGGER_UI_PATH  # served by this app from the pinned package (chassis.web)
DOCS_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sofifi ASN platform API</title>
<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({{url: "/api/v1/openapi.json", dom_id: "#swagger-ui"}});</script>
</body></html>
"""


@blp.get("/api/v1/openapi.json")
def combined_openapi():
    """The OpenAPI document of the gateway and every service, as clients reach them."""
    state = gateway_state()
    calls = {name: f"{url}/openapi.json" for name, url in state.settings.service_urls.items()}
    parts = state.aggregator.get_json(calls, {"X-Request-ID": g.request_id})
    return jsonify(merge_openapi(state.api.spec.to_dict(), parts))


@blp.get("/api/v1/docs")
def combined_docs():
    """Swagger UI over the combined document."""
    return Response(DOCS_PAGE, mimetype="text/html")


def merge_openapi(own: Mapping[str, Any], parts: Mapping[str, Part]) -> dict[str, Any]:
    """The gateway's document with each answered service's paths and components merged in."""
    combined = copy.deepcopy(dict(own))
    combined["info"] = {**combined.get("info", {}), "title": "Sofifi ASN platform API"}
    paths = combined.setdefault("paths", {})
    components = combined.setdefault("components", {})
    tags = combined.setdefault("tags", [])
    unavailable = []
    for service, part in parts.items():
        spec = part.data if part.ok and isinstance(part.data, dict) else None
        if spec is None or not isinstance(spec.get("paths"), dict):
            unavailable.append({"service": service, "status": part.status, "error": part.error})
            continue
        spec = _prefix_refs(spec, service)
        for path, item in spec["paths"].items():
            paths[f"/api/v1/{service}{path}"] = _prefix_tags(item, service)
        for kind, members in (spec.get("components") or {}).items():
            target = components.setdefault(kind, {})
            if kind in COMPONENT_KINDS:
                target.update({f"{service}.{name}": value for name, value in members.items()})
            else:  # securitySchemes: one bearer scheme shared by all
                for name, value in members.items():
                    target.setdefault(name, value)
        tags.extend({**tag, "name": f"{service}/{tag['name']}"} for tag in spec.get("tags", []))
    combined["x-unavailable"] = unavailable
    return combined


def _prefix_refs(node: Any, service: str) -> Any:
    """A copy of `node` with every local component $ref pointing at the prefixed name."""
    if isinstance(node, dict):
        copied = {key: _prefix_refs(value, service) for key, value in node.items()}
        ref = copied.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            _, _, kind, name = ref.split("/", 3)
            if kind in COMPONENT_KINDS:
                copied["$ref"] = f"#/components/{kind}/{service}.{name}"
        return copied
    if isinstance(node, list):
        return [_prefix_refs(value, service) for value in node]
    return node


def _prefix_tags(path_item: dict[str, Any], service: str) -> dict[str, Any]:
    for operation in path_item.values():
        if isinstance(operation, dict) and isinstance(operation.get("tags"), list):
            operation["tags"] = [f"{service}/{tag}" for tag in operation["tags"]]
    return path_item
