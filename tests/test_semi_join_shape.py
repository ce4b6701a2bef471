"""The shape of semi joins on DuckDB: a selective one (few right rows, few left rows kept) is
written as an inner join with the right side's distinct keys, which DuckDB's optimizer
estimates from the right side (an EXISTS it estimates at a fixed fraction of the left); any
other stays EXISTS.  Both give the same rows, run here on DuckDB, with duplicate and NULL keys
on both sides.  Without statistics the kept share is a default, and the right side's size
alone decides (the join form's worst case over the kept share is the better one)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

import pushdown
from pushdown.planner.stats import ColumnStats, TableStats
from tests.helpers import assert_same, duckdb_answer, duckdb_file

ITEMS = pa.table(
    {
        "item": pa.array(range(2_000), pa.int64()),
        "part": pa.array([None if i % 97 == 0 else i % 300 for i in range(2_000)], pa.int64()),
        "kind": pa.array([i % 4 for i in range(2_000)], pa.int64()),
    }
)
# Parts 1-9 of kind 1 twice (duplicate key pairs), of kind 2 once, one NULL part.
PARTS = pa.table(
    {
        "p": pa.array([*range(1, 10), *range(1, 10), *range(1, 10), None], pa.int64()),
        "k": pa.array([1] * 9 + [2] * 9 + [1] * 9 + [1], pa.int64()),
    }
)

# What the planner is told: ten million items over 200,000 parts, 28 part rows.
SELECTIVE = {
    "items": TableStats(
        rows=1e7, columns={"part": ColumnStats(ndv=2e5), "kind": ColumnStats(ndv=4)}
    ),
    "parts": TableStats(rows=28, columns={"p": ColumnStats(ndv=9), "k": ColumnStats(ndv=2)}),
}

EXPECTED_SQL = """
select item, part, kind from items i
where exists (select 1 from parts p where i.part = p.p and i.kind = p.k)
"""


def _flow(url: str, where: str = "") -> pushdown.Flow:
    flow = pushdown.Flow()
    flow.connection("wh", url)
    items = flow.dataset("items", connection="wh", table="items")
    parts = flow.dataset("parts", connection="wh", table="parts")
    if where:
        parts = parts.filter(where, name="chosen_parts")
    items.join(parts, on={"part": "p", "kind": "k"}, how="semi", name="result")
    return flow


def test_a_selective_semi_join_is_an_inner_join_with_distinct_keys(tmp_path: Path) -> None:
    url = duckdb_file(tmp_path / "wh.db", items=ITEMS, parts=PARTS)
    plan = pushdown.plan(_flow(url), statistics=SELECTIVE)
    sql = plan.fragment_sql("wh")
    assert "SELECT DISTINCT" in sql and "EXISTS" not in sql, sql
    want = duckdb_answer(EXPECTED_SQL, items=ITEMS, parts=PARTS)
    assert want.num_rows > 0
    assert_same(plan.execute()["result"], want)
    # The same flow with a right side as large as the left: EXISTS, the same rows.
    even = pushdown.plan(_flow(url), statistics={"items": {"rows": 1e7}, "parts": {"rows": 1e7}})
    assert "EXISTS" in even.fragment_sql("wh")
    assert_same(even.execute()["result"], want)


def test_engines_without_the_profile_fact_keep_exists(tmp_path: Path) -> None:
    url = duckdb_file(tmp_path / "wh.db", items=ITEMS, parts=PARTS)
    plan = pushdown.plan(
        _flow(url), dialects={"wh": "snowflake"}, engine_statistics=False, statistics=SELECTIVE
    )
    assert "EXISTS" in plan.fragment_sql("wh")


def test_a_known_share_kept_large_keeps_exists(tmp_path: Path) -> None:
    """The kept share known (every item's part is among the parts): EXISTS, though the right
    side is small."""
    url = duckdb_file(tmp_path / "wh.db", items=ITEMS, parts=PARTS)
    known = {
        "items": TableStats(
            rows=1e7, columns={"part": ColumnStats(ndv=9), "kind": ColumnStats(ndv=2)}
        ),
        "parts": SELECTIVE["parts"],
    }
    plan = pushdown.plan(_flow(url), statistics=known)
    assert plan.placement["result"].rows == 1e7 and not plan.placement["result"].defaults
    assert "EXISTS" in plan.fragment_sql("wh")
    assert_same(plan.execute()["result"], duckdb_answer(EXPECTED_SQL, items=ITEMS, parts=PARTS))


FILTERED_SQL = """
select item, part, kind from items i
where exists (select 1 from parts p where p.k = 1 and i.part = p.p and i.kind = p.k)
"""


def test_without_statistics_a_filtered_right_side_is_a_join_with_distinct_keys(
    tmp_path: Path,
) -> None:
    """No statistics: the kept share is a default (explain says so), the right side (a filter
    of a table of the default size) a twentieth of the left: the join form, the same rows."""
    url = duckdb_file(tmp_path / "wh.db", items=ITEMS, parts=PARTS)
    plan = pushdown.plan(_flow(url, "k = 1"), engine_statistics=False)
    assert "match fraction" in plan.placement["result"].defaults
    sql = plan.fragment_sql("wh")
    assert "SELECT DISTINCT" in sql and "EXISTS" not in sql, sql
    text = plan.explain()
    assert "default estimate: match fraction" in text, text
    assert "the match fraction is a default" in text, text
    want = duckdb_answer(FILTERED_SQL, items=ITEMS, parts=PARTS)
    assert want.num_rows > 0
    assert_same(plan.execute()["result"], want)


def test_without_statistics_an_unfiltered_right_side_keeps_exists(tmp_path: Path) -> None:
    """No statistics, the right side as large as the left by the defaults: grouping it could
    cost more than the join form gains, so EXISTS; the same rows."""
    url = duckdb_file(tmp_path / "wh.db", items=ITEMS, parts=PARTS)
    plan = pushdown.plan(_flow(url), engine_statistics=False)
    assert "match fraction" in plan.placement["result"].defaults
    assert "EXISTS" in plan.fragment_sql("wh")
    assert "the match fraction is a default" not in plan.explain()
    assert_same(plan.execute()["result"], duckdb_answer(EXPECTED_SQL, items=ITEMS, parts=PARTS))
