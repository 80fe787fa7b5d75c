#!/usr/bin/env python3
"""Prints the ratios of a benchmarks/run.sh run from its JMH result files (one per thread count).

Two tables:
  * each store against its raw baseline of the same run and thread count, next to the target of issue 12,
    with a pass or miss mark (throughput medians over the measurement iterations, ops/s);
  * the older single-thread ratios (time per call: engine overhead, store round trips, codec).

With several rounds (files named jmh-result-r<round>-t<threads>.json), the iterations of all rounds are pooled
for the medians, and the ratio of each round is shown too.

Usage: report.py target/jmh-result-r1-t1.json [target/jmh-result-r1-t8.json ...]
"""
import json
import os
import re
import statistics
import sys

TIME_NS = {"ns/op": 1, "us/op": 1e3, "ms/op": 1e6, "s/op": 1e9}
RATE_PER_S = {"ops/s": 1, "ops/ms": 1e3, "ops/us": 1e6, "ops/ns": 1e9}

# (class, method, param, threads) -> list of iteration scores of all rounds, in ns per op or ops/s
runs = {}
# (class, method, param, threads) -> {round: list of iteration scores}
by_round = {}
for path in sys.argv[1:]:
    found = re.search(r"-r(\d+)-", os.path.basename(path))
    round_no = int(found.group(1)) if found else 1
    for r in json.load(open(path)):
        cls, method = r["benchmark"].rsplit(".", 2)[-2:]
        params = r.get("params", {})
        param = params.get("store") or params.get("database")
        m = r["primaryMetric"]
        unit = m["scoreUnit"]
        scale = TIME_NS.get(unit) or RATE_PER_S[unit]
        iterations = [x * scale for fork in m["rawData"] for x in fork]
        key = (cls, method, param, int(r["threads"]))
        runs.setdefault(key, []).extend(iterations)
        by_round.setdefault(key, {})[round_no] = iterations
ran = {k[0] for k in runs}


def fmt_rate(v):
    return f"{v:,.0f}"


def fmt_time(ns):
    return f"{ns / 1e3:,.1f} us" if ns >= 1e3 else f"{ns:,.1f} ns"


# ---- targets ----------------------------------------------------------------------------------------------
J, R, C = "JdbcVsRawBenchmark", "RedisVsRawBenchmark", "CaffeineVsCacheableBenchmark"
target_rows, not_measured = [], []
met = missed = 0


def target(store, case, threads, ours, raw, goal, raw_label):
    """ours/raw are (class, method, param, threads); goal is the least ratio that passes, or None."""
    global met, missed
    a, b = runs.get(ours), runs.get(raw)
    if a is None or b is None:
        if ours[0] in ran or raw[0] in ran:
            not_measured.append(f"{store} {case} at {threads} thread(s)")
        return
    ratio = statistics.median(a) / statistics.median(b)
    common = sorted(set(by_round[ours]) & set(by_round[raw]))
    if len(common) > 1:
        spread = " ".join(f"{statistics.median(by_round[ours][n]) / statistics.median(by_round[raw][n]):.2f}"
                          for n in common)
    else:
        spread = f"{min(a) / max(b):.2f}-{max(a) / min(b):.2f}"
    if goal is None:
        mark, goal_text = "", "-"
    elif ratio >= goal:
        mark, goal_text = "pass", f">= {goal:g}"
        met += 1
    else:
        mark, goal_text = "MISS", f">= {goal:g}"
        missed += 1
    target_rows.append((store, case, str(threads), fmt_rate(statistics.median(a)), raw_label,
                        fmt_rate(statistics.median(b)), f"{ratio:.2f}", spread, goal_text, mark))




def threads_of(cls):
    return sorted({k[3] for k in runs if k[0] == cls})


for db, name in (("postgresql", "PostgreSQL"), ("mariadb", "MariaDB")):
    insert = "INSERT .. ON CONFLICT" if db == "postgresql" else "INSERT IGNORE"
    for t in threads_of(J):
        target(name, "replay", t, (J, "replay", db, t), (J, "rawSelect", db, t), 0.85, "PK SELECT")
    for t in threads_of(J):
        target(name, "first run", t, (J, "firstRun", db, t), (J, "rawInsert", db, t), 0.45, insert + " commit")
for t in threads_of(R):
    target("Redis", "replay", t, (R, "replay", None, t), (R, "rawGet", None, t), 0.85, "GET")
for t in threads_of(R):
    target("Redis", "first run", t, (R, "firstRun", None, t), (R, "rawGet", None, t), 0.45, "GET")
for t in threads_of(C):
    target("Caffeine", "replay (@Idempotent proxy)", t, (C, "proxyReplay", None, t), (C, "cacheableHit", None, t),
           0.45 if t == 1 else None, "@Cacheable hit")
for t in [t for t in threads_of(C) if t > 1]:
    target("Caffeine", "replay (@Idempotent proxy)", f"{t} vs 1", (C, "proxyReplay", None, t),
           (C, "proxyReplay", None, 1), 1.3, "itself at 1 thread")
