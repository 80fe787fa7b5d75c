package dev.idempotent;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How {@link IdempotencyTemplate} protects one operation: the programmatic twin of the attributes of
 * {@link Idempotent}. Unset values fall back to the application's defaults ({@code idempotency.*}).
 *
 * <pre class="code">
 * IdempotencyOptions options = IdempotencyOptions.named("export").ttl(Duration.ofDays(30)).onInFlight(OnInFlight.SKIP);
 * </pre>
 *
 * Instances are immutable; every method returns a new one.
 */
public final class IdempotencyOptions {

    /** The namespace used when none is given. */
    public static final String DEFAULT_NAME = "default";

    private final String name;

    private final @Nullable Duration ttl;

    private final @Nullable Duration lease;

    private final OnInFlight onInFlight;

    private final @Nullable Duration waitTimeout;

    private final @Nullable Object fingerprint;

    private final List<Class<? extends Throwable>> storeExceptions;

    private final @Nullable String store;

    private final @Nullable String version;

    private IdempotencyOptions(
            String name,
            @Nullable Duration ttl,
            @Nullable Duration lease,
            OnInFlight onInFlight,
            @Nullable Duration waitTimeout,
            @Nullable Object fingerprint,
            List<Class<? extends Throwable>> storeExceptions,
            @Nullable String store,
            @Nullable String version) {
        this.name = name;
        this.ttl = ttl;
        this.lease = lease;
        this.onInFlight = onInFlight;
        this.waitTimeout = waitTimeout;
        this.fingerprint = fingerprint;
        this.storeExceptions = storeExceptions;
        this.store = store;
        this.version = version;
    }

    /** Options in the {@value #DEFAULT_NAME} namespace with every value defaulted. */
    public static IdempotencyOptions defaults() {
        return named(DEFAULT_NAME);
    }

    /** Options whose keys live in namespace {@code name} (e.g. {@code "nightly-export"}). */
    public static IdempotencyOptions named(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an idempotency namespace must not be blank");
        }
        return new IdempotencyOptions(name.trim(), null, null, OnInFlight.REJECT, null, null, List.of(), null, null);
    }

    /** How long a completed result is remembered. */
    public IdempotencyOptions ttl(Duration ttl) {
        return new IdempotencyOptions(
                name,
                positive(ttl, "ttl"),
                lease,
                onInFlight,
                waitTimeout,
                fingerprint,
                storeExceptions,
                store,
                version);
    }

    /** How long a run holds the key without renewing it (renewed in the background while it runs). */
    public IdempotencyOptions lease(Duration lease) {
        return new IdempotencyOptions(
                name,
                ttl,
                positive(lease, "lease"),
                onInFlight,
                waitTimeout,
                fingerprint,
                storeExceptions,
                store,
                version);
    }

    /** What a call does while another holds the key. */
    public IdempotencyOptions onInFlight(OnInFlight onInFlight) {
        if (onInFlight == null) {
            throw new IllegalArgumentException("onInFlight must not be null");
        }
        return new IdempotencyOptions(
                name, ttl, lease, onInFlight, waitTimeout, fingerprint, storeExceptions, store, version);
    }

    /** How long {@link OnInFlight#WAIT} waits. */
    public IdempotencyOptions waitTimeout(Duration waitTimeout) {
        return new IdempotencyOptions(
                name,
                ttl,
                lease,
                onInFlight,
                positive(waitTimeout, "waitTimeout"),
                fingerprint,
                storeExceptions,
                store,
                version);
    }

    /**
     * What the operation is asked to do (any value Jackson can write): the same key with another
     * fingerprint is a key reuse. Default: none, so any repeat of the key replays.
     */
    public IdempotencyOptions fingerprint(@Nullable Object fingerprint) {
        return new IdempotencyOptions(
                name, ttl, lease, onInFlight, waitTimeout, fingerprint, storeExceptions, store, version);
    }

    /** Exception types that are recorded and rethrown on replay instead of releasing the key. */
    @SafeVarargs
    public final IdempotencyOptions storeExceptions(Class<? extends Throwable>... types) {
        return new IdempotencyOptions(
                name, ttl, lease, onInFlight, waitTimeout, fingerprint, List.of(types), store, version);
    }

    /** The name of the {@code IdempotencyStore} bean to use instead of the default store. */
    public IdempotencyOptions store(String beanName) {
        return new IdempotencyOptions(
                name, ttl, lease, onInFlight, waitTimeout, fingerprint, storeExceptions, beanName, version);
    }

    /**
     * A new key space for the same name: nothing stored by another version is replayed. Give a new
     * version when the result type changed in a way the stored results no longer fit (a replay of those
     * throws {@link IdempotencyReplayException}). Keys become {@code name@version:key}.
     */
    public IdempotencyOptions version(String version) {
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException("a version must not be blank");
        }
        return new IdempotencyOptions(
                name, ttl, lease, onInFlight, waitTimeout, fingerprint, storeExceptions, store, version.trim());
    }

    public String getName() {
        return name;
    }

    /** @return the ttl, or {@code null} for the default */
    public @Nullable Duration getTtl() {
        return ttl;
    }

    /** @return the lease, or {@code null} for the default */
    public @Nullable Duration getLease() {
        return lease;
    }

    public OnInFlight getOnInFlight() {
        return onInFlight;
    }

    /** @return the wait timeout, or {@code null} for the default */
    public @Nullable Duration getWaitTimeout() {
        return waitTimeout;
    }

    /** @return the fingerprint value, or {@code null} for none */
    public @Nullable Object getFingerprint() {
        return fingerprint;
    }

    public List<Class<? extends Throwable>> getStoreExceptions() {
        return storeExceptions;
    }

    /** @return the store bean name, or {@code null} for the default store */
    public @Nullable String getStore() {
        return store;
    }

    /** @return the version of the key space, or {@code null} for none */
    public @Nullable String getVersion() {
        return version;
    }

    private static Duration positive(@Nullable Duration duration, String what) {
        if (duration == null || duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException(what + " must be a positive duration, was " + duration);
        }
        return duration;
    }
}
