"""The conformance matrix in docs/conformance.md: ``python -m tests.conformance.matrix``.

Per construct (a row of docs/semantics.md) and engine: how many cases pass, deviate (a known
deviation: a strict xfail, so the table is what the tests observe) or are refused (the
engine's profile refuses the construct, so the planner runs the step elsewhere).  A second
table shows what each profile declares per construct (same / rewritten / refused), read by
``declared`` below: the one place to adapt when the profiles' ``[semantics]`` format lands.
Then the SQL-shape assertions for the real engines, and the known deviations by reason.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter, defaultdict
from pathlib import Path

import pushdown
from pushdown.profiles import Profile, all_profiles
from tests.conformance.batches import build
from tests.conformance.cases import CASES
from tests.conformance.known import KNOWN
from tests.conformance.model import Case, semantics_constructs
from tests.conformance.runner import Engine, plan_batch
from tests.conformance.shapes import SHAPES

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "conformance.md"
LOCAL_ENGINE = "local"
ENGINES = {  # engine -> (column title, offline URL for planning)
    "local": ("local", None),
    "duckdb": ("duckdb", "duckdb:///:memory:"),
    "spark": ("spark (ANSI)", "spark://local[2]"),
    "databricks": ("databricks\\*", "databricks://token:x@offline?http_path=p"),
    "hive": ("hive\\*", "hive://offline/default"),
    "snowflake": ("snowflake\\*", "snowflake://u:p@offline/DB/SCHEMA"),
    "bigquery": ("bigquery\\*", "bigquery://project/dataset"),
}
STANDIN = {
    "databricks": "the Databricks stand-in (Spark Thrift over HTTP, Spark 4, ANSI on)",
    "hive": "the Hive stand-in (Spark Thrift, Spark SQL semantics, ANSI on)",
    "snowflake": "fakesnow (Snowflake SQL translated to DuckDB)",
    "bigquery": "the BigQuery emulator (BigQuery SQL translated to DuckDB)",
}


def _plans(engine: str, cases: list[Case]) -> bool:
    try:
        plan_batch(Engine(engine, ENGINES[engine][1]), build(cases))
    except pushdown.UnsupportedError:
        return False
    return True


@functools.cache
def refused(engine: str) -> frozenset[str]:
    """The cases ``engine``'s profile refuses (planning alone, no engine contact): the cases
    of one construct and shape are planned together, one by one where that is refused."""
    together: dict[tuple[str, bool, str | None], list[Case]] = defaultdict(list)
    for case in CASES:
        together[(case.row, case.kind == "compute", case.formula_dialect)].append(case)
    out: set[str] = set()
    for cases in together.values():
        if not _plans(engine, cases):
            out |= {c.id for c in cases if not _plans(engine, [c])}
    return frozenset(out)


# The profile constructs (fields of ``pushdown.profiles.Semantics``) behind each row of
# docs/semantics.md's table; rows with none are not lowered per engine (NULL logic, names) or
# belong to the staging DDL (TIMESTAMP, TIMESTAMPTZ: compilers/ddl.py, docs/engines.md).
ROW_CONSTRUCTS: dict[str, tuple[str, ...]] = {
    "`a / b`": ("division",),
    "`a / 0`, `a / NULL`": ("division_by_zero",),
    "`a // b`, `div(a, b)`": ("integer_division",),
    "`a % b`": ("modulo",),
    "`CAST(float AS integer)`": ("cast_to_integer",),
    "`CAST(x AS DECIMAL(p, s))`": ("cast_decimal",),
    "`round(x, n)`": ("round",),
    "`ceil(x)`, `floor(x)`, `round(x)`, `trunc(x)` of an integer": ("integer_whole",),
    "`ceil(x)`, `floor(x)`, `trunc(x)` of a DOUBLE": ("double_whole",),
    "`date_trunc(unit, d)`": ("date_trunc",),
    "`d + INTERVAL n unit`, `d - INTERVAL n unit`": ("date_interval",),
    "`datediff(end, start, unit)`": ("date_diff",),
    "`extract(dow FROM d)`, `dayofweek(d)`": ("day_of_week",),
    "`extract(isodow FROM d)`, `isodow(d)`": ("iso_day_of_week",),
    "`extract(week FROM d)`, `weekofyear(d)`": ("iso_week",),
    "`a || b`, `concat(a, b)`": ("concat_operator", "concat"),
    "`substring(s, start, len)`": ("substring",),
    "`length(s)`": ("length",),
    "`s LIKE p`": ("like",),
    "string comparison, `=`, `<`, `ORDER BY` on text": ("string_comparison",),
    "`count(x)`, `sum`, `avg`, `min`, `max`": ("aggregate_nulls",),
    "`count(DISTINCT a, b)`": ("count_distinct_multi",),
    "`stddev`, `variance`": ("variance",),
    "NULL in expressions": (),
    "`arg_min(v, k)`, `arg_max(v, k)`": ("arg_min_max",),
    "`string_agg(x, sep ORDER BY ...)`": ("string_agg",),
    "`median(x)`": ("median",),
    "`first_value`, `last_value` over an ordered window": ("first_last_value",),
    "`nth_value(x, n)` over an ordered window": ("nth_value",),
    "`agg(x) FILTER (WHERE c)`": ("aggregate_filter",),
    "`IGNORE NULLS` / `RESPECT NULLS`": ("null_treatment",),
    "`ORDER BY x` / `x DESC`": ("null_ordering",),
    "TIMESTAMP": (),
    "TIMESTAMPTZ": (),
    "names": (),
}
STATUS_ORDER = ("same", "rewritten", "refused")


def _profile(engine: str) -> Profile:
    return all_profiles()["duckdb" if engine == LOCAL_ENGINE else engine]


def declared(engine: str, row: str) -> str | None:
    """What ``engine``'s profile declares for the construct ``row`` at the version pushdown
    plans for without one (the oldest supported): same, rewritten or refused (the strongest
    of the row's constructs), with the versions where that changes; None: no construct."""
    constructs = ROW_CONSTRUCTS.get(row, ())
    if not constructs:
        return None
    profile = _profile(engine)
    status = max((profile.rule(c).status for c in constructs), key=STATUS_ORDER.index)
    later = []
    for construct in constructs:
        rules = getattr(profile.semantics, construct)
        for before, rule in itertools.pairwise(rules) if isinstance(rules, list) else []:
            if before.below and rule.status != before.status:
                later.append(f"{rule.status} from {before.below}")
    return status + "".join(f"; {text}" for text in later)


def _short(reason: str) -> str:
    """A reason's label in a cell: ``#15 9``, ``#15 to verify``, ``#15 new``, ``documented``
    (docs/semantics.md declares it) or ``stand-in``."""
    match = re.match(r"pushdown bug: #15 (item \d+|to verify|new)", reason)
    if match:
        return "#15 " + match.group(1).replace("item ", "")
    if reason.startswith("documented in semantics.md"):
        return "documented"
    return "stand-in" if reason.startswith("stand-in") else "?"


def _cell(declared_as: str | None, counts: Counter[str], reasons: set[str]) -> str:
    parts = []
    if counts["pass"]:
        parts.append(f"{counts['pass']} pass")
    if counts["deviation"]:
        parts.append(f"{counts['deviation']} deviate ({', '.join(sorted(reasons))})")
    if counts["refused"]:
        parts.append(f"{counts['refused']} refused")
    observed = ", ".join(parts) or "-"
    return observed if declared_as is None else f"**{declared_as}**: {observed}"


def outcome(case: Case, engine: str) -> tuple[str, str | None]:
    """What the tests observe for ``case`` on ``engine``: pass, deviation (with the short
    reason) or refused (the profile refuses it: the planner runs the step elsewhere)."""
    reason = KNOWN.get((case.id, engine))
    if reason is not None:
        return "deviation", _short(reason.text)
    if case.id in refused(engine):
        return "refused", None
    return "pass", None


def rows() -> dict[str, list[Case]]:
    """The cases per construct: semantics.md's rows in its order, then the others."""
    out: dict[str, list[Case]] = {row: [] for row in semantics_constructs()}
    for case in CASES:
        out.setdefault(case.row, []).append(case)
    return {row: cases for row, cases in out.items() if cases}


def matrix() -> str:
    """docs/conformance.md."""
    by_row = rows()
    names = list(ENGINES)
    lines = [
        "# Conformance matrix",
        "",
        "Generated by `python -m tests.conformance.matrix` from the cases in",
        "`tests/conformance/cases/`, the known deviations in `tests/conformance/known.py` and",
        "the profiles; do not edit. `tests/conformance/test_matrix.py` fails when it is stale.",
        "",
        f"{len(CASES)} cases, each with pushdown's expected value (docs/semantics.md), run on "
        f"every engine below through upload, the generated SQL, execution and fetch "
        "(`tests/conformance/test_conformance.py`).",
        "A known deviation is a strict xfail: the table is what the tests observe, and a fix "
        "that lands turns its line in `known.py` into a failure until the line is deleted.",
        "",
        "Engines marked \\* are stand-ins here:",
        "",
        *[f"- {ENGINES[e][0]}: {STANDIN[e]}" for e in STANDIN],
        "",
        "What a stand-in cannot show about its real engine is pinned by the SQL-shape "
        "assertions further down.",
        "",
        "Run: `pytest tests/conformance` (the stand-ins' engines skip, saying why, when they "
        "are not running; in CI they run). Add a case: one line in the area's file under "
        "`tests/conformance/cases/`, with the semantics.md construct it checks; its expected "
        "value comes from docs/semantics.md, never from an engine. A fix that lands: delete its "
        "lines in `known.py`, then regenerate this page.",
        "",
        "## Construct x engine",
        "",
        "Each cell: what the engine's profile (`[semantics]` in `dialects/<engine>.toml`, the "
        "local engine is lowered as DuckDB) declares for the construct at the version pushdown "
        "plans for when the connection names none (the oldest supported: Hive 2.1, Databricks "
        "Runtime 13.3), **same** (the engine's own function means it), **rewritten** (the "
        "lowering rewrites it) or **refused** (the step runs on another engine and `explain()` "
        "says why); then what the cases observe: pass, deviate (a known deviation, with its "
        "reason: an item of issue #15, an exception semantics.md documents, or a stand-in "
        "limitation; all listed in full at the end) or refused (planning refuses "
        "the case for that engine). How each rewrite is done and the vendor page behind it: "
        "`docs/dialects.md` (\"Semantics\") and the profiles. Rows without a declaration are "
        "not lowered per engine (NULL logic, names) or belong to the staging DDL (TIMESTAMP, "
        "TIMESTAMPTZ: `docs/engines.md`).",
        "",
        "| construct (docs/semantics.md) | cases | " + " | ".join(ENGINES[e][0] for e in names)
        + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for row, cases in by_row.items():
        cells = []
        for engine in names:
            counts: Counter[str] = Counter()
            reasons: set[str] = set()
            for case in cases:
                kind, reason = outcome(case, engine)
                counts[kind] += 1
                if reason:
                    reasons.add(reason)
            cells.append(_cell(declared(engine, row), counts, reasons))
        label = row.replace("|", "\\|")
        lines.append(f"| {label} | {len(cases)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## What no stand-in can show: SQL shapes on the real engines",
        "",
        "`tests/conformance/test_shapes.py` compiles the cases for the real engine's dialect "
        "and asserts the construct pushdown emits.",
        "",
        "| shape | engine | the vendor's rule | status |",
        "|---|---|---|---|",
    ]
    for shape in SHAPES:
        reason = KNOWN.get((f"shape.{shape.id}", shape.engine))
        status = f"deviates ({_short(reason.text)})" if reason else "holds"
        claim = shape.claim.replace("|", "\\|")
        link = f"([vendor]({shape.url}))"
        lines.append(f"| `{shape.id}` | {shape.engine} | {claim} {link} | {status} |")
    lines += ["", "## Known deviations by reason", ""]
    by_reason: dict[str, Counter[str]] = defaultdict(Counter)
    for (_, engine), reason in KNOWN.items():
        by_reason[reason.text][engine] += 1
    for text, engines in sorted(by_reason.items()):
        where = ", ".join(f"{e} {n}" for e, n in sorted(engines.items()))
        lines.append(f"- {text} ({where})")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(matrix(), end="")
