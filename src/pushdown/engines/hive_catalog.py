"""Hive, Spark Thrift and Databricks catalog reads for planning, in few statements: the
schemas of several tables from one HiveServer2 ``GetColumns`` call per database, and their
row counts and sizes from one ``SHOW TABLE EXTENDED`` per database
(:class:`HiveCatalog`, the base of :class:`~pushdown.engines.hive.HiveConnector`)."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

from pushdown.compilers.sql import table_ref
from pushdown.engines.base import Connector
from pushdown.errors import PushdownError
from pushdown.types import sql_to_arrow

SPARK_STATS = re.compile(r"(\d+) bytes(?:, (\d+) rows)?")  # Spark's "Statistics:" line
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]+")  # a table name SHOW TABLE's pattern matches as is
_PLAIN_PREFIX = re.compile(r"[a-z0-9_]*")  # the part of a name a GetColumns pattern keeps


def show_tables_extended(database: str | None, tables: Collection[str], dialect: str) -> str:
    """``SHOW TABLE EXTENDED [IN database] LIKE 't1|t2|...'``: one row per table with its
    ``information`` text (Spark and Databricks: ``Statistics: N bytes, M rows`` once computed,
    and the schema).  ``|`` separates alternatives in the pattern, which matches whole names,
    ignoring case (https://spark.apache.org/docs/latest/sql-ref-syntax-aux-show-table.html,
    https://docs.databricks.com/sql/language-manual/sql-ref-syntax-aux-show-table.html; Hive
    has the statement with its own output, without row counts:
    https://cwiki.apache.org/confluence/display/Hive/LanguageManual+DDL#LanguageManualDDL-ShowTable/PartitionExtended).
    sqlglot has no tree for the statement: the database is an identifier and the pattern a
    string literal, each written by sqlglot."""
    where = f" IN {exp.to_identifier(database).sql(dialect=dialect)}" if database else ""
    pattern = exp.Literal.string("|".join(tables)).sql(dialect=dialect)
    return exp.Command(this="SHOW", expression=f"TABLE EXTENDED{where} LIKE {pattern}").sql(
        dialect=dialect
    )


# The PyHive releases operation_cursor was checked against: pyproject.toml's pin of the
# ``hive`` extra (0.7.0, also the head of github.com/dropbox/PyHive, July 2023).
PYHIVE_CHECKED = (">=0.7", "<0.8")


def operation_cursor(con: Any, handle: Any) -> Any:
    """A PyHive cursor reading the result of the HiveServer2 operation ``handle`` (a
    ``TOperationHandle`` of a metadata call such as ``GetColumns``) on connection ``con``:
    ``fetchall``, ``description`` and ``close`` (which closes the operation) as after
    ``execute``.

    PyHive has no public way to adopt an operation: ``Cursor.execute`` only sends a
    statement (``TExecuteStatementReq``), and its cursor has no metadata calls.  So this sets
    what ``execute`` sets, the cursor's private ``_operationHandle`` and ``_state``
    (``_STATE_RUNNING``), the only place pushdown does so; checked against
    :data:`PYHIVE_CHECKED` (``pyhive/hive.py``, ``Cursor.execute`` and ``_fetch_more``).
    tests/test_hive_catalog.py fails if a PyHive release drops these fields."""
    cursor = con.cursor()
    cursor._operationHandle = handle
    cursor._state = cursor._STATE_RUNNING
    return cursor


def name_pattern(names: Collection[str]) -> str:
    """A ``GetColumns`` table-name pattern matching each of ``names`` (JDBC's pattern: ``%``
    any run of characters, ``_`` any one; a table of the database named otherwise is then
    not listed): their longest common prefix, lower case (the catalogs keep names so and
    match patterns ignoring case), up to its first character other than a letter, digit or
    ``_``, followed by ``%``.  Only ``%`` when they share no prefix (the whole database): a
    JDBC pattern has no alternatives (Databricks documents ``%`` only:
    https://docs.databricks.com/en/dev-tools/python-sql-connector.html#columns-method).
    Rows are checked against the names asked anyway."""
    lowered = [n.lower() for n in names]
    if not lowered:
        return "%"
    first, last = min(lowered), max(lowered)  # what they share, all share
    size = next(
        (i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), len(first)
    )
    plain = _PLAIN_PREFIX.match(first[:size])
    return f"{plain.group(0) if plain else ''}%"


def columns_by_table(rows: list[dict[str, Any]], database: str) -> dict[str, list[tuple[str, str]]]:
    """``GetColumns`` rows (JDBC's column names) as, per table of ``database`` (lower case),
    its columns' names and SQL types in ordinal order.  The call's schema name is a JDBC
    pattern, where ``_`` matches any one character (``sales_db`` also lists ``salesxdb``'s
    tables): only rows whose ``TABLE_SCHEM`` is ``database`` (ignoring case) are kept, and a
    table whose rows repeat a column name or an ordinal (listed twice, by another catalog or
    schema) is left out, to be read on its own."""
    found: dict[str, list[tuple[int, str, str]]] = {}
    unread: set[str] = set()  # a decimal without its precision and scale: read on its own
    for row in rows:
        if str(row.get("TABLE_SCHEM")).lower() != database.lower():
            continue
        table, kind = str(row["TABLE_NAME"]).lower(), str(row["TYPE_NAME"])
        if kind.strip().upper() == "DECIMAL":
            # Hive's HiveServer2 names a decimal's type without them and sends them as
            # COLUMN_SIZE and DECIMAL_DIGITS (Spark's server sends DECIMAL(p,s) whole)
            size, digits = row.get("COLUMN_SIZE"), row.get("DECIMAL_DIGITS")
            if size is None or digits is None:
                unread.add(table)
                continue
            kind = f"DECIMAL({int(size)},{int(digits)})"
        found.setdefault(table, []).append(
            (int(row["ORDINAL_POSITION"] or 0), str(row["COLUMN_NAME"]), kind)
        )
    return {
        t: [(n, k) for _, n, k in sorted(cols, key=lambda c: c[0])]
        for t, cols in found.items()
        if t not in unread
        and len({o for o, _, _ in cols}) == len({n.lower() for _, n, _ in cols}) == len(cols)
    }


class HiveCatalog(Connector):
    """Planning's catalog reads of a HiveServer2 endpoint (Hive, Spark Thrift, Databricks);
    the connector sets ``con`` and ``_database`` (where unqualified tables are)."""

    catalog_source = "SHOW TABLE EXTENDED"  # the statistics catalog_rows reads
    con: Any
    _database: str

    def table_schemas(self, tables: list[str]) -> dict[str, pa.Schema | PushdownError]:
        """The schemas of ``tables`` from one HiveServer2 ``GetColumns`` call per database
        (:meth:`_columns`: the metadata call JDBC's ``DatabaseMetaData.getColumns`` makes,
        which HiveServer2, the Spark Thrift server and Databricks answer; every column of the
        database's tables with its type as SQL text, read here as ``DESCRIBE``'s types are).
        A table the call does not list (a missing one: its own error then), or with a type
        sqlglot cannot read, is asked on its own (:meth:`table_schema`).  A catalog-qualified
        table is always asked on its own (the call does not name a catalog): a database whose
        asked tables all are has no call."""
        if len(tables) < 2:
            return super().table_schemas(tables)
        groups: dict[str, list[tuple[str, exp.Table]]] = {}
        for table in tables:
            ref = table_ref(table, dialect=self.dialect)
            groups.setdefault(ref.db or self._database, []).append((table, ref))
        result: dict[str, pa.Schema | PushdownError] = {}
        for database, refs in groups.items():
            names = [table for table, _ in refs]
            unqualified = [ref.name for _, ref in refs if not ref.catalog]
            if not unqualified:
                result.update(super().table_schemas(names))
                continue
            try:
                listed = self._columns(database, name_pattern(unqualified))
            except PushdownError:
                result.update(super().table_schemas(names))
                continue
            for table, ref in refs:
                columns = listed.get(ref.name.lower()) if not ref.catalog else None
                schema = self._declared_schema(columns) if columns else None
                if schema is None:
                    result.update(super().table_schemas([table]))
                else:
                    result[table] = schema
        return result

    def _declared_schema(self, columns: list[tuple[str, str]]) -> pa.Schema | None:
        """The Arrow schema of (name, SQL type) pairs; None when a type cannot be read."""
        fields = []
        for name, kind in columns:
            try:
                arrow = sql_to_arrow(exp.DataType.build(kind, dialect=self.dialect))
            except (sqlglot.errors.ParseError, ValueError):
                return None
            if arrow is None:
                return None
            fields.append(pa.field(name, arrow))
        return pa.schema(fields)

    def _columns(self, database: str, pattern: str = "%") -> dict[str, list[tuple[str, str]]]:
        """Per table of ``database`` (lower case) whose name matches ``pattern``
        (:func:`name_pattern`), its columns' names and SQL types in order: one
        ``GetColumns`` metadata call (TCLIService's ``TGetColumnsReq``, JDBC's result
        columns ``TABLE_NAME``, ``COLUMN_NAME``, ``TYPE_NAME``, ``ORDINAL_POSITION``;
        https://cwiki.apache.org/confluence/display/Hive/HiveServer2+Clients), fetched
        through a PyHive cursor, and counted as one statement."""
        from TCLIService import ttypes

        label = f"-- GetColumns(schema={database!r}, table={pattern!r})"
        with self.errors(label):
            request = ttypes.TGetColumnsReq(
                sessionHandle=self.con.sessionHandle, schemaName=database, tableName=pattern
            )
            response = self.con.client.GetColumns(request)
            if response.status.statusCode not in (
                ttypes.TStatusCode.SUCCESS_STATUS,
                ttypes.TStatusCode.SUCCESS_WITH_INFO_STATUS,
            ):
                raise RuntimeError(response.status.errorMessage or "GetColumns failed")
            cursor = operation_cursor(self.con, response.operationHandle)
            try:
                names = [d[0] for d in cursor.description or []]
                rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            finally:
                cursor.close()
        return columns_by_table(rows, database)

    def catalog_rows(self, tables: list[str]) -> dict[str, float]:
        """Row counts of ``tables`` from one ``SHOW TABLE EXTENDED`` per database
        (:func:`show_tables_extended`): Spark's and Databricks' ``Statistics: N bytes, M
        rows``, where the engine has computed them; their bytes are kept for
        :meth:`table_stats` (:meth:`_keep_size`).  A table without a count (never analysed;
        Hive's own output has none: the statement is not sent there, see
        :meth:`_counts_rows`) is left out and asked on its own."""
        if not self._counts_rows():
            return {}
        groups: dict[str | None, dict[str, list[str]]] = {}
        for table in tables:
            ref = table_ref(table, dialect=self.dialect)
            if _PLAIN_NAME.fullmatch(ref.name) and not ref.catalog:  # Orders, orders: one
                groups.setdefault(ref.db or None, {}).setdefault(ref.name.lower(), []).append(table)
        found: dict[str, float] = {}
        for database, names in groups.items():
            sql = show_tables_extended(database, sorted(names), self.dialect)
            result = self.fetch_arrow(sql)
            if result.num_columns < 4:  # Hive: one text column, no row counts
                continue
            for row in result.to_pylist():
                name, information = (list(row.values())[i] for i in (1, 3))
                stats = SPARK_STATS.search(
                    next(
                        (
                            line
                            for line in str(information or "").splitlines()
                            if line.startswith("Statistics:")
                        ),
                        "",
                    )
                )
                if stats is None or not stats.group(2):
                    continue
                for known in names.get(str(name).lower(), []):
                    found[known] = float(stats.group(2))
                    self._keep_size(known, float(stats.group(1)))
        return found

    def _counts_rows(self) -> bool:
        """Whether ``SHOW TABLE EXTENDED`` reports row counts here (Spark's and Databricks'
        servers do; Hive's answers one text column without them, after walking the tables'
        files)."""
        return True
