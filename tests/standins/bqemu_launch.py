"""Start bqemulator (1.3.x/1.4.x) offline, with three server-side compatibility fixes.

1. Skip the DuckDB 'spatial' extension (downloaded at runtime from extensions.duckdb.org,
   unreachable offline) -> GEOGRAPHY/ST_* unsupported, everything else works.
2. Accept the '*/*' media part google-cloud-bigquery sends on multipart uploads
   (load_table_from_json / load_table_from_dataframe < 5 MB).
3. jobs.query: a failed query is answered 200 + "errors" by bqemulator, which the Python
   client (query_and_wait, DB-API, SQLAlchemy) treats as an empty success. Turn it into
   the non-2xx HTTP error real BigQuery returns.
4. jobs.query ignores the request's defaultDataset (jobs.insert honours it): qualify
   unqualified table names with the same rewriter jobs.insert uses.
Usage: python bqe_launch2.py [bqemulator start options]
"""

import json, os, sys

os.environ.setdefault("BQEMU_ENABLE_FORMAT_EXTENSIONS", "false")  # avoid ~2 s avro download attempt

import bqemulator.storage.engine as _engine

_engine.DuckDBEngine._load_spatial = lambda self: None

import bqemulator.api.routes.upload as _upload

_upload._PERMITTED_MEDIA_CONTENT_TYPES = tuple(_upload._PERMITTED_MEDIA_CONTENT_TYPES) + ("*/*",)

_STATUS = {
    "notFound": 404,
    "invalidQuery": 400,
    "invalid": 400,
    "accessDenied": 403,
    "duplicate": 409,
    "notImplemented": 501,
    "quotaExceeded": 429,
    "internalError": 500,
}


class JobsQueryErrors:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].endswith("/queries")
        ):
            return await self.app(scope, receive, send)
        # -- request side: apply defaultDataset (fix 4)
        req_chunks = []
        while True:
            m = await receive()
            if m["type"] != "http.request":
                break
            req_chunks.append(m.get("body", b""))
            if not m.get("more_body"):
                break
        raw = b"".join(req_chunks)
        try:
            req = json.loads(raw)
            if (
                isinstance(req, dict)
                and isinstance(req.get("defaultDataset"), dict)
                and req.get("query")
            ):
                from bqemulator.api.routes import jobs as _jobs

                project = scope["path"].rstrip("/").split("/")[-2]
                req["query"] = _jobs._apply_default_dataset(
                    req["query"],
                    {"defaultDataset": req["defaultDataset"]},
                    request_project_id=project,
                )
                raw = json.dumps(req).encode()
        except Exception:
            pass
        sent = False

        async def new_receive():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        start, chunks = {}, []

        async def capture(msg):
            if msg["type"] == "http.response.start":
                start.update(msg)
            elif msg["type"] == "http.response.body":
                chunks.append(msg.get("body", b""))
                if not msg.get("more_body"):
                    body = b"".join(chunks)
                    status = start["status"]
                    headers = start.get("headers", [])
                    try:
                        data = json.loads(body) if status == 200 else None
                    except ValueError:
                        data = None
                    if (
                        isinstance(data, dict)
                        and data.get("errors")
                        and data.get("jobComplete")
                        and not data.get("rows")
                    ):
                        err = data["errors"][0]
                        status = _STATUS.get(err.get("reason"), 400)
                        body = json.dumps(
                            {
                                "error": {
                                    "code": status,
                                    "message": err.get("message", ""),
                                    "errors": data["errors"],
                                }
                            }
                        ).encode()
                        headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                        headers.append((b"content-length", str(len(body)).encode()))
                    await send({**start, "status": status, "headers": headers})
                    await send({"type": "http.response.body", "body": body})

        await self.app(scope, new_receive, capture)


import bqemulator.server as _server

_orig_create_app = _server.create_app


def _create_app(ctx):
    app = _orig_create_app(ctx)
    app.add_middleware(JobsQueryErrors)
    return app


_server.create_app = _create_app

from bqemulator.cli import main

sys.argv = ["bqemulator", "start", *sys.argv[1:]]
sys.exit(main())
