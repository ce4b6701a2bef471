"""Statements: the SQL text a placed plan sends to each engine.

Every output of a fragment is one statement: the fragment's compiled steps as a CTE chain
(:func:`pushdown.compilers.sql.compile_query`), reading the fragment's inputs from temporary
tables on a warehouse (``_pushdown_<plan id>_<run>_<dataset>_<hash>``) or from Arrow
registered under the dataset's name on the local engine, and its sources from their tables.
:class:`Statements` generates each once per plan (once per run where it reads temporary
tables).  :func:`whole_flow` compiles a flow for one engine as if every
table lived there.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Protocol

from sqlglot import exp
from sqlglot.errors import UnsupportedError as SqlglotUnsupported

from pushdown.compilers.lowering.base import Refused
from pushdown.compilers.sql import compile_query, quoted, source_step, table_ref, to_sql
from pushdown.errors import UnsupportedError
from pushdown.plan import nodes as n
from pushdown.plan.build import LogicalPlan
from pushdown.plan.formulas import column
from pushdown.profiles import Profile


class Part(Protocol):
    """What a statement reads of a fragment (the planner's ``Fragment`` is one): its engine,
    its steps, and the steps of other fragments it reads."""

    engine: str
    nodes: list[str]
    inputs: list[str]


def temp_name(plan_id: str, dataset: str, run: str = "") -> str:
    """The name of the temporary table holding ``dataset`` on an engine during one run.

    Unique per dataset: a readable prefix of the name (lower case, ``[a-z0-9_]``, 24
    characters) and a hash of the exact name, so ``a b`` / ``a.b``, ``Lookup`` / ``lookup``
    and long names sharing a prefix never meet, whatever case an engine folds names to.
    Unique per run: ``run`` is a token every execution draws (two runs of one plan, a
    scheduler's retry or two workers, never read each other's tables); without it, the name
    the plan shows in its printed SQL.
    """
    safe = re.sub(r"[^a-z0-9_]", "_", dataset.lower())[:24]
    digest = hashlib.sha1(dataset.encode()).hexdigest()[:8]
    token = f"{run}_" if run else ""
    return f"_pushdown_{plan_id}_{token}{safe}_{digest}"


def comment_safe(text: str) -> str:
    """``text`` made fit for a ``--`` comment line: line breaks and other control or
    format characters become visible escapes, so a name can never end the comment and start
    a statement of its own when printed SQL is run as a script."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch).startswith(("C", "Z")) and ch != " "
        else ch
        for ch in text
    )


