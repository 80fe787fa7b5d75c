#!/usr/bin/env bash
# Follows the demo part of README.md as a newcomer would: starts the demo, runs the README's commands in
# order, exactly as written (each one is looked up in README.md first), and checks the answer the README
# prints next to each. Every curl command of the README's demo sections must be run here. The demo runs in
# a process group of its own, killed on exit, whatever happens.
#
# Run it from a clone after `mvn -q install -DskipTests` (as the README says): demo-app/src/test/readme-demo.sh
# Environment (all optional):
#   DEMO_PORT   the demo's port (default 18080, so as not to meet a demo already on 8080)
#   DEMO_START  the command that starts the demo on $DEMO_PORT (default: the README's
#               `mvn -q -pl demo-app spring-boot:run -Dspring-boot.run.arguments=--server.port=...`)
#   DEMO_JAR    what replaces `java -jar demo-app/target/demo-app-0.1.0-SNAPSHOT.jar` (default: nothing)
# The file export runs with a temporary user.home, so that it meets a fresh ~/.idempotent-demo.
set -euo pipefail
cd "$(dirname "$0")/../../.."
[ -f README.md ] && [ -d demo-app ] || { echo "run from a clone of the repository: README.md not found in $PWD" >&2; exit 1; }

PORT=${DEMO_PORT:-18080}
START=${DEMO_START:-"mvn -q -pl demo-app spring-boot:run -Dspring-boot.run.arguments=--server.port=$PORT"}
JAR_COMMAND="java -jar demo-app/target/demo-app-0.1.0-SNAPSHOT.jar"
WORK=$(mktemp -d)
demo_group=

stop_demo() {
  if [ -n "$demo_group" ]; then
    kill -TERM -- "-$demo_group" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 -- "-$demo_group" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$demo_group" 2>/dev/null || true
    demo_group=
  fi
}
trap 'stop_demo; rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  echo "FAILED: $*" >&2
  if [ -f "$WORK/demo.log" ]; then
    echo "--- the demo's last log lines:" >&2
    tail -n 30 "$WORK/demo.log" >&2
  fi
  exit 1
}

# README.md with each command on one line: a backslash, the line end and the indentation become one space.
perl -0pe 's/[ \t]*\\\n[ \t]*/ /g' README.md > "$WORK/readme"
: > "$WORK/ran"

in_readme() {
  grep -qF -- "$1" "$WORK/readme" || fail "this command is not in README.md (any more?): $1"
}

# --- start the demo, as the README says (on $PORT) ---
command -v setsid >/dev/null || fail "setsid (util-linux) is needed to run the demo in a process group of its own"
echo "starting the demo: ${START:0:100}..."
setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' bash "$WORK/demo.pid" bash -c "$START" > "$WORK/demo.log" 2>&1 &
for _ in $(seq 1 100); do
  [ -s "$WORK/demo.pid" ] && break
  sleep 0.05
done
demo_group=$(cat "$WORK/demo.pid")
for i in $(seq 1 300); do
  if curl -s -o /dev/null "localhost:$PORT/stats"; then break; fi
  kill -0 "$demo_group" 2>/dev/null || fail "the demo exited before it answered on port $PORT"
  [ "$i" -lt 300 ] || fail "the demo did not answer on port $PORT within 150 s"
  sleep 0.5
done
echo "the demo answers on port $PORT"

