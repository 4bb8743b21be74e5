package dev.simdnet.cli;

import dev.simdnet.core.EpochListener;
import dev.simdnet.core.EpochStats;
import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    /**
     * The first epoch whose allocation can bring a warning, and the fewest training steps a run
     * must have taken by its end: before, the JIT may still be compiling kernels, which run with
     * their vectors on the heap until it has. The bundled sample's epochs are short (80 steps): a
     * run on two threads allocated 14.9 MB in its third epoch and a few KB from the fourth on, and
     * in 2 of 12 runs on one thread (JDK 25) C2 had still not compiled some kernels when the tenth
     * epoch ended (-XX:+PrintCompilation), which then allocated 14 MB an epoch.
     */
    static final int QUIET_FROM_EPOCH = 5;
    static final long QUIET_FROM_STEP = 2000;
    /** Bytes an example above which an epoch's allocation counts as vectors on the heap. */
    static final long HEAP_BYTES_PER_EXAMPLE = 100;
    /** Nor an epoch's allocation of this many bytes or fewer, whatever the number of examples. */
    static final long HEAP_BYTES_FLOOR = 1 << 20;

    /**
     * A warning for a run whose last epoch ({@code epochs}, of {@code examples} training examples
     * in {@code stepsPerEpoch} steps) allocated {@code lastEpochBytes}, or null. Once the kernels
     * are compiled an epoch allocates a few KB, for the progress lines and the test evaluation; an
     * epoch from the {@link #QUIET_FROM_EPOCH}th and the {@link #QUIET_FROM_STEP}th step on that
     * allocates more than {@link #HEAP_BYTES_PER_EXAMPLE} bytes an example (and more than
     * {@link #HEAP_BYTES_FLOOR}) ran some kernel with its vectors on the heap: the JIT compiled it
     * without the Vector API's intrinsics, or has still not compiled it, and the run is slower than
     * it can be. Seen at 25.8 MB and 1.32 GB an epoch on Fashion-MNIST (JDK 17), in some runs and
     * not in the next ones (BENCHMARKS.md, session 15).
     */
    static String heapWarning(int epochs, long stepsPerEpoch, Long lastEpochBytes, int examples) {
        if (epochs < QUIET_FROM_EPOCH || epochs * stepsPerEpoch < QUIET_FROM_STEP || lastEpochBytes == null
                || lastEpochBytes <= Math.max(HEAP_BYTES_FLOOR, HEAP_BYTES_PER_EXAMPLE * examples)) {
            return null;
        }
        return String.format(Locale.ROOT, "warning: epoch %d allocated %.1f MB (%,d bytes an example), where"
                + " training allocates a few KB an epoch once the kernels are compiled: some kernel ran with its"
                + " vectors on the heap, compiled by the JIT without the Vector API's intrinsics or not yet"
                + " compiled, and this run trained slower than it can. It happens in some runs and not in most;"
                + " run again, or see allocatedBytes in --report.",
                epochs, lastEpochBytes / 1e6, examples == 0 ? 0 : lastEpochBytes / examples);
    }

    /**
     * Prints {@link #heapWarning} for this run's last epoch on {@code err}, if there is one, after
     * flushing {@code out}: {@code epochs} epochs of {@code examples} examples in minibatches of
     * {@code batch}.
     */
    void warnIfOnTheHeap(int epochs, int examples, int batch, PrintWriter out, PrintWriter err) {
        String warning = heapWarning(epochs, (examples + (long) batch - 1) / batch, at(epochs - 1), examples);
        if (warning != null) {
            out.flush();
            err.println(warning);
        }
    }

    /** Epoch i's figure (0 for the first), or null where the JVM keeps no such total. */
    Long at(int i) {
        return i < perEpoch.size() ? perEpoch.get(i) : null;
    }
}
