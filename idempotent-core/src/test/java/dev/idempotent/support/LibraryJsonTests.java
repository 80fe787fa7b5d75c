package dev.idempotent.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import tools.jackson.core.util.BufferRecycler;
import tools.jackson.core.util.RecyclerPool;

class LibraryJsonTests {

    @Test
    void recyclesJacksonBuffersPerThread() throws Exception {
        RecyclerPool<BufferRecycler> pool =
                LibraryJson.newMapper().tokenStreamFactory()._getRecyclerPool();

        BufferRecycler mine = pool.acquireAndLinkPooled();
        pool.releasePooled(mine);
        BufferRecycler again = pool.acquireAndLinkPooled();
        pool.releasePooled(again);
        BufferRecycler otherThread = CompletableFuture.supplyAsync(() -> {
                    BufferRecycler other = pool.acquireAndLinkPooled();
                    pool.releasePooled(other);
                    return other;
                })
                .get();

        assertThat(again).isSameAs(mine);
        assertThat(otherThread).isNotSameAs(mine);
    }

    @Test
    void writesAndReadsJavaTime() {
        var mapper = LibraryJson.newMapper();
        Instant instant = Instant.parse("2026-11-30T20:00:00.123456789Z");

        assertThat(mapper.readValue(mapper.writeValueAsString(instant), Instant.class))
                .isEqualTo(instant);
    }
}
