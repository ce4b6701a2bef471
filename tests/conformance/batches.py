"""Many cases, one flow: the input tables, recipes and result extraction of a batch.

Two shapes of batch:

- **compute**: one input row; every case has its own columns (``c007_a``: the case's index,
  then its column name), so a value never meets another case's formula and an engine that
  raises an error for a value raises it for that case alone.
- **rows** (filter, group, window, sort, top-N): one long table, a case's rows after the
  other's, told apart by ``g`` (the case index: grouped, partitioned and sorted by first) and
  ordered within a case by ``r``.  Columns are shared by name and type (``x_int64``), so the
  table stays narrow; a case's formula only ever sees its own rows.  Window cases with the same
  ordering share one window recipe, sort and top-N cases with the same direction one recipe.

Combined, cases share recipes (few statements); chunked, every chunk of N cases has recipes of
its own over the same uploaded input (only the chunk's rows), so a failing statement fails only
its chunk.  Formulas are renamed
on their text (tokens), so the engine receives the formula as written; the renamed text is
checked to parse to the same tree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

import pushdown
from tests.conformance.model import Case

PREFIX = "conformance"
MARK = "cXXX_"  # stands for a case's column prefix in cached renamed texts
ORDER_WRAP = "SELECT 1 ORDER BY {}"
ROW_KINDS = ("filter", "group", "window", "sort", "top_n")

Value = tuple[Any, pa.DataType | None]  # a case's result and its Arrow type
Reader = Callable[[Mapping[str, pa.Table]], Value]


def column_prefix(index: int) -> str:
    """The prefix of compute case ``index``'s input columns."""
    return f"c{index:03d}_"


def output_column(index: int) -> str:
    """The output column holding case ``index``'s value."""
    return f"v{index:03d}"


def slot(name: str, t: pa.DataType) -> str:
    """The shared rows-table column for input ``name`` of type ``t``."""
    return f"{name}_" + "".join(ch if ch.isalnum() else "_" for ch in str(t)).strip("_")


