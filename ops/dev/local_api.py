"""`chalice local` as `make dev` runs it, answering unknown paths as the deployed API does.

python -m ops.dev.local_api --host 127.0.0.1 --port 8000 --stage local

Chalice's local server answers a path no route matches with its own 403 {"message": "Missing
Authentication Token"} before the app runs, as API Gateway would without gateway responses.
This is that server (Chalice's, started the way `chalice local --no-autoreload` starts it) with
one change: such an answer becomes the MISSING_AUTHENTICATION_TOKEN gateway response both
deploy paths declare (ops/deploy/gateway_responses.py), its template picked by the request's
Accept header as API Gateway picks it: the not-found page for a browser, problem+json for
everyone else.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import sys

from chalice.cli.factory import CLIFactory
from chalice.deploy.validate import validate_routes
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    ForbiddenError,
    LocalChalice,
    LocalDevServer,
    LocalGatewayException,
)

from ops.deploy import gateway_responses

UNKNOWN_PATH = "MISSING_AUTHENTICATION_TOKEN"


@functools.cache
def _page() -> str:
    """The not-found page under make dev's base URL (the app's settings, read on first use)."""
    from chalicelib.settings import get_settings
    from chalicelib.web import not_found

    settings = get_settings()
    return not_found.page(settings.public_base_url, settings.brand.name)


class GatewayHandler(ChaliceRequestHandler):
    """Chalice's request handler, with API Gateway's answer to a path no route matches."""

    def _send_error_response(self, error: LocalGatewayException) -> None:
        # The local gateway raises ForbiddenError only for a path no route matches (this app
        # has no authorizer): API Gateway's MISSING_AUTHENTICATION_TOKEN.
        if not isinstance(error, ForbiddenError):
            super()._send_error_response(error)
            return
        accept = self.headers.get("accept", "")
        status, headers, body = gateway_responses.answer(UNKNOWN_PATH, accept, _page())
        self._send_http_response(status, dict(headers), body)


def local_server(project_dir: str, stage: str, host: str, port: int) -> LocalDevServer:
    """The server `chalice local` would make (chalice.cli.create_local_server), with our
    handler."""
    factory = CLIFactory(project_dir=project_dir, environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    app = config.chalice_app
    validate_routes(app.routes)
    # As chalice.local.create_local_server does: the app as its local flavour (threads).
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    return LocalDevServer(app, config, host, port, handler_cls=GatewayHandler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.dev.local_api")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="local")
    args = parser.parse_args(argv)
    # As `chalice local` does: the app's log on stdout, as Lambda would show it.
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    local_server(os.getcwd(), args.stage, args.host, args.port).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
