package dev.idempotent.demo;

/** What a client sends to pay. */
public record ChargeRequest(String paymentId, long amountCents) {}
