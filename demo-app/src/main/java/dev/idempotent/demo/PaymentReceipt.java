package dev.idempotent.demo;

import java.time.Instant;

/** Proof of a charge. */
public record PaymentReceipt(String paymentId, String chargeId, long amountCents, Instant chargedAt) {}
