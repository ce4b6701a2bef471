"""Complex values as HiveServer2 sends them, read with the type the plan expects.

HiveServer2 has no wire format for arrays, structs and maps: their values arrive as text in
JSON's shape, built by Hive's ``SerDeUtils.getJSONString`` (strings quoted and escaped, a map
with non-string keys written ``{1:"x"}``, which is not JSON), and Spark's Thrift server writes
dates and timestamps inside them unquoted (``{"t":2024-01-02}``).  The result metadata names
the column ``ARRAY_TYPE`` without its element type, so a reader that only has the text must
infer types from values; with the Arrow type known (the plan's schema of the result), the
text is read by that type instead, batch after batch, into exactly that type.

Binary values inside a complex value are written as raw bytes (no quoting, no encoding), so
a type holding one is not readable here (:func:`readable`); such a result is typed from its
values as before.  DECIMAL columns, which PyHive describes without precision and scale, are
typed from the result metadata the server keeps (:func:`declared_decimals`)."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from typing import Any

import pyarrow as pa

_JSON = json.JSONDecoder()  # reads a quoted string with its escapes (\\uXXXX included)
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d(?:[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?")
_TOKEN = re.compile(r"[^,\]\}:\s]+")


def declared_decimals(cursor: Any) -> list[pa.DataType | None]:
    """Per result column, ``decimal128(p, s)`` for a DECIMAL whose precision and scale the
    server declares, else None.

    HiveServer2 describes each result column with a type and its qualifiers (``precision``
    and ``scale`` for DECIMAL: TCLIService's ``TTypeQualifiers``, the ``GetResultSetMetadata``
    call; https://cwiki.apache.org/confluence/display/Hive/HiveServer2+Clients); PyHive keeps
    the type and drops the qualifiers, so they are asked here.  A server that gives none
    (or a cursor that is no PyHive one) leaves the types to the values, as before."""
    handle = getattr(cursor, "_operationHandle", None)
    client = getattr(getattr(cursor, "_connection", None), "client", None)
    if handle is None or client is None or not getattr(handle, "hasResultSet", False):
        return []
    from TCLIService import ttypes

    response = client.GetResultSetMetadata(ttypes.TGetResultSetMetadataReq(handle))
    if response.schema is None:
        return []
    found: list[pa.DataType | None] = []
    for column in response.schema.columns:
        entry = column.typeDesc.types[0].primitiveEntry
        qualifiers = (
            (entry.typeQualifiers.qualifiers or {}) if entry and entry.typeQualifiers else {}
        )
        precision, scale = qualifiers.get("precision"), qualifiers.get("scale")
        if entry is None or entry.type != ttypes.TTypeId.DECIMAL_TYPE or precision is None:
            found.append(None)
            continue
        found.append(pa.decimal128(precision.i32Value, scale.i32Value if scale else 0))
    return found


class HiveTextError(ValueError):
    """A complex value's text does not read as the type the plan expects."""


def readable(arrow: pa.DataType) -> bool:
    """True when values of ``arrow`` can be read from HiveServer2's text: lists, structs and
    maps of numbers, booleans, strings, decimals, dates and timestamps (not binary)."""
    if pa.types.is_list(arrow) or pa.types.is_large_list(arrow):
        return readable(arrow.value_type)
    if pa.types.is_struct(arrow):
        return all(readable(arrow.field(i).type) for i in range(arrow.num_fields))
    if pa.types.is_map(arrow):
        return readable(arrow.key_type) and readable(arrow.item_type)
    return bool(
        pa.types.is_boolean(arrow)
        or pa.types.is_integer(arrow)
        or pa.types.is_floating(arrow)
        or pa.types.is_decimal(arrow)
        or pa.types.is_string(arrow)
        or pa.types.is_large_string(arrow)
        or pa.types.is_date(arrow)
        or (pa.types.is_timestamp(arrow) and arrow.tz is None)
    )


def is_complex(arrow: pa.DataType) -> bool:
    """True for the types HiveServer2 sends as text: lists, structs and maps."""
    return bool(
        pa.types.is_list(arrow)
        or pa.types.is_large_list(arrow)
        or pa.types.is_struct(arrow)
        or pa.types.is_map(arrow)
    )


def read_value(text: str, arrow: pa.DataType, *, escaped: bool = True) -> Any:
    """The Python value of ``text`` (one complex value as HiveServer2 sends it) as ``arrow``:
    lists as lists, structs as dicts, maps as lists of pairs (what ``pa.array`` takes).
    ``escaped``: strings inside are JSON-escaped (Hive); False for a Spark Thrift server,
    which writes them as they are (:func:`spark_server`), read up to the quote that a
    delimiter follows."""
    reader = _Reader(text, escaped)
    value = reader.value(arrow)
    reader.skip()
    if reader.pos != len(text):
        raise reader.error(f"text left after a value of type {arrow}")
    return value


class _Reader:
    """A cursor over one value's text."""

    def __init__(self, text: str, escaped: bool = True):
        self.text = text
        self.pos = 0
        self.escaped = escaped

    def error(self, what: str) -> HiveTextError:
        shown = self.text if len(self.text) <= 80 else self.text[:77] + "..."
        return HiveTextError(f"{what} at character {self.pos} of {shown!r}")

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def expect(self, char: str) -> None:
        self.skip()
        if not self.text.startswith(char, self.pos):
            raise self.error(f"expected {char!r}")
        self.pos += 1

    def next_is(self, char: str) -> bool:
        self.skip()
        if self.text.startswith(char, self.pos):
            self.pos += 1
            return True
        return False

    def value(self, arrow: pa.DataType) -> Any:
        self.skip()
        if self.text.startswith("null", self.pos):
            self.pos += 4
            return None
        if pa.types.is_list(arrow) or pa.types.is_large_list(arrow):
            return self.items("[", "]", lambda: self.value(arrow.value_type))
        if pa.types.is_struct(arrow):
            return self.record(arrow)
        if pa.types.is_map(arrow):
            return self.items("{", "}", lambda: self.pair(arrow.key_type, arrow.item_type))
        if pa.types.is_string(arrow) or pa.types.is_large_string(arrow):
            return self.string()
        return self.scalar(arrow)

    def items(self, opening: str, closing: str, read: Any) -> list[Any]:
        self.expect(opening)
        found: list[Any] = []
        if self.next_is(closing):
            return found
        while True:
            found.append(read())
            if self.next_is(closing):
                return found
            self.expect(",")

    def pair(self, key: pa.DataType, item: pa.DataType) -> tuple[Any, Any]:
        k = self.value(key)
        self.expect(":")
        return k, self.value(item)

    def record(self, arrow: pa.StructType) -> dict[str, Any]:
        """A struct: every field of the type exactly once (the servers write them all, a
        NULL one as ``null``), so a missing or repeated field is an error, never a guess."""
        types = {arrow.field(i).name: arrow.field(i).type for i in range(arrow.num_fields)}
        found: dict[str, Any] = {}
        for name, value in self.items("{", "}", lambda: self.field(types)):
            if name in found:
                raise self.error(f"field {name!r} twice")
            found[name] = value
        missing = [t for t in types if t not in found]
        if missing:
            raise self.error(f"fields {missing} missing")
        return {t: found[t] for t in types}

    def field(self, types: dict[str, pa.DataType]) -> tuple[str, Any]:
        name = self.string()
        # Hive's struct field names are lower case in the text; the plan's may not be
        folded = [t for t in types if t.lower() == name.lower()]
        match = name if name in types else folded[0] if len(folded) == 1 else None
        if match is None:
            raise self.error(f"field {name!r} is not one of {sorted(types)} (or not only one)")
        self.expect(":")
        return match, self.value(types[match])

    def string(self) -> str:
        self.skip()
        if not self.text.startswith('"', self.pos):
            raise self.error("expected a quoted string")
        if not self.escaped:
            return self.raw_string()
        try:
            found, self.pos = _JSON.raw_decode(self.text, self.pos)
        except ValueError as err:
            raise self.error(f"unreadable string ({err})") from None
        return str(found)

    def raw_string(self) -> str:
        """A string written without escapes (Spark): up to the first quote followed by a
        delimiter (``,``, ``]``, ``}``, ``:``) or the end of the text."""
        start = self.pos + 1
        end = start
        while True:
            end = self.text.find('"', end)
            if end < 0:
                raise self.error("unterminated string")
            after = end + 1
            while after < len(self.text) and self.text[after].isspace():
                after += 1
            if after == len(self.text) or self.text[after] in ",]}:":
                self.pos = end + 1
                return self.text[start:end]
            end += 1

    def scalar(self, arrow: pa.DataType) -> Any:
        if self.text.startswith('"', self.pos):  # Hive quotes dates and timestamps
            token = self.string()
        else:
            pattern = (
                _TIMESTAMP if pa.types.is_date(arrow) or pa.types.is_timestamp(arrow) else _TOKEN
            )
            found = pattern.match(self.text, self.pos)
            if found is None:
                raise self.error(f"expected a value of type {arrow}")
            token, self.pos = found.group(0), found.end()
        try:
            return _convert(token, arrow)
        except (ValueError, decimal.InvalidOperation):
            raise self.error(f"{token!r} is not a value of type {arrow}") from None


def _convert(token: str, arrow: pa.DataType) -> Any:
    if pa.types.is_boolean(arrow):
        if token not in ("true", "false"):
            raise ValueError(token)
        return token == "true"
    if pa.types.is_integer(arrow):
        return int(token)
    if pa.types.is_floating(arrow):
        return float(token)  # NaN, Infinity, 1.0E300 as Java writes them
    if pa.types.is_decimal(arrow):
        return decimal.Decimal(token)
    if pa.types.is_date(arrow):
        return dt.date.fromisoformat(token[:10])
    return dt.datetime.fromisoformat(token)


def read_column(
    texts: pa.Array | pa.ChunkedArray, arrow: pa.DataType, *, escaped: bool = True
) -> pa.Array:
    """A column of complex values sent as text, read as ``arrow`` (see :func:`read_value`)."""
    return pa.array(
        [None if v is None else read_value(v, arrow, escaped=escaped) for v in texts.to_pylist()],
        type=arrow,
    )


def spark_server(connection: Any) -> bool:
    """True when a PyHive connection's server is Spark's Thrift server, which writes the
    strings inside complex values without escaping them (Hive escapes them): its answer to
    HiveServer2's ``GetInfo(CLI_DBMS_NAME)`` is "Spark SQL" (Hive's is "Apache Hive").  A
    connection that cannot be asked is taken for Hive."""
    client = getattr(connection, "client", None)
    handle = getattr(connection, "sessionHandle", None)
    if client is None or handle is None:
        return False
    from TCLIService import ttypes

    request = ttypes.TGetInfoReq(sessionHandle=handle, infoType=ttypes.TGetInfoType.CLI_DBMS_NAME)
    value = client.GetInfo(request).infoValue
    name = getattr(value, "stringValue", None) or ""
    return name.lower().startswith("spark")
