package dev.simdnet.cli;

import dev.simdnet.core.EpochListener;
import dev.simdnet.core.EpochStats;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link EpochListener} that passes everything on and notes, at each epoch's end, how many
 * bytes the JVM's threads allocated since the previous one (or since it was made): the epoch's
 * training, its test evaluation and the progress lines. For the report, where it shows whether a
 * run's steady state is what it should be. A training step allocates nothing, so once C2 has
 * compiled the kernels an epoch's figure is a few KB of output; megabytes mean some kernel runs
 * with its vectors on the heap, interpreted or compiled without the Vector API's intrinsics,
 * which is also tens of times slower (BENCHMARKS.md, session 14: a gather left that way cost
 * about 1 GB/s).
 *
 * <p>It reads HotSpot's per-thread counts ({@code com.sun.management.ThreadMXBean}) of the
 * threads alive at each reading; the trainer's workers live as long as the trainer. Where the JVM
 * does not count, it notes nothing.
 */
final class Allocations implements EpochListener {

    private final EpochListener inner;
    private final long start;
    private long last;
    private final List<Long> perEpoch = new ArrayList<>();

    Allocations(EpochListener inner) {
        this.inner = inner;
        this.start = total();
        this.last = start;
    }

    /**
     * Bytes allocated so far by the JVM's live threads, or -1 where the JVM does not count them.
     * A thread's own count includes what this call allocates (a few hundred bytes).
     */
    static long total() {
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
        if (start >= 0) {
            long now = total();
            // Never below 0: a thread that ended since the last reading takes its count with it.
            perEpoch.add(Math.max(0, now - last));
            last = now;
        }
        inner.epochDone(stats);
    }

    /** Epoch i's allocated bytes, or null where the JVM does not count them. */
    Long bytes(int i) {
        return i < perEpoch.size() ? perEpoch.get(i) : null;
    }
}
