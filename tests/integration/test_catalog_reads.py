"""Planning's catalog reads at their edges, on the stand-ins (or live accounts): BigQuery's
``INFORMATION_SCHEMA.PARTITIONS`` counts in chunks of at most ``PARTITIONS_TABLES`` tables,
one failing query leaving the others' counts."""

from __future__ import annotations

import logging
from typing import Any

import pyarrow as pa
import pytest
import sqlglot
from sqlglot import exp

from pushdown.engines import Connector, open_connector
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
