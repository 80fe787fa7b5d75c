package dev.idempotent.messaging;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.IdempotencyInFlightException;
import dev.idempotent.IdempotencyKeyReuseException;
import dev.idempotent.IdempotencyReplayException;
import dev.idempotent.InvalidIdempotencyKeyException;
import java.time.Duration;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Teaches a Spring Kafka {@link DefaultErrorHandler} what the exceptions of an {@code @Idempotent}
 * {@code @KafkaListener} mean:
 * <ul>
 * <li>{@link IdempotencyInFlightException} (a duplicate whose first delivery is still running, after waiting
 * {@code waitTimeout} for it): retried without limit, every {@code inFlightBackOff}, so the record is never
 * handed to the recoverer (logged and skipped by default) while its first run may still fail;</li>
 * <li>key reuse, a key that cannot be evaluated, a stored result that no longer fits: not retryable (each
 * redelivery would fail the same way), so they go straight to the recoverer (a dead-letter topic with a
 * {@code DeadLetterPublishingRecoverer});</li>
 * <li>everything else keeps the handler's own back-off: the failed run released the key, so each retry runs
 * the listener again.</li>
 * </ul>
 * The starter applies this to the error handler it defines when the application has no
 * {@code CommonErrorHandler}; an application that defines its own calls {@link #configure} on it.
 */
public final class KafkaListenerErrors {

    private KafkaListenerErrors() {}

    /**
     * @param handler the container's error handler
     * @param inFlightBackOff how long to wait before a duplicate in flight is delivered again
     * @return {@code handler}
     */
    public static <T extends DefaultErrorHandler> T configure(T handler, Duration inFlightBackOff) {
        long interval = inFlightBackOff.toMillis();
        handler.addNotRetryableExceptions(
                IdempotencyKeyReuseException.class,
                InvalidIdempotencyKeyException.class,
                IdempotencyReplayException.class,
                IdempotencyConfigurationException.class);
        handler.setBackOffFunction((record, failure) ->
                isInFlight(failure) ? new FixedBackOff(interval, FixedBackOff.UNLIMITED_ATTEMPTS) : null);
        // a duplicate in flight whose first run then fails starts its own retries afresh
        handler.setResetStateOnExceptionChange(true);
        return handler;
    }

    private static boolean isInFlight(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IdempotencyInFlightException) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }
}
