"""Capability profiles: what each engine can do, read from ``dialects/<engine>.toml``.

A profile is data; the planner and compilers read it and never hard-code engine facts.
Adding an engine is one TOML file (see ``docs/dialects.md``).  Unknown keys are errors so a
typo cannot silently switch a capability off.
"""

from __future__ import annotations

import functools
import threading
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pushdown.errors import ConnectionConfigError, did_you_mean

_STRICT = ConfigDict(extra="forbid", frozen=True)


class EngineInfo(BaseModel):
    """Identity of the engine: its name, sqlglot dialect and the URL schemes that select it."""

    model_config = _STRICT
    name: str
    sqlglot_dialect: str
    url_schemes: list[str]
    description: str = ""
    # The oldest version pushdown supports; a profile that declares it has version-dependent
    # entries (``below``) and is planned for this version unless the connection names one.
    oldest_version: str | None = None
    # The version a connection declared (``?engine_version=``); set by :meth:`Profile.at_version`.
    version: str | None = None


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


def version_tuple(text: str) -> tuple[int, ...]:
    """``"16.4"`` -> ``(16, 4)``; a malformed version is a :class:`ConnectionConfigError`."""
    parts = text.strip().split(".")
    if not text.strip() or not all(p.isdigit() for p in parts):
        raise ConnectionConfigError(
            f"engine version {text!r} is not a version such as '3.1' or '16.4'"
        )
    return tuple(int(p) for p in parts)


class FunctionGap(BaseModel):
    """A sqlglot expression class the engine cannot run, with the kind of gap and why.

    With ``below``, the gap exists only on versions older than ``below``.
    """

    model_config = _STRICT
    status: Literal["notimpl", "notyet", "never"]
    reason: str
    below: str | None = None


Status = Literal["same", "rewritten", "refused"]


class Rule(BaseModel):
    """How one engine computes one construct of ``docs/semantics.md``.

    ``same``: the engine's own function already means what pushdown means; ``rewritten``:
    the lowering (``compilers/lowering``) rewrites it, ``how`` says into what; ``refused``: a
    step using it never runs on the engine, ``reason`` says why (``explain`` shows it).  With
    ``below``, the rule holds only on versions older than ``below`` (a list of rules for one
    construct is read in order, the first that applies wins).
    """

    model_config = _STRICT
    status: Status
    how: str = ""
    reason: str = ""
    below: str | None = None

    @model_validator(mode="after")
    def _explained(self) -> Rule:
        if self.status == "rewritten" and not self.how:
            raise ValueError("a 'rewritten' rule says how in 'how'")
        if self.status == "refused" and not self.reason:
            raise ValueError("a 'refused' rule says why in 'reason'")
        return self


Declared = Rule | list[Rule]


class DecimalKind(BaseModel):
    """One decimal type of the engine and what it holds: at most ``max_scale`` decimals and
    ``max_integer_digits`` digits before the point (``name``: the sqlglot type, e.g.
    ``DECIMAL`` for BigQuery's NUMERIC, ``BIGDECIMAL`` for its BIGNUMERIC)."""

    model_config = _STRICT
    name: Literal["DECIMAL", "BIGDECIMAL"]
    max_scale: int
    max_integer_digits: int


class TypeLimits(BaseModel):
    """Types (sqlglot ``DataType.Type`` names) the engine cannot store, and decimal limits.

    ``decimal_kinds``: the engine's decimal types, narrowest first, when a plain
    ``DECIMAL(p, s)`` up to ``max_decimal_precision`` digits does not hold every scale
    (:func:`pushdown.types.decimal_type` picks the first that holds a column).
    ``insert_unsupported``: types the engine stores but whose values an ``INSERT`` statement
    cannot carry, so uploads of such columns need the engine's file path (Hive: ``load_dir``).
    ``timestamp`` / ``timestamptz``: the engine's type (a sqlglot type name) for pushdown's
    TIMESTAMP (wall-clock, never shifted) and TIMESTAMPTZ (an instant), where the engine's plain
    spelling means something else (Databricks' and Spark's TIMESTAMP is the instant type
    TIMESTAMP_LTZ): casts the lowering emits and the columns staging creates use them."""

    model_config = _STRICT
    unsupported: list[str] = Field(default_factory=list)
    max_decimal_precision: int = 38
    decimal_kinds: list[DecimalKind] = Field(default_factory=list)
    insert_unsupported: list[str] = Field(default_factory=list)
    timestamp: Literal["TIMESTAMP", "TIMESTAMPNTZ"] = "TIMESTAMP"
    timestamptz: Literal["TIMESTAMPTZ", "TIMESTAMPLTZ"] = "TIMESTAMPTZ"


