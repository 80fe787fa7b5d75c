package dev.idempotent.autoconfigure;

import dev.idempotent.OnStoreFailure;
import dev.idempotent.interceptor.IdempotencyAdvisor;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of the idempotency starter ({@code idempotency.*}); the JDBC store's
 * ({@code idempotency.jdbc.*}) is {@link IdempotencyJdbcProperties}.
 */
@ConfigurationProperties(prefix = "idempotency")
public class IdempotencyProperties {

    /**
     * Whether @Idempotent methods are intercepted. When false, no idempotency bean is created and
     * annotated methods run on every call.
     */
    private boolean enabled = true;

    /**
     * How long a completed result is remembered, for methods that do not set @Idempotent(ttl).
     */
    private Duration defaultTtl = Duration.ofHours(24);

    /**
     * How long a running call holds its key without renewing it before it counts as crashed, for methods
     * that do not set @Idempotent(lease). The lease is renewed every third of this while the method runs.
     */
    private Duration defaultLease = Duration.ofMinutes(1);

    /**
     * How long a call with onInFlight = WAIT waits for the running call to finish, for methods that do not
     * set @Idempotent(waitTimeout).
     */
    private Duration defaultWaitTimeout = Duration.ofSeconds(30);

    /**
     * What happens when the store cannot be reached while claiming a key: fail-closed throws
     * IdempotencyStoreUnavailableException and does not run the method; fail-open runs it without
     * protection and logs a warning.
     */
    private OnStoreFailure onStoreFailure = OnStoreFailure.FAIL_CLOSED;

    /**
     * Order of the idempotency advisor among other advisors. The default runs after Spring Security's
     * method security and outside @Transactional (lowest precedence), so results are recorded after
     * the transaction commits.
     */
    private int advisorOrder = IdempotencyAdvisor.DEFAULT_ORDER;

    /**
     * Largest stored form of one result (or recorded exception), for every store. A larger result is
     * returned to the caller but not stored: its key is released, so a repeat runs the operation again, and
     * a warning says so (at most once a minute, with a count).
     */
    private DataSize maxPayloadSize = DataSize.ofMegabytes(1);

    /**
     * The store: caffeine (in memory, one JVM), redis or jdbc. When not set: redis if the application has a
     * RedisConnectionFactory, else jdbc if it has a DataSource, else caffeine.
     */
    private @Nullable StoreType store;

    private final Caffeine caffeine = new Caffeine();

    private final Redis redis = new Redis();

    private final Endpoint endpoint = new Endpoint();

    /**
     * How long the outcome of a call that the store could not take when the call ended (the store was
     * unreachable) is retried in the background, its claim kept alive, before it is given up with an ERROR
     * line and the metric idempotency.completions.abandoned. Meanwhile a repeat sees the key in flight. 0
     * gives up at once.
     */
    private Duration completionRetryTimeout = Duration.ofMinutes(10);

    /**
     * How many outcomes may wait for the store at once; more are given up at once (ERROR line and metric).
     */
    private int maxPendingCompletions = 10_000;

    private final StoreRetry storeRetry = new StoreRetry();

    private final Reactive reactive = new Reactive();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getDefaultTtl() {
        return defaultTtl;
    }

    public void setDefaultTtl(Duration defaultTtl) {
        this.defaultTtl = defaultTtl;
    }

    public Duration getDefaultLease() {
        return defaultLease;
    }

    public void setDefaultLease(Duration defaultLease) {
        this.defaultLease = defaultLease;
    }

    public Duration getDefaultWaitTimeout() {
        return defaultWaitTimeout;
    }

    public void setDefaultWaitTimeout(Duration defaultWaitTimeout) {
        this.defaultWaitTimeout = defaultWaitTimeout;
    }

    public OnStoreFailure getOnStoreFailure() {
        return onStoreFailure;
    }

    public void setOnStoreFailure(OnStoreFailure onStoreFailure) {
        this.onStoreFailure = onStoreFailure;
    }

    public int getAdvisorOrder() {
        return advisorOrder;
    }

    public void setAdvisorOrder(int advisorOrder) {
        this.advisorOrder = advisorOrder;
    }

    public DataSize getMaxPayloadSize() {
        return maxPayloadSize;
    }

    public void setMaxPayloadSize(DataSize maxPayloadSize) {
        this.maxPayloadSize = maxPayloadSize;
    }

    public @Nullable StoreType getStore() {
        return store;
    }

    public void setStore(@Nullable StoreType store) {
        this.store = store;
    }

