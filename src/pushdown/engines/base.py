"""The connector contract every engine implements.

A connector runs SQL where the data lives and speaks Arrow at its edges: it fetches results as
``pyarrow.Table``, reads table schemas, and writes Arrow into a table atomically.  Every
driver error leaves as :class:`~pushdown.errors.EngineError` carrying the engine name and the
failing SQL, with credentials redacted.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator

import pyarrow as pa

from pushdown.errors import EngineError, PushdownError
from pushdown.profiles import Profile


class Connector(ABC):
    """One open connection to an engine, named as in the flow."""

    def __init__(self, name: str, profile: Profile):
        self.name = name
        self.profile = profile

    @property
    def dialect(self) -> str:
        """The sqlglot dialect this engine's SQL is generated in."""
        return self.profile.dialect

    @abstractmethod
    def fetch_arrow(self, sql: str) -> pa.Table:
        """Run a query and return its result as Arrow."""

    @abstractmethod
    def table_schema(self, table: str) -> pa.Schema:
        """The Arrow schema of ``table``."""

    @abstractmethod
    def write_table(self, table: str, data: pa.Table) -> None:
        """Replace ``table`` with ``data`` atomically: on failure the old table is untouched."""

    def write_tables(self, tables: dict[str, pa.Table]) -> None:
        """Replace several tables; engines with transactional DDL do it all-or-nothing."""
        for table, data in tables.items():
            self.write_table(table, data)

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    @contextlib.contextmanager
    def errors(self, sql: str | None = None) -> Iterator[None]:
        """Turn any driver exception raised inside into an :class:`EngineError`."""
        try:
            yield
        except PushdownError:
            raise
        except Exception as err:
            message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise EngineError(self.name, f"{type(err).__name__}: {message}", sql=sql) from err
