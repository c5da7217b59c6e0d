"""CORS for the JSON API, off by default; pages never send a CORS header.

A browser app on another origin listed in CORS_ALLOWED_ORIGINS (chalicelib/origins.py) may call
/api/* with a bearer token: its preflight (OPTIONS) is answered with what it may send, and every
/api/ answer to it names that origin (with `Vary: Origin` and the headers it may read). No
credentials: the API takes no cookie, and `Access-Control-Allow-Credentials` is never sent.

Why not Chalice's CORSConfig: it names one origin (or `*`) fixed when app.py is imported, so a
list read from the environment on first use cannot drive it, and API Gateway would answer its
preflights with a mock integration while `chalice local` answers them itself. Instead every
path of the app gets an OPTIONS route of its own: `chalice local` hands it to the app like any
route, and API Gateway sends it to the function through the same proxy integration as the
others, so a preflight gets the same answer under `make dev` and on both deploy paths. On a
page's path it answers with `Allow` alone.
"""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Chalice, Request, Response

from chalicelib.settings import get_settings

API_PREFIX = "/api/"
ALLOWED_HEADERS = "Authorization, Content-Type"
EXPOSED_HEADERS = "Location, Retry-After, WWW-Authenticate, X-Request-Id"
PREFLIGHT_MAX_AGE = "600"  # seconds a browser may keep a preflight's answer


def _allowed_origin(request: Request) -> str | None:
    """The request's Origin, when it is one CORS_ALLOWED_ORIGINS lists exactly."""
    origin = request.headers.get("origin", "")
    return origin if origin in get_settings().cors_origins else None


def _preflight(app: Chalice, methods: list[str]) -> Callable[..., Response]:
    """The OPTIONS view of one path that takes `methods`."""
    allow = ", ".join([*methods, "OPTIONS"])

    def preflight(**_path_parameters: str) -> Response:
        request = app.current_request
        assert request is not None
        headers: dict[str, str | list[str]] = {"Allow": allow, "Cache-Control": "no-store"}
        asked = request.headers.get("access-control-request-method", "")
        origin = _allowed_origin(request) if request.path.startswith(API_PREFIX) else None
        if origin is not None and asked in methods:
            headers.update(
                {
                    "Access-Control-Allow-Origin": origin,
                    "Access-Control-Allow-Methods": allow,
                    "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                    "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
                }
            )
        return Response(body="", status_code=204, headers=headers)

    return preflight


def answer_preflights(app: Chalice) -> None:
    """Give every path of `app` (its blueprints registered) an OPTIONS route."""
    for path, routes in sorted(app.routes.items()):
        if "OPTIONS" in routes:
            continue
        name = "preflight" + path.replace("/", "_").replace("{", "").replace("}", "")
        view = _preflight(app, sorted(routes))
        app.route(path, methods=["OPTIONS"], content_types=["*/*"], name=name)(view)


def cross_origin(request: Request, response: Response) -> Response:
    """An /api/ answer names the allowed origin that asked; pages are left alone."""
    settings = get_settings()
    if not settings.cors_origins or not request.path.startswith(API_PREFIX):
        return response
    response.headers["Vary"] = "Origin"
    origin = _allowed_origin(request)
    if origin is not None and request.method != "OPTIONS":  # a preflight says for itself
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response
