package dev.idempotent.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import dev.idempotent.store.jdbc.JdbcIdempotencyStore;
import dev.idempotent.test.IdempotencyStoreContractTests;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** A wrapper that changes nothing is the store it wraps: the whole contract, and the store's own answers. */
class DelegatingIdempotencyStoreTests extends IdempotencyStoreContractTests {

    @Override
    protected IdempotencyStore createStore() {
        return new DelegatingIdempotencyStore(new CaffeineIdempotencyStore());
    }

    @Test
    void passesOnTheKeyLengthAndTheTransactionOfTheStoreItWraps() throws Throwable {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:delegating;DB_CLOSE_DELAY=-1");
        JdbcIdempotencyStore jdbc = new JdbcIdempotencyStore(dataSource);
        jdbc.setCompleteInTransaction(true);
        DelegatingIdempotencyStore wrapper = new DelegatingIdempotencyStore(jdbc);

        assertThat(wrapper.getDelegate()).isSameAs(jdbc);
        assertThat(wrapper.maxKeyLength()).isEqualTo(jdbc.maxKeyLength());
        assertThat(wrapper.completesInTransaction()).isTrue();
        assertThat(wrapper.runInTransaction(() -> "done")).isEqualTo("done");
        assertThat(wrapper.claimIsARead()).isFalse();
        assertThat(wrapper.blocksCallingThread()).isTrue();
        assertThat(new DelegatingIdempotencyStore(new CaffeineIdempotencyStore()).blocksCallingThread())
                .isFalse();
        IdempotencyStore claimsAsReads = new DelegatingIdempotencyStore(new CaffeineIdempotencyStore()) {
            @Override
            public boolean claimIsARead() {
                return true;
            }
        };
        assertThat(new DelegatingIdempotencyStore(claimsAsReads).claimIsARead()).isTrue();
    }
}
