package dev.idempotent.demo;

import dev.idempotent.IdempotencyInFlightException;
import dev.idempotent.IdempotencyKeyReuseException;
import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.InvalidIdempotencyKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Turns the library's exceptions into RFC 9457 problem details. */
@RestControllerAdvice
public class DemoExceptionHandler {

    @ExceptionHandler(IdempotencyInFlightException.class)
    ProblemDetail inFlight(IdempotencyInFlightException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }

    @ExceptionHandler(IdempotencyKeyReuseException.class)
    ProblemDetail keyReuse(IdempotencyKeyReuseException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage());
    }

    @ExceptionHandler(InvalidIdempotencyKeyException.class)
    ProblemDetail invalidKey(InvalidIdempotencyKeyException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(IdempotencyStoreUnavailableException.class)
    ProblemDetail storeDown(IdempotencyStoreUnavailableException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }

    @ExceptionHandler(PaymentDeclinedException.class)
    ProblemDetail declined(PaymentDeclinedException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.PAYMENT_REQUIRED, e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badRequest(IllegalArgumentException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }
}
