"""Wrong credentials surface as a typed EngineError naming the connection, carrying the
driver's message, never the secret.

Every stand-in accepts any credentials, so a rejected login cannot be caused against them:
these tests replace the driver's connect function with one raising the exception the real
driver raises on a rejected login (a mock, for a fault we cannot otherwise cause).  BigQuery's
missing-credentials case is real: no mock, the Google client finds no credentials file."""

from __future__ import annotations

from typing import Any

import pytest

from pushdown.engines import open_connector
from pushdown.errors import EngineError

SECRET = "hunter2-s3cret"


def _rejecting(error: Exception) -> Any:
    def connect(*args: Any, **kwargs: Any) -> Any:
        raise error

    return connect


def _check(err: pytest.ExceptionInfo[EngineError], connection: str, driver_text: str) -> None:
    text = str(err.value)
    assert connection in text and driver_text in text
    assert SECRET not in text and SECRET not in repr(err.value)


def test_snowflake_rejected_login(monkeypatch: pytest.MonkeyPatch) -> None:
    snowflake = pytest.importorskip("snowflake.connector")
    from snowflake.connector.errors import DatabaseError

    message = (
        "250001 (08001): Failed to connect to DB: acct.snowflakecomputing.com:443. "
        f"Incorrect username or password was specified. url=snowflake://me:{SECRET}@acct"
    )
    monkeypatch.setattr(snowflake, "connect", _rejecting(DatabaseError(msg=message, errno=250001)))
    with pytest.raises(EngineError) as err:
        open_connector("sales_wh", f"snowflake://me:{SECRET}@acct/db/schema")
    _check(err, "sales_wh", "Incorrect username or password")


def test_hive_rejected_login(monkeypatch: pytest.MonkeyPatch) -> None:
    hive = pytest.importorskip("pyhive.hive")
    from thrift.transport.TTransport import TTransportException

    error = TTransportException(message="Bad status: 3 (b'Error validating the login')")
    monkeypatch.setattr(hive, "connect", _rejecting(error))
    with pytest.raises(EngineError) as err:
        open_connector("lake", f"hive://me:{SECRET}@hadoop:10000/default?auth=LDAP")
    _check(err, "lake", "Error validating the login")


def test_databricks_rejected_token(monkeypatch: pytest.MonkeyPatch) -> None:
    sql = pytest.importorskip("databricks.sql")
    from databricks.sql.exc import RequestError

    error = RequestError(f"Error during request to server: 403 Invalid access token {SECRET}")
    monkeypatch.setattr(sql, "connect", _rejecting(error))
    with pytest.raises(EngineError) as err:
        open_connector(
            "dbx", f"databricks://token:{SECRET}@adb-1.azuredatabricks.net?http_path=/sql/1"
        )
    # the driver itself echoes the token in free text: the known secret is scrubbed anyway
    _check(err, "dbx", "403 Invalid access token ***")


def test_a_secret_echoed_later_is_scrubbed_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """After connecting, a driver error that quotes a secret driver argument is scrubbed."""
    connector = open_connector("wh", "duckdb:///:memory:", None)
    connector.secrets = frozenset({SECRET})
    with pytest.raises(EngineError) as err2:
        connector.fetch_arrow(f"SELECT CAST('{SECRET}' AS INTEGER)")
    assert SECRET not in err2.value.message and "'***'" in err2.value.message


def test_bigquery_without_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    pytest.importorskip("google.cloud.bigquery")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing-key.json"))
    with pytest.raises(EngineError) as err:
        open_connector("gcp", "bigquery://my-project/my_dataset")
    text = str(err.value)
    assert "gcp" in text and "DefaultCredentialsError" in text and "missing-key.json" in text
