package dev.idempotent.demo.reactive;

import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code POST /payments} needs an {@code Idempotency-Key} header (idempotency.http.required-paths), and the
 * payment id makes the charge itself idempotent as well; {@code POST /payments/{id}/refunds} is protected by
 * the method alone.
 */
@RestController
public class PaymentController {

    private final PaymentService payments;

    public PaymentController(PaymentService payments) {
        this.payments = payments;
    }

    @PostMapping("/payments")
    @ResponseStatus(HttpStatus.CREATED)
    public Mono<Payment> charge(@RequestBody ChargeRequest request) {
        return payments.charge(request.paymentId(), request.amountCents());
    }

    @PostMapping("/payments/{paymentId}/refunds")
    public Flux<Payment> refund(
            @PathVariable String paymentId,
            @RequestParam long amountCents,
            @RequestParam(defaultValue = "2") int parts) {
        return payments.refundPlan(paymentId, amountCents, parts);
    }

    @GetMapping("/stats")
    public Map<String, Long> stats() {
        return Map.of("charges", payments.charges(), "refundPlans", payments.refundPlans());
    }
}
