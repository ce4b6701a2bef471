"""The lowering machinery: constructs, the per-engine context, the tree walk.

A :class:`Construct` names one entry of ``docs/semantics.md`` (a field of the profiles'
``[semantics]`` table), the sqlglot classes it covers, and per sqlglot dialect the function
that rewrites a node so the engine computes pushdown's meaning.  The profile decides: a
construct declared ``rewritten`` for an engine runs its rewrite, ``refused`` raises
:class:`Refused`, ``same`` leaves the node to sqlglot's generator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.errors import UnsupportedError as SqlglotUnsupported

from pushdown.profiles import Profile, Rule

DType = exp.DataType.Type
Kinds = Iterable[exp.DType]


class Refused(SqlglotUnsupported):
    """A construct whose meaning the engine cannot give; ``reason`` says why."""

    def __init__(self, construct: str, reason: str):
        super().__init__(f"{construct}: {reason}")
        self.construct = construct
        self.reason = reason


class Context:
    """The engine a tree is lowered for: its profile (at the connection's version)."""

    def __init__(self, profile: Profile):
        self.profile = profile
        self.dialect = profile.engine.sqlglot_dialect  # without settings: ``hive``
        self._rules: dict[str, Rule] = {}

    def rule(self, construct: str) -> Rule:
        """The profile's rule for ``construct`` at this version."""
        found = self._rules.get(construct)
        if found is None:
            found = self._rules[construct] = self.profile.rule(construct)
        return found


Rewrite = Callable[[exp.Expr, Context], exp.Expr | None]
Check = Callable[[exp.Expr, Context], str | None]


@dataclass(frozen=True)
class Construct:
    """One construct of ``docs/semantics.md`` and how each dialect lowers it.

    ``rewrites`` maps a sqlglot dialect to a function returning the replacement node (or
    ``None`` after changing the node in place, or when nothing needs changing); ``refuses``
    maps a dialect to a function giving a reason when a particular use (e.g. one unit of
    DATE_TRUNC) cannot be lowered.  ``applies`` narrows the classes (``COUNT`` with several
    DISTINCT arguments).
    """

    name: str
    label: str
    classes: tuple[type[exp.Expr], ...] = ()
    rewrites: Mapping[str, Rewrite] = field(default_factory=dict)
    refuses: Mapping[str, Check] = field(default_factory=dict)
    applies: Callable[[exp.Expr], bool] = lambda node: True
    # Rewrite before the nodes below are lowered (parents first): FILTER's rewrite reads the
    # aggregate's arguments as written, before e.g. Hive's MEDIAN becomes PERCENTILE_CONT.
    first: bool = False

    def matches(self, node: exp.Expr) -> bool:
        """True when ``node`` is a use of this construct."""
        return isinstance(node, self.classes) and self.applies(node)


def _index(constructs: Iterable[Construct]) -> dict[type[exp.Expr], list[Construct]]:
    index: dict[type[exp.Expr], list[Construct]] = {}
    for construct in constructs:
        for cls in construct.classes:
            index.setdefault(cls, []).append(construct)
    return index


class Lowering:
    """Applies a set of constructs to trees for one engine."""

    def __init__(self, constructs: Iterable[Construct]):
        self.constructs = list(constructs)
        self.by_class = _index(self.constructs)

    def _active(self, node: exp.Expr, ctx: Context) -> Iterable[tuple[Construct, Rule]]:
        for construct in self.by_class.get(type(node), ()):
            if construct.matches(node):
                yield construct, ctx.rule(construct.name)

    def refusal(self, tree: exp.Expr, ctx: Context) -> Refused | None:
        """The first use in ``tree`` the engine refuses, without changing the tree."""
        for node in tree.walk():
            for construct, rule in self._active(node, ctx):
                if rule.status == "refused":
                    return Refused(construct.label, rule.reason)
                check = construct.refuses.get(ctx.dialect)
                why = check(node, ctx) if check is not None and rule.status == "rewritten" else None
                if why:
                    return Refused(construct.label, why)
        return None

    def lower(self, tree: exp.Expr, ctx: Context) -> exp.Expr:
        """Rewrite ``tree`` in place (children before parents, after the constructs marked
        ``first``, which go parents first); returns its new root."""
        root = tree
        for node in list(tree.walk()):
            root = self._apply(node, ctx, root, first=True)
        for node in reversed(list(root.walk(bfs=False))):
            root = self._apply(node, ctx, root, first=False)
        return root

    def _apply(self, node: exp.Expr, ctx: Context, root: exp.Expr, *, first: bool) -> exp.Expr:
        """Run the active rewrites of ``node`` (those with ``first`` as given); returns the
        tree's root, which a rewrite of the root replaces."""
        current = node
        for construct, rule in list(self._active(node, ctx)):
            if construct.first != first or not construct.matches(current):
                continue
            if rule.status == "refused":
                raise Refused(construct.label, rule.reason)
            if rule.status != "rewritten":
                continue
            rewrite = construct.rewrites.get(ctx.dialect)
            if rewrite is None:
                continue
            # Where the node sits, taken before the rewrite: a replacement may wrap it.
            parent, key, index = current.parent, current.arg_key, current.index
            replacement = rewrite(current, ctx)
            if replacement is not None and replacement is not current:
                _keep_calendar_type(current, replacement)
                if parent is None or key is None:
                    root = replacement
                else:
                    parent.set(key, replacement, index=index)
                current = replacement
        return root


def _keep_calendar_type(node: exp.Expr, replacement: exp.Expr) -> None:
    """Give ``replacement`` the DATE or TIMESTAMP type ``node`` was annotated with when the
    rewrite left it untyped, so that a rewrite of the expression around it still knows its
    type: the outer DATE_TRUNC of ``date_trunc('quarter', date_trunc('week', d))`` saw the
    inner one's Spark TRUNC untyped, took it for an instant and truncated it as a TIMESTAMP
    in the session's time zone.  A rewrite keeps pushdown's meaning, so its type; only the
    calendar types are carried (a numeric annotation may be what a rewrite corrects)."""
    if replacement.type is None and is_type(node, DATES | TIMESTAMPS):
        replacement.type = node.type


# -- helpers shared by the construct modules --------------------------------------------


def sql_type(node: exp.Expr) -> exp.DataType | None:
    """The known type of ``node`` (from the annotator or the input schema), else ``None``."""
    t = node.type
    if t is not None and t.this not in (DType.UNKNOWN, DType.NULL):
        return t
    if isinstance(node, exp.Literal):
        if node.is_string:
            return exp.DataType.build("VARCHAR")
        return exp.DataType.build("INT" if node.is_int else "DOUBLE")
    if isinstance(node, exp.Paren | exp.Neg):
        return sql_type(node.this)
    if isinstance(node, exp.Cast):
        return node.to
    return None


def is_type(node: exp.Expr, kinds: Kinds) -> bool:
    """True when ``node``'s known type is one of ``kinds``."""
    t = sql_type(node)
    return t is not None and t.this in set(kinds)


INTEGERS = exp.DataType.INTEGER_TYPES
FRACTIONAL = exp.DataType.REAL_TYPES  # floats and decimals
DATES = {DType.DATE, DType.DATE32}
TIMESTAMPS = {
    DType.TIMESTAMP,
    DType.TIMESTAMPNTZ,
    DType.TIMESTAMPTZ,
    DType.TIMESTAMPLTZ,
    DType.TIMESTAMP_S,
    DType.TIMESTAMP_MS,
    DType.TIMESTAMP_NS,
    DType.DATETIME,
}


def int_literal(node: exp.Expr) -> int | None:
    """The integer a literal (or a negated literal) stands for, else ``None``."""
    if isinstance(node, exp.Paren):
        return int_literal(node.this)
    if isinstance(node, exp.Neg):
        inner = int_literal(node.this)
        return None if inner is None else -inner
    if isinstance(node, exp.Literal) and node.is_int:
        return int(node.this)
    return None


def func(name: str, *args: exp.Expr) -> exp.Anonymous:
    """A call of the engine function ``name`` (one sqlglot has no class for)."""
    return exp.Anonymous(this=name, expressions=list(args))
