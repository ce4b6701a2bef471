"""Test-only: monkeypatches that let databricks-sql-connector 4.x talk to a vanilla Spark
Thrift Server in HTTP mode; each patch stands in for a Databricks-only protocol feature the
open-source server lacks.  Imported by tests/integration/conftest.py, never by src/.
Adapted from shared/standins/spark/dbx_shim.py."""
import os
from databricks.sql.backend import thrift_backend as tb
LEVEL = int(os.environ.get("DBX_SHIM_LEVEL", "9"))
if LEVEL >= 1:
    # 1. OSS HiveServer2 answers HIVE_CLI_SERVICE_PROTOCOL_V10 (9); connector insists on SPARK_CLI_SERVICE_PROTOCOL_V2 (0xA502)
    tb.ThriftDatabricksClient._check_protocol_version = lambda self, resp: None
if LEVEL >= 2:
    # 2. OSS server never fills the Databricks-only TGetResultSetMetadataResp.resultFormat /
    #    TFetchResultsResp.resultSetMetadata fields -> tell the connector the rows are COLUMN_BASED_SET.
    from databricks.sql.thrift_api.TCLIService import ttypes
    _orig_make_request = tb.ThriftDatabricksClient.make_request
    def make_request(self, method, request, *a, **k):
        resp = _orig_make_request(self, method, request, *a, **k)
        if isinstance(resp, ttypes.TGetResultSetMetadataResp) and resp.resultFormat is None:
            resp.resultFormat = ttypes.TSparkRowSetType.COLUMN_BASED_SET
        elif isinstance(resp, ttypes.TFetchResultsResp) and getattr(resp, "resultSetMetadata", None) is None:
            resp.resultSetMetadata = ttypes.TGetResultSetMetadataResp(resultFormat=ttypes.TSparkRowSetType.COLUMN_BASED_SET)
        return resp
    tb.ThriftDatabricksClient.make_request = make_request
if LEVEL >= 3:
    # 3. For DDL/DML Spark returns schema `Result string` but a TRowSet with zero columns -> IndexError in
    #    concat_table_chunks. Pad missing columns with empty lists.
    from databricks.sql import utils as dbu
    _orig_conv = dbu.convert_column_based_set_to_column_table
    def convert_column_based_set_to_column_table(columns, description):
        table, names = _orig_conv(columns, description)
        if len(table) < len(names):
            table = list(table) + [[] for _ in range(len(names) - len(table))]
        return table, names
    dbu.convert_column_based_set_to_column_table = convert_column_based_set_to_column_table
if LEVEL >= 4:
    # 4a. catalog=/schema= in the URL -> initialNamespace is a Databricks-only OpenSession field; connector
    #     refuses it for protocol < SPARK_CLI_SERVICE_PROTOCOL_V4. The server ignores it anyway.
    tb.ThriftDatabricksClient._check_initial_namespace = lambda self, catalog, schema, response: None
    # 4b. Native (server-side) parameters travel in the Databricks-only TExecuteStatementReq.parameters
    #     field, which OSS Spark ignores -> UNBOUND_SQL_PARAMETER. Inline them client-side as typed literals.
    import re
    _tok = re.compile(r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|--[^\n]*|/\*.*?\*/)|:`([^`]+)`|:([A-Za-z_][A-Za-z0-9_]*)|(\?)", re.S)
    def _lit(p):
        v = p.value.stringValue if p.value is not None else None
        if v is None or (p.type or "").upper() == "VOID":
            return "NULL"
        s = "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
        t = (p.type or "STRING").upper()
        return s if t == "STRING" else f"CAST({s} AS {t})"
    def _inline(sql, params):
        named = {p.name: p for p in params if p.name}
        ordinal = iter([p for p in params if not p.name])
        def rep(m):
            if m.group(1): return m.group(1)
            if m.group(2) or m.group(3):
                n = m.group(2) or m.group(3)
                return _lit(named[n]) if n in named else m.group(0)
            p = next(ordinal, None)
            return _lit(p) if p is not None else m.group(0)
        return _tok.sub(rep, sql)
    _orig_exec = tb.ThriftDatabricksClient.execute_command
    def execute_command(self, operation, session_id, max_rows, max_bytes, lz4_compression, cursor, use_cloud_fetch=True, parameters=[], *a, **k):
        if parameters:
            operation, parameters = _inline(operation, parameters), []
        return _orig_exec(self, operation, session_id, max_rows, max_bytes, lz4_compression, cursor, use_cloud_fetch, parameters, *a, **k)
    tb.ThriftDatabricksClient.execute_command = execute_command
if LEVEL >= 5:
    # 5. Databricks applies OpenSession `configuration` keys as session settings (what
    #    `session_configuration=` sends); OSS HiveServer2 applies only `set:hiveconf:KEY` entries
    #    to the Spark session. Prefix the keys so the stand-in applies them too.
    _orig_open_session = tb.ThriftDatabricksClient.open_session
    def open_session(self, session_configuration, catalog, schema):
        conf = {
            (k if str(k).startswith(("set:", "use:")) else f"set:hiveconf:{k}"): v
            for k, v in (session_configuration or {}).items()
        }
        return _orig_open_session(self, conf, catalog, schema)
    tb.ThriftDatabricksClient.open_session = open_session