class Semantics(BaseModel):
    """Per construct of ``docs/semantics.md``: same, rewritten (how) or refused (why).

    Every construct must be declared for every engine (a missing one is an error), so adding
    a construct to the definition forces a decision per engine.
    """

    model_config = _STRICT
    division: Declared
    division_by_zero: Declared
    integer_division: Declared
    modulo: Declared
    cast_to_integer: Declared
    cast_decimal: Declared
    round: Declared
    integer_whole: Declared
    double_whole: Declared
    date_trunc: Declared
    date_interval: Declared
    date_diff: Declared
    day_of_week: Declared
    iso_day_of_week: Declared
    iso_week: Declared
    substring: Declared
    length: Declared
    like: Declared
    concat_operator: Declared
    concat: Declared
    string_comparison: Declared
    null_ordering: Declared
    aggregate_nulls: Declared
    count_distinct_multi: Declared
    variance: Declared
    arg_min_max: Declared
    string_agg: Declared
    median: Declared
    first_last_value: Declared
    nth_value: Declared
    aggregate_filter: Declared
    null_treatment: Declared


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
    """Cost parameters; units are in the key names.

    ``shared_cte_computed_once``: the engine computes a CTE its statement reads several
    times once (it materialises it itself), so a step shared by steps of one statement needs
    no table of its own (:func:`~pushdown.planner.fragments.materialization_points`).
    ``selective_semi_as_join``: a semi join the estimates call selective is written as an
    inner join with the right side's distinct keys, whose estimate the engine's optimizer
    reads better (:func:`~pushdown.compilers.sql.selective_semi_joins`).
    """

    model_config = _STRICT
    query_latency_s: float
    scan_bytes_per_s: float
    shared_cte_computed_once: bool = False
    selective_semi_as_join: bool = False
    pricing_model: Literal["none", "bytes_scanned", "warehouse_seconds"]
    price_usd_per_hour: float = 0.0
    price_usd_per_tb_scanned: float = 0.0
    min_bytes_billed: int = 0
    transfer: TransferCost


class Profile(BaseModel):
    """One engine's capability profile.

    ``session``: the settings every session pushdown opens on the engine runs with (setting
    name -> value, e.g. ``spark.sql.variable.substitute = "false"``): the connectors apply
    them when they open a session (Hive, Databricks) or around pushdown's statements on a
    shared one (in-process Spark), so the engine reads pushdown's SQL the way
    ``docs/semantics.md`` means it.
    """

    model_config = _STRICT
    engine: EngineInfo
    features: Features
    functions: dict[str, FunctionGap] = Field(default_factory=dict)
    types: TypeLimits
    semantics: Semantics
    limits: Limits
    cost: Cost
    session: dict[str, str] = Field(default_factory=dict)

    @property
    def name(self) -> str:
        """The engine's name, e.g. ``snowflake``."""
        return self.engine.name

    @property
    def dialect(self) -> str:
        """The sqlglot dialect used to generate this engine's SQL.

        For a versioned engine it carries the version as a sqlglot dialect setting
        (``"hive, version=2.1"``), so the version reaches SQL generation and the lowering.
        """
        version = self.effective_version
        if version is None:
            return self.engine.sqlglot_dialect
        return f"{self.engine.sqlglot_dialect}, version={version}"

    @property
    def effective_version(self) -> str | None:
        """The version planned for: the connection's, else the oldest supported one."""
        return self.engine.version or self.engine.oldest_version

    def at_version(self, version: str | None) -> Profile:
        """This profile for engine ``version`` (``None``: the oldest supported one)."""
        if version is None or version == self.engine.version:
            return self
        if self.engine.oldest_version is None:
            raise ConnectionConfigError(
                f"{self.name} has no version-dependent behaviour in pushdown; "
                "remove engine_version from the connection URL"
            )
        if version_tuple(version) < version_tuple(self.engine.oldest_version):
            raise ConnectionConfigError(
                f"{self.name} {version} is older than the oldest version pushdown supports "
                f"({self.engine.oldest_version})"
            )
        return self.model_copy(
            update={"engine": self.engine.model_copy(update={"version": version})}
        )

    def _applies(self, below: str | None) -> bool:
        version = self.effective_version
        if below is None:
            return True
        return version is not None and version_tuple(version) < version_tuple(below)

    def gap(self, cls: str) -> FunctionGap | None:
        """The function gap for sqlglot class ``cls`` at this profile's version, if any."""
        found = self.functions.get(cls)
        return found if found is not None and self._applies(found.below) else None

    def rule(self, construct: str) -> Rule:
        """How this engine computes ``construct`` (a field of :class:`Semantics`)."""
        declared: Declared = getattr(self.semantics, construct)
        for rule in declared if isinstance(declared, list) else [declared]:
            if self._applies(rule.below):
                return rule
        raise ConnectionConfigError(
            f"the {self.name} profile declares no rule for {construct} at version "
            f"{self.effective_version}"
        )


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


