package dev.simdnet.cli;

import dev.simdnet.core.EpochListener;
import dev.simdnet.core.EpochStats;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * What {@code train} shows: on a terminal, a bar per epoch redrawn in place (examples/s, ETA,
 * running cost), replaced by the epoch's line when it ends; elsewhere (logs, CI) only that line.
 */
final class TrainingProgress implements EpochListener {

    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final int epochs;
    private final boolean terminal;
    private long epochStart;
    private long lastDraw;
    private int currentEpoch = -1;

    TrainingProgress(PrintWriter out, int epochs, boolean terminal) {
        this.out = out;
        this.epochs = epochs;
        this.terminal = terminal;
    }

    @Override
    public void minibatchDone(int epoch, int examplesDone, int examplesTotal, double meanCostSoFar) {
        if (!terminal) {
            return;
        }
        long now = System.nanoTime();
        if (epoch != currentEpoch) {
            currentEpoch = epoch;
            epochStart = now;
            lastDraw = now;
            return;
        }
        if (now - lastDraw < REDRAW_NANOS && examplesDone < examplesTotal) {
            return;
        }
        lastDraw = now;
        double seconds = (now - epochStart) / 1e9;
        double rate = examplesDone / Math.max(seconds, 1e-9);
        int width = 30;
        int filled = (int) ((long) width * examplesDone / examplesTotal);
        out.printf(Locale.ROOT, "\repoch %3d/%d [%s%s] %,d/%,d  %,.0f examples/s  ETA %.0fs  cost %.5f   ", epoch, epochs,
                "#".repeat(filled), ".".repeat(width - filled), examplesDone, examplesTotal, rate,
                (examplesTotal - examplesDone) / rate, meanCostSoFar);
        out.flush();
    }

    @Override
    public void epochDone(EpochStats s) {
        out.printf(Locale.ROOT, "%sepoch %3d/%d  cost %.5f  test accuracy %6.2f%%  %6.2f s  %,10.0f examples/s%s%n",
                terminal ? "\r" : "", s.epoch(), epochs, s.trainLoss(), 100 * s.testAccuracy(), s.seconds(),
                s.examplesPerSecond(), terminal ? " ".repeat(30) : "");
        out.flush();
    }
}
