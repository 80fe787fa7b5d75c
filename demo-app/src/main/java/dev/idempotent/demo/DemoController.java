package dev.idempotent.demo;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The REST face of the demo: place orders, charge payments, and see how often each really ran. */
@RestController
public class DemoController {

    private final OrderService orders;

    private final PaymentService payments;

    private final NightlySync sync;

    public DemoController(OrderService orders, PaymentService payments, NightlySync sync) {
        this.orders = orders;
        this.payments = payments;
        this.sync = sync;
    }

    @PostMapping("/orders")
    public ResponseEntity<Order> placeOrder(@RequestBody PlaceOrderRequest request) {
        Order order = orders.place(request);
        return ResponseEntity.created(URI.create("/orders/" + order.id())).body(order);
    }

    @GetMapping("/orders")
    public List<Order> listOrders() {
        return orders.orders();
    }

    /** The order that {@code POST /orders} placed, at the {@code Location} it answered; 404 if there is none. */
    @GetMapping("/orders/{id}")
    public Order order(@PathVariable String id) {
        return orders.find(id).orElseThrow(() -> new OrderNotFoundException(id));
    }

    @PostMapping("/payments")
    public PaymentReceipt charge(@RequestBody ChargeRequest request) {
        return payments.charge(request.paymentId(), request.amountCents());
    }

    @GetMapping("/stats")
    public Map<String, Long> stats() {
        return Map.of(
                "orderExecutions",
                orders.executions(),
                "paymentCharges",
                payments.charges(),
                "orders",
                (long) orders.orders().size(),
                "nightlySyncRuns",
                sync.runs());
    }
}
