"""Spark, Databricks and Hive: text reaches the engine as written, uploads survive real Hive's
limits, and the DDL pushdown sends is the one the vendors document.

Run against the Spark Thrift stand-in (Hive, Databricks) and in-process Spark.  What only a real
cluster shows (Hive 2.x refusing expressions in VALUES, TEXTFILE staging tables, Delta's atomic
replace) is pinned by asserting the statements sent, each next to the vendor page that says why.
Every table here is named ``eng_*``: the stand-ins are shared.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pushdown
from pushdown.compilers.ddl import select_all
from pushdown.engines import Connector, open_connector
from pushdown.engines import _open as _open_connector
from pushdown.engines.urls import parse_url
from tests.helpers import rows
from tests.integration.conftest import Target

SPARK_FAMILY = ["hive", "databricks", "spark"]


def _open(engine: str, request: pytest.FixtureRequest) -> tuple[Connector, Target]:
    target: Target = request.getfixturevalue(f"{engine}_target")
    return open_connector(engine, target.url, target.connect_args), target


class Recorder:
    """Every statement a connector sends (it still runs on the engine)."""

    def __init__(self, conn: Connector, monkeypatch: pytest.MonkeyPatch) -> None:
        self.statements: list[str] = []
        original = conn._execute  # type: ignore[attr-defined]

        def execute(sql: str) -> Any:
            self.statements.append(sql)
            return original(sql)

        monkeypatch.setattr(conn, "_execute", execute)


def _drop_output(conn: Connector, table: str) -> None:
    """Drop a table written with write_table (on Spark a saved table, not a view)."""
    if conn.profile.name == "spark":
        conn.fetch_arrow(f"DROP TABLE IF EXISTS {conn._name(table)}")  # type: ignore[attr-defined]
    else:
        conn.drop(table)


@pytest.fixture
def spark_family(request: pytest.FixtureRequest) -> Iterator[tuple[str, Connector, Target]]:
    engine = request.param
    conn, target = _open(engine, request)
    try:
        yield engine, conn, target
    finally:
        conn.close()


# -- #12 item 1: ${...} is not substituted ------------------------------------------------------
# Hive: https://cwiki.apache.org/confluence/display/Hive/LanguageManual+VariableSubstitution
# Spark/Databricks: spark.sql.variable.substitute,
# https://spark.apache.org/docs/latest/configuration.html#runtime-sql-configuration


@pytest.mark.parametrize("spark_family", SPARK_FAMILY, indirect=True)
def test_dollar_brace_text_reaches_the_engine_as_written(
    spark_family: tuple[str, Connector, Target],
) -> None:
    """A literal and a quoted column name holding ``${env:HOME}`` come back as written (the
    server used to put its home folder there), and so do uploaded values and column names."""
    _, conn, _ = spark_family
    got = conn.fetch_arrow("SELECT '${env:HOME}' AS `${system:user.name}`")
    assert got.column_names == ["${system:user.name}"]
    assert got.column(0).to_pylist() == ["${env:HOME}"]
    data = pa.table({"s": ["${env:HOME}", "plain"], "${env:HOME}": [1, 2]})
    conn.write_table("eng_subst", data)
    back = conn.fetch_arrow(select_all("eng_subst", dialect=conn.dialect)).sort_by("s")
    assert back.column_names == ["s", "${env:HOME}"]
    assert back.column("s").to_pylist() == ["${env:HOME}", "plain"]
    _drop_output(conn, "eng_subst")


@pytest.mark.parametrize("engine", SPARK_FAMILY)
def test_dollar_brace_filter_and_literal_run_on_the_engine(
    engine: str, request: pytest.FixtureRequest
) -> None:
    """A filter ``s = '${env:HOME}'`` pushed to the engine finds its row, and a computed
    literal ``'${env:HOME}'`` comes back as written."""
    conn, target = _open(engine, request)
    try:
        conn.write_table("eng_subst_flow", pa.table({"s": ["${env:HOME}", "plain"]}))
    finally:
        conn.close()
    flow = pushdown.Flow()
    flow.connection("wh", target.url)
    source = flow.dataset("src", connection="wh", table="eng_subst_flow")
    source.filter("s = '${env:HOME}'", name="kept").compute(name="out", tag="'${env:HOME}'")
    plan = pushdown.plan(flow, connect_args={"wh": target.connect_args}, forbid=["local"])
    result = plan.execute()["out"]
    assert result.column("s").to_pylist() == ["${env:HOME}"]
    assert result.column("tag").to_pylist() == ["${env:HOME}"]
    conn, _ = _open(engine, request)
    try:
        _drop_output(conn, "eng_subst_flow")
    finally:
        conn.close()


@pytest.mark.parametrize("engine", SPARK_FAMILY)
def test_variable_substitution_is_the_profiles_setting(
    engine: str, request: pytest.FixtureRequest
) -> None:
    """The switch is read from the profile (``[session]`` in ``dialects/<engine>.toml``), not
    hard-coded: with the shipped profile ``'${env:HOME}'`` comes back as written; a profile
    whose session settings say ``true`` makes the engine substitute it again."""
    target: Target = request.getfixturevalue(f"{engine}_target")
    parsed, profile = parse_url(target.url, connection="lake")
    keys = [k for k in profile.session if k.endswith("variable.substitute")]
    assert keys and all(profile.session[k] == "false" for k in keys), profile.session
    for value, verbatim in (("false", True), ("true", False)):
        changed = profile.model_copy(
            update={"session": {**profile.session, **dict.fromkeys(keys, value)}}
        )
        conn = _open_connector("lake", changed, parsed, dict(target.connect_args))
        try:
            got = conn.fetch_arrow("SELECT '${env:HOME}' AS v").column(0).to_pylist()
        finally:
            conn.close()
        assert (got == ["${env:HOME}"]) is verbatim, (value, got)


def test_spark_save_as_table_names_are_identifiers(spark_target: Target, spark: Any) -> None:
    """``saveAsTable`` parses its argument as SQL after substituting ``${...}``: with a
    session setting ``eng_var=eng_victim``, ``eng_${eng_var}`` used to write table
    ``eng_eng_victim``, and ``eng_x --`` table ``eng_x``.  Now the name reaches Spark as quoted
    identifiers with substitution off, and a name that is more than identifiers is refused:
    either way no other table is written (Spark itself refuses ``$`` in a table name)."""
    conn = open_connector("lake", spark_target.url)
    data = pa.table({"v": [1]})
    spark.conf.set("eng_var", "eng_victim")
    try:
        for name in ("eng_${eng_var}", "eng_x --"):
            try:
                conn.write_table(name, data)
            except pushdown.PushdownError:
                pass  # refused: no table written
            else:
                assert spark.catalog.tableExists(conn._name(name))  # type: ignore[attr-defined]
        assert not spark.catalog.tableExists("eng_eng_victim")
        assert not spark.catalog.tableExists("eng_x")
        assert spark.conf.get("spark.sql.variable.substitute") == "true"  # put back
    finally:
        spark.conf.unset("eng_var")


# -- #15 to verify: naive timestamps on Spark stay TIMESTAMP_NTZ, whatever the session's zone ----


def test_spark_naive_timestamps_are_not_read_in_the_session_time_zone(
    spark_target: Target, spark: Any
) -> None:
    """With the user's session in a zone with DST, a wall-clock time that does not exist
    there (2024-03-10 02:30, New York) is uploaded, cast, truncated and fetched as a
    TIMESTAMP_NTZ (Arrow without time zone), never shifted: the uploads and casts follow
    the profile's ``spark.sql.timestampType`` / ``[types] timestamp``
    (https://spark.apache.org/docs/latest/configuration.html#runtime-sql-configuration), and
    DATE_TRUNC, which would read it in the session zone, is lowered without one.  The user's
    settings are left as they were."""
    zone = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "America/New_York")
    try:
        gap = dt.datetime(2024, 3, 10, 2, 30, 45)
        flow = pushdown.Flow()
        flow.connection("lake", spark_target.url)
        src = flow.dataset("eng_ntz", data=pa.table({"ts": pa.array([gap], pa.timestamp("us"))}))
        src.compute(
            {
                "hour": "date_trunc('hour', ts)",
                "second": "date_trunc('second', ts)",
                "week": "date_trunc('week', ts)",
                "cast": "CAST(CAST(ts AS DATE) AS TIMESTAMP)",
                "same": "ts",
            },
            name="out",
        )
        plan = pushdown.plan(flow, pin={"out": "lake"})
        out = plan.execute()["out"]
        assert spark.conf.get("spark.sql.session.timeZone") == "America/New_York"
        assert spark.conf.get("spark.sql.timestampType") == "TIMESTAMP_LTZ"  # put back
    finally:
        spark.conf.set("spark.sql.session.timeZone", zone)
    for name in ("hour", "second", "week", "cast", "same"):
        assert out.schema.field(name).type == pa.timestamp("us"), out.schema
    assert out.to_pylist() == [
        {
            "ts": gap,
            "hour": dt.datetime(2024, 3, 10, 2),
            "second": gap,
            "week": dt.datetime(2024, 3, 4),
            "cast": dt.datetime(2024, 3, 10),
            "same": gap,
        }
    ]


# -- Hive results keep their declared DECIMAL precision and scale -------------------------------


def test_hive_decimals_keep_the_declared_precision(hive_target: Target) -> None:
    """PyHive's description names DECIMAL without precision or scale; the connector reads
    them from HiveServer2's result metadata (the type qualifiers of GetResultSetMetadata:
    https://cwiki.apache.org/confluence/display/Hive/HiveServer2+Clients), so a result is
    typed as declared: not widened to 38 digits, not typed from the values (1.5 is not
    decimal(2, 1)), an all-NULL column not null-typed, an empty result not text."""
    conn = open_connector("lake", hive_target.url, hive_target.connect_args)
    query = (
        "SELECT CAST(1.5 AS DECIMAL(10, 2)) AS a, CAST(NULL AS DECIMAL(5, 1)) AS b, "
        "CAST(-123456789.123 AS DECIMAL(38, 10)) AS c, CAST(7 AS DECIMAL(3, 0)) AS d"
    )
    try:
        got = conn.fetch_arrow(query)
        empty = conn.fetch_arrow(query + " WHERE 1 = 0")
    finally:
        conn.close()
    want = [pa.decimal128(10, 2), pa.decimal128(5, 1), pa.decimal128(38, 10), pa.decimal128(3, 0)]
    assert got.schema.types == want, got.schema
    assert empty.schema.types == want, empty.schema
    assert got.to_pylist() == [
        {
            "a": decimal.Decimal("1.50"),
            "b": None,
            "c": decimal.Decimal("-123456789.1230000000"),
            "d": decimal.Decimal("7"),
        }
    ]


# -- #15 item 5 and the TEXTFILE question: Hive uploads ------------------------------------------

AWKWARD = pa.table(
    {
        "k": pa.array([1, 2, 3, 4], pa.int64()),
        "s": pa.array(["two\nlines", "a\x01b", "\\N", None]),
        "d": pa.array([dt.date(2024, 2, 29), None, dt.date(1999, 12, 31), dt.date(2000, 1, 1)]),
        "ts": pa.array(
            [
                dt.datetime(2024, 1, 1, 12, 30),
                None,
                dt.datetime(2000, 1, 1),
                dt.datetime(1970, 1, 1),
            ],
            pa.timestamp("us"),
        ),
        "dec": pa.array(
            [decimal.Decimal("12345678901234567.12"), None, decimal.Decimal("-0.01"), None],
            pa.decimal128(38, 2),
        ),
        "f": pa.array([0.1, float("nan"), None, 1e300], pa.float64()),
    }
)


def _same(back: pa.Table, want: pa.Table) -> None:
    got = rows(back.sort_by("k"))
    expected = rows(want)
    for g, e in zip(got, expected, strict=True):
        for x, y in zip(g, e, strict=True):
            if isinstance(x, float) and x != x:
                assert y != y
            else:
                assert x == y, (got, expected)


def test_hive_upload_is_insert_select_stack_into_parquet(
    hive_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hive 2.x rejects a CAST (NULL, date, timestamp) in ``INSERT ... VALUES``
    ("Expression of type TOK_FUNCTION not supported in insert/values";
    https://cwiki.apache.org/confluence/display/Hive/LanguageManual+DML#LanguageManualDML-InsertingvaluesintotablesfromSQL):
    the rows go as ``INSERT INTO t SELECT stack(n, CAST(...), ...)``
    (https://cwiki.apache.org/confluence/display/Hive/LanguageManual+UDF#LanguageManualUDF-stack).
    A table without STORED AS is TEXTFILE on Hive, where a newline splits a row, \\x01 a
    column and \\N reads as NULL
    (https://cwiki.apache.org/confluence/display/Hive/LanguageManual+DDL#LanguageManualDDL-StorageFormats):
    every table pushdown creates is STORED AS PARQUET.  The values come back exact."""
    conn = open_connector("lake", hive_target.url, hive_target.connect_args)
    recorder = Recorder(conn, monkeypatch)
    try:
        conn.upload("eng_awkward", AWKWARD)
        creates = [s for s in recorder.statements if s.startswith("CREATE")]
        inserts = [s for s in recorder.statements if s.startswith("INSERT")]
        assert creates and all(s.endswith("STORED AS PARQUET") for s in creates), creates
        assert inserts and all(" SELECT STACK(4, " in s for s in inserts), inserts
        assert not any("VALUES" in s for s in inserts)
        assert (
            "CAST(NULL AS TIMESTAMP)" in inserts[0] and "CAST('2024-02-29' AS DATE)" in inserts[0]
        )
        _same(conn.fetch_arrow(select_all("eng_awkward", dialect="hive")), AWKWARD)
        conn.materialize("eng_awkward_copy", select_all("eng_awkward", dialect="hive"))
        assert recorder.statements[-1].startswith(
            "CREATE TABLE `eng_awkward_copy` STORED AS PARQUET AS"
        )
        _same(conn.fetch_arrow(select_all("eng_awkward_copy", dialect="hive")), AWKWARD)
        conn.write_table("eng_awkward_out", AWKWARD)  # an output: staged, then renamed
        _same(conn.fetch_arrow(select_all("eng_awkward_out", dialect="hive")), AWKWARD)
        for table in ("eng_awkward", "eng_awkward_copy", "eng_awkward_out"):
            conn.drop(table)
    finally:
        conn.close()


def test_hive_load_dir_writes_int96_timestamps(hive_target: Target, tmp_path: Path) -> None:
    """Hive before 4 cannot read pyarrow's INT64 Parquet timestamps ("LongWritable cannot be
    cast to TimestampWritable", https://github.com/apache/parquet-java/issues/2505): the staged
    file's timestamps are INT96, what Hive writes itself; the table round-trips."""
    from pushdown.engines import hive

    seen: list[str] = []
    original = hive.write_parquet

    def spy(data: Any, where: Any, **kwargs: Any) -> int:
        written = original(data, where, **kwargs)
        parquet = pq.ParquetFile(where)
        seen.append(parquet.schema.column(parquet.schema_arrow.get_field_index("ts")).physical_type)
        return written

    args = {**hive_target.connect_args, "load_dir": str(tmp_path / "staged")}
    conn = open_connector("lake", hive_target.url, args)
    try:
        hive.write_parquet = spy  # type: ignore[assignment]
        conn.upload("eng_int96", AWKWARD)
    finally:
        hive.write_parquet = original  # type: ignore[assignment]
    try:
        assert seen == ["INT96"]
        _same(conn.fetch_arrow(select_all("eng_int96", dialect="hive")), AWKWARD)
        conn.drop("eng_int96")
    finally:
        conn.close()


# -- Databricks outputs and timestamps -------------------------------------------------------------


def test_databricks_output_is_create_or_replace(
    databricks_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Databricks replaces a Delta table atomically with ``CREATE OR REPLACE TABLE ... AS
    SELECT`` (readers see the old or the new table, never none:
    https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-ddl-create-table-using.html),
    so an output is written that way and not by drop + rename.  The stand-in's tables are not
    Delta, so its refusal (UNSUPPORTED_FEATURE.TABLE_OPERATION) takes the drop + rename path,
    as a real workspace does for a non-Delta table; the data is right either way.  Naive
    timestamps are created TIMESTAMP_NTZ
    (https://docs.databricks.com/en/sql/language-manual/data-types/timestamp-ntz-type.html)."""
    conn = open_connector("dbx", databricks_target.url, databricks_target.connect_args)
    recorder = Recorder(conn, monkeypatch)
    try:
        conn.write_table("eng_dbx_out", AWKWARD)
        conn.write_table("eng_dbx_out", AWKWARD)  # replaces the first
        creates = [s for s in recorder.statements if s.startswith("CREATE TABLE")]
        assert creates and "`ts` TIMESTAMP_NTZ" in creates[0], creates
        assert "STORED AS" not in creates[0]
        assert any(
            re.fullmatch(
                r"CREATE OR REPLACE TABLE `eng_dbx_out` AS SELECT \* FROM "
                r"`eng_dbx_out__pushdown_new_[0-9a-f]{8}`",
                s,
            )
            for s in recorder.statements
        ), recorder.statements
        back = conn.fetch_arrow(select_all("eng_dbx_out", dialect="databricks"))
        assert back.num_rows == AWKWARD.num_rows
        _same(back, AWKWARD)
        conn.drop("eng_dbx_out")
    finally:
        conn.close()


# -- #13: arrays, structs and maps stream from HiveServer2 in the plan's types -------------------

NESTED_ROWS = 25_000  # 3 fetches of FETCH_ROWS (10,000)
NESTED_TABLE = "eng_nested_stream"
NESTED_QUERY = (
    "SELECT id, array(id, id + 1) AS arr, "
    "named_struct('a', id, 'b', concat('q\"', cast(id AS STRING), '\\\\n'), "
    "'d', CAST(id / 100 AS DECIMAL(10, 2)), "
    "'t', date_add(DATE '2024-01-01', CAST(id % 300 AS INT))) AS st, "
    "map(id, concat('v', cast(id AS STRING))) AS mi, "
    "map('k', CAST(id AS DECIMAL(12, 2))) AS md, "
    "IF(id % 7 = 0, NULL, array(CAST(id AS DOUBLE) / 4)) AS maybe "
    f"FROM range({NESTED_ROWS})"
)


def _nested_row(i: int) -> dict[str, Any]:
    """What NESTED_QUERY gives for id ``i``, as Python values."""
    return {
        "id": i,
        "arr": [i, i + 1],
        "st": {
            "a": i,
            "b": f'q"{i}\\n',  # a quote and a backslash, which Spark does not escape
            "d": decimal.Decimal(i) / 100,
            "t": dt.date(2024, 1, 1) + dt.timedelta(days=i % 300),
        },
        "mi": [(i, f"v{i}")],
        "md": [("k", decimal.Decimal(i).quantize(decimal.Decimal("0.01")))],
        "maybe": None if i % 7 == 0 else [i / 4],
    }


@pytest.fixture(scope="module")
def nested_table(hive_target: Target) -> Iterator[pa.Schema]:
    """NESTED_TABLE on the Hive stand-in; yields its schema as the connector describes it."""
    conn = open_connector("lake", hive_target.url, hive_target.connect_args)
    try:
        conn.fetch_arrow(f"DROP TABLE IF EXISTS {NESTED_TABLE}")
        conn.fetch_arrow(f"CREATE TABLE {NESTED_TABLE} STORED AS PARQUET AS {NESTED_QUERY}")
        yield conn.table_schema(NESTED_TABLE)
        conn.drop(NESTED_TABLE)
    finally:
        conn.close()


def test_hive_nested_columns_stream_in_the_declared_types(
    hive_target: Target, nested_table: pa.Schema
) -> None:
    """HiveServer2 sends arrays, structs and maps as text without their element types; given
    the schema the plan expects (here DESCRIBE's), the connector reads them batch by batch
    into exactly those types: a map with integer keys (``{0:"v0"}``, not JSON), Spark's
    unquoted dates, a decimal kept exact, a string holding a quote and a backslash (Spark's
    Thrift server, asked with GetInfo, writes them unescaped: read as they are; Hive's
    escaped text is read in tests/test_hive_text.py).  Without the schema the result is
    fetched whole and typed from the values as JSON, which this text is not: a typed
    EngineError."""
    want = nested_table
    assert want.field("mi").type == pa.map_(pa.int64(), pa.string()), want
    assert want.field("st").type.field("d").type == pa.decimal128(10, 2), want
    conn = open_connector("lake", hive_target.url, hive_target.connect_args)
    try:
        sql = f"SELECT * FROM {NESTED_TABLE} ORDER BY id"
        reader = conn.fetch_batches(sql, expect=want)
        assert reader.schema == want, reader.schema
        batches = list(reader)
        with pytest.raises(pushdown.EngineError, match="JSONDecodeError"):
            conn.fetch_batches(sql)  # no types given: the values are not JSON
    finally:
        conn.close()
    assert len(batches) >= 3, [b.num_rows for b in batches]  # streamed, not fetched whole
    got = pa.Table.from_batches(batches, schema=want)
    assert got.num_rows == NESTED_ROWS
    for i in (0, 1, 7, 9_999, 10_000, NESTED_ROWS - 1):
        assert got.slice(i, 1).to_pylist() == [_nested_row(i)], i


def test_hive_nested_source_moved_to_local_keeps_its_types(
    hive_target: Target, nested_table: pa.Schema
) -> None:
    """End to end: a flow reads the Hive table and a step pinned local needs its nested
    columns; the run streams them over in the plan's types and the result is right."""
    flow = pushdown.Flow()
    flow.connection("lake", hive_target.url)
    src = flow.dataset("src", connection="lake", table=NESTED_TABLE)
    src.filter("id % 1000 = 7", name="sparse")
    plan = pushdown.plan(
        flow, connect_args={"lake": hive_target.connect_args}, pin={"sparse": "local"}
    )
    out = plan.execute()["sparse"].sort_by("id")
    assert out.schema == nested_table, out.schema
    assert out.to_pylist() == [_nested_row(i) for i in range(7, NESTED_ROWS, 1000)]


def test_databricks_nested_text_streams_in_the_declared_types(
    databricks_target: Target, nested_table: pa.Schema
) -> None:
    """The Databricks connector against a server that sends complex values as text (the
    Spark Thrift stand-in; a SQL warehouse sends native Arrow): read chunk by chunk in the
    types the plan expects instead of fetching the whole result."""
    conn = open_connector("dbx", databricks_target.url, databricks_target.connect_args)
    try:
        reader = conn.fetch_batches(
            f"SELECT * FROM {NESTED_TABLE} WHERE id < 30000 ORDER BY id", expect=nested_table
        )
        assert reader.schema == nested_table, reader.schema
        batches = list(reader)
    finally:
        conn.close()
    got = pa.Table.from_batches(batches, schema=nested_table)
    assert got.num_rows == NESTED_ROWS
    assert len(batches) >= 2, [b.num_rows for b in batches]
    for i in (0, 7, NESTED_ROWS - 1):
        assert got.slice(i, 1).to_pylist() == [_nested_row(i)], i
