package dev.idempotent.demo;

import dev.idempotent.Idempotent;
import dev.idempotent.OnInFlight;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A scheduled job that must run once per day however many nodes run it and however often the scheduler
 * fires: the key names the day, so every node that fires on the same day shares it.
 */
@Component
public class NightlySync {

    private static final Log logger = LogFactory.getLog(NightlySync.class);

    private final AtomicLong runs = new AtomicLong();

    @Scheduled(fixedDelayString = "${demo.sync.interval:1m}", initialDelayString = "${demo.sync.initial-delay:5s}")
    @Idempotent(key = "'nightly-sync:' + T(java.time.LocalDate).now()", ttl = "36h", onInFlight = OnInFlight.SKIP)
    public void sync() {
        logger.info("Nightly sync running (run " + runs.incrementAndGet()
                + " in this JVM); later firings today are skipped");
    }

    /** How many times the sync really ran in this JVM. */
    public long runs() {
        return runs.get();
    }
}
