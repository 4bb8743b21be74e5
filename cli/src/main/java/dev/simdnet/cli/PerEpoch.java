package dev.simdnet.cli;

import dev.simdnet.core.EpochListener;
import dev.simdnet.core.EpochStats;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * An {@link EpochListener} that passes everything on and notes, at each epoch's end, how much a
 * running total of the JVM's grew since the previous epoch's end (or since it was made), for the
 * report: the epoch's training, its test evaluation and its progress lines all count. Where the
 * JVM keeps no such total, it notes nothing.
 */
final class PerEpoch implements EpochListener {

    private final EpochListener inner;
    /** Null where the JVM keeps no such total. */
    private final LongSupplier total;
    private long last;
    private final List<Long> perEpoch = new ArrayList<>();

    private PerEpoch(EpochListener inner, LongSupplier total) {
        this.inner = inner;
        this.total = total;
        this.last = total == null ? 0 : total.getAsLong();
    }

    /**
     * The JIT compilation the JVM finished, in ms (the time all compiler threads spent). It shows
     * why the first epochs are slower: until C2 has compiled the kernels and the trainer, they run
     * slower, and on a machine with as many cores as training threads the compiler takes one.
     */
    static PerEpoch compileMillis(EpochListener inner) {
        CompilationMXBean bean = ManagementFactory.getCompilationMXBean();
        boolean counted = bean != null && bean.isCompilationTimeMonitoringSupported();
        return new PerEpoch(inner, counted ? bean::getTotalCompilationTime : null);
    }

    /**
     * The bytes the JVM's threads allocated. A training step allocates nothing, so once C2 has
     * compiled the kernels an epoch's figure is a few KB of output; megabytes mean some kernel runs
     * with its vectors on the heap, interpreted or compiled without the Vector API's intrinsics,
     * which is also many times slower (BENCHMARKS.md, session 14: a gather left that way cost
     * about 1 GB/s).
     */
    static PerEpoch allocatedBytes(EpochListener inner) {
        return new PerEpoch(inner, allocatedSoFar() >= 0 ? PerEpoch::allocatedSoFar : null);
    }

    /**
     * Bytes allocated so far by the JVM's live threads, from HotSpot's per-thread counts
     * ({@code com.sun.management.ThreadMXBean}), or -1 where the JVM does not count them. A thread
     * that has ended takes its count with it (the trainer's workers live as long as the trainer);
     * a thread's count includes what this call allocates (a few hundred bytes).
     */
    static long allocatedSoFar() {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        if (!(bean instanceof com.sun.management.ThreadMXBean hotspot)
                || !hotspot.isThreadAllocatedMemorySupported() || !hotspot.isThreadAllocatedMemoryEnabled()) {
            return -1;
        }
        long sum = 0;
        for (long bytes : hotspot.getThreadAllocatedBytes(bean.getAllThreadIds())) {
            if (bytes > 0) { // -1 for a thread that ended between the two calls
                sum += bytes;
            }
        }
        return sum;
    }

    @Override
    public void minibatchDone(int epoch, int examplesDone, int examplesTotal, double meanCostSoFar) {
        inner.minibatchDone(epoch, examplesDone, examplesTotal, meanCostSoFar);
    }

    @Override
    public void epochDone(EpochStats stats) {
        if (total != null) {
            long now = total.getAsLong();
            // Never below 0: a thread that ended since the last reading takes its count with it.
            perEpoch.add(Math.max(0, now - last));
            last = now;
        }
        inner.epochDone(stats);
    }

    /** Epoch i's figure (0 for the first), or null where the JVM keeps no such total. */
    Long at(int i) {
        return i < perEpoch.size() ? perEpoch.get(i) : null;
    }
}
