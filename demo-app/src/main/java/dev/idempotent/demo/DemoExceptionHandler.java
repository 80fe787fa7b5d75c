package dev.idempotent.demo;

import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Turns the demo's own exceptions into RFC 9457 problem details. The library's exceptions (in flight,
 * key reuse, invalid key, store unavailable) need no mapping here: the starter answers them.
 */
@RestControllerAdvice
public class DemoExceptionHandler {

    @ExceptionHandler(PaymentDeclinedException.class)
    ProblemDetail declined(PaymentDeclinedException e) {
        return problem(HttpStatus.PAYMENT_REQUIRED, e.getMessage());
    }

    @ExceptionHandler(OrderNotFoundException.class)
    ProblemDetail notFound(OrderNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badRequest(IllegalArgumentException e) {
        return problem(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    /** A problem with {@code type} and {@code title}, like the ones the starter writes. */
    private static ProblemDetail problem(HttpStatus status, @Nullable String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("about:blank"));
        problem.setTitle(status.getReasonPhrase());
        return problem;
    }
}
