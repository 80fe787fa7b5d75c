#!/usr/bin/env bash
# The Idempotency-Key filter's fresh-key path against the same endpoint without the header, measured with
# wrk against the demo in one run (ratios, not absolute numbers, mean something on a shared machine).
#
#   benchmarks/http/run-filter.sh            # 2 threads, 32 connections, 10 s per case
#
# Builds the demo jar if it is missing; starts it on a free port with the embedded store and stops its
# whole process tree on exit. Needs wrk (Debian package wrk). Settings: WRK_THREADS (2), WRK_CONNECTIONS
# (32), WRK_DURATION (10s), WRK_WARMUP (5s).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
jar=$root/demo-app/target/demo-app-0.1.0-SNAPSHOT.jar
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[[ -f $jar ]] || (cd "$root" && mvn -q -B -pl demo-app -am package -DskipTests)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$(mktemp)
setsid java -Xms512m -Xmx512m -jar "$jar" --server.port="$port" --logging.level.root=WARN \
    --logging.level.dev.idempotent=ERROR >"$log" 2>&1 &
demo=$!
trap 'kill -- -$demo 2>/dev/null || true; wait $demo 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 120); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/actuator/health" 2>/dev/null && break
  curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
  sleep 0.5
done

measure() { # name, env...
  local name=$1; shift
  env "$@" RUN_ID="warm-$name-$RANDOM" wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-32}" -d"${WRK_WARMUP:-5s}" \
      -s "$here/fresh-key.lua" "http://127.0.0.1:$port" >/dev/null
  env "$@" RUN_ID="$name-$RANDOM" wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-32}" -d"${WRK_DURATION:-10s}" \
      -s "$here/fresh-key.lua" "http://127.0.0.1:$port" | awk '/Requests\/sec/ {print $2}'
}
without=$(measure without IDEMPOTENCY_HEADER=0)
fresh=$(measure fresh IDEMPOTENCY_HEADER=1)
replay=$(measure replay IDEMPOTENCY_HEADER=1 IDEMPOTENCY_REPLAY=1)
python3 - "$without" "$fresh" "$replay" <<'PY'
import sys
without, fresh, replay = map(float, sys.argv[1:])
ratio = fresh / without
print(f"POST /orders without the header (annotated method, fresh key): {without:,.0f} req/s")
print(f"POST /orders with a fresh Idempotency-Key:                     {fresh:,.0f} req/s")
print(f"POST /orders replayed through the filter:                      {replay:,.0f} req/s")
print(f"fresh key / without header = {ratio:.2f}  (target >= 0.85: {'pass' if ratio >= 0.85 else 'MISS'})")
PY
