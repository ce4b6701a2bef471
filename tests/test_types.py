"""Arrow -> engine DDL -> Arrow round trips through the real connectors of the engines that run
in-process here (DuckDB, Spark), including binary, time zones and nested types.  The
warehouse stand-ins' round trips are in tests/integration/test_warehouses.py."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pytest

from pushdown.compilers.ddl import select_all
from pushdown.engines import open_connector
from tests.helpers import rows

UTC = dt.UTC

TABLE = pa.table(
    {
        "i8": pa.array([1, None, -3], pa.int8()),
        "i64": pa.array([2**40, None, -1], pa.int64()),
        "dec": pa.array(
            [decimal.Decimal("12.345"), None, decimal.Decimal("-0.001")], pa.decimal128(12, 3)
        ),
        "f32": pa.array([1.5, None, -2.25], pa.float32()),
        "s": pa.array(["a", None, "日本"]),
        "bin": pa.array([b"\x00\x01", None, b"xyz"], pa.binary()),
        "b": pa.array([True, None, False]),
        "d": pa.array([dt.date(2024, 2, 29), None, dt.date(1970, 1, 1)], pa.date32()),
        "ts": pa.array(
            [
                dt.datetime(2024, 1, 1, 12, 30, 15, 123456),
                None,
                dt.datetime(1999, 12, 31, 23, 59, 59),
            ],
            pa.timestamp("us"),
        ),
        "tstz": pa.array(
            [
                dt.datetime(2024, 1, 1, 12, 0, tzinfo=UTC),
                None,
                dt.datetime(2000, 6, 1, 0, 0, tzinfo=UTC),
            ],
            pa.timestamp("us", tz="UTC"),
        ),
        "arr": pa.array([[1, 2], None, []], pa.list_(pa.int64())),
        "st": pa.array(
            [{"x": 1, "y": "a"}, None, {"x": None, "y": "b"}],
            pa.struct([("x", pa.int64()), ("y", pa.string())]),
        ),
    }
)


def _values(table: pa.Table) -> list[tuple[object, ...]]:
    return rows(table)


def _same_type(a: pa.DataType, b: pa.DataType) -> bool:
    """Equal types, ignoring a list's child field name and the spelling of UTC."""
    if pa.types.is_list(a) and pa.types.is_list(b):
        return _same_type(a.value_type, b.value_type)
    if pa.types.is_timestamp(a) and pa.types.is_timestamp(b):
        utc = {"UTC", "Etc/UTC", "+00:00"}
        return (
            a.unit == b.unit and (a.tz in utc) == (b.tz in utc) and (a.tz is None) == (b.tz is None)
        )
    return bool(a == b)


def test_duckdb_round_trip_keeps_every_type(tmp_path: object) -> None:
    conn = open_connector("wh", f"duckdb:///{tmp_path}/types.db")
    try:
        conn.upload("types", TABLE)
        back = conn.fetch_arrow(select_all("types", dialect="duckdb"))
    finally:
        conn.close()
    assert back.column_names == TABLE.column_names
    for field in TABLE.schema:
        assert _same_type(back.schema.field(field.name).type, field.type), field.name
    assert _values(back) == _values(TABLE)


@pytest.mark.spark
def test_spark_round_trip(spark: object) -> None:
    """Every value comes back, nested and binary ones included.  Spark's TIMESTAMP is
    zone-aware (the session time zone is UTC): a zone-less timestamp comes back as the same
    instant, which is the declared conversion (the comparison is on instants)."""
    conn = open_connector("sp", "spark://local[2]")
    try:
        conn.upload("types_rt", TABLE)
        back = conn.fetch_arrow(select_all("types_rt", dialect="spark"))
    finally:
        conn.drop("types_rt")
        conn.close()
    assert back.column_names == TABLE.column_names
    assert _values(back) == _values(TABLE)
    assert pa.types.is_list(back.schema.field("arr").type)
    assert pa.types.is_struct(back.schema.field("st").type)
