package dev.idempotent.support;

import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON mapper the library makes for itself when the application does not give one: for fingerprints and
 * stored results. It has the Jackson modules found on the class path, no default typing, and a buffer pool per
 * thread. Jackson 3's default pool is one concurrent deque per factory; every fingerprint and every stored result
 * took a buffer from it and gave it back, so a replay on 8 threads did no better than on one (measured by
 * {@code CaffeineVsCacheableBenchmark.proxyReplay}). On virtual threads a pool per thread reuses nothing, which
 * costs what no pool costs.
 */
public final class LibraryJson {

    private LibraryJson() {}

    /** A new mapper: the modules on the class path, buffers recycled per thread. */
    public static JsonMapper newMapper() {
        JsonFactory factory = JsonFactory.builder()
                .recyclerPool(JsonRecyclerPools.threadLocalPool())
                .build();
        return JsonMapper.builder(factory).findAndAddModules().build();
    }
}
