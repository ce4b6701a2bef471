"""HiveServer2's text of arrays, structs and maps, read in the plan's types
(``pushdown.engines.hive_text``).  The texts are in the shapes the servers write: Hive's
``SerDeUtils`` JSON (strings escaped, non-string map keys bare: ``{101:"map1"}``) and Spark's
Thrift server (dates and timestamps bare); tests/integration/test_spark_family.py reads them
from the Spark stand-in itself."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pyarrow as pa
import pytest

from pushdown.engines.hive_text import HiveTextError, read_column, read_value, readable

D = decimal.Decimal


@pytest.mark.parametrize(
    ("text", "arrow", "want"),
    [
        ("[1,2,null]", pa.list_(pa.int32()), [1, 2, None]),
        ("[]", pa.list_(pa.string()), []),
        (r'["a\"b","c\\d","\u00e9","x,y]"]', pa.list_(pa.string()), ['a"b', "c\\d", "é", "x,y]"]),
        (
            '{101:"map1",102:"map2"}',
            pa.map_(pa.int64(), pa.string()),
            [(101, "map1"), (102, "map2")],
        ),
        (
            '{"k":0.10,"j":null}',
            pa.map_(pa.string(), pa.decimal128(5, 2)),
            [("k", D("0.10")), ("j", None)],
        ),
        ('{"a":1,"b":"x"}', pa.struct([("a", pa.int8()), ("b", pa.string())]), {"a": 1, "b": "x"}),
        ('{"camel":1}', pa.struct([("Camel", pa.int64())]), {"Camel": 1}),
        ("[2024-01-02,null]", pa.list_(pa.date32()), [dt.date(2024, 1, 2), None]),
        ('["2024-01-02"]', pa.list_(pa.date32()), [dt.date(2024, 1, 2)]),
        (
            "{2024-01-02 10:11:12.5:true}",
            pa.map_(pa.timestamp("us"), pa.bool_()),
            [(dt.datetime(2024, 1, 2, 10, 11, 12, 500000), True)],
        ),
        (
            "[1.5,NaN,1.0E300,-Infinity]",
            pa.list_(pa.float64()),
            [1.5, float("nan"), 1e300, float("-inf")],
        ),
        ("[[1,2],[],null]", pa.list_(pa.list_(pa.int64())), [[1, 2], [], None]),
        (
            '[{"x":[{"y":12345678901234567.89}]}]',
            pa.list_(pa.struct([("x", pa.list_(pa.struct([("y", pa.decimal128(19, 2))])))])),
            [{"x": [{"y": D("12345678901234567.89")}]}],
        ),
        (" [ 1 , 2 ] ", pa.list_(pa.int64()), [1, 2]),
    ],
)
def test_reads_the_text_as_the_type(text: str, arrow: pa.DataType, want: Any) -> None:
    got = read_value(text, arrow)
    if arrow == pa.list_(pa.float64()):
        assert str(got) == str(want)  # NaN is not equal to itself
    else:
        assert got == want
    assert pa.array([got], type=arrow).to_pylist()[0] is not None


@pytest.mark.parametrize(
    ("text", "arrow", "match"),
    [
        ('["a"b"]', pa.list_(pa.string()), r"expected ','.* at character 4"),
        ("[1,2", pa.list_(pa.int64()), "expected ','"),
        ("[1] x", pa.list_(pa.int64()), "text left after a value"),
        ("[1.5]", pa.list_(pa.int64()), r"'1.5' is not a value of type int64"),
        ('{"z":1}', pa.struct([("a", pa.int64())]), r"field 'z' is not one of \['a'\]"),
        ("[maybe]", pa.list_(pa.bool_()), "'maybe' is not a value of type bool"),
        ("[2024-13-01]", pa.list_(pa.date32()), "is not a value of type date32"),
        ("{1:2}", pa.map_(pa.string(), pa.int64()), "expected a quoted string"),
    ],
)
def test_text_that_is_not_the_type_is_an_error(text: str, arrow: pa.DataType, match: str) -> None:
    """A text that does not read as the expected type is a HiveTextError naming where: never
    a value guessed (a quote the server left unescaped ends the string early, and what follows
    is not a delimiter)."""
    with pytest.raises(HiveTextError, match=match):
        read_value(text, arrow)


def test_a_column_keeps_its_nulls_and_type() -> None:
    arrow = pa.map_(pa.int64(), pa.list_(pa.string()))
    got = read_column(pa.array(['{1:["a"]}', None, "{}"]), arrow)
    assert got.type == arrow
    assert got.to_pylist() == [[(1, ["a"])], None, []]


def test_binary_inside_a_complex_value_is_not_readable() -> None:
    """Hive writes binary bytes raw inside the text: such a type is left to the whole-result
    path, never read here."""
    assert not readable(pa.list_(pa.binary()))
    assert not readable(pa.struct([("b", pa.binary())]))
    assert not readable(pa.list_(pa.timestamp("us", tz="UTC")))
    assert readable(pa.map_(pa.string(), pa.list_(pa.decimal128(5, 1))))


@pytest.mark.parametrize(
    ("text", "arrow", "want"),
    [
        ('["C:\\new","a"b",""]', pa.list_(pa.string()), ["C:\\new", 'a"b', ""]),
        ('{"k\\":"v"}', pa.map_(pa.string(), pa.string()), [("k\\", "v")]),
        ('{"a":"x, \\"y"}', pa.struct([("a", pa.string())]), {"a": 'x, \\"y'}),
    ],
)
def test_spark_text_is_read_as_written(text: str, arrow: pa.DataType, want: Any) -> None:
    """Spark's Thrift server writes strings inside complex values without escapes: read as
    they are, up to the quote a delimiter follows (a backslash stays a backslash)."""
    assert read_value(text, arrow, escaped=False) == want


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('{"a":1}', r"fields \['b'\] missing"),
        ('{"a":1,"a":2,"b":3}', "field 'a' twice"),
    ],
)
def test_a_struct_has_each_field_once(text: str, match: str) -> None:
    with pytest.raises(HiveTextError, match=match):
        read_value(text, pa.struct([("a", pa.int64()), ("b", pa.int64())]))


def test_a_field_name_matching_two_fields_by_case_is_an_error() -> None:
    arrow = pa.struct([("Ab", pa.int64()), ("AB", pa.int64())])
    assert read_value('{"Ab":1,"AB":2}', arrow) == {"Ab": 1, "AB": 2}
    with pytest.raises(HiveTextError, match="not only one"):
        read_value('{"ab":1,"AB":2}', arrow)
