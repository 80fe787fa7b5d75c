package dev.idempotent.benchmarks;

import dev.idempotent.IdempotentResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The JDBC store against the raw statements it cannot beat, through the same Hikari pool, throughput of all
 * threads together (run it with {@code -t 1} and {@code -t 8}):
 * <ul>
 * <li>baselines, plain JDBC on a table of a primary key and a payload ({@value BenchStores#RAW_TABLE}):
 * {@link #rawSelect}, a primary-key {@code SELECT} of an existing row, and {@link #rawInsert}, one auto-committed
 * {@code INSERT .. ON CONFLICT DO NOTHING} (MariaDB: {@code INSERT IGNORE}) of a new key;</li>
 * <li>a diagnostic baseline, {@link #rawSelectRecord}: a primary-key {@code SELECT *} of the store's own row of
 * the replayed key, which tells the cost of the wider row apart from the engine's and the store's own work;</li>
 * <li>ours, through the engine with a request as the aspect builds it: {@link #replay} (the same, completed
 * key: one read, then decode) and {@link #firstRun} (a new key: read, claim, run, encode, complete).</li>
 * </ul>
 * The payload of the raw rows is the stored result of a replay, so both sides move the same bytes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Benchmark)
public class JdbcVsRawBenchmark {

    @Param({BenchStores.POSTGRESQL, BenchStores.MARIADB})
    public String database;

    private BenchStores.Opened opened;

    private DataSource pool;

    private EngineOnStore ours;

    private byte[] payload;

    private String insertSql;

    private String selectSql;

    private String selectRecordSql;

    private String replayKey;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        opened = BenchStores.open(database);
        pool = opened.dataSource();
        ours = new EngineOnStore(opened.store(), database);
        payload = ours.storedPayload();
        boolean postgresql = BenchStores.POSTGRESQL.equals(database);
        new JdbcTemplate(pool)
                .execute("CREATE TABLE " + BenchStores.RAW_TABLE + " (k VARCHAR(255) PRIMARY KEY, v "
                        + (postgresql ? "BYTEA" : "BLOB") + " NOT NULL)");
        insertSql = postgresql
                ? "INSERT INTO " + BenchStores.RAW_TABLE + " (k, v) VALUES (?, ?) ON CONFLICT DO NOTHING"
                : "INSERT IGNORE INTO " + BenchStores.RAW_TABLE + " (k, v) VALUES (?, ?)";
        selectSql = "SELECT v FROM " + BenchStores.RAW_TABLE + " WHERE k = ?";
        selectRecordSql = "SELECT * FROM " + BenchStores.TABLE + " WHERE idempotency_key = ?";
        replayKey = ours.replayKey();
        if (rawSelectRecord() == 0) {
            throw new IllegalStateException("The store's row of the replayed key is not in " + BenchStores.TABLE);
        }
        if (insert(EngineOnStore.HIT) != 1 || select(EngineOnStore.HIT) == null) {
            throw new IllegalStateException("The raw baseline could not insert and read back its row on " + database);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (ours != null) {
            ours.close();
        }
        if (opened != null) {
            opened.close();
        }
    }

    private int insert(String key) throws SQLException {
        try (Connection connection = pool.getConnection();
                PreparedStatement statement = connection.prepareStatement(insertSql)) {
            statement.setString(1, key);
            statement.setBytes(2, payload);
            return statement.executeUpdate();
        }
    }

    private byte @Nullable [] select(String key) throws SQLException {
        try (Connection connection = pool.getConnection();
                PreparedStatement statement = connection.prepareStatement(selectSql)) {
            statement.setString(1, key);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getBytes(1) : null;
            }
        }
    }

    @Benchmark
    public byte @Nullable [] rawSelect() throws SQLException {
        return select(EngineOnStore.HIT);
    }

    @Benchmark
    public int rawSelectRecord() throws SQLException {
        try (Connection connection = pool.getConnection();
                PreparedStatement statement = connection.prepareStatement(selectRecordSql)) {
            statement.setString(1, replayKey);
            try (ResultSet rows = statement.executeQuery()) {
                int read = 0;
                while (rows.next()) {
                    for (int i = 1, n = rows.getMetaData().getColumnCount(); i <= n; i++) {
                        read += rows.getObject(i) == null ? 0 : 1;
                    }
                }
                return read;
            }
        }
    }

    @Benchmark
    public int rawInsert(FreshKeys keys) throws SQLException {
        return insert(keys.next());
    }

    @Benchmark
    public IdempotentResult<Object> replay() throws Throwable {
        return ours.replay();
    }

    @Benchmark
    public IdempotentResult<Object> firstRun(FreshKeys keys) throws Throwable {
        return ours.firstRun(keys.next());
    }
}
