#!/usr/bin/env bash
# Install the emulators into their own virtual environments under $STANDIN_DIR (once), so
# their pins (sqlglot, duckdb, connector versions) never touch the project's venv.
set -euo pipefail
STANDIN_DIR=${STANDIN_DIR:-$(pwd)/.standin}
mkdir -p "$STANDIN_DIR"
if [ ! -x "$STANDIN_DIR/venv-fakesnow/bin/python" ]; then
  python3 -m venv "$STANDIN_DIR/venv-fakesnow"
  "$STANDIN_DIR/venv-fakesnow/bin/pip" install -q "fakesnow[server]==0.12.1" "snowflake-connector-python<5"
fi
if [ ! -x "$STANDIN_DIR/venv-bqemu/bin/python" ]; then
  python3 -m venv "$STANDIN_DIR/venv-bqemu"
  # numpy: bqemulator needs it at start-up (DuckDB UDFs) but does not declare it
  "$STANDIN_DIR/venv-bqemu/bin/pip" install -q "bqemulator==1.4.0" numpy
fi
