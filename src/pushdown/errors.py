"""Every error pushdown raises, in one tree.

::

    PushdownError
    ├── FlowError                     the flow itself is wrong (names recipe, dataset, column)
    │   ├── FlowFileError             a flow file cannot be read or does not match the format
    │   ├── UnknownOptionError        a recipe option that does not exist
    │   ├── InvalidValueError         an option holds a value of the wrong kind or range
    │   ├── InvalidNameError          a name that cannot be used (empty, not an identifier)
    │   ├── DuplicateNameError        two datasets, outputs or columns with one name (any case)
    │   ├── UnknownDatasetError       a recipe reads a dataset nobody defines
    │   ├── CycleError                recipes that depend on each other in a loop
    │   ├── UnknownColumnError        a formula or option names a column its input lacks
    │   ├── FormulaSyntaxError        a formula sqlglot cannot parse
    │   ├── FormulaTypeError          a formula whose types do not fit (``upper(amount)``)
    │   ├── AmbiguousNameError        a name that could mean either input of a join or query
    │   └── UnsupportedSqlError       SQL pushdown cannot lower (names the construct and where)
    ├── ConnectionConfigError         a bad URL, a missing variable or a missing extra
    │   └── UnknownConnectionError    a dataset on a connection nobody declared
    ├── UnsupportedError              an engine cannot express a construct (engine + construct)
    │   └── MemoryBudgetError         a local step over the memory budget with nowhere to go
    ├── EngineError                   an engine failed running SQL (carries SQL, chains cause)
    └── PythonStepError               a Python step raised or returned the wrong schema

Messages name the recipe, the column or the engine at fault and, where there is a choice,
list the alternatives ("did you mean ...").  Credentials never appear in a message:
:func:`redact` removes them from URLs and SQL before they are stored on an error.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

# user:password@host inside a URL, also a malformed one (``snowflake//u:pw@h``, ``u:pw@h``):
# the password runs to the last ``@`` of the token, so a ``/`` or ``@`` in it is covered too.
_URL_PASSWORD = re.compile(
    r"(?P<head>(?:[A-Za-z][\w+.-]*:?/+)|(?<![^\s'\"(<=,;]))"
    r"(?P<user>[^\s:/@'\"<>]*):(?P<pw>[^\s'\"<>]+)@(?=[^\s@'\"<>]+)"
)
_SECRET_KEYS = r"password|passwd|pwd|token|secret|access_token|private_key|api_key|client_secret"
_SECRET_ASSIGNMENT = re.compile(rf"(?i)\b({_SECRET_KEYS})\s*=\s*('[^']*'|\"[^\"]*\"|[^\s;,&]+)")
# 'password': 'x' in a repr or JSON (the key quoted, so ordinary text such as "token: )" stays)
_SECRET_ITEM = re.compile(rf"(?i)(['\"])({_SECRET_KEYS})\1(\s*:\s*)('[^']*'|\"[^\"]*\"|[^\s,}}]+)")


def redact(text: str) -> str:
    """Remove passwords and tokens from URLs and ``key=value`` pairs in ``text``.

    >>> redact("snowflake://me:hunter2@acct/db?token=abc")
    'snowflake://me:***@acct/db?token=***'
    >>> redact("snowflake//etl:p/w@acct/db")
    'snowflake//etl:***@acct/db'
    """
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}{m['user']}:***@", text)
    text = _SECRET_ASSIGNMENT.sub(lambda m: f"{m.group(1)}=***", text)
    return _SECRET_ITEM.sub(lambda m: f"{m[1]}{m[2]}{m[1]}{m[3]}{m[1]}***{m[1]}", text)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every known secret value (a URL's password, a token) replaced by ``***``,
    wherever a driver put it."""
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """Return a hint listing the candidates closest to ``name``, or all of them if few."""
    options = sorted(set(candidates))
    close = difflib.get_close_matches(name, options, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    if not options:
        return "there are none"
    shown = ", ".join(repr(c) for c in options[:12])
    more = f" (and {len(options) - 12} more)" if len(options) > 12 else ""
    return f"available: {shown}{more}"


class PushdownError(Exception):
    """Root of every error raised by pushdown."""


class FlowError(PushdownError):
    """The flow is invalid; ``recipe``, ``dataset`` and ``column`` name what is at fault when
    known (a source dataset or an output is named by ``dataset``)."""

    def __init__(
        self,
        message: str,
        *,
        recipe: str | None = None,
        column: str | None = None,
        dataset: str | None = None,
    ):
        if recipe is not None:
            where = f"recipe {recipe!r}: "
        elif dataset is not None:
            where = f"dataset {dataset!r}: "
        else:
            where = ""
        super().__init__(where + message)
        self.recipe = recipe
        self.column = column
        self.dataset = dataset


class FlowFileError(FlowError):
    """A flow file cannot be read, parsed, or does not match the flow format."""


class UnknownOptionError(FlowError):
    """A recipe was given an option it does not have."""


class InvalidValueError(FlowError):
    """An option holds a value of the wrong kind or outside its range (``n: true``, a string
    where a list belongs, an empty key list, an unknown formula dialect)."""


class InvalidNameError(FlowError):
    """A dataset, column or table name that cannot be used: empty, or a table name that is not
    dotted identifier parts, or a name reserved for pushdown's own tables."""


class DuplicateNameError(FlowError):
    """Two datasets, outputs or columns share one name, or names an engine folds together
    (equal ignoring case)."""


class UnknownDatasetError(FlowError):
    """A recipe reads a dataset that is not defined in the flow."""


class CycleError(FlowError):
    """Recipes depend on each other in a loop."""


class UnknownColumnError(FlowError):
    """A formula or option refers to a column its input does not have."""


class FormulaSyntaxError(FlowError):
    """A formula cannot be parsed in the flow's formula dialect."""


class FormulaTypeError(FlowError):
    """A formula's operand types do not fit its operator or function."""


class AmbiguousNameError(FlowError):
    """A qualifier or column could name either input of a join (a self-join's dataset name, an
    unqualified column both sides have); the message lists the unambiguous spellings."""


class UnsupportedSqlError(FlowError):
    """A SQL recipe or a formula's subquery uses a construct pushdown cannot lower into its
    plan; ``construct`` names it and ``position`` says where (``line 3, column 7``)."""

    def __init__(
        self,
        construct: str,
        why: str,
        *,
        position: str | None = None,
        recipe: str | None = None,
    ):
        where = f" at {position}" if position else ""
        super().__init__(
            f"{construct}{where} is not supported in SQL recipes: {why}", recipe=recipe
        )
        self.construct = construct
        self.position = position


class ConnectionConfigError(PushdownError):
    """A connection is misconfigured: bad URL, unset environment variable, missing extra, or a
    planning option naming a connection that does not exist; ``connection`` names it when
    known.  The message is redacted (no password of a URL can appear in it)."""

    def __init__(self, message: str, *, connection: str | None = None):
        super().__init__(redact(message))
        self.connection = connection


class UnknownConnectionError(ConnectionConfigError):
    """A dataset or output names a connection that is not declared."""


class UnsupportedError(PushdownError):
    """An engine cannot express a construct; names the engine, the construct and why."""

    def __init__(self, engine: str, construct: str, reason: str, *, recipe: str | None = None):
        where = f"recipe {recipe!r}: " if recipe else ""
        super().__init__(f"{where}{construct} is not supported on {engine}: {reason}")
        self.engine = engine
        self.construct = construct
        self.reason = reason
        self.recipe = recipe


class MemoryBudgetError(UnsupportedError):
    """A step's local fragment is estimated over ``plan(memory_budget=...)`` and no other
    engine can run it; ``step``, ``estimate`` and ``budget`` (bytes) name what is at fault,
    and the message lists the ways out (raise the budget, add a Spark connection, pin it)."""

    def __init__(self, step: str, estimate: float, budget: int, reason: str, *, recipe: str):
        super().__init__("local", f"step {step!r}", reason, recipe=recipe)
        self.args = (
            f"recipe {recipe!r}: step {step!r} cannot run on the local engine within the "
            f"memory budget: {reason}",
        )
        self.step = step
        self.estimate = estimate
        self.budget = budget


class EngineError(PushdownError):
    """An engine failed; carries the engine name and the (redacted) SQL that failed.

    ``secrets`` are the credential values of the connection: they are scrubbed from the
    message and the SQL wherever a driver put them, and ``str()``/``repr()`` show only the
    scrubbed text.  ``unreachable``: the engine was not reached (the attempts to reach it ran
    out, a connection refused or reset, a timeout), not a statement it refused, so another
    statement sent now would fail the same way."""

    def __init__(
        self,
        engine: str,
        message: str,
        *,
        sql: str | None = None,
        secrets: Iterable[str] = (),
        unreachable: bool = False,
    ):
        known = list(secrets)
        self.engine = engine
        self.unreachable = unreachable
        self.sql = scrub(redact(sql), known) if sql else None
        self.message = scrub(redact(message), known)
        text = f"{engine}: {self.message}"
        if self.sql:
            text += f"\n-- failing SQL --\n{self.sql}"
        super().__init__(text)
        self._text = text

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._text!r})"


def engine_unreachable(err: BaseException) -> bool:
    """True when ``err`` is an :class:`EngineError` saying the engine was not reached at all
    (:attr:`EngineError.unreachable`): asking it anything else now would fail the same way."""
    return isinstance(err, EngineError) and err.unreachable


class PythonStepError(PushdownError):
    """A Python step raised, or returned a batch that does not match its declared schema."""

    def __init__(self, recipe: str, message: str):
        super().__init__(f"python recipe {recipe!r}: {message}")
        self.recipe = recipe
