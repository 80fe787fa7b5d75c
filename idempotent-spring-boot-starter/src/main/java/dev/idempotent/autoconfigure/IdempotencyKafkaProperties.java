package dev.idempotent.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
