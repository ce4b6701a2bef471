"""The placement search at scale and estimates without statistics.

Asymptotic behaviour is asserted on counts of work (terms evaluated by the search), never on
timings: timings are in ``benchmarks/planning.py``."""

from __future__ import annotations

import itertools
from typing import Any

import pyarrow as pa
import pytest
from benchmarks.planning import shaped_flow

import pushdown
from pushdown.plan.build import build_logical_plan
from pushdown.planner import placement
from pushdown.planner.cost import CostModel, Objective
from pushdown.planner.placement import Constraints, Placer
from pushdown.planner.reasons import placements
from pushdown.planner.robust import least_bad_worst_case, moves_uncertain_data
from pushdown.planner.search import Search, Searched
from pushdown.planner.sources import source_stats
from pushdown.planner.stats import GROUP_FRACTION, Bound, estimate_plan, required_columns
from pushdown.profiles import get_profile
from pushdown.statistics import ColumnStats, TableStats


def _placer(flow: pushdown.Flow, options: dict[str, Any]) -> tuple[Placer, dict[str, Any]]:
    """The placer ``plan()`` would build for ``flow`` (declared schemas, no engine asked)."""
    logical = build_logical_plan(flow)
    given = {k: TableStats(rows=v["rows"]) for k, v in options.get("statistics", {}).items()}
    stats = source_stats(flow, logical, given, None, {})
    profiles = {name: get_profile("duckdb") for name in flow.spec.connections}
    model = CostModel(profiles, overrides=options.get("cost_overrides"))
    estimates = estimate_plan(logical, stats)
    constraints = Constraints(
        forbid_steps={k: set(v) for k, v in options.get("forbid_steps", {}).items()}
    )
    placer = Placer(logical, profiles, estimates, required_columns(logical), model, constraints)
    return placer, stats


def _work(shape: str, steps: int, engines: int) -> tuple[int, Searched]:
    flow, options = shaped_flow(shape, steps, engines=engines)
    placer, _ = _placer(flow, options)
    placer.solve()
    assert placer.search is not None
    return placer.search.work, placer.search


@pytest.mark.parametrize("engines", [2, 3])
@pytest.mark.parametrize("shape", ["chain", "tree", "dag"])
def test_search_work_grows_linearly(shape: str, engines: int) -> None:
    small, search = _work(shape, 150, engines)
    large, _ = _work(shape, 300, engines)
    assert search.forest == (shape != "dag")
    assert small > 0
    assert large / small <= 2.3, (small, large)
    # Well inside the budget (linear in the choices), so the budget is a guard, not the cause.
    assert large <= search.budget * 2.2


def _enumerate(placer: Placer) -> float:
    free = [name for name, c in placer.candidates.items() if len(c) > 1]
    base = {name: c[0] for name, c in placer.candidates.items()}
    return min(
        placer.score({**base, **dict(zip(free, combo, strict=True))})
        for combo in itertools.product(*(placer.candidates[name] for name in free))
    )


