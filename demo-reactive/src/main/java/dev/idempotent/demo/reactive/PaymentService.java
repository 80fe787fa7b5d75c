package dev.idempotent.demo.reactive;

import dev.idempotent.Idempotent;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Charges payments and refunds them in parts: each payment id is charged at most once, each refund plan made
 * at most once, however often (and on however many instances) the calls are repeated.
 */
@Service
public class PaymentService {

    private final AtomicLong charges = new AtomicLong();

    private final AtomicLong refundPlans = new AtomicLong();

    /** Charged when the {@code Mono} is subscribed; a repeat replays the stored payment. */
    @Idempotent(key = "#paymentId", ttl = "7d")
    public Mono<Payment> charge(String paymentId, long amountCents) {
        return Mono.fromSupplier(() -> {
                    charges.incrementAndGet();
                    return new Payment(paymentId, chargeId("ch_"), amountCents, Instant.now());
                })
                .delayElement(Duration.ofMillis(50)); // the card network takes a while, on a timer
    }

    /** A refund in {@code parts} instalments; a repeat replays the same instalments as a fresh {@code Flux}. */
    @Idempotent(key = "#paymentId", ttl = "7d")
    public Flux<Payment> refundPlan(String paymentId, long amountCents, int parts) {
        return Flux.defer(() -> {
            refundPlans.incrementAndGet();
            return Flux.range(1, parts)
                    .map(part -> new Payment(paymentId, chargeId("re_"), -amountCents / parts, Instant.now()));
        });
    }

    /**
     * A random id. Not {@code UUID.randomUUID()}: its {@code SecureRandom} may read the operating system's
     * entropy, which blocks, and this runs on an event loop.
     */
    private static String chargeId(String prefix) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return prefix + Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
    }

    /** How many times {@link #charge} really ran. */
    public long charges() {
        return charges.get();
    }

    /** How many times {@link #refundPlan} really ran. */
    public long refundPlans() {
        return refundPlans.get();
    }
}
