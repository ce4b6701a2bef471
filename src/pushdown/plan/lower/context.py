"""What every lowering shares: the flow, its formula dialect, the reader of source schemas, and
the checks that turn a formula's text into a resolved, typed sqlglot tree."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
from sqlglot import exp

from pushdown.errors import FormulaTypeError
from pushdown.plan.formulas import (
    WRAPPERS,
    contains_aggregate,
    contains_window,
    owned_copy,
    parse_order_term,
    parse_sql,
    resolve_columns,
)
from pushdown.plan.typing import harmonize, infer_type
from pushdown.recipe import spec as s
from pushdown.recipe.flow import Flow

SchemaReader = Callable[[s.DatasetSpec], pa.Schema]
# The catalog's schema of a dataset that declares its columns, or None when it cannot be read.
StoredReader = Callable[[s.DatasetSpec], pa.Schema | None]


# Input schemas a formula's text is kept for (a text over ever new schemas is not kept).
_KEPT_PER_TEXT = 8


class Context:
    """Turns formulas into checked trees for the lowerings of one flow."""

    def __init__(
        self,
        flow: Flow,
        read_schema: SchemaReader | None,
        read_stored: StoredReader | None = None,
    ):
        self.flow = flow
        self.dialect = flow.spec.formula_dialect
        self.read_schema = read_schema
        self.read_stored = read_stored
        # Formulas resolved and typed, by text and input schema: the result depends on
        # nothing else, and flows repeat formulas over the same schema (parallel branches,
        # generated steps); annotating is most of the cost of building a plan.
        # Per text, the input schemas it was made for (compared with pyarrow's equals, not
        # hashed: hashing a schema builds a Python tuple of its fields) and the trees.
        self._formulas: dict[str, list[tuple[pa.Schema, exp.Expr]]] = {}
        self._kept: set[int] = set()  # ids of those trees
        # The checked type of each kept tree (by id: the trees stay in ``_formulas``).
        self._types: dict[int, pa.DataType] = {}
        self._row_wise: set[int] = set()  # kept trees that aggregate no rows

    def formula(
        self,
        text: str,
        schema: pa.Schema,
        recipe: str,
        what: str,
        *,
        open_root: bool = False,
        column: str | None = None,
    ) -> exp.Expr:
        """Parse ``text`` in the flow's formula dialect, resolve its columns in ``schema`` and
        harmonise its types (a tree of the caller's own); ``open_root``: a window recipe's
        formula, whose root FILTER / IGNORE NULLS is judged once it is in its window
        (:func:`~pushdown.plan.formulas.parse_sql`); ``column``: the column it computes (named
        by an error)."""
        return owned_copy(
            self.shared_formula(text, schema, recipe, what, open_root=open_root, column=column)
        )

    def shared_formula(
        self,
        text: str,
        schema: pa.Schema,
        recipe: str,
        what: str,
        *,
        open_root: bool = False,
        column: str | None = None,
    ) -> exp.Expr:
        """What :meth:`formula` returns, but the tree kept for the next use of the same text
        over the same schema: the caller only reads it (walks, types, copies it), never
        changes it nor puts it into another tree."""
        kept = self._formulas.setdefault(text, [])
        for other, tree in kept:
            if other is schema or other.equals(schema):
                if not open_root and isinstance(tree, WRAPPERS):
                    # kept from a window recipe, where its root clause was not judged
                    parse_sql(text, dialect=self.dialect, recipe=recipe, what=what, column=column)
                return tree
        tree = parse_sql(
            text, dialect=self.dialect, recipe=recipe, what=what, open_root=open_root, column=column
        )
        resolve_columns(tree, schema.names, recipe=recipe)
        tree = harmonize(tree, schema, dialect=self.dialect)
        if len(kept) < _KEPT_PER_TEXT:
            kept.append((schema, tree))
            self._kept.add(id(tree))
        return tree

    def typed(
        self,
        tree: exp.Expr,
        schema: pa.Schema,
        recipe: str,
        col: str | None,
        text: str,
        *,
        annotated: bool = False,
    ) -> pa.DataType:
        """The Arrow type of ``tree`` over ``schema`` (a type error names recipe and column);
        ``annotated``: ``tree`` is what :meth:`formula` returned for ``schema`` (its types
        are set already: it is neither copied nor annotated again); a tree of
        :meth:`shared_formula` is checked once."""
        shared = annotated and id(tree) in self._kept
        if shared and id(tree) in self._types:
            return self._types[id(tree)]
        found = infer_type(
            tree if annotated else tree.copy(),
            schema,
            dialect=self.dialect,
            recipe=recipe,
            column=col,
            text=text,
            annotate_first=not annotated,
        )
        if shared:
            self._types[id(tree)] = found
        return found

    def ordered(self, text: str, schema: pa.Schema, recipe: str) -> exp.Ordered:
        """One order term (``x DESC NULLS LAST``) over ``schema``; aggregates are refused."""
        term = parse_order_term(text, dialect=self.dialect, recipe=recipe)
        resolve_columns(term, schema.names, recipe=recipe)
        if contains_aggregate(term) or contains_window(term):
            raise FormulaTypeError(f"order term {text!r} aggregates rows", recipe=recipe)
        return term

    def no_aggregates(self, tree: exp.Expr, recipe: str, col: str | None, text: str) -> None:
        """Refuse a formula that aggregates rows where one value per row is expected."""
        if id(tree) in self._row_wise:
            return  # a kept tree of shared_formula, checked already
        if contains_aggregate(tree) or contains_window(tree):
            where = f"column {col!r}: " if col else ""
            raise FormulaTypeError(
                f"{where}{text!r} aggregates rows; use a group or window recipe for that",
                recipe=recipe,
                column=col,
            )
        if id(tree) in self._types:  # a kept tree, typed already: checked once
            self._row_wise.add(id(tree))
