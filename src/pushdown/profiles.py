"""Capability profiles: what each engine can do, read from ``dialects/<engine>.toml``.

A profile is data; the planner and compilers read it and never hard-code engine facts.
Adding an engine is one TOML file (see ``docs/dialects.md``).  Unknown keys are errors so a
typo cannot silently switch a capability off.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pushdown.errors import ConnectionConfigError, did_you_mean

_STRICT = ConfigDict(extra="forbid", frozen=True)


class EngineInfo(BaseModel):
    """Identity of the engine: its name, sqlglot dialect and the URL schemes that select it."""

    model_config = _STRICT
    name: str
    sqlglot_dialect: str
    url_schemes: list[str]
    description: str = ""


class Features(BaseModel):
    """Relational features the compilers rely on; each false one blocks push-down."""

    model_config = _STRICT
    full_join: bool
    correlated_exists: bool
    window_frames: bool
    union_distinct: bool
    nulls_ordering: bool
    create_or_replace: bool
    transactional_ddl: bool


class FunctionGap(BaseModel):
    """A sqlglot expression class the engine cannot run, with the kind of gap and why."""

    model_config = _STRICT
    status: Literal["notimpl", "notyet", "never"]
    reason: str


class TypeLimits(BaseModel):
    """Types (sqlglot ``DataType.Type`` names) the engine cannot store, and decimal limits."""

    model_config = _STRICT
    unsupported: list[str] = Field(default_factory=list)
    max_decimal_precision: int = 38


class Semantics(BaseModel):
    """Known semantic differences the compilers must account for."""

    model_config = _STRICT
    null_ordering: Literal["nulls_are_small", "nulls_are_large", "nulls_last"]
    integer_division: Literal["float", "integer", "decimal"]
    string_collation: str
    notes: list[str] = Field(default_factory=list)


class Limits(BaseModel):
    """Size limits of statements and identifiers."""

    model_config = _STRICT
    max_statement_bytes: int
    max_identifier_length: int


class TransferCost(BaseModel):
    """The channel data moves in and out through, and its speed."""

    model_config = _STRICT
    channel: str
    fetch_bytes_per_s: float
    upload_bytes_per_s: float
    latency_s: float


class Cost(BaseModel):
    """Cost parameters; units are in the key names."""

    model_config = _STRICT
    query_latency_s: float
    scan_bytes_per_s: float
    pricing_model: Literal["none", "bytes_scanned", "warehouse_seconds"]
    price_usd_per_hour: float = 0.0
    price_usd_per_tb_scanned: float = 0.0
    min_bytes_billed: int = 0
    transfer: TransferCost


class Profile(BaseModel):
    """One engine's capability profile."""

    model_config = _STRICT
    engine: EngineInfo
    features: Features
    functions: dict[str, FunctionGap] = Field(default_factory=dict)
    types: TypeLimits
    semantics: Semantics
    limits: Limits
    cost: Cost

    @property
    def name(self) -> str:
        """The engine's name, e.g. ``snowflake``."""
        return self.engine.name

    @property
    def dialect(self) -> str:
        """The sqlglot dialect used to generate this engine's SQL."""
        return self.engine.sqlglot_dialect


def profiles_dir() -> Path:
    """The folder holding the TOML profiles (the repo's ``dialects/`` or the installed copy)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_dialects", here.parents[1] / "dialects"):
        if candidate.is_dir():
            return candidate
    raise ConnectionConfigError(f"no dialect profiles found next to {here}")


def load_profile_file(path: Path) -> Profile:
    """Read and validate one profile file; unknown keys are an error naming the file."""
    try:
        data = tomllib.loads(path.read_text())
        return Profile.model_validate(data)
    except (tomllib.TOMLDecodeError, ValidationError) as err:
        raise ConnectionConfigError(f"invalid dialect profile {path.name}: {err}") from None


@functools.cache
def all_profiles() -> dict[str, Profile]:
    """Every profile shipped with pushdown, keyed by engine name."""
    result = {}
    for path in sorted(profiles_dir().glob("*.toml")):
        profile = load_profile_file(path)
        result[profile.name] = profile
    return result


def get_profile(name: str) -> Profile:
    """The profile for engine ``name``; an unknown name lists the known ones."""
    profiles = all_profiles()
    if name not in profiles:
        raise ConnectionConfigError(f"unknown engine {name!r}; {did_you_mean(name, profiles)}")
    return profiles[name]


def profile_for_scheme(scheme: str) -> Profile:
    """The profile whose ``url_schemes`` contains ``scheme`` (``snowflake``, ``duckdb``, ...)."""
    base = scheme.split("+", 1)[0].lower()
    for profile in all_profiles().values():
        if base in profile.engine.url_schemes:
            return profile
    schemes = [s for p in all_profiles().values() for s in p.engine.url_schemes]
    raise ConnectionConfigError(
        f"no engine handles URL scheme {scheme!r}; {did_you_mean(base, schemes)}"
    )
