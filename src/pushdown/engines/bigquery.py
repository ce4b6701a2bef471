"""BigQuery through google-cloud-bigquery (the client sqlalchemy-bigquery wraps).

URL: ``bigquery://PROJECT/DATASET``.  ``connect_args`` may carry a ready ``client``, or an
``api_endpoint`` (with ``anonymous: true`` for an emulator), and ``use_storage_api`` (default
true: results come through the BigQuery Storage Read API as Arrow; false: REST pages, also
converted to Arrow by the client).

- results: ``QueryJob.to_arrow``, or streamed with ``to_arrow_iterable``;
- uploads: ``CREATE TABLE`` from the Arrow schema (decimals wider than NUMERIC as BIGNUMERIC,
  naive timestamps as DATETIME), then a Parquet load job given that table's schema
  explicitly and appending to it: a load that truncates takes its schema from the file,
  where BigQuery may read a naive timestamp as TIMESTAMP
  (https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad,
  writeDisposition and schema; https://cloud.google.com/bigquery/docs/loading-data-cloud-storage-parquet);
- the tables a run creates (uploads, materialised steps, output staging) expire by
  themselves after ``staging_expiration_hours`` (``connect_args``, default 24), so a run
  that dies leaves nothing that costs money beyond that
  (https://cloud.google.com/bigquery/docs/reference/standard-sql/data-definition-language#table_option_list,
  ``expiration_timestamp``); outputs are permanent;
- every API call retries transient failures until the connection's deadline
  (``connect_timeout`` times the attempts, see :mod:`pushdown.engines.options`), not the client's
  default ten minutes, and waits ``connect_timeout`` for one HTTP request to be answered;
- schemas: all of a dataset's asked tables in one ``INFORMATION_SCHEMA.COLUMNS`` query
  (:meth:`BigQueryConnector.table_schemas`); statistics: their row counts and sizes in one
  ``INFORMATION_SCHEMA.PARTITIONS`` query per 1,000 tables
  (:meth:`BigQueryConnector.catalog_rows`), else the table's metadata (``num_rows``,
  ``num_bytes``);
- validation and bytes-scanned estimates: dry runs (:meth:`BigQueryConnector.dry_run`).

NUMERIC columns come back with BigQuery's fixed scale 9; TIMESTAMP WITH TIME ZONE maps to
TIMESTAMP (always UTC) and a timestamp without zone to DATETIME.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any, TypeVar

import pyarrow as pa
import sqlalchemy as sa
import sqlglot
from sqlglot import exp

from pushdown.compilers.ddl import create_table, expires, select_all
from pushdown.compilers.sql import table_ref
from pushdown.engines.base import Connector
from pushdown.engines.options import HostUnreachable, split_options
from pushdown.errors import ConnectionConfigError, PushdownError, engine_unreachable
from pushdown.local.streams import Arrow, guarded, peeked, write_parquet
from pushdown.profiles import Profile
from pushdown.statistics import TableStats

T = TypeVar("T")
STAGING_EXPIRATION_HOURS = 24.0
# Tables one INFORMATION_SCHEMA.PARTITIONS query may name: a query over the view is limited
# to 1,000 tables (https://cloud.google.com/bigquery/docs/information-schema-partitions).
PARTITIONS_TABLES = 1000
LOG = logging.getLogger(__name__)


class BigQueryConnector(Connector):
    """One BigQuery project and default dataset."""

    def __init__(
        self,
        name: str,
        profile: Profile,
        url: sa.engine.URL,
        connect_args: dict[str, Any] | None = None,
    ):
        super().__init__(name, profile)
        from google.cloud import bigquery
        from google.cloud.bigquery.retry import DEFAULT_JOB_RETRY, DEFAULT_RETRY

        url, args, self.options = split_options(url, connect_args, connection=name)
        hours = args.pop("staging_expiration_hours", STAGING_EXPIRATION_HOURS)
        try:
            self.staging_hours = float(hours)
            if not self.staging_hours > 0:
                raise ValueError
        except (TypeError, ValueError):
            raise ConnectionConfigError(
                f"connection {name!r}: staging_expiration_hours={hours!r} is not a positive "
                "number of hours"
            ) from None
        self.endpoint = str(args.get("api_endpoint") or "https://bigquery.googleapis.com")
        # Transient failures (connection errors, 429/5xx, rate limits) retried until the
        # deadline, each request answered within connect_timeout.
        self._retry = DEFAULT_RETRY.with_deadline(self.options.deadline)
        self._timeout = self.options.connect_timeout
        # A query whose job fails transiently (backendError, rateLimitExceeded) is run again,
        # within the same deadline; not when it is first sent (the client's insert retry
        # has a ten-minute deadline of its own).
        self._job_retry = DEFAULT_JOB_RETRY.with_deadline(self.options.deadline)
        self.project = url.host or args.get("project")
        self.dataset = (url.database or "").strip("/") or args.get("dataset")
        if not self.project or not self.dataset:
            raise ConnectionConfigError(
                f"connection {name!r}: BigQuery URLs name a project and a dataset: "
                "bigquery://PROJECT/DATASET"
            )
        self.use_storage_api = bool(args.get("use_storage_api", True))
        with self.errors():
            client = args.get("client")
            if client is None:
                options: dict[str, Any] = {"project": self.project}
                if args.get("api_endpoint"):
                    options["client_options"] = {"api_endpoint": args["api_endpoint"]}
                if args.get("anonymous"):
                    from google.auth.credentials import AnonymousCredentials

                    options["credentials"] = AnonymousCredentials()
                client = bigquery.Client(**options)
            self.client = client
        self._bigquery = bigquery

    def _config(self, **kwargs: Any) -> Any:
        return self._bigquery.QueryJobConfig(
            default_dataset=f"{self.project}.{self.dataset}", **kwargs
        )

    def _table_id(self, table: str) -> str:
        ref = table_ref(table, dialect="bigquery")
        return f"{ref.catalog or self.project}.{ref.db or self.dataset}.{ref.name}"

    def _call(self, call: Callable[[], T]) -> T:
        """``call()``; when the retries ran out on an unreachable endpoint, the failure names
        the endpoint (the client's own message does not)."""
        from google.api_core.exceptions import RetryError

        try:
            return call()
        except RetryError as err:
            raise HostUnreachable(
                f"gave up reaching {self.endpoint} after {self.options.deadline:g} s "
                f"(connect_timeout={self.options.connect_timeout:g} s, "
                f"retries={self.options.retries}); last failure: {err.cause!r}"
            ) from None

    def _job(self, sql: str, **config: Any) -> Any:
        return self._call(
            lambda: self.client.query(
                sql,
                job_config=self._config(**config),
                retry=self._retry,
                timeout=self._timeout,
                job_retry=None,
            )
        )

    def _rows(self, job: Any) -> Any:
        return self._call(lambda: job.result(retry=self._retry, job_retry=self._job_retry))

    def _query(self, sql: str) -> Any:
        with self.errors(sql):
            return self._rows(self._job(sql))

    def fetch_arrow(self, sql: str) -> pa.Table:
        """Run ``sql`` and return its rows as Arrow (Storage Read API when enabled)."""
        with self.errors(sql):
            rows = self._rows(self._job(sql))
            table: pa.Table = rows.to_arrow(create_bqstorage_client=self.use_storage_api)
        return table

    def fetch_batches(self, sql: str, *, expect: pa.Schema | None = None) -> pa.RecordBatchReader:
        """Run ``sql`` and stream its rows as Arrow record batches
        (``RowIterator.to_arrow_iterable``: Storage Read API streams when enabled, REST pages
        otherwise); an empty result takes its schema from ``to_arrow``.
        https://cloud.google.com/python/docs/reference/bigquery/latest/google.cloud.bigquery.table.RowIterator#google_cloud_bigquery_table_RowIterator_to_arrow_iterable"""
        with self.errors(sql):
            job = self._job(sql)
            rows = self._rows(job)
            storage = self.client._ensure_bqstorage_client() if self.use_storage_api else None
            schema, source = peeked(
                iter(rows.to_arrow_iterable(bqstorage_client=storage)),
                lambda: self._rows(job).to_arrow(create_bqstorage_client=False).schema,
            )
        return guarded(schema, source, lambda: self.errors(sql, counted=False))

    def fetch_rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run ``sql`` and fetch Python rows (the REST row pages)."""
        with self.errors(sql):
            return [tuple(row.values()) for row in self._rows(self._job(sql))]

    def dry_run(self, sql: str) -> int:
        """Validate ``sql`` without running it; returns the bytes it would scan."""
        with self.errors(sql):
            job = self._job(sql, dry_run=True, use_query_cache=False)
            return int(job.total_bytes_processed or 0)

    def table_schema(self, table: str) -> pa.Schema:
        """The Arrow schema of ``table`` (a zero-row result)."""
        return self.fetch_arrow(select_all(table, dialect="bigquery", limit=0)).schema

    def _by_dataset(self, tables: list[str]) -> dict[tuple[str, str], dict[str, list[str]]]:
        """``tables`` by (project, dataset): each table's name there to the names asked for
        it (``orders`` and ``ds.orders`` may be one table).  The project is split off last:
        a domain-scoped one (``example.com:proj``) holds a dot."""
        groups: dict[tuple[str, str], dict[str, list[str]]] = {}
        for table in tables:
            project, dataset, name = self._table_id(table).rsplit(".", 2)
            groups.setdefault((project, dataset), {}).setdefault(name, []).append(table)
        return groups

    def table_schemas(self, tables: list[str]) -> dict[str, pa.Schema | PushdownError]:
        """The schemas of ``tables`` from one ``INFORMATION_SCHEMA.COLUMNS`` query per
        dataset (https://cloud.google.com/bigquery/docs/information-schema-columns: one row
        per column, its GoogleSQL type as text), each type read back into the field the
        client's own Arrow conversion takes (:func:`_arrow_schema`), so a table's schema is
        the one its zero-row result has (:func:`columns_query`).  A table the view does not
        list (missing: its own error then) or whose types cannot be read is asked on its
        own."""
        if len(tables) < 2:
            return super().table_schemas(tables)
        groups = self._by_dataset(tables)
        result: dict[str, pa.Schema | PushdownError] = {}
        for (project, dataset), names in groups.items():
            query = columns_query(project, dataset, names)
            try:
                rows = self.fetch_arrow(query.sql(dialect="bigquery")).to_pylist()
            except PushdownError as err:
                if engine_unreachable(err):  # nothing more to ask
                    rest = [t for group in groups.values() for ts in group.values() for t in ts]
                    result.update({t: err for t in rest if t not in result})
                    return result
                result.update(super().table_schemas([t for ts in names.values() for t in ts]))
                continue
            columns: dict[str, list[dict[str, Any]]] = {}
            for row in rows:
                columns.setdefault(row["table_name"], []).append(row)
            for name, asked in names.items():
                schema = _arrow_schema(columns[name]) if name in columns else None
                if schema is None:
                    result.update(super().table_schemas(asked))
                else:
                    result.update(dict.fromkeys(asked, schema))
        return result

    def catalog_rows(self, tables: list[str]) -> dict[str, float]:
        """Row counts of ``tables`` from ``INFORMATION_SCHEMA.PARTITIONS``, one query per
        dataset and per ``PARTITIONS_TABLES`` of its tables (:func:`partitions_query`:
        ``total_rows`` and ``total_logical_bytes`` summed over each table's partitions), their
        bytes kept for :meth:`table_stats`.  A query over the view may read at most 1,000
        tables ("INFORMATION_SCHEMA.PARTITIONS query attempted to read too many tables":
        https://cloud.google.com/bigquery/docs/information-schema-partitions), hence the
        chunks.  A table the view does not list is left out (asked on its own), and so are
        the tables of a query that fails: the counts other queries read are kept, and the
        failure is logged (its scrubbed message: no credential).  A failure to reach the
        endpoint (:attr:`EngineError.unreachable <pushdown.errors.EngineError>`: the retries
        ran out on a refused connection or a timeout) stops the queries not sent yet, whose
        tables are left out too: each would wait out the same deadline."""
        found: dict[str, float] = {}
        chunks = list(self._partition_chunks(tables))
        for number, (project, dataset, chunk) in enumerate(chunks):
            query = partitions_query(project, dataset, chunk).sql(dialect="bigquery")
            try:
                rows = self.fetch_arrow(query).to_pylist()
            except PushdownError as err:
                first = (str(err) or type(err).__name__).splitlines()[0]  # scrubbed: errors()
                if engine_unreachable(err):
                    left = sum(len(c) for _, _, c in chunks[number:])
                    LOG.warning(
                        "the catalog row counts of %d table(s) were not read, the remaining "
                        "%d PARTITIONS queries not sent: %s",
                        left,
                        len(chunks) - number - 1,
                        first,
                    )
                    break
                LOG.warning(  # the error's first line, not its SQL
                    "the catalog row counts of %d table(s) of %s.%s were not read (they "
                    "are asked one by one): %s",
                    len(chunk),
                    project,
                    dataset,
                    first,
                )
                continue
            for row in rows:
                if row["total_rows"] is None:
                    continue
                for known in chunk.get(row["table_name"], []):
                    found[known] = float(row["total_rows"])
                    self._keep_size(known, float(row["total_logical_bytes"] or 0) or None)
        return found

    def _partition_chunks(
        self, tables: list[str]
    ) -> Iterator[tuple[str, str, dict[str, list[str]]]]:
        """``tables`` as (project, dataset, names there -> names asked), at most
        ``PARTITIONS_TABLES`` names each."""
        for (project, dataset), names in self._by_dataset(tables).items():
            listed = list(names)
            for start in range(0, len(listed), PARTITIONS_TABLES):
                yield (
                    project,
                    dataset,
                    {n: names[n] for n in listed[start : start + PARTITIONS_TABLES]},
                )

    def _read_stats(
        self, table: str, columns: Collection[str] | None, rows: float | None
    ) -> TableStats:
        """Rows and bytes from the table's metadata (one ``tables.get`` request, counted as a
        statement), where :meth:`catalog_rows` did not read them."""
        self.statements = self.statements + 1  # a round trip like any statement
        with self.errors():
            meta = self._get_table(table)
        if meta.num_rows is None:
            return self._count_stats(table)
        return TableStats(
            rows=float(meta.num_rows), bytes=float(meta.num_bytes or 0) or None, source=self.name
        )

    def _get_table(self, table: str) -> Any:
        table_id = self._table_id(table)
        return self._call(
            lambda: self.client.get_table(table_id, retry=self._retry, timeout=self._timeout)
        )

    def temporary_properties(self) -> list[exp.Expr]:
        """An expiration ``staging_expiration_hours`` from now: BigQuery has no session-bound
        tables outside multi-statement sessions, so a run's tables delete themselves."""
        at = dt.datetime.now(dt.UTC) + dt.timedelta(hours=self.staging_hours)
        return [expires(at)]

    def _upload(self, table: str, data: Arrow) -> None:
        """``CREATE TABLE`` from the Arrow schema (expiring), then load a Parquet file
        (written to a temporary file batch by batch) into it with the table's own schema,
        appending (see the module docstring)."""
        self.drop(table)
        ddl = create_table(
            table, data.schema, dialect="bigquery", properties=self.temporary_properties()
        )
        self._query(ddl)
        if isinstance(data, pa.Table) and data.num_rows == 0:
            return
        with tempfile.TemporaryFile(prefix="pushdown-", suffix=".parquet") as buffer:
            if write_parquet(data, buffer) == 0:
                return
            buffer.seek(0)
            self._load(table, buffer)

    def _load(self, table: str, buffer: Any) -> None:
        """Append the Parquet file open as ``buffer`` to ``table`` (a load job)."""
        with self.errors(f"LOAD DATA INTO {self._table_id(table)} (parquet)"):
            schema = self._get_table(table).schema
            config = self._bigquery.LoadJobConfig(
                source_format="PARQUET", write_disposition="WRITE_APPEND", schema=schema
            )
            job = self._call(
                lambda: self.client.load_table_from_file(
                    buffer, self._table_id(table), job_config=config, timeout=self._timeout
                )
            )
            self._call(lambda: job.result(retry=self._retry))

    def drop(self, table: str) -> None:
        """Delete ``table`` if it exists."""
        table_id = self._table_id(table)
        with self.errors():
            self._call(
                lambda: self.client.delete_table(
                    table_id, not_found_ok=True, retry=self._retry, timeout=self._timeout
                )
            )

    def execute(self, sql: str) -> None:
        """Run a statement that returns no rows."""
        self._query(sql)

    def write_table(self, table: str, data: Arrow) -> None:
        """Staging table, then ``CREATE OR REPLACE TABLE ... AS SELECT``: BigQuery applies it
        atomically."""
        self.replace_from_staging(table, data)

    def close(self) -> None:
        """Close the client's HTTP session."""
        self.client.close()


def columns_query(project: str, dataset: str, tables: Iterable[str]) -> exp.Select:
    """The columns of ``tables`` of ``project.dataset``, in order, from its
    ``INFORMATION_SCHEMA.COLUMNS`` view, without the hidden ones: the view lists the
    pseudo-columns of an ingestion-time partitioned table (``_PARTITIONTIME``,
    ``_PARTITIONDATE``: ``is_hidden`` 'YES', no ``ordinal_position``), which its zero-row
    result does not have (https://cloud.google.com/bigquery/docs/information-schema-columns)."""
    return (
        exp.select("table_name", "column_name", "data_type", "is_nullable")
        .from_(_information_schema(project, dataset, "COLUMNS"))
        .where(
            exp.column("table_name").isin(*map(exp.Literal.string, tables)),
            exp.column("is_hidden").eq(exp.Literal.string("NO")),
        )
        .order_by("table_name", "ordinal_position")
    )


def partitions_query(project: str, dataset: str, tables: Iterable[str]) -> exp.Select:
    """Per table of ``tables`` (at most ``PARTITIONS_TABLES``) of ``project.dataset``, its
    ``total_rows`` and ``total_logical_bytes`` summed over its partitions, from the dataset's
    ``INFORMATION_SCHEMA.PARTITIONS`` view (one row per partition)."""
    return (
        exp.select(
            "table_name",
            exp.alias_(exp.func("SUM", exp.column("total_rows")), "total_rows"),
            exp.alias_(exp.func("SUM", exp.column("total_logical_bytes")), "total_logical_bytes"),
        )
        .from_(_information_schema(project, dataset, "PARTITIONS"))
        .where(exp.column("table_name").isin(*map(exp.Literal.string, tables)))
        .group_by("table_name")
    )


def _information_schema(project: str, dataset: str, view: str) -> exp.Table:
    """The dataset-qualified view ``project.dataset.INFORMATION_SCHEMA.view``."""
    return exp.Table(
        this=exp.to_identifier(view),
        db=exp.to_identifier("INFORMATION_SCHEMA"),
        catalog=exp.to_identifier(f"{project}.{dataset}", quoted=True),
    )


def _schema_field(name: str, data_type: exp.DataType, required: bool = False) -> Any:
    """A client ``SchemaField`` for a column of GoogleSQL type ``data_type`` (parsed by
    sqlglot from the text ``INFORMATION_SCHEMA.COLUMNS`` writes: ``ARRAY<T>``,
    ``STRUCT<a T, ...>``, ``RANGE<T>``, ``NUMERIC(10, 2)``, ``STRING(20)``, ``INT64``)."""
    from google.cloud.bigquery import SchemaField

    mode = "REQUIRED" if required else "NULLABLE"
    if data_type.is_type(exp.DataType.Type.ARRAY):
        inner = _schema_field(name, data_type.expressions[0])
        return SchemaField(name, inner.field_type, mode="REPEATED", fields=inner.fields)
    if data_type.is_type(exp.DataType.Type.STRUCT):
        fields = [_schema_field(c.name, c.args["kind"]) for c in data_type.expressions]
        return SchemaField(name, "RECORD", mode=mode, fields=fields)
    if data_type.is_type(exp.DataType.Type.RANGE):
        element = data_type.expressions[0].sql(dialect="bigquery")
        return SchemaField(name, "RANGE", range_element_type=element)
    # the type's name without its parameters (the client's conversion ignores them)
    return SchemaField(name, exp.DataType(this=data_type.this).sql(dialect="bigquery"), mode=mode)


def _arrow_schema(rows: list[dict[str, Any]]) -> pa.Schema | None:
    """The Arrow schema of ``INFORMATION_SCHEMA.COLUMNS`` rows through the client's own
    BigQuery-to-Arrow conversion (the one ``to_arrow`` applies to a result's schema); None
    when a type is one it cannot convert, or when the client no longer has that conversion
    (``_pandas_helpers`` is the client's private module: then every table is read on its
    own, as before batching)."""
    try:
        from google.cloud.bigquery import _pandas_helpers

        fields = [
            _schema_field(
                r["column_name"],
                exp.DataType.build(r["data_type"], dialect="bigquery"),
                r["is_nullable"] == "NO",
            )
            for r in rows
        ]
        schema = _pandas_helpers.bq_to_arrow_schema(fields)
    except (
        ImportError,
        sqlglot.errors.ParseError,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        IndexError,
    ):
        return None
    return schema if isinstance(schema, pa.Schema) else None
