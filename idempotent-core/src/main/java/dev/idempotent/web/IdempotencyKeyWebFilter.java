package dev.idempotent.web;

import dev.idempotent.IdempotencyException;
import dev.idempotent.IdempotentResult;
import dev.idempotent.InvalidIdempotencyKeyException;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.engine.ReactiveIdempotencyEngine;
import dev.idempotent.store.ReactiveIdempotencyStore;
import dev.idempotent.web.IdempotencyKeyAnswers.Answer;
import dev.idempotent.web.IdempotencyKeyAnswers.Outcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code Idempotency-Key} filter for Spring WebFlux, with exactly the rules of the servlet filter
 * ({@link IdempotencyKeyFilter}, both applying one {@link IdempotencyKeyPolicy}): a first request with a key
 * runs and its status, headers and body are stored before they are sent; a repeat with the same request gets
 * them back with {@code Idempotent-Replayed: true} without reaching the application; 409 while the first runs,
 * 422 for the key with another request, 400 for an invalid or missing required key, 413 for a body over
 * {@code max-request-size}, 503 when the store is down (fail-closed); only final answers are stored. Keys are
 * scoped by {@link ReactiveIdempotencyKeyScope} (default: the exchange's principal, from the reactive security
 * context), so the filter runs after Spring Security's ({@link #DEFAULT_ORDER}).
 *
 * <p>No thread waits: the body is read as it arrives, every decision is taken by the
 * {@link ReactiveIdempotencyEngine} on a {@link ReactiveIdempotencyStore}. A streamed response
 * ({@code writeAndFlushWith}, as server-sent events are written) is sent as it comes and not stored, like an
 * asynchronous servlet response; so is an error the application signals (it reaches WebFlux's error handling).
 */
public class IdempotencyKeyWebFilter implements WebFilter, Ordered {

    /** Right after Spring Security's {@code WebFilterChainProxy} (order -100), as for the servlet filter. */
    public static final int DEFAULT_ORDER = -100 + 10;

    /**
     * Exchange attribute that marks a response as produced while an {@link IdempotencyException} was handled
     * (its value is the exception): sent, never stored. The WebFlux problem details handler sets it.
     */
    public static final String HANDLED_EXCEPTION_ATTRIBUTE = IdempotencyKeyPolicy.HANDLED_EXCEPTION_ATTRIBUTE;

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final ReactiveIdempotencyEngine engine;

    private final ReactiveIdempotencyStore store;

    private final IdempotencyKeyPolicy policy;

    private final IdempotencyKeyAnswers answers;

    private final HttpResponseCodec codec = new HttpResponseCodec(MAPPER);

    private final ReactiveProblemResponses problems = new ReactiveProblemResponses(MAPPER);

    private ReactiveIdempotencyKeyScope scope = ReactiveIdempotencyKeyScope.principal();

    private @Nullable ReactiveIdempotencyKeyRequiredHandlers requiredHandlers;

    private int order = DEFAULT_ORDER;

    /**
     * @param engine decides every request
     * @param store keeps the responses
     * @param policy the rules of the header (shared with the servlet filter)
     */
    public IdempotencyKeyWebFilter(
            ReactiveIdempotencyEngine engine, ReactiveIdempotencyStore store, IdempotencyKeyPolicy policy) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.store = Objects.requireNonNull(store, "store");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.answers = new IdempotencyKeyAnswers(policy);
    }

    /** The rules this filter applies. */
    public IdempotencyKeyPolicy getPolicy() {
        return policy;
    }

    /** Whose keys a request's key belongs to (default: the exchange's principal). */
    public void setScope(ReactiveIdempotencyKeyScope scope) {
        this.scope = Objects.requireNonNull(scope, "scope");
    }

    /** Finds handler methods annotated with {@link IdempotencyKeyRequired}; {@code null} for none. */
    public void setRequiredHandlers(ReactiveIdempotencyKeyRequiredHandlers requiredHandlers) {
        this.requiredHandlers = requiredHandlers;
    }

    @Override
    public int getOrder() {
        return order;
    }

    /** The filter's order among the {@code WebFilter}s (default {@link #DEFAULT_ORDER}). */
    public void setOrder(int order) {
        this.order = order;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String method = request.getMethod().name();
        if (!policy.appliesTo(method)) {
            return chain.filter(exchange);
        }
        String path = request.getURI().getRawPath();
        String key;
        try {
            key = policy.key(request.getHeaders().getOrEmpty(policy.getHeaderName()));
        } catch (InvalidIdempotencyKeyException e) {
            return answer(exchange, answers.invalidKey(e), null);
        }
        if (key == null) {
            boolean requiredPath = policy.isRequiredPath(
                    request.getPath().pathWithinApplication().value());
            Mono<Boolean> required = requiredPath || requiredHandlers == null
                    ? Mono.just(requiredPath)
                    : requiredHandlers.isKeyRequired(exchange);
            return required.flatMap(
                    yes -> yes ? answer(exchange, answers.missingKey(method, path), null) : chain.filter(exchange));
        }
        if (request.getHeaders().getContentLength() > policy.getMaxRequestSize()) {
            return answer(exchange, answers.tooLarge(), key);
        }
        return prepare(exchange)
                .flatMap(prepared -> scope.scopeOf(exchange)
                        .defaultIfEmpty("")
                        .flatMap(scopeValue -> run(exchange, chain, key, scopeValue, prepared)))
                .onErrorResume(DataBufferLimitException.class, e -> answer(exchange, answers.tooLarge(), key));
    }

    /**
     * The SHA-256 of the body, and the body when it was read here (for the application to read again). Form
     * and multipart bodies are parsed by WebFlux (its codecs' limits apply, as the container's do for the
     * servlet filter) and hashed as the servlet filter hashes them: a form by its parameters, query included; a
     * multipart body part by part. The exchange keeps what it parsed for the application.
     */
    private Mono<Prepared> prepare(ServerWebExchange exchange) {
        MediaType contentType = exchange.getRequest().getHeaders().getContentType();
        if (contentType != null && MediaType.APPLICATION_FORM_URLENCODED.isCompatibleWith(contentType)) {
            return exchange.getFormData().map(form -> {
                Map<String, List<String>> parameters = new LinkedHashMap<>();
                exchange.getRequest()
                        .getQueryParams()
                        .forEach((name, values) -> parameters
                                .computeIfAbsent(name, n -> new ArrayList<>())
                                .addAll(values));
                form.forEach((name, values) ->
                        parameters.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values));
                Map<String, String[]> asArrays = new TreeMap<>();
                parameters.forEach((name, values) -> asArrays.put(name, values.toArray(String[]::new)));
                return new Prepared(BodyHashes.ofParameters(asArrays), null);
            });
        }
        if (contentType != null && MediaType.MULTIPART_FORM_DATA.isCompatibleWith(contentType)) {
            return exchange.getMultipartData().flatMap(multipart -> {
                BodyHashes.Parts parts = new BodyHashes.Parts();
                return Flux.fromIterable(multipart.values())
                        .concatMapIterable(list -> list)
                        .concatMap(part -> bytes(part.content())
                                .defaultIfEmpty(new byte[0])
                                .doOnNext(content -> {
                                    parts.part(
                                            part.name(),
                                            part instanceof FilePart file ? file.filename() : null,
                                            part.headers().getFirst(HttpHeaders.CONTENT_TYPE),
                                            content.length);
                                    parts.content(content, 0, content.length);
                                }))
                        .then(Mono.fromSupplier(() -> new Prepared(parts.hex(), null)));
            });
        }
        return bytes(exchange.getRequest().getBody())
                .defaultIfEmpty(new byte[0])
                .map(body -> new Prepared(BodyHashes.of(body), body));
    }

    /** What {@link #prepare} found: the body's hash, and its bytes when they were read here ({@code null} if not). */
    private record Prepared(String bodyHash, byte @Nullable [] body) {}

    /** The whole of {@code content} (empty when there is none), at most {@code max-request-size}. */
    private Mono<byte[]> bytes(Publisher<? extends DataBuffer> content) {
        int limit = (int) Math.min(Integer.MAX_VALUE - 8, policy.getMaxRequestSize());
        return DataBufferUtils.join(content, limit).map(buffer -> {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            DataBufferUtils.release(buffer);
            return bytes;
        });
    }

    private Mono<Void> run(
            ServerWebExchange exchange, WebFilterChain chain, String key, String scopeValue, Prepared prepared) {
        ServerHttpRequest request = exchange.getRequest();
        String method = request.getMethod().name();
        String path = request.getURI().getRawPath();
        String where = method + " " + path;
        IdempotencyRequest idempotencyRequest = policy.request(
                store.blocking(),
                scopeValue,
                key,
                method,
                path,
                request.getURI().getRawQuery(),
                prepared.bodyHash(),
                codec);
        ServerHttpResponse response = exchange.getResponse();
        Map<String, List<String>> before = snapshot(response.getHeaders());
        CapturingResponse capturing = new CapturingResponse(response);
        ServerWebExchange.Builder mutated = exchange.mutate().response(capturing);
        if (prepared.body() != null) {
            mutated.request(new CachedBodyRequest(request, prepared.body(), response.bufferFactory()));
        }
        ServerWebExchange decorated = mutated.build();
        return engine.execute(
                        idempotencyRequest,
                        store,
                        () -> chain.filter(decorated)
                                .onErrorMap(DownstreamFailure::new)
                                .then(Mono.fromCallable(() -> captured(decorated, capturing, before))))
                .flatMap(result -> settled(exchange, capturing, result, where, key))
                .onErrorResume(ResponseNotStored.class, notStored -> {
                    answers.decided(Outcome.NOT_STORED, where, key, notStored.getMessage());
                    return capturing.deliver();
                })
                .onErrorResume(IdempotencyException.class, e -> answer(exchange, answers.failed(e, key, where), key))
                .onErrorMap(DownstreamFailure.class, failure -> {
                    answers.decided(Outcome.NOT_STORED, where, key, "the application signalled " + failure.getCause());
                    return failure.getCause();
                });
    }

    private Mono<Void> settled(
            ServerWebExchange exchange,
            CapturingResponse capturing,
            IdempotentResult<Object> result,
            String where,
            String key) {
        switch (result.outcome()) {
            case REPLAYED -> {
                answers.decided(Outcome.REPLAYED, where, key, null);
                return replay(exchange.getResponse(), CapturedResponse.replayed(result));
            }
            case UNPROTECTED -> answers.decided(Outcome.UNPROTECTED, where, key, null);
            default -> answers.decided(Outcome.EXECUTED, where, key, null);
        }
        return capturing.deliver();
    }

    /** The response the application produced, for storing, or {@link ResponseNotStored}. */
    private CapturedResponse captured(
            ServerWebExchange exchange, CapturingResponse response, Map<String, List<String>> before) {
        if (response.streamed) {
            throw new ResponseNotStored("the response is streamed");
        }
        if (response.body.length > policy.maxResponseBytes()) {
            throw new ResponseNotStored(policy.responseTooLarge());
        }
        Object handled = exchange.getAttribute(HANDLED_EXCEPTION_ATTRIBUTE);
        if (handled instanceof IdempotencyException idempotency) {
            throw new ResponseNotStored("the response answers "
                    + idempotency.getClass().getSimpleName() + ", a transient state, not the request");
        }
        HttpStatusCode status = response.getStatusCode();
        int code = status == null ? 200 : status.value();
        HttpHeaders headers = response.getHeaders();
        MediaType contentType = headers.getContentType();
        Map<String, List<String>> all = new LinkedHashMap<>();
        headers.forEach(all::putIfAbsent);
        CapturedResponse captured = CapturedResponse.of(
                code, contentType == null ? null : contentType.toString(), all, before, response.body);
        String notStored = policy.whyNotStored(code);
        if (notStored != null) {
            throw new ResponseNotStored(notStored);
        }
        return captured;
    }

    private static Map<String, List<String>> snapshot(HttpHeaders headers) {
        Map<String, List<String>> snapshot = new TreeMap<>();
        headers.forEach((name, values) -> snapshot.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        return snapshot;
    }

    /**
     * Sends a stored response. Headers are filtered again here, not only when captured: a record written by
     * another writer, an older version or a tampered store never replays a cookie or a credential.
     */
    private static Mono<Void> replay(ServerHttpResponse response, CapturedResponse stored) {
        response.setStatusCode(HttpStatusCode.valueOf(stored.status()));
        HttpHeaders headers = response.getHeaders();
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (CapturedResponse.Header header : stored.headers()) {
            if (!IdempotencyKeyPolicy.isStorableHeader(header.name())) {
                continue;
            }
            if (set.add(header.name())) {
                headers.set(header.name(), header.value());
            } else {
                headers.add(header.name(), header.value());
            }
        }
        headers.set(IdempotencyKeyPolicy.REPLAYED_HEADER, "true");
        return ReactiveProblemResponses.write(response, stored.body());
    }

    private Mono<Void> answer(ServerWebExchange exchange, Answer answer, @Nullable String key) {
        ServerHttpRequest request = exchange.getRequest();
        answers.decided(
                answer.outcome(),
                request.getMethod().name() + " " + request.getURI().getRawPath(),
                key,
                answer.detail());
        return problems.send(
                exchange, answer.status(), answer.detail(), answer.retryAfter() ? policy.retryAfterSeconds() : null);
    }

    /**
     * What the application signalled, carried through the engine (which releases the key) and signalled on as
     * it was, so that an {@link IdempotencyException} of the application (an inner {@code @Idempotent} method in
     * flight) is never taken for the filter's own.
     */
    private static final class DownstreamFailure extends RuntimeException {

        DownstreamFailure(Throwable failure) {
            super(failure.toString(), failure, false, false);
        }
    }

    /** A request whose body has been read already; reading it again gives the same bytes. */
    private static final class CachedBodyRequest extends ServerHttpRequestDecorator {

        private final byte[] body;

        private final DataBufferFactory buffers;

        CachedBodyRequest(ServerHttpRequest request, byte[] body, DataBufferFactory buffers) {
            super(request);
            this.body = body;
            this.buffers = buffers;
        }

        @Override
        public Flux<DataBuffer> getBody() {
            return body.length == 0 ? Flux.empty() : Flux.defer(() -> Flux.just(buffers.wrap(body)));
        }
    }

    /**
     * Holds back the body the application writes, so that the response is stored before it is sent; status and
     * headers go to the real response as usual. A streamed body ({@code writeAndFlushWith}) passes through.
     */
    private static final class CapturingResponse extends ServerHttpResponseDecorator {

        private byte[] body = new byte[0];

        private boolean streamed;

        CapturingResponse(ServerHttpResponse response) {
            super(response);
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            return DataBufferUtils.join(body)
                    .doOnNext(buffer -> {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        DataBufferUtils.release(buffer);
                        this.body = bytes;
                    })
                    .then();
        }

        @Override
        public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
            streamed = true;
            return getDelegate().writeAndFlushWith(body);
        }

        @Override
        public Mono<Void> setComplete() {
            return Mono.empty();
        }

        /** Sends what the application produced (nothing to do for a streamed response). */
        Mono<Void> deliver() {
            if (streamed) {
                return Mono.empty();
            }
            return ReactiveProblemResponses.write(getDelegate(), body);
        }
    }
}
