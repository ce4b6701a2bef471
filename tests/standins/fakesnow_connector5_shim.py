"""fakesnow server + shim adding fields the connector-5.x (universal driver) login expects."""

import json, sys, threading, signal
import fakesnow

serve = fakesnow.server
import fakesnow.server as S
from starlette.routing import Route

orig = S.login_request


async def login_request(request):
    resp = await orig(request)
    body = json.loads(resp.body)
    d = body["data"]
    d.setdefault("masterToken", "master-" + d["token"])
    d.setdefault("validityInSeconds", 3600)
    d.setdefault("masterValidityInSeconds", 14400)
    d.setdefault("idToken", None)
    d.setdefault("sessionId", 1)
    return S.JSONResponse(body)


for r in S.app.router.routes:
    if r.path == "/session/v1/login-request":
        r.endpoint = login_request
        r.app = __import__("starlette.routing", fromlist=["request_response"]).request_response(
            login_request
        )
port = int(sys.argv[1])
stop = threading.Event()
signal.signal(signal.SIGINT, lambda *a: stop.set())
signal.signal(signal.SIGTERM, lambda *a: stop.set())
with serve(port=port, host="127.0.0.1"):
    stop.wait()
