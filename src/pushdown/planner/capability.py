"""Can engine E run node N?  The answer is a reason, not a bool.

Order of checks: the node kind (Python steps never compile to SQL), the profile's relational
features, the profile's function gaps (by sqlglot expression class, at the connection's
engine version), the constructs of ``docs/semantics.md`` the profile refuses (``[semantics]``,
found by the lowering), the profile's type limits, then sqlglot's own generator with
``unsupported_level=RAISE``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import ErrorLevel
from sqlglot.errors import UnsupportedError as SqlglotUnsupported

from pushdown.compilers.lowering import refusal
from pushdown.plan import nodes as n
from pushdown.profiles import Profile
from pushdown.types import sql_kind


@dataclass(frozen=True)
class Verdict:
    """Whether a node can run on an engine; when not, which construct blocks it and why."""

    ok: bool
    construct: str = ""
    reason: str = ""
    semantic: bool = False  # the engine has the construct but it means something else

    def describe(self, engine: str) -> str:
        """``"MEDIAN is not supported on hive: ..."``, ``"COUNT(DISTINCT a, b) differs on
        bigquery: ..."``, or ``"supported"``."""
        if self.ok:
            return "supported"
        verb = "differs on" if self.semantic else "is not supported on"
        return f"{self.construct} {verb} {engine}: {self.reason}"


OK = Verdict(True)


def _features_needed(node: n.Node) -> list[tuple[str, str]]:
    needed: list[tuple[str, str]] = []
    if isinstance(node, n.Join):
        if node.how == "full":
            needed.append(("full_join", "FULL OUTER JOIN"))
        if node.how in ("semi", "anti"):
            needed.append(("correlated_exists", f"{node.how.upper()} JOIN (EXISTS subquery)"))
    if isinstance(node, n.Window) and any(
        isinstance(e, exp.Window) and e.args.get("spec") for _, e in node.items
    ):
        needed.append(("window_frames", "window frame (ROWS BETWEEN)"))
    if isinstance(node, n.Union) and node.distinct:
        needed.append(("union_distinct", "UNION DISTINCT"))
    return needed


class Memo:
    """What :func:`check` found per (profile, expression) and each profile's features, kept
    for the checks of one plan: a flow's steps repeat formulas (the same tree over the same
    column types), and generating SQL to check them is most of the cost of a check."""

    def __init__(self) -> None:
        self.features: dict[int, tuple[Profile, dict[str, bool]]] = {}
        # Per expression shape, per (profile, check): the verdict (None: nothing found).
        self.found: dict[tuple[object, ...], dict[tuple[int, str], Verdict | None]] = {}

    def features_of(self, profile: Profile) -> dict[str, bool]:
        """``profile.features`` as a dict (read once per profile)."""
        kept = self.features.get(id(profile))
        if kept is None or kept[0] is not profile:
            kept = self.features[id(profile)] = (profile, profile.features.model_dump())
        return kept[1]


def shape(tree: exp.Expr) -> tuple[object, ...]:
    """A key equal for two trees exactly when they hold the same nodes, arguments (names
    and literals included) and annotated types, in the same structure."""
    out: list[object] = []
    stack: list[object] = [tree]
    while stack:
        item = stack.pop()
        if not isinstance(item, exp.Expr):
            out.append(item)
            continue
        out.append(type(item))
        out.append(item._type)
        stack.append(")")
        for key, value in reversed(list(item.args.items())):
            if value is None:
                continue
            if isinstance(value, list):
                stack.append(")")
                stack.extend(reversed([v if isinstance(v, exp.Expr) else repr(v) for v in value]))
                stack.append(len(value))
            else:
                stack.append(value if isinstance(value, exp.Expr) else repr(value))
            stack.append(key)
    return tuple(out)


def _gap(expr: exp.Expr, profile: Profile) -> Verdict | None:
    for sub in expr.walk():
        gap = profile.gap(type(sub).__name__)
        if gap is not None:
            construct = sub.sql_name() if isinstance(sub, exp.Func) else type(sub).__name__
            return Verdict(False, construct.upper(), f"{gap.reason} ({gap.status})")
    return None


def _refused(expr: exp.Expr, profile: Profile) -> Verdict | None:
    refused = refusal(expr, profile)
    if refused is None:
        return None
    return Verdict(False, refused.construct, refused.reason, semantic=True)


def _generation(expr: exp.Expr, profile: Profile) -> Verdict | None:
    try:
        expr.sql(dialect=profile.dialect, unsupported_level=ErrorLevel.RAISE)
    except SqlglotUnsupported as err:
        return Verdict(False, "SQL generation", str(err).splitlines()[0])
    return None


_STAGES = {"gap": _gap, "refused": _refused, "generation": _generation}


def check(
    node: n.Node, profile: Profile, *, generate: bool = True, memo: Memo | None = None
) -> Verdict:
    """Decide whether ``profile``'s engine can run ``node``.

    ``generate=False`` skips sqlglot generation, for callers that generate the whole statement
    with ``unsupported_level=RAISE`` themselves.  ``memo`` keeps what each check found per
    profile and expression for the next call (the same answers, each found once).
    """
    if isinstance(node, n.PythonStep):
        return Verdict(False, "a Python step", "Python runs locally on Arrow record batches")
    features = memo.features_of(profile) if memo else profile.features.model_dump()
    for key, construct in _features_needed(node):
        if not features[key]:
            return Verdict(False, construct, f"the {profile.name} profile marks {key} false")
    kept: dict[int, dict[tuple[int, str], Verdict | None]] = {}  # per expression, its memo

    def first(stage: str) -> Verdict | None:
        for i, expr in enumerate(node.expressions()):
            if memo is None:
                found = _STAGES[stage](expr, profile)
            else:
                entry = kept.get(i)
                if entry is None:
                    entry = kept[i] = memo.found.setdefault(shape(expr), {})
                key = (id(profile), stage)
                if key in entry:
                    found = entry[key]
                else:
                    found = entry[key] = _STAGES[stage](expr, profile)
            if found is not None:
                return found
        return None

    for stage in ("gap", "refused"):
        found = first(stage)
        if found is not None:
            return found
    unsupported = set(profile.types.unsupported)
    for field in node.schema:
        kind = sql_kind(field.type).name
        if kind in unsupported:
            return Verdict(
                False, f"type {kind} (column {field.name!r})", f"{profile.name} cannot hold {kind}"
            )
    if generate:
        return first("generation") or OK
    return OK
