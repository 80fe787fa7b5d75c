#!/usr/bin/env bash
# Runs the JMH benchmarks with short settings and prints each variant as a ratio against the baseline
# measured in the same run (absolute numbers on a shared machine mean little; ratios mean more).
#
#   benchmarks/run.sh                      # everything, about 2-3 minutes
#   benchmarks/run.sh StoreRoundTrip       # only benchmarks matching a JMH regex
#
# Builds benchmarks/target/benchmarks.jar first if it is missing or older than the sources (reactor
# build from the project root; nothing is installed). Leaves out a store whose server is not reachable.
# Settings, from the environment: BENCH_FORKS (1), BENCH_WARMUP (2), BENCH_ITERATIONS (3), BENCH_TIME (1s),
# BENCH_STORES (caffeine,redis,postgresql), and the servers (see BenchStores): BENCH_REDIS_HOST,
# BENCH_REDIS_PORT, BENCH_PG_URL, BENCH_PG_USER, BENCH_PG_PASSWORD.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
jar=$here/target/benchmarks.jar
results=$here/target/jmh-result.json

if [[ ! -f $jar ]] || [[ -n $(find "$here/pom.xml" "$here/src" "$root/pom.xml" "$root/idempotent-core/pom.xml" \
        "$root/idempotent-core/src/main" -newer "$jar" -print -quit) ]]; then
    echo "Building $jar ..."
    (cd "$root" && mvn -q -B -pl benchmarks -am package -DskipTests)
fi

stores=$(java -cp "$jar" dev.idempotent.benchmarks.BenchStores "${BENCH_STORES:-caffeine,redis,postgresql}")
if [[ -z $stores ]]; then
    echo "No store is reachable among ${BENCH_STORES:-caffeine,redis,postgresql}" >&2
    exit 1
fi

java -jar "$jar" \
    -f "${BENCH_FORKS:-1}" -wi "${BENCH_WARMUP:-2}" -w "${BENCH_TIME:-1s}" -i "${BENCH_ITERATIONS:-3}" -r "${BENCH_TIME:-1s}" \
    -p store="$stores" -rf json -rff "$results" "$@"

python3 - "$results" <<'EOF'
import json, sys

UNIT_NS = {"ns/op": 1, "us/op": 1e3, "ms/op": 1e6, "s/op": 1e9}
runs = {}  # (class, method, store) -> (mean, [iteration scores]), in ns
for r in json.load(open(sys.argv[1])):
    cls, method = r["benchmark"].rsplit(".", 2)[-2:]
    m = r["primaryMetric"]
    unit = UNIT_NS[m["scoreUnit"]]
    iterations = [x * unit for fork in m["rawData"] for x in fork]
    runs[(cls, method, r.get("params", {}).get("store"))] = (float(m["score"]) * unit, iterations)
ran = {k[0] for k in runs}

def fmt_time(ns):
    return f"{ns / 1e3:,.1f} us" if ns >= 1e3 else f"{ns:,.1f} ns"

rows, missing = [], []
def ratio(label, cls, method, base_method, store=None, base_store=None, added=False):
    a, b = runs.get((cls, method, store)), runs.get((cls, base_method, base_store))
    if a is None or b is None:
        if cls in ran:
            missing.append(label)
        return
    # the range pairs the fastest iteration of one with the slowest of the other
    low, high = min(a[1]) / max(b[1]), max(a[1]) / min(b[1])
    detail = f"{fmt_time(a[0])} vs {fmt_time(b[0])}"
    if added:
        detail += f"; adds {fmt_time(a[0] - b[0])} per call"
    rows.append((label, f"{a[0] / b[0]:,.1f}x", f"{low:,.1f}-{high:,.1f}x", detail))

E, S, C = "EngineOverheadBenchmark", "StoreRoundTripBenchmark", "CodecBenchmark"
ratio("engine first execution / direct", E, "engineFirstExecution", "direct", added=True)
ratio("engine replay / direct", E, "engineReplay", "direct", added=True)
ratio("template first execution / direct", E, "templateFirstExecution", "direct", added=True)
ratio("template replay / direct", E, "templateReplay", "direct", added=True)
ratio("template replay / engine replay", E, "templateReplay", "engineReplay")
for store in ("redis", "postgresql"):
    ratio(f"{store} replay / caffeine replay", S, "replay", "replay", store, "caffeine")
for store in ("redis", "postgresql"):
    ratio(f"{store} first execution / caffeine first execution", S, "firstExecution", "firstExecution", store, "caffeine")
for store in ("caffeine", "redis", "postgresql"):
    ratio(f"{store} first execution / {store} replay", S, "firstExecution", "replay", store, store)
ratio("codec round trip / build (one record)", C, "roundTripOne", "buildOne")
ratio("codec round trip / build (list of 100)", C, "roundTripList", "buildList")
ratio("codec round trip / plain Jackson (one record)", C, "roundTripOne", "jacksonRoundTripOne")
ratio("codec round trip / plain Jackson (list of 100)", C, "roundTripList", "jacksonRoundTripList")
ratio("codec decode / codec round trip (list of 100)", C, "decodeList", "roundTripList")

if rows:
    w = [max(len(r[i]) for r in rows) for i in range(3)]
    print("\nRatios against the baseline of the same run (range: fastest vs slowest measurement iterations):")
    for label, value, spread, detail in rows:
        print(f"  {label:<{w[0]}} = {value:>{w[1]}}  [{spread:>{w[2]}}]  ({detail})")
if missing:
    print("\nNot measured (store skipped, benchmark not selected, or it failed: see above):\n  " + "\n  ".join(missing))
if not rows:
    sys.exit("No ratio could be computed")
EOF
