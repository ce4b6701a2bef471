"""The one place pushdown sets PyHive's private cursor fields (``operation_cursor`` in
engines/hive_catalog.py: a cursor reading a ``GetColumns`` result): fails loudly when a PyHive
release or pin the function was not checked against is installed or allowed, or when the
fields it sets no longer do what ``Cursor.execute`` makes them do.  No server is needed; the
cursor's real reads on the stand-ins are in tests/integration/test_catalog_reads.py and
test_planning_round_trips.py."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

import pytest

from pushdown.engines.hive_catalog import PYHIVE_CHECKED, operation_cursor

hive = pytest.importorskip("pyhive.hive", reason="pip install -e '.[hive]'")
ttypes = pytest.importorskip("TCLIService.ttypes")

RECHECK = (
    "operation_cursor (engines/hive_catalog.py) sets PyHive's private cursor fields: read "
    "pyhive/hive.py's Cursor.execute and _fetch_more of this release, then update "
    "PYHIVE_CHECKED"
)


def test_the_pin_and_the_installed_pyhive_are_the_releases_checked() -> None:
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    pin = f"pyhive{','.join(PYHIVE_CHECKED)}"
    assert pin in project["project"]["optional-dependencies"]["hive"], RECHECK
    major, minor = (int(p) for p in importlib.metadata.version("pyhive").split(".")[:2])
    assert (major, minor) == (0, 7), RECHECK


class _Unconnected:
    """What ``operation_cursor`` asks of a PyHive connection: a cursor (PyHive's own)."""

    def cursor(self) -> object:
        return hive.Cursor(self)


def test_an_adopted_operation_is_fetched_as_after_execute() -> None:
    fresh = hive.Cursor(_Unconnected())
    assert {"_operationHandle", "_state"} <= set(vars(fresh)), RECHECK
    assert fresh._state == fresh._STATE_NONE != fresh._STATE_RUNNING, RECHECK
    with pytest.raises(hive.ProgrammingError, match="No query yet"):
        fresh.fetchone()
    # A handle without a result set: PyHive's fetch gets past its checks of the cursor's
    # state and handle (asserts in _fetch_more) to the handle itself, with no server asked.
    handle = ttypes.TOperationHandle(hasResultSet=False)
    cursor = operation_cursor(_Unconnected(), handle)
    assert cursor._operationHandle is handle and cursor._state == cursor._STATE_RUNNING
    assert cursor.description is None
    with pytest.raises(hive.ProgrammingError, match="No result set"):
        cursor.fetchone()
