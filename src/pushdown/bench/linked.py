"""The harness's ``--link`` mode: the warehouse stand-ins (or any ``host:port`` connection)
reached through a shaped link (:mod:`pushdown.bench.link`).

An engine of the run named ``snowflake``, ``bigquery`` or ``hive`` with no URL of its own and
its stand-in's address in ``PUSHDOWN_STANDIN_<NAME>`` (``tests/standins/start.sh`` exports
them) gets a URL and driver arguments pointing at a proxy in front of that address; an
engine given a URL with a host and port gets that host and port proxied.  The Databricks
stand-in needs test-only protocol patches (``tests/standins/dbx_shim.py``) and is not wired.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import make_url
from sqlglot import exp

from pushdown.bench.link import Link, LinkSpec, split_address
from pushdown.bench.targets import BUILT_IN
from pushdown.engines import open_connector
from pushdown.errors import PushdownError

STANDINS = ("snowflake", "bigquery", "hive")
SCHEMA = "pushdown_link"  # the stand-ins' schema/dataset for the linked runs' tables


def scale_schema(scale: float) -> str:
    """The schema/dataset for TPC-H at ``scale`` (one per scale: runs at two scales at the
    same time would otherwise reload each other's tables)."""
    return f"{SCHEMA}_sf{scale:g}".replace(".", "_")


def standin_address(name: str) -> tuple[str, int] | None:
    """The stand-in's ``host:port`` from ``PUSHDOWN_STANDIN_<NAME>``, or None."""
    text = os.environ.get(f"PUSHDOWN_STANDIN_{name.upper()}")
    return split_address(text) if name in STANDINS and text else None


def standin_connection(
    name: str, host: str, port: int, schema: str = SCHEMA
) -> tuple[str, dict[str, Any]]:
    """The URL and driver arguments that reach stand-in ``name`` at ``host:port`` (as in
    ``tests/integration/conftest.py``), with the tables in ``schema`` (a Snowflake schema, a
    BigQuery dataset, a Hive database)."""
    if name == "snowflake":
        args = {
            "host": host,
            "port": port,
            "protocol": "http",
            "network_timeout": 900,
            "session_parameters": {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
        }
        return f"snowflake://fake:snow@fakesnow/PUSHDOWN/{schema.upper()}", args
    if name == "bigquery":
        args = {"api_endpoint": f"http://{host}:{port}", "anonymous": True}
        return f"bigquery://test-proj/{schema}", args | {"use_storage_api": False}
    if name == "hive":
        return f"hive://ci@{host}:{port}/{schema}?auth=NOSASL", {}
    raise PushdownError(f"no stand-in wiring for {name!r}; stand-ins: {', '.join(STANDINS)}")


def prepare_standin(name: str, url: str, connect_args: Mapping[str, Any], schema: str) -> None:
    """Create the schema, dataset or database the stand-in starts without (idempotent)."""
    if name == "hive":  # a database of its own: the TPC-H tables must not replace default's
        conn = open_connector(name, url.replace(f"/{schema}?", "/default?"), connect_args)
        try:
            create = exp.Create(kind="DATABASE", this=exp.to_table(schema), exists=True)
            conn.con.cursor().execute(create.sql(dialect="hive"))  # type: ignore[attr-defined]
        finally:
            conn.close()
        return
    conn = open_connector(name, url, connect_args)
    try:
        if name == "snowflake":
            for kind, target in (("DATABASE", "PUSHDOWN"), ("SCHEMA", f"PUSHDOWN.{schema}")):
                create = exp.Create(kind=kind, this=exp.to_table(target), exists=True)
                conn.execute(create.sql(dialect="snowflake"))
        else:
            conn.client.create_dataset(conn.dataset, exists_ok=True)  # type: ignore[attr-defined]
    finally:
        conn.close()


def _url_address(url: str) -> tuple[str, int] | None:
    try:
        parsed = make_url(url)
    except Exception:  # not a SQLAlchemy URL: nothing to proxy
        return None
    if parsed.host and parsed.port:
        return parsed.host, parsed.port
    return None


def through_link(
    spec: LinkSpec,
    engines: Sequence[str],
    connections: Mapping[str, str],
    connect_args: Mapping[str, Mapping[str, Any]],
    schema: str = SCHEMA,
    prepare: bool = True,
) -> tuple[Link | None, dict[str, str], dict[str, dict[str, Any]]]:
    """Start one proxy per networked engine of ``engines`` behind a link ``spec``; the link
    (None when no engine is networked) and the connections and driver arguments that go
    through it (a stand-in's tables in ``schema``, created unless ``prepare`` is False)."""
    urls = dict(connections)
    args = {k: dict(v) for k, v in connect_args.items()}
    plans: list[tuple[str, tuple[str, int], str]] = []  # engine, target, how it is wired
    for engine in engines:
        if engine in BUILT_IN:
            continue
        if engine in urls:
            target = _url_address(urls[engine])
            if target is not None:
                plans.append((engine, target, "url"))
        elif (target := standin_address(engine)) is not None:
            plans.append((engine, target, "standin"))
    if not plans:
        return None, urls, args
    link = Link(spec, [target for _, target, _ in plans])
    try:
        _wire(plans, link, urls, args, schema, prepare)
    except BaseException:
        link.close()
        raise
    return link, urls, args


def _wire(
    plans: list[tuple[str, tuple[str, int], str]],
    link: Link,
    urls: dict[str, str],
    args: dict[str, dict[str, Any]],
    schema: str,
    prepare: bool,
) -> None:
    for (engine, _, how), (host, port) in zip(plans, link.addresses, strict=True):
        if how == "url":
            urls[engine] = (
                make_url(urls[engine])
                .set(host=host, port=port)
                .render_as_string(hide_password=False)
            )
        else:
            urls[engine], standin_args = standin_connection(engine, host, port, schema)
            args[engine] = standin_args | args.get(engine, {})
            if prepare:
                prepare_standin(engine, urls[engine], args[engine], schema)
