package dev.idempotent.demo.reactive;

import java.time.Instant;

/** A charged payment. */
public record Payment(String paymentId, String chargeId, long amountCents, Instant chargedAt) {}
