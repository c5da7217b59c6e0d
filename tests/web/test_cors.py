"""CORS: off by default; for the origins CORS_ALLOWED_ORIGINS lists, the JSON API answers
preflights and names the origin (bearer tokens only, no credentials); pages never do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.errors import ConfigError
from chalicelib.origins import allowed_origins
from tests.helpers.environment import PASSWORD

APP = "https://app.example.com"
PREFLIGHT = {
    "Origin": APP,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


def _cors_headers(response: Any) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


def _preflight(client: Client, path: str, **headers: str) -> Any:
    return client.http.request("OPTIONS", path, headers={**PREFLIGHT, **headers}, body=b"")


def _sign_in(client: Client, origin: str) -> Any:
    body = f'{{"username": "susan", "password": "{PASSWORD}"}}'
    headers = {"Content-Type": "application/json", "Origin": origin}
    return client.http.post("/api/tokens", body=body, headers=headers)


@pytest.fixture
def allowed(environment: Callable[..., None]) -> None:
    environment(CORS_ALLOWED_ORIGINS=f"{APP}, https://other.example.org:8443")


def test_by_default_no_origin_is_allowed(client: Client, susan: dict[str, Any]) -> None:
    preflight = _preflight(client, "/api/tokens")
    assert preflight.status_code == 204
    assert preflight.headers["Allow"] == "POST, OPTIONS"
    assert _cors_headers(preflight) == {}
    signed_in = _sign_in(client, APP)
    assert signed_in.status_code == 200
    assert _cors_headers(signed_in) == {}
    assert "Vary" not in signed_in.headers


def test_an_allowed_origins_preflight_may_send_a_bearer_token_as_json(
    client: Client, allowed: None
) -> None:
    preflight = _preflight(client, "/api/users/me/password")
    assert preflight.status_code == 204
    assert _cors_headers(preflight) == {
        "Access-Control-Allow-Origin": APP,
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Authorization, Content-Type",
        "Access-Control-Max-Age": "600",
    }  # and never Access-Control-Allow-Credentials: no cookie is ever needed
    assert preflight.headers["Vary"] == "Origin"


def test_an_allowed_origin_reads_answers_and_their_headers(
    client: Client, susan: dict[str, Any], allowed: None
) -> None:
    for response in (
        _sign_in(client, APP),
        client.http.get("/api/users/me", headers={"Origin": APP}),
    ):
        assert response.headers["Access-Control-Allow-Origin"] == APP
        assert response.headers["Vary"] == "Origin"
        exposed = response.headers["Access-Control-Expose-Headers"]
        assert {"Retry-After", "X-Request-Id", "WWW-Authenticate", "Location"} == {
            name.strip() for name in exposed.split(",")
        }
        assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "http://app.example.com", f"{APP}.evil.example", "null"]
)
def test_any_other_origin_gets_no_permission(
    client: Client, susan: dict[str, Any], allowed: None, origin: str
) -> None:
    preflight = _preflight(client, "/api/tokens", Origin=origin)
    assert preflight.status_code == 204
    assert _cors_headers(preflight) == {}
    signed_in = _sign_in(client, origin)
    assert _cors_headers(signed_in) == {}
    assert signed_in.headers["Vary"] == "Origin"  # a cache keeps the answers apart


def test_a_method_the_route_does_not_take_is_not_allowed(client: Client, allowed: None) -> None:
    preflight = _preflight(client, "/api/tokens", **{"Access-Control-Request-Method": "DELETE"})
    assert _cors_headers(preflight) == {}


@pytest.mark.parametrize("path", ["/login", "/", "/reset_password/some.token", "/static/x.css"])
def test_pages_never_send_cors_headers(client: Client, allowed: None, path: str) -> None:
    preflight = _preflight(client, path)
    assert preflight.status_code == 204
    assert "OPTIONS" in preflight.headers["Allow"]
    assert _cors_headers(preflight) == {}
    page = client.http.get(path, headers={"Origin": APP})
    assert _cors_headers(page) == {}
    assert "Vary" not in page.headers


def test_every_path_answers_its_own_preflight() -> None:
    import app as app_module

    assert all("OPTIONS" in methods for methods in app_module.app.routes.values())


@pytest.mark.parametrize(
    "listed", ["*", "https://app.example.com/", "app.example.com", "http://app.example.com"]
)
def test_only_exact_https_origins_can_be_allowed(listed: str) -> None:
    with pytest.raises(ConfigError):
        allowed_origins({"CORS_ALLOWED_ORIGINS": listed}, development=False)


def test_origins_are_kept_as_browsers_write_them() -> None:
    listed = {"CORS_ALLOWED_ORIGINS": " https://App.Example.com ,,http://127.0.0.1:5173"}
    assert allowed_origins(listed, development=True) == {
        "https://app.example.com",
        "http://127.0.0.1:5173",
    }
    assert allowed_origins({}, development=False) == frozenset()
