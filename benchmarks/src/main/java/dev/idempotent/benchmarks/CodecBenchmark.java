package dev.idempotent.benchmarks;

import dev.idempotent.support.JsonResultCodec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.core.ParameterizedTypeReference;
import tools.jackson.databind.JavaType;

/**
 * What does storing a result cost? {@link JsonResultCodec} writes the result as JSON in a versioned envelope
 * and reads it back with the method's generic type; the baselines build the same object. Two shapes: one
 * {@link Receipt} and a {@code List} of {@value Workload#LIST_SIZE}. Round trips include building the value,
 * so {@code roundTrip / build} is the factor by which storing and replaying a result exceeds producing it.
 * For reference, plain Jackson ({@code writeValueAsBytes} and {@code readValue} of the same type, no
 * envelope) on the same values, and decoding alone.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class CodecBenchmark {

    private JsonResultCodec one;

    private JsonResultCodec list;

    private JavaType oneType;

    private JavaType listType;

    private byte[] listPayload;

    private long counter;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        one = Requests.codec(Receipt.class);
        ParameterizedTypeReference<List<Receipt>> receipts = new ParameterizedTypeReference<>() {};
        list = Requests.codec(receipts.getType());
        oneType = Requests.MAPPER.constructType(Receipt.class);
        listType = Requests.MAPPER.constructType(receipts.getType());
        List<Receipt> value = Workload.receipts(1, Workload.LIST_SIZE);
        listPayload = list.encodeValue(value);
        if (!value.equals(list.decode(listPayload))) {
            throw new IllegalStateException("The list does not survive a round trip through the codec");
        }
    }

    @Benchmark
    public Receipt buildOne() {
        return Workload.receipt(++counter);
    }

    @Benchmark
    public @Nullable Object roundTripOne() throws Throwable {
        return one.decode(one.encodeValue(Workload.receipt(++counter)));
    }

    @Benchmark
    public Object jacksonRoundTripOne() {
        return Requests.MAPPER.readValue(Requests.MAPPER.writeValueAsBytes(Workload.receipt(++counter)), oneType);
    }

    @Benchmark
    public List<Receipt> buildList() {
        return Workload.receipts(++counter, Workload.LIST_SIZE);
    }

    @Benchmark
    public @Nullable Object roundTripList() throws Throwable {
        return list.decode(list.encodeValue(Workload.receipts(++counter, Workload.LIST_SIZE)));
    }

    @Benchmark
    public Object jacksonRoundTripList() {
        return Requests.MAPPER.readValue(
                Requests.MAPPER.writeValueAsBytes(Workload.receipts(++counter, Workload.LIST_SIZE)), listType);
    }

    @Benchmark
    public @Nullable Object decodeList() throws Throwable {
        return list.decode(listPayload);
    }
}
