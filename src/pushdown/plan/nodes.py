"""Logical plan nodes: immutable relational operators with Arrow output schemas.

One node per dataset.  Expressions are sqlglot trees whose columns are quoted and refer to the
node's input by name (joins qualify them with :data:`LEFT` and :data:`RIGHT`).  Nodes are
dialect-neutral: the compilers turn them into SQL for any engine, the planner decides where
each runs.  Treat the expressions as read-only; copy before changing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar

import pyarrow as pa
from sqlglot import exp

from pushdown.plan.names import engine_name

Named = tuple[tuple[str, exp.Expr], ...]

# The aliases of a join's two inputs inside a Join node and its SQL.  Users never write them:
# a join condition's qualifiers (``left.``, ``right.``, an alias per input, the dataset names)
# are resolved to these when the recipe is lowered (plan/lower/join.py), so a dataset called
# ``l`` or ``r`` cannot be mistaken for a side.  In the SQL they alias the inputs
# (``FROM "r" AS "l" JOIN "l" AS "r"`` is valid), so they cannot collide with table names.
LEFT, RIGHT = "l", "r"

# The columns an expression reads, as (qualifier, name) pairs ("" when unqualified).
Reads = frozenset[tuple[str, str]]


def column_refs(expr: exp.Expr) -> Reads:
    """The columns ``expr`` reads, as (qualifier, name) pairs."""
    return frozenset((c.table, c.name) for c in expr.find_all(exp.Column))


@dataclass(frozen=True, eq=False)
class Node:
    """A dataset of the flow: the recipe that produces it, its inputs and its schema."""

    kind: ClassVar[str] = "node"
    name: str
    recipe: str
    inputs: tuple[str, ...]
    schema: pa.Schema

    def expressions(self) -> Iterator[exp.Expr]:
        """Every expression of this node (for capability checks)."""
        return iter(())

    @property
    def columns(self) -> list[str]:
        """Output column names."""
        return list(self.schema.names)

    @property
    def reads(self) -> tuple[Reads, ...]:
        """Per expression of :meth:`expressions`, in its order, the columns it reads.  The
        estimates, the statistics gathering and the column pruning ask it of every node on
        every pass; the trees are walked once per node (they are read-only).  Kept in the
        instance without a lock (``functools.cached_property`` takes one lock for all
        instances on Python 3.11, which concurrent ``plan()`` calls would share)."""
        kept: tuple[Reads, ...] | None = self.__dict__.get("_reads")
        if kept is None:
            kept = tuple(column_refs(e) for e in self.expressions())
            object.__setattr__(self, "_reads", kept)  # frozen: a cache, not a field
        return kept


@dataclass(frozen=True, eq=False)
class Source(Node):
    """A table on a connection, or a local file or in-memory table (connection ``local``).

    The schema holds the flow's names (what formulas use and results show).  ``stored`` holds,
    column by column, the name the engine has, as its catalog reported it; it is empty when
    the catalog was not read (columns declared and planned offline), and then each engine's
    resolution of the declared name stands for it (:meth:`stored_names`)."""

    kind: ClassVar[str] = "source"
    connection: str = "local"
    table: str | None = None
    path: str | None = None
    stored: tuple[str, ...] = ()

    def stored_names(self, dialect: str | None, *, catalog: bool = True) -> list[str]:
        """Per column, the name to read on ``dialect``'s engine: the catalog's (with
        ``catalog``, when it was read), else the engine's spelling of the flow's name."""
        if catalog and self.stored:
            return list(self.stored)
        return [engine_name(name, dialect) for name in self.schema.names]


@dataclass(frozen=True, eq=False)
class Project(Node):
    """Compute the output columns from the input's (prepare)."""

    kind: ClassVar[str] = "prepare"
    items: Named = ()

    def expressions(self) -> Iterator[exp.Expr]:
        """The projected expressions."""
        return (e for _, e in self.items)


@dataclass(frozen=True, eq=False)
class Filter(Node):
    """Keep rows where ``condition`` is true."""

    kind: ClassVar[str] = "filter"
    condition: exp.Expr = field(default_factory=exp.true)

    def expressions(self) -> Iterator[exp.Expr]:
        """The condition."""
        yield self.condition


