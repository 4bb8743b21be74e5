package dev.simdnet.cli;

import dev.simdnet.core.EpochListener;
import dev.simdnet.core.EpochStats;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link EpochListener} that passes everything on and notes, at each epoch's end, how much
 * JIT compilation the JVM finished since the previous one (or since it was made): the time all
 * compiler threads spent, in ms, during the epoch's training and its test evaluation. For the
 * report, where it shows why the first epochs are slower: until C2 has compiled the kernels and
 * the trainer, they run slower, and on a machine with as many cores as training threads the
 * compiler takes one of them.
 */
final class CompileTimes implements EpochListener {

    private final EpochListener inner;
    /** Null where the JVM does not measure its compilation time. */
    private final CompilationMXBean jit;
    private long last;
    private final List<Long> perEpoch = new ArrayList<>();

    CompileTimes(EpochListener inner) {
        this.inner = inner;
        CompilationMXBean bean = ManagementFactory.getCompilationMXBean();
        this.jit = bean != null && bean.isCompilationTimeMonitoringSupported() ? bean : null;
        this.last = jit == null ? 0 : jit.getTotalCompilationTime();
    }

    @Override
    public void minibatchDone(int epoch, int examplesDone, int examplesTotal, double meanCostSoFar) {
        inner.minibatchDone(epoch, examplesDone, examplesTotal, meanCostSoFar);
    }

    @Override
    public void epochDone(EpochStats stats) {
        if (jit != null) {
            long now = jit.getTotalCompilationTime();
            perEpoch.add(now - last);
            last = now;
        }
        inner.epochDone(stats);
    }

    /** Epoch i's compilation time in ms, or null where the JVM does not tell. */
    Long millis(int i) {
        return i < perEpoch.size() ? perEpoch.get(i) : null;
    }
}
