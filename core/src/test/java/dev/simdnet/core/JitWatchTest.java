package dev.simdnet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The trainer's reading of the JIT's activity, on a made-up clock and compilation counter. */
class JitWatchTest {

    private static final long MS = 1_000_000;
    private static final long W = Trainer.JitWatch.WINDOW_NANOS;

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
    void busyForTheWindowAfterOneWithEnoughCompilation() {
        long t0 = -5_000 * MS; // nanoTime may be negative
        Trainer.JitWatch w = new Trainer.JitWatch(t0);
        compiled = 700;
        assertFalse(busy(w, t0), "the first reading is only a baseline");
        compiled += Trainer.JitWatch.BUSY_MS - 1;
        assertFalse(busy(w, t0 + W - 1), "the window has not ended");
        assertFalse(busy(w, t0 + W), "under the limit");
        compiled += 5;
        assertFalse(busy(w, t0 + W + W / 2));
        compiled += Trainer.JitWatch.BUSY_MS - 5; // the window's compilations add up to the limit
        assertTrue(busy(w, t0 + 2 * W));
        assertTrue(busy(w, t0 + 3 * W - 1), "busy until the next window ends");
        assertFalse(busy(w, t0 + 3 * W), "a quiet window");
        compiled += 200;
        assertTrue(busy(w, t0 + 4 * W));
        assertFalse(busy(w, t0 + 6 * W), "a quiet window, however long");
    }

    @Test
    void theCounterIsReadOnceAWindow() {
        Trainer.JitWatch w = new Trainer.JitWatch(0);
        for (long t = 0; t < 10 * W; t += MS) {
            busy(w, t);
        }
        assertEquals(10, reads);
    }
}
