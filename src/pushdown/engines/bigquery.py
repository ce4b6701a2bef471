"""BigQuery through google-cloud-bigquery (the client sqlalchemy-bigquery wraps).

URL: ``bigquery://PROJECT/DATASET``.  ``connect_args`` may carry a ready ``client``, or an
``api_endpoint`` (with ``anonymous: true`` for an emulator), and ``use_storage_api`` (default
true: results come through the BigQuery Storage Read API as Arrow; false: REST pages, also
converted to Arrow by the client).

- results: ``QueryJob.to_arrow``;
- uploads: ``CREATE TABLE`` from the Arrow schema, then a Parquet load job;
- statistics: table metadata (``num_rows``, ``num_bytes``);
- validation and bytes-scanned estimates: dry runs (:meth:`BigQueryConnector.dry_run`).

NUMERIC columns come back with BigQuery's fixed scale 9; TIMESTAMP WITH TIME ZONE maps to
TIMESTAMP (always UTC) and a timestamp without zone to DATETIME.
"""

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from pushdown.compilers.ddl import create_table, select_all
from pushdown.compilers.sql import table_ref
from pushdown.engines.base import Connector
from pushdown.errors import ConnectionConfigError
from pushdown.profiles import Profile
from pushdown.statistics import TableStats


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

        args = dict(connect_args or {})
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

    def _query(self, sql: str) -> Any:
        with self.errors(sql):
            return self.client.query(sql, job_config=self._config()).result()

    def fetch_arrow(self, sql: str) -> pa.Table:
        """Run ``sql`` and return its rows as Arrow (Storage Read API when enabled)."""
        with self.errors(sql):
            job = self.client.query(sql, job_config=self._config())
            table: pa.Table = job.to_arrow(create_bqstorage_client=self.use_storage_api)
        return table

    def fetch_rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run ``sql`` and fetch Python rows (the REST row pages)."""
        with self.errors(sql):
            job = self.client.query(sql, job_config=self._config())
            return [tuple(row.values()) for row in job.result()]

    def dry_run(self, sql: str) -> int:
        """Validate ``sql`` without running it; returns the bytes it would scan."""
        with self.errors(sql):
            job = self.client.query(
                sql, job_config=self._config(dry_run=True, use_query_cache=False)
            )
            return int(job.total_bytes_processed or 0)

    def table_schema(self, table: str) -> pa.Schema:
        """The Arrow schema of ``table`` (a zero-row result)."""
        return self.fetch_arrow(select_all(table, dialect="bigquery", limit=0)).schema

    def table_stats(self, table: str) -> TableStats:
        """Rows and bytes from the table's metadata."""
        with self.errors():
            meta = self.client.get_table(self._table_id(table))
        if meta.num_rows is None:
            return super().table_stats(table)
        return TableStats(
            rows=float(meta.num_rows), bytes=float(meta.num_bytes or 0) or None, source=self.name
        )

    def _upload(self, table: str, data: pa.Table) -> None:
        """``CREATE TABLE`` from the Arrow schema, then load a Parquet file into it."""
        self.drop(table)
        self._query(create_table(table, data.schema, dialect="bigquery"))
        if data.num_rows == 0:
            return
        buffer = io.BytesIO()
        pq.write_table(data, buffer)
        buffer.seek(0)
        config = self._bigquery.LoadJobConfig(
            source_format="PARQUET", write_disposition="WRITE_TRUNCATE"
        )
        with self.errors(f"LOAD DATA INTO {self._table_id(table)} (parquet)"):
            self.client.load_table_from_file(
                buffer, self._table_id(table), job_config=config
            ).result()

    def drop(self, table: str) -> None:
        """Delete ``table`` if it exists."""
        with self.errors():
            self.client.delete_table(self._table_id(table), not_found_ok=True)

    def execute(self, sql: str) -> None:
        """Run a statement that returns no rows."""
        self._query(sql)

    def write_table(self, table: str, data: pa.Table) -> None:
        """Staging table, then ``CREATE OR REPLACE TABLE ... AS SELECT``: BigQuery applies it
        atomically."""
        self.replace_from_staging(table, data)

    def close(self) -> None:
        """Close the client's HTTP session."""
        self.client.close()
