"""The function catalogue and the dialect support matrix generated from the profiles.

The catalogue lists the functions pushdown documents, each with a sample formula over the
columns ``x`` (double), ``s`` (text), ``d`` (date) and ``t`` (timestamp).  A profile marks the
ones its engine lacks; everything else must compile for it (the drift test proves it), and
``docs/dialects.md`` is generated from the same data: ``python -m pushdown.support``.
"""

from __future__ import annotations

from sqlglot import exp

from pushdown.profiles import Profile, Rule, Semantics, all_profiles

SAMPLE_COLUMNS = {"x": "double", "s": "varchar", "d": "date", "t": "timestamp"}

# sqlglot expression class -> (kind, sample formula)
CATALOGUE: dict[str, tuple[str, str]] = {
    "Count": ("aggregate", "count(distinct s)"),
    "Sum": ("aggregate", "sum(x)"),
    "Avg": ("aggregate", "avg(x)"),
    "Min": ("aggregate", "min(x)"),
    "Max": ("aggregate", "max(x)"),
    "Median": ("aggregate", "median(x)"),
    "StddevSamp": ("aggregate", "stddev(x)"),
    "ArgMin": ("aggregate", "arg_min(s, t)"),
    "ArgMax": ("aggregate", "arg_max(s, t)"),
    "GroupConcat": ("aggregate", "string_agg(s, ',')"),
    "RowNumber": ("window", "row_number()"),
    "Rank": ("window", "rank()"),
    "DenseRank": ("window", "dense_rank()"),
    "Lag": ("window", "lag(x, 1)"),
    "Lead": ("window", "lead(x, 1)"),
    "Upper": ("scalar", "upper(s)"),
    "Lower": ("scalar", "lower(s)"),
    "Length": ("scalar", "length(s)"),
    "Substring": ("scalar", "substring(s, 1, 2)"),
    "Trim": ("scalar", "trim(s)"),
    "Concat": ("scalar", "concat(s, '-', s)"),
    "DPipe": ("scalar", "s || '!'"),
    "Coalesce": ("scalar", "coalesce(x, 0)"),
    "Case": ("scalar", "CASE WHEN x > 1 THEN 'a' ELSE 'b' END"),
    "If": ("scalar", "if(x > 1, 'a', 'b')"),
    "Cast": ("scalar", "cast(x AS bigint)"),
    "Round": ("scalar", "round(x, 1)"),
    "Abs": ("scalar", "abs(x)"),
    "Floor": ("scalar", "floor(x)"),
    "Ceil": ("scalar", "ceil(x)"),
    "DateTrunc": ("scalar", "date_trunc('month', d)"),
    "Year": ("scalar", "year(d)"),
    "Month": ("scalar", "month(d)"),
    "In": ("scalar", "s IN ('a', 'b')"),
    "Like": ("scalar", "s LIKE 'a%'"),
    "Between": ("scalar", "x BETWEEN 1 AND 2"),
}

FEATURES = {
    "full_join": "FULL OUTER JOIN",
    "correlated_exists": "semi/anti join (EXISTS)",
    "window_frames": "window frames (ROWS BETWEEN)",
    "union_distinct": "UNION DISTINCT",
    "nulls_ordering": "NULLS FIRST/LAST",
    "create_or_replace": "CREATE OR REPLACE TABLE",
    "transactional_ddl": "transactional DDL",
}


def support_matrix() -> str:
    """The Markdown support matrix, generated from the profiles and the catalogue."""
    profiles = all_profiles()
    names = sorted(profiles)
    lines = [
        "# Dialect support matrix",
        "",
        "Generated from `dialects/*.toml` by `python -m pushdown.support`; do not edit.",
        "A step using a construct an engine lacks runs locally, and the plan says why.",
        "",
        "## Relational features",
        "",
        "| feature | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for key, label in FEATURES.items():
        marks = ["yes" if getattr(profiles[n].features, key) else "no" for n in names]
        lines.append(f"| {label} | " + " | ".join(marks) + " |")
    lines += [
        "",
        "## Functions",
        "",
        "| function | example | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for cls, (_, sample) in CATALOGUE.items():
        marks = []
        for n in names:
            gap = profiles[n].functions.get(cls)
            if gap is None:
                marks.append("yes")
            else:
                marks.append(gap.status + (f" below {gap.below}" if gap.below else ""))
        lines.append(f"| {cls} | `{sample}` | " + " | ".join(marks) + " |")
    lines += ["", "## Known gaps", ""]
    for n in names:
        for cls, gap in profiles[n].functions.items():
            lines.append(f"- **{n}** `{cls}` ({gap.status}): {gap.reason}")
    lines += _semantics(profiles, names)
    lines += ["", "## Types an engine cannot hold", ""]
    for n in names:
        unsupported = ", ".join(profiles[n].types.unsupported) or "none"
        lines.append(f"- **{n}**: {unsupported}")
    lines += ["", "## Timestamps and session settings", ""]
    lines.append(
        "pushdown's TIMESTAMP / TIMESTAMPTZ as each engine spells them in casts and staged "
        "columns (`[types]`), and the "
        "settings its sessions run with (`[session]`; the profiles cite the vendor pages):"
    )
    lines.append("")
    for n in names:
        types = profiles[n].types
        settings = ", ".join(f"`{k}={v}`" for k, v in profiles[n].session.items()) or "none"
        spelled = [
            exp.DataType.build(t).sql(dialect=profiles[n].dialect)
            for t in (types.timestamp, types.timestamptz)
        ]
        lines.append(f"- **{n}**: {' / '.join(spelled)}; session: {settings}")
    return "\n".join(lines) + "\n"


def _rules(profile: Profile, construct: str) -> list[Rule]:
    declared = getattr(profile.semantics, construct)
    return declared if isinstance(declared, list) else [declared]


def _mark(rules: list[Rule]) -> str:
    return " / ".join(r.status + (f" (below {r.below})" if r.below else "") for r in rules)


def _semantics(profiles: dict[str, Profile], names: list[str]) -> list[str]:
    """The construct x engine matrix of ``docs/semantics.md`` and each rewrite or refusal."""
    lines = [
        "",
        "## Semantics",
        "",
        "Per construct of `docs/semantics.md`: **same** (the engine's own function means it),",
        "**rewritten** (the lowering rewrites it) or **refused** (the step runs elsewhere, and",
        "`explain()` says why). Versioned engines plan for their oldest supported version unless",
        "the connection URL names one (`?engine_version=`).",
        "",
        "| construct | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    constructs = list(Semantics.model_fields)
    for construct in constructs:
        marks = [_mark(_rules(profiles[n], construct)) for n in names]
        lines.append(f"| {construct} | " + " | ".join(marks) + " |")
    lines += ["", "### Rewrites and refusals", ""]
    for n in names:
        for construct in constructs:
            for rule in _rules(profiles[n], construct):
                if rule.status == "same":
                    continue
                when = f" (below {rule.below})" if rule.below else ""
                lines.append(
                    f"- **{n}** `{construct}`{when}: {rule.status}, {rule.how or rule.reason}"
                )
    versions = [
        f"- **{n}**: oldest supported {profiles[n].engine.oldest_version}"
        for n in names
        if profiles[n].engine.oldest_version
    ]
    if versions:
        lines += ["", "### Engine versions", "", *versions]
    return lines


if __name__ == "__main__":
    print(support_matrix(), end="")
