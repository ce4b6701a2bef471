"""Over a shaped link (``pushdown.bench.link``): does calibration recover the link, and how
many round trips does planning take?

    python -m benchmarks link [--engine snowflake] [--links 20ms,100mbit;50ms,20mbit]
                              [--max-rows 640000] [--only calibrate|planning] [--scale 0.1]

Needs the stand-in of ``--engine`` (``PUSHDOWN_STANDIN_<ENGINE>``; run inside the stand-ins'
network namespace).

- calibrate: ``pushdown.bench.calibrate.calibrate`` through an unshaped proxy (0 ms, 100 Gbit)
  and through each link.  The link's share is what the shaped run adds to the unshaped one:
  round trip = latency(shaped) - latency(unshaped); seconds per byte = 1/fetch(shaped) -
  1/fetch(unshaped), in the Arrow bytes calibration counts, times the measured wire bytes per
  Arrow byte (the proxy counts what it forwards) gives the link's bandwidth.  Each compared
  with the link's setting: within 30% is "met".  The two calibrations run a minute apart
  against a stand-in other sessions load, whose own statement time moves by more than a 20 ms
  link between them; so the round trip is also recovered paired
  (:func:`paired_round_trips`): calibration's latency probe through an unshaped proxy and
  through the link, statement about statement, the median over ``--rounds`` rounds.
- planning: ``pushdown.plan()`` of one flow holding all 22 TPC-H queries (steps prefixed by
  their query) on the stand-in behind the first link (its tables loaded by a ``pushdown bench
  tpch -e ENGINE --scale SCALE --link ...`` run): statements per connection (schemas +
  statistics) and seconds, cold (statistics cache emptied) and warm (the same call again).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from pushdown.bench.calibrate import LATENCY_PROBES, calibrate, probe_table, statement_latencies
from pushdown.bench.link import LinkSpec, parse_link
from pushdown.bench.linked import scale_schema, through_link
from pushdown.compilers.ddl import select_all
from pushdown.engines import open_connector

UNSHAPED = LinkSpec(0.0, 100e9)
TOLERANCE = 0.30


def wire_factor(engine: str, rows: int = 320_000) -> float:
    """Bytes on the wire per Arrow byte of a fetched probe table (through an unshaped proxy)."""
    table, data = "_pushdown_link_wire", probe_table(rows)
    link, urls, args = through_link(UNSHAPED, [engine], {}, {})
    assert link is not None
    try:
        conn = open_connector(engine, urls[engine], args.get(engine))
        conn.write_table(table, data)
        conn.close()
    finally:
        link.close()
    link, urls, args = through_link(UNSHAPED, [engine], {}, {})
    assert link is not None
    try:
        conn = open_connector(engine, urls[engine], args.get(engine))
        got = conn.fetch_arrow(select_all(table, dialect=conn.dialect))
        assert got.num_rows == rows
        conn.drop(table)
        conn.close()
    finally:
        link.close()
    return link.moved["down"] / data.nbytes


def calibrated(engine: str, spec: LinkSpec, max_rows: int) -> dict[str, float]:
    """Latency and fetch rate (Arrow bytes/s) that calibration fits through ``spec``."""
    link, urls, args = through_link(spec, [engine], {}, {})
    assert link is not None
    top = max_rows
    try:
        cal = calibrate(
            engine,
            urls[engine],
            sizes=[top // 64, top // 16, top // 4, top],
            held_out=[top // 32, top // 8, top // 2],
            connect_args=args.get(engine),
        )
    finally:
        link.close()
    p = cal.parameters
    return {
        "latency_s": p["query_latency_s"],
        "fetch_bytes_per_s": p["transfer"]["fetch_bytes_per_s"],
        "error_after": cal.error("after"),
    }


def paired_round_trips(
    engine: str, spec: LinkSpec, rounds: int = 7, probes: int = LATENCY_PROBES
) -> list[float]:
    """The link's round trip as calibration measures it, paired: per round, the calibration's
    latency probe (``probes`` statements, each after an idle pause, the median) through an
    unshaped proxy and through ``spec``, the two connections taking turns statement by
    statement; the round trip is the difference of the two medians.  Pairing in time takes
    the stand-in's own statement time, which moves with the machine's load, out of the
    difference."""
    base_link, base_urls, base_args = through_link(UNSHAPED, [engine], {}, {})
    assert base_link is not None
    try:
        link, urls, args = through_link(spec, [engine], {}, {})
        assert link is not None
        try:
            base = open_connector(engine, base_urls[engine], base_args.get(engine))
            shaped = open_connector(engine, urls[engine], args.get(engine))
            try:
                found = []
                for _ in range(rounds):
                    without, through = statement_latencies([base, shaped], probes)
                    found.append(through - without)
            finally:
                base.close()
                shaped.close()
        finally:
            link.close()
    finally:
        base_link.close()
    return found


def calibration_rows(
    engine: str, links: list[LinkSpec], max_rows: int, rounds: int = 7
) -> list[dict[str, Any]]:
    """Per link: the recovered round trip and bandwidth against the link's setting."""
    wire = wire_factor(engine)
    base = calibrated(engine, UNSHAPED, max_rows)
    print(f"wire bytes per Arrow byte: {wire:.3f}; unshaped: {base}")
    rows = []
    for spec in links:
        got = calibrated(engine, spec, max_rows)
        paired = paired_round_trips(engine, spec, rounds)
        paired_rtt = statistics.median(paired)
        print(f"{spec}: paired round trips (ms): {[round(x * 1e3, 1) for x in paired]}")
        rtt = got["latency_s"] - base["latency_s"]
        per_byte = 1 / got["fetch_bytes_per_s"] - 1 / base["fetch_bytes_per_s"]
        bits = wire * 8 / per_byte if per_byte > 0 else float("inf")
        rows.append(
            {
                "link": str(spec),
                "latency_s": got["latency_s"],
                "rtt_s": rtt,
                "rtt_error": abs(rtt - spec.rtt_s) / spec.rtt_s,
                "paired_rtt_s": paired_rtt,
                "paired_range_s": (min(paired), max(paired)),
                "paired_error": abs(paired_rtt - spec.rtt_s) / spec.rtt_s,
                "fetch_bytes_per_s": got["fetch_bytes_per_s"],
                "bits_per_s": bits,
                "bandwidth_error": abs(bits - spec.bits_per_s) / spec.bits_per_s,
                "error_after": got["error_after"],
            }
        )
        print(rows[-1])
    print(
        "\n| link | latency fitted (ms) | round trip, unpaired (ms) | error | round trip, "
        "paired: median [range] (ms) | error | fetch fitted (MB/s, Arrow) | bandwidth "
        "recovered (Mbit/s, wire) | error | within 30% (paired, bandwidth) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| none (proxy, 0 ms) | {base['latency_s'] * 1e3:.1f} | | | | | "
        f"{base['fetch_bytes_per_s'] / 1e6:.1f} | | | |"
    )
    for r in rows:
        ok = r["paired_error"] <= TOLERANCE and r["bandwidth_error"] <= TOLERANCE
        low, high = r["paired_range_s"]
        print(
            f"| {r['link']} | {r['latency_s'] * 1e3:.1f} | {r['rtt_s'] * 1e3:.1f} | "
            f"{r['rtt_error']:.0%} | {r['paired_rtt_s'] * 1e3:.1f} [{low * 1e3:.1f}-"
            f"{high * 1e3:.1f}] | {r['paired_error']:.0%} | "
            f"{r['fetch_bytes_per_s'] / 1e6:.2f} | {r['bits_per_s'] / 1e6:.1f} | "
            f"{r['bandwidth_error']:.0%} | {'met' if ok else 'missed'} |"
        )
    return rows


