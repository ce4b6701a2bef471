"""The cost model: seconds and dollars for running SQL on an engine and for moving data.

Parameters come from each profile's ``[cost]`` section and can be overridden per connection
(``plan(..., cost_overrides={"wh": {"scan_bytes_per_s": 5e8}})``).  Costs are a pair
(seconds, dollars); the objective folds them into one number:

- ``time`` (default): seconds;
- ``money``: dollars (BigQuery-style bytes scanned, Snowflake/Databricks-style
  warehouse-seconds), seconds only break ties;
- a weighted mix: seconds + ``usd_weight_s`` x dollars (how many seconds one dollar is worth).

The model charges, for a placement:

- a statement on engine E: ``E.query_latency_s`` (and BigQuery's minimum billed bytes);
- a step on E: the bytes it reads / ``E.scan_bytes_per_s`` (dollars per the pricing model);
- moving a dataset from A to B: ``A.transfer.latency_s + bytes / A.fetch_bytes_per_s`` out of
  A and ``B.transfer.latency_s + bytes / B.upload_bytes_per_s`` into B (local Arrow is free).
"""

from __future__ import annotations

import copy
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pushdown.errors import ConnectionConfigError, did_you_mean
from pushdown.profiles import Cost as CostParams
from pushdown.profiles import Profile, get_profile

LOCAL = "local"
Objective = Literal["time", "money"] | float


@dataclass(frozen=True)
class Cost:
    """Seconds and dollars."""

    seconds: float = 0.0
    usd: float = 0.0

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.seconds + other.seconds, self.usd + other.usd)


ZERO = Cost()
# What a transfer costs on each side of a link: (latency s, bytes per second) out of the
# source and into the target, None for a side that costs nothing.
_Link = tuple[tuple[float, float] | None, tuple[float, float] | None]


def _local_params() -> CostParams:
    base = get_profile("duckdb").cost
    return base.model_copy(update={"query_latency_s": 0.001, "pricing_model": "none"})


class CostModel:
    """Cost parameters for every engine of a plan, and the objective."""

    def __init__(
        self,
        profiles: Mapping[str, Profile],
        *,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        objective: Objective = "time",
    ):
        self.params: dict[str, CostParams] = {LOCAL: _local_params()}
        for name, profile in profiles.items():
            self.params[name] = profile.cost
        for name, values in (overrides or {}).items():
            if name not in self.params:
                raise ConnectionConfigError(
                    f"cost override for unknown engine {name!r}; {did_you_mean(name, self.params)}"
                )
            transfer = dict(values).pop("transfer", None)
            plain = {k: v for k, v in values.items() if k != "transfer"}
            unknown = set(plain) - set(CostParams.model_fields)
            if unknown:
                raise ConnectionConfigError(
                    f"unknown cost parameter(s) {sorted(unknown)} for {name!r}; "
                    f"available: {sorted(CostParams.model_fields)}"
                )
            updated = self.params[name].model_copy(update=plain)
            if transfer:
                updated = updated.model_copy(
                    update={"transfer": updated.transfer.model_copy(update=dict(transfer))}
                )
            self.params[name] = updated
        if not (objective in ("time", "money") or isinstance(objective, int | float)):
            raise ConnectionConfigError(
                f"objective must be 'time', 'money' or a number (seconds per dollar), "
                f"not {objective!r}"
            )
        self.objective = objective
        # The objective is linear: score = seconds x w_seconds + dollars x w_usd.
        if objective == "time":
            self._weights = (1.0, 0.0)
        elif objective == "money":
            self._weights = (1e-9, 1.0)
        else:
            self._weights = (1.0, float(objective))
        self._statement_scores: dict[str, float] = {}
        self._links: dict[tuple[str, str], _Link] = {}

    def score(self, cost: Cost) -> float:
        """One number to minimise, per the objective."""
        return self.score_of(cost.seconds, cost.usd)

    def score_of(self, seconds: float, usd: float) -> float:
        """:meth:`score` of a cost of ``seconds`` and ``usd`` (without building it)."""
        if self.objective == "time":
            return seconds
        if self.objective == "money":
            return usd + seconds * 1e-9
        return seconds + float(self.objective) * usd

    def describe(self, score: float, *, signed: bool = False) -> str:
        """A score (or a difference of scores) with its unit, per the objective:
        ``0.0065 s``, ``$0.0012``, or ``0.5 (s + 3600 s/$ x $)`` for a mix."""
        return describe_score(self.objective, score, signed=signed)

    def statement_score(self, engine: str) -> float:
        """``score(statement(engine))``, memoised."""
        cached = self._statement_scores.get(engine)
        if cached is None:
            cached = self._statement_scores[engine] = self.score(self.statement(engine))
        return cached

    def transfer_score(self, source: str, target: str, nbytes: float) -> float:
        """``score(transfer(source, target, nbytes))`` without building a :class:`Cost`
        (the arithmetic of :meth:`transfer_seconds`, its parameters kept per link)."""
        link = self._links.get((source, target))
        if link is None:
            link = self._links[source, target] = self._link(source, target)
        out_of, into = link
        seconds = 0.0
        if out_of is not None:
            seconds += out_of[0] + nbytes / out_of[1]
        if into is not None:
            seconds += into[0] + nbytes / into[1]
        return self._weights[0] * seconds

    def transfer_scores(self, sources: list[str], target: str, nbytes: float) -> list[float]:
        """:meth:`transfer_score` from each of ``sources`` to ``target`` (what the placer
        asks once per edge and consumer engine)."""
        return [self.transfer_score(source, target, nbytes) for source in sources]

    def _link(self, source: str, target: str) -> _Link:
        """(latency, bytes per second) out of ``source`` and into ``target`` as
        :meth:`transfer_seconds` reads them; None for a side that costs nothing."""
        if source == target:
            return None, None
        out_of = into = None
        if source != LOCAL:
            t = self.params[source].transfer
            out_of = (t.latency_s, t.fetch_bytes_per_s)
        if target != LOCAL:
            t = self.params[target].transfer
            into = (t.latency_s, t.upload_bytes_per_s)
        return out_of, into

    def _compute_usd(self, p: CostParams, seconds: float, scanned: float) -> float:
        if p.pricing_model == "bytes_scanned":
            return scanned / 1e12 * p.price_usd_per_tb_scanned
        if p.pricing_model == "warehouse_seconds":
            return seconds * p.price_usd_per_hour / 3600
        return 0.0

    def statement(self, engine: str) -> Cost:
        """Fixed cost of one statement on ``engine``."""
        p = self.params[engine]
        seconds = p.query_latency_s
        scanned = float(p.min_bytes_billed)
        return Cost(seconds, self._compute_usd(p, seconds, scanned))

    def scan(self, engine: str, nbytes: float) -> Cost:
        """Cost of a step on ``engine`` reading ``nbytes``."""
        p = self.params[engine]
        seconds = nbytes / p.scan_bytes_per_s
        return Cost(seconds, self._compute_usd(p, seconds, nbytes))

    def scan_scores(self, engines: list[str], nbytes: float) -> list[float]:
        """:meth:`scan_score` on each of ``engines``."""
        return [self.scan_score(engine, nbytes) for engine in engines]

    def scan_score(self, engine: str, nbytes: float) -> float:
        """``score(scan(engine, nbytes))`` without building a :class:`Cost` (the planner asks
        it once per step and candidate); dollars are priced only when the objective weighs
        them."""
        p = self.params[engine]
        seconds = nbytes / p.scan_bytes_per_s
        usd = self._compute_usd(p, seconds, nbytes) if self._weights[1] else 0.0
        return self.score_of(seconds, usd)

    def transfer(self, source: str, target: str, nbytes: float) -> Cost:
        """Cost of moving ``nbytes`` of Arrow from ``source`` to ``target``."""
        if source == target:
            return ZERO
        return Cost(self.transfer_seconds(source, target, nbytes), 0.0)

    def transfer_seconds(self, source: str, target: str, nbytes: float) -> float:
        """Seconds of moving ``nbytes`` of Arrow from ``source`` to ``target`` (no dollars:
        the pricing models charge compute, not egress)."""
        if source == target:
            return 0.0
        seconds = 0.0
        if source != LOCAL:
            t = self.params[source].transfer
            seconds += t.latency_s + nbytes / t.fetch_bytes_per_s
        if target != LOCAL:
            t = self.params[target].transfer
            seconds += t.latency_s + nbytes / t.upload_bytes_per_s
        return seconds

    def channel(self, source: str, target: str) -> str:
        """How data moves from ``source`` to ``target``."""
        out = "arrow" if source == LOCAL else self.params[source].transfer.channel
        into = "arrow" if target == LOCAL else self.params[target].transfer.channel
        return f"{source}: {out} -> {target}: {into}"


