package dev.idempotent.autoconfigure;

import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches a store configuration when {@code idempotency.store} names its type or is not set (then the
 * first configuration whose backend exists wins: Redis, then JDBC, then Caffeine).
 */
class StoreTypeCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Map<String, @Nullable Object> attributes =
                metadata.getAnnotationAttributes(ConditionalOnStoreType.class.getName());
        StoreType type = attributes == null ? null : (StoreType) attributes.get("value");
        if (type == null) {
            return ConditionOutcome.noMatch("not on a @ConditionalOnStoreType");
        }
        StoreType chosen = Binder.get(context.getEnvironment())
                .bind("idempotency.store", StoreType.class)
                .orElse(null);
        if (chosen == null) {
            return ConditionOutcome.match("idempotency.store is not set; "
                    + type.name().toLowerCase(Locale.ROOT) + " may be chosen automatically");
        }
        return chosen == type
                ? ConditionOutcome.match("idempotency.store=" + type.name().toLowerCase(Locale.ROOT))
                : ConditionOutcome.noMatch("idempotency.store=" + chosen.name().toLowerCase(Locale.ROOT));
    }
}
