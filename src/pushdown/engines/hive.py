"""Apache Hive through PyHive (``hive://user@host:10000/database?auth=...``).

HiveServer2 has no Arrow path: rows are fetched in batches (``fetchmany``) and converted to
Arrow record batches with the types the server's result metadata names (PyHive returns DATE
as text; it is parsed here; a DECIMAL's precision and scale, which PyHive's description
drops, are read from the same metadata's type qualifiers).  Uploads create the table from the
Arrow schema ``STORED AS PARQUET`` and insert batches of rows as ``INSERT INTO t SELECT
stack(n, CAST(v AS type), ...)`` with literals built by sqlglot (Hive 2.x refuses anything
but constants in ``INSERT ... VALUES``); with ``load_dir`` one Parquet file is loaded
instead.  Hive has no transactional DDL: an output is written to a staging table and renamed
over the old one, which leaves a short window without the table.  Sessions are opened by
:mod:`pushdown.engines.hive_session` (the profile's session settings, bounded connect).
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import json
import uuid
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
import sqlglot
from sqlglot import exp

from pushdown.compilers.ddl import (
    create_table,
    create_table_as,
    ddl_type,
    drop_table,
    rename_table,
    select_all,
    stored_as,
)
from pushdown.compilers.sql import table_ref
from pushdown.engines import hive_session
from pushdown.engines.base import staging_name
from pushdown.engines.hive_catalog import SPARK_STATS as _SPARK_STATS
from pushdown.engines.hive_catalog import HiveCatalog
from pushdown.engines.hive_text import (
    declared_decimals,
    is_complex,
    read_value,
    readable,
    spark_server,
)
from pushdown.engines.options import split_options
from pushdown.errors import UnsupportedError
from pushdown.local.streams import Arrow, as_reader, batches, guarded, write_parquet
from pushdown.profiles import Profile
from pushdown.statistics import TableStats
from pushdown.types import sql_to_arrow

FETCH_ROWS = 10_000
INSERT_ROWS = 500

_TYPES: dict[str, pa.DataType] = {
    "BOOLEAN_TYPE": pa.bool_(),
    "TINYINT_TYPE": pa.int8(),
    "SMALLINT_TYPE": pa.int16(),
    "INT_TYPE": pa.int32(),
    "BIGINT_TYPE": pa.int64(),
    "FLOAT_TYPE": pa.float32(),
    "DOUBLE_TYPE": pa.float64(),
    "STRING_TYPE": pa.string(),
    "VARCHAR_TYPE": pa.string(),
    "CHAR_TYPE": pa.string(),
    "DATE_TYPE": pa.date32(),
    "TIMESTAMP_TYPE": pa.timestamp("us"),
    "BINARY_TYPE": pa.binary(),
}


DECIMAL = "DECIMAL_TYPE"  # precision and scale: the result metadata's qualifiers (below)
# Arrays, structs and maps arrive as JSON text without their element types: parsed, and the
# Arrow type inferred from the values (a documented conversion; see docs/engines.md).
NESTED_TYPES = {"ARRAY_TYPE", "STRUCT_TYPE", "MAP_TYPE"}
NESTED = pa.null()  # marker type for "parse the JSON, infer the type"
# Marker type (compared by identity) for a DECIMAL declared without precision: its values are
# read as decimals, the type inferred from them.
UNSIZED = pa.decimal128(38, 0)


def _convert(value: Any, arrow: pa.DataType | None, escaped: bool = True) -> Any:
    if value is None or arrow is None:
        return value
    if pa.types.is_decimal(arrow):
        return decimal.Decimal(str(value))
    if arrow == NESTED and isinstance(value, str):
        return json.loads(value)
    if is_complex(arrow) and isinstance(value, str):
        return read_value(value, arrow, escaped=escaped)
    if pa.types.is_date(arrow) and isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if pa.types.is_timestamp(arrow) and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def _expected(found: pa.DataType | None, expected: pa.DataType) -> pa.DataType | None:
    """The type to read a column as when the result metadata leaves it open (``found``:
    None, ``NESTED`` or ``UNSIZED``) and the plan expects ``expected``: that type where the
    text or the values can be read as it, else ``found`` (typed from the values)."""
    if found is NESTED:
        return expected if is_complex(expected) and readable(expected) else found
    if found is UNSIZED:
        return expected if pa.types.is_decimal(expected) else found
    return found


def _literal(value: Any, arrow: pa.DataType, *, dialect: str = "hive") -> exp.Expr:
    """A literal for one Arrow value, cast to the column's type: ``stack`` wants one type per
    column across rows, and a cast from text keeps decimals, floats, dates and timestamps
    exact."""
    column = ddl_type(arrow, dialect=dialect)
    if value is None:
        return exp.Cast(this=exp.null(), to=column)
    if pa.types.is_list(arrow) or pa.types.is_large_list(arrow):
        items = [_literal(v, arrow.value_type, dialect=dialect) for v in value]
        return exp.Cast(this=exp.Array(expressions=items), to=column)
    if pa.types.is_struct(arrow):  # positional, then cast: Hive has no named struct literal
        fields = [_literal(value.get(f.name), f.type, dialect=dialect) for f in arrow]
        return exp.Cast(this=exp.Struct(expressions=fields), to=column)
    if isinstance(value, bool):
        return exp.Cast(this=exp.Boolean(this=value), to=column)
    if isinstance(value, int):
        return exp.Cast(this=exp.Literal.number(str(value)), to=column)
    if isinstance(value, float) and value != value:
        text = "NaN"
    elif isinstance(value, float) and abs(value) == float("inf"):
        text = "Infinity" if value > 0 else "-Infinity"
    elif isinstance(value, float | decimal.Decimal):
        text = repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, bytes):
        return exp.Cast(this=exp.Unhex(this=exp.Literal.string(value.hex())), to=column)
    else:
        text = str(value)
    return exp.Cast(this=exp.Literal.string(text), to=column)


def insert_rows(table: str, rows: list[list[exp.Expr]], *, dialect: str) -> str:
    """``INSERT INTO table SELECT stack(n, row1..., row2..., ...)``.

    Hive 2.x writes ``INSERT ... VALUES`` rows to a temporary text file and accepts only
    constants there ("Expression of type TOK_FUNCTION not supported in insert/values"), so a
    NULL, a date or a timestamp -- each a CAST -- cannot go in VALUES; a SELECT may hold any
    expression (https://cwiki.apache.org/confluence/display/Hive/LanguageManual+DML#LanguageManualDML-InsertingvaluesintotablesfromSQL),
    and the ``stack`` table-generating function turns one SELECT into n rows, in one
    compiled statement rather than n UNION ALL branches
    (https://cwiki.apache.org/confluence/display/Hive/LanguageManual+UDF#LanguageManualUDF-stack;
    every value of a column has the column's type, as stack requires)."""
    values = [value for row in rows for value in row]
    generator = exp.Stack(this=exp.Literal.number(len(rows)), expressions=values)
    return exp.insert(exp.select(generator), table_ref(table, dialect=dialect)).sql(dialect=dialect)


def _described_stats(described: pa.Table) -> tuple[float, float | None] | None:
    """(rows, bytes) from a ``DESCRIBE FORMATTED`` result, or None when not computed."""
    params: dict[str, str] = {}
    for row in described.to_pylist():
        cells = [str(v).strip() for v in row.values() if v is not None]
        if len(cells) >= 2 and cells[0] == "Statistics":  # Spark, Databricks
            match = _SPARK_STATS.search(cells[1])
            if match and match.group(2):
                return float(match.group(2)), float(match.group(1))
        for key, value in itertools.pairwise(cells):  # Hive's table parameters
            if key in ("numRows", "totalSize"):
                params[key] = value
    rows = params.get("numRows", "")
    if rows.isdigit():  # Hive says -1 when statistics were never computed
        size = params.get("totalSize", "")
        return float(rows), float(size) if size.isdigit() else None
    return None


def _same_decimals(batches: list[pa.RecordBatch]) -> list[pa.RecordBatch]:
    """One decimal type per column across batches: the declared one where every batch has
    it, else (types inferred from values) the widest scale seen, 38 digits."""
    schema = batches[0].schema
    fields = []
    for i, field in enumerate(schema):
        kinds = [b.schema.field(i).type for b in batches]
        decimals = [k for k in kinds if pa.types.is_decimal(k)]
        if decimals and len(set(kinds)) > 1:
            field = field.with_type(pa.decimal128(38, max(k.scale for k in decimals)))
        fields.append(field)
    target = pa.schema(fields)
    return [b if b.schema.equals(target) else b.cast(target) for b in batches]


class HiveConnector(HiveCatalog):
    """A HiveServer2 endpoint."""

    load_dir: Path | None = None  # see __init__: uploads through LOAD DATA when set
    # Tables pushdown creates are Parquet: a table without STORED AS is TEXTFILE
    # (hive.default.fileformat), where a value holding a newline splits its row, \x01 splits
    # its column and the text \N reads back as NULL
    # (https://cwiki.apache.org/confluence/display/Hive/LanguageManual+DDL#LanguageManualDDL-StorageFormats).
    STORAGE: str | None = "PARQUET"
    _prefixed = False  # result column names carry their table's alias (see __init__)
    _spark: bool | None = None  # a Spark Thrift server (see _escaped), once asked

    def __init__(
        self,
        name: str,
        profile: Profile,
        url: sa.engine.URL,
        connect_args: dict[str, Any] | None = None,
    ):
        super().__init__(name, profile)
        url, args, self.options = split_options(url, connect_args, connection=name)
        # A folder both this client and HiveServer2 see (the same host, or a shared mount):
        # uploads go there as Parquet and into the table with LOAD DATA LOCAL INPATH.
        load_dir = args.pop("load_dir", None)
        self.load_dir: Path | None = Path(load_dir) if load_dir else None
        with self.errors():
            self.con, settings = hive_session.connect(url, args, self.options, profile.session)
        # Names come prefixed with their table's alias unless the server took the setting.
        self._prefixed = "hive.resultset.use.unique.column.names" not in settings
        self._database = url.database or "default"  # where unqualified tables are

    def _column_name(self, described: str) -> str:
        return described.split(".", 1)[-1] if self._prefixed and "." in described else described

    def _properties(self) -> list[exp.Expr]:
        return [stored_as(self.STORAGE)] if self.STORAGE else []

    def _execute(self, sql: str) -> Any:
        cursor = self.con.cursor()
        cursor.execute(sql)
        return cursor

    def _types(self, cursor: Any, expect: pa.Schema | None = None) -> list[pa.DataType | None]:
        """The Arrow type of each result column: the metadata's type, a DECIMAL with its
        declared precision and scale (:func:`declared_decimals`), ``NESTED`` (parse the JSON),
        ``UNSIZED`` (a DECIMAL declared without them) or None (unknown): the last three typed
        from the values, unless ``expect`` (the plan's schema of the result, by position)
        gives the type: a complex one read from the text by it (:mod:`.hive_text`), a decimal
        one holding every value exactly or failing."""
        description = cursor.description or []
        kinds = [str(d[1]) for d in description]
        declared = declared_decimals(cursor) if DECIMAL in kinds else []
        declared += [None] * (len(kinds) - len(declared))
        types = [
            (declared[i] or UNSIZED)
            if kind == DECIMAL
            else NESTED
            if kind in NESTED_TYPES
            else _TYPES.get(kind)
            for i, kind in enumerate(kinds)
        ]
        if expect is None or len(expect) != len(types):
            return types
        return [
            _expected(t, expect.field(i).type) if t is None or t is NESTED or t is UNSIZED else t
            for i, t in enumerate(types)
        ]

    def _escaped(self) -> bool:
        """Whether this server escapes the strings inside complex values (Hive) or not
        (Spark's Thrift server: :func:`.hive_text.spark_server`), asked once."""
        if self._spark is None:
            self._spark = spark_server(self.con)
        return not self._spark

    def _counts_rows(self) -> bool:
        """Only Spark's Thrift server reports row counts in ``SHOW TABLE EXTENDED``."""
        return not self._escaped()

    def _batches(self, cursor: Any, types: list[pa.DataType | None]) -> Iterator[pa.RecordBatch]:
        names = [self._column_name(d[0]) for d in cursor.description or []]
        escaped = not any(t is not None and is_complex(t) for t in types) or self._escaped()
        while True:
            rows = cursor.fetchmany(FETCH_ROWS)
            if not rows:
                return
            columns = [
                [_convert(row[i], types[i], escaped) for row in rows] for i in range(len(names))
            ]
            arrays = [
                pa.array(col) if t is None or t is NESTED or t is UNSIZED else pa.array(col, type=t)
                for col, t in zip(columns, types, strict=True)
            ]
            yield pa.RecordBatch.from_arrays(arrays, names=names)

    def _read_stats(
        self, table: str, columns: Collection[str] | None, rows: float | None
    ) -> TableStats:
        """Rows and bytes from ``DESCRIBE FORMATTED`` when the engine has computed them
        (Hive's ``numRows``/``totalSize`` table parameters; Spark's and Databricks'
        ``Statistics: N bytes, M rows`` after ``ANALYZE TABLE``); otherwise ``COUNT(*)``.
        (When :meth:`catalog_rows` read the table's count, its size came from the same
        statement: :meth:`table_stats` answers without asking.)"""
        describe = exp.Describe(this=table_ref(table, dialect=self.dialect), style="FORMATTED")
        found = _described_stats(self.fetch_arrow(describe.sql(dialect=self.dialect)))
        if found is not None:
            return TableStats(rows=found[0], bytes=found[1], source="DESCRIBE FORMATTED")
        return self._count_stats(table)

    def fetch_rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run ``sql`` and fetch Python rows (DB-API; also what ``fetch_arrow`` converts)."""
        with self.errors(sql):
            rows: list[tuple[Any, ...]] = self._execute(sql).fetchall()
        return rows

    def fetch_arrow(self, sql: str) -> pa.Table:
        """Run ``sql``; convert the fetched rows to Arrow batch by batch, with the types the
        result metadata declares (a value a declared DECIMAL cannot hold is an error, never
        rounded)."""
        with self.errors(sql):
            return self._table(self._execute(sql))

    def _table(self, cursor: Any) -> pa.Table:
        types = self._types(cursor)
        batches = list(self._batches(cursor, types))
        if batches:
            return pa.Table.from_batches(_same_decimals(batches))
        return self._schema(cursor, types).empty_table()

    def _schema(self, cursor: Any, types: list[pa.DataType | None]) -> pa.Schema:
        description = cursor.description or []
        return pa.schema(
            [
                (self._column_name(d[0]), pa.string() if t is None or t is NESTED else t)
                for d, t in zip(description, types, strict=True)
            ]
        )

    def fetch_batches(self, sql: str, *, expect: pa.Schema | None = None) -> pa.RecordBatchReader:
        """Run ``sql`` and stream its rows, ``FETCH_ROWS`` at a time, each converted to an
        Arrow record batch with the declared types.  Arrays, structs and maps (sent as text)
        and a DECIMAL declared without precision take their type from ``expect`` (the plan's
        schema of the result); a column whose Arrow type is then known only from its values
        (no ``expect``, a binary inside a complex value, a type without a fixed mapping)
        makes the result fetched whole and typed from its values."""
        with self.errors(sql):
            cursor = self._execute(sql)
            types = self._types(cursor, expect)
            if any(t is None or t is NESTED or t is UNSIZED for t in types):
                return as_reader(self._table(cursor))
            schema = self._schema(cursor, types)
        return guarded(
            schema,
            (
                b if b.schema.equals(schema) else b.cast(schema)
                for b in self._batches(cursor, types)
            ),
            lambda: self.errors(sql, counted=False),
            finish=cursor.close,
        )

    def table_schema(self, table: str) -> pa.Schema:
        """The Arrow schema of ``table`` from ``DESCRIBE`` (result metadata lacks decimal
        precision and scale); only when a type is one sqlglot cannot read is a zero-row
        result's metadata asked as well."""
        describe = exp.Describe(this=table_ref(table, dialect=self.dialect))
        rows = self.fetch_arrow(describe.sql(dialect=self.dialect)).to_pylist()
        declared: dict[str, pa.DataType | None] = {}
        for row in rows:
            name, kind = (str(v) if v is not None else "" for v in list(row.values())[:2])
            if not name or name.startswith("#"):
                break  # partition and detail sections follow the columns
            try:
                declared[name] = sql_to_arrow(exp.DataType.build(kind, dialect=self.dialect))
            except (sqlglot.errors.ParseError, ValueError):
                declared[name] = None
        if declared and all(t is not None for t in declared.values()):
            return pa.schema([(n, t) for n, t in declared.items() if t is not None])
        fallback = self.fetch_arrow(select_all(table, dialect=self.dialect, limit=0)).schema
        return pa.schema([f.with_type(declared.get(f.name) or f.type) for f in fallback])

    def _upload(self, table: str, data: Arrow) -> None:
        """``CREATE TABLE`` from the Arrow schema, then ``INSERT`` batches of rows (a reader
        is consumed batch by batch); with ``load_dir``, a Parquet file and ``LOAD DATA``
        instead."""
        if self.load_dir is not None:
            self._load_data(table, data)
            return
        self._check_insertable(data.schema)
        self.drop(table)
        ddl = create_table(table, data.schema, dialect=self.dialect, properties=self._properties())
        with self.errors(ddl):
            self._execute(ddl)
        types = data.schema.types
        for batch in batches(data, INSERT_ROWS):
            rows = [
                [self._literal(v, t) for v, t in zip(row.values(), types, strict=True)]
                for row in batch.to_pylist()
            ]
            if not rows:
                continue
            sql = self._insert(table, rows)
            with self.errors(sql[:2000]):
                self._execute(sql)

    def _literal(self, value: Any, arrow: pa.DataType) -> exp.Expr:
        return _literal(value, arrow, dialect=self.dialect)

    def _check_insertable(self, schema: pa.Schema) -> None:
        """Refuse columns whose values the profile says an INSERT cannot carry
        (``[types] insert_unsupported``: Hive has no complex-type literals), before any
        table is created."""
        refused = set(self.profile.types.insert_unsupported)
        for field in schema:
            kind = ddl_type(field.type, dialect=self.dialect).this.name
            if kind in refused:
                raise UnsupportedError(
                    f"{self.profile.name} ({self.name})",
                    f"uploading column {field.name!r} of type {kind}",
                    f"{self.profile.name} has no {kind} literals for INSERT; give the "
                    'connection connect_args={"load_dir": <a folder the server reads>} (the '
                    "data is then loaded as a Parquet file), or "
                    "turn the column into text (e.g. to_json) in a prepare step first",
                )

    def _insert(self, table: str, rows: list[list[exp.Expr]]) -> str:
        return insert_rows(table, rows, dialect=self.dialect)

    def _load_data(self, table: str, data: Arrow) -> None:
        """Write ``data`` as Parquet under ``load_dir``, create ``table`` stored as Parquet
        with the same columns, and ``LOAD DATA LOCAL INPATH`` the file into it (the server
        copies it; our file is removed afterwards).

        Timestamps are written as INT96, the encoding Hive itself writes: Hive before 4.0
        cannot read pyarrow's INT64 timestamps ("LongWritable cannot be cast to
        TimestampWritable": https://github.com/apache/parquet-java/issues/2505; Hive's
        Parquet support: https://cwiki.apache.org/confluence/display/Hive/Parquet)."""
        assert self.load_dir is not None
        self.drop(table)
        statement = create_table(
            table, data.schema, dialect=self.dialect, properties=[stored_as("PARQUET")]
        )
        with self.errors(statement):
            self._execute(statement)
        self.load_dir.mkdir(parents=True, exist_ok=True)
        path = self.load_dir / f"{table}-{uuid.uuid4().hex}.parquet"
        try:
            write_parquet(data, path, use_deprecated_int96_timestamps=True)
            load = exp.LoadData(
                this=table_ref(table, dialect=self.dialect),
                local=True,
                inpath=exp.Literal.string(str(path.resolve())),
            )
            sql = load.sql(dialect=self.dialect)
            with self.errors(sql):
                self._execute(sql)
        finally:
            path.unlink(missing_ok=True)

    def materialize(self, table: str, sql: str) -> None:
        """``CREATE TABLE table STORED AS PARQUET AS <sql>`` (Hive has no CREATE OR
        REPLACE)."""
        self.drop(table)
        statement = create_table_as(
            table,
            sqlglot.parse_one(sql, read=self.dialect),
            dialect=self.dialect,
            replace=False,
            properties=self._properties(),
        )
        with self.errors(statement):
            self._execute(statement)

    def drop(self, table: str) -> None:
        """``DROP TABLE IF EXISTS table``."""
        sql = drop_table(table, dialect=self.dialect)
        with self.errors(sql):
            self._execute(sql)

    def write_table(self, table: str, data: Arrow) -> None:
        """Load a staging table completely, then drop the old table and rename the new one."""
        staging = staging_name(table)
        self.upload(staging, data)
        self.drop(table)
        sql = rename_table(staging, table, dialect=self.dialect)
        with self.errors(sql):
            self._execute(sql)

    def close(self) -> None:
        """Close the connection."""
        self.con.close()
