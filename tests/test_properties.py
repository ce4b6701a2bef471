"""Property tests: random flows over small tables compile for every dialect, parse back, and
give the same rows in place on DuckDB and locally."""

from __future__ import annotations

import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pushdown
from pushdown.profiles import all_profiles
from tests.cases import SCHEMAS
from tests.helpers import assert_same

NUMERIC = ["amount", "qty", "id"]
OPS = ["+", "-", "*"]
COMPARE = [">", ">=", "<", "=", "<>"]
AGGS = ["sum", "min", "max", "avg", "count"]


@st.composite
def recipe_chains(draw: st.DrawFn) -> list[tuple[str, dict[str, object]]]:
    """A chain of 1-4 recipes over the ``orders`` case table; each keeps numeric columns."""
    steps: list[tuple[str, dict[str, object]]] = []
    columns = list(NUMERIC)
    for i in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["filter", "compute", "group", "top_n", "window", "distinct"]))
        a, b = draw(st.sampled_from(columns)), draw(st.sampled_from(columns))
        if kind == "filter":
            steps.append(
                (
                    kind,
                    {"where": f"{a} {draw(st.sampled_from(COMPARE))} {draw(st.integers(-5, 60))}"},
                )
            )
        elif kind == "compute":
            new = f"c{i}"
            steps.append((kind, {new: f"{a} {draw(st.sampled_from(OPS))} {b}"}))
            columns.append(new)
        elif kind == "group":
            agg = draw(st.sampled_from(AGGS))
            key = draw(st.sampled_from([c for c in columns if c != a] or columns))
            steps.append((kind, {"by": [key], "aggregates": {f"g{i}": f"{agg}({a})"}}))
            columns = [key, f"g{i}"]
        elif kind == "top_n":
            steps.append(
                (
                    kind,
                    {
                        "n": draw(st.integers(1, 5)),
                        "order_by": [f"{c} DESC NULLS LAST" for c in columns],
                    },
                )
            )
        elif kind == "window":
            steps.append((kind, {"columns": {f"w{i}": f"sum({a})"}, "order_by": list(columns)}))
            columns.append(f"w{i}")
        else:
            steps.append((kind, {"columns": [a]}))
            columns = [a]
    return steps


def _build(steps: list[tuple[str, dict[str, object]]], url: str | None) -> pushdown.Flow:
    from tests.cases import ORDERS

    flow = pushdown.Flow()
    if url:
        flow.connection("wh", url)
        ds = flow.dataset("orders", connection="wh", table="orders", columns=SCHEMAS["orders"])
    else:
        ds = flow.dataset("orders", data=ORDERS)
    for i, (kind, opts) in enumerate(steps):
        name = "out" if i == len(steps) - 1 else f"s{i}"
        if kind == "filter":
            ds = ds.filter(str(opts["where"]), name=name)
        elif kind == "compute":
            ds = ds.compute(name=name, **{k: str(v) for k, v in opts.items()})
        elif kind == "group":
            ds = ds.group(opts["by"], opts["aggregates"], name=name)  # type: ignore[arg-type]
        elif kind == "top_n":
            ds = ds.top_n(int(opts["n"]), opts["order_by"], name=name)  # type: ignore[arg-type]
        elif kind == "window":
            ds = ds.window(opts["columns"], order_by=opts["order_by"], name=name)  # type: ignore[arg-type]
        else:
            ds = ds.distinct(opts["columns"], name=name)  # type: ignore[arg-type]
    return flow


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=recipe_chains())
def test_random_flows_compile_parse_and_agree(
    steps: list[tuple[str, dict[str, object]]], warehouse_url: str
) -> None:
    in_place = pushdown.plan(_build(steps, warehouse_url))
    for engine, profile in all_profiles().items():
        sql = in_place.flow_sql(engine)
        assert sqlglot.parse(sql, read=profile.dialect)
    got = in_place.execute()["out"]
    want = pushdown.plan(_build(steps, None)).execute()["out"]
    ordered = steps[-1][0] == "top_n"
    if steps[-1][0] == "top_n" and any(k == "distinct" for k, _ in steps):
        ordered = False
    assert_same(got, want, ordered=ordered)