def all_queries_flow(url: str) -> Any:
    """One flow with the 22 TPC-H queries over the same eight tables (steps prefixed)."""
    import pushdown
    from pushdown.bench.tpch.flows import FLOWS, tpch_flow
    from pushdown.recipe.load import spec_from_data

    merged: dict[str, Any] = {}
    recipes: list[dict[str, Any]] = []
    for query in sorted(FLOWS, key=lambda q: int(q[1:])):
        data = tpch_flow(query, connection_url=url).spec.model_dump(exclude_none=True)
        merged = merged or {k: v for k, v in data.items() if k not in ("recipes", "outputs")}
        own = {o for r in data["recipes"] for o in _outputs(r)}

        def ref(name: str, own: set[str] = own, query: str = query) -> str:
            return f"{query}_{name}" if name in own else name

        for r in data["recipes"]:
            r = dict(r)
            for key in ("input", "left", "right", "output"):
                if key in r:
                    r[key] = ref(r[key])
            if "inputs" in r:
                r["inputs"] = [ref(n) for n in r["inputs"]]
            if "outputs" in r:
                r["outputs"] = [ref(n) for n in r["outputs"]]
            recipes.append(r)
    return pushdown.Flow(spec=spec_from_data({**merged, "recipes": recipes}))


def _outputs(recipe: dict[str, Any]) -> list[str]:
    return [recipe["output"]] if "output" in recipe else list(recipe.get("outputs", []))


def planning_rounds(engine: str, spec: LinkSpec, scale: float) -> dict[str, Any]:
    """Statements and seconds of plan() for the 22-query flow behind ``spec``, cold and warm
    (the tables loaded by ``pushdown bench tpch -e ENGINE --scale SCALE --link ...``)."""
    import pushdown
    from pushdown.planner.gather import CACHE

    link, urls, args = through_link(spec, [engine], {}, {}, scale_schema(scale))
    assert link is not None
    try:
        flow = all_queries_flow(urls[engine])
        flow.spec.connections["tpch"] = urls[engine]
        out: dict[str, Any] = {"link": str(spec), "steps": len(flow.spec.recipes)}
        CACHE.clear()
        for label in ("cold", "warm", "warm, statistics='cached'"):
            options = {"statistics": "cached"} if "cached" in label else {}
            start = time.perf_counter()
            plan = pushdown.plan(flow, connect_args={"tpch": args.get(engine, {})}, **options)
            seconds = time.perf_counter() - start
            out[label] = {"statements": plan.planning_statements, "seconds": seconds}
            print(label, out[label])
    finally:
        link.close()
    return out


def main(argv: list[str]) -> None:
    """Run the link benchmark (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks link")
    parser.add_argument("--engine", default="snowflake")
    parser.add_argument("--links", default="20ms,100mbit;50ms,20mbit")
    parser.add_argument("--max-rows", type=int, default=640_000)
    parser.add_argument("--rounds", type=int, default=7, help="paired latency blocks per link")
    parser.add_argument("--only", choices=["calibrate", "planning"])
    parser.add_argument("--scale", type=float, default=0.1, help="the tables planning reads")
    args = parser.parse_args(argv)
    links = [parse_link(text) for text in args.links.split(";")]
    if args.only != "planning":
        calibration_rows(args.engine, links, args.max_rows, args.rounds)
    if args.only != "calibrate":
        planning_rounds(args.engine, links[0], args.scale)
