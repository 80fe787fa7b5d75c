package dev.idempotent;

import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.Fingerprints;
import dev.idempotent.support.IdempotencyDefaults;
import dev.idempotent.support.IdempotencyStores;
import dev.idempotent.support.JsonResultCodec;
import dev.idempotent.support.Keys;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.core.ParameterizedTypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Idempotency in code, for scripts, batch jobs and scheduled tasks, with the semantics of
 * {@link Idempotent} (claim, run once, store, replay; in flight; key reuse; ttl; lease renewal), as
 * {@code TransactionTemplate} is to {@code @Transactional}.
 *
 * <pre class="code">
 * IdempotentResult&lt;Receipt&gt; result = template.execute("order-42", IdempotencyOptions.named("orders"),
 *         Receipt.class, () -&gt; payments.charge(order));
 * if (result.wasReplayed()) { ... already done ... }
 *
 * BatchReport report = template.runEach(files, File::getName, IdempotencyOptions.named("export"), this::copy);
 * log.info("export: {}", report.summary());   // "3 executed, 797 skipped (already done)"
 * </pre>
 */
public class IdempotencyTemplate {

    private static final Log logger = LogFactory.getLog(IdempotencyTemplate.class);

    private final IdempotencyEngine engine;

    private final IdempotencyStores stores;

    private final JsonMapper mapper;

    private final Fingerprints fingerprints;

    private final IdempotencyDefaults defaults;

    private final Map<CodecKey, JsonResultCodec> codecs = new ConcurrentHashMap<>();

    /** @param beanFactory finds stores named in {@link IdempotencyOptions#store}; may be {@code null} */
    public IdempotencyTemplate(
            IdempotencyEngine engine,
            IdempotencyStore defaultStore,
            JsonMapper mapper,
            IdempotencyDefaults defaults,
            @Nullable BeanFactory beanFactory) {
        this.engine = engine;
        this.stores = new IdempotencyStores(defaultStore, beanFactory);
        this.mapper = mapper;
        this.fingerprints = new Fingerprints(mapper);
        this.defaults = defaults;
    }

    /** Runs {@code callback} once per key in {@code options}' namespace and returns its (stored) result. */
    public <T> IdempotentResult<T> execute(
            String key, IdempotencyOptions options, Class<T> resultType, Supplier<T> callback) {
        return doExecute(key, options, resultType, callback);
    }

    /** As {@link #execute(String, IdempotencyOptions, Class, Supplier)}, for generic results such as {@code List<Order>}. */
    public <T> IdempotentResult<T> execute(
            String key, IdempotencyOptions options, ParameterizedTypeReference<T> resultType, Supplier<T> callback) {
        return doExecute(key, options, resultType.getType(), callback);
    }

    /** Runs {@code action} once per key in {@code options}' namespace. */
    public IdempotentResult<Void> run(String key, IdempotencyOptions options, Runnable action) {
        return doExecute(key, options, Void.class, () -> {
            action.run();
            return null;
        });
    }

    /**
     * Runs {@code action} once for each item that has not been done before (the check-skip pattern), and
     * reports what happened. A failing item is recorded and the batch goes on.
     *
     * @param keyOf the key of an item, e.g. a file name or a record id
     */
    public <I> BatchReport runEach(
            Iterable<I> items,
            Function<? super I, String> keyOf,
            IdempotencyOptions options,
            Consumer<? super I> action) {
        return runEach(items, keyOf, options, action, false);
    }

    /**
     * As {@link #runEach(Iterable, Function, IdempotencyOptions, Consumer)}; with
     * {@code stopOnFirstFailure}, the batch stops at the first failed item.
     */
    public <I> BatchReport runEach(
            Iterable<I> items,
            Function<? super I, String> keyOf,
            IdempotencyOptions options,
            Consumer<? super I> action,
            boolean stopOnFirstFailure) {
        int executed = 0;
        int skipped = 0;
        int inFlight = 0;
        List<BatchReport.Failure> failures = new ArrayList<>();
        boolean stopped = false;
        for (I item : items) {
            @Nullable String key = null;
            try {
                key = keyOf.apply(item);
                IdempotentResult<Void> result = run(key, options, () -> action.accept(item));
                switch (result.outcome()) {
                    case EXECUTED, UNPROTECTED -> executed++;
                    case REPLAYED -> skipped++;
                    case SKIPPED -> inFlight++;
                }
            } catch (IdempotencyInFlightException e) {
                inFlight++;
            } catch (RuntimeException | Error e) {
                logger.warn("Item " + (key == null ? item : "'" + key + "'") + " of batch '" + options.getName()
                        + "' failed: " + e);
                failures.add(new BatchReport.Failure(item, key, e));
                if (stopOnFirstFailure) {
                    stopped = true;
                    break;
                }
            }
        }
        BatchReport report = new BatchReport(executed, skipped, inFlight, failures.size(), failures, stopped);
        logger.info("Batch '" + options.getName() + "': " + report.summary());
        return report;
    }

    @SuppressWarnings("unchecked")
    private <T> IdempotentResult<T> doExecute(
            @Nullable String key, IdempotencyOptions options, Type resultType, Supplier<T> callback) {
        if (key == null || key.isBlank()) {
            throw new InvalidIdempotencyKeyException("The key for '" + options.getName() + "' is "
                    + (key == null ? "null" : "blank") + "; the operation did not run");
        }
        String operation = "IdempotencyTemplate[" + options.getName() + "]";
        JsonResultCodec codec = codecs.computeIfAbsent(
                new CodecKey(resultType, options.getStoreExceptions()),
                k -> JsonResultCodec.forType(mapper, resultType, toArray(options.getStoreExceptions()), operation));
        IdempotencyStore store = stores.get(options.getStore(), operation);
        IdempotencyRequest request = IdempotencyRequest.builder(options.getName(), store)
                .key(Keys.namespace(options.getName(), options.getVersion()), key)
                .fingerprint(fingerprints.of(new Object[] {options.getFingerprint()}, operation))
                .ttl(or(options.getTtl(), defaults.ttl()))
                .lease(or(options.getLease(), defaults.lease()))
                .waitTimeout(or(options.getWaitTimeout(), defaults.waitTimeout()))
                .onInFlight(options.getOnInFlight())
                .codec(codec)
                .operation(operation)
                .build();
        try {
            return (IdempotentResult<T>) (IdempotentResult<?>) engine.execute(request, callback::get);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IdempotencyException("The stored exception of " + operation + " is checked: " + e, e);
        }
    }

    private static <V> V or(@Nullable V value, V fallback) {
        return value != null ? value : fallback;
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Throwable>[] toArray(List<Class<? extends Throwable>> types) {
        return types.toArray(new Class[0]);
    }

    private record CodecKey(Type type, List<Class<? extends Throwable>> storeExceptions) {}
}
