package dev.idempotent.demo;

import dev.idempotent.Idempotent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Service;

/** Places orders; placing the same request twice creates one order. */
@Service
public class OrderService {

    private final Map<String, Order> orders = new ConcurrentHashMap<>();

    private final AtomicLong executions = new AtomicLong();

    @Idempotent(key = "#request.requestId", ttl = "${demo.orders.ttl:24h}")
    public Order place(PlaceOrderRequest request) {
        if (request.quantity() <= 0) {
            throw new IllegalArgumentException("quantity must be positive");
        }
        executions.incrementAndGet();
        Order order = new Order(UUID.randomUUID().toString(), request.item(), request.quantity(), Instant.now());
        orders.put(order.id(), order);
        return order;
    }

    /** The order with this id, if it was placed (in this JVM). */
    public Optional<Order> find(String id) {
        return Optional.ofNullable(orders.get(id));
    }

    public List<Order> orders() {
        return List.copyOf(orders.values());
    }

    /** How many times {@link #place} really ran (replays do not count). */
    public long executions() {
        return executions.get();
    }
}