for t in threads_of(C):
    target("Caffeine", "first run (@Idempotent proxy)", t, (C, "proxyFirstRun", None, t),
           (C, "cacheableMiss", None, t), 0.7, "@Cacheable miss")
# context, no target: the replay against a raw read of the store's own record (the wider row or hash), the
# engine without the proxy, and how Spring's own cache scales
for db, name in (("postgresql", "PostgreSQL"), ("mariadb", "MariaDB")):
    for t in threads_of(J):
        target(name, "replay", t, (J, "replay", db, t), (J, "rawSelectRecord", db, t), None, "SELECT * of its row")
for t in threads_of(R):
    target("Redis", "replay", t, (R, "replay", None, t), (R, "rawHashGet", None, t), None, "HGETALL of its hash")
for t in threads_of(C):
    target("Caffeine", "replay (engine only)", t, (C, "engineReplay", None, t), (C, "cacheableHit", None, t), None,
           "@Cacheable hit")
for t in threads_of(C):
    target("Caffeine", "first run (engine only)", t, (C, "engineFirstRun", None, t), (C, "cacheableMiss", None, t),
           None, "@Cacheable miss")
for t in [t for t in threads_of(C) if t > 1]:
    target("Caffeine", "@Cacheable hit", f"{t} vs 1", (C, "cacheableHit", None, t), (C, "cacheableHit", None, 1),
           None, "itself at 1 thread")

if target_rows:
    several = len({n for rounds in by_round.values() for n in rounds}) > 1
    header = ("store", "case", "threads", "ours ops/s", "raw baseline", "raw ops/s", "ratio",
              "per round" if several else "range", "target", "")
    widths = [max(len(str(r[i])) for r in target_rows + [header]) for i in range(len(header))]
    print("\nStores against raw baselines of the same run (medians of the measurement iterations"
          + (" of all rounds; per round: the ratio of each round):" if several
             else "; range: slowest vs fastest iterations):"))
    for row in [header] + target_rows:
        print("  " + "  ".join(str(v).rjust(w) if i in (3, 5, 6) else str(v).ljust(w)
                               for i, (v, w) in enumerate(zip(row, widths))).rstrip())
    print(f"\nTargets: {met} met, {missed} missed.")

# ---- single-thread ratios (time per call) ---------------------------------------------------------------
rows, missing = [], []


def ratio(label, cls, method, base_method, store=None, base_store=None, added=False):
    a, b = runs.get((cls, method, store, 1)), runs.get((cls, base_method, base_store, 1))
    if a is None or b is None:
        if cls in ran:
            missing.append(label)
        return
    mean_a, mean_b = statistics.mean(a), statistics.mean(b)
    # the range pairs the fastest iteration of one with the slowest of the other
    low, high = min(a) / max(b), max(a) / min(b)
    detail = f"{fmt_time(mean_a)} vs {fmt_time(mean_b)}"
    if added:
        detail += f"; adds {fmt_time(mean_a - mean_b)} per call"
    rows.append((label, f"{mean_a / mean_b:,.1f}x", f"{low:,.1f}-{high:,.1f}x", detail))


E, S, K = "EngineOverheadBenchmark", "StoreRoundTripBenchmark", "CodecBenchmark"
ratio("engine first execution / direct", E, "engineFirstExecution", "direct", added=True)
ratio("engine replay / direct", E, "engineReplay", "direct", added=True)
ratio("template first execution / direct", E, "templateFirstExecution", "direct", added=True)
ratio("template replay / direct", E, "templateReplay", "direct", added=True)
ratio("template replay / engine replay", E, "templateReplay", "engineReplay")
for store in ("redis", "postgresql", "mariadb"):
    ratio(f"{store} replay / caffeine replay", S, "replay", "replay", store, "caffeine")
for store in ("redis", "postgresql", "mariadb"):
    ratio(f"{store} first execution / caffeine first execution", S, "firstExecution", "firstExecution", store,
          "caffeine")
for store in ("caffeine", "redis", "postgresql", "mariadb"):
    ratio(f"{store} first execution / {store} replay", S, "firstExecution", "replay", store, store)
ratio("codec round trip / build (one record)", K, "roundTripOne", "buildOne")
ratio("codec round trip / build (list of 100)", K, "roundTripList", "buildList")
ratio("codec round trip / plain Jackson (one record)", K, "roundTripOne", "jacksonRoundTripOne")
ratio("codec round trip / plain Jackson (list of 100)", K, "roundTripList", "jacksonRoundTripList")
ratio("codec decode / codec round trip (list of 100)", K, "decodeList", "roundTripList")

if rows:
    w = [max(len(r[i]) for r in rows) for i in range(3)]
    print("\nRatios against the baseline of the same run, 1 thread, time per call (range: fastest vs slowest "
          "measurement iterations):")
    for label, value, spread, detail in rows:
        print(f"  {label:<{w[0]}} = {value:>{w[1]}}  [{spread:>{w[2]}}]  ({detail})")
if missing or not_measured:
    print("\nNot measured (store skipped, benchmark not selected, or it failed: see above):\n  "
          + "\n  ".join(not_measured + missing))
if not rows and not target_rows:
    sys.exit("No ratio could be computed")
