package dev.idempotent.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of {@code @Idempotent} Kafka listeners ({@code idempotency.kafka.*}).
 */
@ConfigurationProperties(prefix = "idempotency.kafka")
public class IdempotencyKafkaProperties {

    /**
     * How long the error handler waits before delivering again a record whose first delivery is still
     * running (after the listener waited wait-timeout for it). Such a record is retried without limit, never
     * handed to the recoverer.
     */
    private Duration inFlightBackOff = Duration.ofMillis(500);

    /**
     * Record headers fingerprinted together with the key and value of a ConsumerRecord argument, so that
     * two records that differ only in these headers are two different requests.
     */
    private List<String> fingerprintHeaders = new ArrayList<>();

    /**
     * Deduplicate every Kafka record listener without annotating it: header:&lt;name&gt; (the key is the
     * value of that record header, e.g. header:event-id) or offset (the key is topic-partition-offset, so a
     * record redelivered after a rebalance or a lost commit is processed once). Keys are namespaced per
     * consumer group. Not set: no deduplication beyond @Idempotent listener methods.
     */
    private @Nullable String deduplicate;

    public @Nullable String getDeduplicate() {
        return deduplicate;
    }

    public void setDeduplicate(@Nullable String deduplicate) {
        this.deduplicate = deduplicate;
    }

    public Duration getInFlightBackOff() {
        return inFlightBackOff;
    }

    public void setInFlightBackOff(Duration inFlightBackOff) {
        this.inFlightBackOff = inFlightBackOff;
    }

    public List<String> getFingerprintHeaders() {
        return fingerprintHeaders;
    }

    public void setFingerprintHeaders(List<String> fingerprintHeaders) {
        this.fingerprintHeaders = fingerprintHeaders;
    }
}
