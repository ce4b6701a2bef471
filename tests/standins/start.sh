#!/usr/bin/env bash
# Start the warehouse stand-ins on 127.0.0.1 for the integration tests.
#   source tests/standins/start.sh      # exports PUSHDOWN_STANDIN_* and STANDIN_PIDS
# Each emulator runs from its own virtual environment under $STANDIN_DIR so its pins never
# touch the project's.  Stop them with tests/standins/stop.sh (by PID).
#   Snowflake protocol: fakesnow 0.12.1 (server mode) + tests/standins/fakesnow_server.py
set -euo pipefail
_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export STANDIN_DIR=${STANDIN_DIR:-$(pwd)/.standin}
mkdir -p "$STANDIN_DIR"
SF_PORT=${SF_PORT:-64616}

if [ ! -x "$STANDIN_DIR/venv-fakesnow/bin/python" ]; then
  python3 -m venv "$STANDIN_DIR/venv-fakesnow"
  "$STANDIN_DIR/venv-fakesnow/bin/pip" install -q "fakesnow[server]==0.12.1" "snowflake-connector-python<5"
fi
"$STANDIN_DIR/venv-fakesnow/bin/python" "$_here/fakesnow_server.py" "$SF_PORT" \
  > "$STANDIN_DIR/fakesnow.log" 2>&1 &
echo $! > "$STANDIN_DIR/fakesnow.pid"
export STANDIN_PIDS="${STANDIN_PIDS:-} $(cat "$STANDIN_DIR/fakesnow.pid")"

for i in $(seq 1 300); do   # up to 30 s
  code=$(python3 - "$SF_PORT" <<'PY' 2>/dev/null || true
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/session", method="POST"), timeout=1)
    print(200)
except urllib.error.HTTPError as err:
    print(err.code)
PY
)
  if [ "$code" = 401 ]; then
    echo "snowflake stand-in ready after $((i / 10)).$((i % 10)) s on 127.0.0.1:$SF_PORT"
    export PUSHDOWN_STANDIN_SNOWFLAKE="127.0.0.1:$SF_PORT"
    break
  fi
  sleep 0.1
done
if [ -z "${PUSHDOWN_STANDIN_SNOWFLAKE:-}" ]; then
  echo "snowflake stand-in failed to start"; tail -n 30 "$STANDIN_DIR/fakesnow.log"; return 1 2>/dev/null || exit 1
fi