@pytest.mark.parametrize("shape", ["chain", "tree"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dynamic_programming_is_exact_on_forests(shape: str, seed: int) -> None:
    flow, options = shaped_flow(shape, 9, engines=3, seed=seed)
    placer, _ = _placer(flow, options)
    search = Search(placer)
    assert search.forest
    assert placer.score(search.programme()) == pytest.approx(_enumerate(placer), rel=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_search_matches_enumeration_on_small_dags(seed: int) -> None:
    flow, options = shaped_flow("dag", 9, engines=3, seed=seed)
    placer, _ = _placer(flow, options)
    limit = placement.EXHAUSTIVE_LIMIT
    placement.EXHAUSTIVE_LIMIT = 0  # the search itself, not enumeration
    try:
        chosen = placer.score(placer.solve())
    finally:
        placement.EXHAUSTIVE_LIMIT = limit
    assert not placer.search or not placer.search.forest
    assert chosen == pytest.approx(_enumerate(placer), rel=1e-9)


def test_region_moves_find_what_single_moves_cannot() -> None:
    """From "every step where its first candidate is", single-step moves stop where moving
    one step of a same-engine run alone adds transfers; region moves carry the run."""
    flow, options = shaped_flow("dag", 60, engines=3, seed=6)
    placer, _ = _placer(flow, options)
    search = Search(placer)
    start = {name: c[0] for name, c in placer.candidates.items()}  # everything where it lives
    singles = Search(placer)
    singles.region_moves = lambda state, near=None: False  # type: ignore[method-assign]
    with_regions = placer.score(search.local_search(dict(start)))
    without = placer.score(singles.local_search(dict(start)))
    assert with_regions < without * 0.99


# -- estimates without statistics ---------------------------------------------------------------


def _q1_like(url: str = "duckdb:///:memory:") -> pushdown.Flow:
    flow = pushdown.Flow()
    flow.connection("wh", url)
    items = flow.dataset(
        "items",
        connection="wh",
        table="items",
        columns={"flag": "varchar", "status": "varchar", "price": "double", "day": "date"},
    )
    shipped = items.filter("day <= DATE '1998-09-02'", name="shipped")
    priced = shipped.compute(name="priced", net="price * 0.9")
    summary = priced.group(["flag", "status"], {"total": "sum(net)"}, name="summary")
    summary.sort("flag", "status", name="result")
    return flow


def test_aggregate_distinct_and_top_n_never_keep_all_rows_by_default() -> None:
    flow = _q1_like()
    flow["priced"].distinct(["flag", "status"], name="kinds")
    flow["priced"].top_n(3, ["net DESC"], partition_by=["flag"], name="top3")
    placer, _ = _placer(flow, {})
    est = placer.est
    assert est["items"].defaults == {"rows"}
    assert est["shipped"].defaults == {"selectivity"}
    for name in ("summary", "kinds", "top3"):
        assert est[name].defaults == {"groups"}
        assert est[name].rows <= est["priced"].rows * GROUP_FRACTION
    assert est["priced"].defaults == frozenset()  # a projection adds no default of its own


def test_without_statistics_q1_stays_in_place_and_explain_names_the_defaults() -> None:
    plan = pushdown.plan(_q1_like(), engine_statistics=False)
    assert {step.engine for step in plan.steps.values()} == {"wh"}
    assert plan.placement["summary"].defaults == ("groups",)
    assert plan.placement["shipped"].defaults == ("selectivity",)
    text = plan.explain()
    assert "default estimate: groups" in text
    assert "default estimate: selectivity" in text


def _keys_of_unknown_table() -> pushdown.Flow:
    """The distinct keys of a table without statistics, matched against a local table of known
    size: for the default group count (200 keys) fetching the keys is cheapest; if the keys are
    as many as the rows, that moves the whole table."""
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    events = flow.dataset(
        "events", connection="wh", table="events", columns={"k": "bigint", "x": "double"}
    )
    keys = events.distinct(["k"], name="keys")
    wanted = flow.dataset("wanted", data=pa.table({"k": pa.array(range(50_000), pa.int64())}))
    wanted.join(keys, on=["k"], how="semi", name="found")
    return flow


def test_least_bad_worst_case_does_not_move_data_sized_by_defaults() -> None:
    flow = _keys_of_unknown_table()
    placer, stats = _placer(flow, {})
    nominal = placer.solve()
    assert (nominal["keys"], nominal["found"]) == ("wh", "local")  # fetch the 200 keys
    assert moves_uncertain_data(placer, nominal)
    chosen = least_bad_worst_case(placer, nominal, stats)
    assert chosen["found"] == "wh"  # the table of known size moves instead
    assert not moves_uncertain_data(placer, chosen)
    # What it costs for the defaults is bounded by what the nominal choice risks.
    high = Placer(
        placer.logical,
        placer.profiles,
        estimate_plan(placer.logical, stats, "high"),
        placer.needed,
        placer.model,
        like=placer,
    )
    assert placer.score(chosen) / placer.score(nominal) < high.score(nominal) / high.score(chosen)
    plan = pushdown.plan(flow, engine_statistics=False)
    assert plan.steps["found"].engine == "wh"
    assert "least bad worst case" in plan.explain()
    assert plan.placement["keys"].defaults == ("groups",)


def test_with_sizes_known_the_cheapest_placement_stands() -> None:
    flow = _keys_of_unknown_table()
    column = {"k": ColumnStats(ndv=300.0)}
    placer, stats = _placer(flow, {})
    stats = {**stats, "events": TableStats(rows=1e6, columns=column)}
    placer = Placer(
        placer.logical,
        placer.profiles,
        estimate_plan(placer.logical, stats),
        placer.needed,
        placer.model,
        like=placer,
    )
    nominal = placer.solve()
    assert not any(placer.est[name].defaults for name in placer.nodes)
    assert least_bad_worst_case(placer, nominal, stats) is nominal
    assert nominal["found"] == "local"


@pytest.mark.parametrize("bound", ["low", "high"])
def test_bound_estimates_from_the_nominal_ones_are_the_same(bound: Bound) -> None:
    # Half the tables with statistics: steps over them keep their nominal estimate (the same
    # object), the others move with the bound; every figure equals a pass made from scratch.
    flow, options = shaped_flow("dag", 300, engines=3)
    placer, stats = _placer(flow, options)
    stats = {k: v if int(k[1:]) % 2 else None for k, v in stats.items()}
    nominal = estimate_plan(placer.logical, stats)
    fresh = estimate_plan(placer.logical, stats, bound)
    reused = estimate_plan(placer.logical, stats, bound, nominal=nominal)
    assert fresh == reused
    same = [name for name in nominal if reused[name] is nominal[name]]
    moved = [name for name in nominal if fresh[name].rows != nominal[name].rows]
    assert same and moved
    assert not any(nominal[name].defaults for name in same)
    assert all(reused[name].widths is nominal[name].widths for name in nominal)


# -- the batched scores are the cost objects' -----------------------------------------------------


def _priced_placer(objective: Objective, flow: pushdown.Flow) -> Placer:
    """A placer of ``flow`` whose connections are priced (BigQuery's bytes, Snowflake's
    warehouse seconds: money and a mix then differ from time), a tenth of its steps
    materialized."""
    logical = build_logical_plan(flow)
    stats = source_stats(flow, logical, {}, None, {})
    kinds = itertools.cycle(["bigquery", "snowflake"])
    profiles = {name: get_profile(next(kinds)) for name in flow.spec.connections}
    model = CostModel(profiles, objective=objective)
    names = list(logical.nodes)
    constraints = Constraints(materialize=set(names[3::10]))
    return Placer(
        logical,
        profiles,
        estimate_plan(logical, stats),
        required_columns(logical),
        model,
        constraints,
    )


@pytest.mark.parametrize("objective", ["time", "money", 3600.0])
def test_batched_scores_are_the_cost_objects_scored(objective: Objective) -> None:
    """own_score, own_scores, out_score, out_scores and out_matrix (what the search reads)
    against the objective's score of :meth:`Placer.own` and :meth:`Placer.outgoing`, on every
    engine toward every set of consumer engines (local among them), sinks and materialized
    steps included.  Scans and the programme's matrix are bit-identical; an outgoing cost
    summed score by score differs from the score of its summed Cost by rounding only (seconds
    and dollars are added apart in a Cost)."""
    flow, _ = shaped_flow("dag", 30, engines=3, seed=4)
    placer = _priced_placer(objective, flow)
    model, engines = placer.model, placer.engines
    assert placer.sinks and placer.constraints.materialize
    consumer_sets = [
        frozenset(c) for r in range(len(engines) + 1) for c in itertools.combinations(engines, r)
    ]
    batched = _priced_placer(objective, flow)  # fresh memos: each batch computes its values
    for name in placer.nodes:
        own = [model.score(placer.own(name, e)) for e in engines]
        assert [placer.own_score(name, e) for e in engines] == own
        assert batched.own_scores(name, list(engines)) == own
        for engine in engines:
            for targets in consumer_sets:
                slow = model.score(placer.outgoing(name, engine, set(targets)))
                fast = placer.out_score(name, engine, targets)
                if objective == "time":
                    assert fast == slow
                else:
                    assert fast == pytest.approx(slow, rel=1e-14, abs=1e-300)
        order = list(reversed(engines))
        matrix = batched.out_matrix(name, order, engines)
        for target, row in zip(engines, matrix, strict=True):
            assert row == placer.out_scores(name, order, frozenset([target]))
            # scored without Cost objects: the transfer's seconds (it prices no dollars)
            assert model.transfer_scores(order, target, 1e6) == [
                model.score(model.transfer(e, target, 1e6)) for e in order
            ]
    for engine in engines:
        assert model.scan_score(engine, 3e9) == model.score(model.scan(engine, 3e9))


def _self_join_flow() -> pushdown.Flow:
    flow = pushdown.Flow()
    flow.connection("wh0", "duckdb:///:memory:")
    flow.connection("wh1", "duckdb:///:memory:")
    cols = {"k": "bigint", "x": "double"}
    t = flow.dataset("t", connection="wh0", table="t", columns=cols)
    u = flow.dataset("u", connection="wh1", table="u", columns=cols)
    kept = t.filter("x > 1", name="kept")
    pairs = kept.join(kept, on=["k"], how="semi", name="pairs")  # one input read twice
    both = pairs.join(u, on=["k"], how="semi", name="both")
    pinned = both.compute({"y": "x * 2"}, name="pinned")
    pinned.group(["k"], {"n": "count(*)"}, name="grouped")
    both.filter("x < 9", name="small")
    return flow


@pytest.mark.parametrize("objective", ["time", "money", 3600.0])
def test_alternatives_are_the_score_of_the_single_move(objective: Objective) -> None:
    """Explain's alternatives (priced by the local search's delta) are the difference of the
    exact scores with and without the move: a self-join, a pin and a forbidden engine."""
    flow = _self_join_flow()
    placer = _priced_placer(objective, flow)
    placer = Placer(
        placer.logical,
        placer.profiles,
        placer.est,
        placer.needed,
        placer.model,
        Constraints(pins={"pinned": "local"}, forbid_steps={"small": {"wh1"}}),
    )
    assign = placer.solve()
    records = placements(placer, assign)
    base = placer.score(assign)
    costed = 0
    for name, record in records.items():
        for engine, delta, why in record.alternatives:
            if delta is None:
                assert engine not in placer.candidates[name], (name, engine, why)
                continue
            costed += 1
            moved = placer.score({**assign, name: engine}) - base
            assert delta == pytest.approx(moved, rel=1e-9, abs=1e-12 * base), (name, engine)
            # rounding noise is shown as no difference, never as a tiny cheaper runner-up
            assert delta == 0.0 or abs(delta) > 1e-12 * base, (name, engine, delta)
    assert costed and records["pinned"].alternatives
    assert all(d is None for _, d, _ in records["pinned"].alternatives)
    assert dict((e, w) for e, _, w in records["small"].alternatives)["wh1"] == (
        "forbidden by the user"
    )


def test_an_equal_runner_up_is_shown_as_no_difference() -> None:
    """A runner-up that costs the same up to rounding reads "+$0", not a cheaper-looking
    "-$3.2e-27" (DuckDB and Hive priced by money: their per-second costs round apart)."""
    flow, _ = shaped_flow("dag", 12, engines=3, seed=0)
    logical = build_logical_plan(flow)
    stats = source_stats(flow, logical, {}, None, {})
    kinds = iter(["duckdb", "hive"])
    profiles = {name: get_profile(next(kinds)) for name in flow.spec.connections}
    model = CostModel(profiles, objective="money")
    placer = Placer(
        logical, profiles, estimate_plan(logical, stats), required_columns(logical), model
    )
    assign = placer.solve()
    records = placements(placer, assign)
    deltas = [d for r in records.values() for _, d, _ in r.alternatives if d is not None]
    assert 0.0 in deltas  # the tie this flow has (s0 on local or its warehouse)
    assert not [d for d in deltas if d != 0.0 and abs(d) < 1e-12 * placer.score(assign)]


def test_a_nodes_column_references_follow_its_expressions() -> None:
    """``Node.reads`` and ``Join.key_pairs`` are found once per node: a copy carries them for
    its copied expressions, a node made with other expressions finds its own."""
    import copy
    import dataclasses

    from sqlglot import exp

    from pushdown.plan import nodes as n

    flow, _ = shaped_flow("dag", 30, engines=2)
    logical = build_logical_plan(flow)
    joins = [x for x in logical.nodes.values() if isinstance(x, n.Join)]
    filters = [x for x in logical.nodes.values() if isinstance(x, n.Filter)]
    assert joins and filters
    join, kept = joins[0], filters[0]
    assert join.key_pairs == (("k", "k"),)
    assert join.reads == tuple(n.column_refs(e) for e in join.expressions())
    twin = copy.deepcopy(join)
    assert twin.reads == join.reads and twin.key_pairs == join.key_pairs
    other = exp.condition('"l"."x" = "r"."x"')
    remade = dataclasses.replace(join, condition=other)
    assert remade.key_pairs == (("x", "x"),)
    assert remade.reads[0] == frozenset({("l", "x"), ("r", "x")})
    assert dataclasses.replace(kept, condition=exp.condition('"k" > 1')).reads == (
        frozenset({("", "k")}),
    )