class Statements:
    """The statements of one placed plan, each generated once: a plan executed repeatedly
    does not pay sqlglot's generator again.

    ``compiled`` are the optimised nodes the SQL is made from, ``needed`` the columns each
    step's consumers read, ``profiles`` the connections' profiles, and ``local`` the name of
    the local engine (DuckDB over Arrow)."""

    def __init__(
        self,
        plan_id: str,
        logical: LogicalPlan,
        compiled: Mapping[str, n.Node],
        needed: Mapping[str, set[str]],
        profiles: Mapping[str, Profile],
        *,
        local: str,
    ):
        self.plan_id = plan_id
        self.logical = logical
        self.compiled = compiled
        self.needed = needed
        self.profiles = profiles
        self.local = local
        self.results = set(logical.sinks())
        self._text: dict[tuple[tuple[str, ...], str, bool, bool], str] = {}

    def dialect(self, engine: str) -> str:
        """The sqlglot dialect an engine (connection name or the local engine) runs."""
        return "duckdb" if engine == self.local else self.profiles[engine].dialect

    def temp_name(self, dataset: str, run: str = "") -> str:
        """The temporary table holding ``dataset`` on an engine during run ``run``."""
        return temp_name(self.plan_id, dataset, run)

    def _external(self, part: Part, dialect: str, run: str) -> dict[str, exp.Table | exp.Select]:
        local = part.engine == self.local
        refs: dict[str, exp.Table | exp.Select] = {
            name: exp.Table(this=quoted(name))
            if local
            else table_ref(self.temp_name(name, run), dialect=dialect)
            for name in part.inputs
        }
        for name in part.nodes:
            node = self.logical.nodes[name]
            if isinstance(node, n.Source):
                refs[name] = (
                    source_step(table_ref(node.table, dialect=dialect), node, dialect)
                    if node.table and not local
                    else exp.Table(this=quoted(name))
                )
        return refs

    def _projection(self, output: str, project: bool) -> list[str] | None:
        """The columns a projected statement keeps, or None when it keeps them all."""
        columns = self.logical.nodes[output].columns
        keep = [c for c in columns if c in self.needed[output]]
        if not project or output in self.results or len(keep) == len(columns):
            return None
        return keep

    def columns(self, output: str, *, project: bool = False) -> list[str]:
        """The names of the columns the statement for ``output`` returns, in order: what a
        fetched result is renamed to, whatever case the engine gave them back in."""
        keep = self._projection(output, project)
        return keep if keep is not None else self.compiled[output].columns

    def query(self, part: Part, output: str, *, project: bool = False, run: str = "") -> exp.Query:
        """The sqlglot tree computing ``output`` inside ``part``; with ``project``, only the
        columns its consumers need (what a transfer moves); ``run`` names the temporary
        tables it reads (see :func:`temp_name`)."""
        dialect = self.dialect(part.engine)
        query = compile_query(self.compiled, output, self._external(part, dialect, run))
        keep = self._projection(output, project)
        if keep is None:
            return query
        moved = exp.Subquery(this=query, alias=exp.TableAlias(this=quoted("moved")))
        return exp.Select(expressions=[column(c) for c in keep], from_=exp.From(this=moved))

    def text(
        self,
        part: Part,
        output: str,
        *,
        pretty: bool = True,
        project: bool = False,
        run: str = "",
    ) -> str:
        """The SQL text ``part``'s engine runs to produce ``output`` in run ``run``.  A
        statement that reads no temporary table is the same in every run and generated once
        (kept); one that does is generated for its run and not kept (its table names carry
        the run's token, and the plan, kept for reuse, would otherwise hold one text per run
        for ever)."""
        if part.engine == self.local or not part.inputs:
            run = ""
        if project and self._projection(output, project) is None:
            project = False  # the same statement: one text (the size check made it)
        if run:
            query = self.query(part, output, project=project, run=run)
            return self._generated(query, part, output, pretty)
        key = (tuple(part.nodes), output, pretty, project)
        cached = self._text.get(key)
        if cached is None:
            query = self.query(part, output, project=project)
            cached = self._text[key] = self._generated(query, part, output, pretty)
        return cached

    def _generated(self, query: exp.Expr, part: Part, output: str, pretty: bool) -> str:
        """``to_sql`` of ``query``; what sqlglot cannot say in the engine's dialect (which the
        capability checks and formula checks should have refused at plan()) is an
        :class:`UnsupportedError` naming the engine and the recipe, not sqlglot's own error."""
        try:
            return to_sql(query, self.dialect(part.engine), pretty=pretty)
        except SqlglotUnsupported as err:
            construct = err.construct if isinstance(err, Refused) else "SQL generation"
            reason = err.reason if isinstance(err, Refused) else str(err).strip() or "unknown"
            node = self.logical.nodes.get(output)
            raise UnsupportedError(
                part.engine,
                construct,
                reason.splitlines()[0],
                recipe=node.recipe if node else output,
            ) from None


def sql_steps(logical: LogicalPlan) -> set[str]:
    """The steps SQL can compute wherever the tables live: all but the Python steps and the
    steps after them (which run locally whatever the engine)."""
    steps: set[str] = set()
    for name, node in logical.nodes.items():
        if not isinstance(node, n.PythonStep) and all(i in steps for i in node.inputs):
            steps.add(name)
    return steps


def whole_flow(
    logical: LogicalPlan, compiled: Mapping[str, n.Node], steps: set[str], dialect: str
) -> Iterator[exp.Query]:
    """The flow compiled for ``dialect`` as if every table lived on that engine: one query per
    step of ``steps`` that the flow returns or a step outside ``steps`` reads, in plan order
    (each made when the caller asks for it)."""
    nodes = logical.nodes
    # Tables created there the usual way: each engine's spelling of the flow's names, not the
    # names another engine's catalog reported.
    external: dict[str, exp.Table | exp.Select] = {
        name: source_step(
            table_ref(node.table or name, dialect=dialect), node, dialect, catalog=False
        )
        for name, node in nodes.items()
        if isinstance(node, n.Source)
    }
    sinks = set(logical.sinks())
    targets = [
        name
        for name in nodes
        if name in steps and (name in sinks or any(c not in steps for c in logical.consumers[name]))
    ]
    for target in targets:
        yield compile_query(compiled, target, external)
