package dev.idempotent.demo;

/** The payment was declined; recorded, so a retry of the same payment is declined again without charging. */
public class PaymentDeclinedException extends RuntimeException {

    public PaymentDeclinedException(String message) {
        super(message);
    }
}
