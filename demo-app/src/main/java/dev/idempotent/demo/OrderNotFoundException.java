package dev.idempotent.demo;

/** No order has this id (orders live in memory: a restart forgets them). */
public class OrderNotFoundException extends RuntimeException {

    public OrderNotFoundException(String id) {
        super("There is no order '" + id + "'");
    }
}
