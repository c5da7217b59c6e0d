"""The OpenAPI operations of the account's own data: delete it, export it (web/account_api.py).

Merged into the document by web/openapi.py; a path the document has already (GET
/api/users/me) gets the operations added beside its own.
"""

from __future__ import annotations

from typing import Any

from chalicelib.web.openapi_parts import (
    BEARER,
    ERRORS,
    JSON,
    PASSWORD,
    STRING,
    UNAUTHORIZED,
    answer,
    body,
    obj,
)

TIME = {"type": "string", "format": "date-time"}
NULLABLE = {"type": ["string", "null"]}


def _export_schema() -> dict[str, Any]:
    account = obj(
        [
            "id",
            "username",
            "email",
            "email_verified",
            "locale",
            "pending_email",
            "created_at",
            "password_changed_at",
        ],
        id=STRING,
        username=STRING,
        email=STRING,
        email_verified={"type": "boolean"},
        locale=STRING,
        pending_email=NULLABLE,
        created_at=TIME,
        password_changed_at=TIME,
    )
    session = obj(
        ["id", "kind", "created_at", "last_used_at", "client", "user_agent", "current"],
        id=STRING,
        kind={"enum": ["page", "api"]},
        created_at=TIME,
        last_used_at=TIME,
        client=STRING,
        user_agent=STRING,
        current={"type": "boolean"},
    )
    event = obj(
        ["kind", "at", "client", "user_agent", "request_id"],
        kind=STRING,
        at=TIME,
        client=STRING,
        user_agent=STRING,
        request_id=STRING,
    )
    return obj(
        ["account", "sessions", "events"],
        account=account,
        sessions={"type": "array", "items": session},
        events={"type": "array", "items": event},
    )


def account_paths() -> dict[str, dict[str, Any]]:
    """{path: {method: operation}} of web/account_api.py's routes."""
    exported = answer("Everything the service holds about the account")
    exported["content"] = {JSON: {"schema": _export_schema()}}
    return {
        "/api/users/me": {
            "delete": {
                "operationId": "deleteMe",
                "tags": ["accounts"],
                "summary": "Delete the account (its name and address are free at once; its "
                "events stay until their TTL with the address as a keyed digest)",
                "responses": {"204": answer("Deleted"), **UNAUTHORIZED, **ERRORS},
                "security": BEARER,
                "requestBody": body(obj(["password"], password=PASSWORD)),
            }
        },
        "/api/users/me/export": {
            "get": {
                "operationId": "exportMe",
                "tags": ["accounts"],
                "summary": "The account, its sessions and its events as JSON (never a hash, "
                "token or stamp)",
                "responses": {"200": exported, **UNAUTHORIZED},
                "security": BEARER,
            }
        },
    }


def with_account_paths(paths: dict[str, Any]) -> dict[str, Any]:
    """`paths` with the account's operations added (beside a path's own operations)."""
    merged = dict(paths)
    for path, operations in account_paths().items():
        merged[path] = {**merged.get(path, {}), **operations}
    return merged
