"""Join conditions name their two sides without ambiguity: ``left.``/``right.``, an alias per
input, or the dataset names when they differ.  Self-joins by dataset name, inputs called
``l``/``r`` (the old shorthands) and inputs called ``left``/``right`` once gave wrong answers
without a word; each is now right or a typed error."""

from __future__ import annotations

import pyarrow as pa
import pytest

import pushdown
from pushdown.errors import AmbiguousNameError, UnknownColumnError
from tests.helpers import assert_same, duckdb_answer

ITEMS = pa.table(
    {
        "k": [1, 1, 2, 3, 3, 4],
        "s": [10, 11, 20, 30, 30, 40],
        "q": [5, 6, 7, 8, 9, 10],
    }
)


def _run(flow: pushdown.Flow, name: str) -> pa.Table:
    return pushdown.plan(flow).execute()[name]


def test_self_join_by_dataset_name_is_refused_not_wrong() -> None:
    """The issue's case: a semi join of a dataset with itself qualified by its own name once
    resolved both qualifiers to the right side and returned no rows."""
    flow = pushdown.Flow()
    items = flow.dataset("lineitem", data=ITEMS)
    items.join(
        items,
        how="semi",
        condition="lineitem.k = lineitem.k AND lineitem.s <> lineitem.s",
        name="shared",
    )
    with pytest.raises(AmbiguousNameError, match="'lineitem' names both inputs.*left.k or right.k"):
        pushdown.plan(flow)


@pytest.mark.parametrize("how", ["semi", "anti", "inner"])
def test_self_join_with_left_right_qualifiers_matches_exists(how: str) -> None:
    flow = pushdown.Flow()
    items = flow.dataset("lineitem", data=ITEMS)
    items.join(items, how=how, condition="left.k = right.k AND left.s <> right.s", name="out")
    got = _run(flow, "out")
    if how == "inner":
        expected = duckdb_answer(
            "SELECT a.k, a.s, a.q, b.k AS k_right, b.s AS s_right, b.q AS q_right "
            "FROM lineitem a JOIN lineitem b ON a.k = b.k AND a.s <> b.s",
            lineitem=ITEMS,
        )
    else:
        neg = "NOT " if how == "anti" else ""
        expected = duckdb_answer(
            f"SELECT * FROM lineitem a WHERE {neg}EXISTS (SELECT * FROM lineitem b "
            "WHERE a.k = b.k AND a.s <> b.s)",
            lineitem=ITEMS,
        )
    assert got.num_rows == expected.num_rows > 0
    assert_same(got, expected)


def test_self_join_keeps_the_right_sides_columns_after_pruning() -> None:
    """Both sides read one dataset: the columns read through the right side are kept too."""
    flow = pushdown.Flow()
    base = flow.dataset("base", data=ITEMS).prepare([{"compute": {"z": "k + 1"}}], name="items")
    joined = base.join(base, condition="left.k = right.k AND left.s < right.s", name="j")
    joined.prepare([{"keep": ["s", "q_right"]}], name="out")
    got = _run(flow, "out")
    assert sorted(zip(*got.to_pydict().values(), strict=True)) == [(10, 6)]


def test_unqualified_column_of_a_self_join_suggests_each_side_once() -> None:
    flow = pushdown.Flow()
    items = flow.dataset("lineitem", data=ITEMS)
    items.join(items, condition="left.k = right.k AND s <> right.s", name="out")
    with pytest.raises(AmbiguousNameError) as info:
        pushdown.plan(flow)
    message = str(info.value)
    assert "left.s or right.s" in message and message.count("lineitem.s") == 0


def _lr_flow(condition: str) -> pushdown.Flow:
    flow = pushdown.Flow()
    r = flow.dataset("r", data=pa.table({"k": [1, 1, 2], "x": [1, 5, 3]}))
    l_ = flow.dataset("l", data=pa.table({"k": [1, 2], "x": [3, 3]}))
    r.join(l_, condition=condition, name="out")
    return flow


