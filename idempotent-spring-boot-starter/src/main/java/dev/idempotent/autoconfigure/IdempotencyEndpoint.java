package dev.idempotent.autoconfigure;

import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.IdempotencyStores;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code idempotency} actuator endpoint: read one key's record (status, created, expires, lease;
 * never the stored result unless {@code idempotency.endpoint.show-payload=true}), or delete one key to
 * unstick or redo an operation. Keys are full keys, {@code namespace:value}, e.g.
 * {@code GET /actuator/idempotency/OrderService.place:42}; {@code ?store=beanName} picks another store.
 */
@Endpoint(id = "idempotency")
public class IdempotencyEndpoint {

    private final IdempotencyStores stores;

    private final boolean showPayload;

    public IdempotencyEndpoint(IdempotencyStore defaultStore, BeanFactory beanFactory, boolean showPayload) {
        this.stores = new IdempotencyStores(defaultStore, beanFactory);
        this.showPayload = showPayload;
    }

    @ReadOperation
    public @Nullable Map<String, Object> record(
            @Selector(match = Selector.Match.ALL_REMAINING) String[] key, @Nullable String store) {
        String fullKey = String.join("/", key);
        return stores.get(store, "The idempotency endpoint")
                .find(fullKey)
                .map(this::describe)
                .orElse(null);
    }

    @DeleteOperation
    public Map<String, Object> delete(
            @Selector(match = Selector.Match.ALL_REMAINING) String[] key, @Nullable String store) {
        String fullKey = String.join("/", key);
        boolean deleted = stores.get(store, "The idempotency endpoint").delete(fullKey);
        return Map.of("key", fullKey, "deleted", deleted);
    }

    private Map<String, Object> describe(IdempotencyRecord record) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", record.key());
        body.put("status", record.status().name());
        body.put("createdAt", record.createdAt());
        body.put("expiresAt", record.expiresAt());
        if (record.leaseExpiresAt() != null) {
            body.put("leaseExpiresAt", record.leaseExpiresAt());
        }
        body.put("fingerprint", record.fingerprint());
        if (record.payload() != null) {
            body.put("payloadBytes", record.payload().length);
            if (showPayload) {
                body.put("payload", new String(record.payload(), StandardCharsets.UTF_8));
            }
        }
        return body;
    }
}