# --- one step: a README command, its expected status, then checks on its answer ($WORK/answer) ---
ORDER_ID=
run() { # expected-status command
  local expected=$1 command=$2
  in_readme "$command"
  echo "$command" >> "$WORK/ran"
  local actual=${command//localhost:8080/localhost:$PORT}
  actual=${actual//<id>/$ORDER_ID}
  eval "$actual" > "$WORK/answer" 2> "$WORK/answer.err" || fail "exit $? from: $actual"
  tr -d '\r' < "$WORK/answer" > "$WORK/answer.txt"
  local status
  status=$(head -n 1 "$WORK/answer.txt" | cut -d ' ' -f 2)
  [ "$status" = "$expected" ] || fail "expected $expected, got '$status' from: $command"$'\n'"$(cat "$WORK/answer.txt")"
  echo "ok  $expected  $command"
}
header() { # name value: the answer has this header with this value
  grep -qi "^$1: $2\$" "$WORK/answer.txt" || fail "expected the header '$1: $2' in:"$'\n'"$(cat "$WORK/answer.txt")"
}
no_header() { # name
  if grep -qi "^$1:" "$WORK/answer.txt"; then fail "expected no header $1 in:"$'\n'"$(cat "$WORK/answer.txt")"; fi
}
body() { # text the body must contain
  grep -qF -- "$1" "$WORK/answer.txt" || fail "expected '$1' in:"$'\n'"$(cat "$WORK/answer.txt")"
}
problem() { # a problem detail with type and title
  header Content-Type application/problem+json
  body '"type":"about:blank"'
  body '"title":'
}

# --- The two commands ---
run 201 "curl -i -X POST localhost:8080/orders -H 'Content-Type: application/json' -d '{\"requestId\":\"r-1\",\"item\":\"book\",\"quantity\":2}'"
location=$(grep -i '^Location: ' "$WORK/answer.txt" | cut -d ' ' -f 2)
case "$location" in /orders/?*) ;; *) fail "expected Location: /orders/<id>, got '$location'" ;; esac
ORDER_ID=${location#/orders/}
first_order=$(tail -n 1 "$WORK/answer.txt")
run 201 "curl -i -X POST localhost:8080/orders -H 'Content-Type: application/json' -d '{\"requestId\":\"r-1\",\"item\":\"book\",\"quantity\":2}'"
header Location "$location"
[ "$(tail -n 1 "$WORK/answer.txt")" = "$first_order" ] || fail "the repeat did not answer the same order"
run 200 "curl -i localhost:8080/orders/<id>"
body "\"id\":\"$ORDER_ID\""
run 422 "curl -i -X POST localhost:8080/orders -H 'Content-Type: application/json' -d '{\"requestId\":\"r-1\",\"item\":\"car\",\"quantity\":1}'"
problem
run 402 "curl -i -X POST localhost:8080/payments -H 'Content-Type: application/json' -d '{\"paymentId\":\"p-1\",\"amountCents\":500000}'"
problem
run 201 "curl -i -X POST localhost:8080/orders -H 'Idempotency-Key: order-1' -H 'Content-Type: application/json' -d '{\"requestId\":\"r-2\",\"item\":\"pen\",\"quantity\":1}'"
no_header Idempotent-Replayed
run 201 "curl -i -X POST localhost:8080/orders -H 'Idempotency-Key: order-1' -H 'Content-Type: application/json' -d '{\"requestId\":\"r-2\",\"item\":\"pen\",\"quantity\":1}'"
header Idempotent-Replayed true
run 200 "curl -i localhost:8080/stats"
body '"orderExecutions":2'
body '"paymentCharges":1'
run 200 "curl -i localhost:8080/actuator/idempotency/OrderService.place:r-1"
body '"status":"COMPLETED"'

# --- HTTP: Try it with the demo ---
run 201 "curl -i -X POST localhost:8080/orders -H 'Idempotency-Key: order-2' -H 'Content-Type: application/json' -d '{\"requestId\":\"r-3\",\"item\":\"book\",\"quantity\":1}'"
no_header Idempotent-Replayed
run 201 "curl -i -X POST localhost:8080/orders -H 'Idempotency-Key: \"order-2\"' -H 'Content-Type: application/json' -d '{\"requestId\":\"r-3\",\"item\":\"book\",\"quantity\":1}'"
header Idempotent-Replayed true
body '"item":"book","quantity":1'
run 422 "curl -i -X POST localhost:8080/orders -H 'Idempotency-Key: order-2' -H 'Content-Type: application/json' -d '{\"requestId\":\"r-3\",\"item\":\"book\",\"quantity\":2}'"
problem
run 402 "curl -i -X POST localhost:8080/payments -H 'Idempotency-Key: pay-1' -H 'Content-Type: application/json' -d '{\"paymentId\":\"p-2\",\"amountCents\":500000}'"
problem
no_header Idempotent-Replayed
run 402 "curl -i -X POST localhost:8080/payments -H 'Idempotency-Key: pay-1' -H 'Content-Type: application/json' -d '{\"paymentId\":\"p-2\",\"amountCents\":500000}'"
header Idempotent-Replayed true
run 200 "curl -i localhost:8080/stats"
body '"paymentCharges":2'
run 400 "curl -i -X POST localhost:8080/orders -H 'Idempotency-Key;' -H 'Content-Type: application/json' -d '{\"requestId\":\"r-4\",\"item\":\"pen\",\"quantity\":1}'"
problem
run 400 "curl -i -X POST localhost:8080/orders -H 'Idempotency-Key: a' -H 'Idempotency-Key: b' -H 'Content-Type: application/json' -d '{\"requestId\":\"r-4\",\"item\":\"pen\",\"quantity\":1}'"
problem

stop_demo

# --- the file export, twice, on a fresh home: nothing is written in the repository ---
export_step() { # expected summary
  local command="$JAR_COMMAND --spring.profiles.active=export"
  in_readme "$command"
  local actual=$command
  if [ -n "${DEMO_JAR:-}" ]; then actual="$DEMO_JAR --spring.profiles.active=export"; fi
  JAVA_TOOL_OPTIONS="-Duser.home=$WORK/home" bash -c "$actual" > "$WORK/answer.txt" 2> "$WORK/answer.err" \
    || fail "exit $? from: $command"$'\n'"$(cat "$WORK/answer.txt" "$WORK/answer.err")"
  grep -qF -- "export $WORK/home/.idempotent-demo/in -> $WORK/home/.idempotent-demo/out: $1" "$WORK/answer.txt" \
    || fail "expected ': $1' from: $command"$'\n'"$(cat "$WORK/answer.txt")"
  in_readme ".idempotent-demo/out: $1"
  echo "ok  $1  $command"
}
mkdir -p "$WORK/home"
export_step "3 executed, 0 skipped (already done)"
grep -qF "created $WORK/home/.idempotent-demo/in with 3 sample files" "$WORK/answer.txt" || fail "the sample folder was not announced"
[ "$(ls "$WORK/home/.idempotent-demo/out" | wc -l)" = 3 ] || fail "expected 3 exported files"
export_step "0 executed, 3 skipped: all already done"
[ ! -e in ] && [ ! -e out ] || fail "the export wrote in the repository"

# --- every curl command of the README's demo sections was run above ---
awk '/^## The two commands/,/^Run all tests/' "$WORK/readme" > "$WORK/sections"
awk '/^### Try it with the demo/,/^Every request that reaches the store/' "$WORK/readme" >> "$WORK/sections"
grep '^curl ' "$WORK/sections" | sed 's/[[:space:]]*$//' | sort -u > "$WORK/readme-curls"
sort -u "$WORK/ran" > "$WORK/ran-sorted"
missing=$(comm -23 "$WORK/readme-curls" "$WORK/ran-sorted")
[ -z "$missing" ] || fail "README commands this script does not check:"$'\n'"$missing"

echo "README demo: every command gave the answer the README gives"
