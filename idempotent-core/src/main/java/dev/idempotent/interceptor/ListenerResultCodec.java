package dev.idempotent.interceptor;

import dev.idempotent.IdempotencyReplayException;
import dev.idempotent.support.ResultCodec;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The codec of a listener method: a replay of a recorded exception ({@code storeExceptions}) acknowledges
 * the duplicate delivery instead of throwing it again, which would hand the message back to the broker
 * forever. An exception that says "do not requeue" (Spring AMQP's {@code AmqpRejectAndDontRequeueException}
 * or a subclass) is thrown again, so that the duplicate is dead-lettered like the first delivery.
 */
final class ListenerResultCodec implements ResultCodec {

    private final ResultCodec delegate;

    private final ListenerKind kind;

    ListenerResultCodec(ResultCodec delegate, ListenerKind kind) {
        this.delegate = delegate;
        this.kind = kind;
    }

    @Override
    public @Nullable CompletionStage<?> pending(@Nullable Object result) {
        return delegate.pending(result);
    }

    @Override
    public byte[] encodeValue(@Nullable Object value) {
        return delegate.encodeValue(value);
    }

    @Override
    public byte @Nullable [] encodeFailure(Throwable failure) {
        return delegate.encodeFailure(failure);
    }

    @Override
    public @Nullable Object decode(byte[] payload) throws Throwable {
        try {
            return delegate.decode(payload);
        } catch (IdempotencyReplayException e) {
            throw e;
        } catch (Throwable recorded) {
            if (ListenerFailures.isReject(kind, recorded)) {
                throw recorded;
            }
            return delegate.skipped();
        }
    }

    @Override
    public boolean mayCompleteInTransaction() {
        return delegate.mayCompleteInTransaction();
    }

    @Override
    public @Nullable Object skipped() {
        return delegate.skipped();
    }
}
