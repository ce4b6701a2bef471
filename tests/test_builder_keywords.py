"""The builder's own keywords cannot be mistaken for column formulas: ``compute(name=...)``
once named the step after a formula meant for a column called ``name``."""

from __future__ import annotations

import pyarrow as pa
import pytest

import pushdown
from pushdown.errors import AmbiguousNameError, DuplicateNameError

PEOPLE = pa.table({"name": ["ada", "alan"], "email": ["A@X", "B@Y"]})


def _people() -> tuple[pushdown.Flow, pushdown.Dataset]:
    flow = pushdown.Flow()
    return flow, flow.dataset("customers", data=PEOPLE)


def test_a_column_called_name_in_the_mapping_form() -> None:
    flow, customers = _people()
    out = customers.compute({"name": "upper(name)"}, name="shouting")
    assert out.name == "shouting" and flow.dataset_names() == ["customers", "shouting"]
    got = pushdown.plan(flow).execute()["shouting"]
    assert got.column("name").to_pylist() == ["ADA", "ALAN"]


def test_compute_name_alone_is_refused_not_taken_for_the_step_name() -> None:
    """The issue's case: ``compute(name="upper(name)")`` created a dataset called
    ``upper(name)`` and no column."""
    flow, customers = _people()
    with pytest.raises(AmbiguousNameError, match=r"compute\(\{'name': 'upper\(name\)'\}\)"):
        customers.compute(name="upper(name)")
    assert flow.dataset_names() == ["customers"]


def test_keyword_columns_with_name_keep_working_with_a_warning() -> None:
    flow, customers = _people()
    with pytest.warns(FutureWarning, match="names the step"):
        out = customers.compute(email="lower(email)", name="cleaned")
    assert out.name == "cleaned"
    got = pushdown.plan(flow).execute()["cleaned"]
    assert got.column("email").to_pylist() == ["a@x", "b@y"]


def test_keyword_columns_and_mapping_columns_combine_once() -> None:
    flow, customers = _people()
    out = customers.compute({"a": "upper(name)"}, b="lower(email)", name="both")
    assert pushdown.plan(flow).execute()[out.name].column_names == ["name", "email", "a", "b"]
    with pytest.raises(DuplicateNameError, match="'a' twice"):
        customers.compute({"a": "name"}, a="email")
