#!/usr/bin/env bash
# Stop the stand-ins started by start.sh, by the PIDs it saved (never by name): TERM, wait,
# then KILL the process and its children (the Spark JVM is a child of its Python launcher).
for pid in ${STANDIN_PIDS:-}; do
  kill "$pid" 2>/dev/null || true
done
for pid in ${STANDIN_PIDS:-}; do
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  pkill -9 -P "$pid" 2>/dev/null || true
  kill -9 "$pid" 2>/dev/null || true
done
