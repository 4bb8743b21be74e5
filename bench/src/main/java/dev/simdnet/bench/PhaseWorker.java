package dev.simdnet.bench;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The second thread of the two-thread probes ({@link ThreadScaling}, {@link W1Split}): for each
 * phase the caller opens (1, 2, ...), it runs {@code work} with the phase's number while the
 * caller runs its own half, and the caller then spins until it is done. Nothing else crosses
 * between the two, so the probes time the work and one handover each way, as an ideal split would.
 */
final class PhaseWorker implements AutoCloseable {

    private final AtomicInteger phase = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private int opened;

    PhaseWorker(String name, IntConsumer work) {
        Thread t = new Thread(() -> {
            for (int ph = 1; ; ph++) {
                int p;
                while ((p = phase.get()) < ph && p >= 0) {
                    Thread.onSpinWait();
                }
                if (p < 0) {
                    return;
                }
                work.accept(ph);
                done.incrementAndGet();
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    /** Opens the next phase to the worker; returns its number. */
    int open() {
        phase.set(++opened);
        return opened;
    }

    /** Spins until the worker has finished the last phase opened. */
    void await() {
        while (done.get() < opened) {
            Thread.onSpinWait();
        }
    }

    /** Lets the worker end. */
    @Override
    public void close() {
        phase.set(Integer.MIN_VALUE);
    }
}
