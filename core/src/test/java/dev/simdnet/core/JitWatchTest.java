package dev.simdnet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The trainer's reading of the JIT's activity, on a made-up clock and compilation counter. */
class JitWatchTest {

    private static final long MS = 1_000_000;

    /** The counter as the watch reads it, and how many times it was read. */
    private long compiled;
    private int reads;

    private boolean busy(Trainer.JitWatch w, long now) {
        return w.busy(now, () -> {
            reads++;
            return compiled;
        });
    }

    @Test
    void aBigCompilationMakesItBusyForTheQuietTimeAndSmallOnesDoNot() {
        long t0 = -5_000 * MS; // nanoTime may be negative
        Trainer.JitWatch w = new Trainer.JitWatch(t0);
        compiled = 700;
        assertFalse(busy(w, t0), "the first reading is only a baseline");
        compiled += 19; // C1-sized: under BIG_MS
        assertFalse(busy(w, t0 + 2 * MS));
        compiled += 20; // a C2 compilation of 20 ms finished
        assertTrue(busy(w, t0 + 4 * MS));
        assertTrue(busy(w, t0 + 4 * MS + Trainer.JitWatch.QUIET_NANOS - 1));
        assertFalse(busy(w, t0 + 4 * MS + Trainer.JitWatch.QUIET_NANOS));
        // Small ones in a row, each under the limit, never add up to busy.
        for (int i = 1; i <= 50; i++) {
            compiled += 2;
            assertFalse(busy(w, t0 + 300 * MS + i * 2 * MS), "small compilation " + i);
        }
    }

    @Test
    void theCounterIsReadAtMostOnceAMillisecond() {
        Trainer.JitWatch w = new Trainer.JitWatch(0);
        for (long t = 0; t < 10 * MS; t += MS / 10) {
            busy(w, t);
        }
        assertEquals(10, reads);
        // A jump between two readings is seen at the next one, not before.
        compiled += 100;
        assertFalse(busy(w, 10 * MS - 1));
        assertTrue(busy(w, 10 * MS));
    }
}
