"""Planning's catalog reads at their edges, on the stand-ins (or live accounts): BigQuery's
``INFORMATION_SCHEMA.PARTITIONS`` counts in chunks of at most ``PARTITIONS_TABLES`` tables,
one failing query leaving the others' counts, an unreachable endpoint stopping the rest (a
closed local port, a listener that never answers; plan() asking such an engine once);
Databricks' ``GetColumns`` kept to the session's current catalog when its URL names none
(asked again after a network fault, not after the server's refusal); ``GetColumns`` narrowed
to the asked tables' common prefix on Hive and Databricks, and not called for
catalog-qualified tables alone."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from typing import Any

import pyarrow as pa
import pytest
import sqlglot
from sqlglot import exp

import pushdown
from pushdown.engines import Connector, open_connector
from pushdown.engines.hive_catalog import name_pattern
from tests.integration.conftest import Target, prepare_standin


def _spy(conn: Connector, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL ``conn.fetch_arrow`` is given from now on (each still sent to the engine)."""
    sent: list[str] = []
    real = conn.fetch_arrow

    def fetch_arrow(sql: str) -> pa.Table:
        sent.append(sql)
        return real(sql)

    monkeypatch.setattr(conn, "fetch_arrow", fetch_arrow)
    return sent


def _in_list(sql: str) -> list[str]:
    """The table names a PARTITIONS query's ``IN`` names."""
    found = sqlglot.parse_one(sql, read="bigquery").find(exp.In)
    assert found is not None, sql
    return [e.name for e in found.expressions]


@pytest.fixture
def bigquery(bigquery_target: Target) -> Any:
    if not bigquery_target.live:
        prepare_standin("bigquery", bigquery_target)
    conn = open_connector("bigquery", bigquery_target.url, bigquery_target.connect_args)
    tables = {f"hconn_pt_{i}": pa.table({"k": list(range(i + 1))}) for i in range(3)}
    try:
        for name, table in tables.items():
            conn.write_table(name, table)
        yield conn, list(tables)
    finally:
        for name in tables:
            conn.drop(name)
        conn.close()


