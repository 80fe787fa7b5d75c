package dev.idempotent.faults;

import com.zaxxer.hikari.HikariDataSource;
import dev.idempotent.store.IdempotencyStore;

/** The fault suite on PostgreSQL, through a {@link FaultProxy}. */
class PostgresFaultTests extends AbstractStoreFaultTests {

    private HikariDataSource dataSource;

    @Override
    protected String serverHost() {
        return FaultTestStores.POSTGRES_HOST;
    }

    @Override
    protected int serverPort() {
        return FaultTestStores.POSTGRES_PORT;
    }

    @Override
    protected IdempotencyStore createStore(int port) {
        dataSource = FaultTestStores.postgres(port, "idempotency-faults");
        return FaultTestStores.jdbc(dataSource);
    }

    @Override
    protected void closeStore(IdempotencyStore store) {
        dataSource.close();
    }
}
