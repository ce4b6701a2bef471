"""Apache Spark through pyspark: ``spark://local[2]`` runs an in-process session (or reuses
the active one); Arrow in with ``createDataFrame`` and out with ``toArrow``.

Transfers land in temporary views, shared steps are materialised with ``CACHE TABLE``, and
outputs are written with ``saveAsTable`` (overwrite).
"""

from __future__ import annotations

import os
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
import sqlglot
from sqlglot import exp

from pushdown.compilers.ddl import select_all
from pushdown.compilers.sql import table_ref
from pushdown.engines.base import Connector
from pushdown.errors import ConnectionConfigError
from pushdown.profiles import Profile
from pushdown.statistics import TableStats


def _session(url: sa.engine.URL) -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConnectionConfigError(
            "spark:// connections need pyspark; install it with: pip install 'pushdown[spark]'"
        ) from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    master = url.host or "local[2]"
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (
        SparkSession.builder.master(master)
        .appName("pushdown")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
    )
    for key, value in url.query.items():
        builder = builder.config(key, value if isinstance(value, str) else value[0])
    return builder.getOrCreate()


class SparkConnector(Connector):
    """A Spark SQL session."""

    def __init__(self, name: str, profile: Profile, url: sa.engine.URL):
        super().__init__(name, profile)
        with self.errors():
            self.spark = _session(url)

    def fetch_arrow(self, sql: str) -> pa.Table:
        """Run ``sql`` and return Spark's Arrow result."""
        with self.errors(sql):
            table: pa.Table = self.spark.sql(sql).toArrow()
            return table

    def table_schema(self, table: str) -> pa.Schema:
        """The Arrow schema of ``table`` (a zero-row result)."""
        return self.fetch_arrow(select_all(table, dialect=self.dialect, limit=0)).schema

    def table_stats(self, table: str) -> TableStats:
        """Row count and Spark's size estimate of the table's plan."""
        with self.errors():
            df = self.spark.table(table)
            rows = float(df.count())
            size = df._jdf.queryExecution().optimizedPlan().stats().sizeInBytes()
        return TableStats(rows=rows, bytes=float(str(size)), source=self.name)

    def _upload(self, table: str, data: pa.Table) -> None:
        """Make ``data`` readable as the temporary view ``table``."""
        with self.errors():
            self.spark.createDataFrame(data).createOrReplaceTempView(table)

    def materialize(self, table: str, sql: str) -> None:
        """``CACHE TABLE table AS <sql>``: computed once, kept in the session."""
        query = sqlglot.parse_one(sql, read="spark")
        statement = exp.Cache(this=table_ref(table, dialect="spark"), expression=query).sql(
            dialect="spark"
        )
        with self.errors(statement):
            self.spark.sql(statement)

    def drop(self, table: str) -> None:
        """Uncache and drop the temporary view ``table``."""
        statement = exp.Uncache(this=table_ref(table, dialect="spark"), exists=True).sql(
            dialect="spark"
        )
        with self.errors(statement):
            self.spark.sql(statement)
            self.spark.catalog.dropTempView(table)

    def write_table(self, table: str, data: pa.Table) -> None:
        """Overwrite ``table`` (a Spark table) with ``data``."""
        with self.errors():
            self.spark.createDataFrame(data).write.mode("overwrite").saveAsTable(table)

    def load_parquet(self, table: str, path: str) -> None:
        """A temporary view over the file: Spark reads the Parquet itself, nothing copied."""
        with self.errors():
            self.spark.read.parquet(path).createOrReplaceTempView(table)

    def cancel(self) -> None:
        """Cancel every running Spark job of the session."""
        self.spark.sparkContext.cancelAllJobs()

    def close(self) -> None:
        """Leave the session running: it is shared by the process."""