def test_bigquery_partitions_names_at_most_the_view_limit_per_query(
    bigquery: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query over ``INFORMATION_SCHEMA.PARTITIONS`` may read at most 1,000 tables (Google's
    documented limit): more are asked in several queries, each naming at most
    ``PARTITIONS_TABLES`` (lowered to 2 here), and every count is read."""
    from pushdown.engines import bigquery as bigquery_engine

    assert bigquery_engine.PARTITIONS_TABLES == 1000
    conn, tables = bigquery
    monkeypatch.setattr(bigquery_engine, "PARTITIONS_TABLES", 2)
    asked = [*tables, "hconn_pt_nope", "hconn_pt_nope2"]
    sent = _spy(conn, monkeypatch)
    before = conn.statements
    rows = conn.catalog_rows(asked)
    assert rows == {name: float(i + 1) for i, name in enumerate(tables)}
    assert conn.statements == before + 3 == before + len(sent)
    named = [_in_list(sql) for sql in sent]
    assert all(len(names) <= 2 for names in named), named
    assert sorted(n for names in named for n in names) == sorted(asked)


@pytest.mark.parametrize("failing_first", [False, True])
def test_bigquery_a_failing_partitions_query_keeps_the_other_counts(
    bigquery: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failing_first: bool,
) -> None:
    """A PARTITIONS query that fails (here: a dataset named with a backtick, which the
    emulator cannot parse) leaves its tables without catalog counts (they are asked one by
    one) and keeps what the other queries read, before or after it; the failure is logged
    as the error's first line, scrubbed of the connection's secrets, without its SQL."""
    from pushdown.engines import bigquery as bigquery_engine

    conn, tables = bigquery
    if conn.endpoint.startswith("https://bigquery.googleapis.com"):
        pytest.skip("the failing query is the emulator's parse error")
    monkeypatch.setattr(bigquery_engine, "PARTITIONS_TABLES", 1)  # one query per table
    conn.secrets = frozenset({"Query execution failed"})  # a text the emulator's error echoes
    bad = "`hconn_bad`.t"
    asked = [bad, *tables] if failing_first else [*tables, bad]
    before = conn.statements
    with caplog.at_level(logging.WARNING, logger="pushdown.engines.bigquery"):
        rows = conn.catalog_rows(asked)
    assert rows == {name: float(i + 1) for i, name in enumerate(tables)}
    assert conn.statements == before + len(asked)
    [record] = [r for r in caplog.records if r.name == "pushdown.engines.bigquery"]
    message = record.getMessage()
    assert "1 table(s) of test-proj.`hconn_bad`" in message, message
    assert "***" in message and "Query execution failed" not in message, message
    assert "SELECT" not in message and record.exc_info is None
    stats = conn.table_stats(tables[0], None, rows[tables[0]])  # the others' sizes kept
    assert stats.rows == 1.0 and conn.statements == before + len(asked)


def _databricks(target: Target, catalog: str | None = None) -> Connector:
    url = f"{target.url}&catalog={catalog}" if catalog else target.url
    return open_connector("databricks", url, target.connect_args)


@pytest.fixture
def databricks_tables(databricks_target: Target) -> Any:
    conn = _databricks(databricks_target)
    names = ["hconn_cat_a", "hconn_cat_b"]
    try:
        for name in names:
            conn.write_table(name, pa.table({"k": [1], name[-1]: ["x"]}))
        yield names
    finally:
        for name in names:
            conn.drop(name)
        conn.close()


# The Spark Thrift stand-in sends no TABLE_CAT in its GetColumns rows (None: it has one
# session catalog), so the Databricks tests on it check which catalog is asked and what the
# statements cost, not the catalog filter itself: only the row-level unit test
# (test_get_columns_rows_of_another_catalog_are_left_out) exercises rows_of_catalog's filter.


def _columns_calls(conn: Connector, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The (database, pattern) of each ``GetColumns`` call ``conn._columns`` makes from now
    on (each still made)."""
    calls: list[tuple[str, str]] = []
    real = conn._columns  # type: ignore[attr-defined]

    def columns(database: str, pattern: str = "%") -> dict[str, list[tuple[str, str]]]:
        calls.append((database, pattern))
        return real(database, pattern)  # type: ignore[no-any-return]

    monkeypatch.setattr(conn, "_columns", columns)
    return calls


def test_databricks_asks_its_current_catalog_once_when_its_url_names_none(
    databricks_target: Target, databricks_tables: list[str]
) -> None:
    """Without ``catalog`` in the URL, ``GetColumns`` would span every catalog: the
    session's current catalog is asked once per connection (one statement more, the first
    time only) and the call kept to it; with ``catalog`` in the URL nothing more is asked.
    (On the stand-in the rows name no catalog: see the note above.)"""
    conn = _databricks(databricks_target)
    try:
        one_by_one = {t: conn.table_schema(t) for t in databricks_tables}
        before = conn.statements
        first = conn.table_schemas(databricks_tables)
        assert conn.statements == before + 2  # current_catalog(), then GetColumns
        again = conn.table_schemas(databricks_tables)
        assert conn.statements == before + 3  # GetColumns only
        assert first == again == one_by_one
        catalog = conn._session_catalog()  # type: ignore[attr-defined]
        assert isinstance(catalog, str) and catalog
        if not databricks_target.live:
            assert catalog == "spark_catalog"  # the Spark Thrift stand-in's session catalog
    finally:
        conn.close()
    if databricks_target.live:
        return  # a live URL names its catalog itself, or not
    named = _databricks(databricks_target, catalog="spark_catalog")
    try:
        before = named.statements
        assert named.table_schemas(databricks_tables) == one_by_one
        assert named.statements == before + 1  # GetColumns only
    finally:
        named.close()


def test_databricks_without_current_catalog_reads_every_catalog_as_before(
    databricks_target: Target,
    databricks_tables: list[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A server that cannot name its current catalog (here: the statement asks a function
    the server does not have, a real error) is not asked again; ``GetColumns`` then spans
    every catalog as before (a table listed by two is read on its own), logged.  (On the
    stand-in the rows name no catalog: see the note above.)"""
    from pushdown.engines import databricks as databricks_engine

    monkeypatch.setattr(
        databricks_engine, "CURRENT_CATALOG", exp.select(exp.func("pushdown_no_such_function"))
    )
    conn = _databricks(databricks_target)
    try:
        one_by_one = {t: conn.table_schema(t) for t in databricks_tables}
        before = conn.statements
        with caplog.at_level(logging.WARNING, logger="pushdown.engines.databricks"):
            assert conn.table_schemas(databricks_tables) == one_by_one
        assert conn.statements == before + 2  # the failed statement, then GetColumns
        assert conn.table_schemas(databricks_tables) == one_by_one
        assert conn.statements == before + 3  # not asked again
        assert conn._session_catalog() is None  # type: ignore[attr-defined]
    finally:
        conn.close()
    [record] = [r for r in caplog.records if r.name == "pushdown.engines.databricks"]
    assert "could not name its current catalog" in record.getMessage()
    assert "asked again" not in record.getMessage()


class _Relay:
    """A local TCP relay to ``address`` (the stand-in): a connection made through it
    reaches the server while it is open; :meth:`shut` closes its port and every connection
    through it (a request then finds the port refused, a real network fault), and
    :meth:`open` listens on the same port again."""

    def __init__(self, address: str) -> None:
        host, port = address.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.port = 0
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []

    def open(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def shut(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):  # wakes the accept() waiting in its thread,
                self._listener.shutdown(socket.SHUT_RDWR)  # which close() alone does not
            self._listener.close()
            self._listener = None
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # shut
            server = socket.create_connection(self.upstream)
            self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def _databricks_through_relay(target: Target, options: str) -> tuple[Connector, _Relay]:
    """A Databricks connector to the stand-in through an open local relay (URL ``options``
    appended); skipped on a live account (the relay forwards plain HTTP)."""
    if target.live:
        pytest.skip("the relay forwards to the stand-in's plain HTTP port")
    address = os.environ["PUSHDOWN_STANDIN_DATABRICKS"]
    relay = _Relay(address)
    relay.open()
    through = f"127.0.0.1:{relay.port}"
    args = {**target.connect_args, "_connection_uri": f"http://{through}/cliservice"}
    url = target.url.replace(address, through) + "&" + options
    return open_connector("databricks", url, args), relay


def test_databricks_asks_its_current_catalog_again_after_a_network_fault(
    databricks_target: Target,
    databricks_tables: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A ``current_catalog()`` statement that cannot reach the server (a real refused
    connection: the connection goes through a local relay, shut for that statement; no
    driver retry) is transient: nothing is decided, the read goes on without a catalog, and
    the next read asks again, then keeps to the catalog the server names."""
    conn, relay = _databricks_through_relay(databricks_target, "retries=0")
    try:
        one_by_one = {t: conn.table_schema(t) for t in databricks_tables}
        before = conn.statements
        relay.shut()
        try:
            with caplog.at_level(logging.WARNING, logger="pushdown.engines.databricks"):
                assert conn._session_catalog() is None  # type: ignore[attr-defined]
        finally:
            relay.open()
        assert conn.statements == before + 1
        assert conn.table_schemas(databricks_tables) == one_by_one
        assert conn.statements == before + 3  # current_catalog() again, then GetColumns
        assert conn._session_catalog() == "spark_catalog"  # type: ignore[attr-defined]
        assert conn.statements == before + 3  # answered: not asked a third time
    finally:
        conn.close()
        relay.shut()
    [record] = [r for r in caplog.records if r.name == "pushdown.engines.databricks"]
    assert "asked again on the next read" in record.getMessage(), record.getMessage()


def test_databricks_statement_that_cannot_reach_the_server_is_unreachable(
    databricks_target: Target,
) -> None:
    """A statement of an open Databricks connection whose server cannot be reached any more
    (a real refused connection through a local relay, after the driver's own retry) is an
    ``EngineError`` with ``unreachable`` set, and the connector keeps it as ``down`` (what
    plan() stops asking on): the driver's urllib3 ``MaxRetryError`` chains the refused
    connection.  A SQL error of the reachable server is neither."""
    from pushdown.errors import EngineError

    conn, relay = _databricks_through_relay(databricks_target, "retries=1&connect_timeout=2")
    try:
        with pytest.raises(EngineError) as refused:
            conn.fetch_arrow("SELECT * FROM hconn_no_such_table")
        assert not refused.value.unreachable and conn.down is None
        relay.shut()
        with pytest.raises(EngineError) as dead:
            conn.fetch_arrow("SELECT 1")
        assert dead.value.unreachable, str(dead.value)
        assert conn.down is dead.value
    finally:
        conn.close()
        relay.shut()


def test_databricks_catalog_qualified_tables_are_read_without_get_columns(
    databricks_target: Target,
    databricks_tables: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``GetColumns`` names no catalog, so a catalog-qualified table is read on its own: a
    database whose asked tables are all qualified costs no ``GetColumns`` call (it would
    list the whole database for nothing), just the tables' own reads; qualified and
    unqualified ones together call it for the unqualified ones' prefix only."""
    conn = _databricks(databricks_target)
    try:
        catalog = conn._session_catalog()  # type: ignore[attr-defined]
        assert catalog
        database = conn._database  # type: ignore[attr-defined]
        qualified = [f"{catalog}.{database}.{t}" for t in databricks_tables]
        before = conn.statements
        one_by_one = {t: conn.table_schema(t) for t in qualified}
        each = conn.statements - before
        calls = _columns_calls(conn, monkeypatch)
        before = conn.statements
        assert conn.table_schemas(qualified) == one_by_one
        assert calls == []
        assert conn.statements == before + each
        mixed = [qualified[0], databricks_tables[1]]
        assert conn.table_schemas(mixed) == {
            qualified[0]: one_by_one[qualified[0]],
            databricks_tables[1]: one_by_one[qualified[1]],
        }
        assert calls == [(database, f"{databricks_tables[1]}%")]
    finally:
        conn.close()


def test_get_columns_rows_of_another_catalog_are_left_out() -> None:
    """Databricks names each row's catalog (``TABLE_CAT``, lower case in Unity Catalog); a
    Spark Thrift server names none (its one session catalog): those rows are kept."""
    from pushdown.engines.databricks import rows_of_catalog

    rows = [
        {"TABLE_CAT": "main", "TABLE_NAME": "a"},
        {"TABLE_CAT": "Main", "TABLE_NAME": "b"},
        {"TABLE_CAT": "mainx", "TABLE_NAME": "c"},  # matched by the pattern main_ only
        {"TABLE_CAT": "other", "TABLE_NAME": "d"},
        {"TABLE_CAT": None, "TABLE_NAME": "e"},
        {"TABLE_CAT": "", "TABLE_NAME": "f"},
    ]
    assert [r["TABLE_NAME"] for r in rows_of_catalog(rows, "main")] == ["a", "b", "e", "f"]
    assert rows_of_catalog(rows, None) == rows


def test_get_columns_pattern_is_the_tables_common_prefix() -> None:
    assert name_pattern(["hnet_rt_a", "HNET_RT_b", "hnet_rt_nested"]) == "hnet_rt_%"
    assert name_pattern(["orders"]) == "orders%"
    assert name_pattern(["x", "xy"]) == "x%"
    assert name_pattern(["a", "b"]) == "%"  # nothing shared: the whole database
    assert name_pattern(["ab-c", "ab-d"]) == "ab%"  # up to a character patterns may not hold
    assert name_pattern(["a%b", "a%c"]) == "a%"
    assert name_pattern([]) == "%"


@pytest.mark.parametrize("engine", ["hive", "databricks"])
def test_get_columns_lists_only_the_tables_the_pattern_matches(
    engine: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batched schema read asks ``GetColumns`` for the asked tables' common prefix
    (the pattern the call is given is recorded): a table of the database named otherwise is
    not listed (the server applies the pattern), and the asked ones read as one by one."""
    target: Target = request.getfixturevalue(f"{engine}_target")
    conn = open_connector(engine, target.url, target.connect_args)
    database = f"hconn_gc_{engine[:3]}"
    schema = exp.Table(db=exp.to_identifier(database))
    drop = exp.Drop(kind="SCHEMA", tables=[schema], exists=True, cascade=True)
    run = conn._execute  # type: ignore[attr-defined]
    asked = [f"{database}.pick_a", f"{database}.pick_b"]
    try:
        run(drop.sql(dialect=conn.dialect))
        run(exp.Create(kind="SCHEMA", this=schema.copy()).sql(dialect=conn.dialect))
        for table in [*asked, f"{database}.other"]:
            conn.write_table(table, pa.table({"k": [1]}))
        everything = conn._columns(database)  # type: ignore[attr-defined]
        assert set(everything) == {"pick_a", "pick_b", "other"}
        narrowed = conn._columns(database, name_pattern(["pick_a", "pick_b"]))  # type: ignore[attr-defined]
        assert set(narrowed) == {"pick_a", "pick_b"}
        one_by_one = {t: conn.table_schema(t) for t in asked}
        calls = _columns_calls(conn, monkeypatch)
        assert conn.table_schemas(asked) == one_by_one
        assert calls == [(database, "pick_%")]
    finally:
        run(drop.sql(dialect=conn.dialect))
        conn.close()


def _dead_bigquery(port: int) -> Connector:
    """A BigQuery connection to ``127.0.0.1:port`` that gives up after one second."""
    args = {"api_endpoint": f"http://127.0.0.1:{port}", "anonymous": True}
    args |= {"use_storage_api": False, "connect_timeout": 1, "retries": 0}
    return open_connector("bigquery", "bigquery://test-proj/ds", args)


@pytest.fixture(params=["refused", "no_answer"])
def dead_port(request: pytest.FixtureRequest) -> Any:
    """A local port where nobody listens (connections refused), or one whose listener
    never answers (the request times out)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        if request.param == "no_answer":
            sock.listen(8)  # connections complete in the backlog; nothing reads or answers
            yield port
            return
    yield port  # closed: connecting is refused


def test_bigquery_unreachable_endpoint_stops_the_partitions_queries(
    dead_port: int, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """When the endpoint cannot be reached (refused, or no answer within connect_timeout),
    the first PARTITIONS query's failure stops the others: one deadline waited, not one per
    chunk; every table is left without a catalog count and the stop is logged once."""
    from pushdown.engines import bigquery as bigquery_engine

    monkeypatch.setattr(bigquery_engine, "PARTITIONS_TABLES", 1)  # one query per table
    conn = _dead_bigquery(dead_port)
    asked = ["a", "b", "other.c", "other.d"]  # four chunks over two datasets
    start = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="pushdown.engines.bigquery"):
        rows = conn.catalog_rows(asked)
    elapsed = time.monotonic() - start
    assert rows == {}
    assert conn.statements == 1
    assert elapsed < 2 * conn.options.deadline + 0.5, elapsed  # one deadline (1 s), not four
    [record] = [r for r in caplog.records if r.name == "pushdown.engines.bigquery"]
    message = record.getMessage()
    assert "4 table(s)" in message and "3 PARTITIONS queries not sent" in message, message
    assert f"127.0.0.1:{dead_port}" in message, message


def test_bigquery_errors_tell_unreachable_from_refused_statements(
    bigquery: Any, dead_port: int
) -> None:
    """``EngineError.unreachable`` is what ``catalog_rows`` stops on: set when the endpoint
    was not reached, not when the engine answered with an error."""
    from pushdown.errors import EngineError

    conn, _ = bigquery
    with pytest.raises(EngineError) as refused:
        conn.fetch_arrow("SELECT * FROM `hconn_bad`.t")
    assert not refused.value.unreachable
    with pytest.raises(EngineError) as dead:
        _dead_bigquery(dead_port).fetch_arrow("SELECT 1")
    assert dead.value.unreachable and "gave up reaching" in str(dead.value)


def test_plan_stops_asking_an_unreachable_engine(dead_port: int) -> None:
    """plan() of three tables on an endpoint that cannot be reached (declared columns, so it
    can still plan on defaults): one schema statement and no statistics statement (the
    connector that found its engine unreachable is asked nothing more while planning), not
    one per table, each waiting out the deadline; every table is planned on default
    statistics and explain says why; running the plan sends its statement and fails with the
    typed error."""
    flow = pushdown.Flow()
    flow.connection("bq", "bigquery://test-proj/ds")
    columns = {"k": "bigint", "x": "double"}
    sides = [
        flow.dataset(t, connection="bq", table=t, columns=columns).filter(f"x > {i}", name=f"f{t}")
        for i, t in enumerate(["a", "b", "c"])
    ]
    sides[0].join(sides[1], on=["k"], how="semi", name="ab").join(
        sides[2], on=["k"], how="semi", name="abc"
    )
    args = {"api_endpoint": f"http://127.0.0.1:{dead_port}", "anonymous": True}
    args |= {"use_storage_api": False, "connect_timeout": 1, "retries": 0}
    start = time.monotonic()
    plan = pushdown.plan(flow, connect_args={"bq": args})
    elapsed = time.monotonic() - start
    assert plan.planning_statements["bq"] == {"schema": 1, "statistics": 0}
    assert elapsed < 1.0 + 1.5, elapsed  # one deadline of 1 s, not seven
    for table in ("a", "b", "c"):
        assert plan.placement[table].defaults == ("rows",)
    assert plan.explain().count("default statistics: bq gave none") == 3
    with pytest.raises(pushdown.errors.EngineError) as ran:
        plan.execute()
    assert ran.value.unreachable and "gave up reaching" in str(ran.value)
