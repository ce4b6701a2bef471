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

Combined, cases share recipes (few statements); ``split``, every case has recipes of its own
over the same uploaded input, so one failing statement fails one case.  Formulas are renamed
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
@functools.lru_cache(maxsize=None)
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
    recipe_case: dict[str, str] = field(default_factory=dict)  # recipe -> case id (split)

    def add(self, step: pushdown.Dataset, case: Case | None = None) -> str:
        """Record a recipe output (and, split, the case it belongs to)."""
        self.steps.append(step.name)
        if case is not None:
            self.recipe_case[step.name] = case.id
        return step.name

    def reads(self, case: Case, out: str, reader: Reader) -> None:
        """``case``'s value is read from the output ``out`` by ``reader``."""
        self.output[case.id] = out
        self.readers[case.id] = reader


def _compute(batch: Batch, dialect: str | None, split: bool) -> None:
    cases = batch.cases
    table = pa.table(
        {
            column_prefix(i) + name: pa.array(list(t.values), t.type)
            for i, case in enumerate(cases)
            for name, t in case.inputs.items()
        }
    )
    src = batch.flow.dataset(f"{PREFIX}_compute", data=table)
    formulas = {output_column(i): prefixed(c.formula, i, dialect) for i, c in enumerate(cases)}
    parts = [[c] for c in cases] if split else [cases]
    for part in parts:
        mine = {output_column(cases.index(c)): formulas[output_column(cases.index(c))] for c in part}
        name = f"{PREFIX}_compute_{cases.index(part[0]):03d}" if split else f"{PREFIX}_compute_out"
        step = src.prepare([{"compute": mine}, {"keep": list(mine)}], name=name)
        out = batch.add(step, part[0] if split else None)
        for c in part:
            batch.reads(c, out, _one_row(out, output_column(cases.index(c))))


def _one_row(out: str, col: str) -> Reader:
    def read(result: Mapping[str, pa.Table]) -> Value:
        t = result[out]
        assert t.num_rows == 1, f"{t.num_rows} result rows where one was expected"
        return t.column(col)[0].as_py(), t.schema.field(col).type

    return read


def _rows_table(cases: list[Case]) -> pa.Table:
    """``g``, ``r`` and the shared columns, each case's rows after the other's."""
    types: dict[str, pa.DataType] = {}
    for c in cases:
        for name, t in c.inputs.items():
            types[slot(name, t.type)] = t.type
    total = sum(c.rows for c in cases)
    data: dict[str, list[Any]] = {name: [None] * total for name in types}
    g: list[int] = []
    r: list[int] = []
    for i, c in enumerate(cases):
        offset = len(g)
        g += [i] * c.rows
        r += list(range(c.rows))
        for name, t in c.inputs.items():
            data[slot(name, t.type)][offset : offset + c.rows] = list(t.values)
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


def _direction(term: str, case: Case) -> str:
    """A sort term with the case's column replaced by ``{}`` (to apply to every column)."""
    return slotted(case, term, order=True).replace(slot("k", case.inputs["k"].type), "{}")


def _rows(batch: Batch, dialect: str | None, split: bool) -> None:
    cases = batch.cases
    src = batch.flow.dataset(f"{PREFIX}_rows", data=_rows_table(cases))
    sort_slots = sorted({slot("k", c.inputs["k"].type) for c in cases if c.kind in ("sort", "top_n")})

    def key(i: int, c: Case) -> Any:
        """Cases with equal keys share a recipe when combined."""
        if split:
            return i
        if c.kind == "window":
            return ("window", tuple(slotted(c, t, order=True) for t in c.order_by))
        if c.kind in ("sort", "top_n"):
            return (c.kind, tuple(_direction(t, c) for t in c.order_by), c.n)
        return (c.kind, c.rows > 0)

    shared: dict[Any, list[int]] = {}
    for i, c in enumerate(cases):
        shared.setdefault(key(i, c), []).append(i)
    window_input = src
    empty: pushdown.Dataset | None = None
    for members in shared.values():
        first = cases[members[0]]
        tag = f"{first.kind}_{members[0]:03d}"
        owner = first if split else None
        if first.kind == "filter":
            terms = [f"(g = {i} AND ({slotted(cases[i], cases[i].formula)}))" for i in members]
            out = batch.add(src.filter(" OR ".join(terms), name=f"{PREFIX}_{tag}"), owner)
            for i in members:
                col = slot(next(iter(cases[i].inputs)), next(iter(cases[i].inputs.values())).type)
                batch.reads(cases[i], out, _values(out, i, col))
        elif first.kind == "group":
            aggregates = {output_column(i): slotted(cases[i], cases[i].formula) for i in members}
            if first.rows:
                out = batch.add(src.group(["g"], aggregates, name=f"{PREFIX}_{tag}"), owner)
            else:
                if empty is None:
                    empty = src.filter("g < 0", name=f"{PREFIX}_no_rows")
                    batch.add(empty)
                out = batch.add(empty.group([], aggregates, name=f"{PREFIX}_{tag}"), owner)
            for i in members:
                batch.reads(cases[i], out, _group_value(out, i if first.rows else None,
                                                        output_column(i)))
        elif first.kind == "window":
            columns: dict[str, Any] = {}
            for i in members:
                formula = slotted(cases[i], cases[i].formula)
                frame = cases[i].frame
                columns[output_column(i)] = (
                    formula if frame is None else {"formula": formula, "frame": list(frame)}
                )
            step = (src if split else window_input).window(
                columns,
                partition_by=["g"],
                order_by=[slotted(first, t, order=True) for t in first.order_by],
                name=f"{PREFIX}_{tag}",
            )
            window_input = step
            batch.add(step, owner)
            for i in members:
                batch.reads(cases[i], step.name, _values(step.name, i, output_column(i),
                                                         by_r=True, typed=True))
        else:  # sort, top_n: the direction applied to every sort column (others are NULL)
            patterns = [_direction(t, first) for t in first.order_by]
            terms = [p.format(s) for p in patterns for s in sort_slots]
            name = f"{PREFIX}_{tag}"
            if first.kind == "sort":
                step = src.sort("g", *terms, name=name)
            else:
                step = src.top_n(first.n, terms, partition_by=["g"], name=name)
            out = batch.add(step, owner)
            for i in members:
                batch.reads(cases[i], out, _values(out, i, slot("k", cases[i].inputs["k"].type)))
    if not split:  # the window chain's last step carries every window column
        last = window_input.name
        for c in cases:
            if c.kind == "window":
                i = cases.index(c)
                batch.reads(c, last, _values(last, i, output_column(i), by_r=True, typed=True))


def build(cases: list[Case], *, split: bool = False) -> Batch:
    """The batch flow for ``cases``: all compute, or all rows kinds; one formula dialect."""
    dialects = {c.formula_dialect for c in cases}
    compute = {c.kind == "compute" for c in cases}
    assert len(dialects) == 1 and len(compute) == 1, "one shape and one dialect per batch"
    dialect = dialects.pop()
    batch = Batch(list(cases), pushdown.Flow(formula_dialect=dialect))
    (_compute if compute.pop() else _rows)(batch, dialect, split)
    return batch


def groups(cases: Iterable[Case]) -> list[list[Case]]:
    """Cases split into batchable groups: compute or rows, per formula dialect."""
    out: dict[tuple[bool, str | None], list[Case]] = {}
    for c in cases:
        out.setdefault((c.kind == "compute", c.formula_dialect), []).append(c)
    return list(out.values())
