"""Statistics and cardinality: how many rows and bytes every step is expected to produce.

Sources get their statistics from the connection (row count, bytes, per-column distinct
counts, null fractions, min/max where the engine has them), from the user, or from defaults.
Every recipe then derives its estimate from its inputs'.  Default selectivities, used where no
statistic applies, are the constants below (after System R and PostgreSQL's defaults):

==========================  ===================================================
predicate                   selectivity
==========================  ===================================================
``col = literal``           1 / NDV(col), else ``EQ_SELECTIVITY`` (0.05)
``col <, <=, >, >= ...``    ``RANGE_SELECTIVITY`` (1/3)
``BETWEEN``                 ``RANGE_SELECTIVITY`` squared-ish: 0.25
``IN (k values)``           k / NDV(col), else k * ``EQ_SELECTIVITY``
``LIKE``                    ``LIKE_SELECTIVITY`` (0.1)
``IS NULL``                 null fraction, else 0.05
``a AND b`` / ``a OR b``    s(a) * s(b) / s(a) + s(b) - s(a) s(b)
``NOT a``                   1 - s(a)
anything else               ``DEFAULT_SELECTIVITY`` (0.25)
==========================  ===================================================

Joins on keys estimate ``|L| |R| / max(NDV(l), NDV(r))``, NDV of a key tuple being the product
of its columns' NDVs capped by the rows (NDV defaults to the side's row count, so a
key/foreign-key join keeps the larger side); a semi join keeps the left rows whose key values
the right side holds, ``min(1, NDV(r) / NDV(l))`` (containment), and an anti join the rest;
a group keeps ``min(rows, product of key NDVs)``.  A computed column that is a formula of one
column has at most its NDV.

Without statistics an aggregation, distinct or top-N never keeps its input's row count: a key
of unknown NDV counts ``DEFAULT_NDV`` (200) values, and the groups are at most
``GROUP_FRACTION`` (a tenth) of the rows, as PostgreSQL estimates groups without statistics.
Every estimate records which of its figures are such defaults (:attr:`Estimate.defaults`), and
:func:`estimate_plan` can bound them (``bound="low"`` or ``"high"``: defaulted selectivities,
group counts and source sizes at the ends of their plausible range) so the planner can prefer
the placement whose worst case is least bad.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

import pyarrow as pa
from sqlglot import exp

from pushdown.plan import nodes as n
from pushdown.plan.build import LogicalPlan
from pushdown.statistics import ColumnStats, TableStats

EQ_SELECTIVITY = 0.05
RANGE_SELECTIVITY = 1 / 3
BETWEEN_SELECTIVITY = 0.25
LIKE_SELECTIVITY = 0.1
NULL_SELECTIVITY = 0.05
DEFAULT_SELECTIVITY = 0.25
DEFAULT_ROWS = 1_000_000
DEFAULT_TEXT_BYTES = 16
SEMI_JOIN_FRACTION = 0.5
DEFAULT_NDV = 200  # PostgreSQL's DEFAULT_NUM_DISTINCT
GROUP_FRACTION = 0.1  # PostgreSQL's clamp of group estimates it cannot back with statistics
# The ends of a defaulted figure's plausible range, for ``estimate_plan(..., bound=...)``: a
# default selectivity from a tenth of itself to 1, a default group count from one group to one
# per row, a source without statistics from 10,000 to 100 million rows.
LOW_SELECTIVITY_FACTOR = 0.1
LOW_ROWS, HIGH_ROWS = 1e4, 1e8
Bound = Literal["low", "high"] | None


@dataclass(frozen=True)
class Estimate:
    """Estimated output of one step."""

    rows: float
    widths: Mapping[str, float]
    columns: Mapping[str, ColumnStats]
    source: str = "estimated"
    # The figures of this step's own estimate that are defaults, not statistics ("rows" of a
    # source, "selectivity" of a filter, "groups", "match fraction" of a semi/anti join).
    defaults: frozenset[str] = frozenset()

    @property
    def bytes(self) -> float:
        """Estimated bytes of the whole output."""
        return self.rows * sum(self.widths.values())

    def bytes_of(self, columns: list[str] | set[str]) -> float:
        """Estimated bytes of the given columns only."""
        return self.rows * width_of(self.widths, columns)

    def ndv(self, column: str) -> float | None:
        """Distinct values of ``column`` if known (capped by the row count)."""
        stats = self.columns.get(column)
        if stats is None or stats.ndv is None:
            return None
        return max(1.0, min(stats.ndv, self.rows))


def width_of(widths: Mapping[str, float], columns: list[str] | set[str]) -> float:
    """Bytes of one row of ``columns`` (8 for a column without a width)."""
    return sum(widths.get(c, 8.0) for c in columns)


_WIDTHS: dict[pa.DataType, float] = {}


def type_width(t: pa.DataType) -> float:
    """Bytes one value of ``t`` takes in Arrow, on average (kept per type)."""
    try:
        width = _WIDTHS.get(t)
    except TypeError:  # a type pyarrow cannot hash
        return _type_width(t)
    if width is None:
        width = _WIDTHS[t] = _type_width(t)
    return width


def _type_width(t: pa.DataType) -> float:
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t):
        return float(DEFAULT_TEXT_BYTES)
    if pa.types.is_boolean(t):
        return 1.0
    if pa.types.is_list(t) or pa.types.is_struct(t) or pa.types.is_map(t):
        return 32.0
    try:
        return max(1.0, float(t.bit_width) / 8)
    except ValueError:
        return 8.0


def estimate_source(schema: pa.Schema, stats: TableStats | None, bound: Bound = None) -> Estimate:
    """The estimate of a source dataset from its statistics (or defaults)."""
    default_rows = {None: DEFAULT_ROWS, "low": LOW_ROWS, "high": HIGH_ROWS}[bound]
    rows = float(stats.rows) if stats is not None else float(default_rows)
    columns = dict(stats.columns) if stats is not None else {}
    widths = {}
    for f in schema:
        col = columns.get(f.name)
        widths[f.name] = col.avg_bytes if col and col.avg_bytes else type_width(f.type)
    if stats is not None and stats.bytes and rows > 0:
        known = rows * sum(widths.values())
        if known > 0:
            scale = stats.bytes / known
            widths = {k: v * scale for k, v in widths.items()}
    if stats is None:
        return Estimate(rows, widths, columns, source="default", defaults=frozenset({"rows"}))
    return Estimate(rows, widths, columns, source=stats.source)


def selectivity(cond: exp.Expr, est: Estimate) -> float:
    """Fraction of rows ``cond`` keeps, from column statistics or the default constants."""
    return _selectivity(cond, est, None)[0]


def _default(value: float, bound: Bound) -> tuple[float, bool]:
    if bound == "high":
        return 1.0, True
    if bound == "low":
        return value * LOW_SELECTIVITY_FACTOR, True
    return value, True


_FLIP: dict[Bound, Bound] = {None: None, "low": "high", "high": "low"}


def _selectivity(cond: exp.Expr, est: Estimate, bound: Bound) -> tuple[float, bool]:
    """The selectivity of ``cond`` and whether a default constant decided it (``bound``
    moves the default constants to an end of their range)."""
    if isinstance(cond, exp.Paren | exp.Coalesce):
        return _selectivity(cond.this, est, bound)
    if isinstance(cond, exp.And | exp.Or):
        (a, da), (b, db) = (
            _selectivity(cond.this, est, bound),
            _selectivity(cond.expression, est, bound),
        )
        return (a * b if isinstance(cond, exp.And) else a + b - a * b), da or db
    if isinstance(cond, exp.Not):
        value, defaulted = _selectivity(cond.this, est, _FLIP[bound])
        return 1.0 - value, defaulted
    if isinstance(cond, exp.Boolean):
        return (1.0 if cond.this else 0.0), False
    column = cond.this if isinstance(cond.this, exp.Column) else None
    ndv = est.ndv(column.name) if column is not None else None
    if isinstance(cond, exp.EQ):
        return (1.0 / ndv, False) if ndv else _default(EQ_SELECTIVITY, bound)
    if isinstance(cond, exp.NEQ):
        if ndv:
            return 1.0 - 1.0 / ndv, False
        value, _ = _default(EQ_SELECTIVITY, _FLIP[bound])
        return 1.0 - value, True
    if isinstance(cond, exp.In):
        k = len(cond.expressions) or 1
        if ndv:
            return min(1.0, k / ndv), False
        value, _ = _default(EQ_SELECTIVITY, bound)
        return min(1.0, k * value), True
    if isinstance(cond, exp.GT | exp.GTE | exp.LT | exp.LTE):
        return _default(RANGE_SELECTIVITY, bound)
    if isinstance(cond, exp.Between):
        return _default(BETWEEN_SELECTIVITY, bound)
    if isinstance(cond, exp.Like | exp.ILike):
        return _default(LIKE_SELECTIVITY, bound)
    if isinstance(cond, exp.Is):
        stats = est.columns.get(column.name) if column is not None else None
        if stats is not None and stats.null_fraction is not None:
            return stats.null_fraction, False
        return _default(NULL_SELECTIVITY, bound)
    return _default(DEFAULT_SELECTIVITY, bound)


def _widths(schema: pa.Schema, *inputs: Estimate) -> dict[str, float]:
    known: dict[str, float] = {}
    for est in inputs:
        for name, width in est.widths.items():
            known.setdefault(name, width)
    return {f.name: known.get(f.name, type_width(f.type)) for f in schema}


def _groups(est: Estimate, keys: list[str], bound: Bound) -> tuple[float, bool]:
    """Distinct key tuples of ``est`` and whether a default decided it: a key without
    statistics counts ``DEFAULT_NDV`` values and such groups are at most ``GROUP_FRACTION`` of
    the rows (never all of them); ``bound`` moves defaulted counts to one group or one per
    row."""
    product, defaulted = 1.0, False
    for key in keys:
        ndv = est.ndv(key)
        if ndv is None:
            ndv, defaulted = DEFAULT_NDV, True
        product *= ndv
    if not defaulted:
        return max(1.0, min(est.rows, product)), False
    if bound == "high":
        return max(1.0, est.rows), True
    if bound == "low":
        return 1.0, True
    return max(1.0, min(est.rows * GROUP_FRACTION, product)), True


def estimate_node(
    node: n.Node,
    inputs: list[Estimate],
    bound: Bound = None,
    widths: Mapping[str, float] | None = None,
) -> Estimate:
    """The estimate of ``node`` from its inputs' estimates (``bound``: see
    :func:`estimate_plan`; ``widths``: its column widths when already known)."""
    first = inputs[0] if inputs else None
    rows: float
    columns: dict[str, ColumnStats] = {}
    defaults: set[str] = set()
    if first is not None:
        names = set(node.schema.names)
        columns = {c: s for c, s in first.columns.items() if c in names}
    if isinstance(node, n.Filter):
        assert first is not None
        kept, defaulted = _selectivity(node.condition, first, bound)
        rows = first.rows * kept
        if defaulted:
            defaults.add("selectivity")
    elif isinstance(node, n.Join):
        left, right = inputs
        keys = list(node.key_pairs)
        if node.how == "cross":
            rows = left.rows * right.rows
        elif node.how in ("semi", "anti"):
            known = _semi_fraction(left, right, keys)
            if known is None:  # the share of rows the join keeps is a default
                defaults.add("match fraction")
                share = {None: SEMI_JOIN_FRACTION, "high": 1.0, "low": 0.05}[bound]
                kept = share if node.how == "semi" else 1.0 - share
            else:
                kept = known
            rows = left.rows * (kept if node.how == "semi" else 1.0 - kept)
            if node.how == "semi":
                for lk, rk in keys:  # the kept keys are (at most) those of the right side
                    ndv = min(left.ndv(lk) or left.rows, right.ndv(rk) or right.rows)
                    columns[lk] = replace(left.columns.get(lk, ColumnStats()), ndv=ndv)
        else:
            if keys:
                denom = max(
                    _combined_ndv(left, [lk for lk, _ in keys]),
                    _combined_ndv(right, [rk for _, rk in keys]),
                )
                inner = left.rows * right.rows / max(1.0, denom)
            else:
                inner = left.rows * right.rows * DEFAULT_SELECTIVITY
            rows = {
                "inner": inner,
                "left": max(inner, left.rows),
                "right": max(inner, right.rows),
                "full": max(inner, left.rows, right.rows),
            }[node.how]
        for name, expr in node.items:
            if isinstance(expr, exp.Column):
                side = left if expr.table == n.LEFT else right
                stats = side.columns.get(expr.name)
                if stats is not None:
                    columns[name] = stats
    elif isinstance(node, n.Aggregate | n.Distinct | n.TopN):
        assert first is not None
        if isinstance(node, n.Aggregate):
            group_keys = list(node.keys)
        elif isinstance(node, n.Distinct):
            group_keys = node.columns
        else:
            group_keys = list(node.partition)
        groups, defaulted = _groups(first, group_keys, bound) if group_keys else (1.0, False)
        rows = min(first.rows, node.n * groups) if isinstance(node, n.TopN) else groups
        if defaulted:
            defaults.add("groups")
            if bound is None:
                rows = min(rows, max(1.0, first.rows * GROUP_FRACTION))
    elif isinstance(node, n.Union):
        rows = sum(e.rows for e in inputs)
        if node.distinct:
            rows *= 0.9
        columns = {}
    else:  # project, window, sort, python: one row out per row in
        assert first is not None
        rows = first.rows
        if isinstance(node, n.Project):
            columns = _projected_columns(node, first)
    rows = max(0.0, rows)
    if widths is None:
        widths = _widths(node.schema, *inputs)
    return Estimate(rows, widths, columns, defaults=frozenset(defaults))


def _combined_ndv(est: Estimate, keys: list[str]) -> float:
    """Distinct key tuples: the product of the keys' NDVs (a key without statistics counts as
    unique), never more than the rows."""
    product = 1.0
    for key in keys:
        product *= est.ndv(key) or est.rows
    return max(1.0, min(est.rows, product))


def _semi_fraction(left: Estimate, right: Estimate, keys: list[tuple[str, str]]) -> float | None:
    """Fraction of left rows with a match: the right side's share of the left's key values
    (containment), or None without keys or statistics (the caller's default)."""
    if not keys:
        return None
    lk, rk = [k for k, _ in keys], [k for _, k in keys]
    left_ndv = _combined_ndv(left, lk)
    right_ndv = _combined_ndv(right, rk)
    if all(left.ndv(k) is None for k in lk) and all(right.ndv(k) is None for k in rk):
        return None
    return min(1.0, right_ndv / left_ndv)


def _projected_columns(node: n.Project, first: Estimate) -> dict[str, ColumnStats]:
    """Statistics of computed columns: a column reference keeps its input's; a formula of one
    column has at most that column's distinct values; others are unknown."""
    columns: dict[str, ColumnStats] = {}
    for (name, expr), reads in zip(node.items, node.reads, strict=True):
        refs = {column for _, column in reads}
        if isinstance(expr, exp.Column) and expr.name in first.columns:
            columns[name] = first.columns[expr.name]
        elif len(refs) == 1 and (source := first.columns.get(refs.pop())) is not None:
            columns[name] = ColumnStats(ndv=source.ndv)
    return columns


def estimate_plan(
    logical: LogicalPlan,
    source_stats: Mapping[str, TableStats | None],
    bound: Bound = None,
    *,
    nominal: Mapping[str, Estimate] | None = None,
) -> dict[str, Estimate]:
    """Estimates for every node, in plan order.

    ``bound="low"`` or ``"high"`` puts every defaulted figure at the end of its range that
    gives fewer (or more) rows: selectivities at a tenth of their default (or 1), groups at one
    (or one per row), sources without statistics at ``LOW_ROWS`` (or ``HIGH_ROWS``).
    ``nominal``: the estimates without a bound, when made already.  A bound moves defaulted
    figures only, so a step whose own estimate used no default and whose inputs' estimates
    are the nominal ones keeps its nominal estimate, and column widths never depend on a bound
    (they are the nominal ones, the same objects).
    """
    result: dict[str, Estimate] = {}
    base = nominal or {}
    for name, node in logical.nodes.items():
        known = base.get(name)
        if isinstance(node, n.Source):
            stats = source_stats.get(name)
            if known is not None and stats is not None:
                result[name] = known  # statistics, no default: no bound moves it
            else:
                est = estimate_source(node.schema, stats, bound)
                result[name] = replace(est, widths=known.widths) if known is not None else est
            continue
        inputs = [result[i] for i in node.inputs]
        if (
            known is not None
            and not known.defaults
            and all(result[i] is base[i] for i in node.inputs)
        ):
            result[name] = known
        else:
            widths = known.widths if known is not None else None
            result[name] = estimate_node(node, inputs, bound, widths)
    return result


def required_columns(logical: LogicalPlan) -> dict[str, set[str]]:
    """For every dataset, the columns its consumers read (all columns for results)."""
    needed: dict[str, set[str]] = {name: set() for name in logical.nodes}
    sinks = set(logical.sinks())
    for name in reversed(list(logical.nodes)):
        node = logical.nodes[name]
        if name in sinks:
            needed[name] |= set(node.columns)
        mine = needed[name]
        for inp in node.inputs:
            needed[inp] |= _reads(node, inp, mine, logical)
    return needed


def _reads(node: n.Node, inp: str, needed: set[str], logical: LogicalPlan) -> set[str]:
    """Columns ``node`` reads from its input ``inp`` to produce its ``needed`` columns."""
    source_cols = set(logical.nodes[inp].columns)
    if isinstance(node, n.Project | n.Window):
        used: set[str] = set()
        for (name, _), reads in zip(node.items, node.reads, strict=True):
            if name in needed or (isinstance(node, n.Window) and name not in source_cols):
                used |= {column for _, column in reads}
        return used & source_cols
    if isinstance(node, n.Join):
        sides = {n.LEFT if i == 0 else n.RIGHT for i, x in enumerate(node.inputs) if x == inp}
        # node.reads: the condition's (when there is one), then one per item
        if node.condition is not None:
            condition, *items = node.reads
            wanted = [condition]
        else:
            items, wanted = list(node.reads), []
        wanted += [r for (name, _), r in zip(node.items, items, strict=True) if name in needed]
        used = {column for reads in wanted for side, column in reads if side in sides}
        return used & source_cols
    if isinstance(node, n.Aggregate):
        used = set(node.keys)
        for reads in node.reads:
            used |= {column for _, column in reads}
        return used & source_cols
    if isinstance(node, n.Union):
        return set(needed) & source_cols
    if isinstance(node, n.PythonStep):
        return source_cols  # a Python function may read any column
    if isinstance(node, n.Distinct):
        return set(node.columns)
    extra: set[str] = set()
    for reads in node.reads:
        extra |= {column for _, column in reads}
    if isinstance(node, n.TopN):
        extra |= set(node.partition)
    return (set(needed) | extra) & source_cols


def log_rows(rows: float) -> str:
    """A short human form of a row count (``1.2M``)."""
    if rows < 1000:
        return f"{rows:.0f}"
    power = min(int(math.log10(rows) // 3), 4)
    return f"{rows / 10 ** (3 * power):.1f}{' KMGT'[power]}"
