package dev.idempotent.demo;

/** What a client sends to place an order; {@code requestId} is chosen by the client, once per order. */
public record PlaceOrderRequest(String requestId, String item, int quantity) {}
