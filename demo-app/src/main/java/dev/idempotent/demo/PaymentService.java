package dev.idempotent.demo;

import dev.idempotent.Idempotent;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Service;

/** Charges payments; the same payment id is charged at most once, and a decline is remembered. */
@Service
public class PaymentService {

    /** Amounts above this are declined, to show a recorded failure. */
    public static final long LIMIT_CENTS = 100_000;

    private final AtomicLong charges = new AtomicLong();

    @Idempotent(key = "#paymentId", ttl = "7d", storeExceptions = PaymentDeclinedException.class)
    public PaymentReceipt charge(String paymentId, long amountCents) {
        charges.incrementAndGet();
        if (amountCents > LIMIT_CENTS) {
            throw new PaymentDeclinedException("payment " + paymentId + " declined: " + amountCents
                    + " cents is over the limit of " + LIMIT_CENTS);
        }
        return new PaymentReceipt(paymentId, "ch_" + UUID.randomUUID(), amountCents, Instant.now());
    }

    /** How many times {@link #charge} really ran. */
    public long charges() {
        return charges.get();
    }
}
