"""Test-only: fakesnow 0.12.1 in server mode, patched for snowflake-connector-python 5.x.

Runs in fakesnow's own virtual environment (started by ``start.sh``).  Connector 5.x (the
"universal driver") expects login and PUT responses to carry fields fakesnow does not send:
this adds them.  It changes no SQL behaviour.  Usage: ``python fakesnow_server.py PORT``.
"""

import json
import signal
import sys
import threading
from typing import Any

import fakesnow

serve = fakesnow.server  # the context manager; the module import below shadows the name
import fakesnow.server as server  # noqa: E402
from starlette.routing import request_response  # noqa: E402

_login = server.login_request


async def login_request(request: Any) -> Any:
    response = await _login(request)
    body = json.loads(response.body)
    data = body["data"]
    data.setdefault("masterToken", "master-" + data["token"])
    data.setdefault("validityInSeconds", 3600)
    data.setdefault("masterValidityInSeconds", 14400)
    data.setdefault("idToken", None)
    data.setdefault("sessionId", 1)
    return server.JSONResponse(body)


_gcs_stage_info = server.gcs_stage_info


def gcs_stage_info(request: Any, expr: Any, put_stage_data: dict[str, Any]) -> dict[str, Any]:
    # Connector 5.x refuses a conditional (OVERWRITE=FALSE) upload to a presigned URL that
    # does not sign x-goog-* headers; pushdown stages each file under a fresh name anyway.
    put_stage_data["overwrite"] = True
    info = _gcs_stage_info(request, expr, put_stage_data)
    info.setdefault("region", "us-central1")
    info.setdefault("endPoint", None)
    info.setdefault("storageAccount", None)
    info.setdefault("isClientSideEncrypted", False)
    info.setdefault("useS3RegionalUrl", False)
    info.setdefault("useRegionalUrl", False)
    return info


server.gcs_stage_info = gcs_stage_info
for route in server.app.router.routes:
    if getattr(route, "path", None) == "/session/v1/login-request":
        route.endpoint = login_request
        route.app = request_response(login_request)

stop = threading.Event()
for sig in (signal.SIGINT, signal.SIGTERM):
    signal.signal(sig, lambda *_: stop.set())
with serve(port=int(sys.argv[1]), host="127.0.0.1"):
    print("READY", flush=True)
    stop.wait()
