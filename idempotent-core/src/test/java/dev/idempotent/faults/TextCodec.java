package dev.idempotent.faults;

import dev.idempotent.support.ResultCodec;
import java.nio.charset.StandardCharsets;

/** Results are text; failures are not stored, so a failed operation releases its key. */
final class TextCodec implements ResultCodec {

    @Override
    public byte[] encodeValue(Object value) {
        return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] encodeFailure(Throwable failure) {
        return null;
    }

    @Override
    public Object decode(byte[] payload) {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
