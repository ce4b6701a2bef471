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


def check(node: n.Node, profile: Profile, *, generate: bool = True) -> Verdict:
    """Decide whether ``profile``'s engine can run ``node``.

    ``generate=False`` skips sqlglot generation, for callers that generate the whole statement
    with ``unsupported_level=RAISE`` themselves.
    """
    if isinstance(node, n.PythonStep):
        return Verdict(False, "a Python step", "Python runs locally on Arrow record batches")
    features = profile.features.model_dump()
    for key, construct in _features_needed(node):
        if not features[key]:
            return Verdict(False, construct, f"the {profile.name} profile marks {key} false")
    for expr in node.expressions():
        for sub in expr.walk():
            gap = profile.gap(type(sub).__name__)
            if gap is not None:
                construct = sub.sql_name() if isinstance(sub, exp.Func) else type(sub).__name__
                return Verdict(False, construct.upper(), f"{gap.reason} ({gap.status})")
    for expr in node.expressions():
        refused = refusal(expr, profile)
        if refused is not None:
            return Verdict(False, refused.construct, refused.reason, semantic=True)
    unsupported = set(profile.types.unsupported)
    for field in node.schema:
        kind = sql_kind(field.type).name
        if kind in unsupported:
            return Verdict(
                False, f"type {kind} (column {field.name!r})", f"{profile.name} cannot hold {kind}"
            )
    if generate:
        for expr in node.expressions():
            try:
                expr.sql(dialect=profile.dialect, unsupported_level=ErrorLevel.RAISE)
            except SqlglotUnsupported as err:
                return Verdict(False, "SQL generation", str(err).splitlines()[0])
    return OK
