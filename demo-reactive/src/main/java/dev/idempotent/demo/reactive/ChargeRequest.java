package dev.idempotent.demo.reactive;

/** The body of {@code POST /payments}. */
public record ChargeRequest(String paymentId, long amountCents) {}