def test_datasets_named_l_and_r_keep_their_sides() -> None:
    """``r.join(l, ...)``: ``r.`` is the left input, ``l.`` the right one (the old shorthands
    once took over and swapped the sides, reversing the inequality)."""
    got = _run(_lr_flow("r.k = l.k AND r.x < l.x"), "out")
    assert got.column_names == ["k", "x", "k_right", "x_right"]
    assert sorted(zip(*got.to_pydict().values(), strict=True)) == [(1, 1, 1, 3)]
    same = _run(_lr_flow("left.k = right.k AND left.x < right.x"), "out")
    assert_same(same, got)


def test_l_and_r_stay_shorthands_where_no_input_is_called_so() -> None:
    flow = pushdown.Flow()
    a = flow.dataset("a", data=pa.table({"k": [1, 2]}))
    b = flow.dataset("b", data=pa.table({"k": [2, 3]}))
    a.join(b, condition="l.k = r.k", name="out")
    assert _run(flow, "out").to_pydict() == {"k": [2], "k_right": [2]}


def test_an_input_called_right_on_the_left_is_ambiguous() -> None:
    flow = pushdown.Flow()
    a = flow.dataset("right", data=pa.table({"k": [1, 2]}))
    b = flow.dataset("b", data=pa.table({"k": [2, 3]}))
    a.join(b, condition="right.k = b.k", name="out")
    with pytest.raises(AmbiguousNameError, match="'right' names both inputs"):
        pushdown.plan(flow)


def test_unknown_qualifier_lists_each_option_once() -> None:
    flow = pushdown.Flow()
    a = flow.dataset("orders", data=pa.table({"k": [1, 2]}))
    b = flow.dataset("customers", data=pa.table({"k": [2, 3]}))
    a.join(b, condition="ordrs.k = customers.k", name="out")
    with pytest.raises(UnknownColumnError, match="did you mean 'orders'\\?"):
        pushdown.plan(flow)


@pytest.mark.parametrize("how", ["semi", "anti"])
def test_self_join_with_an_alias_per_input_matches_exists(how: str) -> None:
    """A self-join without a second source dataset: each input named by its own alias."""
    flow = pushdown.Flow()
    items = flow.dataset("lineitem", data=ITEMS)
    items.join(
        items,
        how=how,
        condition="l1.k = l2.k AND l1.s <> l2.s",
        aliases=("l1", "l2"),
        name="out",
    )
    neg = "NOT " if how == "anti" else ""
    expected = duckdb_answer(
        f"SELECT * FROM lineitem l1 WHERE {neg}EXISTS (SELECT * FROM lineitem l2 "
        "WHERE l1.k = l2.k AND l1.s <> l2.s)",
        lineitem=ITEMS,
    )
    got = _run(flow, "out")
    assert got.num_rows == expected.num_rows > 0
    assert_same(got, expected)


def test_aliases_in_a_flow_file_and_the_same_alias_twice_is_refused() -> None:
    from pushdown.errors import DuplicateNameError, FlowError
    from pushdown.recipe.load import spec_from_data

    recipe = {
        "type": "join",
        "left": "lineitem",
        "right": "lineitem",
        "output": "out",
        "how": "semi",
        "condition": "a.k = b.k AND a.s <> b.s",
        "left_alias": "a",
        "right_alias": "b",
    }
    spec = spec_from_data({"recipes": [recipe]})
    assert (spec.recipes[0].left_alias, spec.recipes[0].right_alias) == ("a", "b")
    with pytest.raises(DuplicateNameError, match="both 'a'"):
        spec_from_data({"recipes": [{**recipe, "right_alias": "a"}]})
    flow = pushdown.Flow()
    items = flow.dataset("lineitem", data=ITEMS)
    with pytest.raises(FlowError, match="two names"):
        items.join(items, condition="a.k = b.k", aliases=("a",))
