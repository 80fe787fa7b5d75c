package dev.idempotent.autoconfigure;

import dev.idempotent.Idempotent;
import dev.idempotent.OnInFlight;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** A small application whose beans exercise every semantic of {@code @Idempotent}. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({
    AspectTestApplication.Orders.class,
    AspectTestApplication.Payments.class,
    AspectTestApplication.Jobs.class,
    AspectTestApplication.Ledger.class,
    AspectTestApplication.Outer.class,
    AspectTestApplication.Inner.class
})
class AspectTestApplication {

    @Bean
    @Primary
    FaultyStore idempotencyStore() {
        return new FaultyStore(new CaffeineIdempotencyStore());
    }

    @Bean
    IdempotencyStore archiveStore() {
        return new CaffeineIdempotencyStore();
    }

    @Bean
    KeyPrefix keyPrefix() {
        return new KeyPrefix("tenant-7");
    }

    record KeyPrefix(String value) {}

    record Order(String id, String item, int quantity) {}

    record Receipt(String orderId, int number) {}

    /** A classic mutable bean. */
    public static class Invoice {
        private String number;
        private List<String> lines = new ArrayList<>();

        public Invoice() {}

        Invoice(String number, List<String> lines) {
            this.number = number;
            this.lines = lines;
        }

        public String getNumber() {
            return number;
        }

        public void setNumber(String number) {
            this.number = number;
        }

        public List<String> getLines() {
            return lines;
        }

        public void setLines(List<String> lines) {
            this.lines = lines;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Invoice i && java.util.Objects.equals(number, i.number) && lines.equals(i.lines);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(number, lines);
        }
    }

    public static class Declined extends RuntimeException {
        public Declined(String message) {
            super(message);
        }
    }

    @Component
    static class Orders {
        final AtomicInteger runs = new AtomicInteger();

        public int runs() {
            return runs.get();
        }

        @Idempotent(key = "#order.id")
        public Receipt place(Order order) {
            return new Receipt(order.id(), runs.incrementAndGet());
        }

        @Idempotent(key = "#order.id")
        public Receipt placeAndMutate(MutableOrder order) {
            order.id = order.id + "-changed";
            return new Receipt(order.id, runs.incrementAndGet());
        }

        @Idempotent(key = "#p0")
        public List<Order> list(String id) {
            runs.incrementAndGet();
            return List.of(new Order(id, "a", 1), new Order(id, "b", 2));
        }

        @Idempotent(key = "#a0")
        public Map<String, Order> map(String id) {
            runs.incrementAndGet();
            Map<String, Order> map = new LinkedHashMap<>();
            map.put("first", new Order(id, "a", 1));
            return map;
        }

        @Idempotent(key = "#id")
        public Optional<Order> optional(String id, boolean present) {
            runs.incrementAndGet();
            return present ? Optional.of(new Order(id, "o", 1)) : Optional.empty();
        }

        @Idempotent(key = "#id")
        public int primitive(String id) {
            return runs.incrementAndGet();
        }

        @Idempotent(key = "#id")
        public Long boxed(String id) {
            return (long) runs.incrementAndGet();
        }

        @Idempotent(key = "#id")
        public String text(String id) {
            return "run " + runs.incrementAndGet();
        }

        @Idempotent(key = "#id")
        public void sideEffect(String id) {
            runs.incrementAndGet();
        }

        @Idempotent(key = "#id")
        public Invoice invoice(String id) {
            runs.incrementAndGet();
            return new Invoice("INV-" + id, new ArrayList<>(List.of("line 1", "line 2")));
        }

        @Idempotent(key = "#id")
        public ResponseEntity<Order> entity(String id) {
            runs.incrementAndGet();
            return ResponseEntity.status(HttpStatus.CREATED)
                    .location(URI.create("/orders/" + id))
                    .header("X-Run", String.valueOf(runs.get()))
                    .body(new Order(id, "e", 1));
        }

        @Idempotent(key = "#id", fingerprint = "#id")
        public CompletableFuture<Receipt> async(String id, CompletableFuture<Void> gate) {
            int number = runs.incrementAndGet();
            return gate.thenApply(v -> new Receipt(id, number));
        }

        @Idempotent
        public int add(int a, int b) {
            runs.incrementAndGet();
            return a + b;
        }

        @Idempotent(key = "@keyPrefix.value() + ':' + #root.methodName + ':' + #id")
        public String withBean(String id) {
            return "run " + runs.incrementAndGet();
        }

        @Idempotent(key = "#id", store = "archiveStore")
        public String archived(String id) {
            return "run " + runs.incrementAndGet();
        }

        @Idempotent(key = "#id", ttl = "${test.short-ttl:1s}")
        public String shortLived(String id) {
            return "run " + runs.incrementAndGet();
        }

        @Idempotent(key = "#id", name = "shared")
        public String sharedA(String id) {
            return "A" + runs.incrementAndGet();
        }

