"""Snowflake planning reads in few round trips: the schemas of several tables in one zero-row
statement, and the catalog's row counts of several tables in one statement (on the fakesnow
stand-in, or a live account)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from pushdown.engines import open_connector
from pushdown.errors import PushdownError
from tests.integration.conftest import Target, prepare_standin

TABLES = {
    "hnet_batch_a": pa.table(
        {
            "k": pa.array([1, 2, 3], pa.int64()),
            "price": pa.array([Decimal("1.50"), None, Decimal("3.25")], pa.decimal128(15, 2)),
            "day": pa.array([dt.date(2020, 1, 1)] * 3, pa.date32()),
        }
    ),
    "hnet_batch_b": pa.table({"k": [1, 2], "name": ["x", None], "score": [0.5, 1.5]}),
    # a column named like the markers the batched statement splits on
    "hnet_batch_odd": pa.table({"__pushdown_table_0": [1], "k": [2]}),
}


def test_schemas_and_row_counts_in_one_statement_each(snowflake_target: Target) -> None:
    if not snowflake_target.live:
        prepare_standin("snowflake", snowflake_target)
    conn = open_connector("sf", snowflake_target.url, snowflake_target.connect_args)
    try:
        for name, table in TABLES.items():
            conn.write_table(name, table)
        one_by_one = {t: conn.table_schema(t) for t in TABLES}
        pair = ["hnet_batch_a", "hnet_batch_b"]
        before = conn.statements
        batched = conn.table_schemas(pair)
        assert conn.statements == before + 1
        for table in pair:
            assert batched[table].equals(one_by_one[table], check_metadata=True)
        # A marker-named column, or a missing table: asked one by one, each error named.
        clash = conn.table_schemas(["hnet_batch_odd", "hnet_batch_a"])
        assert clash["hnet_batch_odd"].equals(one_by_one["hnet_batch_odd"])
        missing = conn.table_schemas(["hnet_batch_a", "hnet_batch_nope"])
        assert missing["hnet_batch_a"].equals(one_by_one["hnet_batch_a"])
        assert isinstance(missing["hnet_batch_nope"], PushdownError)
        assert "hnet_batch_nope" in str(missing["hnet_batch_nope"]).lower()

        before = conn.statements
        rows = conn.catalog_rows([*pair, "hnet_batch_nope"])
        assert conn.statements == before + 1
        assert rows == {"hnet_batch_a": 3.0, "hnet_batch_b": 2.0}
        stats = conn.table_stats("hnet_batch_a", None, rows["hnet_batch_a"])
        assert stats.rows == 3.0 and conn.statements == before + 1  # no statement of its own
    finally:
        for name in TABLES:
            conn.drop(name)
        conn.close()