@dataclass(frozen=True, eq=False)
class Join(Node):
    """Join ``inputs[0]`` (alias ``l``) with ``inputs[1]`` (alias ``r``).

    ``distinct_right``: a semi join on key equalities written as an inner join with the
    right side's distinct keys (set by the planner, :func:`~pushdown.compilers.sql.
    selective_semi_joins`); the same rows."""

    kind: ClassVar[str] = "join"
    how: str = "inner"
    condition: exp.Expr | None = None
    items: Named = ()
    distinct_right: bool = False

    def expressions(self) -> Iterator[exp.Expr]:
        """The condition and the output columns."""
        if self.condition is not None:
            yield self.condition
        yield from (e for _, e in self.items)

    @property
    def key_pairs(self) -> tuple[tuple[str, str], ...]:
        """The (left, right) column names the condition equates, side by side (found once,
        kept as :attr:`Node.reads` is)."""
        kept: tuple[tuple[str, str], ...] | None = self.__dict__.get("_key_pairs")
        if kept is None:
            keys: list[tuple[str, str]] = []
            for eq in self.condition.find_all(exp.EQ) if self.condition is not None else ():
                a, b = eq.this, eq.expression
                if isinstance(a, exp.Column) and isinstance(b, exp.Column) and a.table != b.table:
                    left, right = (a, b) if a.table == LEFT else (b, a)
                    keys.append((left.name, right.name))
            kept = tuple(keys)
            object.__setattr__(self, "_key_pairs", kept)
        return kept


@dataclass(frozen=True, eq=False)
class Aggregate(Node):
    """Group by ``keys`` and compute ``aggregates`` (group and pivot recipes)."""

    kind: ClassVar[str] = "group"
    keys: tuple[str, ...] = ()
    aggregates: Named = ()

    def expressions(self) -> Iterator[exp.Expr]:
        """The aggregate expressions."""
        return (e for _, e in self.aggregates)


@dataclass(frozen=True, eq=False)
class Window(Node):
    """Append window-function columns (each an ``exp.Window``)."""

    kind: ClassVar[str] = "window"
    items: Named = ()

    def expressions(self) -> Iterator[exp.Expr]:
        """The window expressions."""
        return (e for _, e in self.items)


@dataclass(frozen=True, eq=False)
class Sort(Node):
    """Order rows; the order holds only where this dataset is read as a result."""

    kind: ClassVar[str] = "sort"
    order: tuple[exp.Ordered, ...] = ()

    def expressions(self) -> Iterator[exp.Expr]:
        """The order terms."""
        return iter(self.order)


@dataclass(frozen=True, eq=False)
class TopN(Node):
    """The first ``n`` rows by ``order``, overall or per ``partition``."""

    kind: ClassVar[str] = "top_n"
    n: int = 1
    order: tuple[exp.Ordered, ...] = ()
    partition: tuple[str, ...] = ()

    def expressions(self) -> Iterator[exp.Expr]:
        """The order terms."""
        return iter(self.order)


@dataclass(frozen=True, eq=False)
class Distinct(Node):
    """Distinct rows over the output columns."""

    kind: ClassVar[str] = "distinct"


@dataclass(frozen=True, eq=False)
class Union(Node):
    """Stack the inputs; ``branches[i]`` projects input ``i`` onto the output columns."""

    kind: ClassVar[str] = "stack"
    distinct: bool = False
    branches: tuple[Named, ...] = ()

    def expressions(self) -> Iterator[exp.Expr]:
        """Every branch's projected expressions."""
        return (e for branch in self.branches for _, e in branch)


@dataclass(frozen=True, eq=False)
class PythonStep(Node):
    """Run a Python function over the input's record batches (always local)."""

    kind: ClassVar[str] = "python"
    function: str = ""
    callable: Callable[[pa.RecordBatch], pa.RecordBatch] | None = None


ALL_KINDS = (
    Source,
    Project,
    Filter,
    Join,
    Aggregate,
    Window,
    Sort,
    TopN,
    Distinct,
    Union,
    PythonStep,
)