        @Idempotent(key = "#id", name = "shared")
        public String sharedB(String id) {
            return "B" + runs.incrementAndGet();
        }

        @Idempotent(key = "#id")
        public String failing(String id) {
            runs.incrementAndGet();
            throw new IllegalStateException("boom " + runs.get());
        }
    }

    static class MutableOrder {
        String id;

        public MutableOrder() {}

        MutableOrder(String id) {
            this.id = id;
        }

        public String getId() {
            return id;
        }

        public void setId(String id) {
            this.id = id;
        }
    }

    @Component
    static class Payments {
        final AtomicInteger runs = new AtomicInteger();

        public int runs() {
            return runs.get();
        }

        @Idempotent(key = "#paymentId", storeExceptions = Declined.class)
        public String charge(String paymentId, long cents) {
            runs.incrementAndGet();
            if (cents > 1000) {
                throw new Declined("declined " + paymentId);
            }
            return "charged " + paymentId;
        }
    }

    /** Slow operations for in-flight behaviour; each waits for its latch (or a timeout). */
    @Component
    static class Jobs {
        final Map<String, AtomicInteger> attempts = new java.util.concurrent.ConcurrentHashMap<>();

        final AtomicInteger runs = new AtomicInteger();

        public int runs() {
            return runs.get();
        }

        @Idempotent(key = "#id", fingerprint = "#id", onInFlight = OnInFlight.REJECT, lease = "300ms")
        public String reject(String id, CountDownLatch release) throws InterruptedException {
            runs.incrementAndGet();
            release.await(20, TimeUnit.SECONDS);
            return "done " + id;
        }

        @Idempotent(key = "#id", onInFlight = OnInFlight.WAIT, waitTimeout = "20s")
        public String await(String id, long sleepMillis) throws InterruptedException {
            int run = runs.incrementAndGet();
            Thread.sleep(sleepMillis);
            return "run " + run + " of " + id;
        }

        @Idempotent(key = "#id", fingerprint = "#id", onInFlight = OnInFlight.WAIT, waitTimeout = "300ms")
        public String awaitBriefly(String id, CountDownLatch release) throws InterruptedException {
            runs.incrementAndGet();
            release.await(20, TimeUnit.SECONDS);
            return "done " + id;
        }

        @Idempotent(key = "#id", fingerprint = "#id", onInFlight = OnInFlight.SKIP)
        public void nightly(String id, CountDownLatch release) throws InterruptedException {
            runs.incrementAndGet();
            release.await(20, TimeUnit.SECONDS);
        }

        @Idempotent(key = "#id", fingerprint = "#id", onInFlight = OnInFlight.WAIT, waitTimeout = "20s")
        public String awaitFailing(String id, CountDownLatch release) throws InterruptedException {
            int run = attempts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            runs.incrementAndGet();
            release.await(20, TimeUnit.SECONDS);
            if (run == 1) {
                throw new IllegalStateException("first run fails");
            }
            return "run " + run;
        }
    }

    /** Transactional work on H2, to check the aspect runs outside the transaction. */
    @Component
    static class Ledger {
        final JdbcTemplate jdbc;
        final IdempotencyStore store;
        final AtomicInteger runs = new AtomicInteger();

        public int runs() {
            return runs.get();
        }

        volatile String statusAtCommit;

        public String statusAtCommit() {
            return statusAtCommit;
        }

        Ledger(JdbcTemplate jdbc, IdempotencyStore store) {
            this.jdbc = jdbc;
            this.store = store;
            jdbc.execute("create table if not exists ledger (id varchar(100) primary key)");
        }

        @Transactional
        @Idempotent(key = "#id")
        public String book(String id, boolean fail) {
            runs.incrementAndGet();
            jdbc.update("insert into ledger (id) values (?)", id + "-" + runs.get());
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    statusAtCommit = store.find("Ledger.book:" + id)
                            .map(r -> r.status().name())
                            .orElse("none");
                }
            });
            if (fail) {
                throw new IllegalStateException("rolled back");
            }
            return "booked " + id;
        }

        public int rows(String id) {
            return jdbc.queryForObject("select count(*) from ledger where id like ?", Integer.class, id + "-%");
        }
    }

    @Component
    static class Outer {
        final Inner inner;
        final AtomicInteger runs = new AtomicInteger();

        public int runs() {
            return runs.get();
        }

        Outer(Inner inner) {
            this.inner = inner;
        }

        @Idempotent(key = "#id")
        public String process(String id) {
            runs.incrementAndGet();
            return "outer(" + inner.step(id) + "," + inner.step(id) + ")";
        }
    }

    @Component
    static class Inner {
        final AtomicInteger runs = new AtomicInteger();

        public int runs() {
            return runs.get();
        }

        @Idempotent(key = "#id")
        public String step(String id) {
            return "inner " + runs.incrementAndGet();
        }
    }
}
