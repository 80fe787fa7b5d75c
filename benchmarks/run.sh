#!/usr/bin/env bash
# Runs the JMH benchmarks with short settings and prints each variant as a ratio against the baseline
# measured in the same run (absolute numbers on a shared machine mean little; ratios mean more), and each
# store against its raw baseline next to the target of issue 12, with a pass or miss mark.
#
#   benchmarks/run.sh                          # everything, about 10 minutes with the defaults
#   benchmarks/run.sh 'VsRaw|VsCacheable'      # only benchmarks matching JMH regexes (the target table)
#
# The store-against-raw benchmarks (CaffeineVsCacheable, JdbcVsRaw, RedisVsRaw) run once per thread count
# (BENCH_THREADS, and for Redis also BENCH_REDIS_THREADS), in throughput (ops/s of all threads together); the
# others run on one thread, in time per call.
#
# Builds benchmarks/target/benchmarks.jar first if it is missing or older than the sources (reactor build
# from the project root; nothing is installed). Leaves out a store whose server is not reachable.
# Settings, from the environment: BENCH_ROUNDS (1; each round runs the store-against-raw benchmarks again, so
# that a baseline and its store are measured at several moments of a noisy machine, and the report takes
# medians over all rounds; the time-per-call benchmarks run in the first round only), BENCH_FORKS (1),
# BENCH_WARMUP (5: with 8 threads on 2 cores the JIT compiler competes with the benchmark's threads, and
# throughput was still rising in the fifth second), BENCH_ITERATIONS (3), BENCH_TIME (1s),
# BENCH_THREADS (1,8), BENCH_REDIS_THREADS (64), BENCH_STORES (caffeine,redis,postgresql,mariadb),
# BENCH_JMH_OPTS (more JMH options, e.g. "-prof jfr"), and the servers (see BenchStores): BENCH_REDIS_HOST,
# BENCH_REDIS_PORT, BENCH_PG_URL, BENCH_PG_USER, BENCH_PG_PASSWORD, BENCH_MARIADB_URL, BENCH_MARIADB_USER,
# BENCH_MARIADB_PASSWORD, BENCH_POOL_SIZE.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
jar=$here/target/benchmarks.jar
package=dev.idempotent.benchmarks

if [[ ! -f $jar ]] || [[ -n $(find "$here/pom.xml" "$here/src" "$root/pom.xml" "$root/idempotent-core/pom.xml" \
        "$root/idempotent-core/src/main" -newer "$jar" -print -quit) ]]; then
    echo "Building $jar ..."
    (cd "$root" && mvn -q -B -pl benchmarks -am package -DskipTests)
fi

stores=$(java -cp "$jar" $package.BenchStores "${BENCH_STORES:-caffeine,redis,postgresql,mariadb}")
if [[ -z $stores ]]; then
    echo "No store is reachable among ${BENCH_STORES:-caffeine,redis,postgresql,mariadb}" >&2
    exit 1
fi
has_store() { [[ ,$stores, == *,$1,* ]]; }
databases=$(tr ',' '\n' <<<"$stores" | grep -xE 'postgresql|mariadb' | paste -sd, - || true)

# The benchmarks selected by the arguments (JMH regexes; all by default), less those of unreachable servers.
mapfile -t selected < <(java -jar "$jar" -l "$@" | grep "^$package\." || true)
keep=()
for b in "${selected[@]}"; do
    case $b in
        *.RedisVsRawBenchmark.*) has_store redis || continue ;;
        *.JdbcVsRawBenchmark.*) [[ -n $databases ]] || continue ;;
    esac
    keep+=("^${b//./\\.}\$")
done
if [[ ${#keep[@]} -eq 0 ]]; then
    echo "No benchmark to run (selected: ${*:-all}; reachable stores: $stores)" >&2
    exit 1
fi

rm -f "$here"/target/jmh-result-*.json
results=()
run() {  # run ROUND THREADS REGEX...: one JMH run at that many threads
    local round=$1 threads=$2
    shift 2
    [[ $# -gt 0 ]] || return 0
    local out=$here/target/jmh-result-r$round-t$threads.json
    echo "=== round $round of ${BENCH_ROUNDS:-1}, $threads thread(s): $# benchmark(s)"
    # shellcheck disable=SC2086 # BENCH_JMH_OPTS is a list of options
    java -jar "$jar" \
        -f "${BENCH_FORKS:-1}" -wi "${BENCH_WARMUP:-5}" -w "${BENCH_TIME:-1s}" -i "${BENCH_ITERATIONS:-3}" \
        -r "${BENCH_TIME:-1s}" -t "$threads" -p store="$stores" ${databases:+-p database="$databases"} \
        ${BENCH_JMH_OPTS:-} -rf json -rff "$out" "$@"
    results+=("$out")
}
threaded() {  # the benchmarks among $keep that measure shared stores, so any thread count makes sense
    local pattern=$1
    for b in "${keep[@]}"; do
        [[ $b =~ $pattern ]] && echo "$b"
    done
    return 0
}
thread_counts=$(tr ',' '\n' <<<"${BENCH_THREADS:-1,8}")
redis_thread_counts=$(tr ',' '\n' <<<"${BENCH_REDIS_THREADS:-64}")
for round in $(seq "${BENCH_ROUNDS:-1}"); do
    for t in $(sort -nu <<<"$thread_counts"$'\n'"$redis_thread_counts"); do
        if [[ $t == 1 && $round == 1 ]]; then
            mapfile -t these < <(printf '%s\n' "${keep[@]}")
        elif [[ $t == 1 ]]; then  # the single-thread benchmarks (time per call) run in the first round only
            mapfile -t these < <(threaded 'VsRawBenchmark|VsCacheableBenchmark')
        elif grep -qx "$t" <<<"$thread_counts"; then
            mapfile -t these < <(threaded 'VsRawBenchmark|VsCacheableBenchmark')
        else
            mapfile -t these < <(threaded 'RedisVsRawBenchmark')
        fi
        run "$round" "$t" "${these[@]}"
    done
done

if [[ -n $(threaded 'VsRawBenchmark|StoreRoundTripBenchmark') ]]; then
    java -cp "$jar" $package.RoundTrips "$stores" || echo "(round trips not counted: see above)"
fi

python3 "$here/report.py" "${results[@]}"