    public Caffeine getCaffeine() {
        return caffeine;
    }

    public Redis getRedis() {
        return redis;
    }

    public Duration getCompletionRetryTimeout() {
        return completionRetryTimeout;
    }

    public void setCompletionRetryTimeout(Duration completionRetryTimeout) {
        this.completionRetryTimeout = completionRetryTimeout;
    }

    public int getMaxPendingCompletions() {
        return maxPendingCompletions;
    }

    public void setMaxPendingCompletions(int maxPendingCompletions) {
        this.maxPendingCompletions = maxPendingCompletions;
    }

    public StoreRetry getStoreRetry() {
        return storeRetry;
    }

    public Endpoint getEndpoint() {
        return endpoint;
    }

    public Reactive getReactive() {
        return reactive;
    }

    /** {@code @Idempotent} methods that return a Mono or a Flux. */
    public static class Reactive {

        /**
         * The most elements of a Flux result that are stored. A longer Flux reaches its subscriber whole but
         * is not stored: its key is released, so a repeat runs the method again, and a warning says so.
         */
        private int maxElements = dev.idempotent.engine.IdempotencyEngine.DEFAULT_MAX_ELEMENTS;

        public int getMaxElements() {
            return maxElements;
        }

        public void setMaxElements(int maxElements) {
            this.maxElements = maxElements;
        }
    }

    /** The embedded Caffeine store. */
    public static class Caffeine {

        /**
         * Maximum number of completed records kept in memory. When full, completed records are evicted,
         * possibly before their ttl ends (a repeat of an evicted key runs again); running calls never are.
         */
        private long maximumSize = 100_000;

        /**
         * Maximum heap the completed records take: each weighs its stored result plus its key, fingerprint
         * and owner token plus 384 bytes (a small record measures about 640 bytes in all). When reached,
         * completed records are evicted, possibly before their ttl ends; running calls never are.
         */
        private DataSize maximumWeight = DataSize.ofMegabytes(64);

        public long getMaximumSize() {
            return maximumSize;
        }

        public void setMaximumSize(long maximumSize) {
            this.maximumSize = maximumSize;
        }

        public DataSize getMaximumWeight() {
            return maximumWeight;
        }

        public void setMaximumWeight(DataSize maximumWeight) {
            this.maximumWeight = maximumWeight;
        }
    }

    /** The Redis store. Timeouts come from spring.data.redis.timeout and spring.data.redis.connect-timeout. */
    public static class Redis {

        /**
         * Prefix of every Redis key the store writes, e.g. to separate applications sharing a server.
         */
        private String keyPrefix = "idempotency:";

        public String getKeyPrefix() {
            return keyPrefix;
        }

        public void setKeyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }
    }

    /** The idempotency actuator endpoint. */
    /**
     * Retries of a store step (claim, complete, release, renew) that failed transiently: a broken or stale
     * connection, a timeout, a deadlock or serialization failure, a server that is restarting. The first
     * retry is made at once on a fresh connection, the next ones with exponential backoff and jitter.
     */
    public static class StoreRetry {

        /**
         * How many times a step is tried again after its first failure. 0 turns retries off.
         */
        private int maxRetries = dev.idempotent.engine.StoreRetry.STANDARD.maxRetries();

        /**
         * The delay before the second retry; each later one doubles it, with a jitter of half of it.
         */
        private Duration initialDelay = dev.idempotent.engine.StoreRetry.STANDARD.initialDelay();

        /**
         * The longest delay between two retries.
         */
        private Duration maxDelay = dev.idempotent.engine.StoreRetry.STANDARD.maxDelay();

        /**
         * The longest time spent retrying one step; never more than a third of the claim's lease.
         */
        private Duration timeout = dev.idempotent.engine.StoreRetry.STANDARD.timeout();

        public int getMaxRetries() {
            return maxRetries;
        }

        public void setMaxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
        }

        public Duration getInitialDelay() {
            return initialDelay;
        }

        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        public Duration getMaxDelay() {
            return maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        dev.idempotent.engine.StoreRetry toStoreRetry() {
            return new dev.idempotent.engine.StoreRetry(maxRetries, initialDelay, maxDelay, timeout);
        }
    }

    public static class Endpoint {

        /**
         * Whether the endpoint shows the stored result of a completed key. Off by default: results may hold
         * personal or secret data.
         */
        private boolean showPayload;

        public boolean isShowPayload() {
            return showPayload;
        }

        public void setShowPayload(boolean showPayload) {
            this.showPayload = showPayload;
        }
    }
}
