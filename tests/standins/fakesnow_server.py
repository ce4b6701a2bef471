"""Test-only: fakesnow 0.12.1 in server mode, patched for snowflake-connector-python 5.x.

Runs in fakesnow's own virtual environment (started by ``start.sh``).  Connector 5.x (the
"universal driver") expects login and PUT responses to carry fields fakesnow does not send:
this adds them; and COPY INTO a TEMPORARY table, which fakesnow cannot find, finds it.  Usage: ``python fakesnow_server.py PORT``.
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

import fakesnow.copy_into as copy_into  # noqa: E402

_describe_table = copy_into._describe_table


def describe_table(table: Any, duck_conn: Any, current_database: Any, current_schema: Any) -> Any:
    # fakesnow describes a COPY INTO target as DATABASE.SCHEMA.TABLE, where a Snowflake
    # TEMPORARY table (DuckDB's temp catalog) is not found; Snowflake loads into temporary
    # tables like any other (pushdown's uploads are TEMPORARY).  Describe the session's
    # temporary table of that name when there is one.
    if not (table.catalog or table.db):
        rows = duck_conn.execute(
            "SELECT column_name, data_type FROM duckdb_columns() "
            "WHERE database_name = 'temp' AND table_name = ? ORDER BY column_index",
            [table.name],
        ).fetchall()
        if rows:
            return [(row[0], row[1]) for row in rows]
    return _describe_table(table, duck_conn, current_database, current_schema)


copy_into._describe_table = describe_table
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
