"""Apache Spark through pyspark: ``spark://local[2]`` runs an in-process session (or reuses
the active one); Arrow in with ``createDataFrame`` and out with ``toArrow``.

Transfers land in temporary views, shared steps are materialised with ``CACHE TABLE``, and
outputs are written with ``saveAsTable`` (overwrite).

The profile's session settings (``[session]`` in ``dialects/spark.toml``, each next to its
vendor page) hold while pushdown's statements are parsed and run, its uploads converted and its
results fetched: the session is shared with the user, so each is set around pushdown's own
calls and the session's value put back afterwards.  Among them ``spark.sql.variable.substitute
= false``: Spark replaces ``${...}`` in SQL text (and in the table names ``saveAsTable``,
``spark.table`` and ``createOrReplaceTempView`` parse) before parsing it unless it is false.
Names are passed to the DataFrame API as quoted identifiers, so no name is read as SQL.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Collection, Iterator
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
import sqlglot
from sqlglot import exp

from pushdown.compilers.ddl import select_all
from pushdown.compilers.sql import table_ref
from pushdown.engines.base import Connector
from pushdown.errors import ConnectionConfigError, FlowError
from pushdown.local.streams import Arrow, as_reader, guarded, parquet_reader, write_parquet
from pushdown.profiles import Profile
from pushdown.statistics import TableStats


def _session(url: sa.engine.URL) -> Any:
    """The process's Spark session: the active one, else the running one (its settings left
    as the user made them, but for those the URL names), else a new local one."""
    try:
        from pyspark import SparkContext
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConnectionConfigError(
            "spark:// connections need pyspark; install it with: pip install 'pushdown[spark]'"
        ) from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder
    # Another thread's session has no active session here: getOrCreate returns it, applying
    # only the builder's settings (so none of the defaults below reach a user's session).
    if SparkContext._active_spark_context is None:
        master = url.host or "local[2]"
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (
            builder.master(master)
            .appName("pushdown")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.session.timeZone", "UTC")
        )
    for key, value in url.query.items():
        builder = builder.config(key, value if isinstance(value, str) else value[0])
    return builder.getOrCreate()


# A result Spark estimates larger than this is not collected by toArrow but streamed.
COLLECT_BYTES = 64 * 2**20


def _estimated_bytes(frame: Any) -> float:
    """Spark's optimizer estimate of a DataFrame's size (infinite when it has none)."""
    try:
        size = frame._jdf.queryExecution().optimizedPlan().stats().sizeInBytes()
        return float(str(size))
    except Exception:  # an estimate is an optimisation: without one, stream
        return float("inf")


_SETTINGS = threading.RLock()  # one switch of the shared session's settings at a time


class SparkConnector(Connector):
    """A Spark SQL session."""

    def __init__(self, name: str, profile: Profile, url: sa.engine.URL):
        super().__init__(name, profile)
        self._files: dict[str, list[str]] = {}  # Parquet folders of streamed uploads
        with self.errors():
            self.spark = _session(url)

    @contextlib.contextmanager
    def _verbatim(self, **settings: str) -> Iterator[None]:
        """The profile's session settings (and any other ``settings``, keys with dots written
        as ``__``) while pushdown's statements and names are parsed and run; the session's
        own values are put back afterwards."""
        wanted = {**self.profile.session, **{k.replace("__", "."): v for k, v in settings.items()}}
        with _SETTINGS:
            conf = self.spark.conf
            before = {key: conf.get(key, None) for key in wanted}
            for key, value in wanted.items():
                conf.set(key, value)
            try:
                yield
            finally:
                for key, value in before.items():
                    if value is None:
                        conf.unset(key)
                    else:
                        conf.set(key, value)

    def _sql(self, statement: str) -> Any:
        with self._verbatim():
            return self.spark.sql(statement)

    def _name(self, table: str) -> str:
        """``table`` as quoted identifiers (`a`.`b`): what the DataFrame API parses back.  A
        name that is more than its parts (``x --``, ``x; y``) is refused."""
        ref = table_ref(table, dialect="spark")
        quoted = ref.sql(dialect="spark")
        if table not in (".".join(part.name for part in ref.parts), quoted):
            raise FlowError(
                f"table name {table!r} on connection {self.name!r} is not a table name "
                f"(it reads as {quoted}); use letters, digits and _, dots between parts"
            )
        return quoted

    def fetch_arrow(self, sql: str) -> pa.Table:
        """Run ``sql`` and return Spark's Arrow result."""
        with self.errors(sql), self._verbatim():
            table: pa.Table = self._sql(sql).toArrow()
            return table

    def fetch_batches(self, sql: str, *, expect: pa.Schema | None = None) -> pa.RecordBatchReader:
        """Run ``sql`` and stream its result.  ``toArrow`` collects a whole result in the
        driver, so a result Spark's optimizer estimates above ``COLLECT_BYTES`` is written
        by the session to Parquet part files in a temporary folder (a local session shares
        this machine's disk) and read back a batch at a time, cast to the Arrow schema
        ``toArrow`` gives; the folder is removed when the stream ends.  Part files are
        numbered in the result's partition order, so an ordered result stays ordered."""
        with self.errors(sql):
            frame = self._sql(sql)
            local = str(self.spark.sparkContext.master).startswith("local")
            if not local or _estimated_bytes(frame) <= COLLECT_BYTES:
                return as_reader(frame.toArrow())
            schema = frame.limit(0).toArrow().schema
            folder = tempfile.mkdtemp(prefix="pushdown-spark-")
            parts = os.path.join(folder, "result")
            try:
                # Timestamps as INT64 microseconds, read back with their UTC adjustment:
                # https://spark.apache.org/docs/latest/sql-data-sources-parquet.html#configuration
                with self._verbatim(spark__sql__parquet__outputTimestampType="TIMESTAMP_MICROS"):
                    frame.write.parquet(parts)
                files = sorted(f for f in os.listdir(parts) if f.endswith(".parquet"))
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise

        def stream() -> Iterator[pa.RecordBatch]:
            for name in files:
                for batch in parquet_reader(os.path.join(parts, name)):
                    yield batch.cast(schema) if batch.schema != schema else batch

        return guarded(
            schema,
            stream(),
            lambda: self.errors(sql, counted=False),
            finish=lambda: shutil.rmtree(folder, ignore_errors=True),
        )

    def table_schema(self, table: str) -> pa.Schema:
        """The Arrow schema of ``table`` (a zero-row result)."""
        return self.fetch_arrow(select_all(table, dialect=self.dialect, limit=0)).schema

    def _read_stats(
        self, table: str, columns: Collection[str] | None, rows: float | None
    ) -> TableStats:
        """Row count and Spark's size estimate of the table's plan."""
        with self.errors():
            with self._verbatim():
                df = self.spark.table(self._name(table))
            rows = float(df.count())
            size = df._jdf.queryExecution().optimizedPlan().stats().sizeInBytes()
        return TableStats(rows=rows, bytes=float(str(size)), source=self.name)

    def _upload(self, table: str, data: Arrow) -> None:
        """Make ``data`` readable as the temporary view ``table``: a table through
        ``createDataFrame``; a reader is written batch by batch to a Parquet file the view
        reads (removed when the view is dropped)."""
        if isinstance(data, pa.Table):
            with self.errors(), self._verbatim():
                self.spark.createDataFrame(data).createOrReplaceTempView(self._name(table))
            return
        path = self._spill(table, data)
        self.load_parquet(table, path)

    def _spill(self, table: str, data: Arrow) -> str:
        """Write ``data`` to a Parquet file kept until ``table`` is dropped."""
        folder = tempfile.mkdtemp(prefix="pushdown-spark-")
        path = os.path.join(folder, "data.parquet")
        self._files.setdefault(table, []).append(folder)
        write_parquet(data, path)
        return path

    def materialize(self, table: str, sql: str) -> None:
        """``CACHE TABLE table AS <sql>``: computed once, kept in the session."""
        query = sqlglot.parse_one(sql, read="spark")
        statement = exp.Cache(this=table_ref(table, dialect="spark"), expression=query).sql(
            dialect="spark"
        )
        with self.errors(statement):
            self._sql(statement)

    def drop(self, table: str) -> None:
        """Uncache and drop the temporary view ``table``."""
        ref = table_ref(table, dialect="spark")
        statement = exp.Uncache(this=ref, exists=True).sql(dialect="spark")
        with self.errors(statement):
            self._sql(statement)
            self.spark.catalog.dropTempView(ref.name)  # the view's name as is, not parsed
        for folder in self._files.pop(table, []):
            shutil.rmtree(folder, ignore_errors=True)

    def write_table(self, table: str, data: Arrow) -> None:
        """Overwrite ``table`` (a Spark table) with ``data`` (a reader goes through a Parquet
        file written batch by batch); the name is passed quoted, so ``x --`` or ``${...}``
        name a table of exactly that name."""
        folder = None
        try:
            with self.errors(), self._verbatim():
                if isinstance(data, pa.Table):
                    frame = self.spark.createDataFrame(data)
                else:
                    folder = tempfile.mkdtemp(prefix="pushdown-spark-")
                    path = os.path.join(folder, "data.parquet")
                    write_parquet(data, path)
                    frame = self.spark.read.parquet(path)
                frame.write.mode("overwrite").saveAsTable(self._name(table))
        finally:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)

    def load_parquet(self, table: str, path: str) -> None:
        """A temporary view over the file: Spark reads the Parquet itself, nothing copied."""
        with self.errors(), self._verbatim():
            self.spark.read.parquet(path).createOrReplaceTempView(self._name(table))

    def cancel(self) -> None:
        """Cancel every running Spark job of the session."""
        self.spark.sparkContext.cancelAllJobs()

    def close(self) -> None:
        """Leave the session running: it is shared by the process; remove the files of
        uploads still in place."""
        for folders in self._files.values():
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)
        self._files.clear()
