package dev.idempotent.benchmarks;

import dev.idempotent.IdempotentResult.Outcome;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.jdbc.JdbcIdempotencyStore;
import dev.idempotent.store.redis.RedisIdempotencyStore;
import dev.idempotent.support.JsonResultCodec;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Counts the round trips of a replay and of a first run on each remote store, outside any measurement: a
 * second store on the benchmark's own pool or connection factory, seen through a recording proxy, runs a few
 * warm-up calls and then {@value #CALLS} calls of each kind through the engine. For JDBC it records every
 * statement executed (by its first word), commit, rollback and isolation-level call; for Redis every command
 * sent. It also times, on one thread, each whole call and each call to the client (a statement's commit included,
 * in auto-commit), and prints their medians: what a first run spends in the store and what it spends elsewhere.
 * {@code run.sh} prints the result next to the benchmark table.
 *
 * <p>Run as a program with the reachable stores (comma-separated) as its argument.
 */
public final class RoundTrips {

    private static final int CALLS = 200;

    /** Calls of each kind before counting, so that the times are those of compiled code. */
    private static final int WARM_UP = 2_000;

    private static final Set<String> CONNECTION_HOUSEKEEPING = Set.of(
            "close",
            "isClosed",
            "getNativeConnection",
            "isQueueing",
            "isPipelined",
            "toString",
            "hashCode",
            "equals",
            "getSentinelConnection");

    private RoundTrips() {}

    /** One call to the client: what was sent and how long the client took to answer it. */
    private record Call(String what, long nanos) {}

    /** What was sent, in order, since the last {@link #reset()}; shared by every proxy of one store. */
    private static final class Recorder {

        private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());

        void record(String what, long nanos) {
            calls.add(new Call(what, nanos));
        }

        List<Call> reset() {
            synchronized (calls) {
                List<Call> copy = new ArrayList<>(calls);
                calls.clear();
                return copy;
            }
        }
    }

    public static void main(String[] args) throws Throwable {
        List<String> stores = List.of(String.join(",", args).split("\\s*,\\s*"));
        List<String> lines = new ArrayList<>();
        for (String name : stores) {
            if (name.equals(BenchStores.REDIS)
                    || name.equals(BenchStores.POSTGRESQL)
                    || name.equals(BenchStores.MARIADB)) {
                try (BenchStores.Opened opened = BenchStores.open(name)) {
                    lines.add(count(name, opened));
                }
            }
        }
        if (!lines.isEmpty()) {
            System.out.println("\nRound trips per call, counted and timed through a proxy of the store's client ("
                    + CALLS + " calls each, after a warm-up):");
            lines.forEach(line -> System.out.println("  " + line));
        }
        System.exit(0);
    }

    private static String count(String name, BenchStores.Opened opened) throws Throwable {
        Recorder recorder = new Recorder();
        IdempotencyStore store;
        if (name.equals(BenchStores.REDIS)) {
            String prefix = "idempotency-bench-rt:"
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + ":";
            store = new RedisIdempotencyStore(redis(opened.redis(), recorder), prefix);
        } else {
            store = new JdbcIdempotencyStore(jdbc(opened.dataSource(), recorder), BenchStores.TABLE);
        }
        JsonResultCodec codec = Requests.codec(Receipt.class);
        String fingerprint = Requests.fingerprint("order-42");
        List<String> keys = new ArrayList<>();
        try (IdempotencyEngine engine = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED)) {
            IdempotencyRequest replayed = Requests.request(store, "rt-replayed", fingerprint, codec);
            keys.add(replayed.key());
            for (int i = 0; i < WARM_UP; i++) {
                IdempotencyRequest fresh = Requests.request(store, "rt-warm-" + i, fingerprint, codec);
                keys.add(fresh.key());
                engine.execute(fresh, () -> Workload.receipt(1));
                engine.execute(replayed, () -> Workload.receipt(1));
            }
            recorder.reset();
            long[] replayNanos = new long[CALLS];
            for (int i = 0; i < CALLS; i++) {
                long start = System.nanoTime();
                Requests.expect(Outcome.REPLAYED, engine.execute(replayed, () -> Workload.receipt(1)), "a replay");
                replayNanos[i] = System.nanoTime() - start;
            }
            List<Call> replay = recorder.reset();
            long[] firstRunNanos = new long[CALLS];
            for (int i = 0; i < CALLS; i++) {
                IdempotencyRequest fresh = Requests.request(store, "rt-fresh-" + i, fingerprint, codec);
                keys.add(fresh.key());
                long start = System.nanoTime();
                Requests.expect(Outcome.EXECUTED, engine.execute(fresh, () -> Workload.receipt(1)), "a first run");
                firstRunNanos[i] = System.nanoTime() - start;
            }
            List<Call> firstRun = recorder.reset();
            return String.format(
                    Locale.ROOT,
                    "%-10s replay: %s; first run: %s%n%-10s   median times, one thread: replay %s (%s); first run %s (%s)",
                    name,
                    perCall(replay),
                    perCall(firstRun),
                    "",
                    micros(median(replayNanos)),
                    timings(replay),
                    micros(median(firstRunNanos)),
                    timings(firstRun));
        } finally {
            keys.forEach(store::delete);
        }
    }

    /** "1 (SELECT)" or "3 (SELECT, INSERT, UPDATE)": the calls of one operation, in order, when they repeat. */
    private static String perCall(List<Call> calls) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        calls.forEach(call -> counts.merge(call.what(), 1, Integer::sum));
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%.4g", (double) calls.size() / CALLS)
                        .replaceAll("\\.?0+$", ""))
                .append(" (");
        List<String> parts = new ArrayList<>();
        counts.forEach((call, n) -> parts.add(
                n == CALLS
                        ? call
                        : call + " x"
                                + String.format(Locale.ROOT, "%.2f", (double) n / CALLS)
                                        .replaceAll("\\.?0+$", "")));
        return out.append(String.join(", ", parts)).append(")").toString();
    }

    /**
     * "SELECT 61 µs, INSERT 152 µs": the median time the client took for each kind of call, from the call to its
     * answer (a statement's own commit included, in auto-commit).
     */
    private static String timings(List<Call> calls) {
        Map<String, List<Long>> byKind = new LinkedHashMap<>();
        calls.forEach(call ->
                byKind.computeIfAbsent(call.what(), k -> new ArrayList<>()).add(call.nanos()));
        List<String> parts = new ArrayList<>();
        byKind.forEach((what, nanos) -> parts.add(what + " "
                + micros(median(nanos.stream().mapToLong(Long::longValue).toArray()))));
        return String.join(", ", parts);
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length == 0 ? 0 : sorted[sorted.length / 2];
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%,d µs", Math.round(nanos / 1000.0));
    }

    private static DataSource jdbc(DataSource target, Recorder recorder) {
        return proxy(
                DataSource.class,
                target,
                (method, args, result) ->
                        result instanceof Connection connection ? connection(connection, recorder) : result);
    }

    private static Connection connection(Connection target, Recorder recorder) {
        return proxy(Connection.class, target, new Wrapper() {
            @Override
            public void called(Method method, Object[] args, long nanos) {
                switch (method.getName()) {
                    case "commit" -> recorder.record("COMMIT", nanos);
                    case "rollback" -> recorder.record("ROLLBACK", nanos);
                    case "getTransactionIsolation", "setTransactionIsolation" ->
                        recorder.record(method.getName(), nanos);
                    default -> {}
                }
            }

            @Override
            public Object after(Method method, Object[] args, Object result) {
                String sql = args != null && args.length > 0 && args[0] instanceof String s ? s : null;
                if (result instanceof CallableStatement call) {
                    return statement(CallableStatement.class, call, sql, recorder);
                }
                if (result instanceof PreparedStatement prepared) {
                    return statement(PreparedStatement.class, prepared, sql, recorder);
                }
                if (result instanceof Statement statement) {
                    return statement(Statement.class, statement, null, recorder);
                }
                return result;
            }
        });
    }

    private static <S extends Statement> S statement(Class<S> type, S target, @Nullable String sql, Recorder recorder) {
        return proxy(type, target, new Wrapper() {
            @Override
            public void called(Method method, Object[] args, long nanos) {
                if (method.getName().startsWith("execute")) {
                    String text = sql != null ? sql : args != null && args.length > 0 ? String.valueOf(args[0]) : "?";
                    recorder.record(text.strip().split("\\s+", 2)[0].toUpperCase(Locale.ROOT), nanos);
                }
            }
        });
    }

    private static RedisConnectionFactory redis(RedisConnectionFactory target, Recorder recorder) {
        return proxy(
                RedisConnectionFactory.class,
                target,
                (method, args, result) ->
                        result instanceof RedisConnection connection ? redisConnection(connection, recorder) : result);
    }

    private static RedisConnection redisConnection(RedisConnection target, Recorder recorder) {
        return proxy(RedisConnection.class, target, new Wrapper() {
            @Override
            public void called(Method method, Object[] args, long nanos) {
                String name = method.getName();
                if (!name.endsWith("Commands") && !CONNECTION_HOUSEKEEPING.contains(name)) {
                    recorder.record(name, nanos);
                }
            }

            @Override
            public Object after(Method method, Object[] args, Object result) {
                if (method.getName().endsWith("Commands")
                        && method.getReturnType().isInterface()
                        && result != null) {
                    return commands(method.getReturnType(), result, recorder);
                }
                return result;
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> T commands(Class<T> type, Object target, Recorder recorder) {
        return proxy(type, (T) target, new Wrapper() {
            @Override
            public void called(Method method, Object[] args, long nanos) {
                if (!CONNECTION_HOUSEKEEPING.contains(method.getName())) {
                    recorder.record(method.getName(), nanos);
                }
            }
        });
    }

    /** What a recording proxy does around each call it passes on. */
    private interface Wrapper {

        /** After each call passed on, answered or failed, with the time it took. */
        default void called(Method method, Object[] args, long nanos) {}

        default Object after(Method method, Object[] args, Object result) {
            return result;
        }
    }

    /** A proxy that only changes results. */
    private interface ResultWrapper extends Wrapper {

        @Override
        Object after(Method method, Object[] args, Object result);
    }

    private static <T> T proxy(Class<T> type, T target, ResultWrapper wrapper) {
        return proxy(type, target, (Wrapper) wrapper);
    }

    private static <T> T proxy(Class<T> type, T target, Wrapper wrapper) {
        InvocationHandler handler = (proxy, method, args) -> {
            Object result;
            long start = System.nanoTime();
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            } finally {
                wrapper.called(method, args, System.nanoTime() - start);
            }
            return wrapper.after(method, args, result);
        };
        return type.cast(Proxy.newProxyInstance(RoundTrips.class.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