# -- renaming formulas ---------------------------------------------------------------------
@functools.cache
def _renamed(
    text: str, dialect: str | None, wrap: str, prefix: str, mapping: tuple[tuple[str, str], ...]
) -> str:
    """``text`` with each column reference ``x`` spelled ``mapping[x]``, else ``prefix + x``;
    checked to parse to the same tree with the columns renamed."""
    names = dict(mapping)
    tree = sqlglot.parse_one(wrap.format(text), read=dialect)
    columns = {c.name for c in tree.find_all(exp.Column)}
    out: list[str] = []
    last = 0
    for tok in Dialect.get_or_raise(dialect).tokenize(text):
        if tok.token_type not in (TokenType.VAR, TokenType.IDENTIFIER) or tok.text not in columns:
            continue
        original = text[tok.start : tok.end + 1]
        new = names.get(tok.text, prefix + tok.text)
        if tok.token_type == TokenType.IDENTIFIER:
            new = original[0] + new + original[-1]
        out += [text[last : tok.start], new]
        last = tok.end + 1
    out.append(text[last:])
    renamed = "".join(out)

    def fix(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and node.name in columns:
            node.this.set("this", names.get(node.name, prefix + node.name))
        return node

    want = tree.transform(fix)
    got = sqlglot.parse_one(wrap.format(renamed), read=dialect)
    assert got == want, f"renaming {text!r} gave {renamed!r}, which parses differently"
    return renamed


def prefixed(text: str, index: int, dialect: str | None) -> str:
    """A compute formula reading case ``index``'s own columns (the reference's spelling is
    kept, so pushdown's name resolution still decides which column it means)."""
    assert MARK not in text
    return _renamed(text, dialect, "{}", MARK, ()).replace(MARK, column_prefix(index))


def slotted(case: Case, text: str, *, order: bool = False) -> str:
    """A formula or order term of a rows case reading the shared columns."""
    mapping = tuple((name, slot(name, t.type)) for name, t in case.inputs.items())
    return _renamed(text, case.formula_dialect, ORDER_WRAP if order else "{}", "", mapping)


# -- batches -------------------------------------------------------------------------------
@dataclass
class Batch:
    """A flow computing several cases, and how to read each case's result."""

    cases: list[Case]
    flow: pushdown.Flow
    steps: list[str] = field(default_factory=list)  # recipe outputs, pinned to the engine
    output: dict[str, str] = field(default_factory=dict)  # case id -> output holding its value
    readers: dict[str, Reader] = field(default_factory=dict)  # case id -> its value
    recipe_cases: dict[str, list[str]] = field(default_factory=dict)  # recipe -> its cases

    def add(self, step: pushdown.Dataset, owners: list[Case] | None = None) -> str:
        """Record a recipe output (and, chunked, the cases it belongs to)."""
        self.steps.append(step.name)
        if owners is not None:
            self.recipe_cases[step.name] = [c.id for c in owners]
        return step.name

    def reads(self, case: Case, out: str, reader: Reader) -> None:
        """``case``'s value is read from the output ``out`` by ``reader``."""
        self.output[case.id] = out
        self.readers[case.id] = reader


def chunks(cases: list[Case], size: int) -> list[list[int]]:
    """Case indexes in chunks of ``size`` (0: one chunk of all)."""
    indexes = list(range(len(cases)))
    if size <= 0:
        return [indexes]
    return [indexes[i : i + size] for i in range(0, len(indexes), size)]


def _compute(batch: Batch, dialect: str | None, size: int) -> None:
    cases = batch.cases
    table = pa.table(
        {
            column_prefix(i) + name: pa.array(list(t.values), t.type)
            for i, case in enumerate(cases)
            for name, t in case.inputs.items()
        }
    )
    src = batch.flow.dataset(f"{PREFIX}_compute", data=table)
    for part in chunks(cases, size):
        mine = {output_column(i): prefixed(cases[i].formula, i, dialect) for i in part}
        name = f"{PREFIX}_compute_{part[0]:03d}" if size else f"{PREFIX}_compute_out"
        step = src.prepare([{"compute": mine}, {"keep": list(mine)}], name=name)
        out = batch.add(step, [cases[i] for i in part] if size else None)
        for i in part:
            batch.reads(cases[i], out, _one_row(out, output_column(i)))


def _one_row(out: str, col: str) -> Reader:
    def read(result: Mapping[str, pa.Table]) -> Value:
        t = result[out]
        assert t.num_rows == 1, f"{t.num_rows} result rows where one was expected"
        return t.column(col)[0].as_py(), t.schema.field(col).type

    return read


@dataclass(frozen=True)
class OrderSlot:
    """A column holding one order term's values for the cases ordering that way: within a
    case's rows (one ``g``) only its own order columns vary, so one ORDER BY listing every
    order column orders each case by its own terms."""

    name: str  # o<position>_<type>_<direction>
    source: str  # the case's input column
    pattern: str  # the term with ``{}`` for the column: "{} DESC NULLS FIRST"


def order_slots(case: Case) -> list[OrderSlot]:
    """One order column per order term of a window, sort or top-N case."""
    out = []
    for position, term in enumerate(case.order_by):
        tree = sqlglot.parse_one(ORDER_WRAP.format(term), read=case.formula_dialect)
        (column,) = {c.name for c in tree.find_all(exp.Column)}
        marked = _renamed(term, case.formula_dialect, ORDER_WRAP, "", ((column, "pd_col"),))
        pattern = marked.replace("pd_col", "{}")
        direction = "_".join(pattern.replace("{}", "").lower().split()) or "default"
        typ = slot("", case.inputs[column].type).lstrip("_")
        out.append(OrderSlot(f"o{position}_{typ}_{direction}", column, pattern))
    return out


def _rows_table(cases: list[Case]) -> pa.Table:
    """``g``, ``r``, the shared input columns and the order columns, each case's rows after
    the other's."""
    types: dict[str, pa.DataType] = {}
    fills: list[tuple[int, str, Any]] = []  # (case index, column, values)
    for i, c in enumerate(cases):
        for name, t in c.inputs.items():
            types[slot(name, t.type)] = t.type
            fills.append((i, slot(name, t.type), t.values))
        for o in order_slots(c):
            types[o.name] = c.inputs[o.source].type
            fills.append((i, o.name, c.inputs[o.source].values))
    offsets = [0]
    for c in cases:
        offsets.append(offsets[-1] + c.rows)
    data: dict[str, list[Any]] = {name: [None] * offsets[-1] for name in types}
    for i, name, values in fills:
        data[name][offsets[i] : offsets[i + 1]] = list(values)
    g = [i for i, c in enumerate(cases) for _ in range(c.rows)]
    r = [j for c in cases for j in range(c.rows)]
    head = {"g": pa.array(g, pa.int64()), "r": pa.array(r, pa.int64())}
    return pa.table(head | {name: pa.array(data[name], t) for name, t in types.items()})


def _case_rows(t: pa.Table, index: int) -> list[dict[str, Any]]:
    return [row for row in t.to_pylist() if row["g"] == index]


def _values(out: str, index: int, col: str, *, by_r: bool = False, typed: bool = False) -> Reader:
    """The column ``col`` over case ``index``'s rows of ``out`` (in output order, or by r)."""

    def read(result: Mapping[str, pa.Table]) -> Value:
        t = result[out]
        rows = _case_rows(t, index)
        if by_r:
            rows.sort(key=lambda row: row["r"])
        return [row[col] for row in rows], t.schema.field(col).type if typed else None

    return read


def _group_value(out: str, index: int | None, col: str) -> Reader:
    def read(result: Mapping[str, pa.Table]) -> Value:
        t = result[out]
        rows = t.to_pylist() if index is None else _case_rows(t, index)
        assert len(rows) == 1, f"{len(rows)} result rows for one group"
        return rows[0][col], t.schema.field(col).type

    return read


def _slots(case: Case) -> list[str]:
    return [slot(name, t.type) for name, t in case.inputs.items()]


def _order_terms(members: list[Case]) -> list[str]:
    """Every member's order columns with their directions, first terms first."""
    slots = {o.name: o for c in members for o in order_slots(c)}
    return [slots[name].pattern.format(name) for name in sorted(slots)]


def _rows(batch: Batch, dialect: str | None, size: int) -> None:
    cases = batch.cases
    src = batch.flow.dataset(f"{PREFIX}_rows", data=_rows_table(cases))
    for part in chunks(cases, size):
        base = src
        if size:  # only the chunk's rows
            rows = src.filter(f"g IN ({', '.join(str(i) for i in part)})",
                              name=f"{PREFIX}_chunk_{part[0]:03d}")
            batch.add(rows)
            base = rows
        _rows_part(batch, base, part, [cases[i] for i in part] if size else None)


def _share_key(c: Case) -> Any:
    """Cases with equal keys share a recipe."""
    if c.kind == "window":  # the same directions: other terms could change what the engine
        return ("window", tuple(o.pattern for o in order_slots(c)))  # accepts (BigQuery)
    if c.kind == "top_n":
        return ("top_n", c.n)
    # An ordered string_agg beside DISTINCT aggregates of two columns crashes Spark 4.x's
    # planner (ClassCastException AttributeReference -> SortOrder): kept apart.
    return (c.kind, c.rows > 0, "string_agg" in c.formula.lower())


def _rows_part(
    batch: Batch, src: pushdown.Dataset, part: list[int], owners: list[Case] | None
) -> None:
    """The recipes of some rows cases over ``src``; each shared recipe reads only the columns
    its cases use, so no other case's NULLs reach its output."""
    cases = batch.cases
    shared: dict[Any, list[int]] = {}
    for i in part:
        shared.setdefault(_share_key(cases[i]), []).append(i)
    tag0 = f"{part[0]:03d}"
    window_input: pushdown.Dataset | None = None
    window_cols: list[str] = ["g", "r"]
    empty: pushdown.Dataset | None = None

    def narrowed(members: list[int], what: str) -> pushdown.Dataset:
        used = [s for i in members for s in _slots(cases[i])]
        used += [o.name for i in members for o in order_slots(cases[i])]
        step = src.prepare(
            [{"keep": ["g", "r", *dict.fromkeys(used)]}], name=f"{PREFIX}_{what}_in"
        )
        batch.add(step)
        return step

    for members in shared.values():
        first = cases[members[0]]
        mine = [cases[i] for i in members]
        tag = f"{first.kind}_{members[0]:03d}"
        if first.kind == "filter":
            terms = [f"(g = {i} AND ({slotted(cases[i], cases[i].formula)}))" for i in members]
            step = narrowed(members, tag).filter(" OR ".join(terms), name=f"{PREFIX}_{tag}")
            out = batch.add(step, owners)
            for i in members:
                batch.reads(cases[i], out, _values(out, i, _slots(cases[i])[0]))
        elif first.kind == "group":
            aggregates = {output_column(i): slotted(cases[i], cases[i].formula) for i in members}
            if first.rows:
                step = src.group(["g"], aggregates, name=f"{PREFIX}_{tag}")
            else:
                if empty is None:
                    empty = src.filter("g < 0", name=f"{PREFIX}_no_rows_{tag0}")
                    batch.add(empty)
                step = empty.group([], aggregates, name=f"{PREFIX}_{tag}")
            out = batch.add(step, owners)
            for i in members:
                reader = _group_value(out, i if first.rows else None, output_column(i))
                batch.reads(cases[i], out, reader)
        elif first.kind == "window":
            columns: dict[str, Any] = {}
            for i in members:
                formula = slotted(cases[i], cases[i].formula)
                frame = cases[i].frame
                columns[output_column(i)] = (
                    formula if frame is None else {"formula": formula, "frame": list(frame)}
                )
            if window_input is None:  # every window case's columns, read once
                window_members = [i for i in part if cases[i].kind == "window"]
                window_input = narrowed(window_members, f"windows_{tag0}")
            step = window_input.window(
                columns, partition_by=["g"], order_by=_order_terms(mine), name=f"{PREFIX}_{tag}"
            )
            window_input = step
            window_cols += list(columns)
            batch.add(step, owners)
        else:  # sort, top_n
            narrow = narrowed(members, tag)
            terms = _order_terms(mine)
            name = f"{PREFIX}_{tag}"
            if first.kind == "sort":
                step = narrow.sort("g", *terms, name=name)
            else:
                step = narrow.top_n(first.n, terms, partition_by=["g"], name=name)
            out = batch.add(step, owners)
            for i in members:
                batch.reads(cases[i], out, _values(out, i, order_slots(cases[i])[0].name))
    if window_input is not None:  # the chain's last step carries every window column
        last = window_input.prepare([{"keep": window_cols}], name=f"{PREFIX}_windows_{tag0}")
        out = batch.add(last, owners)
        for i in part:
            if cases[i].kind == "window":
                reader = _values(out, i, output_column(i), by_r=True, typed=True)
                batch.reads(cases[i], out, reader)


def build(cases: list[Case], *, chunk: int = 0) -> Batch:
    """The batch flow for ``cases``: all compute, or all rows kinds; one formula dialect.
    ``chunk``: 0 combines every case; N gives each N cases recipes of their own."""
    dialects = {c.formula_dialect for c in cases}
    compute = {c.kind == "compute" for c in cases}
    assert len(dialects) == 1 and len(compute) == 1, "one shape and one dialect per batch"
    dialect = dialects.pop()
    batch = Batch(list(cases), pushdown.Flow(formula_dialect=dialect))
    (_compute if compute.pop() else _rows)(batch, dialect, chunk)
    return batch


def groups(cases: Iterable[Case]) -> list[list[Case]]:
    """Cases split into batchable groups: compute or rows, per formula dialect."""
    out: dict[tuple[bool, str | None], list[Case]] = {}
    for c in cases:
        out.setdefault((c.kind == "compute", c.formula_dialect), []).append(c)
    return list(out.values())
