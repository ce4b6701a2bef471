#!/usr/bin/env bash
# Start the warehouse stand-ins on 127.0.0.1 for the integration tests.
#   source tests/standins/start.sh      # exports PUSHDOWN_STANDIN_* and STANDIN_PIDS
# Each emulator runs from its own virtual environment under $STANDIN_DIR so its pins never
# touch the project's.  Stop them with tests/standins/stop.sh (by PID).
#   Snowflake protocol: fakesnow 0.12.1 (server mode) + tests/standins/fakesnow_server.py
#   BigQuery protocol:  bqemulator 1.4.0 via tests/standins/bqemu_launch.py (offline fixes)
#   Hive protocol:      one Spark JVM (the project's pyspark) via tests/standins/spark_thrift.py
#   Databricks:         the same JVM's HTTP protocol, only when PUSHDOWN_NETNS_ISOLATED=1 (it
#                       listens on every interface, so it runs only inside a network namespace
#                       with nothing but loopback; .ci/run makes one)
set -euo pipefail
_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export STANDIN_DIR=${STANDIN_DIR:-$(pwd)/.standin}
mkdir -p "$STANDIN_DIR"
SF_PORT=${SF_PORT:-64616}
BQ_PORT=${BQ_PORT:-9050}
BQ_GRPC_PORT=${BQ_GRPC_PORT:-9060}
HIVE_PORT=${HIVE_PORT:-10000}
DBX_PORT=${DBX_PORT:-10001}
_http_port=""
[ "${PUSHDOWN_NETNS_ISOLATED:-}" = 1 ] && _http_port=$DBX_PORT
PROJECT_PYTHON=${PROJECT_PYTHON:-$(pwd)/.venv/bin/python}

_status() {  # HTTP status of METHOD URL, or nothing when nobody answers
  python3 - "$1" "$2" <<'PY' 2>/dev/null || true
import sys, urllib.error, urllib.request
try:
    with urllib.request.urlopen(urllib.request.Request(sys.argv[2], method=sys.argv[1]), timeout=1) as r:
        print(r.status)
except urllib.error.HTTPError as err:
    print(err.code)
PY
}

bash "$_here/install.sh"  # the emulators' own venvs (needs the package registry the first time)
"$STANDIN_DIR/venv-fakesnow/bin/python" "$_here/fakesnow_server.py" "$SF_PORT" \
  > "$STANDIN_DIR/fakesnow.log" 2>&1 &
echo $! > "$STANDIN_DIR/fakesnow.pid"
export STANDIN_PIDS="${STANDIN_PIDS:-} $(cat "$STANDIN_DIR/fakesnow.pid")"

"$STANDIN_DIR/venv-bqemu/bin/python" "$_here/bqemu_launch.py" --rest-host 127.0.0.1 --rest-port "$BQ_PORT" \
  --grpc-host 127.0.0.1 --grpc-port "$BQ_GRPC_PORT" --project test-proj --log-level warning \
  > "$STANDIN_DIR/bqemu.log" 2>&1 &
echo $! > "$STANDIN_DIR/bqemu.pid"
export STANDIN_PIDS="$STANDIN_PIDS $(cat "$STANDIN_DIR/bqemu.pid")"

rm -rf "$STANDIN_DIR/spark"
"$PROJECT_PYTHON" "$_here/spark_thrift.py" "$HIVE_PORT" $_http_port > "$STANDIN_DIR/spark.log" 2>&1 &
echo $! > "$STANDIN_DIR/spark.pid"
export STANDIN_PIDS="$STANDIN_PIDS $(cat "$STANDIN_DIR/spark.pid")"

for i in $(seq 1 900); do   # up to 90 s (the Spark JVM takes 6-10 s)
  if [ -z "${PUSHDOWN_STANDIN_SNOWFLAKE:-}" ] && [ "$(_status POST "http://127.0.0.1:$SF_PORT/session")" = 401 ]; then
    echo "snowflake stand-in ready after $((i / 10)).$((i % 10)) s on 127.0.0.1:$SF_PORT"
    export PUSHDOWN_STANDIN_SNOWFLAKE="127.0.0.1:$SF_PORT"
  fi
  if [ -z "${PUSHDOWN_STANDIN_BIGQUERY:-}" ] && [ "$(_status GET "http://127.0.0.1:$BQ_PORT/readyz")" = 200 ]; then
    echo "bigquery stand-in ready after $((i / 10)).$((i % 10)) s on 127.0.0.1:$BQ_PORT"
    export PUSHDOWN_STANDIN_BIGQUERY="127.0.0.1:$BQ_PORT"
  fi
  if [ -z "${PUSHDOWN_STANDIN_HIVE:-}" ] && grep -q READY "$STANDIN_DIR/spark.log"; then
    echo "hive stand-in ready after $((i / 10)).$((i % 10)) s on 127.0.0.1:$HIVE_PORT"
    export PUSHDOWN_STANDIN_HIVE="127.0.0.1:$HIVE_PORT"
    if [ -n "$_http_port" ]; then
      echo "databricks stand-in ready on 127.0.0.1:$DBX_PORT (HTTP, inside the namespace)"
      export PUSHDOWN_STANDIN_DATABRICKS="127.0.0.1:$DBX_PORT"
    fi
  fi
  [ -n "${PUSHDOWN_STANDIN_SNOWFLAKE:-}" ] && [ -n "${PUSHDOWN_STANDIN_BIGQUERY:-}" ] \
    && [ -n "${PUSHDOWN_STANDIN_HIVE:-}" ] && break
  sleep 0.1
done
if [ -z "${PUSHDOWN_STANDIN_SNOWFLAKE:-}" ] || [ -z "${PUSHDOWN_STANDIN_BIGQUERY:-}" ] \
    || [ -z "${PUSHDOWN_STANDIN_HIVE:-}" ]; then
  echo "a stand-in failed to start"; tail -n 30 "$STANDIN_DIR"/*.log; return 1 2>/dev/null || exit 1
fi
