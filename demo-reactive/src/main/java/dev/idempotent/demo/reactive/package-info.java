/** The reactive demo: a WebFlux payment service with {@code Mono} and {@code Flux} {@code @Idempotent} methods. */
@NullMarked
package dev.idempotent.demo.reactive;

import org.jspecify.annotations.NullMarked;