# Engine name -> profile, filled as files are read (``all_profiles`` returns this very dict,
# so a test that replaces an entry is seen by every lookup).
_PROFILES: dict[str, Profile] = {}
_READ: set[str] = set()  # the files read, by name without ``.toml``
_ALL_READ: list[bool] = [False]
_LOCK = threading.Lock()  # planning may run in threads; the dict is reordered once


def _read(path: Path) -> None:
    if path.stem not in _READ:
        profile = load_profile_file(path)
        _READ.add(path.stem)
        _PROFILES.setdefault(profile.name, profile)


def _profile_named(stem: str) -> Profile | None:
    """The profile of engine ``stem``, its file ``<stem>.toml`` read on first use (``None``
    when there is no such file).

    Each engine's file bears its name, so planning a flow reads the profiles of the engines its
    connections use and no other."""
    path = profiles_dir() / f"{stem}.toml"
    with _LOCK:
        if stem not in _READ and path.is_file():
            _read(path)
        return _PROFILES.get(stem)


def all_profiles() -> dict[str, Profile]:
    """Every profile shipped with pushdown, keyed by engine name (in name order)."""
    with _LOCK:
        if not _ALL_READ[0]:
            for path in sorted(profiles_dir().glob("*.toml")):
                _read(path)
            ordered = sorted(_PROFILES.items(), key=lambda item: item[0])
            _PROFILES.clear()
            _PROFILES.update(ordered)
            _ALL_READ[0] = True
    return _PROFILES


def _find(match: Callable[[Profile], bool], stem: str) -> Profile | None:
    """The profile ``match`` accepts: the file named ``stem`` when it does (an engine's name,
    dialect and URL scheme are its file's name), else the first of all files that does (a
    scheme or dialect belongs to one profile only: ``tests/test_profiles.py`` checks it)."""
    if stem.isidentifier():
        profile = _profile_named(stem)
        if profile is not None and match(profile):
            return profile
    return next((p for p in all_profiles().values() if match(p)), None)


def get_profile(name: str) -> Profile:
    """The profile for engine ``name``; an unknown name lists the known ones."""
    profile = _find(lambda p: p.name == name, name)
    if profile is None:
        profiles = all_profiles()
        raise ConnectionConfigError(f"unknown engine {name!r}; {did_you_mean(name, profiles)}")
    return profile


@functools.cache
def profile_for_dialect(dialect: str) -> Profile | None:
    """The profile generating ``dialect`` (``"hive, version=2.1"`` included), if any."""
    name, *settings = (part.strip() for part in dialect.split(","))
    version = None
    for setting in settings:
        key, _, value = setting.partition("=")
        if key.strip() == "version":
            version = value.strip()
    profile = _find(lambda p: p.engine.sqlglot_dialect == name, name)
    if profile is None:
        return None
    return profile.at_version(version) if profile.engine.oldest_version else profile


def profile_for_scheme(scheme: str) -> Profile:
    """The profile whose ``url_schemes`` contains ``scheme`` (``snowflake``, ``duckdb``, ...)."""
    base = scheme.split("+", 1)[0].lower()
    profile = _find(lambda p: base in p.engine.url_schemes, base)
    if profile is not None:
        return profile
    schemes = [s for p in all_profiles().values() for s in p.engine.url_schemes]
    raise ConnectionConfigError(
        f"no engine handles URL scheme {scheme!r}; {did_you_mean(base, schemes)}"
    )
