"""The frozen record of published schemas: contracts/lock.json.

Each (type, version) of the catalogue is recorded with a hash of its envelope schema. Once
recorded, a schema must not change (a consumer may already rely on it): a change is a new
version. Only the validation keywords count, so mending a description needs no new version.

    python -m contracts.lock           # check the catalogue against the lock (exit 1 if not)
    python -m contracts.lock --add     # record the (type, version) pairs not yet recorded
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from contracts.base import EventContract

LOCK_FILE = Path(__file__).with_name("lock.json")

# Annotations: they document a schema without changing what it accepts.
_ANNOTATIONS = frozenset({"description", "title", "examples", "$comment"})
# Keywords whose value is a map of names to subschemas.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "definitions", "dependencies"})
# Keywords whose value is a subschema or a list of subschemas.
_SUBSCHEMAS = frozenset(
    {
        "items",
        "additionalItems",
        "additionalProperties",
        "contains",
        "propertyNames",
        "not",
        "if",
        "then",
        "else",
        "allOf",
        "anyOf",
        "oneOf",
    }
)

HOW_TO_CHANGE = (
    "A published schema is never edited: consumers may rely on it. Put the old schema back and "
    "add the change as a new EventContract with version + 1 (keep the old version in the "
    "catalogue while anyone publishes or consumes it), then record it with "
    "`python -m contracts.lock --add`."
)


def _essential(schema: Any) -> Any:
    """A schema without its annotations, walking only into places that hold subschemas."""
    if isinstance(schema, list):
        return [_essential(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword in _SCHEMA_MAPS and isinstance(value, dict):
            result[keyword] = {name: _essential(sub) for name, sub in value.items()}
        elif keyword in _SUBSCHEMAS:
            result[keyword] = _essential(value)
        else:
            result[keyword] = value  # enum, const, required, ...: data, kept as it is
    return result


def schema_hash(contract: EventContract) -> str:
    """sha256 of the canonical JSON of the contract's envelope schema, annotations left out."""
    canonical = json.dumps(
        _essential(contract.envelope_schema()),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _name(key: tuple[str, int]) -> str:
    return f"{key[0]}.v{key[1]}"


def read_lock(path: Path = LOCK_FILE) -> dict[str, str]:
    """The recorded hashes, `<type>.v<version>` -> hash (empty when there is no lock yet)."""
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text())["schemas"])


def write_lock(hashes: Mapping[str, str], path: Path = LOCK_FILE) -> None:
    """Write the lock file, sorted so that a diff shows only what was added."""
    document = {
        "about": "Hashes of published event schemas. Never edit an entry: add a version. "
        "Regenerate new entries with `python -m contracts.lock --add`.",
        "schemas": dict(sorted(hashes.items())),
    }
    path.write_text(json.dumps(document, indent=2) + "\n")


def problems(
    catalogue: Mapping[tuple[str, int], EventContract], locked: Mapping[str, str]
) -> list[str]:
    """What breaks the rule "changing a schema means a new version, not an edit"."""
    found = []
    names = {_name(key): contract for key, contract in catalogue.items()}
    for name, contract in sorted(names.items()):
        if name not in locked:
            found.append(
                f"{name} is not recorded yet: run `python -m contracts.lock --add` "
                "and commit contracts/lock.json."
            )
        elif locked[name] != schema_hash(contract):
            found.append(f"{name} was edited after it was published. {HOW_TO_CHANGE}")
    for name in sorted(set(locked) - set(names)):
        found.append(
            f"{name} was published but is gone from the catalogue: consumers may still receive "
            "it. Keep the contract; retire it only once no service publishes or consumes it, "
            "and then remove its line from contracts/lock.json in the same change."
        )
    return found


def add_missing(
    catalogue: Mapping[tuple[str, int], EventContract], locked: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """The lock with every unrecorded (type, version) added, and the names added."""
    updated = dict(locked)
    added = []
    for key, contract in sorted(catalogue.items()):
        if _name(key) not in updated:
            updated[_name(key)] = schema_hash(contract)
            added.append(_name(key))
    return updated, added


def main(argv: list[str] | None = None) -> int:
    """Check the catalogue against the lock, or --add what is not recorded yet."""
    from contracts import CATALOGUE

    parser = argparse.ArgumentParser(prog="python -m contracts.lock", description=__doc__)
    parser.add_argument("--add", action="store_true", help="record new (type, version) pairs")
    args = parser.parse_args(argv)
    locked = read_lock()
    if args.add:
        locked, added = add_missing(CATALOGUE, locked)
        write_lock(locked)
        for name in added:
            print(f"recorded {name}")
        print(f"{len(added)} schema(s) added to {LOCK_FILE.name}")
    found = problems(CATALOGUE, locked)
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
