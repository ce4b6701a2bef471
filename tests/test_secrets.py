"""Secrets never appear in an error, whatever the URL looks like (issue #12, item 14: the
errors.py half; the connectors' chained causes are the engines' part)."""

from __future__ import annotations

import pytest

import pushdown
from pushdown import errors as e

SECRET = "s3cr/et@pw"


@pytest.mark.parametrize(
    "url",
    [
        f"snowflake//etl:{SECRET}@acct/db",
        f"snowflake:/etl:{SECRET}@acct/db",
        f"etl:{SECRET}@acct/db",
        f"nosuch://etl:{SECRET}@host/db",
        f"mysql://etl:{SECRET}@host/db?token=abc",
        f"snowflake//etl:{SECRET}@acct/db?token=abc",
    ],
)
def test_connection_errors_never_show_a_password(url: str) -> None:
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    flow.dataset("t", connection="wh", table="t", columns={"x": "int"})
    with pytest.raises(e.ConnectionConfigError) as info:
        pushdown.plan(flow, connections={"wh": url}, engine_statistics=False)
    for channel in (str(info.value), repr(info.value), *map(str, info.value.args)):
        assert "s3cr" not in channel and "et@pw" not in channel, channel


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("snowflake://me:hunter2@acct/db?token=abc", "snowflake://me:***@acct/db?token=***"),
        ("snowflake//etl:p/w@acct/db", "snowflake//etl:***@acct/db"),
        ("snowflake://etl:pa/ss@word@acct/db", "snowflake://etl:***@acct/db"),
        ("failed: etl:pw@acct/db", "failed: etl:***@acct/db"),
        (
            "connect_args {'password': 'abc', 'user': 'x'}",
            "connect_args {'password': '***', 'user': 'x'}",
        ),
        ('{"client_secret": "xyz"}', '{"client_secret": "***"}'),
        ("duckdb:///:memory:", "duckdb:///:memory:"),
        ("https://host:8080/path", "https://host:8080/path"),
        ("mail me@example.com", "mail me@example.com"),
        ("Unexpected token: ')'", "Unexpected token: ')'"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert e.redact(text) == expected


def test_engine_error_scrubs_every_channel() -> None:
    err = e.EngineError(
        "wh",
        "login failed for snowflake//etl:hunter2x@acct (password hunter2x)",
        sql="SELECT 'hunter2x', 'postgres://u:pw/1@h/d'",
        secrets=["hunter2x"],
    )
    for channel in (str(err), repr(err), err.message, err.sql or "", *map(str, err.args)):
        assert "hunter2x" not in channel and "pw/1" not in channel, channel
    assert str(err).startswith("wh: login failed for snowflake//etl:***@acct")


def test_flow_spec_repr_hides_inline_passwords() -> None:
    flow = pushdown.Flow()
    flow.connection("wh", f"snowflake://etl:{SECRET}@acct/db")
    for text in (repr(flow.spec), str(flow.spec)):
        assert "s3cr" not in text and "snowflake://etl:***@acct/db" in text
    assert flow.spec.connections["wh"].endswith(f"{SECRET}@acct/db")  # the flow keeps it
