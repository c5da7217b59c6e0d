"""A moto server in a subprocess, for tests that run the real AWS CLIs (chalice deploy).

python -m tests.helpers.emulator PORT    # what moto_server() starts

moto 5.2 cannot take two calls `chalice deploy` makes, so the server runs moto's own WSGI
app behind a small request-rewriting middleware (test harness only; the app is untouched):

- ImportRestApi / PutRestApi: moto reads `info.description` unconditionally (KeyError on
  Chalice's swagger, which has none) and then refuses any document with a `swagger` key
  (it imports OpenAPI 3 only). We add an empty description and relabel the document as
  OpenAPI 3.0: moto reads only `paths`, their methods, responses and
  `x-amazon-apigateway-integration`, which are the same in both versions.
- GetLayerVersionByArn (Chalice's redeploy checks the managed layer with it) is not
  implemented: we route it to GetLayerVersion, which is, by the name and version in the ARN.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from ops.dev.procs import free_port

ROOT = Path(__file__).resolve().parents[2]
Environ = dict[str, Any]
WsgiApp = Callable[[Environ, Callable[..., Any]], Iterable[bytes]]


def _openapi3(body: bytes) -> bytes:
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if not isinstance(document, dict):
        return body
    document.setdefault("info", {}).setdefault("description", "")
    if "swagger" in document:
        del document["swagger"]
        document["openapi"] = "3.0.1"
    return json.dumps(document).encode()


class MotoShims:
    """WSGI middleware: rewrite the requests moto 5.2 cannot serve as they come."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if path.startswith("/restapis") and (
            (method == "POST" and query.get("mode") == ["import"]) or method == "PUT"
        ):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            body = _openapi3(body)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        elif path.endswith("/layers") and query.get("find") == ["LayerVersion"]:
            # arn:aws:lambda:<region>:<account>:layer:<name>:<version>
            name, version = query["Arn"][0].split(":")[-2:]
            api_version = path.split("/")[1]
            target = f"/{api_version}/layers/{quote(name)}/versions/{version}"
            environ["PATH_INFO"] = environ["RAW_URI"] = environ["REQUEST_URI"] = target
            environ["QUERY_STRING"] = ""  # (moto routes on RAW_URI, werkzeug on PATH_INFO)
        return self.app(environ, start_response)


@contextlib.contextmanager
def moto_server(log_path: Path, timeout: float = 30.0) -> Iterator[str]:
    """Start the shimmed moto server on a free port (its log in `log_path`); yields its URL."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "tests.helpers.emulator", str(port)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=1):  # noqa: S310
                    break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the moto server did not start") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import run_simple

    port = int(sys.argv[1])
    app = MotoShims(DomainDispatcherApplication(create_backend_app))
    run_simple("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
