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
- statistics: table metadata (``num_rows``, ``num_bytes``);
- validation and bytes-scanned estimates: dry runs (:meth:`BigQueryConnector.dry_run`).

NUMERIC columns come back with BigQuery's fixed scale 9; TIMESTAMP WITH TIME ZONE maps to
TIMESTAMP (always UTC) and a timestamp without zone to DATETIME.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Collection
from typing import Any, TypeVar

import pyarrow as pa
import sqlalchemy as sa
from sqlglot import exp

from pushdown.compilers.ddl import create_table, expires, select_all
from pushdown.compilers.sql import table_ref
from pushdown.engines.base import Connector
from pushdown.engines.options import HostUnreachable, split_options
from pushdown.errors import ConnectionConfigError
from pushdown.local.streams import Arrow, guarded, peeked, write_parquet
from pushdown.profiles import Profile
from pushdown.statistics import TableStats

T = TypeVar("T")
STAGING_EXPIRATION_HOURS = 24.0


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

    def table_stats(
        self, table: str, columns: Collection[str] | None = None, rows: float | None = None
    ) -> TableStats:
        """Rows and bytes from the table's metadata."""
        with self.errors():
            meta = self._get_table(table)
        if meta.num_rows is None:
            return super().table_stats(table)
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