def read_calibration(path: str | Path) -> dict[str, dict[str, Any]]:
    """Cost overrides per connection name from a calibration file (read again only when the
    file changes: ``PUSHDOWN_CALIBRATION`` makes every ``plan()`` ask)."""
    p = Path(path)
    try:
        st = p.stat()
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
    except FileNotFoundError:
        stamp = (-1, -1, -1)
    return copy.deepcopy(_read_calibration(str(p), stamp))


@functools.lru_cache(maxsize=8)
def _read_calibration(path: str, stamp: tuple[int, int, int]) -> dict[str, dict[str, Any]]:
    p = Path(path)
    try:
        with p.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ConnectionConfigError(
            f"calibration file {str(p)!r} does not exist; write one with: pushdown calibrate"
        ) from None
    except tomllib.TOMLDecodeError as err:
        raise ConnectionConfigError(f"calibration file {str(p)!r} is not TOML: {err}") from None
    if not all(isinstance(v, dict) for v in data.values()):
        raise ConnectionConfigError(
            f"calibration file {str(p)!r}: each top-level table must be a connection name"
        )
    return data


def merge_overrides(
    base: Mapping[str, Mapping[str, Any]], top: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Cost overrides of ``top`` over ``base``, per engine and per key (``transfer`` too)."""
    merged = {k: dict(v) for k, v in base.items()}
    for name, values in top.items():
        mine = merged.setdefault(name, {})
        for key, value in values.items():
            if key == "transfer" and isinstance(mine.get("transfer"), Mapping):
                mine["transfer"] = {**mine["transfer"], **value}
            else:
                mine[key] = value
    return merged


def describe_score(objective: Objective, score: float, *, signed: bool = False) -> str:
    """``score`` under ``objective`` with its unit: seconds for ``"time"``, dollars for
    ``"money"`` (its tie-breaking nanoseconds per second are dropped), else a blend."""
    sign = ("+" if score >= 0 else "-") if signed else ("-" if score < 0 else "")
    size = abs(score)
    if objective == "time":
        return f"{sign}{size:.3g} s"
    if objective == "money":
        return f"{sign}${size:.3g}"
    return f"{sign}{size:.3g} (seconds + {float(objective):g} x dollars)"
