package dev.idempotent.faults;

import com.zaxxer.hikari.HikariDataSource;
import dev.idempotent.store.IdempotencyStore;

/** The fault suite on MariaDB, through a {@link FaultProxy}. */
class MariaDbFaultTests extends AbstractStoreFaultTests {

    private HikariDataSource dataSource;

    @Override
    protected String serverHost() {
        return FaultTestStores.MARIADB_HOST;
    }

    @Override
    protected int serverPort() {
        return FaultTestStores.MARIADB_PORT;
    }

    @Override
    protected IdempotencyStore createStore(int port) {
        dataSource = FaultTestStores.mariadb(port);
        return FaultTestStores.jdbc(dataSource);
    }

    @Override
    protected void closeStore(IdempotencyStore store) {
        dataSource.close();
    }
}
